"""The shipped models: one entry each, a few lines of data (the figures live in measured.json).

An entry's ``sha256`` is the one ``globalnet models --export`` printed for its file; the file lies in
``weights/``. The recipes are committed under ``benchmarks/recipes/``.
"""
from __future__ import annotations

from .model import ZooModel, register_model


register_model(ZooModel(
    name="synth-resnet18",
    backbone="resnet18",
    input_size=224,
    file="synth-resnet18.pt",
    sha256="7955f7c2fa31c2461f6b3b828e17bfb69a2cf0f8badb033fb2340cff50c47836",
    summary=("A ResNet18 trained from scratch, global-only (whole frames, never a detected face), "
             "on synthetic task (b): 1-9 faces per scene, the majority group's class. "
             "This file is the recipe's last stage (5), exported in half precision."),
    recipe="bash benchmarks/recipes/resnet18_task_b.sh",
))


register_model(ZooModel(
    name="synth-resnet18-slim",
    backbone="resnet18_slim",
    input_size=224,
    file="synth-resnet18-slim.pt",
    sha256="84a8dd9c1aa0b8f2a1a4753df2034059fe45ceeaad53d9a043c83380af41ab8d",
    summary=("The fast CPU model: a ResNet18 at 3/8 width (resnet18_slim, 1.6 M parameters) "
             "trained from scratch, global-only, on synthetic task (b) (1-9 faces per scene, the "
             "majority group's class), distilling synth-resnet18 on the task images. This file "
             "is the recipe's last stage (3), exported in half precision."),
    recipe="bash benchmarks/recipes/resnet18_slim_task_b.sh",
))
