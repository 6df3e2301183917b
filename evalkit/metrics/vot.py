"""VOT supervised (baseline) scores: accuracy, robustness, failures, the EAO curve and EAO.

Two profiles, each reproducing one toolkit:

``pysot`` (pysot-toolkit ``ar_benchmark.py`` / ``eao_benchmark.py`` / ``utils/statistics.py``,
MATLAB-faithful, the numbers VOT2016-2019 papers publish):
  overlap = pysot's raster overlap (:mod:`evalkit.metrics.pysot_overlap`), bounded by (W, H) for
  accuracy and (W-1, H-1) for EAO, as pysot passes them. Accuracy = mean over every frame of every
  sequence of the per-frame mean over runs, where the initialisation frame and the 9 after it
  (burn-in 10), failures and skipped frames do not count. Failures = per-run total, averaged over
  runs; robustness = failures per 100 frames of the benchmark. EAO fragments start at frame 0 and at
  each re-initialisation (failure + 5, kept while it lies within the sequence); a fragment cut by a
  later re-initialisation runs up to and including that frame and is zero-padded; the last one is
  not counted past its end. curve(0) = 1, curve(i) = weighted mean over the fragments still counted
  of their mean overlap over frames 1..i after their start, stored as float32. EAO = mean of the
  curve over lengths [low, high] (indices low-1 .. high-1).

``vot`` (vot-toolkit 0.7.4 ``analysis/supervised.py``):
  overlap = vot-toolkit's raster overlap (:func:`evalkit.metrics.vot_overlap.raster_overlaps`),
  bounded by (W, H). Per run, accuracy = mean overlap over the frames that are neither the 10 from
  an initialisation, a failure nor skipped (0 when none is left); per sequence, runs are averaged;
  the tracker's accuracy and failure count are the means over sequences weighted by sequence length
  (the count is what vot-toolkit reports as robustness). EAO fragments run from each initialisation
  up to (not including) the next failure, or to the sequence end; failed ones are zero-padded;
  curve(i) = mean over the fragments still counted of their mean overlap over frames 1..i after
  init; EAO = mean of curve[low .. high].

Both toolkits drop a frame whose predicted region has NaN coordinates from accuracy (vot-toolkit reads
it as "unknown"); evalkit scores it as overlap 0 and reports the files, so abstaining never pays.
Per-tag scores (evalkit's definition, as the MATLAB toolkit's per-attribute analysis): accuracy pooled
over the scored frames carrying the tag, failures on frames carrying it, and failures per 100 such
frames.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from evalkit.benchmarks.sequence import Benchmark, Sequence
from evalkit.metrics.pysot_overlap import pysot_raster_overlaps
from evalkit.metrics.vot_overlap import raster_overlaps
from evalkit.regions import FAILURE, INITIALIZED, SKIPPED, SPECIAL, Regions, concat
from evalkit.results.model import TrackerResults

BURN_IN = 10  # frames from each (re)initialisation left out of accuracy (both toolkits)
SKIP_AFTER_FAILURE = 5  # a failure at frame f re-initialises at f + 5 (pysot's EAO "skipping")


@dataclass(frozen=True)
class VotProfile:
    name: str
    description: str


PROFILES = {
    "pysot": VotProfile("pysot", "pysot-toolkit (MATLAB-faithful): pooled accuracy, failures per 100 frames, "
                                 "EAO over lengths [low, high]"),
    "vot": VotProfile("vot", "vot-toolkit 0.7.4: length-weighted accuracy and failure count, "
                             "EAO = mean of curve[low..high]"),
}


@dataclass
class VotScores:
    """One tracker's scores (NaN where not computable)."""

    accuracy: float
    robustness: float
    failures: float
    eao: float
    curve: np.ndarray  # EAO curve, index = frames after initialisation
    sequence_accuracy: dict[str, float] = field(default_factory=dict)
    sequence_failures: dict[str, float] = field(default_factory=dict)
    tags: dict[str, tuple[float, float, float]] = field(default_factory=dict)  # tag -> (accuracy, failures, per 100)
    nan_regions: int = 0  # frames whose predicted region had NaN coordinates (scored 0)


