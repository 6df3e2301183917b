"""Report files written from a hand-built Evaluation (OTB-style and GOT-10k-style)."""

from __future__ import annotations

import csv
import io
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evalkit.evaluation import AttributeResult, Curve, Evaluation
from evalkit.report import format_terminal_table, tables, write_report
from evalkit.report.plots import CurvePlotter, legend_label, line_styles
from evalkit.report.png import encode_png
from evalkit.report.ranking import rank_order
from evalkit.report.summary import summary_dict

TRACKERS = ["SiamFC", "Siam_RPN", "Track<er>"]
SEQUENCES = ["Basketball", "Biker", "Bird1", "Car4"]
# success_auc ranks Siam_RPN > SiamFC > Track<er>; Track<er> has no time files (FPS NaN).
SUMMARY = {
    "success_auc": [0.582, 0.637, 0.401],
    "precision_20": [0.771, 0.851, 0.512],
    "norm_precision_20": [0.700, 0.802, math.nan],
    "sequences": [4, 4, 4],
    "fps": [86.2, 160.0, math.nan],
}
GOT10K_SUMMARY = {
    "ao": [0.348, 0.517, 0.300],
    "sr_50": [0.353, 0.615, 0.310],
    "sr_75": [0.098, 0.329, 0.050],
    "sequences": [180, 180, 180],
    "fps": [math.nan, 20.5, 31.0],
}
ALL_FILES = [
    "success.png",
    "success.pdf",
    "precision.png",
    "precision.pdf",
    "norm_precision.png",
    "norm_precision.pdf",
    "attributes/OCC.png",
    "attributes/OCC.pdf",
    "attributes/IV.png",
    "attributes/IV.pdf",
    "table.md",
    "table.csv",
    "attributes.csv",
    "table.tex",
    "table.html",
    "per_sequence.csv",
    "summary.json",
    "index.html",
]


def make_curve(name: str, thresholds: np.ndarray, scores: list[float], decreasing: bool) -> Curve:
    """Monotone curves through each tracker's score; ``scores`` are what the legend shows."""
    shape = np.linspace(0.0, 1.0, len(thresholds))
    if decreasing:
        shape = shape[::-1]
    values = np.clip(np.outer(scores, 2 * shape), 0.0, 1.0)
    titles = {"success": "Success plot", "precision": "Precision plot"}
    return Curve(
        name=name,
        title=titles.get(name, "Normalized precision plot"),
        xlabel="Threshold",
        ylabel="Rate",
        thresholds=thresholds,
        values=values,
        scores=np.asarray(scores, dtype=float),
        score_label="AUC",
    )


def per_sequence_frame(metrics: list[str]) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = [(t, s, *rng.random(len(metrics))) for t in TRACKERS for s in SEQUENCES]
    return pd.DataFrame(rows, columns=["tracker", "sequence", *metrics])


def ope_evaluation() -> Evaluation:
    summary = pd.DataFrame(SUMMARY, index=TRACKERS)
    success = make_curve("success", np.linspace(0, 1, 21), SUMMARY["success_auc"], True)
    curves = {
        "success": success,
        "precision": make_curve("precision", np.arange(51.0), SUMMARY["precision_20"], False),
        "norm_precision": make_curve(
            "norm_precision", np.linspace(0, 0.5, 51), SUMMARY["norm_precision_20"], False
        ),
    }
    attributes = {
        "OCC": AttributeResult("OCC", "Occlusion", SEQUENCES[:3], success),
        "IV": AttributeResult(
            "IV", "Illumination Variation", SEQUENCES[:1],
            make_curve("success", np.linspace(0, 1, 21), [0.2, 0.3, 0.9], True),
        ),
    }
    return Evaluation(
        benchmark="otb2015",
        title="OTB2015",
        profile="otb",
        kind="ope",
        trackers=TRACKERS,
        sequences=SEQUENCES,
        summary=summary,
        per_sequence=per_sequence_frame(["success_auc", "precision_20"]),
        curves=curves,
        attributes=attributes,
        problems=["Track<er>: no time files; FPS not reported"],
    )


def got10k_evaluation() -> Evaluation:
    success = make_curve("success", np.linspace(0, 1, 101), GOT10K_SUMMARY["ao"], True)
    return Evaluation(
        benchmark="got10k_val",
        title="GOT-10k",
        profile="got10k",
        kind="got10k",
        trackers=TRACKERS,
        sequences=[f"GOT-10k_Val_{i:06d}" for i in range(1, 181)],
        summary=pd.DataFrame(GOT10K_SUMMARY, index=TRACKERS),
        per_sequence=per_sequence_frame(["ao", "sr_50"]).set_index(["tracker", "sequence"]),
        curves={"success": success},
    )


