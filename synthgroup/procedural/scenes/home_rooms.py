"""Indoor categories of homes: bedroom, dining room, kitchen and living room."""

from __future__ import annotations

import math

import numpy as np

from ..rng import Draws
from .colors import any_color, fabric_color, furniture_color, hsv, mul
from .furniture import (
    bed,
    bookcase,
    cabinet_run,
    chair,
    lamp,
    lamp_shade,
    pendant,
    picture,
    plant,
    round_table,
    rug,
    side_windows,
    sofa,
    table,
    window,
    window_palette,
)
from .indoor import indoor_scene
from .room import Room


@indoor_scene(width=(3.8, 5.5), depth=(4.0, 6.0), height=(2.5, 3.0))
def bedroom(rm: Room, rng: Draws) -> None:
    """A bed against the back or a side wall, night stands, wardrobe, windows."""
    RW, RD, RH = rm.RW, rm.RD, rm.RH
    width = rng.uniform(1.4, 1.9)
    length = rng.uniform(1.95, 2.15)
    ws = rm.light_side
    other = "right" if ws == "left" else "left"
    curt = fabric_color(rng) if rng.chance(0.7) else None
    if rng.chance(0.55):
        # head against the back wall, bed extends toward the camera
        cx = rng.uniform(-RW / 2 + width / 2 + 0.6, RW / 2 - width / 2 - 0.6)
        bed(rm, cx, RD, 1, width, length, rng)
        for side in (-1, 1):
            if rng.chance(0.8):
                nx = cx + side * (width / 2 + 0.32)
                nc = furniture_color(rng)
                rm.boxc(nx, RD - 0.25, 0.45, 0.4, 0.0, 0.55, nc, shadow=True)
                if rng.chance(0.8):
                    lamp(rm, nx, 0.55, RD - 0.25, rng)
        picture(
            rm,
            "back",
            cx + rng.uniform(-0.2, 0.2),
            rng.uniform(1.5, 1.8),
            rng.uniform(0.6, 1.4),
            rng.uniform(0.4, 0.8),
            rng,
        )
        rug(rm, cx - width / 2 - 0.6, cx + width / 2 + 0.6, RD - length - 0.9, RD - length * 0.4, rng)
        side_windows(
            rm, ws, rng, rng.integer(1, 2), 0.8, RD - 0.5, rng.uniform(0.8, 1.0), rng.uniform(2.0, RH - 0.25), curt
        )
        if rng.chance(0.7):
            u0 = rng.uniform(0.8, max(0.9, RD - 3.5))
            cabinet_run(
                rm,
                other,
                u0,
                u0 + rng.uniform(1.0, 2.0),
                rng,
                furniture_color(rng),
                None,
                0.0,
                rng.uniform(1.8, 2.2),
                0.6,
            )
    else:
        # head against a side wall, bed extends across the room
        hw = rng.choice(("left", "right"))
        cz = rng.uniform(max(2.5, RD - 3.5), RD - width / 2 - 0.6)
        if hw == "left":
            bed(rm, -RW / 2, cz, 2, width, length, rng)
        else:
            bed(rm, RW / 2, cz, 3, width, length, rng)
        xw = -RW / 2 + 0.25 if hw == "left" else RW / 2 - 0.25
        for side in (-1, 1):
            if rng.chance(0.8):
                nz = cz + side * (width / 2 + 0.3)
                rm.boxc(xw, nz, 0.4, 0.45, 0.0, 0.55, furniture_color(rng), shadow=True)
                if rng.chance(0.7):
                    lamp(rm, xw, 0.55, nz, rng)
        picture(rm, hw, cz, rng.uniform(1.5, 1.8), rng.uniform(0.6, 1.4), rng.uniform(0.4, 0.8), rng)
        sky, outside, frame = window_palette(rng)
        wx = rng.uniform(-RW / 4, RW / 4)
        window(
            rm,
            "back",
            wx - 0.7,
            wx + 0.7,
            rng.uniform(0.8, 1.0),
            rng.uniform(2.0, RH - 0.25),
            rng,
            sky,
            outside,
            frame,
            curt,
        )
        ow = "right" if hw == "left" else "left"
        if rng.chance(0.7):
            cabinet_run(rm, ow, RD - 2.2, RD - 0.3, rng, furniture_color(rng), None, 0.0, rng.uniform(1.8, 2.2), 0.6)
        else:
            cabinet_run(
                rm,
                ow,
                RD - 1.8,
                RD - 0.5,
                rng,
                furniture_color(rng),
                furniture_color(rng),
                0.0,
                0.8,
                0.45,
                top_thick=0.03,
            )
    if rng.chance(0.4):
        plant(rm, rng.choice((-1, 1)) * (RW / 2 - 0.3), rng.uniform(1.0, 2.0), rng)


