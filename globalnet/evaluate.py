"""Metrics and evaluation: accuracy, per-class precision / recall / F1 and the confusion matrix.

:func:`run_model` predicts a dataset (sharded across ``torchrun`` ranks, the confusion matrix
summed over them so every item is counted once); :func:`write_report` writes
``confusion.json``, ``confusion.png`` and ``report.json``; :func:`evaluate` does all of it for a
checkpoint file on a dataset spec (``globalnet evaluate``).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader, Subset

from synthgroup.io import atomic_write_text
from synthgroup.labels import CLASS_NAMES
from .errors import GlobalNetError

# ------------------------------------------------------------------------------------ metrics
def metrics_from_confusion(cm, class_names=CLASS_NAMES) -> dict:
    """Accuracy, macro F1 and per-class precision / recall / F1 / support (0 where undefined)."""
    cm = np.asarray(cm, dtype=np.int64)
    total = int(cm.sum())
    tp = np.diag(cm).astype(float)
    pred = cm.sum(0).astype(float)
    true = cm.sum(1).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(pred > 0, tp / pred, 0.0)
        recall = np.where(true > 0, tp / true, 0.0)
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    names = list(class_names)[:len(cm)] + [str(i) for i in range(len(class_names), len(cm))]
    per_class = {names[k]: {"precision": float(precision[k]), "recall": float(recall[k]),
                            "f1": float(f1[k]), "support": int(true[k])} for k in range(len(cm))}
    return {"accuracy": float(tp.sum() / total) if total else 0.0,
            "macro_f1": float(f1.mean()) if len(cm) else 0.0,
            "total": total, "per_class": per_class, "confusion": cm.tolist(),
            "class_names": names}


def format_report(m: dict) -> str:
    """A small text table like sklearn's classification report."""
    lines = [f"{'class':<10}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}"]
    for name, r in m["per_class"].items():
        lines.append(f"{name:<10}{r['precision']:>10.3f}{r['recall']:>10.3f}{r['f1']:>10.3f}"
                     f"{r['support']:>10d}")
    lines.append(f"accuracy {m['accuracy']:.4f}  macro F1 {m['macro_f1']:.4f}  (n={m['total']})")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------ running
@torch.no_grad()
def run_model(model: torch.nn.Module, dataset, *, batch_size: int = 64, num_workers: int = 0,
              device: torch.device | str = "cpu", amp: bool = False, dist_info=None,
              num_classes: int = 3, progress: bool = False, loss: bool = True) -> dict:
    """Predict every item of ``dataset`` and return :func:`metrics_from_confusion` plus ``loss``.

    Under torchrun (``dist_info.enabled``) rank r predicts items r, r+W, ... and the confusion
    matrix and loss are summed over ranks, so no item is counted twice (a DistributedSampler
    would pad with duplicates).
    """
    from .backbones import forward_logits
    from .device import all_reduce_sum, autocast, memory_format

    device = torch.device(device)
    if dist_info is not None and dist_info.enabled:
        dataset = Subset(dataset, range(dist_info.rank, len(dataset), dist_info.world_size))
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=False, num_workers=num_workers,
                        pin_memory=device.type == "cuda")
    was_training = model.training
    model.eval()
    fmt = memory_format(amp)
    model.to(memory_format=fmt)
    cm = torch.zeros(num_classes, num_classes, dtype=torch.int64, device=device)
    loss_sum = torch.zeros((), dtype=torch.float64, device=device)
    try:
        it = loader
        if progress:
            from tqdm import tqdm
            it = tqdm(loader, desc="eval", unit="batch", leave=False, dynamic_ncols=True)
        for x, y in it:
            x = x.to(device, non_blocking=True).contiguous(memory_format=fmt)
            y = torch.as_tensor(y).to(device, non_blocking=True)
            with autocast(device, amp):
                logits = forward_logits(model, x)
            if loss:
                loss_sum += torch.nn.functional.cross_entropy(logits.float(), y, reduction="sum")
            pred = logits.argmax(1)
            cm += torch.bincount(y * num_classes + pred, minlength=num_classes ** 2) \
                .view(num_classes, num_classes)
    finally:
        model.train(was_training)
    if dist_info is not None and dist_info.enabled:
        all_reduce_sum(cm, dist_info)
        all_reduce_sum(loss_sum, dist_info)
    m = metrics_from_confusion(cm.cpu().numpy())
    m["loss"] = float(loss_sum.item() / m["total"]) if m["total"] and loss else None
    return m


