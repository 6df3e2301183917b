"""The three training losses on raw score maps ``v`` of shape (N, 1, H, W) with boolean labels.

- ``siamfc``: SiamFC's class-balanced logistic loss (Bertinetto et al., 2016; siamfc-pytorch's
  ``BalancedLoss``).
- ``hinge``: the advanced hinge loss with online hard-negative mining. RECONSTRUCTION of the
  "hinge" seed (Wu et al., JEI 28(5) 2019), which publishes no formula (docs/trackers.md).
- ``globalsim``: the global similarity loss plus a hard-sample term. RECONSTRUCTION of the
  "globalsim" seed (Fan, Wang, Li, Tang, 2019) after Kumar B G et al.'s global loss (CVPR 2016).

Labels are broadcast to the scores' shape, so one (H, W) map serves a whole batch; every pair
needs at least one positive and one negative cell. Each loss reads its constants from a frozen
options dataclass whose defaults are the documented ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import torch
from torch.nn import functional as F

SCORE_TRANSFORMS = ("sigmoid", "raw")


@dataclass(frozen=True)
class LogisticOptions:
    """SiamFC's balanced logistic loss: per pair, ``positive_share`` of the weight on the positives
    (1/|P| each before renormalising) and the rest on the negatives (1/|N| each) -- siamfc-pytorch."""

    positive_share: float = 0.5


@dataclass(frozen=True)
class HingeOptions:
    """Advanced hinge loss (reconstruction, docs/trackers.md section 2).

    ``m_p``/``m_n``: positive/negative margins; ``q``: exponent of the hinge; ``rho``: hard
    negatives per positive (K = floor(rho |P|), at least 1, at most |N|); ``inf`` keeps every
    negative (the balanced hinge).
    """

    m_p: float = 1.0
    m_n: float = -1.0
    q: float = 1.0
    rho: float = 3.0


@dataclass(frozen=True)
class GlobalSimOptions:
    """Global similarity + hard-sample loss (reconstruction, docs/trackers.md section 3).

    ``delta`` = 0.1 and ``lam`` = 1.0 are the seed's; ``alpha`` = 0.1 and ``eta`` = 1.0 are not
    given by the seed. ``pair_gap`` adds lam * mean over pairs of max(0, delta - (mean positive -
    mean negative score of the pair)), one reading of the seed's garbled second term.
    """

    score_transform: str = "sigmoid"
    delta: float = 0.1
    lam: float = 1.0
    alpha: float = 0.1
    eta: float = 1.0
    pair_gap: bool = False

    def __post_init__(self) -> None:
        if self.score_transform not in SCORE_TRANSFORMS:
            raise ValueError(f"score_transform must be one of {', '.join(SCORE_TRANSFORMS)}, "
                             f"not {self.score_transform!r}")


def _flatten(scores: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(N, cells) scores and boolean labels, checking every pair has both classes."""
    labels = torch.as_tensor(labels, device=scores.device).bool().expand_as(scores)
    flat, positive = scores.reshape(scores.shape[0], -1), labels.reshape(scores.shape[0], -1)
    counts = positive.sum(dim=1)
    if bool((counts == 0).any()) or bool((counts == positive.shape[1]).any()):
        raise ValueError("every pair needs at least one positive and one negative cell")
    return flat, positive


def balanced_logistic_loss(scores: torch.Tensor, labels: torch.Tensor,
                           options: LogisticOptions = LogisticOptions()) -> torch.Tensor:
    """Mean over pairs of share * mean BCE over positives + (1 - share) * mean BCE over negatives.

    With one label map for the batch this equals siamfc-pytorch's ``BalancedLoss`` (weights
    renormalised over the batch, summed).
    """
    flat, positive = _flatten(scores, labels)
    bce = F.binary_cross_entropy_with_logits(flat, positive.to(flat.dtype), reduction="none")
    pos = (bce * positive).sum(dim=1) / positive.sum(dim=1)
    neg = (bce * ~positive).sum(dim=1) / (~positive).sum(dim=1)
    return (options.positive_share * pos + (1 - options.positive_share) * neg).mean()


def hard_negative_count(positives: int, negatives: int, rho: float) -> int:
    """K = floor(rho * |P|), at least 1 and at most |N| (rho = inf: all negatives)."""
    if math.isinf(rho):
        return negatives
    return min(negatives, max(1, math.floor(rho * positives)))


def hinge_loss(scores: torch.Tensor, labels: torch.Tensor, options: HingeOptions = HingeOptions()) -> torch.Tensor:
    """Mean over pairs of (1/|P|) sum_P [m_p - v]_+^q + (1/K) sum_{K hardest N} [v - m_n]_+^q."""
    flat, positive = _flatten(scores, labels)
    per_pair = []
    for values, mask in zip(flat, positive):
        pos, neg = values[mask], values[~mask]
        k = hard_negative_count(pos.numel(), neg.numel(), options.rho)
        hardest = torch.topk(neg, k).values
        per_pair.append(torch.clamp(options.m_p - pos, min=0).pow(options.q).mean()
                        + torch.clamp(hardest - options.m_n, min=0).pow(options.q).mean())
    return torch.stack(per_pair).mean()


def global_similarity_loss(scores: torch.Tensor, labels: torch.Tensor,
                           options: GlobalSimOptions = GlobalSimOptions()) -> torch.Tensor:
    """l_dis + eta * l_hard (+ lam * pair gap); statistics of l_dis are over the whole batch."""
    flat, positive = _flatten(scores, labels)
    p = torch.sigmoid(flat) if options.score_transform == "sigmoid" else flat
    pos_all, neg_all = p[positive], p[~positive]
    gap = pos_all.mean() - neg_all.mean()
    l_dis = (pos_all.var(unbiased=False) + neg_all.var(unbiased=False)
             + options.lam * torch.clamp(options.delta - gap, min=0))
    hardest_neg = p.masked_fill(positive, -math.inf).amax(dim=1)
    weakest_pos = p.masked_fill(~positive, math.inf).amin(dim=1)
    l_hard = torch.clamp(hardest_neg - weakest_pos + options.alpha, min=0).mean()
    loss = l_dis + options.eta * l_hard
    if options.pair_gap:
        pair_pos = (p * positive).sum(dim=1) / positive.sum(dim=1)
        pair_neg = (p * ~positive).sum(dim=1) / (~positive).sum(dim=1)
        loss = loss + options.lam * torch.clamp(options.delta - (pair_pos - pair_neg), min=0).mean()
    return loss


@dataclass(frozen=True)
class Loss:
    """A registered loss: its options dataclass and the function taking (scores, labels, options)."""

    options_type: type
    function: Callable[[torch.Tensor, torch.Tensor, object], torch.Tensor]


LOSSES: dict[str, Loss] = {
    "siamfc": Loss(LogisticOptions, balanced_logistic_loss),
    "hinge": Loss(HingeOptions, hinge_loss),
    "globalsim": Loss(GlobalSimOptions, global_similarity_loss),
}
