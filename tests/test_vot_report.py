"""VOT scores under the `pysot` profile against published numbers, the report files, and the NaN policy."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from conftest import shared_path

from evalkit.benchmarks import load_benchmark
from evalkit.cli import main
from evalkit.evaluate import evaluate


@pytest.fixture(scope="module")
def vot2018():
    return load_benchmark("vot2018", shared_path("vot", "VOT2018"))


def test_pysot_profile_gives_dasiamrpn_its_published_vot2018_scores(vot2018):
    """DaSiamRPN's VOT2018 baseline as published (Zhu et al., ECCV 2018; the SiamRPN++ paper's VOT2018
    table): EAO 0.383, accuracy 0.586, robustness 0.276 (59 failures over 21,356 frames)."""
    evaluation = evaluate(vot2018, shared_path("vot", "results-VOT2018"), ["DaSiamRPN"], "pysot")
    row = evaluation.summary.loc["DaSiamRPN"]
    assert row["failures"] == 59
    assert round(row["robustness"], 3) == 0.276
    assert round(row["accuracy"], 3) == 0.586
    assert round(row["eao"], 3) == 0.383


def test_report_writes_plots_tables_and_summary_with_nulls_for_the_unscored(tmp_path, vot2018, capsys):
    results = tmp_path / "results"
    for name in ("DaSiamRPN", "Ocean-offline"):
        shutil.copytree(shared_path("vot", "results-VOT2018", name), results / name)
    out = tmp_path / "report"
    code = main(["report", "--bench", "vot2018", "--root", str(vot2018.root), "--results", str(results),
                 "--out", str(out)])
    assert code == 0
    for name in ("eao.png", "eao.pdf", "ar.png", "ar.pdf", "table.md", "table.csv", "table.tex", "table.html",
                 "per_sequence.csv", "per_tag.csv", "summary.json", "index.html"):
        assert (out / name).is_file(), name
    summary = json.loads((out / "summary.json").read_text())
    assert summary["profile"] == "pysot"
    assert set(summary["trackers"]["DaSiamRPN"]) >= {"accuracy", "robustness", "failures", "eao"}
    assert summary["trackers"]["Ocean-offline"]["eao"] is None
    assert summary["trackers"]["Ocean-offline"]["accuracy"] is None
    assert "bag_001.txt:196" in capsys.readouterr().err
    assert main(["report", "--bench", "vot2018", "--root", str(vot2018.root), "--results", str(results),
                 "--out", str(tmp_path / "strict"), "--strict"]) == 2


@pytest.mark.parametrize("profile", ["pysot", "vot"])
def test_a_nan_region_scores_zero_and_is_reported(tmp_path, vot2018, profile):
    results = tmp_path / "results"
    shutil.copytree(shared_path("vot", "results-VOT2018", "DaSiamRPN"), results / "DaSiamRPN")
    before = evaluate(vot2018, results, None, profile).summary.loc["DaSiamRPN", "accuracy"]
    path = results / "DaSiamRPN" / "baseline" / "bag" / "bag_001.txt"
    lines = path.read_text().splitlines()
    lines[50] = "nan,nan,nan,nan"
    path.write_text("\n".join(lines) + "\n")
    evaluation = evaluate(vot2018, results, None, profile)
    assert evaluation.summary.loc["DaSiamRPN", "accuracy"] < before
    assert any("NaN coordinates" in line for line in evaluation.problems)


def test_per_tag_failures_are_the_failures_on_tagged_frames(vot2018):
    results = shared_path("vot", "results-VOT2018")
    evaluation = evaluate(vot2018, results, ["DaSiamRPN"], "pysot")
    tags = evaluation.per_tag.set_index("tag")
    assert list(tags.index) == ["camera_motion", "illum_change", "motion_change", "size_change", "occlusion"]
    assert np.isfinite(tags["accuracy"]).all()
    for tag in tags.index:
        counted = 0
        for seq in vot2018:
            lines = (results / "DaSiamRPN" / "baseline" / seq.name / f"{seq.name}_001.txt").read_text().split()
            counted += sum(1 for line, tagged in zip(lines, seq.labels[tag])
                           if tagged and "," not in line and float(line) == 2)
        assert tags.at[tag, "failures"] == counted
        assert tags.at[tag, "robustness"] == pytest.approx(counted / seq_frames(vot2018, tag) * 100)


def seq_frames(benchmark, tag):
    return sum(int(seq.labels[tag].sum()) for seq in benchmark)
