"""Metrics for explanation maps.

**Face focus** (synthetic images only - it needs synthgroup's ground-truth face masks, never a
face detector)::

    focus = (CAM energy inside the faces / total CAM energy) / (face pixels / all pixels)

1.0 means no preference for faces (a uniform CAM scores exactly 1.0); a CAM with all of its
energy on the faces scores ``1 / area_share``, the maximum; 0 means the faces are ignored.
"Energy" is the sum of the map's (non-negative) values. A mask is synthgroup's ``uint8`` image
with face ``k`` as value ``k + 1`` and 0 for background; any non-zero pixel counts as face.

**Pointing game** (Zhang et al., 2016): the map's maximum falls on a face (within a tolerance).
:func:`bootstrap_ci` gives a mean with its percentile bootstrap interval.

**Faithfulness**, through grad-cam's metrics (``pytorch_grad_cam.metrics``), per image:

* :func:`road` - ROAD (Rong et al., 2022): the average over ``percentiles`` of the change of the
  target logit when the least relevant pixels are imputed (LeRF) minus when the most relevant are
  (MoRF), halved (``ROADCombined``); higher = more faithful.
* :func:`confidence_drop` - grad-cam's ``DropInConfidence``: how much the target logit drops when
  the input is multiplied by the map (0 = no drop; lower = the map keeps what matters).
"""
from __future__ import annotations

from collections import defaultdict
from typing import Iterable, Sequence

import numpy as np
import torch

from synthgroup.labels import CLASS_NAMES

from .base import ExplainError, LogitsOnly


