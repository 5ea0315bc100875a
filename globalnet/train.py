"""Training: the paper's two-phase recipe as one resumable loop.

``train(config) -> run_dir``. The run folder holds

* ``config.toml``   -- the full resolved configuration (reload with ``TrainConfig.load``);
* ``metrics.jsonl`` -- one JSON row per epoch (phase, images drawn, train loss, throughput,
  validation accuracy / macro F1 / loss / per-class scores);
* ``last.pt`` / ``best.pt`` -- checkpoints, written atomically (``create_backbone(name,
  weights=path)`` loads them; see :func:`checkpoint_payload` for the keys);
* ``confusion.json`` / ``confusion.png`` / ``report.json`` -- the latest validation;
* ``data.json`` + ``train.log`` -- class counts, skipped and ignored files, the log lines.

Exact resume: every training item is a pure function of (seed, epoch, index) (see
:mod:`globalnet.mixing`), the epoch's order comes from a generator seeded by (seed, epoch), and
the checkpoint stores the optimizer / scaler / torch RNG states and the position inside the
epoch, so ``resume`` replays the remaining steps of the epoch as the uninterrupted run would.

The parts, for a notebook or another driver (as in torchvision's classification reference)::

    data = build_datasets(config)                        # sources, validation set, epoch plan
    model = build_model(config, device)
    optimizer, scheduler = build_optimizer(model, config, data.plan)
    trainer = Trainer(model, optimizer, device, scheduler=scheduler)
    state = RunState()          # or restore(trainer, read_train_checkpoint(path, config), config)
    result = train_one_epoch(trainer, data.epoch(0), config, 0)
    val = evaluate(trainer, data.val, config)
    save(path, trainer, config, RunState(epoch=1, last_loss=result.losses[-1], val=val))
"""
from __future__ import annotations

import errno
import itertools
import json
import logging
import math
import os
import time
from collections.abc import Callable
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch.utils.data import DataLoader, Dataset, DistributedSampler

from . import device as dev
from .backbones import (check_input_size, classification_loss, create_backbone, get_backbone_spec,
                        parse_weights, save_checkpoint)
from .config import TrainConfig
from .errors import GlobalNetError
from .evaluate import run_model, synthetic_eval_set, write_report
from .mixing import MixtureDataset, epoch_plan
from synthgroup.io import (FolderBusy, atomic_path, atomic_write_text, disk_error_message, file_lock,
                           holder_note)
from synthgroup.labels import CLASS_NAMES
from synthgroup.logs import RunLogFile

CHECKPOINT_VERSION = 1


class NonFiniteLoss(GlobalNetError):
    """The loss became NaN or infinite; the last good checkpoint is kept."""


#: the run's lines: on the console (stderr, like every library line) and in ``train.log``
log = logging.getLogger("globalnet.train")


# ------------------------------------------------------------------------------------ stepping
class Trainer:
    """One optimisation step and one pass over a loader; no files, no data choices.

    Kept apart from the files and data choices of :func:`train` so the speed benchmark can time
    exactly this loop.
    """

    def __init__(self, model: torch.nn.Module, optimizer: torch.optim.Optimizer,
                 device: torch.device, amp: bool = False, dist_info: dev.DistInfo | None = None,
                 scheduler=None):
        self.model = model
        self.optimizer = optimizer
        self.scheduler = scheduler      # stepped after every optimizer step (e.g. OneCycleLR)
        self.device = device
        self.amp = amp
        self.scaler = dev.grad_scaler(device, amp)
        self.memory_format = dev.memory_format(amp)
        self.model.to(memory_format=self.memory_format)
        self.dist = dist_info or dev.DistInfo()
        self.global_step = 0
        self.images_seen = 0        # this rank's images in the last run()

    def step(self, x: torch.Tensor, y: torch.Tensor) -> float:
        """Forward, backward, NaN check, update. Returns the (rank-averaged) loss.

        The loss is checked before ``optimizer.step`` so a non-finite loss never reaches the
        weights; under torchrun it is averaged over ranks first so every rank stops together.
        """
        x = x.to(self.device, non_blocking=True).contiguous(memory_format=self.memory_format)
        y = y.to(self.device, non_blocking=True)
        with dev.autocast(self.device, self.amp):
            loss = classification_loss(self.model(x), y)
        self.optimizer.zero_grad(set_to_none=True)
        self.scaler.scale(loss).backward()
        value = loss.detach().float()
        if self.dist.enabled:
            value = dev.all_reduce_sum(value.clone(), self.dist) / self.dist.world_size
        v = value.item()
        if not math.isfinite(v):
            raise NonFiniteLoss(f"loss became {v} at step {self.global_step + 1}")
        self.scaler.step(self.optimizer)
        self.scaler.update()
        if self.scheduler is not None:
            self.scheduler.step()
        self.global_step += 1
        return v

    def run(self, loader, *, max_steps: int | None = None, bar=None, on_step=None) -> tuple[int, float]:
        """Steps over ``loader`` (stopping at global step ``max_steps``); ``(steps, loss sum)``."""
        self.model.train()
        n, total, t0, seen = 0, 0.0, time.perf_counter(), 0
        if max_steps is not None:   # stop before fetching a batch that would not be used
            loader = itertools.islice(loader, max(0, max_steps - self.global_step))
        for x, y in loader:
            v = self.step(x, y)
            n += 1
            total += v
            seen += len(y)
            if bar is not None:
                bar.update(1)
                bar.set_postfix_str(f"loss {total / n:.4f}, "
                                    f"{seen * self.dist.world_size / (time.perf_counter() - t0):.1f} img/s",
                                    refresh=False)
            if on_step is not None:
                on_step(v)
        self.images_seen = seen
        return n, total


