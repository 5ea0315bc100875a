"""The FACES database (Max Planck Institute for Human Development) as distributed.

Spec: ``faces:DIR`` or ``faces:DIR:crop=full,threshold=12``. Files are found recursively under
``DIR`` by name: ``<id>_<age y|m|o>_<gender m|f>_<expression>_<set a|b>.jpg``, e.g.
``004_o_m_a_a.jpg``; expression a anger, d disgust, f fear, h happiness, n neutral, s sadness.
The whole head with neck and shoulders is cut out (``crop=full``, as the paper uses FACES);
``crop=face`` crops from the top of the forehead to the chin like ``kdef``. Keying options as
for ``kdef`` (``threshold``, ``feather``, ``max_side``; the 2835x3543 originals are matted at
``max_side`` = 800 px). Identity, age group and gender go into each face's metadata.

FACES is licensed by the Max Planck Institute: obtain it yourself, never commit it.
"""
from __future__ import annotations

import re

from .base import register_face_source
from .studio import StudioDatabase

FACES_EXPRESSIONS = {"a": "anger", "d": "disgust", "f": "fear", "h": "happiness", "n": "neutral",
                     "s": "sadness"}
FACES_AGES = {"y": "young", "m": "middle", "o": "old"}
FACES_GENDERS = {"m": "male", "f": "female"}
_FACES_LOOSE = re.compile(r"^(\d{1,4})_([a-z]+)_([a-z]+)_([a-z]+)_([a-z]+)\.(jpe?g)$", re.IGNORECASE)


@register_face_source
class FacesDatabase(StudioDatabase):
    name = "faces"
    database = "FACES"
    convention = ("<id>_<age y|m|o>_<gender m|f>_<expression a|d|f|h|n|s>_<set a|b>.jpg")
    example = "004_o_m_a_a.jpg"
    default_crop = "full"

    def parse_name(self, name):
        m = _FACES_LOOSE.match(name)
        if not m:
            return None, None
        pid, age, gender, expr, pset, _ = (g.lower() for g in m.groups())
        problems = []
        if age not in FACES_AGES:
            problems.append(f"age group {age!r} is not y, m or o")
        if gender not in FACES_GENDERS:
            problems.append(f"gender {gender!r} is not m or f")
        if expr not in FACES_EXPRESSIONS:
            problems.append(f"expression {expr!r} is not one of {', '.join(FACES_EXPRESSIONS)}")
        if pset not in ("a", "b"):
            problems.append(f"picture set {pset!r} is not a or b")
        if problems:
            return None, "; ".join(problems)
        return {"identity": pid, "emotion": FACES_EXPRESSIONS[expr],
                "meta": {"id": pid, "age_group": FACES_AGES[age], "gender": FACES_GENDERS[gender],
                         "set": pset}}, None
