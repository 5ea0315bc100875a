"""The seven indoor categories: a room kind (size ranges, camera) and how it is furnished.

Each category is a furnishing function wrapped by ``@indoor_scene(...)``; the result is called
like every entry of ``SCENES``: ``scene(rng, H, W) -> (image, light_xy)``. The scene draws the
room's paint, floor and wall finishes and maybe a side door, lets the category furnish it, then
renders it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..rng import Draws
from .colors import any_color, fabric_color, furniture_color, hsv, mul, wall_color, wood_color
from .furniture import (baseboard, bed, bookcase, cabinet_run, ceiling_lights, chair, door, lamp, lamp_shade,
                        maybe_door, office_chair, pendant, picture, plant, round_table, rug, shelf, side_windows,
                        sofa, table, wall_texture, window, window_palette)
from .geometry import Camera
from .room import Room


@dataclass(frozen=True)
class RoomScene:
    """An indoor category: its room's size ranges (metres) and the function that furnishes it.

    Calling it draws the scene, like every entry of ``SCENES``: ``scene(rng, H, W)`` returns the
    image and the screen-space light direction for ``postprocess.finish``.
    """

    furnish: Callable[[Room, Draws], None]
    width: tuple[float, float]
    depth: tuple[float, float]
    height: tuple[float, float]
    camera_height: tuple[float, float] = (1.1, 1.9)
    wall_texture_p: float = 0.25  # chance of brick / panels / wainscot / stripes per wall
    maybe_side_door: bool = True  # False where the furnishing places its own door

    def __call__(self, rng: Draws, H: int, W: int) -> tuple[np.ndarray, tuple[float, float]]:
        rm = make_room(self, rng, H, W)
        base = wall_color(rng)
        accent = wall_color(rng) if rng.chance(0.35) else base
        rm.wall_cols = wc = {"back": accent, "left": base, "right": base}
        ceil = hsv(rng.uniform(0.05, 0.6), rng.uniform(0.0, 0.08), rng.uniform(0.8, 0.97))
        fk = rng.random()
        if fk < 0.4:
            kind, fcol, scale = 0, wood_color(rng), 32.0 / rng.uniform(0.1, 0.22)
        elif fk < 0.6:
            kind, fcol, scale = 1, any_color(rng, 0.0, 0.4, 0.35, 0.9), 32.0 / rng.uniform(0.3, 0.6)
        elif fk < 0.7:
            kind, fcol, scale = 2, any_color(rng, 0.0, 0.4, 0.35, 0.8), 32.0 / rng.uniform(0.3, 0.5)
        elif fk < 0.88:
            kind, fcol, scale = 3, fabric_color(rng), 256.0 / 2.0
        else:
            kind, fcol, scale = 4, hsv(rng.random(), rng.uniform(0.0, 0.1), rng.uniform(0.4, 0.8)), 256.0 / 3.0
        for wall in ("back", "left", "right"):
            if rng.chance(self.wall_texture_p):
                wall_texture(rm, wall, rng, rng.choice(("brick", "panel", "wainscot", "stripes")))
        if rng.chance(0.6):
            baseboard(rm, rng)
        if self.maybe_side_door:
            maybe_door(rm, rng)
        self.furnish(rm, rng)
        img = np.empty((H, W, 3), np.uint8)
        rm.render(img, fcol, wc, ceil, kind, scale, rng.chance(0.5))
        lx = -0.7 if rm.light_side == "left" else 0.7
        return img, (lx, -0.3)


def indoor_scene(**room) -> Callable[[Callable[[Room, Draws], None]], RoomScene]:
    """Decorator: ``@indoor_scene(width=..., depth=..., height=...)`` over a furnishing function
    makes it a ``RoomScene`` (the other ``RoomScene`` fields are accepted too)."""
    return lambda furnish: RoomScene(furnish, **room)


def make_room(scene: RoomScene, rng: Draws, H: int, W: int) -> Room:
    """An empty room of the scene's size, a camera inside it and one light (direction, colour)."""
    RW, RD, RH = rng.uniform(*scene.width), rng.uniform(*scene.depth), rng.uniform(*scene.height)
    cam_h = rng.uniform(*scene.camera_height)
    cx = rng.uniform(-0.25, 0.25) * RW / 2
    yaw = 0.0 if rng.chance(0.35) else rng.choice((-1, 1)) * math.radians(rng.uniform(6.0, 28.0))
    f = math.sqrt(H * W) * rng.uniform(0.5, 0.8)
    v0 = H * rng.uniform(0.36, 0.56)
    u0 = W * 0.5
    cam = Camera(cx, cam_h, 0.0, yaw, f, u0, v0)
    # global light: direction toward the light, colour temperature
    side = rng.choice((-1, 1))
    light_dir = (side * rng.uniform(0.2, 1.0), rng.uniform(0.5, 1.5), rng.uniform(-0.6, 0.6))
    temp = rng.uniform(-1.0, 1.0)  # -1 cool ... +1 warm
    light_col = (1.0 + 0.12 * temp, 1.0, 1.0 - 0.14 * temp)
    amb_col = (1.0 - 0.05 * temp, 1.0, 1.0 + 0.05 * temp)
    amb = rng.uniform(0.45, 0.72)
    return Room(rng, H, W, RW, RD, RH, cam, light_dir, amb, light_col, amb_col,
                light_side="left" if side < 0 else "right")


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
    win_wall, door_wall = rm.light_side, rm.dark_side
    side_windows(rm, win_wall, rng, rng.integer(2, 4), 0.5, RD - 0.5, rng.uniform(0.8, 1.0),
                 rng.uniform(2.2, min(2.6, RH - 0.2)))
    door(rm, door_wall, RD - rng.uniform(1.5, 2.5), rng.uniform(0.9, 1.1), rng, furniture_color(rng),
         furniture_color(rng))
    if rng.chance(0.6):
        for j in range(rng.integer(1, 3)):
            picture(rm, door_wall, rng.uniform(1.0, RD - 3.0), rng.uniform(1.4, 1.9), rng.uniform(0.5, 0.9),
                    rng.uniform(0.6, 0.9), rng)
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
    bg = (hsv(rng.random(), rng.uniform(0.0, 0.5), rng.uniform(0.75, 1.0)) if rng.chance(0.7)
          else hsv(rng.uniform(0.55, 0.7), rng.uniform(0.5, 0.9), rng.uniform(0.4, 0.8)))
    rm.wq("back", sx - sw / 2, sx + sw / 2, sy, sy + sh, bg, emissive=True, off=0.003)
    tb = any_color(rng, 0.3, 0.9, 0.3, 0.8)
    rm.wq("back", sx - sw / 2 + 0.1, sx + sw / 2 - 0.1, sy + sh * 0.8, sy + sh * 0.92, tb, emissive=True, off=0.005)
    nb = rng.integer(2, 5)
    for j in range(nb):
        u = sx - sw / 2 + 0.2 + (sw - 0.4) * j / nb
        rm.wq("back", u, u + (sw - 0.4) / nb * 0.6, sy + 0.1, sy + 0.1 + sh * rng.uniform(0.15, 0.6),
              any_color(rng, 0.4, 0.9, 0.4, 0.9), emissive=True, off=0.005)
    # glass wall or windows on the light side
    ws, other = rm.light_side, rm.dark_side
    if rng.chance(0.5):
        sky, outside, frame = window_palette(rng)
        window(rm, ws, 0.2, RD - 0.3, 0.1, RH - 0.15, rng, sky, outside,
               (70.0, 70.0, 75.0) if rng.chance(0.5) else frame, mull=True)
    else:
        side_windows(rm, ws, rng, rng.integer(2, 3), 0.4, RD - 0.4, rng.uniform(0.8, 1.0), rng.uniform(2.0, RH - 0.2),
                     curtains=fabric_color(rng) if rng.chance(0.4) else None)
    if rng.chance(0.6):
        door(rm, other, rng.uniform(0.5, 1.5), rng.uniform(0.9, 1.0), rng, furniture_color(rng), furniture_color(rng))
    for _ in range(rng.integer(0, 2)):
        picture(rm, other, rng.uniform(2.5, RD - 1.0), rng.uniform(1.4, 1.8), rng.uniform(0.6, 1.2),
                rng.uniform(0.5, 0.9), rng)
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
        rm.box(tx - tw * 0.2, tx + tw * 0.2, 0.0, th - 0.05, z0 + L * a, z0 + L * b, base,
               bias=tkey + 0.05 - rm.cam.depth(tx, th / 2, pz))
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
        cabinet_run(rm, other, RD - 3.0, RD - 0.6, rng, furniture_color(rng), furniture_color(rng), 0.0, 0.75, 0.45,
                    top_thick=0.03)


