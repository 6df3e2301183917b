"""The one order trackers are listed in: by a score, best first."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def rank_order(scores: Sequence[float] | np.ndarray, names: Sequence[str]) -> list[int]:
    """Indices of ``names`` by score descending; NaN scores last, ties by name."""

    def key(index: int) -> tuple[bool, float, str]:
        score = float(scores[index])
        missing = math.isnan(score)
        return missing, 0.0 if missing else -score, names[index]

    return sorted(range(len(names)), key=key)
