"""Faces from any expression folder: ``DIR/<emotion>/<image>``.

Spec: ``folder:DIR`` or ``folder:DIR:matte=rect,identity=prefix``. Each subfolder of ``DIR`` is
named after an emotion: anger, disgust, fear, happiness, neutral, sadness, surprise, or a common
synonym (angry, mad, disgusted, afraid, fearful, scared, happy, joy, smile, calm, sad, unhappy,
surprised; any case, ``-``/``_`` ignored; see ``synthgroup.labels.EMOTION_SYNONYMS``). Images
(.png .jpg .jpeg .webp .bmp .tif .tiff) are found recursively inside each emotion folder.

Options:
* ``matte=key`` (default): RGBA images are used as they are; RGB photos have their plain
  backdrop keyed out (computed once per file, cached). ``matte=rect``: RGB photos are pasted as
  opaque rectangles (RGBA images still keep their alpha).
* ``identity=stem`` (default: the file name without extension), ``identity=prefix`` (the stem up
  to the first ``sep``, default ``_``: ``anna_01.png`` -> ``anna``), ``identity=parent`` (the
  folder holding the file: ``DIR/happy/anna/01.png`` -> ``anna``).
* ``skip_unknown=true``: ignore subfolders whose name is not an emotion (e.g. ``contempt``)
  instead of stopping with an error.
* keying options as for ``kdef`` (``threshold``, ``feather``, ``max_side``).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import ConfigError, SourceError
from ..labels import EMOTIONS
from .base import FaceItem, FaceSource, register_face_source
from .cache import IMAGE_EXTENSIONS, decode_image, require_dir, walk_files
from .matting import MATTE_OPTIONS, cutout_file, fit_size, params_from_options


def _bool(text: str) -> bool:
    t = text.strip().lower()
    if t in ("1", "true", "yes", "on"):
        return True
    if t in ("0", "false", "no", "off"):
        return False
    raise ValueError(text)


_bool.__name__ = "boolean"


def emotion_of_folder(spec: str, folder: Path) -> str:
    from ..labels import normalize_emotion
    try:
        return normalize_emotion(folder.name)
    except ConfigError as exc:
        raise SourceError(f"source {spec!r}: folder {folder}: {exc}") from None


def has_alpha(path: Path) -> bool:
    """Whether an image file has an alpha channel (read from its header only)."""
    from PIL import Image
    try:
        with Image.open(path) as im:
            return im.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
                im.mode == "P" and "transparency" in im.info)
    except Exception:  # unreadable: decoding will report it
        return False


def rect_rgba(rgb: np.ndarray) -> np.ndarray:
    return np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)])


@register_face_source
class FolderFaces(FaceSource):
    name = "folder"
    arg_options = {"matte": str, "identity": str, "sep": str, "skip_unknown": _bool, **MATTE_OPTIONS}

    def __init__(self, arg=None, **kwargs):
        super().__init__(arg, **kwargs)
        self.root = require_dir(self.spec, ":".join(self.arg_parts),
                                "folder:/data/my_faces (with happy/, sad/, ...)")
        self.matte = self.opts.get("matte", "key")
        if self.matte not in ("key", "rect"):
            raise SourceError(f"source {self.spec!r}: matte={self.matte!r} is not key or rect")
        self.identity_mode = self.opts.get("identity", "stem")
        if self.identity_mode not in ("stem", "prefix", "parent"):
            raise SourceError(f"source {self.spec!r}: identity={self.identity_mode!r} is not stem, "
                              "prefix or parent")
        self.sep = self.opts.get("sep", "_")
        if not self.sep:
            raise SourceError(f"source {self.spec!r}: sep= must not be empty")
        self.params = params_from_options(self.opts, self.spec)

    def _identity(self, path: Path, emotion_dir: Path) -> str:
        if self.identity_mode == "prefix":
            return path.stem.split(self.sep, 1)[0] or path.stem
        if self.identity_mode == "parent" and path.parent != emotion_dir:
            return path.parent.name
        return path.stem

    def catalog(self):
        subdirs = sorted(d for d in self.root.iterdir() if d.is_dir() and not d.name.startswith("."))
        items, ignored = [], []
        for d in subdirs:
            try:
                emotion = emotion_of_folder(self.spec, d)
            except SourceError:
                if self.opts.get("skip_unknown"):
                    ignored.append(d.name)
                    continue
                raise SourceError(
                    f"source {self.spec!r}: folder {d} is not named after an emotion; use one of "
                    f"{', '.join(EMOTIONS)} or a synonym (e.g. happy, angry, sad), or add "
                    f"skip_unknown=true to ignore it") from None
            for path in walk_files(d, IMAGE_EXTENSIONS):
                rel = path.relative_to(self.root).as_posix()
                items.append(FaceItem(rel, self._identity(path, d), emotion, {"folder": d.name}))
        if not items:
            raise SourceError(
                f"source {self.spec!r}: no face images found in {self.root}; expected "
                f"<emotion folder>/<image> (.png, .jpg, ...), e.g. {self.root}/happy/anna_01.png, "
                f"with emotion folders named {', '.join(EMOTIONS)} or synonyms")
        self.ignored_folders = ignored
        return items

    def load_rgba(self, item, variant, height):
        path = self.root / item.key
        if has_alpha(path):
            rgba = decode_image(path, str(path), alpha=True)
            if rgba.shape[2] == 3:  # pragma: no cover - header said alpha, pixels did not
                rgba = rect_rgba(rgba)
            return fit_size(rgba, self.params.max_side)
        if self.matte == "rect":
            rgb = decode_image(path, str(path), max_side=self.params.max_side)
            return rect_rgba(fit_size(rgb, self.params.max_side))
        return cutout_file(path, self.params, "full", what=str(path))

    def describe(self):
        return {**super().describe(), "path": str(self.root), "matte": self.matte,
                "identity": self.identity_mode}

