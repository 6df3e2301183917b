"""One-pass evaluation (OTB-style): per-frame overlaps and centre errors under a named profile,
then per-sequence success / precision curves, all trackers and sequences at once as arrays.

Profiles (see docs/metrics.md for the evidence behind each rule):
- ``otb``: the OTB MATLAB toolkit (``calcSeqErrRobust`` + ``calcRectInt`` + ``genPerfMat``);
- ``got10k``: the got10k package's ``ExperimentOTB.report``;
- ``pysot``: pysot-toolkit's ``OPEBenchmark``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from evalkit.boxes import center_errors, centers, iou, iou_matlab

# MATLAB's 0:0.05:1 computes element k as k*0.05 up to the midpoint and 1 - (20-k)*0.05 above
# it (colon operator's symmetric rule); numpy's arange(21)*0.05 differs in the last bit at 0.65.
_K = np.arange(21)
MATLAB_SUCCESS_THRESHOLDS = np.where(_K <= 10, _K * 0.05, 1 - (20 - _K) * 0.05)
PIXEL_THRESHOLDS = np.arange(0, 51, dtype=np.float64)  # 0..50 px; P@20 is index 20
NORM_THRESHOLDS = np.arange(0, 51) / 100  # 0..0.5 of the gt size; NP@0.20 is index 20
PRECISION_INDEX = 20
# got10k's ExperimentOTB: linspace(0, 1, 21) and IoU with float64 eps in the union.
GOT10K_SUCCESS_THRESHOLDS = np.linspace(0, 1, 21)
GOT10K_IOU_EPS = float(np.finfo(np.float64).eps)
# pysot-toolkit's OPEBenchmark: arange(0, 1.05, 0.05); normalised centres divide by gt w,h + 1e-16.
PYSOT_SUCCESS_THRESHOLDS = np.arange(0, 1.05, 0.05)
PYSOT_NORM_EPS = 1e-16


@dataclass(frozen=True)
class FrameScores:
    """Per-frame scores, shape (runs, frames): IoU (-1 = not scored as success), centre error in
    pixels and normalised centre error (-1 = always within a threshold; None if undefined)."""

    ious: np.ndarray
    errors: np.ndarray
    norm_errors: np.ndarray | None


@dataclass(frozen=True)
class OpeProfile:
    name: str
    description: str
    success_thresholds: np.ndarray
    norm_precision: bool
    frame_scores: Callable[[np.ndarray, np.ndarray, np.ndarray], FrameScores]
    fps: Callable[[list[np.ndarray]], float | None]
    precision_thresholds: np.ndarray = field(default_factory=PIXEL_THRESHOLDS.copy)
    norm_thresholds: np.ndarray = field(default_factory=NORM_THRESHOLDS.copy)


def _center_errors(boxes: np.ndarray, gt: np.ndarray, eps: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Centre errors in pixels and normalised by the gt size (+ ``eps``), from one centre pass."""
    box_c, gt_c = centers(boxes), centers(gt)
    diff = box_c - gt_c
    pixels = np.sqrt(diff[..., 0] ** 2 + diff[..., 1] ** 2)
    size = gt[:, 2:] + eps
    with np.errstate(divide="ignore", invalid="ignore"):
        diff = box_c / size - gt_c / size
        return pixels, np.sqrt(diff[..., 0] ** 2 + diff[..., 1] ** 2)


def _otb_frames(boxes: np.ndarray, gt: np.ndarray, first: np.ndarray) -> FrameScores:
    """MATLAB toolkit: carry the previous row over unusable rows, frame 1 := gt, mask invalid gt."""
    # MATLAB's `if` on (isnan(r) | w<=0 | h<=0) & ~isnan(gt) is true only if all four values are.
    unusable = np.isnan(boxes).all(-1) | (boxes[..., 2] <= 0) | (boxes[..., 3] <= 0)
    unusable &= ~np.isnan(gt).any(-1) & ~first
    boxes = boxes.copy(order="K")
    for run in np.flatnonzero(unusable.any(axis=1)):  # only runs that have such rows
        source = np.maximum.accumulate(np.where(unusable[run], 0, np.arange(boxes.shape[1])))
        boxes[run] = boxes[run, source]
    boxes[:, first] = gt[first]
    valid = (gt > 0).all(-1)
    errors, norm_errors = _center_errors(boxes, gt)
    with np.errstate(invalid="ignore"):
        return FrameScores(
            ious=np.where(valid, iou_matlab(boxes, gt), -1.0),
            errors=np.where(valid, errors, -1.0),
            norm_errors=np.where(valid, norm_errors, -1.0),
        )


def _got10k_frames(boxes: np.ndarray, gt: np.ndarray, first: np.ndarray) -> FrameScores:
    """got10k: frame 1 := gt; no masks, no NaN handling (NaN scores as a miss)."""
    boxes = boxes.copy(order="K")
    boxes[:, first] = gt[first]
    return FrameScores(iou(boxes, gt, eps=GOT10K_IOU_EPS), center_errors(boxes, gt), None)


