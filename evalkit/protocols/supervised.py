"""VOT's supervised protocol (the "baseline" experiment of VOT2016-2019): track with resets.

The tracker is initialised on frame 1's ground truth. On every later frame its prediction is
compared with the ground truth by a raster overlap bounded by the image; an overlap of zero or less
is a failure: the frame is recorded as ``2``, the next ``SKIP_AFTER_FAILURE - 1`` frames as
``0`` (skipped, the tracker is not called), and the tracker is re-initialised on the ground truth
``SKIP_AFTER_FAILURE`` frames after the failure (recorded as ``1``). A NaN or infinite prediction
overlaps nothing: it is a failure too.

Like :class:`~evalkit.protocols.ope.OpeRun`, a run is a small state machine driven by ``action()``
(``("init", box)``, ``("update", None)`` or ``("skip", None)``) and ``record(box, seconds)``, so a
batched runner keeps many sequences in flight, each slot tracking, skipping or re-initialising.
"""

from __future__ import annotations

import numpy as np

from evalkit.benchmarks.sequence import Sequence
from evalkit.metrics.pysot_overlap import pysot_raster_overlaps
from evalkit.metrics.vot_overlap import raster_overlaps
from evalkit.regions import (
    FAILURE,
    INITIALIZED,
    RECTANGLE,
    SKIPPED,
    SPECIAL,
    Regions,
    concat,
    from_boxes,
)

SKIP_AFTER_FAILURE = 5  # frames from a failure to the re-initialisation (VOT toolkits: skip_initialize 5)
FAILURE_OVERLAP = 0.0  # an overlap at or below this is a failure (VOT toolkits: failure_overlap 0)
REPETITIONS = 15  # runs of a stochastic tracker per sequence (VOT2016-2019 baseline experiment)

# The overlap that judges failures, given the image size: pysot-toolkit passes (W, H) as its bound.
FAILURE_OVERLAPS = {"pysot": pysot_raster_overlaps, "vot": raster_overlaps}

# Polygon -> axis-aligned initialisation box: the two conventions trackers use.
INIT_BOXES = {
    "area": "area-preserving box centred on the polygon's mean (pysot-toolkit, SiamRPN-family code)",
    "tight": "the polygon's tight min/max bounding box (vot-toolkit's polygon-to-rectangle conversion)",
}


def init_box(regions: Regions, convention: str) -> np.ndarray:
    """(n, 4) x, y, w, h initialisation boxes of ground-truth regions; rectangles are kept."""
    if convention not in INIT_BOXES:
        raise ValueError(f"unknown init box convention {convention!r}; choose one of: {', '.join(INIT_BOXES)}")
    boxes = regions.bounding_boxes()
    polygon = regions.kind != RECTANGLE
    if convention == "tight" or not polygon.any():
        return boxes
    corners = regions.values[polygon]
    xs, ys = corners[:, 0::2], corners[:, 1::2]
    cx, cy = xs.mean(axis=1), ys.mean(axis=1)
    x1, x2, y1, y2 = xs.min(axis=1), xs.max(axis=1), ys.min(axis=1), ys.max(axis=1)
    # pysot-toolkit get_axis_aligned_bbox: scale the min/max box to the polygon's area (side lengths
    # of its first two edges), +1 px, and centre it on the corner mean.
    side1 = np.hypot(xs[:, 0] - xs[:, 1], ys[:, 0] - ys[:, 1])
    side2 = np.hypot(xs[:, 1] - xs[:, 2], ys[:, 1] - ys[:, 2])
    scale = np.sqrt(side1 * side2 / ((x2 - x1) * (y2 - y1)))
    w, h = scale * (x2 - x1) + 1, scale * (y2 - y1) + 1
    boxes[polygon] = np.stack([cx - (w - 1) / 2, cy - (h - 1) / 2, w, h], axis=1)
    return boxes


class SupervisedRun:
    """One supervised run of one VOT sequence; ``regions`` and ``times`` are its result."""

    def __init__(self, seq: Sequence, init_convention: str = "area", failure_overlap: str = "pysot"):
        if seq.regions is None:
            raise ValueError(f"{seq.name} has no VOT regions")
        self.seq = seq
        self._init_boxes = init_box(seq.regions, init_convention)
        self._overlap = FAILURE_OVERLAPS[failure_overlap]
        self._bounds = None if seq.image_size is None else np.array([seq.image_size], dtype=np.float64)
        n = len(seq.regions)
        self.regions = Regions(np.full(n, SPECIAL, np.int8), np.full((n, 8), np.nan))
        self.regions.values[:, 0] = SKIPPED
        self.times = np.zeros(n)
        self.frame = 0
        self._next_init = 0
        self.failures = 0
        self.invalid_outputs = 0  # frames where the tracker returned NaN or inf (each a failure)

    @property
    def finished(self) -> bool:
        return self.frame >= len(self.regions)

    @property
    def output(self) -> Regions:
        return self.regions

    def action(self) -> tuple[str, np.ndarray | None]:
        if self.frame == self._next_init:
            return "init", self._init_boxes[self.frame]
        if self.frame < self._next_init:
            return "skip", None
        return "update", None

    def record(self, box: np.ndarray | None, seconds: float) -> None:
        """Store the outcome of the current frame: None after ``init`` or ``skip``, else the
        tracker's 0-based x, y, w, h box."""
        if self.frame == self._next_init:
            self.regions.values[self.frame, 0] = INITIALIZED
        elif self.frame > self._next_init:
            box = np.asarray(box, dtype=np.float64).reshape(4)
            self._store(box, _current_overlaps([self], [box])[0])
        self.times[self.frame] = seconds
        self.frame += 1

    @staticmethod
    def record_many(runs: list["SupervisedRun"], boxes: list[np.ndarray], seconds: float) -> None:
        """``record`` for several runs at an update frame each, their overlaps judged in one
        vectorised call (a batched runner's step)."""
        boxes = [np.asarray(box, dtype=np.float64).reshape(4) for box in boxes]
        for run, box, overlap in zip(runs, boxes, _current_overlaps(runs, boxes)):
            run._store(box, overlap)
            run.times[run.frame] = seconds
            run.frame += 1

    def _store(self, box: np.ndarray, overlap: float) -> None:
        frame = self.frame
        if not np.isfinite(box).all():
            self.invalid_outputs += 1
        if overlap > FAILURE_OVERLAP:
            self.regions.kind[frame] = RECTANGLE
            self.regions.values[frame, :4] = box
        else:
            self.regions.values[frame, 0] = FAILURE
            self.failures += 1
            self._next_init = frame + SKIP_AFTER_FAILURE


def _current_overlaps(runs: list[SupervisedRun], boxes: list[np.ndarray]) -> np.ndarray:
    """Each run's overlap of its box with its current frame's ground truth (0 for a NaN or
    infinite box), one call per overlap kind and bounded/unbounded group."""
    out = np.zeros(len(runs))
    groups: dict[tuple, list[int]] = {}
    for index, (run, box) in enumerate(zip(runs, boxes)):
        if np.isfinite(box).all():
            groups.setdefault((run._overlap, run._bounds is None), []).append(index)
    for (overlap, unbounded), members in groups.items():
        predicted = from_boxes(np.stack([boxes[i] for i in members]))
        truth = concat([runs[i].seq.regions[runs[i].frame:runs[i].frame + 1] for i in members])
        bounds = None if unbounded else np.concatenate([runs[i]._bounds for i in members])
        out[members] = overlap(predicted, truth, bounds)
    return out
