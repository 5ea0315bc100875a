"""Knowledge distillation: a trained teacher's soft targets for a student that learns slowly.

Hinton et al.'s loss, ``(1 - alpha) * CE(student, y) + alpha * T^2 * KL(p_T(teacher) || p_T(student))``
with ``p_T = softmax(logits / T)``: the teacher's whole distribution (how Neutral a Negative
scene looks) carries more signal per image than the hard label, which is what a deep plain
network such as VGG19 lacks from scratch. The teacher sees the student's own batch, resized to
the teacher's input size when they differ::

    teacher = Teacher("synth-resnet18", device)           # a zoo name or a checkpoint
    loss = distillation_loss(model(x), y, teacher(x), temperature=4.0, alpha=0.7)
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from .errors import GlobalNetError


class Teacher:
    """A frozen model in eval mode that returns float32 logits for a normalised batch.

    The student's batch is normalised with the student's statistics; the teacher's backbone
    must use the same mean/std (every registry backbone does), else it is refused.
    """

    def __init__(self, checkpoint, device, *, amp: bool = False, student_backbone: str | None = None):
        from .backbones import create_backbone, get_backbone_spec
        from .checkpoints import checkpoint_input_size, read_checkpoint_info
        from .device import memory_format

        info = read_checkpoint_info(checkpoint)
        name = info.get("backbone")
        if not name:
            raise GlobalNetError(f"teacher {checkpoint} does not name its backbone")
        if int(info.get("num_classes", 3)) != 3:
            raise GlobalNetError(f"teacher {checkpoint} has a {info.get('num_classes')}-class head; "
                                 f"distillation needs the 3 classes")
        spec = get_backbone_spec(name)
        if student_backbone is not None:
            s = get_backbone_spec(student_backbone)
            if (s.mean, s.std) != (spec.mean, spec.std):
                raise GlobalNetError(f"teacher {name} and student {student_backbone} normalise "
                                     f"differently; distillation needs the same mean/std")
        self.name, self.checkpoint = name, str(checkpoint)
        self.size = checkpoint_input_size(info) or spec.input_size
        self.device, self.amp = device, amp
        self._format = memory_format(amp)
        model = create_backbone(name, weights=checkpoint, num_classes=3, progress=False)
        self.model = model.to(device).eval().to(memory_format=self._format)
        for p in self.model.parameters():
            p.requires_grad_(False)

    @torch.no_grad()
    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        from .backbones import forward_logits
        from .device import autocast

        size = (self.size, self.size) if isinstance(self.size, int) else tuple(self.size)
        if tuple(x.shape[-2:]) != size:
            x = F.interpolate(x.float(), size=size, mode="bilinear", align_corners=False,
                              antialias=True)
        with autocast(self.device, self.amp):
            return forward_logits(self.model, x.contiguous(memory_format=self._format)).float()


def distillation_loss(outputs, targets: torch.Tensor, teacher_logits: torch.Tensor, *,
                      temperature: float = 4.0, alpha: float = 0.7) -> torch.Tensor:
    """``(1 - alpha) * classification loss + alpha * T^2 * KL(teacher_T || student_T)``.

    ``outputs`` may carry auxiliary heads (Inception, GoogLeNet): the hard-label part is
    :func:`globalnet.backbones.classification_loss` (aux heads included), the soft part uses the
    main logits.
    """
    from .backbones import classification_loss, split_outputs

    if not temperature > 0 or not 0 <= alpha <= 1:
        raise GlobalNetError(f"distillation needs temperature > 0 and 0 <= alpha <= 1, got "
                             f"{temperature!r}, {alpha!r}")
    logits, _ = split_outputs(outputs)
    hard = classification_loss(outputs, targets)
    t = float(temperature)
    soft = F.kl_div(F.log_softmax(logits.float() / t, 1), F.log_softmax(teacher_logits / t, 1),
                    log_target=True, reduction="batchmean") * (t * t)
    return (1 - alpha) * hard + alpha * soft
