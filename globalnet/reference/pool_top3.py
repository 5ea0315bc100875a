"""``top3`` pooling: mean of the scores of the ``k`` (3) largest faces (Tan et al. 2017)."""
from __future__ import annotations

from ..errors import GlobalNetError
from .pooling import FacePooling, _areas


class TopKLargestPooling(FacePooling):
    name = "top3"

    def __init__(self, k: int = 3):
        if int(k) < 1:
            raise GlobalNetError(f"top-k pooling needs k >= 1, not {k}")
        self.k = int(k)

    def _pool(self, probs, boxes, features):
        if boxes is None:
            raise GlobalNetError("top-3 pooling needs the face boxes (largest faces are kept)")
        areas = _areas(boxes)
        # stable: among equal areas the earlier face wins
        order = sorted(range(len(areas)), key=lambda i: (-float(areas[i]), i))[: self.k]
        return probs[order].mean(0)
