"""The three outdoor categories: bridge, church and tower, each ``(rng, H, W) -> (image, light_xy)``."""
from __future__ import annotations

import math

import cv2
import numpy as np

from ..rng import Draws
from .buildings import arch_points, circle_z, facade_arch, gable, house, prism, pyramid, rose
from .colors import any_color, hsv, mix, mul, mul3, roof_color, stone_color
from .geometry import AA, SCALE, SHIFT
from .landscape import draw_ground, draw_ripples, draw_water, outdoor_setup, sky_and_far_view, tree
from .room import Room


def bridge(rng: Draws, H, W):
    """A bridge (stone arches, suspension, cable-stayed, arch or truss) over water, with
    its reflection."""
    rm, cam, (top, hor, cloud) = outdoor_setup(rng, H, W, (0.38, 0.62), rng.uniform(2.0, 25.0), yaw_max=40.0)
    hz = int(cam.v0)
    img = sky_and_far_view(rng, H, W, hz, (top, hor, cloud), 1.0, (0.02, 0.12))  # the far shore
    # water
    deep = hsv(rng.uniform(0.45, 0.62), rng.uniform(0.2, 0.7), rng.uniform(0.15, 0.5))
    wfar = mix(hor, deep, rng.uniform(0.1, 0.4))
    r0 = draw_water(img, rng, hz + 1, deep, wfar)
    wcol = mix(deep, wfar, 0.5)
    # bridge geometry
    kind = rng.choice(("stone", "suspension", "stayed", "arch", "truss"))
    Wd = rng.uniform(8.0, 20.0)
    look = math.tan(math.atan2(cam.sa, cam.ca))
    if kind == "stone":
        col = stone_color(rng)
        n = rng.integer(3, 7)
        span = rng.uniform(15.0, 35.0)
        L = n * span
        D = max(L * rng.uniform(0.35, 1.1), 40.0)
        bx = look * D + rng.uniform(-0.25, 0.25) * L
        Hd = span * rng.uniform(0.55, 0.8)
        pier = span * rng.uniform(0.12, 0.25)
        xs = bx - L / 2
        rm.box(xs, xs + L, Hd, Hd + rng.uniform(1.5, 3.0), D, D + Wd, col)
        soff = mul(col, 0.55)
        for i in range(n + 1):
            px = xs + i * span
            rm.box(px - pier / 2, px + pier / 2, 0.0, Hd * 0.45, D - pier * 0.3, D + Wd + pier * 0.3, mul(col, 0.95))
        for i in range(n):
            a0 = xs + i * span + pier / 2
            a1 = xs + (i + 1) * span - pier / 2
            ys = Hd * 0.45
            rise = min((a1 - a0) / 2, Hd - ys - 1.5)
            ap = arch_points(a0, a1, ys, rise, 8, D)
            for k in range(8):
                p, q = ap[k], ap[k + 1]
                rm.poly3([p, q, (q[0], Hd + 0.01, D), (p[0], Hd + 0.01, D)], rm.shade(col, 4),
                         cam.depth((p[0] + q[0]) / 2, Hd, D) - 0.5)
                rm.poly3([p, q, (q[0], q[1], D + Wd), (p[0], p[1], D + Wd)], soff,
                         cam.depth((p[0] + q[0]) / 2, Hd, D + Wd / 2) + 0.5)
        # abutment banks
        gcol = hsv(rng.uniform(0.15, 0.35), rng.uniform(0.3, 0.6), rng.uniform(0.2, 0.5))
        rm.box(xs - 400.0, xs, 0.0, Hd, D - 80.0, D + 300.0, gcol)
        rm.box(xs + L, xs + L + 400.0, 0.0, Hd, D - 80.0, D + 300.0, gcol)
    else:
        col = any_color(rng, 0.0, 0.8, 0.25, 0.9) if rng.chance(0.7) else stone_color(rng)
        deck_col = hsv(rng.random(), rng.uniform(0.0, 0.2), rng.uniform(0.3, 0.7))
        S = rng.uniform(150.0, 420.0)
        Hd = rng.uniform(15.0, 45.0)
        L = S * rng.uniform(1.6, 2.4)
        D = S * rng.uniform(0.45, 1.3)
        bx = look * D + rng.uniform(-0.2, 0.2) * S
        xs = bx - L / 2
        rm.box(xs, xs + L, Hd - rng.uniform(2.5, 5.0), Hd, D, D + Wd, deck_col)
        rm.line3((xs, Hd + 1.0, D), (xs + L, Hd + 1.0, D), 0.3, mul(deck_col, 1.3), bias=-1.0)
        # approach piers
        npier = rng.integer(4, 9)
        for i in range(npier + 1):
            px = xs + L * i / npier
            if kind in ("suspension", "stayed") and abs(px - bx) < S / 2 - 10:
                continue
            rm.box(px - 2.0, px + 2.0, 0.0, Hd - 3.0, D + 1.0, D + Wd - 1.0, mul(stone_color(rng), 0.9))
        cab = []
        th = rng.uniform(0.5, 1.2)
        if kind == "suspension":
            Ht = S * rng.uniform(0.12, 0.2)
            tw = rng.uniform(4.0, 8.0)
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
                    u = 2 * i / m - 1
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
            Ht = S * rng.uniform(0.2, 0.35)
            tw = rng.uniform(4.0, 8.0)
            npy = rng.choice((1, 2))
            pxs = [bx] if npy == 1 else [bx - S / 4, bx + S / 4]
            for tx in pxs:
                rm.box(tx - tw / 2, tx + tw / 2, 0.0, Hd + Ht, D + Wd / 2 - tw / 2, D + Wd / 2 + tw / 2, col)
                nc = rng.integer(6, 11)
                reach = S / (2 * npy) * 0.95
                for z in (D + 0.5, D + Wd - 0.5):
                    for j in range(nc):
                        yy = Hd + Ht * (0.55 + 0.44 * j / nc)
                        d = reach * (j + 1) / nc
                        cab.append(((tx, yy, D + Wd / 2), (tx - d, Hd, z)))
                        cab.append(((tx, yy, D + Wd / 2), (tx + d, Hd, z)))
            th *= 0.4
        elif kind == "arch":
            rise = S * rng.uniform(0.15, 0.3)
            hang = []
            for z in (D, D + Wd):
                ap = arch_points(bx - S / 2, bx + S / 2, Hd - 3.0, rise, 20, z)
                for i in range(20):
                    cab.append((ap[i], ap[i + 1]))
                    if i > 0:
                        hang.append((ap[i], (ap[i][0], Hd, z)))
            rm.lines3(hang, th * 0.3, col, bias=0.2)
            th *= rng.uniform(2.0, 4.0)
        else:  # truss
            h = rng.uniform(8.0, 16.0)
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
        gcol = hsv(rng.uniform(0.15, 0.35), rng.uniform(0.3, 0.6), rng.uniform(0.2, 0.5))
        rm.box(xs - 400.0, xs + L * 0.05, 0.0, Hd - 3.0, D - 100.0, D + 300.0, gcol)
        rm.box(xs + L * 0.95, xs + L + 400.0, 0.0, Hd - 3.0, D - 100.0, D + 300.0, gcol)
    # reflection: same geometry mirrored in the water plane, muted towards the water colour
    refl = Room(rng, H, W, 1.0, 1.0, 1.0, cam, (0.0, 1.0, 0.0), 1.0, (1.0, 1.0, 1.0), (1.0, 1.0, 1.0))
    mix_k = rng.uniform(0.35, 0.7)
    refl.boxes = [
        (b[0], b[1], -b[3], -b[2], b[4], b[5], *mix(mul3(b[6:9], rm.F[4]), wcol, mix_k), b[9]) for b in rm.boxes
    ]
    refl.lines = [([(p[0], -p[1], p[2]) for p in pts], t, mix(c, wcol, mix_k), bias) for pts, t, c, bias in rm.lines]
    refl.polys = [([(p[0], -p[1], p[2]) for p in pts], mix(c, wcol, mix_k), k) for pts, c, k in rm.polys]
    refl.draw_objects(img)
    draw_ripples(img, rng, r0, rng.uniform(0.04, 0.18))
    rm.draw_flat(img, rm.flat)
    rm.draw_objects(img)
    # optional near bank in a bottom corner
    if rng.chance(0.5):
        gc = hsv(rng.uniform(0.12, 0.35), rng.uniform(0.3, 0.7), rng.uniform(0.15, 0.45))
        side = rng.choice((0, 1))
        x_end = W * rng.uniform(0.3, 0.7)
        y0 = H * rng.uniform(0.8, 0.95)
        pts = [(0, H), (0, y0), (x_end, H)] if side == 0 else [(W, H), (W, y0), (W - x_end, H)]
        cv2.fillConvexPoly(img, np.rint(np.asarray(pts) * SCALE).astype(np.int32), gc, AA, SHIFT)
    lx = float(np.clip(-rm.L[0], -1, 1))
    return img, (lx, -0.5)


