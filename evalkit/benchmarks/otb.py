"""OTB2013 (51 targets), OTB50/TB50 (50) and OTB2015/TB100 (100) from one OTB download root.

Layout: ``<root>/<Folder>/img/0001.jpg`` and ``<root>/<Folder>/groundtruth_rect.txt`` (x, y, w, h,
1-based; comma, tab or space delimited, some CRLF). The fact table ``data/otb.csv`` carries what the
files do not say: evaluated frame ranges (OTB MATLAB toolkit ``configSeqs.m``), the number of gt
lines to skip (Tiger1: 5, as in OTB2015 and every released result), image-name digits (Board: 5),
the gt file of two-target folders (Jogging, Skating2, Human4), subset membership and the 11
attributes (the OTB authors' per-attribute score lists).
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

import numpy as np

from evalkit.benchmarks.sequence import Benchmark, FrameList, Sequence
from evalkit.errors import EvalkitError
from evalkit.textio import read_table

ATTRIBUTES = ("IV", "OPR", "SV", "OCC", "DEF", "MB", "FM", "IPR", "OV", "BC", "LR")
ATTRIBUTE_NAMES = {
    "IV": "Illumination Variation",
    "OPR": "Out-of-Plane Rotation",
    "SV": "Scale Variation",
    "OCC": "Occlusion",
    "DEF": "Deformation",
    "MB": "Motion Blur",
    "FM": "Fast Motion",
    "IPR": "In-Plane Rotation",
    "OV": "Out-of-View",
    "BC": "Background Clutter",
    "LR": "Low Resolution",
}

# Names published result sets use that the spelling-insensitive key does not already cover:
# got10k names Human4's only target after the folder (its groundtruth_rect.1.txt is empty).
_EXTRA_ALIASES = {"human4": "Human4-2"}

_SUBSETS = {"otb2013": "otb2013", "otb50": "tb50", "tb50": "tb50", "otb2015": None, "tb100": None}
_TITLES = {"otb2013": "OTB2013", "otb50": "OTB50", "tb50": "TB50", "otb2015": "OTB2015", "tb100": "TB100"}


@lru_cache(maxsize=1)
def fact_table() -> tuple[dict[str, str], ...]:
    """The per-sequence facts of all 100 OTB2015 targets, as rows of ``data/otb.csv``."""
    with open(Path(__file__).with_name("data") / "otb.csv", newline="") as handle:
        return tuple(csv.DictReader(handle))


def load_otb(name: str, root: str | Path) -> Benchmark:
    """Load OTB subset ``name`` (otb2013, otb50/tb50, otb2015/tb100) from an OTB root."""
    root = Path(root)
    subset_column = _SUBSETS[name]
    rows = [r for r in fact_table() if subset_column is None or r[subset_column] == "1"]
    if not root.is_dir():
        raise EvalkitError("benchmark root is not a directory", root)
    missing = [r["name"] for r in rows if not (root / r["folder"] / r["gt_file"]).is_file()]
    if len(missing) == len(rows):
        raise EvalkitError(
            f"not an OTB root: none of the {len(rows)} {_TITLES[name]} annotation files is there "
            f"(expected e.g. {rows[0]['folder']}/{rows[0]['gt_file']})", root)
    if missing:
        shown = ", ".join(missing[:5]) + (", ..." if len(missing) > 5 else "")
        raise EvalkitError(
            f"{len(missing)} of {len(rows)} {_TITLES[name]} sequences have no annotation file: {shown}", root)
    sequences = tuple(_load_sequence(root, row) for row in rows)
    return Benchmark(
        name=name, root=root, sequences=sequences, kind="ope", default_profile="otb",
        attributes=ATTRIBUTES, aliases=dict(_EXTRA_ALIASES), pixel_origin=1,
    )


def _load_sequence(root: Path, row: dict[str, str]) -> Sequence:
    folder = root / row["folder"]
    gt_path = folder / row["gt_file"]
    first, last, digits = int(row["first_frame"]), int(row["last_frame"]), int(row["digits"])
    count = last - first + 1
    skip = int(row["gt_skip"])
    gt = read_table(gt_path)[skip:]
    missing = np.flatnonzero(np.isnan(gt[:count]).any(axis=1))
    if len(missing):
        raise EvalkitError("NaN in a ground-truth box (OTB annotates every frame)", gt_path, int(missing[0]) + skip + 1)
    if len(gt) < count:
        raise EvalkitError(f"{len(gt)} annotated frames, OTB evaluates {count} ({first}..{last})", gt_path)
    frames = FrameList(folder / "img", f"{{:0{digits}d}}.jpg", first, count)
    return Sequence(
        name=row["name"], gt=gt[:count], frames=frames,
        attributes=frozenset(row["attributes"].split()), gt_path=gt_path,
        meta={"folder": row["folder"], "first_frame": row["first_frame"], "gt_skip": row["gt_skip"]},
    )

