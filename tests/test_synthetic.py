"""The synthetic benchmark: deterministic files, OTB layout, truthful boxes, careful with folders."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from evalkit.benchmarks import load_benchmark, synthetic
from evalkit.benchmarks.otb import ATTRIBUTES
from evalkit.benchmarks.synthetic import (
    DEFAULT_SEQUENCES,
    GENERATOR_VERSION,
    GT_FILE,
    INDEX_FILE,
    MARKER_FILE,
    cache_folder,
    generate_synthetic,
    load_synthetic,
    plan_sequence,
)
from evalkit.errors import EvalkitError

SMALL = {"sequences": 3, "frames": 16, "size": (160, 120)}
WIDTH, HEIGHT = 320, 240
CHALLENGE_CODES = {"SV", "FM", "OCC", "BC", "IV", "MB", "OV", "LR"}
RANDOM_BOXES = 30
SHIFT = 3  # pixels: a box this far off already matches the target clearly worse


@pytest.fixture(scope="module")
def default_set(tmp_path_factory):
    """The default set for seed 0, generated once by the loader into a new folder."""
    return load_synthetic(tmp_path_factory.mktemp("synthetic") / "seed0")


def _file_bytes(root: Path, bench) -> dict[str, bytes]:
    """sequences.csv, every gt file and the first, middle and last frame of every sequence."""
    files = {INDEX_FILE: (root / INDEX_FILE).read_bytes()}
    for seq in bench:
        files[f"{seq.name}/{GT_FILE}"] = seq.gt_path.read_bytes()
        for index in (0, len(seq) // 2, len(seq) - 1):
            files[f"{seq.name}/{index}"] = seq.frames[index].read_bytes()
    return files


def _outside(gt: np.ndarray, width: int, height: int) -> np.ndarray:
    """Per row of 1-based boxes: wholly outside the image."""
    x, y = gt[:, 0] - 1, gt[:, 1] - 1
    return (x + gt[:, 2] <= 0) | (y + gt[:, 3] <= 0) | (x >= width) | (y >= height)


def _inside(gt: np.ndarray, width: int, height: int) -> np.ndarray:
    """Per row of 1-based boxes: wholly inside the image."""
    x, y = gt[:, 0] - 1, gt[:, 1] - 1
    return (x >= 0) & (y >= 0) & (x + gt[:, 2] <= width) & (y + gt[:, 3] <= height)


def _difference(image: np.ndarray, template: np.ndarray, x: float, y: float, w: float, h: float) -> float:
    """Mean absolute difference between ``template`` and the crop at 0-based (x, y, w, h)."""
    left, top = int(round(x)), int(round(y))
    crop = image[top:top + int(round(h)), left:left + int(round(w))]
    size = (template.shape[1], template.shape[0])
    return float(np.abs(cv2.resize(crop, size, interpolation=cv2.INTER_LINEAR) - template).mean())


def test_same_seed_gives_the_same_bytes(default_set, tmp_path):
    again = load_synthetic(tmp_path / "again")
    assert _file_bytes(tmp_path / "again", again) == _file_bytes(default_set.root, default_set)


def test_another_seed_gives_other_files(tmp_path):
    first = load_synthetic(generate_synthetic(tmp_path / "zero", seed=0, **SMALL))
    second = load_synthetic(generate_synthetic(tmp_path / "one", seed=1, **SMALL))
    assert first.names == second.names
    for a, b in zip(first, second):
        assert a.gt_path.read_bytes() != b.gt_path.read_bytes()
        assert a.frames[0].read_bytes() != b.frames[0].read_bytes()


def test_layout_is_an_otb_root_with_an_index(default_set):
    root = default_set.root
    assert (default_set.name, default_set.kind, default_set.default_profile) == ("synthetic", "ope", "otb")
    assert default_set.attributes == ATTRIBUTES
    assert len(default_set) == DEFAULT_SEQUENCES
    assert (root / INDEX_FILE).read_text().splitlines()[0] == "name,frames,attributes,seed,width,height"
    assert (root / MARKER_FILE).is_file()
    for seq in default_set:
        assert 40 <= len(seq) <= 80
        assert seq.gt.shape == (len(seq), 4)
        assert seq.has_frames()
        assert len(list((root / seq.name / "img").glob("*.jpg"))) == len(seq)
        assert seq.image_size == (WIDTH, HEIGHT)
        assert cv2.imread(str(seq.frames[-1])).shape == (HEIGHT, WIDTH, 3)
        assert seq.gt_path == root / seq.name / GT_FILE


def test_registry_loads_it_and_uses_the_cache_without_a_root(default_set, tmp_path, monkeypatch):
    assert load_benchmark("synthetic", default_set.root).names == default_set.names
    monkeypatch.setenv("EVALKIT_CACHE", str(tmp_path))
    assert cache_folder(0) == tmp_path / f"synthetic-v{GENERATOR_VERSION}-seed0"
    shutil.copytree(default_set.root, cache_folder(0))
    cached = load_benchmark("synthetic", None)
    assert cached.root == cache_folder(0)
    assert cached.names == default_set.names


def test_default_set_covers_every_challenge(default_set):
    assert len(set(default_set.names)) == len(default_set)
    assert {"ScaleUp", "FastMotion", "Occlusion", "OutOfView"} <= set(default_set.names)
    for seq in default_set:
        assert 1 <= len(seq.attributes) <= 3
        assert seq.attributes <= set(ATTRIBUTES)
    assert set().union(*(seq.attributes for seq in default_set)) == CHALLENGE_CODES


def test_target_is_at_the_ground_truth_box(default_set):
    rng = np.random.default_rng(0)
    for index, seq in enumerate(default_set):
        template = plan_sequence(0, index).template
        image = cv2.imread(str(seq.frames[0])).astype(np.float32)
        x, y, w, h = seq.gt[0] - np.array([1, 1, 0, 0])
        at_gt = _difference(image, template, x, y, w, h)
        shifted = [_difference(image, template, x + dx, y + dy, w, h)
                   for dx, dy in ((SHIFT, 0), (-SHIFT, 0), (0, SHIFT), (0, -SHIFT))]
        elsewhere = [_difference(image, template, rng.uniform(0, WIDTH - w), rng.uniform(0, HEIGHT - h), w, h)
                     for _ in range(RANDOM_BOXES)]
        assert at_gt < min(shifted), seq.name
        assert at_gt < 0.5 * np.median(elsewhere), seq.name


def test_out_of_view_leaves_the_image_and_comes_back(default_set):
    for seq in default_set:
        gt = seq.gt
        if "OV" in seq.attributes:
            gone = np.flatnonzero(_outside(gt, WIDTH, HEIGHT))
            assert len(gone) >= 2, seq.name
            assert (~_inside(gt, WIDTH, HEIGHT) & ~_outside(gt, WIDTH, HEIGHT)).any()  # partly out
            assert _inside(gt[[0, -1]], WIDTH, HEIGHT).all()
        else:
            assert _inside(gt, WIDTH, HEIGHT).all(), seq.name


def test_foreign_folder_is_refused_untouched(tmp_path):
    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine\n")
    with pytest.raises(EvalkitError) as error:
        load_synthetic(foreign)
    message = str(error.value)
    assert "\n" not in message
    assert str(foreign) in message and "refusing" in message and MARKER_FILE in message
    assert [p.name for p in foreign.iterdir()] == ["notes.txt"]


def test_interrupted_generation_is_regenerated(default_set, tmp_path, monkeypatch):
    root = tmp_path / "interrupted"
    write_sequence = synthetic._write_sequence

    def write_then_die(folder, scene):
        write_sequence(folder, scene)
        if scene.name == "Occlusion":
            raise KeyboardInterrupt

    monkeypatch.setattr(synthetic, "_write_sequence", write_then_die)
    with pytest.raises(KeyboardInterrupt):
        load_synthetic(root)
    assert (root / MARKER_FILE).is_file() and not (root / INDEX_FILE).exists()
    monkeypatch.undo()
    regenerated = load_synthetic(root)
    assert _file_bytes(root, regenerated) == _file_bytes(default_set.root, default_set)


def test_short_ground_truth_names_its_file(tmp_path):
    root = generate_synthetic(tmp_path / "small", **SMALL)
    gt_path = root / plan_sequence(0, 1, SMALL["frames"], SMALL["size"]).name / GT_FILE
    gt_path.write_text("".join(gt_path.read_text().splitlines(keepends=True)[:-1]))
    expected = f"{gt_path}: 15 boxes where sequences.csv lists 16 frames"
    with pytest.raises(EvalkitError, match=re.escape(expected)):
        load_synthetic(root)
