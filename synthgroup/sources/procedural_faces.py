"""The embedded default face source: procedurally drawn identities showing the 7 basic expressions.

No download and no real person: an identity is a seed, an expression is a set of facial action
units at an intensity (``synthgroup.procedural.faces``). Spec: ``procedural`` or
``procedural:identities=256,min_intensity=0.6,max_intensity=1.0,levels=3,style=v1``.
``style`` picks the drawing: ``v1`` (the default) the flat cartoon heads of
``synthgroup.procedural.faces``, ``v2`` the shaded head-and-shoulders faces of
``synthgroup.procedural.faces_v2`` (same identities and action units).
Each (identity, expression, intensity level) is drawn once at the largest face size the
configuration asks for and kept in the shared atlas; smaller faces are area-downscaled from it.
The warp-ready (premultiplied) sprite of each mip level is kept in a shared atlas too, so every
process reads it without a copy.
"""
from __future__ import annotations

import inspect

import numpy as np

from .. import augment
from ..errors import SourceError
from ..labels import EMOTIONS
from ..procedural import faces as draw
from ..procedural import faces_v2
from .atlas import Atlas, code_hash
from .base import FaceItem, FaceSource, ladder_height, register_face_source
from .options import parse_options

#: Drawing styles: name -> the renderer module (``render_face``, ``SOURCE_FILES``, ``ASPECT``).
STYLES = {"v1": draw, "v2": faces_v2}


@register_face_source
class ProceduralFaces(FaceSource):
    name = "procedural"
    #: the cache holds views of the shared atlases (no pixels), so it can hold every sprite
    cache_size = 1 << 16

    def __init__(self, arg=None, *, max_face_height: float = 96, **kwargs):
        super().__init__(arg, **kwargs)
        opts = parse_options(self.spec, arg, {"identities": int, "min_intensity": float,
                                              "max_intensity": float, "levels": int, "style": str})
        self.n_identities = opts.get("identities", 256)
        lo, hi = opts.get("min_intensity", 0.6), opts.get("max_intensity", 1.0)
        n_levels = opts.get("levels", 3)
        self.style = opts.get("style", "v1")
        if self.style not in STYLES:
            raise SourceError(f"source {self.spec!r}: style={self.style!r} is not one of "
                              f"{', '.join(STYLES)}")
        self.renderer = renderer = STYLES[self.style]
        if self.n_identities < 1:
            raise SourceError(f"source {self.spec!r}: identities must be at least 1")
        if not 0 <= lo <= hi <= 1:
            raise SourceError(f"source {self.spec!r}: intensities must satisfy 0 <= min <= max <= 1")
        if n_levels < 1:
            raise SourceError(f"source {self.spec!r}: levels must be at least 1")
        self.levels = [round(float(v), 3) for v in np.linspace(lo, hi, n_levels)] if n_levels > 1 else [hi]
        # variant index: 0 neutral, then (emotion, level) for the 6 others
        self._variants = [("neutral", 1.0)] + [(e, lv) for e in EMOTIONS if e != "neutral"
                                               for lv in self.levels]
        self._variant_index = {v: k for k, v in enumerate(self._variants)}
        self.base_height = ladder_height(max(max_face_height, 24))
        self.mips = tuple(sorted({max(12, round(self.base_height / 4)), round(self.base_height / 2),
                                  self.base_height}))
        width = round(self.base_height * draw.ASPECT)
        key = "_".join(map(str, (self.n_identities, *self.levels, self.base_height)))
        n = self.n_identities * len(self._variants)
        # the style's own code hash keys its atlas (v1 keeps its original name)
        kind = "faces" if self.style == "v1" else f"faces{self.style}"
        self.atlas = Atlas(f"{kind}-{code_hash(*renderer.SOURCE_FILES)}-{key}", n, (self.base_height, width, 4))
        # mip h: the render resized to h (FaceSource._make_sprite) and premultiplied
        prep = code_hash(*renderer.SOURCE_FILES, text=inspect.getsource(augment.premultiply)
                         + inspect.getsource(FaceSource._make_sprite))
        self._premultiplied = {h: Atlas(f"{kind}-premultiplied-{prep}-{key}-{h}", n,
                                        (h, max(1, round(width * h / self.base_height)), 4))
                               for h in self.mips}
        self._identities: dict[int, draw.Identity] = {}

    def sprite_height(self, height):
        # mip levels of the atlas render: the warp then scales by 0.5..1 with bilinear sampling,
        # and three levels per face keep the sprite cache hit rate high
        for h in self.mips:
            if h >= height:
                return h
        return self.base_height

    def catalog(self):
        return [FaceItem(f"p{i:05d}/{e}", f"p{i:05d}", e, {"seed": i})
                for i in range(self.n_identities) for e in EMOTIONS]

    def variant(self, rng, item):
        if item.emotion == "neutral":
            return {"intensity": 1.0}
        return {"intensity": self.levels[int(rng.integers(len(self.levels)))]}

    def identity(self, seed: int) -> "draw.Identity":
        ident = self._identities.get(seed)
        if ident is None:
            ident = self._identities[seed] = draw.identity_from_seed(seed)
        return ident

    def _slot(self, item: FaceItem, variant: dict) -> int:
        intensity = 1.0 if item.emotion == "neutral" else variant["intensity"]
        return item.meta["seed"] * len(self._variants) + self._variant_index[(item.emotion, intensity)]

    def load_rgba(self, item, variant, height):
        intensity = 1.0 if item.emotion == "neutral" else variant["intensity"]
        return self.atlas.get(self._slot(item, variant), lambda: self.draw_face(
            item.meta["seed"], item.emotion, intensity, self.base_height))

    def draw_face(self, seed: int, emotion: str, intensity: float, height: int) -> np.ndarray:
        """Identity ``seed`` showing ``emotion`` at ``intensity``, drawn in this source's style
        at ``height`` px (RGBA, straight alpha), uncached."""
        return self.renderer.render_face(self.identity(seed), emotion, intensity, height)

    def _prepare(self, ref, variant, h):
        slot = self._slot(self.item(ref["key"]), variant)
        return augment.crop_premultiplied(self._premultiplied[h].get(
            slot, lambda: augment.premultiply(self._make_sprite(ref, variant, h))))