UNSCORED = VotScores(np.nan, np.nan, np.nan, np.nan, np.zeros(0))


@dataclass
class _Run:
    """One run of one sequence: its codes, overlaps (NaN on code frames) and the sequence."""

    seq: Sequence
    codes: np.ndarray
    overlaps: np.ndarray  # accuracy overlaps
    eao_overlaps: np.ndarray
    nan_regions: int  # predicted regions with NaN coordinates (scored 0)


def score_trackers(benchmark: Benchmark, trackers: list[TrackerResults], profile: str,
                   eao_interval: tuple[int, int]) -> list[VotScores]:
    """Score every usable tracker; an unusable one (see :mod:`evalkit.results.vot_layout`) gets
    :data:`UNSCORED`."""
    usable = [t for t in trackers if t.unusable is None and t.sequences]
    runs = _runs_with_overlaps(benchmark, usable, profile)
    scores = {t.name: _score(benchmark, runs[t.name], profile, eao_interval) for t in usable}
    return [scores.get(t.name, UNSCORED) for t in trackers]


def _runs_with_overlaps(benchmark: Benchmark, trackers: list[TrackerResults], profile: str) -> dict[str, list[list[_Run]]]:
    """Every run's overlaps, all trackers' frames computed in one vectorised call per overlap."""
    entries = [(t.name, seq, run) for t in trackers for seq in benchmark for run in t.sequences[seq.name].runs]
    if not entries:
        return {t.name: [] for t in trackers}
    predicted = concat([run for _, _, run in entries])
    truth = concat([seq.regions for _, seq, _ in entries])
    sizes = np.concatenate([np.tile(seq.image_size or (np.nan, np.nan), (len(seq.regions), 1)) for _, seq, _ in entries])
    nan_region = (predicted.kind != SPECIAL) & np.isnan(predicted.values[:, :4]).any(axis=1)
    predicted = Regions(np.where(nan_region, SPECIAL, predicted.kind).astype(np.int8),
                        np.where(nan_region[:, None], SKIPPED, predicted.values))
    if profile == "pysot":
        accuracy = _bounded(pysot_raster_overlaps, predicted, truth, sizes)
        # pysot bounds EAO's overlaps by (W-1, H-1): a different number only where a region
        # reaches past column W-2 or row H-2 (its window is then clipped differently)
        eao = accuracy.copy()
        edge = _near_far_edges(predicted, sizes) | _near_far_edges(truth, sizes)
        eao[edge] = _bounded(pysot_raster_overlaps, predicted[edge], truth[edge], sizes[edge] - 1)
    else:
        accuracy = _bounded(raster_overlaps, predicted, truth, sizes)
        eao = accuracy
    accuracy[nan_region] = 0.0
    eao[nan_region] = 0.0
    out: dict[str, list[list[_Run]]] = {t.name: [[] for _ in benchmark] for t in trackers}
    at = 0
    index = {seq.name: i for i, seq in enumerate(benchmark)}
    for name, seq, run in entries:
        n = len(run)
        out[name][index[seq.name]].append(  # a NaN region keeps code -1: a (zero-overlap) prediction
            _Run(seq, run.codes(), accuracy[at:at + n], eao[at:at + n], int(nan_region[at:at + n].sum())))
        at += n
    return out


def _near_far_edges(regions: Regions, sizes: np.ndarray) -> np.ndarray:
    """Regions whose corners reach column W-2 or row H-2 or beyond (or whose size is unknown)."""
    corners = regions.polygons()
    with np.errstate(invalid="ignore"):
        far_x = np.nanmax(np.where(np.isnan(corners[:, 0::2]), -np.inf, corners[:, 0::2]), axis=1) > sizes[:, 0] - 2
        far_y = np.nanmax(np.where(np.isnan(corners[:, 1::2]), -np.inf, corners[:, 1::2]), axis=1) > sizes[:, 1] - 2
    return far_x | far_y | np.isnan(sizes).any(axis=1)


def _bounded(overlap: Callable, a: Regions, b: Regions, sizes: np.ndarray) -> np.ndarray:
    """``overlap`` with the image bound where the size is known, unbounded elsewhere."""
    known = ~np.isnan(sizes).any(axis=1)
    if known.all():
        return overlap(a, b, sizes)
    out = np.full(len(a), np.nan)
    if known.any():
        out[known] = overlap(a[known], b[known], sizes[known])
    out[~known] = overlap(a[~known], b[~known], None)
    return out


