"""A one-line progress display on stderr (sequences and frames/s), only on a terminal."""

from __future__ import annotations

import sys
import time

REFRESH_SECONDS = 0.5


class Progress:
    def __init__(self, label: str, sequences: int, frames: int, enabled: bool = True):
        self.label, self.sequences, self.frames = label, sequences, frames
        self.enabled = enabled and sys.stderr.isatty()
        self.done_sequences = self.done_frames = 0
        self.start = self._shown = time.perf_counter()

    def sequence_done(self, frames: int) -> None:
        self.done_sequences += 1
        self.done_frames += frames
        now = time.perf_counter()
        if self.enabled and (now - self._shown >= REFRESH_SECONDS or self.done_sequences == self.sequences):
            self._shown = now
            rate = self.done_frames / max(now - self.start, 1e-9)
            bar = "#" * int(20 * self.done_sequences / max(self.sequences, 1))
            sys.stderr.write(f"\r{self.label} [{bar:<20}] {self.done_sequences}/{self.sequences} sequences, "
                             f"{self.done_frames}/{self.frames} frames, {rate:.1f} frames/s")
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled and self.sequences:
            sys.stderr.write("\n")
