"""Checkpoints: evalkit's own (weights + model config + provenance) and siamfc-pytorch's.

evalkit format: ``{"format": "evalkit-siamese", "version": 1, "tracker": name,
"model": ModelConfig.to_dict(), "state_dict": ..., "provenance": {...}}`` saved with torch.save
and read with ``torch.load(weights_only=True)``. A bare state dict whose keys are
siamfc-pytorch's ``AlexNetV1`` layout (``backbone.conv1.0.weight`` ... ``backbone.conv5.0.bias``,
30 tensors) loads as a SiamFC model: evalkit's backbone uses the same module names.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import torch

from evalkit.errors import EvalkitError
from evalkit.textio import write_bytes_atomic
from trackers.siamese.config import SIAMFC_MODEL, ModelConfig
from trackers.siamese.network import SiameseNet

FORMAT = "evalkit-siamese"
VERSION = 1


def load_checkpoint(path: str | Path, expected_neck: str | None = None) -> tuple[SiameseNet, dict[str, Any]]:
    """The network stored at ``path`` and the checkpoint's metadata (tracker, provenance)."""
    path = Path(path)
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise EvalkitError("checkpoint not found", path) from None
    except Exception as exc:  # torch raises many types for a corrupt or foreign file
        raise EvalkitError(f"not a readable PyTorch checkpoint ({type(exc).__name__})", path) from None
    if isinstance(payload, dict) and payload.get("format") == FORMAT:
        config = ModelConfig.from_dict(payload["model"])
        state, meta = payload["state_dict"], {k: payload.get(k) for k in ("tracker", "provenance")}
    elif isinstance(payload, dict) and "backbone.conv1.0.weight" in payload:
        config, state, meta = SIAMFC_MODEL, payload, {"tracker": "siamfc", "provenance": {"format": "siamfc-pytorch"}}
    else:
        raise EvalkitError("not an evalkit or siamfc-pytorch Siamese checkpoint", path)
    if expected_neck is not None and config.neck != expected_neck:
        raise EvalkitError(f"checkpoint is a {config.neck!r}-neck model, this tracker needs {expected_neck!r}", path)
    net = SiameseNet(config)
    try:
        net.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "mismatched tensors"
        raise EvalkitError(f"weights do not fit the {config.neck!r}-neck architecture: {first}", path) from None
    return net.eval(), meta


def save_checkpoint(path: str | Path, net: SiameseNet, tracker: str, provenance: dict[str, Any],
                    half: bool = False) -> None:
    """Write an evalkit checkpoint atomically (``half``: store float tensors as float16)."""
    state = {k: (v.half() if half and v.is_floating_point() else v).cpu() for k, v in net.state_dict().items()}
    payload = {"format": FORMAT, "version": VERSION, "tracker": tracker, "model": net.config.to_dict(),
               "state_dict": state, "provenance": provenance}
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    write_bytes_atomic(path, buffer.getvalue())
