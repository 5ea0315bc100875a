"""The frame-count index of a list of videos, and its cache.

* **Index.** :class:`FrameIndex` holds, for each video, its label and number of frames
  (:func:`globalnet.video.count_frames`: demuxed packets where the container allows, else decoded
  frames). Global frame ``g`` maps to ``(video, frame)`` through the cumulative counts
  (:meth:`FrameIndex.locate`).
* **Cache.** The counts are cached in one JSON file, ``frame_counts_v1.json`` in
  :func:`cache_dir` (``$GLOBALNET_CACHE``, else ``$XDG_CACHE_HOME/globalnet``, else
  ``~/.cache/globalnet``; never the working directory). An entry is keyed by the video's absolute path and is valid only while the file's
  size and mtime (ns) are unchanged, so an edited video is counted again. The file is written
  atomically (:func:`synthgroup.io.atomic_write_text`), merged with what other processes wrote
  meanwhile.
"""
from __future__ import annotations

import json
import logging
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from globalnet import video
from globalnet.errors import SKIP_BAD_HINT, GlobalNetError
from synthgroup.io import atomic_write_text, cache_root
from synthgroup.logs import progress_disabled

from .scan import NUM_CLASSES, listing

log = logging.getLogger("globalnet.data")

CACHE_FILE = "frame_counts_v1.json"
_CACHE_VERSION = 1


def cache_dir() -> Path:
    """``$GLOBALNET_CACHE`` if set, else ``$XDG_CACHE_HOME/globalnet``, else
    ``~/.cache/globalnet`` (:func:`synthgroup.io.cache_root`)."""
    return cache_root("globalnet", "GLOBALNET_CACHE")


def _file_key(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return str(path.resolve()), int(st.st_size), int(st.st_mtime_ns)


def _load_cache(file: Path) -> dict:
    try:
        data = json.loads(file.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as e:
        log.warning("ignoring unreadable frame-count cache %s (%s)", file, e)
        return {}
    if not isinstance(data, dict) or data.get("version") != _CACHE_VERSION:
        return {}
    videos = data.get("videos")
    return videos if isinstance(videos, dict) else {}


def _bar(total: int, where: str):
    """The frame-count pass's tqdm bar on stderr: shown while ``globalnet``'s INFO lines are
    (the command lines without -q) and stderr is a terminal."""
    from tqdm import tqdm
    return tqdm(total=total, desc=f"{where}: counting frames", unit="video", file=sys.stderr,
                leave=False, dynamic_ncols=True, disable=progress_disabled(log.name))


def _save_cache(file: Path, new: dict) -> None:
    """Merge ``new`` into the cache file and replace it atomically; warn (don't fail) on error."""
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        videos = _load_cache(file)
        videos.update(new)
        atomic_write_text(file, json.dumps({"version": _CACHE_VERSION, "videos": videos}))
    except OSError as e:
        log.warning("could not write frame-count cache %s (%s); frames will be counted again", file, e)


class FrameIndex:
    """Videos with their labels and frame counts; global frame <-> (video, frame)."""

    def __init__(self, paths: Sequence[Path], labels: Sequence[int], counts: Sequence[int],
                 skipped: Sequence[tuple[Path, str]] = ()):
        self.paths = [Path(p) for p in paths]
        self.labels = np.asarray(labels, dtype=np.int64)
        self.counts = np.asarray(counts, dtype=np.int64)
        self.ends = np.cumsum(self.counts)
        self.starts = self.ends - self.counts
        self.skipped = list(skipped)

    @property
    def total(self) -> int:
        return int(self.ends[-1]) if len(self.ends) else 0

    def __len__(self) -> int:
        return len(self.paths)

    def locate(self, g):
        """Global frame index (int or int array) -> (video index, frame index within it)."""
        arr = np.asarray(g, dtype=np.int64)
        if arr.size and (arr.min() < 0 or arr.max() >= self.total):
            raise IndexError(f"global frame index out of range [0, {self.total})")
        v = np.searchsorted(self.ends, arr, side="right")
        f = arr - self.starts[v]
        if arr.ndim == 0:
            return int(v), int(f)
        return v, f

    def frame_labels(self, g):
        """Label of global frame(s) ``g``."""
        v, _ = self.locate(g)
        return self.labels[v]

    def class_counts(self) -> list[int]:
        """Frames per class id (0 Positive, 1 Neutral, 2 Negative)."""
        return [int(x) for x in np.bincount(self.labels, weights=self.counts,
                                            minlength=NUM_CLASSES)[:NUM_CLASSES]]

    @classmethod
    def build(cls, videos: Iterable[tuple[Path, int]], *, skip_bad: bool = False,
              use_cache: bool = True, cache_path: Path | str | None = None,
              workers: int | None = None, where: str = "dataset") -> "FrameIndex":
        """Count the frames of ``videos`` (cached); raise on unreadable ones unless ``skip_bad``."""
        videos = [(Path(p), int(y)) for p, y in videos]
        cache_file = Path(cache_path) if cache_path is not None else cache_dir() / CACHE_FILE
        cached = _load_cache(cache_file) if use_cache else {}
        counts: list[int | None] = [None] * len(videos)
        keys: list[tuple | None] = [None] * len(videos)
        bad: dict[int, str] = {}
        todo = []
        for i, (p, _) in enumerate(videos):
            try:
                keys[i] = _file_key(p)
            except OSError as e:
                bad[i] = f"cannot be read: {e.strerror or e}"
                continue
            if keys[i][1] == 0:
                bad[i] = "zero-length file"
                continue
            hit = cached.get(keys[i][0])
            if (isinstance(hit, dict) and hit.get("size") == keys[i][1]
                    and hit.get("mtime_ns") == keys[i][2] and int(hit.get("frames", 0)) > 0):
                counts[i] = int(hit["frames"])
            else:
                todo.append(i)
        new = {}
        if todo:
            log.info("%s: counting frames of %d video(s) (cached afterwards)", where, len(todo))
            n_workers = max(1, min(workers or min(4, os.cpu_count() or 1), len(todo)))
            count = video.count_frames  # looked up once, so tests can count the calls
            with ThreadPoolExecutor(n_workers) as pool, _bar(len(todo), where) as bar:
                counted = (pool.map(lambda i: count(videos[i][0]), todo) if n_workers > 1
                           else (count(videos[i][0]) for i in todo))
                results = []
                for n in counted:
                    results.append(n)
                    bar.update()
            for i, n in zip(todo, results):
                if n <= 0:
                    bad[i] = "no decodable video frames"
                    continue
                counts[i] = n
                path, size, mtime = keys[i]
                new[path] = {"size": size, "mtime_ns": mtime, "frames": n}
            if use_cache and new:
                _save_cache(cache_file, new)
        if bad:
            listed = [f"{videos[i][0]} ({why})" for i, why in sorted(bad.items())]
            if not skip_bad:
                raise GlobalNetError(f"{where}: {len(bad)} unreadable video(s): {listing(listed)} "
                                     f"({SKIP_BAD_HINT})")
            log.warning("%s: skipping %d unreadable video(s): %s", where, len(bad), listing(listed))
        keep = [i for i in range(len(videos)) if i not in bad]
        return cls([videos[i][0] for i in keep], [videos[i][1] for i in keep],
                   [counts[i] for i in keep], skipped=[(videos[i][0], bad[i]) for i in sorted(bad)])
