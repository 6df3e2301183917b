"""Curve plots (success, precision, normalized precision, per attribute) as PNG and PDF.

Speed matters here, so: one :class:`CurvePlotter` owns one figure, laid out once for the
evaluation's trackers (so every plot of a report has the same size) and redrawn per curve; the
legend is drawn by hand at fixed positions instead of by matplotlib's legend packing, and the title
and axis labels sit at fixed positions, which skips matplotlib's overlap searches; on Linux the
plots are shared between forked processes. The object API on the Agg canvas is used directly: no
pyplot state, no GUI backend, no figure registry to close.
"""

from __future__ import annotations

import io
import math
import multiprocessing
import os
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from evalkit.evaluation import AttributeResult, Curve, Evaluation
from evalkit.report.png import encode_png
from evalkit.report.ranking import rank_order
from evalkit.textio import write_bytes_atomic

# Paul Tol's "muted" qualitative scheme (colour-blind safe) followed by black: ten colours.
COLOURS = (
    "#332288",
    "#CC6677",
    "#117733",
    "#88CCEE",
    "#882255",
    "#44AA99",
    "#999933",
    "#AA4499",
    "#DDCC77",
    "#000000",
)
LINESTYLES = ("-", "--", "-.", ":")
FORMATS = ("png", "pdf")
DPI = 150
MISSING_SCORE = "–"
MAX_WORKERS = 4

LEGEND_FONT_SIZE = 7  # points
LEGEND_ROWS = 25  # entries per legend column before another column starts
LEGEND_ROW_HEIGHT = 1.4  # in legend font sizes
POINTS_PER_INCH = 72
# Inches: the axes have a fixed size; the figure widens to the right for the legend columns.
AXES_WIDTH, AXES_HEIGHT = 4.8, 3.6
MARGIN_LEFT, MARGIN_BOTTOM, MARGIN_TOP, MARGIN_RIGHT = 0.6, 0.5, 0.55, 0.1
LEGEND_GAP, HANDLE_LENGTH, HANDLE_GAP, COLUMN_GAP = 0.2, 0.4, 0.08, 0.2
# Axis label positions in axes fractions.
XLABEL_POSITION, YLABEL_POSITION = (0.5, -0.075), (-0.08, 0.5)

RC = {
    "text.usetex": False,
    "text.hinting": "no_hinting",  # a third faster text drawing, no visible loss at 150 dpi
    "svg.hashsalt": "evalkit",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.titley": 1.0,
    "lines.linewidth": 1.4,
}
PDF_METADATA = {"CreationDate": None}  # no timestamp: the same plot gives the same bytes


