"""VOT2016-2019: the benchmark layouts, region files, the supervised protocol and its results layout,
on the real VOT2018/2019 annotations and the published VOT2018 runs of 12 trackers."""

from __future__ import annotations

import json
import shutil

import cv2
import numpy as np
import pytest
from conftest import shared_path

from evalkit.benchmarks import load_benchmark
from evalkit.errors import EvalkitError, Problems, set_strict
from evalkit.protocols.supervised import FAILURE_OVERLAPS, SupervisedRun, init_box
from evalkit.regions import (
    FAILURE,
    INITIALIZED,
    POLYGON,
    RECTANGLE,
    SKIPPED,
    SPECIAL,
    parse_regions,
)
from evalkit.results.discover import find_trackers
from evalkit.results.vot_layout import read_vot_trackers
from evalkit.runners.experiment import run_tracker
from evalkit.trackers import create_tracker


@pytest.fixture(scope="module")
def vot2018():
    return load_benchmark("vot2018", shared_path("vot", "VOT2018"))


@pytest.fixture(scope="module")
def vot2018_results():
    return shared_path("vot", "results-VOT2018")


def test_vot2018_loads_60_sequences_of_21356_frames_with_sizes_and_tags(vot2018):
    assert len(vot2018) == 60 and sum(len(s) for s in vot2018) == 21356
    sizes = json.loads((vot2018.root / "image_sizes.json").read_text())["sizes"]
    assert all(seq.image_size == tuple(sizes[seq.name]) for seq in vot2018)
    assert vot2018["bag"].image_size == (480, 360) and vot2018["bag"].has_frames()
    assert (vot2018["conduction1"].regions.kind == RECTANGLE).all()  # the one rectangle-annotated sequence
    assert (vot2018["ants1"].regions.kind == POLYGON).all()
    assert vot2018["bag"].labels["occlusion"].dtype == bool and vot2018["bag"].labels["camera_motion"].sum() > 0
    assert not vot2018.problems


def test_without_frames_or_sizes_the_unbounded_scoring_is_reported():
    vot2019 = load_benchmark("vot2019", shared_path("vot", "VOT2019"))
    assert len(vot2019) == 60 and all(seq.image_size is None for seq in vot2019)
    (problem,) = vot2019.problems
    assert "unbounded" in problem and "--image-sizes" in problem


def test_image_sizes_are_taken_from_a_given_table(tmp_path):
    root = shared_path("vot", "VOT2019")
    table = tmp_path / "sizes.json"
    table.write_text(json.dumps({"agility": [1280, 720]}))
    vot2019 = load_benchmark("vot2019", root, table)
    assert vot2019["agility"].image_size == (1280, 720) and "(59)" in vot2019.problems[0]
    table.write_text('{"agility": [1280]}')
    with pytest.raises(EvalkitError, match="sizes.json: agility: expected"):
        load_benchmark("vot2019", root, table)
    with pytest.raises(EvalkitError, match="VOT benchmarks"):
        load_benchmark("otb2015", root, table)


def _old_layout(tmp_path, frames=12):
    """A VOT2016-style sequence: frames in the sequence folder, .label tags, a short tag file."""
    root = tmp_path / "vot2016"
    seq = root / "square"
    seq.mkdir(parents=True)
    (root / "list.txt").write_text("square\n")
    lines = []
    for frame in range(frames):
        image = np.zeros((60, 80, 3), np.uint8)
        x = 10 + 2 * frame
        image[20:36, x:x + 16] = 255
        cv2.imwrite(str(seq / f"{frame + 1:08d}.jpg"), image)
        lines.append(f"{x},20,{x + 15},20,{x + 15},35,{x},35")
    (seq / "groundtruth.txt").write_text("\n".join(lines) + "\n")
    (seq / "occlusion.label").write_text("0\n1\n1\n")
    return root


def test_old_layout_frames_in_the_sequence_folder_and_label_tags(tmp_path):
    bench = load_benchmark("vot2016", _old_layout(tmp_path))
    seq = bench["square"]
    assert seq.image_size == (80, 60) and seq.has_frames() and seq.frames[0].parent.name == "square"
    assert seq.labels["occlusion"].tolist() == [False, True, True] + [False] * 9
    assert not seq.labels["camera_motion"].any()


