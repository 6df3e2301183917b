"""Profile rules on hand-made frames, and the pysot profile against pysot-toolkit's formulas
re-derived here one sequence at a time."""

from __future__ import annotations

import numpy as np
import pytest

from evalkit.metrics.ope import PROFILES, sequence_curves


def _curves(profile, boxes, gt):
    boxes, gt = np.asarray(boxes, float), np.asarray(gt, float)
    return sequence_curves(PROFILES[profile], boxes[None], gt, np.array([0, len(gt)]))


GT = [[10, 10, 20, 20], [12, 10, 20, 20], [14, 10, 20, 20], [16, 10, 20, 20]]


def test_otb_carries_the_previous_row_over_unusable_rows():
    nan, bad_w = [np.nan] * 4, [0, 0, -1, 5]
    carried = _curves("otb", [[0, 0, 1, 1], [12, 10, 20, 20], nan, bad_w], GT).success[0, 0]
    explicit = _curves("otb", [[0, 0, 1, 1], [12, 10, 20, 20], [12, 10, 20, 20], [12, 10, 20, 20]], GT).success[0, 0]
    np.testing.assert_array_equal(carried, explicit)


def test_otb_keeps_rows_with_only_some_nan_values_like_matlab():
    # MATLAB's `if` on a vector needs every element true: [NaN 3 20 20] is not replaced; with its
    # NaN-ignoring min/max the IoU of such a row is still computed from the other coordinates.
    partial = _curves("otb", [[10, 10, 20, 20], [np.nan, 10, 20, 20], GT[2], GT[3]], GT).success[0, 0]
    assert partial[0] == 1.0  # the x-less row still overlaps: MATLAB's fmax/fmin semantics


def test_otb_replaces_frame_one_and_masks_invalid_gt():
    gt = [[10, 10, 20, 20], [12, 10, 20, 20], [0, 0, 0, 0]]
    curves = _curves("otb", [[100, 100, 5, 5], [12, 10, 20, 20], [50, 50, 5, 5]], gt)
    assert curves.success[0, 0, 0] == pytest.approx(2 / 3)  # invalid frame: IoU -1, never a success
    assert curves.precision[0, 0, 0] == 1.0  # invalid frame: error -1, always within


def test_got10k_scores_nan_as_a_miss_and_pysot_keeps_frame_one():
    boxes = [[100, 100, 5, 5], [np.nan] * 4, GT[2], GT[3]]
    assert _curves("got10k", boxes, GT).success[0, 0, 0] == 0.75
    assert _curves("pysot", boxes, GT).success[0, 0, 0] == 0.5


def _pysot_reference(boxes, gt):
    """pysot-toolkit's OPEBenchmark, one sequence, from its published formulas."""
    n = len(gt)
    iou = np.full(n, -1.0)
    mask = np.sum(gt > 0, axis=1) == 4
    a, b = gt[mask], boxes[mask]
    left, right = np.maximum(a[:, 0], b[:, 0]), np.minimum(a[:, 0] + a[:, 2], b[:, 0] + b[:, 2])
    top, bottom = np.maximum(a[:, 1], b[:, 1]), np.minimum(a[:, 1] + a[:, 3], b[:, 1] + b[:, 3])
    inter = np.maximum(0, right - left) * np.maximum(0, bottom - top)
    iou[mask] = np.maximum(np.minimum(1, inter / (a[:, 2] * a[:, 3] + b[:, 2] * b[:, 3] - inter)), 0)
    success = [np.sum(iou > t) / n for t in np.arange(0, 1.05, 0.05)]

    def center(x):
        return np.array([x[:, 0] + (x[:, 2] - 1) / 2, x[:, 1] + (x[:, 3] - 1) / 2]).T

    def within(gc, rc, thresholds):
        dist = np.full(n, -1.0)
        m = np.sum(gc > 0, axis=1) == 2
        dist[m] = np.sqrt(np.sum(np.power(gc[m] - rc[m], 2), axis=1))
        return [np.sum(dist <= t) / n for t in thresholds]

    precision = within(center(gt), center(boxes), np.arange(0, 51, 1))
    wh = gt[:, 2:4] + 1e-16
    norm = within(center(gt) / wh, center(boxes) / wh, np.arange(0, 51, 1) / 100)
    return success, precision, norm


def test_pysot_profile_equals_pysot_formulas_on_random_tracks():
    rng = np.random.default_rng(7)
    lengths = [40, 1, 75, 12]
    gts, runs = [], []
    for n in lengths:
        gt = np.column_stack([rng.uniform(-5, 300, (n, 2)), rng.uniform(0, 60, (n, 2))])
        gt[rng.random(n) < 0.1] = 0
        boxes = gt + rng.normal(0, 8, gt.shape)
        boxes[rng.random(n) < 0.1] = np.nan
        gts.append(gt)
        runs.append(boxes)
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    curves = sequence_curves(PROFILES["pysot"], np.concatenate(runs)[None], np.concatenate(gts), offsets)
    for index, (boxes, gt) in enumerate(zip(runs, gts)):
        success, precision, norm = _pysot_reference(boxes, gt)
        np.testing.assert_array_equal(curves.success[0, index], success)
        np.testing.assert_array_equal(curves.precision[0, index], precision)
        np.testing.assert_array_equal(curves.norm_precision[0, index], norm)
