"""Building the OTB layout the got10k package reads, from evalkit's loaded data (tests, benchmarks)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

# got10k slices these folders' image lists to the OTB frame range, so they need every image.
GOT10K_IMAGE_COUNT = {"David": 770}


def got10k_sequence_name(seq) -> str:
    """got10k's name for an OTB target: the folder, '<folder>.<n>' for a second target."""
    folder = seq.meta["folder"]
    suffix = seq.gt_path.name.removeprefix("groundtruth_rect").removesuffix(".txt")
    return folder if folder == "Human4" or not suffix else f"{folder}{suffix}"


def write_got10k_otb_layout(base: Path, benchmark, trackers, fmt: str = "%.17g") -> tuple[Path, Path]:
    """An OTB root (evaluated gt + empty image files) and ``results/OTB2015/<tracker>/<seq>.txt``
    holding exactly the aligned boxes evalkit scores. Returns (root, results parent)."""
    root = base / "otb"
    for seq in benchmark:
        folder = root / seq.meta["folder"]
        (folder / "img").mkdir(parents=True, exist_ok=True)
        np.savetxt(folder / seq.gt_path.name, seq.gt, fmt=fmt, delimiter=",")
        for i in range(GOT10K_IMAGE_COUNT.get(folder.name, len(seq.gt))):
            (folder / "img" / f"{i + 1:04d}.jpg").touch()
    (root / "Human4" / "groundtruth_rect.1.txt").touch()  # empty, as in the OTB download
    results = base / "results"
    for tracker in trackers:
        for seq in benchmark:
            out = results / "OTB2015" / tracker.name / f"{got10k_sequence_name(seq)}.txt"
            out.parent.mkdir(parents=True, exist_ok=True)
            np.savetxt(out, tracker.sequences[seq.name].runs[0], fmt=fmt, delimiter=",")
    return root, results
