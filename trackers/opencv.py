"""OpenCV's built-in trackers: `opencv-mil` (no weights) and `nanotrack` (two ONNX files).

OpenCV trackers take BGR images and integer boxes; they report failure by returning False, which
evalkit records as a frame without a prediction (NaN).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from evalkit.errors import EvalkitError
from evalkit.trackers import Tracker, as_rgb_array


class OpenCVTracker(Tracker):
    """Adapter for a ``cv2.Tracker`` made by ``make()`` at every ``init``."""

    is_deterministic = True

    def __init__(self, name: str, make):
        self.name = name
        self._make = make
        self._tracker = None

    def init(self, image, box) -> None:
        self._tracker = self._make()
        x, y, w, h = (int(round(v)) for v in box)
        self._tracker.init(cv2.cvtColor(as_rgb_array(image), cv2.COLOR_RGB2BGR), (x, y, max(w, 1), max(h, 1)))

    def update(self, image) -> np.ndarray:
        found, box = self._tracker.update(cv2.cvtColor(as_rgb_array(image), cv2.COLOR_RGB2BGR))
        return np.array(box, dtype=np.float64) if found else np.full(4, np.nan)


def create_mil() -> OpenCVTracker:
    """OpenCV's MIL tracker (Babenko et al.), no weights needed."""
    return OpenCVTracker("opencv-mil", cv2.TrackerMIL_create)


def create_nanotrack(weights: str | Path | None = None) -> OpenCVTracker:
    """OpenCV's NanoTrack; ``weights`` is a folder with the backbone and head ONNX files."""
    if weights is None:
        raise EvalkitError("nanotrack needs --weights DIR holding its backbone and head ONNX files "
                           "(e.g. nanotrack_backbone_sim.onnx, nanotrack_head_sim.onnx)")
    folder = Path(weights)
    backbone = sorted(folder.glob("*backbone*.onnx"))
    head = sorted(folder.glob("*head*.onnx"))
    if not backbone or not head:
        raise EvalkitError("no *backbone*.onnx and *head*.onnx files here", folder)
    params = cv2.TrackerNano_Params()
    params.backbone, params.neckhead = str(backbone[0]), str(head[0])

    def make():
        try:
            return cv2.TrackerNano_create(params)
        except cv2.error as exc:
            raise EvalkitError(f"OpenCV cannot load these NanoTrack files: {exc.err}", folder) from None

    return OpenCVTracker("nanotrack", make)
