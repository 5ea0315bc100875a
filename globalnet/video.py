"""The one module that opens video files: check, metadata, frame counts, decoding, prefetch.

No other module of the toolkit calls ``cv2.VideoCapture`` or ``av.open`` (a test checks this);
the datasets, ``predict``, ``explain report`` and live mode all read videos through here.

* **Open / check.** :func:`check_video_file` (exists, readable, not empty) and :func:`video_meta`
  (backend, fps and the frame count the container claims) raise one :class:`GlobalNetError`
  naming the file. OpenCV is tried first (``decoder="auto"``), PyAV when OpenCV cannot open it.
* **Count.** :func:`count_frames` counts the video packets by demuxing, without decoding, where
  the container makes that exact (MP4/MOV, Matroska/WebM, AVI: one packet per frame) and the
  index is whole (no corrupt or discarded packet, the count the stream claims, a first frame that
  decodes); otherwise it decodes every frame once. ``CAP_PROP_FRAME_COUNT`` alone is often wrong.
* **Decode.** :func:`decode_frames` yields the wanted frames of a video in order (a set of frame
  indices, every k-th, all of them) and fills :class:`DecodeStats`; :func:`iter_frames` gives
  every k-th frame; :class:`FrameReader` reads single frames in any order (OpenCV
  ``CAP_PROP_POS_FRAMES`` seeks, or grabbing forward for short gaps, with the position verified
  and a sequential re-read if a seek lands elsewhere; PyAV if OpenCV cannot open a file), keeping
  a small LRU of open videos per process, dropped after a fork.
* **Prefetch.** :func:`prefetched` runs a decoder in a background thread a few items ahead.
* **Live.** :class:`LiveCapture` reads a camera index, a stream URL or a file as a stream.

Frames are HxWx3 uint8 RGB everywhere.
"""
from __future__ import annotations

import logging
import math
import os
import queue
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import cv2
import numpy as np

from .errors import GlobalNetError

log = logging.getLogger("globalnet.video")

#: the video file types every reader of the toolkit accepts (predict, explain, videos:, vgaf:)
VIDEO_EXTENSIONS = (".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv")
DECODERS = ("auto", "opencv", "pyav")
#: containers whose video packets are whole frames, so counting packets counts frames
_DEMUX_FORMATS = ("mov", "mp4", "matroska", "webm", "avi")
_SEEK_GAP = 32          # grab forward instead of seeking when the target is this close ahead
_FIRST_FRAME_PACKETS = 32   # packets a decoder may hold back before its first frame


# --------------------------------------------------------------------------- open and check
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


def _open_av(path: Path):
    """An open PyAV container (the caller closes it); PyAV's own exceptions pass through."""
    import av
    return av.open(str(path))


def check_video_file(path: Path) -> None:
    """GlobalNetError unless ``path`` is an existing, readable, non-empty file."""
    if not path.exists():
        raise GlobalNetError(f"video {path} does not exist")
    if not path.is_file():
        raise GlobalNetError(f"video {path} is not a file")
    try:
        size = path.stat().st_size
        with open(path, "rb"):
            pass
    except OSError as e:
        raise GlobalNetError(f"cannot read video {path} ({e.strerror or e})") from None
    if size == 0:
        raise GlobalNetError(f"video {path} is a zero-length file")


def video_meta(path: Path, decoder: str) -> tuple[str, float | None, int | None]:
    """(backend, fps, claimed frame count) of a video; GlobalNetError if no decoder opens it."""
    if decoder in ("auto", "opencv"):
        cap = _open_cv(str(path), quiet=decoder == "auto")
        if cap is not None:
            try:
                fps = float(cap.get(cv2.CAP_PROP_FPS) or 0)
                n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
            finally:
                cap.release()
            return "opencv", (fps if fps > 0 and math.isfinite(fps) else None), (n if n > 0 else None)
        if decoder == "opencv":
            raise GlobalNetError(f"cannot open video {path} with OpenCV (unreadable, truncated "
                                 "before its index, or not a video; try --decoder pyav)")
    try:
        with _open_av(path) as c:
            if not c.streams.video:
                raise GlobalNetError(f"cannot open video {path}: no video stream (damaged, "
                                     "truncated before its index, or not a video)")
            s = c.streams.video[0]
            rate = s.average_rate or s.base_rate
            fps = float(rate) if rate else None
            n = int(s.frames or 0)
        return "pyav", fps, (n if n > 0 else None)
    except GlobalNetError:
        raise
    except Exception as e:  # noqa: BLE001
        raise GlobalNetError(f"cannot open video {path}: not a readable video (damaged, "
                             f"truncated before its index, or another format) "
                             f"[{type(e).__name__}]") from None


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


