"""The per-epoch training set: N synthetic images generated on the fly plus M real frames.

Every item is a pure function of ``(seed, epoch, index)``: the synthetic image comes from
``synthgroup`` (itself a function of epoch and index), the real frame is drawn uniformly over all
frames / images of the real set from a per-epoch table, and the augmentation's random draws are
seeded per item. So the stream does not depend on the number of DataLoader workers, splits
cleanly across ranks with a ``DistributedSampler``, and a resumed run sees exactly the images the
uninterrupted run would have seen.
"""
from __future__ import annotations

import numpy as np
import torch
from torch.utils.data import Dataset

from .errors import GlobalNetError

_MASK = (1 << 63) - 1


def item_seed(seed: int, epoch: int, index: int) -> int:
    """A 63-bit seed for item ``index`` of ``epoch``: distinct per (seed, epoch, index)."""
    return _mix(int(seed), int(epoch), int(index)) & _MASK


def _mix(seed: int, epoch: int, index: int) -> int:
    x = (seed * 0x9E3779B97F4A7C15 + epoch * 0xBF58476D1CE4E5B9 + index * 0x94D049BB133111EB)
    x &= (1 << 64) - 1
    x ^= x >> 31
    x = (x * 0xD6E8FEB86659FD93) & ((1 << 64) - 1)
    x ^= x >> 32
    return x


class MixtureDataset(Dataset):
    """Items ``0..n_synthetic-1`` are synthetic, the next ``n_real`` are real draws.

    ``synthetic``: a ``SyntheticGroupDataset`` without transform (uint8 images out);
    ``real``: a map-style dataset of ``(uint8 image, label)`` read whole (``frames_per_epoch``
    unset). ``transform`` (the backbone's train transform) is applied to both, under a torch RNG
    seeded per item so the augmentation is reproducible too.
    """

    def __init__(self, synthetic, n_synthetic: int, real, n_real: int, transform, seed: int,
                 epoch: int):
        if n_real and real is None:
            raise GlobalNetError("n_real > 0 needs a real dataset")
        if n_real and len(real) == 0:
            raise GlobalNetError("the real dataset is empty")
        self.synthetic = synthetic if n_synthetic else None
        self.n_synthetic = int(n_synthetic)
        self.real = real if n_real else None
        self.n_real = int(n_real)
        self.transform = transform
        self.seed = int(seed)
        self.epoch = int(epoch)
        if self.synthetic is not None:
            if self.synthetic.length != self.n_synthetic:
                self.synthetic.length = self.n_synthetic
            self.synthetic.set_epoch(self.epoch)
        self.real_index = (np.random.default_rng([self.seed, 1, self.epoch])
                           .integers(len(real), size=self.n_real) if self.n_real else np.empty(0, int))

    def __len__(self) -> int:
        return self.n_synthetic + self.n_real

    def source_of(self, i: int) -> tuple[str, int]:
        """``("synthetic", index)`` or ``("real", index into the real set)`` for item ``i``."""
        if not 0 <= i < len(self):
            raise IndexError(i)
        if i < self.n_synthetic:
            return "synthetic", i
        return "real", int(self.real_index[i - self.n_synthetic])

    def __getitem__(self, i: int):
        kind, j = self.source_of(int(i))
        image, label = (self.synthetic if kind == "synthetic" else self.real)[j]
        if self.transform is not None:
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(item_seed(self.seed, self.epoch, int(i)))
                image = self.transform(image)
        return image, int(label)


def epoch_plan(config, has_real: bool) -> list[tuple[int, int, int]]:
    """``[(phase, n_synthetic, n_real)]`` per global epoch: the warm-up (phase 0, synthetic single
    faces), phase 1, then (with real data) phase 2."""
    plan = [(0, config.warmup_synthetic, 0)] * getattr(config, "warmup_epochs", 0)
    n_real1 = config.phase1_real if has_real else 0
    plan += [(1, config.phase1_synthetic, n_real1)] * config.phase1_epochs
    if has_real:
        plan += [(2, 0, config.phase2_real)] * config.phase2_epochs
    return [p for p in plan if p[1] + p[2] > 0]
