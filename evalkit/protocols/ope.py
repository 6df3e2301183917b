"""One-pass evaluation (OPE): initialise on frame 1's ground truth, then update on every frame.

A protocol object drives one run of one sequence: ``action()`` says what the tracker must do on
the current frame (``("init", box)`` or ``("update", None)``), ``record(box, seconds)`` stores the
outcome and moves on. Boxes given to and taken from trackers are 0-based; results are stored in
the benchmark's own pixel convention (OTB: 1-based), the first row being the ground truth as the
OTB and got10k toolkits write it.
"""

from __future__ import annotations

import numpy as np

from evalkit.benchmarks.sequence import Sequence


class OpeRun:
    def __init__(self, seq: Sequence, pixel_origin: int = 0):
        self.seq = seq
        self._offset = np.array([pixel_origin, pixel_origin, 0, 0], dtype=np.float64)
        self.boxes = np.full((len(seq.frames), 4), np.nan)
        self.times = np.zeros(len(seq.frames))
        self.frame = 0
        self.invalid_outputs = 0  # frames where the tracker returned NaN or inf

    @property
    def finished(self) -> bool:
        return self.frame >= len(self.seq.frames)

    @property
    def output(self) -> np.ndarray:
        return self.boxes

    def action(self) -> tuple[str, np.ndarray | None]:
        if self.frame == 0:
            return "init", self.seq.gt[0] - self._offset
        return "update", None

    @staticmethod
    def record_many(runs: list["OpeRun"], boxes: list[np.ndarray], seconds: float) -> None:
        """``record`` for several runs at an update frame each (a batched runner's step)."""
        for run, box in zip(runs, boxes):
            run.record(box, seconds)

    def record(self, box: np.ndarray | None, seconds: float) -> None:
        """Store the tracker's 0-based box for the current frame (None after ``init``)."""
        if self.frame == 0:
            self.boxes[0] = self.seq.gt[0]
        else:
            box = np.asarray(box, dtype=np.float64).reshape(4)
            if not np.isfinite(box).all():
                self.invalid_outputs += 1
                box = np.full(4, np.nan)
            self.boxes[self.frame] = box + self._offset
        self.times[self.frame] = seconds
        self.frame += 1
