"""Results + annotations + profile -> :class:`~evalkit.evaluation.Evaluation`."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from evalkit.benchmarks.otb import ATTRIBUTE_NAMES
from evalkit.benchmarks.sequence import Benchmark, ragged
from evalkit.benchmarks.vot import YEARS as VOT_YEARS
from evalkit.errors import EvalkitError, Problems
from evalkit.evaluation import AttributeResult, Curve, Evaluation
from evalkit.metrics.got10k import evaluate_got10k
from evalkit.metrics.ope import PRECISION_INDEX, PROFILES, OpeProfile, sequence_curves
from evalkit.metrics.vot import PROFILES as VOT_PROFILES
from evalkit.metrics.vot import score_trackers
from evalkit.results.discover import find_trackers
from evalkit.results.got10k_layout import read_got10k_results
from evalkit.results.model import TrackerResults
from evalkit.results.ope import read_ope_trackers
from evalkit.results.vot_layout import read_vot_trackers

TITLES = {"otb2013": "OTB2013", "otb50": "OTB50", "tb50": "TB50", "otb2015": "OTB2015", "tb100": "TB100",
          "got10k-train": "GOT-10k train", "got10k-val": "GOT-10k val", "got10k-test": "GOT-10k test",
          **{name: year.title for name, year in VOT_YEARS.items()}}


def profile_names(benchmark: Benchmark) -> list[str]:
    if benchmark.kind == "vot":
        return list(VOT_PROFILES)
    return ["got10k"] if benchmark.kind == "got10k" else list(PROFILES)


def evaluate(benchmark: Benchmark, results: str | Path | Sequence[str | Path], trackers: list[str] | None = None,
             profile: str | None = None) -> Evaluation:
    """Score the trackers found under ``results`` (one folder or several) on ``benchmark`` with
    ``profile`` (default: the benchmark's own toolkit's)."""
    profile = profile or benchmark.default_profile
    if profile not in profile_names(benchmark):
        raise EvalkitError(
            f"profile {profile!r} does not apply to {benchmark.name}; choose one of: {', '.join(profile_names(benchmark))}")
    sources = find_trackers(results, benchmark, trackers)
    problems = Problems()
    if benchmark.kind == "vot":
        if any(len(s.folders) > 1 for s in sources):
            raise EvalkitError("VOT results keep their runs as <seq>_001.txt, <seq>_002.txt files")
        return evaluate_vot(benchmark, read_vot_trackers(sources, benchmark, problems), profile, problems)
    if benchmark.kind == "got10k":
        if any(len(s.folders) > 1 for s in sources):
            raise EvalkitError("GOT-10k results keep their runs as <seq>_001.txt, <seq>_002.txt files")
        loaded = [read_got10k_results(s.folders[0], benchmark, problems) for s in sources]
        return evaluate_got10k_trackers(benchmark, loaded, problems)
    return evaluate_ope(benchmark, read_ope_trackers(sources, benchmark, problems), PROFILES[profile], problems)


def evaluate_ope(benchmark: Benchmark, trackers: list[TrackerResults], profile: OpeProfile,
                 problems: Problems | None = None) -> Evaluation:
    """One-pass scores of already-read results (every tracker has every sequence, aligned)."""
    names = [t.name for t in trackers]
    seq_names = benchmark.names
    gt, offsets = ragged([seq.gt for seq in benchmark])
    # One row per (tracker, run); runs of a tracker are averaged per sequence afterwards.
    run_owner, rows = [], []
    for index, tracker in enumerate(trackers):
        n_runs = max(len(tracker.sequences[s].runs) for s in seq_names)
        for run in range(n_runs):
            rows.append(np.concatenate([_run_or_missing(tracker, s, run, len(benchmark[s].gt)) for s in seq_names]))
            run_owner.append(index)
    curves = sequence_curves(profile, _coordinate_planes(np.stack(rows)), _coordinate_planes(gt), offsets)
    owner = np.array(run_owner)
    per_seq = {k: _mean_runs(v, owner, len(trackers)) for k, v in vars(curves).items() if v is not None}

    auc = per_seq["success"].mean(axis=-1)  # (trackers, sequences)
    precision = per_seq["precision"][..., PRECISION_INDEX]
    norm = per_seq["norm_precision"][..., PRECISION_INDEX] if "norm_precision" in per_seq else None
    fps = [profile.fps(_times(t)) for t in trackers]
    covered = [sum(1 for s in seq_names if t.sequences[s].paths) for t in trackers]

    summary = pd.DataFrame({
        "success_auc": auc.mean(axis=1),
        "precision_20": precision.mean(axis=1),
        "norm_precision_20": norm.mean(axis=1) if norm is not None else np.nan,
        "sequences": covered,
        "fps": [np.nan if f is None else f for f in fps],
    }, index=pd.Index(names, name="tracker"))
    per_sequence = pd.DataFrame({
        "tracker": np.repeat(names, len(seq_names)),
        "sequence": np.tile(seq_names, len(names)),
        "success_auc": auc.ravel(),
        "precision_20": precision.ravel(),
        "norm_precision_20": norm.ravel() if norm is not None else np.nan,
    })
    return Evaluation(
        benchmark=benchmark.name, title=TITLES.get(benchmark.name, benchmark.name), profile=profile.name,
        kind="ope", trackers=names, sequences=seq_names, summary=summary, per_sequence=per_sequence,
        curves=_ope_curves(profile, per_seq),
        attributes=_attribute_results(benchmark, profile, per_seq["success"]),
        problems=problems.lines() if problems else [],
    )


def _coordinate_planes(boxes: np.ndarray) -> np.ndarray:
    """The same boxes with each coordinate stored contiguously (``boxes[..., i]`` is one block),
    which makes the per-coordinate arithmetic of the profiles several times faster."""
    return np.moveaxis(np.ascontiguousarray(np.moveaxis(boxes, -1, 0)), 0, -1)


def _run_or_missing(tracker: TrackerResults, seq: str, run: int, frames: int) -> np.ndarray:
    runs = tracker.sequences[seq].runs
    return runs[run] if run < len(runs) else np.full((frames, 4), np.nan)


def _mean_runs(curves: np.ndarray, owner: np.ndarray, n_trackers: int) -> np.ndarray:
    """(runs, S, K) -> (trackers, S, K): the mean over each tracker's runs."""
    if len(owner) == n_trackers:
        return curves
    return np.stack([curves[owner == t].mean(axis=0) for t in range(n_trackers)])


