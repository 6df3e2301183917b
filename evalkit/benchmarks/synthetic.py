"""A procedurally generated OTB-style benchmark: small, fast and bit-identical for one seed.

Each sequence shows a textured, colour-blocked target moving over a textured background, with one
to three challenges that map to OTB attributes: scale change (SV), fast motion (FM), occlusion by an
opaque patch (OCC), a look-alike distractor (BC), a global brightness ramp (IV), motion blur during
fast moves (MB), leaving the frame for a few frames (OV), a busy background (BC) and a small target
(LR). The ground truth is the box the target is drawn into (boxes outside the image stay as drawn,
as OTB's do), so a tracker that follows the pattern scores near the top.

Layout, as OTB: ``<root>/<Seq>/img/0001.jpg ...`` and ``<root>/<Seq>/groundtruth_rect.txt``
(x, y, w, h, 1-based, ``%.2f``, comma). ``<root>/sequences.csv`` (name, frames, attributes, seed,
width, height) is written last, so a folder without it is an interrupted generation; the marker
file ``.evalkit-synthetic`` is written first, so evalkit only ever (re)generates into a folder it
created. Every sequence draws from ``np.random.default_rng([seed, index])`` and frames are JPEG
files of fixed quality: the same seed and parameters give the same bytes (for one numpy and OpenCV).
"""

from __future__ import annotations

import csv
import io
import math
import os
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from evalkit.benchmarks.otb import ATTRIBUTES
from evalkit.benchmarks.sequence import Benchmark, FrameList, Sequence
from evalkit.errors import EvalkitError
from evalkit.textio import format_table, read_table, write_bytes_atomic, write_text_atomic

BENCHMARK_NAME = "synthetic"
GENERATOR_VERSION = 1  # bump when the generated content changes: cached sets are keyed by it
DEFAULT_SEQUENCES = 8
DEFAULT_FRAMES = (40, 80)  # each sequence's length is drawn from this range (inclusive)
DEFAULT_SIZE = (320, 240)  # width, height
MIN_FRAMES = 12
MIN_SIZE = (96, 72)

FRAME_TEMPLATE = "{:04d}.jpg"
GT_FILE = "groundtruth_rect.txt"
INDEX_FILE = "sequences.csv"
INDEX_COLUMNS = ("name", "frames", "attributes", "seed", "width", "height")
INTEGER_COLUMNS = ("frames", "seed", "width", "height")
MARKER_FILE = ".evalkit-synthetic"
CACHE_ENV = "EVALKIT_CACHE"
DEFAULT_CACHE = Path("~/.cache/evalkit")
JPEG_QUALITY = 90

# Challenges, and the OTB attribute each one stands for.
SCALE, FAST, OCCLUSION, DISTRACTOR = "scale", "fast", "occlusion", "distractor"
ILLUMINATION, BLUR, OUT_OF_VIEW, CLUTTER, SMALL = "illumination", "blur", "out_of_view", "clutter", "small"
CHALLENGE_ATTRIBUTES = {
    SCALE: "SV", FAST: "FM", OCCLUSION: "OCC", DISTRACTOR: "BC", ILLUMINATION: "IV",
    BLUR: "MB", OUT_OF_VIEW: "OV", CLUTTER: "BC", SMALL: "LR",
}

# Target appearance: a square master pattern, resized to the box when drawn.
TEMPLATE_SIZE = 64
TEMPLATE_BORDER = 3
TEMPLATE_GRID = (2, 4)  # cells per side, drawn from [2, 4)
STRIPE_PERIOD = (10.0, 20.0)  # template pixels
STRIPE_DEPTH = 0.35  # stripes darken the blocks by up to this fraction
TARGET_SATURATION = (150, 255)  # HSV, OpenCV's 8-bit scale
TARGET_VALUE = (140, 255)
BORDER_LEVEL = 20.0
TARGET_FRACTION = (0.12, 0.18)  # target height over the image's shorter side
TARGET_ASPECT = (0.7, 1.4)  # width over height
SMALL_HEIGHT = (12.0, 16.0)  # pixels: area stays under OTB's 400-pixel LR threshold
SMALL_ASPECT = (0.8, 1.25)
SCALE_GROWTH = (2.1, 2.5)
SCALE_START = 0.8  # a growing target starts this much smaller than a plain one
MAX_TARGET_FRACTION = 0.45  # no box side beyond this fraction of the image's shorter side

