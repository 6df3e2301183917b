"""Benchmarks by name: ``load_benchmark("otb2015", root)``."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Callable

from evalkit.benchmarks.sequence import Benchmark, Sequence, name_key
from evalkit.errors import EvalkitError

Loader = Callable[[str | Path | None], Benchmark]

_LOADERS: dict[str, Loader] = {}
_GENERATED: set[str] = set()  # benchmarks that make their own data when no root is given


def register_benchmark(name: str, loader: Loader, generated: bool = False) -> None:
    """Make ``loader(root)`` available as benchmark ``name`` (``generated``: root may be None)."""
    _LOADERS[name] = loader
    if generated:
        _GENERATED.add(name)


def benchmark_names() -> list[str]:
    return sorted(_LOADERS)


def load_benchmark(name: str, root: str | Path | None) -> Benchmark:
    """Load benchmark ``name`` from ``root``; unknown names list the valid ones."""
    key = name.lower()
    if key not in _LOADERS:
        raise EvalkitError(f"unknown benchmark {name!r}; choose one of: {', '.join(benchmark_names())}")
    if root is None and key not in _GENERATED:
        raise EvalkitError(f"{name} needs --root DIR: the folder holding the benchmark")
    return _LOADERS[key](root)


def _register_builtin() -> None:
    from evalkit.benchmarks.otb import load_otb

    for otb_name in ("otb2013", "otb50", "tb50", "otb2015", "tb100"):
        register_benchmark(otb_name, partial(load_otb, otb_name))

    from evalkit.benchmarks.got10k import SPLITS, load_got10k

    for split in SPLITS:
        register_benchmark(f"got10k-{split}", partial(load_got10k, split))

    from evalkit.benchmarks.synthetic import load_synthetic

    register_benchmark("synthetic", load_synthetic, generated=True)


_register_builtin()

__all__ = ["Benchmark", "Sequence", "load_benchmark", "benchmark_names", "register_benchmark", "name_key"]
