"""``hf:NAME[:split][:options]`` background source: the scenes of a Hugging Face dataset.

A scene's category comes from ``category=COLUMN``, else from the dataset's class-label column
(none: every scene is ``hf``). Loading, the other options and offline behaviour: :mod:`.hf`.
"""
from __future__ import annotations

import numpy as np

from ..errors import SourceError
from .base import BackgroundItem, BackgroundSource, register_background_source
from .cache import decode_image
from .folder_backgrounds import working_size
from .hf import CATEGORY_COLUMNS, HFCommon, find_column
from .matting import fit_size


@register_background_source
class HFBackgrounds(HFCommon, BackgroundSource):
    name = "hf"
    arg_options = {"image": str, "category": str}

    def catalog(self):
        import datasets
        ds = self.dataset()
        col = self._named_column(ds, "category")
        if not col:
            col = find_column(self.spec, ds, None, CATEGORY_COLUMNS, datasets.ClassLabel)
            if col == self.image_column:
                col = None
        if col:
            f = ds.features[col]
            vals = list(ds[col])
            if isinstance(f, datasets.ClassLabel):
                cats = [f.names[v] if v is not None and 0 <= v < len(f.names) else "unknown" for v in vals]
            else:
                cats = [str(v) for v in vals]
        else:
            cats = ["hf"] * len(ds)
        if not len(ds):
            raise SourceError(f"source {self.spec!r}: dataset {self.dataset_name!r} is empty")
        return [BackgroundItem(str(i), c) for i, c in enumerate(cats)]

    def load_rgb(self, item, size):
        data, what = self._raw(int(item.key))
        side = working_size(size)
        return np.ascontiguousarray(fit_size(decode_image(data, what, max_side=side), side))

    def describe(self):
        return {**super().describe(), "dataset": self.dataset_name, "split_name": self.split_name}
