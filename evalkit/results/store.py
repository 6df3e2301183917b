"""Where runs write: got10k-compatible result folders, atomic writes, resume by "file exists".

One-pass benchmarks: ``<out>/<tracker>/<seq>.txt`` (boxes, ``%.3f``, comma) and
``<out>/<tracker>/times/<seq>_time.txt`` (seconds per frame), the layout got10k's ExperimentOTB
writes and reads. The time file is written first and the result file last, each through a
temporary file and a rename, so a result file exists only for a finished sequence: a killed run
leaves nothing half-written, and resuming skips exactly the finished sequences. A sequence that
failed gets ``<out>/<tracker>/errors/<seq>.txt`` with the message instead; it is retried on resume.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from evalkit.textio import format_table, write_text_atomic

BOX_FORMAT = "%.3f"
TIME_FORMAT = "%.8f"


class OpeStore:
    def __init__(self, folder: str | Path):
        self.folder = Path(folder)

    def result_path(self, seq_name: str) -> Path:
        return self.folder / f"{seq_name}.txt"

    def error_path(self, seq_name: str) -> Path:
        return self.folder / "errors" / f"{seq_name}.txt"

    def is_done(self, seq_name: str) -> bool:
        return self.result_path(seq_name).is_file()

    def write(self, seq_name: str, boxes: np.ndarray, times: np.ndarray) -> None:
        write_text_atomic(self.folder / "times" / f"{seq_name}_time.txt", format_table(times[:, None], TIME_FORMAT))
        write_text_atomic(self.result_path(seq_name), format_table(boxes, BOX_FORMAT))
        self.error_path(seq_name).unlink(missing_ok=True)

    def write_error(self, seq_name: str, message: str) -> None:
        write_text_atomic(self.error_path(seq_name), message.rstrip() + "\n")
