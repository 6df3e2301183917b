"""``train``: SGD on SiamFC pairs for one of the three trackers, with per-epoch checkpoints.

Schedule as SiamFC (docs/trackers.md; siamfc-pytorch's ``train_over``): SGD momentum 0.9, weight
decay 5e-4, batch 8, 50 epochs, learning rate decaying geometrically from 1e-2 towards 1e-5
(epoch e runs at lr0 * gamma^e with gamma = (lr1 / lr0)^(1 / epochs), siamfc-pytorch's
ExponentialLR). Weights start as siamfc-pytorch's ``init_weights``: Xavier-uniform convolutions
(evalkit applies it to the TDM neck's transposed convolutions too), zero biases, BatchNorm 1 / 0.
Inputs are RGB 0-255 floats, as the tracker feeds the network.

On the CPU a run is reproducible from its seed: the weights come from ``torch.manual_seed(seed)``
and every pair from its own seeded generator (:mod:`.pairs`), and ``resume=True`` continues a run
to the same weights an uninterrupted run reaches.
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import torch
from torch import nn
from torch.utils.data import DataLoader

import evalkit
from evalkit.errors import EvalkitError
from trackers.siamese.checkpoint import load_checkpoint, save_checkpoint
from trackers.siamese.network import SiameseNet
from trackers.siamese.training.labels import label_map
from trackers.siamese.training.pairs import (VAL_FRACTION, PairDataset, PairSampler, TrainingData,
                                             load_training_data)
from trackers.siamese.training.recipes import Recipe, recipe
from trackers.siamese.training.runfiles import RunFiles, git_commit, load_resume, save_resume
from trackers.siamese.training.sources import DataItem

EPOCHS = 50  # SiamFC
BATCH_SIZE = 8  # SiamFC
LEARNING_RATE = (1e-2, 1e-5)  # SiamFC: initial, final
MOMENTUM = 0.9  # SiamFC
WEIGHT_DECAY = 5e-4  # SiamFC
PROGRESS_SECONDS = 0.5  # refresh of the progress line on a terminal

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def train(tracker: str, data: Iterable[DataItem], out: str | Path, epochs: int = EPOCHS,
          batch_size: int = BATCH_SIZE, lr: tuple[float, float] = LEARNING_RATE, momentum: float = MOMENTUM,
          weight_decay: float = WEIGHT_DECAY, iterations_per_epoch: int | None = None, seed: int = 0,
          device: str = "auto", resume: bool = False, progress: bool = True,
          loss_options: Mapping[str, Any] | None = None, val_fraction: float = VAL_FRACTION,
          val_pairs: int | None = None, num_workers: int = 0, cache_dir: str | Path | None = None,
          half: bool = False) -> Path:
    """Train ``tracker`` (siamfc, hinge or globalsim) on ``data`` and write its checkpoint to ``out``.

    ``iterations_per_epoch`` defaults to the training pairs available (one per usable frame of the
    training videos) divided by the batch size; ``val_pairs`` (default: one per usable validation
    frame) fixed pairs of the held-out videos give the validation loss after every epoch. Epoch
    checkpoints and the resume state go to ``<out stem>.epochs/`` (see :mod:`.runfiles`);
    ``resume=True`` continues from the last of them (pass the same data and settings; the learning
    rate schedule stored with the run goes on). ``half`` stores the final checkpoint in float16
    (half the size; the epoch checkpoints stay float32). Returns ``out``.
    """
    started = time.perf_counter()
    out, files, plan = Path(out), RunFiles(Path(out)), recipe(tracker, loss_options)
    _check_numbers(epochs, batch_size, lr, iterations_per_epoch, val_pairs)
    previous = _resume_state(files, plan) if resume else None
    if previous is None and files.resume.exists():
        raise EvalkitError("holds an earlier training run: pass resume=True (--resume) to continue it, "
                           "or choose another output", files.folder)
    target = _device(device)
    training = load_training_data(data, seed, val_fraction, cache_dir=Path(cache_dir) if cache_dir else None)
    torch.manual_seed(seed)
    net = SiameseNet(plan.model)
    init_weights(net)
    if previous is not None:
        done, _ = load_checkpoint(files.epoch(previous["epoch"]), expected_neck=plan.model.neck)
        net.load_state_dict(done.state_dict())
    net.to(target)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr[0], momentum=momentum, weight_decay=weight_decay)
    scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=(lr[1] / lr[0]) ** (1 / epochs))
    if previous is not None:
        optimizer.load_state_dict(previous["optimizer"])
        scheduler.load_state_dict(previous["scheduler"])
    run = _Run(plan, training, files, net, target, batch_size, num_workers, progress, epochs,
               iterations_per_epoch or max(1, len(training.train) // batch_size))
    history = list(previous["history"]) if previous else []
    wall_before = previous["wall_time_s"] if previous else 0.0
    settings = {"epochs_planned": epochs, "batch_size": batch_size, "lr": list(lr), "momentum": momentum,
                "weight_decay": weight_decay, "seed": seed, "device": str(target), "num_workers": num_workers}
    for epoch in range(len(history), epochs):
        record = run.train_epoch(epoch, optimizer)
        record["val_loss"] = run.validate(val_pairs)
        scheduler.step()
        history.append(record)
        provenance = _provenance(run, settings, history, wall_before + time.perf_counter() - started)
        save_checkpoint(files.epoch(epoch + 1), net, tracker, provenance)
        save_resume(files.resume, {"tracker": tracker, "model": plan.model.to_dict(), "epoch": epoch + 1,
                                   "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
                                   "history": history, "wall_time_s": provenance["wall_time_s"]})
        run.report_epoch(record, files.epoch(epoch + 1))
    final, meta = load_checkpoint(files.epoch(len(history)), expected_neck=plan.model.neck)
    save_checkpoint(out, final, tracker, meta["provenance"], half=half)
    return out


def init_weights(net: nn.Module) -> None:
    """siamfc-pytorch's initialisation: Xavier-uniform (gain 1) convolutions with zero bias,
    BatchNorm weight 1 and bias 0."""
    for module in net.modules():
        if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.xavier_uniform_(module.weight, gain=1)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.BatchNorm2d):
            nn.init.ones_(module.weight)
            nn.init.zeros_(module.bias)


@dataclass
class _Run:
    plan: Recipe
    data: TrainingData
    files: RunFiles
    net: SiameseNet
    device: torch.device
    batch_size: int
    num_workers: int
    progress: bool
    epochs: int
    iterations: int

    def __post_init__(self) -> None:
        self.loss: LossFn = self.plan.loss()
        self._labels: dict[tuple[int, int], torch.Tensor] = {}

    def train_epoch(self, epoch: int, optimizer: torch.optim.Optimizer) -> dict[str, Any]:
        """One epoch of SGD; the record of its loss, learning rate and data vs compute time."""
        self.net.train()
        loader = self._loader(self.data.train, self.iterations * self.batch_size, epoch)
        lr = optimizer.param_groups[0]["lr"]
        total = data_s = compute_s = 0.0
        line = _ProgressLine(self.progress)
        batches = iter(loader)
        for iteration in range(1, self.iterations + 1):
            tick = time.perf_counter()
            exemplars, searches = next(batches)
            tock = time.perf_counter()
            loss = self._loss(exemplars, searches)
            value = loss.item()
            if not math.isfinite(value):
                line.close()
                last = self.files.epoch(epoch) if epoch else "none"
                raise EvalkitError(f"loss became {value} at epoch {epoch + 1}, iteration {iteration}; training "
                                   f"stopped (last checkpoint: {last})", self.files.out)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            data_s, compute_s = data_s + tock - tick, compute_s + time.perf_counter() - tock
            total += value
            line.show(iteration == self.iterations, f"{self.plan.tracker} epoch {epoch + 1}/{self.epochs} iteration {iteration}/{self.iterations} "
                      f"loss {total / iteration:.4f} lr {lr:.2e} {iteration / (data_s + compute_s):.2f} it/s "
                      f"(data {100 * data_s / (data_s + compute_s):.0f}%)")
        line.close()
        return {"epoch": epoch + 1, "lr": lr, "train_loss": total / self.iterations, "iterations": self.iterations,
                "data_s": round(data_s, 3), "compute_s": round(compute_s, 3)}

    @torch.no_grad()
    def validate(self, pairs: int | None) -> float | None:
        """Mean loss over the same fixed, unaugmented pairs of the held-out videos every epoch."""
        val = self.data.val
        if val is None:
            return None
        count = min(pairs or len(val), len(val))
        self.net.eval()
        total = 0.0
        for exemplars, searches in self._loader(val, count, 0):
            total += self._loss(exemplars, searches).item() * len(exemplars)
        return total / count

    def report_epoch(self, record: dict[str, Any], checkpoint: Path) -> None:
        if not self.progress:
            return
        val = "n/a" if record["val_loss"] is None else f"{record['val_loss']:.4f}"
        sys.stderr.write(f"{self.plan.tracker} epoch {record['epoch']}/{self.epochs}: train loss "
                         f"{record['train_loss']:.4f}, val loss {val}, {record['iterations']} iterations "
                         f"(data {record['data_s']:.1f} s, compute {record['compute_s']:.1f} s) -> {checkpoint}\n")
        sys.stderr.flush()

    def _loader(self, dataset: PairDataset, count: int, epoch: int) -> DataLoader:
        return DataLoader(dataset, batch_size=self.batch_size, num_workers=self.num_workers,
                          sampler=PairSampler(len(dataset), count, dataset.seed, epoch),
                          pin_memory=self.device.type == "cuda")

    def _loss(self, exemplars: torch.Tensor, searches: torch.Tensor) -> torch.Tensor:
        scores = self.net(exemplars.to(self.device, non_blocking=True).float(),
                          searches.to(self.device, non_blocking=True).float())
        shape = tuple(scores.shape[-2:])
        if shape not in self._labels:
            self._labels[shape] = torch.from_numpy(label_map(shape[0])).to(self.device)
        return self.loss(scores, self._labels[shape])


class _ProgressLine:
    """The iteration line on stderr, redrawn in place on a terminal (at most every 0.5 s)."""

    def __init__(self, enabled: bool):
        self.enabled = enabled and sys.stderr.isatty()
        self._shown = 0.0
        self._drawn = False

    def show(self, last: bool, text: str) -> None:
        now = time.perf_counter()
        if self.enabled and (last or now - self._shown >= PROGRESS_SECONDS):
            sys.stderr.write("\r" + text)
            sys.stderr.flush()
            self._shown, self._drawn = now, True

    def close(self) -> None:
        if self._drawn:
            sys.stderr.write("\n")
            self._drawn = False


def _check_numbers(epochs: int, batch_size: int, lr: tuple[float, float], iterations: int | None,
                   val_pairs: int | None) -> None:
    counts = (epochs, batch_size, 1 if iterations is None else iterations, 1 if val_pairs is None else val_pairs)
    if min(counts) < 1:
        raise EvalkitError("epochs, batch size, iterations per epoch and validation pairs must be at least 1")
    if len(lr) != 2 or min(lr) <= 0:
        raise EvalkitError(f"learning rate must be two positive numbers (initial, final), got {lr!r}")


def _device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise EvalkitError(f"device {name!r} requested but PyTorch sees no CUDA device")
    try:
        return torch.device(name)
    except RuntimeError:
        raise EvalkitError(f"unknown device {name!r}; use auto, cpu or cuda") from None


def _resume_state(files: RunFiles, plan: Recipe) -> dict[str, Any]:
    """The resume state of the run at ``files``, checked to be this tracker's architecture."""
    state = load_resume(files.resume)
    if state.get("tracker") != plan.tracker or state.get("model") != plan.model.to_dict():
        neck = (state.get("model") or {}).get("neck")
        raise EvalkitError(f"resume state is from a {state.get('tracker')!r} run ({neck!r} neck); cannot continue "
                           f"it as {plan.tracker!r} ({plan.model.neck!r} neck)", files.resume)
    return state


def _provenance(run: _Run, settings: dict[str, Any], history: list[dict[str, Any]], wall_s: float) -> dict[str, Any]:
    return {
        "data": run.data.summary(),
        "iterations_per_epoch": run.iterations,
        "iterations": sum(r["iterations"] for r in history),
        "epochs": len(history),
        **settings,
        "loss": run.plan.tracker,
        "loss_options": run.plan.options_dict(),
        "history": history,
        "git_commit": git_commit(),
        "evalkit_version": evalkit.__version__,
        "wall_time_s": round(wall_s, 3),
    }
