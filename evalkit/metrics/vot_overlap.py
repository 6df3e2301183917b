"""Region overlap for VOT, vectorised over all frames: the raster overlap VOT's toolkits compute and
the geometric polygon IoU.

Both take two :class:`~evalkit.regions.Regions` of equal length and optional per-frame image
sizes (width, height) that bound the regions, and return one overlap per frame, NaN where either
line is a code (``1``, ``2``, ``0``), as both VOT toolkits do.
"""

from __future__ import annotations

import numpy as np

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
    with np.errstate(invalid="ignore", divide="ignore"):
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

_ROWS_PER_CHUNK = 1 << 20  # scan-line rows processed at once (bounds the work arrays' memory)
_NO_NODE = np.int64(1) << 62  # sorts after every real node


def raster_overlaps(a: Regions, b: Regions, bounds: np.ndarray | None = None) -> np.ndarray:
    """VOT's raster overlap of each pair of regions (see the comment above), NaN where either
    region is a code. ``bounds``: (n, 2) or (2,) image width and height, or None (unbounded)."""
    n = len(a)
    ra, rb = _Raster(a), _Raster(b)
    left = np.minimum(ra.left, rb.left)
    top = np.minimum(ra.top, rb.top)
    right = np.maximum(ra.right, rb.right)
    bottom = np.maximum(ra.bottom, rb.bottom)
    both_empty = (left >= right) | (top >= bottom)
    if bounds is not None:
        size = np.broadcast_to(np.asarray(bounds, dtype=np.float64), (n, 2))
        left, top = np.maximum(0, left), np.maximum(0, top)
        right, bottom = np.minimum(size[:, 0] - 1, right), np.minimum(size[:, 1] - 1, bottom)
    outside = ~both_empty & ((left >= right) | (top >= bottom))
    frame = _Frame(left, top, right - left + 1, bottom - top + 1)
    scored = ~both_empty & ~outside
    area_a, area_b, inter = _pixel_counts(ra, rb, frame, scored)
    union = area_a + area_b - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)
    out[both_empty] = 1.0
    out[outside] = 0.0
    out[(a.kind == SPECIAL) | (b.kind == SPECIAL)] = np.nan
    return out


class _Frame:
    """Per pair: the rasterisation window (left, top) and its width and height in pixels."""

    def __init__(self, left: np.ndarray, top: np.ndarray, width: np.ndarray, height: np.ndarray):
        self.left, self.top, self.width, self.height = left, top, width, height


