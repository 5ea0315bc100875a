"""Training of the reference path's face models (individual-level processing; see the package
docstring): the per-face CNN on per-face labels, and attention pooling end to end on image bags.
Kept apart from the model and pooling plugins, which only run inference.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from ..errors import GlobalNetError
from .face_model import FaceCropDataset, FaceResNet, to_tensor
from .pool_attention import AttentionPooling


def train_step(forward, x: torch.Tensor, y: torch.Tensor, opt, sched=None,
               flip_generator: torch.Generator | None = None) -> float:
    """One cross-entropy step: per-sample horizontal flips drawn from ``flip_generator`` (none
    without it), then the optimiser and, when given, the schedule. Returns the loss."""
    if flip_generator is not None:
        flip = torch.rand(len(x), generator=flip_generator) < 0.5
        x = torch.where(flip[:, None, None, None], x.flip(-1), x)
    loss = F.cross_entropy(forward(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if sched is not None:
        sched.step()
    return float(loss.detach())


def _log_progress(log, what: str, losses: list[float], total: int, every: int) -> None:
    """Every ``every`` steps (one loss each), the mean loss of the last ``every`` to ``log``."""
    if log and len(losses) % every == 0:
        log(f"{what} step {len(losses)}/{total} loss {np.mean(losses[-every:]):.3f}")


def train_face_model(model: FaceResNet, dataset: FaceCropDataset, epochs: int = 3,
                     batch_size: int = 64, lr: float = 2e-3, seed: int = 0,
                     max_steps: int | None = None, log=None) -> list[float]:
    """Cross-entropy training on per-face labels (random horizontal flips). Returns step losses."""
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    n = len(dataset)
    if n == 0:
        raise GlobalNetError("no face crops to train on")
    steps_per_epoch = max(1, (n + batch_size - 1) // batch_size)
    total = steps_per_epoch * epochs if max_steps is None else int(max_steps)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=max(total, 2))
    crops = to_tensor(dataset.crops)
    labels = torch.from_numpy(dataset.labels)
    losses = []
    model.train()
    while len(losses) < total:
        order = torch.randperm(n, generator=g)
        for s in range(steps_per_epoch):
            if len(losses) >= total:
                break
            b = order[s * batch_size:(s + 1) * batch_size]
            losses.append(train_step(model, crops[b], labels[b], opt, sched,
                                     g if dataset.flip else None))
            _log_progress(log, "face", losses, total, every=50)
    model.eval()
    return losses


def train_attention(face_model, attention: AttentionPooling, dataset, epochs: int = 2,
                    batch_images: int = 16, lr: float = 1e-3, backbone_lr: float = 2e-4,
                    seed: int = 0, max_steps: int | None = None, log=None) -> list[float]:
    """End-to-end training on image bags (``dataset.bags()``): face CNN + attention, image labels.

    The face CNN is updated with ``backbone_lr`` (0 freezes it; its BatchNorm stays in eval mode).
    Returns the step losses."""
    bags = [(idx, lab) for idx, lab in dataset.bags() if len(idx)]
    rng = np.random.default_rng(seed)
    params = [{"params": attention.parameters(), "lr": lr}]
    if backbone_lr > 0:
        params.append({"params": face_model.parameters(), "lr": backbone_lr})
    opt = torch.optim.AdamW(params, weight_decay=1e-4)
    crops = dataset.all_crops
    losses = []
    attention.train()
    face_model.eval()          # BatchNorm statistics from per-face training stay fixed
    total = (len(bags) + batch_images - 1) // batch_images * epochs if max_steps is None else max_steps
    while len(losses) < total:
        order = rng.permutation(len(bags))
        for s in range(0, len(order), batch_images):
            if len(losses) >= total:
                break
            chosen = [bags[i] for i in order[s:s + batch_images]]
            idx = np.concatenate([c[0] for c in chosen])
            x = to_tensor(crops[idx])
            if rng.random() < 0.5:
                x = x.flip(-1)
            with torch.set_grad_enabled(backbone_lr > 0):
                feats = face_model.features(x)
            logits, start = [], 0
            for c in chosen:
                logits.append(attention(feats[start:start + len(c[0])])[0])
                start += len(c[0])
            loss = F.cross_entropy(torch.stack(logits), torch.tensor([c[1] for c in chosen]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(float(loss.detach()))
            _log_progress(log, "attention", losses, total, every=25)
    attention.eval()
    return losses