# ------------------------------------------------------------------------------- checkpoints
def _unwrap(model: torch.nn.Module) -> torch.nn.Module:
    return model.module if hasattr(model, "module") and isinstance(
        model, torch.nn.parallel.DistributedDataParallel) else model


def rng_state() -> dict:
    state = {"torch": torch.get_rng_state()}
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict) -> None:
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        cuda = state["cuda"]
        if len(cuda) == torch.cuda.device_count():
            torch.cuda.set_rng_state_all(cuda)


def checkpoint_payload(trainer: Trainer, config: TrainConfig, *, epoch: int, step_in_epoch: int,
                       phase: int, best: float | None, last_loss: float | None,
                       val: dict | None, epoch_losses: list[float] | None = None) -> dict:
    """Extra keys beside ``save_checkpoint``'s ``backbone`` / ``num_classes`` / ``model``.

    ``epoch`` / ``step_in_epoch`` are the position of the *next* step (0-based epoch, steps
    already done in it), so a finished epoch e is stored as ``epoch=e+1, step_in_epoch=0``;
    ``epoch_losses`` are the step losses of an unfinished epoch, so its mean stays exact. A
    finished epoch's checkpoint also holds its ``metrics.jsonl`` row (``metrics_row``).
    """
    return {
        "format": "globalnet-train", "version": CHECKPOINT_VERSION,
        "config": config.resolved().to_dict(),
        "epoch": int(epoch), "step_in_epoch": int(step_in_epoch), "phase": int(phase),
        "global_step": int(trainer.global_step),
        "optimizer": trainer.optimizer.state_dict(), "scaler": trainer.scaler.state_dict(),
        "scheduler": trainer.scheduler.state_dict() if trainer.scheduler is not None else None,
        "rng": rng_state(), "best_metric": config.best_metric, "best": best,
        "last_loss": last_loss, "epoch_losses": [float(v) for v in epoch_losses or []],
        "val": {k: v for k, v in (val or {}).items() if k != "per_class"} or None,
    }


def _atomic_save(path: Path, model: torch.nn.Module, payload: dict) -> Path:
    """Replace ``path`` by a new checkpoint, or leave it as it was (and no temporary file) when
    the disk is full: torch reports that as a RuntimeError ('unexpected pos ...')."""
    try:
        with atomic_path(path) as tmp:
            save_checkpoint(tmp, _unwrap(model), **payload)
    except RuntimeError as e:
        import shutil
        full = shutil.disk_usage(path.parent).free < (64 << 20)
        raise OSError(errno.ENOSPC if full else errno.EIO, str(e).splitlines()[0], str(path)) from None
    return path


def _link_or_copy(src: Path, dst: Path) -> None:
    with atomic_path(dst) as tmp:
        try:
            os.link(src, tmp)
        except OSError:        # a file system without hard links
            import shutil
            shutil.copyfile(src, tmp)


# ------------------------------------------------------------------------ run-folder helpers
def _clean_error(exc: BaseException) -> str:
    """A GlobalNetError re-raised by a DataLoader worker carries a traceback: keep its last line."""
    text = str(exc)
    if "Traceback" in text or text.startswith("Caught "):
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        text = lines[-1] if lines else text
        for prefix in ("globalnet.errors.GlobalNetError: ", "GlobalNetError: "):
            if text.startswith(prefix):
                text = text[len(prefix):]
    return text


