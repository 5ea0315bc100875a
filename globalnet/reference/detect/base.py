"""The face-detector base class, boxes and the detector registry (reference path,
individual-level processing; see the package docstrings).

Every detector is a :class:`FaceDetector`: the template :meth:`FaceDetector.detect` checks the
image (HxWx3 uint8 RGB), calls the one hook :meth:`FaceDetector._find` and returns clean
:class:`Box` es (clipped to the image, empty ones dropped, largest first).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ...errors import GlobalNetError
from ...registry import Registry


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
    #: built from a model file (``create_detector(name, model=PATH)``, ``--detector-model``)
    needs_model: ClassVar[bool] = False
    #: boxes come from a synthgroup record, not from the pixels (evaluation on synthetic data)
    needs_record: ClassVar[bool] = False

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


#: Name -> detector class (lazy ``"module:Class"``); another package adds its own through the
#: entry-point group ``globalnet.reference.detectors`` (offered by ``--detector``).
DETECTORS: Registry[type[FaceDetector]] = Registry("detector",
                                                   group="globalnet.reference.detectors")
DETECTORS.register("haar", "globalnet.reference.detect.haar:HaarDetector")
DETECTORS.register("onnx", "globalnet.reference.detect.onnx:OnnxDetector")
DETECTORS.register("gt", "globalnet.reference.detect.ground_truth:GroundTruthBoxes",
                   aliases=("ground-truth", "groundtruth"))


def create_detector(spec: str, model: str | os.PathLike | None = None) -> FaceDetector:
    """A detector by name: ``"haar"``, ``"gt"`` / ``"ground-truth"``, ``"onnx"`` with ``model``
    (a path), or a plugin's name. ``model`` is passed only to a detector that takes one."""
    cls = DETECTORS.get(str(spec).lower())
    if not cls.needs_model:
        return cls()
    if not model:
        raise GlobalNetError(f"the {spec} detector needs a model file (--detector-model PATH)")
    return cls(model)
