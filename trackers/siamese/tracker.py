"""SiamFC's tracking procedure over any Siamese network, for K sequences at once.

Per frame and sequence: crop the search region at each scale (padded with the image's mean
colour), score all crops of all sequences in one network pass, upsample each response bicubically
(17 -> 272), penalise the non-centre scales, take the scale with the highest peak, normalise that
map (minus min, over sum), blend it with a Hann window, take the argmax, turn its displacement into
image pixels and damp the size change. The exemplar is never updated.

State arithmetic (float32 centre and size, numpy scalars elsewhere) follows siamfc-pytorch
operation for operation, so that one of its checkpoints gives the boxes that code gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import cv2
import numpy as np
import torch

from evalkit.trackers import BatchedTracker, as_rgb_array
from trackers.siamese.config import TrackingConfig
from trackers.siamese.crops import crop_and_resize
from trackers.siamese.network import SiameseNet


@dataclass
class _Slot:
    center: np.ndarray  # (y, x), float32, 0-based pixels
    size: np.ndarray  # (h, w), float32
    search_side: float
    fill: np.ndarray  # mean colour of the first frame
    kernel: torch.Tensor  # exemplar features, (1, C, h, w)


class SiameseTracker(BatchedTracker):
    """A Siamese network tracking with SiamFC's procedure; ``name`` says which model it is."""

    def __init__(self, net: SiameseNet, config: TrackingConfig, name: str, device: str | torch.device = "cpu"):
        self.name = name
        self.is_deterministic = True
        self.config = config
        self.device = torch.device(device)
        self.net = net.to(self.device).eval()
        up = config.response_upsample * config.response_size
        self._up = up
        window = np.outer(np.hanning(up), np.hanning(up))
        self._window = window / window.sum()
        half = config.scale_num // 2
        self._scales = config.scale_step ** np.linspace(-half, half, config.scale_num)
        self._slots: dict[int, _Slot] = {}

    @torch.no_grad()
    def init_slots(self, slots: Sequence[int], images: Sequence[np.ndarray], boxes: np.ndarray) -> None:
        cfg = self.config
        crops, states = [], []
        for image, box in zip(images, np.asarray(boxes, dtype=np.float64)):
            image = as_rgb_array(image)
            center = np.array([box[1] + (box[3] - 1) / 2, box[0] + (box[2] - 1) / 2], dtype=np.float32)
            size = np.array([box[3], box[2]], dtype=np.float32)
            exemplar_side = np.sqrt(np.prod(size + cfg.context * np.sum(size)))
            fill = np.mean(image, axis=(0, 1))
            crops.append(crop_and_resize(image, center, exemplar_side, cfg.exemplar_size, fill))
            states.append((center, size, exemplar_side * cfg.instance_size / cfg.exemplar_size, fill))
        kernels = self.net.embed(self._to_tensor(crops))
        for slot, state, kernel in zip(slots, states, kernels):
            self._slots[slot] = _Slot(*state, kernel=kernel[None])

    @torch.no_grad()
    def update_slots(self, slots: Sequence[int], images: Sequence[np.ndarray]) -> np.ndarray:
        cfg, scales = self.config, self._scales
        states = [self._slots[s] for s in slots]
        crops = [crop_and_resize(as_rgb_array(image), st.center, st.search_side * f, cfg.instance_size, st.fill)
                 for st, image in zip(states, images) for f in scales]
        searches = self.net.embed(self._to_tensor(crops))
        kernels = torch.cat([st.kernel for st in states]).repeat_interleave(len(scales), dim=0)
        responses = self.net.score(kernels, searches).squeeze(1).cpu().numpy()
        responses = responses.reshape(len(states), len(scales), *responses.shape[-2:])
        return np.stack([self._step(st, maps) for st, maps in zip(states, responses)])

    def synchronize(self) -> None:
        """Wait for queued GPU work, so that frame times are honest."""
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)

    def release_slots(self, slots: Sequence[int]) -> None:
        for slot in slots:
            self._slots.pop(slot, None)

    def _step(self, state: _Slot, maps: np.ndarray) -> np.ndarray:
        cfg, scales, up = self.config, self._scales, self._up
        responses = np.stack([cv2.resize(m, (up, up), interpolation=cv2.INTER_CUBIC) for m in maps])
        half = cfg.scale_num // 2
        responses[:half] *= cfg.scale_penalty
        responses[half + 1:] *= cfg.scale_penalty
        best = np.argmax(np.amax(responses, axis=(1, 2)))
        response = responses[best]
        response -= response.min()
        response /= response.sum() + 1e-16
        response = (1 - cfg.window_influence) * response + cfg.window_influence * self._window
        peak = np.unravel_index(response.argmax(), response.shape)
        shift = (np.array(peak) - (up - 1) / 2) * cfg.total_stride / cfg.response_upsample
        state.center += shift * state.search_side * scales[best] / cfg.instance_size
        change = (1 - cfg.scale_lr) * 1.0 + cfg.scale_lr * scales[best]
        state.size *= change
        state.search_side *= change
        return np.array([state.center[1] - (state.size[1] - 1) / 2, state.center[0] - (state.size[0] - 1) / 2,
                         state.size[1], state.size[0]])

    def _to_tensor(self, crops: list[np.ndarray]) -> torch.Tensor:
        batch = torch.from_numpy(np.stack(crops)).to(self.device)
        return batch.permute(0, 3, 1, 2).float()
