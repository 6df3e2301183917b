"""Region overlap for VOT, vectorised over all frames: the raster overlap VOT's toolkits compute and
the geometric polygon IoU.

Both take two :class:`~evalkit.regions.Regions` of equal length and optional per-frame image
sizes (width, height) that bound the regions, and return one overlap per frame, NaN where either
line is a code (``1``, ``2``, ``0``), as both VOT toolkits do.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import reduce
from typing import NamedTuple

import numpy as np

from evalkit.metrics.scanline import NO_NODE, sort4, span_length, two_span_sizes
from evalkit.regions import POLYGON, RECTANGLE, SPECIAL, Regions

_EPS = np.finfo(float).eps  # got10k poly_iou: intersection / (union + eps)


def geometric_overlaps(a: Regions, b: Regions, bounds: np.ndarray | None = None) -> np.ndarray:
    """Exact polygon IoU (as got10k's ``poly_iou``, shapely's areas): rectangles are their corner
    polygons (x, y)-(x+w, y+h); with ``bounds`` both are first clipped to [0, w] x [0, h].

    The second region of each pair must be convex (VOT ground truth is); the first may be any
    simple polygon."""
    pa, pb = _corners(a), _corners(b)
    if bounds is not None:
        image = _image_rectangles(np.broadcast_to(np.asarray(bounds, np.float64), (len(a), 2)))
        pa, pb = _clip(pa, image), _clip(pb, image)
    area_a, area_b = _area(pa), _area(pb)
    inter = _area(_clip(pa, pb))
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.clip(inter / (area_a + area_b - inter + _EPS), 0.0, 1.0)
    out[(a.kind == SPECIAL) | (b.kind == SPECIAL)] = np.nan
    return out


def _corners(regions: Regions) -> np.ndarray:
    """(n, 4, 2) corners, counter-clockwise in image coordinates (y down), NaN for codes."""
    corners = regions.polygons().reshape(-1, 4, 2)
    flip = _signed_area(corners) < 0
    corners[flip] = corners[flip, ::-1]
    return corners


def _image_rectangles(bounds: np.ndarray) -> np.ndarray:
    w, h = bounds[:, 0], bounds[:, 1]
    zero = np.zeros_like(w)
    return np.stack([np.stack([zero, zero], 1), np.stack([w, zero], 1), np.stack([w, h], 1),
                     np.stack([zero, h], 1)], axis=1)


def _signed_area(points: np.ndarray) -> np.ndarray:
    """Shoelace area of (n, k, 2) polygons; NaN vertices (padding) contribute nothing."""
    x, y = points[..., 0], points[..., 1]
    terms = x * np.roll(y, -1, axis=1) - np.roll(x, -1, axis=1) * y
    return np.nansum(terms, axis=1) / 2


def _area(points: np.ndarray) -> np.ndarray:
    return np.abs(_signed_area(_close_gaps(points)))


def _close_gaps(points: np.ndarray) -> np.ndarray:
    """Polygons padded with trailing NaN vertices, the padding replaced by the first vertex so the
    shoelace terms of the padding vanish."""
    missing = np.isnan(points[..., 0])
    if not missing.any():
        return points
    out = points.copy()
    first = np.broadcast_to(points[:, :1], points.shape)
    out[missing] = first[missing]
    return out


def _clip(subject: np.ndarray, clip: np.ndarray) -> np.ndarray:
    """Sutherland-Hodgman: (n, k, 2) subject polygons clipped by (n, m, 2) convex
    counter-clockwise polygons; rows of both are padded with NaN vertices."""
    out = subject
    clip = _close_gaps(clip)  # padding edges have zero length: they keep everything
    for edge in range(clip.shape[1]):
        p, q = clip[:, edge], clip[:, (edge + 1) % clip.shape[1]]
        out = _clip_half_plane(out, p, q)
    return out


def _clip_half_plane(poly: np.ndarray, p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Keep the part of each polygon left of (inside) the directed line p -> q."""
    n, k, _ = poly.shape
    cur = _close_gaps(poly)
    prev = np.roll(cur, 1, axis=1)
    d = (q - p)[:, None, :]
    side_cur = d[..., 0] * (cur[..., 1] - p[:, None, 1]) - d[..., 1] * (cur[..., 0] - p[:, None, 0])
    side_prev = np.roll(side_cur, 1, axis=1)
    inside_cur, inside_prev = side_cur >= 0, side_prev >= 0
    with np.errstate(invalid="ignore", divide="ignore"):  # no crossing where the sides agree: unused
        t = side_prev / (side_prev - side_cur)
        crossing = prev + t[..., None] * (cur - prev)
    # Each edge prev -> cur emits up to two vertices: the crossing (when it crosses), then cur
    # (when cur is inside).
    emit_cross = inside_cur != inside_prev
    candidates = np.stack([crossing, cur], axis=2).reshape(n, 2 * k, 2)
    keep = np.stack([emit_cross, inside_cur], axis=2).reshape(n, 2 * k) & ~np.isnan(candidates[..., 0])
    order = np.argsort(~keep, axis=1, kind="stable")
    width = max(int(keep.sum(axis=1).max(initial=0)), 1)
    order = order[:, :width]
    out = np.take_along_axis(candidates, order[..., None], axis=1)
    out[~np.take_along_axis(keep, order, axis=1)] = np.nan
    return out


