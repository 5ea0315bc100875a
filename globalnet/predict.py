"""Inference with a trained global-only CNN on images, videos and live sources.

The network sees whole frames only (never detected faces) and scores each as 0 Positive,
1 Neutral, 2 Negative::

    from globalnet.predict import Predictor, evaluate_videos
    p = Predictor.from_checkpoint("run/best.pt")             # device="auto": CUDA if available
    p.predict_images(["a.jpg"])                              # [ImageResult(path, probs, label)]
    r = p.predict_video("clip.mp4", every=5, method="mean")  # VideoResult (per-frame + video label)
    evaluate_videos(p, "vgaf:/data/VGAF", split="val")       # accuracy per aggregation method

* **Sampling** (``predict_video``): ``every=k`` reads frames 0, k, 2k, ...; ``n=N`` reads N
  frames spread uniformly over the video (``round(linspace(0, T-1, N))``, first and last
  frame included; all frames when ``N >= T``; ``T`` is the container's frame count, counted
  by decoding when the container does not say); ``all=True`` (the default when nothing is
  given) reads every frame. Frames are decoded sequentially (exact indices) with OpenCV, or
  PyAV when OpenCV cannot open the file (``decoder="auto"``), or the one asked for.
* **Preprocessing** is the backbone's registry entry: shorter side to size*256/224, centre crop
  ``size`` (the checkpoint's ``input_size`` if it stored one, else the registry's), normalise
  with the registry mean/std -- exactly :func:`globalnet.data.transforms.eval_transform`, done
  on whole batches on the model's device.
* **Batching**: frames go through the model ``batch_size`` at a time under
  ``torch.inference_mode``; decoded frames are not kept, so long videos use little memory.
  Decoding runs in a background thread up to one batch ahead (``prefetch=True``), overlapping
  with the model.
* **Aggregation**: see :mod:`globalnet.aggregate` (``mean`` / ``sum`` / ``vote``). A
  :class:`VideoResult` carries the chosen method's label and all three in ``methods``.
* **Damaged videos**: a zero-length, unreadable or frameless file raises
  :class:`GlobalNetError`. A video that stops decoding early (truncated or damaged) keeps the
  frames decoded so far: ``truncated=True`` and ``note`` says how many of the frames the
  container claims were decoded.
"""
from __future__ import annotations

import collections
import csv
import math
import os
import sys
import queue
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

import cv2
import numpy as np
import torch

from .aggregate import METHODS, aggregate, aggregate_all
from .checkpoints import checkpoint_input_size, read_checkpoint_info
from .data.frames import IMAGE_EXTENSIONS, VIDEO_EXTENSIONS
from .data.frames import DecodeStats as _DecodeStats, _open_cv, decode_frames as _iter_decode
from .errors import GlobalNetError

from synthgroup.labels import CLASS_NAMES
NUM_CLASSES = 3
DECODERS = ("auto", "opencv", "pyav")


# ------------------------------------------------------------------------------------ results
@dataclass
class ImageResult:
    path: Path
    probs: np.ndarray
    label: int

    @property
    def label_name(self) -> str:
        return CLASS_NAMES[self.label]

    def to_dict(self) -> dict:
        return {"path": str(self.path), "label": self.label, "label_name": self.label_name,
                "probs": _floats(self.probs)}


@dataclass
class FrameResult:
    index: int
    time_s: float | None
    probs: np.ndarray
    label: int

    def to_dict(self) -> dict:
        return {"index": self.index, "time_s": _round_time(self.time_s), "label": self.label,
                "label_name": CLASS_NAMES[self.label], "probs": _floats(self.probs)}


