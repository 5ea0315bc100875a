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
"""
from __future__ import annotations

import errno
import itertools
import json
import math
import os
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import torch
from torch.utils.data import DataLoader, DistributedSampler

from . import device as dev
from .backbones import (check_input_size, classification_loss, create_backbone, get_backbone_spec,
                        save_checkpoint)
from .config import TrainConfig
from .errors import GlobalNetError
from .evaluate import run_model, synthetic_eval_set, write_report
from .mixing import MixtureDataset, epoch_plan
from synthgroup.io import (FolderBusy, atomic_path, atomic_write_text, disk_error_message, file_lock,
                           holder_note)

CHECKPOINT_VERSION = 1


class NonFiniteLoss(GlobalNetError):
    """The loss became NaN or infinite; the last good checkpoint is kept."""


# ----------------------------------------------------------------------------------- logging
class RunLog:
    """Lines to stdout (through tqdm, so bars stay intact) and to ``train.log``; rank 0 only."""

    def __init__(self, path: Path | None = None, enabled: bool = True):
        self.path = path
        self.enabled = enabled
        self.pending: list[str] = []     # lines logged before the run folder exists

    def attach(self, path: Path) -> None:
        self.path = path
        if self.enabled and self.pending:
            with open(path, "a") as f:
                f.writelines(self.pending)
        self.pending = []

    def __call__(self, msg: str) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm
        tqdm.write(msg, file=sys.stdout)
        line = time.strftime("%Y-%m-%d %H:%M:%S ") + msg + "\n"
        if self.path is None:
            self.pending.append(line)
        else:
            with open(self.path, "a") as f:
                f.write(line)


# ------------------------------------------------------------------------------------ stepping
class Trainer:
    """One optimisation step and one pass over a loader; no files, no data choices.

    Kept apart from :func:`train` so the speed benchmark can time exactly this loop.
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
        "config": resolved_config(config).to_dict(),
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


def resolved_config(config: TrainConfig) -> TrainConfig:
    """The config with the backbone-dependent defaults filled in (what the run really used)."""
    import dataclasses
    return dataclasses.replace(config, input_size=config.resolved_input_size(),
                               synth_size=config.resolved_synth_size(),
                               warmup_input_size=config.resolved_warmup_input_size())


# ----------------------------------------------------------------------------------- the run
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
    try:
        stack.enter_context(file_lock(out / ".lock", wait=False, note=holder_note()))
    except FolderBusy as e:
        raise GlobalNetError(f"run folder {out} is in use by another training ({e.holder}); wait "
                             f"for it to finish or choose another --out") from None
    if created:
        stack.callback(_remove_if_unused, out)
    if (out / "last.pt").is_file() and not resume:
        raise GlobalNetError(f"run folder {out} already holds a run; resume it with --resume "
                             f"{out} or choose another --out")
    return out


