"""Benchmarks by name: ``load_benchmark("otb2015", root)``."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Callable

from evalkit.benchmarks.sequence import Benchmark, Sequence, name_key
from evalkit.errors import EvalkitError

Loader = Callable[..., Benchmark]  # loader(root) or, for benchmarks in _SIZED, loader(root, image_sizes)

_LOADERS: dict[str, Loader] = {}
_GENERATED: set[str] = set()  # benchmarks that make their own data when no root is given
_SIZED: set[str] = set()  # benchmarks that accept an image size table (scored from annotations alone)


def register_benchmark(name: str, loader: Loader, generated: bool = False, sized: bool = False) -> None:
    """Make ``loader(root)`` available as benchmark ``name`` (``generated``: root may be None;
    ``sized``: the loader also takes ``image_sizes``, a JSON table of image sizes)."""
    _LOADERS[name] = loader
    if generated:
        _GENERATED.add(name)
    if sized:
        _SIZED.add(name)


def benchmark_names() -> list[str]:
    return sorted(_LOADERS)


def load_benchmark(name: str, root: str | Path | None, image_sizes: str | Path | None = None) -> Benchmark:
    """Load benchmark ``name`` from ``root``; unknown names list the valid ones."""
    key = name.lower()
    if key not in _LOADERS:
        raise EvalkitError(f"unknown benchmark {name!r}; choose one of: {', '.join(benchmark_names())}")
    if root is None and key not in _GENERATED:
        raise EvalkitError(f"{name} needs --root DIR: the folder holding the benchmark")
    if image_sizes is None:
        return _LOADERS[key](root)
    if key not in _SIZED:
        raise EvalkitError(f"{name} takes its image sizes from its own files; --image-sizes is for VOT benchmarks")
    return _LOADERS[key](root, image_sizes)


def _register_builtin() -> None:
    from evalkit.benchmarks.otb import load_otb

    for otb_name in ("otb2013", "otb50", "tb50", "otb2015", "tb100"):
        register_benchmark(otb_name, partial(load_otb, otb_name))

    from evalkit.benchmarks.got10k import SPLITS, load_got10k

    for split in SPLITS:
        register_benchmark(f"got10k-{split}", partial(load_got10k, split))

    from evalkit.benchmarks.synthetic import load_synthetic

    register_benchmark("synthetic", load_synthetic, generated=True)

    from evalkit.benchmarks.vot import YEARS, load_vot

    for year in YEARS:
        register_benchmark(year, partial(load_vot, year), sized=True)


_register_builtin()

__all__ = ["Benchmark", "Sequence", "load_benchmark", "benchmark_names", "register_benchmark", "name_key"]