# ------------------------------------------------------------------------------------ writing
def write_report(out_dir: str | Path, m: dict, prefix: str = "", title: str = "") -> dict[str, Path]:
    """``{prefix}confusion.json``, ``{prefix}confusion.png`` and ``{prefix}report.json``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"confusion_json": out / f"{prefix}confusion.json",
             "confusion_png": out / f"{prefix}confusion.png",
             "report": out / f"{prefix}report.json"}
    atomic_write_text(paths["confusion_json"], json.dumps(
        {"class_names": m["class_names"], "rows": "true class", "columns": "predicted class",
         "matrix": m["confusion"], "total": m["total"]}, indent=2) + "\n")
    atomic_write_text(paths["report"], json.dumps({k: v for k, v in m.items() if k != "confusion"},
                                                  indent=2) + "\n")
    plot_confusion(m["confusion"], m["class_names"], paths["confusion_png"],
                   title or f"accuracy {m['accuracy']:.3f}, n={m['total']}")
    return paths


def plot_confusion(cm, class_names, path: str | Path, title: str = "") -> Path:
    from .figures import new_figure, save_png

    cm = np.asarray(cm)
    fig = new_figure(figsize=(4.2, 3.8), dpi=100)
    ax = fig.add_subplot()
    ax.imshow(cm, cmap="Blues")
    n = len(cm)
    ax.set_xticks(range(n), class_names)
    ax.set_yticks(range(n), class_names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    hi = cm.max() if cm.size else 0
    for i in range(n):
        for j in range(n):
            ax.text(j, i, str(int(cm[i, j])), ha="center", va="center",
                    color="white" if hi and cm[i, j] > hi / 2 else "black")
    if title:
        ax.set_title(title, fontsize=9)
    fig.tight_layout()
    return save_png(fig, path)


# --------------------------------------------------------------------------------- datasets
def eval_dataset(spec: str, backbone: str, input_size: int | None = None, split: str = "val",
                 frames: int | None = 2000, seed: int = 12345, synth_size: int | None = None):
    """An evaluation set: ``synthetic[:N]`` (held-out synthetic, ``GenConfig(split="test")``,
    fixed seed) or a real dataset spec, with the backbone's eval transform."""
    from .backbones import check_input_size, get_backbone_spec
    from .data import eval_transform, open_real_dataset

    spec_b = get_backbone_spec(backbone)
    size = int(input_size or spec_b.input_size)
    check_input_size(backbone, size)
    tf = eval_transform(size, spec_b.mean, spec_b.std)
    text = str(spec)
    if text == "synthetic" or text.startswith("synthetic:"):
        n_text = text.partition(":")[2] or "1000"
        try:
            n = int(n_text)
            if n < 1:
                raise ValueError
        except ValueError:
            raise GlobalNetError(f"{text!r}: synthetic:N needs a positive image count") from None
        return synthetic_eval_set(n, size, tf, seed, synth_size)
    return open_real_dataset(text, split, transform=tf, frames_per_epoch=frames, seed=seed)


def synthetic_eval_set(n: int, input_size: int, transform, seed: int = 12345,
                       synth_size: int | None = None):
    """Held-out synthetic images (identities / backgrounds never used in training), epoch 0."""
    from synthgroup import GenConfig, SyntheticGroupDataset
    s = int(synth_size or max(96, round(input_size * 256 / 224)))
    return SyntheticGroupDataset(config=GenConfig(size=(s, s), split="test", seed=seed), length=n,
                                 transform=transform)


def evaluate(checkpoint: str | Path, data: str, *, split: str = "val", out: str | Path | None = None,
             batch_size: int = 32, num_workers: int = 0, device: str = "auto",
             input_size: int | None = None, frames: int | None = 2000, seed: int = 12345,
             progress: bool = False) -> dict:
    """Evaluate a checkpoint (from ``globalnet train`` or ``save_checkpoint``) on ``data``.

    The backbone name, input size and synthetic canvas come from the checkpoint when it has them.
    Writes the report files into ``out`` when given. Returns :func:`metrics_from_confusion`.
    """
    from .backbones import create_backbone
    from .checkpoints import (check_zoo_overrides, checkpoint_input_size, read_checkpoint_info,
                              resolve_checkpoint)
    from .device import amp_enabled, resolve_device

    path = resolve_checkpoint(checkpoint)
    ck = read_checkpoint_info(checkpoint)
    name = ck.get("backbone")
    if not name:
        raise GlobalNetError(f"checkpoint {path} does not name its backbone (not a globalnet "
                             f"checkpoint)")
    check_zoo_overrides(ck, input_size=input_size)
    cfg = ck.get("config") if isinstance(ck.get("config"), dict) else {}
    input_size = input_size or checkpoint_input_size(ck)
    dev = resolve_device(device)
    model = create_backbone(name, weights=path, num_classes=int(ck.get("num_classes", 3)))
    model.to(dev)
    ds = eval_dataset(data, name, input_size, split, frames, seed, cfg.get("synth_size"))
    m = run_model(model, ds, batch_size=batch_size, num_workers=num_workers, device=dev,
                  amp=amp_enabled("auto", dev), num_classes=int(ck.get("num_classes", 3)),
                  progress=progress)
    m.update(checkpoint=str(checkpoint), data=str(data), split=split, backbone=name)
    if out is not None:
        write_report(out, m, title=f"{name} on {data}: accuracy {m['accuracy']:.3f}")
    return m
