"""Backbone registry: global-only CNNs with a 3-way head (0 Positive, 1 Neutral, 2 Negative).

The names are the architectures compared by Petrova et al., "Group-Level Emotion Recognition
Using a Unimodal Privacy-Safe Non-Individual Approach" (EmotiW 2020), plus ``vgg19_mod``, the
paper's VGG19 with extra fully connected layers (Figure 7; see :class:`VGG19Mod`).

Every entry is a :class:`BackboneSpec`: a small frozen dataclass holding how the network is
built and the facts other code needs (normalisation statistics, default and minimum input size,
the layer Grad-CAM should hook, the torchvision weights enum). Training, video inference and the
explanation code read these from here; nobody hard-codes ImageNet statistics::

    spec = get_backbone_spec("inception_v3")
    spec.mean, spec.std, spec.input_size, spec.min_input_size, spec.cam_target_layer
    model = create_backbone("inception_v3", weights="imagenet")       # 3-way head
    layer = resolve_layer(model, spec.cam_target_layer)                # -> model.Mixed_7c

``weights``: ``None`` (random init, default); ``"imagenet"`` (the spec's torchvision weights,
read from the torch hub cache or downloaded through torchvision's normal path; a full enum name
such as ``"ResNet50_Weights.IMAGENET1K_V1"`` picks another version); or a checkpoint path
(a raw state_dict, or a dict ``{"backbone": name, "num_classes": n, "model": state_dict}`` as
written by :func:`save_checkpoint`).

Minimum input sizes were measured, not guessed: :func:`measure_min_input_size` runs forward
passes (batch 2, random init) at every size from a start size down to 1 and records the smallest
size from which every larger size works. ``min_input_size`` is for eval mode (inference, CAMs);
``min_train_input_size`` is for train mode, where Inception v3's auxiliary head runs and needs a
much larger input (it pools a 17x17 grid with a 5x5/3 window followed by a 5x5 convolution).
"""
from __future__ import annotations

import os
import re
import urllib.parse
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from .errors import GlobalNetError
from .registry import Registry

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
DEFAULT_NUM_CLASSES = 3
AUX_LOSS_WEIGHT = 0.4


# --------------------------------------------------------------------------------------- specs
@dataclass(frozen=True)
class BackboneSpec:
    """How to build one backbone and the facts the rest of the toolkit reads.

    Attributes:
        name: registry name (``create_backbone(name)``).
        torchvision_name: the torchvision architecture it is built from (``get_model`` name).
        weights_enum: torchvision weights used by ``weights="imagenet"``, e.g.
            ``"VGG19_Weights.IMAGENET1K_V1"`` (resolve with ``torchvision.models.get_weight``);
            ``None`` for an architecture that exists only here (no ImageNet weights).
        head: dotted paths of the output layers replaced by an ``num_classes``-way layer; the
            main classifier first, then auxiliary classifiers (absent ones are skipped).
        cam_target_layer: dotted path (see :func:`resolve_layer`) of the last convolutional block,
            the layer Grad-CAM / Score-CAM hook; its output is a 4-D activation.
        min_input_size: smallest H=W accepted in eval mode (measured, batch 2).
        min_train_input_size: smallest H=W accepted in train mode with the default auxiliary
            heads; ``None`` means same as ``min_input_size``.
        input_size: default train/eval size (square side).
        mean, std: per-channel normalisation of [0, 1] RGB input.
        aux_logits: built with auxiliary classifiers by default (train-mode output is then a
            namedtuple; use :func:`forward_logits` / :func:`classification_loss`).
        aux_modules: attribute names of the auxiliary classifiers (set to ``None`` when dropped).
        build_kwargs: extra keyword arguments always passed to the torchvision constructor, as
            ``(key, value)`` pairs. Inception/GoogLeNet use ``transform_input=True`` in every mode
            (random, ImageNet, checkpoint) so the input is always ImageNet-normalised and a
            fine-tuned checkpoint reloads with the same preprocessing.
        init_weights_kwarg: the torchvision constructor takes ``init_weights`` (skipped when the
            weights are about to be overwritten).
        zero_head: on random init, zero the head(s) so training starts from uniform
            predictions (loss ln K). For Inception V3, whose TensorFlow-style init draws the
            2048-way head with std 0.1: logits start with std ~5 and a loss ~5, and from scratch
            AdamW did not recover from that within 370 steps in our runs.
        builder: custom constructor ``builder(spec, num_classes, imagenet_state, aux_logits,
            init)``; ``None`` uses the torchvision architecture with its head replaced.
        notes: one line shown by ``describe_backbones``.
    """

    name: str
    torchvision_name: str
    weights_enum: str | None
    head: tuple[str, ...]
    cam_target_layer: str
    min_input_size: int
    min_train_input_size: int | None = None
    input_size: int = 224
    mean: tuple[float, float, float] = IMAGENET_MEAN
    std: tuple[float, float, float] = IMAGENET_STD
    aux_logits: bool = False
    aux_modules: tuple[str, ...] = ()
    build_kwargs: tuple[tuple[str, Any], ...] = ()
    init_weights_kwarg: bool = False
    zero_head: bool = False
    builder: Callable[..., nn.Module] | None = field(default=None, compare=False, repr=False)
    notes: str = ""

    def min_size(self, train: bool = False, aux_logits: bool | None = None) -> int:
        """Smallest accepted H=W for eval (default) or train mode (with or without aux heads)."""
        aux = self.aux_logits if aux_logits is None else aux_logits
        if train and aux and self.min_train_input_size is not None:
            return max(self.min_input_size, self.min_train_input_size)
        return self.min_input_size

    def train_aux_logits(self, size: int) -> bool | None:
        """``False`` when the auxiliary heads cannot train at ``size`` (inception_v3's needs
        299 px), else ``None`` (the registry default): the ``aux_logits`` to build with."""
        if self.aux_logits and size < self.min_size(train=True, aux_logits=True):
            return False
        return None

    @property
    def weights_url(self) -> str:
        return _get_weights(self, self.weights_enum).url

    @property
    def weights_cache_path(self) -> Path:
        """Where torchvision reads/writes the ImageNet weights: ``torch.hub.get_dir()/checkpoints``."""
        return _cache_path(self.weights_url)