# --- The raster overlap of VOT's toolkits ------------------------------------------------------
# vot-toolkit (vot/region/raster.py: calculate_overlap, _calculate_overlap, rasterize_polygon,
# rasterize_rectangle) holds region coordinates in float32 and rounds them to whole pixels
# (round half to even). A rectangle covers columns x .. x+w-1 and rows y .. y+h-1; a polygon is
# scan-converted row by row. Both regions are rasterised inside the union of their bounding boxes
# clipped to the image (columns 0 .. width-1, rows 0 .. height-1). Two regions whose union box has
# no width or height overlap 1 ("both empty"), a union box with no width or height left inside the
# image gives 0, and so does an empty union of pixels.
#
# Two paths count the pixels. The general one scans every row of each pair's window, as
# _calculate_overlap does. The fast one takes the bounded rectangle-polygon pairs (VOT's
# predictions against its ground truth), for which the window does not matter: it holds both
# regions' parts inside the image, so the rectangle's pixels are the rectangle clipped to the image
# and the polygon's are its scan-line spans clipped to the image. Each distinct polygon (with its
# image size) is then scanned once, and each pair intersects the rectangle's columns with the
# polygon's spans on the rows they share. One rounding does depend on the window: rasterize_polygon
# adds a crossing's interpolated offset t to the vertex's column counted from the window's left
# edge L, and when t lies within a rounding error below a whole number, ``(x - L) + t`` and
# ``x + t`` can round to different sides of it. The polygons with such a crossing ("fragile" ones;
# about 1% of VOT2018's) are scanned again for each window left edge they are paired with.
#
# Arrays of per-region values are laid out one row per coordinate ((8, n): x1, y1, ... x4, y4, or
# x, y, w, h for rectangles) so that every step works on contiguous rows.

_ROWS_PER_CHUNK = 1 << 16  # scan-line rows (or spans) processed at once: the work arrays stay small
_FRAGILE = 2.0 ** -20  # a crossing offset this close below a whole number may round differently per window
_COORD_LIMIT = 2.0 ** 30  # fast path: |coordinates| below it (x + t rounds by under 2^-22; int32 columns)
_HASH = np.random.default_rng(2018).integers(1, 1 << 63, size=10, dtype=np.uint64) | np.uint64(1)  # for _groups


def raster_overlaps(a: Regions, b: Regions, bounds: np.ndarray | None = None) -> np.ndarray:
    """VOT's raster overlap of each pair of regions (see the comment above), NaN where either
    region is a code. ``bounds``: (n, 2) or (2,) image width and height, or None (unbounded)."""
    n = len(a)
    ra, rb = _Raster.of(a), _Raster.of(b)
    size = None if bounds is None else np.broadcast_to(np.asarray(bounds, dtype=np.float64), (n, 2)).T
    frame, both_empty, outside = _windows(ra, rb, size)
    codes = (a.kind == SPECIAL) | (b.kind == SPECIAL)
    scored = ~both_empty & ~outside & ~codes
    fast = scored & _fast_pairs(ra, rb, size)
    area_a, area_b, inter = np.zeros(n), np.zeros(n), np.zeros(n)
    slow = np.flatnonzero(scored & ~fast)
    area_a[slow], area_b[slow], inter[slow] = _pixel_counts(ra[slow], rb[slow], frame[slow])
    pairs = np.flatnonzero(fast)
    if pairs.size:
        area_a[pairs], area_b[pairs], inter[pairs] = _rect_polygon_counts(ra, rb, pairs, frame.left, size)
    union = area_a + area_b - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)
    out[both_empty] = 1.0
    out[outside] = 0.0
    out[codes] = np.nan
    return out


