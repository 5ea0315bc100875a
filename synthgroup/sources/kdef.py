"""KDEF (Karolinska Directed Emotional Faces) as distributed, and the shared base of the
file-name-labelled studio databases (``faces_db.py`` uses it too).

Spec: ``kdef:DIR`` or ``kdef:DIR:angles=S+HL+HR,crop=face``. ``DIR`` is the folder holding
``KDEF/``, ``KDEF/`` itself, or any folder of ``AF01``-style subfolders: files are found
recursively by name. A name is ``<session A|B><gender F|M><id 2 digits><expression><angle>.JPG``,
e.g. ``AF01HAS.JPG``: expression AF afraid, AN angry, DI disgusted, HA happy, NE neutral,
SA sad, SU surprised; angle FL full left, HL half left, S straight, HR half right, FR full right.

Options: ``angles=S`` (default; ``+``-separated, or ``all``), ``crop=face`` (default: from the
top of the forehead to the chin, as the paper crops KDEF) or ``crop=full`` (head, neck and
shoulders), ``detect=auto`` (OpenCV's frontal Haar cascade, falling back to facial proportions)
or ``detect=proportions``, and the keying options ``threshold=`` (delta E, default 12),
``feather=`` (edge sigma as a fraction of the short side, default 0.0025), ``max_side=`` (800).

The two sessions (A, B) of a person share one identity (``F01``), so the train/test split never
separates them. KDEF is licensed by the Karolinska Institutet: obtain it yourself, never commit it.
"""
from __future__ import annotations

import re
from typing import ClassVar

from ..errors import SourceError
from .base import FaceItem, FaceSource, register_face_source
from .cache import require_dir, split_arg, walk_files
from .matting import MATTE_OPTIONS, cutout_file, params_from_options
from .options import parse_options

KDEF_EXPRESSIONS = {"AF": "fear", "AN": "anger", "DI": "disgust", "HA": "happiness",
                    "NE": "neutral", "SA": "sadness", "SU": "surprise"}
KDEF_ANGLES = ("FL", "HL", "S", "HR", "FR")
_GENDERS = {"F": "female", "M": "male"}
_KDEF_LOOSE = re.compile(r"^([A-Z])([A-Z])(\d{2})([A-Z]{2})([A-Z]{1,2})\.(JPE?G)$", re.IGNORECASE)


class StudioDatabase(FaceSource):
    """A face database whose file names carry the labels, photographed on a studio backdrop.

    Subclasses set the class variables and ``parse_name``; this class finds the files, reports
    bad names, keys the backdrop out (cached per file) and crops.
    """

    database: ClassVar[str] = ""
    convention: ClassVar[str] = ""      # the naming convention, for messages
    example: ClassVar[str] = ""         # an example path under DIR
    default_crop: ClassVar[str] = "full"
    extensions: ClassVar[tuple[str, ...]] = (".jpg", ".jpeg")
    extra_options: ClassVar[dict] = {}

    def __init__(self, arg=None, **kwargs):
        super().__init__(arg, **kwargs)
        parts, opt_text = split_arg(arg)
        allowed = {"crop": str, "detect": str, **MATTE_OPTIONS, **self.extra_options}
        self.opts = parse_options(self.spec, opt_text, allowed)
        self.root = require_dir(self.spec, ":".join(parts), f"{self.name}:/data/{self.example}")
        self.crop = self.opts.get("crop", self.default_crop)
        if self.crop not in ("face", "full"):
            raise SourceError(f"source {self.spec!r}: crop={self.crop!r} is not face or full")
        self.detect = self.opts.get("detect", "auto")
        if self.detect not in ("auto", "proportions"):
            raise SourceError(f"source {self.spec!r}: detect={self.detect!r} is not auto or proportions")
        try:
            self.params = params_from_options(self.opts)
        except (TypeError, ValueError) as exc:  # pragma: no cover - types are checked above
            raise SourceError(f"source {self.spec!r}: {exc}") from None
        if not (0 < self.params.threshold < 200 and 0 <= self.params.feather < 0.1
                and self.params.max_side >= 64):
            raise SourceError(f"source {self.spec!r}: keying options out of range "
                              "(0 < threshold < 200, 0 <= feather < 0.1, max_side >= 64)")
        self.half_matches: dict[str, str] = {}

    # ------------------------------------------------------------------ subclass hooks
    def parse_name(self, name: str) -> tuple[dict | None, str | None]:
        """(fields, None) for a valid name: identity, emotion, meta; (None, reason) for a name
        that looks like the convention but has a bad code; (None, None) for unrelated files."""
        raise NotImplementedError

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
        d.update(path=str(self.root), crop=self.crop, bad_names=len(self.half_matches))
        return d


@register_face_source
class KDEFFaces(StudioDatabase):
    name = "kdef"
    database = "KDEF"
    convention = ("<session A|B><gender F|M><id 2 digits><expression AF|AN|DI|HA|NE|SA|SU>"
                  "<angle FL|HL|S|HR|FR>.JPG")
    example = "KDEF/AF01/AF01HAS.JPG"
    default_crop = "face"
    extra_options = {"angles": str}

    def __init__(self, arg=None, **kwargs):
        super().__init__(arg, **kwargs)
        text = self.opts.get("angles", "S").strip().upper()
        self.angles = KDEF_ANGLES if text == "ALL" else tuple(a.strip() for a in text.split("+") if a.strip())
        bad = [a for a in self.angles if a not in KDEF_ANGLES]
        if bad or not self.angles:
            raise SourceError(f"source {self.spec!r}: angles={self.opts.get('angles')!r}: "
                              f"{', '.join(bad) or 'empty'} not among FL, HL, S, HR, FR "
                              "(join several with +, e.g. angles=S+HL+HR, or angles=all)")

    def parse_name(self, name):
        m = _KDEF_LOOSE.match(name)
        if not m:
            return None, None
        session, gender, num, expr, angle, _ = (g.upper() for g in m.groups())
        problems = []
        if session not in ("A", "B"):
            problems.append(f"session {session!r} is not A or B")
        if gender not in _GENDERS:
            problems.append(f"gender {gender!r} is not F or M")
        if expr not in KDEF_EXPRESSIONS:
            problems.append(f"expression {expr!r} is not one of {', '.join(KDEF_EXPRESSIONS)}")
        if angle not in KDEF_ANGLES:
            problems.append(f"angle {angle!r} is not one of {', '.join(KDEF_ANGLES)}")
        if problems:
            return None, "; ".join(problems)
        identity = f"{gender}{num}"
        return {"identity": identity, "emotion": KDEF_EXPRESSIONS[expr], "angle": angle,
                "meta": {"id": identity, "gender": _GENDERS[gender], "session": session,
                         "angle": angle, "code": expr}}, None

    def accept(self, fields):
        return fields["angle"] in self.angles

    def not_accepted_message(self, found):
        have = sorted({f["angle"] for f in found}, key=KDEF_ANGLES.index)
        return (f"source {self.spec!r}: no photos at angle(s) {'+'.join(self.angles)} in {self.root} "
                f"(found: {'+'.join(have)}; choose with angles=..., e.g. {self.name}:{self.root}:angles={have[0]})")

    def describe(self):
        d = super().describe()
        d["angles"] = list(self.angles)
        return d
