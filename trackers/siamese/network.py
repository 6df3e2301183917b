"""The network: AlexNet backbone (siamfc-pytorch's ``AlexNetV1`` layout, so its checkpoints load
key for key), the optional top-down-modulation neck, and the cross-correlation head."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from trackers.siamese.config import ModelConfig


def _bn(channels: int, config: ModelConfig) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(channels, eps=config.bn_eps, momentum=config.bn_momentum)


class AlexNet(nn.Module):
    """No padding, total stride 8: 127 -> 6x6 and 255 -> 22x22 (239 -> 20x20) at conv5."""

    def __init__(self, config: ModelConfig):
        super().__init__()
        self.conv1 = nn.Sequential(nn.Conv2d(3, 96, 11, 2), _bn(96, config), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2))
        self.conv2 = nn.Sequential(nn.Conv2d(96, 256, 5, 1, groups=2), _bn(256, config), nn.ReLU(inplace=True),
                                   nn.MaxPool2d(3, 2))
        self.conv3 = nn.Sequential(nn.Conv2d(256, 384, 3, 1), _bn(384, config), nn.ReLU(inplace=True))
        self.conv4 = nn.Sequential(nn.Conv2d(384, 384, 3, 1, groups=2), _bn(384, config), nn.ReLU(inplace=True))
        self.conv5 = nn.Sequential(nn.Conv2d(384, 256, 3, 1, groups=2))

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        """conv3, conv4 and conv5 features (the neck may use all three)."""
        c3 = self.conv3(self.conv2(self.conv1(x)))
        c4 = self.conv4(c3)
        return [c3, c4, self.conv5(c4)]


class TopDownModulation(nn.Module):
    """conv5 -> conv4 -> conv3 top-down path (reconstruction of the "hinge" seed's TDM).

    Per level: T = ConvTranspose3x3 (no padding: +2 px, matching the unpadded 3x3 conv it undoes)
    + BN + ReLU on the level above; L = Conv3x3(pad 1) + BN + ReLU on the bottom-up feature;
    out = Conv1x1 of concat(T, L), with BN + ReLU except at the last level.
    """

    def __init__(self, config: ModelConfig):
        super().__init__()
        k_t, k_l, out = config.tdm_top_down_channels, config.tdm_lateral_channels, config.tdm_out_channels
        self.top_down = nn.ModuleList([
            nn.Sequential(nn.ConvTranspose2d(256, k_t, 3, 1), _bn(k_t, config), nn.ReLU(inplace=True)),
            nn.Sequential(nn.ConvTranspose2d(out, k_t, 3, 1), _bn(k_t, config), nn.ReLU(inplace=True)),
        ])
        self.lateral = nn.ModuleList([
            nn.Sequential(nn.Conv2d(384, k_l, 3, 1, 1), _bn(k_l, config), nn.ReLU(inplace=True)),
            nn.Sequential(nn.Conv2d(384, k_l, 3, 1, 1), _bn(k_l, config), nn.ReLU(inplace=True)),
        ])
        self.fuse = nn.ModuleList([
            nn.Sequential(nn.Conv2d(k_t + k_l, out, 1), _bn(out, config), nn.ReLU(inplace=True)),
            nn.Conv2d(k_t + k_l, out, 1),
        ])

    def forward(self, features: list[torch.Tensor]) -> torch.Tensor:
        c3, c4, top = features
        for level, bottom_up in enumerate((c4, c3)):
            fused = torch.cat([self.top_down[level](top), self.lateral[level](bottom_up)], dim=1)
            top = self.fuse[level](fused)
        return top


class SiameseNet(nn.Module):
    """embed(images) -> correlation features; score(exemplar, search) -> response maps."""

    def __init__(self, config: ModelConfig):
        super().__init__()
        self.config = config
        self.backbone = AlexNet(config)
        self.neck = TopDownModulation(config) if config.neck == "tdm" else None

    def embed(self, images: torch.Tensor) -> torch.Tensor:
        features = self.backbone(images)
        return self.neck(features) if self.neck is not None else features[-1]

    def score(self, exemplars: torch.Tensor, searches: torch.Tensor) -> torch.Tensor:
        """Cross-correlate exemplar i with search i: (N, C, h, w) x (N, C, H, W) -> (N, 1, H-h+1, W-w+1)."""
        n, c, h, w = searches.shape
        out = F.conv2d(searches.reshape(1, n * c, h, w), exemplars, groups=n)
        return out.reshape(n, 1, out.shape[-2], out.shape[-1]) * self.config.out_scale

    def forward(self, exemplars: torch.Tensor, searches: torch.Tensor) -> torch.Tensor:
        return self.score(self.embed(exemplars), self.embed(searches))
