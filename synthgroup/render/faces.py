"""Procedural cartoon-but-readable human faces, drawn with OpenCV and returned as clean RGBA sprites.

They replace licensed face databases as the embedded default face source. An identity is a seed
(:func:`identity_from_seed` -> :class:`Identity`, plain data); an expression is a set of FACS action
units (:func:`action_units`) at an intensity in [0, 1]; :func:`render_face` draws the head.

Drawing model: everything is laid out in units of the sprite height ``H`` (x to the right, y down)
and drawn straight into an RGBA canvas with ``cv2.LINE_AA`` and 4 bits of sub-pixel ``shift``.
OpenCV's antialiasing blends all four channels, i.e. it composites premultiplied colour *over* the
canvas, so the edge pixels are un-premultiplied at the end and the result has straight alpha.
Only the action-unit driven parts (brows, lids, mouth, expression lines, jaw drop) change between
expressions of one identity, so everything else (layout, colours, the back layers: hair behind,
neck, ears, face) is built once per (identity, height) and kept in a small byte-bounded LRU
(``CACHE_BUDGET``, ``clear_cache()``); the output is identical with or without it. Sprites shorter
than ``SUPERSAMPLE_BELOW`` px are drawn at 2x and averaged down; from ``DENSE_FROM`` px the curves
are sampled more densely.
"""
from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass

import cv2
import numpy as np

__all__ = ["EXPRESSIONS", "ASPECT", "AU_NAMES", "HAIR_STYLES", "BEARD_STYLES", "GLASSES_STYLES",
           "Identity", "identity_from_seed", "action_units", "render_face", "render_face_aus",
           "clear_cache"]

EXPRESSIONS = ("anger", "disgust", "fear", "happiness", "neutral", "sadness", "surprise")
#: Sprite width / height, the same for every face (``W == round(height * ASPECT)``).
ASPECT = 0.8

#: Action units the renderer understands (FACS numbering).
AU_NAMES = ("AU1", "AU2", "AU4", "AU5", "AU6", "AU7", "AU9", "AU10", "AU12", "AU15", "AU17",
            "AU20", "AU23", "AU24", "AU25", "AU26", "AU41")

HAIR_STYLES = ("short", "long", "bald", "curly", "afro", "bun", "fringe", "buzz", "bob", "receding")
BEARD_STYLES = ("none", "stubble", "full", "goatee")
GLASSES_STYLES = ("none", "round", "rect")

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


# ----------------------------------------------------------------------------------------------
# identities

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

    @property
    def hair_style_name(self) -> str:
        return HAIR_STYLES[self.hair_style]

    @property
    def beard_name(self) -> str:
        return BEARD_STYLES[self.beard]

    @property
    def glasses_name(self) -> str:
        return GLASSES_STYLES[self.glasses]


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
    total = sum(weights)
    acc = 0.0
    for i, w in enumerate(weights):
        acc += w / total
        if u < acc:
            return i
    return len(weights) - 1


def _rgb(c) -> tuple:
    return tuple(int(min(255, max(0, round(v)))) for v in c)


def _mix(a, b, t: float) -> tuple:
    return tuple(x + (y - x) * t for x, y in zip(a, b))


def _lum(c) -> float:
    return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]


def identity_from_seed(seed: int) -> Identity:
    """A deterministic identity; uses only ``np.random.default_rng(seed)``."""
    u = np.random.default_rng(seed).random(64).tolist()
    it = iter(u)
    r = it.__next__

    def rng(lo, hi):
        return lo + (hi - lo) * r()

    age = r() ** 1.6  # skewed towards younger adults
    masc = rng(0.62, 0.95) if r() < 0.5 else rng(0.05, 0.38)
    male = masc > 0.5
    # skin: uniform over the Monk scale with a small undertone jitter
    pos = r() * 9.0
    i0 = min(8, int(pos))
    base = _MONK[i0] + (_MONK[i0 + 1] - _MONK[i0]) * (pos - i0)
    warm = rng(-0.3, 1.0)   # undertone: mostly warm, a few neutral / cool
    skin = _rgb((base[0] * (1 + 0.015 * warm), base[1] * (1 - 0.02 * warm), base[2] * (1 - 0.07 * warm)))
    tone = pos / 9.0

    # hair colour, correlated with skin tone and age
    hu = r()
    if tone > 0.5:
        hname = ("black", "black", "black", "dark_brown", "dark_brown", "brown")[int(hu * 6)]
    else:
        hname = ("black", "dark_brown", "dark_brown", "brown", "brown", "light_brown", "blond",
                 "blond", "red")[int(hu * 9)]
    if age > 0.55 and r() < (age - 0.45) * 1.6:
        hname = "white" if r() < (age - 0.5) else "grey"
    else:
        r(), 0
    hj = rng(0.9, 1.1)
    hair = _rgb(c * hj for c in _HAIR_COLOURS[hname])

    # hair style
    curly_bias = 2.5 if tone > 0.55 else 0.4
    if male:
        w = [30, 4, 6 + 30 * age, 8 * curly_bias, 4 * curly_bias, 0.5, 6, 16, 2, 4 + 30 * age]
    else:
        w = [10, 34, 0.2, 8 * curly_bias, 5 * curly_bias, 14, 9, 1, 15, 0.3 + 3 * age]
    style = _pick(r(), w)

    sname = HAIR_STYLES[style]
    volume = {"short": rng(0.01, 0.035), "long": rng(0.015, 0.04), "bald": 0.0,
              "curly": rng(0.035, 0.06), "afro": rng(0.075, 0.11), "bun": rng(0.006, 0.014),
              "fringe": rng(0.015, 0.035), "buzz": rng(0.003, 0.008), "bob": rng(0.02, 0.04),
              "receding": rng(0.008, 0.02)}[sname]
    part = rng(-1, 1)
    hairline = r()
    length = rng(0.74, 0.8) if sname == "bob" else rng(0.84, 0.97)
    curl = rng(0.5, 1.0) if sname in ("curly", "afro") else rng(0.0, 0.15)

    # face shape
    face_width = rng(0.47, 0.555) + 0.012 * masc
    forehead_top = rng(0.14, 0.165)
    chin_y = rng(0.835, 0.87)
    jaw_square = min(1.0, max(0.0, rng(0.15, 0.75) + 0.25 * masc - 0.1))
    jaw_width = min(1.0, max(0.0, rng(0.2, 0.7) + 0.2 * masc))
    chin_width = rng(0.15, 0.32) + 0.08 * masc
    ear_size = rng(0.85, 1.15)

    # eyes
    eye_size = rng(0.88, 1.12) - 0.03 * masc
    eye_open = rng(0.85, 1.15)
    eye_spacing = rng(0.1, 0.116)
    eye_y = rng(0.462, 0.49)
    eye_tilt = rng(-0.12, 0.22)
    iu = r()
    if tone > 0.45:
        iris = _IRIS[0] if iu < 0.75 else _IRIS[1]
    else:
        iris = _IRIS[_pick(iu, [14, 18, 12, 10, 20, 10])]
    iris = _rgb(c * rng(0.9, 1.1) for c in iris)

    # brows: darker than the hair and always readable against the skin
    brow_thickness = min(1.0, max(0.0, rng(0.0, 0.8) + 0.3 * masc))
    brow_arch = rng(0.2, 1.0) - 0.3 * masc
    brow_length = rng(0.9, 1.1)
    brow_height = rng(0.07, 0.084)
    slum = _lum(skin)
    if hname in ("grey", "white"):
        bc = _mix(hair, (70, 64, 60) if slum > 120 else (235, 232, 228), 0.45)
    else:
        bc = _mix(hair, (40, 28, 22), 0.35)
        if abs(_lum(bc) - slum) < 90:
            bc = _mix(bc, (12, 8, 8), 0.7)
    brow = _rgb(bc)

    # nose, mouth
    nose_length = rng(0.9, 1.15) + 0.05 * masc
    nose_width = rng(0.85, 1.2) + 0.15 * tone
    mouth_width = rng(0.88, 1.12)
    mouth_y = rng(0.068, 0.085)
    lip_thickness = rng(0.8, 1.2) + 0.2 * (1 - masc) + 0.1 * tone
    lip = _mix((skin[0] * 0.9, skin[1] * 0.7, skin[2] * 0.72), (132, 66, 70), 0.4 * tone ** 1.5)
    if not male and r() < 0.3:
        lip = _mix(lip, (178, 38, 62), rng(0.25, 0.55))
    else:
        r(), r()
    lip = _rgb(lip)
    blush = rng(0.0, 0.2) * (1 - 0.5 * masc) * (1 - tone)
    wrinkles = max(0.0, min(1.0, (age - 0.45) * 2.0 + rng(-0.15, 0.15)))

    g = r()
    glasses = 0 if g < 0.85 - 0.3 * age else (1 if r() < 0.45 else 2)
    glasses_color = _GLASSES[int(r() * len(_GLASSES))]
    beard, moustache = 0, 0
    if male:
        b = r()
        beard = 0 if b < 0.6 else _pick((b - 0.6) / 0.4, [4, 4, 2]) + 1
        moustache = int(beard in (2, 3) or r() < 0.12)

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


