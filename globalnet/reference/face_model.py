"""Face expression CNN of the reference path (individual-level processing; see package docstring).

:class:`FaceResNet` is a ResNet-18-style network (four stages of two basic blocks, widths
``w, 2w, 4w, 8w``) for small face crops: 48x48 by default like Tan et al.'s non-aligned model,
any size >= 16 works (adaptive pooling). :class:`FaceCropDataset` cuts per-face crops and per-face
labels out of synthgroup samples: the three groups (0 Positive, 1 Neutral, 2 Negative), or the
seven emotions (``labels="emotion"``; :func:`face_group_probs` maps them to the groups).
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..errors import GlobalNetError

EMOTIONS = ("anger", "disgust", "fear", "happiness", "neutral", "sadness", "surprise")
#: emotion index -> group (surprise counted as Neutral when a 7-way model is pooled to groups)
EMOTION_TO_GROUP = (2, 2, 2, 0, 1, 2, 1)
CROP_MEAN, CROP_STD = 0.5, 0.25


class _Block(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.short = (nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
                      if stride != 1 or cin != cout else nn.Identity())

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(y)) + self.short(x))


class FaceResNet(nn.Module):
    """ResNet-18 layout ([2, 2, 2, 2] basic blocks, widths w..8w) with a single 3x3 stem conv
    (stride 2 by default: 48 px crops run the first stage at 24x24, CPU-friendly; 1 keeps full
    resolution) and no max-pool, for small crops.

    ``features(x)`` gives the pooled ``8 * width`` feature vector (used by attention pooling),
    ``forward(x)`` the ``num_classes`` logits. Input: normalised float crops (see :func:`to_tensor`).
    """

    def __init__(self, num_classes: int = 3, crop_size: int = 48, width: int = 16,
                 stem_stride: int = 2):
        super().__init__()
        if crop_size < 16:
            raise GlobalNetError(f"face crop size {crop_size} is too small; use at least 16")
        self.num_classes, self.crop_size, self.width = int(num_classes), int(crop_size), int(width)
        self.stem_stride = int(stem_stride)
        w = self.width
        self.stem = nn.Sequential(nn.Conv2d(3, w, 3, self.stem_stride, 1, bias=False), nn.BatchNorm2d(w),
                                  nn.ReLU())
        layers, cin = [], w
        for i, cout in enumerate((w, 2 * w, 4 * w, 8 * w)):
            stride = 1 if i == 0 else 2
            layers += [_Block(cin, cout, stride), _Block(cout, cout, 1)]
            cin = cout
        self.layers = nn.Sequential(*layers)
        self.feature_dim = cin
        self.fc = nn.Linear(cin, self.num_classes)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return F.adaptive_avg_pool2d(self.layers(self.stem(x)), 1).flatten(1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.features(x))


# ------------------------------------------------------------------------------------- crops
def crop_face(image: np.ndarray, box, size: int = 48, margin: float = 0.1) -> np.ndarray:
    """Square crop around ``box`` ([x, y, w, h] or Box) grown by ``margin``, resized to ``size``.

    Parts outside the image are filled by edge replication."""
    import cv2

    x, y, w, h = box.as_list() if hasattr(box, "as_list") else box
    side = max(w, h) * (1 + 2 * margin)
    cx, cy = x + w / 2, y + h / 2
    x0, y0 = int(round(cx - side / 2)), int(round(cy - side / 2))
    s = max(2, int(round(side)))
    H, W = image.shape[:2]
    pad = max(0, -x0, -y0, x0 + s - W, y0 + s - H)
    src = cv2.copyMakeBorder(image, pad, pad, pad, pad, cv2.BORDER_REPLICATE) if pad else image
    crop = src[y0 + pad:y0 + pad + s, x0 + pad:x0 + pad + s]
    interp = cv2.INTER_AREA if s > size else cv2.INTER_LINEAR
    return cv2.resize(crop, (size, size), interpolation=interp)


def to_tensor(crops: np.ndarray) -> torch.Tensor:
    """``(N, S, S, 3)`` uint8 crops -> normalised float ``(N, 3, S, S)``."""
    t = torch.from_numpy(np.ascontiguousarray(crops)).permute(0, 3, 1, 2).float() / 255.0
    # contiguous NCHW: torch 2.14.1 CPU corrupts memory in the backward pass of eval-mode
    # BatchNorm on channels-last input with some batch sizes (11 crops reproduce it)
    return ((t - CROP_MEAN) / CROP_STD).contiguous()


def face_group_probs(logits: torch.Tensor) -> torch.Tensor:
    """Softmax of a face model's logits as 3 group probabilities (7 emotions summed per group)."""
    p = logits.softmax(-1)
    if p.shape[-1] == 3:
        return p
    if p.shape[-1] != len(EMOTIONS):
        raise GlobalNetError(f"face model has {p.shape[-1]} outputs; expected 3 groups or 7 emotions")
    m = torch.zeros(len(EMOTIONS), 3, dtype=p.dtype)
    for e, g in enumerate(EMOTION_TO_GROUP):
        m[e, g] = 1.0
    return p @ m


