"""Face and background sources: a base class with a template call and one narrow hook each.

A face source lists what it has (``catalog``) and turns one entry into an RGBA cut-out
(``load_rgba``); the base class does everything else: the held-out split, picking an entry for
an emotion, resizing to the size a sample asks for, and caching. Background sources are the same
with ``load_rgb``; both derive from :class:`Source`. Concrete sources live one per file and
register a spec name (``procedural``, ``kdef``, ``faces``, ``lsun``, ``folder``, ``hf``) in
:data:`FACE_SOURCES` / :data:`BACKGROUND_SOURCES`; another package adds its own through the
entry-point groups ``synthgroup.face_sources`` / ``synthgroup.background_sources``
(``mysource = mypackage.module:MyFaceSource``), and ``synthgroup sources`` lists them.
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
from ..registry import Registry
from .cache import split_arg
from .options import parse_options

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


class Source:
    """What face and background sources share: the spec, the held-out split over the catalogue,
    a per-process cache, the files found unreadable, and the probe before a run.

    Subclasses set ``name`` (the spec name), implement ``catalog`` and read one item through
    :meth:`_load_checked`.
    """

    name: ClassVar[str] = ""
    kind: ClassVar[str] = ""                 #: "face" / "background", for messages
    noun: ClassVar[str] = ""                 #: what the items are, for messages
    channels: ClassVar[int] = 0              #: of the images ``_load_checked`` accepts
    cache_size: ClassVar[int] = 0
    #: the ``key=value`` options of the spec argument (name -> type): ``__init__`` parses the
    #: argument into ``self.arg_parts`` (``PATH[:extra...]``) and ``self.opts`` (see
    #: :meth:`parse_arg`); None: the source reads ``arg`` itself
    arg_options: ClassVar[dict[str, type] | None] = None

    def __init__(self, arg: str | None = None, *, split: str = "all", test_fraction: float = 0.2,
                 spec: str | None = None, **options: Any):
        self.arg = arg
        self.split = split
        self.test_fraction = test_fraction
        self.spec = spec or (f"{self.name}:{arg}" if arg else self.name)
        self.options = options   # hints from the generator (max_face_height, output_size)
        self._items: list | None = None
        self._by_key: dict[str, Any] = {}
        self._cache = LRU(self.cache_size)
        self.skipped: dict[str, str] = {}   # key -> reason, for corrupt files met during a run
        if self.arg_options is not None:
            self.arg_parts, self.opts = self.parse_arg(arg)

    def parse_arg(self, arg: str | None) -> tuple[list[str], dict]:
        """The spec argument's colon-separated positional parts and its options (of
        :attr:`arg_options`, type-checked)."""
        parts, opt_text = split_arg(arg)
        return parts, parse_options(self.spec, opt_text, self.arg_options)

    # ---------------------------------------------------------------- hooks
    def catalog(self) -> list:
        """Every item this source offers (before the split)."""
        raise NotImplementedError

    def split_key(self, item) -> str:
        """What the held-out split is drawn by (an identity, a background key)."""
        raise NotImplementedError

    def _index(self, items: list) -> None:
        """Hook: build lookup tables once the split's items are known."""

    # ---------------------------------------------------------------- template
    @property
    def items(self) -> list:
        if self._items is None:
            items = [it for it in self.catalog() if in_split(f"{self.name}/{self.split_key(it)}",
                                                             self.split, self.test_fraction)]
            if not items:
                raise SourceError(f"{self.kind} source {self.spec!r} has no {self.noun}"
                                  + (f" in the {self.split!r} split" if self.split != "all" else ""))
            self._items = items
            self._by_key = {it.key: it for it in items}
            self._index(items)
        return self._items

    def item(self, key: str):
        self.items
        return self._by_key[key]

    def _raise_if_skipped(self, key: str) -> None:
        if key in self.skipped:
            raise CorruptItemError(self.skipped[key])

    def _load_checked(self, key: str, load: Callable[[], np.ndarray]) -> np.ndarray:
        """``load()`` with its corrupt file remembered as skipped and its image checked."""
        try:
            img = load()
        except CorruptItemError as exc:
            self.skipped[key] = str(exc)
            raise
        if img.ndim != 3 or img.shape[2] != self.channels or img.dtype != np.uint8:
            raise SourceError(f"{self.kind} source {self.spec!r} returned an invalid image for {key}")
        return img

    def _probe_one(self, item, rng: np.random.Generator) -> None:
        """Hook: load ``item`` the way a run will (``rng`` draws any per-sample parameters)."""
        raise NotImplementedError

    def probe(self) -> None:
        """Load items in catalogue order until one reads (usually the first): a source whose
        every file is unreadable fails here, before anything is written, not mid-run."""
        items = self.items
        rng = np.random.default_rng(0)
        for it in items:
            try:
                self._probe_one(it, rng)
                return
            except CorruptItemError:
                continue
        example = next(iter(self.skipped.values()), "")
        raise SourceError(f"{self.kind} source {self.spec!r}: none of its {len(items)} files could "
                          "be read" + (f" (e.g. {example})" if example else ""))

    def describe(self) -> dict:
        self.items
        return {"spec": self.spec, "kind": self.name}


