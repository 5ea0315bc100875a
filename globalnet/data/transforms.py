"""The paper's augmentation as torchvision v2 pipelines over HxWx3 uint8 RGB numpy arrays.

``mean`` / ``std`` are always passed in (they belong to the backbone, see the backbone registry);
nothing here assumes ImageNet statistics. Both pipelines return float32 CxHxW tensors.
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import torch
from torchvision import tv_tensors
from torchvision.transforms import v2

from globalnet.errors import GlobalNetError

RESIZE_RATIO = 256 / 224     # shorter side before cropping, relative to the crop size


def _size(size) -> tuple[int, int]:
    if isinstance(size, (int, np.integer)) and not isinstance(size, bool):
        size = (int(size), int(size))
    try:
        h, w = (int(s) for s in size)
    except (TypeError, ValueError):
        raise GlobalNetError(f"size must be an int or (height, width), got {size!r}") from None
    if h <= 0 or w <= 0:
        raise GlobalNetError(f"size must be positive, got {size!r}")
    return h, w


def _stats(mean: Sequence[float], std: Sequence[float]) -> tuple[list[float], list[float]]:
    try:
        mean = [float(m) for m in mean]
        std = [float(s) for s in std]
    except (TypeError, ValueError):
        raise GlobalNetError(f"mean and std must be 3 numbers each, got {mean!r}, {std!r}") from None
    if len(mean) != 3 or len(std) != 3:
        raise GlobalNetError(f"mean and std must have 3 values (RGB), got {mean!r}, {std!r}")
    if any(not math.isfinite(s) or s <= 0 for s in std):
        raise GlobalNetError(f"std values must be positive, got {std!r}")
    return mean, std


def rgb_array(image, what: str = "") -> np.ndarray:
    """``image`` as an HxWx3 uint8 RGB array, else one message (``what`` goes before it)."""
    arr = np.asarray(image)
    if arr.ndim != 3 or arr.shape[2] != 3 or arr.dtype != np.uint8:
        raise GlobalNetError(f"{what}expected an HxWx3 uint8 RGB array, got shape {arr.shape} "
                             f"dtype {arr.dtype}")
    return arr


class AsImage:
    """HxWx3 uint8 RGB numpy array (or a CxHxW uint8 tensor) -> tv_tensors.Image."""

    def __call__(self, image):
        if isinstance(image, torch.Tensor):
            if image.ndim != 3 or image.shape[0] != 3:
                raise GlobalNetError(f"expected a 3xHxW image tensor, got shape {tuple(image.shape)}")
            return tv_tensors.Image(image)
        arr = rgb_array(image)
        return tv_tensors.Image(torch.from_numpy(np.ascontiguousarray(arr)).permute(2, 0, 1))

    def __repr__(self) -> str:
        return "AsImage()"


def _pipeline(size, mean, std, crop) -> v2.Compose:
    """Image, shorter side resized to size*256/224, then ``crop(h, w)`` (the steps that bring
    it to ``size``), to float in [0, 1], normalised with ``mean`` / ``std``."""
    h, w = _size(size)
    mean, std = _stats(mean, std)
    return v2.Compose([AsImage(), v2.Resize(round(min(h, w) * RESIZE_RATIO), antialias=True),
                       *crop(h, w), v2.ToDtype(torch.float32, scale=True), v2.Normalize(mean, std),
                       v2.ToPureTensor()])


def train_transform(size, mean, std, rotation: float = 10.0,
                    scale: tuple[float, float] = (0.7, 1.0)) -> v2.Compose:
    """Resize shorter side to size*256/224, rotate +-``rotation`` deg, flip, random-resized-crop
    (area ``scale``) to ``size``, to float in [0, 1], normalise with ``mean`` / ``std``."""
    return _pipeline(size, mean, std, lambda h, w: [
        v2.RandomRotation(rotation), v2.RandomHorizontalFlip(),
        v2.RandomResizedCrop((h, w), scale=tuple(scale), antialias=True)])


def eval_transform(size, mean, std) -> v2.Compose:
    """Resize shorter side to size*256/224, center-crop ``size``, to float, normalise."""
    return _pipeline(size, mean, std, lambda h, w: [v2.CenterCrop((h, w))])


class ModelInput:
    """The one model-input preprocessing: what training's evaluation, ``predict``, ``evaluate``,
    every explainer and the reference fusion feed a backbone.

    It is :func:`eval_transform` (shorter side to ``size*256/224``, centre crop ``size``, scale
    to [0, 1], normalise with the backbone's ``mean`` / ``std``), applied to whole batches of
    same-sized uint8 RGB frames on any device. :meth:`crop_box` says which part of a frame the
    model sees, so a heatmap can be put back where it belongs::

        mi = ModelInput.for_backbone("resnet18", 224)
        x = mi([frame_a, frame_b], device="cuda")      # (2, 3, 224, 224) float32
        x0, y0, x1, y1 = mi.crop_box(*frame_a.shape[:2])
    """

    def __init__(self, size, mean, std):
        self.size = _size(size)
        self.mean, self.std = _stats(mean, std)
        tf = eval_transform(self.size, self.mean, self.std)
        self._batch = v2.Compose(list(tf.transforms[1:]))     # minus the numpy -> Image step
        self._resize = tf.transforms[1]                        # its first step, for shrink()

    @classmethod
    def for_backbone(cls, backbone: str, size=None) -> "ModelInput":
        """The preprocessing of registry backbone ``backbone`` at ``size`` (default: its own)."""
        from globalnet.backbones import get_backbone_spec
        spec = get_backbone_spec(backbone)
        return cls(size or spec.input_size, spec.mean, spec.std)

    def __call__(self, frames, device=None) -> torch.Tensor:
        """``(N, 3, H, W)`` float32 from HxWx3 uint8 RGB frames (one array or a sequence); frames
        of one size are transformed as one batch, on ``device`` (default: the CPU)."""
        if isinstance(frames, np.ndarray) and frames.ndim == 3:
            frames = [frames]
        groups: dict[tuple, list[int]] = {}
        for i, f in enumerate(frames):
            groups.setdefault(rgb_array(f, f"frame {i}: ").shape, []).append(i)
        if not groups:
            raise GlobalNetError("no frames to preprocess")
        out: list = [None] * len(frames)
        for idx in groups.values():
            x = torch.from_numpy(np.stack([np.asarray(frames[i]) for i in idx]))
            x = x.to(device or "cpu", non_blocking=True).permute(0, 3, 1, 2)
            y = self._batch(x)
            for j, i in enumerate(idx):
                out[i] = y[j]
        return torch.stack(out)

    def shrink(self, frame) -> np.ndarray:
        """The first step alone on one frame (shorter side to ``size*256/224``), as an HxWx3
        uint8 array: ``self([self.shrink(f)])`` equals ``self([f])`` to the bit (the resize is
        the same operation on the same memory layout, and the batch step skips a resize to the
        size a frame already has). A video decoder thread does this step while the model runs,
        so the model's thread never copies or resizes full-size frames."""
        t = torch.from_numpy(np.ascontiguousarray(rgb_array(frame))).permute(2, 0, 1)
        return self._resize(t).permute(1, 2, 0).numpy()

    def crop_box(self, height: int, width: int) -> tuple[int, int, int, int]:
        """``(x0, y0, x1, y1)``: the part of a ``height`` x ``width`` frame the model sees, in
        the frame's pixels (torchvision's resize and centre-crop arithmetic)."""
        h, w = self.size
        short = round(min(h, w) * RESIZE_RATIO)
        if height <= width:
            rh, rw = short, int(short * width / height)
        else:
            rh, rw = int(short * height / width), short
        top, left = int(round((rh - h) / 2.0)), int(round((rw - w) / 2.0))
        sy, sx = height / rh, width / rw
        x0, y0 = max(0, round(left * sx)), max(0, round(top * sy))
        return x0, y0, min(width, round((left + w) * sx)), min(height, round((top + h) * sy))

    def __repr__(self) -> str:
        return f"ModelInput(size={self.size}, mean={self.mean}, std={self.std})"