def line_styles(count: int) -> list[tuple[str, str]]:
    """(colour, linestyle) for ranks 0..count-1; distinct for the first 40 ranks."""
    return [
        (COLOURS[rank % len(COLOURS)], LINESTYLES[(rank // len(COLOURS)) % len(LINESTYLES)])
        for rank in range(count)
    ]


def legend_label(name: str, score: float) -> str:
    """``SiamFC [0.582]``; a score that cannot be computed shows a dash."""
    shown = MISSING_SCORE if math.isnan(score) else f"{score:.3f}"
    return f"{name} [{shown}]"


def _finite_points(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The (x, y) points of a curve where it is defined (EAO curves differ in length)."""
    keep = np.isfinite(y)
    return np.column_stack((x[keep], y[keep]))


def curve_title(evaluation: Evaluation, curve: Curve) -> str:
    """``Success plots of OPE on OTB2015`` (GOT-10k: ``Success plots on GOT-10k``)."""
    plural = curve.title if curve.title.endswith("s") else f"{curve.title}s"
    protocol = {"ope": " of OPE", "vot": " (baseline)"}.get(evaluation.kind, "")
    return f"{plural}{protocol} on {evaluation.title}"


def attribute_title(evaluation: Evaluation, attribute: AttributeResult) -> str:
    """The success title with the attribute and its sequence count on a second line."""
    count = len(attribute.sequences)
    noun = "sequence" if count == 1 else "sequences"
    return f"{curve_title(evaluation, attribute.success)}\n{attribute.title} ({count} {noun})"


def output_paths(stem: Path) -> list[Path]:
    """The files a plot at ``stem`` (a path without suffix) is saved as, one per format."""
    return [stem.parent / f"{stem.name}.{fmt}" for fmt in FORMATS]


@dataclass(frozen=True)
class PlotJob:
    """One plot to write: a curve, its title, and its path without suffix."""

    curve: Curve
    title: str
    stem: Path

    @property
    def paths(self) -> list[Path]:
        """The files this job writes."""
        return output_paths(self.stem)


def write_plots(
    trackers: Sequence[str], jobs: Sequence[PlotJob], workers: int | None = None
) -> list[Path]:
    """Write every job's files and return their paths.

    With ``workers`` > 1 (default: the usable CPUs, at most ``MAX_WORKERS``) forked processes
    take a share of the jobs each; where forking is not safe the jobs all run here.
    """
    if not jobs:
        return []
    workers = min(_default_workers() if workers is None else max(workers, 1), len(jobs))
    if workers == 1 or not _can_fork():
        _plot_jobs(trackers, jobs)
    else:
        shares = [list(jobs[start::workers]) for start in range(workers)]
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers - 1, mp_context=context) as pool:
            futures = [pool.submit(_plot_jobs, trackers, share) for share in shares[1:]]
            _plot_jobs(trackers, shares[0])
            for future in futures:
                future.result()
    return [path for job in jobs for path in job.paths]


def _can_fork() -> bool:
    """Fork only on Linux, and not from a daemon process (those may not have children)."""
    return sys.platform == "linux" and not multiprocessing.current_process().daemon


def _default_workers() -> int:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    return min(usable, MAX_WORKERS)


def _plot_jobs(trackers: Sequence[str], jobs: Sequence[PlotJob]) -> None:
    plotter = CurvePlotter(trackers)
    for job in jobs:
        plotter.plot(job.curve, job.title, job.stem)


class CurvePlotter:
    """A figure laid out for ``trackers`` that draws one curve at a time.

    The curves and the legend handles are two line collections, one entry per rank, listed worst
    first so that the best tracker is drawn on top.
    """

    def __init__(self, trackers: Sequence[str]):
        self.trackers = list(trackers)
        styles = line_styles(len(self.trackers))[::-1]
        colours, linestyles = [colour for colour, _ in styles], [style for _, style in styles]
        with matplotlib.rc_context(RC):
            self.figure = Figure(dpi=DPI)
            FigureCanvasAgg(self.figure)
            self.axes = self.figure.add_axes((0, 0, 1, 1))
            self.axes.grid(True, linewidth=0.5, alpha=0.4)
            self.axes.set_ylim(0.0, 1.0)
            self.axes.xaxis.set_label_coords(*XLABEL_POSITION)
            self.axes.yaxis.set_label_coords(*YLABEL_POSITION)
            self.curves = LineCollection([], colors=colours, linestyles=linestyles, zorder=3)
            self.axes.add_collection(self.curves, autolim=False)
            self.labels = [
                self.figure.text(0, 0, "", fontsize=LEGEND_FONT_SIZE, va="center", parse_math=False)
                for _ in self.trackers
            ]
            handles = self._layout()
            self.figure.add_artist(
                LineCollection(
                    handles[::-1],
                    colors=colours,
                    linestyles=linestyles,
                    transform=self.figure.dpi_scale_trans,
                )
            )

    def plot(self, curve: Curve, title: str, stem: Path) -> list[Path]:
        """Draw ``curve`` with ``title`` and save ``stem``.png and ``stem``.pdf."""
        order = rank_order(curve.scores, self.trackers)
        paths = output_paths(stem)
        with matplotlib.rc_context(RC):
            self.curves.set_segments([_finite_points(curve.thresholds, curve.values[index]) for index in order[::-1]])
            for label, index in zip(self.labels, order):
                label.set_text(legend_label(self.trackers[index], float(curve.scores[index])))
            self.axes.set_xlim(float(curve.thresholds[0]), float(curve.thresholds[-1]))
            self.axes.set_xlabel(curve.xlabel)
            self.axes.set_ylabel(curve.ylabel)
            self.axes.set_title(title, parse_math=False)
            self.figure.canvas.draw()
            png = encode_png(np.asarray(self.figure.canvas.buffer_rgba()), DPI)
            pdf = io.BytesIO()
            self.figure.savefig(pdf, format="pdf", metadata=PDF_METADATA)
        for path, data in zip(paths, (png, pdf.getvalue())):
            write_bytes_atomic(path, data)
        return paths

    def _layout(self) -> list[np.ndarray]:
        """Size the figure, place the axes and the legend labels (in inches); return the
        legend handles' segments, best rank first."""
        columns = math.ceil(len(self.trackers) / LEGEND_ROWS)
        rows = math.ceil(len(self.trackers) / max(columns, 1))
        column_width = HANDLE_LENGTH + HANDLE_GAP + self._widest_label() + COLUMN_GAP
        width = MARGIN_LEFT + AXES_WIDTH + LEGEND_GAP + columns * column_width + MARGIN_RIGHT
        height = MARGIN_BOTTOM + AXES_HEIGHT + MARGIN_TOP
        self.figure.set_size_inches(width, height)
        self.axes.set_position(
            (MARGIN_LEFT / width, MARGIN_BOTTOM / height, AXES_WIDTH / width, AXES_HEIGHT / height)
        )
        row_height = LEGEND_ROW_HEIGHT * LEGEND_FONT_SIZE / POINTS_PER_INCH
        top = MARGIN_BOTTOM + AXES_HEIGHT - row_height / 2
        handles = []
        for rank, label in enumerate(self.labels):
            x = MARGIN_LEFT + AXES_WIDTH + LEGEND_GAP + (rank // rows) * column_width
            y = top - (rank % rows) * row_height
            handles.append(np.array([[x, y], [x + HANDLE_LENGTH, y]]))
            label.set_transform(self.figure.dpi_scale_trans)
            label.set_position((x + HANDLE_LENGTH + HANDLE_GAP, y))
        return handles

    def _widest_label(self) -> float:
        """Inches of the widest legend label (score digits all have the same width)."""
        renderer = self.figure.canvas.get_renderer()
        font = FontProperties(size=LEGEND_FONT_SIZE)
        widths = [
            renderer.get_text_width_height_descent(legend_label(name, 0.0), font, ismath=False)[0]
            for name in self.trackers
        ]
        return max(widths, default=0.0) / self.figure.dpi
