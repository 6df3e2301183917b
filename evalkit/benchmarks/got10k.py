"""GOT-10k train, val and test splits.

Layout (GOT-10k download, as got10k's ``datasets/got10k.py`` reads it): ``<root>/<split>/list.txt``
names the sequences; each ``<split>/<seq>/`` holds ``00000001.jpg ...``, ``groundtruth.txt``
(x, y, w, h, comma; test: first row only), the per-frame labels ``absence.label``, ``cover.label``
(0-8) and ``cut_by_image.label`` (one integer a line), and ``meta_info.ini`` (a ``[METAINFO]``
header, then ``key: value`` lines such as ``resolution: (1920, 1080)``). The test split withholds
all but the first box and usually ships no labels or meta file.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from evalkit.benchmarks.sequence import Benchmark, FrameList, Sequence
from evalkit.errors import EvalkitError
from evalkit.textio import read_table

SPLITS = ("train", "val", "test")
LABELS = ("absence", "cover", "cut_by_image")  # <seq>/<label>.label, GOT-10k download
FRAME_TEMPLATE = "{:08d}.jpg"  # 00000001.jpg, GOT-10k download
META_FILE = "meta_info.ini"
_RESOLUTION = re.compile(r"^\(\s*(\d+)\s*,\s*(\d+)\s*\)$")  # "(1920, 1080)"


def load_got10k(split: str, root: str | Path) -> Benchmark:
    """Load GOT-10k ``split`` from the GOT-10k root (holding ``<split>/``) or the split folder."""
    if split not in SPLITS:
        raise EvalkitError(f"unknown GOT-10k split {split!r}; choose one of: {', '.join(SPLITS)}")
    split_dir = _split_dir(split, Path(root))
    names = _read_list(split_dir / "list.txt")
    missing = [name for name in names if not (split_dir / name / "groundtruth.txt").is_file()]
    if missing:
        shown = ", ".join(missing[:5]) + (", ..." if len(missing) > 5 else "")
        raise EvalkitError(
            f"{len(missing)} of {len(names)} sequences listed in list.txt have no groundtruth.txt: {shown}",
            split_dir)
    sequences = tuple(_load_sequence(split_dir / name, full_gt=split != "test") for name in names)
    return Benchmark(
        name=f"got10k-{split}", root=split_dir, sequences=sequences, kind="got10k",
        default_profile="got10k",
    )


def _split_dir(split: str, root: Path) -> Path:
    for candidate in (root / split, root):
        if (candidate / "list.txt").is_file():
            return candidate
    raise EvalkitError(f"not a GOT-10k {split} root: neither list.txt nor {split}/list.txt is there", root)


def _read_list(path: Path) -> list[str]:
    names = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not names:
        raise EvalkitError("lists no sequences", path)
    return names


def _load_sequence(folder: Path, full_gt: bool) -> Sequence:
    gt_path = folder / "groundtruth.txt"
    gt = read_table(gt_path)
    if len(gt) == 0:
        raise EvalkitError("no annotated frames", gt_path)
    count = len(gt) if full_gt else sum(1 for _ in folder.glob("*.jpg"))
    labels = {}
    for label in LABELS:
        path = folder / f"{label}.label"
        if path.is_file() or full_gt:
            labels[label] = _read_label(path, len(gt) if full_gt else None)
    meta_path = folder / META_FILE
    meta = _read_meta(meta_path) if meta_path.is_file() or full_gt else {}
    return Sequence(
        name=folder.name, gt=gt, frames=FrameList(folder, FRAME_TEMPLATE, 1, count), gt_path=gt_path,
        image_size=_resolution(meta, meta_path), labels=labels, meta=meta,
    )


def _read_label(path: Path, length: int | None) -> np.ndarray:
    values = read_table(path, columns=1)[:, 0]
    fractional = np.flatnonzero(values != np.round(values))
    if fractional.size:
        first = int(fractional[0])
        raise EvalkitError(f"expected an integer, found {values[first]}", path, first + 1)
    if length is not None and len(values) != length:
        raise EvalkitError(f"{len(values)} labels for {length} annotated frames", path)
    return values.astype(np.int64)


def _read_meta(path: Path) -> dict[str, str]:
    """``key: value`` lines under a ``[METAINFO]`` header, as strings."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        raise EvalkitError("file not found", path) from None
    meta = {}
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text or (text.startswith("[") and text.endswith("]")):
            continue
        key, colon, value = text.partition(":")
        if not colon or not key.strip():
            raise EvalkitError(f"expected 'key: value', found {text!r}", path, number)
        meta[key.strip()] = value.strip()
    return meta


def _resolution(meta: dict[str, str], path: Path) -> tuple[int, int] | None:
    """``resolution: (W, H)`` as (width, height); None without a resolution line."""
    if "resolution" not in meta:
        return None
    match = _RESOLUTION.match(meta["resolution"])
    if match is None:
        raise EvalkitError(f"resolution should read '(width, height)', found {meta['resolution']!r}", path)
    return int(match.group(1)), int(match.group(2))
