"""Outdoor surroundings: sky, far silhouettes, water, ground, trees and the outdoor camera."""
from __future__ import annotations

import math

import cv2
import numpy as np

from ..rng import Draws
from .colors import hsv, mix, mul, sky_colors
from .geometry import AA, CIRCLE16_LIST, SCALE, SHIFT, Camera, plane_texture
from .room import Room
from .textures import random_crop, texture


def draw_sky(img, rng: Draws, hz, top, hor, cloud, cover):
    """Vertical gradient + procedural clouds (+ optional sun glow) in rows 0..hz."""
    H, W = img.shape[:2]
    hz = int(min(max(hz, 1), H))
    hs, ws = max(hz // 2, 2), max(W // 2, 2)
    t = (np.arange(hs, dtype=np.float32) / (hs - 1)) ** rng.uniform(0.5, 1.5)
    top_a = np.asarray(top, np.float32)
    hor_a = np.asarray(hor, np.float32)
    sky = np.repeat((top_a[None, :] + (hor_a - top_a)[None, :] * t[:, None])[:, None, :], ws, axis=1)
    if rng.chance(0.35):  # sun glow
        X, Y = np.meshgrid(np.arange(ws, dtype=np.float32), np.arange(hs, dtype=np.float32))
        sx, sy = rng.uniform(0, ws), rng.uniform(0.2, 1.1) * hs
        rad = rng.uniform(0.15, 0.5) * ws
        g = np.exp(-((X - sx) ** 2 + (Y - sy) ** 2) / (rad * rad)) * rng.uniform(0.3, 0.8)
        sun = np.asarray(hsv(rng.uniform(0.08, 0.16), rng.uniform(0.1, 0.6), 1.0), np.float32)
        sky += g[..., None] * (sun - sky)
    if cover > 0:
        n = random_crop(texture("clouds"), rng, hs, max(ws // 2, 1))
        n = cv2.resize(n, (ws, hs), interpolation=cv2.INTER_LINEAR)
        thr = rng.uniform(-0.2, 1.3)
        a = np.clip((n - thr) * rng.uniform(0.6, 1.6), 0.0, 1.0) * cover
        dark = 1.0 - 0.3 * np.clip(n - thr - 0.6, 0.0, 1.0)
        ccol = np.asarray(cloud, np.float32)
        sky += a[..., None] * (ccol[None, None, :] * dark[..., None] - sky)
    np.clip(sky, 0, 255, out=sky)
    img[:hz] = cv2.resize(sky.astype(np.uint8), (W, hz), interpolation=cv2.INTER_LINEAR)


def draw_silhouette(img, rng: Draws, base, amp, col, kind):
    """Far hills / tree line / city skyline standing on row ``base``."""
    W = img.shape[1]
    if amp < 1:
        return
    if kind == "city":
        pts = [(0.0, base + 2.0)]
        x = -rng.uniform(0, 0.05) * W
        while x < W:
            w = rng.uniform(0.025, 0.1) * W
            h = base - amp * (rng.uniform(0.15, 1.0) if rng.chance(0.85) else rng.uniform(1.0, 1.8))
            pts += [(max(x, 0.0), h), (min(x + w, W), h)]
            x += w
        pts += [(float(W), base + 2.0)]
    else:
        n = 40
        xs = np.linspace(0, W, n)
        k = rng.integer(3, 7)
        ctrl = [rng.random() for _ in range(k + 1)]
        h = np.interp(xs, np.linspace(0, W, k + 1), ctrl)
        if kind == "trees":
            h = 0.5 + 0.3 * h + 0.25 * np.abs(np.sin(xs * rng.uniform(0.1, 0.3) + rng.uniform(0, 6)))
        ys = base - amp * h
        pts = [(0.0, base + 2.0)] + list(zip(xs.tolist(), ys.tolist())) + [(float(W), base + 2.0)]
    p = np.rint(np.asarray(pts) * SCALE).astype(np.int32)
    cv2.fillPoly(img, [p], col, AA, SHIFT)


def draw_water(img, rng: Draws, r0, near_col, far_col):
    """A water surface (gradient, far to near) from row ``r0`` down; returns the row used."""
    H, W = img.shape[:2]
    r0 = int(min(max(r0, 0), H - 1))
    hh = H - r0
    hs, ws = max(hh // 2, 2), max(W // 2, 2)
    t = (np.arange(hs, dtype=np.float32) / (hs - 1)) ** 0.6
    fa, na = np.asarray(far_col, np.float32), np.asarray(near_col, np.float32)
    grad = fa[None, :] + (na - fa)[None, :] * t[:, None]
    img[r0:] = cv2.resize(np.repeat(grad[:, None, :].clip(0, 255).astype(np.uint8), ws, axis=1), (W, hh),
                          interpolation=cv2.INTER_LINEAR)
    return r0


def draw_ripples(img, rng: Draws, r0, amp):
    """Horizontal streaks modulating the water below row ``r0``."""
    H, W = img.shape[:2]
    hh = H - r0
    if hh <= 1:
        return
    hs, ws = max(hh // 2, 2), max(W // 2, 2)
    st = random_crop(texture("streak"), rng, hs, ws)
    t = (np.arange(hs, dtype=np.float32) / (hs - 1))[:, None]
    m = (128.0 * (1.0 + amp * st * (0.3 + 0.7 * t))).clip(0, 255).astype(np.uint8)
    m3 = cv2.resize(cv2.merge([m, m, m]), (W, hh), interpolation=cv2.INTER_LINEAR)
    sub = img[r0:]
    cv2.multiply(sub, m3, dst=sub, scale=1.0 / 128.0)


def outdoor_setup(rng: Draws, H, W, hz_frac, cam_h, yaw_max=35.0, f_range=(0.6, 1.0)):
    """Sky colours, a camera looking over the ground plane and a sun for an outdoor scene."""
    top, hor, cloud = sky_colors(rng)
    f = math.sqrt(H * W) * rng.uniform(*f_range)
    v0 = H * rng.uniform(*hz_frac)
    yaw = 0.0 if rng.chance(0.25) else rng.choice((-1, 1)) * math.radians(rng.uniform(5.0, yaw_max))
    cam = Camera(0.0, cam_h, 0.0, yaw, f, W * 0.5, v0)
    # sun: warm at sunset-ish skies, neutral otherwise
    warm = (hor[0] - hor[2]) / 255.0
    light_dir = (rng.uniform(-1, 1), rng.uniform(0.25, 1.2), rng.uniform(-1.0, 0.3))
    light_col = (1.0 + 0.25 * warm, 1.0, 1.0 - 0.25 * warm)
    amb_col = mul(mix(top, (255.0, 255.0, 255.0), 0.6), 1.0 / 235.0)
    amb = rng.uniform(0.4, 0.7)
    rm = Room(rng, H, W, 100.0, 100.0, 100.0, cam, light_dir, amb, light_col, amb_col)
    return rm, cam, (top, hor, cloud)


def draw_ground(img, rm: Room, rng: Draws, r0, kind=None):
    """Perspective ground plane (grass, paving, gravel) from row r0 down."""
    k = rng.random() if kind is None else kind
    if k < 0.45:
        col, tex, scale = (hsv(rng.uniform(0.17, 0.33), rng.uniform(0.3, 0.7), rng.uniform(0.25, 0.6)), 3,
                           256.0 / rng.uniform(3.0, 8.0))
    elif k < 0.75:
        col, tex, scale = (hsv(rng.random(), rng.uniform(0.0, 0.25), rng.uniform(0.4, 0.8)), 1,
                           32.0 / rng.uniform(0.5, 1.2))
    else:
        col, tex, scale = (hsv(rng.uniform(0.05, 0.15), rng.uniform(0.1, 0.4), rng.uniform(0.35, 0.75)), 4,
                           256.0 / rng.uniform(4.0, 10.0))
    plane_texture(img, rm.cam, rng, r0, texture("floor")[tex], col, scale, rng.chance(0.5))


def tree(rm: Room, x, z, h, rng: Draws, col=None):
    """A trunk and either a layered conifer or a leafy crown."""
    col = col or hsv(rng.uniform(0.18, 0.38), rng.uniform(0.35, 0.8), rng.uniform(0.15, 0.5))
    cam = rm.cam
    rm.line3((x, 0.0, z), (x, h * 0.5, z), h * 0.06,
             hsv(rng.uniform(0.05, 0.1), rng.uniform(0.3, 0.6), rng.uniform(0.15, 0.35)), bias=0.5)
    conifer = rng.chance(0.3)
    for j in range(3):
        if conifer:
            w = h * (0.35 - 0.08 * j)
            yb = h * (0.25 + 0.22 * j)
            pts = [(x - w, yb, z), (x + w, yb, z), (x, yb + h * 0.45, z)]
        else:
            r = h * rng.uniform(0.22, 0.32)
            yc = h * rng.uniform(0.55, 0.75)
            xo = rng.uniform(-0.2, 0.2) * h
            pts = [(x + xo + r * ca, yc + r * sa * 0.9, z) for ca, sa in CIRCLE16_LIST[::2]]
        rm.poly3(pts, mul(col, rng.uniform(0.75, 1.25)), cam.depth(x, h * 0.6, z) - 0.1 * j)


def sky_and_far_view(rng: Draws, H: int, W: int, hz: int, sky, cover: float, far_height: tuple[float, float],
                     far_kinds=("hills", "trees", "city")) -> np.ndarray:
    """A new H x W image with the sky (``sky_colors``; cloud cover drawn up to ``cover``) down to the
    horizon row ``hz`` and a far silhouette standing on it: hills, trees or a city, its height a
    fraction of H drawn from ``far_height``, its colour hazed towards the horizon."""
    top, hor, cloud = sky
    img = np.empty((H, W, 3), np.uint8)
    draw_sky(img, rng, hz + 2, top, hor, cloud, rng.uniform(0.0, cover))
    far = mix(hsv(rng.uniform(0.1, 0.4), rng.uniform(0.2, 0.6), rng.uniform(0.15, 0.45)), hor, rng.uniform(0.3, 0.7))
    draw_silhouette(img, rng, hz, H * rng.uniform(*far_height), far, rng.choice(far_kinds))
    return img
