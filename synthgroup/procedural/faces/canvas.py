"""Drawing primitives of the face renderer: fixed-point coordinates, curve grids, colours.

Everything is laid out in units of the sprite height ``H`` (x to the right, y down) and drawn with
``cv2.LINE_AA`` and ``SHIFT`` bits of sub-pixel precision.
"""
from __future__ import annotations

import math

import cv2
import numpy as np

#: Sprite width / height, the same for every face (``W == round(height * ASPECT)``).
ASPECT = 0.8

SHIFT = 4
AA = cv2.LINE_AA
HALF = 0.5 - 0.5 * (1 << SHIFT)   # rounding, and the half-pixel shift to pixel-centre coordinates


class CurveGrid:
    """Fixed sample grids for the curves (Bezier bases, arcs, eye / mouth profiles), built once.

    ``d`` is the density: big sprites (``DENSE_FROM`` px and up) use ``d = 2``, so no facets show.
    """

    def __init__(self, d: int):
        self.T = np.linspace(0.0, 1.0, 8 * d + 1)
        T = self.T
        self.BEZ3 = np.stack([(1 - T) ** 3, 3 * T * (1 - T) ** 2, 3 * T ** 2 * (1 - T), T ** 3], 1)
        self.TB = TB = np.linspace(0.0, 1.0, 7 * d + 1)
        self.BEZ2 = np.stack([(1 - TB) ** 2, 2 * TB * (1 - TB), TB ** 2], 1)
        arc = np.linspace(0.0, math.pi, 16 * d + 1)
        self.ARC_C, self.ARC_S = np.cos(arc), np.sin(arc)
        # eye: -1 inner .. 1 outer corner; mouth: left .. right
        self.EX = EX = np.linspace(-1.0, 1.0, 10 * d + 1)
        self.EX2 = EX2 = 1.0 - EX ** 2
        self.EX2_05, self.EX2_06, self.EX2_08, self.EX2_09, self.EX2_025 = (
            EX2 ** p for p in (0.5, 0.6, 0.8, 0.9, 0.25))
        self.EXA17 = np.abs(EX) ** 1.7
        self.EXSQ = EX ** 2
        self.DROOP = EX * np.sqrt(EX2)
        self.EX2_05B = self.EX2_05 * (1 - 0.3 * np.exp(-(EX / 0.22) ** 2))  # cupid's bow
        self.MID = len(EX) // 2
        self.LOW = slice(2 * d, -d)                  # the drawn part of the lower lid
        # brow outline: bezier basis along the centre line, there and back; the half thickness
        self.BEZ2X = np.concatenate((self.BEZ2, self.BEZ2[::-1]), 0).T.copy()
        taper = 1.0 - 0.55 * TB ** 1.5
        self.BROW_HALF = np.concatenate((-0.5 * taper, 0.5 * taper[::-1]))
        circ = np.linspace(0.0, 2 * math.pi, 14 * d + 1)[:-1]
        self.CIRC_C, self.CIRC_S = np.cos(circ), np.sin(circ)


GRIDS = (CurveGrid(1), CurveGrid(2))
#: Sprites at least this tall use the denser curve sampling.
DENSE_FROM = 160
SIDES = np.array([[-1.0], [1.0]])              # the two sides (left, right), as a column


def rgba(rgb, a=255) -> tuple:
    """An (R, G, B) colour as a rounded 4-tuple for cv2 (alpha ``a``)."""
    return (int(round(rgb[0])), int(round(rgb[1])), int(round(rgb[2])), a)


def mix_rgba(a, b, t: float) -> tuple:
    """Colour a..b at t (clipped to [0, 1]), as a 4-tuple for cv2."""
    t = 0.0 if t < 0 else (1.0 if t > 1 else t)
    return (int(a[0] + (b[0] - a[0]) * t + 0.5), int(a[1] + (b[1] - a[1]) * t + 0.5),
            int(a[2] + (b[2] - a[2]) * t + 0.5), 255)


def to_fixed(k: float, x, y) -> np.ndarray:
    """Height-unit coordinates -> fixed-point int32 points (..., 2) for cv2 (x, y broadcast)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    out = np.empty((x.shape if x.ndim >= y.ndim else y.shape) + (2,))
    out[..., 0] = x
    out[..., 1] = y
    out *= k
    out += HALF  # pixel centres sit at integer coordinates, the sprite spans [0, W] x [0, H]
    return out.astype(np.int32)


def fill_polys(img, polys, col):
    """Fill fixed-point polygons, anti-aliased."""
    cv2.fillPoly(img, polys, col, AA, SHIFT)


def draw_polylines(img, polys, col, th, closed=False):
    """Draw fixed-point polylines ``th`` pixels thick, anti-aliased."""
    cv2.polylines(img, polys, closed, col, th, AA, SHIFT)


def draw_ellipse(img, k, x, y, ax, ay, col, th=-1, a0=0, a1=360, angle=0.0):
    """An anti-aliased ellipse (or arc from ``a0`` to ``a1`` degrees) in height units."""
    cv2.ellipse(img, (int(x * k + HALF), int(y * k + HALF)),
                (max(1, int(ax * k + 0.5)), max(1, int(ay * k + 0.5))), angle, a0, a1, col, th,
                AA, SHIFT)
