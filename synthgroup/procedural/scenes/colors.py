"""Colour samplers shared by every scene (RGB tuples of floats in 0..255).

Every category draws its palette from these same samplers, so colour alone says little about the
category (``postprocess.finish`` then pulls the image mean towards a category-independent target).
"""
from __future__ import annotations

import colorsys

from ..rng import Draws


def hsv(h: float, s: float, v: float):
    """RGB (floats in 0..255) of a hue (wrapped), saturation and value (clipped to [0, 1])."""
    r, g, b = colorsys.hsv_to_rgb(h % 1.0, min(max(s, 0.0), 1.0), min(max(v, 0.0), 1.0))
    return (r * 255.0, g * 255.0, b * 255.0)


def mul(c, k):
    """A colour scaled by ``k``, each channel capped at 255."""
    return (min(c[0] * k, 255.0), min(c[1] * k, 255.0), min(c[2] * k, 255.0))


def mul3(c, m):
    """A colour scaled per channel by ``m``, each channel capped at 255."""
    return (min(c[0] * m[0], 255.0), min(c[1] * m[1], 255.0), min(c[2] * m[2], 255.0))


def mix(a, b, t):
    """Linear blend from colour ``a`` (t = 0) to ``b`` (t = 1)."""
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t)


def any_color(rng: Draws, smin=0.0, smax=0.8, vmin=0.2, vmax=0.95):
    """A colour of any hue within the given saturation and value ranges."""
    return hsv(rng.random(), rng.uniform(smin, smax), rng.uniform(vmin, vmax))


def wall_color(rng: Draws):
    """Paint: whites, greys and off-whites or a muted colour."""
    if rng.chance(0.3):  # whites / greys / off-whites
        return hsv(rng.random(), rng.uniform(0.0, 0.12), rng.uniform(0.6, 0.95))
    return hsv(rng.random(), rng.uniform(0.1, 0.55), rng.uniform(0.35, 0.92))


def wood_color(rng: Draws):
    """A wood tone from pale to dark."""
    return hsv(rng.uniform(0.03, 0.11), rng.uniform(0.3, 0.75), rng.uniform(0.2, 0.85))


def furniture_color(rng: Draws):
    """Furniture: wood, painted, black/white/grey or metal."""
    k = rng.random()
    if k < 0.45:
        return wood_color(rng)
    if k < 0.7:
        return hsv(rng.random(), rng.uniform(0.0, 0.1), rng.uniform(0.1, 0.95))
    return any_color(rng, 0.2, 0.75, 0.2, 0.9)


def fabric_color(rng: Draws):
    """Upholstery, rugs and curtains: any hue."""
    return hsv(rng.random(), rng.uniform(0.05, 0.8), rng.uniform(0.2, 0.9))


def sky_colors(rng: Draws):
    """(zenith, horizon, cloud) colours for a random time of day / weather."""
    k = rng.random()
    if k < 0.4:  # clear / hazy day
        h = rng.uniform(0.54, 0.64)
        top = hsv(h, rng.uniform(0.35, 0.8), rng.uniform(0.55, 0.95))
        hor = hsv(h + rng.uniform(-0.03, 0.03), rng.uniform(0.05, 0.35), rng.uniform(0.8, 1.0))
        cloud = hsv(h, rng.uniform(0.0, 0.08), rng.uniform(0.85, 1.0))
    elif k < 0.62:  # overcast
        h = rng.random()
        top = hsv(h, rng.uniform(0.0, 0.12), rng.uniform(0.45, 0.85))
        hor = hsv(h, rng.uniform(0.0, 0.1), rng.uniform(0.6, 0.95))
        cloud = mul(top, rng.uniform(0.75, 1.2))
    elif k < 0.85:  # sunset / sunrise
        top = hsv(rng.uniform(0.55, 0.8), rng.uniform(0.3, 0.7), rng.uniform(0.35, 0.8))
        hor = hsv(rng.uniform(0.0, 0.13), rng.uniform(0.35, 0.8), rng.uniform(0.8, 1.0))
        cloud = hsv(rng.uniform(0.92, 1.08), rng.uniform(0.2, 0.6), rng.uniform(0.6, 1.0))
    else:  # dusk / odd tint
        h = rng.random()
        top = hsv(h, rng.uniform(0.2, 0.7), rng.uniform(0.2, 0.6))
        hor = hsv(h + rng.uniform(-0.15, 0.15), rng.uniform(0.2, 0.6), rng.uniform(0.5, 0.95))
        cloud = hsv(h + 0.5, rng.uniform(0.0, 0.4), rng.uniform(0.4, 0.9))
    return top, hor, cloud


def stone_color(rng: Draws):
    k = rng.random()
    if k < 0.45:  # sandstone / limestone / granite
        return hsv(rng.uniform(0.05, 0.14), rng.uniform(0.05, 0.4), rng.uniform(0.45, 0.92))
    if k < 0.65:  # brick
        return hsv(rng.uniform(0.0, 0.06), rng.uniform(0.4, 0.75), rng.uniform(0.35, 0.75))
    if k < 0.85:  # plaster / painted
        return wall_color(rng)
    return hsv(rng.random(), rng.uniform(0.0, 0.1), rng.uniform(0.3, 0.8))


def roof_color(rng: Draws):
    k = rng.random()
    if k < 0.35:
        return hsv(rng.uniform(0.55, 0.7), rng.uniform(0.05, 0.3), rng.uniform(0.2, 0.45))  # slate
    if k < 0.55:
        return hsv(rng.uniform(0.38, 0.5), rng.uniform(0.25, 0.5), rng.uniform(0.4, 0.7))  # copper
    if k < 0.8:
        return hsv(rng.uniform(0.0, 0.06), rng.uniform(0.5, 0.8), rng.uniform(0.35, 0.7))  # tile
    return any_color(rng, 0.0, 0.6, 0.15, 0.7)