@dataclass
class VideoResult:
    """One video: per-frame results and the video label by ``method``.

    ``frames_decoded`` counts every frame decoded (sampled or skipped); ``frames`` holds the
    sampled ones. ``methods`` maps each aggregation method to ``(probs, label)``.
    """
    path: Path
    fps: float | None
    frames: list[FrameResult]
    probs: np.ndarray
    label: int
    method: str
    frames_decoded: int
    truncated: bool = False
    note: str = ""
    frames_claimed: int | None = None
    methods: dict = field(default_factory=dict)
    sampling: dict = field(default_factory=dict)

    @property
    def label_name(self) -> str:
        return CLASS_NAMES[self.label]

    @property
    def frame_probs(self) -> np.ndarray:
        return np.stack([f.probs for f in self.frames]) if self.frames else np.zeros((0, NUM_CLASSES))

    def to_dict(self, frames: bool = True) -> dict:
        d = {"path": str(self.path), "label": self.label, "label_name": self.label_name,
             "probs": _floats(self.probs), "method": self.method,
             "methods": {m: {"label": int(l), "label_name": CLASS_NAMES[l], "probs": _floats(p)}
                         for m, (p, l) in self.methods.items()},
             "fps": self.fps, "frames_used": len(self.frames),
             "frames_decoded": self.frames_decoded, "frames_claimed": self.frames_claimed,
             "truncated": self.truncated, "note": self.note, "sampling": self.sampling}
        if frames:
            d["frames"] = [f.to_dict() for f in self.frames]
        return d


def _floats(a) -> list[float]:
    return [round(float(x), 6) for x in np.asarray(a).ravel()]


def _round_time(t):
    return None if t is None else round(float(t), 6)


# ------------------------------------------------------------------------------------ device
def resolve_device(device: str | torch.device | None = "auto") -> torch.device:
    """``"auto"`` -> CUDA when available, else CPU; ``"cpu"``, ``"cuda"``, ``"cuda:1"``, ..."""
    if device is None or str(device).lower() == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(str(device))
    except (RuntimeError, ValueError):
        raise GlobalNetError(f"unknown device {device!r} (use auto, cpu, cuda or cuda:N)") from None
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise GlobalNetError(f"device {device!r} asked for but CUDA is not available "
                                 "(use --device cpu or auto)")
        if dev.index is not None and dev.index >= torch.cuda.device_count():
            raise GlobalNetError(f"device {device!r}: only {torch.cuda.device_count()} CUDA "
                                 "device(s)")
    return dev


# -------------------------------------------------------------------------------- decoding
def _check_video_file(path: Path) -> None:
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


def _video_meta(path: Path, decoder: str) -> tuple[str, float | None, int | None]:
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
        import av
        with av.open(str(path)) as c:
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


class _Raised:
    def __init__(self, exc: BaseException):
        self.exc = exc


def _prefetched(make_iter: Callable[[], Iterator], maxsize: int) -> Iterator:
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


def _count_by_decoding(path: Path, backend: str) -> int:
    stats = _DecodeStats()
    for _ in _iter_decode(path, lambda k: False, backend, stats):
        pass
    return stats.decoded


