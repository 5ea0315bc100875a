"""``onnx``: a user-supplied ONNX model for OpenCV's ``FaceDetectorYN`` (YuNet); nothing is
downloaded. A missing or non-ONNX file raises one :class:`GlobalNetError` naming it. Reference
path: individual-level processing."""
from __future__ import annotations

import os
from pathlib import Path

from ...errors import GlobalNetError
from .base import FaceDetector


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
    needs_model = True

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
