"""The model zoo: trained global-only models that ship with the package, used by name.

Every command that takes a checkpoint also takes a zoo name, as torchvision and timm users
expect of ``weights=``::

    globalnet models                                  # the table
    globalnet models --card synth-resnet18            # its model card
    globalnet predict --checkpoint synth-resnet18 photo.jpg

    from globalnet.zoo import MODELS, load_model
    model = load_model("synth-resnet18")             # float32, eval mode

A zoo file is a half-precision state dict without optimiser state (``export_weights``), loaded
into a float32 model; its sha256 is kept in the registry entry and checked before first use.
The measured figures (held-out accuracy, flip-TTA accuracy, frames/s) are not typed here: they
are read from ``measured.json`` beside this file, which ``python -m benchmarks.zoo_models``
writes by evaluating the shipped files.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
from pathlib import Path

from ..errors import GlobalNetError

from .model import (LIMITS, MEASURED_FILE, MODELS, NOT_FOR, TEST_SET, TRAINING_DATA,  # noqa: F401
                    WEIGHTS_DIR, ZooModel, get_model, list_models, register_model)


# ------------------------------------------------------------------------------- weights
def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


_VERIFIED: dict[tuple, bool] = {}


def weights_path(name: str) -> Path:
    """The verified weights file of zoo model ``name`` (sha256 checked once per file state)."""
    entry = get_model(name)
    path = entry.path
    try:
        st = path.stat()
    except OSError:
        raise GlobalNetError(f"zoo model {name!r}: its weights file {path} is missing (an "
                             f"incomplete install? reinstall the package)") from None
    key = (str(path), st.st_size, st.st_mtime_ns, entry.sha256)
    if key not in _VERIFIED:
        digest = sha256_of(path)
        if digest != entry.sha256:
            raise GlobalNetError(f"zoo model {name!r}: file {path} has sha256 {digest[:16]}..., "
                                 f"the registry expects {entry.sha256[:16]}... (corrupt or "
                                 f"replaced; reinstall the package)")
        _VERIFIED[key] = True
    return path


def load_model(name: str, device: str = "cpu"):
    """The float32 model of zoo model ``name``, in eval mode on ``device``."""
    from ..backbones import create_backbone
    entry = get_model(name)
    model = create_backbone(entry.backbone, weights=weights_path(name), num_classes=3)
    return model.to(device).eval()


def export_weights(src: str | os.PathLike, dst: str | os.PathLike, **meta) -> str:
    """Write ``src``'s model as a shippable file: float tensors in half precision, no optimiser
    state, the metadata the loaders read (backbone, num_classes, input_size, task, result,
    made_by) plus ``meta``. Returns the new file's sha256. The write is atomic."""
    import torch

    from synthgroup.io import atomic_write_bytes

    from ..checkpoints import read_checkpoint, resolve_checkpoint, split_state

    state, info = split_state(read_checkpoint(resolve_checkpoint(src)))
    if not info.get("backbone"):
        raise GlobalNetError(f"checkpoint {src} does not name its backbone: export needs a "
                             f"globalnet checkpoint")
    half = {k: (v.half() if v.is_floating_point() else v).contiguous() for k, v in state.items()}
    keep = {k: info[k] for k in ("backbone", "num_classes", "input_size", "task", "result",
                                 "made_by", "recipe") if k in info}
    config = info.get("config") if isinstance(info.get("config"), dict) else {}
    keep["config"] = {k: config[k] for k in ("input_size", "synth_size") if k in config}
    buf = io.BytesIO()
    torch.save({**keep, **meta, "model": half}, buf)
    dst = Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(dst, buf.getvalue())
    return hashlib.sha256(buf.getvalue()).hexdigest()


# ------------------------------------------------------------------------------ describing
def measured(name: str | None = None) -> dict:
    """The figures ``benchmarks.zoo_models`` measured (all models, or one: ``{}`` if none)."""
    try:
        data = json.loads(MEASURED_FILE.read_text())
    except (OSError, ValueError):
        data = {}
    rows = data.get("models", {}) if isinstance(data, dict) else {}
    if name is None:
        return data if isinstance(data, dict) else {}
    return rows.get(name, {})


def _pct(v) -> str:
    return f"{100 * v:.1f} %" if isinstance(v, (int, float)) else "-"


def describe_models() -> list[dict]:
    """One row per zoo model: the registry entry and its measured figures."""
    rows = []
    for name in list_models():
        e, m = get_model(name), measured(name)
        size = e.path.stat().st_size if e.path.exists() else None
        rows.append({"name": name, "backbone": e.backbone, "input_size": e.input_size,
                     "trained_on": "synthetic (procedural faces and scenes)",
                     "accuracy": m.get("accuracy"), "accuracy_flip": m.get("accuracy_flip"),
                     "frames_per_s": m.get("frames_per_s"), "size_mb": size and size / 1e6,
                     "recipe": e.recipe, "summary": e.summary})
    return rows


def model_card(name: str) -> str:
    """The model card of ``name`` as Markdown."""
    e, m = get_model(name), measured(name)
    info = measured()
    size = e.path.stat().st_size / 1e6 if e.path.exists() else float("nan")
    fps = m.get("frames_per_s")
    lines = [
        f"# {e.name}", "", e.summary, "",
        f"- **Backbone**: `{e.backbone}`, input {e.input_size} x {e.input_size} px, 3 classes "
        f"(0 Positive, 1 Neutral, 2 Negative); whole frames only, never a detected face.",
        f"- **Weights**: `{e.path.name}`, {size:.1f} MB, half precision (loaded into float32), "
        f"sha256 `{e.sha256}`.",
        f"- **Training data**: {e.trained_on}.",
        f"- **Recipe** (reproduces it from scratch): `{e.recipe}`",
        f"- **Held-out accuracy**: {_pct(m.get('accuracy'))} (with flip test-time augmentation "
        f"{_pct(m.get('accuracy_flip'))}) on {e.test_set}.",
        f"- **Speed**: {fps:.0f} frames/s (preprocessing of decoded 256 px frames + forward) on this machine's CPU "
        f"(batch {m.get('batch')}, {m.get('precision')}; CPU flags {', '.join(info.get('cpu_flags', [])) or '-'})."
        if isinstance(fps, (int, float)) else "- **Speed**: not measured yet.",
        "", "## Known limits", "", *[f"- {t}" for t in e.limits],
        "", "## Must not be used for", "", *[f"- {t}" for t in e.not_for],
    ]
    if m.get("confusion"):
        lines += ["", "## Confusion on the held-out scenes (rows: true Positive, Neutral, "
                  "Negative)", "", *[f"    {row}" for row in m["confusion"]]]
    return "\n".join(lines) + "\n"


from . import catalog  # noqa: E402,F401  - registers the shipped models
