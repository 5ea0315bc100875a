"""Train a plain network with BatchNorm, ship it without: BatchNorm folded into the convolutions.

A deep plain network (VGG19, the paper's model) barely learns from scratch: its 16 convolutions
in a row stall at chance (loss ln 3) for tens of thousands of images. BatchNorm after every
convolution makes it learn; once trained, each BatchNorm in eval mode is an affine map per
channel, which the convolution before it can absorb exactly::

    y = gamma * (W x + b - mean) / sqrt(var + eps) + beta
      = (s * W) x + (s * (b - mean) + beta),         s = gamma / sqrt(var + eps)

so the trained network is written back as the plain architecture (``vgg19``'s own state-dict
keys), loadable by every tool that knows ``vgg19``::

    model = create_backbone("vgg19")
    add_batchnorm(model)             # every Conv2d becomes a ConvBN (same keys + ".bn.*")
    ...train...
    plain = folded_copy(model)       # a vgg19 with no BatchNorm, same outputs in eval mode

To continue training across stages with the same BatchNorm (running statistics, affine
parameters, the unfolded convolution weights), keep :func:`batchnorm_state` beside the folded
weights and give it back with :func:`load_batchnorm_state`.
"""
from __future__ import annotations

import copy

import torch
from torch import nn

from .errors import GlobalNetError


class ConvBN(nn.Conv2d):
    """A ``Conv2d`` followed by its own ``BatchNorm2d`` (``self.bn``); :meth:`folded` undoes it."""

    def __init__(self, conv: nn.Conv2d):
        super().__init__(conv.in_channels, conv.out_channels, conv.kernel_size, conv.stride,
                         conv.padding, conv.dilation, conv.groups, conv.bias is not None,
                         conv.padding_mode, device=conv.weight.device, dtype=conv.weight.dtype)
        with torch.no_grad():
            self.weight.copy_(conv.weight)
            if conv.bias is not None:
                self.bias.copy_(conv.bias)
        self.bn = nn.BatchNorm2d(conv.out_channels, device=conv.weight.device)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.bn(super().forward(x))

    @torch.no_grad()
    def folded(self) -> nn.Conv2d:
        """The plain ``Conv2d`` equal to this convolution + BatchNorm in eval mode."""
        bn = self.bn
        scale = bn.weight.float() / torch.sqrt(bn.running_var.float() + bn.eps)
        conv = nn.Conv2d(self.in_channels, self.out_channels, self.kernel_size, self.stride,
                         self.padding, self.dilation, self.groups, True, self.padding_mode,
                         device=self.weight.device)
        conv.weight.copy_((self.weight.float() * scale.view(-1, 1, 1, 1)).to(conv.weight.dtype))
        bias = self.bias.float() if self.bias is not None else torch.zeros_like(scale)
        conv.bias.copy_((bias - bn.running_mean.float()) * scale + bn.bias.float())
        return conv


def _replace(model: nn.Module, pick, make) -> int:
    count = 0
    for name, module in list(model.named_modules()):
        for child_name, child in list(module.named_children()):
            if pick(child):
                setattr(module, child_name, make(child))
                count += 1
    return count


def add_batchnorm(model: nn.Module) -> nn.Module:
    """Give every ``Conv2d`` of a network without BatchNorm its own BatchNorm (in place).

    Refused for a network that already normalises (ResNets, DenseNet, ...): folding is for plain
    networks, and a second normalisation would change the architecture that ships.
    """
    if any(isinstance(m, (nn.BatchNorm2d, ConvBN)) for m in model.modules()):
        name = getattr(model, "backbone_name", type(model).__name__)
        raise GlobalNetError(f"{name} already has BatchNorm; BatchNorm folding is for plain "
                             f"networks such as the VGGs")
    if not _replace(model, lambda m: type(m) is nn.Conv2d, ConvBN):
        raise GlobalNetError(f"{type(model).__name__} has no Conv2d to give a BatchNorm")
    return model


def folded_copy(model: nn.Module) -> nn.Module:
    """A copy of ``model`` with every :class:`ConvBN` folded into a plain ``Conv2d``."""
    plain = copy.deepcopy(model)
    _replace(plain, lambda m: isinstance(m, ConvBN), lambda m: m.folded())
    return plain


def batchnorm_state(model: nn.Module) -> dict[str, torch.Tensor]:
    """The training state of every :class:`ConvBN` (unfolded weights, BatchNorm parameters and
    running statistics), by qualified name, on the CPU."""
    out = {}
    for name, module in model.named_modules():
        if isinstance(module, ConvBN):
            for key, value in module.state_dict().items():
                out[f"{name}.{key}"] = value.detach().cpu().clone()
    return out


def load_batchnorm_state(model: nn.Module, state: dict[str, torch.Tensor], where: str = "") -> None:
    """Give back what :func:`batchnorm_state` kept (the model already has its ConvBN layers)."""
    own = batchnorm_state(model)
    if set(own) != set(state):
        missing, extra = sorted(set(own) - set(state)), sorted(set(state) - set(own))
        raise GlobalNetError(f"the BatchNorm training state{' in ' + where if where else ''} does "
                             f"not fit this model (missing {missing[:3]}, unexpected {extra[:3]})")
    model.load_state_dict(state, strict=False)


def is_plain(backbone: str) -> bool:
    """Whether registry backbone ``backbone`` has no BatchNorm of its own (built on the ``meta``
    device: no memory, no init cost), i.e. whether BatchNorm folding applies to it."""
    from .backbones import create_backbone
    with torch.device("meta"):
        model = create_backbone(backbone)
    return not any(isinstance(m, nn.BatchNorm2d) for m in model.modules())


def train_with_batchnorm(model: nn.Module, kept: dict[str, torch.Tensor] | None = None,
                         where: str = "") -> nn.Module:
    """Give ``model`` its BatchNorm for training (in place): :func:`add_batchnorm`, then the
    BatchNorm training state a previous run kept (:func:`batchnorm_state`), if any."""
    add_batchnorm(model)
    if kept is not None:
        load_batchnorm_state(model, kept, where)
    return model


def kept_state(checkpoint) -> dict[str, torch.Tensor] | None:
    """The BatchNorm training state a checkpoint (zoo name or path) carries beside its folded
    weights (key ``batchnorm_training``), or ``None``."""
    from .checkpoints import read_checkpoint, resolve_checkpoint
    return read_checkpoint(resolve_checkpoint(checkpoint)).get("batchnorm_training")
