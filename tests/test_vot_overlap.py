"""VOT region overlaps (evalkit.metrics.vot_overlap): the geometric IoU against got10k's poly_iou,
the raster overlap against vot-toolkit 0.7.4's calculate_overlap (run in its own virtual
environment, see tests/peers/setup_vot_toolkit.sh), hand-checkable cases, and the fast path for
rectangle-polygon pairs against the general row-by-row path."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
from region_lines import DIAMOND, regions

import evalkit.metrics.vot_overlap as vo
from evalkit.metrics.vot_overlap import geometric_overlaps, raster_overlaps
from evalkit.regions import POLYGON, RECTANGLE, SPECIAL, Regions, concat

REPO = Path(__file__).resolve().parents[1]


def overlap(p, q, bound=(100, 100)) -> float:
    return float(raster_overlaps(regions(p), regions(q), None if bound is None else np.array([bound], float))[0])


def general_path_only(monkeypatch, a: Regions, b: Regions, bounds) -> np.ndarray:
    """raster_overlaps with the fast path off: every pair scanned row by row in its window."""
    with monkeypatch.context() as patch:
        patch.setattr(vo, "_fast_pairs", lambda ra, rb, size: np.zeros(len(ra.rect), dtype=bool))
        return raster_overlaps(a, b, bounds)


# --- Random pairs --------------------------------------------------------------------------------

def rotated_boxes(rng, size: np.ndarray, centre: np.ndarray | None = None) -> np.ndarray:
    """(n, 8) rotated rectangles around the image (VOT ground truth), partly outside it."""
    n = len(size)
    centre = rng.uniform(-0.2, 1.2, (n, 2)) * size if centre is None else centre
    half = rng.uniform(0.5, 0.5 * size.min(axis=1)[:, None], (n, 2))
    angle = rng.uniform(0, np.pi, n)[:, None]
    corners = np.array([(-1, -1), (1, -1), (1, 1), (-1, 1)], float) * half[:, None, :]
    x = centre[:, None, 0] + np.cos(angle) * corners[..., 0] - np.sin(angle) * corners[..., 1]
    y = centre[:, None, 1] + np.sin(angle) * corners[..., 0] + np.cos(angle) * corners[..., 1]
    return np.stack([x, y], axis=2).reshape(n, 8)


def boxes(rng, size: np.ndarray) -> np.ndarray:
    """(n, 4) rectangles around the image, with 1-pixel, zero, negative and half-pixel sizes."""
    n = len(size)
    out = np.hstack([rng.uniform(-0.3, 1.1, (n, 2)) * size, rng.uniform(0.02, 0.8, (n, 2)) * size])
    odd = rng.random(n)
    out[odd < 0.05, 2] = rng.choice([-3.0, -0.5, 0.0, 0.5, 1.0, 1.5], (odd < 0.05).sum())
    out[(odd >= 0.05) & (odd < 0.1), 3] = rng.choice([-3.0, 0.0, 0.49, 1.0, 2.5], ((odd >= 0.05) & (odd < 0.1)).sum())
    halves = rng.random(n) < 0.3  # ties of the round-half-to-even
    out[halves] = np.round(out[halves] * 2) / 2
    return out


def varied_lines(rng, size: np.ndarray) -> Regions:
    """One VOT line per image: rectangles, polygons of every kind, and codes."""
    n = len(size)
    kind = rng.choice([RECTANGLE, POLYGON, SPECIAL], n, p=[0.45, 0.5, 0.05]).astype(np.int8)
    values = np.full((n, 8), np.nan)
    values[:, :4] = boxes(rng, size)
    poly = kind == POLYGON
    shape = rng.random(n)
    corners = rotated_boxes(rng, size)
    wild = shape < 0.25  # any quadrilateral: non-convex, self-intersecting
    corners[wild] = (rng.uniform(-0.2, 1.2, (wild.sum(), 4, 2)) * size[wild, None, :]).reshape(-1, 8)
    whole = (shape >= 0.25) & (shape < 0.5)  # whole coordinates: crossings at exact fractions
    corners[whole] = np.round(corners[whole])
    flat = (shape >= 0.5) & (shape < 0.55)  # a repeated vertex, a horizontal edge
    corners[flat, 2:4] = corners[flat, 0:2]
    corners[flat, 7] = corners[flat, 5]
    values[poly] = corners[poly]
    values[kind == SPECIAL, 0] = rng.choice([0, 1, 2], (kind == SPECIAL).sum())
    values[kind == SPECIAL, 1:] = np.nan
    return Regions(kind, values)


def varied_pairs(count: int, seed: int) -> tuple[Regions, Regions, np.ndarray]:
    rng = np.random.default_rng(seed)
    size = rng.integers(20, 160, (count, 2)).astype(float)
    return varied_lines(rng, size), varied_lines(rng, size), size


def fragile_pairs(count: int, seed: int) -> tuple[Regions, Regions, np.ndarray]:
    """Whole-number polygons against rectangles whose left edge is at or right of the polygon's:
    the window then starts at the polygon's leftmost vertex, where an interpolated offset just
    below a whole number truncates differently than in image columns."""
    rng = np.random.default_rng(seed)
    poly = rng.integers(5, 100, (count, 8)).astype(float)
    rect = np.stack([poly[:, 0::2].min(axis=1) + rng.integers(0, 20, count), rng.integers(0, 100, count),
                     rng.integers(1, 60, count), rng.integers(1, 60, count)], axis=1).astype(float)
    a = Regions(np.full(count, RECTANGLE, np.int8), np.hstack([rect, np.full((count, 4), np.nan)]))
    return a, Regions(np.full(count, POLYGON, np.int8), poly), np.full((count, 2), 120.0)


# --- Hand-checkable cases ------------------------------------------------------------------------

def test_an_integer_rectangle_and_the_same_polygon_cover_the_same_pixels():
    # A rectangle covers columns x .. x+w-1; the polygon with corners (x, y) .. (x+w-1, y+h-1)
    # covers the same columns and rows.
    assert overlap([10, 20, 30, 40], [10, 20, 39, 20, 39, 59, 10, 59]) == 1.0
    assert overlap([10, 20, 30, 40], [10, 20, 30, 40]) == 1.0
    assert overlap([0, 0, 10, 10], [5, 0, 10, 10]) == 50 / 150  # columns 5..9 of 0..9 and 5..14
    assert overlap(DIAMOND, DIAMOND) == 1.0


def test_a_diamond_is_scanned_row_by_row():
    # Row y of the diamond spans columns 10 - y .. 10 + y (y <= 10), then narrows again: 121 + 100
    # = 221 pixels. The rectangle over columns and rows 0..9 holds 0 + 1 + ... + 9 of them.
    assert overlap(DIAMOND, [0, 0, 10, 10]) == 45 / (221 + 100 - 45)


def test_disjoint_regions_overlap_zero_and_empty_ones_one():
    assert overlap([0, 0, 10, 10], [50, 50, 10, 10]) == 0.0
    assert overlap([0, 0, 10, 10], [50, 50, 60, 50, 60, 60, 50, 60]) == 0.0
    # vot-toolkit: "two empty regions are considered to be identical" -- regions whose union box
    # has no width or no height, such as two one-pixel-wide columns in the same image column
    assert overlap([5, 5, 0, 0], [5, 5, 0, 0]) == 1.0
    assert overlap([0, 0, 1, 5], [0, 0, 1, 5]) == 1.0
    assert overlap([0, 0, 1, 5], [3, 0, 1, 5]) == 0.0
    assert overlap([5, 5, 0, 0], [7, 7, 1, 1]) == 0.0  # one pixel in a 3 x 3 window, in one region


def test_the_image_clips_both_regions():
    assert overlap([90, 90, 20, 20], [95, 95, 20, 20]) == 25 / 100
    assert overlap([90, 90, 20, 20], [95, 95, 20, 20], bound=None) == 225 / 575
    assert overlap([-50, -50, 20, 20], [-40, -40, 20, 20]) == 0.0  # outside the image
    # The polygon reaches 10 columns left of the image: only its columns 0..9 count.
    assert overlap([0, 0, 10, 10], [-10, 0, 9, 0, 9, 9, -10, 9]) == 1.0


def test_rasterize_rectangle_quirks_of_unbounded_windows_are_kept():
    # rasterize_rectangle ends the rectangle at min(window right edge, x+w-1 - window left), mixing
    # absolute and window columns, and fills mask[..., left:right+1], where a negative end counts
    # from the end of the row. Window columns -10..9: the rectangle 0..9 becomes 10:10, empty.
    assert overlap([0, 0, 10, 10], [-10, 0, 9, 0, 9, 9, -10, 9], bound=None) == 0.0
    # Window -50..-21: the first rectangle becomes 0:-20 (columns -50..-41), the second 10:-20, empty.
    assert overlap([-50, -50, 20, 20], [-40, -40, 20, 20], bound=None) == 0.0


def test_codes_give_nan():
    out = raster_overlaps(regions([1], [0, 0, 5, 5], [2]), regions([0, 0, 5, 5], [0], DIAMOND), np.array([100, 100]))
    assert np.isnan(out).all()


def test_empty_input():
    empty = regions()
    assert raster_overlaps(empty, empty, np.zeros((0, 2))).shape == (0,)
    assert raster_overlaps(empty, empty, None).shape == (0,)


def test_a_fragile_crossing_truncates_as_in_the_window():
    # The edge from (42, 32) to (20, 10) meets row 25 at 20 + 15 / 22 * 22, the offset being
    # 14.999999999999998. Counted from a window starting at column 20 (where the polygon starts)
    # the node is int(0 + 14.99..) = 14, column 34; in image columns 20 + 14.99.. rounds to 35.0.
    # Values from vot-toolkit 0.7.4.
    polygon = [20, 10, 60, 5, 70, 50, 42, 32]
    assert overlap([20, 0, 60, 60], polygon) == 0.2972222222222222
    assert overlap([25, 0, 60, 60], polygon) == 0.2918395573997234  # the same window
    assert overlap([0, 0, 60, 60], polygon) == 0.2216117216117216  # window from column 0: node 35


# --- The geometric IoU against got10k ------------------------------------------------------------

@pytest.mark.parametrize("bounded", [True, False])
def test_geometric_overlaps_equal_got10k_poly_iou(bounded):
    metrics = pytest.importorskip("got10k.utils.metrics")
    rng = np.random.default_rng(3)
    size = rng.integers(40, 400, (3000, 2)).astype(float)
    polygons = rotated_boxes(rng, size)
    near = polygons.reshape(-1, 4, 2).mean(axis=1) + rng.normal(0, 0.1, (3000, 2)) * size  # a tracker's guess
    extent = rng.uniform(0.05, 0.5, (3000, 2)) * size
    rects = np.hstack([near - extent / 2, extent])
    a = concat([Regions(np.full(1500, RECTANGLE, np.int8), np.hstack([rects[:1500], np.full((1500, 4), np.nan)])),
                Regions(np.full(1500, POLYGON, np.int8), rotated_boxes(rng, size[1500:], near[1500:]))])
    b = Regions(np.full(3000, POLYGON, np.int8), polygons)
    ours = geometric_overlaps(a, b, size if bounded else None)
    got = np.array([metrics.poly_iou(np.array(p[:4] if k == RECTANGLE else p), q, tuple(s) if bounded else None)[0]
                    for k, p, q, s in zip(a.kind, a.values, polygons, size)])
    np.testing.assert_allclose(ours, got, rtol=0, atol=1e-9)
    assert (got > 0).mean() > 0.5


# --- The raster overlap against vot-toolkit ------------------------------------------------------

PEER_SCRIPT = """
import sys
import numpy as np
from vot.region import Special
from vot.region.raster import calculate_overlap
from vot.region.shapes import Polygon, Rectangle

