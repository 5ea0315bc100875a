"""Explanations for the global-only group-emotion CNNs (heatmaps, metrics, HTML reports).

Light import: nothing heavy (grad-cam, captum, matplotlib) is loaded until used::

    from explain import create_explainer, list_explainers
    exp = create_explainer("fast-scorecam", model, "vgg19")
    result = exp.explain_image(rgb_uint8)          # Explanation(maps, targets, probs)

The package never looks at detected faces and never imports the face-based path
(``globalnet.reference``); face masks are only read from synthgroup's own ground truth to
measure *face focus*.
"""
from __future__ import annotations

__all__ = ["list_explainers", "create_explainer", "Explainer", "Explanation", "ExplainError"]


def __getattr__(name):
    if name in ("list_explainers", "create_explainer"):
        from . import registry
        return getattr(registry, name)
    if name in ("Explainer", "Explanation", "ExplainError"):
        from . import base
        return getattr(base, name)
    raise AttributeError(f"module 'explain' has no attribute {name!r}")
