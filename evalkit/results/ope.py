"""Reading one-pass (OTB-style) raw results: one text file of boxes per sequence.

Layouts (all found by :mod:`evalkit.results.discover`):
- got10k / OTB toolkit / pysot: ``<tracker>/<seq>.txt`` (got10k adds ``times/<seq>_time.txt``);
- pytracking: ``<tracker>/<param>[_<run>]/<seq>.txt`` with ``<seq>_time.txt`` beside it.
Any delimiter, integers or floats, any published spelling of the sequence name.

Policies for imperfect files (each reported through :class:`evalkit.errors.Problems`, an error
under ``--strict``):
- fewer rows than evaluated frames: the missing trailing frames have no prediction (NaN rows);
- exactly as many rows as the whole annotation file where the benchmark skips leading annotation
  lines (Tiger1: 354 = 5 + 349): the skipped frames' rows are dropped;
- more rows otherwise: an error that says how to fix it;
- NaN rows are kept (each profile states how it scores them);
- a first row that matches the ground truth only when read as x1,y1,x2,y2 is flagged, not changed;
- a sequence with no file: all its frames have no prediction.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from evalkit.benchmarks.sequence import Benchmark, Sequence
from evalkit.boxes import corners_to_xywh, iou
from evalkit.errors import EvalkitError, Problems
from evalkit.results.model import SequenceResult, TrackerResults
from evalkit.results.discover import TrackerSource
from evalkit.textio import read_table, read_tables

# A first row is called "corner form" when, read as x1,y1,x2,y2, it overlaps the first gt box
# at least this much while as x,y,w,h it overlaps it at most half as much.
CORNER_FORM_MIN_IOU = 0.5
TIME_SUFFIX = "_time"  # <seq>_time.txt: seconds per frame (got10k, pytracking)


def read_ope_trackers(sources: list[TrackerSource], benchmark: Benchmark, problems: Problems) -> list[TrackerResults]:
    """Read every tracker's result files for every sequence of ``benchmark``, all files parsed in
    one bulk pass."""
    indexes = [[_index_result_files(folder, benchmark) for folder in s.folders] for s in sources]
    tables = read_tables([path for index in indexes for files in index for path in files.values()])
    return [_assemble(s.name, list(s.folders), index, benchmark, problems, tables) for s, index in zip(sources, indexes)]


def read_ope_tracker(name: str, run_folders: list[Path], benchmark: Benchmark, problems: Problems) -> TrackerResults:
    """Read one tracker's result files (one folder per run) for every sequence of ``benchmark``."""
    return read_ope_trackers([TrackerSource(name, tuple(run_folders))], benchmark, problems)[0]


def _assemble(name: str, run_folders: list[Path], files_per_run: list[dict[str, Path]], benchmark: Benchmark,
              problems: Problems, tables: dict[Path, np.ndarray]) -> TrackerResults:
    result = TrackerResults(name=name, folder=run_folders[0])
    time_files = [_time_files(folder) for folder in run_folders]
    firsts: list[tuple[np.ndarray, np.ndarray, Path]] = []
    for seq in benchmark:
        runs, paths, times = [], [], []
        for folder, files, timed in zip(run_folders, files_per_run, time_files):
            path = files.get(seq.name)
            if path is None:
                problems.add(folder, "no result file; every frame scored as without a prediction", seq.name)
                runs.append(np.full((len(seq.gt), 4), np.nan))
                continue
            runs.append(align_ope_boxes(tables[path], path, seq, problems))
            paths.append(path)
            firsts.append((tables[path][0] if len(tables[path]) else np.full(4, np.nan), seq.gt[0], path))
            if path.stem in timed:
                times.append(read_table(timed[path.stem], columns=1)[:, 0])
        result.sequences[seq.name] = SequenceResult(
            runs=runs, paths=paths, times=np.concatenate(times) if times else None
        )
    if firsts:
        rows, gts, files = zip(*firsts)
        for path, flagged in zip(files, _corner_form(np.array(rows), np.array(gts))):
            if flagged:
                problems.add(path.parent, "first row looks like x1,y1,x2,y2 (left as written)", path.name)
    return result


def align_ope_boxes(boxes: np.ndarray, path: Path, seq: Sequence, problems: Problems) -> np.ndarray:
    """Align the rows read from ``path`` to ``seq``'s evaluated frames (see module policies)."""
    frames = len(seq.gt)
    skip = int(seq.meta.get("gt_skip", 0))
    if skip and len(boxes) == frames + skip:
        problems.add(path.parent, f"rows for all annotation lines; dropped the first {skip}", path.name)
        boxes = boxes[skip:]
    if len(boxes) > frames:
        raise EvalkitError(
            f"{len(boxes)} rows but {seq.name} has {frames} evaluated frames; remove the extra "
            f"rows (or check that the file belongs to this sequence)", path, frames + 1)
    nan_rows = np.flatnonzero(np.isnan(boxes).any(axis=1))
    if len(nan_rows):
        problems.add(path.parent, "NaN rows", f"{path.name} ({len(nan_rows)}, first line {nan_rows[0] + 1})")
    if len(boxes) < frames:
        problems.add(
            path.parent, "fewer rows than frames; missing trailing frames scored as without a prediction",
            f"{path.name} ({len(boxes)}/{frames})")
        boxes = np.vstack([boxes, np.full((frames - len(boxes), 4), np.nan)])
    return boxes


def _corner_form(rows: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """Which first rows match the first gt box only when read as x1,y1,x2,y2 (all files at once)."""
    with np.errstate(invalid="ignore"):
        ordered = (rows[:, 2] > rows[:, 0]) & (rows[:, 3] > rows[:, 1])
        as_corners = iou(corners_to_xywh(rows), gt)
        return ordered & (as_corners >= CORNER_FORM_MIN_IOU) & (iou(rows, gt) <= as_corners / 2)


def _index_result_files(folder: Path, benchmark: Benchmark) -> dict[str, Path]:
    """Canonical sequence name -> result file in ``folder``; time files are not results."""
    files: dict[str, Path] = {}
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        stem, dot, suffix = entry.name.rpartition(".")
        if suffix != "txt" or not dot or stem.endswith(TIME_SUFFIX) or not entry.is_file():
            continue
        canonical = benchmark.canonical_name(stem)
        if canonical is None:
            continue
        if canonical in files:
            raise EvalkitError(f"two result files for {canonical}: {files[canonical].name} and {entry.name}", folder)
        files[canonical] = Path(entry.path)
    return files


def _time_files(folder: Path) -> dict[str, Path]:
    """Result-file stem -> ``<stem>_time.txt`` beside the results or in ``times/`` (got10k)."""
    found = {}
    for where in (folder / "times", folder):
        if where.is_dir():
            for entry in os.scandir(where):
                if entry.name.endswith(TIME_SUFFIX + ".txt"):
                    found[entry.name[: -len(TIME_SUFFIX + ".txt")]] = Path(entry.path)
    return found
