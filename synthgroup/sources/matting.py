"""Studio-backdrop removal, the matting methods and the per-file cut-out cache.

``key_alpha(rgb, params)`` is the colour key, a pure function: it estimates the backdrop colour
from the image borders (a robust low-order fit in CIE Lab, so a lighting gradient across the
backdrop is allowed), thresholds the per-pixel colour distance (CIE76 delta E), cleans the mask
with morphology, keeps the main connected component, fills its holes and feathers the edge.
``matting=grabcut`` (:mod:`.refine`) keys against a backdrop propagated from the borders (two-tone
walls, shadows) and refines that key with OpenCV's GrabCut. The methods are registered in
:data:`MATTING_METHODS`. ``matte(rgb, params)`` adds the alpha of ``params.method`` to the image
and replaces the backdrop colour in the feathered rim by nearby foreground colour (no grey-blue
halo when pasted on a scene).

``cached_cutout(path, recipe, compute)`` makes a per-file result once: an in-process LRU (a byte
budget) in front of PNG files under ``<cache dir>/cutouts/``, keyed by the file's path, size and
mtime plus the recipe (every parameter that changes the result, the method included), written
atomically. The face crop (``crop=face``) is :mod:`.facecrop`.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import cv2
import numpy as np

from ..errors import CorruptItemError, SourceError
from ..registry import Registry
from .cache import atomic_write, cache_dir, digest, file_fingerprint
from .facecrop import CROP_SETTINGS, face_box

#: Bump when the keying or cropping code changes what a cut-out looks like (invalidates caches).
#: 2: ``matting=grabcut`` became the default; ``crop=face`` cuts at the hairline.
MATTING_VERSION = 2

#: The matting method of keyed sources unless ``matting=`` says otherwise.
DEFAULT_METHOD = "grabcut"


@dataclass(frozen=True)
class MatteParams:
    """Parameters of the matting; all of them go into the cache key."""
    method: str = DEFAULT_METHOD  # a name in MATTING_METHODS: key, grabcut
    threshold: float = 12.0     # delta E (Lab) from the backdrop that marks a pixel as foreground
    low_ratio: float = 0.5      # pixels above threshold * low_ratio join when connected (hysteresis)
    noise_k: float = 4.0        # both raised to this many robust std-devs of the backdrop's noise
    keep_ratio: float = 0.15    # other components kept when at least this share of the main one
    border: float = 0.03        # width of the border strips sampling the backdrop (of the short side)
    open_bottom: bool = True    # the subject continues past the bottom edge (a portrait)
    feather: float = 0.0025     # Gaussian sigma of the edge, as a fraction of the short side
    max_side: int = 800         # larger photos are matted (and cut-outs kept) at this long side

    def as_key(self) -> dict:
        return asdict(self)

    def border_px(self, h: int, w: int) -> int:
        """The width of the border strips that sample the backdrop, in pixels."""
        return max(2, int(round(self.border * min(h, w))))


#: Matting methods by name: ``alpha(rgb, params) -> HxW uint8``. Entry points of the group
#: ``synthgroup.matting_methods`` add others.
MATTING_METHODS: Registry[Callable[[np.ndarray, MatteParams], np.ndarray]] = Registry(
    "matting method", group="synthgroup.matting_methods", error=SourceError)


def _design(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    return np.stack([np.ones_like(xs), xs, ys, xs * xs, xs * ys, ys * ys], axis=-1)


def backdrop_model(lab: np.ndarray, params: MatteParams) -> tuple[np.ndarray, float, np.ndarray]:
    """Fit the backdrop's Lab colour as a quadratic surface over the border strips.

    Returns (coefficients 6x3, robust noise sigma in delta E, inlier fraction of the samples).
    Border pixels far from the median backdrop colour (hair or shoulders touching the edge)
    are dropped before and during the fit.
    """
    h, w = lab.shape[:2]
    b = params.border_px(h, w)
    sample = np.zeros((h, w), dtype=bool)
    sample[:b, :] = True
    sample[:, :b] = True
    sample[:, -b:] = True
    if not params.open_bottom:
        sample[-b:, :] = True
    ys, xs = np.nonzero(sample)
    step = max(1, len(ys) // 20000)
    ys, xs = ys[::step], xs[::step]
    vals = lab[ys, xs].astype(np.float64)
    xn = xs / max(1, w - 1) * 2 - 1
    yn = ys / max(1, h - 1) * 2 - 1
    A = _design(xn, yn)
    # first guess: the median of the top strip (rarely covered by the subject in a portrait)
    top = ys < b
    c0 = np.median(vals[top] if top.sum() >= 10 else vals, axis=0)
    d = np.linalg.norm(vals - c0, axis=1)
    inl = d < max(15.0, 2.5 * float(np.median(d)))
    coef = np.zeros((6, 3))
    coef[0] = c0
    sigma = 1.0
    ridge = np.diag([0.0, 1e-3, 1e-3, 1e-2, 1e-2, 1e-2])
    for _ in range(3):
        if inl.sum() < 12:
            break
        Ai, vi = A[inl], vals[inl]
        # quadratic terms only when the samples span enough of the frame to pin them down
        span_y = float(np.ptp(yn[inl])) if inl.any() else 0.0
        use = slice(0, 6) if span_y > 1.0 else slice(0, 3)
        M = Ai[:, use].T @ Ai[:, use] + ridge[use, use] * len(vi)
        coef = np.zeros((6, 3))
        coef[use] = np.linalg.solve(M, Ai[:, use].T @ vi)
        res = np.linalg.norm(vals - A @ coef, axis=1)
        sigma = max(0.5, 1.4826 * float(np.median(res[inl])))
        inl = res < max(6.0, 3.5 * sigma)
    return coef, sigma, inl


def hysteresis(dist: np.ndarray, strong: float, weak: float) -> np.ndarray:
    """Pixels above ``weak`` that are connected (8-neighbours) to a pixel above ``strong``."""
    n, wl = cv2.connectedComponents((dist > weak).astype(np.uint8), connectivity=8)
    seeded = np.unique(wl[dist > strong])
    return np.isin(wl, seeded[seeded > 0])


def clean_mask(fg: np.ndarray, params: MatteParams) -> np.ndarray:
    """Drop specks, bridge small gaps, keep the main component (and any other of comparable
    size: a head cut off from the body by a backdrop-coloured neck or collar must not be lost)
    and fill the holes that do not reach the open sides of the frame."""
    h, w = fg.shape
    s = min(h, w)
    k = max(3, int(round(s * 0.006)) | 1)
    fg = cv2.morphologyEx(fg.astype(np.uint8), cv2.MORPH_OPEN,
                          cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    k2 = max(3, int(round(s * 0.012)) | 1)
    fg = cv2.morphologyEx(fg, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k2, k2)))
    n, lab_cc, stats, _ = cv2.connectedComponentsWithStats(fg, connectivity=8)
    if n <= 1:
        return np.zeros((h, w), dtype=bool)
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = 1 + np.nonzero(areas >= params.keep_ratio * areas.max())[0]
    mask = np.isin(lab_cc, keep)
    # fill holes: backdrop-coloured regions not connected to the open sides of the frame
    nb, bl = cv2.connectedComponents((~mask).astype(np.uint8), connectivity=4)
    edge_labels = set(np.unique(bl[0, :])) | set(np.unique(bl[:, 0])) | set(np.unique(bl[:, -1]))
    if not params.open_bottom:
        edge_labels |= set(np.unique(bl[-1, :]))
    outside = np.isin(bl, np.array(sorted(edge_labels), dtype=bl.dtype)) & ~mask
    return ~outside


def feather_mask(mask: np.ndarray, params: MatteParams) -> np.ndarray:
    """The uint8 alpha of a boolean mask with its edge blurred by ``params.feather``."""
    sig = max(0.5, params.feather * min(mask.shape))
    alpha = cv2.GaussianBlur(mask.astype(np.float32), (0, 0), sig)
    return np.clip(alpha * 255.0 + 0.5, 0, 255).astype(np.uint8)


def to_lab(rgb: np.ndarray) -> np.ndarray:
    """HxWx3 float32 CIE Lab of a uint8 RGB image."""
    return cv2.cvtColor(rgb.astype(np.float32) * (1.0 / 255.0), cv2.COLOR_RGB2Lab)


@MATTING_METHODS.register("key")
def key_alpha(rgb: np.ndarray, params: MatteParams = MatteParams()) -> np.ndarray:
    """HxW uint8 alpha of the subject of a studio photo (HxWx3 uint8 RGB) on a plain backdrop."""
    h, w = rgb.shape[:2]
    lab = to_lab(rgb)
    coef, sigma, _ = backdrop_model(lab, params)
    xn = (np.arange(w, dtype=np.float32) / max(1, w - 1) * 2 - 1)[None, :]
    yn = (np.arange(h, dtype=np.float32) / max(1, h - 1) * 2 - 1)[:, None]
    c = coef.astype(np.float32)
    model = (c[0] + xn[..., None] * c[1] + yn[..., None] * c[2] + (xn * xn)[..., None] * c[3]
             + (xn * yn)[..., None] * c[4] + (yn * yn)[..., None] * c[5])
    diff = lab - model
    dist = np.sqrt(np.einsum("ijk,ijk->ij", diff, diff))
    # hysteresis: clearly foreground pixels seed, weaker ones join when connected to a seed
    t = max(params.threshold, params.noise_k * sigma)
    t_low = max(params.threshold * params.low_ratio, params.noise_k * sigma)
    return feather_mask(clean_mask(hysteresis(dist, t, t_low), params), params)


MATTING_METHODS.register("grabcut", "synthgroup.sources.refine:grabcut_alpha")


def method_alpha(rgb: np.ndarray, params: MatteParams) -> np.ndarray:
    """The alpha ``params.method`` makes of ``rgb``."""
    return MATTING_METHODS.get(params.method)(rgb, params)


def decontaminate(rgb: np.ndarray, alpha: np.ndarray, radius: float) -> np.ndarray:
    """Replace the colour of feathered pixels outside the hard mask by the local foreground
    colour (normalised convolution), so the backdrop does not show as a halo."""
    hard = (alpha >= 128).astype(np.float32)
    rim = (alpha > 0) & (hard == 0)
    if not rim.any():
        return rgb
    sig = max(1.0, radius)
    den = cv2.GaussianBlur(hard, (0, 0), sig)
    num = cv2.GaussianBlur(rgb.astype(np.float32) * hard[..., None], (0, 0), sig)
    fgcol = num / np.maximum(den, 1e-4)[..., None]
    out = rgb.copy()
    ok = rim & (den > 1e-3)
    out[ok] = np.clip(fgcol[ok] + 0.5, 0, 255).astype(np.uint8)
    return out


def fit_size(rgb: np.ndarray, max_side: int) -> np.ndarray:
    """Downscale (area interpolation) so the long side is at most ``max_side``."""
    h, w = rgb.shape[:2]
    s = max_side / max(h, w)
    if s >= 1:
        return rgb
    return cv2.resize(rgb, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)


def matte(rgb: np.ndarray, params: MatteParams = MatteParams()) -> np.ndarray:
    """HxWx4 RGBA (straight alpha) of a studio photo: the alpha of ``params.method`` plus rim
    decontamination."""
    alpha = method_alpha(rgb, params)
    colour = decontaminate(rgb, alpha, 3 * max(0.5, params.feather * min(rgb.shape[:2])))
    return np.dstack([colour, alpha])


def coverage(alpha: np.ndarray) -> float:
    return float(np.count_nonzero(alpha >= 128)) / max(1, alpha.size)


def trim(rgba: np.ndarray, pad: int = 1) -> np.ndarray:
    """Crop an RGBA image to the bounding box of its alpha (plus ``pad`` px)."""
    ys, xs = np.nonzero(rgba[..., 3])
    if not len(ys):
        return rgba
    h, w = rgba.shape[:2]
    y0, y1 = max(0, ys.min() - pad), min(h, ys.max() + 1 + pad)
    x0, x1 = max(0, xs.min() - pad), min(w, xs.max() + 1 + pad)
    return np.ascontiguousarray(rgba[y0:y1, x0:x1])


# ---------------------------------------------------------------------------------- cache
class _ByteLRU:
    """In-process LRU bounded by the total bytes of the arrays it holds."""

    def __init__(self, budget: int):
        self.budget = budget
        self.used = 0
        self._d: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str):
        with self._lock:
            arr = self._d.get(key)
            if arr is not None:
                self._d.move_to_end(key)
            return arr

    def put(self, key: str, arr: np.ndarray) -> None:
        with self._lock:
            if key in self._d:
                return
            self._d[key] = arr
            self.used += arr.nbytes
            while self.used > self.budget and len(self._d) > 1:
                _, old = self._d.popitem(last=False)
                self.used -= old.nbytes

    def clear(self) -> None:
        with self._lock:
            self._d.clear()
            self.used = 0


_MEMORY = _ByteLRU(256 << 20)


def clear_memory_cache() -> None:
    """Forget the in-process cut-outs (the disk cache stays)."""
    _MEMORY.clear()


def cutout_cache_path(key: str) -> Path:
    return cache_dir("cutouts", key[:2], f"{key}.png")


def cached_cutout(path: str | Path | dict, recipe: dict, compute: Callable[[], np.ndarray]) -> np.ndarray:
    """The RGBA cut-out ``compute()`` makes for the file at ``path``, computed once per
    (file version, recipe): from memory, else from the disk cache, else computed and stored.
    ``path`` may instead be a dict that identifies the input (e.g. a dataset row with the
    dataset's fingerprint). The returned array is shared and read-only."""
    if isinstance(path, dict):
        fp = path
    else:
        try:
            fp = file_fingerprint(path)
        except OSError as exc:
            raise CorruptItemError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    key = digest({"v": MATTING_VERSION, "file": fp, "recipe": recipe})
    hit = _MEMORY.get(key)
    if hit is not None:
        return hit
    disk = cutout_cache_path(key)
    rgba = None
    if disk.is_file():
        arr = cv2.imread(str(disk), cv2.IMREAD_UNCHANGED)
        if arr is not None and arr.ndim == 3 and arr.shape[2] == 4:
            rgba = cv2.cvtColor(arr, cv2.COLOR_BGRA2RGBA)
    if rgba is None:
        rgba = np.ascontiguousarray(compute())
        ok, png = cv2.imencode(".png", cv2.cvtColor(rgba, cv2.COLOR_RGBA2BGRA),
                               [cv2.IMWRITE_PNG_COMPRESSION, 1])
        if ok:
            atomic_write(disk, png.tobytes())
    rgba.setflags(write=False)
    _MEMORY.put(key, rgba)
    return rgba


# ---------------------------------------------------------------------------------- options
#: Options every keyed source accepts (``kdef:DIR:threshold=15,feather=0.004,matting=key``).
MATTE_OPTIONS = {"matting": str, "threshold": float, "feather": float, "max_side": int}
_OPTION_FIELDS = {"matting": "method"}


def params_from_options(opts: dict, spec: str = "", **defaults) -> MatteParams:
    """The matting parameters a source's options ask for, or a ``SourceError`` naming the source
    and the value: an unknown matting method (the message lists the available ones) or keying
    options out of range."""
    kw = dict(defaults)
    kw.update({_OPTION_FIELDS.get(k, k): opts[k] for k in MATTE_OPTIONS if k in opts})
    params = MatteParams(**kw)
    try:
        MATTING_METHODS.canonical(params.method)
    except SourceError as exc:
        raise SourceError(f"source {spec!r}: matting={params.method!r}: {exc}") from None
    if not (0 < params.threshold < 200 and 0 <= params.feather < 0.1 and params.max_side >= 64):
        raise SourceError(f"source {spec!r}: keying options out of range "
                          "(0 < threshold < 200, 0 <= feather < 0.1, max_side >= 64)")
    return params


# ---------------------------------------------------------------------------------- cut-outs
def studio_cutout(rgb: np.ndarray, params: MatteParams, crop: str, what: str,
                  detect: str = "auto") -> np.ndarray:
    """Matte a studio portrait and cut it out: ``crop='full'`` the whole subject (head, neck,
    shoulders), ``crop='face'`` from the top of the forehead (the hairline) to the chin.
    Trimmed to the alpha."""
    rgb = fit_size(rgb, params.max_side)
    rgba = matte(rgb, params)
    if coverage(rgba[..., 3]) < 0.02:
        raise CorruptItemError(f"{what}: could not separate the person from the backdrop "
                               "(is it a studio photo on a plain backdrop?)")
    if crop == "face":
        box = face_box(rgb, rgba[..., 3], detect)
        rgba = rgba[box.top:box.bottom]
    out = trim(rgba)
    if out.shape[0] < 8 or out.shape[1] < 8:
        raise CorruptItemError(f"{what}: the cut-out is empty")
    return out


def studio_recipe(params: MatteParams, crop: str, detect: str = "auto") -> dict:
    """Everything that decides a studio cut-out, for the cache key."""
    recipe = {"kind": "studio", "crop": crop, "params": params.as_key()}
    if crop == "face":
        recipe.update(detect=detect, face=CROP_SETTINGS)
    return recipe


def cutout_file(path: Path, params: MatteParams, crop: str = "full", detect: str = "auto",
                what: str | None = None) -> np.ndarray:
    """``studio_cutout`` of an image file, through the memory and disk caches."""
    from .cache import decode_image
    what = what or str(path)
    return cached_cutout(path, studio_recipe(params, crop, detect), lambda: studio_cutout(
        decode_image(path, what, max_side=params.max_side), params, crop, what, detect))
