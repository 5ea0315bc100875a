"""``mean`` pooling: the image score is the mean of the face scores (Tan et al. 2017)."""
from __future__ import annotations

from .pooling import FacePooling


class MeanPooling(FacePooling):
    name = "mean"

    def _pool(self, probs, boxes, features):
        return probs.mean(0)
