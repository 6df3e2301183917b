"""SiamFC's training labels: positive cells within 16 px of the score map's centre.

Source: SiamFC (Bertinetto et al., 2016) and siamfc-pytorch's ``_create_labels`` (``r_pos = 16``,
``total_stride = 8``, Euclidean distance from the centre cell, no ignore band since ``r_neg = 0``).
On a 15x15 (training) or 17x17 (tracking) map this marks 13 cells positive: the centre, its 4
neighbours at 1 cell, its 4 diagonal neighbours at sqrt(2) cells and the 4 cells at 2 cells.
"""

from __future__ import annotations

import numpy as np

POSITIVE_RADIUS = 16.0  # px; SiamFC r_pos
TOTAL_STRIDE = 8  # px per score-map cell; the AlexNet backbone's total stride


def label_map(size: int, radius: float = POSITIVE_RADIUS, stride: int = TOTAL_STRIDE) -> np.ndarray:
    """A ``size`` x ``size`` boolean map, True where ``stride`` x (distance to the centre) <= ``radius``."""
    offsets = np.arange(size) - (size - 1) / 2
    distance = np.hypot(offsets[:, None], offsets[None, :])
    return distance * stride <= radius
