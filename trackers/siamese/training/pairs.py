"""SiamFC training pairs: an exemplar and a search crop of one target, at most 100 frames apart.

One pass over the data (an epoch's worth of pairs) takes every usable frame once as the exemplar
(anchor), in a seeded random order, with a search frame drawn uniformly among the track's other
usable frames within ``MAX_FRAME_GAP`` frames on either side (the anchor itself only when it has
no such neighbour). Crops come from the cached context patches (:mod:`.patches`): both are the
255-scale search region, stretched by a factor in [1 - s, 1 + s] and shifted by up to +-4 px as
siamfc-pytorch's RandomStretch + CenterCrop(247) + RandomCrop(239) do, then cut to 127 (exemplar)
or 239 (search: a 15x15 score map).

Every item draws from ``np.random.default_rng([seed, epoch, item])``, so a batch depends only on
the seed, the epoch and its position, whatever the number of DataLoader workers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import cv2
import numpy as np
import torch
from torch.utils.data import Dataset, Sampler

from evalkit.errors import EvalkitError
from trackers.siamese.training.patches import CROP, PatchSet, build_patches, patch_size
from trackers.siamese.training.sources import DataItem, Split, Tracks, load_tracks, split_by_video

MAX_FRAME_GAP = 100  # SiamFC: exemplar and search frames at most 100 frames apart
EXEMPLAR_SIZE = CROP.exemplar_size  # 127
TRAIN_SEARCH_SIZE = CROP.instance_size - 2 * 8  # 239 (siamfc-pytorch: 255 - 2 * 8 -> 15x15 map)
VAL_FRACTION = 0.1  # share of videos held out for the validation loss (evalkit's choice)
SPLIT_SEED = 0  # fixed, so runs with different training seeds share one validation set


@dataclass(frozen=True)
class Augmentation:
    """Random stretch and shift as siamfc-pytorch; colour jitter (a random gain per channel in
    [1 - j, 1 + j]) is evalkit's option, off by default."""

    stretch: float = 0.05  # siamfc-pytorch RandomStretch(max_stretch=0.05)
    shift: int = 4  # px; CenterCrop(255 - 8) then RandomCrop(255 - 16)
    colour_jitter: float = 0.0


NO_AUGMENTATION = Augmentation(stretch=0.0, shift=0, colour_jitter=0.0)


@dataclass(frozen=True)
class PairChoice:
    track: int
    exemplar_frame: int  # frame numbers into Track.frames
    search_frame: int


def cut(patch: np.ndarray, out_size: int, scale: float, shift: tuple[float, float],
        gain: np.ndarray | None = None) -> np.ndarray:
    """The ``out_size`` crop of ``patch`` scaled by ``scale`` about its centre, moved by ``shift``
    (x, y) px, each channel times ``gain``: one bilinear warp."""
    centre_in, centre_out = (patch.shape[0] - 1) / 2, (out_size - 1) / 2
    matrix = np.array([[scale, 0, centre_out + shift[0] - scale * centre_in],
                       [0, scale, centre_out + shift[1] - scale * centre_in]])
    crop = cv2.warpAffine(patch, matrix, (out_size, out_size), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REPLICATE)
    if gain is not None:
        crop = np.clip(crop * gain, 0, 255).astype(np.uint8)
    return crop


