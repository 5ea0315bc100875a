"""Typed entries of an explanation report: what :mod:`explain.report` computes per input and
:mod:`explain.report_page` shows.

One :class:`ImageEntry` per image and one :class:`VideoEntry` per video (with its
:class:`KeyFrame` s); the pictures are :class:`Panels` - the picture itself and one heatmap
overlay per class, as paths relative to the report folder. :meth:`ImageEntry.to_json` /
:meth:`VideoEntry.to_json` give the rows of ``report.json`` (same keys as before the entries were
typed).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import ClassVar

from synthgroup.labels import CLASS_NAMES, Labelled


def jsonable(d):
    """``d`` with numpy values as lists/numbers and anything else unknown as its ``str``."""
    return json.loads(json.dumps(d, default=lambda o: o.tolist() if hasattr(o, "tolist")
                                 else str(o)))


@dataclass
class Panels:
    """The picture shown (obscured or not) and its heatmap overlay for each class."""
    base: str
    overlays: list[str]


@dataclass
class MapScore:
    """Where one class map falls on a synthetic image's ground-truth faces (inside the crop the
    model sees): :func:`explain.metrics.face_focus_details` and whether the map's maximum hits a
    face (:func:`explain.metrics.pointing_game`; ``None``: a flat map points nowhere)."""
    focus: float
    energy_share: float
    area_share: float
    faces: int
    pointing_hit: bool | None = None

    def to_json(self) -> dict:
        return {"focus": self.focus, "energy_share": self.energy_share,
                "area_share": self.area_share, "faces": self.faces,
                "pointing_hit": self.pointing_hit}


@dataclass
class Obscuring:
    """How an input's pictures were obscured (:func:`explain.report.privatize`) and why:
    ``reason`` is ``"not synthetic"`` (the default, ``--privacy auto``) or ``"--privacy on"``."""
    style: str
    block: int
    reason: str

    def to_json(self) -> dict:
        return {"style": self.style, "block": self.block, "reason": self.reason}


@dataclass
class Faithfulness:
    """ROAD and confidence drop of the predicted class's map (:mod:`explain.metrics`)."""
    road: float
    confidence_drop: float


@dataclass(kw_only=True)
class Entry(Labelled):
    """What every input of a report has: its path, anchor, class probabilities and label, whether
    it is synthetic (a synthgroup image) and how its pictures were obscured (``None``: shown as
    they are)."""
    input: str
    name: str
    anchor: str
    probs: list[float]
    label: int
    synthetic: bool = False
    obscured: Obscuring | None = None
    kind: ClassVar[str] = ""

    @property
    def private(self) -> bool:
        return self.obscured is not None

    @property
    def truth_name(self) -> str | None:
        """The true label's name, where the input has one (a synthgroup image)."""
        return None

    def focus_of(self, c: int) -> float | None:
        """Face focus of class ``c``'s map (``None`` without masks)."""
        return None

    def hit_of(self, c: int) -> bool | None:
        """Pointing-game hit of class ``c``'s map (``None`` without masks)."""
        return None

    def _head(self) -> dict:
        return {"kind": self.kind, "input": self.input, "name": self.name, "anchor": self.anchor,
                "probs": [float(p) for p in self.probs], "label": self.label,
                "label_name": self.label_name, "synthetic": self.synthetic,
                "private": self.private,
                "obscured": self.obscured.to_json() if self.obscured else None}


@dataclass(kw_only=True)
class ImageEntry(Entry):
    """One image: its panels, the true label and map scores of a synthgroup image, and the
    faithfulness of its predicted-class map when asked for."""
    panels: Panels
    truth: int | None = None
    scores: list[MapScore | None] = field(default_factory=list)
    faithfulness: Faithfulness | None = None
    extra: dict = field(default_factory=dict)
    kind: ClassVar[str] = "image"

    @property
    def truth_name(self) -> str | None:
        return CLASS_NAMES[self.truth] if self.truth is not None else None

    def focus_of(self, c: int) -> float | None:
        s = self.scores[c] if c < len(self.scores) else None
        return s.focus if s is not None else None

    def hit_of(self, c: int) -> bool | None:
        """Pointing-game hit of class ``c``'s map (``None`` without masks or for a flat map)."""
        s = self.scores[c] if c < len(self.scores) else None
        return s.pointing_hit if s is not None else None

    @property
    def has_masks(self) -> bool:
        return any(s is not None for s in self.scores)

    def to_json(self) -> dict:
        n = len(self.panels.overlays)
        scores = self.scores or [None] * n
        row = {**self._head(), "truth": self.truth,
               "base": self.panels.base, "overlays": list(self.panels.overlays),
               "face_focus": [s.focus if s else None for s in scores],
               "face_focus_details": [s.to_json() if s else None for s in scores],
               "pointing_game": [s.pointing_hit if s else None for s in scores],
               "extra": jsonable(self.extra)}
        if self.faithfulness is not None:
            row.update(road=self.faithfulness.road,
                       confidence_drop=self.faithfulness.confidence_drop)
        return row


@dataclass
class KeyFrame(Labelled):
    """A video frame shown with its heatmaps: the sampled frame where one class is most probable."""
    index: int
    time_s: float | None
    probs: list[float]
    label: int
    timeline_probs: list[float]
    panels: Panels

    def to_json(self) -> dict:
        return {"index": self.index, "time_s": self.time_s, "probs": list(self.probs),
                "label": self.label, "timeline_probs": list(self.timeline_probs),
                "base": self.panels.base, "overlays": list(self.panels.overlays)}


@dataclass(kw_only=True)
class VideoEntry(Entry):
    """One video: the timeline of per-frame probabilities and the key frames."""
    timeline: str
    method: str
    frames_used: int
    frames_decoded: int
    fps: float | None = None
    truncated: bool = False
    note: str | None = None
    key_frames: list[KeyFrame] = field(default_factory=list)
    kind: ClassVar[str] = "video"

    def to_json(self) -> dict:
        return {**self._head(), "truth": None,
                "timeline": self.timeline, "method": self.method,
                "frames_used": self.frames_used, "frames_decoded": self.frames_decoded,
                "fps": self.fps, "truncated": self.truncated, "note": self.note,
                "key_frames": [k.to_json() for k in self.key_frames],
                "face_focus": [None] * len(CLASS_NAMES)}