@indoor_scene(width=(4.0, 6.5), depth=(4.5, 7.5), height=(2.6, 3.3))
def dining_room(rm: Room, rng: Draws) -> None:
    """A rectangular or round dining table with chairs, a pendant, a sideboard."""
    RW, RD, RH = rm.RW, rm.RD, rm.RH
    ws = rm.light_side
    other = "right" if ws == "left" else "left"
    tcol = furniture_color(rng)
    ccol = furniture_color(rng) if rng.chance(0.5) else tcol
    cz = rng.uniform(2.6, max(2.7, RD - 1.8))
    cx = rng.uniform(-0.4, 0.4)
    h = 0.75
    cloth = fabric_color(rng) if rng.chance(0.3) else None
    back_h = rng.uniform(0.45, 0.6)
    if rng.chance(0.6):
        tw = rng.uniform(0.9, 1.1)
        tl = rng.uniform(1.4, 2.4)
        along_z = rng.chance(0.5)
        w, d = (tw, tl) if along_z else (tl, tw)
        rug(rm, cx - w / 2 - 0.9, cx + w / 2 + 0.9, cz - d / 2 - 0.9, cz + d / 2 + 0.9, rng) if rng.chance(
            0.6
        ) else None
        table(rm, cx, cz, w, d, h, cloth or tcol, legs=cloth is None)
        if cloth is not None:
            rm.boxc(cx, cz, w + 0.04, d + 0.04, h - 0.3, h - 0.04, cloth)
        nl = max(1, int(round((tl - 0.2) / 0.6)))
        for j in range(nl):
            t = (j + 0.5) / nl - 0.5
            if along_z:
                chair(rm, cx - tw / 2 - 0.2, cz + t * tl, 2, ccol, rng, back_h=back_h)
                chair(rm, cx + tw / 2 + 0.2, cz + t * tl, 3, ccol, rng, back_h=back_h)
            else:
                chair(rm, cx + t * tl, cz - tw / 2 - 0.2, 0, ccol, rng, back_h=back_h)
                chair(rm, cx + t * tl, cz + tw / 2 + 0.2, 1, ccol, rng, back_h=back_h)
        if rng.chance(0.7):
            if along_z:
                chair(rm, cx, cz + tl / 2 + 0.25, 1, ccol, rng, back_h=back_h)
            else:
                chair(rm, cx - tl / 2 - 0.25, cz, 2, ccol, rng, back_h=back_h)
                chair(rm, cx + tl / 2 + 0.25, cz, 3, ccol, rng, back_h=back_h)
        plates = [(cx + rng.uniform(-w / 3, w / 3), cz + rng.uniform(-d / 3, d / 3)) for _ in range(rng.integer(0, 5))]
    else:
        r = rng.uniform(0.5, 0.75)
        if rng.chance(0.6):
            rug(rm, cx - r - 0.9, cx + r + 0.9, cz - r - 0.9, cz + r + 0.9, rng)
        round_table(rm, cx, cz, r, h, cloth or tcol, rng)
        n = rng.integer(3, 6)
        a0 = rng.uniform(0, 2 * math.pi)
        for j in range(n):
            a = a0 + 2 * math.pi * j / n
            px, pz = cx + (r + 0.2) * math.cos(a), cz + (r + 0.2) * math.sin(a)
            dx, dz = cx - px, cz - pz
            facing = (0 if dz > 0 else 1) if abs(dz) > abs(dx) else (2 if dx > 0 else 3)
            chair(rm, px, pz, facing, ccol, rng, back_h=back_h)
        plates = [(cx + rng.uniform(-r / 2, r / 2), cz + rng.uniform(-r / 2, r / 2)) for _ in range(rng.integer(0, 4))]
    pc = hsv(rng.random(), rng.uniform(0.0, 0.15), rng.uniform(0.85, 1.0))
    for px, pz in plates:
        rm.disc(px, h + 0.005, pz, 0.12, pc, bias=-0.1)
    # chandelier / pendant
    if rng.chance(0.8):
        pendant(rm, cx, cz, rng.uniform(1.5, 1.9), rng)
    # sideboard, pictures, window
    sw_wall = rng.choice(("back", other))
    if sw_wall == "back":
        u = rng.uniform(-RW / 4, RW / 4)
        cabinet_run(
            rm,
            "back",
            u - 0.8,
            u + 0.8,
            rng,
            furniture_color(rng),
            furniture_color(rng),
            0.0,
            0.8,
            0.45,
            top_thick=0.03,
        )
        picture(rm, "back", u, rng.uniform(1.5, 1.9), rng.uniform(0.6, 1.4), rng.uniform(0.5, 0.9), rng)
    else:
        u = rng.uniform(2.0, RD - 1.2)
        cabinet_run(
            rm, other, u - 0.8, u + 0.8, rng, furniture_color(rng), furniture_color(rng), 0.0, 0.8, 0.45, top_thick=0.03
        )
        picture(rm, other, u, rng.uniform(1.5, 1.9), rng.uniform(0.6, 1.2), rng.uniform(0.5, 0.9), rng)
    side_windows(
        rm,
        ws,
        rng,
        rng.integer(1, 3),
        0.8,
        RD - 0.4,
        rng.uniform(0.7, 1.0),
        rng.uniform(2.0, RH - 0.25),
        fabric_color(rng) if rng.chance(0.6) else None,
    )
    if rng.chance(0.5):
        plant(rm, rng.choice((-1, 1)) * (RW / 2 - 0.35), RD - 0.4, rng)


