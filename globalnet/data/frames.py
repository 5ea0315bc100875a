"""Frame datasets: single video frames drawn uniformly over all frames of all videos.

* **Sampling.** With ``frames_per_epoch`` set, item ``i`` of epoch ``e`` is a global frame drawn
  uniformly from all frames of all videos (so a video with 4x the frames is drawn 4x as often),
  a pure function of ``(seed, e, i)``; the epoch lives in shared memory so ``set_epoch`` reaches
  persistent DataLoader workers. Without it, item ``i`` is global frame ``i`` (evaluation).
* **Index and decoding.** The frame counts come from :class:`~globalnet.data.frame_index.FrameIndex`
  (cached); frames are read by :class:`globalnet.video.FrameReader`.
* **Extraction.** :func:`extract_frames` writes a one-off JPEG copy as a GAF-style tree.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable, Sequence

import cv2
import numpy as np
from torch.utils.data import Dataset

from globalnet.errors import GlobalNetError
from globalnet.video import FrameReader, iter_frames

from synthgroup.labels import CLASS_NAMES
from synthgroup.torchdata import SharedEpoch

from .frame_index import FrameIndex
from .scan import LabelledImages, check_classes, normalize_split


class FrameDataset(SharedEpoch, LabelledImages, Dataset):
    """Map-style dataset of single video frames; base of ``VGAFFrames`` / ``VideoFolderFrames``.

    ``item i -> (image, label)``: image is HxWx3 uint8 RGB, or ``transform(image)``.
    ``frames_per_epoch=None``: ``len()`` is the number of frames, item i is global frame i.
    ``frames_per_epoch=N``: ``len()`` is N, item i is a frame drawn uniformly over all frames,
    a pure function of ``(seed, epoch, i)``; call :meth:`set_epoch` each epoch.
    ``skipped`` lists ``(path, reason)`` for videos left out (only with ``skip_bad=True``).
    """

    def __init__(self, videos: Sequence[tuple[Path, int]], *, transform: Callable | None = None,
                 frames_per_epoch: int | None = None, seed: int = 0, skip_bad: bool = False,
                 allow_missing_classes: bool = False, use_cache: bool = True,
                 cache_path: Path | str | None = None, index_workers: int | None = None,
                 max_open: int = 4, split: str | None = None, where: str = "dataset"):
        if frames_per_epoch is not None and (isinstance(frames_per_epoch, bool)
                                             or int(frames_per_epoch) <= 0):
            raise GlobalNetError(f"frames_per_epoch must be a positive integer, got {frames_per_epoch!r}")
        if int(seed) < 0:
            raise GlobalNetError(f"seed must be >= 0, got {seed!r}")
        self.where = where
        self.split = split
        self.transform = transform
        self.frames_per_epoch = None if frames_per_epoch is None else int(frames_per_epoch)
        self.seed = int(seed)
        self.index = FrameIndex.build(videos, skip_bad=skip_bad, use_cache=use_cache,
                                      cache_path=cache_path, workers=index_workers, where=where)
        self.skipped = self.index.skipped
        if self.index.total == 0:
            raise GlobalNetError(f"{where}: no readable videos")
        check_classes(self.class_counts(), where, allow_missing_classes, what="frames")
        self._share_epoch()
        self._reader = FrameReader(max_open)

    # epochs -------------------------------------------------------------------------
    def set_epoch(self, epoch: int) -> None:
        if int(epoch) < 0:
            raise GlobalNetError(f"epoch must be >= 0, got {epoch!r}")
        super().set_epoch(epoch)

    # indexing -----------------------------------------------------------------------
    def __len__(self) -> int:
        return self.frames_per_epoch if self.frames_per_epoch is not None else self.index.total

    def global_index(self, i: int, epoch: int | None = None) -> int:
        """The global frame that item ``i`` reads in ``epoch`` (default: the current epoch)."""
        i = int(i)
        if not 0 <= i < len(self):
            raise IndexError(f"item {i} out of range [0, {len(self)})")
        if self.frames_per_epoch is None:
            return i
        e = self.epoch if epoch is None else int(epoch)
        return int(np.random.default_rng([self.seed, e, i]).integers(self.index.total))

    def frame_of(self, i: int, epoch: int | None = None) -> tuple[int, int]:
        """``(video index into self.index.paths, frame index)`` read by item ``i``; no decoding."""
        return self.index.locate(self.global_index(i, epoch))

    def read(self, i: int) -> tuple[np.ndarray, int]:
        v, f = self.frame_of(i)
        return self._reader.read(self.index.paths[v], f), int(self.index.labels[v])

    # reporting ----------------------------------------------------------------------
    @property
    def videos(self) -> list[tuple[Path, int]]:
        return list(zip(self.index.paths, (int(x) for x in self.index.labels)))

    def class_counts(self) -> list[int]:
        """Frames per class id over the whole set (not the per-epoch draws)."""
        return self.index.class_counts()

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({self.where}, videos={len(self.index)}, "
                f"frames={self.index.total}, len={len(self)}, class_counts={self.class_counts()})")


# --------------------------------------------------------------------------- extraction

def extract_frames(dataset, out_dir: Path | str, every: int = 1, split: str | None = None,
                   overwrite: bool = False, quality: int = 95) -> Path:
    """Write every ``every``-th frame of each video as JPEG in a GAF-style tree.

    ``dataset`` is a frame dataset (``VGAFFrames``/``VideoFolderFrames``) or any sequence of
    ``(video path, class id)``. Output: ``out_dir/<split>/<Positive|Neutral|Negative>/
    <video stem>_<frame:06d>.jpg``, readable by ``GAFImages(out_dir, split)``. The split folder is
    written under a temporary name and renamed when complete; an existing one is an error unless
    ``overwrite``. Returns ``out_dir``.
    """
    if isinstance(every, bool) or int(every) < 1:
        raise GlobalNetError(f"every must be an integer >= 1, got {every!r}")
    split = normalize_split(split or getattr(dataset, "split", None))
    if split is None:
        raise GlobalNetError("extract_frames: the dataset has no split; pass split='train' or 'val'")
    if hasattr(dataset, "index"):
        videos = [(p, int(y)) for p, y in zip(dataset.index.paths, dataset.index.labels)]
    else:
        videos = [(Path(p), int(y)) for p, y in dataset]
    out_dir = Path(out_dir).expanduser()
    final = out_dir / split
    if final.exists() and not overwrite:
        raise GlobalNetError(f"{final} already exists (pass overwrite=True to replace it)")
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{split}.partial-", dir=out_dir))
    try:
        used: set[tuple[int, str]] = set()
        for vi, (path, label) in enumerate(videos):
            stem = path.stem
            if (label, stem) in used:
                stem = f"{stem}_v{vi}"
            used.add((label, stem))
            n = 0
            (tmp / CLASS_NAMES[label]).mkdir(exist_ok=True)
            for k, rgb in iter_frames(path, every):
                target = tmp / CLASS_NAMES[label] / f"{stem}_{k:06d}.jpg"
                bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
                if not cv2.imwrite(str(target), bgr, [cv2.IMWRITE_JPEG_QUALITY, int(quality)]):
                    raise GlobalNetError(f"cannot write {target}")
                n += 1
            if n == 0:
                raise GlobalNetError(f"extract_frames: no frames decoded from video {path}")
        if final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir
