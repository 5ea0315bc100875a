"""Procedural scene backgrounds standing in for the LSUN scene categories.

``render_scene(category, seed, size)`` draws a plausible background for a group
photo -- an indoor room in one- or two-point perspective with furniture that
fits the category, or an outdoor view (bridge, church, tower) -- entirely with
cv2 primitives and numpy broadcasting.  No data is downloaded and nothing is
random outside a local ``np.random.default_rng([seed, category_index])``, read
through ``Draws`` (``synthgroup.procedural.rng``).

Modules
-------
* ``geometry``: the pinhole camera, near-plane clipping, batched projection and
  the perspective-warped ground texture.
* ``room``: ``Room`` collects boxes, line groups, polygons and wall decorations
  and paints them far to near with one light and soft floor shadows.
* ``furniture``: chairs, tables, windows, doors, shelves, beds, sofas, cabinets...
* ``indoor``: the seven indoor categories, each a room kind (size ranges,
  camera) and a furnishing function.
* ``landscape``, ``buildings``, ``outdoor``: sky, water, ground and trees;
  prisms, roofs, arches and rose windows; the bridge, church and tower scenes.
* ``colors``, ``textures``, ``postprocess``: shared palettes, periodic
  textures, and the camera's exposure / white balance / grain.

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

from typing import Callable

import numpy as np

from .. import source_files
from ..rng import Draws
from . import indoor, outdoor
from .postprocess import finish

__all__ = ["CATEGORIES", "SCENES", "render_scene"]

#: category -> scene function ``(rng, H, W) -> (image, light_xy)``. The order is part of the
#: output: a category's position seeds its generator.
SCENES: dict[str, Callable[[Draws, int, int], tuple[np.ndarray, tuple[float, float]]]] = {
    "classroom": indoor.classroom,
    "conference_room": indoor.conference_room,
    "bedroom": indoor.bedroom,
    "dining_room": indoor.dining_room,
    "kitchen": indoor.kitchen,
    "living_room": indoor.living_room,
    "restaurant": indoor.restaurant,
    "bridge": outdoor.bridge,
    "church_outdoor": outdoor.church,
    "tower": outdoor.tower,
}
CATEGORIES = tuple(SCENES)

#: The files whose code decides the pixels (a cache key for rendered scenes).
SOURCE_FILES = source_files(__file__)


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
    scene = SCENES.get(category) if isinstance(category, str) else None
    if scene is None:
        raise ValueError(f"unknown scene category {category!r}; valid categories: {', '.join(CATEGORIES)}")
    H, W = int(size[0]), int(size[1])
    if H < 8 or W < 8:
        raise ValueError(f"size must be at least (8, 8), got {tuple(size)!r}")
    rng = Draws(np.random.default_rng([int(seed), CATEGORIES.index(category)]))
    img, light_xy = scene(rng, H, W)
    return finish(img, rng, light_xy)
