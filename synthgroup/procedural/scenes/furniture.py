"""Furniture and wall fittings that indoor scenes place in a ``Room``.

Positions are in metres in the room's frame (x across, y up, z away from the camera); walls are
addressed as "back", "left", "right", "floor" or "ceil" with (u, v) coordinates along them.
``facing`` is 0 +z, 1 -z, 2 +x, 3 -x (the direction a sitter looks).
"""
from __future__ import annotations

import numpy as np

from ..rng import Draws
from .colors import any_color, fabric_color, furniture_color, hsv, mix, mul, sky_colors, wall_color, wood_color
from .geometry import CIRCLE16
from .room import Room


def chair(rm: Room, cx, cz, facing, col, rng: Draws, seat=0.45, size=0.44, back_h=None, legs=True, leg_col=None):
    """facing: 0 +z, 1 -z, 2 +x, 3 -x (direction the sitter looks)."""
    s = size / 2
    th = 0.05
    rm.boxc(cx, cz, size, size, seat - th, seat, col, shadow=True)
    bh = seat + (back_h if back_h is not None else rng.uniform(0.35, 0.5))
    if facing == 0:
        rm.box(cx - s, cx + s, seat, bh, cz - s, cz - s + th, col)
    elif facing == 1:
        rm.box(cx - s, cx + s, seat, bh, cz + s - th, cz + s, col)
    elif facing == 2:
        rm.box(cx - s, cx - s + th, seat, bh, cz - s, cz + s, col)
    else:
        rm.box(cx + s - th, cx + s, seat, bh, cz - s, cz + s, col)
    if legs:
        lc = leg_col or mul(col, 0.7)
        i = s - 0.03
        y = seat - th
        rm.lines3([((cx + ax, y, cz + az), (cx + ax, 0.0, cz + az)) for ax, az in ((-i, -i), (i, -i), (i, i), (-i, i))],
                  0.025, lc, bias=0.01)


def table(rm: Room, cx, cz, w, d, h, col, legs=True, thick=0.05, leg_col=None, shadow=True):
    """A rectangular table top on four legs (or on none)."""
    rm.boxc(cx, cz, w, d, h - thick, h, col, shadow=shadow)
    if legs:
        lc = leg_col or mul(col, 0.75)
        ix, iz = w / 2 - 0.05, d / 2 - 0.05
        rm.lines3(
            [((cx + ax, h - thick, cz + az), (cx + ax, 0.0, cz + az))
             for ax, az in ((-ix, -iz), (ix, -iz), (ix, iz), (-ix, iz))],
            0.04,
            lc,
            bias=0.01,
        )


def round_table(rm: Room, cx, cz, r, h, col, rng: Draws):
    """A round table top on a central pedestal."""
    rm.disc(cx, h - 0.04, cz, r, mul(col, 0.7), bias=0.02)
    rm.disc(cx, h, cz, r, col)
    rm.line3((cx, h - 0.04, cz), (cx, 0.0, cz), 0.06, mul(col, 0.6), bias=0.03)
    rm.shadow.append((cx - r * 0.8, cx + r * 0.8, cz - r * 0.8, cz + r * 0.8, h))


def window(rm: Room, wall, u0, u1, v0, v1, rng: Draws, sky, outside, frame, curtains=None, mull=True):
    """A framed window showing sky over an outside view, optional mullions and curtains."""
    rm.wq(wall, u0 - 0.06, u1 + 0.06, v0 - 0.06, v1 + 0.06, frame)
    vh = v0 + (v1 - v0) * rng.uniform(0.1, 0.45)
    rm.wq(wall, u0, u1, vh, v1, sky, emissive=True, off=0.002)
    rm.wq(wall, u0, u1, v0, vh, outside, emissive=True, off=0.002)
    if mull:
        segs = []
        n = max(1, int(round((u1 - u0) / rng.uniform(0.5, 0.9))))
        for j in range(1, n):
            u = u0 + (u1 - u0) * j / n
            segs.append((u, v0, u, v1))
        if rng.chance(0.6):
            v = v0 + (v1 - v0) * rng.uniform(0.55, 0.75)
            segs.append((u0, v, u1, v))
        fc = rm.shade(frame, rm.WALL_FACE[wall])
        rm.wlines(wall, segs, fc, px=max(1, int(rm.H / 180)), emissive=True, off=0.004)
    if curtains is not None:
        cw = (u1 - u0) * rng.uniform(0.15, 0.3)
        rm.wq(wall, u0 - 0.15, u0 - 0.15 + cw, v0 - 0.3, v1 + 0.15, curtains, off=0.01)
        rm.wq(wall, u1 + 0.15 - cw, u1 + 0.15, v0 - 0.3, v1 + 0.15, curtains, off=0.01)


