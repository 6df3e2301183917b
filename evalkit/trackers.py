"""The common tracker interface (call-compatible with got10k's) and the tracker registry.

A tracker has a ``name``, says whether it ``is_deterministic``, and implements
``init(image, box)`` and ``update(image) -> box``: images are RGB numpy arrays (PIL images are
accepted too), boxes are 0-based (x, y, w, h) floats. A tracker that can follow K independent
sequences at once also implements the batched form, ``init_slots`` / ``update_slots``, which the
batched runner uses to keep many sequences in flight (one backbone pass per step on a GPU).

Trackers are registered by name with :func:`register_tracker`, or by a third-party package through
the ``evalkit.trackers`` entry-point group (the entry point names a factory, see
docs/adding-a-tracker.md).
"""

from __future__ import annotations

import time
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Callable, Sequence

import numpy as np

from evalkit.errors import EvalkitError

ENTRY_POINT_GROUP = "evalkit.trackers"


class Tracker:
    """Base class of single-object trackers; subclasses implement ``init`` and ``update``."""

    name: str = "tracker"
    is_deterministic: bool = True

    def init(self, image: np.ndarray, box: np.ndarray) -> None:
        raise NotImplementedError

    def update(self, image: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def track(self, img_files: Sequence[str], box: np.ndarray, visualize: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """got10k's ``Tracker.track``: boxes and seconds per frame, so got10k experiments can run
        an evalkit tracker as it is (frame 1's row is the given box)."""
        from PIL import Image

        boxes = np.zeros((len(img_files), 4))
        boxes[0] = box
        times = np.zeros(len(img_files))
        for index, path in enumerate(img_files):
            image = np.asarray(Image.open(path).convert("RGB"))
            start = time.perf_counter()
            if index == 0:
                self.init(image, np.asarray(box, dtype=np.float64))
            else:
                boxes[index] = self.update(image)
            times[index] = time.perf_counter() - start
        return boxes, times


class BatchedTracker(Tracker):
    """A tracker that also follows several independent sequences at once.

    Each sequence lives in a slot (a small integer chosen by the runner); ``init_slots`` (re)starts
    the given slots, ``update_slots`` advances them by one frame each and returns one box per slot.
    The single-sequence ``init``/``update`` are slot 0.
    """

    def init_slots(self, slots: Sequence[int], images: Sequence[np.ndarray], boxes: np.ndarray) -> None:
        raise NotImplementedError

    def update_slots(self, slots: Sequence[int], images: Sequence[np.ndarray]) -> np.ndarray:
        raise NotImplementedError

    def release_slots(self, slots: Sequence[int]) -> None:
        """Forget the state of finished slots (optional)."""

    def init(self, image: np.ndarray, box: np.ndarray) -> None:
        self.init_slots([0], [image], np.asarray(box, dtype=np.float64)[None])

    def update(self, image: np.ndarray) -> np.ndarray:
        return self.update_slots([0], [image])[0]


def as_rgb_array(image: Any) -> np.ndarray:
    """A numpy RGB array from a numpy array or a PIL image."""
    if isinstance(image, np.ndarray):
        return image
    return np.asarray(image.convert("RGB"))


TrackerFactory = Callable[..., Tracker]
_REGISTRY: dict[str, TrackerFactory] = {}


def register_tracker(name: str) -> Callable[[TrackerFactory], TrackerFactory]:
    """Decorator: make ``factory(**options) -> Tracker`` available as ``name`` in this process."""

    def decorate(factory: TrackerFactory) -> TrackerFactory:
        _REGISTRY[name] = factory
        return factory

    return decorate


def _entry_points() -> dict[str, EntryPoint]:
    return {entry.name: entry for entry in entry_points(group=ENTRY_POINT_GROUP)}


def tracker_names() -> list[str]:
    """Registered and installed (entry-point) tracker names."""
    return sorted(set(_REGISTRY) | set(_entry_points()))


def tracker_factory(name: str) -> TrackerFactory:
    """The factory of tracker ``name``; unknown names list the valid ones."""
    if name in _REGISTRY:
        return _REGISTRY[name]
    entry = _entry_points().get(name)
    if entry is None:
        raise EvalkitError(f"unknown tracker {name!r}; choose one of: {', '.join(tracker_names())}")
    try:
        return entry.load()
    except (ImportError, AttributeError) as exc:
        raise EvalkitError(f"cannot load tracker {name!r} from {entry.value}: {exc}") from None


def create_tracker(name: str, **options: Any) -> Tracker:
    """Build tracker ``name`` with ``options`` (e.g. ``weights``, ``device``)."""
    return tracker_factory(name)(**options)
