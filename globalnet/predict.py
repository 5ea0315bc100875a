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
  by :func:`globalnet.video.count_frames` when the container does not say); ``all=True`` (the
  default when nothing is given) reads every frame. Frames are decoded sequentially (exact
  indices) by :mod:`globalnet.video` with OpenCV, or PyAV when OpenCV cannot open the file
  (``decoder="auto"``), or the one asked for.
* **Preprocessing** is the backbone's registry entry: shorter side to size*256/224, centre crop
  ``size`` (the checkpoint's ``input_size`` if it stored one, else the registry's), normalise
  with the registry mean/std -- exactly :func:`globalnet.data.transforms.eval_transform`, done
  on whole batches on the model's device.
* **Batching**: frames go through the model ``batch_size`` at a time under
  ``torch.inference_mode``; decoded frames are not kept, so long videos use little memory.
  ``keep_frames=k`` keeps the pictures of the ``k`` key frames (:func:`key_frame_indices`) in
  ``VideoResult.key_frames``, holding at most ``k + 3`` frames while decoding. Decoding runs in a background thread up to one batch ahead (``prefetch=True``), overlapping
  with the model.
* **Aggregation**: see :mod:`globalnet.aggregate` (``mean`` / ``sum`` / ``vote``). A
  :class:`VideoResult` carries the chosen method's label and all three in ``methods``.
* **Damaged videos**: a zero-length, unreadable or frameless file raises
  :class:`GlobalNetError`. A video that stops decoding early (truncated or damaged) keeps the
  frames decoded so far: ``truncated=True`` and ``note`` says how many of the frames the
  container claims were decoded.
"""
from __future__ import annotations

import bisect
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

import cv2
import numpy as np
import torch

from .aggregate import METHODS, aggregate_all
from .checkpoints import checkpoint_input_size, read_checkpoint_info
from .data.scan import IMAGE_EXTENSIONS
from .errors import GlobalNetError
from .video import (DECODERS, VIDEO_EXTENSIONS, DecodeStats, check_video_file, count_frames,
                    decode_frames, prefetched, video_meta)

from synthgroup.labels import CLASS_NAMES, Labelled

NUM_CLASSES = 3


# ------------------------------------------------------------------------------------ results
@dataclass
class ImageResult(Labelled):
    path: Path
    probs: np.ndarray
    label: int

    def to_dict(self) -> dict:
        return {"path": str(self.path), "label": self.label, "label_name": self.label_name,
                "probs": round_probs(self.probs)}


@dataclass
class FrameResult(Labelled):
    index: int
    time_s: float | None
    probs: np.ndarray
    label: int

    def to_dict(self) -> dict:
        return {"index": self.index, "time_s": _round_time(self.time_s), "label": self.label,
                "label_name": self.label_name, "probs": round_probs(self.probs)}


@dataclass
class VideoResult(Labelled):
    """One video: per-frame results and the video label by ``method``.

    ``frames_decoded`` counts every frame decoded (sampled or skipped); ``frames`` holds the
    sampled ones. ``methods`` maps each aggregation method to ``(probs, label)``.
    ``key_frames`` maps the frame index of each key frame to its HxWx3 uint8 RGB picture (only
    with ``predict_video(keep_frames=k)``; not written to JSON).
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
    key_frames: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def frame_probs(self) -> np.ndarray:
        return np.stack([f.probs for f in self.frames]) if self.frames else np.zeros((0, NUM_CLASSES))

    def to_dict(self, frames: bool = True) -> dict:
        d = {"path": str(self.path), "label": self.label, "label_name": self.label_name,
             "probs": round_probs(self.probs), "method": self.method,
             "methods": {m: {"label": int(l), "label_name": CLASS_NAMES[l], "probs": round_probs(p)}
                         for m, (p, l) in self.methods.items()},
             "fps": self.fps, "frames_used": len(self.frames),
             "frames_decoded": self.frames_decoded, "frames_claimed": self.frames_claimed,
             "truncated": self.truncated, "note": self.note, "sampling": self.sampling}
        if frames:
            d["frames"] = [f.to_dict() for f in self.frames]
        return d


