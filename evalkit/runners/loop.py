"""The runners: one sequence at a time, K sequences in the slots of a batched tracker, or a
process pool of single-sequence trackers. All drive a protocol run per sequence
(:class:`~evalkit.protocols.ope.OpeRun`, :class:`~evalkit.protocols.supervised.SupervisedRun`),
made by a ``Protocol`` callable, and report finished sequences to a callback, which writes them.
Frames a protocol skips are neither given to the tracker nor decoded."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from evalkit.benchmarks.sequence import Sequence as Seq
from evalkit.errors import EvalkitError
from evalkit.protocols.ope import OpeRun
from evalkit.protocols.supervised import SupervisedRun
from evalkit.runners.frames import Prefetcher
from evalkit.trackers import BatchedTracker, Tracker

DECODE_THREADS = 2


@dataclass
class Finished:
    """A sequence's outcome: a finished protocol, or the error that stopped it."""

    seq: Seq
    run: OpeRun | SupervisedRun | None
    error: str | None = None


Callback = Callable[[Finished], None]
Protocol = Callable[[Seq], "OpeRun | SupervisedRun"]  # a picklable factory: a pool rebuilds runs from it


@dataclass
class Throughput:
    frames: int = 0
    batches: list[int] = field(default_factory=list)  # slots in flight per batched step


def _sync(tracker: Tracker) -> None:
    sync = getattr(tracker, "synchronize", None)
    if sync is not None:
        sync()


def _describe(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, EvalkitError) else f"tracker raised {type(exc).__name__}: {exc}"


def run_one_at_a_time(tracker: Tracker, sequences: Sequence[Seq], protocol: Protocol, done: Callback,
                      stats: Throughput) -> None:
    """Deterministic mode: each sequence start to end before the next."""
    with ThreadPoolExecutor(DECODE_THREADS) as pool:
        for seq in sequences:
            run, frames = protocol(seq), Prefetcher(seq.frames, pool)
            try:
                while not run.finished:
                    kind, box = run.action()
                    if kind == "skip":
                        frames.skip()
                        run.record(None, 0.0)
                        continue
                    image = frames.next()
                    tic = time.perf_counter()
                    if kind == "init":
                        tracker.init(image, box)
                        out = None
                    else:
                        out = tracker.update(image)
                    _sync(tracker)
                    run.record(out, time.perf_counter() - tic)
            except Exception as exc:  # noqa: BLE001 - any tracker failure is recorded, the run goes on
                frames.close()
                done(Finished(seq, None, _describe(exc)))
                continue
            stats.frames += len(seq.frames)
            done(Finished(seq, run))


@dataclass
class _Slot:
    seq: Seq
    run: OpeRun | SupervisedRun
    frames: Prefetcher


def run_batched(tracker: BatchedTracker, sequences: Sequence[Seq], protocol: Protocol, done: Callback,
                stats: Throughput, slots: int) -> None:
    """K sequences in flight; a slot is refilled as soon as its sequence ends. Each step makes one
    ``init_slots`` call for the slots (re)starting and one ``update_slots`` call for the tracking
    ones; slots that skip frames advance without a call. A step's time is shared equally by its
    frames."""
    queue = list(reversed(sequences))
    active: dict[int, _Slot] = {}
    with ThreadPoolExecutor(DECODE_THREADS) as pool:
        while queue or active:
            for slot in range(slots):
                if slot not in active and queue:
                    seq = queue.pop()
                    active[slot] = _Slot(seq, protocol(seq), Prefetcher(seq.frames, pool))
            images: dict[int, np.ndarray] = {}
            for slot, state in list(active.items()):
                if state.run.action()[0] == "skip":
                    state.frames.skip()
                    state.run.record(None, 0.0)
                    continue
                try:
                    images[slot] = state.frames.next()
                except EvalkitError as exc:
                    _fail(tracker, active, [slot], str(exc), done)
            inits = [s for s in images if active[s].run.action()[0] == "init"]
            updates = [s for s in images if s not in inits]
            for group, is_init in ((inits, True), (updates, False)):
                if group:
                    _step(tracker, active, group, images, is_init, done)
            if images:
                stats.batches.append(len(images))
            for slot in [s for s, state in active.items() if state.run.finished]:
                state = active.pop(slot)
                tracker.release_slots([slot])
                stats.frames += len(state.seq.frames)
                done(Finished(state.seq, state.run))


def _step(tracker: BatchedTracker, active: dict[int, _Slot], group: list[int], images: dict[int, np.ndarray],
          is_init: bool, done: Callback) -> None:
    tic = time.perf_counter()
    try:
        if is_init:
            tracker.init_slots(group, [images[s] for s in group], np.stack([active[s].run.action()[1] for s in group]))
            boxes = [None] * len(group)
        else:
            boxes = list(tracker.update_slots(group, [images[s] for s in group]))
        _sync(tracker)
    except Exception as exc:  # noqa: BLE001 - recorded with every sequence of the failed step
        _fail(tracker, active, group, _describe(exc), done)
        return
    seconds = (time.perf_counter() - tic) / len(group)
    runs = [active[slot].run for slot in group]
    if is_init:
        for run in runs:
            run.record(None, seconds)
    else:
        type(runs[0]).record_many(runs, boxes, seconds)


def _fail(tracker: BatchedTracker, active: dict[int, _Slot], group: list[int], message: str, done: Callback) -> None:
    for slot in group:
        state = active.pop(slot)
        state.frames.close()
        tracker.release_slots([slot])
        done(Finished(state.seq, None, message))
