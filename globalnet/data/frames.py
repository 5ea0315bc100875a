"""Frame index, decoding and uniform frame sampling shared by the video datasets.

* **Classes.** Every dataset labels with ``CLASS_NAMES``: 0 Positive, 1 Neutral, 2 Negative.
  Class folders are matched case-insensitively against these three names, nothing else.
* **Frame index.** :class:`FrameIndex` holds, for each video, its number of frames, counted by
  decoding (``grab()``) the whole video once: ``CAP_PROP_FRAME_COUNT`` is often wrong. Global frame
  ``g`` maps to ``(video, frame)`` through the cumulative counts (:meth:`FrameIndex.locate`).
* **Cache.** The counts are cached in one JSON file, ``frame_counts_v1.json`` in
  :func:`cache_dir` (``$GLOBALNET_CACHE``, else ``~/.cache/globalnet``; never the working
  directory). An entry is keyed by the video's absolute path and is valid only while the file's
  size and mtime (ns) are unchanged, so an edited video is counted again. The file is written
  atomically (temporary file + ``os.replace``), merged with what other processes wrote meanwhile.
* **Sampling.** With ``frames_per_epoch`` set, item ``i`` of epoch ``e`` is a global frame drawn
  uniformly from all frames of all videos (so a video with 4x the frames is drawn 4x as often),
  a pure function of ``(seed, e, i)``; the epoch lives in shared memory so ``set_epoch`` reaches
  persistent DataLoader workers. Without it, item ``i`` is global frame ``i`` (evaluation).
* **Decoding.** OpenCV (``CAP_PROP_POS_FRAMES`` seek, or grabbing forward for short gaps, with the
  position verified and a sequential re-read if a seek lands elsewhere), PyAV if OpenCV cannot
  open a file. Each process keeps a small LRU of open videos, dropped after a fork.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
import logging
import os
import shutil
import tempfile
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

import cv2
import numpy as np
import torch
from torch.utils.data import Dataset

from globalnet.errors import SKIP_BAD_HINT, GlobalNetError

from synthgroup.labels import CLASS_NAMES

log = logging.getLogger("globalnet.data")
NUM_CLASSES = len(CLASS_NAMES)
_CLASS_BY_LOWER = {name.lower(): i for i, name in enumerate(CLASS_NAMES)}

#: the file types every reader of the toolkit accepts (predict, explain, gaf:, videos:, vgaf:)
VIDEO_EXTENSIONS = (".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv")
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff")

CACHE_FILE = "frame_counts_v1.json"
_CACHE_VERSION = 1
_SEEK_GAP = 32          # grab forward instead of seeking when the target is this close ahead
_SHOW = 5               # how many names an error message lists before "and N more"


# --------------------------------------------------------------------------- small helpers

def class_id(name: str) -> int | None:
    """Class id of a folder name (Positive / Neutral / Negative, any case), else None."""
    return _CLASS_BY_LOWER.get(name.strip().lower())


def normalize_split(split: str | None) -> str | None:
    """``"train"`` / ``"val"`` (``"validation"`` accepted), any case; None stays None."""
    if split is None:
        return None
    s = str(split).strip().lower()
    if s in ("val", "valid", "validation"):
        return "val"
    if s == "train":
        return "train"
    raise GlobalNetError(f"unknown split {split!r}: expected 'train' or 'val'")


def child_named(directory: Path, name: str, want_dir: bool = True) -> Path | None:
    """The entry of ``directory`` whose name equals ``name`` ignoring case (exact match first)."""
    exact = directory / name
    if exact.exists() and exact.is_dir() == want_dir:
        return exact
    try:
        entries = sorted(directory.iterdir())
    except OSError:
        return None
    for p in entries:
        if p.name.lower() == name.lower() and p.is_dir() == want_dir:
            return p
    return None


def _listing(names: Sequence, n: int = _SHOW) -> str:
    names = [str(x) for x in names]
    head = ", ".join(names[:n])
    return head + (f" (and {len(names) - n} more)" if len(names) > n else "")


def check_classes(counts: Sequence[int], where: str, allow_missing_classes: bool = False,
                  what: str = "samples") -> None:
    """Raise naming every class that has no samples, unless ``allow_missing_classes``."""
    missing = [CLASS_NAMES[c] for c in range(NUM_CLASSES) if counts[c] == 0]
    if not missing:
        return
    if allow_missing_classes:
        log.warning("%s: no %s for class %s", where, what, ", ".join(missing))
        return
    raise GlobalNetError(f"{where}: class {', '.join(missing)} has no {what} "
                         "(pass allow_missing_classes=True to train without it)")


def scan_class_folders(directory: Path, extensions: Sequence[str], kind: str,
                       allow_missing_classes: bool = False
                       ) -> tuple[list[tuple[Path, int]], list[tuple[Path, str]]]:
    """Files under ``directory/<Positive|Neutral|Negative>/`` (any case, searched recursively).

    Returns ``(items, ignored)``: ``items`` are ``(path, class_id)`` sorted by class then path;
    ``ignored`` are non-hidden files with other extensions, with the reason. Raises on a folder
    that is not one of the three classes, on media files outside any class folder, on an empty
    class folder and on a missing class (the last two unless ``allow_missing_classes``).
    """
    directory = Path(directory)
    exts = tuple(e.lower() for e in extensions)
    found: dict[int, Path] = {}
    unknown, stray = [], []
    for p in sorted(directory.iterdir()):
        if p.name.startswith("."):
            continue
        if p.is_dir():
            c = class_id(p.name)
            if c is None:
                unknown.append(p.name)
            elif c in found:
                raise GlobalNetError(f"{directory}: two folders for class {CLASS_NAMES[c]}: "
                                     f"{found[c].name!r} and {p.name!r}")
            else:
                found[c] = p
        elif p.suffix.lower() in exts:
            stray.append(p.name)
    if unknown:
        hint = ""
        if any(u.lower() in ("train", "val", "valid", "validation") for u in unknown):
            hint = "; for train/val subfolders pass split='train' or 'val'"
        raise GlobalNetError(f"{directory}: unknown class folder {_listing(unknown)} "
                             f"(expected {', '.join(CLASS_NAMES)}, any case{hint})")
    if stray:
        raise GlobalNetError(f"{directory}: {len(stray)} {kind} file(s) outside any class folder: "
                             f"{_listing(stray)} (put them in {'/'.join(CLASS_NAMES)}/)")
    items: list[tuple[Path, int]] = []
    ignored: list[tuple[Path, str]] = []
    empty = []
    for c in range(NUM_CLASSES):
        if c not in found:
            continue
        files = []
        for f in sorted(found[c].rglob("*")):
            if any(part.startswith(".") for part in f.relative_to(found[c]).parts) or not f.is_file():
                continue
            if f.suffix.lower() in exts:
                files.append(f)
            else:
                ignored.append((f, f"not a {kind} file ({', '.join(exts)})"))
        if not files:
            empty.append(found[c])
        items += [(f, c) for f in files]
    if empty and not allow_missing_classes:
        raise GlobalNetError(f"class folder {empty[0]} has no {kind} files ({', '.join(exts)})"
                             " (pass allow_missing_classes=True to train without that class)")
    missing = [CLASS_NAMES[c] for c in range(NUM_CLASSES) if c not in found]
    if missing and not allow_missing_classes:
        raise GlobalNetError(f"{directory}: no class folder for {', '.join(missing)} "
                             "(pass allow_missing_classes=True to train without it)")
    for f, why in ignored:
        log.warning("ignored %s: %s", f, why)
    return items, ignored


def resolve_split_dir(root: Path, split: str | None) -> Path:
    """``root/<split>`` (any case) if it exists, else ``root`` itself (one tree for any split)."""
    root = Path(root)
    if not root.is_dir():
        raise GlobalNetError(f"dataset folder {root} does not exist or is not a folder")
    split = normalize_split(split)
    if split is not None:
        names = ("val", "valid", "validation") if split == "val" else ("train",)
        for name in names:
            d = child_named(root, name)
            if d is not None:
                return d
    return root


# --------------------------------------------------------------------------- cache

def cache_dir() -> Path:
    """``$GLOBALNET_CACHE`` if set, else ``~/.cache/globalnet`` (absolute; never the cwd)."""
    env = os.environ.get("GLOBALNET_CACHE", "").strip()
    if env:
        return Path(env).expanduser().resolve()
    try:
        return Path.home().resolve() / ".cache" / "globalnet"
    except (RuntimeError, KeyError):  # no home directory
        return Path(tempfile.gettempdir()) / f"globalnet-cache-{os.getuid()}"


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


def _save_cache(file: Path, new: dict) -> None:
    """Merge ``new`` into the cache file and replace it atomically; warn (don't fail) on error."""
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        videos = _load_cache(file)
        videos.update(new)
        fd, tmp = tempfile.mkstemp(prefix=".frame_counts.", suffix=".tmp", dir=file.parent)
        try:
            with os.fdopen(fd, "w") as f:
                json.dump({"version": _CACHE_VERSION, "videos": videos}, f)
            os.replace(tmp, file)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as e:
        log.warning("could not write frame-count cache %s (%s); counts will be decoded again", file, e)


# --------------------------------------------------------------------------- decoding

@dataclass
class DecodeStats:
    """What a decode saw: fps and frame count claimed by the container, frames decoded, and
    why decoding stopped early (empty when it reached the end)."""

    fps: float | None = None
    claimed: int | None = None
    decoded: int = 0
    error: str = ""
    backend: str = ""


def _open_cv(source, quiet: bool = False) -> cv2.VideoCapture | None:
    """An opened ``cv2.VideoCapture`` or None. ``quiet`` hides OpenCV's own warnings (our
    GlobalNetError says what failed)."""
    old = None
    if quiet:
        try:
            old = cv2.utils.logging.getLogLevel()
            cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)
        except AttributeError:
            old = None
    if isinstance(source, os.PathLike):
        source = str(source)
    try:
        cap = cv2.VideoCapture(source)
    finally:
        if old is not None:
            cv2.utils.logging.setLogLevel(old)
    if cap.isOpened():
        return cap
    cap.release()
    return None