class FaceSource(Source):
    """Base of every face source. Subclasses set ``name`` and implement ``catalog`` and ``load_rgba``."""

    kind, noun, channels = "face", "faces", 4
    cache_size: ClassVar[int] = 6000

    # ---------------------------------------------------------------- hooks
    def load_rgba(self, item: FaceItem, variant: dict, height: int) -> np.ndarray:
        """The face as HxWx4 uint8 RGBA (straight alpha) at about ``height`` px (a hint)."""
        raise NotImplementedError

    def sprite_height(self, height: float) -> int:
        """The cached size a face of ``height`` px is warped down from (at most ~15 % larger)."""
        return ladder_height(height)

    def variant(self, rng: np.random.Generator, item: FaceItem) -> dict:
        """Per-sample parameters of a face (e.g. expression intensity); JSON-serialisable."""
        return {}

    def split_key(self, item: FaceItem) -> str:
        return item.identity

    def _index(self, items: list[FaceItem]) -> None:
        self._by_emotion = _emotions_of(items)

    # ---------------------------------------------------------------- template
    def emotions(self) -> set[str]:
        self.items
        return set(self._by_emotion)

    def count(self, emotion: str) -> int:
        self.items
        return len(self._by_emotion.get(emotion, ()))

    def pick(self, rng: np.random.Generator, emotion: str) -> dict:
        """Draw one face showing ``emotion``; the returned reference is the per-face metadata."""
        if self._items is None:
            self.items
        pool = self._by_emotion[emotion]
        item = pool[int(rng.integers(len(pool)))]
        return {"source": self.spec, "key": item.key, "identity": item.identity, "emotion": emotion,
                "variant": self.variant(rng, item), "meta": dict(item.meta)}

    def sprite(self, ref: dict, height: float) -> np.ndarray:
        """Straight-alpha RGBA cut-out for ``ref`` at the cached size just above ``height``."""
        self._raise_if_skipped(ref["key"])
        return self._make_sprite(ref, ref.get("variant") or {}, self.sprite_height(height))

    def prepared(self, ref: dict, height: float) -> tuple[np.ndarray, float]:
        """The cached, warp-ready form of ``sprite`` (premultiplied pixels cut to the face's
        bounding box, mean grey: :func:`~synthgroup.augment.prepare_sprite`); the sprite it
        comes from is ``sprite_height(height)`` px tall."""
        key = ref["key"]
        if key in self.skipped:
            raise CorruptItemError(self.skipped[key])
        h = self.sprite_height(height)
        variant = ref.get("variant") or {}
        ckey = (key, tuple(sorted(variant.items())) if variant else (), h)
        return self._cache.get(ckey, lambda: self._prepare(ref, variant, h))

    def _prepare(self, ref: dict, variant: dict, h: int) -> tuple[np.ndarray, float]:
        """Hook: ``prepared``'s value on a cache miss. A source that keeps its sprites
        premultiplied elsewhere (a shared atlas) overrides it."""
        return prepare_sprite(self._make_sprite(ref, variant, h))

    def _make_sprite(self, ref: dict, variant: dict, h: int) -> np.ndarray:
        rgba = self._load_checked(ref["key"],
                                  lambda: self.load_rgba(self.item(ref["key"]), variant, h))
        if rgba.shape[0] != h:
            w = max(1, round(rgba.shape[1] * h / rgba.shape[0]))
            # area averaging where it matters (>= 1.5x down), bilinear (4x cheaper) otherwise
            interp = cv2.INTER_AREA if rgba.shape[0] >= 1.5 * h else cv2.INTER_LINEAR
            rgba = cv2.resize(rgba, (w, h), interpolation=interp)
        return rgba

    def _probe_one(self, item: FaceItem, rng: np.random.Generator) -> None:
        self.sprite({"key": item.key, "variant": self.variant(rng, item)}, 64)

    def describe(self) -> dict:
        d = super().describe()
        d.update(faces=len(self._items), identities=len({it.identity for it in self._items}),
                 per_emotion={e: len(v) for e, v in sorted(self._by_emotion.items())})
        return d


