"""``summary.json``: each tracker's headline numbers, the stable machine-readable result."""

from __future__ import annotations

import json
import math

from evalkit.evaluation import Evaluation


def summary_dict(evaluation: Evaluation) -> dict:
    """``{"benchmark", "profile", "trackers": {name: {metric: value}}}`` in tracker order.

    The metrics are ``evaluation.metrics``' keys; a value that cannot be computed is ``None``,
    ``sequences`` is an int and every other value a plain float.
    """
    frame = evaluation.summary.loc[evaluation.trackers, list(evaluation.metrics)]
    return {
        "benchmark": evaluation.benchmark,
        "profile": evaluation.profile,
        "trackers": {
            name: {key: _json_value(key, frame.at[name, key]) for key in evaluation.metrics}
            for name in evaluation.trackers
        },
    }


def summary_json(evaluation: Evaluation) -> str:
    """:func:`summary_dict` as indented JSON text ending in a newline."""
    return json.dumps(summary_dict(evaluation), indent=2, allow_nan=False) + "\n"


def _json_value(key: str, value: float) -> float | int | None:
    value = float(value)
    if not math.isfinite(value):
        return None
    return int(value) if key == "sequences" else value
