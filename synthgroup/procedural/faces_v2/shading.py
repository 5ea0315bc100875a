"""Float drawing helpers of the shaded faces: coverage masks, soft bumps, light, compositing.

Colours are float32 RGB in 0..255, coverages float32 in [0, 1]. Layers are composited with the
premultiplied *over* operator into ``(P, A)`` (premultiplied colour, alpha); the renderer divides
by alpha once at the end, so edges keep their own colour (no halo).
"""
from __future__ import annotations

import math
from collections import OrderedDict

import cv2
import numpy as np

from ..faces.canvas import SHIFT, to_fixed

#: Light direction (x right, y down, z towards the viewer): mostly frontal, a little from above
#: and the left (light from high above casts cheek shadows that a classifier reads as a smile).
LIGHT = np.array([-0.12, -0.25, 0.96]) / math.sqrt(0.12 ** 2 + 0.25 ** 2 + 0.96 ** 2)
#: Half vector between the light and the viewer (for the specular sheen).
HALF_VEC = (LIGHT + np.array([0.0, 0.0, 1.0])) / np.linalg.norm(LIGHT + np.array([0.0, 0.0, 1.0]))
#: A 3x3 derivative kernel along the light's image-plane direction: ``filter2D`` of a height map
#: with it is the change of the diffuse term that the bumps of the map make.
_SOB_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], np.float32) / 8
DIR_KERNEL = (-(LIGHT[0] * _SOB_X) - (LIGHT[1] * _SOB_X.T)).astype(np.float32)


class Grid:
    """Pixel-centre coordinates of a sprite of height ``H`` (height units), or of a window of it:
    ``X`` (w,), ``Y`` (h,); the window starts at pixel (``ox``, ``oy``) of the sprite."""

    def __init__(self, H: int, W: int, y0: int = 0, y1: int | None = None, x0: int = 0, x1: int | None = None):
        self.H, self.W = H, W
        y1 = H if y1 is None else y1
        x1 = W if x1 is None else x1
        self.oy, self.ox, self.h, self.w = y0, x0, y1 - y0, x1 - x0
        self.k = float(H * (1 << SHIFT))
        self.X = ((np.arange(x0, x1) + 0.5) / H).astype(np.float32)
        self.Y = ((np.arange(y0, y1) + 0.5) / H).astype(np.float32)

    def window(self, y0: int, y1: int, x0: int, x1: int) -> "Grid":
        """The grid of pixels [y0, y1) x [x0, x1) of the same sprite."""
        return Grid(self.H, self.W, y0, y1, x0, x1)

    def box(self, x0: float, x1: float, y0: float, y1: float) -> tuple[int, int, int, int]:
        """Pixel bounds (x, y, w, h) of a box in height units, clipped to this window and
        relative to it."""
        px0 = min(max(0, int(x0 * self.H) - self.ox), self.w)
        px1 = min(max(0, int(math.ceil(x1 * self.H)) + 1 - self.ox), self.w)
        py0 = min(max(0, int(y0 * self.H) - self.oy), self.h)
        py1 = min(max(0, int(math.ceil(y1 * self.H)) + 1 - self.oy), self.h)
        return px0, py0, px1 - px0, py1 - py0


def gauss(g: Grid, x0: float, y0: float, sx: float, sy: float) -> np.ndarray:
    """A separable Gaussian bump (H, W), peak 1 at (x0, y0), widths in height units."""
    gx = np.exp(-((g.X - x0) / sx) ** 2)
    gy = np.exp(-((g.Y - y0) / sy) ** 2)
    return np.outer(gy, gx)


def gauss_pair(g: Grid, cx: float, dx: float, y0: float, sx: float, sy: float) -> np.ndarray:
    """Two mirrored bumps at ``cx -/+ dx`` (one outer product)."""
    gx = np.exp(-((g.X - (cx - dx)) / sx) ** 2) + np.exp(-((g.X - (cx + dx)) / sx) ** 2)
    gy = np.exp(-((g.Y - y0) / sy) ** 2)
    return np.outer(gy, gx)


def _shift(g: Grid, roi) -> np.ndarray:
    """The fixed-point offset of a region (x, y, w, h relative to ``g``) from the sprite origin."""
    x, y = (roi[0], roi[1]) if roi is not None else (0, 0)
    return np.array([(g.ox + x) << SHIFT, (g.oy + y) << SHIFT], np.int32)


def cover(g: Grid, polys, roi=None) -> np.ndarray:
    """Anti-aliased coverage (float32 in [0, 1]) of fixed-point polygons (sprite coordinates)
    over the window ``g``, or over ``roi`` (x, y, w, h relative to it)."""
    m = np.zeros((roi[3], roi[2]) if roi is not None else (g.h, g.w), np.uint8)
    o = _shift(g, roi)
    cv2.fillPoly(m, [p - o for p in polys], 255, cv2.LINE_AA, SHIFT)
    return m.astype(np.float32) * (1.0 / 255.0)


def lines(g: Grid, polys, th: int, roi=None, closed=False) -> np.ndarray:
    """Anti-aliased coverage of fixed-point polylines ``th`` px thick, like :func:`cover`."""
    m = np.zeros((roi[3], roi[2]) if roi is not None else (g.h, g.w), np.uint8)
    o = _shift(g, roi)
    cv2.polylines(m, [p - o for p in polys], closed, 255, th, cv2.LINE_AA, SHIFT)
    return m.astype(np.float32) * (1.0 / 255.0)