def _epoch_loader(dataset, config: TrainConfig, epoch: int, skip_batches: int,
                  dist_info: dev.DistInfo, device: torch.device) -> DataLoader:
    """This rank's batches of ``epoch``, minus the first ``skip_batches`` (done before a resume).

    The order comes from generators seeded by (seed, epoch), never from the global torch RNG, so
    making a loader does not disturb the RNG state a checkpoint restores.
    """
    if dist_info.enabled:
        sampler = DistributedSampler(dataset, num_replicas=dist_info.world_size,
                                     rank=dist_info.rank, shuffle=True, seed=config.seed)
        sampler.set_epoch(epoch)
        order = list(sampler)
    else:
        g = torch.Generator().manual_seed(config.seed * 1_000_003 + epoch)
        order = torch.randperm(len(dataset), generator=g).tolist()
    order = order[skip_batches * config.batch_size:]
    return DataLoader(dataset, batch_size=config.batch_size, sampler=order,
                      num_workers=config.num_workers, pin_memory=device.type == "cuda",
                      generator=torch.Generator().manual_seed(config.seed + epoch),
                      persistent_workers=False)


def _describe_real(ds, spec: str, split: str) -> dict:
    counts = [int(c) for c in ds.class_counts()]
    return {"spec": spec, "split": split, "items": len(ds), "class_counts": counts,
            "skipped": [[str(p), str(r)] for p, r in getattr(ds, "skipped", [])],
            "ignored": [[str(x) for x in (it if isinstance(it, (tuple, list)) else (it,))]
                        for it in getattr(ds, "ignored", [])]}


def _claim_run_dir(config: TrainConfig, resume: bool, stack: ExitStack) -> Path:
    """Lock the run folder for the whole run (``stack``) and check what it holds.

    A second training into a locked folder is refused, naming the holder. A folder without a
    checkpoint (a run killed or failed before its first one) is started afresh, by the same
    command or by ``--resume``. A folder made here and still empty at the end is removed.
    """
    out = Path(config.out)
    if out.exists() and not out.is_dir():
        raise GlobalNetError(f"run folder {out} is a file")
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    if created:     # an empty folder is removed once the lock below is let go (its file too)
        stack.callback(_remove_if_empty, out)
    unused = (lambda: [p.name for p in out.iterdir()] == [".lock"]) if created else False
    try:
        stack.enter_context(file_lock(out / ".lock", wait=False, note=holder_note(),
                                      remove=unused))
    except FolderBusy as e:
        raise GlobalNetError(f"run folder {out} is in use by another training ({e.holder}); wait "
                             f"for it to finish or choose another --out") from None
    if (out / "last.pt").is_file() and not resume:
        raise GlobalNetError(f"run folder {out} already holds a run; resume it with --resume "
                             f"{out} or choose another --out")
    return out


def _remove_if_empty(out: Path) -> None:
    with suppress(OSError):   # not empty: the run wrote files, or another process took it since
        out.rmdir()


def _warmup_gen_config(config: TrainConfig):
    """Phase 0's generator settings: one large face per image on the training split."""
    from synthgroup import GenConfig
    w = config.resolved_warmup_synth_size()
    return GenConfig(size=(w, w), faces_per_image=(1, 1), split="train", seed=config.seed,
                     face_size=(config.warmup_face_min, config.warmup_face_max))


def _check_synth(config: TrainConfig) -> None:
    from synthgroup import GenConfig
    try:
        s = config.resolved_synth_size()
        GenConfig(size=(s, s)).validate()
        if config.warmup_epochs:
            _warmup_gen_config(config).validate()
    except GlobalNetError:
        raise
    except Exception as e:  # synthgroup.errors.ConfigError
        raise GlobalNetError(f"synth_size {config.synth_size}: {e}") from None


# ------------------------------------------------------------------------------------ the data
@dataclass
class TrainData:
    """What :func:`build_datasets` opens: the sources every epoch mixes, the validation set, the
    epoch plan and the ``data.json`` report."""
    plan: list[tuple[int, int, int]]    # per epoch: (phase, synthetic images, real frames)
    val: Dataset                        # transformed with the eval transform
    report: dict                        # data.json: class counts, skipped / ignored files, plan
    synthetic: Dataset                  # phase 1's generator (items untransformed)
    train_tf: Callable
    real: Dataset | None = None         # the real training split (items untransformed)
    warmup: Dataset | None = None       # phase 0's single-face generator
    warmup_tf: Callable | None = None
    seed: int = 0

    def epoch(self, epoch: int) -> MixtureDataset:
        """Epoch ``epoch``'s (0-based) training items, each a pure function of (seed, epoch,
        index)."""
        phase, n_syn, n_real = self.plan[epoch]
        if phase == 0:
            return MixtureDataset(self.warmup, n_syn, None, 0, self.warmup_tf, self.seed, epoch)
        return MixtureDataset(self.synthetic, n_syn, self.real, n_real, self.train_tf, self.seed,
                              epoch)


