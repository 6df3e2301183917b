"""Training tracks from data folders and benchmarks, and the train/validation split by video.

Accepted data items:
- a GOT-10k split folder (``list.txt``) or root (``train/list.txt``), read with ``load_got10k``;
- the generic layout ``<root>/<dataset>/<seq>/00000001.jpg + groundtruth.txt`` (or a single
  ``<dataset>`` folder of ``<seq>/`` folders): x, y, w, h per line, 0-based, ``NaN`` = absent;
- any evalkit :class:`Benchmark` whose sequences have their frames on disk (OTB, synthetic, ...).

A frame is usable when its box is finite, both sides are at least ``MIN_BOX_SIDE`` px and, where
the benchmark labels them (GOT-10k), ``absence`` is 0 and ``cover`` is above 0. Sequences without a
usable frame, or without frames on disk, are skipped and listed.

Videos: targets whose frames live in one folder share a video (OTB's Jogging-1/-2); in the generic
layout a ``<video>_<k>`` name (UAV123 cuts long videos into such segments: car16_1, car16_2;
group1_1 ... group1_4) joins video ``<video>``. The validation videos are drawn with a fixed seed,
so no video feeds both sides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable
from typing import Sequence as SequenceOf

import numpy as np

from evalkit.benchmarks.got10k import load_got10k
from evalkit.benchmarks.sequence import Benchmark, FrameList, Sequence
from evalkit.errors import EvalkitError
from evalkit.textio import read_table

MIN_BOX_SIDE = 4.0  # px: smaller boxes give a context crop of a few pixels (evalkit's choice)
GENERIC_GT = "groundtruth.txt"
GENERIC_FRAMES = "{:08d}.jpg"  # 00000001.jpg, GOT-10k-like
SEGMENT_NAME = re.compile(r"^(?P<video>.+)_(?P<segment>\d{1,2})$")  # UAV123 segments: car16_2
GOT10K_SPLITS = ("train", "val")  # the splits that carry every frame's box

DataItem = str | Path | Benchmark


@dataclass(frozen=True, eq=False)
class Track:
    """One target: its frames, 0-based (x, y, w, h) boxes and which frames may be used."""

    name: str  # "<source>/<sequence>"
    video: str  # tracks of one video share this key
    frames: SequenceOf[Path]
    boxes: np.ndarray
    usable: np.ndarray  # bool per frame

    @property
    def usable_frames(self) -> np.ndarray:
        return np.flatnonzero(self.usable)


@dataclass
class Tracks:
    """Every track of the data items, what was skipped, and a description of each source."""

    tracks: list[Track] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    skipped_sequences: list[str] = field(default_factory=list)
    unusable_frames: int = 0  # absent, occluded or tiny boxes in kept sequences


@dataclass(frozen=True)
class Split:
    train: list[Track]
    val: list[Track]

    @property
    def train_videos(self) -> list[str]:
        return sorted({t.video for t in self.train})

    @property
    def val_videos(self) -> list[str]:
        return sorted({t.video for t in self.val})


def load_tracks(data: Iterable[DataItem]) -> Tracks:
    """The tracks of every data item; a missing, empty or unrecognised folder is an error naming it."""
    result = Tracks()
    items = list(data)
    if not items:
        raise EvalkitError("no training data given")
    for item in items:
        if isinstance(item, Benchmark):
            _add_benchmark(result, item)
        else:
            _add_folder(result, Path(item))
    if not result.tracks:
        raise EvalkitError(f"no usable training frames in: {', '.join(result.sources)}")
    return result


def split_by_video(tracks: SequenceOf[Track], val_fraction: float, seed: int) -> Split:
    """Hold out round(val_fraction x videos) videos (at least 1 when val_fraction > 0 and there are
    2 or more videos, never all), drawn with ``seed`` from the sorted video names."""
    videos = sorted({t.video for t in tracks})
    count = round(val_fraction * len(videos))
    if val_fraction > 0 and len(videos) >= 2:
        count = min(max(count, 1), len(videos) - 1)
    else:
        count = 0
    order = np.random.default_rng(seed).permutation(len(videos))
    held_out = {videos[i] for i in order[:count]}
    return Split(train=[t for t in tracks if t.video not in held_out],
                 val=[t for t in tracks if t.video in held_out])


def _add_folder(result: Tracks, path: Path) -> None:
    if not path.is_dir():
        raise EvalkitError("training data folder not found", path)
    if (path / "list.txt").is_file() or (path / "train" / "list.txt").is_file():
        _add_got10k(result, path)
        return
    sequences = sorted(p.parent for p in path.glob(f"*/*/{GENERIC_GT}"))
    sequences += sorted(p.parent for p in path.glob(f"*/{GENERIC_GT}"))
    if not sequences:
        what = "is empty" if not any(path.iterdir()) else "holds no training sequences"
        raise EvalkitError(f"training data folder {what}: expected <dataset>/<seq>/{GENERIC_GT} with "
                           f"00000001.jpg ..., <seq>/{GENERIC_GT}, or a GOT-10k list.txt", path)
    result.sources.append(f"generic:{path}")
    for folder in sequences:
        gt = read_table(folder / GENERIC_GT)
        name = folder.relative_to(path).as_posix()
        segment = SEGMENT_NAME.match(folder.name)
        video = (folder.parent / segment.group("video") if segment else folder).relative_to(path).as_posix()
        frames = FrameList(folder, GENERIC_FRAMES, 1, len(gt))
        _add_track(result, f"{path.name}/{name}", f"{path.name}/{video}", frames, gt, np.ones(len(gt), bool))


def _add_got10k(result: Tracks, path: Path) -> None:
    split = path.name.lower() if (path / "list.txt").is_file() else "train"
    if split == "test":
        raise EvalkitError("the GOT-10k test split has no training boxes (first frame only)", path)
    _add_benchmark(result, load_got10k(split if split in GOT10K_SPLITS else "train", path))


def _add_benchmark(result: Tracks, bench: Benchmark) -> None:
    result.sources.append(f"{bench.name}:{bench.root}")
    with_frames = [seq for seq in bench if seq.has_frames()]
    if not with_frames:
        raise EvalkitError(f"no sequence of benchmark {bench.name} has its frames on disk", bench.root)
    result.skipped_sequences += [f"{bench.name}/{seq.name} (no frames)" for seq in bench if not seq.has_frames()]
    origin = np.array([bench.pixel_origin, bench.pixel_origin, 0, 0], dtype=np.float64)
    for seq in with_frames:
        _add_track(result, f"{bench.name}/{seq.name}", _video_of(bench, seq), seq.frames, seq.gt - origin,
                   _labelled_visible(seq))


def _video_of(bench: Benchmark, seq: Sequence) -> str:
    """``<benchmark>/<frame folder under its root>``: a key that does not depend on where data lives."""
    folder = Path(seq.frames[0]).parent
    try:
        return f"{bench.name}/{folder.relative_to(bench.root).as_posix()}"
    except ValueError:
        return f"{bench.name}/{folder.as_posix()}"


def _labelled_visible(seq: Sequence) -> np.ndarray:
    visible = np.ones(len(seq.gt), dtype=bool)
    if "absence" in seq.labels:
        visible &= np.asarray(seq.labels["absence"]) == 0
    if "cover" in seq.labels:
        visible &= np.asarray(seq.labels["cover"]) > 0
    return visible


def _add_track(result: Tracks, name: str, video: str, frames: SequenceOf[Path], boxes: np.ndarray,
               visible: np.ndarray) -> None:
    boxes = np.asarray(boxes, dtype=np.float64)[:len(frames)]
    usable = visible[:len(boxes)] & np.isfinite(boxes).all(axis=1) & (boxes[:, 2:] >= MIN_BOX_SIDE).all(axis=1)
    if not usable.any():
        result.skipped_sequences.append(f"{name} (no usable box)")
        return
    result.unusable_frames += int((~usable).sum())
    result.tracks.append(Track(name, video, frames, boxes, usable))
