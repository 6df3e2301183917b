"""VOT2018 A/R/EAO of every tracker in ../shared/data/vot/results-VOT2018: evalkit vs vot-toolkit.

Measures, on the same machine in the same run:
- evalkit: load_benchmark + evaluate (parse, overlaps, accuracy, robustness, EAO curve and score),
  with the `vot` and the `pysot` profile;
- vot-toolkit 0.7.4 (its own environment, tests/peers/setup_vot_toolkit.sh) computing the same
  analyses through tests/peers/vot_toolkit_reference.py (a subprocess; its start-up included);
- the full `evalkit report` (subprocess, start-up and plots included).
pysot-toolkit is not installable from the package index, so it cannot run here; the figure the
project was given for it on this machine (about 17 s) is printed for reference, not measured.

Usage: python benchmarks/vot_report_speed.py [--shared ../shared/data] [--no-peer]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("MPLBACKEND", "Agg")

from evalkit.benchmarks import load_benchmark  # noqa: E402
from evalkit.evaluate import evaluate  # noqa: E402

PYSOT_TOOLKIT_SECONDS = 17.0  # given, not measured here (pysot-toolkit is not on the package index)


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def best_of(runs: int, fn) -> float:
    return min(timed(fn)[0] for _ in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--no-peer", action="store_true", help="skip vot-toolkit")
    args = parser.parse_args()
    root, results = args.shared / "vot" / "VOT2018", args.shared / "vot" / "results-VOT2018"
    trackers = sorted(p.name for p in results.iterdir() if p.is_dir())

    ours = {profile: best_of(3, lambda p=profile: evaluate(load_benchmark("vot2018", root), results, None, p))
            for profile in ("vot", "pysot")}
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-m", "evalkit", "report", "--bench", "vot2018", "--root", str(root),
                   "--results", str(results), "--out", str(Path(tmp) / "report")]
        report, _ = timed(lambda: subprocess.run(command, check=True, capture_output=True, cwd=REPO))

    peer = None
    python = Path(os.environ.get("EVALKIT_VOT_TOOLKIT_VENV", REPO / ".peers" / "vot-toolkit")) / "bin" / "python"
    if not args.no_peer and python.is_file():
        command = [str(python), str(REPO / "tests" / "peers" / "vot_toolkit_reference.py"), "--sequences", str(root),
                   "--results", str(results), "--sizes", str(root / "image_sizes.json"), "--year", "2018"]
        peer, _ = timed(lambda: subprocess.run(command, check=True, capture_output=True))

    frames = sum(len(s) for s in load_benchmark("vot2018", root))
    print(f"VOT2018 A/R/EAO, {len(trackers)} trackers x {frames} frames")
    for profile, seconds in ours.items():
        line = f"evalkit ({profile:5s})  {seconds:6.2f} s"
        if peer is not None:
            line += f"   vot-toolkit {peer:6.2f} s = {peer / seconds:5.1f}x"
        line += f"   pysot-toolkit (given, ~{PYSOT_TOOLKIT_SECONDS:.0f} s) = {PYSOT_TOOLKIT_SECONDS / seconds:5.1f}x"
        print(line)
    print(f"evalkit report (subprocess, start-up, plots, tables)  {report:6.2f} s")
    if peer is None:
        print("vot-toolkit not measured: create its environment with tests/peers/setup_vot_toolkit.sh")


if __name__ == "__main__":
    main()
