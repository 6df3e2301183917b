"""Where a training run keeps its files, and the resume state beside its epoch checkpoints.

For ``out = runs/siamfc.pt``: ``runs/siamfc.epochs/epoch-01.pt ...`` (evalkit checkpoints, one per
epoch), ``runs/siamfc.epochs/resume.pt`` (optimizer and scheduler state, the epoch reached and the
run's history; rewritten after every epoch) and the final checkpoint ``runs/siamfc.pt``. The
shipped checkpoints stay small: the optimizer state lives only in ``resume.pt``.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from evalkit.errors import EvalkitError

RESUME_FORMAT = "evalkit-siamese-resume"
GIT_TIMEOUT_S = 5


@dataclass(frozen=True)
class RunFiles:
    out: Path

    @property
    def folder(self) -> Path:
        return self.out.with_name(self.out.stem + ".epochs")

    @property
    def resume(self) -> Path:
        return self.folder / "resume.pt"

    def epoch(self, number: int) -> Path:
        """Checkpoint after epoch ``number`` (1-based)."""
        return self.folder / f"epoch-{number:02d}.pt"


def save_resume(path: Path, state: dict[str, Any]) -> None:
    """Write the resume state atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        torch.save({"format": RESUME_FORMAT, **state}, tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_resume(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise EvalkitError("nothing to resume: no resume.pt from an earlier run here", path.parent)
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many types for a corrupt file
        raise EvalkitError(f"not a readable resume file ({type(exc).__name__})", path) from None
    if not isinstance(state, dict) or state.get("format") != RESUME_FORMAT:
        raise EvalkitError("not an evalkit training resume file", path)
    return state


def git_commit() -> str | None:
    """The checkout's commit (``git rev-parse HEAD``), or None outside a git checkout."""
    try:
        done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=Path(__file__).resolve().parent,
                              capture_output=True, text=True, timeout=GIT_TIMEOUT_S, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    commit = done.stdout.strip()
    return commit if done.returncode == 0 and commit else None