def _times(tracker: TrackerResults) -> list[np.ndarray]:
    return [r.times for r in tracker.sequences.values() if r.times is not None and r.times.size]


def _ope_curves(profile: OpeProfile, per_seq: dict[str, np.ndarray]) -> dict[str, Curve]:
    success = per_seq["success"].mean(axis=1)
    curves = {"success": Curve(
        "success", "Success plot", "Overlap threshold", "Success rate",
        profile.success_thresholds, success, success.mean(axis=-1), "AUC")}
    precision = per_seq["precision"].mean(axis=1)
    curves["precision"] = Curve(
        "precision", "Precision plot", "Location error threshold (px)", "Precision",
        profile.precision_thresholds, precision, precision[:, PRECISION_INDEX], "P@20")
    if "norm_precision" in per_seq:
        norm = per_seq["norm_precision"].mean(axis=1)
        curves["norm_precision"] = Curve(
            "norm_precision", "Normalized precision plot",
            "Normalized location error threshold", "Normalized precision",
            profile.norm_thresholds, norm, norm[:, PRECISION_INDEX], "NP@0.20")
    return curves


def _attribute_results(benchmark: Benchmark, profile: OpeProfile, success: np.ndarray) -> dict[str, AttributeResult]:
    out = {}
    for code in benchmark.attributes:
        mask = np.array([code in seq.attributes for seq in benchmark])
        if not mask.any():
            continue
        curve = success[:, mask].mean(axis=1)
        name = ATTRIBUTE_NAMES.get(code, code)
        out[code] = AttributeResult(
            code, name, [s.name for s, m in zip(benchmark, mask) if m],
            Curve("success", "Success plot", "Overlap threshold",
                  "Success rate", profile.success_thresholds, curve, curve.mean(axis=-1), "AUC"))
    return out


