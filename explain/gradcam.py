"""Grad-CAM (Selvaraju et al., 2017) through the ``grad-cam`` package (``GradCAM``).

Also holds :class:`GradCamLibExplainer`, the glue shared by every plugin that wraps a
``pytorch_grad_cam`` class (Grad-CAM++, Score-CAM).
"""
from __future__ import annotations

import numpy as np
import torch

from .base import Explainer, LogitsOnly


class GradCamLibExplainer(Explainer):
    """Hook = build the grad-cam object for the target layer, call it, release its hooks."""

    cam_class_path: tuple[str, str] = ("", "")
    cam_kwargs: dict = {}

    def _cam_class(self):
        import importlib
        module, cls = self.cam_class_path
        return getattr(importlib.import_module(module), cls)

    def _make_cam(self):
        return self._cam_class()(model=LogitsOnly(self.model), target_layers=[self.target_layer],
                                 **self.cam_kwargs)

    def _attribute(self, x, targets, activations):
        from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget
        with self._make_cam() as cam:
            out = cam(input_tensor=x, targets=[ClassifierOutputTarget(int(t)) for t in targets])
        self.model.eval()
        return torch.from_numpy(np.asarray(out, dtype=np.float32))


class GradCAMExplainer(GradCamLibExplainer):
    """Channel weights = spatial mean of the target logit's gradient; ReLU of the weighted sum."""
    name = "gradcam"
    description = "Grad-CAM (grad-cam package)"
    cam_class_path = ("pytorch_grad_cam", "GradCAM")