def region(kind, values):
    if kind == 0:
        return Special(int(values[0]))
    if kind == 1:
        return Rectangle(*values[:4])
    return Polygon([(values[2 * i], values[2 * i + 1]) for i in range(4)])

data = np.load(sys.argv[1])
out = []
for ak, av, bk, bv, size in zip(data["ak"], data["av"], data["bk"], data["bv"], data["size"]):
    a, b = region(ak, av), region(bk, bv)
    out.append((calculate_overlap(a, b, (int(size[0]), int(size[1]))), calculate_overlap(a, b)))
np.save(sys.argv[2], np.array(out, dtype=float))
"""


def peer_python() -> Path:
    venv = Path(os.environ.get("EVALKIT_VOT_TOOLKIT_VENV") or REPO / ".peers" / "vot-toolkit")
    python = venv / "bin" / "python"
    if not python.is_file():
        pytest.skip(f"vot-toolkit 0.7.4 venv not found at {venv}: create it with tests/peers/setup_vot_toolkit.sh "
                    "(or point EVALKIT_VOT_TOOLKIT_VENV at one)")
    return python


def vot_toolkit_overlaps(a: Regions, b: Regions, size: np.ndarray, folder: Path) -> np.ndarray:
    """(n, 2) calculate_overlap of each pair, bounded by its image size and unbounded."""
    np.savez(folder / "pairs.npz", ak=a.kind, av=a.values, bk=b.kind, bv=b.values, size=size)
    subprocess.run([str(peer_python()), "-c", PEER_SCRIPT, str(folder / "pairs.npz"), str(folder / "out.npy")],
                   check=True, capture_output=True, timeout=300)
    return np.load(folder / "out.npy")


def test_raster_overlaps_equal_vot_toolkit(tmp_path, monkeypatch):
    a1, b1, size1 = varied_pairs(3000, seed=1)
    a2, b2, size2 = fragile_pairs(1500, seed=2)
    a, b, size = concat([a1, a2, b1]), concat([b1, b2, a1]), np.vstack([size1, size2, size1])  # and swapped
    peer = vot_toolkit_overlaps(a, b, size, tmp_path)
    code = (a.kind == SPECIAL) | (b.kind == SPECIAL)
    bounded, unbounded = raster_overlaps(a, b, size), raster_overlaps(a, b, None)
    assert np.isnan(bounded[code]).all() and np.isnan(unbounded[code]).all()
    np.testing.assert_array_equal(bounded[~code], peer[~code, 0])
    np.testing.assert_array_equal(unbounded[~code], peer[~code, 1])
    # the pairs exercise both paths, and fragile crossings (which decide some of them)
    ra, rb = vo._Raster.of(a), vo._Raster.of(b)
    assert (vo._fast_pairs(ra, rb, size.T) & ~code).sum() > 3000
    monkeypatch.setattr(vo, "_FRAGILE", -1.0)  # every crossing taken as safe: some pairs come out wrong
    assert (raster_overlaps(a, b, size)[~code] != peer[~code, 0]).sum() >= 5


# --- The fast path against the general path ------------------------------------------------------

def test_fast_path_equals_general_path_on_random_pairs(monkeypatch):
    a1, b1, size1 = varied_pairs(4000, seed=4)
    a2, b2, size2 = fragile_pairs(3000, seed=5)
    a, b, size = concat([a1, a2, b2]), concat([b1, b2, a2]), np.vstack([size1, size2, size2])
    np.testing.assert_array_equal(raster_overlaps(a, b, size), general_path_only(monkeypatch, a, b, size))


def test_fast_path_equals_general_path_on_vot2018(monkeypatch):
    from conftest import shared_path

    from evalkit.benchmarks import load_benchmark
    from evalkit.errors import Problems
    from evalkit.results.discover import find_trackers
    from evalkit.results.vot_layout import read_vot_trackers

    benchmark = load_benchmark("vot2018", shared_path("vot", "VOT2018"))
    results = shared_path("vot", "results-VOT2018")
    sequences = list(benchmark)[::3]
    trackers = read_vot_trackers(find_trackers(results, benchmark, ["DaSiamRPN", "SiamAPN"]), benchmark, Problems())
    runs = [(seq, tracker.sequences[seq.name].runs[0]) for tracker in trackers for seq in sequences]
    truth, predicted = concat([seq.regions for seq, _ in runs]), concat([run for _, run in runs])
    size = np.concatenate([np.tile(seq.image_size, (len(seq.regions), 1)) for seq, _ in runs]).astype(float)
    np.testing.assert_array_equal(raster_overlaps(predicted, truth, size),
                                  general_path_only(monkeypatch, predicted, truth, size))
    assert vo._fast_pairs(vo._Raster.of(predicted), vo._Raster.of(truth), size.T).sum() > 10000


def test_a_hash_collision_only_costs_sharing(monkeypatch):
    # With every key hashing alike, different polygons still get spans of their own.
    a, b, size = varied_pairs(2000, seed=6)
    expected = raster_overlaps(a, b, size)
    monkeypatch.setattr(vo, "_HASH", np.zeros_like(vo._HASH))
    np.testing.assert_array_equal(raster_overlaps(a, b, size), expected)