def _count_frames(path: Path) -> tuple[int, int]:
    """(frames counted by decoding, frames the container claims). 0 counted = undecodable."""
    cap = _open_cv(path)
    if cap is not None:
        try:
            claimed = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
            n = 0
            while cap.grab():
                n += 1
        finally:
            cap.release()
        if n > 0:
            return n, claimed
    return _count_frames_av(path), -1


def _count_frames_av(path: Path) -> int:
    try:
        import av
        with av.open(str(path)) as container:
            if not container.streams.video:
                return 0
            return sum(1 for _ in container.decode(video=0))
    except Exception:  # noqa: BLE001 - any PyAV failure means "cannot decode"
        return 0


class _CvVideo:
    def __init__(self, path: Path, cap):
        self.path, self.cap, self.pos = path, cap, 0

    def _read(self) -> np.ndarray | None:
        ok, frame = self.cap.read()
        if not ok or frame is None:
            return None
        self.pos += 1
        return frame

    def read(self, k: int) -> np.ndarray | None:
        if 0 <= k - self.pos <= _SEEK_GAP:
            while self.pos < k:
                if not self.cap.grab():
                    return None
                self.pos += 1
            return self._read()
        self.cap.set(cv2.CAP_PROP_POS_FRAMES, k)
        self.pos = k
        frame = self._read()
        if frame is not None and int(round(self.cap.get(cv2.CAP_PROP_POS_FRAMES))) == k + 1:
            return frame
        # The seek landed elsewhere (or failed): re-read from the start, which is always exact.
        self.cap.release()
        self.cap = _open_cv(self.path)
        self.pos = 0
        if self.cap is None:
            return None
        log.debug("%s: seek to frame %d missed; reading sequentially", self.path, k)
        return self._sequential(k)

    def _sequential(self, k: int) -> np.ndarray | None:
        while self.pos < k:
            if not self.cap.grab():
                return None
            self.pos += 1
        return self._read()

    def close(self) -> None:
        self.cap.release()


