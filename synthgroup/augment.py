"""Face and whole-image augmentations: parameters drawn into a plain record, applied by pure code.

Drawing happens in ``sample_face_aug`` / ``sample_image_aug`` from the sample's draws; the
returned dicts are stored in the metadata. ``warp_geometry`` / ``recolour`` (together
``warp_face``) and ``apply_image_aug`` are pure functions of (pixels, record) built on
albumentations' functional layer, so a record replays to the same bytes. Colour changes touch RGB
only, never the alpha channel. The expensive parts are cached by their parameters: a sprite's
premultiplied pixels (by its source) and the elastic displacement fields (:func:`elastic_field`).
"""
from __future__ import annotations

import functools
import math
import os

os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")  # albumentations phones home otherwise

import cv2
import numpy as np
from albumentations.augmentations.geometric import functional as fgeometric
from albumentations.augmentations.pixel import functional as fpixel

from .config import FaceAugConfig, ImageAugConfig
from .procedural.rng import Draws

#: The elastic distortion of a face is one of this many seeded displacement fields (the record
#: holds which), scaled by the record's ``alpha``: a field is computed once per process and shape.
ELASTIC_FIELDS = 64
#: Displacement fields (and pixel grids) kept per process, least recently used dropped first.
ELASTIC_CACHE = 512
#: Fields are computed for the sprite's shape rounded up to a multiple of this and cropped, so
#: cut-outs of slightly different widths share them.
FIELD_STEP = 16


def _u(draw: Draws, a: float, b: float) -> float:
    return _span(draw.random(), a, b)


#: The scalar draws of one face's augmentation, by name, in the order the generator gives them.
FACE_AUG_DRAWS = ("hflip", "rotate", "scale_x", "scale_y", "shear_x", "shear_y", "translate_x", "translate_y",
                  "brightness", "contrast", "use_perspective", "use_elastic", "elastic_alpha")


def sample_face_aug(draw: Draws, cfg: FaceAugConfig) -> dict:
    """One face's augmentation parameters. The layout of the dict never changes (datasets needs a
    fixed schema): disabled steps keep neutral values.

    The scalars ``FACE_AUG_DRAWS`` are drawn together (one uniform each, always all of them, so
    later draws do not depend on which steps fire); then the perspective corners and the elastic
    seed, only when those steps fire."""
    if not cfg.enabled:
        return identity_face_aug()
    r = draw.random
    (hflip, rotate, scale_x, scale_y, shear_x, shear_y, translate_x, translate_y,
     brightness, contrast, use_perspective, use_elastic, elastic_alpha) = [r() for _ in FACE_AUG_DRAWS]
    persp = [0.0] * 8
    if use_perspective < cfg.perspective_p:
        persp = [_span(r(), -cfg.perspective, cfg.perspective) for _ in range(8)]
    elastic = {"alpha": 0.0, "sigma": 0.0, "seed": 0}
    if use_elastic < cfg.elastic_p:
        elastic = {"alpha": _span(elastic_alpha, 0.5 * cfg.elastic_alpha, cfg.elastic_alpha),
                   "sigma": float(cfg.elastic_sigma), "seed": draw.integer(0, ELASTIC_FIELDS - 1)}
    rot, sc, sh, tr = cfg.rotate, cfg.scale, cfg.shear, cfg.translate
    return {
        "hflip": hflip < cfg.hflip_p,
        "rotate": _span(rotate, -rot, rot),
        "scale": [_span(scale_x, 1 - sc, 1 + sc), _span(scale_y, 1 - sc, 1 + sc)],
        "shear": [_span(shear_x, -sh, sh), _span(shear_y, -sh, sh)],
        "translate": [_span(translate_x, -tr, tr), _span(translate_y, -tr, tr)],
        "perspective": persp,
        "elastic": elastic,
        "brightness": _span(brightness, 1 - cfg.brightness, 1 + cfg.brightness),
        "contrast": _span(contrast, 1 - cfg.contrast, 1 + cfg.contrast),
    }