def build_datasets(config: TrainConfig) -> TrainData:
    """Open the training sources and the validation set of ``config`` (GlobalNetError for
    unreadable or unusable data); synthetic images are generated on the fly."""
    from synthgroup import GenConfig, SyntheticGroupDataset

    from .data import eval_transform, open_real_dataset, train_transform
    spec = get_backbone_spec(config.backbone)
    size = config.resolved_input_size()
    aug = {"rotation": config.rotation, "scale": (config.scale_min, config.scale_max)}
    train_tf = train_transform(size, spec.mean, spec.std, **aug)
    eval_tf = eval_transform(size, spec.mean, spec.std)
    s = config.resolved_synth_size()
    synthetic = SyntheticGroupDataset(config=GenConfig(size=(s, s), split="train", seed=config.seed),
                                      length=max(1, config.phase1_synthetic), transform=None)
    warmup = warmup_tf = None
    if config.warmup_epochs:
        warmup = SyntheticGroupDataset(config=_warmup_gen_config(config),
                                       length=config.warmup_synthetic, transform=None)
        warmup_tf = train_transform(config.resolved_warmup_input_size(), spec.mean, spec.std, **aug)
    report: dict = {}
    real = None
    if config.data:
        real = open_real_dataset(config.data, "train", transform=None, frames_per_epoch=None,
                                 seed=config.seed, skip_bad=config.skip_bad)
        report["train"] = _describe_real(real, config.data, "train")
    val_spec = config.val_data
    if val_spec == "auto":
        val_spec = config.data or "synthetic"
    if val_spec == "synthetic":
        val_set = synthetic_eval_set(config.val_size, size, eval_tf, config.val_seed, s)
        report["val"] = {"spec": f"synthetic:{config.val_size}", "split": "test",
                         "items": len(val_set), "seed": config.val_seed,
                         "note": "held-out synthetic set: GenConfig(split='test'), fixed seed"}
    else:
        val_set = open_real_dataset(val_spec, "val", transform=eval_tf,
                                    frames_per_epoch=config.val_frames, seed=config.val_seed,
                                    skip_bad=config.skip_bad)
        report["val"] = _describe_real(val_set, val_spec, "val")
    plan = epoch_plan(config, real is not None)
    report["plan"] = [{"epoch": e + 1, "phase": p, "synthetic": ns, "real": nr}
                      for e, (p, ns, nr) in enumerate(plan)]
    return TrainData(plan=plan, val=val_set, report=report, synthetic=synthetic,
                     train_tf=train_tf, real=real, warmup=warmup, warmup_tf=warmup_tf,
                     seed=config.seed)


def _log_data(data: TrainData, config: TrainConfig) -> None:
    for part in ("train", "val"):
        r = data.report.get(part)
        if r and "class_counts" in r:
            log.info(f"{part} data {r['spec']}: {r['items']} items, class counts "
                     + ", ".join(f"{n}={c}" for n, c in zip(CLASS_NAMES, r["class_counts"]))
                     + f"; skipped {len(r['skipped'])} file(s), ignored {len(r['ignored'])}")
            for p, why in r["skipped"]:
                log.info(f"  skipped {p}: {why}")
            for item in r["ignored"]:
                log.info(f"  ignored {' '.join(item)}")
        elif r:
            log.info(f"{part} data {r['spec']} ({r['note']})")
    if data.real is None:
        log.info("no real data: phase 1 on synthetic data alone, phase 2 skipped")
    if config.warmup_epochs:
        log.info(f"warm-up (phase 0): {config.warmup_epochs} epoch(s) of {config.warmup_synthetic} "
                 f"single-face images at {config.resolved_warmup_input_size()} px, faces "
                 f"{config.warmup_face_min}-{config.warmup_face_max} of the image height")


# ------------------------------------------------------------------- the model and optimiser
def build_model(config: TrainConfig, device: torch.device, dist_info: dev.DistInfo | None = None,
                state_dict: dict | None = None,
                batchnorm_training: dict | None = None) -> torch.nn.Module:
    """The backbone on ``device`` with ``config.weights`` (or, resuming, a checkpoint's
    ``state_dict``), wrapped in DistributedDataParallel under torchrun. With
    ``config.batchnorm_fold`` it trains with a BatchNorm after every convolution: the one a
    resumed run (``batchnorm_training``) or a ``weights`` checkpoint kept, else new ones."""
    weights = None if state_dict is not None else config.weights
    model = create_backbone(config.backbone, weights=weights, aux_logits=config.aux_logits)
    if state_dict is not None:
        model.load_state_dict(state_dict)
    if config.batchnorm_fold:
        from .batchnorm_fold import kept_state, train_with_batchnorm
        kept, where = batchnorm_training, "the run's checkpoint"
        kind, path = parse_weights(get_backbone_spec(config.backbone), weights)
        if state_dict is None and kind == "path":
            kept, where = kept_state(path), str(weights)
        train_with_batchnorm(model, kept, where)
    model.to(device)
    if dist_info is not None and dist_info.enabled:
        model = torch.nn.parallel.DistributedDataParallel(
            model, device_ids=[device.index] if device.type == "cuda" else None)
    return model