def uniform_indices(total: int, n: int) -> list[int]:
    """``n`` frame indices spread uniformly over ``total`` frames, first and last included."""
    if total <= 0:
        return []
    if n >= total:
        return list(range(total))
    if n == 1:
        return [(total - 1) // 2]
    return sorted(set(int(round(x)) for x in np.linspace(0, total - 1, n)))


def _sampling(every, n, all_frames) -> dict:
    given = [x for x in (every is not None, n is not None, bool(all_frames)) if x]
    if len(given) > 1:
        raise GlobalNetError("choose one sampling mode: every=K, n=N or all")
    if every is not None:
        if isinstance(every, bool) or int(every) != every or int(every) < 1:
            raise GlobalNetError(f"every must be an integer >= 1, got {every!r}")
        return {"mode": "every", "every": int(every)}
    if n is not None:
        if isinstance(n, bool) or int(n) != n or int(n) < 1:
            raise GlobalNetError(f"n must be an integer >= 1, got {n!r}")
        return {"mode": "n", "n": int(n)}
    return {"mode": "all"}


# ---------------------------------------------------------------------------------- predictor
class Predictor:
    """A model in eval mode plus its registry preprocessing, on one device.

    Build with :meth:`from_checkpoint`, or directly from a model made by
    :func:`globalnet.backbones.create_backbone` (``Predictor(model, "resnet18")``).
    """

    def __init__(self, model: torch.nn.Module, backbone: str | None = None, device="auto",
                 batch_size: int = 32, input_size=None, checkpoint: str | None = None,
                 decoder: str = "auto", prefetch: bool = True, amp: str = "auto"):
        from . import device as dev

        from .backbones import check_input_size, get_backbone_spec
        from .data.transforms import ModelInput

        backbone = backbone or getattr(model, "backbone_name", None)
        if backbone is None:
            raise GlobalNetError("Predictor needs the backbone name (model has no backbone_name)")
        self.spec = get_backbone_spec(backbone)
        self.backbone = backbone
        if isinstance(batch_size, bool) or int(batch_size) < 1:
            raise GlobalNetError(f"batch_size must be an integer >= 1, got {batch_size!r}")
        self.batch_size = int(batch_size)
        if decoder not in DECODERS:
            raise GlobalNetError(f"unknown decoder {decoder!r}; choose one of {', '.join(DECODERS)}")
        self.decoder = decoder
        self.prefetch = bool(prefetch)
        self.device = resolve_device(device)
        self.input_size = input_size or self.spec.input_size
        check_input_size(backbone, self.input_size)
        self.checkpoint = checkpoint
        # mixed precision as in training (bfloat16 + channels-last on a CPU with native bfloat16,
        # float16 on CUDA): about 4x more frames per second on such a CPU
        self.amp = dev.amp_enabled(amp, self.device)
        self._memory_format = dev.memory_format(self.amp)
        self.model = model.to(self.device).eval().to(memory_format=self._memory_format)
        self.model_input = ModelInput(self.input_size, self.spec.mean, self.spec.std)

    @classmethod
    def from_checkpoint(cls, path, device="auto", batch_size: int = 32, *,
                        backbone: str | None = None, input_size=None,
                        decoder: str = "auto", amp: str = "auto") -> "Predictor":
        """Load a checkpoint written by ``save_checkpoint`` / training (model in eval mode).

        The backbone and class count come from the checkpoint; ``backbone`` is needed only for
        a raw state_dict and must match the checkpoint otherwise. A head with other than 3
        classes is refused (the labels are Positive, Neutral, Negative).
        """
        from .backbones import create_backbone
        from .checkpoints import check_zoo_overrides, resolve_checkpoint

        ref, path = path, resolve_checkpoint(path)
        info = read_checkpoint_info(ref)
        check_zoo_overrides(info, backbone=backbone, input_size=input_size)
        name = info.get("backbone")
        if name is not None and backbone is not None and name != backbone:
            raise GlobalNetError(f"checkpoint {path} is for backbone {name!r}, not {backbone!r}")
        name = name or backbone
        if name is None:
            raise GlobalNetError(f"checkpoint {path} does not name its backbone; pass it "
                                 "(--backbone NAME)")
        k = info.get("num_classes")
        if k is not None and int(k) != NUM_CLASSES:
            raise GlobalNetError(f"checkpoint {path} has a {int(k)}-class head; prediction needs "
                                 f"{NUM_CLASSES} classes ({', '.join(CLASS_NAMES)})")
        device = resolve_device(device)
        model = create_backbone(name, weights=path, num_classes=NUM_CLASSES, progress=False)
        return cls(model, name, device=device, batch_size=batch_size,
                   input_size=input_size or checkpoint_input_size(info), checkpoint=str(ref),
                   decoder=decoder, amp=amp)

    # -- core -----------------------------------------------------------------------------
    def preprocess(self, frames: Sequence[np.ndarray]) -> torch.Tensor:
        """``(N, 3, S, S)`` float tensor on the model's device from HxWx3 uint8 RGB frames: the
        backbone's ``eval_transform`` (frames of one size are transformed as one batch)."""
        return self.model_input(frames, self.device)

    @torch.inference_mode()
    def _forward(self, frames: Sequence[np.ndarray]) -> np.ndarray:
        from .backbones import forward_logits
        from .device import autocast

        x = self.preprocess(frames).contiguous(memory_format=self._memory_format)
        with autocast(self.device, self.amp):
            logits = forward_logits(self.model, x).float().cpu().double()   # softmax on the CPU in
        return torch.softmax(logits, dim=1).numpy()      # float64: tiny probabilities survive

    def predict_frames(self, frames: Sequence[np.ndarray]) -> np.ndarray:
        """``(N, 3)`` probabilities of HxWx3 uint8 RGB frames, ``batch_size`` at a time."""
        frames = list(frames)
        if not frames:
            return np.zeros((0, NUM_CLASSES))
        parts = [self._forward(frames[i:i + self.batch_size])
                 for i in range(0, len(frames), self.batch_size)]
        return np.concatenate(parts)

    # -- images ---------------------------------------------------------------------------
    def predict_images(self, paths: Iterable) -> list[ImageResult]:
        paths = [Path(p) for p in paths]
        results: list[ImageResult] = []
        for i in range(0, len(paths), self.batch_size):
            chunk = paths[i:i + self.batch_size]
            probs = self.predict_frames([read_image_checked(p) for p in chunk])
            results += [ImageResult(p, pr, int(np.argmax(pr))) for p, pr in zip(chunk, probs)]
        return results

    # -- videos ---------------------------------------------------------------------------
    def predict_video(self, path, every: int | None = None, n: int | None = None,
                      all: bool = False, method: str = "mean") -> VideoResult:  # noqa: A002
        """Per-frame probabilities and the video label (see module doc for sampling)."""
        if method not in METHODS:
            raise GlobalNetError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
        sampling = _sampling(every, n, all)
        path = Path(path)
        _check_video_file(path)
        backend, fps, claimed = _video_meta(path, self.decoder)
        stop_after = None
        if sampling["mode"] == "every":
            k_every = sampling["every"]
            wanted = lambda k: k % k_every == 0  # noqa: E731
        elif sampling["mode"] == "n":
            total = claimed or _count_by_decoding(path, backend)
            chosen = set(uniform_indices(total, sampling["n"]))
            stop_after = max(chosen) if chosen else 0
            wanted = chosen.__contains__
        else:
            wanted = lambda k: True  # noqa: E731
        stats, frames = self._score_decoded(path, wanted, backend, fps, claimed, stop_after)
        if not frames and backend == "opencv" and self.decoder == "auto":
            try:   # OpenCV opened the file but decoded nothing: give PyAV a chance
                pstats, pframes = self._score_decoded(path, wanted, "pyav", fps, claimed,
                                                      stop_after)
                if pframes:
                    backend, stats, frames = "pyav", pstats, pframes
            except GlobalNetError:
                pass
        if not frames:
            why = f" ({stats.error})" if stats.error else ""
            raise GlobalNetError(f"no decodable frames in video {path}{why}")
        expected_end = (stop_after + 1) if stop_after is not None else claimed
        truncated = bool(stats.error) or (expected_end is not None and stats.decoded < expected_end)
        note = ""
        if truncated:
            of = f" of the {claimed} the container claims" if claimed else ""
            note = (f"truncated or damaged: decoded {stats.decoded} frame(s){of}; used the "
                    f"{len(frames)} sampled frame(s) decoded so far")
            if stats.error:
                note += f" (decoder: {stats.error})"
        probs_all = np.stack([f.probs for f in frames])
        methods = aggregate_all(probs_all)
        vp, vl = methods[method]
        sampling = dict(sampling, decoder=backend)
        return VideoResult(path, fps, frames, vp, vl, method, stats.decoded, truncated, note,
                           frames_claimed=claimed, methods=methods, sampling=sampling)

    def _score_decoded(self, path, wanted, backend, fps, claimed, stop_after):
        stats = _DecodeStats(fps=fps, claimed=claimed, backend=backend)
        frames: list[FrameResult] = []
        buf: list[tuple[int, np.ndarray]] = []

        def flush():
            probs = self.predict_frames([f for _, f in buf])
            for (k, _), p in zip(buf, probs):
                frames.append(FrameResult(k, k / fps if fps else None, p, int(np.argmax(p))))
            buf.clear()

        decode = lambda: _iter_decode(path, wanted, backend, stats, stop_after)  # noqa: E731
        source = _prefetched(decode, self.batch_size) if self.prefetch else decode()
        try:
            for k, rgb in source:
                buf.append((k, rgb))
                if len(buf) >= self.batch_size:
                    flush()
            if buf:
                flush()
        finally:
            source.close()
        return stats, frames

    # -- live -----------------------------------------------------------------------------
    def predict_live(self, source, window: float = 5.0, every: int = 1, method: str = "mean",
                     max_frames: int | None = None, max_seconds: float | None = None,
                     out_dir=None, print_every: float = 1.0, plot_every: float = 5.0,
                     stream=None) -> "LiveResult":
        """Score a camera (index), stream URL or video file frame by frame; see :func:`run_live`."""
        return run_live(self, source, window=window, every=every, method=method,
                        max_frames=max_frames, max_seconds=max_seconds, out_dir=out_dir,
                        print_every=print_every, plot_every=plot_every, stream=stream)


def read_image_checked(path: Path) -> np.ndarray:
    """HxWx3 uint8 RGB of a supported image file; GlobalNetError naming the file otherwise."""
    path = Path(path)
    if path.suffix.lower() not in IMAGE_EXTENSIONS:
        raise GlobalNetError(f"unsupported image format {path.suffix or '(no extension)'!r}: "
                             f"{path} (supported: {' '.join(IMAGE_EXTENSIONS)})")
    if not path.is_file():
        raise GlobalNetError(f"image {path} does not exist")
    if path.stat().st_size == 0:
        raise GlobalNetError(f"image {path} is a zero-length file")
    try:
        data = np.fromfile(str(path), dtype=np.uint8)
    except OSError as e:
        raise GlobalNetError(f"cannot read image {path} ({e.strerror or e})") from None
    bgr = cv2.imdecode(data, cv2.IMREAD_COLOR)
    if bgr is None:
        raise GlobalNetError(f"cannot decode image {path} (damaged, or not a "
                             f"{path.suffix.lower()} image)")
    return np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))


