"""The embedded default background source: procedurally drawn scenes of the 10 LSUN categories.

Spec: ``procedural`` or ``procedural:per_category=64,categories=classroom+bedroom``. Scenes are
drawn a little larger than the output (random crops still have room) and kept in the shared atlas.
"""
from __future__ import annotations

from ..errors import SourceError
from ..procedural import scenes as draw
from .atlas import Atlas, code_hash
from .base import BackgroundItem, BackgroundSource, register_background_source
from .options import parse_options


@register_background_source
class ProceduralScenes(BackgroundSource):
    name = "procedural"

    def __init__(self, arg=None, *, output_size: tuple[int, int] = (224, 224), **kwargs):
        super().__init__(arg, **kwargs)
        opts = parse_options(self.spec, arg, {"per_category": int, "categories": str})
        self.per_category = opts.get("per_category", 64)
        cats = opts.get("categories")
        self.categories = tuple(c.strip() for c in cats.split("+")) if cats else draw.CATEGORIES
        bad = [c for c in self.categories if c not in draw.CATEGORIES]
        if bad:
            raise SourceError(f"source {self.spec!r}: unknown categories {', '.join(bad)}; "
                              f"choose from {', '.join(draw.CATEGORIES)}")
        if self.per_category < 1:
            raise SourceError(f"source {self.spec!r}: per_category must be at least 1")
        h, w = output_size
        self.render_size = (round(h * 8 / 7), round(w * 8 / 7))
        n = len(draw.CATEGORIES) * self.per_category
        self.atlas = Atlas(f"scenes-{code_hash(*draw.SOURCE_FILES)}-{self.per_category}-"
                           f"{self.render_size[0]}x{self.render_size[1]}", n, (*self.render_size, 3))

    def catalog(self):
        return [BackgroundItem(f"{c}/{i:05d}", c, {"seed": i})
                for c in self.categories for i in range(self.per_category)]

    def load_rgb(self, item, size):
        slot = draw.CATEGORIES.index(item.category) * self.per_category + item.meta["seed"]
        return self.atlas.get(slot, lambda: draw.render_scene(item.category, item.meta["seed"],
                                                              self.render_size))
