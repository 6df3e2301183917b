"""VOT supervised results, read and written: the layout of VOT's toolkits, pysot-toolkit and got10k.

``<tracker>/baseline/<seq>/<seq>_001.txt`` (``_002`` ... for repetitions): one line per frame,
``1`` (initialised), ``2`` (failure), ``0`` (skipped) or the predicted region (x,y,w,h or an
8-value polygon); ``<seq>_time.txt`` beside them holds per-frame seconds, one column per run.
A tracker folder without ``baseline/`` (``<tracker>/<seq>/<seq>_001.txt``) is read too.

Policy for imperfect files: a file whose lines do not parse, whose length differs from the
sequence's, or that does not start with ``1`` makes its tracker unscored (null scores) with a
problem line naming the file and line (an error under ``--strict``); a missing sequence does the
same. Scoring a tracker on some sequences only, or on a shifted run, would give a different number
that looks like a real one.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Sequence as SequenceOf

import numpy as np

from evalkit.benchmarks.sequence import Benchmark, Sequence
from evalkit.errors import EvalkitError, Problems
from evalkit.regions import INITIALIZED, RECTANGLE, SPECIAL, Regions, read_region_files
from evalkit.results.model import SequenceResult, TrackerResults
from evalkit.textio import format_table, read_table, write_text_atomic

EXPERIMENT = "baseline"  # the supervised experiment's folder (VOT toolkits)
RUN_FILE = "{seq}_{run:03d}.txt"
TIME_FILE = "{seq}_time.txt"
REGION_FORMAT = "%.4f"  # vot-toolkit and pysot-toolkit write 4 decimals
TIME_FORMAT = "%.8f"

if TYPE_CHECKING:
    from evalkit.results.discover import TrackerSource

_RUN_SUFFIX = re.compile(r"_\d{3}\.txt")  # <seq>_001.txt


def sequence_folder(tracker_folder: Path, seq_name: str) -> Path:
    """Where ``seq_name``'s runs are under a tracker folder (with or without ``baseline/``)."""
    nested = tracker_folder / EXPERIMENT / seq_name
    return nested if nested.is_dir() or not (tracker_folder / seq_name).is_dir() else tracker_folder / seq_name


def write_vot_sequence(tracker_folder: Path, seq_name: str, runs: SequenceOf[Regions], times: np.ndarray) -> None:
    """Write every run of a sequence atomically, the time file last (its presence = finished)."""
    folder = tracker_folder / EXPERIMENT / seq_name
    for number, regions in enumerate(runs, start=1):
        write_text_atomic(folder / RUN_FILE.format(seq=seq_name, run=number), format_regions(regions))
    write_text_atomic(folder / TIME_FILE.format(seq=seq_name), format_table(times, TIME_FORMAT))


def format_regions(regions: Regions) -> str:
    lines = []
    for kind, values in zip(regions.kind, regions.values):
        if kind == SPECIAL:
            lines.append(f"{int(values[0])}\n")
        else:
            width = 4 if kind == RECTANGLE else 8
            lines.append(",".join(REGION_FORMAT % v for v in values[:width]) + "\n")
    return "".join(lines)


def read_vot_trackers(sources: list[TrackerSource], benchmark: Benchmark, problems: Problems) -> list[TrackerResults]:
    """Read each tracker's supervised runs of every sequence, all files in one bulk pass; a tracker
    with an unusable file has ``TrackerResults.unusable`` set (see the module's policy)."""
    listing = [[(seq, sequence_folder(s.folders[0], seq.name)) for seq in benchmark] for s in sources]
    files = [[_run_files(folder, seq.name) for seq, folder in per_tracker] for per_tracker in listing]
    paths = [path for per_tracker in files for per_seq in per_tracker for path in per_seq]
    parsed = dict(zip(paths, read_region_files(paths, allow_codes=True)))
    return [_assemble(s, per_tracker, runs, parsed, problems) for s, per_tracker, runs in zip(sources, listing, files)]


def _assemble(source: TrackerSource, listing: list[tuple[Sequence, Path]], files: list[list[Path]],
              parsed: dict[Path, Regions | EvalkitError], problems: Problems) -> TrackerResults:
    result = TrackerResults(name=source.name, folder=source.folders[0])
    for (seq, folder), paths in zip(listing, files):
        if not paths:
            result.unusable = result.unusable or f"{folder}: no results for {seq.name}"
            continue
        runs = [_checked(parsed[path], path, seq) for path in paths]
        failed = [run for run in runs if isinstance(run, EvalkitError)]
        if failed:
            result.unusable = result.unusable or str(failed[0])
            continue
        result.sequences[seq.name] = SequenceResult(runs=runs, paths=paths, times=_times(folder, seq.name))
    if result.unusable:
        problems.add(result.folder, "not scored: its results are incomplete or malformed", result.unusable)
    return result


def _run_files(folder: Path, seq_name: str) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(Path(e.path) for e in os.scandir(folder)
                  if e.name.startswith(seq_name) and _RUN_SUFFIX.fullmatch(e.name[len(seq_name):]))


def _checked(regions: Regions | EvalkitError, path: Path, seq: Sequence) -> Regions | EvalkitError:
    if isinstance(regions, EvalkitError):
        return regions
    frames = len(seq.gt)
    if len(regions) != frames:
        line = frames + 1 if len(regions) > frames else len(regions) + 1
        return EvalkitError(f"{len(regions)} lines but {seq.name} has {frames} frames", path, line)
    if regions.kind[0] != SPECIAL or regions.values[0, 0] != INITIALIZED:
        return EvalkitError("a supervised run starts with 1 (initialised)", path, 1)
    return regions


def _times(folder: Path, seq_name: str) -> np.ndarray | None:
    path = folder / TIME_FILE.format(seq=seq_name)
    if not path.is_file():
        return None
    return read_table(path, columns=tuple(range(1, 16)))
