"""Image crops as SiamFC's tracking procedure takes them (OpenCV, uint8, mean-colour padding)."""

from __future__ import annotations

import cv2
import numpy as np


def crop_and_resize(image: np.ndarray, center: np.ndarray, size, out_size: int,
                    fill: np.ndarray) -> np.ndarray:
    """The square of side ``round(size)`` centred at ``center`` (y, x; 0-based pixels), padded with
    ``fill`` where it leaves the image, resized to ``out_size`` with OpenCV's bilinear filter.

    Rounding (half to even), padding by the largest overshoot on all four sides, and uint8
    resizing follow siamfc-pytorch, so that its checkpoints track exactly as there.
    """
    size = round(size)
    top_left = np.round(center - (size - 1) / 2)
    corners = np.round(np.concatenate((top_left, top_left + size))).astype(int)
    overshoot = np.concatenate((-corners[:2], corners[2:] - image.shape[:2]))
    pad = max(0, int(overshoot.max()))
    if pad > 0:
        image = cv2.copyMakeBorder(image, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=fill)
    corners = corners + pad
    patch = image[corners[0]:corners[2], corners[1]:corners[3]]
    return cv2.resize(patch, (out_size, out_size), interpolation=cv2.INTER_LINEAR)
