"""`hinge`: top-down-modulation feature fusion + the advanced hinge loss with hard-negative mining.

Seed: Wu et al., JEI 28(5) 2019. The seed publishes no formulas: the TDM neck and the loss are
evalkit's reconstruction (docs/trackers.md).
"""

from __future__ import annotations

from pathlib import Path

from trackers.siamese.adapter import create_siamese


def create(weights: str | Path | None = None, device: str = "cpu", scales: str = "3s"):
    """TDM-neck Siamese tracker trained with the advanced hinge loss (reconstruction)."""
    return create_siamese("hinge", "tdm", weights, device, scales)
