"""Runners: results layout, resume, interruption, failing trackers, bad frames, batched vs
deterministic, and an evalkit tracker inside got10k's own experiment."""

from __future__ import annotations

import numpy as np
import pytest

from evalkit.benchmarks.otb import fact_table
from evalkit.errors import EvalkitError
from evalkit.runners.experiment import run_tracker
from evalkit.textio import read_table
from evalkit.trackers import BatchedTracker, Tracker, create_tracker
from tests.tiny_benchmark import make_tiny_benchmark


@pytest.fixture
def tiny(tmp_path):
    return make_tiny_benchmark(tmp_path / "bench")


def _run(tracker, bench, out, **kw):
    return run_tracker(tracker, tracker.name, {}, bench, out, progress=False, **kw)


def test_identity_writes_got10k_layout_with_gt_first_row(tiny, tmp_path):
    summary = _run(create_tracker("identity"), tiny, tmp_path / "out")
    assert summary.finished == ["Seq0", "Seq1", "Seq2"] and not summary.failed
    for seq in tiny:
        boxes = read_table(tmp_path / "out" / "identity" / f"{seq.name}.txt")
        np.testing.assert_allclose(boxes, np.repeat(seq.gt[:1], len(seq.gt), axis=0), atol=1e-3)
        times = read_table(tmp_path / "out" / "identity" / "times" / f"{seq.name}_time.txt", columns=1)
        assert times.shape == (len(seq.gt), 1)


def test_resume_skips_finished_sequences_and_keeps_their_files(tiny, tmp_path):
    out = tmp_path / "out"
    _run(create_tracker("identity"), tiny, out)
    stamp = (out / "identity" / "Seq1.txt").stat().st_mtime_ns
    again = _run(create_tracker("identity"), tiny, out)
    assert again.resumed == ["Seq0", "Seq1", "Seq2"] and again.finished == []
    assert (out / "identity" / "Seq1.txt").stat().st_mtime_ns == stamp


class _Interrupting(BatchedTracker):
    """Identity that is 'killed' (KeyboardInterrupt) on the 5th frame of its second sequence."""

    name = "identity"

    def __init__(self):
        self.boxes, self.sequences, self.frame = {}, 0, 0

    def init_slots(self, slots, images, boxes):
        self.sequences += 1
        self.frame = 0
        self.boxes.update(zip(slots, np.asarray(boxes)))

    def update_slots(self, slots, images):
        self.frame += 1
        if self.sequences == 2 and self.frame == 4:
            raise KeyboardInterrupt
        return np.stack([self.boxes[s] for s in slots])


def test_a_run_killed_mid_sequence_loses_nothing_and_resumes(tiny, tmp_path):
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        _run(_Interrupting(), tiny, out, deterministic=True)
    folder = out / "identity"
    assert (folder / "Seq0.txt").is_file() and not (folder / "Seq1.txt").exists()
    assert not list(folder.rglob("*.tmp"))
    stamp = (folder / "Seq0.txt").stat().st_mtime_ns
    resumed = _run(create_tracker("identity"), tiny, out)
    assert resumed.resumed == ["Seq0"] and resumed.finished == ["Seq1", "Seq2"]
    assert (folder / "Seq0.txt").stat().st_mtime_ns == stamp


class _Faulty(Tracker):
    name = "faulty"

    def init(self, image, box):
        self.box, self.frame = np.asarray(box), 0

    def update(self, image):
        self.frame += 1
        if self.box[0] >= 21:  # Seq1 (x = 21) and Seq2 (x = 22) start further right
            if self.box[0] >= 22:
                raise ValueError("exploded")
            return np.array([np.nan, np.inf, 1, 1])
        return self.box


def test_a_failing_tracker_is_recorded_per_sequence_and_retried_on_resume(tiny, tmp_path):
    out = tmp_path / "out"
    summary = _run(_Faulty(), tiny, out)
    assert summary.failed == {"Seq2": "tracker raised ValueError: exploded"}
    assert summary.finished == ["Seq0", "Seq1"] and summary.invalid_outputs == len(tiny["Seq1"].gt) - 1
    assert "exploded" in (out / "faulty" / "errors" / "Seq2.txt").read_text()
    assert np.isnan(read_table(out / "faulty" / "Seq1.txt")[1:]).all()
    retry = _run(_Faulty(), tiny, out)
    assert retry.resumed == ["Seq0", "Seq1"] and list(retry.failed) == ["Seq2"]


