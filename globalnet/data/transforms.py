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


class AsImage:
    """HxWx3 uint8 RGB numpy array (or a CxHxW uint8 tensor) -> tv_tensors.Image."""

    def __call__(self, image):
        if isinstance(image, torch.Tensor):
            if image.ndim != 3 or image.shape[0] != 3:
                raise GlobalNetError(f"expected a 3xHxW image tensor, got shape {tuple(image.shape)}")
            return tv_tensors.Image(image)
        arr = np.asarray(image)
        if arr.ndim != 3 or arr.shape[2] != 3 or arr.dtype != np.uint8:
            raise GlobalNetError(f"expected an HxWx3 uint8 RGB array, got shape {arr.shape} "
                                 f"dtype {arr.dtype}")
        return tv_tensors.Image(torch.from_numpy(np.ascontiguousarray(arr)).permute(2, 0, 1))

    def __repr__(self) -> str:
        return "AsImage()"


def train_transform(size, mean, std, rotation: float = 10.0,
                    scale: tuple[float, float] = (0.7, 1.0)) -> v2.Compose:
    """Resize shorter side to size*256/224, rotate +-``rotation`` deg, flip, random-resized-crop
    (area ``scale``) to ``size``, to float in [0, 1], normalise with ``mean`` / ``std``."""
    h, w = _size(size)
    mean, std = _stats(mean, std)
    return v2.Compose([
        AsImage(),
        v2.Resize(round(min(h, w) * RESIZE_RATIO), antialias=True),
        v2.RandomRotation(rotation),
        v2.RandomHorizontalFlip(),
        v2.RandomResizedCrop((h, w), scale=tuple(scale), antialias=True),
        v2.ToDtype(torch.float32, scale=True),
        v2.Normalize(mean, std),
        v2.ToPureTensor(),
    ])


def eval_transform(size, mean, std) -> v2.Compose:
    """Resize shorter side to size*256/224, center-crop ``size``, to float, normalise."""
    h, w = _size(size)
    mean, std = _stats(mean, std)
    return v2.Compose([
        AsImage(),
        v2.Resize(round(min(h, w) * RESIZE_RATIO), antialias=True),
        v2.CenterCrop((h, w)),
        v2.ToDtype(torch.float32, scale=True),
        v2.Normalize(mean, std),
        v2.ToPureTensor(),
    ])