# ---------------------------------------------------------------------------------- inputs
def expand_inputs(inputs: Iterable) -> tuple[list[Path], list[Path]]:
    """``(images, videos)`` from files and folders (searched recursively, hidden entries and
    other files skipped). An explicitly named file of another type is an error."""
    images, videos = [], []
    for item in inputs:
        p = Path(item).expanduser()
        if p.is_dir():
            found = 0
            for f in sorted(p.rglob("*")):
                if any(part.startswith(".") for part in f.relative_to(p).parts) or not f.is_file():
                    continue
                ext = f.suffix.lower()
                if ext in IMAGE_EXTENSIONS:
                    images.append(f)
                    found += 1
                elif ext in VIDEO_EXTENSIONS:
                    videos.append(f)
                    found += 1
            if not found:
                raise GlobalNetError(f"folder {p} holds no images ({' '.join(IMAGE_EXTENSIONS)}) "
                                     f"or videos ({' '.join(VIDEO_EXTENSIONS)})")
        elif p.exists():
            ext = p.suffix.lower()
            if ext in IMAGE_EXTENSIONS:
                images.append(p)
            elif ext in VIDEO_EXTENSIONS:
                videos.append(p)
            else:
                raise GlobalNetError(
                    f"unsupported format {ext or '(no extension)'!r}: {p} (images: "
                    f"{' '.join(IMAGE_EXTENSIONS)}; videos: {' '.join(VIDEO_EXTENSIONS)})")
        else:
            raise GlobalNetError(f"input {p} does not exist")
    return images, videos


