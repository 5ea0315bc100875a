"""Backgrounds from any folder of images, e.g. a school's own photos of its empty classrooms.

Spec: ``folder:DIR`` or ``folder:DIR:categories=classroom+hall``. Images (.jpg .jpeg .png .webp
.bmp .tif .tiff) are found recursively; an image's category is the name of the folder holding it
(``DIR/classroom/IMG_0001.jpg`` -> classroom; files directly in ``DIR`` take ``DIR``'s name).
EXIF orientation is applied. Large photos are decoded at about twice the output size (the
compositor random-crops and resizes them without distortion).
"""
from __future__ import annotations

import numpy as np

from ..errors import SourceError
from .base import BackgroundItem, BackgroundSource, register_background_source
from .cache import IMAGE_EXTENSIONS, decode_image, require_dir, walk_files
from .matting import fit_size


def working_size(size) -> int:
    """Long side to keep of a background for an output of ``size`` (h, w)."""
    return max(512, 2 * int(max(size)))


@register_background_source
class FolderBackgrounds(BackgroundSource):
    name = "folder"
    arg_options = {"categories": str}

    def __init__(self, arg=None, **kwargs):
        super().__init__(arg, **kwargs)
        self.root = require_dir(self.spec, ":".join(self.arg_parts), "folder:/data/classrooms")
        cats = self.opts.get("categories")
        self.categories = tuple(c.strip() for c in cats.split("+") if c.strip()) if cats else None

    def catalog(self):
        items = []
        for path in walk_files(self.root, IMAGE_EXTENSIONS):
            rel = path.relative_to(self.root)
            cat = rel.parent.name if rel.parent.parts else self.root.resolve().name
            if self.categories is None or cat in self.categories:
                items.append(BackgroundItem(rel.as_posix(), cat))
        if not items:
            if self.categories:
                found = sorted({(p.relative_to(self.root).parent.name or self.root.resolve().name)
                                for p in walk_files(self.root, IMAGE_EXTENSIONS)})
                raise SourceError(f"source {self.spec!r}: no images in categories "
                                  f"{'+'.join(self.categories)} under {self.root} "
                                  f"(found: {', '.join(found) or 'none'})")
            raise SourceError(
                f"source {self.spec!r}: no image files ({', '.join(IMAGE_EXTENSIONS)}) under "
                f"{self.root}; expected e.g. {self.root}/classroom/0001.jpg")
        return items

    def load_rgb(self, item, size):
        path = self.root / item.key
        side = working_size(size)
        rgb = decode_image(path, str(path), max_side=side)
        return np.ascontiguousarray(fit_size(rgb, side))

    def describe(self):
        return {**super().describe(), "path": str(self.root)}
