"""pysot-toolkit's raster overlap, vectorised over all frames and bit-identical to it.

Source of the rules (restated here, no code taken): pysot-toolkit's
``toolkit/utils/region.pyx`` (``vot_overlap``, ``vot_overlap_traj``) and the C library under it,
``toolkit/utils/src/region.c`` (``compute_polygon_overlap``, ``compute_bounds``, ``bounds_round``,
``bounds_intersection``, ``bounds_overlap``, ``offset_polygon``, ``round_polygon``,
``rasterize_polygon``), the non-legacy path (pysot never sets the legacy flag). pysot's
``toolkit/utils/statistics.py`` ``calculate_accuracy`` calls ``vot_overlap_traj``; its A/R benchmark
passes the bound ``(W, H)`` and its EAO benchmark ``(W - 1, H - 1)``; :func:`pysot_raster_overlaps`
takes the bound as the caller's choice.

The rules, per pair of lines (region 1 from ``a``, region 2 from ``b``):

* A line that is a code (one number) gives NaN.
* A rectangle ``x, y, w, h`` becomes the polygon (x, y), (x+w, y), (x+w, y+h), (x, y+h): the sums
  in float64, then every coordinate is stored as float32 (so is every polygon coordinate).
* Bound ``(bx, by)`` is the clip box left = top = 0, right = bx, bottom = by (float32); no bound
  is the box of +-infinity.
* Each region's box: min and max of its vertices (C's ``a < b ? a : b`` macros, vertex by vertex,
  starting from +-FLT_MAX), floor of left/top, ceil of right/bottom, then intersected with the clip
  box. The raster window starts at the smaller left and top of the two boxes, and is
  ``(int)(larger right - left) + 1`` columns by the like number of rows, C's ``(int)`` truncating
  toward zero: with ``(W, H)`` the window can hold column W and row H.
* Early results: 0 when a box's area (a float32 product, compared in float64) is below 1e-10 of the
  other's, or when the window has no column or row; 0 when the two boxes' float32
  intersection-over-union is not above 0, so boxes that only touch along a pixel line give 0.
* Both polygons are shifted by minus the window origin in float32, then each coordinate is rounded
  half away from zero (C ``round``), after the shift.
* Scan rows 0 .. height-1 of the window. An edge between vertices i and j (j the previous vertex)
  gives a node on a row when the row lies between the edges' (int) end rows, both ends included,
  and the edge is not horizontal; the node is ``x_i + (row - y_i) / (y_j - y_i) * (x_j - x_i)``
  (``row - y_i`` in float32, the rest in double), truncated toward zero.
* Nodes are sorted; walking them from the first: two equal nodes drop the first of them (step 1);
  a node at or right of the window's width ends the row; otherwise, if the next node is not left of
  column 0, the columns between the two, both included and clamped to the window, are filled;
  step 2. An integer rectangle therefore covers (w+1) x (h+1) pixels, and a rectangle whose rounded
  left and right (or top and bottom) coincide covers none.
* The overlap is ``(float)both / (float)(only1 + only2 + both)`` over the window's pixels: float32,
  returned widened to float64; a union of no pixels (sub-pixel regions that pass the early tests)
  gives NaN.

Beyond what pysot meets in practice: C's float-to-int conversion of NaN or of a value out of int
range is undefined; it is done here as x86-64 does it (the value INT_MIN), so NaN coordinates follow
the C code's own path. A window of more than INT_MAX pixels (only possible without a bound) has no
defined result in pysot (its mask size overflows int); it gives NaN here.

Speed: rectangle-rectangle pairs are counted in closed form. Rectangle-polygon pairs under a bound
(tracker boxes against VOT ground truth) scan each distinct polygon once per bound, in image
coordinates, and every pair that uses it reads those rows. That is exact: under a bound the window
origin is a non-negative integer that is either 0 or no larger than any vertex it shifts, so the
float32 shift is exact and commutes with the rounding, rows and clipping to the window agree with
rows and clipping to the bound, and the origin only enters a node through one double addition,
``x_i + t``. That sum truncates the same for any origin unless t comes out just below an integer;
polygons where some edge can give such a t (checked per edge, see :func:`_fragile`) are scanned
once per window origin instead. Everything else (polygon pairs, no bound, coordinates beyond
2^22, NaN) is scanned per pair, row by row, in the window, exactly as the C code does.
"""

