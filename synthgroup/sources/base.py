"""Face and background sources: a base class with a template call and one narrow hook each.

A face source lists what it has (``catalog``) and turns one entry into an RGBA cut-out
(``load_rgba``); the base class does everything else: the held-out split, picking an entry for
an emotion, resizing to the size a sample asks for, and caching. Background sources are the same
with ``load_rgb``. Concrete sources live one per file and register a spec name
(``procedural``, ``kdef``, ``faces``, ``lsun``, ``folder``, ``hf``).
"""
from __future__ import annotations

import zlib
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar

import cv2
import numpy as np

from ..augment import prepare_sprite
from ..errors import CorruptItemError, SourceError

#: Sprites are cached at these heights and warped down by at most ~20 % from the next one up.
HEIGHT_LADDER = (16, 20, 24, 28, 32, 38, 44, 52, 60, 70, 82, 96, 112, 128, 150, 176, 206, 240,
                 280, 330, 390, 460, 540, 640)


def ladder_height(height: float) -> int:
    for h in HEIGHT_LADDER:
        if h >= height:
            return h
    return int(np.ceil(height))


def stable_fraction(text: str) -> float:
    """A number in [0, 1) fixed by ``text`` alone: the same on every machine and in every process."""
    return zlib.crc32(text.encode("utf-8")) / 2 ** 32


def in_split(group_key: str, split: str, test_fraction: float) -> bool:
    """Held-out split by identity / background key, so train and test never share one."""
    if split == "all":
        return True
    is_test = stable_fraction(group_key) < test_fraction
    return is_test if split == "test" else not is_test


class LRU:
    """A small least-recently-used cache (per process; workers each have their own)."""

    def __init__(self, capacity: int):
        self.capacity = capacity
        self._d: OrderedDict = OrderedDict()

    def get(self, key, make: Callable[[], Any]):
        try:
            value = self._d.pop(key)
        except KeyError:
            value = make()
            if len(self._d) >= self.capacity:
                self._d.popitem(last=False)
        self._d[key] = value
        return value


@dataclass(frozen=True)
class FaceItem:
    """One catalogued face: a file or a procedural (identity, emotion)."""
    key: str
    identity: str
    emotion: str
    meta: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class BackgroundItem:
    key: str
    category: str
    meta: dict = field(default_factory=dict, compare=False, hash=False)


def _emotions_of(items) -> dict[str, list]:
    by: dict[str, list] = {}
    for it in items:
        by.setdefault(it.emotion, []).append(it)
    return by


