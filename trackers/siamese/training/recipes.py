"""What each trainable tracker is made of: its network's neck and its loss with options.

Necks (docs/trackers.md): ``siamfc`` and ``globalsim`` correlate plain conv5 features; ``hinge``
uses the top-down-modulation neck (evalkit's reconstruction of the seed's TDM).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Callable, Mapping

import torch

from evalkit.errors import EvalkitError
from trackers.siamese.config import ModelConfig
from trackers.siamese.training.losses import LOSSES

NECKS = {"siamfc": "none", "hinge": "tdm", "globalsim": "none"}
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


@dataclass(frozen=True)
class Recipe:
    tracker: str
    model: ModelConfig
    loss_options: Any  # the loss's frozen options dataclass

    def loss(self) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
        """The loss as (scores, labels) -> scalar, looked up in ``LOSSES`` now."""
        function, options = LOSSES[self.tracker].function, self.loss_options
        return lambda scores, labels: function(scores, labels, options)

    def options_dict(self) -> dict[str, Any]:
        return asdict(self.loss_options)


def recipe(tracker: str, loss_options: Mapping[str, Any] | None = None) -> Recipe:
    """The recipe of ``tracker`` with ``loss_options`` overriding the loss's defaults."""
    if tracker not in NECKS:
        raise EvalkitError(f"cannot train tracker {tracker!r}; choose one of: {', '.join(NECKS)}")
    options = LOSSES[tracker].options_type()
    defaults = {f.name: getattr(options, f.name) for f in fields(options)}
    unknown = sorted(set(loss_options or {}) - set(defaults))
    if unknown:
        raise EvalkitError(f"unknown {tracker} loss option(s) {', '.join(unknown)}; "
                           f"valid: {', '.join(f'{k}={v}' for k, v in defaults.items())}")
    values = {key: _coerce(tracker, key, value, defaults[key]) for key, value in (loss_options or {}).items()}
    try:
        options = replace(options, **values)
    except ValueError as exc:
        raise EvalkitError(f"{tracker} loss options: {exc}") from None
    return Recipe(tracker, ModelConfig(neck=NECKS[tracker]), options)


def _coerce(tracker: str, key: str, value: Any, default: Any) -> Any:
    """``value`` as the type of the option's default (so CLI strings such as 'inf' work)."""
    try:
        if isinstance(default, bool):
            if isinstance(value, str) and value.lower() in _TRUE + _FALSE:
                return value.lower() in _TRUE
            if isinstance(value, bool):
                return value
            raise ValueError(value)
        return type(default)(value)
    except (TypeError, ValueError):
        raise EvalkitError(f"{tracker} loss option {key}={value!r} is not a {type(default).__name__}") from None