from __future__ import annotations

import numpy as np

from evalkit.metrics.scanline import NO_NODE, sort4, span_length, two_span_sizes
from evalkit.regions import POLYGON, RECTANGLE, SPECIAL, Regions

_INT_MIN = -(2**31)
_INT_MAX = 2**31 - 1
_FLT_MAX = np.float32(np.finfo(np.float32).max)
_SMALL = 2.0**22  # |coordinates| below this make the shortcuts exact (float32/double stay exact)
_ROWS_PER_CHUNK = 1 << 14  # scan rows processed at once (bounds the work arrays' memory)
_RECORDS_PER_CHUNK = 1 << 16  # shared-row spans intersected at once
_SPAN_NONE = np.int32(2**31 - 1)  # column extent of a polygon without pixels


def pysot_raster_overlaps(a: Regions, b: Regions, bound: np.ndarray | None) -> np.ndarray:
    """pysot-toolkit's ``vot_overlap`` of each pair of lines (see the module's rules): float32 values
    as float64, NaN where either line is a code. ``bound``: (n, 2) or (2,) values exactly as pysot
    passes them ((W, H) for accuracy/robustness, (W - 1, H - 1) for EAO), or None (unbounded)."""
    n = len(a)
    if len(b) != n:
        raise ValueError(f"regions of different lengths: {n} and {len(b)}")
    out = np.full(n, np.nan)
    live = (a.kind != SPECIAL) & (b.kind != SPECIAL)
    pa, pb = _vertices(a), _vertices(b)  # (n, 4, 2) float32
    if bound is None:
        clip_top = clip_left = np.full(n, -np.inf, np.float32)
        clip_bottom = clip_right = np.full(n, np.inf, np.float32)
    else:
        size = np.broadcast_to(np.asarray(bound, np.float64), (n, 2)).astype(np.float32)
        clip_top = clip_left = np.zeros(n, np.float32)
        clip_right, clip_bottom = size[:, 0], size[:, 1]
    box_a = _clip_box(_rounded_box(pa), clip_top, clip_bottom, clip_left, clip_right)
    box_b = _clip_box(_rounded_box(pb), clip_top, clip_bottom, clip_left, clip_right)
    with np.errstate(all="ignore"):
        win_x = _c_min(box_a[2], box_b[2])
        win_y = _c_min(box_a[0], box_b[0])
        width = _c_int(_c_max(box_a[3], box_b[3]) - win_x) + 1
        height = _c_int(_c_max(box_a[1], box_b[1]) - win_y) + 1
        area_a, area_b = _box_area(box_a).astype(np.float64), _box_area(box_b).astype(np.float64)
        zero = (area_a / area_b < 1e-10) | (area_b / area_a < 1e-10) | (width < 1) | (height < 1)
        zero |= _box_iou(box_a, box_b) <= 0  # C: MAX(0, v) == 0
    out[live & zero] = 0.0
    todo = live & ~zero
    huge = todo & (width * height > _INT_MAX)  # pysot's mask size overflows int: no defined result
    todo &= ~huge
    counts = np.zeros((3, n), np.int64)  # pixels of region 1, of region 2, of both
    small = todo & _all_small(pa) & _all_small(pb)
    general = todo.copy()
    rects = np.flatnonzero(small & (a.kind == RECTANGLE) & (b.kind == RECTANGLE))
    if rects.size:
        corners = [_window_vertices(p[rects], win_x[rects], win_y[rects]) for p in (pa, pb)]
        counts[:, rects] = _rectangle_counts(corners, width[rects], height[rects])
        general[rects] = False
    if bound is not None:
        fine_bound = np.all(np.isfinite(size) & (size >= 0) & (size < _SMALL), axis=1)
        mixed = np.flatnonzero(small & fine_bound & (((a.kind == RECTANGLE) & (b.kind == POLYGON))
                                                     | ((a.kind == POLYGON) & (b.kind == RECTANGLE))))
        if mixed.size:
            _shared_polygon_counts(mixed, a.kind[mixed] == POLYGON, pa, pb, win_x, win_y, width, height, size,
                                   counts)
            general[mixed] = False
    general = np.flatnonzero(general)
    if general.size:
        corners = [_window_vertices(p[general], win_x[general], win_y[general]) for p in (pa, pb)]
        counts[:, general] = _scanned_counts(corners, width[general], height[general])
    area_1, area_2, both = counts
    union = area_1 + area_2 - both
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = both.astype(np.float32) / union.astype(np.float32)
    out[todo] = ratio[todo].astype(np.float64)
    return out


