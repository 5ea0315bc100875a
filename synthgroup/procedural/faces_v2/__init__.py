"""Shaded, photographic-looking procedural faces (``procedural:style=v2``), drawn on the CPU.

The same identities (:func:`identity_from_seed`), action units and layout as the cartoon faces
(``synthgroup.procedural.faces``, style v1), drawn with light instead of lines: the skin, hair,
neck, ears and clothing are lit ellipsoids with a height map of the nose, brow ridge, cheekbones
and chin on top (``head``, once per identity and height, cached); the expression adds the
wrinkles and bulges its action units make (frown lines, nasolabial folds, raised cheeks, nose
wrinkles, chin boss...) as relief lit the same way, then eyes with whites, irises, lids and
lashes, a mouth with lips, teeth and cavity, and brows (``features``). Layers are composited
premultiplied and divided by alpha once at the end: straight alpha, no halo, a transparent frame.
Sprites shorter than ``SUPERSAMPLE_BELOW`` px are drawn at 2x and area-averaged down.
"""
from __future__ import annotations

import cv2
import numpy as np

from .. import source_files
from ..faces import SOURCE_FILES as _V1_FILES
from ..faces.canvas import ASPECT
from ..faces.expressions import AU_NAMES, EXPRESSIONS, action_units, au_vector
from ..faces.identity import Identity, identity_from_seed
from .features import draw_expression
from .head import CACHE_BUDGET, SUPERSAMPLE_BELOW, clear_cache, layers
from .shading import unpremultiply

__all__ = ["ASPECT", "EXPRESSIONS", "AU_NAMES", "Identity", "identity_from_seed", "action_units",
           "render_face", "render_face_aus", "clear_cache", "layers", "CACHE_BUDGET", "SUPERSAMPLE_BELOW",
           "SOURCE_FILES"]

#: The files whose code decides the pixels (this package's and the layout it builds on).
SOURCE_FILES = tuple(dict.fromkeys((*source_files(__file__), *_V1_FILES)))

def render_face(identity: Identity, expression: str, intensity: float, height: int) -> np.ndarray:
    """``height`` x ``round(height * ASPECT)`` x 4 uint8 RGBA (straight alpha) head-and-shoulders sprite."""
    return render_face_aus(identity, action_units(expression, intensity), height)


def render_face_aus(identity: Identity, aus: dict, height: int) -> np.ndarray:
    """Like :func:`render_face` but driven by explicit action units (missing ones count as 0)."""
    H, a = au_vector(aus, height)
    small = H < SUPERSAMPLE_BELOW
    L = layers(identity, 2 * H if small else H)
    P, A = draw_expression(L, identity, a)
    y0, y1, x0, x1 = L.band
    if not small:
        out = L.out.copy()
        out[y0:y1, x0:x1] = unpremultiply(P, A)
        return out
    P0, A0 = (v.copy() for v in L.full)      # tiny sprites: drawn at 2x, area-averaged down
    P0[y0:y1, x0:x1], A0[y0:y1, x0:x1] = P, A
    W = round(H * ASPECT)
    A0 = cv2.resize(A0, (W, H), interpolation=cv2.INTER_AREA)
    A0[0] = A0[-1] = 0.0
    A0[:, 0] = A0[:, -1] = 0.0
    return unpremultiply(cv2.resize(P0, (W, H), interpolation=cv2.INTER_AREA), A0)
