"""Running trackers on a benchmark: choose the runner, resume, write results, summarise."""

from __future__ import annotations

import inspect
import sys
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from evalkit.benchmarks.sequence import Benchmark
from evalkit.errors import EvalkitError
from evalkit.protocols import supervised
from evalkit.protocols.ope import OpeRun
from evalkit.results.store import Got10kStore, OpeStore, VotStore
from evalkit.runners.loop import (
    Finished,
    Protocol,
    Throughput,
    run_batched,
    run_one_at_a_time,
)
from evalkit.runners.pool import run_pool
from evalkit.runners.progress import Progress
from evalkit.trackers import BatchedTracker, Tracker, create_tracker, tracker_factory

DEFAULT_SLOTS_CPU = 4
DEFAULT_SLOTS_CUDA = 32
GOT10K_RUNS = 3  # GOT-10k protocol: a stochastic tracker runs every sequence three times


@dataclass
class RunSummary:
    tracker: str
    folder: Path
    finished: list[str] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    frames: int = 0
    seconds: float = 0.0
    invalid_outputs: int = 0
    mode: str = ""

    def line(self) -> str:
        fps = self.frames / self.seconds if self.seconds > 0 else 0.0
        parts = [f"{self.tracker}: {len(self.finished)} sequences run ({self.mode}), {len(self.resumed)} already done",
                 f"{self.frames} frames in {self.seconds:.1f} s ({fps:.1f} frames/s)"]
        if self.failed:
            parts.append(f"{len(self.failed)} failed (see {self.folder / 'errors'})")
        if self.invalid_outputs:
            parts.append(f"{self.invalid_outputs} NaN/inf boxes recorded as no prediction")
        return ", ".join(parts)


def resolve_device(device: str) -> str:
    """``auto`` = cuda when available; ``cuda`` without a GPU is an error."""
    if device not in ("auto", "cpu", "cuda"):
        raise EvalkitError(f"unknown device {device!r}; choose auto, cpu or cuda")
    if device == "cpu":
        return device
    try:
        import torch

        available = torch.cuda.is_available()
    except ImportError:
        available = False
    if device == "cuda" and not available:
        raise EvalkitError("--device cuda: no CUDA GPU is available (use --device auto or cpu)")
    return "cuda" if available else "cpu"


def tracker_options(name: str, weights: str | None, device: str) -> dict[str, Any]:
    """The options ``name``'s factory accepts among weights and device."""
    accepted = inspect.signature(tracker_factory(name)).parameters
    options: dict[str, Any] = {}
    if "device" in accepted:
        options["device"] = device
    if weights is not None:
        if "weights" not in accepted:
            raise EvalkitError(f"tracker {name!r} takes no weights")
        options["weights"] = weights
    return options


def protocol_for(benchmark: Benchmark, tracker: Tracker, init_box: str = "area",
                 failure_overlap: str = "pysot") -> tuple[Protocol, int, type]:
    """The benchmark's protocol for ``tracker``: the run factory, the runs per sequence and the
    store. GOT-10k runs a stochastic tracker ``GOT10K_RUNS`` times per sequence, VOT's supervised
    protocol ``supervised.REPETITIONS`` times."""
    stochastic = not tracker.is_deterministic
    if benchmark.kind == "vot":
        return partial(supervised.SupervisedRun, init_convention=init_box, failure_overlap=failure_overlap), \
            supervised.REPETITIONS if stochastic else 1, VotStore
    protocol = partial(OpeRun, pixel_origin=benchmark.pixel_origin)
    if benchmark.kind == "got10k":
        return protocol, GOT10K_RUNS if stochastic else 1, Got10kStore
    return protocol, 1, OpeStore


