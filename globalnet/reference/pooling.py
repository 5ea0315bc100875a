"""Pooling of per-face scores into one image score (reference path, individual-level processing).

:class:`FacePooling` is the base class: the template :meth:`FacePooling.pool` takes the faces'
group probabilities ``(N, 3)``, their boxes and (optionally) their features ``(N, D)`` and returns
image probabilities ``(3,)`` - or ``None`` when there is no face, so the caller can say so and
fall back to the global model. Subclasses implement the hook ``_pool``. Plugins, one per file:

* ``mean`` (:mod:`.pool_mean`): mean of the face scores (Tan et al. 2017);
* ``top3`` (:mod:`.pool_top3`): mean of the 3 largest faces' scores (Tan et al. 2017);
* ``attention`` (:mod:`.pool_attention`): a small network scores each face feature, softmax
  weights, weighted sum of features, linear classifier; trained end to end (Gupta et al. 2018, C)
  by :func:`.training.train_attention`.
"""
from __future__ import annotations

import torch

from ..errors import GlobalNetError
from ..registry import Registry

#: Name -> pooling class (lazy ``"module:Class"``); another package adds its own through the
#: entry-point group ``globalnet.reference.poolings`` (offered by ``--pooling``).
POOLINGS: Registry[type["FacePooling"]] = Registry("pooling", group="globalnet.reference.poolings")
POOLINGS.register("mean", "globalnet.reference.pool_mean:MeanPooling")
POOLINGS.register("top3", "globalnet.reference.pool_top3:TopKLargestPooling")
POOLINGS.register("attention", "globalnet.reference.pool_attention:AttentionPooling")


def _areas(boxes) -> torch.Tensor:
    out = []
    for b in boxes:
        if hasattr(b, "area"):
            out.append(float(b.area))
        else:
            out.append(float(b[2]) * float(b[3]))
    return torch.tensor(out, dtype=torch.float32)


class FacePooling:
    """Base class: ``pool(probs, boxes=None, features=None) -> (3,) tensor or None (no face)``."""

    name = "base"
    needs_features = False

    def pool(self, probs, boxes=None, features=None):
        probs = torch.as_tensor(probs, dtype=torch.float32)
        if probs.ndim != 2:
            raise GlobalNetError(f"face scores must be an (N, classes) array, got shape {tuple(probs.shape)}")
        if probs.shape[0] == 0:
            return None
        if boxes is not None and len(boxes) != probs.shape[0]:
            raise GlobalNetError(f"{probs.shape[0]} face scores but {len(boxes)} boxes")
        if self.needs_features and features is None:
            raise GlobalNetError(f"{self.name} pooling needs the face features")
        with torch.no_grad():
            return self._pool(probs, boxes, None if features is None else torch.as_tensor(features))

    def _pool(self, probs: torch.Tensor, boxes, features):  # pragma: no cover - hook
        raise NotImplementedError


def create_pooling(name: str, **kwargs) -> FacePooling:
    """A pooling plugin by name (``mean``, ``top3``, ``attention``); ``kwargs`` go to its class."""
    return POOLINGS.create(name, **kwargs)