class _AvVideo:
    """PyAV fallback: sequential decoding, reopened to go backwards (seeks are not exact)."""

    def __init__(self, path: Path):
        import av
        self.path, self._av = path, av
        self._open()

    def _open(self) -> None:
        self.container = self._av.open(str(self.path))
        self.frames = self.container.decode(video=0)
        self.pos = 0

    def read(self, k: int) -> np.ndarray | None:
        if k < self.pos:
            self.close()
            self._open()
        try:
            while True:
                frame = next(self.frames)
                self.pos += 1
                if self.pos - 1 == k:
                    return frame.to_ndarray(format="bgr24")
        except (StopIteration, Exception):  # noqa: BLE001
            return None

    def close(self) -> None:
        self.container.close()


def _open_video(path: Path):
    cap = _open_cv(path)
    if cap is not None:
        return _CvVideo(path, cap)
    try:
        return _AvVideo(path)
    except Exception as e:  # noqa: BLE001
        raise GlobalNetError(f"cannot open video {path} ({e})") from None


class FrameReader:
    """Reads single frames as HxWx3 uint8 RGB, keeping a few videos open (LRU, per process)."""

    def __init__(self, max_open: int = 4):
        self.max_open = max(1, int(max_open))
        self._open: OrderedDict[str, object] = OrderedDict()
        self._pid = os.getpid()
        self._lock = threading.Lock()

    def __getstate__(self):
        return {"max_open": self.max_open}

    def __setstate__(self, state):
        self.__init__(state["max_open"])

    def read(self, path: Path | str, frame: int) -> np.ndarray:
        path = Path(path)
        with self._lock:
            if self._pid != os.getpid():  # forked: the parent's decoders are not ours to use
                self._open = OrderedDict()
                self._pid = os.getpid()
            key = str(path)
            video = self._open.pop(key, None)
            if video is None:
                video = _open_video(path)
            self._open[key] = video
            while len(self._open) > self.max_open:
                _, old = self._open.popitem(last=False)
                old.close()
            bgr = video.read(int(frame))
        if bgr is None:
            raise GlobalNetError(f"cannot decode frame {frame} of video {path} "
                                 "(the file changed or is damaged; its cached frame count is stale?)")
        return np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))

    def close(self) -> None:
        with self._lock:
            for v in self._open.values():
                v.close()
            self._open.clear()


