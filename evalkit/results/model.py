"""Raw tracking results as evalkit holds them after reading, whatever layout they came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


@dataclass
class SequenceResult:
    """One tracker's output on one sequence.

    ``runs`` holds one (n, 4) float array of (x, y, w, h) per run, aligned to the sequence's
    evaluated frames: row i is frame i; a NaN row means no prediction for that frame (this is how
    missing trailing rows are represented). VOT supervised runs are
    :class:`~evalkit.regions.Regions` (codes and regions) instead. ``times`` are per-frame seconds of all runs together
    (None without time files). ``paths`` are the files the runs were read from.
    """

    runs: list
    paths: list[Path]
    times: np.ndarray | None = None


@dataclass
class TrackerResults:
    """All results of one tracker on one benchmark, keyed by canonical sequence name.

    ``unusable`` says why the tracker cannot be scored (VOT: a missing or malformed run file)."""

    name: str
    folder: Path
    sequences: dict[str, SequenceResult] = field(default_factory=dict)
    unusable: str | None = None
