"""Indoor categories of public rooms: classroom, conference room and restaurant."""

from __future__ import annotations

from ..rng import Draws
from .colors import any_color, fabric_color, furniture_color, hsv, mul, wood_color
from .furniture import (
    bookcase,
    cabinet_run,
    ceiling_lights,
    chair,
    door,
    office_chair,
    pendant,
    picture,
    plant,
    round_table,
    shelf,
    side_windows,
    table,
    window,
    window_palette,
)
from .indoor import indoor_scene
from .room import Room


@indoor_scene(width=(7.0, 10.0), depth=(8.0, 12.0), height=(2.8, 3.4), camera_height=(1.3, 2.2), maybe_side_door=False)
def classroom(rm: Room, rng: Draws) -> None:
    """A board, windows on one side, a door and rows of desks with chairs."""
    RW, RD, RH = rm.RW, rm.RD, rm.RH
    # board on the front (back) wall
    bw = rng.uniform(2.5, min(5.0, RW - 1.5))
    bx = rng.uniform(-0.6, 0.6)
    by0 = rng.uniform(0.85, 1.0)
    by1 = by0 + rng.uniform(1.0, 1.3)
    kind = rng.random()
    if kind < 0.35:
        board = hsv(rng.uniform(0.3, 0.45), rng.uniform(0.3, 0.6), rng.uniform(0.2, 0.4))
        ink = (230.0, 230.0, 225.0)
    elif kind < 0.65:
        board = hsv(rng.random(), rng.uniform(0.0, 0.15), rng.uniform(0.08, 0.22))
        ink = (230.0, 230.0, 225.0)
    else:
        board = hsv(rng.random(), rng.uniform(0.0, 0.04), rng.uniform(0.88, 0.98))
        ink = hsv(rng.choice((0.0, 0.6, 0.33)), rng.uniform(0.5, 0.9), rng.uniform(0.3, 0.7))
    frame = (190.0, 190.0, 195.0) if rng.chance(0.6) else wood_color(rng)
    rm.wq("back", bx - bw / 2 - 0.05, bx + bw / 2 + 0.05, by0 - 0.05, by1 + 0.05, frame)
    rm.wq("back", bx - bw / 2, bx + bw / 2, by0, by1, board, off=0.003)
    rm.wq("back", bx - bw / 2, bx + bw / 2, by0 - 0.08, by0 - 0.05, frame, off=0.01)
    segs = []
    for _ in range(rng.integer(3, 9)):
        u = rng.uniform(bx - bw / 2 + 0.1, bx + bw / 2 - 0.6)
        v = rng.uniform(by0 + 0.1, by1 - 0.1)
        segs.append((u, v, u + rng.uniform(0.2, 0.9), v + rng.uniform(-0.05, 0.05)))
    rm.wlines("back", segs, ink, px=1, off=0.005)
    if rng.chance(0.5):  # clock
        rm.wcircle("back", bx + rng.uniform(-1, 1), min(by1 + 0.45, RH - 0.25), 0.17, (240, 240, 240), off=0.01)
    # windows along one side, door on the other
    win_wall = rm.light_side
    door_wall = "right" if win_wall == "left" else "left"
    side_windows(
        rm, win_wall, rng, rng.integer(2, 4), 0.5, RD - 0.5, rng.uniform(0.8, 1.0), rng.uniform(2.2, min(2.6, RH - 0.2))
    )
    door(
        rm,
        door_wall,
        RD - rng.uniform(1.5, 2.5),
        rng.uniform(0.9, 1.1),
        rng,
        furniture_color(rng),
        furniture_color(rng),
    )
    if rng.chance(0.6):
        for j in range(rng.integer(1, 3)):
            picture(
                rm,
                door_wall,
                rng.uniform(1.0, RD - 3.0),
                rng.uniform(1.4, 1.9),
                rng.uniform(0.5, 0.9),
                rng.uniform(0.6, 0.9),
                rng,
            )
    ceiling_lights(rm, rng, rng.integer(2, 3), rng.integer(2, 4), 1.0, RD - 0.5, (0.3, 1.2))
    # teacher's desk
    tcol = furniture_color(rng)
    tx = rng.uniform(-RW / 4, RW / 4)
    rm.boxc(tx, RD - 1.6, rng.uniform(1.2, 1.6), 0.7, 0, 0.76, tcol, shadow=True)
    # student desks in rows + chairs facing the board
    dcol = furniture_color(rng)
    ccol = furniture_color(rng) if rng.chance(0.7) else dcol
    leg = hsv(rng.random(), rng.uniform(0.0, 0.3), rng.uniform(0.1, 0.6))
    ncol = rng.integer(3, 5)
    nrow = min(rng.integer(3, 5), 16 // ncol)
    dw = rng.uniform(0.6, 1.2)
    zf = RD - rng.uniform(2.8, 3.5)
    dz = rng.uniform(0.95, 1.3)
    gap = (RW - 1.2) / ncol
    aisle_x = rng.uniform(-0.3, 0.3)
    for r in range(nrow):
        z = zf - r * dz
        if z < 0.9:
            break
        for c in range(ncol):
            x = -RW / 2 + 0.6 + gap * (c + 0.5) + aisle_x
            table(rm, x, z, min(dw, gap - 0.15), 0.5, 0.72, dcol, leg_col=leg, thick=0.04)
            chair(rm, x, z - 0.45, 0, ccol, rng, size=0.4, back_h=0.38, leg_col=leg)
    if rng.chance(0.5):
        bookcase(rm, door_wall, 0.5, rng.uniform(1.5, 3.0), rng, height=rng.uniform(0.9, 1.2), depth=0.4)


@indoor_scene(width=(4.5, 7.5), depth=(6.0, 10.0), height=(2.6, 3.2), maybe_side_door=False)
def conference_room(rm: Room, rng: Draws) -> None:
    """A screen, a glass wall or windows, and a long table with office chairs."""
    RW, RD, RH = rm.RW, rm.RD, rm.RH
    # screen or whiteboard on the back wall
    sw = rng.uniform(1.6, min(3.4, RW - 1.0))
    sh = sw * rng.uniform(0.5, 0.6)
    sx = rng.uniform(-0.4, 0.4)
    sy = rng.uniform(0.9, 1.15)
    rm.wq("back", sx - sw / 2 - 0.05, sx + sw / 2 + 0.05, sy - 0.05, sy + sh + 0.05, (30.0, 30.0, 32.0))
    bg = (
        hsv(rng.random(), rng.uniform(0.0, 0.5), rng.uniform(0.75, 1.0))
        if rng.chance(0.7)
        else hsv(rng.uniform(0.55, 0.7), rng.uniform(0.5, 0.9), rng.uniform(0.4, 0.8))
    )
    rm.wq("back", sx - sw / 2, sx + sw / 2, sy, sy + sh, bg, emissive=True, off=0.003)
    tb = any_color(rng, 0.3, 0.9, 0.3, 0.8)
    rm.wq("back", sx - sw / 2 + 0.1, sx + sw / 2 - 0.1, sy + sh * 0.8, sy + sh * 0.92, tb, emissive=True, off=0.005)
    nb = rng.integer(2, 5)
    for j in range(nb):
        u = sx - sw / 2 + 0.2 + (sw - 0.4) * j / nb
        rm.wq(
            "back",
            u,
            u + (sw - 0.4) / nb * 0.6,
            sy + 0.1,
            sy + 0.1 + sh * rng.uniform(0.15, 0.6),
            any_color(rng, 0.4, 0.9, 0.4, 0.9),
            emissive=True,
            off=0.005,
        )
    # glass wall or windows on the light side
    ws = rm.light_side
    other = "right" if ws == "left" else "left"
    if rng.chance(0.5):
        sky, outside, frame = window_palette(rng)
        window(
            rm,
            ws,
            0.2,
            RD - 0.3,
            0.1,
            RH - 0.15,
            rng,
            sky,
            outside,
            (70.0, 70.0, 75.0) if rng.chance(0.5) else frame,
            mull=True,
        )
    else:
        side_windows(
            rm,
            ws,
            rng,
            rng.integer(2, 3),
            0.4,
            RD - 0.4,
            rng.uniform(0.8, 1.0),
            rng.uniform(2.0, RH - 0.2),
            curtains=fabric_color(rng) if rng.chance(0.4) else None,
        )
    if rng.chance(0.6):
        door(rm, other, rng.uniform(0.5, 1.5), rng.uniform(0.9, 1.0), rng, furniture_color(rng), furniture_color(rng))
    for _ in range(rng.integer(0, 2)):
        picture(
            rm,
            other,
            rng.uniform(2.5, RD - 1.0),
            rng.uniform(1.4, 1.8),
            rng.uniform(0.6, 1.2),
            rng.uniform(0.5, 0.9),
            rng,
        )
    if rng.chance(0.6):
        ceiling_lights(rm, rng, rng.integer(1, 2), rng.integer(2, 4), 1.0, RD - 0.5, (0.6, 0.6))
    # long table with chairs
    tx = rng.uniform(-0.3, 0.3)
    tw = rng.uniform(1.1, 1.6)
    z0 = rng.uniform(1.3, 2.2)
    z1 = min(RD - 1.2, z0 + rng.uniform(3.0, 6.0))
    top = furniture_color(rng)
    th = 0.74
    rm.box(tx - tw / 2, tx + tw / 2, th - 0.05, th, z0, z1, top, shadow=True)
    base = mul(top, 0.7) if rng.chance(0.5) else (50.0, 50.0, 55.0)
    L = z1 - z0
    tkey = rm.cam.depth(tx, th - 0.025, (z0 + z1) / 2)
    for a, b in ((0.15, 0.4), (0.6, 0.85)):
        pz = z0 + L * (a + b) / 2
        rm.box(
            tx - tw * 0.2,
            tx + tw * 0.2,
            0.0,
            th - 0.05,
            z0 + L * a,
            z0 + L * b,
            base,
            bias=tkey + 0.05 - rm.cam.depth(tx, th / 2, pz),
        )
    ccol = furniture_color(rng) if rng.chance(0.6) else fabric_color(rng)
    n = max(2, int(L / rng.uniform(0.7, 1.0)))
    for j in range(n):
        z = z0 + L * (j + 0.5) / n
        for side, facing in ((-1, 2), (1, 3)):
            if rng.chance(0.9):
                cxp = tx + side * (tw / 2 + rng.uniform(0.2, 0.45))
                office_chair(rm, cxp, z + rng.uniform(-0.1, 0.1), facing, ccol, rng)
    if rng.chance(0.5) and z1 < RD - 1.0:
        office_chair(rm, tx, z1 + 0.45, 1, ccol, rng)
    # laptops / papers on table
    for _ in range(rng.integer(0, 4)):
        x = tx + rng.choice((-1, 1)) * tw * 0.3
        z = rng.uniform(z0 + 0.3, z1 - 0.3)
        rm.boxc(x, z, 0.3, 0.22, th, th + 0.02, any_color(rng, 0.0, 0.2, 0.3, 1.0), bias=-0.05)
    if rng.chance(0.6):
        plant(rm, rng.choice((-1, 1)) * (RW / 2 - 0.35), RD - 0.4, rng)
    if rng.chance(0.4):
        cabinet_run(
            rm,
            other,
            RD - 3.0,
            RD - 0.6,
            rng,
            furniture_color(rng),
            furniture_color(rng),
            0.0,
            0.75,
            0.45,
            top_thick=0.03,
        )


@indoor_scene(width=(7.0, 12.0), depth=(8.0, 13.0), height=(2.8, 3.8), camera_height=(1.3, 2.2), wall_texture_p=0.55)
def restaurant(rm: Room, rng: Draws) -> None:
    """Maybe a bar with bottle shelves, and a grid of tables with chairs."""
    RW, RD, RH = rm.RW, rm.RD, rm.RH
    ws = rm.light_side
    other = "right" if ws == "left" else "left"
    xl, xr = -RW / 2, RW / 2
    # bar along one wall with bottle shelves behind
    bar = rng.chance(0.6)
    bar_wall = rng.choice(("back", other))
    if bar:
        bc = furniture_color(rng)
        btop = furniture_color(rng)
        if bar_wall == "back":
            u0, u1 = rng.uniform(xl + 0.5, xl + 2.0), rng.uniform(xr - 2.0, xr - 0.5)
            rm.box(u0, u1, 0.0, 1.05, RD - 1.6, RD - 1.0, bc, shadow=True)
            rm.box(u0 - 0.05, u1 + 0.05, 1.05, 1.1, RD - 1.65, RD - 0.95, btop)
            xlim = (xl, xr)
            zlim = (1.0, RD - 2.4)
        else:
            u0, u1 = rng.uniform(2.0, 4.0), RD - 0.3
            x = xl + 1.0 if bar_wall == "left" else xr - 1.6
            rm.box(x, x + 0.6, 0.0, 1.05, u0, u1, bc, shadow=True)
            rm.box(x - 0.05, x + 0.65, 1.05, 1.1, u0 - 0.05, u1 + 0.05, btop)
            xlim = (xl + 2.0, xr) if bar_wall == "left" else (xl, xr - 2.0)
            zlim = (1.0, RD - 0.8)
        for v in (1.3, 1.75):
            shelf(rm, bar_wall, u0 + 0.1, u1 - 0.1, v, rng, books=False, depth=0.22)
            u = u0 + 0.15
            segs = []
            while u < u1 - 0.15:
                segs.append(u)
                u += rng.uniform(0.25, 0.45)
            bcols = [any_color(rng, 0.3, 0.9, 0.15, 0.7) for _ in range(4)]
            for j, u in enumerate(segs):
                rm.wq(bar_wall, u, u + 0.06, v, v + rng.uniform(0.2, 0.3), bcols[j % 4], off=0.1)
    else:
        xlim = (xl, xr)
        zlim = (1.0, RD - 0.8)
        for _ in range(rng.integer(1, 3)):
            picture(
                rm,
                "back",
                rng.uniform(xl + 1, xr - 1),
                rng.uniform(1.5, 2.0),
                rng.uniform(0.6, 1.2),
                rng.uniform(0.5, 0.9),
                rng,
            )
    # tables
    tcol = furniture_color(rng)
    cloth = hsv(rng.random(), rng.uniform(0.0, 0.6), rng.uniform(0.6, 1.0)) if rng.chance(0.35) else None
    ccol = furniture_color(rng)
    round_t = rng.chance(0.5)
    nx, nz = rng.choice(((2, 2), (2, 3), (3, 2), (3, 3), (3, 3), (4, 2), (2, 4), (3, 3)))
    sx = (xlim[1] - xlim[0] - 1.2) / nx
    sz = (zlim[1] - zlim[0]) / nz
    lamps = rng.chance(0.5)
    lcol = any_color(rng, 0.0, 0.7, 0.3, 1.0)
    for i in range(nx):
        for j in range(nz):
            cx = xlim[0] + 0.6 + sx * (i + 0.5) + rng.uniform(-0.15, 0.15) * sx
            cz = zlim[0] + sz * (j + 0.5) + rng.uniform(-0.1, 0.1) * sz
            if cz < 1.2:
                continue
            tsz = rng.uniform(0.6, 0.85)
            top = cloth or tcol
            if round_t:
                round_table(rm, cx, cz, tsz / 2, 0.75, top, rng)
            else:
                table(rm, cx, cz, tsz, tsz, 0.75, top, legs=cloth is None)
                if cloth is not None:
                    rm.boxc(cx, cz, tsz + 0.06, tsz + 0.06, 0.55, 0.71, cloth)
            nch = rng.choice((2, 2, 3, 4)) if nx * nz < 8 else rng.choice((2, 2, 3))
            for k, (dx, dz, fc) in enumerate(((0, -1, 0), (0, 1, 1), (-1, 0, 2), (1, 0, 3))):
                if k < nch:
                    chair(
                        rm, cx + dx * (tsz / 2 + 0.22), cz + dz * (tsz / 2 + 0.22), fc, ccol, rng, size=0.4, back_h=0.4
                    )
            if lamps:
                pendant(rm, cx, cz, RH - rng.uniform(0.8, 1.3), rng, col=lcol)
    side_windows(
        rm,
        ws,
        rng,
        rng.integer(2, 4),
        0.6,
        RD - 0.5,
        rng.uniform(0.5, 0.9),
        rng.uniform(2.1, RH - 0.2),
        fabric_color(rng) if rng.chance(0.3) else None,
    )
    if not lamps and rng.chance(0.7):
        ceiling_lights(rm, rng, rng.integer(2, 3), rng.integer(2, 4), 1.0, RD - 0.5, (0.25, 0.25))
    if rng.chance(0.5):
        plant(rm, rng.choice((-1, 1)) * (RW / 2 - 0.35), rng.uniform(1.5, RD - 1), rng)
