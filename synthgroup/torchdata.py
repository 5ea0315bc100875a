"""On-the-fly synthetic images as a torch ``Dataset``.

Item i of epoch e is sample ``e * len + i`` of the generator: a pure function of (seed, e, i),
so DataLoader workers and DistributedSampler ranks need no coordination, and every epoch is a
fresh draw. The epoch lives in shared memory so ``set_epoch`` also reaches persistent workers.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import torch
from torch.utils.data import Dataset

from .config import GenConfig


class SharedEpoch:
    """``set_epoch`` / ``epoch`` of a dataset whose items depend on the epoch: the epoch lives in
    shared memory, so DataLoader workers (persistent ones too) see ``set_epoch``."""

    _epoch: torch.Tensor

    def _share_epoch(self, epoch: int = 0) -> None:
        self._epoch = torch.tensor([epoch], dtype=torch.long).share_memory_()

    def set_epoch(self, epoch: int) -> None:
        self._epoch[0] = int(epoch)

    @property
    def epoch(self) -> int:
        return int(self._epoch[0])


class SyntheticGroupDataset(SharedEpoch, Dataset):
    """Yields ``(image, label)`` or, with ``return_metadata``, ``(image, label, record)``.

    ``transform`` takes the HxWx3 uint8 RGB array and returns a tensor; by default the image
    becomes a float CHW tensor in [0, 1] (normalisation belongs to the backbone's registry entry).
    """

    def __init__(self, config: GenConfig | None = None, length: int = 10_000,
                 transform: Callable[[np.ndarray], torch.Tensor] | None = None,
                 return_metadata: bool = False, epoch: int = 0):
        self.config = (config or GenConfig()).validate()
        self.length = int(length)
        self.transform = transform
        self.return_metadata = return_metadata
        self._share_epoch(epoch)
        self._sources = None

    @property
    def sources(self):
        """The config's face and background sources (a ``synthgroup.compose.Sources``)."""
        if self._sources is None:   # built lazily, once per worker process
            from .compose import Sources
            self._sources = Sources(self.config)
        return self._sources

    def __len__(self) -> int:
        return self.length

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_sources"] = None    # caches are per process; rebuild instead of pickling
        return state

    def __getitem__(self, i: int):
        if not 0 <= i < self.length:
            raise IndexError(i)
        from .compose import make_sample
        sample = make_sample(self.config, self.sources, self.epoch * self.length + int(i))
        if self.transform is not None:
            x = self.transform(sample.image)
        else:
            x = torch.from_numpy(sample.image).permute(2, 0, 1).float().div_(255.0)
        y = sample.record["label"]
        if self.return_metadata:
            return x, y, sample.record
        return x, y


def collate_with_metadata(batch):
    """Collate ``(image, label, record)`` items: tensors stacked, records kept as a list."""
    xs, ys, recs = zip(*batch)
    return torch.stack(xs), torch.tensor(ys), list(recs)
