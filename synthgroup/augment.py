"""Face and whole-image augmentations: parameters drawn into a plain record, applied by pure code.

Drawing happens in ``sample_face_aug`` / ``sample_image_aug`` from the sample's generator; the
returned dicts are stored in the metadata. ``warp_face`` and ``apply_image_aug`` are pure
functions of (pixels, record) built on albumentations' functional layer, so a record replays
to the same bytes. Colour changes touch RGB only, never the alpha channel.
"""
from __future__ import annotations

import math
import os

os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")  # albumentations phones home otherwise

import cv2
import numpy as np
from albumentations.augmentations.geometric import functional as fgeometric
from albumentations.augmentations.pixel import functional as fpixel

from .config import FaceAugConfig, ImageAugConfig


def _u(rng: np.random.Generator, a: float, b: float) -> float:
    return round(float(a + (b - a) * rng.random()), 4)


#: The scalar draws of one face's augmentation, by name, in the order the generator gives them.
FACE_AUG_DRAWS = ("hflip", "rotate", "scale_x", "scale_y", "shear_x", "shear_y", "translate_x", "translate_y",
                  "brightness", "contrast", "use_perspective", "use_elastic", "elastic_alpha")


def sample_face_aug(rng: np.random.Generator, cfg: FaceAugConfig) -> dict:
    """One face's augmentation parameters. The layout of the dict never changes (datasets needs a
    fixed schema): disabled steps keep neutral values.

    The scalars ``FACE_AUG_DRAWS`` are drawn together (one uniform each, always all of them, so
    later draws do not depend on which steps fire); then the perspective corners and the elastic
    seed, only when those steps fire."""
    if not cfg.enabled:
        return identity_face_aug()
    u = dict(zip(FACE_AUG_DRAWS, rng.random(len(FACE_AUG_DRAWS)).tolist()))

    def span(name: str, lo: float, hi: float) -> float:
        return round(lo + (hi - lo) * u[name], 4)

    persp = [0.0] * 8
    if u["use_perspective"] < cfg.perspective_p:
        persp = [round(v, 4) for v in ((rng.random(8) * 2 - 1) * cfg.perspective).tolist()]
    elastic = {"alpha": 0.0, "sigma": 0.0, "seed": 0}
    if u["use_elastic"] < cfg.elastic_p:
        elastic = {"alpha": span("elastic_alpha", 0.5 * cfg.elastic_alpha, cfg.elastic_alpha),
                   "sigma": float(cfg.elastic_sigma), "seed": int(rng.integers(2 ** 31))}
    return {
        "hflip": u["hflip"] < cfg.hflip_p,
        "rotate": span("rotate", -cfg.rotate, cfg.rotate),
        "scale": [span("scale_x", 1 - cfg.scale, 1 + cfg.scale), span("scale_y", 1 - cfg.scale, 1 + cfg.scale)],
        "shear": [span("shear_x", -cfg.shear, cfg.shear), span("shear_y", -cfg.shear, cfg.shear)],
        "translate": [span("translate_x", -cfg.translate, cfg.translate),
                      span("translate_y", -cfg.translate, cfg.translate)],
        "perspective": persp,
        "elastic": elastic,
        "brightness": span("brightness", 1 - cfg.brightness, 1 + cfg.brightness),
        "contrast": span("contrast", 1 - cfg.contrast, 1 + cfg.contrast),
    }


def identity_face_aug() -> dict:
    return {"hflip": False, "rotate": 0.0, "scale": [1.0, 1.0], "shear": [0.0, 0.0],
            "translate": [0.0, 0.0], "perspective": [0.0] * 8,
            "elastic": {"alpha": 0.0, "sigma": 0.0, "seed": 0}, "brightness": 1.0, "contrast": 1.0}


def colour_matrix(aug: dict, grey: float) -> np.ndarray | None:
    """Brightness then contrast (contrast about the face's mean grey, as torchvision's
    ``adjust_contrast``) as one linear map on premultiplied RGBA: R, G, B -> b*c*X + k*A with
    k = (1 - c) * mean grey; the alpha row is the identity, so alpha is never touched. Being
    linear, it commutes with the warp's interpolation and is applied to the smaller warped face."""
    b, c = aug["brightness"], aug["contrast"]
    if b == 1.0 and c == 1.0:
        return None
    bc, k = b * c, (1 - c) * min(grey * b, 255.0) / 255.0
    return np.array([[bc, 0, 0, k], [0, bc, 0, k], [0, 0, bc, k], [0, 0, 0, 1]], dtype=np.float32)


_GRIDS: dict = {}


def _elastic(img: np.ndarray, aug: dict) -> np.ndarray:
    """albumentations' elastic transform (its displacement fields and remap), seeded by the record."""
    el = aug["elastic"]
    if el["alpha"] <= 0:
        return img
    h, w = img.shape[:2]
    dx, dy = fgeometric.generate_displacement_fields(
        (h, w), el["alpha"], el["sigma"], same_dxdy=False, kernel_size=(0, 0),
        random_generator=np.random.default_rng(el["seed"]), noise_distribution="gaussian")
    grid = _GRIDS.get((h, w))
    if grid is None:
        grid = _GRIDS[(h, w)] = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    return fgeometric.remap(img, grid[0] + dx, grid[1] + dy, cv2.INTER_LINEAR, cv2.BORDER_CONSTANT, 0)


