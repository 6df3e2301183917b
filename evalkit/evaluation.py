"""What an evaluation produces: the typed result every report format is written from."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

# summary.json keys per benchmark kind, with the column titles tables use.
OPE_METRICS = {
    "success_auc": "AUC",
    "precision_20": "P@20",
    "norm_precision_20": "NP@0.20",
}
GOT10K_METRICS = {
    "ao": "AO",
    "sr_50": "SR0.50",
    "sr_75": "SR0.75",
}
VOT_METRICS = {
    "accuracy": "A",
    "robustness": "R",
    "failures": "Failures",
    "eao": "EAO",
}
COMMON_METRICS = {"sequences": "Seqs", "fps": "FPS"}
LOWER_IS_BETTER = {"robustness", "failures"}
_METRICS = {"ope": OPE_METRICS, "got10k": GOT10K_METRICS, "vot": VOT_METRICS}
_PRIMARY = {"ope": "success_auc", "got10k": "ao", "vot": "eao"}


@dataclass
class Curve:
    """A per-tracker curve averaged as its profile prescribes.

    ``values`` has one row per tracker (in ``Evaluation.trackers`` order) and one column per
    threshold; ``scores`` is each tracker's score on this curve (the number legends show).
    """

    name: str  # "success", "precision", "norm_precision"
    title: str  # "Success plot"
    xlabel: str  # "Overlap threshold"
    ylabel: str  # "Success rate"
    thresholds: np.ndarray
    values: np.ndarray
    scores: np.ndarray
    score_label: str  # "AUC", "P@20"


@dataclass
class AttributeResult:
    """The success curve restricted to the sequences that carry one attribute."""

    code: str  # "OCC"
    title: str  # "Occlusion"
    sequences: list[str]
    success: Curve


@dataclass
class Evaluation:
    """Scores of several trackers on one benchmark under one profile.

    ``summary`` is indexed by tracker with the columns of ``metrics`` (NaN where a metric cannot
    be computed, e.g. FPS without time files); ``per_sequence`` has one row per (tracker,
    sequence) with the per-sequence scores.
    """

    benchmark: str  # "otb2015"
    title: str  # "OTB2015"
    profile: str
    kind: str  # "ope", "got10k" or "vot"
    trackers: list[str]
    sequences: list[str]
    summary: pd.DataFrame
    per_sequence: pd.DataFrame
    curves: dict[str, Curve]
    attributes: dict[str, AttributeResult] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    per_tag: pd.DataFrame | None = None  # VOT: one row per (tracker, tag) with accuracy, failures, robustness
    eao_interval: tuple[int, int] | None = None  # VOT: the sequence lengths EAO averages

    @property
    def metrics(self) -> dict[str, str]:
        """summary.json key -> table title, for this benchmark kind."""
        return {**_METRICS[self.kind], **COMMON_METRICS}

    @property
    def primary_metric(self) -> str:
        """The key tables and legends sort by."""
        return _PRIMARY[self.kind]
