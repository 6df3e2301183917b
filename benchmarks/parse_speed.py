"""Parsing every OTB result file beside the checkout: evalkit's parse_tables vs np.loadtxt per file.

The files are read into memory once; each parser then parses the same bytes three times and the
median is printed (the first, cold run included). The two results are checked to agree.

Usage: python benchmarks/parse_speed.py [--shared ../shared/data]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from evalkit.fastparse import parse_tables  # noqa: E402

RUNS = 3
WIDTH = 4


def median_time(parse) -> tuple[float, list]:
    """Median wall time of ``RUNS`` calls of ``parse()``, and the last call's result."""
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        result = parse()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def loadtxt_each(blobs: list[bytes]) -> list[np.ndarray]:
    """np.loadtxt on every file, as (rows, WIDTH) arrays."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # loadtxt warns about empty files
        return [np.loadtxt(io.BytesIO(blob), delimiter=",", ndmin=2).reshape(-1, WIDTH) for blob in blobs]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_args()
    paths = sorted((args.shared / "otb" / "results").glob("*/*.txt"))
    blobs = [path.read_bytes() for path in paths]

    fast, tables = median_time(lambda: parse_tables(blobs, WIDTH))
    slow, arrays = median_time(lambda: loadtxt_each(blobs))

    assert all(t is not None and np.array_equal(t, a, equal_nan=True) for t, a in zip(tables, arrays))
    rows = sum(len(t) for t in tables)
    print(
        f"{len(paths)} files, {sum(map(len, blobs)) / 1e6:.1f} MB, {rows} rows, {rows * WIDTH} numbers; median of {RUNS}"
    )
    print(f"parse_tables        {fast:6.3f} s")
    print(f"np.loadtxt per file {slow:6.3f} s   {slow / fast:5.1f}x")


if __name__ == "__main__":
    main()
