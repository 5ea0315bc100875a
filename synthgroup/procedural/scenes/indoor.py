"""Indoor scenes: a room kind (size ranges, camera) and the function that furnishes it.

Each indoor category (``public_rooms``, ``home_rooms``) is a furnishing function wrapped by
``@indoor_scene(...)``; the result is called like every entry of ``SCENES``:
``scene(rng, H, W) -> (image, light_xy)``. The scene draws the room's paint, floor and wall
finishes and maybe a side door, lets the category furnish it, then renders it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..rng import Draws
from .colors import any_color, fabric_color, hsv, wall_color, wood_color
from .furniture import baseboard, maybe_door, wall_texture
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
    return Room(
        rng, H, W, RW, RD, RH, cam, light_dir, amb, light_col, amb_col, light_side="left" if side < 0 else "right"
    )
