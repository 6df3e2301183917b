"""evalkit's `siamfc` tracks as siamfc-pytorch does with that code's own checkpoint.

The reference below restates siamfc-pytorch's TrackerSiamFC (1-based boxes in and out, float32
state, OpenCV crops and bicubic upsampling) one frame and one sequence at a time, with its network
built layer by layer from the AlexNetV1 table, independent of evalkit's modules.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from tests.conftest import shared_path  # noqa: E402

SEQUENCES = ["Deer", "Bird2"]
FRAMES = 16  # per sequence: enough to move, scale and pad; the full sequences take minutes on 2 cores


def _reference_net(state_dict):
    def bn(c):
        return nn.BatchNorm2d(c, eps=1e-6, momentum=0.05)

    backbone = nn.Module()
    backbone.conv1 = nn.Sequential(nn.Conv2d(3, 96, 11, 2), bn(96), nn.ReLU(), nn.MaxPool2d(3, 2))
    backbone.conv2 = nn.Sequential(nn.Conv2d(96, 256, 5, 1, groups=2), bn(256), nn.ReLU(), nn.MaxPool2d(3, 2))
    backbone.conv3 = nn.Sequential(nn.Conv2d(256, 384, 3, 1), bn(384), nn.ReLU())
    backbone.conv4 = nn.Sequential(nn.Conv2d(384, 384, 3, 1, groups=2), bn(384), nn.ReLU())
    backbone.conv5 = nn.Sequential(nn.Conv2d(384, 256, 3, 1, groups=2))
    net = nn.Module()
    net.backbone = backbone
    net.load_state_dict(state_dict)
    net.eval()

    def features(x):
        for name in ("conv1", "conv2", "conv3", "conv4", "conv5"):
            x = getattr(backbone, name)(x)
        return x

    return features


def _crop(img, center, size, out, fill):
    size = round(size)
    c = np.round(np.concatenate((np.round(center - (size - 1) / 2), np.round(center - (size - 1) / 2) + size))).astype(int)
    pad = max(0, int(np.concatenate((-c[:2], c[2:] - img.shape[:2])).max()))
    if pad:
        img = cv2.copyMakeBorder(img, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=fill)
    c = c + pad
    return cv2.resize(img[c[0]:c[2], c[1]:c[3]], (out, out), interpolation=cv2.INTER_LINEAR)


@torch.no_grad()
def _reference_track(features, frames, box):
    """One sequence, 1-based boxes, as siamfc-pytorch's init/update compute them."""
    box = np.array([box[1] - 1 + (box[3] - 1) / 2, box[0] - 1 + (box[2] - 1) / 2, box[3], box[2]], dtype=np.float32)
    center, size = box[:2], box[2:]
    window = np.outer(np.hanning(272), np.hanning(272))
    window /= window.sum()
    scales = 1.0375 ** np.linspace(-1, 1, 3)
    z_side = np.sqrt(np.prod(size + 0.5 * np.sum(size)))
    x_side = z_side * 255 / 127
    fill = np.mean(frames[0], axis=(0, 1))
    z = torch.from_numpy(_crop(frames[0], center, z_side, 127, fill)).permute(2, 0, 1)[None].float()
    kernel = features(z)
    out = []
    for img in frames[1:]:
        x = np.stack([_crop(img, center, x_side * f, 255, fill) for f in scales])
        x = features(torch.from_numpy(x).permute(0, 3, 1, 2).float())
        maps = (nn.functional.conv2d(x.view(-1, 256, 22, 22), kernel) * 0.001).squeeze(1).numpy()
        maps = np.stack([cv2.resize(m, (272, 272), interpolation=cv2.INTER_CUBIC) for m in maps])
        maps[0] *= 0.9745
        maps[2] *= 0.9745
        best = np.argmax(np.amax(maps, axis=(1, 2)))
        r = maps[best]
        r -= r.min()
        r /= r.sum() + 1e-16
        r = (1 - 0.176) * r + 0.176 * window
        loc = np.unravel_index(r.argmax(), r.shape)
        center += (np.array(loc) - 271 / 2) * 8 / 16 * x_side * scales[best] / 255
        change = (1 - 0.59) * 1.0 + 0.59 * scales[best]
        size *= change
        x_side *= change
        out.append([center[1] + 1 - (size[1] - 1) / 2, center[0] + 1 - (size[0] - 1) / 2, size[1], size[0]])
    return np.array(out)


def _frames(seq):
    return [cv2.cvtColor(cv2.imread(str(path), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB) for path in seq.frames[:FRAMES]]


@pytest.fixture(scope="module")
def peer_case(otb2015):
    weights = shared_path("weights", "siamfc-pytorch", "siamfc_alexnet_cpu.pth")
    torch.set_num_threads(2)
    features = _reference_net(torch.load(weights, map_location="cpu", weights_only=True))
    cases = []
    for name in SEQUENCES:
        seq = otb2015[name]
        frames = _frames(seq)
        cases.append((seq, frames, _reference_track(features, frames, seq.gt[0])))
    return weights, cases


def test_one_sequence_at_a_time_equals_siamfc_pytorch(peer_case):
    from trackers.siamfc import create

    weights, cases = peer_case
    for seq, frames, expected in cases:
        tracker = create(weights=weights)
        tracker.init(frames[0], seq.gt[0] - [1, 1, 0, 0])
        ours = np.array([tracker.update(frame) for frame in frames[1:]]) + [1, 1, 0, 0]
        np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-3, err_msg=seq.name)


def test_batched_slots_equal_one_at_a_time(peer_case):
    from trackers.siamfc import create

    weights, cases = peer_case
    tracker = create(weights=weights)
    tracker.init_slots([0, 1], [c[1][0] for c in cases], np.stack([c[0].gt[0] - [1, 1, 0, 0] for c in cases]))
    steps = min(len(c[1]) for c in cases) - 1
    boxes = np.stack([tracker.update_slots([0, 1], [c[1][i + 1] for c in cases]) for i in range(steps)])
    for slot, (seq, _, expected) in enumerate(cases):
        np.testing.assert_allclose(boxes[:, slot] + [1, 1, 0, 0], expected[:steps], rtol=0, atol=1e-2, err_msg=seq.name)
