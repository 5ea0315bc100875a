"""Emotions, the three image classes, and the majority rule that turns faces into an image label.

Class ids are fixed across the toolkit: 0 Positive, 1 Neutral, 2 Negative.
"""
from __future__ import annotations

from typing import Iterable, Sequence

from .errors import ConfigError

EMOTIONS = ("anger", "disgust", "fear", "happiness", "neutral", "sadness", "surprise")
CLASS_NAMES = ("Positive", "Neutral", "Negative")
POSITIVE, NEUTRAL, NEGATIVE = 0, 1, 2

#: The paper's grouping; surprise is ambiguous in valence and excluded by default.
BASE_GROUPS = {
    "happiness": POSITIVE,
    "neutral": NEUTRAL,
    "anger": NEGATIVE,
    "disgust": NEGATIVE,
    "fear": NEGATIVE,
    "sadness": NEGATIVE,
}

SURPRISE_POLICIES = ("exclude", "positive", "neutral", "negative")
TIE_POLICIES = ("neutral", "resample")

#: Accepted spellings for emotion names in folder / hub sources.
EMOTION_SYNONYMS = {
    "anger": "anger", "angry": "anger", "an": "anger", "mad": "anger",
    "disgust": "disgust", "disgusted": "disgust", "di": "disgust",
    "fear": "fear", "afraid": "fear", "fearful": "fear", "scared": "fear", "af": "fear",
    "happiness": "happiness", "happy": "happiness", "joy": "happiness", "ha": "happiness",
    "smile": "happiness", "smiling": "happiness",
    "neutral": "neutral", "ne": "neutral", "calm": "neutral",
    "sadness": "sadness", "sad": "sadness", "sa": "sadness", "unhappy": "sadness",
    "surprise": "surprise", "surprised": "surprise", "su": "surprise",
}


class Labelled:
    """Mixin of a result with an integer class ``label``: its :data:`CLASS_NAMES` name."""
    label: int

    @property
    def label_name(self) -> str:
        return CLASS_NAMES[self.label]


def normalize_emotion(name: str) -> str:
    """Map a spelling of an emotion ('Happy', 'afraid', ...) to one of EMOTIONS."""
    key = str(name).strip().lower().replace("-", "").replace("_", "")
    if key not in EMOTION_SYNONYMS:
        raise ConfigError(
            f"unknown emotion name {name!r}; use one of {', '.join(EMOTIONS)} "
            f"(synonyms: {', '.join(sorted(k for k in EMOTION_SYNONYMS if k not in EMOTIONS))})")
    return EMOTION_SYNONYMS[key]


def emotion_groups(surprise: str = "exclude") -> dict[str, int]:
    """Emotion -> class id under a surprise policy; excluded emotions are absent."""
    if surprise not in SURPRISE_POLICIES:
        raise ConfigError(f"surprise policy {surprise!r} is not one of {', '.join(SURPRISE_POLICIES)}")
    groups = dict(BASE_GROUPS)
    if surprise != "exclude":
        groups["surprise"] = CLASS_NAMES.index(surprise.capitalize())
    return groups


def majority_label(groups: Iterable[int]) -> int | None:
    """The most common class among the faces; None when no single class is most common (a tie)."""
    counts: dict[int, int] = {}   # a plain dict: ~4x faster than Counter (the generator's hot path)
    for g in groups:
        counts[g] = counts.get(g, 0) + 1
    best, top, tied = None, 0, False
    for g, c in counts.items():
        if c > top:
            best, top, tied = g, c, False
        elif c == top:
            tied = True
    return None if tied else best


def image_label(groups: Sequence[int], tie_policy: str = "neutral") -> int | None:
    """The image label by the paper's rule: majority class, Neutral on a tie (or None to resample)."""
    label = majority_label(groups)
    if label is None and tie_policy == "neutral":
        return NEUTRAL
    return label
