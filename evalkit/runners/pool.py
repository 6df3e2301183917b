"""A process pool for trackers without the batched form: one sequence per task, the tracker built
once per worker process from its registered name and options."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, Sequence

from evalkit.benchmarks.sequence import Sequence as Seq
from evalkit.runners.loop import (
    Callback,
    Finished,
    Protocol,
    Throughput,
    run_one_at_a_time,
)
from evalkit.trackers import Tracker, create_tracker

_worker_tracker: Tracker | None = None


def _start_worker(name: str, options: dict[str, Any]) -> None:
    global _worker_tracker
    _worker_tracker = create_tracker(name, **options)


def _run_sequence(seq: Seq, protocol: Protocol) -> tuple[Finished, Throughput]:
    finished: list[Finished] = []
    stats = Throughput()
    run_one_at_a_time(_worker_tracker, [seq], protocol, finished.append, stats)
    return finished[0], stats


def run_pool(name: str, options: dict[str, Any], sequences: Sequence[Seq], protocol: Protocol, done: Callback,
             stats: Throughput, workers: int) -> None:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                             initargs=(name, options)) as pool:
        futures = [pool.submit(_run_sequence, seq, protocol) for seq in sequences]
        for future in as_completed(futures):
            finished, part = future.result()
            stats.frames += part.frames
            done(finished)
