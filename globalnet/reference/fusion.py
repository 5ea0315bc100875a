"""Fusion of the face-based score with a global-only model's score (reference path).

Weighted average of class probabilities: ``fused = (w_g * p_global + w_f * p_face) / (w_g + w_f)``.
Tan et al. 2017 used fixed weights (e.g. 3.0 for one stream, 0.5 for another); here the face
share ``w_f / (w_g + w_f)`` is chosen on a validation set by :func:`search_fusion_weight`.
An image without a face has no face score: the fused score is the global one.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import GlobalNetError


def fuse(global_probs, face_probs, face_weight: float = 0.5, global_weight: float | None = None):
    """Weighted average of one image's (or a batch's) class probabilities.

    ``face_weight`` is the face share in [0, 1] (``global_weight`` defaults to ``1 - face_weight``;
    give both for Tan-style raw weights such as 3.0 / 0.5). ``face_probs=None`` (no face) or a
    NaN row returns the global probabilities unchanged."""
    g = np.asarray(global_probs, dtype=np.float64)
    if face_probs is None:
        return g.copy()
    f = np.asarray(face_probs, dtype=np.float64)
    if f.shape != g.shape:
        raise GlobalNetError(f"cannot fuse scores of shapes {g.shape} and {f.shape}")
    wg = 1.0 - face_weight if global_weight is None else float(global_weight)
    wf = float(face_weight)
    if wg < 0 or wf < 0 or wg + wf <= 0:
        raise GlobalNetError(f"fusion weights must be non-negative and not both zero (global {wg}, face {wf})")
    out = (wg * g + wf * f) / (wg + wf)
    missing = np.isnan(f).any(axis=-1)
    if np.any(missing):
        out = np.where(missing[..., None] if f.ndim > 1 else missing, g, out)
    return out


@dataclass
class FusionChoice:
    face_weight: float          #: face share w_f / (w_g + w_f)
    accuracy: float             #: validation accuracy at that weight
    curve: list                 #: [(face_weight, accuracy), ...] over the grid


def search_fusion_weight(global_probs, face_probs, labels, grid=None) -> FusionChoice:
    """The face share in ``grid`` (default 0, 0.05, ..., 1) with the best validation accuracy.

    ``face_probs`` rows of NaN mark images without a face (they use the global score). Ties go to
    the weight closest to 0.5 (neither stream alone) so the choice is stable."""
    g = np.asarray(global_probs, dtype=np.float64)
    f = np.asarray(face_probs, dtype=np.float64)
    y = np.asarray(labels)
    if len(g) == 0 or g.shape != f.shape or len(y) != len(g):
        raise GlobalNetError(f"fusion search needs matching non-empty scores and labels "
                             f"(global {g.shape}, face {f.shape}, labels {y.shape})")
    grid = np.linspace(0, 1, 21) if grid is None else np.asarray(grid, dtype=float)
    curve = [(float(w), float((fuse(g, f, w).argmax(-1) == y).mean())) for w in grid]
    best = max(curve, key=lambda c: (round(c[1], 12), -abs(c[0] - 0.5)))
    return FusionChoice(best[0], best[1], curve)