@pytest.fixture(scope="module")
def ope_report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ope") / "report"
    paths = write_report(ope_evaluation(), out)
    assert sorted(paths) == sorted(out / name for name in ALL_FILES)
    return out


def test_every_file_is_written(ope_report):
    for name in ALL_FILES:
        assert (ope_report / name).stat().st_size > 0, name
    leftovers = [path.name for path in ope_report.rglob("*") if path.name.startswith(".")]
    assert leftovers == []


def test_serial_and_forked_plots_write_the_same_files(tmp_path):
    evaluation = got10k_evaluation()
    paths = write_report(evaluation, tmp_path / "serial", workers=1)
    write_report(evaluation, tmp_path / "forked", workers=2)
    names = sorted(path.relative_to(tmp_path / "serial").as_posix() for path in paths)
    assert "success.pdf" in names and "precision.png" not in names
    for name in names:
        serial = (tmp_path / "serial" / name).read_bytes()
        assert serial == (tmp_path / "forked" / name).read_bytes(), name


def test_summary_json_shape_and_nulls(ope_report):
    data = json.loads((ope_report / "summary.json").read_text(encoding="utf-8"))
    assert data == {
        "benchmark": "otb2015",
        "profile": "otb",
        "trackers": {
            "SiamFC": {
                "success_auc": 0.582,
                "precision_20": 0.771,
                "norm_precision_20": 0.7,
                "sequences": 4,
                "fps": 86.2,
            },
            "Siam_RPN": {
                "success_auc": 0.637,
                "precision_20": 0.851,
                "norm_precision_20": 0.802,
                "sequences": 4,
                "fps": 160.0,
            },
            "Track<er>": {
                "success_auc": 0.401,
                "precision_20": 0.512,
                "norm_precision_20": None,
                "sequences": 4,
                "fps": None,
            },
        },
    }
    assert "NaN" not in (ope_report / "summary.json").read_text(encoding="utf-8")


def test_summary_types_are_plain_python():
    for evaluation in (ope_evaluation(), got10k_evaluation()):
        for metrics in summary_dict(evaluation)["trackers"].values():
            assert type(metrics["sequences"]) is int
            others = [value for key, value in metrics.items() if key != "sequences"]
            assert all(type(value) in (float, type(None)) for value in others)


def test_got10k_summary_keys():
    data = summary_dict(got10k_evaluation())
    assert data["benchmark"] == "got10k_val" and data["profile"] == "got10k"
    assert data["trackers"]["SiamFC"] == {
        "ao": 0.348,
        "sr_50": 0.353,
        "sr_75": 0.098,
        "sequences": 180,
        "fps": None,
    }


def test_markdown_rows_sorted_by_primary_metric(ope_report):
    lines = (ope_report / "table.md").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "| Tracker | AUC | P@20 | NP@0.20 | Seqs | FPS |"
    assert lines[2] == "| Siam_RPN | 0.637 | 0.851 | 0.802 | 4 | 160.0 |"
    assert lines[3] == "| SiamFC | 0.582 | 0.771 | 0.700 | 4 | 86.2 |"
    assert lines[4] == "| Track\\<er> | 0.401 | 0.512 | – | 4 | – |"


def test_csv_rows_sorted_and_missing_empty(ope_report):
    rows = list(csv.reader(io.StringIO((ope_report / "table.csv").read_text(encoding="utf-8"))))
    assert rows[0] == ["Tracker", "AUC", "P@20", "NP@0.20", "Seqs", "FPS"]
    assert [row[0] for row in rows[1:]] == ["Siam_RPN", "SiamFC", "Track<er>"]
    assert rows[3] == ["Track<er>", "0.401", "0.512", "", "4", ""]


def test_latex_escapes_and_bolds_the_best(ope_report):
    tex = (ope_report / "table.tex").read_text(encoding="utf-8")
    assert "\\toprule" in tex and "\\midrule" in tex and "\\bottomrule" in tex
    best = "\\textbf{0.637} & \\textbf{0.851} & \\textbf{0.802}"
    assert f"Siam\\_RPN & {best} & 4 & 160.0 \\\\" in tex
    assert "SiamFC & 0.582 & 0.771 & 0.700 & 4 & 86.2 \\\\" in tex
    assert "Track\\textless{}er\\textgreater{} & 0.401 & 0.512 & -- & 4 & -- \\\\" in tex
    assert tables.latex_escape("a_b&c%d#e") == "a\\_b\\&c\\%d\\#e"


