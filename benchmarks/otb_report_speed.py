"""OTB2015 x every tracker in ../shared/data/otb/results: evalkit vs the got10k package, one run.

Measures, on the same machine in the same run:
- metrics (parse + evaluate, no plots): got10k ExperimentOTB.report with plotting disabled vs
  evalkit's load_benchmark + evaluate;
- the full report with plots: got10k's report with its plots vs `evalkit report` (a subprocess,
  start-up included, no cache);
- a cached re-report: `evalkit report` again with nothing changed.
got10k cannot read the published files as they are (it asserts equal lengths and fixed names), so
it reads a copy of the same aligned data written in its layout.

Usage: python benchmarks/otb_report_speed.py [--shared ../shared/data]
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
from evalkit.errors import Problems  # noqa: E402
from evalkit.evaluate import evaluate  # noqa: E402
from evalkit.results.discover import find_trackers  # noqa: E402
from evalkit.results.ope import read_ope_tracker  # noqa: E402
from tests.got10k_peer import write_got10k_otb_layout  # noqa: E402


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_args()
    root, results = args.shared / "otb" / "OTB2015", args.shared / "otb" / "results"
    from got10k.experiments import ExperimentOTB

    bench = load_benchmark("otb2015", root)
    names = [s.name for s in find_trackers(results, bench)]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        trackers = [read_ope_tracker(n, [results / n], bench, Problems()) for n in names]
        peer_root, peer_results = write_got10k_otb_layout(tmp, bench, trackers, fmt="%g")

        experiment = ExperimentOTB(str(peer_root), 2015, str(peer_results), str(tmp / "peer-reports"))
        plot_curves = experiment.plot_curves
        experiment.plot_curves = lambda _names: None
        peer_metrics, _ = timed(lambda: experiment.report(names))
        experiment.plot_curves = plot_curves
        peer_full, _ = timed(lambda: experiment.report(names))

        ours_metrics, _ = timed(lambda: evaluate(load_benchmark("otb2015", root), results))
        out = tmp / "evalkit-report"
        command = [sys.executable, "-m", "evalkit", "report", "--bench", "otb2015", "--root", str(root),
                   "--results", str(results), "--out", str(out)]
        run = lambda: subprocess.run(command, check=True, capture_output=True, cwd=REPO)  # noqa: E731
        ours_full, _ = timed(run)
        ours_cached, _ = timed(run)

    print(f"OTB2015, {len(names)} trackers, {sum(len(s) for s in bench)} frames each")
    print(f"metrics  got10k {peer_metrics:7.2f} s   evalkit {ours_metrics:6.2f} s   {peer_metrics / ours_metrics:5.1f}x")
    print(f"report   got10k {peer_full:7.2f} s   evalkit {ours_full:6.2f} s   {peer_full / ours_full:5.1f}x  (evalkit: subprocess, start-up included)")
    print(f"cached re-report  evalkit {ours_cached:6.2f} s")


if __name__ == "__main__":
    main()
