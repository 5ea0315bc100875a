"""Explainer registry: name -> plugin class.

``create_explainer(name, model, backbone_name, target_layer=None, **options)`` resolves the
target layer from the backbone registry's ``cam_target_layer`` unless the caller names another
(a dotted path such as ``"features.28"``, see :func:`globalnet.backbones.resolve_layer`), and
takes the preprocessing (mean, std, input size) from the same spec.
"""
from __future__ import annotations

from globalnet.registry import Registry

from .base import Explainer, ExplainError

#: Name -> explainer class (lazy ``"module:Class"``); another package adds its own through the
#: entry-point group ``explain.explainers`` (``mymethod = mypackage.module:MyExplainer``), listed
#: by ``explain list``.
EXPLAINERS: Registry[type[Explainer]] = Registry("explainer", group="explain.explainers",
                                                 error=ExplainError)
for _name, _ref, _aliases in (
    ("gradcam", "explain.gradcam:GradCAMExplainer", ("grad-cam",)),
    ("gradcam++", "explain.gradcampp:GradCAMPlusPlusExplainer", ("gradcampp", "grad-cam++")),
    ("scorecam", "explain.scorecam:ScoreCAMExplainer", ("score-cam",)),
    ("fast-scorecam", "explain.fast_scorecam:FastScoreCAMExplainer",
     ("fast_scorecam", "fastscorecam")),
    ("occlusion", "explain.occlusion:OcclusionExplainer", ()),
    ("integrated-gradients", "explain.integrated_gradients:IntegratedGradientsExplainer",
     ("ig", "integrated_gradients")),
):
    EXPLAINERS.register(_name, _ref, aliases=_aliases)
del _name, _ref, _aliases


def list_explainers() -> list[str]:
    """Registered explainer names (built-ins, then plugins)."""
    return EXPLAINERS.names()


def describe_explainers() -> list[tuple[str, str]]:
    """``(name, one-line description)`` of every explainer; one that cannot be loaded says why."""
    rows = []
    for name in EXPLAINERS.names():
        try:
            cls = EXPLAINERS.get(name)
        except ExplainError as e:
            rows.append((name, f"(unusable: {e})"))
            continue
        doc = (cls.__doc__ or "").strip().splitlines()
        rows.append((name, getattr(cls, "description", "") or (doc[0] if doc else "")))
    return rows


def register_explainer(name: str, explainer: type[Explainer] | str, *, aliases=(),
                       overwrite: bool = False):
    """Add an explainer class (or a lazy ``"module:Class"``) under ``name``; a taken name raises."""
    return EXPLAINERS.register(name, explainer, aliases=aliases, overwrite=overwrite)


def get_explainer_class(name: str) -> type[Explainer]:
    """The class of explainer ``name`` (aliases such as ``"ig"`` accepted, any case)."""
    return EXPLAINERS.get(str(name).lower())


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
    from globalnet.backbones import backbone_name_of, get_backbone_spec, resolve_layer

    cls = get_explainer_class(name)
    spec = get_backbone_spec(backbone_name_of(model, backbone_name, "create_explainer", ExplainError))
    layer_name = target_layer or spec.cam_target_layer
    layer = resolve_layer(model, layer_name)
    try:
        return cls(model, layer, mean=spec.mean, std=spec.std,
                   input_size=input_size or spec.input_size, device=device,
                   target_layer_name=layer_name, **options)
    except TypeError as e:
        raise ExplainError(f"bad option for explainer {name!r}: {e}") from None
