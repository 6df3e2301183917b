"""Report files written from an :class:`~evalkit.evaluation.Evaluation`.

``write_report`` writes, each file atomically, into one folder::

    success.png/.pdf, precision.png/.pdf, norm_precision.png/.pdf   (the curves present)
    attributes/<CODE>.png/.pdf                                       (one per attribute)
    eao.png/.pdf, ar.png/.pdf                                       (VOT: EAO curve, accuracy-robustness)
    table.md, table.csv, table.tex, table.html, per_sequence.csv, attributes.csv (OTB),
    per_tag.csv (VOT), summary.json, index.html

matplotlib is imported only when plots are written, so the terminal table stays cheap.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from evalkit.evaluation import Evaluation
from evalkit.report import tables
from evalkit.report.html import FigureLink, index_html
from evalkit.report.summary import summary_json
from evalkit.textio import write_text_atomic

if TYPE_CHECKING:
    from evalkit.report.plots import PlotJob

ATTRIBUTES_FOLDER = "attributes"
TABLE_FILES = {
    "table.md": tables.markdown_table,
    "table.csv": tables.csv_table,
    "table.tex": tables.latex_table,
    "table.html": tables.html_table,
}
PER_SEQUENCE_FILE = "per_sequence.csv"
ATTRIBUTE_FILE = "attributes.csv"
PER_TAG_FILE = "per_tag.csv"
AR_PLOT = "ar"
SUMMARY_FILE = "summary.json"
INDEX_FILE = "index.html"

__all__ = ["format_terminal_table", "write_report"]


def format_terminal_table(evaluation: Evaluation) -> str:
    """The comparison table as aligned plain text, best tracker first."""
    return tables.text_table(tables.build_table(evaluation))


def write_report(
    evaluation: Evaluation, out_dir: str | Path, *, workers: int | None = None
) -> list[Path]:
    """Write every report file into ``out_dir`` (created) and return their paths.

    ``workers`` bounds the processes drawing plots (default: the usable CPUs, at most 4; 1 draws
    them all in this process). ``index.html`` is written last.
    """
    from evalkit.report import plots  # matplotlib costs about a second to import

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    curve_jobs = [
        plots.PlotJob(curve, plots.curve_title(evaluation, curve), out / curve.name)
        for curve in evaluation.curves.values()
    ]
    attribute_jobs = [
        plots.PlotJob(
            attribute.success,
            plots.attribute_title(evaluation, attribute),
            out / ATTRIBUTES_FOLDER / attribute.code,
        )
        for attribute in evaluation.attributes.values()
    ]
    written = plots.write_plots(evaluation.trackers, curve_jobs + attribute_jobs, workers)
    curve_links = [_figure_link(job, out) for job in curve_jobs]
    if evaluation.kind == "vot":
        from evalkit.report.ar_plot import ar_title, write_ar_plot

        ar_paths = write_ar_plot(evaluation, out / AR_PLOT)
        written.extend(ar_paths)
        curve_links.append(FigureLink(ar_title(evaluation), [p.relative_to(out).as_posix() for p in ar_paths]))

    table = tables.build_table(evaluation)
    texts = {name: render(table) for name, render in TABLE_FILES.items()}
    texts[PER_SEQUENCE_FILE] = tables.per_sequence_csv(evaluation)
    if evaluation.attributes:
        texts[ATTRIBUTE_FILE] = tables.attribute_csv(evaluation)
    if evaluation.per_tag is not None:
        texts[PER_TAG_FILE] = tables.per_tag_csv(evaluation)
    texts[SUMMARY_FILE] = summary_json(evaluation)
    texts[INDEX_FILE] = index_html(
        evaluation,
        tables.html_table(table),
        curve_links,
        [_figure_link(job, out) for job in attribute_jobs],
        list(texts),
    )
    for name, text in texts.items():
        write_text_atomic(out / name, text)
        written.append(out / name)
    return written


def _figure_link(job: PlotJob, out: Path) -> FigureLink:
    return FigureLink(job.title, [path.relative_to(out).as_posix() for path in job.paths])