def _pysot_frames(boxes: np.ndarray, gt: np.ndarray, first: np.ndarray) -> FrameScores:
    """pysot-toolkit: frames scored as written; IoU where all gt values > 0, centre errors where
    both gt centre coordinates > 0 (pixel and normalised alike)."""
    valid_box = (gt > 0).all(-1)
    valid_center = (centers(gt) > 0).all(-1)
    valid_norm = (centers(gt) / (gt[:, 2:] + PYSOT_NORM_EPS) > 0).all(-1)
    errors, norm_errors = _center_errors(boxes, gt, PYSOT_NORM_EPS)
    with np.errstate(invalid="ignore", divide="ignore"):
        return FrameScores(
            ious=np.where(valid_box, iou(boxes, gt), -1.0),
            errors=np.where(valid_center, errors, -1.0),
            norm_errors=np.where(valid_norm, norm_errors, -1.0),
        )


def fps_frames_per_second(times: list[np.ndarray]) -> float | None:
    """Frames / total seconds over every timed sequence (evalkit's convention)."""
    if not times:
        return None
    total = float(sum(t.sum() for t in times))
    return sum(t.size for t in times) / total if total > 0 else None


def fps_got10k(times: list[np.ndarray]) -> float | None:
    """got10k's convention: mean over sequences of mean(1 / t) over positive times."""
    speeds = [float(np.mean(1.0 / t[t > 0])) for t in times if (t > 0).any()]
    return float(np.mean(speeds)) if speeds else None


PROFILES: dict[str, OpeProfile] = {
    "otb": OpeProfile(
        "otb", "OTB MATLAB toolkit: unusable rows carried forward, frame 1 = gt, invalid gt = -1, "
        "pixel-inclusive IoU, MATLAB thresholds", MATLAB_SUCCESS_THRESHOLDS, True, _otb_frames,
        fps_frames_per_second),
    "got10k": OpeProfile(
        "got10k", "got10k ExperimentOTB: frame 1 = gt, no masks, IoU with eps, linspace thresholds",
        GOT10K_SUCCESS_THRESHOLDS, False, _got10k_frames, fps_got10k),
    "pysot": OpeProfile(
        "pysot", "pysot-toolkit OPEBenchmark: frames as written, invalid gt = -1, arange thresholds",
        PYSOT_SUCCESS_THRESHOLDS, True, _pysot_frames, fps_frames_per_second),
}


@dataclass(frozen=True)
class SequenceCurves:
    """Per-sequence curves, shape (runs, sequences, thresholds)."""

    success: np.ndarray
    precision: np.ndarray
    norm_precision: np.ndarray | None


def sequence_curves(profile: OpeProfile, boxes: np.ndarray, gt: np.ndarray, offsets: np.ndarray) -> SequenceCurves:
    """Curves of every run on every sequence.

    ``boxes`` (runs, frames, 4) and ``gt`` (frames, 4) hold all sequences back to back;
    ``offsets`` are the sequences' start rows plus the total.
    """
    lengths = np.diff(offsets)
    seq_of_frame = np.repeat(np.arange(len(lengths)), lengths)
    first = np.zeros(len(gt), dtype=bool)
    first[offsets[:-1][lengths > 0]] = True
    scores = profile.frame_scores(boxes, gt, first)
    success = _fraction_above(scores.ious, profile.success_thresholds, seq_of_frame, lengths)
    precision = _fraction_within(scores.errors, profile.precision_thresholds, seq_of_frame, lengths)
    norm = None
    if profile.norm_precision and scores.norm_errors is not None:
        norm = _fraction_within(scores.norm_errors, profile.norm_thresholds, seq_of_frame, lengths)
    return SequenceCurves(success, precision, norm)


def _bin_counts(bins: np.ndarray, seq_of_frame: np.ndarray, n_seq: int, n_bins: int) -> np.ndarray:
    """counts[r, s, b] = number of frames of sequence s in run r whose bin is b."""
    runs = bins.shape[0]
    flat = (np.arange(runs)[:, None] * n_seq + seq_of_frame[None, :]) * n_bins + bins
    return np.bincount(flat.ravel(), minlength=runs * n_seq * n_bins).reshape(runs, n_seq, n_bins)


def _fraction_above(values: np.ndarray, thresholds: np.ndarray, seq_of_frame: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Fraction of each sequence's frames with value > threshold (NaN never counts)."""
    values = np.where(np.isnan(values), -np.inf, values)
    below = np.searchsorted(thresholds, values, side="left")  # thresholds strictly below value
    counts = _bin_counts(below, seq_of_frame, len(lengths), len(thresholds) + 1)
    at_most = np.cumsum(counts, axis=-1)[..., :-1]  # frames whose value <= threshold k
    return (lengths[None, :, None] - at_most) / _safe(lengths)[None, :, None]


def _fraction_within(values: np.ndarray, thresholds: np.ndarray, seq_of_frame: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Fraction of each sequence's frames with value <= threshold (NaN never counts)."""
    values = np.where(np.isnan(values), np.inf, values)
    first_within = np.searchsorted(thresholds, values, side="left")
    counts = _bin_counts(first_within, seq_of_frame, len(lengths), len(thresholds) + 1)
    return np.cumsum(counts, axis=-1)[..., :-1] / _safe(lengths)[None, :, None]


def _safe(lengths: np.ndarray) -> np.ndarray:
    return np.maximum(lengths, 1)
