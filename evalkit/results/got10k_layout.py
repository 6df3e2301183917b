"""got10k's result layout, read and written, and the GOT-10k server's submission zip.

``<tracker>/<seq>/<seq>_001.txt`` (``_002``, ``_003`` for further runs of a stochastic tracker):
one ``x,y,w,h`` row per frame, ``%.3f``; ``<seq>/<seq>_time.txt``: one row per frame, one column
of seconds per run, ``%.8f`` (got10k ``ExperimentGOT10k._record``). The server wants a zip made
from inside ``<tracker>/`` and rejects names with spaces without saying why.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Sequence as SequenceOf

import numpy as np

from evalkit.benchmarks.sequence import Benchmark, Sequence
from evalkit.errors import EvalkitError, Problems
from evalkit.results.model import SequenceResult, TrackerResults
from evalkit.textio import format_table, read_table, write_bytes_atomic, write_text_atomic

# got10k ExperimentGOT10k._record: file names and number formats.
RUN_FILE = "{seq}_{run:03d}.txt"
TIME_FILE = "{seq}_time.txt"
BOX_FORMAT = "%.3f"
TIME_FORMAT = "%.8f"


def write_got10k_sequence(
    out_dir: str | Path, tracker: str, seq_name: str, runs: SequenceOf[np.ndarray],
    times: np.ndarray | None = None,
) -> Path:
    """Write one sequence's runs (and per-frame times, a column per run) atomically; return its folder."""
    folder = Path(out_dir) / tracker / seq_name
    time_table = None if times is None else _time_columns(times, len(runs), seq_name)
    for number, boxes in enumerate(runs, start=1):
        write_text_atomic(folder / RUN_FILE.format(seq=seq_name, run=number), format_table(boxes, BOX_FORMAT))
    if time_table is not None:
        write_text_atomic(folder / TIME_FILE.format(seq=seq_name), format_table(time_table, TIME_FORMAT))
    return folder


def _time_columns(times: np.ndarray, runs: int, seq_name: str) -> np.ndarray:
    """Per-frame times as a (frames, runs) table; one run's times may come as a vector."""
    table = np.asarray(times, dtype=np.float64)
    table = table[:, None] if table.ndim == 1 else table
    if table.shape[1] != runs:
        raise EvalkitError(f"{table.shape[1]} time columns for {runs} runs of {seq_name}")
    return table


def write_got10k_results(out_dir: str | Path, results: TrackerResults) -> Path:
    """Write all sequences of ``results`` under ``out_dir/<tracker>/``; return that tracker folder."""
    for seq_name, result in results.sequences.items():
        write_got10k_sequence(out_dir, results.name, seq_name, result.runs, result.times)
    return Path(out_dir) / results.name


def read_got10k_results(tracker_dir: str | Path, benchmark: Benchmark, problems: Problems | None = None) -> TrackerResults:
    """Read every sequence of ``benchmark`` from a got10k-layout tracker folder.

    Runs come in ``_001, _002, ...`` order; the time file is optional. Each file needs one row per
    frame of the sequence (for the test split: per image on disk, unchecked without images): a
    short file is padded with NaN rows (no prediction) and reported to ``problems``, a long one
    is an error; a sequence without results is an error (the GOT-10k server needs them all).
    """
    problems = Problems() if problems is None else problems
    tracker_dir = Path(tracker_dir)
    if not tracker_dir.is_dir():
        raise EvalkitError("results folder not found", tracker_dir)
    sequences = {seq.name: _read_sequence(tracker_dir, seq, problems) for seq in benchmark}
    return TrackerResults(name=tracker_dir.name, folder=tracker_dir, sequences=sequences)


def _read_sequence(tracker_dir: Path, seq: Sequence, problems: Problems) -> SequenceResult:
    folder = tracker_dir / seq.name
    paths = _run_files(folder, seq.name)
    if not paths:
        expected = f"{seq.name}/{RUN_FILE.format(seq=seq.name, run=1)}"
        raise EvalkitError(f"no results for sequence {seq.name} (expected {expected})", tracker_dir)
    rows = len(seq) or None
    runs = [_fit_rows(read_table(path), rows, path, problems) for path in paths]
    time_path = folder / TIME_FILE.format(seq=seq.name)
    times = None
    if time_path.is_file():
        times = _fit_rows(read_table(time_path, columns=len(paths)), rows, time_path, problems)
    return SequenceResult(runs=runs, paths=paths, times=times)


def _run_files(folder: Path, seq_name: str) -> list[Path]:
    """``<seq>_<number>.txt`` files of ``folder`` by run number."""
    pattern = re.compile(re.escape(seq_name) + r"_(\d+)\.txt")
    if not folder.is_dir():
        return []
    numbered = [(int(m.group(1)), p) for p in folder.iterdir() if (m := pattern.fullmatch(p.name))]
    return [path for _, path in sorted(numbered)]


def _fit_rows(table: np.ndarray, rows: int | None, path: Path, problems: Problems) -> np.ndarray:
    """``table`` with ``rows`` rows: short tables padded with NaN (and reported), long ones refused."""
    if rows is None or len(table) == rows:
        return table
    if len(table) > rows:
        raise EvalkitError(
            f"{len(table)} rows for a sequence of {rows} frames: delete the last {len(table) - rows} rows "
            "or check that the file belongs to this sequence and split", path)
    problems.add(path.parent.parent, "fewer rows than frames; missing trailing frames scored as without a prediction",
                 f"{path.name} ({len(table)}/{rows})")
    return np.vstack([table, np.full((rows - len(table), table.shape[1]), np.nan)])


def make_submission_zip(tracker_dir: str | Path, zip_path: str | Path) -> Path:
    """Zip a tracker folder's files as the GOT-10k server wants them (``<seq>/<seq>_001.txt`` ...).

    Entries are relative to inside ``tracker_dir``; hidden files (e.g. an interrupted write's
    ``.*.tmp``) are left out. The zip is written to a temporary file and renamed into place.
    """
    tracker_dir, zip_path = Path(tracker_dir), Path(zip_path)
    if not tracker_dir.is_dir():
        raise EvalkitError("results folder not found", tracker_dir)
    if zip_path.resolve().is_relative_to(tracker_dir.resolve()):
        raise EvalkitError("the submission zip must be written outside the tracker folder it zips", zip_path)
    names = sorted(
        path.relative_to(tracker_dir).as_posix() for path in tracker_dir.rglob("*")
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(tracker_dir).parts)
    )
    if not names:
        raise EvalkitError("no result files to zip", tracker_dir)
    spaced = [name for name in [*names, zip_path.name] if " " in name]
    if spaced:
        shown = ", ".join(repr(name) for name in spaced[:5]) + (", ..." if len(spaced) > 5 else "")
        raise EvalkitError(f"the GOT-10k server rejects names with spaces; rename {shown}", tracker_dir)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            archive.write(tracker_dir / name, name)
    write_bytes_atomic(zip_path, buffer.getvalue())
    return zip_path
