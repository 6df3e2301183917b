"""`got10k`: run any got10k ``Tracker`` subclass through evalkit (``--tracker-class module:Class``).

got10k trackers already speak evalkit's interface (``name``, ``is_deterministic``, ``init``,
``update``); they expect PIL images, so frames are handed over as PIL images.
"""

from __future__ import annotations

import importlib

import numpy as np

from evalkit.errors import EvalkitError
from evalkit.trackers import Tracker


class Got10kTracker(Tracker):
    def __init__(self, tracker) -> None:
        self._tracker = tracker
        self.name = tracker.name
        self.is_deterministic = tracker.is_deterministic

    def init(self, image, box) -> None:
        self._tracker.init(_to_pil(image), np.asarray(box, dtype=np.float64))

    def update(self, image) -> np.ndarray:
        return np.asarray(self._tracker.update(_to_pil(image)), dtype=np.float64)


def _to_pil(image):
    from PIL import Image

    return Image.fromarray(image) if isinstance(image, np.ndarray) else image


def create(tracker_class: str | None = None, **options) -> Got10kTracker:
    """Wrap ``tracker_class`` ("package.module:ClassName"), built with ``options``."""
    if not tracker_class or ":" not in tracker_class:
        raise EvalkitError("the got10k wrapper needs tracker_class='package.module:ClassName'")
    module_name, class_name = tracker_class.split(":", 1)
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as exc:
        raise EvalkitError(f"cannot import {tracker_class}: {exc}") from None
    return Got10kTracker(cls(**options))