def evaluate_got10k_trackers(benchmark: Benchmark, trackers: list[TrackerResults],
                             problems: Problems | None = None) -> Evaluation:
    """GOT-10k scores (AO, SR0.50, SR0.75, 101-point success curve) of already-read results."""
    names = [t.name for t in trackers]
    scores = [evaluate_got10k(benchmark, t) for t in trackers]
    summary = pd.DataFrame({
        "ao": [s.ao for s in scores],
        "sr_50": [s.sr_50 for s in scores],
        "sr_75": [s.sr_75 for s in scores],
        "sequences": [sum(1 for r in t.sequences.values() if r.paths) for t in trackers],
        "fps": [s.fps for s in scores],
    }, index=pd.Index(names, name="tracker"))
    per_sequence = pd.DataFrame(
        [(name, seq, ao) for name, s in zip(names, scores) for seq, ao in s.sequence_ao.items()],
        columns=["tracker", "sequence", "ao"])
    title = TITLES.get(benchmark.name, benchmark.name)
    curve = np.stack([s.curve for s in scores])
    success = Curve("success", "Success plot", "Overlap threshold", "Success rate",
                    scores[0].thresholds, curve, summary["ao"].to_numpy(), "AO")
    return Evaluation(
        benchmark=benchmark.name, title=title, profile="got10k", kind="got10k", trackers=names,
        sequences=benchmark.names, summary=summary, per_sequence=per_sequence, curves={"success": success},
        problems=problems.lines() if problems else [],
    )


def evaluate_vot(benchmark: Benchmark, trackers: list[TrackerResults], profile: str,
                 problems: Problems | None = None) -> Evaluation:
    """VOT supervised scores (accuracy, robustness, failures, EAO and its curve, per-tag A/R) of
    already-read results; an unusable tracker is listed with null scores."""
    interval = VOT_YEARS[benchmark.name].eao_interval
    scores = score_trackers(benchmark, trackers, profile, interval)
    names = [t.name for t in trackers]
    for tracker, score in zip(trackers, scores):
        if score.nan_regions and problems is not None:
            problems.add(tracker.folder, "regions with NaN coordinates, scored as overlap 0",
                         f"{score.nan_regions} frames")
    summary = pd.DataFrame({
        "accuracy": [s.accuracy for s in scores],
        "robustness": [s.robustness for s in scores],
        "failures": [s.failures for s in scores],
        "eao": [s.eao for s in scores],
        "sequences": [len(t.sequences) if t.unusable is None else 0 for t in trackers],
        "fps": [_vot_fps(t) for t in trackers],
    }, index=pd.Index(names, name="tracker"))
    per_sequence = pd.DataFrame(
        [(name, seq, s.sequence_accuracy.get(seq, np.nan), s.sequence_failures.get(seq, np.nan))
         for name, s in zip(names, scores) for seq in benchmark.names],
        columns=["tracker", "sequence", "accuracy", "failures"])
    per_tag = pd.DataFrame(
        [(name, tag, *s.tags.get(tag, (np.nan, np.nan, np.nan))) for name, s in zip(names, scores)
         for tag in benchmark.attributes],
        columns=["tracker", "tag", "accuracy", "failures", "robustness"])
    length = max((len(s.curve) for s in scores), default=0)
    curve = np.full((len(scores), length), np.nan)
    for row, s in enumerate(scores):
        curve[row, :len(s.curve)] = s.curve
    eao_curve = Curve("eao", "Expected average overlap curve",
                      f"Sequence length (frames); EAO averages {interval[0]}-{interval[1]}",
                      "Expected average overlap", np.arange(length), curve, summary["eao"].to_numpy(), "EAO")
    return Evaluation(
        benchmark=benchmark.name, title=TITLES.get(benchmark.name, benchmark.name), profile=profile, kind="vot",
        trackers=names, sequences=benchmark.names, summary=summary, per_sequence=per_sequence,
        curves={"eao": eao_curve}, problems=[*benchmark.problems, *(problems.lines() if problems else [])],
        per_tag=per_tag, eao_interval=interval,
    )


def _vot_fps(tracker: TrackerResults) -> float:
    """Frames the tracker processed (non-zero time) per second of their summed time."""
    times = [r.times for r in tracker.sequences.values() if r.times is not None]
    if not times or tracker.unusable is not None:
        return np.nan
    values = np.concatenate([t.ravel() for t in times])
    spent = values[values > 0]
    return float(len(spent) / spent.sum()) if spent.size else np.nan