def door(rm: Room, wall, u0, width, rng: Draws, col, frame):
    """A framed door (maybe panelled) with a knob on a wall."""
    h = rng.uniform(2.0, 2.2)
    rm.wq(wall, u0 - 0.06, u0 + width + 0.06, 0.0, h + 0.06, frame)
    rm.wq(wall, u0, u0 + width, 0.0, h, col, off=0.003)
    if rng.chance(0.5):
        rm.wq(wall, u0 + width * 0.15, u0 + width * 0.85, h * 0.55, h * 0.9, mul(col, 0.85), off=0.005)
    hu = u0 + width * (0.85 if rng.chance(0.5) else 0.15)
    rm.wcircle(wall, hu, 1.0, 0.035, (200, 190, 150), off=0.006, n=8)


def picture(rm: Room, wall, u, v, w, h, rng: Draws):
    """A framed abstract picture on a wall."""
    frame = furniture_color(rng)
    rm.wq(wall, u - w / 2, u + w / 2, v - h / 2, v + h / 2, frame, off=0.01)
    b = min(w, h) * rng.uniform(0.05, 0.15)
    rm.wq(wall, u - w / 2 + b, u + w / 2 - b, v - h / 2 + b, v + h / 2 - b, any_color(rng), off=0.015)
    for _ in range(rng.integer(1, 3)):
        a0 = rng.uniform(-0.4, 0.2) * (w - 2 * b)
        a1 = a0 + rng.uniform(0.1, 0.5) * (w - 2 * b)
        c0 = rng.uniform(-0.4, 0.2) * (h - 2 * b)
        c1 = c0 + rng.uniform(0.1, 0.5) * (h - 2 * b)
        rm.wq(wall, u + a0, u + a1, v + c0, v + c1, any_color(rng), off=0.02)


def ceiling_lights(rm: Room, rng: Draws, nx, nz, z0, z1, size=(0.6, 1.2)):
    """A grid of ``nx`` x ``nz`` emissive ceiling panels between depths z0 and z1."""
    col = hsv(rng.uniform(0.1, 0.6), rng.uniform(0.0, 0.1), 1.0)
    w, d = size
    for i in range(nx):
        x = -rm.RW / 2 + rm.RW * (i + 0.5) / nx
        for j in range(nz):
            z = z0 + (z1 - z0) * (j + 0.5) / nz
            rm.wq("ceil", x - w / 2, x + w / 2, z - d / 2, z + d / 2, col, emissive=True, off=0.01)


def shelf(rm: Room, wall, u0, u1, v, rng: Draws, books=True, depth=0.25):
    """A wall shelf (board) with books standing on it."""
    col = furniture_color(rng)
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
            bw = rng.uniform(0.03, 0.08)
            bh = rng.uniform(0.15, 0.3)
            bc = any_color(rng, 0.2, 0.8, 0.2, 0.85)
            if wall == "back":
                rm.box(u, u + bw, v, v + bh, rm.RD - depth + 0.02, rm.RD - 0.02, bc, bias=-0.01)
            elif wall == "left":
                rm.box(x0 + 0.02, x0 + depth - 0.02, v, v + bh, u, u + bw, bc, bias=-0.01)
            else:
                rm.box(x1 - depth + 0.02, x1 - 0.02, v, v + bh, u, u + bw, bc, bias=-0.01)
            u += bw + (rng.uniform(0.1, 0.4) if rng.chance(0.08) else 0.002)


def bookcase(rm: Room, wall, u0, u1, rng: Draws, height=None, depth=0.35):
    """A floor-standing bookcase with books on every shelf."""
    h = height or rng.uniform(1.2, 2.1)
    col = furniture_color(rng)
    if wall == "back":
        rm.box(u0, u1, 0, h, rm.RD - depth, rm.RD, mul(col, 0.9), shadow=True)
    elif wall == "left":
        x0 = -rm.RW / 2
        rm.box(x0, x0 + depth, 0, h, u0, u1, mul(col, 0.9), shadow=True)
    else:
        x1 = rm.RW / 2
        rm.box(x1 - depth, x1, 0, h, u0, u1, mul(col, 0.9), shadow=True)
    n = max(2, int(h / 0.38))
    for j in range(1, n):
        v = h * j / n
        _shelf_books_front(rm, wall, u0, u1, v, h / n, depth, rng)