@pytest.mark.parametrize("text, message", [
    ("1,2,3,4\n\n1,2,3,4\n", "f.txt:2: empty line"),
    ("1,2,3,4,5,6\n", "f.txt:1: .*6 numbers \\(a polygon needs 4 points\\)"),
    ("1\n7\n", "f.txt:2: unknown code 7"),
    ("1\n1,2,x,4\n", "f.txt:2: not a number: 'x'"),
    ("1\n1,2,3,4,5,6,7,8,9,10\n", "f.txt:2: .*a polygon of 5 points"),
])
def test_bad_region_lines_name_the_file_and_line(text, message):
    with pytest.raises(EvalkitError, match=message):
        parse_regions(text, "f.txt", allow_codes=True)


def test_region_lines_in_any_separator_and_codes_written_as_floats():
    regions = parse_regions("1.0\n1 2\t3;4\r\n2\n0\n1,2,3,4,5,6,7,8\n", "f.txt", allow_codes=True)
    assert regions.kind.tolist() == [SPECIAL, RECTANGLE, SPECIAL, SPECIAL, POLYGON]
    assert regions.codes().tolist() == [INITIALIZED, -1, FAILURE, SKIPPED, -1]
    with pytest.raises(EvalkitError, match="f.txt:1"):
        parse_regions("1\n", "f.txt", allow_codes=False)  # ground truth has no codes


def test_published_results_are_read_and_the_malformed_tracker_is_not_scored(vot2018, vot2018_results):
    problems = Problems()
    trackers = read_vot_trackers(find_trackers(vot2018_results, vot2018), vot2018, problems)
    assert len(trackers) == 12
    bad = {t.name: t.unusable for t in trackers if t.unusable}
    assert list(bad) == ["Ocean-offline"]
    assert "bag/bag_001.txt:196: 195 lines but bag has 196 frames" in bad["Ocean-offline"]
    assert "Ocean-offline: not scored" in problems.lines()[0]
    dasiam = next(t for t in trackers if t.name == "DaSiamRPN")
    failures = sum(int((r.runs[0].codes() == FAILURE).sum()) for r in dasiam.sequences.values())
    assert failures == 59
    set_strict(True)
    try:
        with pytest.raises(EvalkitError, match="strict"):
            read_vot_trackers(find_trackers(vot2018_results, vot2018, ["Ocean-offline"]), vot2018, Problems())
    finally:
        set_strict(False)


def test_replaying_published_runs_reproduces_their_bookkeeping(vot2018, vot2018_results):
    """Feed DaSiamRPN's recorded boxes back through the protocol, all 60 sequences in lockstep as a
    batched runner steps them (a failure frame gets a box far from the target): failures, skipped
    frames and re-initialisations land where the published files have them."""
    (dasiam,) = read_vot_trackers(find_trackers(vot2018_results, vot2018, ["DaSiamRPN"]), vot2018, Problems())
    runs = {seq.name: SupervisedRun(seq) for seq in vot2018}
    while any(not run.finished for run in runs.values()):
        updating, boxes = [], []
        for name, run in runs.items():
            if run.finished:
                continue
            if run.action()[0] != "update":
                run.record(None, 0.0)
                continue
            recorded = dasiam.sequences[name].runs[0]
            frame = run.frame
            updating.append(run)
            boxes.append(recorded.values[frame, :4] if recorded.kind[frame] == RECTANGLE else [-1e4, -1e4, 5, 5])
        if updating:
            SupervisedRun.record_many(updating, boxes, 0.0)
    for name, run in runs.items():
        np.testing.assert_array_equal(run.regions.codes(), dasiam.sequences[name].runs[0].codes(), err_msg=name)


def test_the_two_failure_overlaps_disagree_where_a_box_touches_the_target_by_one_row(vot2018, vot2018_results):
    """drone1 frame 251: DaSiamRPN's box ends in the row where the target's corner is; pysot's
    raster (a w-wide box covers w+1 columns and rows) overlaps it, vot-toolkit's does not."""
    (dasiam,) = read_vot_trackers(find_trackers(vot2018_results, vot2018, ["DaSiamRPN"]), vot2018, Problems())
    seq = vot2018["drone1"]
    box = dasiam.sequences["drone1"].runs[0][250:251]
    size = np.array([seq.image_size], dtype=float)
    assert box.kind[0] == RECTANGLE
    assert FAILURE_OVERLAPS["pysot"](box, seq.regions[250:251], size)[0] > 0
    assert FAILURE_OVERLAPS["vot"](box, seq.regions[250:251], size)[0] == 0


