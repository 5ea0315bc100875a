"""Interventions on a record: the same scene with another background, with faces removed, or
with one face showing another expression (or another person).

A record is the whole description of an image (see :mod:`synthgroup.compose`), so a controlled
experiment is a small change to a copy of it, rendered with :func:`synthgroup.render_record`:
everything not changed stays byte-identical (the same faces at the same positions with the same
augmentations, or the same background crop). These are the probes that test what a global model
uses: does its answer move when only the background changes, and does it follow the majority
rule when a face is taken away or one face changes its expression::

    other = with_background(record, records[7]["background"])
    fewer = without_faces(record, [2])           # label recomputed by the majority rule
    bare = without_faces(record)                  # background only: no label
    sad = with_face_emotion(record, 0, "sadness", sources)   # same person, place, augmentation
    someone = with_face(record, 0, sources, identity="p00042")
"""
from __future__ import annotations

import copy
import weakref
from collections import Counter
from collections.abc import Iterable

import cv2
import numpy as np

from .errors import ConfigError
from .labels import CLASS_NAMES, image_label, normalize_emotion


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
    return _relabelled(out, tie_policy)


def with_face(record: dict, face_index: int, sources, *, identity: str | None = None,
              emotion: str | None = None, tie_policy: str = "neutral") -> dict:
    """A copy of ``record`` whose face ``face_index`` shows ``emotion`` and/or is ``identity``
    (another entry of the same face source), at the same position and height, with the same
    augmentation and variant (for procedural faces: the same intensity; neutral has one).

    Everything else is unchanged; the face's box and pixel count are measured again from its new
    cut-out and the label is recomputed by the majority rule. ``sources`` is the
    :class:`~synthgroup.compose.Sources` the record was drawn from. A source with several
    pictures of one (identity, emotion) gives its first.
    """
    n = len(record["faces"])
    if not 0 <= face_index < n:
        raise ConfigError(f"face index {face_index} out of range: the record has {n} face(s)")
    out = copy.deepcopy(record)
    face = out["faces"][face_index]
    fsrc = sources.face(face["source"])
    identity = face["identity"] if identity is None else str(identity)
    emotion = face["emotion"] if emotion is None else normalize_emotion(emotion)
    if emotion not in sources.groups:
        raise ConfigError(f"emotion {emotion!r} has no class under this configuration's surprise "
                          f"policy; choose one of {', '.join(sorted(sources.groups))}")
    item = _items_by_identity(fsrc).get((identity, emotion))
    if item is None:
        raise ConfigError(f"face source {fsrc.spec!r} has no {emotion!r} face of identity "
                          f"{identity!r} (in its {fsrc.split!r} split)")
    group = sources.groups[emotion]
    face.update(key=item.key, identity=item.identity, emotion=emotion, meta=dict(item.meta),
                group=group, group_name=CLASS_NAMES[group])
    _measure_face(face, sources, out["size"])
    return _relabelled(out, tie_policy)


def with_face_emotion(record: dict, face_index: int, emotion: str, sources,
                      tie_policy: str = "neutral") -> dict:
    """The same scene with face ``face_index`` showing ``emotion``: the same person at the same
    place with the same augmentation; the label recomputed by the majority rule
    (:func:`with_face`)."""
    return with_face(record, face_index, sources, emotion=emotion, tie_policy=tie_policy)


_ITEM_INDEX: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _items_by_identity(fsrc) -> dict:
    """``(identity, emotion) -> first item`` of a face source (built once per source object)."""
    index = _ITEM_INDEX.get(fsrc)
    if index is None:
        index = {}
        for it in fsrc.items:
            index.setdefault((it.identity, it.emotion), it)
        _ITEM_INDEX[fsrc] = index
    return index


def _measure_face(face: dict, sources, size) -> None:
    """Box and pixel count of ``face`` from its cut-out at its position (as the generator does)."""
    from .compose import _warped

    alpha = _warped(sources, face).alpha
    x, y = face["position"]
    h, w = alpha.shape
    if y + h > size[0] or x + w > size[1]:
        raise ConfigError(f"the new face ({w}x{h} px) does not fit at {face['position']} on the "
                          f"{size[1]}x{size[0]} image")
    bx, by, bw, bh = cv2.boundingRect(alpha)
    face["box"] = [x + bx, y + by, bw, bh]
    face["pixels"] = int(np.count_nonzero(alpha >= 128))


def _relabelled(out: dict, tie_policy: str) -> dict:
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