# --- C arithmetic, as x86-64 performs it ---------------------------------------------------------

def _c_min(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    return np.where(p < q, p, q)  # region.c MIN(a, b): (a < b) ? a : b


def _c_max(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    return np.where(p > q, p, q)  # region.c MAX(a, b): (a > b) ? a : b


def _c_int(v: np.ndarray) -> np.ndarray:
    """C ``(int)`` of a float or double: truncation toward zero; NaN and values out of int range
    give INT_MIN, as x86-64's conversion instruction does."""
    with np.errstate(invalid="ignore"):
        ok = (v > -2147483649.0) & (v < 2147483648.0)
    return np.where(ok, v, _INT_MIN).astype(np.int64)


def _round_away(v: np.ndarray) -> np.ndarray:
    """C ``round`` of float32 values (half away from zero) as float64; exact for float32 input."""
    v = v.astype(np.float64)
    return np.trunc(v + np.copysign(0.5, v))


# --- Boxes and early results ---------------------------------------------------------------------

def _vertices(regions: Regions) -> np.ndarray:
    """(n, 4, 2) float32 vertices as pysot's wrapper builds them (rectangle corners summed in
    float64 first); codes give NaN."""
    values, kind = regions.values, regions.kind
    out = values.astype(np.float32)
    rect = np.flatnonzero(kind == RECTANGLE)
    if rect.size:
        v = values[rect]
        with np.errstate(invalid="ignore", over="ignore"):
            right, bottom = (v[:, 0] + v[:, 2]).astype(np.float32), (v[:, 1] + v[:, 3]).astype(np.float32)
        corners = out[rect]
        corners[:, 2], corners[:, 3] = right, corners[:, 1]
        corners[:, 4], corners[:, 5] = right, bottom
        corners[:, 6], corners[:, 7] = corners[:, 0], bottom
        out[rect] = corners
    out[kind == SPECIAL] = np.nan
    return out.reshape(-1, 4, 2)


def _all_small(p: np.ndarray) -> np.ndarray:
    """Per region: all 8 coordinates finite and below _SMALL in magnitude."""
    with np.errstate(invalid="ignore"):
        ok = np.abs(p.reshape(-1, 8)) < _SMALL
    return ok.view(np.uint64).ravel() == np.uint64(0x0101010101010101)  # 8 true bytes


def _window_vertices(p: np.ndarray, win_x: np.ndarray, win_y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """offset_polygon by minus the window origin (float32), then round_polygon: (m, 4) x and y."""
    with np.errstate(invalid="ignore", over="ignore"):
        return _round_away(p[:, :, 0] + (-win_x)[:, None]), _round_away(p[:, :, 1] + (-win_y)[:, None])


def _rounded_box(p: np.ndarray) -> tuple[np.ndarray, ...]:
    """compute_bounds then bounds_round: (top, bottom, left, right) float32."""
    x0, y0, x1, y1, x2, y2, x3, y3 = np.ascontiguousarray(p.reshape(-1, 8).T)
    # Without NaN, C's running MIN / MAX from +-FLT_MAX are plain minima and maxima with +-FLT_MAX.
    top = np.minimum(np.minimum(np.minimum(y0, y1), np.minimum(y2, y3)), _FLT_MAX)
    bottom = np.maximum(np.maximum(np.maximum(y0, y1), np.maximum(y2, y3)), -_FLT_MAX)
    left = np.minimum(np.minimum(np.minimum(x0, x1), np.minimum(x2, x3)), _FLT_MAX)
    right = np.maximum(np.maximum(np.maximum(x0, x1), np.maximum(x2, x3)), -_FLT_MAX)
    odd = np.flatnonzero(np.isnan(p.reshape(-1, 8)).view(np.uint64).ravel())
    if odd.size:  # C's (a < b) ? a : b macros, vertex by vertex from +-FLT_MAX, treat NaN their way
        q = p[odd]
        t, l = np.full(len(odd), _FLT_MAX), np.full(len(odd), _FLT_MAX)
        b, r = -t, -l
        with np.errstate(invalid="ignore"):
            for i in range(4):
                x, y = q[:, i, 0], q[:, i, 1]
                t, b, l, r = _c_min(t, y), _c_max(b, y), _c_min(l, x), _c_max(r, x)
        top[odd], bottom[odd], left[odd], right[odd] = t, b, l, r
    return np.floor(top), np.ceil(bottom), np.floor(left), np.ceil(right)


def _clip_box(box, top, bottom, left, right) -> tuple[np.ndarray, ...]:
    """bounds_intersection(box, clip box), argument order kept (it matters for NaN)."""
    with np.errstate(invalid="ignore"):
        return _c_max(box[0], top), _c_min(box[1], bottom), _c_max(box[2], left), _c_min(box[3], right)


def _box_area(box) -> np.ndarray:
    return (box[3] - box[2]) * (box[1] - box[0])  # float32, as C computes it


def _box_iou(box_1, box_2) -> np.ndarray:
    """bounds_overlap in float32 (before its MAX(0, v))."""
    inter = _box_area(_clip_box(box_1, *box_2))
    return inter / (_box_area(box_1) + _box_area(box_2) - inter)


# --- Rectangle against rectangle: closed form ----------------------------------------------------

def _rect_extent(xs: np.ndarray, ys: np.ndarray, width: np.ndarray, height: np.ndarray):
    """First/last column and row (window) of rectangles' rounded corners (x0, x1, x1, x0) and
    (y0, y0, y1, y1): nodes at both vertical edges on every row between the rounded top and bottom,
    nothing when those coincide or the left and right coincide; clamped to the window."""
    x0, x1, y0, y1 = xs[:, 0], xs[:, 1], ys[:, 0], ys[:, 2]
    c0 = np.maximum(np.minimum(x0, x1), 0).astype(np.int64)
    c1 = np.minimum(np.maximum(x0, x1), width - 1).astype(np.int64)
    r0 = np.maximum(np.minimum(y0, y1), 0).astype(np.int64)
    r1 = np.minimum(np.maximum(y0, y1), height - 1).astype(np.int64)
    empty = (x0 == x1) | (y0 == y1)
    c1[empty] = c0[empty] - 1
    return c0, c1, r0, r1


def _rectangle_counts(corners, width, height) -> np.ndarray:
    c0a, c1a, r0a, r1a = _rect_extent(*corners[0], width, height)
    c0b, c1b, r0b, r1b = _rect_extent(*corners[1], width, height)
    size_a = span_length(c0a, c1a) * span_length(r0a, r1a)
    size_b = span_length(c0b, c1b) * span_length(r0b, r1b)
    both = (span_length(np.maximum(c0a, c0b), np.minimum(c1a, c1b))
            * span_length(np.maximum(r0a, r0b), np.minimum(r1a, r1b)))
    return np.stack([size_a, size_b, both])


# --- Scan conversion (rasterize_polygon), one row per entry --------------------------------------

class _Edges:
    """Per polygon, what rasterize_polygon derives from its rounded vertices, edge-major ((4, m)
    arrays): for each edge (vertex i, previous vertex j) x_i as double, y_i as float32 (and as
    double), the (int) rows it gives a node on (none for a horizontal edge), and r = y_j - y_i,
    k = x_j - x_i (float32 differences, as doubles)."""

    def __init__(self, xs: np.ndarray, ys: np.ndarray):
        with np.errstate(invalid="ignore", over="ignore"):
            x32, y32 = np.ascontiguousarray(xs.T, np.float32), np.ascontiguousarray(ys.T, np.float32)
            xj, yj = np.roll(x32, 1, axis=0), np.roll(y32, 1, axis=0)
            self.x = x32.astype(np.float64)
            self.y = y32
            self.y64 = y32.astype(np.float64)
            self.r = (yj - y32).astype(np.float64)
            self.k = (xj - x32).astype(np.float64)
        rows_i, rows_j = _c_int(y32), _c_int(yj)
        self.lo, self.hi = np.minimum(rows_i, rows_j), np.maximum(rows_i, rows_j)
        self.first, self.last = self.lo.min(axis=0), self.hi.max(axis=0)  # rows with any node
        flat = self.r == 0  # (NaN is not 0: C's r != 0 holds for it)
        self.lo[flat], self.hi[flat] = NO_NODE, -NO_NODE

    def repeat(self, index: np.ndarray, counts: np.ndarray, small: bool = False) -> _Edges:
        """The edges of polygons ``index``, each repeated ``counts`` times (one per scan row)."""
        out = object.__new__(_Edges)
        for name in ("x", "y64" if small else "y", "r", "k", "lo", "hi"):
            setattr(out, name, np.repeat(getattr(self, name)[:, index], counts, axis=1))
        return out


def _row_nodes(e: _Edges, row: np.ndarray, small: bool):
    """The nodes of one row per entry, sorted (missing ones sort last as NO_NODE). ``small``:
    every value is an integer below 2^22 in magnitude, so row - y_i is exact in double as in
    float32 and no conversion overflows."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if small:
            d = row.astype(np.float64) - e.y64
        else:
            d = (row.astype(np.float32) - e.y).astype(np.float64)  # C: (double)(pixelY - y[i])
        node = e.x + d / e.r * e.k
        node = node.astype(np.int64) if small else _c_int(node)
    return sort4(*np.where((e.lo <= row) & (row <= e.hi), node, NO_NODE))  # as region.c's exchange sort


def _fragile(edges: _Edges) -> np.ndarray:
    """Per polygon (small integer vertices): whether a node term t = (row - y_i) / r * k of some row
    of an edge comes out as a double just below an integer. Only then can x_i + t, truncated, depend
    on the window origin: an exact t adds exactly, a t above an integer truncates the same, and a
    t whose exact value d * k / r is not an integer is at least 1/|r| >= 2^-23 from any integer,
    far beyond double rounding at these magnitudes. With g = gcd(|r|, |k|), d * k / r is an integer
    for 0 < |d| < |r| exactly when d is a multiple of r / g: those rows are the candidates."""
    r, k = edges.r.astype(np.int64), edges.k.astype(np.int64)
    g = np.gcd(r, k)
    g[(r == 0) | (k == 0)] = 1  # horizontal edges give no node; vertical ones add exactly 0
    out = np.zeros(r.shape[1], bool)
    flat = np.arange(r.size)
    for chunk, c, starts, local, j in _ranges(np.ones(r.size, np.int64), g.ravel() - 1):
        edge = flat[chunk][local]
        rr, kk, gg = r.ravel()[edge], k.ravel()[edge], g.ravel()[edge]
        d = (j * (rr // gg)).astype(np.float64)
        t = d / rr.astype(np.float64) * kk.astype(np.float64)
        below = np.ceil(t) != t
        out[edge[below] % r.shape[1]] = True  # edge-major: flat index = edge * m + polygon
    return out


def _fill(nodes, lo_col, hi_col):
    """rasterize_polygon's fill of one row from its sorted nodes, in closed form: walking the nodes,
    an equal pair drops its first node, otherwise a pair fills its columns (both included) and the
    walk moves two on; with at most four nodes that gives the first span below and, only after a
    first pair that was filled, a second one. Fills are clamped to columns lo_col .. hi_col (C's
    "start at or right of the width ends the row" and "end left of 0 fills nothing" amount to
    that). Returns two disjoint spans (first, last) per row; an unused one is (0, -1)."""
    n0, n1, n2, n3 = nodes
    real = NO_NODE >> 1  # (shifted tables add an origin to the missing nodes too)
    c2, c3, c4 = n1 < real, n2 < real, n3 < real  # at least 2, 3, 4 nodes
    d01, d12, d23 = n0 != n1, n1 != n2, n2 != n3
    use_01 = c2 & d01
    use_12 = ~d01 & c3 & d12
    use_23 = ~d01 & ~d12 & c4 & d23
    here = np.where(use_01, n0, np.where(use_12, n1, n2))
    after = np.where(use_01, n1, np.where(use_12, n2, n3))
    s1, e1 = np.maximum(here, lo_col), np.minimum(after, hi_col)
    empty = ~(use_01 | use_12 | use_23) | (e1 < s1)
    s1[empty], e1[empty] = 0, -1
    s2, e2 = np.maximum(n2, lo_col), np.minimum(n3, hi_col)
    empty = ~(use_01 & c4 & d23) | (e2 < s2)
    s2[empty], e2[empty] = 0, -1
    # The second span starts at or after the first; an overlapping or touching one merges in, and
    # one after an empty (clamped away) first moves into its place.
    join = (e2 >= s2) & (e1 >= s1) & (s2 <= e1 + 1)
    e1[join] = np.maximum(e1[join], e2[join])
    s2[join], e2[join] = 0, -1
    move = (e2 >= s2) & (e1 < s1)
    s1[move], e1[move] = s2[move], e2[move]
    s2[move], e2[move] = 0, -1
    return s1, e1, s2, e2


def _ranges(first: np.ndarray, last: np.ndarray, per_chunk: int = _ROWS_PER_CHUNK, owners: bool = True):
    """For ranges [first, last] (empty when last < first), in chunks of about ``per_chunk``
    elements: the ranges of the chunk, their element counts, their first elements' positions and,
    per element, its range (index into the chunk's ranges; None unless ``owners``) and value."""
    counts = np.maximum(last - first + 1, 0)
    used = np.flatnonzero(counts)
    if not used.size:
        return
    ends = np.cumsum(counts[used])
    cuts = np.searchsorted(ends, np.arange(per_chunk, ends[-1], per_chunk), side="right")
    for chunk in np.split(used, np.unique(cuts)):
        if not chunk.size:
            continue
        c = counts[chunk]
        starts = np.cumsum(c) - c
        local = np.repeat(np.arange(len(chunk)), c) if owners else None
        value = np.arange(int(c.sum())) - np.repeat(starts - first[chunk], c)
        yield chunk, c, starts, local, value


def _scanned_counts(corners, width: np.ndarray, height: np.ndarray) -> np.ndarray:
    """Pixels of region 1, of region 2 and of both for pairs in window coordinates (per side the
    rounded vertices' x and y, (m, 4) each), scanning every window row either region has nodes on."""
    m = len(width)
    e1, e2 = _Edges(*corners[0]), _Edges(*corners[1])
    first = np.maximum(np.minimum(e1.first, e2.first), 0)
    last = np.minimum(np.maximum(e1.last, e2.last), height - 1)
    counts = np.zeros((3, m), np.int64)
    for chunk, c, starts, _, row in _ranges(first, last, owners=False):
        right = np.repeat(width[chunk] - 1, c)
        a = _fill(_row_nodes(e1.repeat(chunk, c), row, small=False), 0, right)
        b = _fill(_row_nodes(e2.repeat(chunk, c), row, small=False), 0, right)
        for out, per_row in zip(counts, two_span_sizes(a, b)):
            out[chunk] += np.add.reduceat(per_row, starts)
    return counts


# --- Rectangle against polygon under a bound: each distinct polygon scanned once -----------------

def _shared_polygon_counts(pairs, poly_first, pa, pb, win_x, win_y, width, height, size, counts) -> None:
    """Fill ``counts`` for rectangle/polygon ``pairs`` (bounded, small coordinates) from one scan
    per distinct (rounded polygon, bound), or per (rounded polygon, bound, window origin) for the
    polygons whose nodes can depend on the origin."""
    first_side = poly_first[:, None, None]
    poly = np.where(first_side, pa[pairs], pb[pairs])
    rect = np.where(first_side, pb[pairs], pa[pairs])
    x0, y0 = win_x[pairs], win_y[pairs]
    # Absolute rounded vertices: with the origin at 0 the window coordinates are the absolute ones.
    keys = np.empty((10, len(pairs)), np.int64)
    keys[:8] = _round_away(poly.reshape(-1, 8)).T
    keys[8:] = np.floor(size[pairs]).T
    unique, which = _unique_rows(keys)
    table = _PolygonRows(unique, shifted=False)
    x0, y0 = x0.astype(np.int64), y0.astype(np.int64)
    # Polygons with a node term just below an integer, in windows not at 0: scanned per origin.
    again = table.fragile[which] & (x0 != 0)
    if again.any():
        unique_2, which_2 = _unique_rows(np.concatenate([keys[:, again], x0[None, again]]))
        table_2 = _PolygonRows(unique_2, shifted=True)
        table = table.joined(table_2)
        which[again] = which_2 + len(table.first) - len(table_2.first)

    c0, c1, r0, r1 = _rect_extent(*_window_vertices(rect, win_x[pairs], win_y[pairs]), width[pairs],
                                  height[pairs])
    rect_size = span_length(c0, c1) * span_length(r0, r1)
    # Rows of both (absolute, as rows of the table); the rectangle's columns, absolute.
    first = np.maximum(r0 + y0, table.first[which])
    last = np.minimum(r1 + y0, table.last[which])
    last[c1 < c0] = first[c1 < c0] - 1
    at = table.row_start[which] - table.first[which]
    c0, c1 = c0 + x0, c1 + x0
    # Columns holding all of the polygon's pixels: the pixels of the rows, from the running sums.
    holds = np.flatnonzero((c0 <= table.left[which]) & (table.right[which] <= c1) & (last >= first))
    both = np.zeros(len(pairs), np.int64)
    both[holds] = table.cumulative[at[holds] + last[holds] + 1] - table.cumulative[at[holds] + first[holds]]
    last[holds] = first[holds] - 1
    both += _spans_met(table.span_first, table.span_last, at + first, at + last, c0, c1)
    more = np.flatnonzero(table.has_second[which] & (last >= first))
    if more.size:  # second spans of a row: few, found by row
        lo = np.searchsorted(table.second_row, at[more] + first[more])
        hi = np.searchsorted(table.second_row, at[more] + last[more], side="right")
        both[more] += _spans_met(table.second_first, table.second_last, lo, hi - 1, c0[more], c1[more])
    poly_size = table.area[which]
    counts[0, pairs] = np.where(poly_first, poly_size, rect_size)
    counts[1, pairs] = np.where(poly_first, rect_size, poly_size)
    counts[2, pairs] = both


def _unique_rows(columns: np.ndarray):
    """Distinct columns of a (k, m) int64 array, as rows (u, k), and for each column the index of
    its row (a hash of each column, then a check that equal hashes mean equal columns)."""
    mixed = np.zeros(columns.shape[1], np.uint64)
    for values in columns:
        mixed *= np.uint64(0x9E3779B97F4A7C15)
        mixed += values.astype(np.uint64)
        mixed ^= mixed >> np.uint64(29)
    _, first, which = np.unique(mixed, return_index=True, return_inverse=True)
    which = which.ravel()
    if not np.array_equal(columns[:, first][:, which], columns):
        rows = np.ascontiguousarray(columns.T)
        view = rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1]))).ravel()
        _, first, which = np.unique(view, return_index=True, return_inverse=True)
        which = which.ravel()
    return np.ascontiguousarray(columns[:, first].T), which


