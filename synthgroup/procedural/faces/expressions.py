"""The seven basic expressions as FACS action-unit prototypes."""
from __future__ import annotations

import math


EXPRESSIONS = ("anger", "disgust", "fear", "happiness", "neutral", "sadness", "surprise")

#: Action units the renderer understands (FACS numbering).
AU_NAMES = ("AU1", "AU2", "AU4", "AU5", "AU6", "AU7", "AU9", "AU10", "AU12", "AU15", "AU17",
            "AU20", "AU23", "AU24", "AU25", "AU26", "AU41")

# Prototypes (Ekman & Friesen / EMFACS style); values are the activations at intensity 1.
_PROTOTYPES: dict[str, dict[str, float]] = {
    "anger": {"AU4": 1.0, "AU5": 0.6, "AU7": 1.0, "AU23": 1.0, "AU24": 0.7, "AU17": 0.4},
    "disgust": {"AU9": 1.0, "AU10": 1.0, "AU15": 0.5, "AU17": 0.5, "AU4": 0.4},
    "fear": {"AU1": 1.0, "AU2": 0.8, "AU4": 0.8, "AU5": 1.0, "AU20": 1.0, "AU25": 1.0, "AU26": 0.5},
    "happiness": {"AU6": 1.0, "AU12": 1.0, "AU25": 0.8},
    "neutral": {},
    "sadness": {"AU1": 1.0, "AU4": 0.8, "AU15": 1.0, "AU17": 0.5, "AU41": 0.5},
    "surprise": {"AU1": 1.0, "AU2": 1.0, "AU5": 1.0, "AU25": 1.0, "AU26": 1.0},
}


def action_units(expression: str, intensity: float) -> dict[str, float]:
    """FACS action-unit activations (every name in ``AU_NAMES``, each in [0, 1]) for an expression.

    ``intensity`` scales the prototype linearly (clipped to [0, 1]); neutral is all zero.
    """
    try:
        proto = _PROTOTYPES[expression]
    except (KeyError, TypeError):
        raise ValueError(f"unknown expression {expression!r}; valid: {', '.join(EXPRESSIONS)}") from None
    k = float(intensity)
    if not math.isfinite(k):
        raise ValueError(f"intensity must be a finite number in [0, 1], got {intensity!r}")
    k = min(1.0, max(0.0, k))
    return {name: min(1.0, proto.get(name, 0.0) * k) for name in AU_NAMES}


_AU_SET = frozenset(AU_NAMES)


def au_vector(aus: dict, height) -> tuple[int, list[float]]:
    """The checked sprite height and the activations of ``aus`` in ``AU_NAMES`` order, each
    clipped to [0, 1] (missing and NaN -> 0): what both drawing styles start from."""
    H = int(height)
    if H < 12:
        raise ValueError(f"height must be at least 12 px, got {height!r}")
    for name in aus:
        if name not in _AU_SET:
            raise ValueError(f"unknown action unit {name!r}; valid: {', '.join(AU_NAMES)}")
    a = [float(aus.get(n, 0.0)) for n in AU_NAMES]
    return H, [min(1.0, v) if v > 0.0 else 0.0 for v in a]   # clip, NaN -> 0
