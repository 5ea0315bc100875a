"""Explainer registry: name -> plugin class.

``create_explainer(name, model, backbone_name, target_layer=None, **options)`` resolves the
target layer from the backbone registry's ``cam_target_layer`` unless the caller names another
(a dotted path such as ``"features.28"``, see :func:`globalnet.backbones.resolve_layer`), and
takes the preprocessing (mean, std, input size) from the same spec.
"""
from __future__ import annotations

import importlib

from .base import Explainer, ExplainError

# name -> (module, class, one-line description)
_EXPLAINERS: dict[str, tuple[str, str, str]] = {
    "gradcam": ("explain.gradcam", "GradCAMExplainer", "Grad-CAM (grad-cam package)"),
    "gradcam++": ("explain.gradcampp", "GradCAMPlusPlusExplainer",
                  "Grad-CAM++ (grad-cam package)"),
    "scorecam": ("explain.scorecam", "ScoreCAMExplainer",
                 "Score-CAM, grad-cam's reference implementation (slow)"),
    "fast-scorecam": ("explain.fast_scorecam", "FastScoreCAMExplainer",
                      "Score-CAM, batched / deduplicated (exact; topk=k approximate)"),
    "occlusion": ("explain.occlusion", "OcclusionExplainer", "Occlusion (captum)"),
    "integrated-gradients": ("explain.integrated_gradients", "IntegratedGradientsExplainer",
                             "Integrated Gradients (captum)"),
}
_ALIASES = {"grad-cam": "gradcam", "gradcampp": "gradcam++", "grad-cam++": "gradcam++",
            "score-cam": "scorecam", "fast_scorecam": "fast-scorecam",
            "fastscorecam": "fast-scorecam", "ig": "integrated-gradients",
            "integrated_gradients": "integrated-gradients"}


def list_explainers() -> list[str]:
    """Registered explainer names."""
    return list(_EXPLAINERS)


def describe_explainers() -> list[tuple[str, str]]:
    return [(k, v[2]) for k, v in _EXPLAINERS.items()]


def register_explainer(name: str, module: str, cls: str, description: str = "") -> None:
    """Add a plugin (``module:cls`` is imported lazily on first use)."""
    _EXPLAINERS[name] = (module, cls, description)


def get_explainer_class(name: str) -> type[Explainer]:
    key = _ALIASES.get(str(name).lower(), str(name).lower())
    if key not in _EXPLAINERS:
        raise ExplainError(f"unknown explainer {name!r}; choose one of: "
                           f"{', '.join(list_explainers())}")
    module, cls, _ = _EXPLAINERS[key]
    return getattr(importlib.import_module(module), cls)


def create_explainer(name: str, model, backbone_name: str | None = None,
                     target_layer: str | None = None, *, device: str = "cpu",
                     input_size=None, **options) -> Explainer:
    """Build explainer ``name`` for ``model`` (a backbone from :mod:`globalnet.backbones`).

    Args:
        name: one of :func:`list_explainers` (aliases such as ``"ig"`` accepted).
        model: the classifier.
        backbone_name: registry name of the backbone (default: ``model.backbone_name``); gives
            the default target layer, mean/std and input size.
        target_layer: dotted path of another layer to hook (``None``: the spec's
            ``cam_target_layer``).
        device, input_size: where to run, and the square side frames are resized to
            (default: the spec's ``input_size``).
        **options: plugin options (``topk``, ``batch_size``, ``precision`` for fast-scorecam...).
    """
    from globalnet.backbones import get_backbone_spec, resolve_layer

    cls = get_explainer_class(name)
    backbone_name = backbone_name or getattr(model, "backbone_name", None)
    if backbone_name is None:
        raise ExplainError("create_explainer needs backbone_name (the model has no backbone_name)")
    spec = get_backbone_spec(backbone_name)
    layer_name = target_layer or spec.cam_target_layer
    layer = resolve_layer(model, layer_name)
    try:
        return cls(model, layer, mean=spec.mean, std=spec.std,
                   input_size=input_size or spec.input_size, device=device,
                   target_layer_name=layer_name, **options)
    except TypeError as e:
        raise ExplainError(f"bad option for explainer {name!r}: {e}") from None