def test_got10k_table_columns_and_order():
    table = tables.build_table(got10k_evaluation())
    assert table.header == ["Tracker", "AO", "SR0.50", "SR0.75", "Seqs", "FPS"]
    assert [row[0] for row in table.rows] == ["Siam_RPN", "SiamFC", "Track<er>"]
    assert table.rows[1] == ["SiamFC", "0.348", "0.353", "0.098", "180", ""]


def test_html_escapes_tracker_names(ope_report):
    for name in ("table.html", "index.html"):
        page = (ope_report / name).read_text(encoding="utf-8")
        assert "Track&lt;er&gt;" in page and "Track<er>" not in page, name
    index = (ope_report / "index.html").read_text(encoding="utf-8")
    assert '<img src="success.png"' in index and '<img src="attributes/OCC.png"' in index
    assert "no time files" in index
    assert "<strong>0.637</strong>" in index
    assert "http" not in index  # self-contained: no external assets


def test_per_sequence_csv(ope_report, tmp_path):
    frame = pd.read_csv(ope_report / "per_sequence.csv")
    assert list(frame.columns) == ["tracker", "sequence", "success_auc", "precision_20"]
    assert len(frame) == len(TRACKERS) * len(SEQUENCES)
    indexed = pd.read_csv(io.StringIO(tables.per_sequence_csv(got10k_evaluation())))
    assert list(indexed.columns[:2]) == ["tracker", "sequence"]


def test_terminal_table():
    lines = format_terminal_table(ope_evaluation()).splitlines()
    assert lines[0].split() == ["Tracker", "AUC", "P@20", "NP@0.20", "Seqs", "FPS"]
    assert [line.split()[0] for line in lines[2:]] == ["Siam_RPN", "SiamFC", "Track<er>"]
    assert lines[4].split()[-1] == "–"
    assert len({len(line) for line in lines[:2]}) == 1


def test_rank_order_is_score_descending_nan_last_ties_by_name():
    names = ["b", "a", "c", "d"]
    assert rank_order([0.5, 0.5, math.nan, 0.9], names) == [3, 1, 0, 2]


def test_plot_legend_is_sorted_by_curve_score(tmp_path):
    evaluation = ope_evaluation()
    plotter = CurvePlotter(evaluation.trackers)
    attribute = evaluation.attributes["IV"].success
    plotter.plot(attribute, "IV", tmp_path / "iv")
    labels = [label.get_text() for label in plotter.labels]
    assert labels == ["Track<er> [0.900]", "Siam_RPN [0.300]", "SiamFC [0.200]"]
    plotter.plot(evaluation.curves["norm_precision"], "NP", tmp_path / "np")
    labels = [label.get_text() for label in plotter.labels]
    assert labels == ["Siam_RPN [0.802]", "SiamFC [0.700]", "Track<er> [–]"]
    assert legend_label("SiamFC", 0.5824) == "SiamFC [0.582]"


def test_forty_trackers_get_distinct_styles():
    styles = line_styles(40)
    assert len(set(styles)) == 40


def test_plots_are_deterministic(tmp_path):
    evaluation = ope_evaluation()
    for folder in ("a", "b"):
        plotter = CurvePlotter(evaluation.trackers)
        plotter.plot(evaluation.curves["success"], "S", tmp_path / folder / "s")
    for name in ("s.png", "s.pdf"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_importing_the_package_is_light():
    code = (
        "import sys, evalkit.report; "
        "assert 'matplotlib' not in sys.modules and 'torch' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[1])


def test_png_encoder_round_trips():
    from PIL import Image  # a matplotlib dependency

    rng = np.random.default_rng(1)
    rgba = rng.integers(0, 256, size=(7, 5, 4), dtype=np.uint8)
    rgba[:, :, 3] = 255
    image = Image.open(io.BytesIO(encode_png(rgba, 150)))
    assert image.mode == "RGB" and image.size == (5, 7)
    assert np.array_equal(np.asarray(image), rgba[:, :, :3])
    assert [round(value) for value in image.info["dpi"]] == [150, 150]