def _remove_if_unused(out: Path) -> None:
    if [p.name for p in out.iterdir()] == [".lock"]:
        (out / ".lock").unlink()
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
    main = dist_info.is_main
    spec = get_backbone_spec(config.backbone)
    size = config.resolved_input_size()
    check_input_size(config.backbone, size, train=True, aux_logits=config.aux_logits)
    if config.warmup_epochs:
        check_input_size(config.backbone, config.resolved_warmup_input_size(), train=True,
                         aux_logits=config.aux_logits)
    _check_synth(config)
    amp = dev.amp_enabled(config.amp, device)

    # the run folder: rank 0 decides, every rank learns the outcome (no rank left at a barrier)
    err = None
    if main:
        try:
            _claim_run_dir(config, resume, stack)
        except GlobalNetError as e:
            err = str(e)
    err = dev.broadcast_object(err, dist_info)
    if err:
        raise GlobalNetError(err)
    run_dir = Path(config.out)
    log = RunLog(enabled=main)     # files are written once the data and model loaded

    ckpt = None
    if resume and (run_dir / "last.pt").is_file():
        from .checkpoints import read_checkpoint
        ckpt = read_checkpoint(run_dir / "last.pt")
        if ckpt.get("format") != "globalnet-train":
            raise GlobalNetError(f"{run_dir / 'last.pt'} is not a globalnet training checkpoint")
    elif (run_dir / "config.toml").is_file():
        log(f"{run_dir} holds no checkpoint: starting it afresh")
    if config.deterministic:
        torch.use_deterministic_algorithms(True, warn_only=True)
        torch.backends.cudnn.benchmark = False
    elif device.type == "cuda":
        torch.backends.cudnn.benchmark = True
    torch.manual_seed(config.seed)

    # data --------------------------------------------------------------------------------
    from synthgroup import GenConfig, SyntheticGroupDataset

    from .data import eval_transform, open_real_dataset, train_transform
    train_tf = train_transform(size, spec.mean, spec.std, rotation=config.rotation,
                               scale=(config.scale_min, config.scale_max))
    eval_tf = eval_transform(size, spec.mean, spec.std)
    s = config.resolved_synth_size()
    synthetic = SyntheticGroupDataset(config=GenConfig(size=(s, s), split="train", seed=config.seed),
                                      length=max(1, config.phase1_synthetic), transform=None)
    warmup = warmup_tf = None
    if config.warmup_epochs:
        warmup = SyntheticGroupDataset(config=_warmup_gen_config(config),
                                       length=config.warmup_synthetic, transform=None)
        ws = config.resolved_warmup_input_size()
        warmup_tf = train_transform(ws, spec.mean, spec.std, rotation=config.rotation,
                                    scale=(config.scale_min, config.scale_max))
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
    for part in ("train", "val"):
        r = report.get(part)
        if r and "class_counts" in r:
            log(f"{part} data {r['spec']}: {r['items']} items, class counts "
                + ", ".join(f"{n}={c}" for n, c in zip(("Positive", "Neutral", "Negative"),
                                                       r["class_counts"]))
                + f"; skipped {len(r['skipped'])} file(s), ignored {len(r['ignored'])}")
            for p, why in r["skipped"]:
                log(f"  skipped {p}: {why}")
            for item in r["ignored"]:
                log(f"  ignored {' '.join(item)}")
        elif r:
            log(f"{part} data {r['spec']} ({r['note']})")
    if real is None:
        log("no real data: phase 1 on synthetic data alone, phase 2 skipped")
    if config.warmup_epochs:
        log(f"warm-up (phase 0): {config.warmup_epochs} epoch(s) of {config.warmup_synthetic} "
            f"single-face images at {config.resolved_warmup_input_size()} px, faces "
            f"{config.warmup_face_min}-{config.warmup_face_max} of the image height")

    # model -------------------------------------------------------------------------------
    weights = None if ckpt is not None else config.weights
    model = create_backbone(config.backbone, weights=weights, aux_logits=config.aux_logits)
    if ckpt is not None:
        model.load_state_dict(ckpt["model"])
    if main:
        log.attach(run_dir / "train.log")
    model.to(device)
    if dist_info.enabled:
        model = torch.nn.parallel.DistributedDataParallel(
            model, device_ids=[device.index] if device.type == "cuda" else None)
    if config.optimizer == "adamw":
        optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr,
                                      weight_decay=config.weight_decay)
    else:
        optimizer = torch.optim.SGD(model.parameters(), lr=config.lr, momentum=config.momentum,
                                    weight_decay=config.weight_decay)
    scheduler = None
    if config.schedule == "onecycle":    # one cycle over every step the plan will take
        world = dist_info.world_size if dist_info.enabled else 1
        total = sum(math.ceil(math.ceil((ns + nr) / world) / config.batch_size) for _, ns, nr in plan)
        scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=config.lr,
                                                        total_steps=max(2, total), pct_start=0.05)
    trainer = Trainer(model, optimizer, device, amp, dist_info, scheduler)

    start_epoch, skip, best, val, resumed_losses = 0, 0, None, None, []
    if ckpt is not None:
        optimizer.load_state_dict(ckpt["optimizer"])
        if scheduler is not None:
            if not ckpt.get("scheduler"):
                raise GlobalNetError(f"{run_dir / 'last.pt'} has no learning-rate schedule state; "
                                     "it was trained with schedule = constant")
            scheduler.load_state_dict(ckpt["scheduler"])
        else:
            for group in optimizer.param_groups:     # the config is the truth (overrides apply)
                group.update(lr=config.lr, weight_decay=config.weight_decay,
                             **({"momentum": config.momentum} if config.optimizer == "sgd" else {}))
        trainer.scaler.load_state_dict(ckpt["scaler"])
        trainer.global_step = int(ckpt["global_step"])
        start_epoch, skip, best = int(ckpt["epoch"]), int(ckpt["step_in_epoch"]), ckpt.get("best")
        set_rng_state(ckpt["rng"])
        resumed_losses = list(ckpt.get("epoch_losses") or []) if skip else []
        log(f"resuming {run_dir} at epoch {start_epoch + 1}, step {skip} of the epoch "
            f"(global step {trainer.global_step})")
    if main:
        resolved_config(config).save(run_dir / "config.toml")   # on resume: with its overrides
        atomic_write_text(run_dir / "data.json", json.dumps(report, indent=2) + "\n")
        _sync_metrics(run_dir / "metrics.jsonl", start_epoch, ckpt)

    # epochs ------------------------------------------------------------------------------
    last_loss = ckpt.get("last_loss") if ckpt else None
    log(f"training {config.backbone} at {size}x{size} on {device}"
        f"{f' with {dev.precision_name(config.amp, device)} mixed precision' if amp else ''}"
        f"{f' x {dist_info.world_size} ranks' if dist_info.enabled else ''}: "
        f"{len(plan)} epoch(s), batch {config.batch_size}, lr {config.lr}")
    for epoch in range(start_epoch, len(plan)):
        if config.max_steps is not None and trainer.global_step >= config.max_steps:
            break
        phase, n_syn, n_real = plan[epoch]
        if phase == 0:
            mix = MixtureDataset(warmup, n_syn, None, 0, warmup_tf, config.seed, epoch)
        else:
            mix = MixtureDataset(synthetic, n_syn, real, n_real, train_tf, config.seed, epoch)
        loader = _epoch_loader(mix, config, epoch, skip, dist_info, device)
        steps_total = skip + len(loader)
        bar = None
        if main and config.progress:
            from tqdm import tqdm
            bar = tqdm(total=steps_total, initial=skip, unit="step", dynamic_ncols=True,
                       desc=f"epoch {epoch + 1}/{len(plan)} phase {phase}", leave=False)
        t0 = time.perf_counter()
        losses: list[float] = resumed_losses
        resumed_losses = []
        try:
            n, total = trainer.run(loader, max_steps=config.max_steps, bar=bar,
                                   on_step=losses.append)
        except NonFiniteLoss as e:
            done = len(losses) + 1
            keep = run_dir / "last.pt"
            msg = (f"{e} (epoch {epoch + 1}, step {done} of the epoch, phase {phase}); training "
                   f"stopped, last good checkpoint: "
                   f"{keep if keep.exists() else 'none yet (no epoch finished)'}")
            if bar is not None:
                bar.close()
            log(f"error: {msg}")
            raise NonFiniteLoss(msg) from None
        finally:
            if bar is not None:
                bar.close()
        seconds = time.perf_counter() - t0
        if losses:
            last_loss = losses[-1]
        step_in_epoch = skip + n
        skip = 0
        if step_in_epoch < steps_total:         # stopped by max_steps inside the epoch
            if main:
                _atomic_save(run_dir / "last.pt", model, checkpoint_payload(
                    trainer, config, epoch=epoch, step_in_epoch=step_in_epoch, phase=phase,
                    best=best, last_loss=last_loss, val=val, epoch_losses=losses))
            log(f"stopped at global step {trainer.global_step} (max_steps), epoch {epoch + 1} "
                f"step {step_in_epoch}/{steps_total}; continue with --resume {run_dir}")
            dev.barrier(dist_info)
            return run_dir
        val = run_model(_unwrap(model), val_set, batch_size=config.batch_size,
                        num_workers=config.num_workers, device=device, amp=amp,
                        dist_info=dist_info)
        score = val[config.best_metric]
        improved = best is None or score > best
        if improved:
            best = score
        row = {"epoch": epoch + 1, "phase": phase, "synthetic": n_syn, "real": n_real,
               "steps": len(losses), "global_step": trainer.global_step,
               "train_loss": (sum(losses) / len(losses)) if losses else None,
               "images_per_s": trainer.images_seen * dist_info.world_size / seconds
               if seconds > 0 else None, "seconds": seconds, "lr": config.lr,
               "val_loss": val["loss"], "val_accuracy": val["accuracy"],
               "val_macro_f1": val["macro_f1"], "val_total": val["total"],
               "val_per_class": val["per_class"], "val_confusion": val["confusion"],
               "best": best, "is_best": improved}
        if main:   # the checkpoint first: a metrics row never gets ahead of it
            payload = checkpoint_payload(trainer, config, epoch=epoch + 1, step_in_epoch=0,
                                         phase=phase, best=best, last_loss=last_loss, val=val)
            _atomic_save(run_dir / "last.pt", model, dict(payload, metrics_row=row))
            with open(run_dir / "metrics.jsonl", "a") as f:
                f.write(json.dumps(row) + "\n")
            if improved:   # the same bytes: a hard link (last.pt is later replaced, not rewritten)
                _link_or_copy(run_dir / "last.pt", run_dir / "best.pt")
            write_report(run_dir, val, title=f"epoch {epoch + 1}: accuracy {val['accuracy']:.3f}"
                                              f", n={val['total']}")
        log(f"epoch {epoch + 1}/{len(plan)} phase {phase}: train loss "
            f"{row['train_loss'] if row['train_loss'] is not None else float('nan'):.4f}, "
            f"{row['images_per_s'] or 0:.1f} img/s; val accuracy {val['accuracy']:.4f}, "
            f"macro F1 {val['macro_f1']:.4f}{' (best)' if improved else ''}")
    dev.barrier(dist_info)
    log(f"done: {run_dir}")
    return run_dir


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