def _shelf_books_front(rm, wall, u0, u1, v, gap, depth, rng):
    """One shelf row of books standing at the front of a bookcase."""
    u = u0 + 0.03
    while u < u1 - 0.06:
        bw = rng.uniform(0.03, 0.09)
        bh = gap * rng.uniform(0.55, 0.85)
        bc = any_color(rng, 0.2, 0.8, 0.15, 0.85)
        if wall == "back":
            rm.box(u, u + bw, v - gap + 0.02, v - gap + 0.02 + bh, rm.RD - depth + 0.01, rm.RD - depth + 0.02, bc,
                   bias=-0.05)
        elif wall == "left":
            x = -rm.RW / 2 + depth
            rm.box(x - 0.01, x, v - gap + 0.02, v - gap + 0.02 + bh, u, u + bw, bc, bias=-0.05)
        else:
            x = rm.RW / 2 - depth
            rm.box(x, x + 0.01, v - gap + 0.02, v - gap + 0.02 + bh, u, u + bw, bc, bias=-0.05)
        u += bw + (rng.uniform(0.1, 0.3) if rng.chance(0.1) else 0.004)


def plant(rm: Room, x, z, rng: Draws, h=None):
    """A potted plant: a pot and a few leafy blobs facing the camera."""
    h = h or rng.uniform(0.6, 1.5)
    pot = furniture_color(rng)
    rm.boxc(x, z, 0.3, 0.3, 0, 0.35, pot, shadow=True)
    g = hsv(rng.uniform(0.22, 0.4), rng.uniform(0.4, 0.8), rng.uniform(0.2, 0.6))
    cam = rm.cam
    # leafy blob: a few vertical polygons facing the camera
    for j in range(4):
        r = h * rng.uniform(0.18, 0.3)
        yc = 0.35 + h * rng.uniform(0.3, 0.75)
        xo = rng.uniform(-0.15, 0.15)
        pts = [(x + xo + r * ca * 0.8, yc + r * sa, z) for ca, sa in CIRCLE16[::2].tolist()]
        rm.poly3(pts, mul(g, rng.uniform(0.7, 1.2)), cam.depth(x, yc, z) - 0.05 * j)


def lamp_shade(rm: Room, x, y, z, rng: Draws, w=0.35, h=0.3, col=None):
    """A trapezoid lamp shade facing the camera."""
    col = col or hsv(rng.uniform(0.05, 0.15), rng.uniform(0.05, 0.5), rng.uniform(0.8, 1.0))
    pts = [(x - w / 2, y, z), (x + w / 2, y, z), (x + w * 0.3, y + h, z), (x - w * 0.3, y + h, z)]
    rm.poly3(pts, col)


def pendant(rm: Room, x, z, y_low, rng: Draws, col=None):
    """A pendant lamp hanging from the ceiling on a cord, with a glowing rim."""
    col = col or any_color(rng, 0.0, 0.7, 0.3, 1.0)
    rm.line3((x, rm.RH, z), (x, y_low + 0.25, z), 0.01, (40, 40, 40))
    pts = [(x - 0.25, y_low, z), (x + 0.25, y_low, z), (x + 0.08, y_low + 0.25, z), (x - 0.08, y_low + 0.25, z)]
    rm.poly3(pts, col)
    bulb = hsv(rng.uniform(0.1, 0.15), rng.uniform(0.1, 0.4), 1.0)
    rm.poly3(
        [(x - 0.2, y_low, z - 0.001), (x + 0.2, y_low, z - 0.001), (x + 0.15, y_low - 0.03, z - 0.001),
         (x - 0.15, y_low - 0.03, z - 0.001)],
        bulb,
    )


def rug(rm: Room, x0, x1, z0, z1, rng: Draws):
    """A floor rug with up to two inner borders."""
    c = fabric_color(rng)
    rm.wq("floor", x0, x1, z0, z1, c, off=0.004)
    if rng.chance(0.7):
        b = min(x1 - x0, z1 - z0) * rng.uniform(0.06, 0.14)
        rm.wq("floor", x0 + b, x1 - b, z0 + b, z1 - b, fabric_color(rng), off=0.006)
        if rng.chance(0.5):
            b2 = b * 2.2
            rm.wq("floor", x0 + b2, x1 - b2, z0 + b2, z1 - b2, mix(c, fabric_color(rng), 0.5), off=0.008)


