"""Each usable frame decoded and cropped once: a uint8 context patch around its target.

The patch is the SiamFC search region at the 255 scale (side sqrt((w+p)(h+p)) x 255/127 with
p = 0.5 (w + h), padded with the image's mean colour, exactly as tracking crops it) widened by a
margin so that every augmented exemplar and search crop can be cut from it without going back to
the image. Frames are decoded on a thread pool (OpenCV releases the GIL). A frame that is missing,
truncated or undecodable is skipped and counted, never fatal; so is a frame whose box lies wholly
outside its image (the synthetic benchmark's out-of-view frames keep such boxes).

With ``cache_dir`` the patches of each track are saved as ``<key>.npy`` (memory-mapped when read
back), ``<key>.missing.npy`` (frames without a patch, and why) and ``<key>.frames.npy`` (the frame
numbers the patches belong to, written last, so it marks a complete entry); the key hashes
the crop geometry and every used frame's path, size, modification time and box, so any change to
the data or the crop makes a new entry.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence as SequenceOf

import cv2
import numpy as np

from evalkit.errors import EvalkitError
from evalkit.runners.frames import read_frame
from trackers.siamese.config import TrackingConfig
from trackers.siamese.crops import crop_and_resize
from trackers.siamese.training.sources import Track

CACHE_FORMAT = 1  # bump when the patch content changes for the same key inputs
CROP = TrackingConfig()  # exemplar 127, instance 255, context 0.5 (SiamFC)


def patch_size(output_size: int, max_stretch: float, max_shift: int) -> int:
    """Odd side (at the 255 scale) that holds an ``output_size`` crop stretched by up to
    1 - ``max_stretch`` and shifted by up to ``max_shift`` px around the patch centre."""
    half = (output_size / 2 + max_shift) / (1 - max_stretch)
    return max(CROP.instance_size, 2 * math.ceil(half) + 1)


def context_patch(image: np.ndarray, box: np.ndarray, size: int) -> np.ndarray:
    """The ``size``-pixel patch at the 255 scale centred on ``box`` (0-based x, y, w, h)."""
    x, y, w, h = box
    center = np.array([y + (h - 1) / 2, x + (w - 1) / 2])
    context = CROP.context * (w + h)
    exemplar_side = math.sqrt((w + context) * (h + context))
    side = exemplar_side * size / CROP.exemplar_size  # the 255-scale search side, widened to ``size``
    fill = np.array(cv2.mean(image)[:3])  # the image's mean colour; 40x faster than np.mean on uint8
    return crop_and_resize(image, center, side, size, fill)


@dataclass
class TrackPatches:
    frames: np.ndarray  # frame numbers (into Track.frames) that have a patch
    patches: np.ndarray  # (len(frames), size, size, 3) uint8, RGB


@dataclass
class PatchSet:
    tracks: list[Track]
    patches: list[TrackPatches]
    size: int
    corrupt_frames: list[str] = field(default_factory=list)
    outside_frames: list[str] = field(default_factory=list)


_CORRUPT, _OUTSIDE = "corrupt", "outside"  # why a usable frame has no patch

def build_patches(tracks: SequenceOf[Track], size: int, threads: int = 0,
                  cache_dir: Path | None = None) -> PatchSet:
    """Patches of every usable frame of ``tracks``; tracks left with no patch are dropped."""
    threads = threads or min(8, os.cpu_count() or 1)
    result = PatchSet([], [], size)
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for track in tracks:
            entry, missing = _cached(track, size, cache_dir, pool)
            result.corrupt_frames += [path for path, why in missing if why == _CORRUPT]
            result.outside_frames += [path for path, why in missing if why == _OUTSIDE]
            if len(entry.frames):
                result.tracks.append(track)
                result.patches.append(entry)
    return result


Missing = list[tuple[str, str]]  # (frame path, why) of usable frames without a patch


def _cached(track: Track, size: int, cache_dir: Path | None, pool: ThreadPoolExecutor) -> tuple[TrackPatches, Missing]:
    if cache_dir is None:
        return _crop_track(track, size, pool)
    key = _key(track, size)
    patches_path, frames_path, missing_path = (cache_dir / f"{key}{end}.npy" for end in ("", ".frames", ".missing"))
    if frames_path.is_file():
        missing = [(str(track.frames[i]), _OUTSIDE if outside else _CORRUPT) for i, outside in np.load(missing_path)]
        return TrackPatches(np.load(frames_path), np.load(patches_path, mmap_mode="r")), missing
    entry, missing = _crop_track(track, size, pool)
    numbers = {str(track.frames[i]): i for i in track.usable_frames}
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        _save_atomic(patches_path, entry.patches)
        reasons = np.array([(numbers[p], why == _OUTSIDE) for p, why in missing], np.int64).reshape(-1, 2)
        _save_atomic(missing_path, reasons)
        _save_atomic(frames_path, entry.frames)
    except OSError as exc:
        raise EvalkitError(f"cannot write the training patch cache ({exc.strerror})", cache_dir) from None
    return entry, missing


def _crop_track(track: Track, size: int, pool: ThreadPoolExecutor) -> tuple[TrackPatches, Missing]:
    numbers = track.usable_frames
    crops = list(pool.map(lambda i: _crop_frame(Path(track.frames[i]), track.boxes[i], size), numbers))
    kept = [i for i, crop in enumerate(crops) if not isinstance(crop, str)]
    missing = [(str(track.frames[numbers[i]]), crop) for i, crop in enumerate(crops) if isinstance(crop, str)]
    patches = np.stack([crops[i] for i in kept]) if kept else np.zeros((0, size, size, 3), np.uint8)
    return TrackPatches(numbers[kept].astype(np.int64), patches), missing


def _crop_frame(path: Path, box: np.ndarray, size: int) -> np.ndarray | str:
    """The frame's patch, or why it has none."""
    try:
        image = read_frame(path)
    except EvalkitError:
        return _CORRUPT
    x, y, w, h = box
    if x >= image.shape[1] or y >= image.shape[0] or x + w <= 0 or y + h <= 0:
        return _OUTSIDE
    return context_patch(image, box, size)


def _key(track: Track, size: int) -> str:
    frames = []
    for i in track.usable_frames:
        path = Path(track.frames[i])
        try:
            stat = path.stat()
            frames.append([str(path.resolve()), stat.st_size, stat.st_mtime_ns, track.boxes[i].tolist()])
        except OSError:
            frames.append([str(path), None, None, track.boxes[i].tolist()])
    text = json.dumps({"format": CACHE_FORMAT, "size": size, "crop": [CROP.exemplar_size, CROP.context],
                       "frames": frames})
    return hashlib.sha1(text.encode()).hexdigest()


def _save_atomic(path: Path, array: np.ndarray) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".npy")
    os.close(fd)
    try:
        np.save(tmp, array)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