def strokes(canvas: np.ndarray, g: Grid, xs, ys, value: float, width: float) -> None:
    """Draw polylines (rows of ``xs`` / ``ys`` in height units, broadcast) of ``width`` (height
    units) into a float canvas over the window ``g`` (no AA: canvases are blurred afterwards)."""
    p = to_fixed(g.k, xs, ys)
    p = p.reshape(-1, p.shape[-2], 2) - _shift(g, None)
    cv2.polylines(canvas, list(p), False, float(value), max(1, int(round(width * g.H))), cv2.LINE_8, SHIFT)


def blur(img: np.ndarray, sigma_px: float) -> np.ndarray:
    """Gaussian blur with a kernel of about 3 sigma each side."""
    if sigma_px < 0.75:
        return img
    r = max(1, int(math.ceil(2.5 * sigma_px)))
    return cv2.GaussianBlur(img, (2 * r + 1, 2 * r + 1), sigma_px, borderType=cv2.BORDER_REPLICATE)


def relief(height: np.ndarray, scale: float) -> np.ndarray:
    """The diffuse-light change made by the bumps of ``height`` (height units of depth; the
    result is a fraction of full light, ``scale`` per unit slope in pixels)."""
    return cv2.filter2D(height, -1, DIR_KERNEL, borderType=cv2.BORDER_REPLICATE) * scale


def ellipsoid_light(g: Grid, cx: float, cy: float, ax: float, ay: float, flat: float = 1.0,
                    ambient: float = 0.42, spec: float = 0.0, power: float = 18.0):
    """Lambert (+ Blinn sheen) shading of an ellipsoid seen from the front: (diffuse, specular)
    maps (H, W); ``flat`` < 1 makes the surface flatter (less rim darkening)."""
    u = ((g.X - cx) / ax)[None, :]
    v = ((g.Y - cy) / ay)[:, None]
    q = np.maximum(1.0 - u * u - v * v, 0.0)
    nz = np.sqrt(q) + (0.08 / flat)
    nx, ny = u * flat, v * flat
    inv = 1.0 / np.sqrt(nx * nx + ny * ny + nz * nz)
    d = np.maximum(nx * LIGHT[0] + ny * LIGHT[1] + nz * LIGHT[2], 0.0) * inv
    diffuse = (ambient + (1.0 - ambient) * d).astype(np.float32)
    if spec <= 0:
        return diffuse, None
    h = np.maximum(nx * HALF_VEC[0] + ny * HALF_VEC[1] + nz * HALF_VEC[2], 0.0) * inv
    return diffuse, (spec * h ** power).astype(np.float32)


def over(P: np.ndarray, A: np.ndarray, col, a: np.ndarray, roi=None) -> None:
    """Composite a straight-colour layer (``col``: (h, w, 3) or an RGB triple) with coverage
    ``a`` (h, w) over the premultiplied ``(P, A)``, or over its region ``roi`` (x, y, w, h), in place."""
    if roi is not None:
        x0, y0, w, h = roi
        p, al = P[y0:y0 + h, x0:x0 + w], A[y0:y0 + h, x0:x0 + w]
    else:
        p, al = P, A
    a3 = a[..., None]
    p *= 1.0 - a3
    p += np.asarray(col, np.float32) * a3
    al *= 1.0 - a
    al += a


def shade(col, light: np.ndarray, spec: np.ndarray | None = None, warm: float = 0.0) -> np.ndarray:
    """A colour (RGB triple or map) lit by ``light`` (H, W); shadows drift warm by ``warm``
    (skin: light scattered under the surface); ``spec`` adds white sheen."""
    out = np.asarray(col, np.float32) * light[..., None]
    if warm:
        out *= 1.0 + warm * (1.0 - light)[..., None] * np.array([0.5, -0.05, -0.25], np.float32)
    if spec is not None:
        out += spec[..., None] * 255.0
    return out


def noise(rng: np.random.Generator, shape, sigma_px: float, ksize=None) -> np.ndarray:
    """Smooth zero-mean noise of unit-ish amplitude (blurred white noise, renormalised);
    ``ksize`` (w, h) gives a box blur instead (streaks, for hair)."""
    n = rng.standard_normal(shape).astype(np.float32)
    n = cv2.blur(n, ksize) if ksize is not None else blur(n, sigma_px)
    s = float(n.std()) or 1.0
    return n * (1.0 / s)


#: Alpha values this close to 0 / 255 are snapped to them (as the cartoon renderer does).
ALPHA_SNAP = np.arange(256, dtype=np.uint8)
ALPHA_SNAP[248:] = 255
ALPHA_SNAP[:3] = 0


def unpremultiply(P: np.ndarray, A: np.ndarray) -> np.ndarray:
    """Premultiplied float colour and alpha -> uint8 RGBA with straight alpha (alpha snapped;
    no colour where it is 0)."""
    a8 = cv2.LUT(cv2.convertScaleAbs(A, alpha=255.0), ALPHA_SNAP)
    rgb = cv2.divide(np.maximum(P, 0.0), cv2.merge((A, A, A)) + (0.5 / 255.0))
    out = cv2.merge((*cv2.split(cv2.convertScaleAbs(rgb)), a8))
    return cv2.bitwise_and(out, out, mask=a8)


class ByteLRU:
    """A least-recently-used map bounded by the bytes of its values (``nbytes`` of each)."""

    def __init__(self, budget: int):
        self.budget = budget
        self.used = 0
        self._d: OrderedDict = OrderedDict()

    def get(self, key, make):
        v = self._d.get(key)
        if v is not None:
            self._d.move_to_end(key)
            return v
        v = make()
        n = v.nbytes
        if n <= self.budget:
            while self._d and self.used + n > self.budget:
                self.used -= self._d.popitem(last=False)[1].nbytes
            self._d[key] = v
            self.used += n
        return v

    def clear(self) -> None:
        self._d.clear()
        self.used = 0