def decode_frames(path: Path, wanted: Callable[[int], bool], backend: str, stats: DecodeStats,
                 stop_after: int | None = None) -> Iterator[tuple[int, np.ndarray]]:
    """Yield ``(index, HxWx3 uint8 RGB)`` for the frames ``wanted(index)``, decoding in order.

    ``stats.decoded`` counts every frame decoded; ``stats.error`` says why decoding stopped early
    (PyAV raises on damaged data; OpenCV just stops, which the caller compares with the count).
    """
    if backend == "opencv":
        cap = _open_cv(str(path))
        if cap is None:
            raise GlobalNetError(f"cannot open video {path} with OpenCV")
        try:
            k = 0
            while stop_after is None or k <= stop_after:
                if wanted(k):
                    ok, bgr = cap.read()
                    if not ok or bgr is None:
                        break
                    stats.decoded = k + 1
                    yield k, np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
                else:
                    if not cap.grab():
                        break
                    stats.decoded = k + 1
                k += 1
        finally:
            cap.release()
        return
    import av
    try:
        container = av.open(str(path))
    except Exception as e:  # noqa: BLE001
        raise GlobalNetError(f"cannot open video {path} with PyAV ({type(e).__name__})") from None
    with container:
        it = container.decode(video=0)
        k = 0
        while stop_after is None or k <= stop_after:
            try:
                frame = next(it)
            except StopIteration:
                break
            except Exception as e:  # noqa: BLE001 - damaged data: keep what was decoded
                stats.error = f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
                break
            stats.decoded = k + 1
            if wanted(k):
                yield k, frame.to_ndarray(format="rgb24")
            k += 1


