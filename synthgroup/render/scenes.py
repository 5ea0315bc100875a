"""Procedural scene backgrounds standing in for the LSUN scene categories.

``render_scene(category, seed, size)`` draws a plausible background for a group
photo -- an indoor room in one- or two-point perspective with furniture that
fits the category, or an outdoor view (bridge, church, tower) -- entirely with
cv2 primitives and numpy broadcasting.  No data is downloaded and nothing is
random outside a local ``np.random.default_rng([seed, category_index])``.

Design notes
------------
* Indoor scenes use a tiny pinhole camera (position, height, yaw, focal
  length, horizon row).  The room is an axis-aligned box; furniture is a list
  of axis-aligned boxes, lines (legs, cords) and convex polygons (round table
  tops, lamp shades) projected in one vectorised call and painted far-to-near.
  A yaw of zero gives one-point perspective, a non-zero yaw two-point.
* Textures (wood planks, tiles, carpet, clouds, paint blotches, sensor noise)
  are periodic noise maps built once per process from a fixed seed and then
  cropped / perspective-warped per call.
* Lighting: a global light direction and colour temperature shade every face
  (Lambert + ambient), furniture casts soft floor shadows, and a post pass adds
  a screen-space light gradient, vignette, paint blotches and sensor noise.
* Colour statistics are deliberately shared across categories: every palette
  comes from the same samplers and a final "camera auto-exposure / white
  balance" pulls the image mean towards a target colour drawn from one
  category-independent distribution, so the mean colour of a background says
  (almost) nothing about its category.
"""

from __future__ import annotations

import colorsys
import math

import cv2
import numpy as np

__all__ = ["CATEGORIES", "render_scene"]

CATEGORIES = (
    "classroom",
    "conference_room",
    "bedroom",
    "dining_room",
    "kitchen",
    "living_room",
    "restaurant",
    "bridge",
    "church_outdoor",
    "tower",
)
_CAT_INDEX = {c: i for i, c in enumerate(CATEGORIES)}

_SHIFT = 3  # sub-pixel bits for anti-aliased polygons
_SCALE = float(1 << _SHIFT)
_AA = cv2.LINE_AA
_ZN = 0.05  # near plane (metres)
_WB_STRENGTH = 0.5  # pull of the image mean towards a category-independent target


# --------------------------------------------------------------------------
# random helper: a buffered stream of uniforms from the local generator
# --------------------------------------------------------------------------
class _R:
    """Cheap scalar draws from a ``np.random.Generator`` (buffered)."""

    __slots__ = ("g", "buf", "k")

    def __init__(self, g: np.random.Generator):
        self.g = g
        self.buf = g.random(512).tolist()
        self.k = 0

    def r(self) -> float:
        k = self.k
        if k >= len(self.buf):
            self.buf = self.g.random(512).tolist()
            k = 0
        self.k = k + 1
        return self.buf[k]

    def u(self, a: float, b: float) -> float:
        return a + (b - a) * self.r()

    def i(self, a: int, b: int) -> int:
        """Integer in [a, b] inclusive."""
        return a + min(int(self.r() * (b - a + 1)), b - a)

    def p(self, prob: float) -> bool:
        return self.r() < prob

    def c(self, seq):
        return seq[min(int(self.r() * len(seq)), len(seq) - 1)]

    def n(self, mu: float = 0.0, sd: float = 1.0) -> float:
        u1 = max(self.r(), 1e-12)
        return mu + sd * math.sqrt(-2.0 * math.log(u1)) * math.cos(2 * math.pi * self.r())


# --------------------------------------------------------------------------
# colours (all RGB tuples of floats in 0..255)
# --------------------------------------------------------------------------
def _hsv(h: float, s: float, v: float):
    r, g, b = colorsys.hsv_to_rgb(h % 1.0, min(max(s, 0.0), 1.0), min(max(v, 0.0), 1.0))
    return (r * 255.0, g * 255.0, b * 255.0)


def _mul(c, k):
    return (min(c[0] * k, 255.0), min(c[1] * k, 255.0), min(c[2] * k, 255.0))


def _mul3(c, m):
    return (min(c[0] * m[0], 255.0), min(c[1] * m[1], 255.0), min(c[2] * m[2], 255.0))


def _mix(a, b, t):
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t)


def _any_color(R: _R, smin=0.0, smax=0.8, vmin=0.2, vmax=0.95):
    return _hsv(R.r(), R.u(smin, smax), R.u(vmin, vmax))


def _wall_color(R: _R):
    if R.p(0.3):  # whites / greys / off-whites
        return _hsv(R.r(), R.u(0.0, 0.12), R.u(0.6, 0.95))
    return _hsv(R.r(), R.u(0.1, 0.55), R.u(0.35, 0.92))


def _wood_color(R: _R):
    return _hsv(R.u(0.03, 0.11), R.u(0.3, 0.75), R.u(0.2, 0.85))


def _furn_color(R: _R):
    """Furniture: wood, painted, black/white/grey or metal."""
    k = R.r()
    if k < 0.45:
        return _wood_color(R)
    if k < 0.7:
        return _hsv(R.r(), R.u(0.0, 0.1), R.u(0.1, 0.95))
    return _any_color(R, 0.2, 0.75, 0.2, 0.9)


def _fabric_color(R: _R):
    return _hsv(R.r(), R.u(0.05, 0.8), R.u(0.2, 0.9))


def _sky_colors(R: _R):
    """(zenith, horizon, cloud) colours for a random time of day / weather."""
    k = R.r()
    if k < 0.4:  # clear / hazy day
        h = R.u(0.54, 0.64)
        top = _hsv(h, R.u(0.35, 0.8), R.u(0.55, 0.95))
        hor = _hsv(h + R.u(-0.03, 0.03), R.u(0.05, 0.35), R.u(0.8, 1.0))
        cloud = _hsv(h, R.u(0.0, 0.08), R.u(0.85, 1.0))
    elif k < 0.62:  # overcast
        h = R.r()
        top = _hsv(h, R.u(0.0, 0.12), R.u(0.45, 0.85))
        hor = _hsv(h, R.u(0.0, 0.1), R.u(0.6, 0.95))
        cloud = _mul(top, R.u(0.75, 1.2))
    elif k < 0.85:  # sunset / sunrise
        top = _hsv(R.u(0.55, 0.8), R.u(0.3, 0.7), R.u(0.35, 0.8))
        hor = _hsv(R.u(0.0, 0.13), R.u(0.35, 0.8), R.u(0.8, 1.0))
        cloud = _hsv(R.u(0.92, 1.08), R.u(0.2, 0.6), R.u(0.6, 1.0))
    else:  # dusk / odd tint
        h = R.r()
        top = _hsv(h, R.u(0.2, 0.7), R.u(0.2, 0.6))
        hor = _hsv(h + R.u(-0.15, 0.15), R.u(0.2, 0.6), R.u(0.5, 0.95))
        cloud = _hsv(h + 0.5, R.u(0.0, 0.4), R.u(0.4, 0.9))
    return top, hor, cloud


# --------------------------------------------------------------------------
# process-wide texture cache (deterministic, built lazily once)
# --------------------------------------------------------------------------
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
    _TEX["floor"] = [[t, cv2.resize(t, (128, 128), interpolation=cv2.INTER_AREA), cv2.resize(t, (64, 64), interpolation=cv2.INTER_AREA)] for t in floors]
    # low-frequency blotches for walls / lighting irregularity (used at 1/4 res)
    _TEX["blotch"] = _fft_noise(g, 128, 1.4)
    # clouds (fractal) and water streaks
    _TEX["clouds"] = _fft_noise(g, 512, 1.35)
    _TEX["streak"] = _fft_noise(g, 256, 1.0, sx=12.0, sy=1.0)
    # sensor noise (uint8, centred at 128)
    _TEX["grain"] = np.clip(128.0 + 40.0 * g.standard_normal((512, 512, 3)), 0, 255).astype(np.uint8)


def _tex(name):
    if not _TEX:
        _build_textures()
    return _TEX[name]


def _crop(tex, R: _R, h: int, w: int):
    th, tw = tex.shape[:2]
    if h > th or w > tw:
        reps = (-(-h // th), -(-w // tw)) + (1,) * (tex.ndim - 2)
        tex = np.tile(tex, reps)
        th, tw = tex.shape[:2]
    y = int(R.r() * (th - h + 1))
    x = int(R.r() * (tw - w + 1))
    return tex[y : y + h, x : x + w]


_GRID: dict = {}


def _grid(h, w):
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


# --------------------------------------------------------------------------
# 3-D camera and painter's-algorithm renderer for rooms
# --------------------------------------------------------------------------
_FACES = np.array(
    [[0, 2, 6, 4], [1, 3, 7, 5], [0, 1, 5, 4], [2, 3, 7, 6], [0, 1, 3, 2], [4, 5, 7, 6]],
    dtype=np.intp,
)
_CX = np.array([0, 1, 0, 1, 0, 1, 0, 1], dtype=np.intp)
_CY = np.array([0, 0, 1, 1, 0, 0, 1, 1], dtype=np.intp)
_CZ = np.array([0, 0, 0, 0, 1, 1, 1, 1], dtype=np.intp)
_NORMALS = np.array(
    [[-1, 0, 0], [1, 0, 0], [0, -1, 0], [0, 1, 0], [0, 0, -1], [0, 0, 1]], dtype=np.float64
)
_CIRC16 = np.stack(
    [np.cos(np.linspace(0, 2 * np.pi, 16, endpoint=False)), np.sin(np.linspace(0, 2 * np.pi, 16, endpoint=False))],
    1,
)

_CIRC16L = _CIRC16.tolist()


class _Cam:
    __slots__ = ("x", "y", "z", "ca", "sa", "f", "u0", "v0")

    def __init__(self, x, y, z, yaw, f, u0, v0):
        self.x, self.y, self.z = x, y, z
        self.ca, self.sa = math.cos(yaw), math.sin(yaw)
        self.f, self.u0, self.v0 = f, u0, v0

    def to_cam(self, P):
        dx = P[..., 0] - self.x
        dz = P[..., 2] - self.z
        return self.ca * dx - self.sa * dz, P[..., 1] - self.y, self.sa * dx + self.ca * dz

    def depth(self, x, y, z):
        return math.sqrt((x - self.x) ** 2 + (y - self.y) ** 2 + (z - self.z) ** 2)


def _clip_near(xc, yc, zc):
    """Clip a camera-space polygon against z >= _ZN (Sutherland-Hodgman)."""
    pts = list(zip(xc.tolist(), yc.tolist(), zc.tolist()))
    out = []
    k = len(pts)
    for i in range(k):
        a = pts[i]
        b = pts[(i + 1) % k]
        ina = a[2] >= _ZN
        inb = b[2] >= _ZN
        if ina:
            out.append(a)
        if ina != inb:
            t = (_ZN - a[2]) / (b[2] - a[2])
            out.append((a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]), _ZN))
    return out


class _Batch:
    """Project many small 3-D polygons at once; fetch each as int32 points."""

    __slots__ = ("cam", "starts", "uv", "xc", "yc", "zc", "zmin", "zmax")

    def __init__(self, cam: _Cam, polys):
        self.cam = cam
        pts, starts = [], []
        for p in polys:
            starts.append(len(pts))
            pts.extend(p)
        starts.append(len(pts))
        self.starts = starts
        if not pts:
            return
        A = np.asarray(pts, dtype=np.float64)
        xc, yc, zc = cam.to_cam(A)
        iz = cam.f * _SCALE / np.maximum(zc, _ZN)
        uv = np.empty((len(A), 2))
        uv[:, 0] = cam.u0 * _SCALE + xc * iz
        uv[:, 1] = cam.v0 * _SCALE - yc * iz
        np.clip(uv, -4e5, 4e5, out=uv)
        self.uv = np.rint(uv).astype(np.int32)
        self.xc, self.yc, self.zc = xc, yc, zc
        self.zmin = np.minimum.reduceat(zc, starts[:-1]).tolist()
        self.zmax = np.maximum.reduceat(zc, starts[:-1]).tolist()

    def get(self, i):
        a, b = self.starts[i], self.starts[i + 1]
        if self.zmin[i] >= _ZN:
            return self.uv[a:b]
        if self.zmax[i] < _ZN:
            return None
        cl = _clip_near(self.xc[a:b], self.yc[a:b], self.zc[a:b])
        if len(cl) < 3:
            return None
        cam = self.cam
        q = np.asarray(cl)
        izq = cam.f * _SCALE / q[:, 2]
        uv = np.stack([cam.u0 * _SCALE + q[:, 0] * izq, cam.v0 * _SCALE - q[:, 1] * izq], 1)
        return np.rint(np.clip(uv, -4e5, 4e5)).astype(np.int32)


