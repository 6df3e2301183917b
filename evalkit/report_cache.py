"""Skip re-reporting when nothing changed: a fingerprint of every input file's size and mtime.

The fingerprint covers every file under the results directory and the benchmark's annotation
files (frames are skipped: they do not change scores), plus the command's options and evalkit's
version. A stored report is reused only if its fingerprint matches and all its files still exist.
This module imports nothing heavy, so a cache hit returns in well under a second.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from evalkit import __version__
from evalkit.textio import write_text_atomic

CACHE_FILE = ".evalkit-report.json"
_FRAME_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp")


def fingerprint(options: dict[str, str], *trees: Path) -> str:
    digest = hashlib.sha256(json.dumps([__version__, options], sort_keys=True).encode())
    for tree in trees:
        for entry in _walk(Path(tree)):
            digest.update(entry.encode())
    return digest.hexdigest()


def _walk(tree: Path):
    stack = [tree]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=True):
                stack.append(Path(entry.path))
            elif not entry.name.lower().endswith(_FRAME_SUFFIXES):
                stat = entry.stat()
                yield f"{entry.path}\0{stat.st_size}\0{stat.st_mtime_ns}\n"


def load(out_dir: Path, key: str) -> dict | None:
    """The stored report record if it matches ``key`` and its files are all present."""
    try:
        record = json.loads((out_dir / CACHE_FILE).read_text())
    except (OSError, ValueError):
        return None
    if record.get("key") != key or not all((out_dir / f).is_file() for f in record.get("files", [])):
        return None
    return record


def store(out_dir: Path, key: str, files: list[Path], terminal: str, problems: list[str]) -> None:
    record = {"key": key, "files": [str(f.relative_to(out_dir)) for f in files],
              "terminal": terminal, "problems": problems}
    write_text_atomic(out_dir / CACHE_FILE, json.dumps(record))
