"""Finding the trackers in a results directory and which layout each one uses.

``<results>/<tracker>/<seq>.txt`` is one tracker (got10k, OTB toolkit, pysot layouts);
``<results>/<tracker>/<param>[_NNN]/<seq>.txt`` is pytracking's, one tracker ``<tracker>_<param>``
whose numbered folders are runs; ``<results>/<tracker>/<seq>/<seq>_001.txt`` is got10k's GOT-10k
layout; ``<results>/<tracker>/baseline/<seq>/<seq>_001.txt`` is VOT's. ``<results>`` may also be a single tracker's folder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from evalkit.benchmarks.sequence import Benchmark
from evalkit.errors import EvalkitError
from evalkit.results.vot_layout import sequence_folder

_RUN_SUFFIX = re.compile(r"^(?P<param>.+)_(?P<run>\d{3})$")


@dataclass(frozen=True)
class TrackerSource:
    """Where one tracker's results are: its display name and one folder per run."""

    name: str
    folders: tuple[Path, ...]


def find_trackers(results: str | Path | Sequence[str | Path], benchmark: Benchmark,
                  names: list[str] | None = None) -> list[TrackerSource]:
    """The trackers with results for ``benchmark`` under one or more results folders, optionally
    only ``names`` (in that order)."""
    folders = [Path(results)] if isinstance(results, (str, Path)) else [Path(r) for r in results]
    found: list[TrackerSource] = []
    for folder in folders:
        found.extend(_trackers_in(folder, benchmark))
    by_name: dict[str, TrackerSource] = {}
    for source in found:
        if source.name in by_name:
            raise EvalkitError(f"tracker {source.name!r} has results in both {by_name[source.name].folders[0].parent} "
                               f"and {source.folders[0].parent}; rename one folder")
        by_name[source.name] = source
    if names is None:
        return found
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise EvalkitError(f"no results for tracker(s) {', '.join(unknown)}; found: {', '.join(by_name)}", folders[0])
    return [by_name[n] for n in names]


def _trackers_in(results: Path, benchmark: Benchmark) -> list[TrackerSource]:
    if not results.is_dir():
        raise EvalkitError("results directory not found", results)
    if _holds_results(results, benchmark):
        return [TrackerSource(results.name, (results,))]
    found = []
    for folder in sorted(p for p in results.iterdir() if p.is_dir() and not p.name.startswith(".")):
        found.extend(_sources_in(folder, benchmark))
    if not found:
        raise EvalkitError(f"no tracker results for any {benchmark.name} sequence here", results)
    return found


def _sources_in(folder: Path, benchmark: Benchmark) -> list[TrackerSource]:
    if _holds_results(folder, benchmark):
        return [TrackerSource(folder.name, (folder,))]
    runs: dict[str, list[Path]] = {}
    for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
        if _holds_results(sub, benchmark):
            match = _RUN_SUFFIX.match(sub.name)
            param = match["param"] if match else sub.name
            runs.setdefault(f"{folder.name}_{param}", []).append(sub)
    return [TrackerSource(name, tuple(paths)) for name, paths in runs.items()]


def _holds_results(folder: Path, benchmark: Benchmark) -> bool:
    """Whether ``folder`` has a result for some sequence (OPE file or GOT-10k run folder)."""
    if benchmark.kind == "got10k":
        return any((folder / seq.name / f"{seq.name}_001.txt").is_file() for seq in benchmark)
    if benchmark.kind == "vot":
        return any((sequence_folder(folder, seq.name) / f"{seq.name}_001.txt").is_file() for seq in benchmark)
    return any(benchmark.canonical_name(p.stem) is not None for p in folder.glob("*.txt"))