class PairDataset(Dataset):
    """Pairs from a :class:`PatchSet`; indexed by the (anchor, epoch, item) keys of :class:`PairSampler`."""

    def __init__(self, patch_set: PatchSet, seed: int, augmentation: Augmentation = Augmentation(),
                 max_gap: int = MAX_FRAME_GAP, search_size: int = TRAIN_SEARCH_SIZE):
        self.patch_set, self.seed, self.augmentation = patch_set, seed, augmentation
        self.max_gap, self.search_size = max_gap, search_size
        self.anchors = np.array([(t, i) for t, entry in enumerate(patch_set.patches) for i in range(len(entry.frames))],
                                dtype=np.int64).reshape(-1, 2)

    def __len__(self) -> int:
        return len(self.anchors)

    def choose(self, anchor: int, rng: np.random.Generator) -> tuple[int, int, int]:
        """(track, exemplar patch index, search patch index) for ``anchor``."""
        track, index = (int(v) for v in self.anchors[anchor])
        frames = self.patch_set.patches[track].frames
        low = np.searchsorted(frames, frames[index] - self.max_gap, side="left")
        high = np.searchsorted(frames, frames[index] + self.max_gap, side="right")
        if high - low <= 1:
            return track, index, index
        partner = int(rng.integers(low, high - 1))
        return track, index, partner + (partner >= index)

    def pair(self, anchor: int, epoch: int, item: int) -> PairChoice:
        """Which frames item ``item`` of ``epoch`` pairs (for inspection and tests)."""
        track, z, x = self.choose(anchor, np.random.default_rng([self.seed, epoch, item]))
        frames = self.patch_set.patches[track].frames
        return PairChoice(track, int(frames[z]), int(frames[x]))

    def __getitem__(self, key: tuple[int, int, int]) -> tuple[torch.Tensor, torch.Tensor]:
        anchor, epoch, item = key
        rng = np.random.default_rng([self.seed, epoch, item])
        track, z, x = self.choose(anchor, rng)
        patches = self.patch_set.patches[track].patches
        return (self._crop(patches[z], EXEMPLAR_SIZE, rng), self._crop(patches[x], self.search_size, rng))

    def _crop(self, patch: np.ndarray, out_size: int, rng: np.random.Generator) -> torch.Tensor:
        aug = self.augmentation
        scale = 1.0 + rng.uniform(-aug.stretch, aug.stretch) if aug.stretch else 1.0
        shift = tuple(rng.integers(-aug.shift, aug.shift + 1, size=2)) if aug.shift else (0, 0)
        gain = rng.uniform(1 - aug.colour_jitter, 1 + aug.colour_jitter, size=3) if aug.colour_jitter else None
        crop = cut(np.asarray(patch), out_size, scale, shift, gain)
        return torch.from_numpy(crop).permute(2, 0, 1).contiguous()  # uint8 (3, H, W), RGB


class PairSampler(Sampler):
    """``count`` keys (anchor, epoch, item) for one epoch: anchors in a permutation seeded by
    (seed, epoch), a fresh permutation each time the anchors run out."""

    def __init__(self, anchors: int, count: int, seed: int, epoch: int):
        self.anchors, self.count, self.seed, self.epoch = anchors, count, seed, epoch

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[tuple[int, int, int]]:
        rng = np.random.default_rng([self.seed, self.epoch])
        for cycle in range(math.ceil(self.count / self.anchors)):
            order = rng.permutation(self.anchors)
            for position, anchor in enumerate(order[:self.count - cycle * self.anchors]):
                yield int(anchor), self.epoch, cycle * self.anchors + position


@dataclass
class TrainingData:
    """The tracks, their split by video, and the pair datasets of each side."""

    tracks: Tracks
    split: Split
    train: PairDataset
    val: PairDataset | None
    corrupt_frames: list[str]
    outside_frames: list[str]

    def summary(self) -> dict:
        """Plain values for a checkpoint's provenance."""
        return {
            "sources": list(self.tracks.sources),
            "tracks": {"train": len(self.train.patch_set.tracks),
                       "val": len(self.val.patch_set.tracks) if self.val else 0},
            "pairs": {"train": len(self.train), "val": len(self.val) if self.val else 0},
            "val_videos": self.split.val_videos,
            "skipped_sequences": list(self.tracks.skipped_sequences),
            "unusable_frames": self.tracks.unusable_frames,
            "corrupt_frames": len(self.corrupt_frames),
            "outside_frames": len(self.outside_frames),
        }


def load_training_data(data: Iterable[DataItem], seed: int = 0, val_fraction: float = VAL_FRACTION,
                       split_seed: int = SPLIT_SEED, augmentation: Augmentation = Augmentation(),
                       cache_dir: Path | None = None, threads: int = 0) -> TrainingData:
    """Load ``data``, split it by video, crop every usable frame once and wrap both sides as pairs."""
    tracks = load_tracks(data)
    split = split_by_video(tracks.tracks, val_fraction, split_seed)
    size = patch_size(TRAIN_SEARCH_SIZE, augmentation.stretch, augmentation.shift)
    train_set = build_patches(split.train, size, threads, cache_dir)
    val_set = build_patches(split.val, size, threads, cache_dir) if split.val else None
    if not train_set.tracks:
        raise EvalkitError(f"no training frame could be decoded ({len(train_set.corrupt_frames)} corrupt) in: "
                           f"{', '.join(tracks.sources)}")
    val = PairDataset(val_set, split_seed, NO_AUGMENTATION) if val_set and val_set.tracks else None
    sets = [train_set] + ([val_set] if val_set else [])
    return TrainingData(tracks, split, PairDataset(train_set, seed, augmentation), val,
                        [p for s in sets for p in s.corrupt_frames], [p for s in sets for p in s.outside_frames])
