"""KDEF (Karolinska Directed Emotional Faces) as distributed (a :class:`~.studio.StudioDatabase`).

Spec: ``kdef:DIR`` or ``kdef:DIR:angles=S+HL+HR,crop=face``. ``DIR`` is the folder holding
``KDEF/``, ``KDEF/`` itself, or any folder of ``AF01``-style subfolders: files are found
recursively by name. A name is ``<session A|B><gender F|M><id 2 digits><expression><angle>.JPG``,
e.g. ``AF01HAS.JPG``: expression AF afraid, AN angry, DI disgusted, HA happy, NE neutral,
SA sad, SU surprised; angle FL full left, HL half left, S straight, HR half right, FR full right.

Options: ``angles=S`` (default; ``+``-separated, or ``all``), ``crop=face`` (default: from the
top of the forehead, the hairline, to the chin, as the paper crops KDEF; :mod:`.facecrop`) or
``crop=full`` (the whole head of hair, neck and shoulders), ``detect=auto`` (OpenCV's frontal
Haar cascade, falling back to facial proportions) or ``detect=proportions``, and the matting
options ``matting=grabcut`` (default; or ``key``), ``threshold=`` (delta E, default 12),
``feather=`` (edge sigma as a fraction of the short side, default 0.0025), ``max_side=`` (800).

The two sessions (A, B) of a person share one identity (``F01``), so the train/test split never
separates them. KDEF is licensed by the Karolinska Institutet: obtain it yourself, never commit it.
"""
from __future__ import annotations

import re

from ..errors import SourceError
from .base import register_face_source
from .studio import Code, StudioDatabase

KDEF_EXPRESSIONS = {"AF": "fear", "AN": "anger", "DI": "disgust", "HA": "happiness",
                    "NE": "neutral", "SA": "sadness", "SU": "surprise"}
_GENDERS = {"F": "female", "M": "male"}
KDEF_ANGLES = ("FL", "HL", "S", "HR", "FR")


@register_face_source
class KDEFFaces(StudioDatabase):
    name = "kdef"
    convention = ("<session A|B><gender F|M><id 2 digits><expression AF|AN|DI|HA|NE|SA|SU>"
                  "<angle FL|HL|S|HR|FR>.JPG")
    example = "KDEF/AF01/AF01HAS.JPG"
    default_crop = "face"
    arg_options = {**StudioDatabase.arg_options, "angles": str}
    name_pattern = re.compile(r"^([A-Z])([A-Z])(\d{2})([A-Z]{2})([A-Z]{1,2})\.(JPE?G)$", re.IGNORECASE)
    codes = (Code("session", ("A", "B"), "A or B"), Code("gender", _GENDERS, "F or M"), None,
             Code("expression", KDEF_EXPRESSIONS, f"one of {', '.join(KDEF_EXPRESSIONS)}"),
             Code("angle", KDEF_ANGLES, f"one of {', '.join(KDEF_ANGLES)}"))

    def __init__(self, arg=None, **kwargs):
        super().__init__(arg, **kwargs)
        text = self.opts.get("angles", "S").strip().upper()
        self.angles = KDEF_ANGLES if text == "ALL" else tuple(a.strip() for a in text.split("+") if a.strip())
        bad = [a for a in self.angles if a not in KDEF_ANGLES]
        if bad or not self.angles:
            raise SourceError(f"source {self.spec!r}: angles={self.opts.get('angles')!r}: "
                              f"{', '.join(bad) or 'empty'} not among FL, HL, S, HR, FR "
                              "(join several with +, e.g. angles=S+HL+HR, or angles=all)")

    def fields(self, session, gender, num, expr, angle):
        identity = f"{gender}{num}"
        return {"identity": identity, "emotion": KDEF_EXPRESSIONS[expr], "angle": angle,
                "meta": {"id": identity, "gender": _GENDERS[gender], "session": session,
                         "angle": angle, "code": expr}}

    def accept(self, fields):
        return fields["angle"] in self.angles

    def not_accepted_message(self, found):
        have = sorted({f["angle"] for f in found}, key=KDEF_ANGLES.index)
        return (f"source {self.spec!r}: no photos at angle(s) {'+'.join(self.angles)} in {self.root} "
                f"(found: {'+'.join(have)}; choose with angles=..., e.g. {self.name}:{self.root}:angles={have[0]})")

    def describe(self):
        return {**super().describe(), "angles": list(self.angles)}
