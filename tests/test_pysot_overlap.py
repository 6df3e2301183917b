"""pysot-toolkit's raster overlap (evalkit.metrics.pysot_overlap): hand-checkable cases from the
documented rules of pysot's region.pyx / region.c, and the shortcuts checked against the
row-by-row scan that restates the C code per pair."""

from __future__ import annotations

import numpy as np
import pytest
from region_lines import DIAMOND, regions

import evalkit.metrics.pysot_overlap as po
from evalkit.metrics.pysot_overlap import pysot_raster_overlaps
from evalkit.regions import Regions


def overlap(p, q, bound=(100, 100)) -> float:
    b = None if bound is None else np.array([bound], float)
    return float(pysot_raster_overlaps(regions(p), regions(q), b)[0])


def f32(inter: int, union: int) -> float:
    """pysot's result: float32 division of the pixel counts, widened to a Python float."""
    return float(np.float32(inter) / np.float32(union))


def scanned_per_pair(a: Regions, b: Regions, bound) -> np.ndarray:
    """The same overlaps with every shortcut off: each pair scanned row by row in its window."""
    small = po._SMALL
    po._SMALL = 0.0
    try:
        return pysot_raster_overlaps(a, b, bound)
    finally:
        po._SMALL = small


# --- Rules, checked by hand ----------------------------------------------------------------------

def test_integer_box_covers_w_plus_1_by_h_plus_1_pixels():
    # x .. x+w inclusive: [0,0,10,10] covers 11 x 11 pixels, [5,0,10,10] columns 5..15.
    assert overlap([0, 0, 10, 10], [0, 0, 10, 10]) == 1.0
    assert overlap([0, 0, 10, 10], [5, 0, 10, 10]) == f32(6 * 11, 2 * 121 - 6 * 11) == 0.375
    assert overlap([0, 0, 10, 10], [9, 0, 10, 10]) == f32(2 * 11, 2 * 121 - 2 * 11)  # 0.1 as float32


def test_boxes_touching_on_a_pixel_line_give_zero():
    # The rasters would share column 10 (row 10), but the bounding-box test returns 0 first.
    assert overlap([0, 0, 10, 10], [10, 0, 10, 10]) == 0.0
    assert overlap([0, 0, 10, 10], [0, 10, 10, 10]) == 0.0


def test_result_is_float32_widened():
    value = overlap([0, 0, 10, 10], [9, 0, 10, 10])
    assert value == float(np.float32(0.1)) and value != 0.1


def test_codes_give_nan():
    a = regions([1], [0, 0, 10, 10], [2], [0])
    b = regions([0, 0, 10, 10], [0], [0, 0, 10, 10], [1])
    assert np.isnan(pysot_raster_overlaps(a, b, np.array([100, 100]))).all()


def test_rounding_is_half_away_from_zero_after_the_shift():
    # round(0.5) = 1, round(10.5) = 11: columns and rows 1..11 against 0..10.
    assert overlap([0.5, 0.5, 10, 10], [0, 0, 10, 10]) == f32(100, 142)
    # round(2.5) = 3, round(12.5) = 13 (half to even would give 2 and 12).
    assert overlap([0, 0, 10, 10], [2.5, 0, 10, 10]) == f32(8 * 11, 242 - 8 * 11)
    # Left of the image: round(-5.5) = -6, round(4.5) = 5, clamped to columns 0..5.
    assert overlap([-5.5, 0, 10, 10], [0, 0, 10, 10]) == f32(6 * 11, 121)


def test_bound_conventions():
    # (W, H) lets the window hold column W: columns 90..100 and 95..100.
    assert overlap([90, 0, 10, 10], [95, 0, 10, 10], (100, 100)) == f32(6 * 11, 11 * 11)
    # (W - 1, H - 1), as pysot's EAO passes it: columns 90..99 and 95..99.
    assert overlap([90, 0, 10, 10], [95, 0, 10, 10], (99, 99)) == f32(5 * 11, 10 * 11) == 0.5
    # Outside the image: both boxes clip to nothing.
    assert overlap([200, 200, 10, 10], [200, 200, 10, 10]) == 0.0


def test_bound_per_frame_or_shared():
    a = regions([90, 0, 10, 10], [90, 0, 10, 10])
    b = regions([95, 0, 10, 10], [95, 0, 10, 10])
    per_frame = pysot_raster_overlaps(a, b, np.array([[100, 100], [99, 99]]))
    assert per_frame.tolist() == [f32(66, 121), 0.5]
    assert pysot_raster_overlaps(a, b, np.array([99, 99])).tolist() == [0.5, 0.5]


def test_diamond_vertex_rows_follow_the_duplicate_node_rule():
    # Rows 1..9 and 11..19 hold 2*min(y, 20-y)+1 pixels; row 10 (nodes 0, 0, 20, 20) holds 21;
    # rows 0 and 20 (one vertex, two equal nodes) hold none: 219 pixels, all inside the 21x21 box.
    assert overlap(DIAMOND, [0, 0, 20, 20]) == f32(219, 441)
    assert overlap([0, 0, 20, 20], DIAMOND) == f32(219, 441)
    assert overlap(DIAMOND, DIAMOND) == 1.0


