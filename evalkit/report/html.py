"""``index.html``: the tables and plots of a report on one self-contained page."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from evalkit.evaluation import Evaluation

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 72em; padding: 0 1em;
       color: #222; }
h1 { margin-bottom: 0.2em; }
.meta { color: #555; margin-top: 0; }
.problems { background: #fff6e0; border-left: 4px solid #e0a000; padding: 0.5em 1em; }
table.results { border-collapse: collapse; margin: 1em 0; }
table.results th, table.results td { padding: 0.25em 0.8em; border-bottom: 1px solid #ddd; }
table.results thead th { border-bottom: 2px solid #444; text-align: right; }
table.results thead th:first-child, table.results tbody th { text-align: left; }
table.results td.num { text-align: right; font-variant-numeric: tabular-nums; }
.figures { display: flex; flex-wrap: wrap; gap: 1.5em; }
figure { margin: 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: 0.9em; color: #444; white-space: pre-line; }
"""


@dataclass(frozen=True)
class FigureLink:
    """A plot on the page: its caption and its files relative to the page (PNG first)."""

    caption: str
    files: Sequence[str]


def index_html(
    evaluation: Evaluation,
    table: str,
    curves: Sequence[FigureLink],
    attributes: Sequence[FigureLink],
    downloads: Sequence[str],
) -> str:
    """The page: header, warnings, ``table`` (HTML), curve plots, attribute plots, downloads."""
    title = f"{evaluation.title} — {evaluation.profile}"
    sections = [
        f"<h1>{html.escape(evaluation.title)}</h1>",
        _meta(evaluation),
        _problems(evaluation.problems),
        "<h2>Results</h2>",
        table,
        _figures("Plots", curves),
        _figures("Attributes", attributes),
        _downloads(downloads),
    ]
    body = "\n".join(section for section in sections if section)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def _meta(evaluation: Evaluation) -> str:
    trackers, sequences = len(evaluation.trackers), len(evaluation.sequences)
    text = (
        f"Profile {evaluation.profile} · {trackers} tracker{'s' * (trackers != 1)} · "
        f"{sequences} sequence{'s' * (sequences != 1)}"
    )
    return f'<p class="meta">{html.escape(text)}</p>'


def _problems(problems: Sequence[str]) -> str:
    if not problems:
        return ""
    items = "\n".join(f"<li>{html.escape(problem)}</li>" for problem in problems)
    return (
        f'<section class="problems">\n<h2>Warnings ({len(problems)})</h2>\n'
        f"<ul>\n{items}\n</ul>\n</section>"
    )


def _figures(heading: str, figures: Sequence[FigureLink]) -> str:
    if not figures:
        return ""
    items = "\n".join(_figure(figure) for figure in figures)
    return f'<h2>{html.escape(heading)}</h2>\n<div class="figures">\n{items}\n</div>'


def _figure(figure: FigureLink) -> str:
    image, *others = figure.files
    caption = html.escape(figure.caption)
    links = " ".join(_link(path, path.rsplit(".", 1)[-1].upper()) for path in others)
    return (
        f'<figure><a href="{_href(image)}"><img src="{_href(image)}" alt="{caption}"></a>'
        f"<figcaption>{caption} {links}</figcaption></figure>"
    )


def _downloads(paths: Sequence[str]) -> str:
    if not paths:
        return ""
    items = "\n".join(f"<li>{_link(path, path)}</li>" for path in paths)
    return f"<h2>Files</h2>\n<ul>\n{items}\n</ul>"


def _link(path: str, text: str) -> str:
    return f'<a href="{_href(path)}">{html.escape(text)}</a>'


def _href(path: str) -> str:
    return html.escape(quote(path))
