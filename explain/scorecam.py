"""Score-CAM (Wang et al., 2020) through the ``grad-cam`` package (``ScoreCAM``), unchanged.

This is the reference implementation the fast path (:mod:`explain.fast_scorecam`) is checked
against. It evaluates every channel of the target layer (512 for VGG19: ~90 s per image on
2 CPU cores at 224x224), in batches of :attr:`batch_size` (grad-cam's default 16).
"""
from __future__ import annotations

from .gradcam import GradCamLibExplainer


class ScoreCAMExplainer(GradCamLibExplainer):
    """Gradient-free: channel weight = softmax over channels of the target logit of the input
    masked by that channel's upsampled, min-max normalised activation map."""
    name = "scorecam"
    description = "Score-CAM, grad-cam's reference implementation (slow)"
    cam_class_path = ("pytorch_grad_cam", "ScoreCAM")

    def __init__(self, *args, batch_size: int = 16, **kwargs):
        super().__init__(*args, **kwargs)
        self.batch_size = int(batch_size)

    def _make_cam(self):
        cam = super()._make_cam()
        cam.batch_size = self.batch_size
        return cam
