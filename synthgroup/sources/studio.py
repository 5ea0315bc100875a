"""The shared base of the face databases whose file names carry the labels, photographed on a
studio backdrop (``kdef``, ``faces``): find the files, report bad names, matte the backdrop out
(cached per file) and crop. Options common to them: ``crop=face|full``, ``detect=auto|proportions``
and the matting options of :mod:`.matting` (``matting=grabcut|key``, ``threshold``, ``feather``,
``max_side``).
"""
from __future__ import annotations

import re
from collections.abc import Collection
from typing import ClassVar, NamedTuple

from ..errors import SourceError
from .base import FaceItem, FaceSource
from .cache import require_dir, walk_files
from .matting import MATTE_OPTIONS, cutout_file, params_from_options


class Code(NamedTuple):
    """One code of a file name: what it is, its valid values, and how a message lists them."""
    what: str
    valid: Collection
    said: str


class StudioDatabase(FaceSource):
    """A face database whose file names carry the labels, photographed on a studio backdrop.

    Subclasses set the class variables (the naming convention as data: ``name_pattern`` and
    ``codes``) and ``fields``; this class finds the files, reports bad names, keys the backdrop
    out (cached per file) and crops.
    """

    convention: ClassVar[str] = ""      # the naming convention, for messages
    example: ClassVar[str] = ""         # an example path under DIR
    default_crop: ClassVar[str] = "full"
    #: a name that looks like the convention: one group per code, then the extension
    name_pattern: ClassVar[re.Pattern]
    code_case: ClassVar[str] = "upper"  # the case the codes are compared in: upper or lower
    #: per code of ``name_pattern``: a :class:`Code`, or None for a free one (e.g. a number)
    codes: ClassVar[tuple] = ()
    extensions: ClassVar[tuple[str, ...]] = (".jpg", ".jpeg")
    arg_options = {"crop": str, "detect": str, **MATTE_OPTIONS}   # a subclass may add its own

    def __init__(self, arg=None, **kwargs):
        super().__init__(arg, **kwargs)
        self.root = require_dir(self.spec, ":".join(self.arg_parts), f"{self.name}:/data/{self.example}")
        self.crop = self.opts.get("crop", self.default_crop)
        if self.crop not in ("face", "full"):
            raise SourceError(f"source {self.spec!r}: crop={self.crop!r} is not face or full")
        self.detect = self.opts.get("detect", "auto")
        if self.detect not in ("auto", "proportions"):
            raise SourceError(f"source {self.spec!r}: detect={self.detect!r} is not auto or proportions")
        self.params = params_from_options(self.opts, self.spec)
        self.half_matches: dict[str, str] = {}

    @property
    def database(self) -> str:
        """The database's name in messages: the spec name in capitals (KDEF, FACES)."""
        return self.name.upper()

    # ------------------------------------------------------------------ subclass hooks
    def fields(self, *codes: str) -> dict:
        """identity, emotion and meta (and what ``accept`` reads) of a name's valid codes."""
        raise NotImplementedError

    def parse_name(self, name: str) -> tuple[dict | None, str | None]:
        """(fields, None) for a valid name: identity, emotion, meta; (None, reason) for a name
        that looks like the convention but has a bad code; (None, None) for unrelated files."""
        m = self.name_pattern.match(name)
        if not m:
            return None, None
        codes = [getattr(g, self.code_case)() for g in m.groups()[:-1]]
        problems = [f"{c.what} {code!r} is not {c.said}" for code, c in zip(codes, self.codes)
                    if c is not None and code not in c.valid]
        if problems:
            return None, "; ".join(problems)
        return self.fields(*codes), None

    def accept(self, fields: dict) -> bool:
        return True

    def not_accepted_message(self, found: list[dict]) -> str:  # pragma: no cover - overridden
        return f"source {self.spec!r}: no usable photos in {self.root}"

    # ------------------------------------------------------------------ FaceSource hooks
    def catalog(self) -> list[FaceItem]:
        valid, items = [], []
        self.half_matches = {}
        for path in walk_files(self.root, self.extensions):
            rel = path.relative_to(self.root).as_posix()
            fields, reason = self.parse_name(path.name)
            if fields is None:
                if reason:
                    self.half_matches[rel] = reason
                continue
            valid.append(fields)
            if self.accept(fields):
                items.append(FaceItem(rel, fields["identity"], fields["emotion"], fields["meta"]))
        if not valid:
            if self.half_matches:
                rel, reason = next(iter(self.half_matches.items()))
                raise SourceError(
                    f"source {self.spec!r}: no file in {self.root} follows the {self.database} naming "
                    f"({self.convention}); {len(self.half_matches)} file(s) nearly do but have a bad "
                    f"code, e.g. {rel}: {reason}")
            raise SourceError(
                f"source {self.spec!r}: no file in {self.root} follows the {self.database} naming "
                f"({self.convention}), e.g. {self.example}")
        if not items:
            raise SourceError(self.not_accepted_message(valid))
        # a few bad names in an otherwise valid folder: skipped, counted and reported
        for rel, reason in self.half_matches.items():
            self.skipped[rel] = f"bad {self.database} file name: {reason}"
        return items

    def load_rgba(self, item, variant, height):
        path = self.root / item.key
        return cutout_file(path, self.params, self.crop, self.detect, what=str(path))

    def describe(self) -> dict:
        d = super().describe()
        d.update(path=str(self.root), crop=self.crop, matting=self.params.method,
                 bad_names=len(self.half_matches))
        return d