def build_optimizer(model: torch.nn.Module, config: TrainConfig, plan: list[tuple[int, int, int]],
                    world_size: int = 1) -> tuple[torch.optim.Optimizer, object]:
    """``(optimizer, scheduler)``: SGD with momentum or AdamW, and for ``schedule = onecycle`` one
    OneCycleLR over every step ``plan`` takes (each epoch split over ``world_size`` ranks), else
    no scheduler (None)."""
    if config.optimizer == "adamw":
        optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr,
                                      weight_decay=config.weight_decay)
    else:
        optimizer = torch.optim.SGD(model.parameters(), lr=config.lr, momentum=config.momentum,
                                    weight_decay=config.weight_decay)
    scheduler = None
    if config.schedule == "onecycle":
        total = sum(math.ceil(math.ceil((ns + nr) / world_size) / config.batch_size)
                    for _, ns, nr in plan)
        scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=config.lr,
                                                        total_steps=max(2, total), pct_start=0.05)
    return optimizer, scheduler


# ------------------------------------------------------------------------ save and restore
@dataclass
class RunState:
    """Where a run stands: the position of its next step and what the epochs before left.

    A finished epoch e is ``epoch=e+1, step_in_epoch=0``; ``epoch_losses`` are the step losses
    of an unfinished epoch, so its mean stays exact across a resume.
    """
    epoch: int = 0                      # 0-based epoch of the next step
    step_in_epoch: int = 0              # steps already done in that epoch
    phase: int = 0                      # phase of the epoch last trained
    best: float | None = None           # best validation ``config.best_metric`` so far
    last_loss: float | None = None      # loss of the last step
    val: dict | None = None             # the latest validation (run_model's dict)
    epoch_losses: list[float] = field(default_factory=list)


def save(path: Path, trainer: Trainer, config: TrainConfig, state: RunState, *,
         metrics_row: dict | None = None) -> Path:
    """Write the model, ``state`` and the trainer's optimiser / scaler / schedule / RNG states
    to ``path`` atomically (see :func:`checkpoint_payload`); :func:`restore` reads them back."""
    payload = checkpoint_payload(trainer, config, epoch=state.epoch,
                                 step_in_epoch=state.step_in_epoch, phase=state.phase,
                                 best=state.best, last_loss=state.last_loss, val=state.val,
                                 epoch_losses=state.epoch_losses)
    if metrics_row is not None:
        payload["metrics_row"] = metrics_row
    model = _unwrap(trainer.model)
    if config.batchnorm_fold:          # the plain network that ships, the BatchNorm beside it
        from .batchnorm_fold import batchnorm_state, folded_copy
        payload["batchnorm_training"] = batchnorm_state(model)
        model = folded_copy(model)
    return _atomic_save(path, model, payload)


def read_train_checkpoint(path: Path, config: TrainConfig) -> dict:
    """A checkpoint written by :func:`save` that a run of ``config`` can continue."""
    from .checkpoints import read_checkpoint
    ckpt = read_checkpoint(path)
    if ckpt.get("format") != "globalnet-train":
        raise GlobalNetError(f"{path} is not a globalnet training checkpoint")
    if config.schedule == "onecycle" and not ckpt.get("scheduler"):
        raise GlobalNetError(f"{path} has no learning-rate schedule state; it was trained with "
                             "schedule = constant")
    return ckpt