# -------------------------------------------------------------------------------- evaluation
def evaluate_videos(predictor: Predictor, spec_or_list, split: str = "val",
                    every: int | None = None, n: int | None = None, all: bool = False,  # noqa: A002
                    methods: Sequence[str] = METHODS, skip_bad: bool = False,
                    progress: Callable[[int, int, VideoResult], None] | None = None) -> dict:
    """Video-level accuracy of each aggregation method on labelled videos.

    ``spec_or_list``: ``"vgaf:DIR"`` / ``"videos:DIR"`` / a folder (see
    :func:`globalnet.data.list_videos`), or a list of ``(path, class id)``. Each video is scored
    once; every method aggregates the same frame probabilities. Returns ``{"accuracy": {method:
    float}, "correct": {...}, "confusion": {method: 3x3 list, rows = true class}, "videos": n,
    "skipped": [...], "rows": [per-video dicts], "split", "sampling"}``.
    """
    for m in methods:
        if m not in METHODS:
            raise GlobalNetError(f"unknown method {m!r}; choose from {', '.join(METHODS)}")
    if isinstance(spec_or_list, (str, os.PathLike)):
        from .data import list_videos
        items = list_videos(spec_or_list, split)
        source = str(spec_or_list)
    else:
        items = [(Path(p), int(y)) for p, y in spec_or_list]
        source = None
    if not items:
        raise GlobalNetError("no labelled videos to evaluate")
    rows, skipped = [], []
    confusion = {m: np.zeros((NUM_CLASSES, NUM_CLASSES), dtype=int) for m in methods}
    for i, (path, y) in enumerate(items):
        try:
            r = predictor.predict_video(path, every=every, n=n, all=all, method=methods[0])
        except GlobalNetError as e:
            if not skip_bad:
                raise
            skipped.append({"path": str(path), "reason": str(e)})
            continue
        row = {"path": str(path), "true": int(y), "true_name": CLASS_NAMES[y],
               "frames_used": len(r.frames), "frames_decoded": r.frames_decoded,
               "truncated": r.truncated, "note": r.note}
        for m in methods:
            p, l = r.methods[m]
            confusion[m][y, l] += 1
            row[m] = {"label": int(l), "label_name": CLASS_NAMES[l], "probs": _floats(p),
                      "correct": bool(l == y)}
        rows.append(row)
        if progress is not None:
            progress(i + 1, len(items), r)
    if not rows:
        raise GlobalNetError("no video could be evaluated (all skipped)")
    correct = {m: int(np.trace(confusion[m])) for m in methods}
    return {"source": source, "split": split, "videos": len(rows), "skipped": skipped,
            "sampling": _sampling(every, n, all), "methods": list(methods),
            "accuracy": {m: correct[m] / len(rows) for m in methods}, "correct": correct,
            "confusion": {m: confusion[m].tolist() for m in methods}, "rows": rows,
            "checkpoint": predictor.checkpoint, "backbone": predictor.backbone}


