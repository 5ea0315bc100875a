"""Checkpoint reading, in one place: every command that takes a checkpoint comes through here.

A *checkpoint reference* is a path to a ``.pt`` file written by ``globalnet train`` /
:func:`globalnet.backbones.save_checkpoint` (or a raw state_dict), or the name of a model of
the zoo (``globalnet models``; e.g. ``synth-resnet18``), whose shipped file is verified against
the sha256 kept in the zoo registry before it is used::

    path = resolve_checkpoint("synth-resnet18")       # verified file inside the package
    info = read_checkpoint_info("run/best.pt")         # backbone, num_classes, config, ...
    size = checkpoint_input_size(info)                 # the input size it was trained at

A registered zoo name wins over a file of the same name in the working directory; write
``./synth-resnet18`` for the file.
"""
from __future__ import annotations

import os
from pathlib import Path

import torch

from .errors import GlobalNetError

#: keys of a checkpoint dict that hold tensors or optimiser state, not metadata
STATE_KEYS = ("model", "state_dict", "model_state_dict")
_HEAVY_KEYS = STATE_KEYS + ("optimizer", "scheduler", "scaler", "rng")


def resolve_checkpoint(ref: str | os.PathLike) -> Path:
    """The file behind a checkpoint reference: a zoo model's verified weights, or the path."""
    from . import zoo

    if isinstance(ref, str) and ref in zoo.MODELS:
        return zoo.weights_path(ref)
    path = Path(ref).expanduser()
    if path.is_file():
        return path
    if path.exists():
        raise GlobalNetError(f"checkpoint {path} is not a file")
    text = str(ref)
    if os.sep not in text and "/" not in text and not path.suffix:
        names = ", ".join(zoo.MODELS.names()) or "none installed"
        raise GlobalNetError(f"checkpoint {text!r}: no such file, and not a zoo model "
                             f"(zoo models: {names})")
    raise GlobalNetError(f"checkpoint {path} does not exist")


def read_checkpoint(path: str | os.PathLike, *, mmap: bool = False) -> dict:
    """The whole checkpoint dict of a file (``torch.load`` with ``weights_only=True``).

    ``mmap=True`` maps the tensors instead of reading them (for metadata only), falling back to
    a plain read for files written in the legacy format. One message for any unreadable file.
    """
    path = Path(path)
    if path.is_file() and path.stat().st_size == 0:
        raise GlobalNetError(f"checkpoint {path} is an empty file")
    err: Exception | None = None
    for kw in (({"mmap": True}, {}) if mmap else ({},)):
        try:
            ckpt = torch.load(path, map_location="cpu", weights_only=True, **kw)
            break
        except FileNotFoundError:
            raise GlobalNetError(f"checkpoint {path} does not exist") from None
        except Exception as e:  # noqa: BLE001 - any failure: an unreadable checkpoint
            err = e
    else:
        first = str(err).strip().splitlines()[0] if str(err).strip() else ""
        if "weights_only" in str(err):
            first = "it holds Python objects other than tensors and plain values"
        raise GlobalNetError(f"cannot read checkpoint {path}: {type(err).__name__}: {first}")
    if not isinstance(ckpt, dict):
        raise GlobalNetError(f"checkpoint {path} holds a {type(ckpt).__name__}, not a state_dict "
                             f"or a dict with a 'model' key")
    return ckpt


def split_state(ckpt: dict) -> tuple[dict, dict]:
    """``(state_dict, metadata)`` of a checkpoint dict (a raw state_dict has no metadata)."""
    for key in STATE_KEYS:
        if isinstance(ckpt.get(key), dict):
            return ckpt[key], {k: v for k, v in ckpt.items() if k not in _HEAVY_KEYS}
    return ckpt, {}


def read_checkpoint_info(ref: str | os.PathLike) -> dict:
    """The metadata of a checkpoint (everything but tensors and optimiser state): backbone,
    num_classes, input_size, config, ...; ``zoo`` names the zoo model when ``ref`` is one."""
    from . import zoo

    path = resolve_checkpoint(ref)
    ckpt = read_checkpoint(path, mmap=True)
    info = {k: v for k, v in ckpt.items()
            if k not in _HEAVY_KEYS and not isinstance(v, torch.Tensor)}
    if isinstance(ref, str) and ref in zoo.MODELS:
        info["zoo"] = ref
    return info


def checkpoint_input_size(info: dict):
    """The input size a checkpoint records (``input_size`` / ``size`` / ``image_size``, at the
    top level or in its ``config``), an int or ``(h, w)``; ``None`` when it records none."""
    config = info.get("config") if isinstance(info.get("config"), dict) else {}
    for src in (info, config):
        for key in ("input_size", "size", "image_size"):
            v = src.get(key)
            if isinstance(v, int) and not isinstance(v, bool) and v > 0:
                return v
            if isinstance(v, (list, tuple)) and len(v) == 2 and all(isinstance(x, int) for x in v):
                return tuple(v)
    return None


def check_zoo_overrides(info: dict, *, backbone: str | None = None, input_size=None) -> None:
    """A zoo model runs with its own backbone and input size: a different one is one message."""
    name = info.get("zoo")
    if name is None:
        return
    if backbone is not None and backbone != info.get("backbone"):
        raise GlobalNetError(f"zoo model {name!r} is a {info.get('backbone')} model; drop "
                             f"--backbone {backbone} (or pass a checkpoint file instead)")
    size = checkpoint_input_size(info)
    from .backbones import _hw
    if input_size is not None and size is not None and _hw(input_size) != _hw(size):
        raise GlobalNetError(f"zoo model {name!r} was trained and measured at input size {size}; "
                             f"drop --input-size {input_size} (or pass a checkpoint file instead)")
