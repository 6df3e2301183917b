"""`evalkit report` and `evalkit run` end to end: files, summary.json, cache, exit codes."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from evalkit.benchmarks import load_benchmark
from evalkit.cli import main
from tests.synthetic_otb import write_results, write_synthetic_otb_root

REPORT_FILES = ["success.png", "success.pdf", "precision.png", "norm_precision.pdf", "attributes/OCC.png",
                "table.md", "table.csv", "table.tex", "table.html", "per_sequence.csv", "summary.json", "index.html"]


@pytest.fixture(scope="module")
def layout(tmp_path_factory):
    base = tmp_path_factory.mktemp("report")
    root = write_synthetic_otb_root(base / "OTB")
    bench = load_benchmark("otb2013", root)
    rng = np.random.default_rng(5)
    write_results(base / "results", "Sharp", bench, rng, noise=1.0)
    write_results(base / "results", "Blurry", bench, rng, noise=8.0)
    return root, base / "results"


def test_report_writes_every_file_and_a_summary_other_tools_read(capsys, tmp_path, layout):
    root, results = layout
    out = tmp_path / "out"
    code = main(["report", "--bench", "otb2013", "--root", str(root), "--results", str(results), "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0
    assert printed.index("Sharp") < printed.index("Blurry")  # sorted by AUC
    for name in REPORT_FILES:
        assert (out / name).is_file(), name
    summary = json.loads((out / "summary.json").read_text())
    assert summary["benchmark"] == "otb2013" and summary["profile"] == "otb"
    assert set(summary["trackers"]) == {"Sharp", "Blurry"}
    sharp = summary["trackers"]["Sharp"]
    assert set(sharp) == {"success_auc", "precision_20", "norm_precision_20", "sequences", "fps"}
    assert sharp["sequences"] == 51 and sharp["fps"] is None
    assert sharp["success_auc"] > summary["trackers"]["Blurry"]["success_auc"]


def test_a_cached_re_report_is_served_until_a_result_file_changes(capsys, tmp_path, layout):
    root, results = layout
    args = ["report", "--bench", "otb2013", "--root", str(root), "--results", str(results), "--out", str(tmp_path)]
    assert main(args) == 0
    assert main(args) == 0
    assert "report unchanged" in capsys.readouterr().out
    changed = results / "Blurry" / "Deer.txt"
    original = changed.read_text()
    try:
        changed.write_text(original.replace("1", "2", 1))
        os.utime(changed, ns=(1, 1))  # even an old timestamp: the size or mtime differs
        assert main(args) == 0
        assert "report written" in capsys.readouterr().out
    finally:
        changed.write_text(original)


def test_run_on_the_synthetic_benchmark_then_report(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("EVALKIT_CACHE", str(tmp_path / "cache"))
    code = main(["run", "--tracker", "identity", "--bench", "synthetic", "--out", str(tmp_path / "results"),
                 "--report-out", str(tmp_path / "report")])
    printed = capsys.readouterr().out
    assert code == 0
    assert "identity: 8 sequences run" in printed
    summary = json.loads((tmp_path / "report" / "summary.json").read_text())
    assert summary["trackers"]["identity"]["sequences"] == 8
    assert summary["trackers"]["identity"]["fps"] > 0


def test_run_without_weights_says_how_to_get_them(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr("trackers.siamese.adapter.SHIPPED_WEIGHTS", tmp_path / "none")
    code = main(["run", "--tracker", "all", "--bench", "synthetic", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and "needs weights" in err and "--weights" in err
    assert not any(tmp_path.iterdir())


def test_run_needs_a_root_for_a_real_benchmark(capsys):
    assert main(["run", "--tracker", "identity", "--bench", "otb2015"]) == 2
    assert "otb2015 needs --root" in capsys.readouterr().err


def test_attribute_table_matches_the_attribute_curves(tmp_path, layout):
    import csv

    from evalkit.evaluate import evaluate
    from evalkit.report import write_report

    root, results = layout
    evaluation = evaluate(load_benchmark("otb2013", root), results)
    write_report(evaluation, tmp_path, workers=1)
    rows = list(csv.DictReader((tmp_path / "attributes.csv").open()))
    occ = evaluation.attributes["OCC"]
    column = f"OCC ({len(occ.sequences)})"
    for index, row in enumerate(rows):
        assert row["tracker"] == evaluation.trackers[index]
        assert float(row[column]) == pytest.approx(occ.success.scores[index], rel=1e-5)