class FaceSource:
    """Base of every face source. Subclasses set ``name`` and implement ``catalog`` and ``load_rgba``."""

    name: ClassVar[str] = ""
    #: Whether ``variant`` draws per-sample parameters (procedural intensity).
    cache_size: ClassVar[int] = 6000

    def __init__(self, arg: str | None = None, *, split: str = "all", test_fraction: float = 0.2,
                 spec: str | None = None, **options: Any):
        self.arg = arg
        self.split = split
        self.test_fraction = test_fraction
        self.spec = spec or (f"{self.name}:{arg}" if arg else self.name)
        self.options = options   # hints from the generator (max_face_height, output_size)
        self._items: list[FaceItem] | None = None
        self._by_emotion: dict[str, list[FaceItem]] | None = None
        self._sprites = LRU(self.cache_size)
        self.skipped: dict[str, str] = {}   # key -> reason, for corrupt files met during a run

    # ---------------------------------------------------------------- hooks
    def catalog(self) -> list[FaceItem]:
        """Every face this source offers (before the split)."""
        raise NotImplementedError

    def load_rgba(self, item: FaceItem, variant: dict, height: int) -> np.ndarray:
        """The face as HxWx4 uint8 RGBA (straight alpha) at about ``height`` px (a hint)."""
        raise NotImplementedError

    def sprite_height(self, height: float) -> int:
        """The cached size a face of ``height`` px is warped down from (at most ~15 % larger)."""
        return ladder_height(height)

    def variant(self, rng: np.random.Generator, item: FaceItem) -> dict:
        """Per-sample parameters of a face (e.g. expression intensity); JSON-serialisable."""
        return {}

    # ---------------------------------------------------------------- template
    @property
    def items(self) -> list[FaceItem]:
        if self._items is None:
            items = [it for it in self.catalog() if in_split(f"{self.name}/{it.identity}",
                                                             self.split, self.test_fraction)]
            if not items:
                raise SourceError(f"face source {self.spec!r} has no faces"
                                  + (f" in the {self.split!r} split" if self.split != "all" else ""))
            self._items = items
            self._by_emotion = _emotions_of(items)
        return self._items

    def emotions(self) -> set[str]:
        self.items
        return set(self._by_emotion)

    def count(self, emotion: str) -> int:
        self.items
        return len(self._by_emotion.get(emotion, ()))

    def pick(self, rng: np.random.Generator, emotion: str) -> dict:
        """Draw one face showing ``emotion``; the returned reference is the per-face metadata."""
        self.items
        pool = self._by_emotion[emotion]
        item = pool[int(rng.integers(len(pool)))]
        ref = {"source": self.spec, "key": item.key, "identity": item.identity, "emotion": emotion}
        ref["variant"] = self.variant(rng, item)
        ref["meta"] = dict(item.meta)
        return ref

    def item(self, key: str) -> FaceItem:
        self.items
        if not hasattr(self, "_by_key"):
            self._by_key = {it.key: it for it in self._items}
        return self._by_key[key]

    def sprite(self, ref: dict, height: float) -> np.ndarray:
        """Straight-alpha RGBA cut-out for ``ref`` at the cached size just above ``height``."""
        if ref["key"] in self.skipped:
            raise CorruptItemError(self.skipped[ref["key"]])
        return self._make_sprite(ref, ref.get("variant") or {}, self.sprite_height(height))

    def prepared(self, ref: dict, height: float) -> tuple[np.ndarray, float]:
        """The cached, warp-ready form of ``sprite`` (premultiplied pixels, mean grey)."""
        if ref["key"] in self.skipped:
            raise CorruptItemError(self.skipped[ref["key"]])
        h = self.sprite_height(height)
        variant = ref.get("variant") or {}
        ckey = (ref["key"], tuple(sorted(variant.items())), h)
        return self._sprites.get(ckey, lambda: prepare_sprite(self._make_sprite(ref, variant, h)))

    def _make_sprite(self, ref: dict, variant: dict, h: int) -> np.ndarray:
        try:
            rgba = self.load_rgba(self.item(ref["key"]), variant, h)
        except CorruptItemError as exc:
            self.skipped[ref["key"]] = str(exc)
            raise
        if rgba.ndim != 3 or rgba.shape[2] != 4 or rgba.dtype != np.uint8:
            raise SourceError(f"face source {self.spec!r} returned an invalid image for {ref['key']}")
        if rgba.shape[0] != h:
            w = max(1, round(rgba.shape[1] * h / rgba.shape[0]))
            # area averaging where it matters (>= 1.5x down), bilinear (4x cheaper) otherwise
            interp = cv2.INTER_AREA if rgba.shape[0] >= 1.5 * h else cv2.INTER_LINEAR
            rgba = cv2.resize(rgba, (w, h), interpolation=interp)
        return rgba

    def probe(self) -> None:
        """Load faces in catalogue order until one reads (usually the first): a source whose
        every file is unreadable fails here, before anything is written, not mid-run."""
        rng = np.random.default_rng(0)
        _probe(self, "face", self.items,
               lambda it: self.sprite({"key": it.key, "variant": self.variant(rng, it)}, 64))

    def describe(self) -> dict:
        self.items
        return {"spec": self.spec, "kind": self.name, "faces": len(self._items),
                "identities": len({it.identity for it in self._items}),
                "per_emotion": {e: len(v) for e, v in sorted(self._by_emotion.items())}}


