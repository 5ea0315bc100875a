"""``attention`` pooling (Gupta et al. 2018, variant C), trained end to end.

A small network scores each face feature (Linear-Tanh-Linear -> one logit per face), the softmax
over the image's faces gives weights that sum to one, the weighted sum of the features goes
through a linear classifier to the image's 3 classes. :func:`.training.train_attention` trains it
together with the face CNN on bags of crops labelled with the *image* label.
"""
from __future__ import annotations

import torch
from torch import nn

from .pooling import FacePooling


class AttentionPooling(nn.Module, FacePooling):
    name = "attention"
    needs_features = True

    def __init__(self, feature_dim: int = 256, hidden: int = 64, num_classes: int = 3):
        nn.Module.__init__(self)
        self.hidden = int(hidden)
        self.scorer = nn.Sequential(nn.Linear(feature_dim, hidden), nn.Tanh(), nn.Linear(hidden, 1))
        self.classifier = nn.Linear(feature_dim, num_classes)

    def weights(self, features: torch.Tensor) -> torch.Tensor:
        """Softmax attention weights ``(N,)`` of one image's face features ``(N, D)``."""
        return self.scorer(features).squeeze(-1).softmax(0)

    def forward(self, features: torch.Tensor):
        """``(logits (classes,), weights (N,))`` for one image's face features ``(N, D)``."""
        w = self.weights(features)
        return self.classifier((w[:, None] * features).sum(0)), w

    def _pool(self, probs, boxes, features):
        self.eval()
        return self(features.float())[0].softmax(-1)
