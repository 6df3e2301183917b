"""Where runs write: got10k-compatible result folders, atomic writes, resume by "file exists".

Both stores take every run of a sequence at once (a stochastic tracker runs a GOT-10k sequence
three times) and write them after the last one finished.

One-pass benchmarks: ``<out>/<tracker>/<seq>.txt`` (boxes, ``%.3f``, comma) and
``<out>/<tracker>/times/<seq>_time.txt`` (seconds per frame), the layout got10k's ExperimentOTB
writes and reads. The time file is written first and the result file last, each through a
temporary file and a rename, so a result file exists only for a finished sequence: a killed run
leaves nothing half-written, and resuming skips exactly the finished sequences. A sequence that
failed gets ``<out>/<tracker>/errors/<seq>.txt`` with the message instead; it is retried on resume.

GOT-10k: got10k's layout (:mod:`evalkit.results.got10k_layout`), whose time file is written last.
VOT: the supervised layout (:mod:`evalkit.results.vot_layout`), whose time file is written last.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from evalkit.regions import Regions
from evalkit.results import vot_layout
from evalkit.results.got10k_layout import TIME_FILE, write_got10k_sequence
from evalkit.textio import format_table, write_text_atomic

BOX_FORMAT = "%.3f"  # got10k ExperimentOTB._record
TIME_FORMAT = "%.8f"


class _Store:
    def __init__(self, folder: str | Path):
        self.folder = Path(folder)

    def error_path(self, seq_name: str) -> Path:
        return self.folder / "errors" / f"{seq_name}.txt"

    def write_error(self, seq_name: str, message: str) -> None:
        write_text_atomic(self.error_path(seq_name), message.rstrip() + "\n")

    def write(self, seq_name: str, outputs: list, times: list[np.ndarray]) -> None:
        """Store every run of a finished sequence (one output and one times vector per run)."""
        self._write(seq_name, outputs, times)
        self.error_path(seq_name).unlink(missing_ok=True)


class OpeStore(_Store):
    """``<tracker>/<seq>.txt`` + ``<tracker>/times/<seq>_time.txt``; one run per sequence."""

    def is_done(self, seq_name: str) -> bool:
        return (self.folder / f"{seq_name}.txt").is_file()

    def _write(self, seq_name: str, boxes: list[np.ndarray], times: list[np.ndarray]) -> None:
        (run_boxes,), (run_times,) = boxes, times
        write_text_atomic(self.folder / "times" / f"{seq_name}_time.txt", format_table(run_times[:, None], TIME_FORMAT))
        write_text_atomic(self.folder / f"{seq_name}.txt", format_table(run_boxes, BOX_FORMAT))


class Got10kStore(_Store):
    """``<tracker>/<seq>/<seq>_001.txt`` (one per run) + ``<seq>_time.txt`` (a column per run)."""

    def is_done(self, seq_name: str) -> bool:
        return (self.folder / seq_name / TIME_FILE.format(seq=seq_name)).is_file()

    def _write(self, seq_name: str, boxes: list[np.ndarray], times: list[np.ndarray]) -> None:
        write_got10k_sequence(self.folder.parent, self.folder.name, seq_name, boxes, np.column_stack(times))


class VotStore(_Store):
    """``<tracker>/baseline/<seq>/<seq>_001.txt`` (one per run) + ``<seq>_time.txt``."""

    def is_done(self, seq_name: str) -> bool:
        folder = self.folder / vot_layout.EXPERIMENT / seq_name
        return (folder / vot_layout.TIME_FILE.format(seq=seq_name)).is_file()

    def _write(self, seq_name: str, regions: list[Regions], times: list[np.ndarray]) -> None:
        vot_layout.write_vot_sequence(self.folder, seq_name, regions, np.column_stack(times))