@indoor_scene(width=(3.6, 5.5), depth=(3.8, 6.0), height=(2.5, 3.0))
def kitchen(rm: Room, rng: Draws) -> None:
    """Cabinet runs with a fridge, stove, hood and sink; maybe an island with stools."""
    RW, RD, RH = rm.RW, rm.RD, rm.RH
    body = furniture_color(rng)
    top = hsv(rng.random(), rng.uniform(0.0, 0.2), rng.uniform(0.1, 0.95))
    upper = body if rng.chance(0.6) else furniture_color(rng)
    ch = 0.88
    fr_w = rng.uniform(0.7, 0.85)
    fr_side = rng.choice((-1, 1))
    fr_col = hsv(rng.random(), rng.uniform(0.0, 0.08), rng.uniform(0.55, 0.95))
    xl, xr = -RW / 2, RW / 2
    # back run (fridge at one end)
    if fr_side < 0:
        fx0, fx1 = xl + 0.02, xl + 0.02 + fr_w
        ru0, ru1 = fx1 + 0.02, xr
    else:
        fx0, fx1 = xr - 0.02 - fr_w, xr - 0.02
        ru0, ru1 = xl, fx0 - 0.02
    fh = rng.uniform(1.75, 2.0)
    rm.box(fx0, fx1, 0.0, fh, RD - 0.7, RD, fr_col, shadow=True)
    hx = fx1 - 0.08 if fr_side < 0 else fx0 + 0.08
    rm.lines3(
        [
            ((fx0, fh * 0.62, RD - 0.705), (fx1, fh * 0.62, RD - 0.705)),
            ((hx, fh * 0.68, RD - 0.72), (hx, fh * 0.9, RD - 0.72)),
            ((hx, fh * 0.3, RD - 0.72), (hx, fh * 0.55, RD - 0.72)),
        ],
        0.015,
        mul(fr_col, 0.5),
        bias=-0.1,
    )
    cabinet_run(rm, "back", ru0, ru1, rng, body, top, 0.0, ch, 0.6, top_thick=0.04)
    # backsplash with tile lines
    bs = any_color(rng, 0.0, 0.4, 0.5, 0.95)
    rm.wq("back", ru0, ru1, ch + 0.04, 1.45, bs, off=0.002)
    if rng.chance(0.7):
        tw = rng.uniform(0.1, 0.2)
        segs = [(ru0, v, ru1, v) for v in np.arange(ch + 0.04 + tw, 1.45, tw).tolist()]
        segs += [(u, ch + 0.04, u, 1.45) for u in np.arange(ru0 + tw, ru1, tw * rng.uniform(1.0, 2.0)).tolist()]
        rm.wlines("back", segs, mul(bs, 0.8), px=1, off=0.003)
    # stove + hood, sink + window above
    span = ru1 - ru0
    su = ru0 + span * rng.uniform(0.2, 0.4)
    ku = ru0 + span * rng.uniform(0.6, 0.8)
    if rng.chance(0.5):
        su, ku = ku, su
    zt = RD - 0.6
    ytop = ch + 0.04 + 0.002
    rm.poly3(
        [(ku - 0.3, ytop, zt), (ku + 0.3, ytop, zt), (ku + 0.3, ytop, RD - 0.05), (ku - 0.3, ytop, RD - 0.05)],
        rm.shade((35.0, 35.0, 38.0), 3),
        key=rm.cam.depth(ku, ytop, zt + 0.3) - 0.2,
    )
    for bx, bz in ((-0.14, 0.15), (0.14, 0.15), (-0.14, 0.42), (0.14, 0.42)):
        rm.disc(ku + bx, ytop + 0.002, zt + bz, 0.07, (70.0, 70.0, 72.0), bias=-0.25)
    rm.poly3(
        [
            (ku - 0.28, 0.12, zt - 0.003),
            (ku + 0.28, 0.12, zt - 0.003),
            (ku + 0.28, 0.7, zt - 0.003),
            (ku - 0.28, 0.7, zt - 0.003),
        ],
        rm.shade((30.0, 30.0, 32.0), 4),
        key=rm.cam.depth(ku, 0.4, zt) - 0.2,
    )
    hood = fr_col if rng.chance(0.5) else upper
    rm.box(ku - 0.35, ku + 0.35, 1.6, 1.75, RD - 0.5, RD, hood)
    rm.box(ku - 0.12, ku + 0.12, 1.75, RH, RD - 0.3, RD, hood)
    rm.poly3(
        [
            (su - 0.3, ytop, zt + 0.08),
            (su + 0.3, ytop, zt + 0.08),
            (su + 0.3, ytop, RD - 0.1),
            (su - 0.3, ytop, RD - 0.1),
        ],
        rm.shade((150.0, 152.0, 155.0), 3),
        key=rm.cam.depth(su, ytop, zt + 0.3) - 0.2,
    )
    rm.line3((su, ytop, RD - 0.08), (su, ytop + 0.3, RD - 0.08), 0.02, (170.0, 170.0, 175.0), bias=-0.3)
    sky, outside, frame = window_palette(rng)
    win = rng.chance(0.6)
    if win:
        window(rm, "back", su - 0.5, su + 0.5, 1.5, min(2.3, RH - 0.2), rng, sky, outside, frame)
    # upper cabinets on the back wall, skipping the window / hood
    gaps = sorted([(ku - 0.4, ku + 0.4)] + ([(su - 0.6, su + 0.6)] if win else []))
    u = ru0
    for g0, g1 in gaps + [(ru1, ru1)]:
        if g0 - u > 0.3:
            cabinet_run(rm, "back", u, g0, rng, upper, None, 1.5, min(2.25, RH - 0.1), 0.35)
        u = max(u, g1)
    # side run
    side = rng.choice(("left", "right"))
    if rng.chance(0.75):
        z1 = RD - 0.6
        z0 = max(1.0, z1 - rng.uniform(1.5, 3.5))
        cabinet_run(rm, side, z0, z1, rng, body, top, 0.0, ch, 0.6, top_thick=0.04)
        if rng.chance(0.7):
            cabinet_run(rm, side, z0, z1 - 0.3, rng, upper, None, 1.5, min(2.25, RH - 0.1), 0.35)
    other = "right" if side == "left" else "left"
    if rng.chance(0.6):
        side_windows(rm, other, rng, 1, 1.0, RD - 1.0, 0.95, rng.uniform(1.9, RH - 0.25))
    # island with stools
    if rng.chance(0.5) and RD > 4.2:
        iw, idp = rng.uniform(1.2, 2.0), rng.uniform(0.7, 1.0)
        iz = RD - rng.uniform(2.3, 2.8)
        ix = rng.uniform(-0.4, 0.4)
        rm.boxc(ix, iz, iw, idp, 0.0, ch, body, shadow=True)
        rm.boxc(ix, iz, iw + 0.1, idp + 0.1, ch, ch + 0.04, top)
        sc = furniture_color(rng)
        for j in range(rng.integer(2, 3)):
            sx = ix - iw / 2 + iw * (j + 0.5) / 3
            sz = iz - idp / 2 - 0.35
            rm.disc(sx, 0.7, sz, 0.18, sc)
            rm.line3((sx, 0.7, sz), (sx, 0.0, sz), 0.03, (60.0, 60.0, 60.0), bias=0.05)
        if rng.chance(0.7):
            for j in range(2):
                pendant(rm, ix + (j - 0.5) * iw * 0.5, iz, rng.uniform(1.6, 1.9), rng)
    elif rng.chance(0.5):
        table(rm, rng.uniform(-0.5, 0.5), RD - rng.uniform(2.5, 3.0), 1.0, 0.8, 0.75, furniture_color(rng))


