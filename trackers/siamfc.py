"""`siamfc`: the SiamFC baseline (AlexNet, no neck, balanced logistic loss).

Loads evalkit checkpoints and siamfc-pytorch ones (``siamfc_alexnet_e50.pth``); with the latter
it reproduces that implementation's boxes.
"""

from __future__ import annotations

from pathlib import Path

from trackers.siamese.adapter import create_siamese


def create(weights: str | Path | None = None, device: str = "cpu", scales: str = "3s"):
    """SiamFC (3-scale by default; ``scales="5s"`` for the 5-scale variant)."""
    return create_siamese("siamfc", "none", weights, device, scales)
