"""SiamFC (3 scales) speed: per frame one sequence at a time, and aggregate frames/s with K
sequences batched in slots, on the real OTB2015 frames beside the checkout (or --device cuda).

Usage: python benchmarks/siamfc_speed.py [--shared ../shared/data] [--device cpu|cuda]
       [--slots 4,8] [--frames 60]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from evalkit.benchmarks import load_benchmark  # noqa: E402
from evalkit.benchmarks.sequence import FrameList  # noqa: E402
from evalkit.runners.experiment import run_tracker  # noqa: E402
from evalkit.trackers import create_tracker  # noqa: E402


def _clip(bench, frames: int):
    """Every sequence cut to its first ``frames`` frames (same work for every configuration)."""
    from dataclasses import replace

    seqs = []
    for seq in bench:
        n = min(frames, len(seq.frames))
        listed = seq.frames
        seqs.append(replace(seq, gt=seq.gt[:n], frames=FrameList(listed.folder, listed.template, listed.first, n)))
    return replace(bench, sequences=tuple(seqs))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--weights", type=Path)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--slots", default="4,9")
    parser.add_argument("--frames", type=int, default=60)
    args = parser.parse_args()
    weights = args.weights or args.shared / "weights" / "siamfc-pytorch" / "siamfc_alexnet_cpu.pth"
    bench = load_benchmark("otb2015", args.shared / "otb" / "OTB2015")
    bench = _clip(bench.subset([s.name for s in bench if s.has_frames()]), args.frames)
    frames = sum(len(s.frames) for s in bench)
    print(f"SiamFC-3s on {len(bench)} OTB2015 targets x {args.frames} frames ({frames} frames), device {args.device}")
    configs = [("one at a time", {"deterministic": True})] + [
        (f"batched, {k} slots", {"slots": int(k)}) for k in args.slots.split(",")]
    baseline = None
    for label, options in configs:
        tracker = create_tracker("siamfc", weights=weights, device=args.device)
        with tempfile.TemporaryDirectory() as tmp:
            summary = run_tracker(tracker, "siamfc", {"weights": weights, "device": args.device}, bench, Path(tmp),
                                  progress=False, **options)
        fps = summary.frames / summary.seconds
        baseline = baseline or fps
        print(f"{label:20s} {summary.seconds:7.2f} s  {fps:7.1f} frames/s  {1000 / fps:6.1f} ms/frame  "
              f"{fps / baseline:5.2f}x")


if __name__ == "__main__":
    main()