# rendering

_SHIFT = 4
_AA = cv2.LINE_AA
_HALF = 0.5 - 0.5 * (1 << _SHIFT)   # rounding, and the half-pixel shift to pixel-centre coordinates

# fixed sample grids for curves, built once; big sprites get denser ones (no visible facets)
class _Grid:
    def __init__(self, d: int):
        self.T = np.linspace(0.0, 1.0, 8 * d + 1)
        T = self.T
        self.BEZ3 = np.stack([(1 - T) ** 3, 3 * T * (1 - T) ** 2, 3 * T ** 2 * (1 - T), T ** 3], 1)
        self.TB = TB = np.linspace(0.0, 1.0, 7 * d + 1)
        self.BEZ2 = np.stack([(1 - TB) ** 2, 2 * TB * (1 - TB), TB ** 2], 1)
        arc = np.linspace(0.0, math.pi, 16 * d + 1)
        self.ARC_C, self.ARC_S = np.cos(arc), np.sin(arc)
        # eye: -1 inner .. 1 outer corner; mouth: left .. right
        self.EX = EX = np.linspace(-1.0, 1.0, 10 * d + 1)
        self.EX2 = EX2 = 1.0 - EX ** 2
        self.EX2_05, self.EX2_06, self.EX2_08, self.EX2_09, self.EX2_025 = (
            EX2 ** p for p in (0.5, 0.6, 0.8, 0.9, 0.25))
        self.EXA17 = np.abs(EX) ** 1.7
        self.EXSQ = EX ** 2
        self.DROOP = EX * np.sqrt(EX2)
        self.EX2_05B = self.EX2_05 * (1 - 0.3 * np.exp(-(EX / 0.22) ** 2))  # cupid's bow
        self.MID = len(EX) // 2
        self.LOW = slice(2 * d, -d)                  # the drawn part of the lower lid
        # brow outline: bezier basis along the centre line, there and back; the half thickness
        self.BEZ2X = np.concatenate((self.BEZ2, self.BEZ2[::-1]), 0).T.copy()
        taper = 1.0 - 0.55 * TB ** 1.5
        self.BROW_HALF = np.concatenate((-0.5 * taper, 0.5 * taper[::-1]))
        circ = np.linspace(0.0, 2 * math.pi, 14 * d + 1)[:-1]
        self.CIRC_C, self.CIRC_S = np.cos(circ), np.sin(circ)


_GRIDS = (_Grid(1), _Grid(2))
#: Sprites at least this tall use the denser curve sampling.
DENSE_FROM = 160
_FH_X = np.array([[-0.085, -0.04, 0.0, 0.04, 0.085]]) * np.array([[1.0], [0.85]])
_ZIG = np.where(np.arange(17) % 2 == 0, 0.0, 1.0)
_SQ = np.linspace(0.0, 2 * math.pi, 25)[:-1]
_U21, _U41 = np.linspace(0.0, 1.0, 21), np.linspace(0.0, 1.0, 41)
_SYM9, _SYM17 = np.linspace(1.0, -1.0, 9), np.linspace(1.0, -1.0, 17)
_SQ_X = np.sign(np.cos(_SQ)) * np.abs(np.cos(_SQ)) ** 0.45
_SQ_Y = np.sign(np.sin(_SQ)) * np.abs(np.sin(_SQ)) ** 0.6
_S2 = np.array([[-1.0], [1.0]])              # the two sides (left, right), as a column
_CROW = np.array([[-0.012, 0.0, 0.012]])     # crow's feet fan