def _burn_in(codes: np.ndarray) -> np.ndarray:
    """Frames within ``BURN_IN`` of an initialisation (the initialisation frame included)."""
    starts = np.flatnonzero(codes == INITIALIZED)
    change = np.zeros(len(codes) + BURN_IN + 1, dtype=np.int64)
    np.add.at(change, starts, 1)
    np.add.at(change, starts + BURN_IN, -1)
    return np.cumsum(change)[:len(codes)] > 0


def _score(benchmark: Benchmark, per_seq: list[list[_Run]], profile: str,
           interval: tuple[int, int]) -> VotScores:
    failures = [np.mean([np.count_nonzero(r.codes == FAILURE) for r in runs]) for runs in per_seq]
    total_failures = float(np.sum(failures))
    lengths = np.array([len(seq.regions) for seq in benchmark], dtype=np.float64)
    scored = [[(~_burn_in(r.codes)) & (r.codes == -1) for r in runs] for runs in per_seq]
    if profile == "pysot":
        frame_means = [_nanmean_runs(runs, masks) for runs, masks in zip(per_seq, scored)]
        pooled = np.concatenate(frame_means)
        accuracy = float(np.nanmean(pooled)) if np.isfinite(pooled).any() else np.nan
        robustness = total_failures / lengths.sum() * 100
        seq_accuracy = [float(np.nanmean(m)) if np.isfinite(m).any() else np.nan for m in frame_means]
        curve = _pysot_curve(per_seq)
        eao = _pysot_eao(curve, interval)
    else:
        seq_accuracy = [float(np.mean([r.overlaps[m].mean() if m.any() else 0.0 for r, m in zip(runs, masks)]))
                        for runs, masks in zip(per_seq, scored)]
        accuracy = float(np.sum(np.array(seq_accuracy) * lengths) / lengths.sum())
        robustness = float(np.sum(np.array(failures) * lengths) / lengths.sum())
        curve = _vot_curve(per_seq)
        low, high = interval
        eao = float(np.mean(curve[low:high + 1])) if len(curve) > low else np.nan
    names = [seq.name for seq in benchmark]
    return VotScores(
        accuracy=accuracy, robustness=robustness, failures=total_failures, eao=eao, curve=curve,
        sequence_accuracy=dict(zip(names, seq_accuracy)), sequence_failures=dict(zip(names, map(float, failures))),
        tags=_tag_scores(benchmark, per_seq, scored),
        nan_regions=sum(r.nan_regions for runs in per_seq for r in runs),
    )


def _nanmean_runs(runs: list[_Run], masks: list[np.ndarray]) -> np.ndarray:
    """Per-frame mean over runs of the scored overlaps (NaN where no run scores the frame)."""
    stacked = np.stack([np.where(m, r.overlaps, np.nan) for r, m in zip(runs, masks)])
    with np.errstate(invalid="ignore"):
        counts = np.sum(~np.isnan(stacked), axis=0)
        return np.where(counts > 0, np.nansum(stacked, axis=0) / np.maximum(counts, 1), np.nan)


def _tag_scores(benchmark: Benchmark, per_seq: list[list[_Run]], scored: list[list[np.ndarray]]):
    out = {}
    for tag in benchmark.attributes:
        overlap_sum, overlap_count, fails, frames = 0.0, 0, 0.0, 0
        for seq, runs, masks in zip(benchmark, per_seq, scored):
            tagged = seq.labels[tag]
            frames += int(tagged.sum())
            for run, mask in zip(runs, masks):
                use = mask & tagged
                overlap_sum += float(run.overlaps[use].sum())
                overlap_count += int(use.sum())
                fails += np.count_nonzero((run.codes == FAILURE) & tagged) / len(runs)
        if frames:
            accuracy = overlap_sum / overlap_count if overlap_count else np.nan
            out[tag] = (accuracy, fails, fails / frames * 100)
    return out


# --- EAO -----------------------------------------------------------------------------------------