class FaceCropDataset(torch.utils.data.Dataset):
    """Per-face crops and labels from ``n_images`` synthgroup samples (held in memory).

    Attributes: ``crops`` (N, S, S, 3) uint8, ``labels`` (N,) int64, ``image_index`` (N,) - which
    sample each face comes from, ``image_labels`` (n_images,) and ``records``.
    ``labels="group"`` (3 classes) or ``"emotion"`` (7 emotions, see :data:`EMOTIONS`).
    ``on_sample(k, sample)`` is called for every generated sample (to reuse the render).
    ``detector``: crop the boxes a :class:`~.detect.FaceDetector` finds instead of the generator's
    boxes (train on what the deployed detector delivers); each detection takes the label of the
    ground-truth face it overlaps best (IoU >= ``match_iou``), unmatched detections are dropped.
    ``bags()`` then holds every detection of an image, matched or not, with the image label.
    """

    def __init__(self, config=None, n_images: int = 200, crop_size: int = 48,
                 labels: str = "group", start: int = 0, margin: float = 0.1, flip: bool = True,
                 on_sample=None, detector=None, match_iou: float = 0.3):
        from synthgroup import GenConfig, Sources, make_sample

        if labels not in ("group", "emotion"):
            raise GlobalNetError(f"face labels {labels!r}: choose group or emotion")
        cfg = (config or GenConfig()).validate()
        sources = Sources(cfg)
        crops, labs, idx, self.records, self.image_labels = [], [], [], [], []
        for k in range(int(n_images)):
            sample = make_sample(cfg, sources, start + k)
            if on_sample is not None:      # e.g. keep a resized copy of the image for a global model
                on_sample(k, sample)
            self.records.append(sample.record)
            self.image_labels.append(int(sample.record["label"]))
            faces = sample.record["faces"]
            if detector is None:
                pairs = [(f["box"], f) for f in faces]
            else:
                from .detect import iou
                pairs = []
                for b in detector.detect(sample.image):
                    best = max(faces, key=lambda f: iou(b, f["box"]))
                    pairs.append((b, best if iou(b, best["box"]) >= match_iou else None))
            for box, face in pairs:
                crops.append(crop_face(sample.image, box, crop_size, margin))
                lab = -1 if face is None else (face["group"] if labels == "group"
                                               else EMOTIONS.index(face["emotion"]))
                labs.append(lab)
                idx.append(k)
        self.crop_size, self.label_kind, self.flip = crop_size, labels, flip
        self.num_classes = 3 if labels == "group" else len(EMOTIONS)
        self.crops = np.stack(crops) if crops else np.zeros((0, crop_size, crop_size, 3), np.uint8)
        self.labels = np.asarray(labs, dtype=np.int64)
        self.image_index = np.asarray(idx, dtype=np.int64)
        self.image_labels = np.asarray(self.image_labels, dtype=np.int64)
        self.all_crops, self.all_image_index = self.crops, self.image_index   # for bags()
        keep = self.labels >= 0                      # per-face training uses matched crops only
        self.crops, self.labels, self.image_index = self.crops[keep], self.labels[keep], self.image_index[keep]

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i):
        return to_tensor(self.crops[i:i + 1])[0], int(self.labels[i])

    def bags(self):
        """Per image: (indices into ``all_crops``, image label) - input of end-to-end attention training."""
        return [(np.flatnonzero(self.all_image_index == k), int(lab)) for k, lab in enumerate(self.image_labels)]


@torch.no_grad()
def predict_faces(model: FaceResNet, crops: np.ndarray, batch_size: int = 256):
    """``(group probabilities (N, 3), features (N, D))`` for uint8 crops."""
    model.eval()
    if len(crops) == 0:
        return torch.zeros(0, 3), torch.zeros(0, model.feature_dim)
    probs, feats = [], []
    for i in range(0, len(crops), batch_size):
        f = model.features(to_tensor(crops[i:i + batch_size]))
        feats.append(f)
        probs.append(face_group_probs(model.fc(f)))
    return torch.cat(probs), torch.cat(feats)


# ---------------------------------------------------------------------------------- checkpoints
def save_face_model(path, model: FaceResNet, attention=None, attention_backbone: FaceResNet | None = None,
                    **extra) -> Path:
    """Write ``{"kind": "face_resnet", config, "model", "attention"?, "attention_backbone"?}``.

    ``attention_backbone``: the face CNN as fine-tuned end to end with the attention head (the
    per-face ``model`` is kept for mean / top-3 pooling)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"kind": "face_resnet", "num_classes": model.num_classes, "crop_size": model.crop_size,
               "width": model.width, "stem_stride": model.stem_stride, "model": model.state_dict(), **extra}
    if attention is not None:
        payload["attention"] = attention.state_dict()
        payload["attention_hidden"] = attention.hidden
    if attention_backbone is not None:
        payload["attention_backbone"] = attention_backbone.state_dict()
    torch.save(payload, path)
    return path


def load_face_model(path: str | os.PathLike):
    """``(FaceResNet, AttentionPooling or None, checkpoint dict)``; clear errors for bad files.

    The attention pooling carries ``.backbone``: the face CNN it was trained with end to end."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise GlobalNetError(f"face model checkpoint {path} does not exist; train one with "
                             "`globalnet reference train`")
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable file gets one message
        raise GlobalNetError(f"face model checkpoint {path} could not be read ({type(exc).__name__})") from None
    if not isinstance(ckpt, dict) or ckpt.get("kind") != "face_resnet":
        raise GlobalNetError(f"{path} is not a reference face-model checkpoint "
                             "(written by `globalnet reference train`)")

    def restored(module, key: str):
        module.load_state_dict(ckpt[key])
        return module.eval()

    def face_cnn(key: str) -> FaceResNet:
        return restored(FaceResNet(ckpt["num_classes"], ckpt["crop_size"], ckpt["width"],
                                   ckpt.get("stem_stride", 2)), key)

    model = face_cnn("model")
    attention = None
    if "attention" in ckpt:
        from .pool_attention import AttentionPooling
        attention = restored(AttentionPooling(model.feature_dim,
                                              hidden=ckpt.get("attention_hidden", 64)), "attention")
        backbone = face_cnn("attention_backbone") if "attention_backbone" in ckpt else model
        object.__setattr__(attention, "backbone", backbone)   # plain attribute, not a submodule
    return model, attention, ckpt
