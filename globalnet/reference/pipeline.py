"""detect -> crop -> classify -> pool -> optional fuse (reference path, individual-level processing).

::

    pipe = ReferencePipeline(HaarDetector(), face_model, "mean", global_model=g, global_backbone="resnet18",
                             global_size=112, face_weight=0.4)
    result = pipe.predict(image)           # ReferenceResult
    result.label, result.probs, result.source, result.message

``source`` tells where the final score comes from: ``"faces"`` (pooled face score), ``"fused"``
(weighted average with the global model), ``"global-fallback"`` (no face found: the global
model alone, and ``message`` says so) or ``"none"`` (no face and no global model: no label).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .detect import Box, FaceDetector, GroundTruthBoxes, check_image
from .face_model import FaceResNet, crop_face, predict_faces
from .fusion import fuse
from .pooling import FacePooling, create_pooling
from ..errors import GlobalNetError

from synthgroup.labels import CLASS_NAMES

NO_FACE = "no face detected"


@dataclass
class ReferenceResult:
    boxes: list[Box]
    face_probs: np.ndarray                 #: (N, 3) per-face group probabilities
    pooled_probs: np.ndarray | None        #: (3,) face-based image score, None without faces
    global_probs: np.ndarray | None        #: (3,) global-only score, None without a global model
    probs: np.ndarray | None               #: (3,) final score
    source: str                            #: faces | fused | global-fallback | none
    message: str = ""
    attention_weights: np.ndarray | None = None

    @property
    def label(self) -> int | None:
        return None if self.probs is None else int(np.argmax(self.probs))

    def to_dict(self) -> dict:
        lab = self.label
        d = {"label": lab, "label_name": None if lab is None else CLASS_NAMES[lab],
             "source": self.source, "n_faces": len(self.boxes),
             "boxes": [b.as_list() for b in self.boxes],
             "probs": None if self.probs is None else [round(float(p), 4) for p in self.probs]}
        if self.message:
            d["message"] = self.message
        return d


@torch.no_grad()
def global_scores(model, images, model_input, batch_size: int = 32) -> np.ndarray:
    """Softmax class probabilities of a global-only backbone for a list of RGB uint8 images,
    through the model's one preprocessing (``model_input``: a
    :class:`globalnet.data.transforms.ModelInput`, as ``globalnet predict`` uses)."""
    model.eval()
    out = []
    for i in range(0, len(images), batch_size):
        logits = model(model_input(images[i:i + batch_size]))
        logits = logits[0] if isinstance(logits, tuple) else logits
        out.append(logits.float().softmax(-1).numpy())
    return np.concatenate(out) if out else np.zeros((0, 3))


def load_global_model(checkpoint, backbone: str | None = None, size: int | None = None):
    """A global-only model from a ``globalnet`` checkpoint or zoo name: ``(model, model_input)``.

    The backbone and input size come from the checkpoint; ``backbone`` is needed only for a raw
    state_dict, ``size`` overrides the input size (not allowed for a zoo model)."""
    from ..backbones import create_backbone
    from ..checkpoints import check_zoo_overrides, checkpoint_input_size, read_checkpoint_info
    from ..data.transforms import ModelInput

    info = read_checkpoint_info(checkpoint)
    check_zoo_overrides(info, backbone=backbone, input_size=size)
    name = info.get("backbone") or backbone
    if name is None:
        raise GlobalNetError(f"global checkpoint {checkpoint} does not name its backbone; pass "
                             f"--global-backbone")
    if backbone is not None and info.get("backbone") not in (None, backbone):
        raise GlobalNetError(f"global checkpoint {checkpoint} is for backbone "
                             f"{info['backbone']!r}, not {backbone!r}")
    model = create_backbone(name, weights=checkpoint)
    return model.eval(), ModelInput.for_backbone(name, size or checkpoint_input_size(info))


class ReferencePipeline:
    """Face-based image classifier, optionally fused with a global-only model."""

    def __init__(self, detector: FaceDetector, face_model: FaceResNet,
                 pooling: str | FacePooling = "mean", global_model=None,
                 global_backbone: str | None = None, global_size: int | None = None,
                 face_weight: float = 0.5, margin: float = 0.1, global_input=None):
        self.detector, self.face_model = detector, face_model
        self.pooling = create_pooling(pooling) if isinstance(pooling, str) else pooling
        self.global_model, self.face_weight, self.margin = global_model, float(face_weight), margin
        self.global_input = global_input
        if global_model is not None and global_input is None:
            from ..data.transforms import ModelInput

            name = global_backbone or getattr(global_model, "backbone_name", None)
            self.global_input = ModelInput.for_backbone(name, global_size)

    def faces(self, image: np.ndarray, record: dict | None = None):
        """``(boxes, crops)``; with a ground-truth detector, ``record`` gives the boxes."""
        det = self.detector
        if isinstance(det, GroundTruthBoxes) and record is not None:
            det = det.for_record(record)
        boxes = det.detect(image)
        size = self.face_model.crop_size
        crops = (np.stack([crop_face(image, b, size, self.margin) for b in boxes]) if boxes
                 else np.zeros((0, size, size, 3), np.uint8))
        return boxes, crops

    def predict(self, image: np.ndarray, record: dict | None = None,
                global_probs: np.ndarray | None = None) -> ReferenceResult:
        """Score one RGB uint8 image. ``global_probs`` may be given precomputed."""
        image = check_image(image)
        boxes, crops = self.faces(image, record)
        probs, feats = predict_faces(self.face_model, crops)
        pooled = self.pooling.pool(probs, boxes, feats)
        pooled = None if pooled is None else pooled.numpy().astype(np.float64)
        attn = None
        if pooled is not None and getattr(self.pooling, "needs_features", False):
            with torch.no_grad():
                attn = self.pooling.weights(feats).numpy()
        if global_probs is None and self.global_model is not None:
            global_probs = global_scores(self.global_model, [image], self.global_input)[0]
        face_probs = probs.numpy()
        if pooled is None:
            if global_probs is not None:
                return ReferenceResult(boxes, face_probs, None, global_probs, np.asarray(global_probs),
                                       "global-fallback",
                                       f"{NO_FACE} ({self.detector.describe()}); falling back to "
                                       "the global model", attn)
            return ReferenceResult(boxes, face_probs, None, None, None, "none",
                                   f"{NO_FACE} ({self.detector.describe()}); the face-based path "
                                   "cannot score this image (give a global model to fall back on)")
        if global_probs is not None:
            return ReferenceResult(boxes, face_probs, pooled, global_probs,
                                   fuse(global_probs, pooled, self.face_weight), "fused", "", attn)
        return ReferenceResult(boxes, face_probs, pooled, None, pooled, "faces", "", attn)