def wall_texture(rm: Room, wall, rng: Draws, kind):
    """Brick courses, panelling or wainscot drawn as lines/quads on a wall."""
    if wall == "back":
        ua, ub = -rm.RW / 2, rm.RW / 2
    else:
        ua, ub = 0.3, rm.RD
    col = rm.wall_cols[wall]
    if kind == "brick":
        lc = mul(col, rng.uniform(0.6, 0.8)) if rng.chance(0.7) else mul(col, 1.3)
        ch = rng.uniform(0.12, 0.2)
        bl = ch * rng.uniform(2.0, 3.0)
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
        lc = mul(col, rng.uniform(0.6, 0.8))
        pw = rng.uniform(0.15, 0.5)
        u = np.arange(ua, ub, pw)
        rm.wlines(wall, np.stack([u, np.zeros_like(u), u, np.full_like(u, rm.RH)], 1), lc, px=1, off=0.001)
    elif kind == "wainscot":
        h = rng.uniform(0.8, 1.2)
        c2 = wall_color(rng) if rng.chance(0.5) else wood_color(rng)
        rm.wq(wall, ua - 0.5, ub + 0.5, 0.0, h, c2, off=0.001)
        rm.wlines(wall, [(ua - 0.5, h, ub + 0.5, h)], mul(c2, 0.6), px=max(1, rm.H // 128), off=0.002)
    elif kind == "stripes":
        c2 = mix(col, any_color(rng), rng.uniform(0.15, 0.4))
        pw = rng.uniform(0.12, 0.3)
        u = ua
        while u < ub:
            rm.wq(wall, u, u + pw / 2, 0.0, rm.RH, c2, off=0.001)
            u += pw


def baseboard(rm: Room, rng: Draws):
    """A skirting board along the back and side walls."""
    c = furniture_color(rng) if rng.chance(0.5) else (235.0, 232.0, 225.0)
    h = rng.uniform(0.06, 0.14)
    rm.wq("back", -rm.RW / 2, rm.RW / 2, 0, h, c, off=0.003)
    rm.wq("left", -4.0, rm.RD, 0, h, c, off=0.003)
    rm.wq("right", -4.0, rm.RD, 0, h, c, off=0.003)


def window_palette(rng: Draws):
    """(sky, outside view, frame) colours shared by the windows of one room."""
    _, hor, _ = sky_colors(rng)
    sky = mix(hor, (255.0, 255.0, 255.0), rng.uniform(0.1, 0.6))
    outside = mix(hsv(rng.uniform(0.15, 0.4), rng.uniform(0.2, 0.6), rng.uniform(0.3, 0.7)), sky, rng.uniform(0.2, 0.6))
    frame = (240.0, 240.0, 238.0) if rng.chance(0.5) else furniture_color(rng)
    return sky, outside, frame


def side_windows(rm: Room, wall, rng: Draws, n, z0, z1, v0, v1, curtains=None):
    """``n`` evenly spaced windows along a wall between depths z0 and z1."""
    sky, outside, frame = window_palette(rng)
    span = (z1 - z0) / n
    ww = span * rng.uniform(0.45, 0.8)
    for j in range(n):
        c = z0 + span * (j + 0.5)
        window(rm, wall, c - ww / 2, c + ww / 2, v0, v1, rng, sky, outside, frame, curtains)


def maybe_door(rm: Room, rng: Draws, prob=0.45):
    """With probability ``prob``, a door on the wall opposite the windows."""
    if rng.chance(prob):
        wall = rm.dark_side
        door(rm, wall, rng.uniform(0.4, max(0.5, rm.RD - 2.5)), rng.uniform(0.8, 1.0), rng, furniture_color(rng),
             furniture_color(rng) if rng.chance(0.5) else (235.0, 235.0, 230.0))


def oriented_box(rm: Room, cx, cz, facing, a0, a1, l0, l1, y0, y1, col, shadow=False, bias=0.0):
    """Axis-aligned box in an object frame: a along the facing direction, l lateral."""
    if facing == 0:
        rm.box(cx + l0, cx + l1, y0, y1, cz + a0, cz + a1, col, shadow, bias)
    elif facing == 1:
        rm.box(cx - l1, cx - l0, y0, y1, cz - a1, cz - a0, col, shadow, bias)
    elif facing == 2:
        rm.box(cx + a0, cx + a1, y0, y1, cz - l1, cz - l0, col, shadow, bias)
    else:
        rm.box(cx - a1, cx - a0, y0, y1, cz + l0, cz + l1, col, shadow, bias)


def office_chair(rm: Room, cx, cz, facing, col, rng: Draws):
    """A swivel chair: seat, backrest, column and a cross base."""
    s = 0.24
    seat = 0.48
    oriented_box(rm, cx, cz, facing, -s, s, -s, s, seat - 0.08, seat, col, shadow=True)
    oriented_box(rm, cx, cz, facing, -s - 0.02, -s + 0.06, -s + 0.02, s - 0.02, seat + 0.05,
                 seat + rng.uniform(0.45, 0.65), col)
    dark = (45.0, 45.0, 48.0)
    rm.lines3(
        [((cx, seat - 0.08, cz), (cx, 0.08, cz)), ((cx - 0.3, 0.04, cz), (cx + 0.3, 0.04, cz)),
         ((cx, 0.04, cz - 0.3), (cx, 0.04, cz + 0.3))],
        0.035,
        dark,
        bias=0.02,
    )


def sofa(rm: Room, cx, cz, length, facing, col, rng: Draws, depth=None):
    """A sofa with seat cushions, backrest, arms and maybe throw pillows."""
    d = depth or rng.uniform(0.8, 0.95)
    hl = length / 2
    arm = rng.uniform(0.12, 0.22)
    seat = rng.uniform(0.4, 0.46)
    back = rng.uniform(0.75, 0.9)
    # base + seat
    oriented_box(rm, cx, cz, facing, -d / 2, d / 2, -hl, hl, 0.06, seat - 0.1, mul(col, 0.9), shadow=True)
    n = rng.integer(2, 3)
    cw = (length - 2 * arm) / n
    for j in range(n):
        l0 = -hl + arm + j * cw
        oriented_box(rm, cx, cz, facing, -d / 2 + 0.18, d / 2, l0 + 0.01, l0 + cw - 0.01, seat - 0.1, seat, col)
    oriented_box(rm, cx, cz, facing, -d / 2, -d / 2 + 0.2, -hl, hl, seat - 0.1, back, mul(col, 0.95))
    oriented_box(rm, cx, cz, facing, -d / 2, d / 2, -hl, -hl + arm, 0.06, seat + 0.18, col)
    oriented_box(rm, cx, cz, facing, -d / 2, d / 2, hl - arm, hl, 0.06, seat + 0.18, col)
    if rng.chance(0.7):
        pc = fabric_color(rng)
        for j in range(rng.integer(1, 3)):
            l = rng.uniform(-hl + arm + 0.25, hl - arm - 0.25)
            oriented_box(rm, cx, cz, facing, -d / 2 + 0.2, -d / 2 + 0.32, l - 0.2, l + 0.2, seat, seat + 0.38, pc)


def bed(rm: Room, cx, cz, facing, width, length, rng: Draws):
    """Bed whose head is at a = 0 and which extends along +a (facing)."""
    frame = furniture_color(rng)
    hw = width / 2
    fh = rng.uniform(0.25, 0.4)
    oriented_box(rm, cx, cz, facing, 0.0, length, -hw, hw, 0.05, fh, frame, shadow=True)
    oriented_box(rm, cx, cz, facing, 0.0, 0.08, -hw - 0.03, hw + 0.03, 0.0, fh + rng.uniform(0.5, 0.9),
                 mul(frame, 0.95))
    mat = hsv(rng.random(), rng.uniform(0.0, 0.1), rng.uniform(0.8, 0.97))
    mh = fh + rng.uniform(0.15, 0.25)
    oriented_box(rm, cx, cz, facing, 0.1, length - 0.02, -hw + 0.03, hw - 0.03, fh, mh, mat)
    blanket = fabric_color(rng)
    oriented_box(rm, cx, cz, facing, length * rng.uniform(0.3, 0.45), length + 0.02, -hw - 0.02, hw + 0.02, fh + 0.05,
                 mh + 0.04, blanket)
    pc = mat if rng.chance(0.5) else fabric_color(rng)
    pw = (width - 0.2) / 2
    for l0 in (-hw + 0.08, 0.04):
        oriented_box(rm, cx, cz, facing, 0.14, 0.5, l0, l0 + pw - 0.04, mh, mh + 0.14, pc)


def lamp(rm: Room, x, y, z, rng: Draws, stem=0.3):
    """A table lamp: a stem and a shade."""
    rm.line3((x, y, z), (x, y + stem, z), 0.02, (60.0, 55.0, 50.0))
    lamp_shade(rm, x, y + stem, z, rng, w=rng.uniform(0.25, 0.4), h=rng.uniform(0.2, 0.3))


def cabinet_run(rm: Room, wall, u0, u1, rng: Draws, body, top, y0, y1, depth, doors=True, top_thick=0.0):
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
        dw = rng.uniform(0.4, 0.6)
        n = max(1, int(round((u1 - u0) / dw)))
        segs = []
        for j in range(1, n):
            u = u0 + (u1 - u0) * j / n
            segs.append((face(u, y0 + 0.03), face(u, y1 - 0.03)))
        segs.append((face(u0, y0 + 0.1), face(u1, y0 + 0.1)))
        rm.lines3(segs, 0.012, mul(body, 0.6), bias=-0.05)