def church(rng: Draws, H, W):
    """A church (nave, one, two or a side tower, rose windows, spires) in its surroundings."""
    rm, cam, (top, hor, cloud) = outdoor_setup(rng, H, W, (0.62, 0.88), rng.uniform(1.4, 2.0), yaw_max=30.0,
                                               f_range=(0.55, 0.85))
    hz = int(cam.v0)
    img = sky_and_far_view(rng, H, W, hz, (top, hor, cloud), 0.9, (0.01, 0.06))
    draw_ground(img, rm, rng, hz + 1)
    stone = stone_color(rng)
    roof = roof_color(rng)
    w = rng.uniform(9.0, 16.0)
    Ln = rng.uniform(20.0, 40.0)
    hn = rng.uniform(8.0, 16.0)
    Z0 = rng.uniform(28.0, 55.0)
    # place the church roughly where the camera looks
    cx = math.tan(math.atan2(cam.sa, cam.ca) + math.radians(rng.uniform(-10.0, 10.0))) * Z0
    Z1 = Z0 + Ln
    rm.box(cx - w / 2, cx + w / 2, 0.0, hn, Z0, Z1, stone, shadow=True)
    nave_key = cam.depth(cx, hn / 2, (Z0 + Z1) / 2)
    ridge = hn + w / 2 * rng.uniform(0.7, 1.3)
    gable(rm, cx - w / 2, cx + w / 2, Z0, Z1, hn, ridge, roof, stone, e=0.6)
    dark = mix((25.0, 22.0, 20.0), stone, 0.15)
    glass = hsv(rng.uniform(0.55, 0.7), rng.uniform(0.2, 0.6), rng.uniform(0.2, 0.45))
    side = -1 if cam.x < cx - w / 2 else (1 if cam.x > cx + w / 2 else 0)
    towers = rng.choice(("center", "center", "twin", "side"))
    tw = rng.uniform(4.5, min(8.0, w * 0.7))
    ht = ridge + rng.uniform(6.0, 25.0)
    # lancet windows and buttresses along the visible side wall
    if side:
        xw = cx + side * w / 2
        nwin = int(Ln / rng.uniform(4.0, 6.0))
        for j in range(nwin):
            zc = Z0 + Ln * (j + 0.5) / nwin
            facade_arch(rm, ("x", xw, side), zc, rng.uniform(1.2, 2.0), hn * 0.3, hn * 0.72, rng.uniform(1.0, 2.0),
                        glass, nave_key - 0.1)
            if j > 0:
                zb = Z0 + Ln * j / nwin
                x2 = xw + side * 1.0
                rm.box(min(xw, x2), max(xw, x2), 0.0, hn * 0.8, zb - 0.5, zb + 0.5, stone,
                       bias=nave_key - 0.2 - cam.depth((xw + x2) / 2, hn * 0.4, zb))
    tcs = []
    front_z, front_key = Z0, nave_key
    if towers == "center":
        tz0 = Z0 - tw * 0.8
        rm.box(cx - tw / 2, cx + tw / 2, 0.0, ht, tz0, tz0 + tw, mul(stone, 0.97), shadow=True)
        tcs = [(cx, tz0 + tw / 2)]
        front_z, front_key = tz0, cam.depth(cx, ht / 2, tz0 + tw / 2)
    elif towers == "twin":
        tz0 = Z0 - tw * 0.3
        for sx in (-1, 1):
            tx = cx + sx * (w / 2 - tw / 2 + 0.5)
            rm.box(tx - tw / 2, tx + tw / 2, 0.0, ht, tz0, tz0 + tw, mul(stone, 0.97), shadow=True)
            tcs.append((tx, tz0 + tw / 2))
        ww = w - 2 * tw + 1.0
        if ww > 2.0:
            facade_arch(rm, ("z", Z0), cx, min(ww * 0.6, 4.0), 0.0, hn * 0.3, min(ww * 0.3, 2.0), dark, nave_key - 0.1)
            rr = min(ww * 0.35, (ridge - hn) * 0.6 + 1.0)
            rose(rm, cx, hn * 0.62 + 1.0, Z0, rr, glass, stone, nave_key - 0.2)
    else:
        sx = rng.choice((-1, 1))
        tx = cx + sx * (w / 2 + tw / 2 - 0.5)
        tz0 = Z0 + rng.uniform(-0.5, 4.0)
        rm.box(tx - tw / 2, tx + tw / 2, 0.0, ht, tz0, tz0 + tw, mul(stone, 0.97), shadow=True)
        tcs = [(tx, tz0 + tw / 2)]
    if towers != "twin":
        fw = tw if towers == "center" else w
        facade_arch(rm, ("z", front_z), cx, min(fw * 0.45, 3.5), 0.0, min(hn * 0.3, 4.0), min(fw * 0.22, 1.75), dark,
                    front_key - 0.1)
        ry = hn * 0.62 if towers != "center" else min(ht * 0.45, hn * 0.7)
        rose(rm, cx, ry, front_z, min(fw * 0.28, 3.0), glass, stone, front_key - 0.2)
    # tower tops: belfry openings, clock, spire / pyramid roof, cross
    spire = rng.choice(("spire", "spire", "pyramid", "flat"))
    clock = rng.chance(0.5)
    for tx, tzc in tcs:
        tz0 = tzc - tw / 2
        tkey = cam.depth(tx, ht / 2, tzc)
        yb = ht - rng.uniform(3.0, 5.0)
        facade_arch(rm, ("z", tz0), tx, tw * 0.35, yb - 3.0, yb, tw * 0.18, dark, tkey - 0.1)
        if clock:
            rose(rm, tx, yb - tw * 0.5, tz0, tw * 0.3, (235.0, 235.0, 225.0), mul(stone, 0.6), tkey - 0.2, spokes=12)
        if spire == "spire":
            hs = rng.uniform(1.5, 3.5) * tw
            pyramid(rm, tx, tzc, tw * 0.62, ht, ht + hs, 8, roof)
            tip = ht + hs
        elif spire == "pyramid":
            hs = rng.uniform(0.5, 1.0) * tw
            pyramid(rm, tx, tzc, tw * 0.72, ht, ht + hs, 4, roof, rot=math.pi / 4)
            tip = ht + hs
        else:
            for dx in (-1, 1):
                for dz in (-1, 1):
                    rm.boxc(tx + dx * tw * 0.4, tzc + dz * tw * 0.4, tw * 0.2, tw * 0.2, ht, ht + 1.2, stone, bias=-0.5)
            tip = None
        if tip is not None:
            cc = (200.0, 180.0, 90.0) if rng.chance(0.5) else (40.0, 40.0, 40.0)
            rm.lines3(
                [((tx, tip, tzc), (tx, tip + 2.5, tzc)), ((tx - 0.8, tip + 1.7, tzc), (tx + 0.8, tip + 1.7, tzc))],
                0.2,
                cc,
                bias=-1.0,
            )
    # surroundings: trees in front, houses on the hidden side / behind
    for _ in range(rng.integer(0, 4)):
        sx = rng.choice((-1, 1))
        tree(rm, cx + sx * (w / 2 + rng.uniform(4.0, 20.0)), rng.uniform(Z0 - 15.0, Z0 - 2.0), rng.uniform(6.0, 14.0),
             rng)
    for _ in range(rng.integer(0, 2)):
        sx = -side if side else rng.choice((-1, 1))
        house(rm, cx + sx * (w / 2 + rng.uniform(12.0, 30.0)), rng.uniform(Z0 + 5.0, Z1 + 10.0), rng.uniform(6.0, 12.0),
              rng.uniform(8.0, 14.0), rng.uniform(5.0, 9.0), rng)
    rm.draw_shadows(img)
    rm.draw_objects(img)
    lx = float(np.clip(-rm.L[0], -1, 1))
    return img, (lx, -0.4)


