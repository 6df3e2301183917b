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

from pathlib import Path

import numpy as np

from evalkit.benchmarks.sequence import Benchmark, Sequence
from evalkit.boxes import corners_to_xywh, iou
from evalkit.errors import EvalkitError, Problems
from evalkit.results.model import SequenceResult, TrackerResults
from evalkit.textio import read_table

# A first row is called "corner form" when, read as x1,y1,x2,y2, it overlaps the first gt box
# at least this much while as x,y,w,h it overlaps it at most half as much.
CORNER_FORM_MIN_IOU = 0.5


def read_ope_tracker(
    name: str, run_folders: list[Path], benchmark: Benchmark, problems: Problems
) -> TrackerResults:
    """Read a tracker's result files (one folder per run) for every sequence of ``benchmark``."""
    files_per_run = [_index_result_files(folder, benchmark) for folder in run_folders]
    result = TrackerResults(name=name, folder=run_folders[0])
    for seq in benchmark:
        runs, paths, times = [], [], []
        for folder, files in zip(run_folders, files_per_run):
            path = files.get(seq.name)
            if path is None:
                problems.add(folder, "no result file; every frame scored as without a prediction", seq.name)
                runs.append(np.full((len(seq.gt), 4), np.nan))
                continue
            runs.append(read_ope_file(path, seq, problems))
            paths.append(path)
            frame_times = _read_times(path)
            if frame_times is not None:
                times.append(frame_times)
        result.sequences[seq.name] = SequenceResult(
            runs=runs, paths=paths, times=np.concatenate(times) if times else None
        )
    return result


def read_ope_file(path: Path, seq: Sequence, problems: Problems) -> np.ndarray:
    """Read one result file and align it to ``seq``'s evaluated frames (see module policies)."""
    boxes = read_table(path, columns=4)
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
    if len(boxes) and _first_row_is_corners(boxes[0], seq.gt[0]):
        problems.add(path.parent, "first row looks like x1,y1,x2,y2 (left as written)", path.name)
    if len(boxes) < frames:
        problems.add(
            path.parent, "fewer rows than frames; missing trailing frames scored as without a prediction",
            f"{path.name} ({len(boxes)}/{frames})")
        boxes = np.vstack([boxes, np.full((frames - len(boxes), 4), np.nan)])
    return boxes


def _first_row_is_corners(row: np.ndarray, gt: np.ndarray) -> bool:
    if np.isnan(row).any() or row[2] <= row[0] or row[3] <= row[1]:
        return False
    as_corners = float(iou(corners_to_xywh(row), gt))
    return as_corners >= CORNER_FORM_MIN_IOU and float(iou(row, gt)) <= as_corners / 2


def _index_result_files(folder: Path, benchmark: Benchmark) -> dict[str, Path]:
    """Canonical sequence name -> result file in ``folder``; time files are not results."""
    files: dict[str, Path] = {}
    for path in sorted(folder.glob("*.txt")):
        if path.stem.endswith("_time"):
            continue
        canonical = benchmark.canonical_name(path.stem)
        if canonical is None:
            continue
        if canonical in files:
            raise EvalkitError(f"two result files for {canonical}: {files[canonical].name} and {path.name}", folder)
        files[canonical] = path
    return files


def _read_times(result_path: Path) -> np.ndarray | None:
    """Per-frame seconds from ``<seq>_time.txt`` beside the result or in ``times/`` (got10k)."""
    stem = result_path.stem
    for candidate in (result_path.with_name(f"{stem}_time.txt"), result_path.parent / "times" / f"{stem}_time.txt"):
        if candidate.is_file():
            return read_table(candidate, columns=1)[:, 0]
    return None
