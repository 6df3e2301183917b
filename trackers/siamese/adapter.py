"""Building a registered Siamese tracker from its checkpoint, with one-line errors."""

from __future__ import annotations

from pathlib import Path

from evalkit.errors import EvalkitError
from trackers.siamese.checkpoint import load_checkpoint
from trackers.siamese.config import TRACKING_VARIANTS
from trackers.siamese.tracker import SiameseTracker


def create_siamese(name: str, neck: str, weights: str | Path | None, device: str, scales: str) -> SiameseTracker:
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