# Motion, in pixels per frame.
EDGE_MARGIN = 4.0
DRIFT_SPEED = (1.0, 2.5)
INERTIA = 0.8
JITTER = 0.8
CALM_FRAMES = 3  # first frames without bursts, occluder or exit: trackers start on a clean view
BURST_EVERY = 20  # frames per fast-motion burst
BURST_LENGTH = (3, 6)
BURST_SPEED = (20.0, 32.0)  # OTB's FM: the target moves more than 20 pixels
EXIT_SPEED = 8.0  # mean speed leaving and re-entering the view (peak 1.5x, plus the walk: under FM)
OUT_MARGIN = 6.0  # a hidden target's box clears the border by this much

# Other challenges.
BLUR_MIN_SPEED = 8.0
BLUR_EXPOSURE = 0.8  # blur length over the frame's displacement
BLUR_MAX_LENGTH = 25
OCCLUDER_SCALE = 1.3  # occluder sides over the target's largest: it hides it wholly
OCCLUDER_SPEED = 6.0  # across the target's path, so an occlusion lasts a dozen frames or so
DISTRACTOR_GAIN = 0.85
DISTRACTOR_OFFSET = 1.1  # heights between the distractor and the target where their paths cross
DISTRACTOR_SLIDE = 0.5  # widths, at most, the distractor is shifted sideways
ILLUMINATION_LOW = (0.3, 0.45)
ILLUMINATION_HIGH = (1.2, 1.4)
ILLUMINATION_KNOTS = (0.0, 0.25, 0.55, 0.8, 1.0)  # fractions of the sequence

# Background.
BACKGROUND_LEVELS = (40.0, 200.0)  # range of the two colours a background mixes
BACKGROUND_CELL = 48
TEXTURE_CELL = 6
TEXTURE_CONTRAST = 40.0
CLUTTER_SHAPES = 70
CLUTTER_SIZE = (6, 30)
CLUTTER_TARGET_COLOURS = 0.5  # share of clutter shapes painted in a colour of the target
CLUTTER_ELLIPSES = 0.5  # share of clutter shapes that are ellipses rather than rectangles
OCCLUDER_LEVELS = (60.0, 190.0)  # its mean grey
OCCLUDER_STRIPE_DEPTH = 0.25


@dataclass(frozen=True)
class Scenario:
    """A named sequence recipe: the challenges it combines."""

    name: str
    challenges: tuple[str, ...]

    @property
    def attributes(self) -> tuple[str, ...]:
        """The OTB codes of the challenges, in OTB's attribute order."""
        codes = {CHALLENGE_ATTRIBUTES[c] for c in self.challenges}
        return tuple(code for code in ATTRIBUTES if code in codes)


# The first DEFAULT_SEQUENCES cover every challenge; longer sets go on with the rest, then repeat
# the list with a round number appended ("ScaleUp2").
SCENARIOS = (
    Scenario("ScaleUp", (SCALE,)),
    Scenario("FastMotion", (FAST,)),
    Scenario("Occlusion", (OCCLUSION,)),
    Scenario("Distractor", (DISTRACTOR,)),
    Scenario("Illumination", (ILLUMINATION,)),
    Scenario("Blur", (BLUR, FAST)),
    Scenario("OutOfView", (OUT_OF_VIEW,)),
    Scenario("Clutter", (CLUTTER, SMALL)),
    Scenario("SmallTarget", (SMALL,)),
    Scenario("OccludedDistractor", (OCCLUSION, DISTRACTOR)),
    Scenario("DarkSprint", (ILLUMINATION, FAST, BLUR)),
    Scenario("EdgeClutter", (OUT_OF_VIEW, CLUTTER)),
)


@dataclass(frozen=True, eq=False)
class Scene:
    """Everything one sequence's frames are drawn from; boxes are 0-based x, y, w, h in pixels."""

    name: str
    attributes: tuple[str, ...]
    size: tuple[int, int]
    background: np.ndarray  # float32 (H, W, 3), BGR
    template: np.ndarray  # float32 (TEMPLATE_SIZE, TEMPLATE_SIZE, 3): the target's pattern
    boxes: np.ndarray  # (n, 4), rounded to the 2 decimals the gt file keeps
    gains: np.ndarray  # (n,) global brightness
    blur: bool
    distractor: np.ndarray | None = None  # pattern of the look-alike, drawn under the target
    distractor_boxes: np.ndarray | None = None
    occluder: np.ndarray | None = None  # pattern of an opaque patch, drawn over the target
    occluder_boxes: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.boxes)