def test_init_box_conventions():
    regions = parse_regions("10,0,20,10,10,20,0,10\n5,6,7,8\n", "f.txt", allow_codes=False)  # a 45-degree square
    tight = init_box(regions, "tight")
    np.testing.assert_allclose(tight, [[0, 0, 20, 20], [5, 6, 7, 8]])
    area = init_box(regions, "area")
    side = np.sqrt(200)  # the area-preserving box has the square's area, +1 px per side
    np.testing.assert_allclose(area[0], [10 - side / 2, 10 - side / 2, side + 1, side + 1])
    np.testing.assert_allclose(area[1], [5, 6, 7, 8])  # rectangles are kept


class _Jumpy:
    """A tracker that keeps its first box: it fails once the target has moved away."""

    name = "jumpy"
    is_deterministic = False

    def init(self, image, box):
        self.box = np.asarray(box, dtype=float)

    def update(self, image):
        return self.box


def _moving_layout(tmp_path, frames=40):
    root = tmp_path / "vot2018"
    (root / "seqA").mkdir(parents=True)
    (root / "list.txt").write_text("seqA\n")
    lines = []
    for frame in range(frames):
        x = 4 + 3 * frame
        image = np.zeros((64, 160, 3), np.uint8)
        image[20:30, x:x + 10] = 255
        (root / "seqA" / "color").mkdir(exist_ok=True)
        cv2.imwrite(str(root / "seqA" / "color" / f"{frame + 1:08d}.jpg"), image)
        lines.append(f"{x},20,{x + 9},20,{x + 9},29,{x},29")
    (root / "seqA" / "groundtruth.txt").write_text("\n".join(lines) + "\n")
    return load_benchmark("vot2018", root)


def test_a_run_fails_skips_and_reinitialises_and_a_stochastic_tracker_runs_15_times(tmp_path):
    bench = _moving_layout(tmp_path)
    summary = run_tracker(_Jumpy(), "jumpy", {}, bench, tmp_path / "out", progress=False)
    assert summary.finished == ["seqA"]
    folder = tmp_path / "out" / "jumpy" / "baseline" / "seqA"
    runs = sorted(folder.glob("seqA_0*.txt"))
    assert len(runs) == 15 and (folder / "seqA_time.txt").is_file()
    lines = runs[0].read_text().splitlines()
    # the 10-px square moves 3 px a frame; pysot's raster covers the kept box's 11 columns 4..14, so
    # the square (columns 4+3k .. 13+3k) stops touching it at k = 4: failure, 4 skipped, re-init
    assert lines[0] == "1" and all("," in line for line in lines[1:4])
    assert lines[4:10] == ["2", "0", "0", "0", "0", "1"]
    assert len(lines) == 40
    again = run_tracker(_Jumpy(), "jumpy", {}, bench, tmp_path / "out", progress=False)
    assert again.resumed == ["seqA"] and not again.finished


def test_batched_siamfc_equals_one_at_a_time_under_the_supervised_protocol(tmp_path):
    bench = _moving_layout(tmp_path, frames=16)
    tracker = create_tracker("siamfc", device="cpu")
    run_tracker(tracker, "siamfc", {"device": "cpu"}, bench, tmp_path / "batched", slots=2, progress=False)
    run_tracker(tracker, "siamfc", {"device": "cpu"}, bench, tmp_path / "single", deterministic=True,
                progress=False)
    rel = "siamfc/baseline/seqA/seqA_001.txt"
    batched = parse_regions((tmp_path / "batched" / rel).read_text(), rel, True)
    single = parse_regions((tmp_path / "single" / rel).read_text(), rel, True)
    np.testing.assert_array_equal(batched.codes(), single.codes())
    np.testing.assert_allclose(batched.values, single.values, atol=1e-2)
    shutil.rmtree(tmp_path / "batched")