def _span(u: float, lo: float, hi: float) -> float:
    """The uniform ``u`` in [0, 1) mapped to [lo, hi), rounded to 4 decimals as the record keeps
    it: ``round(v, 4)``, the same float, in about half the time (``round`` with digits goes
    through a decimal string; the integer nearest to ``v * 1e4``, divided by 1e4, is the same
    number unless ``v * 1e4`` lies within rounding error of a half or rounds to zero, whose sign
    ``round`` keeps: those few go to ``round``)."""
    v = lo + (hi - lo) * u
    y = v * 1e4
    k = round(y)
    if not k or abs(y - k) > 0.4999:
        return round(v, 4)
    return k / 1e4


def identity_face_aug() -> dict:
    return {"hflip": False, "rotate": 0.0, "scale": [1.0, 1.0], "shear": [0.0, 0.0],
            "translate": [0.0, 0.0], "perspective": [0.0] * 8,
            "elastic": {"alpha": 0.0, "sigma": 0.0, "seed": 0}, "brightness": 1.0, "contrast": 1.0}


def colour_gain(aug: dict, grey: float) -> tuple[float, float]:
    """Brightness then contrast (contrast about the face's mean grey, as torchvision's
    ``adjust_contrast``) as one linear map on premultiplied RGBA: R, G, B -> g*X + k*A with
    g = b*c and k = (1 - c) * mean grey; alpha is never touched. Being linear, it commutes with
    the warp's interpolation and is applied to the smaller warped face (:func:`recolour`), as
    the face is composited. Returns (g, k); (1.0, 0.0) is no change."""
    b, c = aug["brightness"], aug["contrast"]
    if b == 1.0 and c == 1.0:
        return 1.0, 0.0
    return b * c, (1 - c) * min(grey * b, 255.0) / 255.0


def recolour(rgb: np.ndarray, alpha3: np.ndarray, gain: tuple[float, float]) -> np.ndarray:
    """:func:`colour_gain`'s map on a warped face's premultiplied RGB and its alpha (as three
    channels; uint8, saturating, one OpenCV call); the input itself when the gain is (1, 0)."""
    g, k = gain
    if g == 1.0 and k == 0.0:
        return rgb
    return cv2.addWeighted(rgb, g, alpha3, k, 0.0)


@functools.lru_cache(maxsize=ELASTIC_CACHE)
def elastic_field(shape: tuple[int, int], sigma: float, seed: int) -> np.ndarray:
    """albumentations' elastic displacement fields for an image of ``shape`` (h, w) at alpha 1,
    as one read-only h x w x 2 float32 array of (dx, dy): linear in alpha, so a face scales it by
    its record's alpha. Cached (bounded, :data:`ELASTIC_CACHE`) by its parameters."""
    dx, dy = fgeometric.generate_displacement_fields(
        tuple(shape), 1.0, sigma, same_dxdy=False, kernel_size=(0, 0),
        random_generator=np.random.default_rng(seed), noise_distribution="gaussian")
    field = np.dstack([dx, dy])
    field.flags.writeable = False
    return field


@functools.lru_cache(maxsize=ELASTIC_CACHE)
def _pixel_grid(h: int, w: int) -> np.ndarray:
    """h x w x 2 float32 (x, y) pixel coordinates (read-only, cached)."""
    xs, ys = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    grid = np.dstack([xs, ys])
    grid.flags.writeable = False
    return grid


