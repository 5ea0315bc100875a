"""The pinhole camera and projection helpers shared by rooms and outdoor scenes.

World coordinates are metres: x to the right, y up, z away from the camera. Projected points are
fixed-point (``SHIFT`` sub-pixel bits) int32, ready for cv2's anti-aliased polygon fill.
"""
from __future__ import annotations

import math

import cv2
import numpy as np

from ..rng import Draws

SHIFT = 3  # sub-pixel bits for anti-aliased polygons
SCALE = float(1 << SHIFT)
AA = cv2.LINE_AA
NEAR = 0.05  # near plane (metres)


CIRCLE16 = np.stack(
    [np.cos(np.linspace(0, 2 * np.pi, 16, endpoint=False)), np.sin(np.linspace(0, 2 * np.pi, 16, endpoint=False))], 1
)

CIRCLE16_LIST = CIRCLE16.tolist()


class Camera:
    """A pinhole camera: position, yaw about the vertical axis, focal length and principal point."""

    __slots__ = ("x", "y", "z", "ca", "sa", "f", "u0", "v0")

    def __init__(self, x, y, z, yaw, f, u0, v0):
        self.x, self.y, self.z = x, y, z
        self.ca, self.sa = math.cos(yaw), math.sin(yaw)
        self.f, self.u0, self.v0 = f, u0, v0

    def to_cam(self, P):
        """World points (..., 3) -> camera-space x, y, z arrays."""
        dx = P[..., 0] - self.x
        dz = P[..., 2] - self.z
        return self.ca * dx - self.sa * dz, P[..., 1] - self.y, self.sa * dx + self.ca * dz

    def project(self, xc, yc, zc) -> np.ndarray:
        """Camera-space points (arrays of one shape) -> fixed-point int32 image points (..., 2);
        depths closer than the near plane count as on it."""
        iz = self.f * SCALE / np.maximum(zc, NEAR)
        uv = np.empty(np.shape(zc) + (2,))
        uv[..., 0] = self.u0 * SCALE + xc * iz
        uv[..., 1] = self.v0 * SCALE - yc * iz
        np.clip(uv, -4e5, 4e5, out=uv)
        return np.rint(uv).astype(np.int32)

    def depth(self, x, y, z):
        """Distance from the camera to a world point (the painter's sort key)."""
        return math.sqrt((x - self.x) ** 2 + (y - self.y) ** 2 + (z - self.z) ** 2)


def clip_near(xc, yc, zc):
    """Clip a camera-space polygon against z >= NEAR (Sutherland-Hodgman)."""
    pts = list(zip(xc.tolist(), yc.tolist(), zc.tolist()))
    out = []
    k = len(pts)
    for i in range(k):
        a = pts[i]
        b = pts[(i + 1) % k]
        ina = a[2] >= NEAR
        inb = b[2] >= NEAR
        if ina:
            out.append(a)
        if ina != inb:
            t = (NEAR - a[2]) / (b[2] - a[2])
            out.append((a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]), NEAR))
    return out


class PolygonBatch:
    """Project many small 3-D polygons at once; fetch each as int32 points."""

    __slots__ = ("cam", "starts", "uv", "xc", "yc", "zc", "zmin", "zmax")

    def __init__(self, cam: Camera, polys):
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
        self.uv = cam.project(xc, yc, zc)
        self.xc, self.yc, self.zc = xc, yc, zc
        self.zmin = np.minimum.reduceat(zc, starts[:-1]).tolist()
        self.zmax = np.maximum.reduceat(zc, starts[:-1]).tolist()

    def get(self, i):
        """Polygon ``i`` as fixed-point int32 points, clipped at the near plane, or None."""
        a, b = self.starts[i], self.starts[i + 1]
        if self.zmin[i] >= NEAR:
            return self.uv[a:b]
        if self.zmax[i] < NEAR:
            return None
        cl = clip_near(self.xc[a:b], self.yc[a:b], self.zc[a:b])
        if len(cl) < 3:
            return None
        q = np.asarray(cl)
        return self.cam.project(q[:, 0], q[:, 1], q[:, 2])


def clip_segments_near(xc, yc, zc) -> np.ndarray:
    """Clip camera-space segments (arrays of shape (n, 2): the two ends) against z >= NEAR, in
    place; return which segments keep a visible part."""
    a_in = zc[:, 0] >= NEAR
    b_in = zc[:, 1] >= NEAR
    cross = a_in != b_in
    if cross.any():
        t = (NEAR - zc[:, 0]) / np.where(cross, zc[:, 1] - zc[:, 0], 1.0)
        fa = cross & ~a_in
        fb = cross & ~b_in
        for arr in (xc, yc):
            v = arr[:, 0] + t * (arr[:, 1] - arr[:, 0])
            arr[:, 0] = np.where(fa, v, arr[:, 0])
            arr[:, 1] = np.where(fb, v, arr[:, 1])
        zc[:, 0] = np.where(fa, NEAR, zc[:, 0])
        zc[:, 1] = np.where(fb, NEAR, zc[:, 1])
    return a_in | b_in


def plane_texture(img, cam: Camera, rng: Draws, r0, tex, fcol, scale, rot):
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
    ox, oz = rng.uniform(-3, 3), rng.uniform(-3, 3)
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