#: Name -> :class:`BackboneSpec`; another package adds its own through the entry-point group
#: ``globalnet.backbones`` (``mynet = mypackage.module:MYNET_SPEC``), listed by ``globalnet backbones``.
BACKBONES: Registry[BackboneSpec] = Registry("backbone", group="globalnet.backbones")


def register_backbone(spec: BackboneSpec, *, overwrite: bool = False) -> BackboneSpec:
    """Add ``spec`` to the registry (``overwrite=True`` to replace an existing entry)."""
    return BACKBONES.register(spec.name, spec, overwrite=overwrite)


def list_backbones() -> list[str]:
    """Registered backbone names, in table order (the paper's order, then ``vgg19_mod`` and
    ``resnet18_slim``), then
    those of plugins."""
    return BACKBONES.names()


def get_backbone_spec(name: str) -> BackboneSpec:
    """The :class:`BackboneSpec` of ``name``; unknown names raise :class:`GlobalNetError`."""
    spec = BACKBONES.get(name)
    if not isinstance(spec, BackboneSpec):
        raise GlobalNetError(f"backbone {name!r} is a {type(spec).__name__}, not a BackboneSpec")
    return spec


# ---------------------------------------------------------------------------- vgg19_mod builder
class VGG19Mod(nn.Module):
    """VGG19's convolutional part followed by a deeper fully connected classifier (paper Fig. 7).

    ``features`` and ``avgpool`` are VGG19's (16 conv layers, 7x7 adaptive pooling, so any input
    of at least 32x32 gives 512*7*7 = 25088 features). ``classifier`` is::

        25088 -> 4096 -> 4096 -> 1024 -> 256 -> num_classes
        (each hidden layer followed by ReLU and Dropout(p=dropout))

    Why these sizes: the first two FC layers keep VGG19's fc6/fc7 shapes (25088->4096->4096) so
    that, with ``weights="imagenet"``, they reuse VGG19's ImageNet weights as well as the conv
    part; only the added 4096->1024->256->num_classes funnel starts from scratch. The funnel
    narrows by ~4x per layer down to a 256-d embedding, so the 3-way decision is learned from a
    compact representation (about 4.5M new parameters, ~3% of the model), which is what the
    paper's extra FC layers are for: adapting ImageNet features to a 3-class group-emotion task
    on a small data set without retraining a 4096x3 linear layer directly on fc7.
    Layer indices in ``classifier``: 0 fc6, 3 fc7, 6 fc 4096->1024, 9 fc 1024->256, 12 output.
    """

    def __init__(self, num_classes: int = DEFAULT_NUM_CLASSES, dropout: float = 0.5,
                 init_weights: bool = True, base: nn.Module | None = None) -> None:
        super().__init__()
        from torchvision.models import vgg19

        base = base if base is not None else vgg19(weights=None, init_weights=init_weights)
        self.features = base.features
        self.avgpool = base.avgpool
        fc6, fc7 = base.classifier[0], base.classifier[3]
        self.classifier = nn.Sequential(
            fc6, nn.ReLU(inplace=True), nn.Dropout(dropout),
            fc7, nn.ReLU(inplace=True), nn.Dropout(dropout),
            nn.Linear(4096, 1024), nn.ReLU(inplace=True), nn.Dropout(dropout),
            nn.Linear(1024, 256), nn.ReLU(inplace=True), nn.Dropout(dropout),
            nn.Linear(256, num_classes),
        )
        for i in (6, 9, 12):  # the added layers: VGG's own classifier initialisation
            nn.init.normal_(self.classifier[i].weight, 0.0, 0.01)
            nn.init.zeros_(self.classifier[i].bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.features(x)
        x = self.avgpool(x)
        x = torch.flatten(x, 1)
        return self.classifier(x)


def _build_vgg19_mod(spec: BackboneSpec, num_classes: int, imagenet_state: dict | None,
                     aux_logits: bool, init: bool) -> nn.Module:
    if imagenet_state is None:
        return VGG19Mod(num_classes, init_weights=init)
    from torchvision.models import vgg19

    base = vgg19(weights=None, init_weights=False)
    _load_state(base, imagenet_state, f"ImageNet weights {spec.weights_enum}")
    return VGG19Mod(num_classes, base=base)


# ------------------------------------------------------------------------- resnet18_slim builder
SLIM_WIDTHS = (24, 48, 96, 192)


def _build_resnet18_slim(spec: BackboneSpec, num_classes: int, imagenet_state: dict | None,
                         aux_logits: bool, init: bool) -> nn.Module:
    """torchvision's ResNet18 (BasicBlock, [2, 2, 2, 2]) at 3/8 of its width: stem and stages
    24-48-96-192 channels instead of 64-128-256-512. Same module names as ``resnet18`` (conv1,
    layer1..layer4, fc), so Grad-CAM's ``layer4`` and everything that reads a ResNet work; about
    1.6 M parameters (resnet18: 11.2 M) and a fraction of the compute per frame."""
    from torchvision.models.resnet import BasicBlock, ResNet

    model = ResNet(BasicBlock, [2, 2, 2, 2], num_classes=num_classes)
    w0, w1, w2, w3 = SLIM_WIDTHS
    model.inplanes = w0
    model.conv1 = nn.Conv2d(3, w0, kernel_size=7, stride=2, padding=3, bias=False)
    model.bn1 = nn.BatchNorm2d(w0)
    model.layer1 = model._make_layer(BasicBlock, w0, 2)
    model.layer2 = model._make_layer(BasicBlock, w1, 2, stride=2)
    model.layer3 = model._make_layer(BasicBlock, w2, 2, stride=2)
    model.layer4 = model._make_layer(BasicBlock, w3, 2, stride=2)
    model.fc = nn.Linear(w3, num_classes)
    for m in model.modules():          # torchvision ResNet's own initialisation
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.constant_(m.weight, 1)
            nn.init.constant_(m.bias, 0)
    return model


# ---------------------------------------------------------------------------------------- table
# Variants are data. min_input_size / min_train_input_size were measured with
# measure_min_input_size() (batch 2, random init, every size from input_size down to 1; torch
# 2.14 / torchvision 0.29) and agree with torchvision's weights.meta["min_size"]:
#   1: ResNets, ResNeXt, Wide ResNet, MobileNetV2 (adaptive pooling, padded convs: even 1x1
#      runs, though it is meaningless); 15 googlenet; 17 squeezenet1_1; 29 densenet121;
#   32 VGGs (five 2x2 max-pools); 75 inception_v3 in eval, 299 in train mode with AuxLogits.
# Batch 1 in train mode fails wherever BatchNorm sees a 1x1 map (one value per channel).
_INCEPTION_KW = (("transform_input", True),)


def _resnet(name: str, weights_enum: str) -> BackboneSpec:
    """A ResNet-style entry: ``fc`` head, CAM on ``layer4``, any input size."""
    return BackboneSpec(name, name, weights_enum, head=("fc",), cam_target_layer="layer4",
                        min_input_size=1)


def _vgg(name: str, weights_enum: str, cam_target_layer: str, torchvision_name: str | None = None,
         head: tuple[str, ...] = ("classifier.6",), **kwargs) -> BackboneSpec:
    """A VGG entry: ``classifier.6`` head, five 2x2 max-pools (32 px at least), init_weights."""
    return BackboneSpec(name, torchvision_name or name, weights_enum, head=head,
                        cam_target_layer=cam_target_layer, min_input_size=32,
                        init_weights_kwarg=True, **kwargs)


for _spec in (
    _resnet("wide_resnet50_2", "Wide_ResNet50_2_Weights.IMAGENET1K_V2"),
    _resnet("resnet34", "ResNet34_Weights.IMAGENET1K_V1"),
    BackboneSpec("mobilenet_v2", "mobilenet_v2", "MobileNet_V2_Weights.IMAGENET1K_V2",
                 head=("classifier.1",), cam_target_layer="features.18", min_input_size=1),
    BackboneSpec("densenet121", "densenet121", "DenseNet121_Weights.IMAGENET1K_V1",
                 head=("classifier",), cam_target_layer="features.norm5", min_input_size=29),
    _resnet("resnext50_32x4d", "ResNeXt50_32X4D_Weights.IMAGENET1K_V2"),
    BackboneSpec("inception_v3", "inception_v3", "Inception_V3_Weights.IMAGENET1K_V1",
                 head=("fc", "AuxLogits.fc"), cam_target_layer="Mixed_7c", min_input_size=75,
                 min_train_input_size=299, input_size=299, aux_logits=True,
                 aux_modules=("AuxLogits",), build_kwargs=_INCEPTION_KW, init_weights_kwarg=True,
                 zero_head=True),
    _resnet("resnet50", "ResNet50_Weights.IMAGENET1K_V2"),
    BackboneSpec("googlenet", "googlenet", "GoogLeNet_Weights.IMAGENET1K_V1",
                 head=("fc", "aux1.fc2", "aux2.fc2"), cam_target_layer="inception5b",
                 min_input_size=15, aux_logits=True,
                 aux_modules=("aux1", "aux2"), build_kwargs=_INCEPTION_KW, init_weights_kwarg=True),
    _vgg("vgg11", "VGG11_Weights.IMAGENET1K_V1", "features.19"),
    _resnet("resnet18", "ResNet18_Weights.IMAGENET1K_V1"),
    _vgg("vgg16", "VGG16_Weights.IMAGENET1K_V1", "features.29"),
    BackboneSpec("squeezenet1_1", "squeezenet1_1", "SqueezeNet1_1_Weights.IMAGENET1K_V1",
                 head=("classifier.1",), cam_target_layer="features.12", min_input_size=17),
    _vgg("vgg19", "VGG19_Weights.IMAGENET1K_V1", "features.35"),
    _vgg("vgg19_mod", "VGG19_Weights.IMAGENET1K_V1", "features.35", torchvision_name="vgg19",
         head=("classifier.12",), builder=_build_vgg19_mod,
         notes="VGG19 conv part + FC 25088-4096-4096-1024-256-3 (paper Fig. 7)"),
    BackboneSpec("resnet18_slim", "resnet18", None, head=("fc",), cam_target_layer="layer4",
                 min_input_size=1, builder=_build_resnet18_slim,
                 notes="ResNet18 at 3/8 width (24-48-96-192 channels), for CPUs; not in the paper, "
                       "no ImageNet weights"),
):
    register_backbone(_spec)
del _spec


# ------------------------------------------------------------------------------------- building
def create_backbone(name: str, weights: str | os.PathLike | None = None,
                    num_classes: int = DEFAULT_NUM_CLASSES, *, aux_logits: bool | None = None,
                    progress: bool = True) -> nn.Module:
    """Build backbone ``name`` with a ``num_classes``-way output.

    Args:
        name: a name from :func:`list_backbones`.
        weights: ``None`` (random init), ``"imagenet"`` (the spec's ``weights_enum``; a full
            enum name like ``"ResNet50_Weights.IMAGENET1K_V1"`` is accepted too) or a checkpoint
            path (see module docstring).
        num_classes: size of the output layer (and of the auxiliary heads' outputs).
        aux_logits: keep Inception/GoogLeNet auxiliary heads (default: ``spec.aux_logits``);
            ignored by the other backbones.
        progress: show torchvision's download progress bar.

    With ImageNet weights the network is built with its 1000-way ImageNet head, the weights are
    loaded, then the head (and auxiliary heads) are replaced, so all features stay pretrained.
    The returned model carries ``backbone_name`` and ``num_classes`` attributes.
    """
    spec = get_backbone_spec(name)
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1:
        raise GlobalNetError(f"num_classes must be a positive integer, not {num_classes!r}")
    aux = spec.aux_logits if aux_logits is None else bool(aux_logits)
    if not spec.aux_modules:
        aux = False
    kind, value = parse_weights(spec, weights)
    imagenet_state = _load_imagenet_state_dict(spec, value, progress) if kind == "imagenet" else None
    build = spec.builder or _build_torchvision
    model = build(spec, num_classes=num_classes, imagenet_state=imagenet_state, aux_logits=aux,
                  init=kind is None)
    if kind == "path":
        _load_checkpoint_into(model, spec, value, num_classes)
    elif kind is None and spec.zero_head:
        with torch.no_grad():
            for path in spec.head:
                try:
                    layer = resolve_layer(model, path)
                except GlobalNetError:      # an auxiliary head that was not built
                    continue
                for t in (layer.weight, layer.bias):
                    if t is not None:
                        t.zero_()
    model.backbone_name = spec.name
    model.num_classes = num_classes
    return model


def parse_weights(spec: BackboneSpec, weights) -> tuple[str | None, Any]:
    """What ``weights`` means for ``spec``: ``(None, None)`` random init, ``("imagenet", enum
    name)``, or ``("path", resolved checkpoint path)`` (a zoo name resolves to its file)."""
    if weights is None:
        return None, None
    if isinstance(weights, str) and weights.lower() in ("imagenet", "default", "pretrained"):
        if spec.weights_enum is None:
            raise GlobalNetError(f"{spec.name} has no ImageNet weights (the architecture exists "
                                 f"only in this toolkit): use None for random init, a zoo model "
                                 f"name or a checkpoint path")
        return "imagenet", spec.weights_enum
    if isinstance(weights, str) and "_Weights." in weights and not os.path.exists(weights):
        return "imagenet", weights
    if isinstance(weights, (str, os.PathLike)):
        from .checkpoints import resolve_checkpoint
        try:
            return "path", resolve_checkpoint(weights)
        except GlobalNetError as e:
            raise GlobalNetError(f"weights {str(weights)!r} for {spec.name}: {e} (use None for "
                                 f"random init, 'imagenet', a zoo model name or a path to a "
                                 f"checkpoint)") from None
    raise GlobalNetError(f"weights must be None, 'imagenet', a zoo model name or a checkpoint "
                         f"path, not {weights!r}")


def _torchvision_kwargs(spec: BackboneSpec, num_classes: int, aux_logits: bool, init: bool) -> dict:
    kwargs = dict(spec.build_kwargs)
    kwargs["num_classes"] = num_classes
    if spec.aux_modules:
        kwargs["aux_logits"] = aux_logits
    if spec.init_weights_kwarg:
        kwargs["init_weights"] = init
    return kwargs


def _build_torchvision(spec: BackboneSpec, num_classes: int, imagenet_state: dict | None,
                       aux_logits: bool, init: bool) -> nn.Module:
    """Default builder: the torchvision architecture, with its head(s) swapped when pretrained."""
    from torchvision.models import get_model

    if imagenet_state is None:
        # Random init (or a checkpoint about to be loaded): torchvision builds the n-way head
        # itself, with its own per-architecture initialisation.
        return get_model(spec.torchvision_name, weights=None,
                         **_torchvision_kwargs(spec, num_classes, aux_logits, init))
    # Pretrained: build exactly the ImageNet network (aux heads included, as the state dict has
    # them), load it strictly, then drop unwanted aux heads and replace the output layers.
    model = get_model(spec.torchvision_name, weights=None,
                      **_torchvision_kwargs(spec, 1000, bool(spec.aux_modules), False))
    _load_state(model, imagenet_state, f"ImageNet weights {spec.weights_enum}")
    if spec.aux_modules and not aux_logits:
        _drop_aux(model, spec)
    replace_head(model, spec, num_classes)
    return model


def _drop_aux(model: nn.Module, spec: BackboneSpec) -> None:
    for attr in spec.aux_modules:
        setattr(model, attr, None)
    model.aux_logits = False


def _new_output_layer(old: nn.Module, num_classes: int) -> nn.Module:
    """A fresh ``num_classes``-way copy of a Linear or 1x1-conv output layer.

    Initialised N(0, 0.01) with zero bias, as torchvision initialises the VGG, MobileNet and
    SqueezeNet classifiers: small logits at the start of fine-tuning.
    """
    if isinstance(old, nn.Linear):
        new = nn.Linear(old.in_features, num_classes, bias=old.bias is not None)
    elif isinstance(old, nn.Conv2d):
        new = nn.Conv2d(old.in_channels, num_classes, old.kernel_size, old.stride, old.padding,
                        bias=old.bias is not None)
    else:
        raise GlobalNetError(f"cannot replace output layer of type {type(old).__name__}")
    new = new.to(device=old.weight.device, dtype=old.weight.dtype)
    nn.init.normal_(new.weight, 0.0, 0.01)
    if new.bias is not None:
        nn.init.zeros_(new.bias)
    return new


def replace_head(model: nn.Module, spec: BackboneSpec, num_classes: int) -> nn.Module:
    """Replace every layer in ``spec.head`` that exists in ``model`` by a ``num_classes``-way one."""
    for path in spec.head:
        parent_path, _, attr = path.rpartition(".")
        try:
            parent = resolve_layer(model, parent_path) if parent_path else model
        except GlobalNetError:
            parent = None
        if parent is None:   # e.g. an auxiliary head that was dropped
            continue
        old = resolve_layer(model, path)
        new = _new_output_layer(old, num_classes)
        if attr.lstrip("-").isdigit():
            parent[int(attr)] = new
        else:
            setattr(parent, attr, new)
    if hasattr(model, "num_classes"):
        model.num_classes = num_classes
    return model


# -------------------------------------------------------------------------------- ImageNet path
def _get_weights(spec: BackboneSpec, enum_name: str | None):
    from torchvision.models import get_model_weights, get_weight

    if enum_name is None:
        raise GlobalNetError(f"{spec.name} has no ImageNet weights")
    try:
        w = get_weight(enum_name)
    except (ValueError, KeyError, AttributeError) as e:
        raise GlobalNetError(f"unknown torchvision weights {enum_name!r} for {spec.name}: {e}") from None
    expected = get_model_weights(spec.torchvision_name)
    if not isinstance(w, expected):
        raise GlobalNetError(
            f"weights {enum_name!r} do not fit {spec.name}; use one of "
            f"{', '.join(f'{expected.__name__}.{k}' for k in expected.__members__ if k != 'DEFAULT')}")
    return w


def _cache_path(url: str) -> Path:
    filename = os.path.basename(urllib.parse.urlparse(url).path)
    return Path(torch.hub.get_dir()) / "checkpoints" / filename


def _load_imagenet_state_dict(spec: BackboneSpec, enum_name: str, progress: bool) -> dict:
    """torchvision's normal path: hub cache first, download when missing; clear error otherwise."""
    w = _get_weights(spec, enum_name)
    cached = _cache_path(w.url)
    was_cached = cached.is_file()
    try:
        return w.get_state_dict(progress=progress, check_hash=True)
    except Exception as e:  # noqa: BLE001 - URLError, OSError, hash mismatch, unreadable file...
        reason = f"{type(e).__name__}: {e}"
        if was_cached:
            raise GlobalNetError(
                f"cannot load ImageNet weights for {spec.name} ({enum_name}): the cached file "
                f"{cached} is unreadable ({reason}); delete it and download it again from "
                f"{w.url}") from None
        raise GlobalNetError(
            f"cannot load ImageNet weights for {spec.name} ({enum_name}): {cached} is not in the "
            f"torch hub cache and downloading it failed ({reason}). Run once with internet access "
            f"(create_backbone({spec.name!r}, weights='imagenet') fills the cache), or download "
            f"{w.url} on another machine and copy it to {cached} (set TORCH_HOME to use another "
            f"cache directory), or use weights=None.") from None


# ------------------------------------------------------------------------------- checkpoints
_PREFIXES = ("module.", "_orig_mod.")


def _strip_prefixes(state: dict) -> dict:
    out = {}
    for k, v in state.items():
        changed = True
        while changed:
            changed = False
            for p in _PREFIXES:
                if k.startswith(p):
                    k, changed = k[len(p):], True
        out[k] = v
    return out


def _load_state(model: nn.Module, state: dict, what: str, target: str | None = None,
                hint: str = "") -> None:
    """Load ``state`` strictly; a shape or key mismatch is one GlobalNetError saying that
    ``what`` does not fit ``target`` (default: the model's backbone or class name)."""
    target = target or getattr(model, "backbone_name", None) or type(model).__name__
    try:
        result = model.load_state_dict(state, strict=False)
    except RuntimeError as e:        # shape mismatch
        raise GlobalNetError(f"{what} do not fit {target}: "
                             f"{str(e).splitlines()[-1].strip()}") from None
    if result.missing_keys or result.unexpected_keys:
        raise GlobalNetError(_mismatch_message(what, target, result) + hint)


def _mismatch_message(what: str, target: str, result) -> str:
    def few(keys):
        keys = list(keys)
        return ", ".join(keys[:4]) + (f" (+{len(keys) - 4} more)" if len(keys) > 4 else "")
    parts = []
    if result.missing_keys:
        parts.append(f"missing {few(result.missing_keys)}")
    if result.unexpected_keys:
        parts.append(f"unexpected {few(result.unexpected_keys)}")
    return f"{what} do not fit {target}: {'; '.join(parts)}"


def _checkpoint_num_classes(spec: BackboneSpec, ckpt: dict, state: dict) -> int | None:
    if ckpt.get("num_classes") is not None:
        return int(ckpt["num_classes"])
    w = state.get(f"{spec.head[0]}.weight")
    return int(w.shape[0]) if isinstance(w, torch.Tensor) else None


def _load_checkpoint_into(model: nn.Module, spec: BackboneSpec, path: Path, num_classes: int) -> None:
    from .checkpoints import read_checkpoint, split_state
    state, ckpt = split_state(read_checkpoint(path))
    if not state or not all(isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in state.items()):
        raise GlobalNetError(f"checkpoint {path} has no usable state_dict (expected tensors by name)")
    state = _strip_prefixes(state)
    ck_name = ckpt.get("backbone")
    if ck_name is not None and ck_name != spec.name:
        raise GlobalNetError(f"checkpoint {path} is for backbone {ck_name!r}, not {spec.name!r}; "
                             f"use create_backbone({ck_name!r}, weights=...)")
    ck_classes = _checkpoint_num_classes(spec, ckpt, state)
    if ck_classes is not None and ck_classes != num_classes:
        raise GlobalNetError(f"checkpoint {path} has a {ck_classes}-class head but num_classes="
                             f"{num_classes} was asked for {spec.name}")
    aux_prefixes = tuple(f"{a}." for a in spec.aux_modules)
    own = set(model.state_dict())
    missing = own - set(state)
    if aux_prefixes and missing and all(k.startswith(aux_prefixes) for k in missing):
        _drop_aux(model, spec)       # trained without auxiliary heads
    if aux_prefixes and getattr(model, "aux_logits", True) is False:
        state = {k: v for k, v in state.items() if not k.startswith(aux_prefixes)}
    _load_state(model, state, f"the weights in checkpoint {path}", spec.name,
                hint=" (is it a checkpoint of another backbone?)" if ck_name is None else "")


def save_checkpoint(path: str | os.PathLike, model: nn.Module, name: str | None = None,
                    **extra: Any) -> Path:
    """Write ``{"backbone", "num_classes", "model": state_dict, **extra}`` for ``weights=path``."""
    name = backbone_name_of(model, name, "save_checkpoint")
    spec = get_backbone_spec(name)
    head = resolve_layer(model, spec.head[0])
    num_classes = getattr(head, "out_features", None) or getattr(head, "out_channels")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"backbone": name, "num_classes": int(num_classes),
                "model": model.state_dict(), **extra}, path)
    return path