def test_a_truncated_frame_fails_its_sequence_with_the_file_named(tiny, tmp_path):
    frame = tiny["Seq1"].frames[3]
    frame.write_bytes(frame.read_bytes()[:200])
    for deterministic in (True, False):
        summary = _run(create_tracker("identity"), tiny, tmp_path / f"out{deterministic}", deterministic=deterministic)
        assert list(summary.failed) == ["Seq1"] and "0004.jpg" in summary.failed["Seq1"]
        assert "truncated" in summary.failed["Seq1"]
        assert summary.finished == ["Seq0", "Seq2"]


def test_unknown_tracker_lists_the_valid_ones():
    with pytest.raises(EvalkitError, match="unknown tracker 'nope'.*identity.*siamfc"):
        create_tracker("nope")


def test_batched_equals_deterministic_for_siamfc(tiny, tmp_path):
    from tests.conftest import shared_path

    weights = shared_path("weights", "siamfc-pytorch", "siamfc_alexnet_cpu.pth")
    batched = _run(create_tracker("siamfc", weights=weights), tiny, tmp_path / "a", slots=3)
    single = _run(create_tracker("siamfc", weights=weights), tiny, tmp_path / "b", deterministic=True)
    assert batched.mode == "batched" and single.mode == "one at a time"
    for seq in tiny:
        a = read_table(tmp_path / "a" / "siamfc" / f"{seq.name}.txt")
        b = read_table(tmp_path / "b" / "siamfc" / f"{seq.name}.txt")
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-2)  # the stated tolerance (px)


def test_an_evalkit_tracker_runs_inside_got10k_experiment(tmp_path, monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    experiments = pytest.importorskip("got10k.experiments")
    root = tmp_path / "OTB"
    bench = make_tiny_benchmark(root / "src", sequences=1, frames=6)
    seq = bench.sequences[0]
    for row in fact_table():  # got10k's OTB wants every folder (else it downloads); only one is annotated
        (root / row["folder"]).mkdir(exist_ok=True)
    folder = root / "Basketball"
    (folder / "img").mkdir(parents=True)
    for index, frame in enumerate(seq.frames):
        (folder / "img" / f"{index + 1:04d}.jpg").write_bytes(frame.read_bytes())
    np.savetxt(folder / "groundtruth_rect.txt", seq.gt, fmt="%.1f", delimiter=",")
    experiment = experiments.ExperimentOTB(str(root), version="tb100", result_dir=str(tmp_path / "res"),
                                           report_dir=str(tmp_path / "rep"))
    experiment.run(create_tracker("identity"))
    written = read_table(tmp_path / "res" / "OTBtb100" / "identity" / "Basketball.txt")
    np.testing.assert_allclose(written, np.repeat(seq.gt[:1], len(seq.gt), axis=0), atol=1e-3)


class _Jittery(BatchedTracker):
    """A stochastic identity: the GOT-10k protocol runs it three times per sequence."""

    name = "jittery"
    is_deterministic = False

    def __init__(self):
        self.boxes, self.rng = {}, np.random.default_rng(0)

    def init_slots(self, slots, images, boxes):
        self.boxes.update(zip(slots, np.asarray(boxes)))

    def update_slots(self, slots, images):
        return np.stack([self.boxes[s] + self.rng.normal(0, 0.5, 4) for s in slots])


def test_got10k_runs_a_stochastic_tracker_three_times(tiny, tmp_path):
    from dataclasses import replace

    from evalkit.results.got10k_layout import read_got10k_results

    got = replace(tiny, kind="got10k", pixel_origin=0)
    summary = _run(_Jittery(), got, tmp_path / "out")
    assert summary.finished == ["Seq0", "Seq1", "Seq2"]
    folder = tmp_path / "out" / "jittery"
    assert sorted(p.name for p in (folder / "Seq1").iterdir()) == [
        "Seq1_001.txt", "Seq1_002.txt", "Seq1_003.txt", "Seq1_time.txt"]
    read = read_got10k_results(folder, got)
    runs = read.sequences["Seq1"].runs
    assert len(runs) == 3 and not np.allclose(runs[0][1:], runs[1][1:])
    assert read.sequences["Seq1"].times.shape == (len(got["Seq1"].frames), 3)
    assert _run(_Jittery(), got, tmp_path / "out").resumed == ["Seq0", "Seq1", "Seq2"]
