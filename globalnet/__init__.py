"""globalnet: global-only CNNs that classify a whole frame as 0 Positive, 1 Neutral, 2 Negative.

The networks never look at detected faces: they see the whole image. Library API::

    from globalnet import create_backbone, get_backbone_spec, list_backbones
    spec = get_backbone_spec("vgg19")            # mean, std, input_size, min_input_size, cam_target_layer...
    model = create_backbone("vgg19", weights="imagenet", num_classes=3)

Importing the package is light: torch and torchvision are imported only when a backbone
function is first used.
"""
from .errors import GlobalNetError

from synthgroup.labels import CLASS_NAMES  # noqa: E402  (the one definition)

_BACKBONE_NAMES = (
    "BackboneSpec", "IMAGENET_MEAN", "IMAGENET_STD",
    "list_backbones", "get_backbone_spec", "create_backbone", "register_backbone",
    "resolve_layer", "count_parameters", "forward_logits", "split_outputs",
    "classification_loss", "check_input_size", "describe_backbones",
    "save_checkpoint", "measure_min_input_size",
)

__all__ = ["GlobalNetError", "CLASS_NAMES", *_BACKBONE_NAMES]


def __getattr__(name):  # lazy: keep `import globalnet` free of torch
    if name in _BACKBONE_NAMES:
        from . import backbones
        return getattr(backbones, name)
    raise AttributeError(f"module 'globalnet' has no attribute {name!r}")