# ------------------------------------------------------------------------------------ helpers
def backbone_name_of(model: nn.Module, name: str | None, needed_by: str,
                     error: type[GlobalNetError] = GlobalNetError) -> str:
    """``name``, else the model's ``backbone_name``; ``error`` naming ``needed_by`` when there is
    neither."""
    name = name or getattr(model, "backbone_name", None)
    if name is None:
        raise error(f"{needed_by} needs the backbone name (the model has no backbone_name)")
    return name


def resolve_layer(model: nn.Module, path: str) -> nn.Module:
    """The sub-module at dotted ``path`` ("layer4", "features.35", "features.-1", "Mixed_7c")."""
    module = model
    done = []
    for part in str(path).split("."):
        child = None
        if module is not None:
            if re.fullmatch(r"-?\d+", part) and isinstance(module, (nn.Sequential, nn.ModuleList)):
                try:
                    child = module[int(part)]
                except IndexError:
                    child = None
            else:
                child = module._modules.get(part)
        if child is None:
            where = ".".join(done) or type(model).__name__
            choices = list(module._modules) if module is not None else []
            raise GlobalNetError(f"layer {path!r} not found in {type(model).__name__}: {where!r} "
                                 f"has no {part!r} (children: {', '.join(choices[:12]) or 'none'})")
        module = child
        done.append(part)
    return module


