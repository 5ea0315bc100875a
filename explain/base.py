"""The :class:`Explainer` base class: one template call, one narrow hook per method.

Template (:meth:`Explainer.__call__`), in the style of grad-cam's ``BaseCAM``:

1. **preprocess** - a normalised ``(N, 3, H, W)`` tensor is used as is; ``uint8`` RGB frames
   go through :meth:`Explainer.preprocess` (resize to the backbone's input size, scale to
   [0, 1], normalise with the backbone's mean/std);
2. **forward** - one forward pass inside :class:`ActivationCapture` (a forward hook on the
   target layer, released by the context manager even on error) gives the logits, the class
   probabilities and the target layer's activations;
3. **target class** - the given class(es), else the predicted one;
4. **hook** - :meth:`Explainer._attribute` (one target per image) or
   :meth:`Explainer._attribute_multi` (several targets per image; defaults to a loop over
   ``_attribute``) returns raw maps at any resolution - the only thing a method implements;
5. **postprocess** - maps are resized bilinearly to the input resolution, NaN/inf -> 0 and
   min-max normalised per map to [0, 1] (a constant map becomes all zeros).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from globalnet.errors import GlobalNetError



class ExplainError(GlobalNetError):
    """Bad input to the explanation tools: one clear message, no traceback in the CLI."""


@dataclass
class Explanation:
    """Result of an explainer call.

    Attributes:
        maps: ``(N, K, H, W)`` float32 in [0, 1] at input resolution (K targets per image).
        targets: ``(N, K)`` class indices the maps explain.
        probs: ``(N, C)`` softmax probabilities of the unperturbed input.
        method: explainer name.
        extra: method-specific facts (e.g. channels evaluated by Score-CAM).
    """
    maps: np.ndarray
    targets: np.ndarray
    probs: np.ndarray
    method: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def map(self) -> np.ndarray:
        """The first image's first map, ``(H, W)``."""
        return self.maps[0, 0]


class ActivationCapture:
    """Context manager: forward hook on ``layer`` keeping its last output; removed on exit."""

    def __init__(self, layer: nn.Module, detach: bool = True):
        self.layer, self.detach = layer, detach
        self.activations: torch.Tensor | None = None
        self._handle = None

    def _hook(self, module, inputs, output):
        if isinstance(output, (tuple, list)):
            output = output[0]
        self.activations = output.detach() if self.detach else output

    def __enter__(self):
        self._handle = self.layer.register_forward_hook(self._hook)
        return self

    def __exit__(self, *exc):
        self.release()
        return False

    def release(self):
        if self._handle is not None:
            self._handle.remove()
            self._handle = None


def logits_of(output) -> torch.Tensor:
    """Main logits of a model output (tensor or Inception/GoogLeNet namedtuple)."""
    if isinstance(output, torch.Tensor):
        return output
    if isinstance(output, (tuple, list)) and output and isinstance(output[0], torch.Tensor):
        return output[0]
    raise ExplainError(f"unsupported model output of type {type(output).__name__}")


