"""Procedural cartoon-but-readable human faces, drawn with OpenCV and returned as clean RGBA sprites.

They replace licensed face databases as the embedded default face source. An identity is a seed
(:func:`identity_from_seed` -> :class:`Identity`, plain data); an expression is a set of FACS action
units (:func:`action_units`) at an intensity in [0, 1]; :func:`render_face` draws the head.

Drawing model: everything is laid out in units of the sprite height ``H`` (x to the right, y down)
and drawn straight into an RGBA canvas with ``cv2.LINE_AA`` and 4 bits of sub-pixel ``shift``
(``canvas``). OpenCV's antialiasing blends all four channels, i.e. it composites premultiplied
colour *over* the canvas, so the edge pixels are un-premultiplied at the end and the result has
straight alpha. Only the action-unit driven parts (brows, lids, mouth, expression lines, jaw drop:
``features``) change between expressions of one identity, so everything else (layout, colours, the
back layers: hair behind, neck, ears, face: ``head``) is built once per (identity, height) and kept
in a small byte-bounded LRU (``head.CACHE_BUDGET``, ``clear_cache()``); the output is identical with
or without it. Sprites shorter than ``SUPERSAMPLE_BELOW`` px are drawn at 2x and averaged down; from
``DENSE_FROM`` px the curves are sampled more densely.

Modules: ``expressions`` (action-unit prototypes), ``identity`` (``identity_from_seed``),
``canvas`` (fixed-point drawing primitives), ``head`` and ``features`` (the two drawing passes).
"""
from __future__ import annotations

import cv2
import numpy as np

from .. import source_files
from .canvas import ASPECT, DENSE_FROM
from .expressions import AU_NAMES, EXPRESSIONS, action_units, au_vector
from .features import draw_features
from .head import CACHE_BUDGET, clear_cache, static_layers
from .identity import BEARD_STYLES, GLASSES_STYLES, HAIR_STYLES, Identity, identity_from_seed

__all__ = ["EXPRESSIONS", "ASPECT", "AU_NAMES", "HAIR_STYLES", "BEARD_STYLES", "GLASSES_STYLES",
           "Identity", "identity_from_seed", "action_units", "render_face", "render_face_aus",
           "clear_cache", "CACHE_BUDGET", "DENSE_FROM", "SUPERSAMPLE_BELOW"]

#: The files whose code decides the pixels (a cache key for rendered faces).
SOURCE_FILES = source_files(__file__)

#: Sprites shorter than this are drawn at twice the size and averaged down.
SUPERSAMPLE_BELOW = 32
_OPAQUE: dict = {}


def _opaque(H: int, W: int) -> np.ndarray:
    """A cached all-255 alpha divisor for a supersampled sprite of H x W."""
    o = _OPAQUE.get((H, W))
    if o is None:
        o = _OPAQUE[(H, W)] = np.full((H, W), 255, np.uint8)
    return o


_ALPHA_SNAP = np.arange(256, dtype=np.uint8)
_ALPHA_SNAP[248:] = 255
_ALPHA_SNAP[:3] = 0


def render_face(identity: Identity, expression: str, intensity: float, height: int) -> np.ndarray:
    """``height`` x ``round(height * ASPECT)`` x 4 uint8 RGBA (straight alpha) head sprite."""
    return render_face_aus(identity, action_units(expression, intensity), height)


def render_face_aus(identity: Identity, aus: dict, height: int) -> np.ndarray:
    """Like :func:`render_face` but driven by explicit action units (missing ones count as 0)."""
    H, a = au_vector(aus, height)
    small = H < SUPERSAMPLE_BELOW
    st = static_layers(identity, 2 * H if small else H)
    img = st.base.copy()
    draw_features(img, st, identity, a)
    if small:  # tiny sprites: draw at 2x, average down (1-px lines would be too heavy)
        W = round(H * ASPECT)
        img = cv2.resize(img, (W, H), interpolation=cv2.INTER_AREA)
        opaque = _opaque(H, W)
    else:
        opaque = st.opaque
    img[0] = img[-1] = 0  # guarantee the transparent frame (the layout keeps ~2 px clear anyway)
    img[:, 0] = img[:, -1] = 0
    # cv2 antialiasing composites premultiplied colour: divide by alpha for straight alpha
    a = img[..., 3]
    out = cv2.divide(img, cv2.merge((a, a, a, opaque)), scale=255)
    out[..., 3] = cv2.LUT(a, _ALPHA_SNAP)  # overlapping AA edges inside leave 25x: make them 255
    return out
