"""Identities: everything that makes one procedural person, drawn from a seed."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..rng import Draws


HAIR_STYLES = ("short", "long", "bald", "curly", "afro", "bun", "fringe", "buzz", "bob", "receding")
BEARD_STYLES = ("none", "stubble", "full", "goatee")
GLASSES_STYLES = ("none", "round", "rect")


@dataclass(frozen=True)
class Identity:
    """Everything that makes one procedural person; plain data (``asdict`` is JSON-serialisable).

    Lengths are in units of the sprite height. Colours are (R, G, B) ints. Style fields are
    indices into ``HAIR_STYLES`` / ``BEARD_STYLES`` / ``GLASSES_STYLES``.
    """
    seed: int
    age: float                 # 0 young adult .. 1 elderly
    masculinity: float         # latent that correlates jaw, brows, hair and facial hair
    skin_tone: float           # 0 lightest .. 1 darkest (position on the 10-step Monk scale)
    skin: tuple                # (R, G, B)
    face_width: float          # full width at the cheekbones
    forehead_top: float        # y of the top of the skull / face ellipse
    chin_y: float              # y of the chin
    jaw_square: float          # 0 tapered .. 1 square jaw
    jaw_width: float           # width of the lower jaw relative to the cheeks
    chin_width: float          # flat part of the chin relative to the face width
    ear_size: float
    hair_style: int
    hair_color: tuple
    hair_volume: float
    hair_part: float           # -1 .. 1 side of the parting / sweep
    hairline: float            # how low the hair comes on the forehead
    hair_length: float         # for long styles: y where the hair ends
    hair_curl: float           # bumpiness of the outline
    eye_size: float
    eye_open: float
    eye_spacing: float         # half distance between eye centres
    eye_y: float
    eye_tilt: float
    iris_color: tuple
    brow_thickness: float
    brow_arch: float
    brow_length: float
    brow_height: float         # eye-to-brow distance
    brow_color: tuple
    nose_length: float
    nose_width: float
    mouth_width: float
    mouth_y: float             # nose-to-mouth distance
    lip_thickness: float
    lip_color: tuple
    blush: float
    wrinkles: float            # age lines, 0 .. 1
    glasses: int
    glasses_color: tuple
    beard: int
    moustache: int



# Monk Skin Tone scale (10 steps, lightest to darkest), sRGB.
_MONK = np.array([(246, 237, 228), (243, 231, 219), (247, 234, 208), (234, 218, 186),
                  (215, 189, 150), (160, 126, 86), (130, 92, 67), (96, 65, 52), (58, 49, 42),
                  (41, 36, 32)], dtype=np.float64)

_HAIR_COLOURS = {  # name: (RGB, ...)
    "black": (28, 24, 24), "dark_brown": (58, 40, 30), "brown": (105, 70, 42),
    "light_brown": (150, 108, 66), "blond": (214, 178, 108), "red": (160, 72, 34),
    "grey": (150, 148, 146), "white": (212, 210, 206),
}
_IRIS = ((58, 34, 20), (96, 58, 30), (118, 92, 48), (74, 116, 66), (66, 108, 168), (108, 128, 146))
_GLASSES = ((30, 28, 28), (92, 56, 30), (168, 168, 174), (40, 50, 110))


def _pick(u: float, weights) -> int:
    """Index of the bin of ``u`` (in [0, 1)) when [0, 1) is cut in proportion to ``weights``."""
    total = sum(weights)
    acc = 0.0
    for i, w in enumerate(weights):
        acc += w / total
        if u < acc:
            return i
    return len(weights) - 1


def _rgb(c) -> tuple:
    """A colour rounded and clipped to ints in 0..255."""
    return tuple(int(min(255, max(0, round(v)))) for v in c)


def _mix(a, b, t: float) -> tuple:
    """Linear blend from colour ``a`` (t = 0) to ``b`` (t = 1)."""
    return tuple(x + (y - x) * t for x, y in zip(a, b))


def luminance(c) -> float:
    """Rec. 601 luma of an (R, G, B) colour."""
    return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]


def identity_from_seed(seed: int) -> Identity:
    """A deterministic identity; uses only ``np.random.default_rng(seed)``."""
    rng = Draws(np.random.default_rng(seed))
    age = rng.random() ** 1.6  # skewed towards younger adults
    masc = rng.uniform(0.62, 0.95) if rng.random() < 0.5 else rng.uniform(0.05, 0.38)
    male = masc > 0.5
    # skin: uniform over the Monk scale with a small undertone jitter
    pos = rng.random() * 9.0
    i0 = min(8, int(pos))
    base = _MONK[i0] + (_MONK[i0 + 1] - _MONK[i0]) * (pos - i0)
    warm = rng.uniform(-0.3, 1.0)   # undertone: mostly warm, a few neutral / cool
    skin = _rgb((base[0] * (1 + 0.015 * warm), base[1] * (1 - 0.02 * warm), base[2] * (1 - 0.07 * warm)))
    tone = pos / 9.0

    # hair colour, correlated with skin tone and age
    hu = rng.random()
    if tone > 0.5:
        hname = ("black", "black", "black", "dark_brown", "dark_brown", "brown")[int(hu * 6)]
    else:
        hname = ("black", "dark_brown", "dark_brown", "brown", "brown", "light_brown", "blond",
                 "blond", "red")[int(hu * 9)]
    if age > 0.55 and rng.random() < (age - 0.45) * 1.6:
        hname = "white" if rng.random() < (age - 0.5) else "grey"
    else:
        rng.skip()
    hj = rng.uniform(0.9, 1.1)
    hair = _rgb(c * hj for c in _HAIR_COLOURS[hname])

    # hair style
    curly_bias = 2.5 if tone > 0.55 else 0.4
    if male:
        w = [30, 4, 6 + 30 * age, 8 * curly_bias, 4 * curly_bias, 0.5, 6, 16, 2, 4 + 30 * age]
    else:
        w = [10, 34, 0.2, 8 * curly_bias, 5 * curly_bias, 14, 9, 1, 15, 0.3 + 3 * age]
    style = _pick(rng.random(), w)

    sname = HAIR_STYLES[style]
    volume = {"short": rng.uniform(0.01, 0.035), "long": rng.uniform(0.015, 0.04), "bald": 0.0,
              "curly": rng.uniform(0.035, 0.06), "afro": rng.uniform(0.075, 0.11), "bun": rng.uniform(0.006, 0.014),
              "fringe": rng.uniform(0.015, 0.035), "buzz": rng.uniform(0.003, 0.008), "bob": rng.uniform(0.02, 0.04),
              "receding": rng.uniform(0.008, 0.02)}[sname]
    part = rng.uniform(-1, 1)
    hairline = rng.random()
    length = rng.uniform(0.74, 0.8) if sname == "bob" else rng.uniform(0.84, 0.97)
    curl = rng.uniform(0.5, 1.0) if sname in ("curly", "afro") else rng.uniform(0.0, 0.15)

    # face shape
    face_width = rng.uniform(0.47, 0.555) + 0.012 * masc
    forehead_top = rng.uniform(0.14, 0.165)
    chin_y = rng.uniform(0.835, 0.87)
    jaw_square = min(1.0, max(0.0, rng.uniform(0.15, 0.75) + 0.25 * masc - 0.1))
    jaw_width = min(1.0, max(0.0, rng.uniform(0.2, 0.7) + 0.2 * masc))
    chin_width = rng.uniform(0.15, 0.32) + 0.08 * masc
    ear_size = rng.uniform(0.85, 1.15)

    # eyes
    eye_size = rng.uniform(0.88, 1.12) - 0.03 * masc
    eye_open = rng.uniform(0.85, 1.15)
    eye_spacing = rng.uniform(0.1, 0.116)
    eye_y = rng.uniform(0.462, 0.49)
    eye_tilt = rng.uniform(-0.12, 0.22)
    iu = rng.random()
    if tone > 0.45:
        iris = _IRIS[0] if iu < 0.75 else _IRIS[1]
    else:
        iris = _IRIS[_pick(iu, [14, 18, 12, 10, 20, 10])]
    iris = _rgb(c * rng.uniform(0.9, 1.1) for c in iris)

    # brows: darker than the hair and always readable against the skin
    brow_thickness = min(1.0, max(0.0, rng.uniform(0.0, 0.8) + 0.3 * masc))
    brow_arch = rng.uniform(0.2, 1.0) - 0.3 * masc
    brow_length = rng.uniform(0.9, 1.1)
    brow_height = rng.uniform(0.07, 0.084)
    slum = luminance(skin)
    if hname in ("grey", "white"):
        bc = _mix(hair, (70, 64, 60) if slum > 120 else (235, 232, 228), 0.45)
    else:
        bc = _mix(hair, (40, 28, 22), 0.35)
        if abs(luminance(bc) - slum) < 90:
            bc = _mix(bc, (12, 8, 8), 0.7)
    brow = _rgb(bc)

    # nose, mouth
    nose_length = rng.uniform(0.9, 1.15) + 0.05 * masc
    nose_width = rng.uniform(0.85, 1.2) + 0.15 * tone
    mouth_width = rng.uniform(0.88, 1.12)
    mouth_y = rng.uniform(0.068, 0.085)
    lip_thickness = rng.uniform(0.8, 1.2) + 0.2 * (1 - masc) + 0.1 * tone
    lip = _mix((skin[0] * 0.9, skin[1] * 0.7, skin[2] * 0.72), (132, 66, 70), 0.4 * tone ** 1.5)
    if not male and rng.random() < 0.3:
        lip = _mix(lip, (178, 38, 62), rng.uniform(0.25, 0.55))
    else:
        rng.skip(2)
    lip = _rgb(lip)
    blush = rng.uniform(0.0, 0.2) * (1 - 0.5 * masc) * (1 - tone)
    wrinkles = max(0.0, min(1.0, (age - 0.45) * 2.0 + rng.uniform(-0.15, 0.15)))

    g = rng.random()
    glasses = 0 if g < 0.85 - 0.3 * age else (1 if rng.random() < 0.45 else 2)
    glasses_color = _GLASSES[int(rng.random() * len(_GLASSES))]
    beard, moustache = 0, 0
    if male:
        b = rng.random()
        beard = 0 if b < 0.6 else _pick((b - 0.6) / 0.4, [4, 4, 2]) + 1
        moustache = int(beard in (2, 3) or rng.random() < 0.12)

    return Identity(
        seed=int(seed), age=age, masculinity=masc, skin_tone=tone, skin=skin,
        face_width=face_width, forehead_top=forehead_top, chin_y=chin_y, jaw_square=jaw_square,
        jaw_width=jaw_width, chin_width=chin_width, ear_size=ear_size,
        hair_style=style, hair_color=hair, hair_volume=volume, hair_part=part, hairline=hairline,
        hair_length=length, hair_curl=curl,
        eye_size=eye_size, eye_open=eye_open, eye_spacing=eye_spacing, eye_y=eye_y,
        eye_tilt=eye_tilt, iris_color=iris,
        brow_thickness=brow_thickness, brow_arch=brow_arch, brow_length=brow_length,
        brow_height=brow_height, brow_color=brow,
        nose_length=nose_length, nose_width=nose_width, mouth_width=mouth_width, mouth_y=mouth_y,
        lip_thickness=lip_thickness, lip_color=lip, blush=blush, wrinkles=wrinkles,
        glasses=glasses, glasses_color=glasses_color, beard=beard, moustache=moustache)
