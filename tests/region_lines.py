"""Regions written as Python lists in tests: one number (a code), 4 (a rectangle) or 8 (a polygon)."""

from __future__ import annotations

import numpy as np

from evalkit.regions import POLYGON, RECTANGLE, SPECIAL, Regions

DIAMOND = [10, 0, 20, 10, 10, 20, 0, 10]  # (10,0) (20,10) (10,20) (0,10)


def regions(*lines) -> Regions:
    kinds = {1: SPECIAL, 4: RECTANGLE, 8: POLYGON}
    values = np.full((len(lines), 8), np.nan)
    for i, line in enumerate(lines):
        values[i, :len(line)] = line
    return Regions(np.array([kinds[len(line)] for line in lines], np.int8), values)
