"""Post-processing shared by all categories: the camera's exposure, white balance and grain."""
from __future__ import annotations

import math

import cv2
import numpy as np

from ..rng import Draws
from .textures import random_crop, texture

_WB_STRENGTH = 0.5  # pull of the image mean towards a category-independent target


_GRID: dict = {}


def _screen_grid(h, w):
    """Normalised coordinates (X, Y in [-1, 1]) and r^2 at 1/4 resolution."""
    key = (h, w)
    gr = _GRID.get(key)
    if gr is None:
        hs, ws = max(h // 4, 2), max(w // 4, 2)
        Y, X = np.mgrid[0:hs, 0:ws].astype(np.float32)
        X = X / (ws - 1) * 2 - 1
        Y = Y / (hs - 1) * 2 - 1
        gr = (X, Y, X * X + Y * Y)
        if len(_GRID) > 16:
            _GRID.clear()
        _GRID[key] = gr
    return gr


def finish(img, rng: Draws, light_xy=(0.0, 0.0)):
    """The camera's look: exposure and white balance towards a category-independent target,
    light gradient, vignette, blotches, optional blur and sensor noise."""
    H, W = img.shape[:2]
    X, Y, r2 = _screen_grid(H, W)
    hs, ws = X.shape
    # camera "auto exposure / white balance" towards a category-independent target
    small = cv2.resize(img, (max(W // 4, 1), max(H // 4, 1)), interpolation=cv2.INTER_NEAREST)
    cur = np.asarray(cv2.mean(small)[:3], dtype=np.float64) + 1.0
    lum = rng.uniform(70.0, 170.0)
    ang = rng.uniform(0.0, 2 * math.pi)
    chroma = rng.uniform(0.0, 22.0)
    # chroma direction in the plane orthogonal to grey
    e1 = np.array([1.0, -0.5, -0.5]) / math.sqrt(1.5)
    e2 = np.array([0.0, 1.0, -1.0]) / math.sqrt(2.0)
    target = lum + chroma * (math.cos(ang) * e1 + math.sin(ang) * e2)
    gain = np.clip((target / cur) ** _WB_STRENGTH, 0.45, 2.2)
    # light gradient + vignette + wall blotches at 1/4 resolution
    gx, gy = light_xy
    vig = rng.uniform(0.05, 0.35)
    M = 1.0 + (0.5 * rng.uniform(0.0, 0.35)) * (gx * X + gy * Y) - vig * r2 * 0.5
    bl = random_crop(texture("blotch"), rng, hs, ws)
    M = M * (1.0 + rng.uniform(0.01, 0.06) * bl)
    # compensate the mean of the multiplier so exposure matching stays accurate
    M *= 1.0 / max(float(M.mean()), 1e-3)
    M3 = (M[:, :, None] * (gain * 100.0).astype(np.float32)[None, None, :]).clip(0, 255).astype(np.uint8)
    M3 = cv2.resize(M3, (W, H), interpolation=cv2.INTER_LINEAR)
    img = cv2.multiply(img, M3, scale=1.0 / 100.0)
    if rng.chance(0.3):
        img = cv2.GaussianBlur(img, (3, 3), rng.uniform(0.4, 0.9))
    a = rng.uniform(0.03, 0.12)
    noise = random_crop(texture("grain"), rng, H, W)
    img = cv2.addWeighted(img, 1.0, noise, a, -128.0 * a)
    return img