_SCLERA = (246, 244, 240, 255)
_TEETH = (248, 246, 236, 255)
_MOUTH = (78, 18, 26, 255)
_PUPIL = (14, 10, 10, 255)
_WHITE = (255, 255, 255, 255)


def _c(rgb, a=255) -> tuple:
    return (int(round(rgb[0])), int(round(rgb[1])), int(round(rgb[2])), a)


def _cm(a, b, t: float) -> tuple:
    """Colour a..b at t (clipped to [0, 1]), as a 4-tuple for cv2."""
    t = 0.0 if t < 0 else (1.0 if t > 1 else t)
    return (int(a[0] + (b[0] - a[0]) * t + 0.5), int(a[1] + (b[1] - a[1]) * t + 0.5),
            int(a[2] + (b[2] - a[2]) * t + 0.5), 255)


def _P(k: float, x, y) -> np.ndarray:
    """Height-unit coordinates -> fixed-point int32 points (..., 2) for cv2 (x, y broadcast)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    out = np.empty((x.shape if x.ndim >= y.ndim else y.shape) + (2,))
    out[..., 0] = x
    out[..., 1] = y
    out *= k
    out += _HALF  # pixel centres sit at integer coordinates, the sprite spans [0, W] x [0, H]
    return out.astype(np.int32)


def _fill(img, polys, col):
    cv2.fillPoly(img, polys, col, _AA, _SHIFT)


def _lines(img, polys, col, th, closed=False):
    cv2.polylines(img, polys, closed, col, th, _AA, _SHIFT)


def _ell(img, k, x, y, ax, ay, col, th=-1, a0=0, a1=360, angle=0.0):
    cv2.ellipse(img, (int(x * k + _HALF), int(y * k + _HALF)),
                (max(1, int(ax * k + 0.5)), max(1, int(ay * k + 0.5))), angle, a0, a1, col, th,
                _AA, _SHIFT)


def render_face(identity: Identity, expression: str, intensity: float, height: int) -> np.ndarray:
    """``height`` x ``round(height * ASPECT)`` x 4 uint8 RGBA (straight alpha) head sprite."""
    return render_face_aus(identity, action_units(expression, intensity), height)


def render_face_aus(identity: Identity, aus: dict, height: int) -> np.ndarray:
    """Like :func:`render_face` but driven by explicit action units (missing ones count as 0)."""
    H = int(height)
    if H < 12:
        raise ValueError(f"height must be at least 12 px, got {height!r}")
    for name in aus:
        if name not in _AU_SET:
            raise ValueError(f"unknown action unit {name!r}; valid: {', '.join(AU_NAMES)}")
    get = aus.get
    a = [float(get(n, 0.0)) for n in AU_NAMES]
    a = [0.0 if not v > 0.0 else (1.0 if v > 1.0 else v) for v in a]  # clip, NaN -> 0
    small = H < SUPERSAMPLE_BELOW
    st = _static(identity, 2 * H if small else H)
    img = st.base.copy()
    _draw_dynamic(img, st, identity, a)
    if small:  # tiny sprites: draw at 2x, average down (1-px lines would be too heavy)
        W = round(H * ASPECT)
        img = cv2.resize(img, (W, H), interpolation=cv2.INTER_AREA)
        opaque = _opaque(H, W)
    else:
        opaque = st.opaque
    img[0] = img[-1] = 0  # guarantee the transparent frame (the layout keeps ~2 px clear anyway)
    img[:, 0] = img[:, -1] = 0
    # cv2 antialiasing composites premultiplied colour: divide by alpha for straight alpha
    a = img[..., 3]
    out = cv2.divide(img, cv2.merge((a, a, a, opaque)), scale=255)
    out[..., 3] = cv2.LUT(a, _ALPHA_SNAP)  # overlapping AA edges inside leave 25x: make them 255
    return out


#: Sprites shorter than this are drawn at twice the size and averaged down.
SUPERSAMPLE_BELOW = 32
_OPAQUE: dict = {}


def _opaque(H: int, W: int) -> np.ndarray:
    o = _OPAQUE.get((H, W))
    if o is None:
        o = _OPAQUE[(H, W)] = np.full((H, W), 255, np.uint8)
    return o


_ALPHA_SNAP = np.arange(256, dtype=np.uint8)
_ALPHA_SNAP[248:] = 255
_ALPHA_SNAP[:3] = 0


_AU_SET = frozenset(AU_NAMES)


# ---- the identity-only part (layout, colours, the back layers), cached per (identity, height) ----

class _Static:
    pass


_CACHE: "OrderedDict[tuple, _Static]" = OrderedDict()
_CACHE_BYTES = [0]
#: Budget for cached static layers (bytes of base images); old entries are evicted first.
CACHE_BUDGET = 48 * 2 ** 20


def _static(idt: Identity, H: int) -> _Static:
    key = (idt, H)
    st = _CACHE.get(key)
    if st is not None:
        try:
            _CACHE.move_to_end(key)
        except KeyError:  # evicted by another thread meanwhile
            pass
        return st
    st = _build_static(idt, H)
    nbytes = st.base.nbytes
    if nbytes <= CACHE_BUDGET:
        while _CACHE and _CACHE_BYTES[0] + nbytes > CACHE_BUDGET:
            try:
                _, old = _CACHE.popitem(last=False)
            except KeyError:
                break
            _CACHE_BYTES[0] -= old.base.nbytes
        _CACHE[key] = st
        _CACHE_BYTES[0] += nbytes
    return st


def clear_cache() -> None:
    """Drop the cached per-identity layers (they are a pure function of the identity and height)."""
    _CACHE.clear()
    _CACHE_BYTES[0] = 0


def _build_static(idt: Identity, H: int) -> _Static:  # noqa: C901 (a long recipe)
    st = _Static()
    W = round(H * ASPECT)
    k = float(H * (1 << _SHIFT))
    st.k, st.H = k, H
    st.G = G = _GRIDS[1] if H >= DENSE_FROM else _GRIDS[0]
    img = np.zeros((H, W, 4), np.uint8)
    m = 2.0 / H                               # margin, in height units
    cx = W / H * 0.5
    xmax = cx - m                             # the largest half-width anything may take
    st.cx = cx

    def th(frac: float) -> int:
        return max(1, int(round(frac * H)))
    st.th_line = th(0.009)
    st.th_outline = th(0.011)
    st.th_lash = th(0.019)
    st.th_mouth = th(0.013)
    st.th_nose = th(0.01)

    skin = tuple(float(v) for v in idt.skin)
    dark = (skin[0] * 0.5, skin[1] * 0.42, skin[2] * 0.4)
    st.skin, st.dark = skin, dark
    skin_c = _c(skin)
    st.skin_c = skin_c
    st.outline_c = _cm(skin, dark, 0.6)
    style = HAIR_STYLES[idt.hair_style]
    hair = idt.hair_color
    hair_c = _c(hair)
    st.hair_c = hair_c
    st.hair_d = _cm(hair, (0, 0, 0), 0.38)
    hair_back_c = _cm(hair, (0, 0, 0), 0.2)
    long_style = style in ("long", "bob")

    # ---- layout (units of H) ----
    hw = min(idt.face_width * 0.5, xmax - 0.06)
    y_k = 0.47                                # widest line (cheekbones)
    y_t = idt.forehead_top
    ey = idt.eye_y
    ny = ey + 0.125 * idt.nose_length
    my = ny + idt.mouth_y
    cw = hw * idt.chin_width
    st.hw, st.y_k, st.y_t, st.ey, st.ny, st.my, st.cw = hw, y_k, y_t, ey, ny, my, cw
    st.jaw_p1 = 0.3 + 0.45 * idt.jaw_square
    st.jaw_p2 = cw + (hw - cw) * (0.25 + 0.6 * idt.jaw_width)
    jx, jy = _jaw(st, idt.chin_y)
    # the jaw drop (AU26) moves only the outline below the mouth, smoothly
    st.jx, st.jy = jx, jy
    st.jaw_w = np.maximum((jy - my) / (idt.chin_y - my), 0.0) ** 1.5   # (jy <= chin: <= 1)
    tx = hw * G.ARC_C * (1.0 - 0.06 * G.ARC_S ** 2)
    ty = y_k - (y_k - y_t) * G.ARC_S
    st.face_x = cx + np.concatenate((jx, -jx[::-1], tx[::-1][1:-1]))
    st.face_y = np.concatenate((jy, jy[::-1], ty[::-1][1:-1]))
    i0 = max(0, int(np.argmax(st.jaw_w > 0)) - 1)   # the part of the jaw that AU26 moves
    st.low_x = cx + np.concatenate((jx[i0:], -jx[i0:][::-1]))
    st.low_y = np.concatenate((jy[i0:], jy[i0:][::-1]))
    st.low_w = np.concatenate((st.jaw_w[i0:], st.jaw_w[i0:][::-1]))

    # ---- hair geometry ----
    vol = idt.hair_volume
    a_out = min(hw + vol + 0.008, xmax)
    top = max(y_t - vol * 1.1 - 0.006, m + 0.002)
    b_out = y_k - top
    hair_back, hair_front, strands = [], [], []
    hl_y = y_t + 0.035 + 0.035 * idt.hairline   # default hairline height
    part = idt.hair_part
    st.fringe = style == "fringe"
    if style != "bald":
        side_low = {"afro": 0.1, "curly": 0.04}.get(style, 0.0)
        phi0 = -math.asin(min(0.9, (ey + side_low - y_k) / b_out)) if ey + side_low > y_k else 0.0
        bumpy = style in ("curly", "afro")
        phi = phi0 + (math.pi - 2 * phi0) * (_U41 if bumpy else _U21)
        rad = 1.0
        if bumpy:
            rad = 1.0 + 0.045 * idt.hair_curl * (np.abs(np.sin(phi * (9 if style == "afro" else 7))) - 0.6)
        ox = np.minimum(np.maximum(cx + a_out * np.cos(phi) * rad, m), 2 * cx - m)
        oy = np.maximum(y_k - b_out * np.sin(phi) * rad, m)
        if long_style:
            end = idt.hair_length
            flare = max(0.0, min(0.03, xmax - a_out))
            bx = np.array([cx - a_out - flare * 0.6, cx - a_out - flare, cx - hw * 0.5, cx,
                           cx + hw * 0.5, cx + a_out + flare, cx + a_out + flare * 0.6])
            by = np.array([y_k + 0.1, end, end + 0.01, end - 0.004, end + 0.01, end, y_k + 0.1])
            hair_back.append(_P(k, np.concatenate((ox, bx)), np.concatenate((oy, by))))
        else:
            hair_back.append(_P(k, ox, oy))

        # front: along the outer arc right -> left, then back along the hairline left -> right
        sx = hw * 0.985
        if long_style:
            lo = idt.hair_length - 0.04 if style == "bob" else min(idt.hair_length, 0.8)
            ix = np.array([hw * 1.02, hw * 0.88, hw * 0.8, hw * 0.74, hw * 0.55,
                           part * 0.06 + (0.02 if part > 0 else 0.0),
                           -hw * 0.55, -hw * 0.74, -hw * 0.8, -hw * 0.88, -hw * 1.02])
            iy = np.array([lo, ey + 0.12, ey + 0.02, ey - 0.07, hl_y - 0.005, y_t + 0.02,
                           hl_y - 0.005, ey - 0.07, ey + 0.02, ey + 0.12, lo])
            ro = min(a_out + 0.01, xmax)
            hair_front.append(_P(k, np.concatenate(([cx + ro], ox, [cx - ro], cx + ix[::-1])),
                                 np.concatenate(([lo], oy, [lo], iy[::-1]))))
        else:
            side_y = ey - 0.005 + (0.05 if style in ("afro", "curly") else 0.0)
            if style == "fringe":
                n = 17
                xs = hw * 0.86 * _SYM17
                fr = ey - idt.brow_height - 0.028 - 0.012 * idt.hairline
                ys = fr + 0.024 * (xs / hw) ** 2 - 0.007 * _ZIG[:n] + 0.01 * part * xs / hw
                ix = np.concatenate(([sx, hw * 0.9], xs, [-hw * 0.9, -sx]))
                iy = np.concatenate(([side_y, fr + 0.01], ys, [fr + 0.01, side_y]))
            else:
                if style == "receding":
                    c_y, t_y, tx_ = hl_y - 0.005, y_t + 0.005, hw * 0.6
                elif style in ("afro", "curly"):
                    c_y, t_y, tx_ = hl_y - 0.01, hl_y + 0.01, hw * 0.8
                elif style == "buzz":
                    c_y, t_y, tx_ = hl_y, hl_y + 0.018, hw * 0.8
                elif style == "bun":
                    c_y, t_y, tx_ = hl_y - 0.005, hl_y + 0.025, hw * 0.82
                else:  # short: swept towards the parting side
                    c_y, t_y, tx_ = hl_y, hl_y + 0.015, hw * 0.8
                xs = tx_ * _SYM9
                u_ = xs / tx_
                ys = c_y + (t_y - c_y) * u_ ** 2
                if style == "short":
                    ys = ys + 0.0125 * part * u_
                elif style == "receding":
                    ys = (c_y + (t_y - c_y) * (1 - np.cos(u_ * math.pi * 1.5) ** 2) * (np.abs(u_) > 0.33)
                          + 0.004 * (1 - u_ ** 2))
                ix = np.concatenate(([sx, hw * 0.93], xs, [-hw * 0.93, -sx]))
                iy = np.concatenate(([side_y, t_y + 0.04], ys, [t_y + 0.04, side_y]))
            hair_front.append(_P(k, np.concatenate((ox, cx + ix[::-1])), np.concatenate((oy, iy[::-1]))))
        if style not in ("buzz", "afro", "curly"):
            for j in (-1, 0, 1):
                x0 = cx + part * 0.06 + 0.02 * j
                strands.append(_P(k, [x0, x0 + 0.04 * j + 0.03 * part, cx + 0.11 * j + 0.05 * part],
                                  [top + 0.015, top + 0.04, hl_y - 0.01]))
    st.hair_front, st.strands = hair_front, strands
    st.th_hair = th(0.008)
    st.th_strand = th(0.007)
    if style == "buzz":  # short stubble hair: let the skin show through, no outline
        st.hair_front_c = _cm(skin, hair, 0.7)
        st.hair_d = _cm(skin, hair, 0.8)
    else:
        st.hair_front_c = hair_c

    # ---- draw the back layers: hair, bun, neck, ears, face ----
    if style == "bun":
        br = 0.06 + vol
        _ell(img, k, cx, max(top - 0.02, m + br), br * 1.1, br, hair_back_c)
    if hair_back:
        _fill(img, hair_back, hair_back_c if long_style else st.hair_front_c)
    if style in ("bald", "receding") and idt.hairline > 0.4:
        for s in (-1, 1):  # horseshoe remnants above the ears
            _ell(img, k, cx + s * (hw - 0.004), ey - 0.01, 0.026 + 0.2 * vol, 0.055, hair_c)
    neck_w = hw * (0.42 + 0.14 * idt.masculinity)
    nk_top, nk_bot = y_k + 0.15, 1.0 - m
    _fill(img, [_P(k, [cx - neck_w, cx - neck_w * 1.08, cx + neck_w * 1.08, cx + neck_w],
                   [nk_top, nk_bot, nk_bot, nk_top])], _cm(skin, dark, 0.25))
    if not long_style:
        er_x, er_y = 0.032 * idt.ear_size, 0.058 * idt.ear_size
        e_y = ey + 0.04
        inner = _cm(skin, dark, 0.5)
        for s in (-1, 1):
            ex_ = cx + s * (hw - 0.006)
            _ell(img, k, ex_, e_y, er_x, er_y, skin_c, angle=-s * 10)
            _ell(img, k, ex_ + s * 0.008, e_y, er_x * 0.5, er_y * 0.6, inner, th(0.008),
                 -80 if s > 0 else 100, 80 if s > 0 else 260)
    _fill(img, [_P(k, st.face_x, st.face_y)], skin_c)
    _lines(img, [_P(k, st.face_x, st.face_y)], st.outline_c, st.th_outline, True)
    if style == "bald":
        _ell(img, k, cx - 0.05, y_t + 0.04, 0.07, 0.025, _cm(skin, (255, 255, 255), 0.18))
    img.flags.writeable = False
    st.base = img
    st.opaque = np.full((H, W), 255, np.uint8)

    # ---- features: static parts (fixed-point polygons where only an offset changes later) ----
    ew = 0.055 * idt.eye_size
    sep = idt.eye_spacing
    st.ew, st.sep = ew, sep
    tilt = idt.eye_tilt * ew
    st.eye_x = cx + _S2 * sep + _S2 * G.EX * ew                     # (2, n) left / right eye
    st.eye_x2 = np.concatenate((st.eye_x, st.eye_x[:, ::-1]), 1)
    st.eye_xl = st.eye_x[:, G.LOW]
    st.eye_off = ey - tilt * G.EX
    ri = 0.62 * ew
    st.icy = ey + 0.05 * ew
    st.iris = []
    for rr in (ri, ri * 0.46):
        px_ = cx + _S2 * sep + rr * G.CIRC_C
        u_ = np.minimum(np.maximum(_S2 * rr * G.CIRC_C / ew, -1.0), 1.0)
        e2 = 1 - u_ * u_
        st.iris.append((px_, ey - tilt * u_, e2 ** 0.8, u_ * np.sqrt(e2), e2 ** 0.9, st.icy + rr * G.CIRC_S))
    rh = max(0.16 * ri, 0.55 / H)
    st.highlights = _P(k, cx + _S2 * (sep - 0.3 * ri) + rh * G.CIRC_C, st.icy - 0.38 * ri + rh * G.CIRC_S)
    st.iris_c = _c(idt.iris_color)
    st.lash_c = _cm(dark, (10, 6, 6), 0.7)
    st.lowlid_c = _cm(skin, dark, 0.55)
    st.brow_c = _c(idt.brow_color)
    # dark skin: a brow-bone highlight keeps the brows (the main expression cue) readable
    slum = _lum(skin)
    st.brow_hi = None
    if slum < 80:
        hi = tuple(min(255.0, v * 1.9 + d) for v, d in zip(skin, (14, 8, 4)))
        st.brow_hi = _cm(skin, hi, min(1.0, (80 - slum) / 35))
    b0 = ey - idt.brow_height
    st.b0 = b0
    st.brow_xin = sep - ew
    st.brow_xout = sep + ew * 1.25 * idt.brow_length
    st.brow_bt = 0.028 + 0.018 * idt.brow_thickness
    st.brow_arch = 0.012 * idt.brow_arch

    st.xlines = None       # expression / age line polygons, built on first use (_expr_lines)
    st.forehead_y = b0 - 0.045

    # nose (AU9 / AU10 only lift it: an offset)
    nw = 0.031 * idt.nose_width
    st.nw = nw
    wing = ny
    nose = np.empty((3, 4, 2))
    nose[:2, :, 0] = cx + _S2 * (nw * np.array([0.7, 1.05, 0.95, 0.5]))
    nose[:2, :, 1] = wing + np.array([-0.022, -0.006, 0.008, 0.01])
    nose[2, :, 0] = cx + nw * np.array([-0.35, -0.35, 0.0, 0.35])
    nose[2, :, 1] = wing + np.array([0.014, 0.014, 0.017, 0.014])
    st.nose = _P(k, nose[..., 0], nose[..., 1])
    sd = 1 if part >= 0 else -1
    st.nose_bridge = [_P(k, [cx + sd * 0.014, cx + sd * 0.018, cx + sd * nw * 0.6],
                         [ey + 0.02, ny - 0.05, wing - 0.022])]
    st.nose_shadow = [_P(k, cx + nw * 0.75 * G.CIRC_C, wing + 0.012 + 0.008 * G.CIRC_S)]
    st.nostrils = _P(k, cx + _S2 * nw * 0.42 + 0.009 * G.CIRC_C, wing + 0.006 + 0.0055 * G.CIRC_S)
    st.nose_c = _cm(skin, dark, 0.75)
    st.nose_light_c = _cm(skin, dark, 0.3)
    st.nose_shadow_c = _cm(skin, dark, 0.2)
    st.nostril_c = _cm(skin, dark, 0.9)
    st.blush = _P(k, cx + _S2 * (sep + 0.01) + 0.042 * G.CIRC_C, ey + 0.1 + 0.024 * G.CIRC_S)
    st.blush_c = (226, 112, 112)

    st.mw = 0.088 * idt.mouth_width
    st.lip_c = _c(idt.lip_color)
    st.lip_lo_c = _cm(idt.lip_color, skin, 0.25) if idt.skin_tone < 0.6 else \
        _cm(idt.lip_color, (255, 200, 200), 0.08)
    st.mouth_line_c = _cm(dark, (30, 8, 12), 0.5)

    # glasses
    st.glasses = []
    if idt.glasses:
        rx, ry = ew * 1.35, ew * (1.05 if idt.glasses == 1 else 0.9)
        gx = cx + _S2 * sep
        gy = ey + 0.004
        if idt.glasses == 1:
            rims = _P(k, gx + rx * G.CIRC_C, gy + ry * G.CIRC_S)
        else:
            rims = _P(k, gx + rx * _SQ_X, gy + ry * _SQ_Y)
        arms = [_P(k, [cx - sep + rx * 0.97, cx, cx + sep - rx * 0.97], [ey - 0.004, ey - 0.01, ey - 0.004])]
        for s in (-1, 1):
            arms.append(_P(k, [cx + s * (sep + rx), cx + s * hw * 0.99], [ey - 0.004, ey - 0.012]))
        st.glasses = [rims, arms, _c(idt.glasses_color), th(0.011)]
    return st


def _expr_lines(st: _Static, idt: Identity) -> tuple:
    """Fixed-point polygons of the frown lines, nose wrinkles, chin line, eye bags, crow's feet."""
    k, cx, ey, ew, sep = st.k, st.cx, st.ey, st.ew, st.sep
    tilt = idt.eye_tilt * ew
    frown = _P(k, cx + _S2 * np.array([0.013, 0.011, 0.014]), st.b0 + np.array([-0.012, 0.0, 0.016]))
    yb = ey + 0.005
    nose_wrinkles = np.concatenate((
        _P(k, cx + _S2 * np.array([0.012, 0.022, 0.034]), yb + np.array([0.002, 0.008, 0.02])),
        _P(k, np.array([[cx - 0.014, cx, cx + 0.014]]), yb + np.array([-0.002, -0.005, -0.002]))))
    yc = idt.chin_y - 0.045
    chin_line = _P(k, np.array([[cx - 0.03, cx, cx + 0.03]]), np.array([yc, yc - 0.006, yc]))
    bags = _P(k, cx + _S2 * (sep + np.array([-0.5, 0.0, 0.6]) * ew),
              ey + tilt * np.array([0.5, 0.0, -0.6]) + np.array([0.014, 0.022, 0.012]))
    ox0 = cx + _S2 * (sep + ew * 1.15)                                          # (2, 1)
    crow = np.empty((2, 3, 2, 2))
    crow[..., 0, 0] = ox0
    crow[..., 1, 0] = ox0 + _S2 * 0.022
    crow[..., 0, 1] = ey - tilt + _CROW * 0.5
    crow[..., 1, 1] = ey - tilt + _CROW * 1.6
    crows = _P(k, crow[..., 0], crow[..., 1]).reshape(6, 2, 2)
    return frown, nose_wrinkles, chin_line, bags, crows