def test_published_matlab_value():
    # votchallenge/toolkit-legacy issue #202: region_overlap([1,1,100,100],[50,50,100,100]) = 0.1528.
    # Pixels 1..101 and 50..150: 52 x 52 shared, 2 * 101^2 - 52^2 in the union.
    for bound in (None, (640, 480)):
        value = overlap([1, 1, 100, 100], [50, 50, 100, 100], bound)
        assert value == f32(52 * 52, 2 * 101 * 101 - 52 * 52)
        assert round(value, 4) == 0.1528


def test_empty_rasters():
    # Both boxes pass the early tests but neither covers a pixel: 0 / 0.
    assert np.isnan(overlap([3, 3, 0.2, 0.2], [3, 3, 0.2, 0.2]))
    # A box of no extent fails the area-ratio test.
    assert overlap([0, 0, 0, 0], [0, 0, 10, 10]) == 0.0
    # Rounded left and right coincide (3 and 3): no pixel, against 121.
    assert overlap([3.2, 0, 0.2, 10], [3, 0, 10, 10]) == 0.0


def test_window_beyond_int_range_gives_nan():
    # Unbounded, 100001 x 100001 pixels: pysot's int mask size overflows; no defined result.
    assert np.isnan(overlap([0, 0, 1e5, 1e5], [0, 0, 1e5, 1e5], None))
    assert overlap([0, 0, 1e4, 1e4], [0, 0, 1e4, 1e4], None) == 1.0


def test_lengths_and_empty_input():
    with pytest.raises(ValueError):
        pysot_raster_overlaps(regions([0, 0, 1, 1]), regions([0, 0, 1, 1], [0, 0, 1, 1]), None)
    empty = regions()
    assert pysot_raster_overlaps(empty, empty, np.zeros((0, 2))).shape == (0,)


# --- Shortcuts against the per-pair scan ---------------------------------------------------------

def _random_lines(rng: np.random.Generator, n: int, width: int, height: int) -> list[list[float]]:
    lines = []
    for _ in range(n):
        kind = rng.random()
        if kind < 0.45:
            x, y = rng.uniform(-20, width + 10), rng.uniform(-20, height + 10)
            w, h = rng.uniform(0, 60, 2)
            line = [x, y, w, h]
        elif kind < 0.9:
            cx, cy = rng.uniform(-10, width + 10), rng.uniform(-10, height + 10)
            angle, (s1, s2) = rng.uniform(0, np.pi), rng.uniform(0.5, 35, 2)
            corners = np.array([[-s1, -s2], [s1, -s2], [s1, s2], [-s1, s2]])
            rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
            line = list((corners @ rot.T + [cx, cy]).ravel())
        else:  # integer and half-integer vertices: vertex rows, duplicate nodes, non-convex shapes
            line = list(rng.integers(-10, max(width, height) + 10, 8) + rng.choice([0, 0.5], 8))
        if rng.random() < 0.4:
            line = [float(round(v)) if rng.random() < 0.5 else round(v, 4) for v in line]
        lines.append(line)
    return lines


@pytest.mark.parametrize("convention", ["W,H", "W-1,H-1", "none"])
def test_shortcuts_match_the_per_pair_scan(convention):
    rng = np.random.default_rng(7)
    n = 1500
    width, height = 120, 90
    truth = _random_lines(rng, 250, width, height)
    # Every ground-truth line used by several predictions, as the trackers of a benchmark do.
    gt = regions(*[truth[i] for i in rng.integers(0, len(truth), n)])
    pred = regions(*_random_lines(rng, n, width, height))
    bound = {"W,H": np.array([width, height]), "W-1,H-1": np.array([width - 1, height - 1]), "none": None}[convention]
    fast = pysot_raster_overlaps(pred, gt, bound)
    slow = scanned_per_pair(pred, gt, bound)
    np.testing.assert_array_equal(fast, slow)
    assert ((fast > 0) & (fast < 1)).sum() > n // 10  # the cases are not all trivial
    np.testing.assert_array_equal(pysot_raster_overlaps(gt, pred, bound), fast)  # symmetric


def test_node_that_depends_on_the_window_origin():
    # Edges of 49 rows by 49 columns: for some rows (row - y_i) / 49 * 49 is a double just below
    # an integer, so x_i + that, truncated, depends on where the window starts. pysot computes in
    # window coordinates; the shared scan of this polygon must do so too (value from a C
    # transcription of region.c; a scan in image coordinates gives 0.19181832671165466).
    diamond = [60, 10, 109, 59, 60, 108, 11, 59]
    assert overlap([6, 20, 40, 60], diamond, (200, 200)) == 0.19178743660449982
    rects = [[x, 20, 40, 60] for x in range(30)] + [[x + 0.5, 15, 50, 70] for x in range(30)]
    a = regions(*rects)
    b = regions(*[diamond] * len(rects))
    bound = np.array([200, 200])
    fast = pysot_raster_overlaps(a, b, bound)
    np.testing.assert_array_equal(fast, scanned_per_pair(a, b, bound))
    fragile = po._fragile
    po._fragile = lambda edges: np.zeros(edges.r.shape[1], bool)
    try:
        assert (pysot_raster_overlaps(a, b, bound) != fast).any()  # the case above is exercised
    finally:
        po._fragile = fragile