class BackgroundSource:
    """Base of every background source. Subclasses set ``name`` and implement ``catalog`` and ``load_rgb``."""

    name: ClassVar[str] = ""
    cache_size: ClassVar[int] = 400

    def __init__(self, arg: str | None = None, *, split: str = "all", test_fraction: float = 0.2,
                 spec: str | None = None, **options: Any):
        self.arg = arg
        self.split = split
        self.test_fraction = test_fraction
        self.spec = spec or (f"{self.name}:{arg}" if arg else self.name)
        self.options = options
        self._items: list[BackgroundItem] | None = None
        self._by_key: dict[str, BackgroundItem] = {}
        self._images = LRU(self.cache_size)
        self.skipped: dict[str, str] = {}

    # ---------------------------------------------------------------- hooks
    def catalog(self) -> list[BackgroundItem]:
        raise NotImplementedError

    def load_rgb(self, item: BackgroundItem, size: tuple[int, int]) -> np.ndarray:
        """The scene as HxWx3 uint8 RGB, any size (``size`` is the output size, a hint)."""
        raise NotImplementedError

    # ---------------------------------------------------------------- template
    @property
    def items(self) -> list[BackgroundItem]:
        if self._items is None:
            items = [it for it in self.catalog()
                     if in_split(f"{self.name}/{it.key}", self.split, self.test_fraction)]
            if not items:
                raise SourceError(f"background source {self.spec!r} has no images"
                                  + (f" in the {self.split!r} split" if self.split != "all" else ""))
            self._items = items
            self._by_key = {it.key: it for it in items}
        return self._items

    def pick(self, rng: np.random.Generator) -> dict:
        items = self.items
        item = items[int(rng.integers(len(items)))]
        return {"source": self.spec, "key": item.key, "category": item.category}

    def image(self, ref: dict, size: tuple[int, int]) -> np.ndarray:
        """The full background for ``ref`` (cached), before cropping."""
        self.items
        if ref["key"] in self.skipped:
            raise CorruptItemError(self.skipped[ref["key"]])
        return self._images.get((ref["key"], tuple(size)), lambda: self._load_checked(ref, size))

    def _load_checked(self, ref: dict, size) -> np.ndarray:
        try:
            img = self.load_rgb(self._by_key[ref["key"]], size)
        except CorruptItemError as exc:
            self.skipped[ref["key"]] = str(exc)
            raise
        if img.ndim != 3 or img.shape[2] != 3 or img.dtype != np.uint8:
            raise SourceError(f"background source {self.spec!r} returned an invalid image for {ref['key']}")
        return img

    def probe(self) -> None:
        """Load images in catalogue order until one reads (see :meth:`FaceSource.probe`)."""
        size = tuple(self.options.get("output_size", (224, 224)))
        _probe(self, "background", self.items, lambda it: self.image({"key": it.key}, size))

    def describe(self) -> dict:
        items = self.items
        cats: dict[str, int] = {}
        for it in items:
            cats[it.category] = cats.get(it.category, 0) + 1
        return {"spec": self.spec, "kind": self.name, "images": len(items), "per_category": cats}


def _probe(src, kind: str, items: list, load: Callable[[Any], Any]) -> None:
    for it in items:
        try:
            load(it)
            return
        except CorruptItemError:
            continue
    example = next(iter(src.skipped.values()), "")
    raise SourceError(f"{kind} source {src.spec!r}: none of its {len(items)} files could be read"
                      + (f" (e.g. {example})" if example else ""))


# ---------------------------------------------------------------------- registries
_FACE_SOURCES: dict[str, type[FaceSource]] = {}
_BACKGROUND_SOURCES: dict[str, type[BackgroundSource]] = {}


def register_face_source(cls: type[FaceSource]) -> type[FaceSource]:
    _FACE_SOURCES[cls.name] = cls
    return cls


def register_background_source(cls: type[BackgroundSource]) -> type[BackgroundSource]:
    _BACKGROUND_SOURCES[cls.name] = cls
    return cls


def list_face_sources() -> list[str]:
    return sorted(_FACE_SOURCES)


def list_background_sources() -> list[str]:
    return sorted(_BACKGROUND_SOURCES)


def parse_spec(spec: str) -> tuple[float, str, str | None]:
    """'2*kdef:/data/KDEF' -> (2.0, 'kdef', '/data/KDEF'); 'procedural' -> (1.0, 'procedural', None)."""
    text = str(spec).strip()
    weight = 1.0
    head, star, rest = text.partition("*")
    if star:
        try:
            weight = float(head)
        except ValueError:
            weight, rest = 1.0, text
        else:
            text = rest
    if weight <= 0:
        raise SourceError(f"source spec {spec!r}: weight must be positive")
    name, colon, arg = text.partition(":")
    return weight, name.strip().lower(), (arg if colon else None)


def _create(registry, kind: str, spec: str, **kwargs):
    weight, name, arg = parse_spec(spec)
    if name not in registry:
        raise SourceError(f"unknown {kind} source {name!r} in {spec!r}; "
                          f"choose one of: {', '.join(sorted(registry))}")
    spec_id = f"{name}:{arg}" if arg is not None else name
    return weight, registry[name](arg, spec=spec_id, **kwargs)


def create_face_source(spec: str, **kwargs) -> tuple[float, FaceSource]:
    return _create(_FACE_SOURCES, "face", spec, **kwargs)


def create_background_source(spec: str, **kwargs) -> tuple[float, BackgroundSource]:
    return _create(_BACKGROUND_SOURCES, "background", spec, **kwargs)
