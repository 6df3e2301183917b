"""Bad input: one line naming the file (and line), exit code 2, no traceback, nothing written
into the results directory."""

from __future__ import annotations

import numpy as np
import pytest

from evalkit.benchmarks import load_benchmark
from evalkit.cli import main
from tests.synthetic_otb import write_results, write_synthetic_otb_root


@pytest.fixture(scope="module")
def layout(tmp_path_factory):
    base = tmp_path_factory.mktemp("otb")
    root = write_synthetic_otb_root(base / "OTB")
    bench = load_benchmark("otb2013", root)
    results = base / "results"
    rng = np.random.default_rng(1)
    write_results(results, "Good", bench, rng, noise=2.0)
    return root, results, bench


def _files(folder):
    return sorted((p.relative_to(folder), p.stat().st_mtime_ns) for p in folder.rglob("*"))


def _run(capsys, *args):
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.err.strip().splitlines()


def _report(root, results, tmp_path, *extra):
    return ["report", "--bench", "otb2013", "--root", str(root), "--results", str(results),
            "--out", str(tmp_path / "out"), *extra]


def _one_line_error(lines, *needles):
    errors = [line for line in lines if line.startswith("evalkit: error:")]
    assert len(errors) == 1, lines
    assert not any("Traceback" in line for line in lines)
    for needle in needles:
        assert needle in errors[0], errors[0]
    return errors[0]


def test_malformed_result_row_names_file_and_line(capsys, tmp_path, layout):
    root, _, bench = layout
    results = tmp_path / "results"
    write_results(results, "Bad", bench, np.random.default_rng(2), noise=1.0)
    path = results / "Bad" / "Basketball.txt"
    lines = path.read_text().splitlines()
    lines[6] = "12.0,13.5,abc,20"
    path.write_text("\n".join(lines) + "\n")
    before = _files(results)
    code, err = _run(capsys, *_report(root, results, tmp_path))
    assert code == 2
    _one_line_error(err, "Basketball.txt:7", "'abc'")
    assert _files(results) == before


@pytest.mark.parametrize("row, message", [("1,2,3", "expected 4 numbers, found 3"), ("nan,1,2,3,4", "found 5")])
def test_wrong_column_count(capsys, tmp_path, layout, row, message):
    root, _, bench = layout
    results = tmp_path / "results"
    write_results(results, "Bad", bench, np.random.default_rng(2), noise=1.0)
    path = results / "Bad" / "Bolt.txt"
    lines = path.read_text().splitlines()
    lines[3] = row
    path.write_text("\n".join(lines) + "\n")
    code, err = _run(capsys, *_report(root, results, tmp_path))
    assert code == 2
    _one_line_error(err, "Bolt.txt:4", message)


@pytest.mark.parametrize("folder, index, row, where, message", [
    ("Bolt", 9, "1\t2\t3", "Bolt/groundtruth_rect.txt:10", "found 3"),
    ("Tiger1", 7, "NaN,NaN,NaN,NaN", "Tiger1/groundtruth_rect.txt:8", "NaN"),  # Tiger1 skips 5 lines: still line 8
])
def test_malformed_groundtruth_names_file_and_line(capsys, tmp_path, layout, folder, index, row, where, message):
    _, results, _ = layout
    root = write_synthetic_otb_root(tmp_path / "OTB")
    gt = root / folder / "groundtruth_rect.txt"
    lines = gt.read_text().splitlines()
    lines[index] = row
    gt.write_text("\n".join(lines) + "\n")
    code, err = _run(capsys, *_report(root, results, tmp_path))
    assert code == 2
    _one_line_error(err, where, message)


def test_extra_rows_are_an_error_that_says_how_to_fix(capsys, tmp_path, layout):
    root, _, bench = layout
    results = tmp_path / "results"
    write_results(results, "Long", bench, np.random.default_rng(3), noise=1.0)
    path = results / "Long" / "Deer.txt"
    path.write_text(path.read_text() + "1,2,3,4\n")
    code, err = _run(capsys, *_report(root, results, tmp_path))
    assert code == 2
    _one_line_error(err, "Deer.txt:72", "remove the extra rows")


def test_root_that_is_not_the_benchmark(capsys, tmp_path, layout):
    _, results, _ = layout
    code, err = _run(capsys, *_report(tmp_path, results, tmp_path))
    assert code == 2
    _one_line_error(err, "not an OTB root")


def test_missing_results_directory(capsys, tmp_path, layout):
    root, _, _ = layout
    code, err = _run(capsys, *_report(root, tmp_path / "nowhere", tmp_path))
    assert code == 2
    _one_line_error(err, "nowhere", "results directory not found")


def test_empty_results_directory(capsys, tmp_path, layout):
    root, _, _ = layout
    (tmp_path / "empty").mkdir()
    code, err = _run(capsys, *_report(root, tmp_path / "empty", tmp_path))
    assert code == 2
    _one_line_error(err, "no tracker results")


def test_unknown_tracker_lists_the_found_ones(capsys, tmp_path, layout):
    root, results, _ = layout
    code, err = _run(capsys, *_report(root, results, tmp_path, "--trackers", "Good,Nope"))
    assert code == 2
    _one_line_error(err, "Nope", "found: Good")


def test_unknown_benchmark_and_profile(capsys, tmp_path, layout):
    root, results, _ = layout
    code, err = _run(capsys, "report", "--bench", "otb1999", "--root", str(root), "--results", str(results),
                     "--out", str(tmp_path / "o"))
    assert code == 2
    _one_line_error(err, "unknown benchmark", "otb2015")
    code, err = _run(capsys, *_report(root, results, tmp_path, "--profile", "matlab"))
    assert code == 2
    _one_line_error(err, "profile 'matlab'", "pysot")


def test_strict_turns_a_policy_warning_into_an_error(capsys, tmp_path, layout):
    root, _, bench = layout
    results = tmp_path / "results"
    write_results(results, "Short", bench, np.random.default_rng(4), noise=1.0)
    path = results / "Short" / "Deer.txt"
    path.write_text("\n".join(path.read_text().splitlines()[:-3]) + "\n")
    code, err = _run(capsys, *_report(root, results, tmp_path, "--strict"))
    assert code == 2
    _one_line_error(err, "Short", "Deer.txt (68/71)", "strict")