@indoor_scene(width=(3.8, 5.5), depth=(4.0, 6.0), height=(2.5, 3.0))
def bedroom(rm: Room, rng: Draws) -> None:
    """A bed against the back or a side wall, night stands, wardrobe, windows."""
    RW, RD, RH = rm.RW, rm.RD, rm.RH
    width = rng.uniform(1.4, 1.9)
    length = rng.uniform(1.95, 2.15)
    ws, other = rm.light_side, rm.dark_side
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
        picture(rm, "back", cx + rng.uniform(-0.2, 0.2), rng.uniform(1.5, 1.8), rng.uniform(0.6, 1.4),
                rng.uniform(0.4, 0.8), rng)
        rug(rm, cx - width / 2 - 0.6, cx + width / 2 + 0.6, RD - length - 0.9, RD - length * 0.4, rng)
        side_windows(rm, ws, rng, rng.integer(1, 2), 0.8, RD - 0.5, rng.uniform(0.8, 1.0), rng.uniform(2.0, RH - 0.25),
                     curt)
        if rng.chance(0.7):
            u0 = rng.uniform(0.8, max(0.9, RD - 3.5))
            cabinet_run(rm, other, u0, u0 + rng.uniform(1.0, 2.0), rng, furniture_color(rng), None, 0.0,
                        rng.uniform(1.8, 2.2), 0.6)
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
        window(rm, "back", wx - 0.7, wx + 0.7, rng.uniform(0.8, 1.0), rng.uniform(2.0, RH - 0.25), rng, sky, outside,
               frame, curt)
        ow = "right" if hw == "left" else "left"
        if rng.chance(0.7):
            cabinet_run(rm, ow, RD - 2.2, RD - 0.3, rng, furniture_color(rng), None, 0.0, rng.uniform(1.8, 2.2), 0.6)
        else:
            cabinet_run(rm, ow, RD - 1.8, RD - 0.5, rng, furniture_color(rng), furniture_color(rng), 0.0, 0.8, 0.45,
                        top_thick=0.03)
    if rng.chance(0.4):
        plant(rm, rng.choice((-1, 1)) * (RW / 2 - 0.3), rng.uniform(1.0, 2.0), rng)