def restore(trainer: Trainer, ckpt: dict, config: TrainConfig) -> RunState:
    """Put a checkpoint's optimiser, schedule, scaler, step count and RNG states into
    ``trainer`` (its weights go in through :func:`build_model`); where the run continues.

    Without a schedule the config's lr / weight decay / momentum replace the checkpoint's, so
    overrides given with ``--resume`` apply.
    """
    trainer.optimizer.load_state_dict(ckpt["optimizer"])
    if trainer.scheduler is not None:
        trainer.scheduler.load_state_dict(ckpt["scheduler"])
    else:
        for group in trainer.optimizer.param_groups:
            group.update(lr=config.lr, weight_decay=config.weight_decay,
                         **({"momentum": config.momentum} if config.optimizer == "sgd" else {}))
    trainer.scaler.load_state_dict(ckpt["scaler"])
    trainer.global_step = int(ckpt["global_step"])
    set_rng_state(ckpt["rng"])
    skip = int(ckpt["step_in_epoch"])
    return RunState(epoch=int(ckpt["epoch"]), step_in_epoch=skip, phase=int(ckpt["phase"]),
                    best=ckpt.get("best"), last_loss=ckpt.get("last_loss"),
                    epoch_losses=list(ckpt.get("epoch_losses") or []) if skip else [])


# ---------------------------------------------------------------------------------- an epoch
@dataclass
class EpochResult:
    """What :func:`train_one_epoch` did."""
    steps: int                  # steps taken by this call
    step_in_epoch: int          # steps done in the epoch, those before a resume included
    steps_total: int            # the epoch's steps
    losses: list[float]         # the epoch's step losses, those before a resume first
    seconds: float
    images_per_s: float | None  # over every rank

    @property
    def finished(self) -> bool:
        return self.step_in_epoch >= self.steps_total

    @property
    def mean_loss(self) -> float | None:
        return sum(self.losses) / len(self.losses) if self.losses else None


def train_one_epoch(trainer: Trainer, dataset, config: TrainConfig, epoch: int, *, skip: int = 0,
                    losses: list[float] | None = None, desc: str | None = None) -> EpochResult:
    """Train on epoch ``epoch`` (0-based) of ``dataset`` in the order seeded by (seed, epoch),
    from batch ``skip`` on (the batches done before a resume), stopping early at global step
    ``config.max_steps``.

    Each step's loss is appended to ``losses`` (the losses before a resume), so a caller that
    catches :class:`NonFiniteLoss` knows how far the epoch got.
    """
    losses = [] if losses is None else losses
    loader = _epoch_loader(dataset, config, epoch, skip, trainer.dist, trainer.device)
    steps_total = skip + len(loader)
    bar = None
    if trainer.dist.is_main and config.progress:
        from tqdm import tqdm
        bar = tqdm(total=steps_total, initial=skip, unit="step", dynamic_ncols=True,
                   desc=desc or f"epoch {epoch + 1}", leave=False)
    t0 = time.perf_counter()
    try:
        n, _ = trainer.run(loader, max_steps=config.max_steps, bar=bar, on_step=losses.append)
    finally:
        if bar is not None:
            bar.close()
    seconds = time.perf_counter() - t0
    rate = trainer.images_seen * trainer.dist.world_size / seconds if seconds > 0 else None
    return EpochResult(steps=n, step_in_epoch=skip + n, steps_total=steps_total, losses=losses,
                       seconds=seconds, images_per_s=rate)


def evaluate(trainer: Trainer, dataset, config: TrainConfig) -> dict:
    """The trainer's model on ``dataset`` (split over the ranks under torchrun): run_model's
    accuracy, macro F1, loss, per-class scores and confusion matrix."""
    return run_model(_unwrap(trainer.model), dataset, batch_size=config.batch_size,
                     num_workers=config.num_workers, device=trainer.device, amp=trainer.amp,
                     dist_info=trainer.dist)


# ----------------------------------------------------------------------------------- the run
def train(config: TrainConfig, resume: bool = False) -> Path:
    """Train per ``config`` into ``config.out`` (or continue it with ``resume``); the run folder.

    Raises GlobalNetError for bad input before any training starts (unknown backbone, input
    smaller than the backbone's minimum, unreadable data, existing run folder) and
    :class:`NonFiniteLoss` naming the epoch and step if the loss becomes NaN / infinite.
    """
    config = config.validate()
    device = dev.resolve_device(config.device)
    dist_info = dev.init_distributed(device)
    det = (torch.are_deterministic_algorithms_enabled(), torch.backends.cudnn.benchmark)
    try:
        with ExitStack() as stack:
            return _train(config, resume, device, dist_info, stack)
    except GlobalNetError as e:
        if "Traceback" in str(e):
            raise type(e)(_clean_error(e)) from None
        raise
    except OSError as e:          # a full or read-only disk under the run folder
        raise GlobalNetError(disk_error_message(e, config.out)) from None
    finally:
        torch.use_deterministic_algorithms(det[0])   # process-wide switches: put them back
        torch.backends.cudnn.benchmark = det[1]
        dev.shutdown_distributed(dist_info)