class _Subset:
    """Arrays of per-pair values (the last axis), indexable as a whole."""

    def __getitem__(self, index):
        return type(self)(**{f.name: getattr(self, f.name)[..., index] for f in fields(self)})


@dataclass
class _Frame(_Subset):
    """Per pair: the rasterisation window (left, top) and its width and height in pixels."""

    left: np.ndarray
    top: np.ndarray
    width: np.ndarray
    height: np.ndarray


@dataclass
class _Raster(_Subset):
    """One side's regions prepared as vot-toolkit rasterises them: float32 coordinates rounded
    half to even ((8, n)), their bounding box (left, top, right, bottom; inclusive pixels) and
    whether all their coordinates are finite and below ``_COORD_LIMIT`` in magnitude."""

    rect: np.ndarray
    poly: np.ndarray
    values: np.ndarray
    left: np.ndarray
    top: np.ndarray
    right: np.ndarray
    bottom: np.ndarray
    moderate: np.ndarray

    @classmethod
    def of(cls, regions: Regions) -> _Raster:
        rect, poly = regions.kind == RECTANGLE, regions.kind == POLYGON
        values = regions.values.astype(np.float32)
        np.round(values, out=values)
        values = values.T.astype(np.float64, order="C")
        x, y, w, h = values[:4]
        xs, ys = values[0::2], values[1::2]
        with np.errstate(invalid="ignore"):  # np.fmin/np.fmax skip NaN coordinates, as np.nanmin does
            box = [np.where(rect, of_rect, np.where(poly, of_poly, 0)) for of_rect, of_poly in (
                (x, np.fmin(np.fmin(xs[0], xs[1]), np.fmin(xs[2], xs[3]))),
                (y, np.fmin(np.fmin(ys[0], ys[1]), np.fmin(ys[2], ys[3]))),
                (x + w - 1, np.fmax(np.fmax(xs[0], xs[1]), np.fmax(xs[2], xs[3]))),
                (y + h - 1, np.fmax(np.fmax(ys[0], ys[1]), np.fmax(ys[2], ys[3]))))]
            small = np.abs(values) < _COORD_LIMIT  # NaN is not
        moderate = reduce(np.logical_and, small[:4]) & (~poly | reduce(np.logical_and, small[4:]))
        return cls(rect, poly, values, *box, moderate)

    def rect_window(self, frame: _Frame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """rasterize_rectangle inside the window: first/last column and row (window coordinates);
        empty where last < first. It fills ``mask[top:bottom+1, left:right+1]`` with ``right =
        min(bounds[2], x+w-1 - left edge)``, which mixes absolute and window coordinates, and a
        negative slice end counts from the end of the mask (unbounded windows left of or above
        the origin); both are kept."""
        x, y, w, h = self.values[:4]
        r_abs, b_abs = frame.left + frame.width - 1, frame.top + frame.height - 1
        miss = (x > r_abs) | (x + w - 1 < frame.left) | (y > b_abs) | (y + h - 1 < frame.top) | ~self.rect
        first_col = np.maximum(0, x - frame.left)
        last_col = _slice_end(np.minimum(r_abs, x + w - 1 - frame.left) + 1, frame.width) - 1
        first_row = np.maximum(0, y - frame.top)
        last_row = _slice_end(np.minimum(b_abs, y + h - 1 - frame.top) + 1, frame.height) - 1
        last_col = np.where(miss, -1, last_col)
        return first_col, last_col, first_row, last_row


def _slice_end(stop: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Where ``sequence[...:stop]`` ends in a sequence of ``length`` (Python's rule)."""
    return np.where(stop < 0, np.maximum(stop + length, 0), np.minimum(stop, length))


def _windows(ra: _Raster, rb: _Raster, size: np.ndarray | None) -> tuple[_Frame, np.ndarray, np.ndarray]:
    """_calculate_overlap's window (the union of both bounding boxes, clipped to the image when
    bounded), and the pairs it decides without rasterising: "both empty" (1) and outside (0)."""
    left = np.minimum(ra.left, rb.left)
    top = np.minimum(ra.top, rb.top)
    right = np.maximum(ra.right, rb.right)
    bottom = np.maximum(ra.bottom, rb.bottom)
    both_empty = (left >= right) | (top >= bottom)
    if size is not None:
        left, top = np.maximum(0, left), np.maximum(0, top)
        right, bottom = np.minimum(size[0] - 1, right), np.minimum(size[1] - 1, bottom)
    outside = ~both_empty & ((left >= right) | (top >= bottom))
    return _Frame(left, top, right - left + 1, bottom - top + 1), both_empty, outside


def _fast_pairs(ra: _Raster, rb: _Raster, size: np.ndarray | None) -> np.ndarray:
    """The pairs the fast path takes: bounded by a whole-pixel image size, one rectangle and one
    polygon, all coordinates moderate (so that the rounding argument above holds)."""
    if size is None:
        return np.zeros(len(ra.rect), dtype=bool)
    with np.errstate(invalid="ignore"):
        sized = np.all((size == np.round(size)) & (np.abs(size) < _COORD_LIMIT), axis=0)
    return ((ra.rect & rb.poly) | (ra.poly & rb.rect)) & sized & ra.moderate & rb.moderate


def _chunks(items: np.ndarray, counts: np.ndarray) -> list[np.ndarray]:
    """Split ``items`` into consecutive runs of about ``_ROWS_PER_CHUNK`` rows (``counts`` each)."""
    if not len(items):
        return []
    cuts = np.searchsorted(np.cumsum(counts), np.arange(_ROWS_PER_CHUNK, counts.sum(), _ROWS_PER_CHUNK))
    return np.split(items, np.unique(cuts + 1)) if len(cuts) else [items]


def _expand(counts: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For items with ``counts[i]`` consecutive members from ``starts[i]``: per member, its item
    and its value (``starts[i]``, ``starts[i] + 1``, ...)."""
    item = np.repeat(np.arange(len(counts)), counts)
    return item, np.arange(len(item)) - (np.cumsum(counts) - counts)[item] + starts[item]


# --- general path


def _pixel_counts(ra: _Raster, rb: _Raster, frame: _Frame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pixels of each region and of both inside each pair's window, scanning its rows."""
    n = len(ra.rect)
    areas, windows = [], []
    for side in (ra, rb):
        c0, c1, r0, r1 = side.rect_window(frame)
        windows.append((c0, c1, r0, r1))
        areas.append(np.where(side.rect, span_length(c0, c1) * span_length(r0, r1), 0.0))
    (ac0, ac1, ar0, ar1), (bc0, bc1, br0, br1) = windows
    both = span_length(np.maximum(ac0, bc0), np.minimum(ac1, bc1)) * span_length(np.maximum(ar0, br0), np.minimum(ar1, br1))
    inter = np.where(ra.rect & rb.rect, both, 0.0)
    # Rows are scanned where a polygon is involved: the rows of the polygon(s) inside the window.
    rows_lo = np.full(n, np.inf)
    rows_hi = np.full(n, -np.inf)
    for side in (ra, rb):
        rows_lo = np.where(side.poly, np.minimum(rows_lo, side.top - frame.top), rows_lo)
        rows_hi = np.where(side.poly, np.maximum(rows_hi, side.bottom - frame.top), rows_hi)
    scan = ra.poly | rb.poly
    rows_lo = np.where(scan, np.maximum(rows_lo, 0), 0).astype(np.int64)
    rows_hi = np.where(scan, np.minimum(rows_hi, frame.height - 1), -1).astype(np.int64)
    counts = np.maximum(rows_hi - rows_lo + 1, 0)
    pairs = np.flatnonzero(counts)

    def scan_rows(chunk: np.ndarray):
        item, row = _expand(counts[chunk], rows_lo[chunk])
        pair = chunk[item]
        size_a, size_b, both = two_span_sizes(_row_spans(ra, windows[0], frame, pair, row),
                                               _row_spans(rb, windows[1], frame, pair, row))
        return np.bincount(pair, size_a, n), np.bincount(pair, size_b, n), np.bincount(pair, both, n)

    for size_a, size_b, both in map(scan_rows, _chunks(pairs, counts[pairs])):
        areas[0] += np.where(ra.poly, size_a, 0.0)
        areas[1] += np.where(rb.poly, size_b, 0.0)
        inter += both
    return areas[0], areas[1], inter


def _row_spans(side: _Raster, window, frame: _Frame, pair: np.ndarray, row: np.ndarray) -> np.ndarray:
    """(4, rows) pixels of one region on each scan row as two disjoint spans first1, last1,
    first2, last2 (window columns; a span with last < first is empty)."""
    spans = np.zeros((4, len(pair)), dtype=np.int64)
    spans[1::2] = -1
    c0, c1, r0, r1 = (w[pair] for w in window)
    in_rect = side.rect[pair] & (row >= r0) & (row <= r1)
    spans[0, in_rect] = c0[in_rect]
    spans[1, in_rect] = c1[in_rect]
    poly = np.flatnonzero(side.poly[pair])
    if poly.size:
        at = pair[poly]
        spans[:, poly] = _polygon_spans(side.values[:, at], frame.left[at], frame.top[at], frame.width[at],
                                        row[poly])[0]
    return spans


def _polygon_spans(points: np.ndarray, left, top, width, row: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """rasterize_polygon on one row per entry of (8, rows) ``points``, the window's left, top and
    width per entry (or one for all). Returns the row's pixels as (4, rows) first1, last1, first2,
    last2: two disjoint spans in window columns (last < first: empty), and whether a crossing is
    fragile.

    Its rules: a node where the row meets an edge (both ends included; a horizontal edge on the
    row gives its end vertex); nodes sorted and filled pairwise, a repeated first node of a pair
    skipped unless the pair is the last one; a pair starting right of the window ends the row and
    the ends are clamped to the window, which together clip each pair to the window."""
    xs, ys = points[0::2] - left, points[1::2] - top
    y = row.astype(np.float64)
    xj, yj = np.roll(xs, 1, axis=0), np.roll(ys, 1, axis=0)  # edge i: from vertex i-1 to vertex i
    rise, run = yj - ys, xj - xs
    hit = (np.minimum(ys, yj) <= y) & (y <= np.maximum(ys, yj))
    flat = rise == 0  # only hit on its own row: the node is its end vertex (offset 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        position, fragile = _crossing(xs, y - ys, np.where(flat, 1, rise), np.where(flat, 0, run))
    n0, n1, n2, n3 = sort4(*np.where(hit, position, NO_NODE).astype(np.int64))
    count = hit.sum(axis=0)
    # With nodes n0 <= n1 <= n2 <= n3: pairs (n0, n1), (n2, n3); a repeated n0 shifts the first
    # pair to (n1, n2) -- or, with four nodes and n1 == n2 repeated too, to (n2, n3).
    skip1 = (count >= 3) & (n0 == n1)
    skip2 = skip1 & (count == 4) & (n1 == n2)
    second = (count == 4) & ~skip1
    first1 = np.maximum(np.where(skip2, n2, np.where(skip1, n1, n0)), 0)
    last1 = np.minimum(np.where(count < 2, -1, np.where(skip2, n3, np.where(skip1, n2, n1))), width - 1)
    first2 = np.maximum(np.where(second, n2, 0), np.maximum(last1 + 1, 0))  # the pairs may share a node
    last2 = np.minimum(np.where(second, n3, -1), width - 1)
    return np.stack([first1, last1, first2, last2]).astype(np.int64), np.any(hit & fragile, axis=0)


def _crossing(x: np.ndarray, dy: np.ndarray, rise: np.ndarray, run: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where an edge meets a row in rasterize_polygon, ``x + dy / rise * run`` (its node is that,
    truncated toward zero), with (x, y) the edge's end vertex in window coordinates, ``dy = row -
    y``, and rise and run leading from it to the edge's start. Also whether the offset ``dy / rise
    * run`` is fragile."""
    offset = dy / rise * run
    below = np.ceil(offset) - offset
    return x + offset, (below > 0) & (below <= _FRAGILE)


# --- fast path: bounded rectangle-polygon pairs


def _rect_polygon_counts(ra: _Raster, rb: _Raster, pairs: np.ndarray, left: np.ndarray, size: np.ndarray):
    """Pixels of each region and of both for the bounded rectangle-polygon ``pairs`` (indices; see
    the comment above). ``left``: each pair's window left edge, ``size``: (2, n) image sizes."""
    a_rect = ra.rect[pairs]
    x, y, w, h = np.where(ra.rect, ra.values[:4], rb.values[:4])[:, pairs]
    poly = np.where(ra.rect, rb.values, ra.values)[:, pairs]
    size, left = size[:, pairs], left[pairs]
    cols = np.stack([np.maximum(x, 0), np.minimum(x + w - 1, size[0] - 1)])
    rows = np.stack([np.maximum(y, 0), np.minimum(y + h - 1, size[1] - 1)])
    rect_area = span_length(cols[0], cols[1]) * span_length(rows[0], rows[1])
    poly_area, inter = np.empty(len(x)), np.empty(len(x))

    def count(which: np.ndarray, table: _SpanTable, polygon: np.ndarray) -> None:
        poly_area[which] = table.area[polygon]
        inter[which] = table.intersect(polygon, cols[:, which], rows[:, which])

    first, polygon = _groups([*poly, *size])
    table = _SpanTable(poly[:, first], size[:, first], np.zeros(len(first)))
    fragile = table.fragile[polygon] & (left > 0)  # with left 0 the window columns are the image's
    plain = np.flatnonzero(~fragile)
    count(plain, table, polygon[plain])
    if fragile.any():
        which = np.flatnonzero(fragile)
        first, again = _groups([polygon[which], left[which]])
        table = _SpanTable(poly[:, which[first]], size[:, which[first]], left[which[first]])
        count(which, table, again)
    return np.where(a_rect, rect_area, poly_area), np.where(a_rect, poly_area, rect_area), inter


def _groups(keys: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Equal items of the key arrays ``keys`` (at most 10, each of n > 0 values, none NaN): the
    first item of each group and the group of each item, groups numbered in order of first
    appearance (neighbouring frames stay neighbours in the span table).

    Items are grouped by a hash of the keys' bits, then checked against their group's first; one
    that differs (a hash collision) gets a group of its own, and so may one whose key is -0.0 where
    its group's first has 0.0 (equal keys have equal bits but for the sign of zero)."""
    n = len(keys[0])
    digest = np.zeros(n, dtype=np.uint64)
    for key, factor in zip(keys, _HASH):
        digest += key.view(np.uint64) * factor  # wraps around: arithmetic modulo 2^64
    order = np.argsort(digest)
    ordered = digest[order]
    starts = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
    first = np.minimum.reduceat(order, starts)
    rank = np.argsort(first)
    label = np.empty_like(rank)
    label[rank] = np.arange(len(rank))
    group = np.empty(n, dtype=np.int64)
    group[order] = np.repeat(label, np.diff(starts, append=n))
    first = first[rank]
    same = reduce(np.logical_and, [key == key[first][group] for key in keys], np.ones(n, dtype=bool))
    lonely = np.flatnonzero(~same)
    group[lonely] = len(first) + np.arange(len(lonely))
    return np.concatenate([first, lonely]), group


class _SpanTable:
    """Distinct polygons as rasterize_polygon scans them in a window whose left edge is at image
    column ``offset`` (0 stands for every window unless the polygon is fragile), clipped to the
    image: per polygon its rows inside the image; per row its first span (possibly empty) in
    window columns, and the rare second spans apart ("extra", sorted by row)."""

    def __init__(self, points: np.ndarray, size: np.ndarray, offset: np.ndarray):
        xs, ys = points[0::2], points[1::2]
        self.offset = offset.astype(np.int64)
        self.top = np.maximum(0, ys.min(axis=0)).astype(np.int64)
        bottom = np.minimum(size[1] - 1, ys.max(axis=0)).astype(np.int64)
        self.rows = np.maximum(bottom - self.top + 1, 0)
        self.first_row = np.cumsum(self.rows) - self.rows  # where each polygon's rows start in the row list
        # every span lies within the polygon's columns inside the image (image columns)
        self.left, self.right = np.maximum(0, xs.min(axis=0)), np.minimum(size[0] - 1, xs.max(axis=0))
        self.first, self.last = np.empty(self.rows.sum(), dtype=np.int32), np.empty(self.rows.sum(), dtype=np.int32)
        width = size[0] - offset
        ranges = _row_ranges(points[0::2] - offset, ys, width, self.top, bottom, self.first_row)
        fragile = [_scan_two_edge(ranges, chunk, self.first, self.last)
                   for chunk in _chunks(np.arange(len(ranges.count)), ranges.count)]
        self.fragile = np.bincount(ranges.polygon, np.concatenate([np.zeros(0, bool), *fragile]), len(self.rows)) > 0
        # The other rows get every rule.
        general = np.flatnonzero(ranges.general)
        item, row = _expand(ranges.count[general], ranges.first[general])
        polygon = ranges.polygon[general][item]
        at = self.first_row[polygon] + row - self.top[polygon]
        spans, crossed = _polygon_spans(points[:, polygon], offset[polygon], 0, width[polygon], row)
        self.fragile[polygon[crossed]] = True
        self.first[at], self.last[at] = spans[0], spans[1]
        second = spans[2] <= spans[3]
        self.extra_row, self.extra_first, self.extra_last = at[second], spans[2, second], spans[3, second]
        self.pixels = _prefix_sums(span_length(self.first, self.last))  # before each row
        self.extra_pixels = _prefix_sums(span_length(self.extra_first, self.extra_last))
        self.area = self._pixels(self.first_row, self.first_row + self.rows).astype(np.float64)

    def _pixels(self, start: np.ndarray, stop: np.ndarray) -> np.ndarray:
        """All the pixels of the rows start .. stop - 1 (indices into the row list)."""
        extra_start, extra_stop = np.searchsorted(self.extra_row, start), np.searchsorted(self.extra_row, stop)
        return self.pixels[stop] - self.pixels[start] + self.extra_pixels[extra_stop] - self.extra_pixels[extra_start]

    def intersect(self, polygon: np.ndarray, cols: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Pixels of ``polygon`` (indices into the table) within columns cols[0] .. cols[1] and
        rows rows[0] .. rows[1] (image coordinates), one count per index."""
        top = self.top[polygon]
        lo = np.maximum(rows[0], top).astype(np.int64)
        hi = np.minimum(rows[1], top + self.rows[polygon] - 1).astype(np.int64)
        none = (hi < lo) | (cols[1] < cols[0])
        start = np.where(none, 0, self.first_row[polygon] - top + lo)
        stop = np.where(none, 0, self.first_row[polygon] - top + hi + 1)
        cut = np.flatnonzero(~none & ((cols[0] > self.left[polygon]) | (cols[1] < self.right[polygon])))
        out = self._pixels(start, stop).astype(np.float64)  # where the rectangle spans all the columns
        start, stop, window = start[cut], stop[cut], self.offset[polygon[cut]]
        lo_col, hi_col = (cols[0, cut] - window).astype(np.int32), (cols[1, cut] - window).astype(np.int32)
        out[cut] = _clipped_sums(self.first, self.last, start, stop, lo_col, hi_col)
        extra_start, extra_stop = np.searchsorted(self.extra_row, start), np.searchsorted(self.extra_row, stop)
        out[cut] += _clipped_sums(self.extra_first, self.extra_last, extra_start, extra_stop, lo_col, hi_col)
        return out


def _prefix_sums(values: np.ndarray) -> np.ndarray:
    out = np.zeros(len(values) + 1, dtype=np.int64)
    np.cumsum(values, out=out[1:])
    return out


def _clipped_sums(first: np.ndarray, last: np.ndarray, start: np.ndarray, stop: np.ndarray,
                  lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Per item: the pixels of the spans first[start:stop], last[start:stop] within columns lo .. hi."""
    out = np.zeros(len(start), dtype=np.int64)
    counts = stop - start
    busy = np.flatnonzero(counts)

    def sums(chunk: np.ndarray) -> np.ndarray:
        count = counts[chunk]
        begins = np.cumsum(count) - count
        at = np.arange(count.sum()) + np.repeat(start[chunk] - begins, count)
        inside = np.minimum(last[at], np.repeat(hi[chunk], count))
        inside -= np.maximum(first[at], np.repeat(lo[chunk], count))
        np.maximum(inside, -1, out=inside)  # pixels - 1
        return np.add.reduceat(inside, begins, dtype=np.int64) + count

    for chunk in _chunks(busy, counts[busy]):
        out[chunk] = sums(chunk)
    return out


class _Ranges(NamedTuple):
    """Ranges of consecutive rows of polygons, in row-list order: polygon, first row, row count,
    position in the row list, whether the rows need every rule ("general") and, for two-edge
    ranges, per edge ((2, ranges), each edge by its end vertex) x (window columns), y, rise and
    run; and the window's last column."""

    polygon: np.ndarray
    first: np.ndarray
    count: np.ndarray
    position: np.ndarray
    general: np.ndarray
    x: np.ndarray
    y: np.ndarray
    rise: np.ndarray
    run: np.ndarray
    limit: np.ndarray


def _row_ranges(xs: np.ndarray, ys: np.ndarray, width: np.ndarray, top: np.ndarray, bottom: np.ndarray,
                first_row: np.ndarray) -> _Ranges:
    """Each polygon's rows top .. bottom (vertices xs, ys: (4, polygons), x in window columns) as
    ranges scanned alike: the row of each vertex level and the rows strictly between two
    consecutive levels ("bands"), which meet the same edges.

    A band met by exactly two edges has two-edge rows: a row's pixels are the span between the two
    nodes. So is the row of a level no other vertex shares, at the top or bottom or between two
    such bands: it meets the edges through its vertex, whose nodes are that vertex, and at most one
    other edge, which continues the band above it (below it, for the top row) -- vot-toolkit's
    rules give the span between the vertex and that edge's node. Every other row is general."""
    n = len(top)
    rise, run = np.roll(ys, 1, axis=0) - ys, np.roll(xs, 1, axis=0) - xs  # edge i: from vertex i-1 to vertex i
    low, high = np.minimum(ys, ys + rise), np.maximum(ys, ys + rise)
    levels = np.sort(ys, axis=0)
    met = (low <= levels[:-1, None]) & (high >= levels[1:, None])  # (band, edge, polygon)
    two = met.sum(axis=1) == 2
    alone = np.ones((4, n), dtype=bool)  # no other vertex on the level
    alone[1:] &= levels[1:] != levels[:-1]
    alone[:-1] &= levels[:-1] != levels[1:]
    # per polygon, in row order: level 0, band 0, level 1, band 1, level 2, band 2, level 3
    first, last, two_edge = np.empty((7, n)), np.empty((7, n)), np.empty((7, n), dtype=bool)
    first[0::2] = last[0::2] = levels
    first[1::2], last[1::2] = levels[:-1] + 1, levels[1:] - 1
    two_edge[1::2] = two
    two_edge[0::2] = alone & np.concatenate([two[:1], two[:-1] & two[1:], two[-1:]])
    first, last = np.maximum(first, top), np.minimum(last, bottom)
    used = last >= first
    used[2::2] &= levels[1:] != levels[:-1]  # a repeated level is one row
    polygon, kind = np.divmod(np.flatnonzero(used.T), 7)  # in row-list order
    at = kind * n + polygon  # flat indices into (kind, polygon) arrays
    band = np.array([0, 0, 0, 1, 1, 2, 2])[kind] * n + polygon  # the band whose edges a range uses
    two_edge = np.take(two_edge, at)
    edges = np.stack([np.take(np.argmax(met, axis=1), band), 3 - np.take(np.argmax(met[:, ::-1], axis=1), band)])
    edges = edges * n + polygon  # flat indices into (edge, polygon) arrays

    def per_edge(values: np.ndarray, placeholder: float) -> np.ndarray:
        return np.where(two_edge, np.take(values, edges), placeholder)

    first, last = np.take(first, at).astype(np.int64), np.take(last, at).astype(np.int64)
    return _Ranges(polygon, first, last - first + 1, first_row[polygon] + first - top[polygon], ~two_edge,
                   per_edge(xs, 0), per_edge(ys, 0), per_edge(rise, 1), per_edge(run, 0),
                   (width[polygon] - 1).astype(np.int64))


def _scan_two_edge(ranges: _Ranges, chunk: np.ndarray, first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """The spans of the rows of the consecutive ``ranges[chunk]`` as two-edge rows, written to
    ``first``/``last`` (window columns; general ranges get placeholders); whether each range has
    a fragile crossing."""
    count = ranges.count[chunk]
    starts = np.cumsum(count) - count
    step = np.arange(count.sum(), dtype=np.float64)
    nodes, fragile = [], False
    for edge in (0, 1):
        dy = step + np.repeat(ranges.first[chunk] - ranges.y[edge, chunk] - starts, count)  # row - y
        x, rise, run = (np.repeat(values[edge, chunk], count) for values in (ranges.x, ranges.rise, ranges.run))
        position, fragile_here = _crossing(x, dy, rise, run)
        nodes.append(position.astype(np.int64))
        fragile = fragile | fragile_here
    rows = slice(ranges.position[chunk[0]], ranges.position[chunk[0]] + len(step))
    first[rows] = np.maximum(np.minimum(*nodes), 0)
    last[rows] = np.minimum(np.maximum(*nodes), np.repeat(ranges.limit[chunk], count))
    return np.logical_or.reduceat(fragile, starts)