class _PolygonRows:
    """Distinct polygons scanned on their rows inside a bound's rows 0 .. last_row, spans clipped
    to columns 0 .. last_col, all absolute. Keys: the 8 absolute rounded vertex coordinates,
    last_col, last_row and, when ``shifted``, a window origin x0 (the nodes are then computed in that
    window's coordinates, as pysot does, and shifted back). Rows of polygon u are table rows
    ``row_start[u] + row - first[u]`` for row = first[u] .. last[u]; a table row holds its first
    span (span_first, span_last; empty as (0, -1)); the few second spans are listed by table row
    (second_row, second_first, second_last). ``area``: pixels of each polygon; ``fragile``: whether
    a node term of it lay just below an integer (computed unshifted only)."""

    def __init__(self, keys: np.ndarray, shifted: bool):
        m = len(keys)
        vertices = keys[:, :8].reshape(-1, 4, 2).astype(np.float64)
        last_col, last_row = keys[:, 8], keys[:, 9]
        x0 = keys[:, 10] if shifted else np.zeros(m, np.int64)
        edges = _Edges(vertices[:, :, 0] - x0[:, None], vertices[:, :, 1])
        self.first = np.maximum(edges.first, 0)
        self.last = np.maximum(np.minimum(edges.last, last_row), self.first - 1)
        rows = self.last - self.first + 1
        self.row_start = np.cumsum(rows) - rows
        total = int(rows.sum())
        self.fragile = np.zeros(m, bool) if shifted else _fragile(edges)
        self.span_first = np.zeros(total, np.int32)
        self.span_last = np.zeros(total, np.int32)
        seconds = []
        done = 0
        for chunk, c, _, _, row in _ranges(self.first, self.last, owners=False):
            nodes = _row_nodes(edges.repeat(chunk, c, small=True), row, small=True)
            if shifted:
                nodes = tuple(n + np.repeat(x0[chunk], c) for n in nodes)
            s1, e1, s2, e2 = _fill(nodes, 0, np.repeat(last_col[chunk], c))
            self.span_first[done:done + len(row)] = s1
            self.span_last[done:done + len(row)] = e1
            two = np.flatnonzero(e2 >= s2)
            seconds.append((two + done, s2[two], e2[two]))
            done += len(row)
        seconds = seconds or [(np.zeros(0, np.int64),) * 3]
        self.second_row = np.concatenate([t[0] for t in seconds])
        self.second_first = np.concatenate([t[1] for t in seconds]).astype(np.int32)
        self.second_last = np.concatenate([t[2] for t in seconds]).astype(np.int32)
        size = (self.span_last - self.span_first + 1).astype(np.int64)
        np.add.at(size, self.second_row, self.second_last - self.second_first + 1)
        self.cumulative = np.concatenate([[0], np.cumsum(size)])  # pixels of the rows before each row
        self.area = self.cumulative[self.row_start + rows] - self.cumulative[self.row_start]
        owner = np.repeat(np.arange(m), rows)
        self.has_second = np.zeros(m, bool)
        self.has_second[owner[self.second_row]] = True
        # Column extent of each polygon's pixels (empty: +-_SPAN_NONE, so any columns contain it).
        used = self.span_last >= self.span_first
        self.left = np.full(m, _SPAN_NONE)
        self.right = np.full(m, -_SPAN_NONE)
        np.minimum.at(self.left, owner[used], self.span_first[used])
        np.maximum.at(self.right, owner[used], self.span_last[used])
        np.minimum.at(self.left, owner[self.second_row], self.second_first)
        np.maximum.at(self.right, owner[self.second_row], self.second_last)

    def joined(self, other: _PolygonRows) -> _PolygonRows:
        """One table holding this one's polygons, then ``other``'s."""
        out = object.__new__(_PolygonRows)
        rows = len(self.span_first)
        for name in ("first", "last", "fragile", "span_first", "span_last", "second_first", "second_last", "area",
                     "has_second", "left", "right"):
            setattr(out, name, np.concatenate([getattr(self, name), getattr(other, name)]))
        out.row_start = np.concatenate([self.row_start, other.row_start + rows])
        out.second_row = np.concatenate([self.second_row, other.second_row + rows])
        out.cumulative = np.concatenate([self.cumulative[:-1], other.cumulative + self.cumulative[-1]])
        return out


def _spans_met(span_first, span_last, lo, hi, c0, c1) -> np.ndarray:
    """Per pair: pixels of spans lo .. hi (indices, both included) inside columns c0 .. c1."""
    out = np.zeros(len(lo), np.int64)
    c0, c1 = c0.astype(np.int32), c1.astype(np.int32)
    for chunk, c, starts, _, index in _ranges(lo, hi, _RECORDS_PER_CHUNK, owners=False):
        s, e = span_first[index], span_last[index]
        np.maximum(s, np.repeat(c0[chunk], c), out=s)
        np.minimum(e, np.repeat(c1[chunk], c), out=e)
        e -= s
        np.maximum(e, -1, out=e)
        out[chunk] = np.add.reduceat(e, starts) + c
    return out
