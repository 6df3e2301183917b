"""VOT regions: the per-frame lines of VOT ground truth and supervised results, in one array form.

A VOT line is a code (one integer: ``1`` initialised, ``2`` failure, ``0`` skipped; results only),
a rectangle ``x,y,w,h`` or a 4-point polygon ``x1,y1,x2,y2,x3,y3,x4,y4`` (VOT2016-2019 ground
truth). :class:`Regions` holds n such lines as a kind per line and an (n, 8) value array, so every
overlap is computed for all frames at once. Coordinates are 0-based pixels, as VOT files are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from evalkit.errors import EvalkitError
from evalkit.fastparse import parse_tables

# Region kinds
SPECIAL = 0  # a code; values[:, 0] holds it
RECTANGLE = 1  # values[:, :4] = x, y, w, h
POLYGON = 2  # values = x1, y1, x2, y2, x3, y3, x4, y4

# The codes of VOT's supervised results (vot-toolkit ``Special``; pysot-toolkit, got10k).
INITIALIZED = 1
FAILURE = 2
SKIPPED = 0

_SEPARATORS = str.maketrans(",\t;", "   ")
_COMMAS_ONLY = re.compile(rb"[0-9.,eE+\-naNAiIfF\n]*")  # no separator but ',' (VOT toolkits write these)


@dataclass
class Regions:
    kind: np.ndarray  # (n,) int8: SPECIAL, RECTANGLE or POLYGON
    values: np.ndarray  # (n, 8) float64; unused entries are NaN

    def __len__(self) -> int:
        return len(self.kind)

    def codes(self) -> np.ndarray:
        """The code of each line, -1 where the line is a region."""
        return np.where(self.kind == SPECIAL, self.values[:, 0], -1).astype(np.int64)

    def polygons(self) -> np.ndarray:
        """(n, 8) corners of every line: rectangles as their 4 corners (x, y), (x+w, y),
        (x+w, y+h), (x, y+h); codes as NaN."""
        out = self.values.copy()
        rect = self.kind == RECTANGLE
        x, y, w, h = (self.values[rect, i] for i in range(4))
        out[rect] = np.stack([x, y, x + w, y, x + w, y + h, x, y + h], axis=1)
        out[self.kind == SPECIAL] = np.nan
        return out

    def bounding_boxes(self) -> np.ndarray:
        """(n, 4) tight axis-aligned x, y, w, h of every line (NaN for codes)."""
        corners = self.polygons()
        xs, ys = corners[:, 0::2], corners[:, 1::2]
        with np.errstate(invalid="ignore"):
            x0, y0 = xs.min(axis=1), ys.min(axis=1)
            return np.stack([x0, y0, xs.max(axis=1) - x0, ys.max(axis=1) - y0], axis=1)

    def __getitem__(self, index) -> "Regions":
        return Regions(self.kind[index], self.values[index])


def concat(parts: list[Regions]) -> Regions:
    if not parts:
        return Regions(np.zeros(0, np.int8), np.zeros((0, 8)))
    return Regions(np.concatenate([p.kind for p in parts]), np.concatenate([p.values for p in parts]))


def from_boxes(boxes: np.ndarray) -> Regions:
    """Rectangles from an (n, 4) x, y, w, h array."""
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    values = np.full((len(boxes), 8), np.nan)
    values[:, :4] = boxes
    return Regions(np.full(len(boxes), RECTANGLE, np.int8), values)


def read_region_files(paths: list[Path], allow_codes: bool) -> list[Regions | EvalkitError]:
    """Many region files at once: each one's regions, or the error naming its first bad line.

    Comma-separated files (what VOT's toolkits write) are split in one pass over all of them and
    their numbers parsed in bulk by :func:`evalkit.fastparse.parse_tables` (bit-identical to
    ``float``); any other file, and every file of a batch with a bad line, line by line.
    """
    out: list[Regions | EvalkitError | None] = []
    texts: dict[int, bytes] = {}
    for index, path in enumerate(paths):
        try:
            blob = path.read_bytes().replace(b"\r", b"").rstrip(b"\n")
        except FileNotFoundError:
            out.append(EvalkitError("file not found", path))
            continue
        except OSError as exc:
            out.append(EvalkitError(f"cannot read ({exc.strerror})", path))
            continue
        out.append(None)
        if blob and _COMMAS_ONLY.fullmatch(blob):
            texts[index] = blob
    bulk = _parse_comma_files(list(texts.values()), allow_codes) if texts else None
    if bulk is not None:
        for index, regions in zip(texts, bulk):
            out[index] = regions
    for index, path in enumerate(paths):
        if out[index] is None:
            try:
                out[index] = parse_regions(path.read_bytes().decode("utf-8", errors="replace"), path, allow_codes)
            except EvalkitError as exc:
                out[index] = exc
    return out  # type: ignore[return-value]


def _parse_comma_files(texts: list[bytes], allow_codes: bool) -> list[Regions] | None:
    """All files' regions, or None when any line is not a valid region (the caller then reads the
    files one by one to name it)."""
    lines = np.array([text.count(b"\n") + 1 for text in texts])
    data = np.frombuffer(b"\n".join(texts) + b"\n", np.uint8)
    ends = np.flatnonzero(data == ord("\n"))
    widths = np.diff(np.searchsorted(np.flatnonzero(data == ord(",")), ends), prepend=0) + 1
    widths[np.diff(ends, prepend=-1) == 1] = 0  # blank lines
    numbers = parse_tables([text.replace(b",", b"\n") for text in texts], 1)
    if any(n is None for n in numbers):
        return None
    regions = _assemble(widths, np.concatenate(numbers)[:, 0], allow_codes)
    if regions is None:
        return None
    bounds = np.concatenate([[0], np.cumsum(lines)])
    return [regions[a:b] for a, b in zip(bounds[:-1], bounds[1:])]


def parse_regions(text: str, path: str | Path, allow_codes: bool) -> Regions:
    """One file's text as regions; the first bad line raises an error naming it."""
    widths, numbers = _split_any(text)
    allowed = _allowed(allow_codes)
    bad = np.flatnonzero(~np.logical_or.reduce([widths == w for w in allowed]))
    if bad.size:
        _raise_bad_width(int(widths[bad[0]]), allowed, path, int(bad[0]) + 1)
    if numbers is None:
        _raise_first_non_number(text, path)
    regions = _assemble(widths, numbers, allow_codes)
    if regions is None:
        unknown = np.flatnonzero(_unknown_codes(widths, numbers))[0]
        code = numbers[np.cumsum(widths)[unknown] - 1]
        raise EvalkitError(f"unknown code {code:g}; VOT codes are 1 (initialised), 2 (failure) and 0 (skipped)",
                           path, int(unknown) + 1)
    return regions


