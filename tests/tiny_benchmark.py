"""A tiny benchmark with real JPEG frames on disk: a bright textured square drifting over noise."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from evalkit.benchmarks.sequence import Benchmark, FrameList, Sequence


def make_tiny_benchmark(root: Path, sequences: int = 3, frames: int = 8, size=(96, 72)) -> Benchmark:
    rng = np.random.default_rng(0)
    target = np.kron(rng.integers(120, 255, (4, 4, 3)), np.ones((4, 4, 1))).astype(np.uint8)  # 16x16 blocks
    seqs = []
    for index in range(sequences):
        folder = root / f"Seq{index}" / "img"
        folder.mkdir(parents=True, exist_ok=True)
        gt = np.zeros((frames, 4))
        for frame in range(frames):
            image = rng.integers(0, 60, (size[1], size[0], 3), dtype=np.uint8)
            x, y = 20 + 2 * frame + index, 20 + frame
            image[y:y + 16, x:x + 16] = target
            cv2.imwrite(str(folder / f"{frame + 1:04d}.jpg"), image)
            gt[frame] = (x + 1, y + 1, 16, 16)  # OTB convention: 1-based
        seqs.append(Sequence(name=f"Seq{index}", gt=gt, frames=FrameList(folder, "{:04d}.jpg", 1, frames)))
    return Benchmark("tiny", root, tuple(seqs), "ope", "otb", pixel_origin=1)