@indoor_scene(width=(4.0, 6.5), depth=(4.5, 7.5), height=(2.6, 3.3))
def dining_room(rm: Room, rng: Draws) -> None:
    """A rectangular or round dining table with chairs, a pendant, a sideboard."""
    RW, RD, RH = rm.RW, rm.RD, rm.RH
    ws, other = rm.light_side, rm.dark_side
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
        if rng.chance(0.6):
            rug(rm, cx - w / 2 - 0.9, cx + w / 2 + 0.9, cz - d / 2 - 0.9, cz + d / 2 + 0.9, rng)
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
        cabinet_run(rm, "back", u - 0.8, u + 0.8, rng, furniture_color(rng), furniture_color(rng), 0.0, 0.8, 0.45,
                    top_thick=0.03)
        picture(rm, "back", u, rng.uniform(1.5, 1.9), rng.uniform(0.6, 1.4), rng.uniform(0.5, 0.9), rng)
    else:
        u = rng.uniform(2.0, RD - 1.2)
        cabinet_run(rm, other, u - 0.8, u + 0.8, rng, furniture_color(rng), furniture_color(rng), 0.0, 0.8, 0.45,
                    top_thick=0.03)
        picture(rm, other, u, rng.uniform(1.5, 1.9), rng.uniform(0.6, 1.2), rng.uniform(0.5, 0.9), rng)
    side_windows(rm, ws, rng, rng.integer(1, 3), 0.8, RD - 0.4, rng.uniform(0.7, 1.0), rng.uniform(2.0, RH - 0.25),
                 fabric_color(rng) if rng.chance(0.6) else None)
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
        [((fx0, fh * 0.62, RD - 0.705), (fx1, fh * 0.62, RD - 0.705)),
         ((hx, fh * 0.68, RD - 0.72), (hx, fh * 0.9, RD - 0.72)),
         ((hx, fh * 0.3, RD - 0.72), (hx, fh * 0.55, RD - 0.72))],
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
    rm.poly3([(ku - 0.3, ytop, zt), (ku + 0.3, ytop, zt), (ku + 0.3, ytop, RD - 0.05), (ku - 0.3, ytop, RD - 0.05)],
             rm.shade((35.0, 35.0, 38.0), 3), key=rm.cam.depth(ku, ytop, zt + 0.3) - 0.2)
    for bx, bz in ((-0.14, 0.15), (0.14, 0.15), (-0.14, 0.42), (0.14, 0.42)):
        rm.disc(ku + bx, ytop + 0.002, zt + bz, 0.07, (70.0, 70.0, 72.0), bias=-0.25)
    rm.poly3(
        [(ku - 0.28, 0.12, zt - 0.003), (ku + 0.28, 0.12, zt - 0.003), (ku + 0.28, 0.7, zt - 0.003),
         (ku - 0.28, 0.7, zt - 0.003)],
        rm.shade((30.0, 30.0, 32.0), 4),
        key=rm.cam.depth(ku, 0.4, zt) - 0.2,
    )
    hood = fr_col if rng.chance(0.5) else upper
    rm.box(ku - 0.35, ku + 0.35, 1.6, 1.75, RD - 0.5, RD, hood)
    rm.box(ku - 0.12, ku + 0.12, 1.75, RH, RD - 0.3, RD, hood)
    rm.poly3(
        [(su - 0.3, ytop, zt + 0.08), (su + 0.3, ytop, zt + 0.08), (su + 0.3, ytop, RD - 0.1),
         (su - 0.3, ytop, RD - 0.1)],
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
    ws, other = rm.light_side, rm.dark_side
    scol = fabric_color(rng)
    tv_col = (18.0, 18.0, 22.0)
    screen = (hsv(rng.uniform(0.5, 0.7), rng.uniform(0.2, 0.6), rng.uniform(0.1, 0.35)) if rng.chance(0.6)
              else any_color(rng, 0.2, 0.8, 0.4, 0.9))
    if rng.chance(0.5):
        # TV on the back wall, sofa along a side wall facing across
        tx = rng.uniform(-RW / 5, RW / 5)
        cw = rng.uniform(1.4, 2.2)
        cabinet_run(rm, "back", tx - cw / 2, tx + cw / 2, rng, furniture_color(rng), furniture_color(rng), 0.0,
                    rng.uniform(0.4, 0.55), 0.42, top_thick=0.02)
        tw = rng.uniform(1.0, 1.5)
        ty = rng.uniform(0.75, 1.0)
        rm.wq("back", tx - tw / 2, tx + tw / 2, ty, ty + tw * 0.56, tv_col, off=0.02)
        rm.wq("back", tx - tw / 2 + 0.03, tx + tw / 2 - 0.03, ty + 0.03, ty + tw * 0.56 - 0.03, screen, emissive=True,
              off=0.025)
        sw = rng.choice(("left", "right"))
        sz = rng.uniform(2.0, max(2.1, RD - 2.2))
        sl = rng.uniform(1.8, 2.6)
        if sw == "left":
            sofa(rm, -RW / 2 + 0.5, sz, sl, 2, scol, rng)
        else:
            sofa(rm, RW / 2 - 0.5, sz, sl, 3, scol, rng)
        picture(rm, sw, sz, rng.uniform(1.5, 1.8), rng.uniform(0.8, 1.6), rng.uniform(0.5, 0.8), rng)
        ctx, ctz = rng.uniform(-0.4, 0.4), sz
        rug(rm, ctx - rng.uniform(1.0, 1.5), ctx + rng.uniform(1.0, 1.5), ctz - rng.uniform(1.0, 1.4),
            ctz + rng.uniform(1.0, 1.4), rng)
        table(rm, ctx, ctz, rng.uniform(0.6, 0.9), rng.uniform(0.9, 1.3), rng.uniform(0.38, 0.45), furniture_color(rng),
              legs=rng.chance(0.5))
        if rng.chance(0.6):
            ow = "right" if sw == "left" else "left"
            ax = -RW / 2 + 0.5 if ow == "left" else RW / 2 - 0.5
            sofa(rm, ax, sz + rng.uniform(-0.5, 0.5), rng.uniform(0.8, 1.0), 2 if ow == "left" else 3,
                 fabric_color(rng) if rng.chance(0.5) else scol, rng)
    else:
        # sofa against the back wall facing the camera
        sx = rng.uniform(-RW / 5, RW / 5)
        sl = rng.uniform(1.8, 2.8)
        sofa(rm, sx, RD - 0.5, sl, 1, scol, rng)
        picture(rm, "back", sx, rng.uniform(1.4, 1.8), rng.uniform(0.8, 1.6), rng.uniform(0.5, 0.8), rng)
        cz = RD - rng.uniform(1.6, 2.0)
        rug(rm, sx - rng.uniform(1.0, 1.6), sx + rng.uniform(1.0, 1.6), cz - rng.uniform(0.8, 1.2),
            cz + rng.uniform(0.8, 1.2), rng)
        table(rm, sx, cz, rng.uniform(0.9, 1.3), rng.uniform(0.5, 0.7), rng.uniform(0.38, 0.45), furniture_color(rng),
              legs=rng.chance(0.5))
        tvw = rng.choice(("left", "right"))
        tz = cz + rng.uniform(-0.4, 0.4)
        cabinet_run(rm, tvw, tz - 0.8, tz + 0.8, rng, furniture_color(rng), furniture_color(rng), 0.0,
                    rng.uniform(0.4, 0.55), 0.42, top_thick=0.02)
        tw = rng.uniform(1.0, 1.4)
        ty = rng.uniform(0.75, 1.0)
        rm.wq(tvw, tz - tw / 2, tz + tw / 2, ty, ty + tw * 0.56, tv_col, off=0.02)
        rm.wq(tvw, tz - tw / 2 + 0.03, tz + tw / 2 - 0.03, ty + 0.03, ty + tw * 0.56 - 0.03, screen, emissive=True,
              off=0.025)
        if rng.chance(0.6):
            sofa(rm, sx + rng.choice((-1, 1)) * rng.uniform(1.0, 1.6), cz - rng.uniform(1.2, 1.8),
                 rng.uniform(0.8, 1.0), 0, fabric_color(rng) if rng.chance(0.5) else scol, rng)
    if rng.chance(0.6):
        x = rng.choice((-1, 1)) * (RW / 2 - 0.4)
        z = RD - rng.uniform(0.4, 1.0)
        rm.line3((x, 0.0, z), (x, 1.5, z), 0.03, (50.0, 50.0, 50.0))
        lamp_shade(rm, x, 1.45, z, rng, w=0.45, h=0.35)
    side_windows(rm, ws, rng, rng.integer(1, 2), 0.8, RD - 0.5, rng.uniform(0.5, 0.9), rng.uniform(2.0, RH - 0.2),
                 fabric_color(rng) if rng.chance(0.7) else None)
    if rng.chance(0.5):
        bookcase(rm, other, rng.uniform(0.5, 1.5), rng.uniform(2.0, 2.6), rng)
    if rng.chance(0.5):
        plant(rm, rng.choice((-1, 1)) * (RW / 2 - 0.35), RD - 0.4, rng)


@indoor_scene(width=(7.0, 12.0), depth=(8.0, 13.0), height=(2.8, 3.8), camera_height=(1.3, 2.2), wall_texture_p=0.55)
def restaurant(rm: Room, rng: Draws) -> None:
    """Maybe a bar with bottle shelves, and a grid of tables with chairs."""
    RW, RD, RH = rm.RW, rm.RD, rm.RH
    ws, other = rm.light_side, rm.dark_side
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
            picture(rm, "back", rng.uniform(xl + 1, xr - 1), rng.uniform(1.5, 2.0), rng.uniform(0.6, 1.2),
                    rng.uniform(0.5, 0.9), rng)
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
                    chair(rm, cx + dx * (tsz / 2 + 0.22), cz + dz * (tsz / 2 + 0.22), fc, ccol, rng, size=0.4,
                          back_h=0.4)
            if lamps:
                pendant(rm, cx, cz, RH - rng.uniform(0.8, 1.3), rng, col=lcol)
    side_windows(rm, ws, rng, rng.integer(2, 4), 0.6, RD - 0.5, rng.uniform(0.5, 0.9), rng.uniform(2.1, RH - 0.2),
                 fabric_color(rng) if rng.chance(0.3) else None)
    if not lamps and rng.chance(0.7):
        ceiling_lights(rm, rng, rng.integer(2, 3), rng.integer(2, 4), 1.0, RD - 0.5, (0.25, 0.25))
    if rng.chance(0.5):
        plant(rm, rng.choice((-1, 1)) * (RW / 2 - 0.35), rng.uniform(1.5, RD - 1), rng)