def run_tracker(tracker: Tracker, name: str, options: dict[str, Any], benchmark: Benchmark, out: Path, *,
                deterministic: bool = False, slots: int | None = None, workers: int = 1,
                progress: bool = True, init_box: str = "area", failure_overlap: str = "pysot") -> RunSummary:
    """Run ``tracker`` (registered as ``name`` with ``options``, which pool workers rebuild it
    from) on every sequence of ``benchmark`` not yet finished under ``out``, with the benchmark's
    protocol (:func:`protocol_for`; ``init_box`` and ``failure_overlap`` name VOT's polygon-to-box
    convention and the overlap that judges failures)."""
    protocol, repeats, store_type = protocol_for(benchmark, tracker, init_box, failure_overlap)
    store = store_type(out / tracker.name)
    summary = RunSummary(tracker.name, store.folder)
    summary.resumed = [seq.name for seq in benchmark if store.is_done(seq.name)]
    todo = [seq for seq in benchmark if not store.is_done(seq.name)]
    meter = Progress(tracker.name, len(todo), sum(len(s.frames) for s in todo), enabled=progress)
    pending: dict[str, list[Finished]] = {}

    def done(result: Finished) -> None:
        runs = pending.setdefault(result.seq.name, [])
        runs.append(result)
        if len(runs) < repeats:
            return
        seq_name = result.seq.name
        errors = [r.error for r in runs if r.run is None]
        if errors:
            store.write_error(seq_name, errors[0] or "failed")
            summary.failed[seq_name] = errors[0] or "failed"
            print(f"evalkit: warning: {tracker.name} on {seq_name}: {errors[0]}", file=sys.stderr)
        else:
            store.write(seq_name, [r.run.output for r in runs], [r.run.times for r in runs])
            summary.finished.append(seq_name)
            summary.invalid_outputs += sum(r.run.invalid_outputs for r in runs)
        meter.sequence_done(len(result.seq.frames))

    tasks = [seq for seq in todo for _ in range(repeats)]
    stats = Throughput()
    start = time.perf_counter()
    if isinstance(tracker, BatchedTracker) and not deterministic:
        summary.mode = "batched"
        default_slots = DEFAULT_SLOTS_CUDA if options.get("device") == "cuda" else DEFAULT_SLOTS_CPU
        run_batched(tracker, tasks, protocol, done, stats, slots or default_slots)
    elif workers > 1 and not deterministic and len(tasks) > 1:
        summary.mode = f"{workers} processes"
        run_pool(name, options, tasks, protocol, done, stats, workers)
    else:
        summary.mode = "one at a time"
        run_one_at_a_time(tracker, tasks, protocol, done, stats)
    summary.seconds = time.perf_counter() - start
    summary.frames = stats.frames
    meter.close()
    return summary


def run_and_report(names: list[str], bench: str, root: Path | None, *, sequences: list[str] | None,
                   weights: dict[str, str], device: str, deterministic: bool, slots: int | None, workers: int,
                   out: Path, compare: list[Path], report_out: Path | None, init_box: str = "area",
                   failure_overlap: str = "pysot", profile: str | None = None) -> int:
    """``evalkit run``: run each tracker on the sequences that have frames, then report them
    (with ``compare`` folders' trackers, on the same sequences)."""
    from evalkit.benchmarks import load_benchmark
    from evalkit.evaluate import evaluate
    from evalkit.report import format_terminal_table, write_report

    device = resolve_device(device)
    options = {name: tracker_options(name, weights.get(name), device) for name in names}
    trackers = {name: create_tracker(name, **options[name]) for name in names}  # fail fast, before any work
    benchmark = load_benchmark(bench, root)
    if sequences:
        benchmark = benchmark.subset(sequences)
    without = [seq.name for seq in benchmark if not seq.has_frames()]
    if without:
        shown = ", ".join(without[:8]) + (", ..." if len(without) > 8 else "")
        print(f"evalkit: skipping {len(without)} sequences without frames: {shown}", file=sys.stderr)
        benchmark = benchmark.subset([seq.name for seq in benchmark if seq.has_frames()])
    if not len(benchmark):
        raise EvalkitError(f"no {bench} sequence has frames here", root)
    results = out / bench
    summaries = [run_tracker(trackers[name], name, options[name], benchmark, results, deterministic=deterministic,
                             slots=slots, workers=workers, init_box=init_box, failure_overlap=failure_overlap)
                 for name in names]
    evaluation = evaluate(benchmark, [results, *compare],
                          [s.tracker for s in summaries] + _compare_names(compare, benchmark), profile)
    report_dir = report_out or Path("reports") / bench
    write_report(evaluation, report_dir)
    for line in evaluation.problems:
        print(f"evalkit: warning: {line}", file=sys.stderr)
    print(format_terminal_table(evaluation))
    for summary in summaries:
        print(summary.line())
    print(f"results: {results}   report: {report_dir / 'index.html'}")
    return 1 if any(s.failed for s in summaries) else 0


def _compare_names(folders: list[Path], benchmark: Benchmark) -> list[str]:
    from evalkit.results.discover import find_trackers

    return [source.name for source in find_trackers(folders, benchmark)] if folders else []
