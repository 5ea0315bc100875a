"""Integrated Gradients (Sundararajan et al., 2017) through captum; a comparison baseline.

Path from a black (dataset-mean, i.e. 0 after normalisation) baseline to the input in
``n_steps`` (Gauss-Legendre); the map is the absolute attribution summed over colour channels
(the usual saliency view), smoothed by a Gaussian of ``sigma`` pixels so it reads like a
heatmap (0 disables), then min-max normalised by the template.
"""
from __future__ import annotations

import torch

from .base import Explainer, LogitsOnly


class IntegratedGradientsExplainer(Explainer):
    name = "integrated-gradients"
    description = "Integrated Gradients (captum)"
    uses_activations = False

    def __init__(self, *args, n_steps: int = 32, internal_batch_size: int = 16,
                 sigma: float | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.n_steps = int(n_steps)
        self.internal_batch_size = int(internal_batch_size)
        self.sigma = float(min(self.input_size) / 64 if sigma is None else sigma)

    def _attribute(self, x, targets, activations):
        from captum.attr import IntegratedGradients
        ig = IntegratedGradients(LogitsOnly(self.model))
        attr = ig.attribute(x.clone().requires_grad_(True), baselines=torch.zeros_like(x),
                            target=targets.tolist(), n_steps=self.n_steps,
                            internal_batch_size=self.internal_batch_size)
        m = attr.detach().abs().sum(1, keepdim=True)
        if self.sigma > 0:
            import torchvision.transforms.functional as TF
            k = int(2 * round(3 * self.sigma) + 1)
            m = TF.gaussian_blur(m, [k, k], [self.sigma, self.sigma])
        return m[:, 0]