def round_probs(a) -> list[float]:
    """Probabilities as a list of floats rounded to 6 decimals (for JSON)."""
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


# -------------------------------------------------------------------------------- sampling
def uniform_indices(total: int, n: int) -> list[int]:
    """``n`` frame indices spread uniformly over ``total`` frames, first and last included."""
    if total <= 0:
        return []
    if n >= total:
        return list(range(total))
    if n == 1:
        return [(total - 1) // 2]
    return sorted(set(int(round(x)) for x in np.linspace(0, total - 1, n)))


def sampling_mode(every=None, n=None, all_frames=False) -> dict:
    """``{"mode": "every", "every": K}``, ``{"mode": "n", "n": N}`` or ``{"mode": "all"}``."""
    given = [x for x in (every is not None, n is not None, bool(all_frames)) if x]
    if len(given) > 1:
        raise GlobalNetError("choose one sampling mode: every=K, n=N or all")
    for mode, value in (("every", every), ("n", n)):
        if value is not None:
            if isinstance(value, bool) or int(value) != value or int(value) < 1:
                raise GlobalNetError(f"{mode} must be an integer >= 1, got {value!r}")
            return {"mode": mode, mode: int(value)}
    return {"mode": "all"}


def key_frame_indices(frame_probs: np.ndarray, k: int) -> list[int]:
    """Positions (into the sampled frames) of up to ``k`` key frames: for each class, the frame
    where it is most probable (classes by decreasing peak), then the most confident frames
    (the earlier frame first among equally confident ones)."""
    p = np.asarray(frame_probs)
    if len(p) == 0:
        return []
    chosen: list[int] = []
    for c in np.argsort(-p.max(0), kind="stable"):
        i = int(p[:, c].argmax())
        if i not in chosen:
            chosen.append(i)
    for i in np.argsort(-p.max(1), kind="stable"):
        if len(chosen) >= k:
            break
        if int(i) not in chosen:
            chosen.append(int(i))
    return sorted(chosen[:k])


class _KeyFrameCandidates:
    """The pictures :func:`key_frame_indices` may pick, kept while a video is scored frame by
    frame in order: for each class the first frame where it is most probable, and the ``k`` most
    confident frames -- never more than ``k + NUM_CLASSES`` pictures, however long the video."""

    def __init__(self, k: int):
        self.k = int(k)
        self._best: dict[int, tuple[float, int]] = {}      # class -> (probability, frame index)
        self._confident: list[tuple[float, int]] = []      # (-confidence, frame index), sorted
        self._pictures: dict[int, np.ndarray] = {}

    def offer(self, index: int, rgb: np.ndarray, probs: np.ndarray) -> None:
        if self.k <= 0:
            return
        for c, p in enumerate(probs):
            if c not in self._best or p > self._best[c][0]:
                self._best[c] = (p, index)
        bisect.insort(self._confident, (-float(np.max(probs)), index))
        del self._confident[self.k:]
        self._pictures[index] = rgb
        live = {i for _, i in self._best.values()} | {i for _, i in self._confident}
        for i in [i for i in self._pictures if i not in live]:
            del self._pictures[i]

    def pictures(self, frames: Sequence[FrameResult]) -> dict[int, np.ndarray]:
        """``{frame index: picture}`` of the key frames of the scored ``frames``."""
        if self.k <= 0 or not frames:
            return {}
        pos = key_frame_indices(np.stack([f.probs for f in frames]), self.k)
        return {frames[i].index: self._pictures[frames[i].index] for i in pos}


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
                      all: bool = False, method: str = "mean",  # noqa: A002
                      keep_frames: int = 0,
                      progress: Callable[[int, int | None], None] | None = None) -> VideoResult:
        """Per-frame probabilities and the video label (see module doc for sampling); with
        ``keep_frames=k``, the pictures of ``k`` key frames in ``key_frames``. ``progress``
        is called after each scored batch with the frames scored so far and the number to
        score (None when the container does not say; it may start again from 0 when OpenCV
        decoded nothing and PyAV takes over)."""
        if method not in METHODS:
            raise GlobalNetError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
        sampling = sampling_mode(every, n, all)
        path = Path(path)
        check_video_file(path)
        backend, fps, claimed = video_meta(path, self.decoder)
        stop_after = None
        if sampling["mode"] == "every":
            k_every = sampling["every"]
            wanted = lambda k: k % k_every == 0  # noqa: E731
            expected = -(-claimed // k_every) if claimed else None
        elif sampling["mode"] == "n":
            total = claimed or count_frames(path, backend)
            chosen = set(uniform_indices(total, sampling["n"]))
            stop_after = max(chosen) if chosen else 0
            wanted = chosen.__contains__
            expected = len(chosen)
        else:
            wanted = lambda k: True  # noqa: E731
            expected = claimed or None
        report = None if progress is None else (lambda done: progress(done, expected))  # noqa: E731
        stats, frames, keep = self._score_decoded(path, wanted, backend, fps, claimed,
                                                  stop_after, keep_frames, report)
        if not frames and backend == "opencv" and self.decoder == "auto":
            try:   # OpenCV opened the file but decoded nothing: give PyAV a chance
                pstats, pframes, pkeep = self._score_decoded(path, wanted, "pyav", fps, claimed,
                                                             stop_after, keep_frames, report)
                if pframes:
                    backend, stats, frames, keep = "pyav", pstats, pframes, pkeep
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
                           frames_claimed=claimed, methods=methods, sampling=sampling,
                           key_frames=keep.pictures(frames))

    def _score_decoded(self, path, wanted, backend, fps, claimed, stop_after, keep_frames,
                       report=None):
        stats = DecodeStats(fps=fps, claimed=claimed, backend=backend)
        frames: list[FrameResult] = []
        keep = _KeyFrameCandidates(keep_frames)
        buf: list[tuple[int, np.ndarray, np.ndarray]] = []       # (index, frame, model-sized)

        def flush():
            probs = self.predict_frames([small for _, _, small in buf])
            for (k, rgb, _), p in zip(buf, probs):
                frames.append(FrameResult(k, k / fps if fps else None, p, int(np.argmax(p))))
                keep.offer(k, rgb, p)
            buf.clear()
            if report is not None:
                report(len(frames))

        # On the CPU the decoder's thread also does the model input's resize (the same numbers,
        # ModelInput.shrink): the model's thread then never copies or resizes full-size frames.
        shrink = self.model_input.shrink if self.device.type == "cpu" else (lambda rgb: rgb)

        def decode():
            for k, rgb in decode_frames(path, wanted, backend, stats, stop_after):
                yield k, rgb, shrink(rgb)

        source = prefetched(decode, self.batch_size) if self.prefetch else decode()
        try:
            for k, rgb, small in source:
                buf.append((k, rgb, small))
                if len(buf) >= self.batch_size:
                    flush()
            if buf:
                flush()
        finally:
            source.close()
        return stats, frames, keep


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
            row[m] = {"label": int(l), "label_name": CLASS_NAMES[l], "probs": round_probs(p),
                      "correct": bool(l == y)}
        rows.append(row)
        if progress is not None:
            progress(i + 1, len(items), r)
    if not rows:
        raise GlobalNetError("no video could be evaluated (all skipped)")
    correct = {m: int(np.trace(confusion[m])) for m in methods}
    return {"source": source, "split": split, "videos": len(rows), "skipped": skipped,
            "sampling": sampling_mode(every, n, all), "methods": list(methods),
            "accuracy": {m: correct[m] / len(rows) for m in methods}, "correct": correct,
            "confusion": {m: confusion[m].tolist() for m in methods}, "rows": rows,
            "checkpoint": predictor.checkpoint, "backbone": predictor.backbone}


__all__ = ["Predictor", "ImageResult", "FrameResult", "VideoResult", "evaluate_videos",
           "expand_inputs", "uniform_indices", "key_frame_indices", "resolve_device",
           "read_checkpoint_info", "read_image_checked", "CLASS_NAMES", "IMAGE_EXTENSIONS",
           "VIDEO_EXTENSIONS", "DECODERS"]