def _plane_texture(img, cam: _Cam, R: _R, r0, tex, fcol, scale, rot):
    """Fill rows r0.. with a ground-plane (y = 0) texture seen through ``cam``."""
    H, W = img.shape[:2]
    r0 = int(max(r0, 0))
    if r0 >= H:
        return
    sc = 0.5
    # mip level from the texel density a quarter of the way down the ground region
    v = r0 + 0.25 * (H - r0)
    z = cam.f * cam.y / max(v - cam.v0, 1.0)
    tpp = z / cam.f * scale / sc
    lvl = 0 if tpp < 1.5 else (1 if tpp < 3.0 else 2)
    tex = tex[lvl]
    scale = scale / (1 << lvl)
    m = 1.0 / scale
    ox, oz = R.u(-3, 3), R.u(-3, 3)
    if rot:
        px, qx, pz, qz = 0.0, m, m, 0.0
    else:
        px, qx, pz, qz = m, 0.0, 0.0, m
    # texture px (s, t) -> world x = px*s + qx*t + ox, z = pz*s + qz*t + oz -> image
    DX = np.array([px, qx, ox - cam.x])
    DZ = np.array([pz, qz, oz - cam.z])
    XC = cam.ca * DX - cam.sa * DZ
    ZC = cam.sa * DX + cam.ca * DZ
    row0 = cam.f * XC + cam.u0 * ZC
    row1 = cam.v0 * ZC
    row1[2] += cam.f * cam.y
    row1 = row1 - r0 * ZC
    Hm = np.stack([row0 * sc, row1 * sc, ZC])
    hh = H - r0
    dw, dh = max(int(math.ceil(W * sc)), 1), max(int(math.ceil(hh * sc)), 1)
    mod = cv2.warpPerspective(tex, Hm, (dw, dh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_WRAP)
    tm = np.diag(np.asarray(fcol, dtype=np.float32) * (1.0 / 128.0))
    region = cv2.transform(cv2.merge([mod, mod, mod]), tm)
    img[r0:] = cv2.resize(region, (W, hh), interpolation=cv2.INTER_LINEAR)


class _Room:
    """Collects room geometry and renders it."""

    def __init__(self, R: _R, H: int, W: int, RW, RD, RH, cam: _Cam, light_dir, amb, light_col, amb_col):
        self.R, self.H, self.W = R, H, W
        self.RW, self.RD, self.RH = RW, RD, RH
        self.cam = cam
        L = np.asarray(light_dir, dtype=np.float64)
        L = L / np.linalg.norm(L)
        self.L = L
        lam = np.maximum(_NORMALS @ L, 0.0)  # (6,)
        fac = amb * np.asarray(amb_col)[None, :] + (1.0 - amb) * lam[:, None] * np.asarray(light_col)[None, :]
        fac[2] = np.maximum(fac[2], 0.8 * np.asarray(amb_col))  # ceilings get bounce light
        self.fac = fac  # (6, 3)
        self.amb, self.light_col, self.amb_col = amb, tuple(light_col), tuple(amb_col)
        self.F = [tuple(r) for r in fac.tolist()]
        self.flat = []  # ordered: ("p", pts3, col) | ("l", segs3 (m,2,3), col, px)
        self.boxes = []  # x0,x1,y0,y1,z0,z1,r,g,b,bias
        self.lines = []  # x0,y0,z0,x1,y1,z1,thick,r,g,b,bias
        self.polys = []  # (pts3, col, key)
        self.shadow = []  # (x0,x1,z0,z1,h)
        self.floor_tex = None

    # ---- helpers -------------------------------------------------------
    def shade(self, col, k):
        m = self.F[k]
        return (min(col[0] * m[0], 255.0), min(col[1] * m[1], 255.0), min(col[2] * m[2], 255.0))

    def nshade(self, col, n):
        """Shade a colour for an arbitrary (unit) normal n."""
        L = self.L
        d = max(n[0] * L[0] + n[1] * L[1] + n[2] * L[2], 0.0) * (1.0 - self.amb)
        a = self.amb
        lc, ac = self.light_col, self.amb_col
        return (
            min(col[0] * (a * ac[0] + d * lc[0]), 255.0),
            min(col[1] * (a * ac[1] + d * lc[1]), 255.0),
            min(col[2] * (a * ac[2] + d * lc[2]), 255.0),
        )

    def box(self, x0, x1, y0, y1, z0, z1, col, shadow=False, bias=0.0):
        self.boxes.append((x0, x1, y0, y1, z0, z1, col[0], col[1], col[2], bias))
        if shadow:
            self.shadow.append((x0, x1, z0, z1, y1))

    def boxc(self, cx, cz, w, d, y0, y1, col, shadow=False, bias=0.0):
        self.box(cx - w / 2, cx + w / 2, y0, y1, cz - d / 2, cz + d / 2, col, shadow, bias)

    def line3(self, p, q, thick, col, bias=0.0):
        self.lines.append(([p, q], thick, col, bias))

    def lines3(self, segs, thick, col, bias=0.0):
        """A group of 3-D segments [(p, q), ...] drawn in one call (e.g. legs)."""
        pts = []
        for p, q in segs:
            pts.append(p)
            pts.append(q)
        self.lines.append((pts, thick, col, bias))

    def poly3(self, pts, col, key=None):
        if key is None:
            n = len(pts)
            key = self.cam.depth(sum(p[0] for p in pts) / n, sum(p[1] for p in pts) / n, sum(p[2] for p in pts) / n)
        self.polys.append((pts, col, key))

    def disc(self, cx, y, cz, r, col, bias=0.0, rz=None):
        rz = r if rz is None else rz
        pts = [(cx + r * ca, y, cz + rz * sa) for ca, sa in _CIRC16L]
        k = 3 if self.cam.y > y else 2
        self.poly3(pts, self.shade(col, k), self.cam.depth(cx, y, cz) + bias)

    def wall_pts(self, wall, u0, u1, v0, v1, off=0.0):
        if wall == "back":
            z = self.RD - off
            return [(u0, v0, z), (u1, v0, z), (u1, v1, z), (u0, v1, z)]
        if wall == "left":
            x = -self.RW / 2 + off
            return [(x, v0, u0), (x, v0, u1), (x, v1, u1), (x, v1, u0)]
        if wall == "right":
            x = self.RW / 2 - off
            return [(x, v0, u0), (x, v0, u1), (x, v1, u1), (x, v1, u0)]
        if wall == "floor":
            y = off
            return [(u0, y, v0), (u1, y, v0), (u1, y, v1), (u0, y, v1)]
        y = self.RH - off  # ceiling
        return [(u0, y, v0), (u1, y, v0), (u1, y, v1), (u0, y, v1)]

    _WALL_FACE = {"back": 4, "left": 1, "right": 0, "floor": 3, "ceil": 2}

    def wall_point(self, wall, u, v, off=0.0):
        if wall == "back":
            return (u, v, self.RD - off)
        if wall == "left":
            return (-self.RW / 2 + off, v, u)
        if wall == "right":
            return (self.RW / 2 - off, v, u)
        if wall == "floor":
            return (u, off, v)
        return (u, self.RH - off, v)

    def wq(self, wall, u0, u1, v0, v1, col, emissive=False, off=0.0):
        """Flat quad on a wall/floor/ceiling, drawn in insertion order."""
        c = col if emissive else self.shade(col, self._WALL_FACE[wall])
        self.flat.append(("p", self.wall_pts(wall, u0, u1, v0, v1, off), c))

    def wcircle(self, wall, u, v, r, col, emissive=False, off=0.0, n=16):
        c = col if emissive else self.shade(col, self._WALL_FACE[wall])
        pts = [self.wall_point(wall, u + r * ca, v + r * sa, off) for ca, sa in _CIRC16[:: 16 // n].tolist()]
        self.flat.append(("p", pts, c))

    def wlines(self, wall, segs_uv, col, px=1, emissive=False, off=0.0):
        """Flat line segments on a wall; segs_uv: (m, 4) rows of (u0, v0, u1, v1)."""
        S = np.asarray(segs_uv, dtype=np.float64).reshape(-1, 4)
        if not len(S):
            return
        c = col if emissive else self.shade(col, self._WALL_FACE[wall])
        P = np.empty((len(S), 2, 3))
        U = S[:, 0::2]
        V = S[:, 1::2]
        if wall == "back":
            P[:, :, 0], P[:, :, 1], P[:, :, 2] = U, V, self.RD - off
        elif wall == "left":
            P[:, :, 0], P[:, :, 1], P[:, :, 2] = -self.RW / 2 + off, V, U
        elif wall == "right":
            P[:, :, 0], P[:, :, 1], P[:, :, 2] = self.RW / 2 - off, V, U
        elif wall == "floor":
            P[:, :, 0], P[:, :, 1], P[:, :, 2] = U, off, V
        else:
            P[:, :, 0], P[:, :, 1], P[:, :, 2] = U, self.RH - off, V
        self.flat.append(("l", P, c, px))

    # ---- projection ----------------------------------------------------
    def _proj_poly(self, pts):
        """pts: (k,3) array -> int32 (k',2) scaled by _SCALE, or None."""
        cam = self.cam
        xc, yc, zc = cam.to_cam(pts)
        if zc.min() < _ZN:
            if zc.max() < _ZN:
                return None
            cl = _clip_near(xc, yc, zc)
            if len(cl) < 3:
                return None
            a = np.asarray(cl)
            xc, yc, zc = a[:, 0], a[:, 1], a[:, 2]
        iz = cam.f * _SCALE / zc
        uv = np.empty((len(zc), 2))
        uv[:, 0] = cam.u0 * _SCALE + xc * iz
        uv[:, 1] = cam.v0 * _SCALE - yc * iz
        np.clip(uv, -4e5, 4e5, out=uv)
        return np.rint(uv).astype(np.int32)

    # ---- rendering -----------------------------------------------------
    def render(self, img, floor_col, wall_cols, ceil_col, floor_kind, floor_scale, floor_rot):
        H = self.H
        cam = self.cam
        RW, RD, RH = self.RW, self.RD, self.RH
        xl, xr = -RW / 2, RW / 2
        zb = -4.0
        # ---------------- floor (perspective-warped texture) -------------
        fcol = self.shade(floor_col, 3)
        corners = np.array([[xl, 0, RD], [xr, 0, RD], [xl, 0, zb], [xr, 0, zb]], dtype=np.float64)
        _, yc, zc = cam.to_cam(corners)
        good = zc > _ZN
        vtop = cam.v0 + 1.0
        if good[:2].all():
            vtop = max(vtop, float((cam.v0 - yc[:2] * cam.f / zc[:2]).min()))
        r0 = int(min(max(math.floor(vtop) - 1, 0), H - 1))
        self._floor(img, r0, fcol, floor_kind, floor_scale, floor_rot)
        # ---------------- walls, ceiling and flat decorations (batched) --
        surf = [
            ("p", [(xl, 0, RD), (xr, 0, RD), (xr, RH, RD), (xl, RH, RD)], self.shade(wall_cols["back"], 4)),
            ("p", [(xl, 0, zb), (xl, 0, RD), (xl, RH, RD), (xl, RH, zb)], self.shade(wall_cols["left"], 1)),
            ("p", [(xr, 0, zb), (xr, 0, RD), (xr, RH, RD), (xr, RH, zb)], self.shade(wall_cols["right"], 0)),
            ("p", [(xl, RH, zb), (xr, RH, zb), (xr, RH, RD), (xl, RH, RD)], self.shade(ceil_col, 2)),
        ]
        self._flat(img, surf + self.flat)
        # ---------------- soft shadows --------------------------------
        if self.shadow:
            self._shadows(img)
        # ---------------- depth-sorted objects ------------------------
        self._objects(img)

    def _flat(self, img, items):
        """Draw flat polygons / line groups in order, projecting all at once."""
        cam = self.cam
        polys = [it[1] for it in items if it[0] == "p"]
        bt = _Batch(cam, polys)
        spts = [it[1] for it in items if it[0] == "l"]
        if spts:
            S = np.concatenate(spts, 0)
            sxc, syc, szc = cam.to_cam(S)
            a_in = szc[:, 0] >= _ZN
            b_in = szc[:, 1] >= _ZN
            sok = (a_in | b_in).tolist()
            cross = a_in != b_in
            if cross.any():
                t = (_ZN - szc[:, 0]) / np.where(cross, szc[:, 1] - szc[:, 0], 1.0)
                for arr in (sxc, syc):
                    v = arr[:, 0] + t * (arr[:, 1] - arr[:, 0])
                    arr[:, 0] = np.where(cross & ~a_in, v, arr[:, 0])
                    arr[:, 1] = np.where(cross & ~b_in, v, arr[:, 1])
                szc[:, 0] = np.where(cross & ~a_in, _ZN, szc[:, 0])
                szc[:, 1] = np.where(cross & ~b_in, _ZN, szc[:, 1])
            iz = cam.f * _SCALE / np.maximum(szc, _ZN)
            suv = np.empty(S.shape[:2] + (2,))
            suv[:, :, 0] = cam.u0 * _SCALE + sxc * iz
            suv[:, :, 1] = cam.v0 * _SCALE - syc * iz
            np.clip(suv, -4e5, 4e5, out=suv)
            suv = np.rint(suv).astype(np.int32)
        pi = 0
        si = 0
        fill = cv2.fillConvexPoly
        for it in items:
            if it[0] == "p":
                p = bt.get(pi)
                if p is not None:
                    fill(img, p, it[2], _AA, _SHIFT)
                pi += 1
            else:
                n = len(it[1])
                segs = [suv[j] for j in range(si, si + n) if sok[j]]
                si += n
                if segs:
                    cv2.polylines(img, segs, False, it[2], it[3], _AA, _SHIFT)

    def _floor(self, img, r0, fcol, kind, scale, rot):
        _plane_texture(img, self.cam, self.R, r0, _tex("floor")[kind], fcol, scale, rot)

    def _shadows(self, img):
        H, W = self.H, self.W
        cam = self.cam
        s = 4
        hs, ws = max(H // s, 1), max(W // s, 1)
        mask = np.zeros((hs, ws), np.uint8)
        L = self.L
        ly = max(L[1], 0.3)
        S = np.asarray(self.shadow, dtype=np.float64)  # (N,5)
        n = len(S)
        # footprint corners, displaced away from the light by ~height
        dx = -L[0] / ly * 0.35
        dz = -L[2] / ly * 0.35
        hgt = S[:, 4]
        ex = 0.08
        P = np.zeros((n, 4, 3))
        P[:, 0, 0] = S[:, 0] - ex
        P[:, 1, 0] = S[:, 1] + ex
        P[:, 2, 0] = S[:, 1] + ex
        P[:, 3, 0] = S[:, 0] - ex
        P[:, 0, 2] = S[:, 2] - ex
        P[:, 1, 2] = S[:, 2] - ex
        P[:, 2, 2] = S[:, 3] + ex
        P[:, 3, 2] = S[:, 3] + ex
        P[:, :, 0] += (dx * hgt)[:, None]
        P[:, :, 2] += (dz * hgt)[:, None]
        xc, yc, zc = cam.to_cam(P)
        ok = zc.min(1) > _ZN
        if not ok.any():
            return
        iz = cam.f / np.maximum(zc, _ZN)
        u = (cam.u0 + xc * iz) * (ws / W)
        v = (cam.v0 - yc * iz) * (hs / H)
        uv = np.rint(np.clip(np.stack([u, v], -1), -1e5, 1e5) * 16).astype(np.int32)
        for i in np.flatnonzero(ok).tolist():
            cv2.fillConvexPoly(mask, uv[i], 255, cv2.LINE_AA, 4)
        k = max(3, (min(hs, ws) // 24) | 1)
        mask = cv2.blur(mask, (k, k))
        strength = self.R.u(0.25, 0.5)
        shade = cv2.addWeighted(mask, -strength, mask, 0.0, 255.0)
        r0 = int(max(min(self.cam.v0, H - 1), 0)) // s
        sh = shade[r0:]
        if sh.size == 0:
            return
        y0 = r0 * s
        sh3 = cv2.resize(cv2.merge([sh, sh, sh]), (W, H - y0), interpolation=cv2.INTER_LINEAR)
        sub = img[y0:]
        cv2.multiply(sub, sh3, dst=sub, scale=1.0 / 255.0)

    def _objects(self, img):
        cam = self.cam
        items = []  # (key, kind, index)
        # ---- boxes (vectorised) ----
        nb = len(self.boxes)
        if nb:
            B = np.asarray(self.boxes, dtype=np.float64)
            C = np.empty((nb, 8, 3))
            C[:, :, 0] = B[:, 0:2][:, _CX]
            C[:, :, 1] = B[:, 2:4][:, _CY]
            C[:, :, 2] = B[:, 4:6][:, _CZ]
            xc, yc, zc = cam.to_cam(C)
            zmin = zc.min(1)
            zmax = zc.max(1)
            iz = cam.f * _SCALE / np.maximum(zc, _ZN)
            uv = np.empty((nb, 8, 2))
            uv[:, :, 0] = cam.u0 * _SCALE + xc * iz
            uv[:, :, 1] = cam.v0 * _SCALE - yc * iz
            np.clip(uv, -4e5, 4e5, out=uv)
            PF = np.ascontiguousarray(np.rint(uv).astype(np.int32)[:, _FACES])  # (nb,6,4,2)
            vis = np.stack(
                [cam.x < B[:, 0], cam.x > B[:, 1], cam.y < B[:, 2], cam.y > B[:, 3], cam.z < B[:, 4], cam.z > B[:, 5]],
                1,
            )
            cols = B[:, None, 6:9] * self.fac[None, :, :]
            np.minimum(cols, 255.0, out=cols)
            ctr = np.stack([(B[:, 0] + B[:, 1]) / 2, (B[:, 2] + B[:, 3]) / 2, (B[:, 4] + B[:, 5]) / 2], 1)
            key = np.sqrt(((ctr - np.array([cam.x, cam.y, cam.z])) ** 2).sum(1)) + B[:, 9]
            front = zmin >= _ZN
            PFf = PF.reshape(-1, 4, 2)
            colf = cols.reshape(-1, 3).tolist()
            keyl = key.tolist()
            # drop faces that project to (almost) nothing: edge-on or tiny far faces
            q = PF.astype(np.float64)
            area2 = np.abs(
                (q[..., 0] * np.roll(q[..., 1], -1, axis=2) - np.roll(q[..., 0], -1, axis=2) * q[..., 1]).sum(2)
            )
            bi, fi = np.nonzero(vis & front[:, None] & (area2 > 0.5 * _SCALE * _SCALE))
            items.extend([(keyl[b], 0, b * 6 + f) for b, f in zip(bi.tolist(), fi.tolist())])
            cross = np.flatnonzero((~front) & (zmax >= _ZN)).tolist()
            box_vis = vis.tolist()
            items.extend([(keyl[b], 3, b) for b in cross])
        # ---- line groups ----
        nl = len(self.lines)
        if nl:
            allp, lst = [], []
            for pts, _th, _col, _bias in self.lines:
                lst.append(len(allp))
                allp.extend(pts)
            lst.append(len(allp))
            P = np.asarray(allp, dtype=np.float64)
            xc, yc, zc = cam.to_cam(P)
            d = np.sqrt((xc * xc + yc * yc + zc * zc))
            xc, yc, zc = xc.reshape(-1, 2), yc.reshape(-1, 2), zc.reshape(-1, 2)
            a_in = zc[:, 0] >= _ZN
            b_in = zc[:, 1] >= _ZN
            seg_ok = a_in | b_in
            cross = a_in != b_in
            if cross.any():  # clip segments crossing the near plane
                t = (_ZN - zc[:, 0]) / np.where(cross, zc[:, 1] - zc[:, 0], 1.0)
                fa = cross & ~a_in
                fb = cross & ~b_in
                for arr in (xc, yc):
                    v = arr[:, 0] + t * (arr[:, 1] - arr[:, 0])
                    arr[:, 0] = np.where(fa, v, arr[:, 0])
                    arr[:, 1] = np.where(fb, v, arr[:, 1])
                zc[:, 0] = np.where(fa, _ZN, zc[:, 0])
                zc[:, 1] = np.where(fb, _ZN, zc[:, 1])
            iz = cam.f * _SCALE / np.maximum(zc, _ZN)
            luv = np.empty(zc.shape + (2,))
            luv[:, :, 0] = cam.u0 * _SCALE + xc * iz
            luv[:, :, 1] = cam.v0 * _SCALE - yc * iz
            np.clip(luv, -4e5, 4e5, out=luv)
            luv = np.rint(luv).astype(np.int32)
            sst = [k // 2 for k in lst]
            starts = sst[:-1]
            okc = seg_ok.astype(np.int32)
            n_ok = np.add.reduceat(okc, starts)
            cnt = np.diff(np.asarray(sst))
            all_ok = (n_ok == cnt).tolist()
            any_ok = (n_ok > 0).tolist()
            zm = np.maximum(np.add.reduceat(zc.sum(1), starts) / (2 * cnt), _ZN)
            th = np.array([t[1] for t in self.lines])
            lth = np.clip(np.rint(cam.f * th / zm), 1, 40).astype(int).tolist()
            mean_fac = self.fac.mean(0)
            lkey = (np.add.reduceat(d, lst[:-1]) / (2 * cnt)).tolist()
            for i in range(nl):
                if any_ok[i]:
                    items.append((lkey[i] + self.lines[i][3], 1, i))
        # ---- polygons ----
        pb = _Batch(cam, [p[0] for p in self.polys])
        for i, (pts, col, k) in enumerate(self.polys):
            items.append((k, 2, i))
        items.sort(reverse=True)
        fill = cv2.fillConvexPoly
        for _, kind, i in items:
            if kind == 0:
                fill(img, PFf[i], colf[i], _AA, _SHIFT)
            elif kind == 1:
                col = self.lines[i][2]
                a, b = sst[i], sst[i + 1]
                segs = list(luv[a:b]) if all_ok[i] else list(luv[a:b][seg_ok[a:b]])
                cv2.polylines(img, segs, False, _mul3(col, mean_fac), lth[i], _AA, _SHIFT)
            elif kind == 2:
                p = pb.get(i)
                if p is not None:
                    fill(img, p, self.polys[i][1], _AA, _SHIFT)
            else:  # box crossing the near plane: clip faces individually
                vv = box_vis[i]
                for f in range(6):
                    if vv[f]:
                        p = self._proj_poly(C[i, _FACES[f]])
                        if p is not None:
                            fill(img, p, colf[i * 6 + f], _AA, _SHIFT)


# --------------------------------------------------------------------------
# post-processing shared by all categories
# --------------------------------------------------------------------------
def _post(img, R: _R, light_xy=(0.0, 0.0)):
    H, W = img.shape[:2]
    X, Y, r2 = _grid(H, W)
    hs, ws = X.shape
    # camera "auto exposure / white balance" towards a category-independent target
    small = cv2.resize(img, (max(W // 4, 1), max(H // 4, 1)), interpolation=cv2.INTER_NEAREST)
    cur = np.asarray(cv2.mean(small)[:3], dtype=np.float64) + 1.0
    lum = R.u(70.0, 170.0)
    ang = R.u(0.0, 2 * math.pi)
    chroma = R.u(0.0, 22.0)
    # chroma direction in the plane orthogonal to grey
    e1 = np.array([1.0, -0.5, -0.5]) / math.sqrt(1.5)
    e2 = np.array([0.0, 1.0, -1.0]) / math.sqrt(2.0)
    target = lum + chroma * (math.cos(ang) * e1 + math.sin(ang) * e2)
    gain = np.clip((target / cur) ** _WB_STRENGTH, 0.45, 2.2)
    # light gradient + vignette + wall blotches at 1/4 resolution
    gx, gy = light_xy
    vig = R.u(0.05, 0.35)
    M = 1.0 + (0.5 * R.u(0.0, 0.35)) * (gx * X + gy * Y) - vig * r2 * 0.5
    bl = _crop(_tex("blotch"), R, hs, ws)
    M = M * (1.0 + R.u(0.01, 0.06) * bl)
    # compensate the mean of the multiplier so exposure matching stays accurate
    M *= 1.0 / max(float(M.mean()), 1e-3)
    M3 = (M[:, :, None] * (gain * 100.0).astype(np.float32)[None, None, :]).clip(0, 255).astype(np.uint8)
    M3 = cv2.resize(M3, (W, H), interpolation=cv2.INTER_LINEAR)
    img = cv2.multiply(img, M3, scale=1.0 / 100.0)
    if R.p(0.3):
        img = cv2.GaussianBlur(img, (3, 3), R.u(0.4, 0.9))
    a = R.u(0.03, 0.12)
    noise = _crop(_tex("grain"), R, H, W)
    img = cv2.addWeighted(img, 1.0, noise, a, -128.0 * a)
    return img


# --------------------------------------------------------------------------
# indoor scenes
# --------------------------------------------------------------------------
_ROOM_DIMS = {
    # (width range, depth range, height range)
    "classroom": ((7.0, 10.0), (8.0, 12.0), (2.8, 3.4)),
    "conference_room": ((4.5, 7.5), (6.0, 10.0), (2.6, 3.2)),
    "bedroom": ((3.8, 5.5), (4.0, 6.0), (2.5, 3.0)),
    "dining_room": ((4.0, 6.5), (4.5, 7.5), (2.6, 3.3)),
    "kitchen": ((3.6, 5.5), (3.8, 6.0), (2.5, 3.0)),
    "living_room": ((4.5, 7.0), (5.0, 8.0), (2.5, 3.2)),
    "restaurant": ((7.0, 12.0), (8.0, 13.0), (2.8, 3.8)),
}


def _make_room(cat, R: _R, H, W):
    (w0, w1), (d0, d1), (h0, h1) = _ROOM_DIMS[cat]
    RW, RD, RH = R.u(w0, w1), R.u(d0, d1), R.u(h0, h1)
    cam_h = R.u(1.1, 1.9) if cat not in ("classroom", "restaurant") else R.u(1.3, 2.2)
    cx = R.u(-0.25, 0.25) * RW / 2
    yaw = 0.0 if R.p(0.35) else R.c((-1, 1)) * math.radians(R.u(6.0, 28.0))
    f = math.sqrt(H * W) * R.u(0.5, 0.8)
    v0 = H * R.u(0.36, 0.56)
    u0 = W * 0.5
    cam = _Cam(cx, cam_h, 0.0, yaw, f, u0, v0)
    # global light: direction toward the light, colour temperature
    side = R.c((-1, 1))
    light_dir = (side * R.u(0.2, 1.0), R.u(0.5, 1.5), R.u(-0.6, 0.6))
    temp = R.u(-1.0, 1.0)  # -1 cool ... +1 warm
    light_col = (1.0 + 0.12 * temp, 1.0, 1.0 - 0.14 * temp)
    amb_col = (1.0 - 0.05 * temp, 1.0, 1.0 + 0.05 * temp)
    amb = R.u(0.45, 0.72)
    room = _Room(R, H, W, RW, RD, RH, cam, light_dir, amb, light_col, amb_col)
    room.light_side = "left" if side < 0 else "right"
    return room


# ---- furniture helpers ----------------------------------------------------
def _chair(rm: _Room, cx, cz, facing, col, R: _R, seat=0.45, size=0.44, back_h=None, legs=True, leg_col=None):
    """facing: 0 +z, 1 -z, 2 +x, 3 -x (direction the sitter looks)."""
    s = size / 2
    th = 0.05
    rm.boxc(cx, cz, size, size, seat - th, seat, col, shadow=True)
    bh = seat + (back_h if back_h is not None else R.u(0.35, 0.5))
    if facing == 0:
        rm.box(cx - s, cx + s, seat, bh, cz - s, cz - s + th, col)
    elif facing == 1:
        rm.box(cx - s, cx + s, seat, bh, cz + s - th, cz + s, col)
    elif facing == 2:
        rm.box(cx - s, cx - s + th, seat, bh, cz - s, cz + s, col)
    else:
        rm.box(cx + s - th, cx + s, seat, bh, cz - s, cz + s, col)
    if legs:
        lc = leg_col or _mul(col, 0.7)
        i = s - 0.03
        y = seat - th
        rm.lines3([((cx + ax, y, cz + az), (cx + ax, 0.0, cz + az)) for ax, az in ((-i, -i), (i, -i), (i, i), (-i, i))], 0.025, lc, bias=0.01)


def _table(rm: _Room, cx, cz, w, d, h, col, legs=True, thick=0.05, leg_col=None, shadow=True):
    rm.boxc(cx, cz, w, d, h - thick, h, col, shadow=shadow)
    if legs:
        lc = leg_col or _mul(col, 0.75)
        ix, iz = w / 2 - 0.05, d / 2 - 0.05
        rm.lines3([((cx + ax, h - thick, cz + az), (cx + ax, 0.0, cz + az)) for ax, az in ((-ix, -iz), (ix, -iz), (ix, iz), (-ix, iz))], 0.04, lc, bias=0.01)


def _round_table(rm: _Room, cx, cz, r, h, col, R: _R):
    rm.disc(cx, h - 0.04, cz, r, _mul(col, 0.7), bias=0.02)
    rm.disc(cx, h, cz, r, col)
    rm.line3((cx, h - 0.04, cz), (cx, 0.0, cz), 0.06, _mul(col, 0.6), bias=0.03)
    rm.shadow.append((cx - r * 0.8, cx + r * 0.8, cz - r * 0.8, cz + r * 0.8, h))


def _window(rm: _Room, wall, u0, u1, v0, v1, R: _R, sky, outside, frame, curtains=None, mull=True):
    rm.wq(wall, u0 - 0.06, u1 + 0.06, v0 - 0.06, v1 + 0.06, frame)
    vh = v0 + (v1 - v0) * R.u(0.1, 0.45)
    rm.wq(wall, u0, u1, vh, v1, sky, emissive=True, off=0.002)
    rm.wq(wall, u0, u1, v0, vh, outside, emissive=True, off=0.002)
    if mull:
        segs = []
        n = max(1, int(round((u1 - u0) / R.u(0.5, 0.9))))
        for j in range(1, n):
            u = u0 + (u1 - u0) * j / n
            segs.append((u, v0, u, v1))
        if R.p(0.6):
            v = v0 + (v1 - v0) * R.u(0.55, 0.75)
            segs.append((u0, v, u1, v))
        fc = rm.shade(frame, rm._WALL_FACE[wall])
        rm.wlines(wall, segs, fc, px=max(1, int(rm.H / 180)), emissive=True, off=0.004)
    if curtains is not None:
        cw = (u1 - u0) * R.u(0.15, 0.3)
        rm.wq(wall, u0 - 0.15, u0 - 0.15 + cw, v0 - 0.3, v1 + 0.15, curtains, off=0.01)
        rm.wq(wall, u1 + 0.15 - cw, u1 + 0.15, v0 - 0.3, v1 + 0.15, curtains, off=0.01)


def _door(rm: _Room, wall, u0, width, R: _R, col, frame):
    h = R.u(2.0, 2.2)
    rm.wq(wall, u0 - 0.06, u0 + width + 0.06, 0.0, h + 0.06, frame)
    rm.wq(wall, u0, u0 + width, 0.0, h, col, off=0.003)
    if R.p(0.5):
        rm.wq(wall, u0 + width * 0.15, u0 + width * 0.85, h * 0.55, h * 0.9, _mul(col, 0.85), off=0.005)
    hu = u0 + width * (0.85 if R.p(0.5) else 0.15)
    rm.wcircle(wall, hu, 1.0, 0.035, (200, 190, 150), off=0.006, n=8)


def _picture(rm: _Room, wall, u, v, w, h, R: _R):
    frame = _furn_color(R)
    rm.wq(wall, u - w / 2, u + w / 2, v - h / 2, v + h / 2, frame, off=0.01)
    b = min(w, h) * R.u(0.05, 0.15)
    rm.wq(wall, u - w / 2 + b, u + w / 2 - b, v - h / 2 + b, v + h / 2 - b, _any_color(R), off=0.015)
    for _ in range(R.i(1, 3)):
        a0 = R.u(-0.4, 0.2) * (w - 2 * b)
        a1 = a0 + R.u(0.1, 0.5) * (w - 2 * b)
        c0 = R.u(-0.4, 0.2) * (h - 2 * b)
        c1 = c0 + R.u(0.1, 0.5) * (h - 2 * b)
        rm.wq(wall, u + a0, u + a1, v + c0, v + c1, _any_color(R), off=0.02)


def _ceiling_lights(rm: _Room, R: _R, nx, nz, z0, z1, size=(0.6, 1.2)):
    col = _hsv(R.u(0.1, 0.6), R.u(0.0, 0.1), 1.0)
    w, d = size
    for i in range(nx):
        x = -rm.RW / 2 + rm.RW * (i + 0.5) / nx
        for j in range(nz):
            z = z0 + (z1 - z0) * (j + 0.5) / nz
            rm.wq("ceil", x - w / 2, x + w / 2, z - d / 2, z + d / 2, col, emissive=True, off=0.01)


def _shelf(rm: _Room, wall, u0, u1, v, R: _R, books=True, depth=0.25):
    """A wall shelf (board) with books standing on it."""
    col = _furn_color(R)
    if wall == "back":
        z1 = rm.RD
        rm.box(u0, u1, v - 0.03, v, z1 - depth, z1, col)
    elif wall == "left":
        x0 = -rm.RW / 2
        rm.box(x0, x0 + depth, v - 0.03, v, u0, u1, col)
    else:
        x1 = rm.RW / 2
        rm.box(x1 - depth, x1, v - 0.03, v, u0, u1, col)
    if books:
        u = u0 + 0.03
        while u < u1 - 0.05:
            bw = R.u(0.03, 0.08)
            bh = R.u(0.15, 0.3)
            bc = _any_color(R, 0.2, 0.8, 0.2, 0.85)
            if wall == "back":
                rm.box(u, u + bw, v, v + bh, rm.RD - depth + 0.02, rm.RD - 0.02, bc, bias=-0.01)
            elif wall == "left":
                rm.box(x0 + 0.02, x0 + depth - 0.02, v, v + bh, u, u + bw, bc, bias=-0.01)
            else:
                rm.box(x1 - depth + 0.02, x1 - 0.02, v, v + bh, u, u + bw, bc, bias=-0.01)
            u += bw + (R.u(0.1, 0.4) if R.p(0.08) else 0.002)


def _bookcase(rm: _Room, wall, u0, u1, R: _R, height=None, depth=0.35):
    h = height or R.u(1.2, 2.1)
    col = _furn_color(R)
    if wall == "back":
        rm.box(u0, u1, 0, h, rm.RD - depth, rm.RD, _mul(col, 0.9), shadow=True)
    elif wall == "left":
        x0 = -rm.RW / 2
        rm.box(x0, x0 + depth, 0, h, u0, u1, _mul(col, 0.9), shadow=True)
    else:
        x1 = rm.RW / 2
        rm.box(x1 - depth, x1, 0, h, u0, u1, _mul(col, 0.9), shadow=True)
    n = max(2, int(h / 0.38))
    for j in range(1, n):
        v = h * j / n
        _shelf_books_front(rm, wall, u0, u1, v, h / n, depth, R)


def _shelf_books_front(rm, wall, u0, u1, v, gap, depth, R):
    u = u0 + 0.03
    while u < u1 - 0.06:
        bw = R.u(0.03, 0.09)
        bh = gap * R.u(0.55, 0.85)
        bc = _any_color(R, 0.2, 0.8, 0.15, 0.85)
        if wall == "back":
            rm.box(u, u + bw, v - gap + 0.02, v - gap + 0.02 + bh, rm.RD - depth + 0.01, rm.RD - depth + 0.02, bc, bias=-0.05)
        elif wall == "left":
            x = -rm.RW / 2 + depth
            rm.box(x - 0.01, x, v - gap + 0.02, v - gap + 0.02 + bh, u, u + bw, bc, bias=-0.05)
        else:
            x = rm.RW / 2 - depth
            rm.box(x, x + 0.01, v - gap + 0.02, v - gap + 0.02 + bh, u, u + bw, bc, bias=-0.05)
        u += bw + (R.u(0.1, 0.3) if R.p(0.1) else 0.004)


def _plant(rm: _Room, x, z, R: _R, h=None):
    h = h or R.u(0.6, 1.5)
    pot = _furn_color(R)
    rm.boxc(x, z, 0.3, 0.3, 0, 0.35, pot, shadow=True)
    g = _hsv(R.u(0.22, 0.4), R.u(0.4, 0.8), R.u(0.2, 0.6))
    cam = rm.cam
    # leafy blob: a few vertical polygons facing the camera
    for j in range(4):
        r = h * R.u(0.18, 0.3)
        yc = 0.35 + h * R.u(0.3, 0.75)
        xo = R.u(-0.15, 0.15)
        pts = [(x + xo + r * ca * 0.8, yc + r * sa, z) for ca, sa in _CIRC16[::2].tolist()]
        rm.poly3(pts, _mul(g, R.u(0.7, 1.2)), cam.depth(x, yc, z) - 0.05 * j)


def _lamp_shade(rm: _Room, x, y, z, R: _R, w=0.35, h=0.3, col=None):
    col = col or _hsv(R.u(0.05, 0.15), R.u(0.05, 0.5), R.u(0.8, 1.0))
    pts = [(x - w / 2, y, z), (x + w / 2, y, z), (x + w * 0.3, y + h, z), (x - w * 0.3, y + h, z)]
    rm.poly3(pts, col)


def _pendant(rm: _Room, x, z, y_low, R: _R, col=None):
    col = col or _any_color(R, 0.0, 0.7, 0.3, 1.0)
    rm.line3((x, rm.RH, z), (x, y_low + 0.25, z), 0.01, (40, 40, 40))
    pts = [(x - 0.25, y_low, z), (x + 0.25, y_low, z), (x + 0.08, y_low + 0.25, z), (x - 0.08, y_low + 0.25, z)]
    rm.poly3(pts, col)
    bulb = _hsv(R.u(0.1, 0.15), R.u(0.1, 0.4), 1.0)
    rm.poly3([(x - 0.2, y_low, z - 0.001), (x + 0.2, y_low, z - 0.001), (x + 0.15, y_low - 0.03, z - 0.001), (x - 0.15, y_low - 0.03, z - 0.001)], bulb)


def _rug(rm: _Room, x0, x1, z0, z1, R: _R):
    c = _fabric_color(R)
    rm.wq("floor", x0, x1, z0, z1, c, off=0.004)
    if R.p(0.7):
        b = min(x1 - x0, z1 - z0) * R.u(0.06, 0.14)
        rm.wq("floor", x0 + b, x1 - b, z0 + b, z1 - b, _fabric_color(R), off=0.006)
        if R.p(0.5):
            b2 = b * 2.2
            rm.wq("floor", x0 + b2, x1 - b2, z0 + b2, z1 - b2, _mix(c, _fabric_color(R), 0.5), off=0.008)


def _wall_texture(rm: _Room, wall, R: _R, kind):
    """Brick courses, panelling or wainscot drawn as lines/quads on a wall."""
    if wall == "back":
        ua, ub = -rm.RW / 2, rm.RW / 2
    else:
        ua, ub = 0.3, rm.RD
    col = rm.wall_cols[wall]
    if kind == "brick":
        lc = _mul(col, R.u(0.6, 0.8)) if R.p(0.7) else _mul(col, 1.3)
        ch = R.u(0.12, 0.2)
        bl = ch * R.u(2.0, 3.0)
        nrows = int(rm.RH / ch)
        v = np.arange(1, nrows + 1) * ch
        segs = [np.stack([np.full(nrows, ua), v, np.full(nrows, ub), v], 1)]
        rows = np.arange(0, nrows, 2 if nrows >= 18 else 1)
        nu = int((ub - ua) / bl) + 1
        uu = ua + (rows[:, None] % 2) * bl / 2 + np.arange(nu)[None, :] * bl
        vv = np.broadcast_to((rows * ch)[:, None], uu.shape)
        segs.append(np.stack([uu.ravel(), vv.ravel(), uu.ravel(), vv.ravel() + ch], 1))
        rm.wlines(wall, np.concatenate(segs, 0), lc, px=1, off=0.001)
    elif kind == "panel":
        lc = _mul(col, R.u(0.6, 0.8))
        pw = R.u(0.15, 0.5)
        u = np.arange(ua, ub, pw)
        rm.wlines(wall, np.stack([u, np.zeros_like(u), u, np.full_like(u, rm.RH)], 1), lc, px=1, off=0.001)
    elif kind == "wainscot":
        h = R.u(0.8, 1.2)
        c2 = _wall_color(R) if R.p(0.5) else _wood_color(R)
        rm.wq(wall, ua - 0.5, ub + 0.5, 0.0, h, c2, off=0.001)
        rm.wlines(wall, [(ua - 0.5, h, ub + 0.5, h)], _mul(c2, 0.6), px=max(1, rm.H // 128), off=0.002)
    elif kind == "stripes":
        c2 = _mix(col, _any_color(R), R.u(0.15, 0.4))
        pw = R.u(0.12, 0.3)
        u = ua
        while u < ub:
            rm.wq(wall, u, u + pw / 2, 0.0, rm.RH, c2, off=0.001)
            u += pw


def _baseboard(rm: _Room, R: _R):
    c = _furn_color(R) if R.p(0.5) else (235.0, 232.0, 225.0)
    h = R.u(0.06, 0.14)
    rm.wq("back", -rm.RW / 2, rm.RW / 2, 0, h, c, off=0.003)
    rm.wq("left", -4.0, rm.RD, 0, h, c, off=0.003)
    rm.wq("right", -4.0, rm.RD, 0, h, c, off=0.003)


def _window_palette(R: _R):
    _, hor, _ = _sky_colors(R)
    sky = _mix(hor, (255.0, 255.0, 255.0), R.u(0.1, 0.6))
    outside = _mix(_hsv(R.u(0.15, 0.4), R.u(0.2, 0.6), R.u(0.3, 0.7)), sky, R.u(0.2, 0.6))
    frame = (240.0, 240.0, 238.0) if R.p(0.5) else _furn_color(R)
    return sky, outside, frame


def _side_windows(rm: _Room, wall, R: _R, n, z0, z1, v0, v1, curtains=None):
    sky, outside, frame = _window_palette(R)
    span = (z1 - z0) / n
    ww = span * R.u(0.45, 0.8)
    for j in range(n):
        c = z0 + span * (j + 0.5)
        _window(rm, wall, c - ww / 2, c + ww / 2, v0, v1, R, sky, outside, frame, curtains)


# ---- categories ------------------------------------------------------------
def _classroom(rm: _Room, R: _R):
    RW, RD, RH = rm.RW, rm.RD, rm.RH
    # board on the front (back) wall
    bw = R.u(2.5, min(5.0, RW - 1.5))
    bx = R.u(-0.6, 0.6)
    by0 = R.u(0.85, 1.0)
    by1 = by0 + R.u(1.0, 1.3)
    kind = R.r()
    if kind < 0.35:
        board = _hsv(R.u(0.3, 0.45), R.u(0.3, 0.6), R.u(0.2, 0.4))
        ink = (230.0, 230.0, 225.0)
    elif kind < 0.65:
        board = _hsv(R.r(), R.u(0.0, 0.15), R.u(0.08, 0.22))
        ink = (230.0, 230.0, 225.0)
    else:
        board = _hsv(R.r(), R.u(0.0, 0.04), R.u(0.88, 0.98))
        ink = _hsv(R.c((0.0, 0.6, 0.33)), R.u(0.5, 0.9), R.u(0.3, 0.7))
    frame = (190.0, 190.0, 195.0) if R.p(0.6) else _wood_color(R)
    rm.wq("back", bx - bw / 2 - 0.05, bx + bw / 2 + 0.05, by0 - 0.05, by1 + 0.05, frame)
    rm.wq("back", bx - bw / 2, bx + bw / 2, by0, by1, board, off=0.003)
    rm.wq("back", bx - bw / 2, bx + bw / 2, by0 - 0.08, by0 - 0.05, frame, off=0.01)
    segs = []
    for _ in range(R.i(3, 9)):
        u = R.u(bx - bw / 2 + 0.1, bx + bw / 2 - 0.6)
        v = R.u(by0 + 0.1, by1 - 0.1)
        segs.append((u, v, u + R.u(0.2, 0.9), v + R.u(-0.05, 0.05)))
    rm.wlines("back", segs, ink, px=1, off=0.005)
    if R.p(0.5):  # clock
        rm.wcircle("back", bx + R.u(-1, 1), min(by1 + 0.45, RH - 0.25), 0.17, (240, 240, 240), off=0.01)
    # windows along one side, door on the other
    win_wall = rm.light_side
    door_wall = "right" if win_wall == "left" else "left"
    _side_windows(rm, win_wall, R, R.i(2, 4), 0.5, RD - 0.5, R.u(0.8, 1.0), R.u(2.2, min(2.6, RH - 0.2)))
    _door(rm, door_wall, RD - R.u(1.5, 2.5), R.u(0.9, 1.1), R, _furn_color(R), _furn_color(R))
    if R.p(0.6):
        for j in range(R.i(1, 3)):
            _picture(rm, door_wall, R.u(1.0, RD - 3.0), R.u(1.4, 1.9), R.u(0.5, 0.9), R.u(0.6, 0.9), R)
    _ceiling_lights(rm, R, R.i(2, 3), R.i(2, 4), 1.0, RD - 0.5, (0.3, 1.2))
    # teacher's desk
    tcol = _furn_color(R)
    tx = R.u(-RW / 4, RW / 4)
    rm.boxc(tx, RD - 1.6, R.u(1.2, 1.6), 0.7, 0, 0.76, tcol, shadow=True)
    # student desks in rows + chairs facing the board
    dcol = _furn_color(R)
    ccol = _furn_color(R) if R.p(0.7) else dcol
    leg = _hsv(R.r(), R.u(0.0, 0.3), R.u(0.1, 0.6))
    ncol = R.i(3, 5)
    nrow = min(R.i(3, 5), 16 // ncol)
    dw = R.u(0.6, 1.2)
    zf = RD - R.u(2.8, 3.5)
    dz = R.u(0.95, 1.3)
    gap = (RW - 1.2) / ncol
    aisle_x = R.u(-0.3, 0.3)
    for r in range(nrow):
        z = zf - r * dz
        if z < 0.9:
            break
        for c in range(ncol):
            x = -RW / 2 + 0.6 + gap * (c + 0.5) + aisle_x
            _table(rm, x, z, min(dw, gap - 0.15), 0.5, 0.72, dcol, leg_col=leg, thick=0.04)
            _chair(rm, x, z - 0.45, 0, ccol, R, size=0.4, back_h=0.38, leg_col=leg)
    if R.p(0.5):
        _bookcase(rm, door_wall, 0.5, R.u(1.5, 3.0), R, height=R.u(0.9, 1.2), depth=0.4)


def _maybe_door(rm: _Room, R: _R, prob=0.45):
    if R.p(prob):
        wall = "left" if rm.light_side == "right" else "right"
        _door(rm, wall, R.u(0.4, max(0.5, rm.RD - 2.5)), R.u(0.8, 1.0), R, _furn_color(R), _furn_color(R) if R.p(0.5) else (235.0, 235.0, 230.0))


def _render_indoor(cat, R: _R, H, W):
    rm = _make_room(cat, R, H, W)
    base = _wall_color(R)
    accent = _wall_color(R) if R.p(0.35) else base
    wc = {"back": accent, "left": base, "right": base}
    rm.wall_cols = wc
    ceil = _hsv(R.u(0.05, 0.6), R.u(0.0, 0.08), R.u(0.8, 0.97))
    fk = R.r()
    if fk < 0.4:
        kind, fcol, scale = 0, _wood_color(R), 32.0 / R.u(0.1, 0.22)
    elif fk < 0.6:
        kind, fcol, scale = 1, _any_color(R, 0.0, 0.4, 0.35, 0.9), 32.0 / R.u(0.3, 0.6)
    elif fk < 0.7:
        kind, fcol, scale = 2, _any_color(R, 0.0, 0.4, 0.35, 0.8), 32.0 / R.u(0.3, 0.5)
    elif fk < 0.88:
        kind, fcol, scale = 3, _fabric_color(R), 256.0 / 2.0
    else:
        kind, fcol, scale = 4, _hsv(R.r(), R.u(0.0, 0.1), R.u(0.4, 0.8)), 256.0 / 3.0
    pt = 0.55 if cat == "restaurant" else 0.25
    for wall in ("back", "left", "right"):
        if R.p(pt):
            _wall_texture(rm, wall, R, R.c(("brick", "panel", "wainscot", "stripes")))
    if R.p(0.6):
        _baseboard(rm, R)
    if cat in ("bedroom", "dining_room", "living_room", "kitchen", "restaurant"):
        _maybe_door(rm, R)
    _CAT_FN[cat](rm, R)
    img = np.empty((H, W, 3), np.uint8)
    rm.render(img, fcol, wc, ceil, kind, scale, R.p(0.5))
    lx = -0.7 if rm.light_side == "left" else 0.7
    return img, (lx, -0.3)


_OUTDOOR_FN: dict = {}

_CAT_FN = {
    "classroom": _classroom,
}


def _obox(rm: _Room, cx, cz, facing, a0, a1, l0, l1, y0, y1, col, shadow=False, bias=0.0):
    """Axis-aligned box in an object frame: a along the facing direction, l lateral."""
    if facing == 0:
        rm.box(cx + l0, cx + l1, y0, y1, cz + a0, cz + a1, col, shadow, bias)
    elif facing == 1:
        rm.box(cx - l1, cx - l0, y0, y1, cz - a1, cz - a0, col, shadow, bias)
    elif facing == 2:
        rm.box(cx + a0, cx + a1, y0, y1, cz - l1, cz - l0, col, shadow, bias)
    else:
        rm.box(cx - a1, cx - a0, y0, y1, cz + l0, cz + l1, col, shadow, bias)


def _office_chair(rm: _Room, cx, cz, facing, col, R: _R):
    s = 0.24
    seat = 0.48
    _obox(rm, cx, cz, facing, -s, s, -s, s, seat - 0.08, seat, col, shadow=True)
    _obox(rm, cx, cz, facing, -s - 0.02, -s + 0.06, -s + 0.02, s - 0.02, seat + 0.05, seat + R.u(0.45, 0.65), col)
    dark = (45.0, 45.0, 48.0)
    rm.lines3(
        [((cx, seat - 0.08, cz), (cx, 0.08, cz)), ((cx - 0.3, 0.04, cz), (cx + 0.3, 0.04, cz)), ((cx, 0.04, cz - 0.3), (cx, 0.04, cz + 0.3))],
        0.035,
        dark,
        bias=0.02,
    )


def _sofa(rm: _Room, cx, cz, length, facing, col, R: _R, depth=None):
    d = depth or R.u(0.8, 0.95)
    hl = length / 2
    arm = R.u(0.12, 0.22)
    seat = R.u(0.4, 0.46)
    back = R.u(0.75, 0.9)
    # base + seat
    _obox(rm, cx, cz, facing, -d / 2, d / 2, -hl, hl, 0.06, seat - 0.1, _mul(col, 0.9), shadow=True)
    n = R.i(2, 3)
    cw = (length - 2 * arm) / n
    for j in range(n):
        l0 = -hl + arm + j * cw
        _obox(rm, cx, cz, facing, -d / 2 + 0.18, d / 2, l0 + 0.01, l0 + cw - 0.01, seat - 0.1, seat, col)
    _obox(rm, cx, cz, facing, -d / 2, -d / 2 + 0.2, -hl, hl, seat - 0.1, back, _mul(col, 0.95))
    _obox(rm, cx, cz, facing, -d / 2, d / 2, -hl, -hl + arm, 0.06, seat + 0.18, col)
    _obox(rm, cx, cz, facing, -d / 2, d / 2, hl - arm, hl, 0.06, seat + 0.18, col)
    if R.p(0.7):
        pc = _fabric_color(R)
        for j in range(R.i(1, 3)):
            l = R.u(-hl + arm + 0.25, hl - arm - 0.25)
            _obox(rm, cx, cz, facing, -d / 2 + 0.2, -d / 2 + 0.32, l - 0.2, l + 0.2, seat, seat + 0.38, pc)


def _bed(rm: _Room, cx, cz, facing, width, length, R: _R):
    """Bed whose head is at a = 0 and which extends along +a (facing)."""
    frame = _furn_color(R)
    hw = width / 2
    fh = R.u(0.25, 0.4)
    _obox(rm, cx, cz, facing, 0.0, length, -hw, hw, 0.05, fh, frame, shadow=True)
    _obox(rm, cx, cz, facing, 0.0, 0.08, -hw - 0.03, hw + 0.03, 0.0, fh + R.u(0.5, 0.9), _mul(frame, 0.95))
    mat = _hsv(R.r(), R.u(0.0, 0.1), R.u(0.8, 0.97))
    mh = fh + R.u(0.15, 0.25)
    _obox(rm, cx, cz, facing, 0.1, length - 0.02, -hw + 0.03, hw - 0.03, fh, mh, mat)
    blanket = _fabric_color(R)
    _obox(rm, cx, cz, facing, length * R.u(0.3, 0.45), length + 0.02, -hw - 0.02, hw + 0.02, fh + 0.05, mh + 0.04, blanket)
    pc = mat if R.p(0.5) else _fabric_color(R)
    pw = (width - 0.2) / 2
    for l0 in (-hw + 0.08, 0.04):
        _obox(rm, cx, cz, facing, 0.14, 0.5, l0, l0 + pw - 0.04, mh, mh + 0.14, pc)


def _lamp(rm: _Room, x, y, z, R: _R, stem=0.3):
    rm.line3((x, y, z), (x, y + stem, z), 0.02, (60.0, 55.0, 50.0))
    _lamp_shade(rm, x, y + stem, z, R, w=R.u(0.25, 0.4), h=R.u(0.2, 0.3))


def _cabinet_run(rm: _Room, wall, u0, u1, R: _R, body, top, y0, y1, depth, doors=True, top_thick=0.0):
    """Run of cabinets against a wall between wall coordinates u0..u1."""
    if wall == "back":
        z1 = rm.RD
        rm.box(u0, u1, y0, y1, z1 - depth, z1, body, shadow=(y0 == 0))
        if top_thick:
            rm.box(u0 - 0.02, u1 + 0.02, y1, y1 + top_thick, z1 - depth - 0.03, z1, top)
        face = lambda u, v: (u, v, z1 - depth - 0.002)
    else:
        x = -rm.RW / 2 if wall == "left" else rm.RW / 2
        sgn = 1.0 if wall == "left" else -1.0
        xa, xb = sorted((x, x + sgn * depth))
        rm.box(xa, xb, y0, y1, u0, u1, body, shadow=(y0 == 0))
        if top_thick:
            xa2, xb2 = sorted((x, x + sgn * (depth + 0.03)))
            rm.box(xa2, xb2, y1, y1 + top_thick, u0 - 0.02, u1 + 0.02, top)
        fx = x + sgn * (depth + 0.002)
        face = lambda u, v: (fx, v, u)
    if doors:
        dw = R.u(0.4, 0.6)
        n = max(1, int(round((u1 - u0) / dw)))
        segs = []
        for j in range(1, n):
            u = u0 + (u1 - u0) * j / n
            segs.append((face(u, y0 + 0.03), face(u, y1 - 0.03)))
        segs.append((face(u0, y0 + 0.1), face(u1, y0 + 0.1)))
        rm.lines3(segs, 0.012, _mul(body, 0.6), bias=-0.05)


def _conference_room(rm: _Room, R: _R):
    RW, RD, RH = rm.RW, rm.RD, rm.RH
    # screen or whiteboard on the back wall
    sw = R.u(1.6, min(3.4, RW - 1.0))
    sh = sw * R.u(0.5, 0.6)
    sx = R.u(-0.4, 0.4)
    sy = R.u(0.9, 1.15)
    rm.wq("back", sx - sw / 2 - 0.05, sx + sw / 2 + 0.05, sy - 0.05, sy + sh + 0.05, (30.0, 30.0, 32.0))
    bg = _hsv(R.r(), R.u(0.0, 0.5), R.u(0.75, 1.0)) if R.p(0.7) else _hsv(R.u(0.55, 0.7), R.u(0.5, 0.9), R.u(0.4, 0.8))
    rm.wq("back", sx - sw / 2, sx + sw / 2, sy, sy + sh, bg, emissive=True, off=0.003)
    tb = _any_color(R, 0.3, 0.9, 0.3, 0.8)
    rm.wq("back", sx - sw / 2 + 0.1, sx + sw / 2 - 0.1, sy + sh * 0.8, sy + sh * 0.92, tb, emissive=True, off=0.005)
    nb = R.i(2, 5)
    for j in range(nb):
        u = sx - sw / 2 + 0.2 + (sw - 0.4) * j / nb
        rm.wq("back", u, u + (sw - 0.4) / nb * 0.6, sy + 0.1, sy + 0.1 + sh * R.u(0.15, 0.6), _any_color(R, 0.4, 0.9, 0.4, 0.9), emissive=True, off=0.005)
    # glass wall or windows on the light side
    ws = rm.light_side
    other = "right" if ws == "left" else "left"
    if R.p(0.5):
        sky, outside, frame = _window_palette(R)
        _window(rm, ws, 0.2, RD - 0.3, 0.1, RH - 0.15, R, sky, outside, (70.0, 70.0, 75.0) if R.p(0.5) else frame, mull=True)
    else:
        _side_windows(rm, ws, R, R.i(2, 3), 0.4, RD - 0.4, R.u(0.8, 1.0), R.u(2.0, RH - 0.2), curtains=_fabric_color(R) if R.p(0.4) else None)
    if R.p(0.6):
        _door(rm, other, R.u(0.5, 1.5), R.u(0.9, 1.0), R, _furn_color(R), _furn_color(R))
    for _ in range(R.i(0, 2)):
        _picture(rm, other, R.u(2.5, RD - 1.0), R.u(1.4, 1.8), R.u(0.6, 1.2), R.u(0.5, 0.9), R)
    if R.p(0.6):
        _ceiling_lights(rm, R, R.i(1, 2), R.i(2, 4), 1.0, RD - 0.5, (0.6, 0.6))
    # long table with chairs
    tx = R.u(-0.3, 0.3)
    tw = R.u(1.1, 1.6)
    z0 = R.u(1.3, 2.2)
    z1 = min(RD - 1.2, z0 + R.u(3.0, 6.0))
    top = _furn_color(R)
    th = 0.74
    rm.box(tx - tw / 2, tx + tw / 2, th - 0.05, th, z0, z1, top, shadow=True)
    base = _mul(top, 0.7) if R.p(0.5) else (50.0, 50.0, 55.0)
    L = z1 - z0
    tkey = rm.cam.depth(tx, th - 0.025, (z0 + z1) / 2)
    for a, b in ((0.15, 0.4), (0.6, 0.85)):
        pz = z0 + L * (a + b) / 2
        rm.box(tx - tw * 0.2, tx + tw * 0.2, 0.0, th - 0.05, z0 + L * a, z0 + L * b, base, bias=tkey + 0.05 - rm.cam.depth(tx, th / 2, pz))
    ccol = _furn_color(R) if R.p(0.6) else _fabric_color(R)
    n = max(2, int(L / R.u(0.7, 1.0)))
    for j in range(n):
        z = z0 + L * (j + 0.5) / n
        for side, facing in ((-1, 2), (1, 3)):
            if R.p(0.9):
                cxp = tx + side * (tw / 2 + R.u(0.2, 0.45))
                _office_chair(rm, cxp, z + R.u(-0.1, 0.1), facing, ccol, R)
    if R.p(0.5) and z1 < RD - 1.0:
        _office_chair(rm, tx, z1 + 0.45, 1, ccol, R)
    # laptops / papers on table
    for _ in range(R.i(0, 4)):
        x = tx + R.c((-1, 1)) * tw * 0.3
        z = R.u(z0 + 0.3, z1 - 0.3)
        rm.boxc(x, z, 0.3, 0.22, th, th + 0.02, _any_color(R, 0.0, 0.2, 0.3, 1.0), bias=-0.05)
    if R.p(0.6):
        _plant(rm, R.c((-1, 1)) * (RW / 2 - 0.35), RD - 0.4, R)
    if R.p(0.4):
        _cabinet_run(rm, other, RD - 3.0, RD - 0.6, R, _furn_color(R), _furn_color(R), 0.0, 0.75, 0.45, top_thick=0.03)


def _bedroom(rm: _Room, R: _R):
    RW, RD, RH = rm.RW, rm.RD, rm.RH
    width = R.u(1.4, 1.9)
    length = R.u(1.95, 2.15)
    ws = rm.light_side
    other = "right" if ws == "left" else "left"
    curt = _fabric_color(R) if R.p(0.7) else None
    if R.p(0.55):
        # head against the back wall, bed extends toward the camera
        cx = R.u(-RW / 2 + width / 2 + 0.6, RW / 2 - width / 2 - 0.6)
        _bed(rm, cx, RD, 1, width, length, R)
        for side in (-1, 1):
            if R.p(0.8):
                nx = cx + side * (width / 2 + 0.32)
                nc = _furn_color(R)
                rm.boxc(nx, RD - 0.25, 0.45, 0.4, 0.0, 0.55, nc, shadow=True)
                if R.p(0.8):
                    _lamp(rm, nx, 0.55, RD - 0.25, R)
        _picture(rm, "back", cx + R.u(-0.2, 0.2), R.u(1.5, 1.8), R.u(0.6, 1.4), R.u(0.4, 0.8), R)
        _rug(rm, cx - width / 2 - 0.6, cx + width / 2 + 0.6, RD - length - 0.9, RD - length * 0.4, R)
        _side_windows(rm, ws, R, R.i(1, 2), 0.8, RD - 0.5, R.u(0.8, 1.0), R.u(2.0, RH - 0.25), curt)
        if R.p(0.7):
            u0 = R.u(0.8, max(0.9, RD - 3.5))
            _cabinet_run(rm, other, u0, u0 + R.u(1.0, 2.0), R, _furn_color(R), None, 0.0, R.u(1.8, 2.2), 0.6)
    else:
        # head against a side wall, bed extends across the room
        hw = R.c(("left", "right"))
        cz = R.u(max(2.5, RD - 3.5), RD - width / 2 - 0.6)
        if hw == "left":
            _bed(rm, -RW / 2, cz, 2, width, length, R)
        else:
            _bed(rm, RW / 2, cz, 3, width, length, R)
        xw = -RW / 2 + 0.25 if hw == "left" else RW / 2 - 0.25
        for side in (-1, 1):
            if R.p(0.8):
                nz = cz + side * (width / 2 + 0.3)
                rm.boxc(xw, nz, 0.4, 0.45, 0.0, 0.55, _furn_color(R), shadow=True)
                if R.p(0.7):
                    _lamp(rm, xw, 0.55, nz, R)
        _picture(rm, hw, cz, R.u(1.5, 1.8), R.u(0.6, 1.4), R.u(0.4, 0.8), R)
        sky, outside, frame = _window_palette(R)
        wx = R.u(-RW / 4, RW / 4)
        _window(rm, "back", wx - 0.7, wx + 0.7, R.u(0.8, 1.0), R.u(2.0, RH - 0.25), R, sky, outside, frame, curt)
        ow = "right" if hw == "left" else "left"
        if R.p(0.7):
            _cabinet_run(rm, ow, RD - 2.2, RD - 0.3, R, _furn_color(R), None, 0.0, R.u(1.8, 2.2), 0.6)
        else:
            _cabinet_run(rm, ow, RD - 1.8, RD - 0.5, R, _furn_color(R), _furn_color(R), 0.0, 0.8, 0.45, top_thick=0.03)
    if R.p(0.4):
        _plant(rm, R.c((-1, 1)) * (RW / 2 - 0.3), R.u(1.0, 2.0), R)


def _dining_room(rm: _Room, R: _R):
    RW, RD, RH = rm.RW, rm.RD, rm.RH
    ws = rm.light_side
    other = "right" if ws == "left" else "left"
    tcol = _furn_color(R)
    ccol = _furn_color(R) if R.p(0.5) else tcol
    cz = R.u(2.6, max(2.7, RD - 1.8))
    cx = R.u(-0.4, 0.4)
    h = 0.75
    cloth = _fabric_color(R) if R.p(0.3) else None
    back_h = R.u(0.45, 0.6)
    if R.p(0.6):
        tw = R.u(0.9, 1.1)
        tl = R.u(1.4, 2.4)
        along_z = R.p(0.5)
        w, d = (tw, tl) if along_z else (tl, tw)
        _rug(rm, cx - w / 2 - 0.9, cx + w / 2 + 0.9, cz - d / 2 - 0.9, cz + d / 2 + 0.9, R) if R.p(0.6) else None
        _table(rm, cx, cz, w, d, h, cloth or tcol, legs=cloth is None)
        if cloth is not None:
            rm.boxc(cx, cz, w + 0.04, d + 0.04, h - 0.3, h - 0.04, cloth)
        nl = max(1, int(round((tl - 0.2) / 0.6)))
        for j in range(nl):
            t = (j + 0.5) / nl - 0.5
            if along_z:
                _chair(rm, cx - tw / 2 - 0.2, cz + t * tl, 2, ccol, R, back_h=back_h)
                _chair(rm, cx + tw / 2 + 0.2, cz + t * tl, 3, ccol, R, back_h=back_h)
            else:
                _chair(rm, cx + t * tl, cz - tw / 2 - 0.2, 0, ccol, R, back_h=back_h)
                _chair(rm, cx + t * tl, cz + tw / 2 + 0.2, 1, ccol, R, back_h=back_h)
        if R.p(0.7):
            if along_z:
                _chair(rm, cx, cz + tl / 2 + 0.25, 1, ccol, R, back_h=back_h)
            else:
                _chair(rm, cx - tl / 2 - 0.25, cz, 2, ccol, R, back_h=back_h)
                _chair(rm, cx + tl / 2 + 0.25, cz, 3, ccol, R, back_h=back_h)
        plates = [(cx + R.u(-w / 3, w / 3), cz + R.u(-d / 3, d / 3)) for _ in range(R.i(0, 5))]
    else:
        r = R.u(0.5, 0.75)
        if R.p(0.6):
            _rug(rm, cx - r - 0.9, cx + r + 0.9, cz - r - 0.9, cz + r + 0.9, R)
        _round_table(rm, cx, cz, r, h, cloth or tcol, R)
        n = R.i(3, 6)
        a0 = R.u(0, 2 * math.pi)
        for j in range(n):
            a = a0 + 2 * math.pi * j / n
            px, pz = cx + (r + 0.2) * math.cos(a), cz + (r + 0.2) * math.sin(a)
            dx, dz = cx - px, cz - pz
            facing = (0 if dz > 0 else 1) if abs(dz) > abs(dx) else (2 if dx > 0 else 3)
            _chair(rm, px, pz, facing, ccol, R, back_h=back_h)
        plates = [(cx + R.u(-r / 2, r / 2), cz + R.u(-r / 2, r / 2)) for _ in range(R.i(0, 4))]
    pc = _hsv(R.r(), R.u(0.0, 0.15), R.u(0.85, 1.0))
    for px, pz in plates:
        rm.disc(px, h + 0.005, pz, 0.12, pc, bias=-0.1)
    # chandelier / pendant
    if R.p(0.8):
        _pendant(rm, cx, cz, R.u(1.5, 1.9), R)
    # sideboard, pictures, window
    sw_wall = R.c(("back", other))
    if sw_wall == "back":
        u = R.u(-RW / 4, RW / 4)
        _cabinet_run(rm, "back", u - 0.8, u + 0.8, R, _furn_color(R), _furn_color(R), 0.0, 0.8, 0.45, top_thick=0.03)
        _picture(rm, "back", u, R.u(1.5, 1.9), R.u(0.6, 1.4), R.u(0.5, 0.9), R)
    else:
        u = R.u(2.0, RD - 1.2)
        _cabinet_run(rm, other, u - 0.8, u + 0.8, R, _furn_color(R), _furn_color(R), 0.0, 0.8, 0.45, top_thick=0.03)
        _picture(rm, other, u, R.u(1.5, 1.9), R.u(0.6, 1.2), R.u(0.5, 0.9), R)
    _side_windows(rm, ws, R, R.i(1, 3), 0.8, RD - 0.4, R.u(0.7, 1.0), R.u(2.0, RH - 0.25), _fabric_color(R) if R.p(0.6) else None)
    if R.p(0.5):
        _plant(rm, R.c((-1, 1)) * (RW / 2 - 0.35), RD - 0.4, R)


def _kitchen(rm: _Room, R: _R):
    RW, RD, RH = rm.RW, rm.RD, rm.RH
    body = _furn_color(R)
    top = _hsv(R.r(), R.u(0.0, 0.2), R.u(0.1, 0.95))
    upper = body if R.p(0.6) else _furn_color(R)
    ch = 0.88
    fr_w = R.u(0.7, 0.85)
    fr_side = R.c((-1, 1))
    fr_col = _hsv(R.r(), R.u(0.0, 0.08), R.u(0.55, 0.95))
    xl, xr = -RW / 2, RW / 2
    # back run (fridge at one end)
    if fr_side < 0:
        fx0, fx1 = xl + 0.02, xl + 0.02 + fr_w
        ru0, ru1 = fx1 + 0.02, xr
    else:
        fx0, fx1 = xr - 0.02 - fr_w, xr - 0.02
        ru0, ru1 = xl, fx0 - 0.02
    fh = R.u(1.75, 2.0)
    rm.box(fx0, fx1, 0.0, fh, RD - 0.7, RD, fr_col, shadow=True)
    hx = fx1 - 0.08 if fr_side < 0 else fx0 + 0.08
    rm.lines3(
        [((fx0, fh * 0.62, RD - 0.705), (fx1, fh * 0.62, RD - 0.705)), ((hx, fh * 0.68, RD - 0.72), (hx, fh * 0.9, RD - 0.72)), ((hx, fh * 0.3, RD - 0.72), (hx, fh * 0.55, RD - 0.72))],
        0.015,
        _mul(fr_col, 0.5),
        bias=-0.1,
    )
    _cabinet_run(rm, "back", ru0, ru1, R, body, top, 0.0, ch, 0.6, top_thick=0.04)
    # backsplash with tile lines
    bs = _any_color(R, 0.0, 0.4, 0.5, 0.95)
    rm.wq("back", ru0, ru1, ch + 0.04, 1.45, bs, off=0.002)
    if R.p(0.7):
        tw = R.u(0.1, 0.2)
        segs = [(ru0, v, ru1, v) for v in np.arange(ch + 0.04 + tw, 1.45, tw).tolist()]
        segs += [(u, ch + 0.04, u, 1.45) for u in np.arange(ru0 + tw, ru1, tw * R.u(1.0, 2.0)).tolist()]
        rm.wlines("back", segs, _mul(bs, 0.8), px=1, off=0.003)
    # stove + hood, sink + window above
    span = ru1 - ru0
    su = ru0 + span * R.u(0.2, 0.4)
    ku = ru0 + span * R.u(0.6, 0.8)
    if R.p(0.5):
        su, ku = ku, su
    zt = RD - 0.6
    ytop = ch + 0.04 + 0.002
    rm.poly3([(ku - 0.3, ytop, zt), (ku + 0.3, ytop, zt), (ku + 0.3, ytop, RD - 0.05), (ku - 0.3, ytop, RD - 0.05)], rm.shade((35.0, 35.0, 38.0), 3), key=rm.cam.depth(ku, ytop, zt + 0.3) - 0.2)
    for bx, bz in ((-0.14, 0.15), (0.14, 0.15), (-0.14, 0.42), (0.14, 0.42)):
        rm.disc(ku + bx, ytop + 0.002, zt + bz, 0.07, (70.0, 70.0, 72.0), bias=-0.25)
    rm.poly3([(ku - 0.28, 0.12, zt - 0.003), (ku + 0.28, 0.12, zt - 0.003), (ku + 0.28, 0.7, zt - 0.003), (ku - 0.28, 0.7, zt - 0.003)], rm.shade((30.0, 30.0, 32.0), 4), key=rm.cam.depth(ku, 0.4, zt) - 0.2)
    hood = fr_col if R.p(0.5) else upper
    rm.box(ku - 0.35, ku + 0.35, 1.6, 1.75, RD - 0.5, RD, hood)
    rm.box(ku - 0.12, ku + 0.12, 1.75, RH, RD - 0.3, RD, hood)
    rm.poly3([(su - 0.3, ytop, zt + 0.08), (su + 0.3, ytop, zt + 0.08), (su + 0.3, ytop, RD - 0.1), (su - 0.3, ytop, RD - 0.1)], rm.shade((150.0, 152.0, 155.0), 3), key=rm.cam.depth(su, ytop, zt + 0.3) - 0.2)
    rm.line3((su, ytop, RD - 0.08), (su, ytop + 0.3, RD - 0.08), 0.02, (170.0, 170.0, 175.0), bias=-0.3)
    sky, outside, frame = _window_palette(R)
    win = R.p(0.6)
    if win:
        _window(rm, "back", su - 0.5, su + 0.5, 1.5, min(2.3, RH - 0.2), R, sky, outside, frame)
    # upper cabinets on the back wall, skipping the window / hood
    gaps = sorted([(ku - 0.4, ku + 0.4)] + ([(su - 0.6, su + 0.6)] if win else []))
    u = ru0
    for g0, g1 in gaps + [(ru1, ru1)]:
        if g0 - u > 0.3:
            _cabinet_run(rm, "back", u, g0, R, upper, None, 1.5, min(2.25, RH - 0.1), 0.35)
        u = max(u, g1)
    # side run
    side = R.c(("left", "right"))
    if R.p(0.75):
        z1 = RD - 0.6
        z0 = max(1.0, z1 - R.u(1.5, 3.5))
        _cabinet_run(rm, side, z0, z1, R, body, top, 0.0, ch, 0.6, top_thick=0.04)
        if R.p(0.7):
            _cabinet_run(rm, side, z0, z1 - 0.3, R, upper, None, 1.5, min(2.25, RH - 0.1), 0.35)
    other = "right" if side == "left" else "left"
    if R.p(0.6):
        _side_windows(rm, other, R, 1, 1.0, RD - 1.0, 0.95, R.u(1.9, RH - 0.25))
    # island with stools
    if R.p(0.5) and RD > 4.2:
        iw, idp = R.u(1.2, 2.0), R.u(0.7, 1.0)
        iz = RD - R.u(2.3, 2.8)
        ix = R.u(-0.4, 0.4)
        rm.boxc(ix, iz, iw, idp, 0.0, ch, body, shadow=True)
        rm.boxc(ix, iz, iw + 0.1, idp + 0.1, ch, ch + 0.04, top)
        sc = _furn_color(R)
        for j in range(R.i(2, 3)):
            sx = ix - iw / 2 + iw * (j + 0.5) / 3
            sz = iz - idp / 2 - 0.35
            rm.disc(sx, 0.7, sz, 0.18, sc)
            rm.line3((sx, 0.7, sz), (sx, 0.0, sz), 0.03, (60.0, 60.0, 60.0), bias=0.05)
        if R.p(0.7):
            for j in range(2):
                _pendant(rm, ix + (j - 0.5) * iw * 0.5, iz, R.u(1.6, 1.9), R)
    elif R.p(0.5):
        _table(rm, R.u(-0.5, 0.5), RD - R.u(2.5, 3.0), 1.0, 0.8, 0.75, _furn_color(R))


def _living_room(rm: _Room, R: _R):
    RW, RD, RH = rm.RW, rm.RD, rm.RH
    ws = rm.light_side
    other = "right" if ws == "left" else "left"
    scol = _fabric_color(R)
    tv_col = (18.0, 18.0, 22.0)
    screen = _hsv(R.u(0.5, 0.7), R.u(0.2, 0.6), R.u(0.1, 0.35)) if R.p(0.6) else _any_color(R, 0.2, 0.8, 0.4, 0.9)
    if R.p(0.5):
        # TV on the back wall, sofa along a side wall facing across
        tx = R.u(-RW / 5, RW / 5)
        cw = R.u(1.4, 2.2)
        _cabinet_run(rm, "back", tx - cw / 2, tx + cw / 2, R, _furn_color(R), _furn_color(R), 0.0, R.u(0.4, 0.55), 0.42, top_thick=0.02)
        tw = R.u(1.0, 1.5)
        ty = R.u(0.75, 1.0)
        rm.wq("back", tx - tw / 2, tx + tw / 2, ty, ty + tw * 0.56, tv_col, off=0.02)
        rm.wq("back", tx - tw / 2 + 0.03, tx + tw / 2 - 0.03, ty + 0.03, ty + tw * 0.56 - 0.03, screen, emissive=True, off=0.025)
        sw = R.c(("left", "right"))
        sz = R.u(2.0, max(2.1, RD - 2.2))
        sl = R.u(1.8, 2.6)
        if sw == "left":
            _sofa(rm, -RW / 2 + 0.5, sz, sl, 2, scol, R)
        else:
            _sofa(rm, RW / 2 - 0.5, sz, sl, 3, scol, R)
        _picture(rm, sw, sz, R.u(1.5, 1.8), R.u(0.8, 1.6), R.u(0.5, 0.8), R)
        ctx, ctz = R.u(-0.4, 0.4), sz
        _rug(rm, ctx - R.u(1.0, 1.5), ctx + R.u(1.0, 1.5), ctz - R.u(1.0, 1.4), ctz + R.u(1.0, 1.4), R)
        _table(rm, ctx, ctz, R.u(0.6, 0.9), R.u(0.9, 1.3), R.u(0.38, 0.45), _furn_color(R), legs=R.p(0.5))
        if R.p(0.6):
            ow = "right" if sw == "left" else "left"
            ax = -RW / 2 + 0.5 if ow == "left" else RW / 2 - 0.5
            _sofa(rm, ax, sz + R.u(-0.5, 0.5), R.u(0.8, 1.0), 2 if ow == "left" else 3, _fabric_color(R) if R.p(0.5) else scol, R)
    else:
        # sofa against the back wall facing the camera
        sx = R.u(-RW / 5, RW / 5)
        sl = R.u(1.8, 2.8)
        _sofa(rm, sx, RD - 0.5, sl, 1, scol, R)
        _picture(rm, "back", sx, R.u(1.4, 1.8), R.u(0.8, 1.6), R.u(0.5, 0.8), R)
        cz = RD - R.u(1.6, 2.0)
        _rug(rm, sx - R.u(1.0, 1.6), sx + R.u(1.0, 1.6), cz - R.u(0.8, 1.2), cz + R.u(0.8, 1.2), R)
        _table(rm, sx, cz, R.u(0.9, 1.3), R.u(0.5, 0.7), R.u(0.38, 0.45), _furn_color(R), legs=R.p(0.5))
        tvw = R.c(("left", "right"))
        tz = cz + R.u(-0.4, 0.4)
        _cabinet_run(rm, tvw, tz - 0.8, tz + 0.8, R, _furn_color(R), _furn_color(R), 0.0, R.u(0.4, 0.55), 0.42, top_thick=0.02)
        tw = R.u(1.0, 1.4)
        ty = R.u(0.75, 1.0)
        rm.wq(tvw, tz - tw / 2, tz + tw / 2, ty, ty + tw * 0.56, tv_col, off=0.02)
        rm.wq(tvw, tz - tw / 2 + 0.03, tz + tw / 2 - 0.03, ty + 0.03, ty + tw * 0.56 - 0.03, screen, emissive=True, off=0.025)
        if R.p(0.6):
            _sofa(rm, sx + R.c((-1, 1)) * R.u(1.0, 1.6), cz - R.u(1.2, 1.8), R.u(0.8, 1.0), 0, _fabric_color(R) if R.p(0.5) else scol, R)
    if R.p(0.6):
        x = R.c((-1, 1)) * (RW / 2 - 0.4)
        z = RD - R.u(0.4, 1.0)
        rm.line3((x, 0.0, z), (x, 1.5, z), 0.03, (50.0, 50.0, 50.0))
        _lamp_shade(rm, x, 1.45, z, R, w=0.45, h=0.35)
    _side_windows(rm, ws, R, R.i(1, 2), 0.8, RD - 0.5, R.u(0.5, 0.9), R.u(2.0, RH - 0.2), _fabric_color(R) if R.p(0.7) else None)
    if R.p(0.5):
        _bookcase(rm, other, R.u(0.5, 1.5), R.u(2.0, 2.6), R)
    if R.p(0.5):
        _plant(rm, R.c((-1, 1)) * (RW / 2 - 0.35), RD - 0.4, R)


def _restaurant(rm: _Room, R: _R):
    RW, RD, RH = rm.RW, rm.RD, rm.RH
    ws = rm.light_side
    other = "right" if ws == "left" else "left"
    xl, xr = -RW / 2, RW / 2
    # bar along one wall with bottle shelves behind
    bar = R.p(0.6)
    bar_wall = R.c(("back", other))
    if bar:
        bc = _furn_color(R)
        btop = _furn_color(R)
        if bar_wall == "back":
            u0, u1 = R.u(xl + 0.5, xl + 2.0), R.u(xr - 2.0, xr - 0.5)
            rm.box(u0, u1, 0.0, 1.05, RD - 1.6, RD - 1.0, bc, shadow=True)
            rm.box(u0 - 0.05, u1 + 0.05, 1.05, 1.1, RD - 1.65, RD - 0.95, btop)
            xlim = (xl, xr)
            zlim = (1.0, RD - 2.4)
        else:
            u0, u1 = R.u(2.0, 4.0), RD - 0.3
            x = xl + 1.0 if bar_wall == "left" else xr - 1.6
            rm.box(x, x + 0.6, 0.0, 1.05, u0, u1, bc, shadow=True)
            rm.box(x - 0.05, x + 0.65, 1.05, 1.1, u0 - 0.05, u1 + 0.05, btop)
            xlim = (xl + 2.0, xr) if bar_wall == "left" else (xl, xr - 2.0)
            zlim = (1.0, RD - 0.8)
        for v in (1.3, 1.75):
            _shelf(rm, bar_wall, u0 + 0.1, u1 - 0.1, v, R, books=False, depth=0.22)
            u = u0 + 0.15
            segs = []
            while u < u1 - 0.15:
                segs.append(u)
                u += R.u(0.25, 0.45)
            bcols = [_any_color(R, 0.3, 0.9, 0.15, 0.7) for _ in range(4)]
            for j, u in enumerate(segs):
                rm.wq(bar_wall, u, u + 0.06, v, v + R.u(0.2, 0.3), bcols[j % 4], off=0.1)
    else:
        xlim = (xl, xr)
        zlim = (1.0, RD - 0.8)
        for _ in range(R.i(1, 3)):
            _picture(rm, "back", R.u(xl + 1, xr - 1), R.u(1.5, 2.0), R.u(0.6, 1.2), R.u(0.5, 0.9), R)
    # tables
    tcol = _furn_color(R)
    cloth = _hsv(R.r(), R.u(0.0, 0.6), R.u(0.6, 1.0)) if R.p(0.35) else None
    ccol = _furn_color(R)
    round_t = R.p(0.5)
    nx, nz = R.c(((2, 2), (2, 3), (3, 2), (3, 3), (3, 3), (4, 2), (2, 4), (3, 3)))
    sx = (xlim[1] - xlim[0] - 1.2) / nx
    sz = (zlim[1] - zlim[0]) / nz
    lamps = R.p(0.5)
    lcol = _any_color(R, 0.0, 0.7, 0.3, 1.0)
    for i in range(nx):
        for j in range(nz):
            cx = xlim[0] + 0.6 + sx * (i + 0.5) + R.u(-0.15, 0.15) * sx
            cz = zlim[0] + sz * (j + 0.5) + R.u(-0.1, 0.1) * sz
            if cz < 1.2:
                continue
            tsz = R.u(0.6, 0.85)
            top = cloth or tcol
            if round_t:
                _round_table(rm, cx, cz, tsz / 2, 0.75, top, R)
            else:
                _table(rm, cx, cz, tsz, tsz, 0.75, top, legs=cloth is None)
                if cloth is not None:
                    rm.boxc(cx, cz, tsz + 0.06, tsz + 0.06, 0.55, 0.71, cloth)
            nch = R.c((2, 2, 3, 4)) if nx * nz < 8 else R.c((2, 2, 3))
            for k, (dx, dz, fc) in enumerate(((0, -1, 0), (0, 1, 1), (-1, 0, 2), (1, 0, 3))):
                if k < nch:
                    _chair(rm, cx + dx * (tsz / 2 + 0.22), cz + dz * (tsz / 2 + 0.22), fc, ccol, R, size=0.4, back_h=0.4)
            if lamps:
                _pendant(rm, cx, cz, RH - R.u(0.8, 1.3), R, col=lcol)
    _side_windows(rm, ws, R, R.i(2, 4), 0.6, RD - 0.5, R.u(0.5, 0.9), R.u(2.1, RH - 0.2), _fabric_color(R) if R.p(0.3) else None)
    if not lamps and R.p(0.7):
        _ceiling_lights(rm, R, R.i(2, 3), R.i(2, 4), 1.0, RD - 0.5, (0.25, 0.25))
    if R.p(0.5):
        _plant(rm, R.c((-1, 1)) * (RW / 2 - 0.35), R.u(1.5, RD - 1), R)


_CAT_FN.update(
    {
        "conference_room": _conference_room,
        "bedroom": _bedroom,
        "dining_room": _dining_room,
        "kitchen": _kitchen,
        "living_room": _living_room,
        "restaurant": _restaurant,
    }
)


# --------------------------------------------------------------------------
# outdoor scenes
# --------------------------------------------------------------------------
def _stone_color(R: _R):
    k = R.r()
    if k < 0.45:  # sandstone / limestone / granite
        return _hsv(R.u(0.05, 0.14), R.u(0.05, 0.4), R.u(0.45, 0.92))
    if k < 0.65:  # brick
        return _hsv(R.u(0.0, 0.06), R.u(0.4, 0.75), R.u(0.35, 0.75))
    if k < 0.85:  # plaster / painted
        return _wall_color(R)
    return _hsv(R.r(), R.u(0.0, 0.1), R.u(0.3, 0.8))


def _roof_color(R: _R):
    k = R.r()
    if k < 0.35:
        return _hsv(R.u(0.55, 0.7), R.u(0.05, 0.3), R.u(0.2, 0.45))  # slate
    if k < 0.55:
        return _hsv(R.u(0.38, 0.5), R.u(0.25, 0.5), R.u(0.4, 0.7))  # copper
    if k < 0.8:
        return _hsv(R.u(0.0, 0.06), R.u(0.5, 0.8), R.u(0.35, 0.7))  # tile
    return _any_color(R, 0.0, 0.6, 0.15, 0.7)


def _sky(img, R: _R, hz, top, hor, cloud, cover):
    """Vertical gradient + procedural clouds (+ optional sun glow) in rows 0..hz."""
    H, W = img.shape[:2]
    hz = int(min(max(hz, 1), H))
    hs, ws = max(hz // 2, 2), max(W // 2, 2)
    t = (np.arange(hs, dtype=np.float32) / (hs - 1)) ** R.u(0.5, 1.5)
    top_a = np.asarray(top, np.float32)
    hor_a = np.asarray(hor, np.float32)
    sky = np.repeat((top_a[None, :] + (hor_a - top_a)[None, :] * t[:, None])[:, None, :], ws, axis=1)
    if R.p(0.35):  # sun glow
        X, Y = np.meshgrid(np.arange(ws, dtype=np.float32), np.arange(hs, dtype=np.float32))
        sx, sy = R.u(0, ws), R.u(0.2, 1.1) * hs
        rad = R.u(0.15, 0.5) * ws
        g = np.exp(-((X - sx) ** 2 + (Y - sy) ** 2) / (rad * rad)) * R.u(0.3, 0.8)
        sun = np.asarray(_hsv(R.u(0.08, 0.16), R.u(0.1, 0.6), 1.0), np.float32)
        sky += g[..., None] * (sun - sky)
    if cover > 0:
        n = _crop(_tex("clouds"), R, hs, max(ws // 2, 1))
        n = cv2.resize(n, (ws, hs), interpolation=cv2.INTER_LINEAR)
        thr = R.u(-0.2, 1.3)
        a = np.clip((n - thr) * R.u(0.6, 1.6), 0.0, 1.0) * cover
        dark = 1.0 - 0.3 * np.clip(n - thr - 0.6, 0.0, 1.0)
        ccol = np.asarray(cloud, np.float32)
        sky += a[..., None] * (ccol[None, None, :] * dark[..., None] - sky)
    np.clip(sky, 0, 255, out=sky)
    img[:hz] = cv2.resize(sky.astype(np.uint8), (W, hz), interpolation=cv2.INTER_LINEAR)


def _silhouette(img, R: _R, base, amp, col, kind):
    """Far hills / tree line / city skyline standing on row ``base``."""
    W = img.shape[1]
    if amp < 1:
        return
    if kind == "city":
        pts = [(0.0, base + 2.0)]
        x = -R.u(0, 0.05) * W
        while x < W:
            w = R.u(0.025, 0.1) * W
            h = base - amp * (R.u(0.15, 1.0) if R.p(0.85) else R.u(1.0, 1.8))
            pts += [(max(x, 0.0), h), (min(x + w, W), h)]
            x += w
        pts += [(float(W), base + 2.0)]
    else:
        n = 40
        xs = np.linspace(0, W, n)
        k = R.i(3, 7)
        ctrl = [R.r() for _ in range(k + 1)]
        h = np.interp(xs, np.linspace(0, W, k + 1), ctrl)
        if kind == "trees":
            h = 0.5 + 0.3 * h + 0.25 * np.abs(np.sin(xs * R.u(0.1, 0.3) + R.u(0, 6)))
        ys = base - amp * h
        pts = [(0.0, base + 2.0)] + list(zip(xs.tolist(), ys.tolist())) + [(float(W), base + 2.0)]
    p = np.rint(np.asarray(pts) * _SCALE).astype(np.int32)
    cv2.fillPoly(img, [p], col, _AA, _SHIFT)


def _water(img, R: _R, r0, near_col, far_col):
    H, W = img.shape[:2]
    r0 = int(min(max(r0, 0), H - 1))
    hh = H - r0
    hs, ws = max(hh // 2, 2), max(W // 2, 2)
    t = (np.arange(hs, dtype=np.float32) / (hs - 1)) ** 0.6
    fa, na = np.asarray(far_col, np.float32), np.asarray(near_col, np.float32)
    grad = fa[None, :] + (na - fa)[None, :] * t[:, None]
    img[r0:] = cv2.resize(np.repeat(grad[:, None, :].clip(0, 255).astype(np.uint8), ws, axis=1), (W, hh), interpolation=cv2.INTER_LINEAR)
    return r0


def _ripples(img, R: _R, r0, amp):
    H, W = img.shape[:2]
    hh = H - r0
    if hh <= 1:
        return
    hs, ws = max(hh // 2, 2), max(W // 2, 2)
    st = _crop(_tex("streak"), R, hs, ws)
    t = (np.arange(hs, dtype=np.float32) / (hs - 1))[:, None]
    m = (128.0 * (1.0 + amp * st * (0.3 + 0.7 * t))).clip(0, 255).astype(np.uint8)
    m3 = cv2.resize(cv2.merge([m, m, m]), (W, hh), interpolation=cv2.INTER_LINEAR)
    sub = img[r0:]
    cv2.multiply(sub, m3, dst=sub, scale=1.0 / 128.0)


def _outdoor_setup(R: _R, H, W, hz_frac, cam_h, yaw_max=35.0, f_range=(0.6, 1.0)):
    top, hor, cloud = _sky_colors(R)
    f = math.sqrt(H * W) * R.u(*f_range)
    v0 = H * R.u(*hz_frac)
    yaw = 0.0 if R.p(0.25) else R.c((-1, 1)) * math.radians(R.u(5.0, yaw_max))
    cam = _Cam(0.0, cam_h, 0.0, yaw, f, W * 0.5, v0)
    # sun: warm at sunset-ish skies, neutral otherwise
    warm = (hor[0] - hor[2]) / 255.0
    light_dir = (R.u(-1, 1), R.u(0.25, 1.2), R.u(-1.0, 0.3))
    light_col = (1.0 + 0.25 * warm, 1.0, 1.0 - 0.25 * warm)
    amb_col = _mul(_mix(top, (255.0, 255.0, 255.0), 0.6), 1.0 / 235.0)
    amb = R.u(0.4, 0.7)
    rm = _Room(R, H, W, 100.0, 100.0, 100.0, cam, light_dir, amb, light_col, amb_col)
    return rm, cam, (top, hor, cloud)


def _ground(img, rm: _Room, R: _R, r0, kind=None):
    """Perspective ground plane (grass, paving, gravel) from row r0 down."""
    k = R.r() if kind is None else kind
    if k < 0.45:
        col, tex, scale = _hsv(R.u(0.17, 0.33), R.u(0.3, 0.7), R.u(0.25, 0.6)), 3, 256.0 / R.u(3.0, 8.0)
    elif k < 0.75:
        col, tex, scale = _hsv(R.r(), R.u(0.0, 0.25), R.u(0.4, 0.8)), 1, 32.0 / R.u(0.5, 1.2)
    else:
        col, tex, scale = _hsv(R.u(0.05, 0.15), R.u(0.1, 0.4), R.u(0.35, 0.75)), 4, 256.0 / R.u(4.0, 10.0)
    _plane_texture(img, rm.cam, R, r0, _tex("floor")[tex], col, scale, R.p(0.5))


def _prism(rm: _Room, cx, cz, r0, r1, y0, y1, n, col, rot=0.0):
    """Tapered n-sided prism (tower shaft / lighthouse); only camera-facing sides."""
    cam = rm.cam
    slope = (r0 - r1) / max(y1 - y0, 1e-6)
    for i in range(n):
        a0 = rot + 2 * math.pi * i / n
        a1 = rot + 2 * math.pi * (i + 1) / n
        am = (a0 + a1) / 2
        nx, nz = math.cos(am), math.sin(am)
        mx, mz = cx + r0 * nx, cz + r0 * nz
        if (cam.x - mx) * nx + (cam.z - mz) * nz <= 0:
            continue
        c0, s0, c1, s1 = math.cos(a0), math.sin(a0), math.cos(a1), math.sin(a1)
        pts = [(cx + r0 * c0, y0, cz + r0 * s0), (cx + r0 * c1, y0, cz + r0 * s1), (cx + r1 * c1, y1, cz + r1 * s1), (cx + r1 * c0, y1, cz + r1 * s0)]
        nn = math.sqrt(1 + slope * slope)
        rm.poly3(pts, rm.nshade(col, (nx / nn, slope / nn, nz / nn)), rm.cam.depth(mx, (y0 + y1) / 2, mz))


def _pyramid(rm: _Room, cx, cz, r, y0, y1, n, col, rot=None, bias=0.0):
    cam = rm.cam
    rot = math.pi / n if rot is None else rot
    h = y1 - y0
    for i in range(n):
        a0 = rot + 2 * math.pi * i / n
        a1 = rot + 2 * math.pi * (i + 1) / n
        am = (a0 + a1) / 2
        rc = r * math.cos(math.pi / n)
        nx, nz = math.cos(am), math.sin(am)
        mx, mz, my = cx + rc * nx * 0.5, cz + rc * nz * 0.5, (y0 + y1) / 2
        nrm = (nx * h, rc, nz * h)
        ln = math.sqrt(nrm[0] ** 2 + nrm[1] ** 2 + nrm[2] ** 2)
        nrm = (nrm[0] / ln, nrm[1] / ln, nrm[2] / ln)
        if (cam.x - mx) * nrm[0] + (cam.y - my) * nrm[1] + (cam.z - mz) * nrm[2] <= 0:
            continue
        pts = [(cx + r * math.cos(a0), y0, cz + r * math.sin(a0)), (cx + r * math.cos(a1), y0, cz + r * math.sin(a1)), (cx, y1, cz)]
        rm.poly3(pts, rm.nshade(col, nrm), cam.depth(mx, my, mz) + bias)


def _tree(rm: _Room, x, z, h, R: _R, col=None):
    col = col or _hsv(R.u(0.18, 0.38), R.u(0.35, 0.8), R.u(0.15, 0.5))
    cam = rm.cam
    rm.line3((x, 0.0, z), (x, h * 0.5, z), h * 0.06, _hsv(R.u(0.05, 0.1), R.u(0.3, 0.6), R.u(0.15, 0.35)), bias=0.5)
    conifer = R.p(0.3)
    for j in range(3):
        if conifer:
            w = h * (0.35 - 0.08 * j)
            yb = h * (0.25 + 0.22 * j)
            pts = [(x - w, yb, z), (x + w, yb, z), (x, yb + h * 0.45, z)]
        else:
            r = h * R.u(0.22, 0.32)
            yc = h * R.u(0.55, 0.75)
            xo = R.u(-0.2, 0.2) * h
            pts = [(x + xo + r * ca, yc + r * sa * 0.9, z) for ca, sa in _CIRC16L[::2]]
        rm.poly3(pts, _mul(col, R.u(0.75, 1.25)), cam.depth(x, h * 0.6, z) - 0.1 * j)


def _house(rm: _Room, x, z, w, d, h, R: _R):
    col = _stone_color(R)
    rm.box(x - w / 2, x + w / 2, 0.0, h, z - d / 2, z + d / 2, col)
    rc = _roof_color(R)
    _gable(rm, x - w / 2, x + w / 2, z - d / 2, z + d / 2, h, h + w * R.u(0.25, 0.5), rc, col)


def _gable(rm: _Room, x0, x1, z0, z1, y0, y1, rcol, wcol, e=0.3):
    """Gable roof with its ridge along z over the box x0..x1, z0..z1 at height y0."""
    cam = rm.cam
    xm = (x0 + x1) / 2
    hw = (x1 - x0) / 2
    rh = y1 - y0
    ln = math.sqrt(hw * hw + rh * rh)
    nl = (-rh / ln, hw / ln, 0.0)
    nr = (rh / ln, hw / ln, 0.0)
    k = cam.depth(xm, (y0 + y1) / 2, (z0 + z1) / 2)
    if cam.x < xm or cam.y > y1:
        rm.poly3([(x0 - e, y0, z0 - e), (xm, y1, z0 - e), (xm, y1, z1 + e), (x0 - e, y0, z1 + e)], rm.nshade(rcol, nl), k - 0.01)
    if cam.x > xm or cam.y > y1:
        rm.poly3([(x1 + e, y0, z0 - e), (xm, y1, z0 - e), (xm, y1, z1 + e), (x1 + e, y0, z1 + e)], rm.nshade(rcol, nr), k - 0.01)
    if cam.z < z0:
        rm.poly3([(x0, y0, z0), (x1, y0, z0), (xm, y1, z0)], rm.shade(wcol, 4), k - 0.005)
    elif cam.z > z1:
        rm.poly3([(x0, y0, z1), (x1, y0, z1), (xm, y1, z1)], rm.shade(wcol, 5), k - 0.005)


def _arch_pts(x0, x1, ys, rise, n, z, pointed=False):
    """Points along an arch from (x0, ys) over to (x1, ys) at depth z."""
    out = []
    for i in range(n + 1):
        a = math.pi * i / n
        if pointed:
            # two circle arcs meeting in a point
            t = i / n
            xx = x0 + (x1 - x0) * t
            u = abs(2 * t - 1)
            yy = ys + rise * math.sqrt(max(0.0, 1 - u * u)) ** 0.6
        else:
            xx = (x0 + x1) / 2 - (x1 - x0) / 2 * math.cos(a)
            yy = ys + rise * math.sin(a)
        out.append((xx, yy, z))
    return out


def _facade_arch(rm: _Room, plane, c, w, y0, ys, rise, col, key, pointed=True, n=6, off=0.05):
    """Arched opening (door / lancet window) on a vertical plane, drawn at sort key ``key``.

    plane: ("z", z0) for a facade facing -z, or ("x", x0, sgn) for a side wall facing sgn*x.
    """
    if plane[0] == "z":
        z = plane[1] - off
        pts = [(c - w / 2, y0, z), (c + w / 2, y0, z)] + _arch_pts(c + w / 2, c - w / 2, ys, rise, n, z, pointed)
    else:
        x = plane[1] + plane[2] * off
        ap = _arch_pts(c - w / 2, c + w / 2, ys, rise, n, 0.0, pointed)
        pts = [(x, y0, c - w / 2), (x, y0, c + w / 2)] + [(x, p[1], p[0]) for p in reversed(ap)]
    rm.poly3(pts, col, key)


def _circle_z(rm: _Room, x, y, z, r, col, key):
    rm.poly3([(x + r * ca, y + r * sa, z) for ca, sa in _CIRC16L], col, key)


def _rose(rm: _Room, x, y, z, r, glass, frame, key, spokes=8):
    fr = rm.shade(frame, 4)
    _circle_z(rm, x, y, z - 0.05, r * 1.12, fr, key)
    _circle_z(rm, x, y, z - 0.08, r, glass, key - 0.01)
    segs = []
    for i in range(spokes):
        a = 2 * math.pi * i / spokes
        segs.append(((x, y, z - 0.1), (x + r * math.cos(a), y + r * math.sin(a), z - 0.1)))
    rm.lines3(segs, r * 0.06, frame, bias=0.0)
    rm.lines[-1] = (rm.lines[-1][0], rm.lines[-1][1], rm.lines[-1][2], key - 0.02 - rm.cam.depth(x, y, z))
    _circle_z(rm, x, y, z - 0.12, r * 0.25, fr, key - 0.03)


def _render_bridge(R: _R, H, W):
    rm, cam, (top, hor, cloud) = _outdoor_setup(R, H, W, (0.38, 0.62), R.u(2.0, 25.0), yaw_max=40.0)
    img = np.empty((H, W, 3), np.uint8)
    hz = int(cam.v0)
    _sky(img, R, hz + 2, top, hor, cloud, R.u(0.0, 1.0))
    # far shore
    far = _mix(_hsv(R.u(0.1, 0.4), R.u(0.2, 0.6), R.u(0.15, 0.45)), hor, R.u(0.3, 0.7))
    _silhouette(img, R, hz, H * R.u(0.02, 0.12), far, R.c(("hills", "trees", "city")))
    # water
    deep = _hsv(R.u(0.45, 0.62), R.u(0.2, 0.7), R.u(0.15, 0.5))
    wfar = _mix(hor, deep, R.u(0.1, 0.4))
    r0 = _water(img, R, hz + 1, deep, wfar)
    wcol = _mix(deep, wfar, 0.5)
    # bridge geometry
    kind = R.c(("stone", "suspension", "stayed", "arch", "truss"))
    Wd = R.u(8.0, 20.0)
    look = math.tan(math.atan2(cam.sa, cam.ca))
    if kind == "stone":
        col = _stone_color(R)
        n = R.i(3, 7)
        span = R.u(15.0, 35.0)
        L = n * span
        D = max(L * R.u(0.35, 1.1), 40.0)
        bx = look * D + R.u(-0.25, 0.25) * L
        Hd = span * R.u(0.55, 0.8)
        pier = span * R.u(0.12, 0.25)
        xs = bx - L / 2
        rm.box(xs, xs + L, Hd, Hd + R.u(1.5, 3.0), D, D + Wd, col)
        soff = _mul(col, 0.55)
        for i in range(n + 1):
            px = xs + i * span
            rm.box(px - pier / 2, px + pier / 2, 0.0, Hd * 0.45, D - pier * 0.3, D + Wd + pier * 0.3, _mul(col, 0.95))
        for i in range(n):
            a0 = xs + i * span + pier / 2
            a1 = xs + (i + 1) * span - pier / 2
            ys = Hd * 0.45
            rise = min((a1 - a0) / 2, Hd - ys - 1.5)
            ap = _arch_pts(a0, a1, ys, rise, 8, D)
            for k in range(8):
                p, q = ap[k], ap[k + 1]
                rm.poly3([p, q, (q[0], Hd + 0.01, D), (p[0], Hd + 0.01, D)], rm.shade(col, 4), cam.depth((p[0] + q[0]) / 2, Hd, D) - 0.5)
                rm.poly3([p, q, (q[0], q[1], D + Wd), (p[0], p[1], D + Wd)], soff, cam.depth((p[0] + q[0]) / 2, Hd, D + Wd / 2) + 0.5)
        # abutment banks
        gcol = _hsv(R.u(0.15, 0.35), R.u(0.3, 0.6), R.u(0.2, 0.5))
        rm.box(xs - 400.0, xs, 0.0, Hd, D - 80.0, D + 300.0, gcol)
        rm.box(xs + L, xs + L + 400.0, 0.0, Hd, D - 80.0, D + 300.0, gcol)
    else:
        col = _any_color(R, 0.0, 0.8, 0.25, 0.9) if R.p(0.7) else _stone_color(R)
        deck_col = _hsv(R.r(), R.u(0.0, 0.2), R.u(0.3, 0.7))
        S = R.u(150.0, 420.0)
        Hd = R.u(15.0, 45.0)
        L = S * R.u(1.6, 2.4)
        D = S * R.u(0.45, 1.3)
        bx = look * D + R.u(-0.2, 0.2) * S
        xs = bx - L / 2
        rm.box(xs, xs + L, Hd - R.u(2.5, 5.0), Hd, D, D + Wd, deck_col)
        rm.line3((xs, Hd + 1.0, D), (xs + L, Hd + 1.0, D), 0.3, _mul(deck_col, 1.3), bias=-1.0)
        # approach piers
        npier = R.i(4, 9)
        for i in range(npier + 1):
            px = xs + L * i / npier
            if kind in ("suspension", "stayed") and abs(px - bx) < S / 2 - 10:
                continue
            rm.box(px - 2.0, px + 2.0, 0.0, Hd - 3.0, D + 1.0, D + Wd - 1.0, _mul(_stone_color(R), 0.9))
        cab = []
        th = R.u(0.5, 1.2)
        if kind == "suspension":
            Ht = S * R.u(0.12, 0.2)
            tw = R.u(4.0, 8.0)
            for tx in (bx - S / 2, bx + S / 2):
                for z in (D, D + Wd):
                    rm.box(tx - tw / 2, tx + tw / 2, 0.0, Hd + Ht, z - tw / 2, z + tw / 2, col)
                for yy in (Hd + Ht * 0.5, Hd + Ht - 3.0):
                    rm.box(tx - tw / 2 + 0.5, tx + tw / 2 - 0.5, yy - 3.0, yy, D, D + Wd, col, bias=-0.5)
            ytop = Hd + Ht
            hang = []
            for z in (D, D + Wd):
                m = 24
                pts = []
                for i in range(m + 1):
                    x = bx - S / 2 + S * i / m
                    u = (2 * i / m - 1)
                    y = Hd + 2.0 + (ytop - Hd - 2.0) * u * u
                    pts.append((x, y, z))
                    if 0 < i < m:
                        hang.append(((x, y, z), (x, Hd, z)))
                for i in range(m):
                    cab.append((pts[i], pts[i + 1]))
                for sgn in (-1, 1):
                    ax = bx + sgn * L / 2
                    tx = bx + sgn * S / 2
                    cab.append(((tx, ytop, z), ((tx + ax) / 2, (ytop + Hd) / 2 - 6.0, z)))
                    cab.append((((tx + ax) / 2, (ytop + Hd) / 2 - 6.0, z), (ax, Hd, z)))
            rm.lines3(hang, th * 0.3, col, bias=0.2)
        elif kind == "stayed":
            Ht = S * R.u(0.2, 0.35)
            tw = R.u(4.0, 8.0)
            npy = R.c((1, 2))
            pxs = [bx] if npy == 1 else [bx - S / 4, bx + S / 4]
            for tx in pxs:
                rm.box(tx - tw / 2, tx + tw / 2, 0.0, Hd + Ht, D + Wd / 2 - tw / 2, D + Wd / 2 + tw / 2, col)
                nc = R.i(6, 11)
                reach = S / (2 * npy) * 0.95
                for z in (D + 0.5, D + Wd - 0.5):
                    for j in range(nc):
                        yy = Hd + Ht * (0.55 + 0.44 * j / nc)
                        d = reach * (j + 1) / nc
                        cab.append(((tx, yy, D + Wd / 2), (tx - d, Hd, z)))
                        cab.append(((tx, yy, D + Wd / 2), (tx + d, Hd, z)))
            th *= 0.4
        elif kind == "arch":
            rise = S * R.u(0.15, 0.3)
            hang = []
            for z in (D, D + Wd):
                ap = _arch_pts(bx - S / 2, bx + S / 2, Hd - 3.0, rise, 20, z)
                for i in range(20):
                    cab.append((ap[i], ap[i + 1]))
                    if i > 0:
                        hang.append((ap[i], (ap[i][0], Hd, z)))
            rm.lines3(hang, th * 0.3, col, bias=0.2)
            th *= R.u(2.0, 4.0)
        else:  # truss
            h = R.u(8.0, 16.0)
            m = int(L / h)
            for z in (D, D + Wd):
                for i in range(m):
                    x0 = xs + L * i / m
                    x1 = xs + L * (i + 1) / m
                    cab.append(((x0, Hd + h, z), (x1, Hd + h, z)))
                    cab.append(((x0, Hd, z), (x0, Hd + h, z)))
                    cab.append(((x0, Hd, z) if i % 2 else (x0, Hd + h, z), (x1, Hd + h, z) if i % 2 else (x1, Hd, z)))
            th *= 1.5
        rm.lines3(cab, th, col, bias=-0.3)
        gcol = _hsv(R.u(0.15, 0.35), R.u(0.3, 0.6), R.u(0.2, 0.5))
        rm.box(xs - 400.0, xs + L * 0.05, 0.0, Hd - 3.0, D - 100.0, D + 300.0, gcol)
        rm.box(xs + L * 0.95, xs + L + 400.0, 0.0, Hd - 3.0, D - 100.0, D + 300.0, gcol)
    # reflection: same geometry mirrored in the water plane, muted towards the water colour
    refl = _Room(R, H, W, 1.0, 1.0, 1.0, cam, (0.0, 1.0, 0.0), 1.0, (1.0, 1.0, 1.0), (1.0, 1.0, 1.0))
    mix_k = R.u(0.35, 0.7)
    refl.boxes = [
        (b[0], b[1], -b[3], -b[2], b[4], b[5], *_mix(_mul3(b[6:9], rm.F[4]), wcol, mix_k), b[9]) for b in rm.boxes
    ]
    refl.lines = [([(p[0], -p[1], p[2]) for p in pts], t, _mix(c, wcol, mix_k), bias) for pts, t, c, bias in rm.lines]
    refl.polys = [([(p[0], -p[1], p[2]) for p in pts], _mix(c, wcol, mix_k), k) for pts, c, k in rm.polys]
    refl._objects(img)
    _ripples(img, R, r0, R.u(0.04, 0.18))
    rm._flat(img, rm.flat)
    rm._objects(img)
    # optional near bank in a bottom corner
    if R.p(0.5):
        gc = _hsv(R.u(0.12, 0.35), R.u(0.3, 0.7), R.u(0.15, 0.45))
        side = R.c((0, 1))
        x_end = W * R.u(0.3, 0.7)
        y0 = H * R.u(0.8, 0.95)
        pts = [(0, H), (0, y0), (x_end, H)] if side == 0 else [(W, H), (W, y0), (W - x_end, H)]
        cv2.fillConvexPoly(img, np.rint(np.asarray(pts) * _SCALE).astype(np.int32), gc, _AA, _SHIFT)
    lx = float(np.clip(-rm.L[0], -1, 1))
    return img, (lx, -0.5)


def _render_church(R: _R, H, W):
    rm, cam, (top, hor, cloud) = _outdoor_setup(R, H, W, (0.62, 0.88), R.u(1.4, 2.0), yaw_max=30.0, f_range=(0.55, 0.85))
    img = np.empty((H, W, 3), np.uint8)
    hz = int(cam.v0)
    _sky(img, R, hz + 2, top, hor, cloud, R.u(0.0, 0.9))
    far = _mix(_hsv(R.u(0.1, 0.4), R.u(0.2, 0.6), R.u(0.15, 0.45)), hor, R.u(0.3, 0.7))
    _silhouette(img, R, hz, H * R.u(0.01, 0.06), far, R.c(("hills", "trees", "city")))
    _ground(img, rm, R, hz + 1)
    stone = _stone_color(R)
    roof = _roof_color(R)
    w = R.u(9.0, 16.0)
    Ln = R.u(20.0, 40.0)
    hn = R.u(8.0, 16.0)
    Z0 = R.u(28.0, 55.0)
    # place the church roughly where the camera looks
    cx = math.tan(math.atan2(cam.sa, cam.ca) + math.radians(R.u(-10.0, 10.0))) * Z0
    Z1 = Z0 + Ln
    rm.box(cx - w / 2, cx + w / 2, 0.0, hn, Z0, Z1, stone, shadow=True)
    nave_key = cam.depth(cx, hn / 2, (Z0 + Z1) / 2)
    ridge = hn + w / 2 * R.u(0.7, 1.3)
    _gable(rm, cx - w / 2, cx + w / 2, Z0, Z1, hn, ridge, roof, stone, e=0.6)
    dark = _mix((25.0, 22.0, 20.0), stone, 0.15)
    glass = _hsv(R.u(0.55, 0.7), R.u(0.2, 0.6), R.u(0.2, 0.45))
    side = -1 if cam.x < cx - w / 2 else (1 if cam.x > cx + w / 2 else 0)
    towers = R.c(("center", "center", "twin", "side"))
    tw = R.u(4.5, min(8.0, w * 0.7))
    ht = ridge + R.u(6.0, 25.0)
    # lancet windows and buttresses along the visible side wall
    if side:
        xw = cx + side * w / 2
        nwin = int(Ln / R.u(4.0, 6.0))
        for j in range(nwin):
            zc = Z0 + Ln * (j + 0.5) / nwin
            _facade_arch(rm, ("x", xw, side), zc, R.u(1.2, 2.0), hn * 0.3, hn * 0.72, R.u(1.0, 2.0), glass, nave_key - 0.1)
            if j > 0:
                zb = Z0 + Ln * j / nwin
                x2 = xw + side * 1.0
                rm.box(min(xw, x2), max(xw, x2), 0.0, hn * 0.8, zb - 0.5, zb + 0.5, stone, bias=nave_key - 0.2 - cam.depth((xw + x2) / 2, hn * 0.4, zb))
    tcs = []
    front_z, front_key = Z0, nave_key
    if towers == "center":
        tz0 = Z0 - tw * 0.8
        rm.box(cx - tw / 2, cx + tw / 2, 0.0, ht, tz0, tz0 + tw, _mul(stone, 0.97), shadow=True)
        tcs = [(cx, tz0 + tw / 2)]
        front_z, front_key = tz0, cam.depth(cx, ht / 2, tz0 + tw / 2)
    elif towers == "twin":
        tz0 = Z0 - tw * 0.3
        for sx in (-1, 1):
            tx = cx + sx * (w / 2 - tw / 2 + 0.5)
            rm.box(tx - tw / 2, tx + tw / 2, 0.0, ht, tz0, tz0 + tw, _mul(stone, 0.97), shadow=True)
            tcs.append((tx, tz0 + tw / 2))
        ww = w - 2 * tw + 1.0
        if ww > 2.0:
            _facade_arch(rm, ("z", Z0), cx, min(ww * 0.6, 4.0), 0.0, hn * 0.3, min(ww * 0.3, 2.0), dark, nave_key - 0.1)
            rr = min(ww * 0.35, (ridge - hn) * 0.6 + 1.0)
            _rose(rm, cx, hn * 0.62 + 1.0, Z0, rr, glass, stone, nave_key - 0.2)
    else:
        sx = R.c((-1, 1))
        tx = cx + sx * (w / 2 + tw / 2 - 0.5)
        tz0 = Z0 + R.u(-0.5, 4.0)
        rm.box(tx - tw / 2, tx + tw / 2, 0.0, ht, tz0, tz0 + tw, _mul(stone, 0.97), shadow=True)
        tcs = [(tx, tz0 + tw / 2)]
    if towers != "twin":
        fw = tw if towers == "center" else w
        _facade_arch(rm, ("z", front_z), cx, min(fw * 0.45, 3.5), 0.0, min(hn * 0.3, 4.0), min(fw * 0.22, 1.75), dark, front_key - 0.1)
        ry = hn * 0.62 if towers != "center" else min(ht * 0.45, hn * 0.7)
        _rose(rm, cx, ry, front_z, min(fw * 0.28, 3.0), glass, stone, front_key - 0.2)
    # tower tops: belfry openings, clock, spire / pyramid roof, cross
    spire = R.c(("spire", "spire", "pyramid", "flat"))
    clock = R.p(0.5)
    for tx, tzc in tcs:
        tz0 = tzc - tw / 2
        tkey = cam.depth(tx, ht / 2, tzc)
        yb = ht - R.u(3.0, 5.0)
        _facade_arch(rm, ("z", tz0), tx, tw * 0.35, yb - 3.0, yb, tw * 0.18, dark, tkey - 0.1)
        if clock:
            _rose(rm, tx, yb - tw * 0.5, tz0, tw * 0.3, (235.0, 235.0, 225.0), _mul(stone, 0.6), tkey - 0.2, spokes=12)
        if spire == "spire":
            hs = R.u(1.5, 3.5) * tw
            _pyramid(rm, tx, tzc, tw * 0.62, ht, ht + hs, 8, roof)
            tip = ht + hs
        elif spire == "pyramid":
            hs = R.u(0.5, 1.0) * tw
            _pyramid(rm, tx, tzc, tw * 0.72, ht, ht + hs, 4, roof, rot=math.pi / 4)
            tip = ht + hs
        else:
            for dx in (-1, 1):
                for dz in (-1, 1):
                    rm.boxc(tx + dx * tw * 0.4, tzc + dz * tw * 0.4, tw * 0.2, tw * 0.2, ht, ht + 1.2, stone, bias=-0.5)
            tip = None
        if tip is not None:
            cc = (200.0, 180.0, 90.0) if R.p(0.5) else (40.0, 40.0, 40.0)
            rm.lines3([((tx, tip, tzc), (tx, tip + 2.5, tzc)), ((tx - 0.8, tip + 1.7, tzc), (tx + 0.8, tip + 1.7, tzc))], 0.2, cc, bias=-1.0)
    # surroundings: trees in front, houses on the hidden side / behind
    for _ in range(R.i(0, 4)):
        sx = R.c((-1, 1))
        _tree(rm, cx + sx * (w / 2 + R.u(4.0, 20.0)), R.u(Z0 - 15.0, Z0 - 2.0), R.u(6.0, 14.0), R)
    for _ in range(R.i(0, 2)):
        sx = -side if side else R.c((-1, 1))
        _house(rm, cx + sx * (w / 2 + R.u(12.0, 30.0)), R.u(Z0 + 5.0, Z1 + 10.0), R.u(6.0, 12.0), R.u(8.0, 14.0), R.u(5.0, 9.0), R)
    rm._shadows(img)
    rm._objects(img)
    lx = float(np.clip(-rm.L[0], -1, 1))
    return img, (lx, -0.4)


def _render_tower(R: _R, H, W):
    kind = R.c(("lattice", "stone", "tv", "skyscraper", "clock", "lighthouse"))
    rm, cam, (top, hor, cloud) = _outdoor_setup(R, H, W, (0.7, 0.95), R.u(1.4, 2.0), yaw_max=25.0, f_range=(0.5, 0.85))
    img = np.empty((H, W, 3), np.uint8)
    hz = int(cam.v0)
    _sky(img, R, hz + 2, top, hor, cloud, R.u(0.0, 0.9))
    far = _mix(_hsv(R.u(0.1, 0.4), R.u(0.2, 0.6), R.u(0.15, 0.45)), hor, R.u(0.3, 0.7))
    _silhouette(img, R, hz, H * R.u(0.01, 0.08), far, R.c(("hills", "trees", "city", "city")))
    _ground(img, rm, R, hz + 1)
    Ht = {"lattice": R.u(80, 300), "stone": R.u(20, 45), "tv": R.u(150, 350), "skyscraper": R.u(120, 400), "clock": R.u(30, 90), "lighthouse": R.u(20, 50)}[kind]
    # distance such that the top lands near the top of the frame
    D = cam.f * (Ht - cam.y) / (cam.v0 * R.u(0.7, 1.05))
    ang = math.atan2(cam.sa, cam.ca) + math.radians(R.u(-12.0, 12.0))
    tx, tz = D * math.sin(ang), D * math.cos(ang)
    col = _stone_color(R) if kind in ("stone", "clock", "lighthouse") else _any_color(R, 0.0, 0.7, 0.2, 0.85)
    tkey = cam.depth(tx, Ht / 2, tz)
    if kind == "lattice":
        b = Ht * R.u(0.12, 0.25)
        legs = []
        brace = []
        lv = [0.0, 0.1, 0.22, 0.36, 0.52, 0.7, 0.86, 1.0]

        def half(t):  # half-width at height fraction t (flared base)
            return b * (0.07 + 0.93 * (1 - t) ** 2.2)

        corners = [(-1, -1), (1, -1), (1, 1), (-1, 1)]
        for dx, dz in corners:
            pts = [(tx + dx * half(t), Ht * t, tz + dz * half(t)) for t in lv]
            legs += list(zip(pts[:-1], pts[1:]))
        for i in range(len(lv) - 1):
            t0, t1 = lv[i], lv[i + 1]
            for k in range(4):
                (ax, az), (bx2, bz) = corners[k], corners[(k + 1) % 4]
                p0 = (tx + ax * half(t0), Ht * t0, tz + az * half(t0))
                q1 = (tx + bx2 * half(t1), Ht * t1, tz + bz * half(t1))
                p1 = (tx + ax * half(t1), Ht * t1, tz + az * half(t1))
                q0 = (tx + bx2 * half(t0), Ht * t0, tz + bz * half(t0))
                brace += [(p0, q1), (q0, p1), (p1, q1)]
        rm.lines3(legs, b * 0.05, col)
        rm.lines3(brace, b * 0.015, col, bias=0.1)
        for t in (0.22, 0.52):
            hw = half(t) * 1.15
            rm.box(tx - hw, tx + hw, Ht * t - b * 0.04, Ht * t, tz - hw, tz + hw, col, bias=-1.0)
        rm.line3((tx, Ht, tz), (tx, Ht * 1.08, tz), b * 0.02, col)
    elif kind == "stone":
        r = R.u(4.0, 8.0)
        n = R.c((4, 8, 12))
        rot = -math.pi / 2 - math.pi / n
        _prism(rm, tx, tz, r, r * 0.95, 0.0, Ht, n, col, rot=rot)
        if R.p(0.5):
            _pyramid(rm, tx, tz, r * 1.15, Ht, Ht + r * R.u(1.0, 2.2), n, _roof_color(R), rot=rot)
        else:
            for i in range(8):
                a = 2 * math.pi * i / 8
                rm.boxc(tx + r * 0.85 * math.cos(a), tz + r * 0.85 * math.sin(a), r * 0.3, r * 0.3, Ht, Ht + r * 0.3, col, bias=-0.5)
        dark = _mul(col, 0.25)
        zf = tz - r * math.cos(math.pi / n)
        for j in range(R.i(2, 4)):
            y = Ht * (0.25 + 0.65 * j / 4)
            _facade_arch(rm, ("z", zf), tx, r * 0.25, y, y + r * 0.5, r * 0.12, dark, tkey - 0.5, n=4, off=0.1)
    elif kind == "tv":
        r = Ht * R.u(0.025, 0.05)
        _prism(rm, tx, tz, r * 1.6, r, 0.0, Ht * 0.75, 8, col)
        py = Ht * R.u(0.55, 0.7)
        pr = r * R.u(2.5, 4.0)
        pc = _any_color(R, 0.0, 0.6, 0.3, 0.9)
        _prism(rm, tx, tz, pr, pr * 0.7, py + pr * 0.35, py + pr * 0.7, 12, pc)
        _prism(rm, tx, tz, pr * 0.7, pr, py, py + pr * 0.35, 12, _mul(pc, 0.85))
        rm.line3((tx, Ht * 0.75, tz), (tx, Ht, tz), r * 0.4, (200.0, 200.0, 205.0))
    elif kind == "skyscraper":
        w = Ht * R.u(0.15, 0.3)
        glass = _mix(hor, _any_color(R, 0.0, 0.6, 0.2, 0.7), R.u(0.3, 0.8))
        y = 0.0
        segs = []
        nseg = R.i(1, 3)
        for k in range(nseg):
            y1 = Ht if k == nseg - 1 else y + (Ht - y) * R.u(0.4, 0.75)
            rm.box(tx - w / 2, tx + w / 2, y, y1, tz - w / 2, tz + w / 2, glass, bias=-k)
            fl = w / R.u(4.0, 10.0)
            xs_ = tx - w / 2 - 0.1 if cam.x < tx - w / 2 else tx + w / 2 + 0.1
            for yy in np.arange(y + fl, y1, fl * R.u(1.0, 2.0)).tolist():
                segs.append(((tx - w / 2, yy, tz - w / 2 - 0.1), (tx + w / 2, yy, tz - w / 2 - 0.1)))
                segs.append(((xs_, yy, tz - w / 2), (xs_, yy, tz + w / 2)))
            y = y1
            w *= R.u(0.6, 0.85)
        rm.lines3(segs, w * 0.01 + 0.1, _mul(glass, 0.5), bias=-5.0)
    elif kind == "clock":
        tw = Ht * R.u(0.12, 0.2)
        rm.boxc(tx, tz, tw, tw, 0.0, Ht, col)
        _pyramid(rm, tx, tz, tw * 0.75, Ht, Ht + tw * R.u(0.8, 2.5), 4, _roof_color(R), rot=math.pi / 4)
        rm.boxc(tx, tz, tw * 1.1, tw * 1.1, Ht - tw * 0.1, Ht, _mul(col, 0.8), bias=-0.5)
        cy = Ht - tw * 0.7
        zf = tz - tw / 2
        _circle_z(rm, tx, cy, zf - 0.1, tw * 0.36, rm.shade(_mul(col, 0.5), 4), tkey - 1.0)
        _circle_z(rm, tx, cy, zf - 0.15, tw * 0.32, rm.shade((235.0, 232.0, 220.0), 4), tkey - 1.1)
        a1, a2 = R.u(0, 2 * math.pi), R.u(0, 2 * math.pi)
        rm.lines3([((tx, cy, zf - 0.2), (tx + tw * 0.25 * math.cos(a1), cy + tw * 0.25 * math.sin(a1), zf - 0.2)),
                   ((tx, cy, zf - 0.2), (tx + tw * 0.17 * math.cos(a2), cy + tw * 0.17 * math.sin(a2), zf - 0.2))], tw * 0.02, (20.0, 20.0, 20.0), bias=-1.2)
        dark = _mul(col, 0.25)
        for j in range(R.i(1, 3)):
            y = Ht * (0.2 + 0.5 * j / 3)
            _facade_arch(rm, ("z", zf), tx, tw * 0.2, y, y + tw * 0.35, tw * 0.1, dark, tkey - 0.5, n=4)
    else:  # lighthouse
        r = Ht * R.u(0.08, 0.12)
        c2 = _any_color(R, 0.5, 0.9, 0.4, 0.8)
        nb = R.i(3, 5)
        for k in range(nb):
            y0, y1 = Ht * 0.85 * k / nb, Ht * 0.85 * (k + 1) / nb
            r0 = r * (1 - 0.35 * k / nb)
            r1 = r * (1 - 0.35 * (k + 1) / nb)
            _prism(rm, tx, tz, r0, r1, y0, y1, 10, col if k % 2 == 0 else c2)
        rl = r * 0.65
        _prism(rm, tx, tz, rl * 0.9, rl * 0.9, Ht * 0.85, Ht * 0.95, 10, (240.0, 230.0, 180.0))
        _pyramid(rm, tx, tz, rl, Ht * 0.95, Ht * 1.02, 10, (40.0, 40.0, 40.0))
    # surroundings, all in front of the tower
    for _ in range(R.i(0, 5)):
        _tree(rm, tx + R.u(-1, 1) * D * 0.5, R.u(D * 0.3, D * 0.8), R.u(6.0, 14.0) * min(1.0, D / 60.0), R)
    hs = min(1.0, D / 120.0)
    for _ in range(R.i(0, 3)):
        _house(rm, tx + R.u(-1, 1) * D * 0.6, R.u(D * 0.45, D * 0.85), R.u(8.0, 20.0) * hs, R.u(8.0, 20.0) * hs, R.u(5.0, 15.0) * hs, R)
    rm._objects(img)
    lx = float(np.clip(-rm.L[0], -1, 1))
    return img, (lx, -0.4)


_OUTDOOR_FN.update({"bridge": _render_bridge, "church_outdoor": _render_church, "tower": _render_tower})


# --------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------
def render_scene(category: str, seed: int, size: tuple[int, int] = (256, 256)) -> np.ndarray:
    """Render a procedural background of an LSUN-like scene category.

    Args:
        category: one of :data:`CATEGORIES`.
        seed: non-negative integer; the same ``(category, seed, size)`` always
            gives byte-identical output.
        size: ``(height, width)`` in pixels.

    Returns:
        ``(height, width, 3)`` uint8 RGB image.
    """
    if category not in _CAT_INDEX:
        raise ValueError(f"unknown scene category {category!r}; valid categories: {', '.join(CATEGORIES)}")
    H, W = int(size[0]), int(size[1])
    if H < 8 or W < 8:
        raise ValueError(f"size must be at least (8, 8), got {tuple(size)!r}")
    idx = _CAT_INDEX[category]
    R = _R(np.random.default_rng([int(seed), idx]))
    if idx < 7:
        img, light_xy = _render_indoor(category, R, H, W)
    else:
        img, light_xy = _OUTDOOR_FN[category](R, H, W)
    return _post(img, R, light_xy)