@indoor_scene(width=(4.5, 7.0), depth=(5.0, 8.0), height=(2.5, 3.2))
def living_room(rm: Room, rng: Draws) -> None:
    """A sofa, a coffee table, a TV on its cabinet, lamps and shelves."""
    RW, RD, RH = rm.RW, rm.RD, rm.RH
    ws = rm.light_side
    other = "right" if ws == "left" else "left"
    scol = fabric_color(rng)
    tv_col = (18.0, 18.0, 22.0)
    screen = (
        hsv(rng.uniform(0.5, 0.7), rng.uniform(0.2, 0.6), rng.uniform(0.1, 0.35))
        if rng.chance(0.6)
        else any_color(rng, 0.2, 0.8, 0.4, 0.9)
    )
    if rng.chance(0.5):
        # TV on the back wall, sofa along a side wall facing across
        tx = rng.uniform(-RW / 5, RW / 5)
        cw = rng.uniform(1.4, 2.2)
        cabinet_run(
            rm,
            "back",
            tx - cw / 2,
            tx + cw / 2,
            rng,
            furniture_color(rng),
            furniture_color(rng),
            0.0,
            rng.uniform(0.4, 0.55),
            0.42,
            top_thick=0.02,
        )
        tw = rng.uniform(1.0, 1.5)
        ty = rng.uniform(0.75, 1.0)
        rm.wq("back", tx - tw / 2, tx + tw / 2, ty, ty + tw * 0.56, tv_col, off=0.02)
        rm.wq(
            "back",
            tx - tw / 2 + 0.03,
            tx + tw / 2 - 0.03,
            ty + 0.03,
            ty + tw * 0.56 - 0.03,
            screen,
            emissive=True,
            off=0.025,
        )
        sw = rng.choice(("left", "right"))
        sz = rng.uniform(2.0, max(2.1, RD - 2.2))
        sl = rng.uniform(1.8, 2.6)
        if sw == "left":
            sofa(rm, -RW / 2 + 0.5, sz, sl, 2, scol, rng)
        else:
            sofa(rm, RW / 2 - 0.5, sz, sl, 3, scol, rng)
        picture(rm, sw, sz, rng.uniform(1.5, 1.8), rng.uniform(0.8, 1.6), rng.uniform(0.5, 0.8), rng)
        ctx, ctz = rng.uniform(-0.4, 0.4), sz
        rug(
            rm,
            ctx - rng.uniform(1.0, 1.5),
            ctx + rng.uniform(1.0, 1.5),
            ctz - rng.uniform(1.0, 1.4),
            ctz + rng.uniform(1.0, 1.4),
            rng,
        )
        table(
            rm,
            ctx,
            ctz,
            rng.uniform(0.6, 0.9),
            rng.uniform(0.9, 1.3),
            rng.uniform(0.38, 0.45),
            furniture_color(rng),
            legs=rng.chance(0.5),
        )
        if rng.chance(0.6):
            ow = "right" if sw == "left" else "left"
            ax = -RW / 2 + 0.5 if ow == "left" else RW / 2 - 0.5
            sofa(
                rm,
                ax,
                sz + rng.uniform(-0.5, 0.5),
                rng.uniform(0.8, 1.0),
                2 if ow == "left" else 3,
                fabric_color(rng) if rng.chance(0.5) else scol,
                rng,
            )
    else:
        # sofa against the back wall facing the camera
        sx = rng.uniform(-RW / 5, RW / 5)
        sl = rng.uniform(1.8, 2.8)
        sofa(rm, sx, RD - 0.5, sl, 1, scol, rng)
        picture(rm, "back", sx, rng.uniform(1.4, 1.8), rng.uniform(0.8, 1.6), rng.uniform(0.5, 0.8), rng)
        cz = RD - rng.uniform(1.6, 2.0)
        rug(
            rm,
            sx - rng.uniform(1.0, 1.6),
            sx + rng.uniform(1.0, 1.6),
            cz - rng.uniform(0.8, 1.2),
            cz + rng.uniform(0.8, 1.2),
            rng,
        )
        table(
            rm,
            sx,
            cz,
            rng.uniform(0.9, 1.3),
            rng.uniform(0.5, 0.7),
            rng.uniform(0.38, 0.45),
            furniture_color(rng),
            legs=rng.chance(0.5),
        )
        tvw = rng.choice(("left", "right"))
        tz = cz + rng.uniform(-0.4, 0.4)
        cabinet_run(
            rm,
            tvw,
            tz - 0.8,
            tz + 0.8,
            rng,
            furniture_color(rng),
            furniture_color(rng),
            0.0,
            rng.uniform(0.4, 0.55),
            0.42,
            top_thick=0.02,
        )
        tw = rng.uniform(1.0, 1.4)
        ty = rng.uniform(0.75, 1.0)
        rm.wq(tvw, tz - tw / 2, tz + tw / 2, ty, ty + tw * 0.56, tv_col, off=0.02)
        rm.wq(
            tvw,
            tz - tw / 2 + 0.03,
            tz + tw / 2 - 0.03,
            ty + 0.03,
            ty + tw * 0.56 - 0.03,
            screen,
            emissive=True,
            off=0.025,
        )
        if rng.chance(0.6):
            sofa(
                rm,
                sx + rng.choice((-1, 1)) * rng.uniform(1.0, 1.6),
                cz - rng.uniform(1.2, 1.8),
                rng.uniform(0.8, 1.0),
                0,
                fabric_color(rng) if rng.chance(0.5) else scol,
                rng,
            )
    if rng.chance(0.6):
        x = rng.choice((-1, 1)) * (RW / 2 - 0.4)
        z = RD - rng.uniform(0.4, 1.0)
        rm.line3((x, 0.0, z), (x, 1.5, z), 0.03, (50.0, 50.0, 50.0))
        lamp_shade(rm, x, 1.45, z, rng, w=0.45, h=0.35)
    side_windows(
        rm,
        ws,
        rng,
        rng.integer(1, 2),
        0.8,
        RD - 0.5,
        rng.uniform(0.5, 0.9),
        rng.uniform(2.0, RH - 0.2),
        fabric_color(rng) if rng.chance(0.7) else None,
    )
    if rng.chance(0.5):
        bookcase(rm, other, rng.uniform(0.5, 1.5), rng.uniform(2.0, 2.6), rng)
    if rng.chance(0.5):
        plant(rm, rng.choice((-1, 1)) * (RW / 2 - 0.35), RD - 0.4, rng)
