"""Building a registered Siamese tracker from its checkpoint, with one-line errors."""

from __future__ import annotations

from pathlib import Path

from evalkit.errors import EvalkitError
from trackers.siamese.checkpoint import load_checkpoint
from trackers.siamese.config import TRACKING_VARIANTS
from trackers.siamese.tracker import SiameseTracker


SHIPPED_WEIGHTS = Path(__file__).resolve().parents[1] / "weights"  # trackers/weights/<name>.pt


def create_siamese(name: str, neck: str, weights: str | Path | None, device: str, scales: str) -> SiameseTracker:
    """The Siamese tracker ``name`` with ``weights`` (default: the checkpoint shipped with evalkit)."""
    if weights is None and (SHIPPED_WEIGHTS / f"{name}.pt").is_file():
        weights = SHIPPED_WEIGHTS / f"{name}.pt"
    if weights is None:
        raise EvalkitError(
            f"tracker {name!r} needs weights: pass --weights PATH (an evalkit checkpoint from "
            f"`evalkit train --tracker {name}`" + (", or a siamfc-pytorch siamfc_alexnet_e50.pth" if name == "siamfc" else "")
            + ")")
    if scales not in TRACKING_VARIANTS:
        raise EvalkitError(f"unknown scale variant {scales!r}; choose one of: {', '.join(TRACKING_VARIANTS)}")
    net, _ = load_checkpoint(weights, expected_neck=neck)
    suffix = "" if scales == "3s" else f"-{scales}"
    return SiameseTracker(net, TRACKING_VARIANTS[scales], f"{name}{suffix}", device)
