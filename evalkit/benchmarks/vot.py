"""VOT2016, VOT2017, VOT2018 and VOT2019 short-term (the supervised "baseline" experiment).

Layout (VOT toolkit download): ``<root>/list.txt`` names the sequences; ``<root>/<seq>/`` holds
``groundtruth.txt`` (one region a line: x,y,w,h or the 8 values of a rotated 4-point polygon, 0-based
pixels), frames ``color/00000001.jpg ...`` (older releases: ``00000001.jpg ...`` in the sequence
folder), and per-frame tags ``<tag>.tag`` (older: ``<tag>.label``), one 0/1 a line; a missing tag
file means the tag is never set, a short one that its remaining frames are unset.

VOT scores bound regions by the image, so each sequence needs its image size: it is read from the
first frame's header; where frames are absent (evaluation from annotations alone), from a JSON table
of ``{"<seq>": [width, height]}`` (optionally under a ``"sizes"`` key) given as ``image_sizes`` or
found as ``<root>/image_sizes.json``. Sequences with no size are reported: their regions are scored
unbounded, which moves accuracy and EAO.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from evalkit.benchmarks.sequence import Benchmark, FrameList, Sequence
from evalkit.errors import EvalkitError
from evalkit.imagesize import image_size
from evalkit.regions import Regions, read_region_files
from evalkit.textio import read_table

FRAME_TEMPLATE = "{:08d}.jpg"
SIZES_FILE = "image_sizes.json"
# The per-frame visual attributes of VOT2016-2019 (their .tag / .label file names).
TAGS = ("camera_motion", "illum_change", "motion_change", "size_change", "occlusion")
TAG_NAMES = {
    "camera_motion": "Camera motion",
    "illum_change": "Illumination change",
    "motion_change": "Motion change",
    "size_change": "Size change",
    "occlusion": "Occlusion",
}


@dataclass(frozen=True)
class VotYear:
    title: str
    eao_interval: tuple[int, int]  # sequence lengths averaged into EAO (VOT reports; ../docs/metrics.md)


YEARS = {
    "vot2016": VotYear("VOT2016", (108, 371)),
    "vot2017": VotYear("VOT2017", (100, 356)),
    "vot2018": VotYear("VOT2018", (100, 356)),
    "vot2019": VotYear("VOT2019", (46, 291)),
}


def load_vot(name: str, root: str | Path, image_sizes: str | Path | None = None) -> Benchmark:
    """Load VOT benchmark ``name`` (vot2016 .. vot2019) from its root (the folder of ``list.txt``)."""
    if name not in YEARS:
        raise EvalkitError(f"unknown VOT benchmark {name!r}; choose one of: {', '.join(YEARS)}")
    root = Path(root)
    names = _read_list(root / "list.txt")
    missing = [n for n in names if not (root / n / "groundtruth.txt").is_file()]
    if missing:
        shown = ", ".join(missing[:5]) + (", ..." if len(missing) > 5 else "")
        raise EvalkitError(
            f"{len(missing)} of {len(names)} sequences listed in list.txt have no groundtruth.txt: {shown}", root)
    sizes_path = Path(image_sizes) if image_sizes is not None else root / SIZES_FILE
    sizes = _read_sizes(sizes_path) if image_sizes is not None or sizes_path.is_file() else {}
    parsed = read_region_files([root / n / "groundtruth.txt" for n in names], allow_codes=False)
    for regions in parsed:
        if isinstance(regions, EvalkitError):
            raise regions
    sequences = tuple(_load_sequence(root / n, regions, sizes.get(n)) for n, regions in zip(names, parsed))
    unbounded = [s.name for s in sequences if s.image_size is None]
    problems = ()
    if unbounded:
        shown = ", ".join(unbounded[:4]) + (", ..." if len(unbounded) > 4 else "")
        problems = (f"{root}: no frames and no image size, regions scored unbounded by the image "
                    f"({len(unbounded)}): {shown} (give the sizes as {SIZES_FILE} or --image-sizes)",)
    return Benchmark(name=name, root=root, sequences=sequences, kind="vot", default_profile="pysot",
                     attributes=TAGS, problems=problems)


def _read_list(path: Path) -> list[str]:
    if not path.is_file():
        raise EvalkitError("not a VOT root: list.txt is missing", path.parent)
    names = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not names:
        raise EvalkitError("lists no sequences", path)
    return names


def _read_sizes(path: Path) -> dict[str, tuple[int, int]]:
    try:
        table = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EvalkitError("image size table not found", path) from None
    except json.JSONDecodeError as exc:
        raise EvalkitError(f"not valid JSON: {exc.msg}", path, exc.lineno) from None
    table = table.get("sizes", table) if isinstance(table, dict) else table
    if not isinstance(table, dict):
        raise EvalkitError('expected {"<sequence>": [width, height], ...}', path)
    sizes = {}
    for name, size in table.items():
        if (not isinstance(size, list) or len(size) != 2
                or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in size)):
            raise EvalkitError(f"{name}: expected [width, height] as two positive integers, found {size!r}", path)
        sizes[name] = (size[0], size[1])
    return sizes


def _load_sequence(folder: Path, regions: Regions, listed_size: tuple[int, int] | None) -> Sequence:
    gt_path = folder / "groundtruth.txt"
    if len(regions) == 0:
        raise EvalkitError("no annotated frames", gt_path)
    frames_dir = folder / "color" if (folder / "color").is_dir() else folder
    frames = FrameList(frames_dir, FRAME_TEMPLATE, 1, len(regions))
    first = frames[0]
    size = image_size(first) if first.is_file() else listed_size
    return Sequence(
        name=folder.name, gt=regions.bounding_boxes(), frames=frames, gt_path=gt_path, image_size=size,
        labels={tag: _read_tag(folder, tag, len(regions)) for tag in TAGS}, regions=regions,
    )


def _read_tag(folder: Path, tag: str, length: int) -> np.ndarray:
    """A per-frame 0/1 tag as a bool array of ``length``; all unset when the file is missing."""
    for path in (folder / f"{tag}.tag", folder / f"{tag}.label"):
        if path.is_file():
            break
    else:
        return np.zeros(length, dtype=bool)
    tokens = path.read_text(encoding="utf-8", errors="replace").split()
    if not set(tokens) <= {"0", "1"}:  # the common case is checked in bulk; anything else line by line
        values = read_table(path, columns=1)[:, 0]
        bad = np.flatnonzero((values != 0) & (values != 1))
        if bad.size:
            raise EvalkitError(f"expected 0 or 1, found {values[bad[0]]:g}", path, int(bad[0]) + 1)
        tokens = ["1" if v == 1 else "0" for v in values]
    values = np.array(tokens) == "1"
    if len(values) > length:
        raise EvalkitError(f"{len(values)} tag lines for {length} annotated frames", path, length + 1)
    out = np.zeros(length, dtype=bool)
    out[:len(values)] = values
    return out
