"""Face detectors for the reference path (individual-level processing; see package docstring).

Every detector is a :class:`FaceDetector`: the template :meth:`FaceDetector.detect` checks the
image (HxWx3 uint8 RGB), calls the one hook :meth:`FaceDetector._find` and returns clean
:class:`Box` es (clipped to the image, empty ones dropped, largest first).

* :class:`HaarDetector` - OpenCV's frontal-face Haar cascade shipped with ``opencv-python-headless``
  (Rassadin et al. 2017 used Haar / HOG).
* :class:`OnnxDetector` - a user-supplied ONNX model for OpenCV's ``FaceDetectorYN`` (YuNet);
  nothing is downloaded. A missing or non-ONNX file raises one :class:`GlobalNetError` naming it.
* :class:`GroundTruthBoxes` - the generator's boxes of a synthgroup record, so that detector
  misses and model quality can be told apart on synthetic data.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import GlobalNetError


@dataclass(frozen=True)
class Box:
    """A face box in pixels: top-left ``x, y``, width ``w``, height ``h``; ``score`` if known."""
    x: int
    y: int
    w: int
    h: int
    score: float = 1.0

    @property
    def area(self) -> int:
        return self.w * self.h

    def as_list(self) -> list[int]:
        return [self.x, self.y, self.w, self.h]


def iou(a, b) -> float:
    """Intersection over union of two ``[x, y, w, h]`` boxes (or :class:`Box`)."""
    ax, ay, aw, ah = a.as_list() if isinstance(a, Box) else a
    bx, by, bw, bh = b.as_list() if isinstance(b, Box) else b
    iw = max(0.0, min(ax + aw, bx + bw) - max(ax, bx))
    ih = max(0.0, min(ay + ah, by + bh) - max(ay, by))
    inter = iw * ih
    union = aw * ah + bw * bh - inter
    return float(inter / union) if union > 0 else 0.0


def match_recall(found, truth, threshold: float = 0.3) -> float:
    """Share of ``truth`` boxes overlapped (IoU >= threshold) by some box of ``found``."""
    truth = list(truth)
    if not truth:
        return 1.0
    return sum(any(iou(t, f) >= threshold for f in found) for t in truth) / len(truth)


def check_image(image) -> np.ndarray:
    if not isinstance(image, np.ndarray) or image.ndim != 3 or image.shape[2] != 3:
        shape = getattr(image, "shape", type(image).__name__)
        raise GlobalNetError(f"expected an HxWx3 RGB image array, got {shape}")
    if image.dtype != np.uint8:
        raise GlobalNetError(f"expected a uint8 image, got dtype {image.dtype}")
    return image


class FaceDetector:
    """Base class: ``detect(image) -> list[Box]`` (template); subclasses implement ``_find``."""

    name = "base"

    def detect(self, image: np.ndarray) -> list[Box]:
        image = check_image(image)
        h, w = image.shape[:2]
        out = []
        for raw in self._find(image):
            x, y, bw, bh = (float(v) for v in raw[:4])
            score = float(raw[4]) if len(raw) > 4 else 1.0
            x0, y0 = max(0, int(round(x))), max(0, int(round(y)))
            x1, y1 = min(w, int(round(x + bw))), min(h, int(round(y + bh)))
            if x1 - x0 >= 2 and y1 - y0 >= 2:
                out.append(Box(x0, y0, x1 - x0, y1 - y0, score))
        # largest first, then a total order: OpenCV's parallel detectMultiScale returns boxes
        # in a thread-dependent order, and equal-area ties must not carry that into results
        out.sort(key=lambda b: (-b.area, b.y, b.x, b.w, b.h, -b.score))
        return out

    def _find(self, image: np.ndarray):  # pragma: no cover - hook
        """Hook: yield ``(x, y, w, h[, score])`` for the faces of an RGB uint8 image."""
        raise NotImplementedError

    def describe(self) -> str:
        return self.name


class HaarDetector(FaceDetector):
    """OpenCV's ``haarcascade_frontalface_default.xml`` (histogram-equalised grey image).

    Defaults (scale 1.05, 3 neighbours, 16 px minimum) were measured on synthgroup test images
    (224x224): recall ~0.79 at IoU 0.3 over all faces, ~0.86 on faces >= 60 px tall.
    """

    name = "haar"

    def __init__(self, cascade: str | os.PathLike | None = None, scale_factor: float = 1.05,
                 min_neighbors: int = 3, min_size: int = 16, equalize: bool = True):
        import cv2

        path = Path(cascade) if cascade else Path(cv2.data.haarcascades) / "haarcascade_frontalface_default.xml"
        if not path.is_file():
            raise GlobalNetError(f"Haar cascade file {path} does not exist")
        self._cascade = cv2.CascadeClassifier(str(path))
        if self._cascade.empty():
            raise GlobalNetError(f"Haar cascade file {path} could not be loaded (not an OpenCV cascade XML)")
        self.path = path
        self.scale_factor, self.min_neighbors = float(scale_factor), int(min_neighbors)
        self.min_size, self.equalize = int(min_size), bool(equalize)

    def _find(self, image):
        import cv2

        grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
        if self.equalize:
            grey = cv2.equalizeHist(grey)
        found = self._cascade.detectMultiScale(grey, scaleFactor=self.scale_factor,
                                               minNeighbors=self.min_neighbors,
                                               minSize=(self.min_size, self.min_size))
        return [tuple(int(v) for v in b) for b in found]

    def describe(self) -> str:
        return f"haar({self.path.name}, scale {self.scale_factor}, neighbours {self.min_neighbors})"


def _looks_like_onnx(path: Path) -> bool:
    """An ONNX file is a protobuf ModelProto; its first field is ir_version (tag 0x08)."""
    with open(path, "rb") as f:
        head = f.read(2)
    return len(head) == 2 and head[0] == 0x08 and head[1] < 0x80


class OnnxDetector(FaceDetector):
    """A user-supplied ONNX face detector run by OpenCV's ``FaceDetectorYN`` (YuNet format).

    Nothing is downloaded: pass the path of e.g. ``face_detection_yunet_2023mar.onnx``.
    """

    name = "onnx"

    def __init__(self, model: str | os.PathLike, score_threshold: float = 0.6,
                 nms_threshold: float = 0.3, top_k: int = 5000):
        import cv2

        path = Path(model).expanduser()
        if not path.is_file():
            raise GlobalNetError(f"ONNX detector model {path} does not exist; pass the path of a "
                                 "FaceDetectorYN model (.onnx file)")
        if path.suffix.lower() != ".onnx" or not _looks_like_onnx(path):
            raise GlobalNetError(f"ONNX detector model {path} is not an ONNX file; pass a "
                                 "FaceDetectorYN model (.onnx)")
        try:
            self._net = cv2.FaceDetectorYN.create(str(path), "", (320, 320), float(score_threshold),
                                                  float(nms_threshold), int(top_k))
        except cv2.error as exc:
            first = str(exc).strip().splitlines()[-1] if str(exc).strip() else "unknown error"
            raise GlobalNetError(f"ONNX detector model {path} could not be loaded by OpenCV "
                                 f"FaceDetectorYN: {first}") from None
        self.path = path

    def _find(self, image):
        import cv2

        h, w = image.shape[:2]
        self._net.setInputSize((w, h))
        _, faces = self._net.detect(cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
        if faces is None:
            return []
        return [(f[0], f[1], f[2], f[3], f[-1]) for f in faces]

    def describe(self) -> str:
        return f"onnx({self.path.name})"


class GroundTruthBoxes(FaceDetector):
    """The generator's face boxes of a synthgroup ``record`` (stand-in for a perfect detector).

    ``GroundTruthBoxes(record).detect(image)``; a pipeline given ``record=`` rebinds it per image
    with :meth:`for_record`.
    """

    name = "ground-truth"

    def __init__(self, record: dict | None = None):
        self.record = record

    def for_record(self, record: dict) -> "GroundTruthBoxes":
        return GroundTruthBoxes(record)

    def _find(self, image):
        if self.record is None:
            raise GlobalNetError("ground-truth boxes need a synthgroup record (the image's metadata)")
        return [tuple(f["box"]) for f in self.record.get("faces", [])]

    def describe(self) -> str:
        return "ground-truth boxes"


def create_detector(spec: str, model: str | os.PathLike | None = None) -> FaceDetector:
    """``"haar"``, ``"gt"`` / ``"ground-truth"``, or ``"onnx"`` with ``model`` (a path)."""
    key = str(spec).lower()
    if key == "haar":
        return HaarDetector()
    if key in ("gt", "ground-truth", "groundtruth"):
        return GroundTruthBoxes()
    if key == "onnx":
        if not model:
            raise GlobalNetError("the onnx detector needs a model file (--detector-model PATH.onnx)")
        return OnnxDetector(model)
    raise GlobalNetError(f"unknown detector {spec!r}; choose haar, gt or onnx")
