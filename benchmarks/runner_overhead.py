"""Runner overhead: the identity tracker over the real OTB2015 frames beside the checkout, with
evalkit's runner (prefetched decoding, batched slots) vs got10k's ``Tracker.track`` loop (PIL
decoding in the loop), same frames, one run each.

got10k opens frames with PIL, which decodes lazily: its own IdentityTracker never reads a pixel,
so its loop never decodes a JPEG. Every real tracker reads the pixels, so the comparison uses a
got10k identity tracker that does (``np.asarray(image)``); the lazy figure is printed too.

Usage: python benchmarks/runner_overhead.py [--shared ../shared/data]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from evalkit.benchmarks import load_benchmark  # noqa: E402
from evalkit.runners.experiment import run_tracker  # noqa: E402
from evalkit.trackers import create_tracker  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_args()
    import numpy as np
    from got10k.trackers import IdentityTracker

    class PixelReadingIdentity(IdentityTracker):
        def update(self, image):
            np.asarray(image)
            return super().update(image)

    bench = load_benchmark("otb2015", args.shared / "otb" / "OTB2015")
    bench = bench.subset([seq.name for seq in bench if seq.has_frames()])
    frames = sum(len(seq.frames) for seq in bench)

    def peer_seconds(tracker) -> float:
        start = time.perf_counter()
        for seq in bench:
            tracker.track([str(p) for p in seq.frames], seq.gt[0])
        return time.perf_counter() - start

    lazy_seconds = peer_seconds(IdentityTracker())
    decoding_seconds = peer_seconds(PixelReadingIdentity())

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        run_tracker(create_tracker("identity"), "identity", {}, bench, Path(tmp), progress=False)
        ours_seconds = time.perf_counter() - start

    print(f"identity over {len(bench)} OTB2015 targets, {frames} frames")
    print(f"got10k Tracker.track, pixels read  {decoding_seconds:6.2f} s  {frames / decoding_seconds:7.1f} frames/s")
    print(f"got10k Tracker.track, lazy PIL     {lazy_seconds:6.2f} s  {frames / lazy_seconds:7.1f} frames/s (no decoding)")
    print(f"evalkit runner                     {ours_seconds:6.2f} s  {frames / ours_seconds:7.1f} frames/s  "
          f"({decoding_seconds / ours_seconds:.1f}x the pixel-reading loop)")


if __name__ == "__main__":
    main()
