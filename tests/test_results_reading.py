"""Reading published results: every layout and name alias, and each policy on the real quirky files."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from evalkit.errors import EvalkitError, Problems, set_strict
from evalkit.results.discover import find_trackers
from evalkit.results.ope import read_ope_tracker
from evalkit.textio import read_table


def _read(name, otb2015, otb_results):
    problems = Problems()
    tracker = read_ope_tracker(name, [otb_results / name], otb2015, problems)
    return tracker, "\n".join(problems.lines())


def test_real_results_are_found_with_their_names(otb2015, otb_results):
    names = [source.name for source in find_trackers(otb_results, otb2015)]
    assert len(names) == 24 and "SiamRPN++" in names and "MEEM_otbpy" in names


def test_tiger1_with_all_annotation_lines_drops_the_skipped_rows(otb2015, otb_results):
    tracker, problems = _read("MDNet_rerun_zz", otb2015, otb_results)
    raw = read_table(otb_results / "MDNet_rerun_zz" / "Tiger1.txt")
    assert len(raw) == 354
    np.testing.assert_array_equal(tracker.sequences["Tiger1"].runs[0], raw[5:])
    assert "dropped the first 5" in problems and "Tiger1.txt" in problems


def test_short_files_are_padded_and_reported(otb2015, otb_results):
    tracker, problems = _read("MDNet", otb2015, otb_results)
    board = tracker.sequences["Board"].runs[0]
    assert board.shape == (698, 4) and np.isnan(board[-1]).all() and not np.isnan(board[:-1]).any()
    assert "Board.txt (697/698)" in problems and "Twinnings.txt (471/472)" in problems


def test_corner_first_rows_are_flagged_not_changed(otb2015, otb_results):
    tracker, problems = _read("SiamRPN", otb2015, otb_results)
    first = tracker.sequences["Basketball"].runs[0][0]
    np.testing.assert_array_equal(first, [197, 213, 231, 294])
    assert "x1,y1,x2,y2" in problems and "Basketball.txt" in problems
    _, clean = _read("SiamFC-3s", otb2015, otb_results)
    assert "x1,y1,x2,y2" not in clean  # plain x,y,w,h first rows are not flagged


def test_nan_rows_are_kept_and_counted(otb2015, otb_results):
    tracker, problems = _read("TLD", otb2015, otb_results)
    assert np.isnan(tracker.sequences["Bird1"].runs[0]).any()
    assert "NaN rows (76)" in problems


def test_missing_sequences_are_reported_and_scored_as_no_prediction(otb2015, otb_results):
    tracker, problems = _read("MEEM_otbpy", otb2015, otb_results)
    missing = [name for name, result in tracker.sequences.items() if not result.paths]
    assert len(missing) == 27
    assert all(np.isnan(tracker.sequences[name].runs[0]).all() for name in missing)
    assert "no result file" in problems and "(27)" in problems


def test_strict_mode_raises_on_the_first_problem(otb2015, otb_results):
    set_strict(True)
    try:
        with pytest.raises(EvalkitError, match="Board.txt"):
            read_ope_tracker("MDNet", [otb_results / "MDNet"], otb2015, Problems())
    finally:
        set_strict(False)


@pytest.mark.parametrize("alias", ["Jogging.1", "Jogging_1", "Jogging1", "jogging_1", "jogging-1"])
def test_every_published_spelling_of_a_two_target_name(tmp_path, otb2015, otb_results, alias):
    folder = tmp_path / "KCF"
    folder.mkdir()
    for name in ("Jogging-1", "Human4-2"):
        target = alias if name == "Jogging-1" else "Human4_2"
        shutil.copy(otb_results / "KCF" / f"{name}.txt", folder / f"{target}.txt")
    tracker = read_ope_tracker("KCF", [folder], otb2015, Problems())
    np.testing.assert_array_equal(
        tracker.sequences["Jogging-1"].runs[0], read_table(otb_results / "KCF" / "Jogging-1.txt"))
    assert tracker.sequences["Human4-2"].paths


def test_got10k_names_human4_after_its_folder(otb2015):
    assert otb2015.canonical_name("Human4") == "Human4-2"
    assert otb2015.canonical_name("Skating2.2") == "Skating2-2"
    assert otb2015.canonical_name("Jogging") is None  # ambiguous: two targets


def test_pytracking_layout_runs_and_tab_separated_integers(tmp_path, otb2015, otb_results):
    for run in ("000", "001"):
        folder = tmp_path / "atom" / f"default_{run}"
        folder.mkdir(parents=True)
        for seq in otb2015:
            boxes = read_table(otb_results / "ATOM" / f"{seq.name}.txt")
            np.savetxt(folder / f"{seq.name}.txt", np.round(boxes), fmt="%d", delimiter="\t")
            np.savetxt(folder / f"{seq.name}_time.txt", np.full(len(boxes), 0.02), fmt="%.4f")
    (source,) = find_trackers(tmp_path, otb2015)
    assert source.name == "atom_default" and len(source.folders) == 2
    tracker = read_ope_tracker(source.name, list(source.folders), otb2015, Problems())
    result = tracker.sequences["Basketball"]
    assert len(result.runs) == 2 and result.times.shape == (2 * len(otb2015["Basketball"]),)


def test_a_single_tracker_folder_can_be_the_results_argument(otb2015, otb_results):
    (source,) = find_trackers(otb_results / "KCF", otb2015)
    assert source.name == "KCF"


def test_got10k_time_files_are_read(tmp_path, otb2015, otb_results):
    folder = tmp_path / "KCF"
    shutil.copytree(otb_results / "KCF", folder)
    (folder / "times").mkdir()
    np.savetxt(folder / "times" / "Deer_time.txt", np.full(71, 0.01), fmt="%.8f")
    tracker = read_ope_tracker("KCF", [folder], otb2015, Problems())
    assert tracker.sequences["Deer"].times.sum() == pytest.approx(0.71)
    assert tracker.sequences["Bolt"].times is None