def _curve(fragments: list[tuple[np.ndarray, bool, float]], length: int) -> tuple[np.ndarray, np.ndarray]:
    """Numerator and denominator of the expected-overlap curve over ``length`` positions:
    sum over counted fragments of weight * (mean overlap over positions 1..i), and of weight.
    A fragment is (overlaps from its start, zero-padded?, weight); one that is not zero-padded
    counts only while i is inside it."""
    values = np.zeros((len(fragments), length))
    counted = np.zeros((len(fragments), length), dtype=bool)
    weights = np.array([w for _, _, w in fragments])
    for row, (overlaps, padded, _) in enumerate(fragments):
        values[row, :len(overlaps)] = overlaps
        counted[row] = True if padded else np.arange(length) < len(overlaps)
    sums = np.cumsum(values[:, 1:], axis=1)
    means = np.zeros_like(values)
    means[:, 1:] = sums / np.arange(1, length)
    means[:, 0] = values[:, 0]
    w = counted * weights[:, None]
    return (w * means).sum(axis=0), w.sum(axis=0)


def _vot_curve(per_seq: list[list[_Run]]) -> np.ndarray:
    """vot-toolkit ``EAOCurve`` / ``compute_eao_curve``."""
    fragments = []
    for runs in per_seq:
        for run in runs:
            overlaps = np.nan_to_num(run.eao_overlaps, nan=0.0)  # vot-toolkit: a code frame overlaps 0
            fails = np.flatnonzero(run.codes == FAILURE)
            inits = np.flatnonzero(run.codes == INITIALIZED)
            for start, end in zip(inits, fails):
                fragments.append((overlaps[start:end], True, 1.0))
            if len(inits) > len(fails):
                fragments.append((overlaps[inits[-1]:], False, 1.0))
    if not fragments:
        return np.zeros(0)
    numerator, denominator = _curve(fragments, max(len(f) for f, _, _ in fragments))
    with np.errstate(invalid="ignore", divide="ignore"):
        return numerator / denominator


def _pysot_curve(per_seq: list[list[_Run]]) -> np.ndarray:
    """pysot-toolkit ``EAOBenchmark._calculate_eao`` + ``calculate_expected_overlap``, tag 'all'."""
    fragments = []
    last_runs = len(per_seq[-1]) if per_seq else 1
    weight = 1.0 / last_runs  # pysot: 1 / runs of the (alphabetically) last sequence, one global constant
    for runs in per_seq:
        for run in runs:
            overlaps = run.eao_overlaps
            fails = np.flatnonzero(run.codes == FAILURE)
            if not len(fails):
                fragments.append((overlaps, False, weight))  # NaN kept (column 0, never used)
                continue
            points = [0] + [int(f) + SKIP_AFTER_FAILURE for f in fails if f + SKIP_AFTER_FAILURE <= len(overlaps)]
            cleaned = np.nan_to_num(overlaps, nan=0.0)
            for i, start in enumerate(points):
                if i < len(points) - 1:
                    end = points[i + 1]
                    # the fragment includes the re-initialisation frame; the tag 'all' weight is
                    # (frames of the slice) / (end - start + 1), short by one only at the sequence end
                    share = (min(end + 1, len(overlaps)) - start) / (end - start + 1)
                    fragments.append((cleaned[start:end + 1], True, weight * share))
                else:
                    fragments.append((cleaned[start:], False, weight if start < len(overlaps) else 0.0))
    length = max(len(f) for f, _, _ in fragments)
    numerator, denominator = _curve(fragments, length)
    with np.errstate(invalid="ignore", divide="ignore"):
        curve = np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1), 0.0)
    curve[0] = 1.0
    return curve.astype(np.float32).astype(np.float64)


def _pysot_eao(curve: np.ndarray, interval: tuple[int, int]) -> float:
    """Mean of the curve over lengths low..high (0-based indices low-1 .. high-1), NaN entries left out."""
    low, high = interval
    window = np.zeros(len(curve))
    window[low - 1:high] = 1
    valid = ~np.isnan(curve)
    if not window[valid].any():
        return np.nan
    return float(np.sum(curve[valid] * window[valid]) / np.sum(window[valid]))