def _jaw(st: _Static, chin: float):
    """Right half of the lower face outline (cheekbone -> chin), x relative to the centre."""
    hw, y_k, cw, G = st.hw, st.y_k, st.cw, st.G
    ctrl = np.array([[hw, y_k], [hw, y_k + (chin - y_k) * st.jaw_p1], [st.jaw_p2, chin], [cw, chin]])
    jaw = G.BEZ3 @ ctrl
    return jaw[:, 0], jaw[:, 1]


# ---- the expression-dependent part ----

def _draw_dynamic(img: np.ndarray, st: _Static, idt: Identity, a) -> None:  # noqa: C901
    """Draw the action-unit driven parts; ``a`` is the AU activations in ``AU_NAMES`` order."""
    a1, a2, a4, a5, a6, a7, a9, a10, a12, a15, a17, a20, a23, a24, a25, a26, a41 = a
    k, cx, G = st.k, st.cx, st.G
    skin, dark = st.skin, st.dark
    ey, ny, my = st.ey, st.ny, st.my
    ew, nw = st.ew, st.nw
    wr = idt.wrinkles
    th_l = st.th_line

    def off(dy):  # a vertical offset in fixed point
        return np.array((0, int(round(dy * k))), np.int32)

    # jaw drop (AU26): the lower face is redrawn, the chin lower
    drop = 0.028 * a26
    chin = idt.chin_y + drop
    if drop > 0:
        low = _P(k, st.low_x, st.low_y + drop * st.low_w)
        _fill(img, [low], st.skin_c)
        _lines(img, [low], st.outline_c, st.th_outline)

    # blush / cheeks, raised by AU6
    if idt.blush > 0.02 or a6 > 0:
        bcol = _cm(skin, st.blush_c, idt.blush + 0.12 * a6 * (1 - idt.skin_tone * 0.6))
        _fill(img, st.blush + off(-0.02 * a6) if a6 > 0 else st.blush, bcol)

    # ---- expression and age lines ----
    f_amt = max(0.85 * max(a1, a2), 0.45 * wr)
    if f_amt > 0.01 and not st.fringe:   # forehead lines (AU1 / AU2, age)
        by0 = st.forehead_y - 0.03 * max(a1, a2)
        curv = 0.012 * (a1 - a2)          # inner brow raise bends them up in the middle
        ys = np.array([0.006, 0.0, -curv, 0.0, 0.006])
        _lines(img, _P(k, cx + _FH_X, np.array([[by0], [by0 - 0.026]]) + ys),
               _cm(skin, dark, f_amt * 0.6), th_l)
    g_amt = max(a4, 0.3 * wr)
    bag = max(a6 * 0.8, 0.4 * wr)
    xl = st.xlines
    if xl is None and (g_amt > 0.01 or a9 > 0.01 or a17 > 0.01 or bag > 0.01):
        xl = st.xlines = _expr_lines(st, idt)
    if g_amt > 0.01:                      # vertical frown lines between the brows (AU4)
        _lines(img, xl[0] + off(0.02 * a4), _cm(skin, dark, g_amt * 0.5), th_l)
    if a9 > 0.01:                         # nose wrinkles (AU9)
        _lines(img, xl[1], _cm(skin, dark, a9 * 0.75), th_l)

    # mouth geometry (the folds need it)
    mw = st.mw
    cdx = 0.02 * a12 + 0.032 * a20 - 0.014 * a23 - 0.006 * a24 - 0.026 * a26 * (1 - a20) - 0.006 * a15
    cdy = -0.034 * a12 + 0.03 * a15 + 0.008 * a20 + 0.012 * a26 + 0.006 * a10
    mwc = mw + cdx
    base = (my + cdy * G.EXA17) - (0.012 * a17) * G.EX2
    o_lo = max(0.0, 0.02 * a25 + 0.075 * a26 + 0.035 * a12 * a25 - 0.01 * a17 * a25)
    o_up = 0.006 * a25 + 0.006 * a20 + 0.002 * a26
    opened = o_lo + o_up + 0.03 * a10 > 0.5 / st.H
    if opened:
        prof = G.EX2 ** max(0.25, 0.6 - 0.4 * a20)
        y_ui = base - o_up * prof - (0.038 * a10) * G.EX2_025
        y_li = base + o_lo * prof
    else:
        y_ui = y_li = base
    lt_s = idt.lip_thickness * max(0.25, 1 - 0.55 * a23 - 0.25 * a24 - 0.25 * a12 - 0.25 * a20)
    y_uo = y_ui - (0.011 * lt_s) * G.EX2_05B - (0.004 * a10) * G.EX2
    y_lo = y_li + (0.016 * lt_s) * G.EX2_06
    mxs = cx + G.EX * mwc
    corner_y = float(base[0])

    n_amt = max(min(1.0, 0.9 * a12 + 0.8 * a10 + 0.5 * a9 + 0.3 * a20), 0.45 * wr)
    if n_amt > 0.01:                      # nasolabial folds (smile, disgust, stretch; age)
        y0 = ny - 0.012 - 0.01 * a9
        y2 = corner_y + 0.028
        pts = G.BEZ2 @ np.array([[nw + 0.02, y0], [mwc + 0.03 + 0.01 * a12, (y0 + y2) * 0.5 - 0.005],
                                [mwc + 0.022, y2]])
        _lines(img, _P(k, cx + _S2 * pts[:, 0], pts[:, 1]), _cm(skin, dark, n_amt * 0.65), th_l)
    if a17 > 0.01:                        # chin boss (AU17)
        _lines(img, xl[2] + off(drop), _cm(skin, dark, a17 * 0.3), th_l)

    # eye geometry
    hu = ew * 0.52 * idt.eye_open * (1 + 0.8 * a5) * (1 - 0.22 * a7) * (1 - 0.3 * a6) \
        * (1 - 0.4 * a41) * (1 - 0.2 * a9)
    hl = ew * 0.42 * max(0.12, 1 - 0.6 * a7 - 0.55 * a6 - 0.35 * a9 + 0.25 * a5)
    droop = 0.22 * ew * a1 * (1 - a2) + 0.1 * ew * a41
    yu = st.eye_off - hu * G.EX2_08
    if droop > 0:
        yu = yu + droop * G.DROOP
    yl = st.eye_off + hl * G.EX2_09
    if bag > 0.01:                        # cheek bulge under the eyes (AU6) / age bags, crow's feet
        _lines(img, xl[3] + off(hl), _cm(skin, dark, bag * 0.7), th_l)
        _lines(img, xl[4], _cm(skin, dark, max(a6 * 0.7, 0.5 * wr) * 0.7), th_l)

    # ---- beard (under the mouth) ----
    if idt.beard:
        hair_c = st.hair_c
        if idt.beard == 3:   # goatee: a rounded patch from under the lower lip to the chin
            yt = float(y_lo[G.MID]) - 0.004
            gx = np.array([0.0, mw * 0.45, mw * 0.62, mw * 0.6, mw * 0.42, 0.0])
            gy = np.array([yt, yt + 0.002, (yt + chin) * 0.5, chin - 0.012, chin + 0.0, chin + 0.006])
            _fill(img, [_P(k, cx + np.concatenate((gx, -gx[::-1])), np.concatenate((gy, gy[::-1])))],
                  hair_c)
        else:
            jx, jy = st.jx, st.jy + drop * st.jaw_w
            sel = jy > ey + 0.11
            ox_, oy_ = jx[sel] * 1.02, jy[sel] + 0.004
            hw = st.hw
            bxs = np.concatenate((ox_, -ox_[::-1], [-hw * 0.97, -mw - 0.03, -nw - 0.01, nw + 0.01,
                                                     mw + 0.03, hw * 0.97]))
            bys = np.concatenate((oy_, oy_[::-1], [ey + 0.11, ny + 0.05, ny + 0.022, ny + 0.022,
                                                    ny + 0.05, ey + 0.11]))
            if idt.beard == 2:
                col = hair_c
            else:  # stubble: a shadow, always darker than the skin
                hc = idt.hair_color
                col = _cm(skin, tuple(min(h, s * 0.55) for h, s in zip(hc, skin)), 0.45)
            _fill(img, [_P(k, cx + bxs, bys)], col)

    # ---- nose ----
    lift = 0.01 * a9 + 0.005 * a10
    o = off(-lift) if lift > 0 else None
    if o is None:
        _fill(img, st.nose_shadow, st.nose_shadow_c)
        _lines(img, st.nose, st.nose_c, st.th_nose)
        _fill(img, st.nostrils, st.nostril_c)
    else:
        _fill(img, [st.nose_shadow[0] + o], st.nose_shadow_c)
        _lines(img, st.nose + o, st.nose_c, st.th_nose)
        _fill(img, st.nostrils + o, st.nostril_c)
    _lines(img, st.nose_bridge, st.nose_light_c, st.th_nose)

    # ---- eyes: sclera, iris and pupil clipped to the lids, lash line ----
    _fill(img, _P(k, st.eye_x2, np.concatenate((yu, yl[::-1]))), _SCLERA)
    for (px_, yo, e08, dr, e09, py0), col in zip(st.iris, (st.iris_c, _PUPIL)):
        top = yo - hu * e08
        if droop > 0:
            top = top + droop * dr
        _fill(img, _P(k, px_, np.minimum(np.maximum(py0, top), yo + hl * e09)), col)
    if hu > 0.3 * ew:
        _fill(img, st.highlights, _WHITE)
    _lines(img, _P(k, st.eye_x, yu), st.lash_c, st.th_lash)
    _lines(img, _P(k, st.eye_xl, yl[G.LOW]), st.lowlid_c, th_l)

    # ---- mouth ----
    mx2 = np.concatenate((mxs, mxs[::-1]))
    _fill(img, [_P(k, mx2, np.concatenate((y_uo, y_ui[::-1])))], st.lip_c)
    _fill(img, [_P(k, mx2, np.concatenate((y_li, y_lo[::-1])))], st.lip_lo_c)
    if opened:
        inner = _P(k, mx2, np.concatenate((y_ui, y_li[::-1])))
        _fill(img, [inner], _MOUTH)
        th_up = 0.03 - 0.01 * a26 + 0.012 * a10
        teeth = [_P(k, mx2, np.concatenate((y_ui, np.minimum(y_ui + th_up, y_li)[::-1])))]
        lo_t = 0.018 * a20 + 0.006 * a26
        if lo_t > 0.001:
            teeth.append(_P(k, mx2, np.concatenate((np.maximum(y_li - lo_t, y_ui), y_li[::-1]))))
        _fill(img, teeth, _TEETH)
        _lines(img, [inner], st.mouth_line_c, st.th_mouth, True)
    else:
        _lines(img, [_P(k, mxs, base)], st.mouth_line_c, st.th_mouth)
    c_mov = 0.03 * a15 - 0.034 * a12
    acc = min(1.0, abs(c_mov) / 0.025)
    if acc > 0.05:                        # corner accents: smile (AU12) / frown (AU15) hooks
        d = -0.008 if c_mov < 0 else 0.008
        _lines(img, _P(k, cx + _S2 * np.array([mwc * 0.97, mwc + 0.012]), [corner_y, corner_y + d]),
               _cm(skin, dark, acc * 0.9), th_l)
    if idt.moustache:
        mxm = cx + G.EX * (mwc + 0.012)
        bot_m = y_uo + 0.004 + 0.008 * G.EXSQ
        top_m = np.maximum(bot_m - 0.03 * (1 - 0.75 * G.EXSQ), ny + 0.014)
        _fill(img, [_P(k, np.concatenate((mxm, mxm[::-1])), np.concatenate((top_m, bot_m[::-1])))],
              st.hair_c)

    # ---- hair in front, then brows (over a fringe, so expressions stay readable), glasses ----
    if st.hair_front:
        _fill(img, st.hair_front, st.hair_front_c)
        _lines(img, st.hair_front, st.hair_d, st.th_hair, True)
        if st.strands:
            _lines(img, st.strands, st.hair_d, st.th_strand)
    bt = st.brow_bt * (1 + 0.1 * a4)
    b0 = st.b0
    x_in = st.brow_xin - 0.016 * a4 + 0.004 * a1
    x_out = st.brow_xout
    y_in = b0 + 0.006 + 0.036 * a4 - 0.042 * a1 + 0.016 * a9
    y_pk = b0 - 0.008 - st.brow_arch + 0.016 * a4 - 0.02 * a1 - 0.036 * a2 + 0.008 * a9
    y_out = b0 + 0.01 + 0.006 * a4 - 0.004 * a1 + 0.01 * a1 * (1 - a2) - 0.034 * a2 - 0.002 * a9
    y_c = 2 * y_pk - 0.5 * (y_in + y_out)
    x_c = x_in + (x_out - x_in) * 0.6
    bx = G.BEZ2X[0] * x_in + G.BEZ2X[1] * x_c + G.BEZ2X[2] * x_out          # outline, there and back
    by = G.BEZ2X[0] * y_in + G.BEZ2X[1] * y_c + G.BEZ2X[2] * y_out + bt * G.BROW_HALF
    if st.brow_hi is not None:
        _fill(img, _P(k, cx + _S2 * bx, by - bt * 0.55), st.brow_hi)
    _fill(img, _P(k, cx + _S2 * bx, by), st.brow_c)
    if st.glasses:
        rims, arms, gcol, gth = st.glasses
        _lines(img, rims, gcol, gth, True)
        _lines(img, arms, gcol, gth)
