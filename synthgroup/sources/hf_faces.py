"""``hf:NAME[:split][:options]`` face source: a Hugging Face dataset with an emotion column.

Faces are pasted as they are (``matte=rect``, the default) or keyed off a studio backdrop
(``matte=key``). Loading, the other options and offline behaviour: :mod:`.hf`.
"""
from __future__ import annotations

import numpy as np

from ..errors import ConfigError, SourceError
from ..labels import normalize_emotion
from .base import FaceItem, FaceSource, register_face_source
from .cache import decode_image
from .hf import EMOTION_COLUMNS, HFCommon
from .matting import MATTE_OPTIONS, cached_cutout, fit_size, params_from_options, studio_cutout, studio_recipe


@register_face_source
class HFFaces(HFCommon, FaceSource):
    name = "hf"
    arg_options = {"image": str, "emotion": str, "labels": str, "skip": str, "identity": str,
                   "matte": str, **MATTE_OPTIONS}

    def __init__(self, arg=None, **kwargs):
        super().__init__(arg, **kwargs)
        self.matte = self.opts.get("matte", "rect")
        if self.matte not in ("rect", "key"):
            raise SourceError(f"source {self.spec!r}: matte={self.matte!r} is not rect or key")
        self.params = params_from_options(self.opts, self.spec)
        self.skip_values = {s.strip().lower() for s in self.opts.get("skip", "").split("+") if s.strip()}

    def _label_names(self, ds, col) -> list[str] | None:
        import datasets
        if self.opts.get("labels"):
            return [s.strip() for s in self.opts["labels"].split("+")]
        f = ds.features[col]
        if isinstance(f, datasets.ClassLabel):
            return list(f.names)
        if isinstance(f, datasets.Sequence) and isinstance(getattr(f, "feature", None), datasets.ClassLabel):
            return list(f.feature.names)  # pragma: no cover - multi-label datasets
        return None

    def catalog(self):
        import datasets
        ds = self.dataset()
        col = self.emotion_column = self._column(ds, "emotion", EMOTION_COLUMNS, datasets.ClassLabel)
        names = self._label_names(ds, col)
        id_col = self._named_column(ds, "identity")
        values = list(ds[col])
        ids = list(ds[id_col]) if id_col else None
        cache: dict = {}
        items = []
        for row, v in enumerate(values):
            if v is None:
                continue
            if v not in cache:
                cache[v] = self._emotion(v, names, col)
            emotion = cache[v]
            if emotion is None:
                continue
            identity = str(ids[row]) if ids is not None else f"row{row}"
            items.append(FaceItem(str(row), identity, emotion, {"row": row}))
        if not items:
            raise SourceError(f"source {self.spec!r}: dataset {self.dataset_name!r} has no rows with a "
                              f"usable emotion in column {col!r}")
        return items

    def _emotion(self, value, names, col) -> str | None:
        if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
            if names is None:
                raise SourceError(
                    f"source {self.spec!r}: emotion column {col!r} holds integers without names; "
                    "give them with labels=NAME+NAME+... in label order (e.g. labels=angry+disgust+"
                    "fear+happy+sad+surprise+neutral)")
            if not 0 <= int(value) < len(names):
                raise SourceError(f"source {self.spec!r}: label {value} in column {col!r} has no name "
                                  f"(labels: {'+'.join(names)})")
            text = names[int(value)]
        else:
            text = str(value)
        if text.strip().lower() in self.skip_values:
            return None
        try:
            return normalize_emotion(text)
        except ConfigError as exc:
            raise SourceError(f"source {self.spec!r}: column {col!r}: {exc}; or ignore it with "
                              f"skip={text.strip().lower()}") from None

    def load_rgba(self, item, variant, height):
        row = int(item.key)
        data, what = self._raw(row)
        if self.matte == "key":
            ident = {"hf": self.dataset_name, "split": self.split_name,
                     "fingerprint": getattr(self._ds, "_fingerprint", ""), "row": row}

            def make():
                img = decode_image(data, what, alpha=True, max_side=self.params.max_side)
                if img.shape[2] == 4:
                    return img
                return studio_cutout(img, self.params, "full", what)
            return cached_cutout(ident, studio_recipe(self.params, "full"), make)
        img = decode_image(data, what, alpha=True, max_side=self.params.max_side)
        if img.shape[2] == 3:
            img = np.dstack([img, np.full(img.shape[:2], 255, np.uint8)])
        return fit_size(img, self.params.max_side)

    def describe(self):
        return {**super().describe(), "dataset": self.dataset_name, "split_name": self.split_name,
                "matte": self.matte}