class LogitsOnly(nn.Module):
    """Wrap a model so it always returns a plain logits tensor (grad-cam / captum expect that)."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, x):
        return logits_of(self.model(x))


#: precisions of an explainer's forward-only passes (Score-CAM's masked inputs, Occlusion's
#: occluded ones); ``auto``: bfloat16 where the device runs it natively, else float32
FORWARD_PRECISIONS = ("float32", "bfloat16", "auto")


def resolve_precision(precision: str, device: torch.device, what: str,
                      choices: Sequence[str] = FORWARD_PRECISIONS) -> str:
    """``precision`` checked against ``choices``, with ``auto`` made concrete (bfloat16 on CUDA
    and on CPUs with AMX/AVX512-BF16, else float32); warns once when bfloat16 is asked for on a
    CPU that only emulates it (2-3x slower than float32 there)."""
    from globalnet.device import cpu_has_bf16, warn_emulated_bf16

    if precision not in choices:
        raise ExplainError(f"{what}: precision must be one of {', '.join(choices)}, "
                           f"not {precision!r}")
    if precision == "auto":
        return "bfloat16" if device.type == "cuda" or cpu_has_bf16() else "float32"
    if precision == "bfloat16" and device.type == "cpu":
        warn_emulated_bf16(f"{what} precision='bfloat16'")
    return precision


def bfloat16_copy(model: nn.Module) -> nn.Module:
    """A bfloat16, channels-last, eval-mode copy of ``model`` for forward-only passes (the
    original stays float32 for the template's forward and for gradients)."""
    import copy

    return copy.deepcopy(model).to(torch.bfloat16).to(memory_format=torch.channels_last).eval()


class Bfloat16Logits(nn.Module):
    """Float32 logits of a model run in bfloat16: the input is cast (channels-last) on the way
    in and the logits back to float32 on the way out, so callers such as captum see a float32
    model."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = bfloat16_copy(model)

    def forward(self, x):
        x = x.to(torch.bfloat16).contiguous(memory_format=torch.channels_last)
        return logits_of(self.model(x)).float()


def normalise_maps(maps: np.ndarray | torch.Tensor, size: tuple[int, int]) -> np.ndarray:
    """``(N, K, h, w)`` raw maps -> float32 ``(N, K, H, W)`` in [0, 1] (bilinear, min-max)."""
    t = torch.as_tensor(np.asarray(maps) if not isinstance(maps, torch.Tensor) else maps)
    t = t.detach().to(torch.float32).cpu()
    if t.ndim != 4:
        raise ExplainError(f"explainer returned maps of shape {tuple(t.shape)}, expected (N, K, h, w)")
    t = torch.nan_to_num(t, nan=0.0, posinf=0.0, neginf=0.0)
    if tuple(t.shape[-2:]) != tuple(size):
        n, k = t.shape[:2]
        t = F.interpolate(t.reshape(n * k, 1, *t.shape[-2:]), size=size, mode="bilinear",
                          align_corners=False).reshape(n, k, *size)
    flat = t.flatten(2)
    lo, hi = flat.min(-1, keepdim=True).values, flat.max(-1, keepdim=True).values
    rng = hi - lo
    out = torch.where(rng > 1e-12, (flat - lo) / rng.clamp_min(1e-12), torch.zeros_like(flat))
    return out.reshape(t.shape).clamp_(0, 1).numpy().astype(np.float32)


class Explainer:
    """Base class. Subclasses set :attr:`name` (and :attr:`description`) and implement one hook
    (see module docstring).

    Args:
        model: a classifier returning ``(N, C)`` logits (or an Inception namedtuple).
        target_layer: the module whose activations CAM methods use (``None`` for methods that
            need none, e.g. captum's Occlusion / Integrated Gradients).
        mean, std, input_size: preprocessing of ``uint8`` frames (from the backbone spec).
        device: ``"cpu"`` / ``"cuda"`` / ``"auto"``.
    """

    name = "base"
    description = ""             # one line for ``explain list``
    uses_activations = True      # the template captures the target layer's output
    approximate = False

    def __init__(self, model: nn.Module, target_layer: nn.Module | None = None, *,
                 mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225),
                 input_size: int | tuple[int, int] = 224, device: str = "cpu",
                 target_layer_name: str | None = None):
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        self.device = torch.device(device)
        self.model = model.to(self.device).eval()
        self.target_layer = target_layer
        self.target_layer_name = target_layer_name
        from globalnet.data.transforms import ModelInput
        self.model_input = ModelInput(input_size, mean, std)
        self.input_size = self.model_input.size
        if self.uses_activations and target_layer is None:
            raise ExplainError(f"{self.name} needs a target layer")

    # ------------------------------------------------------------------ template pieces
    def preprocess(self, frames: Sequence[np.ndarray] | np.ndarray) -> torch.Tensor:
        """``uint8`` RGB frames (HxWx3 each) -> normalised ``(N, 3, H, W)``: the model's one
        preprocessing (:class:`globalnet.data.transforms.ModelInput`, as ``globalnet predict``)."""
        try:
            return self.model_input(frames)
        except GlobalNetError as e:
            raise ExplainError(str(e)) from None

    def _forward(self, x: torch.Tensor):
        """One forward pass capturing the target layer: ``(logits, activations or None)``."""
        if self.target_layer is None or not self.uses_activations:
            with torch.no_grad():
                return logits_of(self.model(x)), None
        with ActivationCapture(self.target_layer) as cap, torch.no_grad():
            logits = logits_of(self.model(x))
        if cap.activations is None:
            raise ExplainError(f"target layer {self.target_layer_name or ''} did not run in the "
                               f"forward pass")
        return logits, cap.activations

    @staticmethod
    def _targets(logits: torch.Tensor, targets) -> torch.Tensor:
        n, c = logits.shape
        if targets is None:
            t = logits.argmax(1, keepdim=True)
        elif isinstance(targets, str) and targets == "all":
            t = torch.arange(c).repeat(n, 1)
        else:
            t = torch.as_tensor(targets, dtype=torch.long)
            if t.ndim == 0:
                t = t.repeat(n)
            if t.ndim == 1:
                t = t.view(-1, 1) if t.numel() == n else t.view(1, -1).repeat(n, 1)
        if t.shape[0] != n:
            raise ExplainError(f"{t.shape[0]} target rows for {n} images")
        if (t < 0).any() or (t >= c).any():
            raise ExplainError(f"target class out of range 0..{c - 1}: {t.tolist()}")
        return t.to(logits.device)

    # ------------------------------------------------------------------ hooks
    def _attribute(self, x: torch.Tensor, targets: torch.Tensor,
                   activations: torch.Tensor | None) -> np.ndarray | torch.Tensor:
        """Raw maps ``(N, h, w)`` for one target class per image (``targets``: ``(N,)``)."""
        raise NotImplementedError

    def _attribute_multi(self, x: torch.Tensor, targets: torch.Tensor,
                         activations: torch.Tensor | None) -> np.ndarray | torch.Tensor:
        """Raw maps ``(N, K, h, w)`` for ``targets`` ``(N, K)``; default: loop over K."""
        maps = []
        for k in range(targets.shape[1]):
            m = self._attribute(x, targets[:, k], activations)
            m = m.detach().cpu().float() if isinstance(m, torch.Tensor) else torch.from_numpy(
                np.asarray(m, dtype=np.float32))
            maps.append(m.reshape(x.shape[0], *m.shape[-2:]))
        return torch.stack(maps, 1)

    # ------------------------------------------------------------------ template
    def __call__(self, inputs, targets=None) -> Explanation:
        """Explain ``inputs`` (normalised tensor or uint8 RGB frame(s)).

        ``targets``: ``None`` (predicted class), an int, one int per image, ``(N, K)`` ints, or
        ``"all"`` (every class, K = C).
        """
        if isinstance(inputs, torch.Tensor):
            x = inputs.to(torch.float32)
            if x.ndim == 3:
                x = x.unsqueeze(0)
        else:
            x = self.preprocess(inputs)
        x = x.to(self.device)
        logits, acts = self._forward(x)
        t = self._targets(logits, targets)
        raw = self._attribute_multi(x, t, acts)
        maps = normalise_maps(raw, tuple(x.shape[-2:]))
        probs = torch.softmax(logits.float(), 1).cpu().numpy()
        return Explanation(maps=maps, targets=t.cpu().numpy(), probs=probs, method=self.name,
                           extra=dict(getattr(self, "last_extra", {}) or {}))

    def explain_image(self, image: np.ndarray, targets=None) -> Explanation:
        """Explain one uint8 RGB image; maps put back at the image's own size.

        The model sees the centre crop :meth:`ModelInput.crop_box` of the image: the maps are
        resized onto that box and are 0 outside it (the model never saw those pixels);
        ``extra["crop_box"]`` records the box ``(x0, y0, x1, y1)``.
        """
        import cv2
        res = self(image, targets)
        h, w = image.shape[:2]
        x0, y0, x1, y1 = self.model_input.crop_box(h, w)
        full = np.zeros((*res.maps.shape[:2], h, w), np.float32)
        for i, row in enumerate(res.maps):
            for k, m in enumerate(row):
                full[i, k, y0:y1, x0:x1] = cv2.resize(m, (x1 - x0, y1 - y0),
                                                      interpolation=cv2.INTER_LINEAR)
        res.maps = full.clip(0, 1)
        res.extra["crop_box"] = (x0, y0, x1, y1)
        return res

    def __repr__(self):
        layer = f", layer={self.target_layer_name}" if self.target_layer_name else ""
        return f"{type(self).__name__}(name={self.name!r}{layer})"
