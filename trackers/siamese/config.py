"""Every constant of the Siamese family in one place, with its source.

Tracking constants: SiamFC (Bertinetto et al., ECCV-W 2016) as the widely used PyTorch
re-implementation (huanglianghua/siamfc-pytorch) sets them; the 5-scale variant is the paper's.
Model constants: the same re-implementation (BN eps/momentum, out_scale); the TDM neck's widths
are evalkit's reconstruction of the "hinge" seed (Wu et al., JEI 2019), see docs/trackers.md.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace


@dataclass(frozen=True)
class TrackingConfig:
    exemplar_size: int = 127
    instance_size: int = 255
    context: float = 0.5  # context margin p = context * (w + h)
    scale_num: int = 3
    scale_step: float = 1.0375
    scale_penalty: float = 0.9745
    scale_lr: float = 0.59
    window_influence: float = 0.176  # Hann window weight
    response_size: int = 17
    response_upsample: int = 16  # bicubic, 17 -> 272
    total_stride: int = 8


THREE_SCALE = TrackingConfig()
FIVE_SCALE = replace(THREE_SCALE, scale_num=5, scale_step=1.0255, scale_penalty=0.962, scale_lr=0.34,
                     window_influence=0.168)
TRACKING_VARIANTS = {"3s": THREE_SCALE, "5s": FIVE_SCALE}


@dataclass(frozen=True)
class ModelConfig:
    """Architecture of a Siamese model; stored in every evalkit checkpoint."""

    neck: str = "none"  # "none" (SiamFC: correlate conv5) or "tdm" (top-down modulation to conv3)
    out_scale: float = 0.001  # score scale of the correlation head (siamfc-pytorch)
    bn_eps: float = 1e-6
    bn_momentum: float = 0.05
    tdm_top_down_channels: int = 128  # k_T
    tdm_lateral_channels: int = 128  # k_L
    tdm_out_channels: int = 256

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> "ModelConfig":
        return cls(**values)


SIAMFC_MODEL = ModelConfig()
TDM_MODEL = ModelConfig(neck="tdm")