def scenario(index: int) -> Scenario:
    """The recipe of sequence ``index`` (0-based) of a generated set."""
    base = SCENARIOS[index % len(SCENARIOS)]
    rounds = index // len(SCENARIOS)
    return base if rounds == 0 else Scenario(f"{base.name}{rounds + 1}", base.challenges)


def plan_sequence(
    seed: int, index: int, frames: int | tuple[int, int] = DEFAULT_FRAMES,
    size: tuple[int, int] = DEFAULT_SIZE,
) -> Scene:
    """Draw sequence ``index`` of the set for ``seed``: its length, looks, path and challenges."""
    rng = np.random.default_rng([seed, index])
    recipe = scenario(index)
    challenges = set(recipe.challenges)
    shortest, longest = _frame_range(frames)
    count = int(rng.integers(shortest, longest + 1))
    template = _target_template(rng)
    background = _background(rng, size, template if CLUTTER in challenges else None)
    sizes = _target_sizes(rng, count, size, challenges)
    centres = _walk(rng, sizes, size, fast=FAST in challenges)
    if OUT_OF_VIEW in challenges:
        centres = _leave_view(centres, sizes, size)
    boxes = _boxes(centres, sizes)
    extras = {}
    if DISTRACTOR in challenges:
        distractor_boxes = _distractor_boxes(rng, boxes, size)
        extras.update(distractor=template * DISTRACTOR_GAIN, distractor_boxes=distractor_boxes)
    if OCCLUSION in challenges:
        occluder_boxes = _occluder_boxes(rng, boxes)
        extras.update(occluder=_occluder_patch(rng, occluder_boxes[0, 2:]), occluder_boxes=occluder_boxes)
    gains = _gains(rng, count) if ILLUMINATION in challenges else np.ones(count)
    return Scene(
        name=recipe.name, attributes=recipe.attributes, size=size, background=background,
        template=template, boxes=boxes, gains=gains, blur=BLUR in challenges, **extras,
    )


def render_frame(scene: Scene, index: int) -> np.ndarray:
    """Frame ``index`` (0-based) of ``scene`` as a uint8 BGR image."""
    frame = scene.background.copy()
    if scene.distractor is not None:
        _draw(frame, scene.distractor, scene.distractor_boxes[index])
    _draw(frame, scene.template, scene.boxes[index], _blur_kernel(scene, index))
    if scene.occluder is not None:
        _draw(frame, scene.occluder, scene.occluder_boxes[index])
    # Scale by the brightness, round and saturate to uint8 in one pass (values are never negative).
    return cv2.convertScaleAbs(frame, alpha=float(scene.gains[index]))


def generate_synthetic(
    root: str | Path, seed: int = 0, sequences: int = DEFAULT_SEQUENCES,
    frames: int | tuple[int, int] = DEFAULT_FRAMES, size: tuple[int, int] = DEFAULT_SIZE,
) -> Path:
    """Write the synthetic benchmark under ``root`` in OTB layout and return ``root``.

    ``frames`` is every sequence's length or an inclusive (shortest, longest) range; ``size`` is
    (width, height). ``root`` must be new, empty or an earlier generation of this function.
    """
    _check_parameters(seed, sequences, frames, size)
    root = Path(root)
    try:
        _claim(root, f"seed={seed} sequences={sequences} frames={frames} size={size[0]}x{size[1]}\n")
        rows = []
        for index in range(sequences):
            scene = plan_sequence(seed, index, frames, size)
            _write_sequence(root / scene.name, scene)
            rows.append((scene.name, len(scene), " ".join(scene.attributes), seed, *size))
        write_text_atomic(root / INDEX_FILE, _csv_text([INDEX_COLUMNS, *rows]))
    except OSError as exc:
        where = exc.filename or root
        raise EvalkitError(f"cannot write the synthetic benchmark ({exc.strerror})", where) from None
    return root


