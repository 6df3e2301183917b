"""Training: the three losses against formulas written out here, labels, data sources and the split
by video, the pair sampler, and short training runs (checkpoints, resume, a NaN loss)."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from evalkit.errors import EvalkitError
from tests.conftest import shared_path
from tests.tiny_benchmark import make_tiny_benchmark
from trackers.siamese.checkpoint import load_checkpoint
from trackers.siamese.training.labels import label_map
from trackers.siamese.training.losses import (LOSSES, GlobalSimOptions, HingeOptions, Loss, LogisticOptions,
                                              balanced_logistic_loss, global_similarity_loss, hinge_loss)
from trackers.siamese.training.pairs import (EXEMPLAR_SIZE, MAX_FRAME_GAP, TRAIN_SEARCH_SIZE, PairDataset,
                                             PairSampler, load_training_data)
from trackers.siamese.training.patches import PatchSet, TrackPatches, build_patches, patch_size
from trackers.siamese.training.recipes import NECKS, recipe
from trackers.siamese.training.sources import load_tracks, split_by_video
from trackers.siamese.training.train import train

# Two pairs of 5x5 maps with different hand-chosen labels: pair 0 has 3 positives, pair 1 has 2.
SCORES = [
    [[0.3, -1.2, 0.8, 2.0, -0.5],
     [1.1, 0.9, -0.3, 0.4, -2.2],
     [0.0, 1.5, 2.5, -0.7, 0.6],
     [-1.0, 0.2, 0.7, 1.9, -0.1],
     [0.5, -0.8, 1.3, -1.6, 0.9]],
    [[-0.4, 0.6, -1.1, 0.3, 1.4],
     [-0.8, -0.2, -1.0, -0.9, 0.1],
     [1.2, -1.3, 0.4, 0.6, -0.6],
     [0.6, 0.6, -0.5, 2.1, 0.6],
     [-2.0, -0.7, 0.6, -0.3, 1.6]],
]
LABELS = [
    [[0, 0, 0, 0, 0], [0, 1, 0, 0, 0], [0, 1, 1, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]],
    [[0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 1, 0], [0, 0, 0, 0, 0]],
]


def _tensors():
    scores = torch.tensor(SCORES, dtype=torch.float64)[:, None]
    return scores, torch.tensor(LABELS, dtype=torch.bool)[:, None]


def _cells(pair: int) -> tuple[list[float], list[float]]:
    """(positive scores, negative scores) of a pair, read cell by cell."""
    pos, neg = [], []
    for i in range(5):
        for j in range(5):
            (pos if LABELS[pair][i][j] else neg).append(SCORES[pair][i][j])
    return pos, neg


def _sigmoid(v: float) -> float:
    return 1 / (1 + math.exp(-v))


# --- labels ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("size", [15, 17])
def test_label_map_has_13_positives_around_the_centre(size):
    labels = label_map(size)
    c = (size - 1) // 2
    assert labels.sum() == 13
    expected = {(c + dy, c + dx) for dy in range(-2, 3) for dx in range(-2, 3) if dy * dy + dx * dx <= 4}
    assert {tuple(p) for p in np.argwhere(labels)} == expected
    assert not labels[c + 1, c + 2]  # sqrt(5) cells x 8 px = 17.9 px > 16 px


# --- losses ---------------------------------------------------------------------------------------

def test_balanced_logistic_loss_matches_the_weighted_bce_formula():
    total = 0.0
    for b in range(2):
        pos, neg = _cells(b)
        weights = [1 / len(pos)] * len(pos) + [1 / len(neg)] * len(neg)
        norm = sum(weights)  # renormalised to sum 1: 0.5 / |P| and 0.5 / |N|
        terms = [math.log1p(math.exp(-v)) for v in pos] + [math.log1p(math.exp(v)) for v in neg]
        total += sum(w / norm * t for w, t in zip(weights, terms))
    assert balanced_logistic_loss(*_tensors()).item() == pytest.approx(total / 2, rel=1e-12)


def test_balanced_logistic_loss_equals_siamfc_pytorch_batch_weighting_for_one_label_map():
    scores = torch.tensor(SCORES, dtype=torch.float64)[:, None]
    labels = torch.tensor(LABELS[0], dtype=torch.float64).expand(2, 1, 5, 5)
    weight = torch.where(labels > 0, 1 / labels.sum(), 1 / (1 - labels).sum())
    reference = F.binary_cross_entropy_with_logits(scores, labels, weight / weight.sum(), reduction="sum")
    assert balanced_logistic_loss(scores, labels.bool()).item() == pytest.approx(reference.item(), rel=1e-12)


def _hinge_by_hand(m_p, m_n, q, rho) -> float:
    total = 0.0
    for b in range(2):
        pos, neg = _cells(b)
        k = len(neg) if rho == math.inf else min(len(neg), max(1, math.floor(rho * len(pos))))
        hardest = sorted(neg, reverse=True)[:k]
        total += (sum(max(0.0, m_p - v) ** q for v in pos) / len(pos)
                  + sum(max(0.0, v - m_n) ** q for v in hardest) / k)
    return total / 2


@pytest.mark.parametrize("options", [HingeOptions(), HingeOptions(m_p=0.5, m_n=0.2, q=2.0, rho=1.5),
                                     HingeOptions(rho=math.inf), HingeOptions(rho=1000.0), HingeOptions(rho=0.1)])
def test_hinge_loss_matches_the_formula(options):
    expected = _hinge_by_hand(options.m_p, options.m_n, options.q, options.rho)
    assert hinge_loss(*_tensors(), options).item() == pytest.approx(expected, rel=1e-12)


def test_hinge_mines_exactly_rho_times_positives_hard_negatives_and_ties_do_not_matter():
    # pair 1 has 2 positives -> K = 3 * 2 = 6 hardest negatives; its negatives hold a 6-way tie at
    # 0.6 straddling the 6th place (1.6, 1.4, 1.2, then the 0.6s), so K = 6 takes 3 of the tied
    # cells and K = 7 (rho 3.5) takes 4; any choice among ties gives the same sum.
    pos, neg = _cells(1)
    ranked = sorted(neg, reverse=True)
    assert len(pos) == 2 and ranked[:3] == [1.6, 1.4, 1.2] and ranked[3:10] == [0.6] * 6 + [0.3]
    options = HingeOptions(m_p=0.0, m_n=0.0, q=1.0, rho=3.0)
    scores, labels = _tensors()
    only_pair_1 = hinge_loss(scores[1:], labels[1:], options).item()
    assert only_pair_1 == pytest.approx((1.6 + 1.4 + 1.2 + 3 * 0.6) / 6, rel=1e-12)
    assert hinge_loss(scores[1:], labels[1:], HingeOptions(m_p=0.0, m_n=0.0, rho=3.5)).item() == \
        pytest.approx((1.6 + 1.4 + 1.2 + 4 * 0.6) / 7, rel=1e-12)


def test_hinge_with_infinite_rho_is_the_balanced_hinge():
    total = 0.0
    for b in range(2):
        pos, neg = _cells(b)
        total += (sum(max(0.0, 1 - v) for v in pos) / len(pos) + sum(max(0.0, v + 1) for v in neg) / len(neg))
    assert hinge_loss(*_tensors(), HingeOptions(rho=math.inf)).item() == pytest.approx(total / 2, rel=1e-12)


def _global_by_hand(o: GlobalSimOptions) -> float:
    squash = _sigmoid if o.score_transform == "sigmoid" else (lambda v: v)
    pos_all, neg_all, hard, gaps = [], [], [], []
    for b in range(2):
        pos, neg = ([squash(v) for v in cells] for cells in _cells(b))
        pos_all += pos
        neg_all += neg
        hard.append(max(0.0, max(neg) - min(pos) + o.alpha))
        gaps.append(max(0.0, o.delta - (sum(pos) / len(pos) - sum(neg) / len(neg))))
    mu_p, mu_n = sum(pos_all) / len(pos_all), sum(neg_all) / len(neg_all)
    var_p = sum((p - mu_p) ** 2 for p in pos_all) / len(pos_all)  # population variances
    var_n = sum((p - mu_n) ** 2 for p in neg_all) / len(neg_all)
    l_dis = var_p + var_n + o.lam * max(0.0, o.delta - (mu_p - mu_n))
    loss = l_dis + o.eta * sum(hard) / len(hard)
    return loss + (o.lam * sum(gaps) / len(gaps) if o.pair_gap else 0.0)


@pytest.mark.parametrize("options", [
    GlobalSimOptions(), GlobalSimOptions(score_transform="raw"), GlobalSimOptions(pair_gap=True),
    GlobalSimOptions(delta=0.9, lam=2.0, alpha=0.3, eta=0.5), GlobalSimOptions(score_transform="raw", pair_gap=True,
                                                                               delta=3.0)])
def test_global_similarity_loss_matches_the_formula_with_batch_level_statistics(options):
    assert global_similarity_loss(*_tensors(), options).item() == pytest.approx(_global_by_hand(options), rel=1e-12)


def test_global_statistics_are_over_the_batch_not_averaged_per_pair():
    scores, labels = _tensors()
    per_pair = sum(global_similarity_loss(scores[b:b + 1], labels[b:b + 1]).item() for b in range(2)) / 2
    assert global_similarity_loss(scores, labels).item() != pytest.approx(per_pair, rel=1e-6)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_gradients_flow_through_each_loss_into_a_tiny_network(name):
    torch.manual_seed(0)
    embed = torch.nn.Conv2d(3, 4, 3)
    exemplars, searches = torch.randn(2, 3, 5, 5), torch.randn(2, 3, 11, 11)
    z, x = embed(exemplars), embed(searches)  # 3x3 and 9x9 features -> 7x7 maps
    scores = torch.cat([F.conv2d(x[i:i + 1], z[i:i + 1]) for i in range(2)]) * 0.1
    loss = LOSSES[name].function(scores, torch.from_numpy(label_map(7, radius=8.0, stride=8)),
                                 LOSSES[name].options_type())
    loss.backward()
    for grad in (embed.weight.grad, embed.bias.grad):
        assert torch.isfinite(grad).all() and grad.abs().sum() > 0


def test_recipes_name_the_neck_and_check_loss_options():
    assert NECKS == {"siamfc": "none", "hinge": "tdm", "globalsim": "none"}
    assert set(LOSSES) == set(NECKS)
    assert recipe("hinge").model.neck == "tdm"
    assert recipe("hinge", {"rho": "inf", "q": 2}).loss_options == HingeOptions(rho=math.inf, q=2.0)
    assert recipe("globalsim", {"pair_gap": "true"}).loss_options.pair_gap is True
    with pytest.raises(EvalkitError, match="unknown hinge loss option"):
        recipe("hinge", {"margin": 1})
    with pytest.raises(EvalkitError, match="score_transform"):
        recipe("globalsim", {"score_transform": "tanh"})
    with pytest.raises(EvalkitError, match="cannot train tracker"):
        recipe("mdnet")


# --- data sources and split -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def train_root() -> Path:
    return shared_path("train")


@pytest.fixture(scope="module")
def real_tracks(train_root):
    return load_tracks([train_root])


def _track(tracks, suffix):
    return next(t for t in tracks.tracks if t.name.endswith(suffix))


def test_nan_rows_are_not_usable_frames(real_tracks, train_root):
    car14 = _track(real_tracks, "uav123_10fps/car14")
    gt = np.genfromtxt(train_root / "uav123_10fps/car14/groundtruth.txt", delimiter=",")
    absent = np.flatnonzero(np.isnan(gt).any(axis=1))
    assert len(absent) >= 1 and not car14.usable[absent].any()
    assert car14.usable.sum() == len(gt) - len(absent)  # car14's boxes are all large enough


def test_uav123_segments_group_into_their_source_video(real_tracks, train_root):
    index = json.loads((train_root / "INDEX.json").read_text())["sequences"]
    by_dir = {entry["dir"]: entry["source_img_dir"] for entry in index}
    video = {t.name.split("/", 1)[1]: t.video for t in real_tracks.tracks}
    uav = [(d, source) for d, source in by_dir.items() if d.startswith("uav123")]
    for a, source_a in uav:
        for b, source_b in uav:
            assert (video[a] == video[b]) == (source_a == source_b), (a, b)
    assert video["uav123_10fps/car16_1"] == video["uav123_10fps/car16_2"]
    assert len({video[d] for d in by_dir if d.startswith("uav123_10fps/group1_")}) == 1


def test_split_is_by_video_disjoint_and_deterministic(real_tracks):
    split = split_by_video(real_tracks.tracks, 0.2, seed=0)
    assert split.val and split.train
    assert not set(split.train_videos) & set(split.val_videos)
    assert len(split.train) + len(split.val) == len(real_tracks.tracks)
    again = split_by_video(list(reversed(real_tracks.tracks)), 0.2, seed=0)
    assert again.val_videos == split.val_videos
    assert split_by_video(real_tracks.tracks, 0.2, seed=1).val_videos != split.val_videos


def test_benchmark_targets_of_one_video_share_it(otb2015):
    tracks = load_tracks([otb2015])
    video = {t.name: t.video for t in tracks.tracks}
    assert len(video) == 9 and len(tracks.skipped_sequences) == 91  # frames for 9 targets only
    assert video["otb2015/Jogging-1"] == video["otb2015/Jogging-2"] != video["otb2015/Girl"]


def test_got10k_layout_skips_absent_and_fully_covered_frames(tmp_path, tiny):
    seq = tmp_path / "train" / "GOT-10k_Train_000001"
    seq.mkdir(parents=True)
    source = tiny.sequences[0]
    for i, frame in enumerate(source.frames):
        shutil.copy(frame, seq / f"{i + 1:08d}.jpg")
    np.savetxt(seq / "groundtruth.txt", source.gt - [1, 1, 0, 0], fmt="%.2f", delimiter=",")
    absence, cover = np.zeros(8, int), np.full(8, 8)
    absence[2], cover[5] = 1, 0
    for name, values in (("absence", absence), ("cover", cover), ("cut_by_image", np.zeros(8, int))):
        np.savetxt(seq / f"{name}.label", values, fmt="%d")
    (seq / "meta_info.ini").write_text("[METAINFO]\nresolution: (96, 72)\n")
    (tmp_path / "train" / "list.txt").write_text("GOT-10k_Train_000001\n")
    for root in (tmp_path, tmp_path / "train"):
        (track,) = load_tracks([root]).tracks
        assert track.usable_frames.tolist() == [0, 1, 3, 4, 6, 7]
        assert np.allclose(track.boxes, source.gt - [1, 1, 0, 0])


@pytest.mark.parametrize("kind", ["missing", "empty", "wrong"])
def test_bad_data_folders_fail_with_one_line_naming_them(tmp_path, kind):
    folder = tmp_path / "data"
    if kind != "missing":
        folder.mkdir()
    if kind == "wrong":
        (folder / "notes.txt").write_text("hello")
    with pytest.raises(EvalkitError) as error:
        load_tracks([folder])
    assert str(folder) in str(error.value) and "\n" not in str(error.value)


# --- pairs ------------------------------------------------------------------------------------------

def test_pairs_from_real_sequences_have_siamfc_crop_shapes(real_tracks):
    tracks = [_track(real_tracks, name) for name in ("uav123_10fps/group3_2", "uav123_10fps/car16_1")]
    size = patch_size(TRAIN_SEARCH_SIZE, 0.05, 4)
    patches = build_patches(tracks, size, threads=2)
    assert patches.corrupt_frames == []
    for track, entry in zip(tracks, patches.patches):
        assert entry.patches.shape == (track.usable.sum(), size, size, 3) and entry.patches.dtype == np.uint8
        assert track.usable[entry.frames].all()  # NaN rows never become patches
    dataset = PairDataset(patches, seed=3)
    keys = list(PairSampler(len(dataset), 10, seed=3, epoch=0))
    z, x = dataset[keys[0]]
    assert z.shape == (3, EXEMPLAR_SIZE, EXEMPLAR_SIZE) and x.shape == (3, TRAIN_SEARCH_SIZE, TRAIN_SEARCH_SIZE)
    assert z.dtype == torch.uint8
    assert all(torch.equal(a, b) for a, b in zip(dataset[keys[0]], (z, x)))  # same key, same crops
    assert [k[0] for k in keys] == [k[0] for k in PairSampler(len(dataset), 10, seed=3, epoch=0)]


def test_pairs_stay_within_100_frames_and_use_both_directions():
    frames = np.arange(0, 400, 2)  # a 400-frame track with every 2nd frame usable
    patch_set = PatchSet([None], [TrackPatches(frames, np.zeros((len(frames), 1, 1, 3), np.uint8))], 1)
    dataset = PairDataset(patch_set, seed=0)
    pairs = [dataset.pair(a, 0, i) for i, a in enumerate(np.arange(len(dataset)).repeat(5))]
    gaps = [p.search_frame - p.exemplar_frame for p in pairs]
    assert max(abs(g) for g in gaps) <= MAX_FRAME_GAP and 0 not in gaps
    assert min(gaps) < -50 and max(gaps) > 50


def test_corrupt_frame_is_skipped_and_counted(tmp_path, train_root):
    copy = tmp_path / "data" / "uav123_10fps" / "car10"
    shutil.copytree(train_root / "uav123_10fps" / "car10", copy)
    jpeg = copy / "00000005.jpg"
    jpeg.write_bytes(jpeg.read_bytes()[:2000])  # truncated
    (copy / "00000007.jpg").unlink()  # missing
    data = load_training_data([tmp_path / "data"], val_fraction=0.0, cache_dir=tmp_path / "cache")
    assert sorted(Path(p).name for p in data.corrupt_frames) == ["00000005.jpg", "00000007.jpg"]
    assert data.outside_frames == []
    assert 4 not in data.train.patch_set.patches[0].frames and len(data.train) == 28 - 2
    cached = load_training_data([tmp_path / "data"], val_fraction=0.0, cache_dir=tmp_path / "cache")
    assert len(cached.corrupt_frames) == 2
    assert np.array_equal(cached.train.patch_set.patches[0].patches, data.train.patch_set.patches[0].patches)


def test_boxes_wholly_outside_the_image_are_skipped_and_counted(tiny):
    from dataclasses import replace

    seq = tiny.sequences[0]
    gt = seq.gt.copy()
    gt[3] = (200, 10, 16, 16)  # right of the 96-px-wide frame
    bench = replace(tiny, sequences=(replace(seq, gt=gt),))
    data = load_training_data([bench], val_fraction=0.0)
    assert [Path(p).name for p in data.outside_frames] == ["0004.jpg"] and data.corrupt_frames == []
    assert data.train.patch_set.patches[0].frames.tolist() == [0, 1, 2, 4, 5, 6, 7]


# --- training runs ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return make_tiny_benchmark(tmp_path_factory.mktemp("tiny"), sequences=3, frames=8)


RUN = {"batch_size": 2, "iterations_per_epoch": 3, "val_pairs": 2, "progress": False}


def test_train_writes_checkpoints_and_resumes_from_the_last_epoch(tiny, tmp_path):
    out = tmp_path / "run" / "siamfc.pt"
    assert train("siamfc", [tiny], out, epochs=2, **RUN) == out
    _, meta = load_checkpoint(out, expected_neck="none")
    provenance = meta["provenance"]
    assert meta["tracker"] == "siamfc" and provenance["epochs"] == 2 and provenance["iterations"] == 6
    assert provenance["seed"] == 0 and provenance["loss_options"] == {"positive_share": 0.5}
    assert provenance["data"]["pairs"] == {"train": 16, "val": 8}
    assert all(math.isfinite(r["train_loss"]) and math.isfinite(r["val_loss"]) for r in provenance["history"])
    assert load_checkpoint(out.parent / "siamfc.epochs" / "epoch-01.pt")[1]["provenance"]["epochs"] == 1

    with pytest.raises(EvalkitError, match="resume"):
        train("siamfc", [tiny], out, epochs=3, **RUN)
    with pytest.raises(EvalkitError, match="cannot continue it as 'hinge'") as error:
        train("hinge", [tiny], out, epochs=3, resume=True, **RUN)
    assert "resume.pt" in str(error.value)

    train("siamfc", [tiny], out, epochs=3, resume=True, **RUN)
    history = load_checkpoint(out)[1]["provenance"]["history"]
    assert [r["epoch"] for r in history] == [1, 2, 3]
    assert history[2]["lr"] == pytest.approx(1e-2 * 1e-3 ** (2 / 2))  # the stored 2-epoch schedule goes on
    assert (out.parent / "siamfc.epochs" / "epoch-03.pt").is_file()


def test_an_interrupted_run_resumes_to_the_weights_of_an_uninterrupted_one(tiny, tmp_path, monkeypatch):
    import trackers.siamese.training.train as training

    saves, original = [], training.save_resume

    def crash_after_epoch_2(path, state):
        original(path, state)
        saves.append(state["epoch"])
        if state["epoch"] == 2:
            raise KeyboardInterrupt

    run = {**RUN, "iterations_per_epoch": 2, "epochs": 3}
    monkeypatch.setattr(training, "save_resume", crash_after_epoch_2)
    with pytest.raises(KeyboardInterrupt):
        train("siamfc", [tiny], tmp_path / "a.pt", **run)
    monkeypatch.setattr(training, "save_resume", original)
    resumed, _ = load_checkpoint(train("siamfc", [tiny], tmp_path / "a.pt", resume=True, **run))
    straight, _ = load_checkpoint(train("siamfc", [tiny], tmp_path / "b.pt", **run))
    assert saves == [1, 2]
    for key, value in straight.state_dict().items():
        assert torch.equal(value, resumed.state_dict()[key]), key


def test_hinge_trains_a_tdm_network(tiny, tmp_path):
    out = train("hinge", [tiny], tmp_path / "hinge.pt", epochs=1, batch_size=2, iterations_per_epoch=1,
                val_pairs=2, progress=False, loss_options={"rho": 2})
    net, meta = load_checkpoint(out, expected_neck="tdm")
    assert net.config.neck == "tdm" and meta["provenance"]["loss_options"]["rho"] == 2.0


def test_nan_loss_stops_naming_epoch_and_iteration(tiny, tmp_path, monkeypatch):
    calls = []

    def poisoned(scores, labels, options):
        calls.append(1)
        return scores.mean() * (math.nan if len(calls) == 2 else 1.0)

    monkeypatch.setitem(LOSSES, "siamfc", Loss(LogisticOptions, poisoned))
    with pytest.raises(EvalkitError, match=r"loss became nan at epoch 1, iteration 2"):
        train("siamfc", [tiny], tmp_path / "nan.pt", epochs=1, **RUN)
    assert not (tmp_path / "nan.pt").exists()