class _Raster:
    """One side's regions prepared as vot-toolkit rasterises them: float32 coordinates rounded
    half to even, and their bounding box (left, top, right, bottom), inclusive pixels."""

    def __init__(self, regions: Regions):
        self.kind = regions.kind
        values = np.round(regions.values.astype(np.float32)).astype(np.float64)
        self.values = values
        rect, poly = regions.kind == RECTANGLE, regions.kind == POLYGON
        self.rect, self.poly = rect, poly
        zero = np.zeros(len(regions))
        x, y, w, h = (values[:, i] for i in range(4))
        xs, ys = values[:, 0::2], values[:, 1::2]
        with np.errstate(invalid="ignore"):
            self.left = np.select([rect, poly], [x, np.nanmin(np.where(poly[:, None], xs, 0), axis=1)], zero)
            self.top = np.select([rect, poly], [y, np.nanmin(np.where(poly[:, None], ys, 0), axis=1)], zero)
            self.right = np.select([rect, poly], [x + w - 1, np.nanmax(np.where(poly[:, None], xs, 0), axis=1)], zero)
            self.bottom = np.select([rect, poly], [y + h - 1, np.nanmax(np.where(poly[:, None], ys, 0), axis=1)], zero)

    def rect_window(self, frame: _Frame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """rasterize_rectangle inside the window: first/last column and row (window coordinates);
        empty where last < first. Its ``min(bounds[2], ...)`` mixes absolute and window
        coordinates; that is kept."""
        x, y, w, h = (self.values[:, i] for i in range(4))
        r_abs, b_abs = frame.left + frame.width - 1, frame.top + frame.height - 1
        miss = (x > r_abs) | (x + w - 1 < frame.left) | (y > b_abs) | (y + h - 1 < frame.top) | ~self.rect
        first_col = np.maximum(0, x - frame.left)
        last_col = np.minimum(np.minimum(r_abs, x + w - 1 - frame.left), frame.width - 1)
        first_row = np.maximum(0, y - frame.top)
        last_row = np.minimum(np.minimum(b_abs, y + h - 1 - frame.top), frame.height - 1)
        last_col = np.where(miss, -1, last_col)
        return first_col, last_col, first_row, last_row


def _pixel_counts(ra: _Raster, rb: _Raster, frame: _Frame, scored: np.ndarray):
    """Pixels of each region and of both inside each pair's window."""
    n = len(scored)
    areas, windows = [], []
    for side in (ra, rb):
        c0, c1, r0, r1 = side.rect_window(frame)
        windows.append((c0, c1, r0, r1))
        areas.append(np.where(side.rect & scored, np.maximum(0, c1 - c0 + 1) * np.maximum(0, r1 - r0 + 1), 0.0))
    (ac0, ac1, ar0, ar1), (bc0, bc1, br0, br1) = windows
    inter = np.where(ra.rect & rb.rect & scored,
                     _span(np.maximum(ac0, bc0), np.minimum(ac1, bc1)) * _span(np.maximum(ar0, br0), np.minimum(ar1, br1)),
                     0.0)
    # Rows are scanned where a polygon is involved: the rows of the polygon(s) inside the window.
    rows_lo = np.full(n, np.inf)
    rows_hi = np.full(n, -np.inf)
    for side in (ra, rb):
        rows_lo = np.where(side.poly, np.minimum(rows_lo, side.top - frame.top), rows_lo)
        rows_hi = np.where(side.poly, np.maximum(rows_hi, side.bottom - frame.top), rows_hi)
    scan = scored & (ra.poly | rb.poly)
    rows_lo = np.where(scan, np.maximum(rows_lo, 0), 0).astype(np.int64)
    rows_hi = np.where(scan, np.minimum(rows_hi, frame.height - 1), -1).astype(np.int64)
    counts = np.maximum(rows_hi - rows_lo + 1, 0)
    pairs = np.flatnonzero(counts)
    for chunk in _chunks(pairs, counts[pairs]):
        pair = np.repeat(chunk, counts[chunk])
        starts = np.cumsum(counts[chunk]) - counts[chunk]
        row = np.arange(len(pair)) - np.repeat(starts, counts[chunk]) + rows_lo[pair]
        spans_a = _row_spans(ra, windows[0], frame, pair, row)
        spans_b = _row_spans(rb, windows[1], frame, pair, row)
        size_a, size_b, both = _span_set_sizes(spans_a, spans_b)
        areas[0] += np.where(ra.poly, np.bincount(pair, size_a, n), 0.0)
        areas[1] += np.where(rb.poly, np.bincount(pair, size_b, n), 0.0)
        inter += np.bincount(pair, both, n)
    return areas[0], areas[1], inter


def _chunks(pairs: np.ndarray, counts: np.ndarray) -> list[np.ndarray]:
    """Split ``pairs`` into consecutive runs of about ``_ROWS_PER_CHUNK`` rows."""
    if not len(pairs):
        return []
    cuts = np.searchsorted(np.cumsum(counts), np.arange(_ROWS_PER_CHUNK, counts.sum(), _ROWS_PER_CHUNK))
    return np.split(pairs, np.unique(cuts + 1)) if len(cuts) else [pairs]


def _span(first: np.ndarray, last: np.ndarray) -> np.ndarray:
    return np.maximum(last - first + 1, 0)


def _row_spans(side: _Raster, window, frame: _Frame, pair: np.ndarray, row: np.ndarray) -> np.ndarray:
    """(rows, 2, 2) pixel spans [first, last] of one region on each scan row (window columns);
    an unused span is (0, -1)."""
    spans = np.zeros((len(pair), 2, 2), dtype=np.int64)
    spans[:, :, 1] = -1
    c0, c1, r0, r1 = (w[pair] for w in window)
    in_rect = side.rect[pair] & (row >= r0) & (row <= r1)
    spans[in_rect, 0, 0] = c0[in_rect]
    spans[in_rect, 0, 1] = c1[in_rect]
    poly = np.flatnonzero(side.poly[pair])
    if poly.size:
        spans[poly] = _polygon_spans(side.values[pair[poly]], frame.left[pair[poly]], frame.top[pair[poly]],
                                     frame.width[pair[poly]], row[poly])
    return spans


def _polygon_spans(points: np.ndarray, left: np.ndarray, top: np.ndarray, width: np.ndarray,
                   row: np.ndarray) -> np.ndarray:
    """rasterize_polygon on one row per entry: scan-line nodes of the 4 edges (truncated toward
    zero), sorted, then filled pairwise with its rules (a repeated node is skipped unless it is the
    last pair, a pair starting right of the window ends the row, ends are clamped to the window)."""
    xs = points[:, 0::2] - left[:, None]
    ys = points[:, 1::2] - top[:, None]
    y = row.astype(np.float64)[:, None]
    xi, yi = xs, ys
    xj, yj = np.roll(xs, 1, axis=1), np.roll(ys, 1, axis=1)  # edge from vertex i-1 to vertex i
    r, k = yj - yi, xj - xi
    hit = (np.minimum(yi, yj) <= y) & (y <= np.maximum(yi, yj))
    with np.errstate(invalid="ignore", divide="ignore"):
        x = np.where(r != 0, xi + (y - yi) / np.where(r != 0, r, 1) * k, xi)
    nodes = np.where(hit, np.trunc(x), np.nan)
    count = hit.sum(axis=1)
    nodes = np.sort(np.where(hit, nodes, _NO_NODE).astype(np.int64), axis=1)
    spans = np.zeros((len(row), 2, 2), dtype=np.int64)
    spans[:, :, 1] = -1
    filled = np.zeros(len(row), dtype=np.int64)
    i = np.zeros(len(row), dtype=np.int64)
    active = count >= 2
    at = np.arange(len(row))
    width = width.astype(np.int64)
    for _ in range(3):  # four nodes need at most three steps
        active &= i < count - 1
        if not active.any():
            break
        here = nodes[at, np.minimum(i, 3)]
        after = nodes[at, np.minimum(i + 1, 3)]
        active &= here < width  # a pair starting right of the window ends the row
        skip = active & (here == after) & (i < count - 2)
        pair = active & ~skip
        fill = pair & (after >= 0)
        slot = np.minimum(filled, 1)
        spans[fill, slot[fill], 0] = np.maximum(here[fill], 0)
        spans[fill, slot[fill], 1] = np.minimum(after[fill], width[fill] - 1)
        filled += fill
        i += np.where(skip, 1, np.where(pair, 2, 0))
    return spans


def _span_set_sizes(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pixels in A, in B and in both, where A and B are each the union of two spans a row."""
    def meet(*spans):
        first = np.max(np.stack([s[:, 0] for s in spans]), axis=0)
        last = np.min(np.stack([s[:, 1] for s in spans]), axis=0)
        return _span(first, last)

    a1, a2, b1, b2 = a[:, 0], a[:, 1], b[:, 0], b[:, 1]
    size_a = _span(a1[:, 0], a1[:, 1]) + _span(a2[:, 0], a2[:, 1]) - meet(a1, a2)
    size_b = _span(b1[:, 0], b1[:, 1]) + _span(b2[:, 0], b2[:, 1]) - meet(b1, b2)
    both = (meet(a1, b1) + meet(a1, b2) - meet(a1, b1, b2)
            + meet(a2, b1) + meet(a2, b2) - meet(a2, b1, b2)
            - (meet(a1, a2, b1) + meet(a1, a2, b2) - meet(a1, a2, b1, b2)))
    return size_a, size_b, both