class BackgroundSource(Source):
    """Base of every background source. Subclasses set ``name`` and implement ``catalog`` and ``load_rgb``."""

    kind, noun, channels = "background", "images", 3
    cache_size: ClassVar[int] = 400

    # ---------------------------------------------------------------- hooks
    def load_rgb(self, item: BackgroundItem, size: tuple[int, int]) -> np.ndarray:
        """The scene as HxWx3 uint8 RGB, any size (``size`` is the output size, a hint)."""
        raise NotImplementedError

    def split_key(self, item: BackgroundItem) -> str:
        return item.key

    # ---------------------------------------------------------------- template
    def pick(self, rng: np.random.Generator) -> dict:
        items = self.items
        item = items[int(rng.integers(len(items)))]
        return {"source": self.spec, "key": item.key, "category": item.category}

    def image(self, ref: dict, size: tuple[int, int]) -> np.ndarray:
        """The full background for ``ref`` (cached), before cropping."""
        self.items
        key = ref["key"]
        self._raise_if_skipped(key)
        return self._cache.get((key, tuple(size)), lambda: self._load_checked(
            key, lambda: self.load_rgb(self._by_key[key], size)))

    def _probe_one(self, item: BackgroundItem, rng: np.random.Generator) -> None:
        self.image({"key": item.key}, tuple(self.options.get("output_size", (224, 224))))

    def describe(self) -> dict:
        d = super().describe()
        cats: dict[str, int] = {}
        for it in self._items:
            cats[it.category] = cats.get(it.category, 0) + 1
        d.update(images=len(self._items), per_category=cats)
        return d


# ---------------------------------------------------------------------- registries
#: Spec name -> source class; third-party packages add theirs through these entry-point groups.
FACE_SOURCES: Registry[type[FaceSource]] = Registry(
    "face source", group="synthgroup.face_sources", error=SourceError)
BACKGROUND_SOURCES: Registry[type[BackgroundSource]] = Registry(
    "background source", group="synthgroup.background_sources", error=SourceError)


def register_face_source(cls: type[FaceSource]) -> type[FaceSource]:
    """Class decorator: register a face source under its ``name`` (a duplicate raises)."""
    return FACE_SOURCES.register(cls.name, cls)


def register_background_source(cls: type[BackgroundSource]) -> type[BackgroundSource]:
    """Class decorator: register a background source under its ``name`` (a duplicate raises)."""
    return BACKGROUND_SOURCES.register(cls.name, cls)


def list_face_sources() -> list[str]:
    return sorted(FACE_SOURCES.names())


def list_background_sources() -> list[str]:
    return sorted(BACKGROUND_SOURCES.names())


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


def _create(registry: Registry, spec: str, **kwargs):
    weight, name, arg = parse_spec(spec)
    cls = registry.get(name)
    spec_id = f"{name}:{arg}" if arg is not None else name
    return weight, cls(arg, spec=spec_id, **kwargs)


def create_face_source(spec: str, **kwargs) -> tuple[float, FaceSource]:
    return _create(FACE_SOURCES, spec, **kwargs)


def create_background_source(spec: str, **kwargs) -> tuple[float, BackgroundSource]:
    return _create(BACKGROUND_SOURCES, spec, **kwargs)