def iter_frames(path: Path | str, every: int = 1) -> Iterator[tuple[int, np.ndarray]]:
    """Yield ``(frame_index, HxWx3 uint8 RGB)`` for frames 0, every, 2*every, ... in order
    (OpenCV when it opens the file, else PyAV)."""
    if int(every) < 1:
        raise GlobalNetError(f"every must be >= 1, got {every!r}")
    every = int(every)
    path = Path(path)
    cap = _open_cv(path)
    backend = "opencv" if cap is not None else "pyav"
    if cap is not None:
        cap.release()
    yield from decode_frames(path, lambda k: k % every == 0, backend, DecodeStats())


# --------------------------------------------------------------------------- index

class FrameIndex:
    """Videos with their labels and decoded frame counts; global frame <-> (video, frame)."""

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
            log.info("%s: counting frames of %d video(s) by decoding (cached afterwards)", where, len(todo))
            n_workers = max(1, min(workers or min(4, os.cpu_count() or 1), len(todo)))
            count = _count_frames  # looked up once, so tests can count the calls
            if n_workers == 1:
                results = [count(videos[i][0]) for i in todo]
            else:
                with ThreadPoolExecutor(n_workers) as pool:
                    results = list(pool.map(lambda i: count(videos[i][0]), todo))
            for i, (n, claimed) in zip(todo, results):
                if n <= 0:
                    bad[i] = "no decodable video frames"
                    continue
                counts[i] = n
                if claimed >= 0 and claimed != n:
                    log.debug("%s: container claims %d frames, decoded %d", videos[i][0], claimed, n)
                path, size, mtime = keys[i]
                new[path] = {"size": size, "mtime_ns": mtime, "frames": n}
            if use_cache and new:
                _save_cache(cache_file, new)
        if bad:
            listed = [f"{videos[i][0]} ({why})" for i, why in sorted(bad.items())]
            if not skip_bad:
                raise GlobalNetError(f"{where}: {len(bad)} unreadable video(s): {_listing(listed)} "
                                     f"({SKIP_BAD_HINT})")
            log.warning("%s: skipping %d unreadable video(s): %s", where, len(bad), _listing(listed))
        keep = [i for i in range(len(videos)) if i not in bad]
        return cls([videos[i][0] for i in keep], [videos[i][1] for i in keep],
                   [counts[i] for i in keep], skipped=[(videos[i][0], bad[i]) for i in sorted(bad)])


# --------------------------------------------------------------------------- dataset

class FrameDataset(Dataset):
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
        self._epoch = torch.tensor([0], dtype=torch.long).share_memory_()
        self._reader = FrameReader(max_open)

    # epochs -------------------------------------------------------------------------
    def set_epoch(self, epoch: int) -> None:
        if int(epoch) < 0:
            raise GlobalNetError(f"epoch must be >= 0, got {epoch!r}")
        self._epoch[0] = int(epoch)

    @property
    def epoch(self) -> int:
        return int(self._epoch[0])

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

    def __getitem__(self, i: int):
        v, f = self.frame_of(i)
        image = self._reader.read(self.index.paths[v], f)
        label = int(self.index.labels[v])
        if self.transform is not None:
            image = self.transform(image)
        return image, label

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


def count_labels(items) -> list[int]:
    """Items per class id for a list of ``(anything, class_id)`` pairs."""
    counts = [0] * NUM_CLASSES
    for _, y in items:
        counts[y] += 1
    return counts


class VideoList:
    """A labelled list of videos ``[(path, class_id), ...]`` in ``self.items``."""

    items: list

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]

    def __iter__(self):
        return iter(self.items)

    def class_counts(self) -> list[int]:
        """Videos per class id."""
        return count_labels(self.items)
