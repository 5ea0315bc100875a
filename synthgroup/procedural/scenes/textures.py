"""Process-wide periodic textures (floors, blotches, clouds, water streaks, sensor grain).

Built once per process from a fixed seed, so they are the same in every worker; scenes crop or
perspective-warp them per call.
"""
from __future__ import annotations

import cv2
import numpy as np

from ..rng import Draws

_TEX: dict = {}


def _fft_noise(g, n, beta, sx=1.0, sy=1.0):
    """Periodic n x n noise with power spectrum ~ 1/f^(2 beta), unit std."""
    w = g.standard_normal((n, n))
    fy = np.fft.fftfreq(n)[:, None] * sy
    fx = np.fft.fftfreq(n)[None, :] * sx
    r = np.sqrt(fx * fx + fy * fy)
    r[0, 0] = 1.0
    F = np.fft.fft2(w) / r**beta
    F[0, 0] = 0.0
    out = np.real(np.fft.ifft2(F))
    out /= out.std() + 1e-9
    return out.astype(np.float32)


def _to_mod(x):
    """float modulation around 1.0 -> uint8 around 128."""
    return np.clip(np.rint(x * 128.0), 0, 255).astype(np.uint8)


def _build_textures():
    g = np.random.default_rng(20240607)
    n = 256
    yy, xx = np.mgrid[0:n, 0:n]
    # wood planks: 8 planks of 32 px, grain elongated along x, staggered joints
    grain = _fft_noise(g, n, 1.2, sx=10.0, sy=1.0)
    fine = _fft_noise(g, n, 0.3)
    plank = yy // 32
    pb = g.normal(0.0, 0.09, size=8)[plank]
    joints = g.integers(0, 256, size=8)[plank]
    rel = (xx - joints) % 128
    wood = 1.0 + pb + 0.07 * grain + 0.02 * fine
    wood = np.where((yy % 32) == 0, 0.62, wood)
    wood = np.where(rel == 0, 0.7, wood)
    planks = _to_mod(wood)
    # tiles: 8x8 tiles of 32 px with grout
    tb = g.normal(0.0, 0.04, size=(8, 8))[yy // 32, xx // 32]
    tiles = 1.0 + tb + 0.03 * fine
    grout = ((yy % 32) < 2) | ((xx % 32) < 2)
    tiles_m = _to_mod(np.where(grout, 0.7, tiles))
    chk = np.where(((yy // 32) + (xx // 32)) % 2 == 0, 1.28, 0.72) + 0.03 * fine + tb * 0.5
    checker = _to_mod(np.where(grout, 0.8, chk))
    smooth = _fft_noise(g, n, 1.6)
    carpet = _to_mod(1.0 + 0.05 * smooth + 0.06 * _fft_noise(g, n, 0.1))
    concrete = _to_mod(1.0 + 0.08 * smooth + 0.04 * fine)
    floors = [planks, tiles_m, checker, carpet, concrete]
    # mip pyramids (periodic textures stay periodic under 2x area downsampling)
    _TEX["floor"] = [
        [t, cv2.resize(t, (128, 128), interpolation=cv2.INTER_AREA),
         cv2.resize(t, (64, 64), interpolation=cv2.INTER_AREA)]
        for t in floors
    ]
    # low-frequency blotches for walls / lighting irregularity (used at 1/4 res)
    _TEX["blotch"] = _fft_noise(g, 128, 1.4)
    # clouds (fractal) and water streaks
    _TEX["clouds"] = _fft_noise(g, 512, 1.35)
    _TEX["streak"] = _fft_noise(g, 256, 1.0, sx=12.0, sy=1.0)
    # sensor noise (uint8, centred at 128)
    _TEX["grain"] = np.clip(128.0 + 40.0 * g.standard_normal((512, 512, 3)), 0, 255).astype(np.uint8)


def texture(name):
    """A process-wide texture by name, built (deterministically) on first use."""
    if not _TEX:
        _build_textures()
    return _TEX[name]


def random_crop(tex, rng: Draws, h: int, w: int):
    """A random ``h`` x ``w`` window of a periodic texture (tiled when it is too small)."""
    th, tw = tex.shape[:2]
    if h > th or w > tw:
        reps = (-(-h // th), -(-w // tw)) + (1,) * (tex.ndim - 2)
        tex = np.tile(tex, reps)
        th, tw = tex.shape[:2]
    y = int(rng.random() * (th - h + 1))
    x = int(rng.random() * (tw - w + 1))
    return tex[y : y + h, x : x + w]
