"""Building parts for the outdoor scenes: prisms, pyramids, gable roofs, arches, rose windows."""
from __future__ import annotations

import math

from ..rng import Draws
from .colors import roof_color, stone_color
from .geometry import CIRCLE16_LIST
from .room import Room


def _polygon_sides(n: int, rot: float):
    """(start, end, middle) angles of the ``n`` sides of a regular polygon turned by ``rot``."""
    for i in range(n):
        a0 = rot + 2 * math.pi * i / n
        a1 = rot + 2 * math.pi * (i + 1) / n
        yield a0, a1, (a0 + a1) / 2


def prism(rm: Room, cx, cz, r0, r1, y0, y1, n, col, rot=0.0):
    """Tapered n-sided prism (tower shaft / lighthouse); only camera-facing sides."""
    cam = rm.cam
    slope = (r0 - r1) / max(y1 - y0, 1e-6)
    for a0, a1, am in _polygon_sides(n, rot):
        nx, nz = math.cos(am), math.sin(am)
        mx, mz = cx + r0 * nx, cz + r0 * nz
        if (cam.x - mx) * nx + (cam.z - mz) * nz <= 0:
            continue
        c0, s0, c1, s1 = math.cos(a0), math.sin(a0), math.cos(a1), math.sin(a1)
        pts = [(cx + r0 * c0, y0, cz + r0 * s0), (cx + r0 * c1, y0, cz + r0 * s1), (cx + r1 * c1, y1, cz + r1 * s1),
               (cx + r1 * c0, y1, cz + r1 * s0)]
        nn = math.sqrt(1 + slope * slope)
        rm.poly3(pts, rm.nshade(col, (nx / nn, slope / nn, nz / nn)), rm.cam.depth(mx, (y0 + y1) / 2, mz))


def pyramid(rm: Room, cx, cz, r, y0, y1, n, col, rot=None, bias=0.0):
    """An n-sided pyramid (spire, roof); only camera-facing sides."""
    cam = rm.cam
    rot = math.pi / n if rot is None else rot
    h = y1 - y0
    for a0, a1, am in _polygon_sides(n, rot):
        rc = r * math.cos(math.pi / n)
        nx, nz = math.cos(am), math.sin(am)
        mx, mz, my = cx + rc * nx * 0.5, cz + rc * nz * 0.5, (y0 + y1) / 2
        nrm = (nx * h, rc, nz * h)
        ln = math.sqrt(nrm[0] ** 2 + nrm[1] ** 2 + nrm[2] ** 2)
        nrm = (nrm[0] / ln, nrm[1] / ln, nrm[2] / ln)
        if (cam.x - mx) * nrm[0] + (cam.y - my) * nrm[1] + (cam.z - mz) * nrm[2] <= 0:
            continue
        pts = [(cx + r * math.cos(a0), y0, cz + r * math.sin(a0)), (cx + r * math.cos(a1), y0, cz + r * math.sin(a1)),
               (cx, y1, cz)]
        rm.poly3(pts, rm.nshade(col, nrm), cam.depth(mx, my, mz) + bias)


def house(rm: Room, x, z, w, d, h, rng: Draws):
    """A box house with a gable roof."""
    col = stone_color(rng)
    rm.box(x - w / 2, x + w / 2, 0.0, h, z - d / 2, z + d / 2, col)
    rc = roof_color(rng)
    gable(rm, x - w / 2, x + w / 2, z - d / 2, z + d / 2, h, h + w * rng.uniform(0.25, 0.5), rc, col)


def gable(rm: Room, x0, x1, z0, z1, y0, y1, rcol, wcol, e=0.3):
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
        rm.poly3([(x0 - e, y0, z0 - e), (xm, y1, z0 - e), (xm, y1, z1 + e), (x0 - e, y0, z1 + e)], rm.nshade(rcol, nl),
                 k - 0.01)
    if cam.x > xm or cam.y > y1:
        rm.poly3([(x1 + e, y0, z0 - e), (xm, y1, z0 - e), (xm, y1, z1 + e), (x1 + e, y0, z1 + e)], rm.nshade(rcol, nr),
                 k - 0.01)
    if cam.z < z0:
        rm.poly3([(x0, y0, z0), (x1, y0, z0), (xm, y1, z0)], rm.shade(wcol, 4), k - 0.005)
    elif cam.z > z1:
        rm.poly3([(x0, y0, z1), (x1, y0, z1), (xm, y1, z1)], rm.shade(wcol, 5), k - 0.005)


def arch_points(x0, x1, ys, rise, n, z, pointed=False):
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


def facade_arch(rm: Room, plane, c, w, y0, ys, rise, col, key, pointed=True, n=6, off=0.05):
    """Arched opening (door / lancet window) on a vertical plane, drawn at sort key ``key``.

    plane: ("z", z0) for a facade facing -z, or ("x", x0, sgn) for a side wall facing sgn*x.
    """
    if plane[0] == "z":
        z = plane[1] - off
        pts = [(c - w / 2, y0, z), (c + w / 2, y0, z)] + arch_points(c + w / 2, c - w / 2, ys, rise, n, z, pointed)
    else:
        x = plane[1] + plane[2] * off
        ap = arch_points(c - w / 2, c + w / 2, ys, rise, n, 0.0, pointed)
        pts = [(x, y0, c - w / 2), (x, y0, c + w / 2)] + [(x, p[1], p[0]) for p in reversed(ap)]
    rm.poly3(pts, col, key)


def circle_z(rm: Room, x, y, z, r, col, key):
    """A 16-gon in the plane z = const (facing -z)."""
    rm.poly3([(x + r * ca, y + r * sa, z) for ca, sa in CIRCLE16_LIST], col, key)


def rose(rm: Room, x, y, z, r, glass, frame, key, spokes=8):
    """A rose window or clock face: a frame ring, glass, spokes and a hub."""
    fr = rm.shade(frame, 4)
    circle_z(rm, x, y, z - 0.05, r * 1.12, fr, key)
    circle_z(rm, x, y, z - 0.08, r, glass, key - 0.01)
    segs = []
    for i in range(spokes):
        a = 2 * math.pi * i / spokes
        segs.append(((x, y, z - 0.1), (x + r * math.cos(a), y + r * math.sin(a), z - 0.1)))
    rm.lines3(segs, r * 0.06, frame, bias=0.0)
    rm.lines[-1] = (rm.lines[-1][0], rm.lines[-1][1], rm.lines[-1][2], key - 0.02 - rm.cam.depth(x, y, z))
    circle_z(rm, x, y, z - 0.12, r * 0.25, fr, key - 0.03)