def count_parameters(model: nn.Module, trainable_only: bool = False) -> int:
    """Number of parameters (all, or only those with ``requires_grad``)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def split_outputs(outputs) -> tuple[torch.Tensor, tuple[torch.Tensor, ...]]:
    """``(main_logits, aux_logits_tuple)`` from a model output.

    Handles a plain tensor, Inception's ``InceptionOutputs(logits, aux_logits)``, GoogLeNet's
    ``GoogLeNetOutputs(logits, aux_logits2, aux_logits1)`` (train mode) and ``(logits, aux)``
    tuples; ``None`` entries (absent aux heads) are skipped.
    """
    if isinstance(outputs, torch.Tensor):
        return outputs, ()
    if isinstance(outputs, (tuple, list)) and outputs and isinstance(outputs[0], torch.Tensor):
        aux: list[torch.Tensor] = []
        stack = list(outputs[1:])
        while stack:
            item = stack.pop(0)
            if isinstance(item, torch.Tensor):
                aux.append(item)
            elif isinstance(item, (tuple, list)):
                stack[:0] = list(item)
        return outputs[0], tuple(aux)
    raise TypeError(f"unsupported model output of type {type(outputs).__name__}")


def forward_logits(model: nn.Module, x: torch.Tensor, return_aux: bool = False):
    """Main logits of ``model(x)`` in any mode; ``return_aux=True`` gives ``(logits, aux_tuple)``."""
    logits, aux = split_outputs(model(x))
    return (logits, aux) if return_aux else logits


def classification_loss(outputs, targets: torch.Tensor, aux_weight: float = AUX_LOSS_WEIGHT,
                        **ce_kwargs) -> torch.Tensor:
    """Cross-entropy of the main logits plus ``aux_weight`` x cross-entropy of each aux head.

    ``outputs`` is what the model returned (tensor or Inception/GoogLeNet namedtuple). The 0.4
    weight is torchvision's fine-tuning convention for Inception v3 (``loss1 + 0.4 * loss2``);
    for GoogLeNet it is applied to each of its two auxiliary heads. ``ce_kwargs`` go to
    ``torch.nn.functional.cross_entropy`` (``weight``, ``label_smoothing``...).
    """
    import torch.nn.functional as F

    logits, aux = split_outputs(outputs)
    loss = F.cross_entropy(logits, targets, **ce_kwargs)
    for a in aux:
        loss = loss + aux_weight * F.cross_entropy(a, targets, **ce_kwargs)
    return loss


def _hw(size) -> tuple[int, int]:
    if isinstance(size, int):
        return size, size
    if isinstance(size, torch.Size) or isinstance(size, Sequence):
        vals = tuple(size)[-2:]
        if len(vals) == 2:
            return int(vals[0]), int(vals[1])
    raise GlobalNetError(f"input size must be an int or (height, width), not {size!r}")


def check_input_size(name: str, size, *, train: bool = False, aux_logits: bool | None = None) -> None:
    """Raise :class:`GlobalNetError` if an input of ``size`` (int, (H, W) or a tensor shape) is
    smaller than what backbone ``name`` accepts (eval mode, or train mode with aux heads)."""
    spec = get_backbone_spec(name)
    h, w = _hw(size)
    need = spec.min_size(train=train, aux_logits=aux_logits)
    if min(h, w) < need:
        mode = " in train mode with auxiliary heads (aux_logits=True)" \
            if need != spec.min_input_size else ""
        raise GlobalNetError(f"input {h}x{w} is smaller than {name}'s minimum {need}x{need}{mode}")


def describe_backbones(names: Iterable[str] | None = None,
                       num_classes: int = DEFAULT_NUM_CLASSES) -> list[dict]:
    """One row per backbone: name, parameters (default build, aux heads included),
    inference_parameters (without the auxiliary heads, which only run in train mode), min input
    (eval), min train input, input size, CAM target layer, ImageNet weights enum, notes.

    Models are built on the ``meta`` device (no memory, no init cost) just to count parameters.
    """
    rows = []
    for name in names or list_backbones():
        spec = get_backbone_spec(name)
        with torch.device("meta"):
            model = (spec.builder or _build_torchvision)(
                spec, num_classes=num_classes, imagenet_state=None,
                aux_logits=spec.aux_logits and bool(spec.aux_modules), init=False)
        aux = sum(count_parameters(getattr(model, a)) for a in spec.aux_modules
                  if getattr(model, a, None) is not None)
        rows.append({
            "name": name, "parameters": count_parameters(model),
            "inference_parameters": count_parameters(model) - aux,
            "min_input": spec.min_input_size, "min_train_input": spec.min_size(train=True),
            "input_size": spec.input_size, "target_layer": spec.cam_target_layer,
            "weights": spec.weights_enum, "notes": spec.notes,
        })
    return rows


def measure_min_input_size(name: str, train: bool = False, start: int | None = None,
                           stop: int = 1, batch: int = 2) -> tuple[int, list[int]]:
    """Measure the smallest accepted H=W by forward passes at decreasing sizes.

    Tries every size from ``start`` (default ``spec.input_size``) down to ``stop`` with a random-
    init model (eval or train mode, default aux heads) and returns ``(minimum, failures)``:
    the smallest size from which all larger tried sizes worked, and every size that failed.
    Used once to fill the table above; kept so the numbers can be re-checked.
    """
    spec = get_backbone_spec(name)
    model = create_backbone(name)
    model.train(train)
    failures = []
    with torch.no_grad():
        for s in range(start or spec.input_size, stop - 1, -1):
            try:
                logits = forward_logits(model, torch.randn(batch, 3, s, s))
                ok = logits.shape == (batch, DEFAULT_NUM_CLASSES)
            except (RuntimeError, ValueError):
                ok = False
            if not ok:
                failures.append(s)
    minimum = max(failures) + 1 if failures else stop
    return minimum, failures