def tower(rng: Draws, H, W):
    """A tower (lattice, stone, TV, skyscraper, clock or lighthouse) with trees and houses."""
    kind = rng.choice(("lattice", "stone", "tv", "skyscraper", "clock", "lighthouse"))
    rm, cam, (top, hor, cloud) = outdoor_setup(rng, H, W, (0.7, 0.95), rng.uniform(1.4, 2.0), yaw_max=25.0,
                                               f_range=(0.5, 0.85))
    hz = int(cam.v0)
    img = sky_and_far_view(rng, H, W, hz, (top, hor, cloud), 0.9, (0.01, 0.08), ("hills", "trees", "city", "city"))
    draw_ground(img, rm, rng, hz + 1)
    Ht = {"lattice": rng.uniform(80, 300), "stone": rng.uniform(20, 45), "tv": rng.uniform(150, 350),
          "skyscraper": rng.uniform(120, 400), "clock": rng.uniform(30, 90), "lighthouse": rng.uniform(20, 50)}[kind]
    # distance such that the top lands near the top of the frame
    D = cam.f * (Ht - cam.y) / (cam.v0 * rng.uniform(0.7, 1.05))
    ang = math.atan2(cam.sa, cam.ca) + math.radians(rng.uniform(-12.0, 12.0))
    tx, tz = D * math.sin(ang), D * math.cos(ang)
    col = stone_color(rng) if kind in ("stone", "clock", "lighthouse") else any_color(rng, 0.0, 0.7, 0.2, 0.85)
    tkey = cam.depth(tx, Ht / 2, tz)
    if kind == "lattice":
        b = Ht * rng.uniform(0.12, 0.25)
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
        r = rng.uniform(4.0, 8.0)
        n = rng.choice((4, 8, 12))
        rot = -math.pi / 2 - math.pi / n
        prism(rm, tx, tz, r, r * 0.95, 0.0, Ht, n, col, rot=rot)
        if rng.chance(0.5):
            pyramid(rm, tx, tz, r * 1.15, Ht, Ht + r * rng.uniform(1.0, 2.2), n, roof_color(rng), rot=rot)
        else:
            for i in range(8):
                a = 2 * math.pi * i / 8
                rm.boxc(tx + r * 0.85 * math.cos(a), tz + r * 0.85 * math.sin(a), r * 0.3, r * 0.3, Ht, Ht + r * 0.3,
                        col, bias=-0.5)
        dark = mul(col, 0.25)
        zf = tz - r * math.cos(math.pi / n)
        for j in range(rng.integer(2, 4)):
            y = Ht * (0.25 + 0.65 * j / 4)
            facade_arch(rm, ("z", zf), tx, r * 0.25, y, y + r * 0.5, r * 0.12, dark, tkey - 0.5, n=4, off=0.1)
    elif kind == "tv":
        r = Ht * rng.uniform(0.025, 0.05)
        prism(rm, tx, tz, r * 1.6, r, 0.0, Ht * 0.75, 8, col)
        py = Ht * rng.uniform(0.55, 0.7)
        pr = r * rng.uniform(2.5, 4.0)
        pc = any_color(rng, 0.0, 0.6, 0.3, 0.9)
        prism(rm, tx, tz, pr, pr * 0.7, py + pr * 0.35, py + pr * 0.7, 12, pc)
        prism(rm, tx, tz, pr * 0.7, pr, py, py + pr * 0.35, 12, mul(pc, 0.85))
        rm.line3((tx, Ht * 0.75, tz), (tx, Ht, tz), r * 0.4, (200.0, 200.0, 205.0))
    elif kind == "skyscraper":
        w = Ht * rng.uniform(0.15, 0.3)
        glass = mix(hor, any_color(rng, 0.0, 0.6, 0.2, 0.7), rng.uniform(0.3, 0.8))
        y = 0.0
        segs = []
        nseg = rng.integer(1, 3)
        for k in range(nseg):
            y1 = Ht if k == nseg - 1 else y + (Ht - y) * rng.uniform(0.4, 0.75)
            rm.box(tx - w / 2, tx + w / 2, y, y1, tz - w / 2, tz + w / 2, glass, bias=-k)
            fl = w / rng.uniform(4.0, 10.0)
            xs_ = tx - w / 2 - 0.1 if cam.x < tx - w / 2 else tx + w / 2 + 0.1
            for yy in np.arange(y + fl, y1, fl * rng.uniform(1.0, 2.0)).tolist():
                segs.append(((tx - w / 2, yy, tz - w / 2 - 0.1), (tx + w / 2, yy, tz - w / 2 - 0.1)))
                segs.append(((xs_, yy, tz - w / 2), (xs_, yy, tz + w / 2)))
            y = y1
            w *= rng.uniform(0.6, 0.85)
        rm.lines3(segs, w * 0.01 + 0.1, mul(glass, 0.5), bias=-5.0)
    elif kind == "clock":
        tw = Ht * rng.uniform(0.12, 0.2)
        rm.boxc(tx, tz, tw, tw, 0.0, Ht, col)
        pyramid(rm, tx, tz, tw * 0.75, Ht, Ht + tw * rng.uniform(0.8, 2.5), 4, roof_color(rng), rot=math.pi / 4)
        rm.boxc(tx, tz, tw * 1.1, tw * 1.1, Ht - tw * 0.1, Ht, mul(col, 0.8), bias=-0.5)
        cy = Ht - tw * 0.7
        zf = tz - tw / 2
        circle_z(rm, tx, cy, zf - 0.1, tw * 0.36, rm.shade(mul(col, 0.5), 4), tkey - 1.0)
        circle_z(rm, tx, cy, zf - 0.15, tw * 0.32, rm.shade((235.0, 232.0, 220.0), 4), tkey - 1.1)
        a1, a2 = rng.uniform(0, 2 * math.pi), rng.uniform(0, 2 * math.pi)
        rm.lines3(
            [((tx, cy, zf - 0.2), (tx + tw * 0.25 * math.cos(a1), cy + tw * 0.25 * math.sin(a1), zf - 0.2)),
             ((tx, cy, zf - 0.2), (tx + tw * 0.17 * math.cos(a2), cy + tw * 0.17 * math.sin(a2), zf - 0.2))],
            tw * 0.02,
            (20.0, 20.0, 20.0),
            bias=-1.2,
        )
        dark = mul(col, 0.25)
        for j in range(rng.integer(1, 3)):
            y = Ht * (0.2 + 0.5 * j / 3)
            facade_arch(rm, ("z", zf), tx, tw * 0.2, y, y + tw * 0.35, tw * 0.1, dark, tkey - 0.5, n=4)
    else:  # lighthouse
        r = Ht * rng.uniform(0.08, 0.12)
        c2 = any_color(rng, 0.5, 0.9, 0.4, 0.8)
        nb = rng.integer(3, 5)
        for k in range(nb):
            y0, y1 = Ht * 0.85 * k / nb, Ht * 0.85 * (k + 1) / nb
            r0 = r * (1 - 0.35 * k / nb)
            r1 = r * (1 - 0.35 * (k + 1) / nb)
            prism(rm, tx, tz, r0, r1, y0, y1, 10, col if k % 2 == 0 else c2)
        rl = r * 0.65
        prism(rm, tx, tz, rl * 0.9, rl * 0.9, Ht * 0.85, Ht * 0.95, 10, (240.0, 230.0, 180.0))
        pyramid(rm, tx, tz, rl, Ht * 0.95, Ht * 1.02, 10, (40.0, 40.0, 40.0))
    # surroundings, all in front of the tower
    for _ in range(rng.integer(0, 5)):
        tree(rm, tx + rng.uniform(-1, 1) * D * 0.5, rng.uniform(D * 0.3, D * 0.8),
             rng.uniform(6.0, 14.0) * min(1.0, D / 60.0), rng)
    hs = min(1.0, D / 120.0)
    for _ in range(rng.integer(0, 3)):
        house(rm, tx + rng.uniform(-1, 1) * D * 0.6, rng.uniform(D * 0.45, D * 0.85), rng.uniform(8.0, 20.0) * hs,
              rng.uniform(8.0, 20.0) * hs, rng.uniform(5.0, 15.0) * hs, rng)
    rm.draw_objects(img)
    lx = float(np.clip(-rm.L[0], -1, 1))
    return img, (lx, -0.4)
