"""Axis-aligned boxes (x, y, w, h) as float arrays of shape (..., 4): centres and overlaps.

Each toolkit computes IoU with its own arithmetic; where that changes a threshold decision the
difference is visible in the curves, so every variant below follows its toolkit's operation order.
"""

from __future__ import annotations

import numpy as np


def centers(boxes: np.ndarray) -> np.ndarray:
    """Box centres as OTB, got10k and pysot define them: (x + (w - 1) / 2, y + (h - 1) / 2)."""
    return boxes[..., :2] + (boxes[..., 2:] - 1) / 2


def center_errors(boxes: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """Euclidean distance between the centres of ``boxes`` and ``gt`` (pixels)."""
    diff = centers(boxes) - centers(gt)
    return np.sqrt(diff[..., 0] ** 2 + diff[..., 1] ** 2)


def iou(boxes: np.ndarray, gt: np.ndarray, eps: float = 0.0) -> np.ndarray:
    """IoU of continuous boxes [x, x + w) x [y, y + h), clipped to [0, 1].

    ``eps`` is added to the union (got10k adds float64 machine epsilon; pysot adds nothing).
    NaN coordinates give NaN, which no threshold counts as a success.
    """
    x1 = np.maximum(boxes[..., 0], gt[..., 0])
    y1 = np.maximum(boxes[..., 1], gt[..., 1])
    x2 = np.minimum(boxes[..., 0] + boxes[..., 2], gt[..., 0] + gt[..., 2])
    y2 = np.minimum(boxes[..., 1] + boxes[..., 3], gt[..., 1] + gt[..., 3])
    inter = np.maximum(x2 - x1, 0) * np.maximum(y2 - y1, 0)
    union = boxes[..., 2] * boxes[..., 3] + gt[..., 2] * gt[..., 3] - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.clip(inter / (union + eps), 0.0, 1.0)


def iou_matlab(boxes: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """IoU exactly as the OTB MATLAB toolkit's ``calcRectInt`` computes it.

    Pixel-inclusive right/bottom edges (x + w - 1), MATLAB's NaN-ignoring ``max``/``min``
    (``np.fmax``/``np.fmin``), and no clipping.
    """
    right_a = boxes[..., 0] + boxes[..., 2] - 1
    bottom_a = boxes[..., 1] + boxes[..., 3] - 1
    right_b = gt[..., 0] + gt[..., 2] - 1
    bottom_b = gt[..., 1] + gt[..., 3] - 1
    inter_w = np.fmax(0, np.fmin(right_a, right_b) - np.fmax(boxes[..., 0], gt[..., 0]) + 1)
    inter_h = np.fmax(0, np.fmin(bottom_a, bottom_b) - np.fmax(boxes[..., 1], gt[..., 1]) + 1)
    inter = inter_w * inter_h
    area_a = boxes[..., 2] * boxes[..., 3]
    area_b = gt[..., 2] * gt[..., 3]
    with np.errstate(divide="ignore", invalid="ignore"):
        return inter / (area_a + area_b - inter)


def clip_to_image(boxes: np.ndarray, width: np.ndarray | float, height: np.ndarray | float) -> np.ndarray:
    """Clip boxes to the image [0, width] x [0, height] as got10k's GOT-10k experiment does."""
    out = np.array(boxes, dtype=np.float64, copy=True)
    out[..., 0] = np.clip(out[..., 0], 0, width)
    out[..., 1] = np.clip(out[..., 1], 0, height)
    out[..., 2] = np.clip(out[..., 2], 0, width - out[..., 0])
    out[..., 3] = np.clip(out[..., 3], 0, height - out[..., 1])
    return out


def corners_to_xywh(boxes: np.ndarray) -> np.ndarray:
    """(x1, y1, x2, y2) -> (x, y, w, h)."""
    out = np.array(boxes, dtype=np.float64, copy=True)
    out[..., 2:] = out[..., 2:] - out[..., :2]
    return out