def _allowed(allow_codes: bool) -> tuple[int, ...]:
    return (1, 4, 8) if allow_codes else (4, 8)


def _assemble(widths: np.ndarray, numbers: np.ndarray, allow_codes: bool) -> Regions | None:
    """Regions from the numbers per line and all numbers in order; None if a line is invalid."""
    allowed = _allowed(allow_codes)
    if not np.logical_or.reduce([widths == w for w in allowed]).all() or _unknown_codes(widths, numbers).any():
        return None
    values = np.full((len(widths), 8), np.nan)
    starts = np.cumsum(widths) - widths
    for width in allowed:
        lines = np.flatnonzero(widths == width)
        if lines.size:
            values[lines, :width] = numbers[starts[lines, None] + np.arange(width)]
    kind = np.select([widths == 1, widths == 4], [SPECIAL, RECTANGLE], POLYGON).astype(np.int8)
    return Regions(kind, values)


def _unknown_codes(widths: np.ndarray, numbers: np.ndarray) -> np.ndarray:
    """Which lines are a single number that is not a VOT code."""
    code = numbers[np.minimum(np.cumsum(widths) - 1, len(numbers) - 1)] if len(numbers) else np.zeros(len(widths))
    return (widths == 1) & (code != SKIPPED) & (code != INITIALIZED) & (code != FAILURE)


def _split_any(text: str) -> tuple[np.ndarray, np.ndarray | None]:
    """Numbers per line and all numbers in order, for any mix of ``,`` tab ``;`` and space
    separators (None for the numbers when one does not parse)."""
    rows = [line.split() for line in text.translate(_SEPARATORS).splitlines()]
    while rows and not rows[-1]:
        rows.pop()
    widths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    try:
        return widths, np.array([value for row in rows for value in row], dtype=np.float64)
    except ValueError:
        return widths, None


def _raise_bad_width(width: int, allowed: tuple[int, ...], path: str | Path, line: int) -> None:
    if width == 0:
        raise EvalkitError("empty line", path, line)
    what = "a code (1 number), " if 1 in allowed else ""
    if width == 6:
        problem = "6 numbers (a polygon needs 4 points)"
    elif width > 8 and width % 2 == 0:
        problem = f"a polygon of {width // 2} points (evalkit reads 4-point polygons)"
    else:
        problem = f"{width} numbers"
    raise EvalkitError(f"expected {what}a rectangle (4 numbers) or a polygon (8 numbers), found {problem}",
                       path, line)


def _raise_first_non_number(text: str, path: str | Path) -> None:
    for number, line in enumerate(text.translate(_SEPARATORS).splitlines(), start=1):
        for value in line.split():
            try:
                float(value)
            except ValueError:
                raise EvalkitError(f"not a number: {value!r}", path, number) from None
    raise AssertionError("unreachable")
