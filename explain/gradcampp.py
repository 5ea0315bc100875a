"""Grad-CAM++ (Chattopadhyay et al., 2018) through the ``grad-cam`` package (``GradCAMPlusPlus``)."""
from __future__ import annotations

from .gradcam import GradCamLibExplainer


class GradCAMPlusPlusExplainer(GradCamLibExplainer):
    """Grad-CAM with second-order, pixel-weighted gradient weights."""
    name = "gradcam++"
    description = "Grad-CAM++ (grad-cam package)"
    cam_class_path = ("pytorch_grad_cam", "GradCAMPlusPlus")
