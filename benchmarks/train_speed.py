"""Training speed: iterations/s at batch 8, split into data time (waiting for the next batch of
augmented pairs) and compute time (forward, loss, backward, SGD step), on the real training
sequences beside the checkout; plus the one-off cost of decoding and cropping every frame, and
what 50 epochs would take at that speed.

Usage: python benchmarks/train_speed.py [--data ../shared/data/train] [--trackers siamfc,hinge]
       [--iterations 10] [--batch 8] [--workers 0] [--device cpu|cuda]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import torch  # noqa: E402

from trackers.siamese.checkpoint import load_checkpoint  # noqa: E402
from trackers.siamese.training.pairs import load_training_data  # noqa: E402
from trackers.siamese.training.train import EPOCHS, train  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "train")
    parser.add_argument("--trackers", default="siamfc,hinge")
    parser.add_argument("--iterations", type=int, default=10)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, device {args.device}, batch {args.batch}, "
          f"DataLoader workers {args.workers}")
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        start = time.perf_counter()
        data = load_training_data([args.data], cache_dir=cache)
        build_s = time.perf_counter() - start
        frames = data.summary()["pairs"]
        print(f"decode + crop once: {frames['train'] + frames['val']} frames in {build_s:.1f} s "
              f"({(frames['train'] + frames['val']) / build_s:.0f} frames/s); "
              f"patches {data.train.patch_set.size}px, {_cache_mb(cache):.0f} MB")
        per_epoch = max(1, len(data.train) // args.batch)
        for tracker in args.trackers.split(","):
            out = train(tracker, [args.data], Path(tmp) / f"{tracker}.pt", epochs=1, batch_size=args.batch,
                        iterations_per_epoch=args.iterations, device=args.device, progress=False, val_pairs=args.batch,
                        num_workers=args.workers, cache_dir=cache)
            (record,) = load_checkpoint(out)[1]["provenance"]["history"]
            data_s, compute_s = record["data_s"], record["compute_s"]
            rate = args.iterations / (data_s + compute_s)
            print(f"{tracker:>9}: {rate:.3f} it/s ({rate * args.batch:.1f} pairs/s); per iteration "
                  f"data {1000 * data_s / args.iterations:.1f} ms, compute {1000 * compute_s / args.iterations:.0f} ms; "
                  f"{EPOCHS} epochs x {per_epoch} iterations = {EPOCHS * per_epoch / rate / 3600:.1f} h")


def _cache_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.glob("*.npy")) / 2**20


if __name__ == "__main__":
    main()
