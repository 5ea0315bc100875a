"""A shared, persistent, lazily filled array of rendered assets (procedural faces and scenes).

Rendering a procedural face or scene costs about a millisecond; a 10,000-image run draws ~50,000
faces from a few thousand distinct (identity, expression, intensity) renders. The atlas keeps each
render once, in a memory-mapped file under the cache dir: every process (generate workers,
DataLoader workers, later runs) reads what any process already rendered. Slots are filled by
whoever needs them first; a per-slot flag is set only after the pixels are written, and two
processes racing on one slot write identical bytes. Without a writable cache dir it falls back
to process-local memory.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
from pathlib import Path
from typing import Callable

import numpy as np

from .cache import cache_dir


def code_hash(*files: str | Path) -> str:
    """Fingerprint of renderer source files: a changed renderer never reads stale pixels."""
    h = hashlib.sha256()
    for f in files:
        h.update(Path(f).read_bytes())
    return h.hexdigest()[:12]


class Atlas:
    """``n`` slots of ``shape`` uint8 pixels, keyed by ``name`` (which must encode every parameter)."""

    def __init__(self, name: str, n: int, shape: tuple[int, ...]):
        self.name, self.n, self.shape = name, n, tuple(shape)
        self._pixels: np.ndarray | None = None
        self._flags: np.ndarray | None = None
        self._pid: int | None = None

    def _open(self) -> None:
        self._pid = os.getpid()
        root = cache_dir() / "atlas"
        data, flags = root / f"{self.name}.pixels", root / f"{self.name}.flags"
        try:
            root.mkdir(parents=True, exist_ok=True)
            with open(root / f"{self.name}.lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                size = self.n * int(np.prod(self.shape))
                if not data.exists() or data.stat().st_size != size or not flags.exists():
                    for p, nbytes in ((data, size), (flags, self.n)):
                        tmp = p.with_name(p.name + ".tmp")
                        with open(tmp, "wb") as f:
                            f.truncate(nbytes)
                        os.replace(tmp, p)
            self._pixels = np.memmap(data, dtype=np.uint8, mode="r+", shape=(self.n, *self.shape))
            self._flags = np.memmap(flags, dtype=np.uint8, mode="r+", shape=(self.n,))
        except OSError:   # read-only or full disk: keep working, just without sharing
            self._pixels = np.zeros((self.n, *self.shape), np.uint8)
            self._flags = np.zeros(self.n, np.uint8)

    def get(self, slot: int, render: Callable[[], np.ndarray]) -> np.ndarray:
        """The pixels of ``slot``, rendering (and storing) them on first use."""
        if self._pid != os.getpid():   # forked: map again in this process
            self._open()
        if self._flags[slot]:
            return np.asarray(self._pixels[slot])   # a read-only view of the mapping, no copy
        img = render()
        if img.shape != self.shape or img.dtype != np.uint8:
            raise ValueError(f"atlas {self.name}: render gave {img.shape} {img.dtype}, expected {self.shape}")
        self._pixels[slot] = img
        self._flags[slot] = 1
        return img

    def filled(self) -> int:
        if self._pid != os.getpid():
            self._open()
        return int(np.count_nonzero(self._flags))

    def __getstate__(self):
        return {"name": self.name, "n": self.n, "shape": self.shape}

    def __setstate__(self, state):
        self.__init__(state["name"], state["n"], state["shape"])