def load_synthetic(root: str | Path | None = None, seed: int = 0) -> Benchmark:
    """The synthetic benchmark in ``root``, generated there first when it has no ``sequences.csv``.

    Without ``root`` it lives in ``$EVALKIT_CACHE`` (else ``~/.cache/evalkit``) as
    ``synthetic-v<generator version>-seed<seed>``. ``seed`` only matters when generating: a finished folder says its own.
    """
    folder = Path(root) if root is not None else cache_folder(seed)
    if not (folder / INDEX_FILE).is_file():
        generate_synthetic(folder, seed)
    index_path = folder / INDEX_FILE
    sequences = tuple(_load_sequence(folder, row, index_path) for row in _read_index(index_path))
    return Benchmark(
        name=BENCHMARK_NAME, root=folder, sequences=sequences, kind="ope", default_profile="otb",
        attributes=ATTRIBUTES, pixel_origin=1,
    )


def cache_folder(seed: int) -> Path:
    """Where ``load_synthetic`` keeps the default set for ``seed`` when given no root."""
    base = os.environ.get(CACHE_ENV) or DEFAULT_CACHE
    return Path(base).expanduser() / f"synthetic-v{GENERATOR_VERSION}-seed{seed}"


# --- appearance -------------------------------------------------------------------------------

def _target_template(rng: np.random.Generator) -> np.ndarray:
    """Saturated colour blocks of spread hues, striped, in a dark frame."""
    cells = int(rng.integers(*TEMPLATE_GRID))
    hues = (rng.uniform(0, 180) + np.arange(cells * cells) * 180 / (cells * cells)) % 180
    saturation, value = rng.uniform(*TARGET_SATURATION, hues.size), rng.uniform(*TARGET_VALUE, hues.size)
    hsv = np.stack([rng.permutation(hues), saturation, value], axis=1)
    blocks = cv2.cvtColor(hsv.reshape(cells, cells, 3).astype(np.uint8), cv2.COLOR_HSV2BGR)
    template = cv2.resize(blocks, (TEMPLATE_SIZE, TEMPLATE_SIZE), interpolation=cv2.INTER_NEAREST)
    shade = 1 - STRIPE_DEPTH * _stripes(rng, TEMPLATE_SIZE, TEMPLATE_SIZE)
    template = template.astype(np.float32) * shade[..., None]
    edge = TEMPLATE_BORDER
    template[:edge], template[-edge:], template[:, :edge], template[:, -edge:] = (BORDER_LEVEL,) * 4
    return template


