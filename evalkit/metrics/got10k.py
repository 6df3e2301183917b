"""GOT-10k's metrics (profile ``got10k``): AO, SR0.50, SR0.75 and the success curve over pooled IoUs.

Semantics of got10k 0.1.3's ``ExperimentGOT10k.report`` (val split), vectorised over all frames of
all runs of all sequences at once:

1. Frame 1 (the initialisation) is excluded; of the others only frames whose ``cover.label`` is
   > 0 count (all of them when a sequence has no cover label).
2. Both boxes are clipped to the image ``[0, W] x [0, H]``, (W, H) the sequence's
   ``meta_info.ini`` resolution; IoU adds float64 machine epsilon to the union, clipped to [0, 1].
3. IoUs of all evaluated frames of all runs of all sequences are pooled: AO = their mean,
   SR_t = the fraction > t, success curve = SR over ``linspace(0, 1, 101)``. Per-sequence AO
   pools that sequence's runs.

No prediction (a NaN in the row): got10k's IoU is NaN, which its SR and curve count as a failure
(NaN > t is False) but which turns its AO, and the sequence's AO, into NaN. evalkit scores such a
frame IoU 0 everywhere: SR and curve equal got10k's, AO equals got10k's whenever that is a number,
and ``missing`` says how many evaluated frames had no prediction.

Speed: got10k reads ``<seq>_time.txt``, drops NaN and non-positive times, pools the rest over all
runs and sequences (frame 1 included) and reports the mean of 1 / time (``fps_got10k``); evalkit's
``fps`` is frames / total time over the same times.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from evalkit.benchmarks.sequence import Benchmark, Sequence
from evalkit.boxes import clip_to_image, iou
from evalkit.errors import EvalkitError
from evalkit.results.model import SequenceResult, TrackerResults

# got10k ExperimentGOT10k: nbins_iou = 101 thresholds, SR at 0.5 (SR0.75: the GOT-10k paper's
# second success rate); utils/metrics.rect_iou adds np.finfo(float).eps to the union.
THRESHOLDS = np.linspace(0, 1, 101)
SR_THRESHOLDS = (0.5, 0.75)
IOU_EPS = np.finfo(float).eps


@dataclass
class Got10kScores:
    """One tracker's GOT-10k scores; ``curve[i]`` is the success rate at ``thresholds[i]``."""

    ao: float
    sr_50: float
    sr_75: float
    thresholds: np.ndarray
    curve: np.ndarray
    sequence_ao: dict[str, float]  # NaN for a sequence without evaluated frames
    fps: float  # frames / total time; NaN without time files
    fps_got10k: float  # mean of 1 / time (got10k's speed_fps); NaN without time files
    frames: int  # evaluated (frame, run) pairs pooled
    missing: int  # of those, frames without a prediction (scored IoU 0)


def evaluate_got10k(benchmark: Benchmark, results: TrackerResults) -> Got10kScores:
    """Score ``results`` on ``benchmark`` (GOT-10k train or val) as got10k's report does."""
    if benchmark.name == "got10k-test":
        raise EvalkitError("GOT-10k test annotations are withheld: submit make_submission_zip's "
                           "output to the GOT-10k server, or evaluate on got10k-val")
    boxes, gts, sizes, owners, times = [], [], [], [], []
    for index, seq in enumerate(benchmark):
        result = _result_of(results, seq)
        keep = _evaluated_frames(seq)
        runs = len(result.runs)
        boxes.extend(run[keep] for run in result.runs)
        gts.append(np.tile(seq.gt[keep], (runs, 1)))
        sizes.append(np.tile(_image_size(seq), (len(gts[-1]), 1)))
        owners.append(np.full(len(gts[-1]), index))
        if result.times is not None:
            times.append(np.ravel(result.times))
    width, height = np.concatenate(sizes).T
    predicted = clip_to_image(np.concatenate(boxes), width, height)
    ious = iou(predicted, clip_to_image(np.concatenate(gts), width, height), IOU_EPS)
    no_prediction = np.isnan(predicted).any(axis=1)
    ious[np.isnan(ious)] = 0.0
    ranked = np.sort(ious)
    sr_50, sr_75 = _fraction_above(ranked, np.array(SR_THRESHOLDS))
    with np.errstate(invalid="ignore"):
        ao = np.sum(ious) / ious.size
    fps, fps_got10k = _speeds(np.concatenate(times) if times else np.zeros(0))
    sequence_ao = _per_owner_mean(ious, np.concatenate(owners), len(benchmark))
    return Got10kScores(
        ao=float(ao), sr_50=float(sr_50), sr_75=float(sr_75),
        thresholds=THRESHOLDS.copy(), curve=_fraction_above(ranked, THRESHOLDS),
        sequence_ao=dict(zip(benchmark.names, sequence_ao.tolist())),
        fps=fps, fps_got10k=fps_got10k, frames=int(ious.size), missing=int(np.count_nonzero(no_prediction)),
    )


def _result_of(results: TrackerResults, seq: Sequence) -> SequenceResult:
    result = results.sequences.get(seq.name)
    if result is None or not result.runs:
        raise EvalkitError(f"no results for sequence {seq.name}", results.folder)
    for number, run in enumerate(result.runs, start=1):
        if run.shape != seq.gt.shape:
            raise EvalkitError(f"sequence {seq.name}, run {number}: {len(run)} result rows for "
                               f"{len(seq.gt)} annotated frames", results.folder)
    return result


def _evaluated_frames(seq: Sequence) -> np.ndarray:
    """Boolean mask over the sequence's frames: not frame 1, and the target visible (cover > 0)."""
    keep = np.ones(len(seq.gt), dtype=bool)
    keep[0] = False
    if "cover" in seq.labels:
        keep &= seq.labels["cover"] > 0
    return keep


def _image_size(seq: Sequence) -> tuple[int, int]:
    if seq.image_size is None:
        raise EvalkitError(f"sequence {seq.name} has no image size (GOT-10k clips boxes to the "
                           "meta_info.ini resolution)", seq.gt_path)
    return seq.image_size


def _fraction_above(ranked: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Fraction of the sorted ``ranked`` values > t for each t (got10k: ``np.mean(ious > t)``)."""
    at_most = np.searchsorted(ranked, thresholds, side="right")
    with np.errstate(invalid="ignore"):
        return (ranked.size - at_most) / ranked.size


def _per_owner_mean(values: np.ndarray, owner: np.ndarray, count: int) -> np.ndarray:
    totals = np.bincount(owner, weights=values, minlength=count)
    counts = np.bincount(owner, minlength=count)
    with np.errstate(invalid="ignore"):
        return totals / counts


def _speeds(times: np.ndarray) -> tuple[float, float]:
    """(frames / total time, mean of 1 / time) over the positive, non-NaN times."""
    valid = times[~np.isnan(times) & (times > 0)]
    if not valid.size:
        return float("nan"), float("nan")
    return valid.size / float(np.sum(valid)), float(np.mean(1.0 / valid))
