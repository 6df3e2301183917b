"""Frame decoding: each frame read and decoded once, in worker threads ahead of the tracker."""

from __future__ import annotations

from collections import deque
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Iterator, Sequence

import cv2
import numpy as np

from evalkit.errors import EvalkitError

_JPEG_END = b"\xff\xd9"
PREFETCH_AHEAD = 8  # frames decoded ahead per sequence


def read_frame(path: Path) -> np.ndarray:
    """An RGB uint8 image; a missing, truncated or undecodable file is an error naming it."""
    try:
        data = np.fromfile(path, dtype=np.uint8)
    except OSError:
        raise EvalkitError("frame not found or unreadable", path) from None
    if path.suffix.lower() in (".jpg", ".jpeg") and data[-2:].tobytes() != _JPEG_END:
        raise EvalkitError("truncated JPEG (no end-of-image marker)", path)
    image = cv2.imdecode(data, cv2.IMREAD_COLOR)
    if image is None:
        raise EvalkitError("cannot decode image", path)
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


class Prefetcher:
    """Iterate a sequence's frames in order, keeping ``ahead`` decodes in flight on ``executor``."""

    def __init__(self, paths: Sequence[Path], executor: Executor, ahead: int = PREFETCH_AHEAD):
        self._paths = paths
        self._executor = executor
        self._ahead = ahead
        self._next = 0
        self._pending: deque[Future] = deque()

    def _fill(self) -> None:
        while len(self._pending) < self._ahead and self._next < len(self._paths):
            self._pending.append(self._executor.submit(read_frame, Path(self._paths[self._next])))
            self._next += 1

    def next(self) -> np.ndarray:
        self._fill()
        frame = self._pending.popleft().result()
        self._fill()
        return frame

    def skip(self) -> None:
        """Pass over the next frame without waiting for it (its decode is cancelled if not begun)."""
        self._fill()
        self._pending.popleft().cancel()
        self._fill()

    def close(self) -> None:
        for future in self._pending:
            future.cancel()
        self._pending.clear()

    def __iter__(self) -> Iterator[np.ndarray]:
        for _ in range(len(self._paths)):
            yield self.next()