def _train(config: TrainConfig, resume: bool, device: torch.device, dist_info: dev.DistInfo,
           stack: ExitStack) -> Path:
    """The driver: check, claim the folder, build the parts, then epochs of train / validate /
    save, like torchvision's ``references/classification/train.py``."""
    main = dist_info.is_main
    _check_before_training(config)
    amp = dev.amp_enabled(config.amp, device)
    run_dir = _claim_on_rank0(config, resume, dist_info, stack)
    run_log = _run_log(main, stack)     # train.log is written once the data and model loaded
    ckpt = _resume_checkpoint(run_dir, resume, config)
    _seed_and_determinism(config, device)

    data = build_datasets(config)
    _log_data(data, config)
    model = build_model(config, device, dist_info, *(() if ckpt is None else
                                                     (ckpt["model"], ckpt.get("batchnorm_training"))))
    if main:
        run_log.write_to(run_dir / "train.log")
    optimizer, scheduler = build_optimizer(model, config, data.plan, dist_info.world_size)
    trainer = Trainer(model, optimizer, device, amp, dist_info, scheduler)
    state = RunState()
    if ckpt is not None:
        state = restore(trainer, ckpt, config)
        log.info(f"resuming {run_dir} at epoch {state.epoch + 1}, step {state.step_in_epoch} "
                 f"of the epoch (global step {trainer.global_step})")
    if main:
        _start_files(run_dir, config, data, state, ckpt)

    plan = data.plan
    size = config.resolved_input_size()
    log.info(f"training {config.backbone} at {size}x{size} on {device}"
             f"{f' with {dev.precision_name(config.amp, device)} mixed precision' if amp else ''}"
             f"{f' x {dist_info.world_size} ranks' if dist_info.enabled else ''}: "
             f"{len(plan)} epoch(s), batch {config.batch_size}, lr {config.lr}")
    for epoch in range(state.epoch, len(plan)):
        if config.max_steps is not None and trainer.global_step >= config.max_steps:
            break
        phase = plan[epoch][0]
        skip, losses = state.step_in_epoch, state.epoch_losses
        try:
            result = train_one_epoch(trainer, data.epoch(epoch), config, epoch, skip=skip,
                                     losses=losses,
                                     desc=f"epoch {epoch + 1}/{len(plan)} phase {phase}")
        except NonFiniteLoss as e:
            keep = run_dir / "last.pt"
            msg = (f"{e} (epoch {epoch + 1}, step {len(losses) + 1} of the epoch, phase {phase}); "
                   f"training stopped, last good checkpoint: "
                   f"{keep if keep.exists() else 'none yet (no epoch finished)'}")
            if main:
                run_log.file_only(f"error: {msg}")      # the command line reports it
            raise NonFiniteLoss(msg) from None
        last_loss = result.losses[-1] if result.losses else state.last_loss
        if not result.finished:              # stopped by max_steps inside the epoch
            state = RunState(epoch, result.step_in_epoch, phase, state.best, last_loss,
                             state.val, result.losses)
            if main:
                save(run_dir / "last.pt", trainer, config, state)
            log.info(f"stopped at global step {trainer.global_step} (max_steps), epoch {epoch + 1} "
                     f"step {result.step_in_epoch}/{result.steps_total}; "
                     f"continue with --resume {run_dir}")
            dev.barrier(dist_info)
            return run_dir
        val = evaluate(trainer, data.val, config)
        improved = state.best is None or val[config.best_metric] > state.best
        best = val[config.best_metric] if improved else state.best
        state = RunState(epoch + 1, 0, phase, best, last_loss, val)
        row = _metrics_row(plan[epoch], epoch, result, trainer, config, val, best, improved)
        if main:
            _publish_epoch(run_dir, trainer, config, state, row, improved)
        log.info(f"epoch {epoch + 1}/{len(plan)} phase {phase}: train loss "
                 f"{row['train_loss'] if row['train_loss'] is not None else float('nan'):.4f}, "
                 f"{row['images_per_s'] or 0:.1f} img/s; val accuracy {val['accuracy']:.4f}, "
                 f"macro F1 {val['macro_f1']:.4f}{' (best)' if improved else ''}")
    dev.barrier(dist_info)
    log.info(f"done: {run_dir}")
    return run_dir


def _run_log(main: bool, stack: ExitStack) -> RunLogFile | None:
    """Rank 0: the ``globalnet`` loggers' lines for ``train.log`` (held until the run folder is
    written to). The other ranks keep the run's lines to themselves."""
    if main:
        return stack.enter_context(RunLogFile("globalnet"))
    stack.callback(log.setLevel, log.level)
    log.setLevel(logging.WARNING)
    return None


