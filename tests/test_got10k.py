"""GOT-10k: loader, result layout, submission zip, and metrics checked against got10k itself."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np
import pytest

from evalkit.benchmarks import load_benchmark
from evalkit.benchmarks.got10k import load_got10k
from evalkit.errors import EvalkitError, Problems
from evalkit.metrics.got10k import evaluate_got10k
from evalkit.results.got10k_layout import (
    make_submission_zip,
    read_got10k_results,
    write_got10k_results,
    write_got10k_sequence,
)
from evalkit.results.model import SequenceResult, TrackerResults

RESOLUTIONS = [(640, 480), (1280, 720), (480, 360), (1920, 1080), (320, 240)]


def _write_sequence(split_dir: Path, name: str, gt: np.ndarray, cover: np.ndarray, size: tuple[int, int],
                    full: bool = True) -> None:
    folder = split_dir / name
    folder.mkdir(parents=True)
    for number in range(1, len(gt) + 1):
        (folder / f"{number:08d}.jpg").touch()  # got10k's report only globs the images
    rows = gt if full else gt[:1]
    (folder / "groundtruth.txt").write_text("".join(",".join(f"{v:.4f}" for v in row) + "\n" for row in rows))
    if not full:
        return
    (folder / "cover.label").write_text("".join(f"{c}\n" for c in cover))
    (folder / "absence.label").write_text("".join(f"{int(c == 0)}\n" for c in cover))
    (folder / "cut_by_image.label").write_text("".join(f"{int(c < 8)}\n" for c in cover))
    (folder / "meta_info.ini").write_text(
        "[METAINFO]\nurl: https://youtu.be/abc\nobject_class: car\nmotion_class: running\n"
        f"resolution: ({size[0]}, {size[1]})\n")


def _make_split(root: Path, split: str = "val", count: int = 5, seed: int = 0) -> list[np.ndarray]:
    """A GOT-10k ``split`` under ``root`` with plausible random boxes; returns the gt arrays."""
    rng = np.random.default_rng(seed)
    split_dir = root / split
    split_dir.mkdir(parents=True)
    names, gts = [], []
    for index in range(count):
        name = f"GOT-10k_{split.capitalize()}_{index + 1:06d}"
        width, height = RESOLUTIONS[index % len(RESOLUTIONS)]
        frames = int(rng.integers(20, 61))
        drift = np.exp(np.cumsum(rng.normal(0, 0.03, (frames, 2)), 0))
        size = rng.uniform(0.1, 0.4, 2) * (width, height) * drift
        corner = rng.uniform(0, 0.6, 2) * (width, height) + np.cumsum(rng.normal(0, 6, (frames, 2)), 0)
        gt = np.round(np.hstack([corner, size]), 4)
        if index == 1:
            gt[5:10, 0] = width - gt[5:10, 2] / 2  # target half out of the image
        cover = rng.integers(0, 9, frames)
        cover[0] = 8
        cover[rng.choice(np.arange(1, frames), 4, replace=False)] = 0
        _write_sequence(split_dir, name, gt, cover, (width, height))
        names.append(name)
        gts.append(gt)
    (split_dir / "list.txt").write_text("\n".join(names) + "\n")
    return gts


def _tracker_results(name: str, benchmark, seed: int, with_nan: bool) -> TrackerResults:
    """3 noisy runs per sequence, some boxes partly outside the image, optionally NaN rows."""
    rng = np.random.default_rng(seed)
    sequences = {}
    for seq in benchmark:
        runs = []
        for _ in range(3):
            boxes = seq.gt + rng.normal(0, 0.15, seq.gt.shape) * seq.gt[:, [2, 3, 2, 3]]
            boxes[:, 2:] = np.abs(boxes[:, 2:])
            boxes[3, :2] = [-boxes[3, 2] / 2, -5.0]  # partly left of and above the image
            boxes[0] = seq.gt[0]
            runs.append(boxes)
        if with_nan:
            visible = np.flatnonzero(seq.labels["cover"][1:] > 0) + 1
            runs[1][visible[2]] = np.nan
        times = rng.uniform(0.005, 0.05, (len(seq.gt), 3))
        times[0, 0] = 0.0  # got10k drops non-positive times
        sequences[seq.name] = SequenceResult(runs=runs, paths=[], times=times)
    return TrackerResults(name=name, folder=Path(name), sequences=sequences)


@pytest.fixture
def val_root(tmp_path: Path) -> Path:
    _make_split(tmp_path / "GOT-10k")
    return tmp_path / "GOT-10k"


# ---- loader ------------------------------------------------------------------------------------

def test_loads_from_root_or_split_folder(val_root: Path):
    from_root = load_got10k("val", val_root)
    from_split = load_benchmark("got10k-val", val_root / "val")
    assert from_root.names == from_split.names and len(from_root) == 5
    assert from_root.kind == "got10k" and from_root.default_profile == "got10k"
    seq = from_root.sequences[0]
    assert len(seq) == len(seq.gt) and seq.has_frames()
    assert seq.frames[0].name == "00000001.jpg"
    assert seq.image_size == (640, 480)
    assert seq.meta["url"] == "https://youtu.be/abc" and seq.meta["object_class"] == "car"
    assert set(seq.labels) == {"absence", "cover", "cut_by_image"}
    assert seq.labels["cover"].dtype == np.int64 and len(seq.labels["cover"]) == len(seq.gt)
    np.testing.assert_array_equal(seq.gt, from_split.sequences[0].gt)


def test_bad_root_is_one_line(tmp_path: Path):
    with pytest.raises(EvalkitError, match="not a GOT-10k val root") as caught:
        load_got10k("val", tmp_path)
    assert "\n" not in str(caught.value)


def test_missing_label_file_is_named(val_root: Path):
    label = val_root / "val" / "GOT-10k_Val_000002" / "cover.label"
    label.unlink()
    with pytest.raises(EvalkitError, match="cover.label"):
        load_got10k("val", val_root)


def test_listed_sequence_without_files_is_named(val_root: Path):
    with open(val_root / "val" / "list.txt", "a") as handle:
        handle.write("GOT-10k_Val_000099\n")
    with pytest.raises(EvalkitError, match="GOT-10k_Val_000099"):
        load_got10k("val", val_root)


def test_malformed_row_names_file_and_line(val_root: Path):
    gt = val_root / "val" / "GOT-10k_Val_000001" / "groundtruth.txt"
    lines = gt.read_text().splitlines()
    lines[2] = "1,2,3"
    gt.write_text("\n".join(lines) + "\n")
    with pytest.raises(EvalkitError, match=r"groundtruth\.txt:3:"):
        load_got10k("val", val_root)


def test_test_split_has_first_box_and_image_count(tmp_path: Path):
    split_dir = tmp_path / "test"
    split_dir.mkdir()
    gt = np.array([[10, 20, 30, 40]] * 7, dtype=float)
    _write_sequence(split_dir, "GOT-10k_Test_000001", gt, np.full(7, 8), (640, 480), full=False)
    _write_sequence(split_dir, "GOT-10k_Test_000002", gt, np.full(7, 8), (640, 480), full=False)
    for image in (split_dir / "GOT-10k_Test_000002").glob("*.jpg"):
        image.unlink()
    (split_dir / "list.txt").write_text("GOT-10k_Test_000001\nGOT-10k_Test_000002\n")
    benchmark = load_benchmark("got10k-test", tmp_path)
    first, second = benchmark.sequences
    assert first.gt.shape == (1, 4) and len(first) == 7 and len(second) == 0
    assert first.labels == {} and first.meta == {} and first.image_size is None
    with pytest.raises(EvalkitError, match="withheld"):
        evaluate_got10k(benchmark, TrackerResults("t", tmp_path))


# ---- result layout and submission zip ----------------------------------------------------------

def test_write_read_round_trip(val_root: Path, tmp_path: Path):
    benchmark = load_got10k("val", val_root)
    results = _tracker_results("alpha", benchmark, seed=1, with_nan=True)
    tracker_dir = write_got10k_results(tmp_path / "results", results)
    seq = benchmark.sequences[0]
    assert sorted(p.name for p in (tracker_dir / seq.name).iterdir()) == [
        f"{seq.name}_001.txt", f"{seq.name}_002.txt", f"{seq.name}_003.txt", f"{seq.name}_time.txt"]
    assert not list(tracker_dir.rglob("*.tmp")) and not list(tracker_dir.rglob(".*"))
    first_line = (tracker_dir / seq.name / f"{seq.name}_001.txt").read_text().splitlines()[0]
    assert first_line == ",".join("%.3f" % v for v in seq.gt[0])
    read = read_got10k_results(tracker_dir, benchmark)
    assert read.name == "alpha" and list(read.sequences) == benchmark.names
    for name, written in results.sequences.items():
        got = read.sequences[name]
        assert [p.name for p in got.paths] == [f"{name}_{r:03d}.txt" for r in (1, 2, 3)]
        for ours, theirs in zip(written.runs, got.runs):
            np.testing.assert_allclose(theirs, ours, atol=5e-4)  # %.3f; NaN rows stay NaN
        np.testing.assert_allclose(got.times, written.times, atol=5e-9)


def test_reader_pads_short_and_refuses_long_files(val_root: Path, tmp_path: Path):
    benchmark = load_got10k("val", val_root)
    seq = benchmark.sequences[0]
    tracker_dir = write_got10k_results(tmp_path, _tracker_results("alpha", benchmark, seed=1, with_nan=False))
    run_file = tracker_dir / seq.name / f"{seq.name}_002.txt"
    lines = run_file.read_text().splitlines()
    run_file.write_text("\n".join(lines[:-3]) + "\n")
    problems = Problems()
    read = read_got10k_results(tracker_dir, benchmark, problems)
    assert any(f"{run_file.name} ({len(lines) - 3}/{len(lines)})" in line for line in problems.lines())
    padded = read.sequences[seq.name].runs[1]
    assert padded.shape == seq.gt.shape and np.isnan(padded[-3:]).all() and not np.isnan(padded[:-3]).any()
    run_file.write_text("\n".join(lines + lines[:2]) + "\n")
    with pytest.raises(EvalkitError, match=f"{run_file.name}.*delete the last 2 rows"):
        read_got10k_results(tracker_dir, benchmark)


def test_reader_names_tracker_folder_and_missing_sequence(val_root: Path, tmp_path: Path):
    benchmark = load_got10k("val", val_root)
    tracker_dir = write_got10k_results(tmp_path, _tracker_results("alpha", benchmark, seed=1, with_nan=False))
    missing = benchmark.sequences[3].name
    for path in (tracker_dir / missing).iterdir():
        path.unlink()
    with pytest.raises(EvalkitError) as caught:
        read_got10k_results(tracker_dir, benchmark)
    assert str(tracker_dir) in str(caught.value) and missing in str(caught.value)


def test_submission_zip_is_rooted_inside_tracker_folder(tmp_path: Path):
    runs = [np.array([[1.0, 2.0, 3.0, 4.0]] * 3)]
    for name in ("GOT-10k_Test_000001", "GOT-10k_Test_000002"):
        write_got10k_sequence(tmp_path / "results", "my_tracker", name, runs, np.full(3, 0.01))
    (tmp_path / "results" / "my_tracker" / "GOT-10k_Test_000001" / ".x.txt.123.tmp").touch()
    zip_path = make_submission_zip(tmp_path / "results" / "my_tracker", tmp_path / "out" / "my_tracker.zip")
    with zipfile.ZipFile(zip_path) as archive:
        names = sorted(archive.namelist())
        first_run = archive.read("GOT-10k_Test_000002/GOT-10k_Test_000002_001.txt")
    assert first_run == b"1.000,2.000,3.000,4.000\n" * 3
    assert names == [
        "GOT-10k_Test_000001/GOT-10k_Test_000001_001.txt", "GOT-10k_Test_000001/GOT-10k_Test_000001_time.txt",
        "GOT-10k_Test_000002/GOT-10k_Test_000002_001.txt", "GOT-10k_Test_000002/GOT-10k_Test_000002_time.txt"]
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["my_tracker.zip"]


def test_submission_zip_refuses_spaces(tmp_path: Path):
    write_got10k_sequence(tmp_path, "t", "seq one", [np.ones((2, 4))])
    with pytest.raises(EvalkitError, match="spaces.*'seq one/seq one_001.txt'"):
        make_submission_zip(tmp_path / "t", tmp_path / "t.zip")
    assert not (tmp_path / "t.zip").exists()


def test_failed_zip_leaves_no_temp_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    write_got10k_sequence(tmp_path / "results", "t", "s", [np.ones((2, 4))])

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    (tmp_path / "out").mkdir()
    with pytest.raises(OSError):
        make_submission_zip(tmp_path / "results" / "t", tmp_path / "out" / "t.zip")
    assert list((tmp_path / "out").iterdir()) == []


# ---- metrics -----------------------------------------------------------------------------------

def test_perfect_tracker_and_speeds(val_root: Path):
    benchmark = load_got10k("val", val_root)
    times = {seq.name: np.full((len(seq.gt), 1), 0.02) for seq in benchmark}
    times[benchmark.names[0]][1, 0] = np.nan
    results = TrackerResults("gt", Path("gt"), {
        seq.name: SequenceResult([seq.gt.copy()], [], times[seq.name]) for seq in benchmark})
    scores = evaluate_got10k(benchmark, results)
    assert scores.ao == pytest.approx(1.0) and scores.sr_50 == 1.0 and scores.sr_75 == 1.0
    assert scores.curve[0] == 1.0 and scores.missing == 0
    assert scores.frames == sum(int(np.count_nonzero(seq.labels["cover"][1:] > 0)) for seq in benchmark)
    assert scores.fps == pytest.approx(50.0) and scores.fps_got10k == pytest.approx(50.0)
    assert set(scores.sequence_ao) == set(benchmark.names)


def test_matches_got10k_report(val_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    experiments = pytest.importorskip("got10k.experiments")
    benchmark = load_got10k("val", val_root)
    result_dir = tmp_path / "results"
    alpha = _tracker_results("alpha", benchmark, seed=1, with_nan=False)
    beta = _tracker_results("beta", benchmark, seed=2, with_nan=True)
    beta_zeroed = TrackerResults("beta_zeroed", Path("beta_zeroed"), {
        name: SequenceResult([np.nan_to_num(run) for run in r.runs], [], r.times)
        for name, r in beta.sequences.items()})
    for results in (alpha, beta, beta_zeroed):
        write_got10k_results(result_dir / "GOT-10k", results)
    experiment = experiments.ExperimentGOT10k(
        str(val_root), subset="val", result_dir=str(result_dir), report_dir=str(tmp_path / "reports"))
    with np.errstate(all="ignore"):
        peer = experiment.report(["alpha", "beta", "beta_zeroed"])

    ours = {name: evaluate_got10k(benchmark, read_got10k_results(result_dir / "GOT-10k" / name, benchmark))
            for name in ("alpha", "beta", "beta_zeroed")}
    for name, scores in ours.items():
        overall = peer[name]["overall"]
        assert scores.sr_50 == pytest.approx(overall["sr"], abs=1e-9)
        np.testing.assert_allclose(scores.curve, overall["succ_curve"], rtol=0, atol=1e-9)
        assert scores.fps_got10k == pytest.approx(overall["speed_fps"], rel=1e-9)
        # linspace(0, 1, 101)[75] is exactly 0.75
        assert scores.sr_75 == pytest.approx(overall["succ_curve"][75], abs=1e-9)
    for name in ("alpha", "beta_zeroed"):
        assert ours[name].ao == pytest.approx(peer[name]["overall"]["ao"], abs=1e-9)
        for seq_name, seq_ao in ours[name].sequence_ao.items():
            assert seq_ao == pytest.approx(peer[name]["seq_wise"][seq_name]["ao"], abs=1e-9)
    # got10k's AO turns NaN with a NaN box; evalkit scores that frame IoU 0, as got10k does for a
    # 0,0,0,0 box, and counts it.
    assert np.isnan(peer["beta"]["overall"]["ao"])
    assert ours["beta"].ao == pytest.approx(peer["beta_zeroed"]["overall"]["ao"], abs=1e-9)
    assert ours["beta"].missing == len(benchmark) and ours["alpha"].missing == 0
    assert ours["beta"].curve.tolist() == ours["beta_zeroed"].curve.tolist()


def test_report_command_on_a_got10k_val_layout(val_root: Path, tmp_path: Path, capsys):
    import json

    from evalkit.cli import main

    benchmark = load_got10k("val", val_root)
    for name, seed in (("alpha", 1), ("beta", 2)):
        write_got10k_results(tmp_path / "results", _tracker_results(name, benchmark, seed=seed, with_nan=False))
    out = tmp_path / "report"
    code = main(["report", "--bench", "got10k-val", "--root", str(val_root), "--results", str(tmp_path / "results"),
                 "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    summary = json.loads((out / "summary.json").read_text())
    assert summary["profile"] == "got10k"
    assert set(summary["trackers"]["alpha"]) == {"ao", "sr_50", "sr_75", "sequences", "fps"}
    ours = evaluate_got10k(benchmark, read_got10k_results(tmp_path / "results" / "alpha", benchmark))
    assert summary["trackers"]["alpha"]["ao"] == pytest.approx(ours.ao, abs=1e-12)
    assert (out / "success.png").is_file() and "AO" in (out / "table.md").read_text()


def test_submission_command_zips_a_tracker_folder(tmp_path: Path, capsys):
    from evalkit.cli import main

    write_got10k_sequence(tmp_path / "results", "mine", "GOT-10k_Test_000001", [np.ones((3, 4))], np.full(3, 0.01))
    code = main(["submission", "--results", str(tmp_path / "results" / "mine"), "--out", str(tmp_path / "mine.zip")])
    assert code == 0, capsys.readouterr().err
    with zipfile.ZipFile(tmp_path / "mine.zip") as archive:
        assert sorted(archive.namelist()) == ["GOT-10k_Test_000001/GOT-10k_Test_000001_001.txt",
                                              "GOT-10k_Test_000001/GOT-10k_Test_000001_time.txt"]
