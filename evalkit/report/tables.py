"""The comparison table (one row per tracker) as Markdown, CSV, LaTeX, HTML and plain text.

Written by hand: pandas' own renderers need tabulate or jinja2, which evalkit does not depend on.
Rows are sorted by the primary metric, best first; the best score of each score column is marked
in LaTeX and HTML.
"""

from __future__ import annotations

import csv
import html
import io
import math
from dataclasses import dataclass

from evalkit.evaluation import COMMON_METRICS, LOWER_IS_BETTER, Evaluation
from evalkit.report.ranking import rank_order

TRACKER_TITLE = "Tracker"
MISSING = "–"
LATEX_MISSING = "--"
LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
}
MARKDOWN_SPECIALS = {"\\": "\\\\", "|": "\\|", "<": "\\<"}  # "<" would open an HTML tag
PER_SEQUENCE_FLOAT_FORMAT = "%.6g"


@dataclass
class Table:
    """Formatted cells: ``rows[i][0]`` is the tracker, then one cell per metric.

    ``best[i][j]`` marks metric cell j of row i as the best of its score column; missing values
    are empty strings, each format shows them its own way.
    """

    header: list[str]
    rows: list[list[str]]
    best: list[list[bool]]


def ranked_trackers(evaluation: Evaluation) -> list[str]:
    """Trackers by the primary metric, best first; NaN last, ties by name."""
    scores = evaluation.summary.loc[evaluation.trackers, evaluation.primary_metric].to_numpy()
    return [evaluation.trackers[index] for index in rank_order(scores, evaluation.trackers)]


def format_value(key: str, value: float) -> str:
    """A metric as tables show it: scores 3 decimals, FPS and failure counts 1, sequences whole;
    NaN empty."""
    value = float(value)
    if not math.isfinite(value):
        return ""
    if key == "sequences":
        return str(int(value))
    if key in ("fps", "failures"):
        return f"{value:.1f}"
    return f"{value:.3f}"


def build_table(evaluation: Evaluation) -> Table:
    """The comparison table's cells, rows sorted by the primary metric."""
    metrics = evaluation.metrics
    frame = evaluation.summary.loc[ranked_trackers(evaluation), list(metrics)]
    rows = [
        [name, *(format_value(key, frame.at[name, key]) for key in metrics)]
        for name in frame.index
    ]
    best_cells = {
        column: _best_cell((row[column] for row in rows), lower=key in LOWER_IS_BETTER)
        for column, key in enumerate(metrics, start=1)
        if key not in COMMON_METRICS
    }
    best = [
        [best_cells.get(column) == row[column] != "" for column in range(1, len(row))]
        for row in rows
    ]
    return Table([TRACKER_TITLE, *metrics.values()], rows, best)


def _best_cell(cells, lower: bool) -> str | None:
    values = [cell for cell in cells if cell]
    if not values:
        return None
    return min(values, key=float) if lower else max(values, key=float)


def markdown_table(table: Table) -> str:
    """A GitHub-flavoured Markdown table, numbers right-aligned."""
    align = [":--"] + ["--:"] * (len(table.header) - 1)
    lines = [_markdown_row(table.header), _markdown_row(align)]
    lines += [_markdown_row([row[0], *(cell or MISSING for cell in row[1:])]) for row in table.rows]
    return "\n".join(lines) + "\n"


def _markdown_row(cells: list[str]) -> str:
    escaped = ("".join(MARKDOWN_SPECIALS.get(char, char) for char in cell) for cell in cells)
    return "| " + " | ".join(escaped) + " |"


def csv_table(table: Table) -> str:
    """CSV with a header row; missing values are empty fields."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.header)
    writer.writerows(table.rows)
    return buffer.getvalue()


def latex_escape(text: str) -> str:
    """``text`` with LaTeX's special characters escaped."""
    return "".join(LATEX_SPECIALS.get(char, char) for char in text)


def latex_table(table: Table) -> str:
    """A booktabs ``tabular`` (needs ``\\usepackage{booktabs}``), best scores in bold."""
    lines = [
        "\\begin{tabular}{l" + "r" * (len(table.header) - 1) + "}",
        "\\toprule",
        _latex_row(latex_escape(cell) for cell in table.header),
        "\\midrule",
    ]
    for row, best in zip(table.rows, table.best):
        cells = [
            f"\\textbf{{{cell}}}" if is_best else cell or LATEX_MISSING
            for cell, is_best in zip(row[1:], best)
        ]
        lines.append(_latex_row([latex_escape(row[0]), *cells]))
    lines += ["\\bottomrule", "\\end{tabular}"]
    return "\n".join(lines) + "\n"


def _latex_row(cells) -> str:
    return " & ".join(cells) + " \\\\"


def html_table(table: Table) -> str:
    """A ``<table class="results">``, best scores in ``<strong>``."""
    head = "".join(f"<th>{html.escape(cell)}</th>" for cell in table.header)
    body = []
    for row, best in zip(table.rows, table.best):
        cells = "".join(
            f'<td class="num">{_html_cell(cell, is_best)}</td>'
            for cell, is_best in zip(row[1:], best)
        )
        body.append(f"<tr><th scope=\"row\">{html.escape(row[0])}</th>{cells}</tr>")
    return (
        '<table class="results">\n'
        f"<thead><tr>{head}</tr></thead>\n"
        "<tbody>\n" + "\n".join(body) + "\n</tbody>\n</table>\n"
    )


def _html_cell(cell: str, best: bool) -> str:
    shown = html.escape(cell or MISSING)
    return f"<strong>{shown}</strong>" if best else shown


def text_table(table: Table) -> str:
    """Aligned columns for a terminal: names left, numbers right."""
    rows = [table.header] + [[row[0], *(cell or MISSING for cell in row[1:])] for row in table.rows]
    widths = [max(len(row[column]) for row in rows) for column in range(len(table.header))]
    rule = ["-" * width for width in widths]
    return "".join(_text_row(row, widths) + "\n" for row in [rows[0], rule, *rows[1:]])


def _text_row(cells: list[str], widths: list[int]) -> str:
    first = cells[0].ljust(widths[0])
    rest = (cell.rjust(width) for cell, width in zip(cells[1:], widths[1:]))
    return "  ".join([first, *rest]).rstrip()


def per_sequence_csv(evaluation: Evaluation) -> str:
    """``evaluation.per_sequence`` as CSV; a named index becomes leading columns."""
    frame = evaluation.per_sequence
    if any(name is not None for name in frame.index.names):
        frame = frame.reset_index()
    return frame.to_csv(
        index=False, float_format=PER_SEQUENCE_FLOAT_FORMAT, na_rep="", lineterminator="\n"
    )


def attribute_csv(evaluation: Evaluation) -> str:
    """Success AUC per attribute (rows: trackers in ``evaluation.trackers`` order; columns:
    attribute codes with their sequence counts), as the per-attribute tables of OTB papers."""
    codes = list(evaluation.attributes)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["tracker"] + [f"{code} ({len(evaluation.attributes[code].sequences)})" for code in codes])
    for index, name in enumerate(evaluation.trackers):
        writer.writerow([name] + [PER_SEQUENCE_FLOAT_FORMAT % evaluation.attributes[code].success.scores[index]
                                  for code in codes])
    return buffer.getvalue()


def per_tag_csv(evaluation: Evaluation) -> str:
    """VOT per-tag accuracy, failures and failures per 100 tagged frames, one row per (tracker, tag)."""
    return evaluation.per_tag.to_csv(
        index=False, float_format=PER_SEQUENCE_FLOAT_FORMAT, na_rep="", lineterminator="\n"
    )