def _resume_checkpoint(run_dir: Path, resume: bool, config: TrainConfig) -> dict | None:
    """The run folder's ``last.pt`` when resuming, or None (a folder without a checkpoint, from a
    run killed or failed before its first one, starts afresh)."""
    if resume and (run_dir / "last.pt").is_file():
        return read_train_checkpoint(run_dir / "last.pt", config)
    if (run_dir / "config.toml").is_file():
        log.info(f"{run_dir} holds no checkpoint: starting it afresh")
    return None


def _start_files(run_dir: Path, config: TrainConfig, data: TrainData, state: RunState,
                 ckpt: dict | None) -> None:
    """``config.toml`` (on resume: with its overrides), ``data.json`` and a ``metrics.jsonl``
    that holds the epochs the checkpoint finished."""
    config.resolved().save(run_dir / "config.toml")
    atomic_write_text(run_dir / "data.json", json.dumps(data.report, indent=2) + "\n")
    _sync_metrics(run_dir / "metrics.jsonl", state.epoch, ckpt)


def _check_before_training(config: TrainConfig) -> None:
    """Input sizes the backbone can train at and generator settings that work, before any file."""
    check_input_size(config.backbone, config.resolved_input_size(), train=True,
                     aux_logits=config.aux_logits)
    if config.warmup_epochs:
        check_input_size(config.backbone, config.resolved_warmup_input_size(), train=True,
                         aux_logits=config.aux_logits)
    _check_synth(config)


def _claim_on_rank0(config: TrainConfig, resume: bool, dist_info: dev.DistInfo,
                    stack: ExitStack) -> Path:
    """Rank 0 claims the run folder; every rank learns the outcome (no rank left at a barrier)."""
    err = None
    if dist_info.is_main:
        try:
            _claim_run_dir(config, resume, stack)
        except GlobalNetError as e:
            err = str(e)
    err = dev.broadcast_object(err, dist_info)
    if err:
        raise GlobalNetError(err)
    return Path(config.out)


def _seed_and_determinism(config: TrainConfig, device: torch.device) -> None:
    if config.deterministic:
        torch.use_deterministic_algorithms(True, warn_only=True)
        torch.backends.cudnn.benchmark = False
    elif device.type == "cuda":
        torch.backends.cudnn.benchmark = True
    torch.manual_seed(config.seed)


def _metrics_row(planned: tuple[int, int, int], epoch: int, result: EpochResult, trainer: Trainer,
                 config: TrainConfig, val: dict, best: float, improved: bool) -> dict:
    """The epoch's ``metrics.jsonl`` row."""
    phase, n_syn, n_real = planned
    return {"epoch": epoch + 1, "phase": phase, "synthetic": n_syn, "real": n_real,
            "steps": len(result.losses), "global_step": trainer.global_step,
            "train_loss": result.mean_loss, "images_per_s": result.images_per_s,
            "seconds": result.seconds, "lr": config.lr,
            "val_loss": val["loss"], "val_accuracy": val["accuracy"],
            "val_macro_f1": val["macro_f1"], "val_total": val["total"],
            "val_per_class": val["per_class"], "val_confusion": val["confusion"],
            "best": best, "is_best": improved}


def _publish_epoch(run_dir: Path, trainer: Trainer, config: TrainConfig, state: RunState,
                   row: dict, improved: bool) -> None:
    """A finished epoch's files; the checkpoint first, so a metrics row never gets ahead of it."""
    save(run_dir / "last.pt", trainer, config, state, metrics_row=row)
    with open(run_dir / "metrics.jsonl", "a") as f:
        f.write(json.dumps(row) + "\n")
    if improved:   # the same bytes: a hard link (last.pt is later replaced, not rewritten)
        _link_or_copy(run_dir / "last.pt", run_dir / "best.pt")
    val = state.val
    write_report(run_dir, val, title=f"epoch {state.epoch}: accuracy {val['accuracy']:.3f}"
                                     f", n={val['total']}")


def _sync_metrics(path: Path, start_epoch: int, ckpt: dict | None) -> None:
    """Make ``metrics.jsonl`` hold exactly the epochs the checkpoint finished: drop rows of
    later epochs (they are redone), and add the checkpoint's own row when a kill came between
    saving the checkpoint and appending the row."""
    rows = [ln for ln in path.read_text().splitlines() if ln.strip()] if path.exists() else []
    keep = [ln for ln in rows if json.loads(ln).get("epoch", 0) <= start_epoch]
    row = (ckpt or {}).get("metrics_row")
    if row and row.get("epoch") == start_epoch and not any(
            json.loads(ln).get("epoch") == start_epoch for ln in keep):
        keep.append(json.dumps(row))
    if keep != rows:
        atomic_write_text(path, "".join(ln + "\n" for ln in keep))