def decode_frames(path: Path, wanted: Callable[[int], bool], backend: str, stats: DecodeStats,
                  stop_after: int | None = None) -> Iterator[tuple[int, np.ndarray]]:
    """Yield ``(index, HxWx3 uint8 RGB)`` for the frames ``wanted(index)``, decoding in order
    up to frame ``stop_after`` (default: the end).

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
    try:
        container = _open_av(path)
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


def first_backend(path: Path | str) -> str:
    """``"opencv"`` when OpenCV opens the file, else ``"pyav"``."""
    cap = _open_cv(path)
    if cap is None:
        return "pyav"
    cap.release()
    return "opencv"


def iter_frames(path: Path | str, every: int = 1) -> Iterator[tuple[int, np.ndarray]]:
    """Yield ``(frame_index, HxWx3 uint8 RGB)`` for frames 0, every, 2*every, ... in order
    (OpenCV when it opens the file, else PyAV)."""
    if int(every) < 1:
        raise GlobalNetError(f"every must be >= 1, got {every!r}")
    every = int(every)
    path = Path(path)
    yield from decode_frames(path, lambda k: k % every == 0, first_backend(path), DecodeStats())


# --------------------------------------------------------------------------- counting
def count_frames(path: Path | str, backend: str | None = None) -> int:
    """Frames of the video at ``path``; 0 when none decodes.

    Counted from the demuxed packets where that is exact (see the module docstring), else by
    decoding every frame with ``backend`` (default: OpenCV, then PyAV if OpenCV decodes none).
    """
    path = Path(path)
    n = _count_packets(path)
    if n is not None:
        return n
    for b in (backend,) if backend else ("opencv", "pyav"):
        stats = DecodeStats()
        try:
            for _ in decode_frames(path, lambda k: False, b, stats):
                pass
        except GlobalNetError:
            continue
        if stats.decoded:
            return stats.decoded
    return 0


def _count_packets(path: Path) -> int | None:
    """The number of video packets of ``path`` (= frames), or None when that count may differ
    from the frames a decoder returns (another container, damaged or partial index, a codec that
    cannot decode the first frame)."""
    try:
        with _open_av(path) as container:
            if not set(container.format.name.split(",")) & set(_DEMUX_FORMATS):
                return None
            if not container.streams.video:
                return None
            stream = container.streams.video[0]
            n, decodes = 0, False
            for packet in container.demux(stream):
                if packet.size == 0:                 # the end-of-stream flush packet
                    continue
                if packet.is_corrupt or packet.is_discard:
                    return None
                if not decodes:
                    if (n == 0 and not packet.is_keyframe) or n >= _FIRST_FRAME_PACKETS:
                        return None
                    decodes = bool(stream.codec_context.decode(packet))
                n += 1
            if not decodes and n:
                decodes = bool(stream.codec_context.decode(None))
            if not decodes or (stream.frames and stream.frames != n):
                return None
            return n
    except Exception:  # noqa: BLE001 - any PyAV failure: count by decoding instead
        return None


# --------------------------------------------------------------------------- random access
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
            return self._sequential(k)
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
        if self.cap is not None:
            self.cap.release()


class _AvVideo:
    """PyAV fallback: sequential decoding, reopened to go backwards (seeks are not exact)."""

    def __init__(self, path: Path):
        self.path = path
        self._open()

    def _open(self) -> None:
        self.container = _open_av(self.path)
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


# --------------------------------------------------------------------------- prefetch
class _Raised:
    def __init__(self, exc: BaseException):
        self.exc = exc


def prefetched(make_iter: Callable[[], Iterator], maxsize: int) -> Iterator:
    """Run ``make_iter()`` in a background thread, ``maxsize`` items ahead of the consumer, so
    decoding (OpenCV/PyAV release the GIL) overlaps with the model. Exceptions are re-raised in
    the consumer; closing the consumer stops and joins the thread and closes the decoder."""
    q: queue.Queue = queue.Queue(max(1, maxsize))
    stop = threading.Event()
    done = object()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def work():
        it = None
        try:
            it = make_iter()
            for item in it:
                if not put(item):
                    return
            put(done)
        except BaseException as e:  # noqa: BLE001 - handed to the consumer
            put(_Raised(e))
        finally:
            if it is not None and hasattr(it, "close"):
                it.close()

    thread = threading.Thread(target=work, name="globalnet-decode", daemon=True)
    thread.start()
    try:
        while True:
            item = q.get()
            if item is done:
                return
            if isinstance(item, _Raised):
                raise item.exc
            yield item
    finally:
        stop.set()
        thread.join()


# --------------------------------------------------------------------------- live
class LiveCapture:
    """A camera (index), stream URL or video file read frame by frame (OpenCV)."""

    def __init__(self, cap: cv2.VideoCapture):
        self._cap = cap

    @classmethod
    def open(cls, target: int | str) -> "LiveCapture | None":
        """The opened source, or None when it cannot be opened."""
        cap = _open_cv(target, quiet=True)
        return None if cap is None else cls(cap)

    @property
    def fps(self) -> float:
        """The frame rate the source claims (0 when it does not say)."""
        return float(self._cap.get(cv2.CAP_PROP_FPS) or 0)

    def read(self) -> np.ndarray | None:
        """The next frame as HxWx3 uint8 RGB, or None at the end of the source."""
        ok, bgr = self._cap.read()
        if not ok or bgr is None:
            return None
        return np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))

    def skip(self) -> bool:
        """Move past the next frame without converting it; False at the end of the source."""
        return bool(self._cap.grab())

    def close(self) -> None:
        self._cap.release()


__all__ = ["VIDEO_EXTENSIONS", "DECODERS", "DecodeStats", "FrameReader", "LiveCapture",
           "check_video_file", "video_meta", "count_frames", "decode_frames", "first_backend",
           "iter_frames", "prefetched"]