def _stripes(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """Sinusoidal stripes in [0, 1] of a random period and direction."""
    period, angle = rng.uniform(*STRIPE_PERIOD), rng.uniform(0, np.pi)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    return 0.5 + 0.5 * np.sin(2 * np.pi * (x * np.cos(angle) + y * np.sin(angle)) / period)


def _smooth_noise(rng: np.random.Generator, size: tuple[int, int], cell: int, channels: int = 1) -> np.ndarray:
    """Values in about [0, 1] that vary over ``cell`` pixels, shape (H, W, channels)."""
    width, height = size
    grid = rng.random((height // cell + 2, width // cell + 2, channels)).astype(np.float32)
    noise = cv2.resize(grid, (width, height), interpolation=cv2.INTER_CUBIC)
    return noise.reshape(height, width, channels)


def _background(
    rng: np.random.Generator, size: tuple[int, int], clutter_palette: np.ndarray | None,
) -> np.ndarray:
    """Two muted colours mixed by low-frequency noise, with fine grey texture; busy with shapes,
    some in the colours of ``clutter_palette`` (the target's template), when that is given."""
    low, high = rng.uniform(*BACKGROUND_LEVELS, size=(2, 3)).astype(np.float32)
    mix = _smooth_noise(rng, size, BACKGROUND_CELL)
    background = low * (1 - mix) + high * mix
    background += (_smooth_noise(rng, size, TEXTURE_CELL) - 0.5) * TEXTURE_CONTRAST
    if clutter_palette is not None:
        _draw_clutter(rng, background, clutter_palette.reshape(-1, 3))
    return np.clip(background, 0, 255)


def _draw_clutter(rng: np.random.Generator, image: np.ndarray, target_colours: np.ndarray) -> None:
    height, width = image.shape[:2]
    for _ in range(CLUTTER_SHAPES):
        if rng.random() < CLUTTER_TARGET_COLOURS:
            colour = target_colours[rng.integers(len(target_colours))]
        else:
            colour = rng.uniform(0, 255, 3)
        x, y = int(rng.integers(width)), int(rng.integers(height))
        w, h = (int(v) for v in rng.integers(*CLUTTER_SIZE, size=2))
        if rng.random() >= CLUTTER_ELLIPSES:
            cv2.rectangle(image, (x, y), (x + w, y + h), colour.tolist(), -1)
        else:
            angle = float(rng.uniform(0, 180))
            cv2.ellipse(image, (x, y), (w // 2, h // 2), angle, 0, 360, colour.tolist(), -1)


def _occluder_patch(rng: np.random.Generator, size: np.ndarray) -> np.ndarray:
    """A grey, striped pattern of about ``size`` (width, height) for the occluder."""
    w, h = (max(1, int(math.ceil(v))) for v in size)
    texture = (_smooth_noise(rng, (w, h), TEXTURE_CELL)[..., 0] - 0.5) * TEXTURE_CONTRAST
    grey = rng.uniform(*OCCLUDER_LEVELS) + texture
    shade = grey * (1 - OCCLUDER_STRIPE_DEPTH * _stripes(rng, w, h))
    return np.repeat(shade[..., None], 3, axis=2).astype(np.float32)


# --- motion -----------------------------------------------------------------------------------

def _target_sizes(
    rng: np.random.Generator, count: int, size: tuple[int, int], challenges: set[str],
) -> np.ndarray:
    """(count, 2) widths and heights: fixed, or growing smoothly for the scale challenge."""
    shorter = min(size)
    if SMALL in challenges:
        height = rng.uniform(*SMALL_HEIGHT)
        width = height * rng.uniform(*SMALL_ASPECT)
    else:
        height = rng.uniform(*TARGET_FRACTION) * shorter
        width = height * rng.uniform(*TARGET_ASPECT)
    largest = MAX_TARGET_FRACTION * shorter
    first = np.array([width, height]) * min(1.0, largest / max(width, height))
    growth = np.ones(count)
    if SCALE in challenges:
        first *= SCALE_START
        final = min(rng.uniform(*SCALE_GROWTH), largest / first.max())
        growth = 1 + (final - 1) * _smoothstep(np.linspace(0, 1, count))
    return np.round(first * growth[:, None], 2)


def _walk(rng: np.random.Generator, sizes: np.ndarray, size: tuple[int, int], fast: bool) -> np.ndarray:
    """(n, 2) box centres: a drifting, jittery walk that bounces off the image borders, with
    fast-motion bursts at constant velocity when ``fast``."""
    count = len(sizes)
    low = sizes / 2 + EDGE_MARGIN
    high = np.array(size) - sizes / 2 - EDGE_MARGIN
    position = rng.uniform(low[0], high[0])
    drift = _unit(rng) * rng.uniform(*DRIFT_SPEED)
    velocity = drift.copy()
    burst_of, burst_velocity = _bursts(rng, count) if fast else ({}, np.zeros((0, 2)))
    centres = np.empty((count, 2))
    centres[0] = position
    for t in range(1, count):
        if t in burst_of:
            step = burst_velocity[burst_of[t]]
        else:
            velocity = INERTIA * velocity + (1 - INERTIA) * drift + rng.normal(0, JITTER, 2)
            step = velocity
        position = position + step
        for axis in range(2):
            if not low[t, axis] <= position[axis] <= high[t, axis]:
                edge = low[t, axis] if position[axis] < low[t, axis] else high[t, axis]
                position[axis] = np.clip(2 * edge - position[axis], low[t, axis], high[t, axis])
                for moving in (velocity, drift, burst_velocity.T):
                    moving[axis] = -moving[axis]
        centres[t] = position
    return centres


def _bursts(rng: np.random.Generator, count: int) -> tuple[dict[int, int], np.ndarray]:
    """Fast-motion bursts, one per BURST_EVERY frames: frame -> burst number, and each burst's
    constant velocity."""
    number = max(1, count // BURST_EVERY)
    edges = np.linspace(CALM_FRAMES, count - 1, number + 1)
    burst_of = {}
    velocities = np.empty((number, 2))
    for burst, (start, end) in enumerate(zip(edges[:-1], edges[1:])):
        first = int(rng.integers(int(start), max(int(start) + 1, int(end) - BURST_LENGTH[0])))
        velocities[burst] = _unit(rng) * rng.uniform(*BURST_SPEED)
        for t in range(first, min(count, first + int(rng.integers(*BURST_LENGTH)))):
            burst_of[t] = burst
    return burst_of, velocities


def _leave_view(centres: np.ndarray, sizes: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Centres with an excursion out of the view: out through a border, a few frames wholly
    outside, then back to the walk."""
    count = len(centres)
    hold = max(2, count // 10)
    clear = sizes / 2 + OUT_MARGIN
    # Distance from each centre to where its box clears each border: left, right, top, bottom.
    travel = np.stack([centres + clear, np.array(size) - centres + clear], axis=2).reshape(count, 4)
    start, border, out_ramp, back_ramp = _exit_plan(travel, hold)
    axis, side = divmod(border, 2)
    outside = -clear[:, axis] if side == 0 else size[axis] + clear[:, axis]
    back = start + out_ramp + hold
    weight = np.zeros(count)
    weight[start:start + out_ramp + 1] = _smoothstep(np.linspace(0, 1, out_ramp + 1))
    weight[start + out_ramp:back + 1] = 1
    weight[back:back + back_ramp + 1] = _smoothstep(np.linspace(1, 0, back_ramp + 1))
    moved = centres.copy()
    moved[:, axis] = (1 - weight) * centres[:, axis] + weight * outside
    return moved


def _exit_plan(travel: np.ndarray, hold: int) -> tuple[int, int, int, int]:
    """(first frame, border, frames out, frames back) of the excursion: from the frame closest to
    a border whose trip out and back at EXIT_SPEED fits in the sequence; in a sequence too short
    for any, right after the calm frames and as fast as it takes."""
    count = len(travel)
    for start in np.argsort(travel.min(axis=1), kind="stable"):
        border = int(np.argmin(travel[start]))
        out_ramp = _ramp_length(travel[start, border])
        back = start + out_ramp + hold
        if start >= CALM_FRAMES and back < count and back + _ramp_length(travel[back, border]) < count:
            return int(start), border, out_ramp, _ramp_length(travel[back, border])
    ramp = max(1, (count - CALM_FRAMES - hold - 1) // 2)
    return CALM_FRAMES, int(np.argmin(travel[CALM_FRAMES])), ramp, ramp


def _ramp_length(distance: float) -> int:
    """Frames to cover ``distance`` at EXIT_SPEED (at least 2)."""
    return max(2, int(math.ceil(distance / EXIT_SPEED)))


def _distractor_boxes(rng: np.random.Generator, boxes: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """The target's path run backwards and shifted: the two pass close mid-sequence."""
    reverse = boxes[::-1].copy()
    shift = np.array([rng.uniform(-1, 1) * DISTRACTOR_SLIDE, rng.choice([-1.0, 1.0]) * DISTRACTOR_OFFSET])
    shift = shift * reverse[:, 2:]
    limit = np.array(size) - reverse[:, 2:]
    reverse[:, :2] = np.clip(reverse[:, :2] + shift, 0, limit)
    return np.round(reverse, 2)


def _occluder_boxes(rng: np.random.Generator, boxes: np.ndarray) -> np.ndarray:
    """The occluder's path: a straight line at OCCLUDER_SPEED across the target's path, over the
    target's centre at a frame near mid-sequence chosen so that it is clear of the first frames."""
    count = len(boxes)
    centres = boxes[:, :2] + boxes[:, 2:] / 2
    extent = boxes[:, 2:].max(axis=0) * OCCLUDER_SCALE
    sign = rng.choice([-1.0, 1.0])
    middle = np.arange(count // 3, max(count // 3 + 1, 2 * count // 3))
    for meet in middle[np.argsort(np.abs(middle - count / 2), kind="stable")]:
        motion = centres[min(meet + 1, count - 1)] - centres[max(meet - 1, 0)]
        across = sign * np.array([-motion[1], motion[0]]) / max(float(np.hypot(*motion)), 1e-9)
        path = centres[meet] + OCCLUDER_SPEED * across * (np.arange(count) - meet)[:, None]
        occluder = np.round(np.column_stack([path - extent / 2, np.tile(extent, (count, 1))]), 2)
        if not _overlaps(occluder[:CALM_FRAMES], boxes[:CALM_FRAMES]):
            break
    return occluder


def _overlaps(first: np.ndarray, second: np.ndarray) -> bool:
    """Whether any row of ``first`` overlaps the same row of ``second`` (x, y, w, h boxes)."""
    return bool(np.any(
        (first[:, 0] < second[:, 0] + second[:, 2]) & (second[:, 0] < first[:, 0] + first[:, 2])
        & (first[:, 1] < second[:, 1] + second[:, 3]) & (second[:, 1] < first[:, 1] + first[:, 3])
    ))


def _gains(rng: np.random.Generator, count: int) -> np.ndarray:
    """Brightness: steady, down to a dark low, up past the start, steady."""
    levels = [1.0, 1.0, rng.uniform(*ILLUMINATION_LOW), *([rng.uniform(*ILLUMINATION_HIGH)] * 2)]
    return np.interp(np.arange(count), np.array(ILLUMINATION_KNOTS) * (count - 1), levels)


def _boxes(centres: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    return np.round(np.column_stack([centres - sizes / 2, sizes]), 2)


def _unit(rng: np.random.Generator) -> np.ndarray:
    angle = rng.uniform(0, 2 * np.pi)
    return np.array([np.cos(angle), np.sin(angle)])


def _smoothstep(x: np.ndarray) -> np.ndarray:
    return x * x * (3 - 2 * x)


# --- drawing ----------------------------------------------------------------------------------

def _draw(frame: np.ndarray, pattern: np.ndarray, box: np.ndarray, kernel: np.ndarray | None = None) -> None:
    """Blend ``pattern`` into ``frame`` so that it covers ``box`` (x, y, w, h; pixel edges)
    exactly, sub-pixel and partly outside included, smeared by ``kernel`` when given."""
    x, y, w, h = (float(v) for v in box)
    pad = 1 + (0 if kernel is None else len(kernel) // 2)
    left, top = max(0, math.floor(x) - pad), max(0, math.floor(y) - pad)
    right = min(frame.shape[1], math.ceil(x + w) + pad)
    bottom = min(frame.shape[0], math.ceil(y + h) + pad)
    if left >= right or top >= bottom:
        return
    width, height = max(1, round(w)), max(1, round(h))
    patch = cv2.resize(pattern, (width, height), interpolation=cv2.INTER_AREA)
    sx, sy = w / width, h / height
    # Pixel centres sit at integer coordinates: edge u of the patch lands on edge x + u * sx.
    warp = np.array([[sx, 0, x - left + 0.5 * sx - 0.5], [0, sy, y - top + 0.5 * sy - 0.5]])
    shape = (right - left, bottom - top)
    layer = cv2.warpAffine(patch, warp, shape, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    alpha = cv2.warpAffine(np.ones((height, width), np.float32), warp, shape, flags=cv2.INTER_LINEAR,
                           borderMode=cv2.BORDER_CONSTANT)
    if kernel is not None:
        layer = cv2.filter2D(layer, -1, kernel, borderType=cv2.BORDER_CONSTANT)
        alpha = cv2.filter2D(alpha, -1, kernel, borderType=cv2.BORDER_CONSTANT)
    region = frame[top:bottom, left:right]
    region *= 1 - alpha[..., None]
    region += layer  # zero outside the patch: already weighted by alpha


def _blur_kernel(scene: Scene, index: int) -> np.ndarray | None:
    """A line kernel along the target's motion into frame ``index`` when it moves fast."""
    if not scene.blur or index == 0:
        return None
    centres = scene.boxes[index - 1:index + 1, :2] + scene.boxes[index - 1:index + 1, 2:] / 2
    motion = centres[1] - centres[0]
    speed = float(np.hypot(*motion))
    if speed < BLUR_MIN_SPEED:
        return None
    length = min(BLUR_MAX_LENGTH, int(round(speed * BLUR_EXPOSURE)) | 1)
    half = (length - 1) / 2 * motion / speed
    kernel = np.zeros((length, length), np.float32)
    centre = (length - 1) / 2
    start = tuple(int(round(v)) for v in (centre - half[0], centre - half[1]))
    end = tuple(int(round(v)) for v in (centre + half[0], centre + half[1]))
    cv2.line(kernel, start, end, 1.0, 1)
    return kernel / kernel.sum()


# --- files ------------------------------------------------------------------------------------

def _frame_range(frames: int | tuple[int, int]) -> tuple[int, int]:
    """(shortest, longest) sequence length from one length or a range."""
    shortest, longest = (frames, frames) if np.ndim(frames) == 0 else frames
    return int(shortest), int(longest)


def _check_parameters(seed: int, sequences: int, frames: int | tuple[int, int], size: tuple[int, int]) -> None:
    shortest, longest = _frame_range(frames)
    if shortest > longest:
        raise EvalkitError(f"synthetic frames range {frames} runs backwards")
    if seed < 0 or sequences < 1 or shortest < MIN_FRAMES:
        raise EvalkitError(
            f"synthetic benchmark needs seed >= 0, sequences >= 1 and frames >= {MIN_FRAMES}; "
            f"got seed={seed}, sequences={sequences}, frames={frames}")
    if size[0] < MIN_SIZE[0] or size[1] < MIN_SIZE[1]:
        raise EvalkitError(f"synthetic frame size {size[0]}x{size[1]} is below {MIN_SIZE[0]}x{MIN_SIZE[1]}")


def _claim(root: Path, description: str) -> None:
    """Make ``root`` ours to write: new, empty, or marked by an earlier generation (whose
    ``sequences.csv`` goes first, so an interrupted regeneration is seen as one)."""
    marker = root / MARKER_FILE
    if not marker.is_file():
        if root.exists() and not root.is_dir():
            raise EvalkitError("synthetic benchmark root is not a directory", root)
        if root.is_dir() and any(not _is_marker_temp(entry.name) for entry in root.iterdir()):
            raise EvalkitError(
                "refusing to generate the synthetic benchmark into a non-empty folder evalkit did not "
                f"create (no {MARKER_FILE}); pass an empty or new folder", root)
    (root / INDEX_FILE).unlink(missing_ok=True)
    write_text_atomic(marker, f"evalkit synthetic benchmark: {description}")


def _is_marker_temp(name: str) -> bool:
    """A marker being written by a concurrent generation (write_text_atomic's temporary name)."""
    return name.startswith(f".{MARKER_FILE}.") and name.endswith(".tmp")


def _write_sequence(folder: Path, scene: Scene) -> None:
    images = folder / "img"
    images.mkdir(parents=True, exist_ok=True)
    for index in range(len(scene)):
        path = images / FRAME_TEMPLATE.format(index + 1)
        ok, data = cv2.imencode(".jpg", render_frame(scene, index), [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
        if not ok:
            raise EvalkitError("cannot encode the frame as JPEG", path)
        write_bytes_atomic(path, data.tobytes())
    one_based = scene.boxes + np.array([1, 1, 0, 0])
    write_text_atomic(folder / GT_FILE, format_table(one_based, "%.2f"))


def _csv_text(rows: list[tuple]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def _read_index(path: Path) -> list[dict[str, str]]:
    """The rows of ``sequences.csv``, checked for columns, names, numbers and attribute codes."""
    try:
        handle = open(path, newline="", encoding="utf-8")
    except FileNotFoundError:  # removed by a concurrent regeneration since it was seen
        raise EvalkitError("file not found", path) from None
    with handle:
        reader = csv.DictReader(handle)
        missing = [c for c in INDEX_COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise EvalkitError(f"not a synthetic benchmark index: no column {', '.join(missing)}", path, 1)
        rows = []
        for row in reader:
            if not row["name"]:
                raise EvalkitError("no sequence name", path, reader.line_num)
            for column in INTEGER_COLUMNS:
                value, least = row[column] or "", 0 if column == "seed" else 1
                if not value.isdigit() or int(value) < least:
                    message = f"{column} should be an integer >= {least}, found {value!r}"
                    raise EvalkitError(message, path, reader.line_num)
            unknown = sorted(set((row["attributes"] or "").split()) - set(ATTRIBUTES))
            if unknown:
                raise EvalkitError(f"unknown attribute(s) {' '.join(unknown)}", path, reader.line_num)
            rows.append(row)
    if not rows:
        raise EvalkitError("lists no sequences", path)
    return rows


def _load_sequence(root: Path, row: dict[str, str], index_path: Path) -> Sequence:
    folder = root / row["name"]
    gt_path = folder / GT_FILE
    count = int(row["frames"])
    gt = read_table(gt_path)
    if len(gt) != count:
        raise EvalkitError(f"{len(gt)} boxes where {index_path.name} lists {count} frames", gt_path)
    return Sequence(
        name=row["name"], gt=gt, frames=FrameList(folder / "img", FRAME_TEMPLATE, 1, count),
        attributes=frozenset(row["attributes"].split()), gt_path=gt_path,
        image_size=(int(row["width"]), int(row["height"])), meta={"seed": row["seed"]},
    )
