"""The accuracy-robustness plot of a VOT evaluation: one marker per tracker, robustness on the x axis
(lower is better, so it points left, as VOT reports draw it) and accuracy on the y axis."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from evalkit.evaluation import Evaluation
from evalkit.report.plots import COLOURS, DPI, PDF_METADATA, RC, output_paths
from evalkit.report.png import encode_png
from evalkit.report.tables import ranked_trackers
from evalkit.textio import write_bytes_atomic

MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "<", ">")
ROBUSTNESS_LABEL = {
    "pysot": "Robustness (failures per 100 frames)",
    "vot": "Robustness (length-weighted mean failures per sequence)",
}


def ar_title(evaluation: Evaluation) -> str:
    return f"Accuracy-robustness plot on {evaluation.title}"


def write_ar_plot(evaluation: Evaluation, stem: Path) -> list[Path]:
    """Draw the scored trackers (best EAO first in the legend) and save ``stem``.png and .pdf."""
    names = [n for n in ranked_trackers(evaluation) if np.isfinite(evaluation.summary.at[n, "accuracy"])]
    with matplotlib.rc_context(RC):
        figure = Figure(figsize=(6.4, 4.2), dpi=DPI)
        FigureCanvasAgg(figure)
        axes = figure.add_axes((0.1, 0.12, 0.58, 0.78))
        axes.grid(True, linewidth=0.5, alpha=0.4)
        for rank, name in enumerate(names):
            axes.plot(evaluation.summary.at[name, "robustness"], evaluation.summary.at[name, "accuracy"],
                      linestyle="none", marker=MARKERS[(rank + rank // len(COLOURS)) % len(MARKERS)],
                      color=COLOURS[rank % len(COLOURS)], label=name)
        axes.set_ylim(0.0, 1.0)
        axes.set_xlim(left=0.0)
        axes.invert_xaxis()
        axes.set_xlabel(ROBUSTNESS_LABEL.get(evaluation.profile, "Robustness"))
        axes.set_ylabel("Accuracy")
        axes.set_title(ar_title(evaluation), parse_math=False)
        if names:
            axes.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=7, frameon=False)
        figure.canvas.draw()
        png = encode_png(np.asarray(figure.canvas.buffer_rgba()), DPI)
        pdf = io.BytesIO()
        figure.savefig(pdf, format="pdf", metadata=PDF_METADATA)
    paths = output_paths(stem)
    for path, data in zip(paths, (png, pdf.getvalue())):
        write_bytes_atomic(path, data)
    return paths
