"""A shared, persistent, lazily filled array of rendered assets (procedural faces and scenes).

Rendering a procedural face or scene costs about a millisecond; a 10,000-image run draws ~50,000
faces from a few thousand distinct (identity, expression, intensity) renders. The atlas keeps each
render once, in a memory-mapped file under the cache dir: every process (generate workers,
DataLoader workers, later runs) reads what any process already rendered. Slots are filled by
whoever needs them first; a per-slot flag is set only after the pixels are written, and two
processes racing on one slot write identical bytes. The file's blocks are reserved when it is
made, so a full disk is noticed then (not as SIGBUS mid-run). Without a writable cache dir with
room for it, it falls back to process-local memory.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Callable

import numpy as np

from ..io import atomic_path, file_lock
from .cache import cache_dir


def _reserve(fd: int, nbytes: int) -> None:
    """Give the file ``nbytes`` of real disk blocks now: a full disk then fails here with
    ``OSError`` instead of killing the process with SIGBUS when the mapping is written later."""
    if nbytes:
        os.posix_fallocate(fd, 0, nbytes)


def code_hash(*files: str | Path, text: str = "") -> str:
    """Fingerprint of renderer source files (and of ``text``, e.g. the source of the functions
    that post-process a render): a changed renderer never reads stale pixels."""
    h = hashlib.sha256()
    for f in files:
        h.update(Path(f).read_bytes())
    h.update(text.encode("utf-8"))
    return h.hexdigest()[:12]


#: Larger atlases are not shared through a file (a 2048 px scene atlas would take 10 GB of disk).
MAX_SHARED_BYTES = 2 << 30


class Atlas:
    """``n`` slots of ``shape`` uint8 pixels, keyed by ``name`` (which must encode every parameter)."""

    def __init__(self, name: str, n: int, shape: tuple[int, ...]):
        self.name, self.n, self.shape = name, n, tuple(shape)
        self._pixels: np.ndarray | None = None
        self._flags: np.ndarray | None = None
        self._local: dict[int, np.ndarray] | None = None   # the fallback: this process only
        self._pid: int | None = None

    def _open(self) -> None:
        self._pid = os.getpid()
        self._pixels = self._flags = self._local = None
        size = self.n * int(np.prod(self.shape))
        root = cache_dir() / "atlas"
        data, flags = root / f"{self.name}.pixels", root / f"{self.name}.flags"
        try:
            if size > MAX_SHARED_BYTES:
                raise OSError("too large to share")
            root.mkdir(parents=True, exist_ok=True)
            with file_lock(root / f"{self.name}.lock"):
                if not data.exists() or data.stat().st_size != size or not flags.exists():
                    for p, nbytes in ((data, size), (flags, self.n)):
                        with atomic_path(p) as tmp, open(tmp, "wb") as f:
                            _reserve(f.fileno(), nbytes)
                else:   # a file made sparse (by an older version) gets its blocks now
                    with open(data, "r+b") as f:
                        _reserve(f.fileno(), size)
            # plain ndarray views of the mappings (the memmaps stay referenced as their bases):
            # indexing a memmap subclass costs ~10x more than indexing an ndarray
            self._pixels = np.memmap(data, dtype=np.uint8, mode="r+", shape=(self.n, *self.shape)).view(np.ndarray)
            self._flags = np.memmap(flags, dtype=np.uint8, mode="r+", shape=(self.n,)).view(np.ndarray)
        except OSError:   # read-only or full disk: keep working, just without sharing
            self._local = {}

    def get(self, slot: int, render: Callable[[], np.ndarray]) -> np.ndarray:
        """The pixels of ``slot``, rendering (and storing) them on first use."""
        if self._pid != os.getpid():   # forked: map again in this process
            self._open()
        if self._local is not None:
            if slot not in self._local:
                self._local[slot] = self._checked(render())
            return self._local[slot]
        if self._flags[slot]:
            return self._pixels[slot]   # a view of the mapping, no copy
        self._pixels[slot] = self._checked(render())
        self._flags[slot] = 1
        return self._pixels[slot]

    def _checked(self, img: np.ndarray) -> np.ndarray:
        if img.shape != self.shape or img.dtype != np.uint8:
            raise ValueError(f"atlas {self.name}: render gave {img.shape} {img.dtype}, expected {self.shape}")
        return img

    def __getstate__(self):
        return {"name": self.name, "n": self.n, "shape": self.shape}

    def __setstate__(self, state):
        self.__init__(state["name"], state["n"], state["shape"])