def _elastic(img: np.ndarray, aug: dict) -> np.ndarray:
    """albumentations' elastic transform (its displacement fields, OpenCV's remap as its ``remap``
    calls it), the field chosen and scaled by the record."""
    el = aug["elastic"]
    if el["alpha"] <= 0:
        return img
    h, w = img.shape[:2]
    padded = (-(-h // FIELD_STEP) * FIELD_STEP, -(-w // FIELD_STEP) * FIELD_STEP)
    field = elastic_field(padded, float(el["sigma"]), int(el["seed"]))[:h, :w]
    maps = cv2.scaleAdd(field, float(el["alpha"]), _pixel_grid(h, w))
    return cv2.remap(img, maps, None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)


def premultiply(rgba: np.ndarray) -> np.ndarray:
    a = rgba[..., 3]
    return cv2.multiply(rgba, cv2.merge([a, a, a, np.full_like(a, 255)]), scale=1 / 255)


def prepare_sprite(rgba: np.ndarray) -> tuple[np.ndarray, float]:
    """What the warp needs from a straight-alpha sprite: :func:`crop_premultiplied` of its
    premultiplied pixels (so interpolation at the edge blends toward transparent, not black)."""
    return crop_premultiplied(premultiply(rgba))


def crop_premultiplied(premult: np.ndarray) -> tuple[np.ndarray, float]:
    """A premultiplied sprite cut to the bounding box of its alpha (a view: the warp, placement
    and compositing then touch only the face's pixels), and the face's alpha-weighted mean grey
    (the contrast pivot)."""
    x, y, w, h = cv2.boundingRect(cv2.extractChannel(premult, 3))
    if w == 0:
        return premult, 0.0
    crop = premult[y:y + h, x:x + w]
    r, g, b, a = cv2.sumElems(crop)
    return crop, 255.0 * (0.299 * r + 0.587 * g + 0.114 * b) / a


def _matmul3(a: list, b: list) -> list:
    return [[a[i][0] * b[0][j] + a[i][1] * b[1][j] + a[i][2] * b[2][j] for j in range(3)] for i in range(3)]


def _homography(aug: dict, h: int, w: int, scale: float) -> list:
    """:func:`face_matrix` as rows of Python floats (a few microseconds, no array calls)."""
    cx, cy = (w - 1) / 2, (h - 1) / 2
    r = math.radians(aug["rotate"] % 360)
    c, s = math.cos(r), math.sin(r)
    kx, ky = scale * aug["scale"][0], scale * aug["scale"][1]
    tx, ty = math.tan(math.radians(aug["shear"][0])), math.tan(math.radians(aug["shear"][1]))
    a00, a01 = c * kx - tx * s * kx, s * ky + tx * c * ky
    a10, a11 = ty * c * kx - s * kx, ty * s * ky + c * ky
    m = [[a00, a01, cx - a00 * cx - a01 * cy],
         [a10, a11, cy - a10 * cx - a11 * cy],
         [0.0, 0.0, 1.0]]
    if aug["hflip"]:   # m @ [[-1, 0, w - 1], [0, 1, 0], [0, 0, 1]]
        m = [[-r0, r1, r0 * (w - 1) + r2] for r0, r1, r2 in m]
    p = aug["perspective"]
    if any(p):
        m = _matmul3(m, corner_perspective(p, h, w))
    return m


def corner_perspective(p: list[float], h: int, w: int) -> list:
    """The homography moving the corners (0, 0), (w-1, 0), (w-1, h-1), (0, h-1) of an h x w
    image by ``p`` (x, y offsets as fractions of w, h; what ``cv2.getPerspectiveTransform`` of
    those four pairs gives), in closed form: the unit square to the quad (Heckbert, 1989), after
    scaling the rectangle to the unit square."""
    sx, sy = max(w - 1, 1), max(h - 1, 1)
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = [
        (cx + p[2 * i] * w, cy + p[2 * i + 1] * h)
        for i, (cx, cy) in enumerate(((0, 0), (w - 1, 0), (w - 1, h - 1), (0, h - 1)))]
    dx1, dx2, dx3 = x1 - x2, x3 - x2, x0 - x1 + x2 - x3
    dy1, dy2, dy3 = y1 - y2, y3 - y2, y0 - y1 + y2 - y3
    det = dx1 * dy2 - dx2 * dy1
    g = (dx3 * dy2 - dx2 * dy3) / det
    k = (dx1 * dy3 - dx3 * dy1) / det
    return [[(x1 - x0 + g * x1) / sx, (x3 - x0 + k * x3) / sy, x0],
            [(y1 - y0 + g * y1) / sx, (y3 - y0 + k * y3) / sy, y0],
            [g / sx, k / sy, 1.0]]


def face_matrix(aug: dict, src_hw: tuple[int, int], scale: float) -> np.ndarray:
    """The 3x3 homography of one face: horizontal flip, then albumentations' ``Affine``
    construction about the sprite centre (scale, rotate, shear; same conventions as
    ``fgeometric.create_affine_transformation_matrix``, written out because it runs ~5x faster),
    then the corner-offset perspective."""
    return np.array(_homography(aug, src_hw[0], src_hw[1], scale))


def warp_geometry(premult: np.ndarray, aug: dict, scale: float) -> np.ndarray:
    """Move a premultiplied RGBA sprite (``prepare_sprite``) where its record says, on the tight
    canvas that holds it: the elastic field (when the record has one), then one warp (flip,
    affine and perspective in one matrix). Colour is left to :func:`recolour`.

    ``scale`` maps the cached sprite to the face size the sample asked for; ``translate`` shifts
    the face inside its canvas (sub-pixel jitter on top of the integer placement).
    """
    img = _elastic(premult, aug)
    h, w = premult.shape[:2]
    (a, b, c), (d, e, f), (g, k, l) = _homography(aug, h, w, scale)
    perspective = any(aug["perspective"])
    if perspective:   # where the corners (0, 0), (w, 0), (w, h), (0, h) go
        zs = [l, g * w + l, g * w + k * h + l, k * h + l]
        xs = [c / zs[0], (a * w + c) / zs[1], (a * w + b * h + c) / zs[2], (b * h + c) / zs[3]]
        ys = [f / zs[0], (d * w + f) / zs[1], (d * w + e * h + f) / zs[2], (e * h + f) / zs[3]]
    else:             # the same with g = k = 0, l = 1, without the no-op terms
        xs = [c, a * w + c, a * w + b * h + c, b * h + c]
        ys = [f, d * w + f, d * w + e * h + f, e * h + f]
    tx, ty = aug["translate"]
    margin = 1 + math.ceil(max(abs(tx), abs(ty)))
    x0, y0 = math.floor(min(xs)) - margin, math.floor(min(ys)) - margin
    size = (math.ceil(max(xs)) + margin - x0 + 1, math.ceil(max(ys)) + margin - y0 + 1)
    sx, sy = tx - x0, ty - y0   # shift the face into its canvas: [[1, 0, sx], [0, 1, sy]] @ m
    rows = [[a + sx * g, b + sx * k, c + sx * l], [d + sy * g, e + sy * k, f + sy * l]]
    if perspective:
        return cv2.warpPerspective(img, np.array(rows + [[g, k, l]]), size, None, cv2.INTER_LINEAR,
                                   cv2.BORDER_CONSTANT, 0)
    return cv2.warpAffine(img, np.array(rows), size, None, cv2.INTER_LINEAR, cv2.BORDER_CONSTANT, 0)


def warp_face(premult: np.ndarray, grey: float, aug: dict, scale: float) -> np.ndarray:
    """The augmented face as premultiplied RGBA: :func:`warp_geometry`, then the colour
    (:func:`recolour`, RGB only). The generator does the colour step while compositing."""
    out = warp_geometry(premult, aug, scale)
    gain = colour_gain(aug, grey)
    if gain != (1.0, 0.0):
        out = out.copy()
        alpha3 = cv2.cvtColor(cv2.extractChannel(out, 3), cv2.COLOR_GRAY2RGB)
        out[..., :3] = recolour(cv2.cvtColor(out, cv2.COLOR_RGBA2RGB), alpha3, gain)
    return out


def sample_image_aug(draw: Draws, cfg: ImageAugConfig) -> dict:
    if not cfg.enabled:
        return {"brightness": 1.0, "contrast": 1.0, "blur_sigma": 0.0, "noise_std": 0.0, "noise_seed": 0}
    return {
        "brightness": _u(draw, 1 - cfg.brightness, 1 + cfg.brightness),
        "contrast": _u(draw, 1 - cfg.contrast, 1 + cfg.contrast),
        "blur_sigma": _u(draw, 0.3, cfg.blur_sigma) if draw.chance(cfg.blur_p) else 0.0,
        "noise_std": _u(draw, 0.0, cfg.noise_std) if draw.chance(cfg.noise_p) else 0.0,
        "noise_seed": draw.integer(0, 2 ** 31 - 1),
    }


def apply_image_aug(img: np.ndarray, aug: dict) -> np.ndarray:
    """Whole-image photometric changes; the instance mask is unaffected."""
    if aug["brightness"] != 1.0:
        img = fpixel.adjust_brightness_torchvision(img, np.float32(aug["brightness"]))
    if aug["contrast"] != 1.0:
        img = fpixel.adjust_contrast_torchvision(img, float(aug["contrast"]))
    if aug["blur_sigma"] > 0:
        img = cv2.GaussianBlur(img, (0, 0), aug["blur_sigma"])
    if aug["noise_std"] > 0:
        noise = np.random.default_rng(aug["noise_seed"]).normal(0, aug["noise_std"], img.shape)
        img = fpixel.add_noise(img, noise.astype(np.float32))
    return img
