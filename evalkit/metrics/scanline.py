"""Scan-line primitives both VOT raster overlaps use (vot-toolkit's and pysot-toolkit's)."""

from __future__ import annotations

import numpy as np

NO_NODE = 1 << 62  # stands for a missing node: sorts after every real one


def span_length(first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Pixels from column ``first`` to ``last``, both included (0 when last < first)."""
    return np.maximum(last - first + 1, 0)


def two_span_sizes(a, b) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pixels in A, in B and in both on each row, where A and B are each two disjoint spans
    ``(first1, last1, first2, last2)``."""
    size_a = span_length(a[0], a[1]) + span_length(a[2], a[3])
    size_b = span_length(b[0], b[1]) + span_length(b[2], b[3])
    both = sum(span_length(np.maximum(a[i], b[j]), np.minimum(a[i + 1], b[j + 1])) for i in (0, 2) for j in (0, 2))
    return size_a, size_b, both


def sort4(a: np.ndarray, b: np.ndarray, c: np.ndarray, d: np.ndarray):
    """Four arrays sorted elementwise (a sorting network): the scan-line nodes of a 4-point polygon."""
    a, b = np.minimum(a, b), np.maximum(a, b)
    c, d = np.minimum(c, d), np.maximum(c, d)
    a, c = np.minimum(a, c), np.maximum(a, c)
    b, d = np.minimum(b, d), np.maximum(b, d)
    b, c = np.minimum(b, c), np.maximum(b, c)
    return a, b, c, d