def _resize_to(cam: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    if cam.shape == tuple(shape):
        return cam
    import cv2
    return cv2.resize(cam.astype(np.float32), (shape[1], shape[0]), interpolation=cv2.INTER_LINEAR)


def face_focus_details(cam: np.ndarray, mask: np.ndarray) -> dict:
    """``{"focus", "energy_share", "area_share", "faces"}`` for one ``(H, W)`` map and mask.

    The map is resized (bilinear) to the mask's size if they differ and clipped at 0. ``focus`` is
    ``nan`` when the mask has no face or the map has no energy.
    """
    cam = np.asarray(cam, dtype=np.float64)
    mask = np.asarray(mask)
    if cam.ndim != 2 or mask.ndim != 2:
        raise ExplainError(f"face focus needs 2-D map and mask, got {cam.shape} and {mask.shape}")
    cam = np.clip(_resize_to(cam.astype(np.float32), mask.shape).astype(np.float64), 0, None)
    faces = mask > 0
    area = float(faces.mean())
    total = float(cam.sum())
    energy = float(cam[faces].sum()) / total if total > 0 else float("nan")
    focus = energy / area if area > 0 and total > 0 else float("nan")
    return {"focus": focus, "energy_share": energy, "area_share": area,
            "faces": int(len(np.unique(mask[faces])))}


def face_focus(cam: np.ndarray, mask: np.ndarray) -> float:
    """Share of CAM energy on faces divided by the faces' share of the image (1.0 = neutral)."""
    return face_focus_details(cam, mask)["focus"]


def face_focus_by_class(values: Iterable[float], classes: Iterable[int],
                        names: Sequence[str] = CLASS_NAMES) -> dict:
    """Mean / median / count of face-focus values grouped by class (NaNs skipped).

    ``classes`` is whatever grouping the caller wants (true label, predicted label, or the class
    the map explains). Returns ``{name: {"mean", "median", "n"}}`` plus ``"all"``.
    """
    groups: dict[str, list[float]] = defaultdict(list)
    for v, c in zip(values, classes):
        if v is None or not np.isfinite(v):
            continue
        key = names[int(c)] if 0 <= int(c) < len(names) else str(c)
        groups[key].append(float(v))
        groups["all"].append(float(v))
    order = [n for n in names if n in groups] + (["all"] if "all" in groups else [])
    return {k: {"mean": float(np.mean(groups[k])), "median": float(np.median(groups[k])),
                "n": len(groups[k])} for k in order}


#: the pointing game's tolerance in pixels (Zhang et al., 2016)
POINTING_TOLERANCE = 15


def pointing_game(cam: np.ndarray, mask: np.ndarray,
                  tolerance: int = POINTING_TOLERANCE) -> bool | None:
    """The pointing game (Zhang et al., 2016): does the map's maximum fall on a face, within
    ``tolerance`` pixels (15 in the original)? ``None`` when the mask has no face or the map is
    flat (no maximum to point with). The map is resized to the mask's size."""
    cam = np.asarray(_resize_to(np.asarray(cam, np.float32), np.asarray(mask).shape))
    faces = np.asarray(mask) > 0
    if not faces.any() or not np.isfinite(cam).all() or cam.max() <= cam.min():
        return None
    y, x = np.unravel_index(int(np.argmax(cam)), cam.shape)
    if tolerance <= 0:
        return bool(faces[y, x])
    yy, xx = np.nonzero(faces)
    return bool(((yy - y) ** 2 + (xx - x) ** 2).min() <= tolerance * tolerance)


def bootstrap_ci(values: Iterable[float], n: int = 1000, level: float = 0.95,
                 seed: int = 0) -> tuple[float, float, float]:
    """``(mean, low, high)``: the mean of the finite ``values`` and its percentile bootstrap
    interval (``n`` resamples); ``nan`` for no values."""
    v = np.asarray([x for x in values if x is not None and np.isfinite(x)], dtype=np.float64)
    if v.size == 0:
        return float("nan"), float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    means = v[rng.integers(0, v.size, (n, v.size))].mean(1)
    a = (1 - level) / 2
    return float(v.mean()), float(np.quantile(means, a)), float(np.quantile(means, 1 - a))


# ------------------------------------------------------------------------------ faithfulness
def _prep(model, input_tensor, cams, targets):
    from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget
    x = torch.as_tensor(input_tensor, dtype=torch.float32)
    if x.ndim == 3:
        x = x[None]
    cams = np.asarray(cams, dtype=np.float32)
    if cams.ndim == 2:
        cams = cams[None]
    if cams.shape != (x.shape[0], *x.shape[-2:]):
        raise ExplainError(f"maps of shape {cams.shape} do not match input {tuple(x.shape)} "
                           "(need one HxW map per image at input resolution)")
    targets = np.atleast_1d(np.asarray(targets)).astype(int)
    if len(targets) != x.shape[0]:
        raise ExplainError(f"{len(targets)} targets for {x.shape[0]} images")
    device = next(model.parameters()).device
    return (LogitsOnly(model).eval(), x.to(device), cams,
            [ClassifierOutputTarget(int(t)) for t in targets])


def road(model, input_tensor, cams, targets,
         percentiles: Sequence[int] = (10, 20, 30, 40, 50, 60, 70, 80, 90)) -> np.ndarray:
    """ROAD combined score per image (grad-cam's ``ROADCombined``; higher = more faithful)."""
    from pytorch_grad_cam.metrics.road import ROADCombined
    m, x, cams, tg = _prep(model, input_tensor, cams, targets)
    return np.asarray(ROADCombined(percentiles=list(percentiles))(x, cams, tg, m),
                      dtype=np.float64).reshape(-1)


def confidence_drop(model, input_tensor, cams, targets) -> np.ndarray:
    """grad-cam's ``DropInConfidence`` per image: target-logit drop after ``input * cam`` (>= 0)."""
    from pytorch_grad_cam.metrics.cam_mult_image import DropInConfidence
    m, x, cams, tg = _prep(model, input_tensor, cams, targets)
    return np.asarray(DropInConfidence()(x, cams, tg, m), dtype=np.float64).reshape(-1)


def pearson(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation of two maps (flattened); ``nan`` if either is constant."""
    a = np.asarray(a, dtype=np.float64).ravel()
    b = np.asarray(b, dtype=np.float64).ravel()
    if a.std() == 0 or b.std() == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])