# ------------------------------------------------------------------------------------- live
@dataclass
class LiveResult:
    source: str
    frames: list[FrameResult]
    windows: list[dict]
    frames_read: int
    stopped: str
    csv_path: Path | None = None
    png_path: Path | None = None


def _parse_live_source(source):
    """(what to give cv2.VideoCapture, human name, is_file)."""
    s = str(source).strip()
    if s.isdigit():
        return int(s), f"camera {s}", False
    p = Path(s).expanduser()
    if "://" not in s:
        if not p.exists():
            raise GlobalNetError(f"live source {s!r} is not a camera index, a URL or an existing "
                                 "file")
        _check_video_file(p)
        return str(p), f"file {p}", True
    return s, f"stream {s}", False


def run_live(predictor: Predictor, source, window: float = 5.0, every: int = 1,
             method: str = "mean", max_frames: int | None = None, max_seconds: float | None = None,
             out_dir=None, print_every: float = 1.0, plot_every: float = 5.0,
             stream=None) -> LiveResult:
    """Score a live source frame by frame and report a sliding-window mood.

    ``source``: a camera index (``0``), a stream URL (``rtsp://...``) or a video file read as a
    stream. Every ``every``-th frame is scored; the mood is ``method`` over the frames of the
    last ``window`` seconds (media time for a file, wall-clock time for cameras and URLs). A line
    ``t=...s mood=<class> P=.. N=.. Neg=.. (k frames)`` goes to ``stream`` (stdout) every
    ``print_every`` seconds; with ``out_dir``, each scored frame is appended to
    ``live.csv`` as it comes and ``live_timeline.png`` is rewritten (atomically) every
    ``plot_every`` seconds and at the end. Stops at the end of the source, after
    ``max_frames`` frames read or ``max_seconds``, or on Ctrl-C.
    """
    from .timeline import plot_series

    if method not in METHODS:
        raise GlobalNetError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    if isinstance(every, bool) or int(every) < 1:
        raise GlobalNetError(f"every must be an integer >= 1, got {every!r}")
    if not (window > 0):
        raise GlobalNetError(f"window must be > 0 seconds, got {window!r}")
    stream = stream or sys.stdout
    target, name, is_file = _parse_live_source(source)
    cap = _open_cv(target, quiet=True)
    if cap is None:
        raise GlobalNetError(f"cannot open {name}" + (
            " (no such camera, or it is busy / not permitted)" if isinstance(target, int) else ""))
    fps = float(cap.get(cv2.CAP_PROP_FPS) or 0)
    media_time = is_file and fps > 0 and math.isfinite(fps)
    out = None
    csv_file = writer = None
    png = csvp = None
    if out_dir is not None:
        out = Path(out_dir).expanduser()
        out.mkdir(parents=True, exist_ok=True)
        csvp, png = out / "live.csv", out / "live_timeline.png"
        csv_file = open(csvp, "w", newline="")
        writer = csv.writer(csv_file)
        writer.writerow(["frame", "time_s", *[f"p_{c.lower()}" for c in CLASS_NAMES], "label",
                         "label_name", "window_label", "window_label_name",
                         *[f"window_p_{c.lower()}" for c in CLASS_NAMES]])
        csv_file.flush()
    frames: list[FrameResult] = []
    windows: list[dict] = []
    win: collections.deque = collections.deque()
    start = time.monotonic()
    last_print = last_plot = None
    k = 0
    stopped = "end of source"

    def save_plot():
        if png is not None and frames:
            plot_series([f.time_s for f in frames], np.stack([f.probs for f in frames]), png,
                        title=f"{name} - live, {method} over {window:g} s",
                        window=[(w["time_s"], w["label"]) for w in windows])

    try:
        while True:
            if max_frames is not None and k >= max_frames:
                stopped = f"max frames ({max_frames})"
                break
            if max_seconds is not None and time.monotonic() - start >= max_seconds:
                stopped = f"max seconds ({max_seconds:g})"
                break
            ok, bgr = cap.read()
            if not ok or bgr is None:
                break
            t = k / fps if media_time else time.monotonic() - start
            if k % int(every) == 0:
                rgb = np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
                p = predictor.predict_frames([rgb])[0]
                fr = FrameResult(k, t, p, int(np.argmax(p)))
                frames.append(fr)
                win.append(fr)
                while win and win[0].time_s <= t - window:
                    win.popleft()
                wp, wl = aggregate(np.stack([f.probs for f in win]), method)
                w = {"time_s": t, "frame": k, "label": wl, "label_name": CLASS_NAMES[wl],
                     "probs": _floats(wp), "frames": len(win)}
                if writer is not None:
                    writer.writerow([k, f"{t:.3f}", *[f"{x:.6f}" for x in p], fr.label,
                                     CLASS_NAMES[fr.label], wl, CLASS_NAMES[wl],
                                     *[f"{x:.6f}" for x in wp]])
                    csv_file.flush()
                windows.append(w)
                if last_print is None or t - last_print >= print_every:
                    last_print = t
                    print(f"t={t:7.2f}s  mood={CLASS_NAMES[wl]:<8s} "
                          + " ".join(f"{c[:3]}={x:.2f}" for c, x in zip(CLASS_NAMES, wp))
                          + f"  ({len(win)} frames in {window:g} s)", file=stream, flush=True)
                if last_plot is None or t - last_plot >= plot_every:
                    last_plot = t
                    save_plot()
            k += 1
    except KeyboardInterrupt:
        stopped = "interrupted"
    finally:
        cap.release()
        if csv_file is not None:
            csv_file.close()
    if not frames:
        raise GlobalNetError(f"no frames could be read from {name}")
    save_plot()
    print(f"stopped ({stopped}) after {k} frame(s), {len(frames)} scored", file=stream, flush=True)
    return LiveResult(str(source), frames, windows, k, stopped, csvp, png)


__all__ = ["Predictor", "ImageResult", "FrameResult", "VideoResult", "LiveResult",
           "evaluate_videos", "run_live", "expand_inputs", "uniform_indices", "resolve_device",
           "read_checkpoint_info", "read_image_checked", "CLASS_NAMES", "IMAGE_EXTENSIONS",
           "VIDEO_EXTENSIONS", "DECODERS"]
