"""`globalsim`: SiamFC's network trained with a global similarity loss over the score
distributions plus a hard-sample loss.

Seed: Fan, Wang, Li, Tang (Anhui University, 2019). The seed's formulas are not published in a
usable form: the loss is evalkit's reconstruction after Kumar B G et al.'s global loss
(docs/trackers.md).
"""

from __future__ import annotations

from pathlib import Path

from trackers.siamese.adapter import create_siamese


def create(weights: str | Path | None = None, device: str = "cpu", scales: str = "3s"):
    """SiamFC network trained with the global similarity + hard-sample loss (reconstruction)."""
    return create_siamese("globalsim", "none", weights, device, scales)
