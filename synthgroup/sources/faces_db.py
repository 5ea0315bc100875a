"""The FACES database (Max Planck Institute for Human Development) as distributed.

Spec: ``faces:DIR`` or ``faces:DIR:crop=full,threshold=12``. Files are found recursively under
``DIR`` by name: ``<id>_<age y|m|o>_<gender m|f>_<expression>_<set a|b>.jpg``, e.g.
``004_o_m_a_a.jpg``; expression a anger, d disgust, f fear, h happiness, n neutral, s sadness.
The whole head with neck and shoulders is cut out (``crop=full``, as the paper uses FACES);
``crop=face`` crops from the top of the forehead to the chin like ``kdef``. Matting options as
for ``kdef`` (``matting``, ``threshold``, ``feather``, ``max_side``; the 2835x3543 originals are
matted at ``max_side`` = 800 px). Identity, age group and gender go into each face's metadata.

FACES is licensed by the Max Planck Institute: obtain it yourself, never commit it.
"""
from __future__ import annotations

import re

from .base import register_face_source
from .studio import Code, StudioDatabase

FACES_EXPRESSIONS = {"a": "anger", "d": "disgust", "f": "fear", "h": "happiness", "n": "neutral",
                     "s": "sadness"}
FACES_AGES = {"y": "young", "m": "middle", "o": "old"}
FACES_GENDERS = {"m": "male", "f": "female"}


@register_face_source
class FacesDatabase(StudioDatabase):
    name = "faces"
    convention = ("<id>_<age y|m|o>_<gender m|f>_<expression a|d|f|h|n|s>_<set a|b>.jpg")
    example = "004_o_m_a_a.jpg"
    default_crop = "full"
    name_pattern = re.compile(r"^(\d{1,4})_([a-z]+)_([a-z]+)_([a-z]+)_([a-z]+)\.(jpe?g)$", re.IGNORECASE)
    code_case = "lower"
    codes = (None, Code("age group", FACES_AGES, "y, m or o"), Code("gender", FACES_GENDERS, "m or f"),
             Code("expression", FACES_EXPRESSIONS, f"one of {', '.join(FACES_EXPRESSIONS)}"),
             Code("picture set", ("a", "b"), "a or b"))

    def fields(self, pid, age, gender, expr, pset):
        return {"identity": pid, "emotion": FACES_EXPRESSIONS[expr],
                "meta": {"id": pid, "age_group": FACES_AGES[age], "gender": FACES_GENDERS[gender],
                         "set": pset}}
