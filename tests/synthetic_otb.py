"""A small OTB root made from the fact table alone: every OTB2015 target with synthetic boxes."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from evalkit.benchmarks.otb import fact_table


def write_synthetic_otb_root(root: Path, seed: int = 0, frames: int | None = None) -> Path:
    """Annotation files for all 100 targets (random walks of boxes, 1-based like OTB).

    ``frames`` shortens every sequence to that many rows; the fact table's ranges then no longer
    hold, so only pass it for tests that expect the loader to complain.
    """
    rng = np.random.default_rng(seed)
    for row in fact_table():
        count = frames or int(row["last_frame"]) - int(row["first_frame"]) + 1 + int(row["gt_skip"])
        gt = synthetic_track(rng, count)
        path = root / row["folder"] / row["gt_file"]
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savetxt(path, gt, fmt="%.2f", delimiter=",")
    return root


def synthetic_track(rng: np.random.Generator, count: int) -> np.ndarray:
    steps = rng.normal(0, 3, size=(count, 2)).cumsum(axis=0)
    size = np.abs(rng.normal(0, 0.5, size=(count, 2)).cumsum(axis=0)) + 40
    return np.column_stack([200 + steps, size])


def write_results(results: Path, tracker: str, benchmark, rng: np.random.Generator, noise: float) -> Path:
    """A tracker folder with one file per sequence: gt plus Gaussian noise."""
    folder = results / tracker
    folder.mkdir(parents=True, exist_ok=True)
    for seq in benchmark:
        boxes = seq.gt + rng.normal(0, noise, size=seq.gt.shape)
        np.savetxt(folder / f"{seq.name}.txt", boxes, fmt="%.3f", delimiter=",")
    return folder