def premultiply(rgba: np.ndarray) -> np.ndarray:
    a = rgba[..., 3]
    return cv2.multiply(rgba, cv2.merge([a, a, a, np.full_like(a, 255)]), scale=1 / 255)


def prepare_sprite(rgba: np.ndarray) -> tuple[np.ndarray, float]:
    """What the warp needs from a straight-alpha sprite, computed once per cached sprite: the
    premultiplied pixels (so interpolation at the edge blends toward transparent, not black) and
    the face's alpha-weighted mean grey (the contrast pivot)."""
    r, g, b, _ = cv2.mean(rgba, mask=rgba[..., 3])
    return premultiply(rgba), 0.299 * r + 0.587 * g + 0.114 * b


def face_matrix(aug: dict, src_hw: tuple[int, int], scale: float) -> np.ndarray:
    """The 3x3 homography of one face: horizontal flip, then albumentations' ``Affine``
    construction about the sprite centre (scale, rotate, shear; same conventions as
    ``fgeometric.create_affine_transformation_matrix``, written out because it runs ~5x faster),
    then the corner-offset perspective."""
    h, w = src_hw
    cx, cy = (w - 1) / 2, (h - 1) / 2
    r = math.radians(aug["rotate"] % 360)
    c, s = math.cos(r), math.sin(r)
    kx, ky = scale * aug["scale"][0], scale * aug["scale"][1]
    tx, ty = math.tan(math.radians(aug["shear"][0])), math.tan(math.radians(aug["shear"][1]))
    a00, a01 = c * kx - tx * s * kx, s * ky + tx * c * ky
    a10, a11 = ty * c * kx - s * kx, ty * s * ky + c * ky
    m = np.array([[a00, a01, cx - a00 * cx - a01 * cy],
                  [a10, a11, cy - a10 * cx - a11 * cy],
                  [0.0, 0.0, 1.0]])
    if aug["hflip"]:
        m = m @ np.array([[-1.0, 0, w - 1], [0, 1, 0], [0, 0, 1]])
    p = aug["perspective"]
    if any(p):
        src = np.float32([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]])
        dst = src + np.float32(p).reshape(4, 2) * np.float32([w, h])
        m = m @ cv2.getPerspectiveTransform(src, dst).astype(np.float64)
    return m


def warp_face(premult: np.ndarray, grey: float, aug: dict, scale: float) -> np.ndarray:
    """Augment a premultiplied RGBA sprite (``prepare_sprite``) and return it, still
    premultiplied, on the tight canvas that holds it.

    ``scale`` maps the cached sprite to the face size the sample asked for; ``translate`` shifts
    the face inside its canvas (sub-pixel jitter on top of the integer placement).
    """
    img = _elastic(premult, aug)
    h, w = premult.shape[:2]
    m = face_matrix(aug, (h, w), scale)
    corners = np.float64([[0, 0, 1], [w, 0, 1], [w, h, 1], [0, h, 1]]) @ m.T
    corners = corners[:, :2] / corners[:, 2:3]
    tx, ty = aug["translate"]
    margin = 1 + int(np.ceil(max(abs(tx), abs(ty))))
    x0, y0 = np.floor(corners.min(0)) - margin
    x1, y1 = np.ceil(corners.max(0)) + margin
    shift = np.array([[1.0, 0, -x0 + tx], [0, 1, -y0 + ty], [0, 0, 1]])
    size = (int(x1 - x0) + 1, int(y1 - y0) + 1)
    m = shift @ m
    if any(aug["perspective"]):
        out = cv2.warpPerspective(img, m, size, flags=cv2.INTER_LINEAR,
                                  borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    else:
        out = cv2.warpAffine(img, m[:2], size, flags=cv2.INTER_LINEAR,
                             borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    cm = colour_matrix(aug, grey)
    return out if cm is None else cv2.transform(out, cm)


def sample_image_aug(rng: np.random.Generator, cfg: ImageAugConfig) -> dict:
    if not cfg.enabled:
        return {"brightness": 1.0, "contrast": 1.0, "blur_sigma": 0.0, "noise_std": 0.0, "noise_seed": 0}
    return {
        "brightness": _u(rng, 1 - cfg.brightness, 1 + cfg.brightness),
        "contrast": _u(rng, 1 - cfg.contrast, 1 + cfg.contrast),
        "blur_sigma": _u(rng, 0.3, cfg.blur_sigma) if rng.random() < cfg.blur_p else 0.0,
        "noise_std": _u(rng, 0.0, cfg.noise_std) if rng.random() < cfg.noise_p else 0.0,
        "noise_seed": int(rng.integers(2 ** 31)),
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
