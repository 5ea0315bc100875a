"""Interventions on a record: the same scene with another background, or with faces removed.

A record is the whole description of an image (see :mod:`synthgroup.compose`), so a controlled
experiment is a small change to a copy of it, rendered with :func:`synthgroup.render_record`:
everything not changed stays byte-identical (the same faces at the same positions with the same
augmentations, or the same background crop). These are the probes that test what a global model
uses: does its answer move when only the background changes, and does it follow the majority
rule when a face is taken away::

    other = with_background(record, records[7]["background"])
    fewer = without_faces(record, [2])           # label recomputed by the majority rule
    bare = without_faces(record)                  # background only: no label
"""
from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Iterable

from .errors import ConfigError
from .labels import CLASS_NAMES, image_label


def with_background(record: dict, background: dict) -> dict:
    """A copy of ``record`` whose background (source, image, crop, flip) is ``background``."""
    if not isinstance(background, dict) or "source" not in background:
        raise ConfigError("with_background needs a record's 'background' entry")
    out = copy.deepcopy(record)
    out["background"] = copy.deepcopy(background)
    return out


def without_faces(record: dict, drop: Iterable[int] | None = None,
                  tie_policy: str = "neutral") -> dict:
    """A copy of ``record`` without the faces at indices ``drop`` (all of them by default).

    The label is recomputed from the faces that remain by the majority rule (Neutral on a tie);
    with no face left it is ``None``: the rule has nothing to say about a background.
    """
    n = len(record["faces"])
    drop = set(range(n) if drop is None else drop)
    bad = sorted(k for k in drop if not 0 <= k < n)
    if bad:
        raise ConfigError(f"face index {bad[0]} out of range: the record has {n} face(s)")
    out = copy.deepcopy(record)
    out["faces"] = [f for k, f in enumerate(out["faces"]) if k not in drop]
    out["n_faces"] = len(out["faces"])
    label = image_label([f["group"] for f in out["faces"]], tie_policy) if out["faces"] else None
    out["label"] = label
    out["label_name"] = None if label is None else CLASS_NAMES[label]
    return out


def majority_margin(record: dict) -> int:
    """Faces of the most common group minus faces of the runner-up (0 on a tie; the count
    itself when only one group is present)."""
    counts = sorted(Counter(f["group"] for f in record["faces"]).values(), reverse=True)
    if not counts:
        return 0
    return counts[0] - (counts[1] if len(counts) > 1 else 0)
