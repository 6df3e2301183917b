"""The sequence and benchmark model every protocol, runner, metric and report shares."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Iterator, Mapping
from typing import Sequence as SequenceOf

import numpy as np

from evalkit.errors import EvalkitError
from evalkit.regions import Regions


def name_key(name: str) -> str:
    """Spelling-insensitive key of a sequence name: 'Jogging-1', 'Jogging.1', 'jogging_1' agree."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


@dataclass(frozen=True)
class FrameList(SequenceOf[Path]):
    """Numbered image files ``folder / template.format(number)`` for ``count`` numbers from ``first``.

    Paths are made on access, so a benchmark of 60k frames loads in milliseconds.
    """

    folder: Path
    template: str
    first: int
    count: int

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self.count))]
        if index < 0:
            index += self.count
        if not 0 <= index < self.count:
            raise IndexError(index)
        return self.folder / self.template.format(self.first + index)


@dataclass(frozen=True, eq=False)
class Sequence:
    """One annotated target in one video.

    ``gt`` holds one (x, y, w, h) row per evaluated frame, in the benchmark's own pixel convention
    (OTB: 1-based, as in its files). ``frames`` are the image paths of those frames, in order; they
    need not exist for evaluation. Optional per-frame labels (GOT-10k ``cover``/``absence``, VOT
    tags) and per-sequence facts live in ``labels`` and ``meta``. VOT sequences keep their
    ground-truth regions as annotated (rotated polygons) in ``regions``; ``gt`` is then their tight
    axis-aligned boxes.
    """

    name: str
    gt: np.ndarray
    frames: SequenceOf[Path]
    attributes: frozenset[str] = frozenset()
    gt_path: Path | None = None
    image_size: tuple[int, int] | None = None
    labels: Mapping[str, np.ndarray] = field(default_factory=dict)
    meta: Mapping[str, str] = field(default_factory=dict)
    regions: Regions | None = None

    def __len__(self) -> int:
        return len(self.frames)

    def has_frames(self) -> bool:
        """Whether the image files are on disk (first and last frame present)."""
        return bool(self.frames) and self.frames[0].is_file() and self.frames[-1].is_file()


@dataclass(frozen=True, eq=False)
class Benchmark:
    """A named list of sequences loaded from one root, with its evaluation conventions."""

    name: str
    root: Path
    sequences: tuple[Sequence, ...]
    kind: str  # "ope" (one-pass, OTB-like), "got10k" or "vot" (supervised, with resets)
    default_profile: str
    attributes: tuple[str, ...] = ()
    aliases: Mapping[str, str] = field(default_factory=dict)
    pixel_origin: int = 0  # 1 where the files count pixels from 1 (OTB); trackers always get 0-based boxes
    problems: tuple[str, ...] = ()  # input problems found while loading, reported with every evaluation

    def __iter__(self) -> Iterator[Sequence]:
        return iter(self.sequences)

    def __len__(self) -> int:
        return len(self.sequences)

    def __getitem__(self, name: str) -> Sequence:
        canonical = self.canonical_name(name)
        if canonical is None:
            raise EvalkitError(f"unknown sequence {name!r} in {self.name}")
        return self._by_name[canonical]

    @property
    def names(self) -> list[str]:
        return [seq.name for seq in self.sequences]

    @cached_property
    def _by_name(self) -> dict[str, Sequence]:
        return {seq.name: seq for seq in self.sequences}

    @cached_property
    def _by_key(self) -> dict[str, str]:
        keys = {name_key(seq.name): seq.name for seq in self.sequences}
        keys.update((k, v) for k, v in self.aliases.items() if v in self._by_name)
        return keys

    def canonical_name(self, name: str) -> str | None:
        """The benchmark's name for ``name`` or any published alias of it, else None."""
        return self._by_key.get(name_key(name))

    def subset(self, names: list[str]) -> "Benchmark":
        """The same benchmark restricted to ``names`` (in the benchmark's order)."""
        wanted = {self.canonical_name(n) or n for n in names}
        unknown = sorted(wanted - set(self.names))
        if unknown:
            raise EvalkitError(f"unknown sequence(s) in {self.name}: {', '.join(unknown)}")
        return replace(self, sequences=tuple(s for s in self.sequences if s.name in wanted))


def ragged(arrays: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate per-sequence arrays; return (stacked, start offsets with a final total)."""
    lengths = np.array([len(a) for a in arrays], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    stacked = np.concatenate(arrays) if arrays else np.zeros((0, 4))
    return stacked, offsets
