"""Occlusion (Zeiler & Fergus, 2014) through captum's ``Occlusion``; a comparison baseline.

A ``window`` x ``window`` patch (all channels) slides with ``stride``; a pixel's attribution is
the mean drop of the target logit over the patches covering it, occluded with ``baseline``
(0 = the dataset mean after normalisation). The map keeps the positive evidence: the channel
sum with negative values (occluding helps the class) clipped at 0, then min-maxed by the template.
Cost: one forward per window position ((H/stride)^2), batched by ``perturbations_per_eval``.
``precision="bfloat16"`` runs those forwards on a bfloat16, channels-last copy of the model
(``auto``: where the CPU or GPU runs bfloat16 natively; about 2-3x faster on AMX CPUs, maps
differ from float32 by rounding); the default is float32.
"""
from __future__ import annotations

import torch

from .base import Bfloat16Logits, Explainer, LogitsOnly, resolve_precision


class OcclusionExplainer(Explainer):
    name = "occlusion"
    description = "Occlusion (captum)"
    uses_activations = False

    def __init__(self, *args, window: int | None = None, stride: int | None = None,
                 baseline: float = 0.0, perturbations_per_eval: int = 16,
                 precision: str = "float32", **kwargs):
        super().__init__(*args, **kwargs)
        self.precision = resolve_precision(precision, self.device, "occlusion")
        self._scorer = None
        side = min(self.input_size)
        self.window = int(window or max(2, side // 7))
        self.stride = int(stride or max(1, self.window // 2))
        self.baseline = float(baseline)
        self.perturbations_per_eval = int(perturbations_per_eval)

    def _attribute(self, x, targets, activations):
        from captum.attr import Occlusion
        if self._scorer is None:
            self._scorer = (Bfloat16Logits(self.model) if self.precision == "bfloat16"
                            else LogitsOnly(self.model))
        occ = Occlusion(self._scorer)
        with torch.no_grad():
            attr = occ.attribute(x, target=targets.tolist(),
                                 sliding_window_shapes=(x.shape[1], self.window, self.window),
                                 strides=(x.shape[1], self.stride, self.stride),
                                 baselines=self.baseline,
                                 perturbations_per_eval=self.perturbations_per_eval)
        return attr.sum(1).clamp_min(0)
