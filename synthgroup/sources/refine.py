"""``matting=grabcut``: matting that survives real studio backdrops (two wall tones, shadows,
clothing of the backdrop's colour), registered in :data:`.matting.MATTING_METHODS`.

1. **A backdrop propagated from the borders.** The top strip gives the backdrop's colour per
   column, the left and right strips per row; the backdrop at a pixel is its column's colour
   plus the change its row shows at the sides (interpolated across the width). So a vertical
   and a horizontal two-tone split, a gradient and a shadow falling across the frame are all
   followed, where a single smooth fit would key half a wall in. A side strip is read down to
   where the subject enters it: the runs of the subject's colours (sampled at the middle of the
   bottom edge, a portrait's shoulders) that rise from the bottom edge. A short run of another colour with the backdrop's
   tone again on both sides (a head or a tuft touching the edge) is bridged over.
2. **Cast shadows.** Pixels that are the backdrop's colour darkened (all channels by one factor,
   down to ``SHADOW_MIN``), reached from the backdrop without crossing a sharp edge (a shadow's
   penumbra is soft, a shirt's outline is not), are backdrop. A region that touches the bottom
   edge under the subject or is a large share of it is the subject's, not a shadow.
3. **The key.** The colour distance to that backdrop, smoothed a little (JPEG blocks and sensor
   noise average out, so clothing a few delta E from the backdrop stands out), with hysteresis:
   ``threshold`` seeds, ``WEAK_MIN`` (or ``WEAK_K`` robust spreads of the backdrop) joins.
4. **GrabCut** (``cv2.grabCut``, at ``GRABCUT_SIDE`` pixels) seeded from the key: definite
   foreground where the key is confident well inside the subject, definite backdrop well outside
   it (never below the rows where the subject reaches the sides), probable elsewhere. Its edge
   is then decided at full resolution pixel by pixel, by the nearer of the local foreground and
   backdrop colours, cleaned and feathered like the key.

Images under 64 px on a side are keyed by :func:`.matting.key_alpha`.
"""
from __future__ import annotations

from typing import NamedTuple

import cv2
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .matting import MatteParams, clean_mask, feather_mask, hysteresis, key_alpha, to_lab

#: A strip's colour changes to a new tone when it moves more than this (delta E) for a run.
TONE_STEP = 3.0
#: Tones of a side strip within this delta E of a subject colour, up from the bottom edge, are
#: the subject.
SUBJECT_DELTA_E = 4.0
#: Cast shadows: darkening factor at least SHADOW_MIN, channels within SHADOW_CHROMA of one
#: factor; an edge is sharp where the factor's gradient at 1 px is SHADOW_SHARP times (and
#: SHADOW_EDGE above) the one at 4 px; a region over SHADOW_SHARE of the subject is not a shadow.
SHADOW_MIN, SHADOW_CHROMA, SHADOW_SHARP, SHADOW_EDGE, SHADOW_SHARE = 0.5, 0.05, 1.8, 0.012, 0.3
#: The key's distance is smoothed by this fraction of the short side; weak pixels are at least
#: WEAK_MIN delta E (or WEAK_K robust spreads of the backdrop's smoothed residual) away.
SMOOTH, WEAK_MIN, WEAK_K = 0.006, 3.0, 4.0
#: GrabCut runs at this long side, for this many iterations; the seeds' margin is SEED_MARGIN
#: of the short side.
GRABCUT_SIDE, GRABCUT_ITERS, SEED_MARGIN = 400, 4, 0.02


class Backdrop(NamedTuple):
    """The backdrop propagated from the borders."""
    lab: np.ndarray             # HxWx3 float32: its Lab colour at every pixel
    stops: tuple[int, int]      # rows where the subject reaches the left / right strip
    samples: np.ndarray         # HxW bool: the border pixels it was read from


def _running_median(v: np.ndarray, k: int) -> np.ndarray:
    """Median of each row of ``v`` (N x 3) over a window of ``k`` rows (edges repeated)."""
    k = max(1, int(k)) | 1
    if k == 1 or len(v) < 2:
        return v.copy()
    r = k // 2
    padded = np.pad(v, ((r, r), (0, 0)), mode="edge")
    return np.median(sliding_window_view(padded, k, axis=0), axis=-1).astype(v.dtype)


def _segments(prof: np.ndarray, run: int) -> list[tuple[int, int, np.ndarray]]:
    """Split a strip's colours (N x 3, lightly smoothed) into runs of one tone: a tone follows
    slow drift and ends where ``run`` samples in a row are more than ``TONE_STEP`` away."""
    n = len(prof)
    segs, start = [], 0
    tone = np.median(prof[:run], axis=0)
    y = 0
    while y < n:
        if np.linalg.norm(prof[y] - tone) <= TONE_STEP:
            tone = 0.9 * tone + 0.1 * prof[y]
            y += 1
            continue
        seg = prof[y:y + run]
        if len(seg) < run or np.median(np.linalg.norm(seg - tone, axis=1)) <= TONE_STEP:
            y += 1
            continue
        segs.append((start, y, tone))
        start, tone = y, np.median(seg, axis=0)
        y += run
    segs.append((start, n, tone))
    return segs


def _bridge_islands(raw: np.ndarray, segs: list, limit: int) -> np.ndarray:
    """Replace a run of another colour between two runs of one tone (a head touching the edge)
    by a linear blend of its neighbours' colours. Only runs shorter than ``limit``."""
    out = raw.copy()
    for i in range(1, len(segs) - 1):
        (_, _, before), (a, b, tone), (_, _, after) = segs[i - 1], segs[i], segs[i + 1]
        if (b - a < limit and np.linalg.norm(before - after) <= 2 * TONE_STEP
                and np.linalg.norm(tone - before) > 2 * TONE_STEP):
            t = np.linspace(0.0, 1.0, b - a, dtype=np.float32)[:, None]
            out[a:b] = (1 - t) * before + t * after
    return out


def _side_profile(raw: np.ndarray, run: int, subject: np.ndarray | None) -> tuple[np.ndarray, int]:
    """A side strip's backdrop colour per row and the row where the subject enters the strip
    (its colour below that row is held)."""
    n = len(raw)
    segs = _segments(_running_median(raw, 5), run)
    stop = n
    for a, _, tone in reversed(segs[1:]):               # the subject rises from the bottom edge
        if subject is None or np.min(np.linalg.norm(subject - tone, axis=1)) >= SUBJECT_DELTA_E:
            break
        stop = a
    keep = max(1, stop - 3) if stop < n else n         # not the anti-aliased edge either
    before = [s for s in segs if s[0] < keep]
    out = np.empty_like(raw)
    out[:keep] = _running_median(_bridge_islands(raw[:keep], before, n // 2), run)
    out[keep:] = out[keep - 1]
    return out, stop


def _subject_colours(lab: np.ndarray, b: int) -> np.ndarray:
    """Up to three colours of the subject: k-means of the middle half of the bottom strip."""
    w = lab.shape[1]
    bottom = lab[-b:, w // 4: 3 * w // 4].reshape(-1, 3)
    bottom = np.ascontiguousarray(bottom[:: max(1, len(bottom) // 4000)], dtype=np.float32)
    k = min(3, len(bottom))
    crit = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 0.5)
    cv2.setRNGSeed(0)
    _, _, centres = cv2.kmeans(bottom, k, None, crit, 2, cv2.KMEANS_PP_CENTERS)
    return centres


def border_backdrop(lab: np.ndarray, params: MatteParams) -> Backdrop:
    """The backdrop's colour everywhere, propagated from the top, left and right strips."""
    h, w = lab.shape[:2]
    b = params.border_px(h, w)
    run = max(2, b // 2)
    top_raw = np.median(lab[:b], axis=0)
    top = _running_median(_bridge_islands(top_raw, _segments(_running_median(top_raw, 5), run),
                                          w // 2), b)
    subject = _subject_colours(lab, b) if params.open_bottom else None
    left, stop_l = _side_profile(np.median(lab[:, :b], axis=1), run, subject)
    right, stop_r = _side_profile(np.median(lab[:, -b:], axis=1), run, subject)
    l0, r0 = np.median(left[:b], axis=0), np.median(right[:b], axis=0)
    u = (np.arange(w, dtype=np.float32) / max(1, w - 1))[None, :, None]
    colour = top[None] + (1 - u) * (left - l0)[:, None] + u * (right - r0)[:, None]
    samples = np.zeros((h, w), dtype=bool)
    samples[:b] = True
    samples[:stop_l, :b] = True
    samples[:stop_r, -b:] = True
    return Backdrop(colour.astype(np.float32), (stop_l, stop_r), samples)


def _gradient(x: np.ndarray, sigma: float) -> np.ndarray:
    xs = cv2.GaussianBlur(x, (0, 0), sigma)
    gx = cv2.Sobel(xs, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(xs, cv2.CV_32F, 0, 1, ksize=3)
    return np.sqrt(gx * gx + gy * gy) * 0.125


def cast_shadow(rgb: np.ndarray, backdrop_rgb: np.ndarray, backdrop: np.ndarray) -> np.ndarray:
    """Pixels of the backdrop in a shadow the subject casts (HxW bool). ``backdrop`` marks the
    pixels already keyed as backdrop; ``backdrop_rgb`` is the backdrop's RGB colour."""
    h, w = backdrop.shape
    scale = max(1.0, min(h, w) / 500.0)
    ratio = (cv2.GaussianBlur(rgb.astype(np.float32), (0, 0), scale) + 1.0) / (backdrop_rgb + 1.0)
    k = ratio.mean(axis=2)
    same_hue = np.abs(ratio - k[..., None]).max(axis=2) < SHADOW_CHROMA
    fine, coarse = _gradient(k, scale), _gradient(k, 4.0 * scale)
    sharp = (fine > SHADOW_EDGE) & (fine > SHADOW_SHARP * coarse)
    sharp = cv2.dilate(sharp.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    soft = same_hue & (k >= SHADOW_MIN) & (k < 1.03) & ~sharp & ~backdrop
    # shadow regions are reached from the backdrop through soft pixels only
    n, lbl = cv2.connectedComponents((soft | backdrop).astype(np.uint8), connectivity=4)
    reached = np.unique(lbl[backdrop])
    shadow = np.isin(lbl, reached[reached > 0]) & soft
    n, lbl, stats, _ = cv2.connectedComponentsWithStats(shadow.astype(np.uint8), connectivity=8)
    if n <= 1:
        return shadow
    subject = float(np.count_nonzero(~backdrop))
    not_shadow = {int(v) for v in np.unique(lbl[-max(2, h // 50):, w // 4: 3 * w // 4]) if v}
    not_shadow |= {i for i in range(1, n) if stats[i, cv2.CC_STAT_AREA] > SHADOW_SHARE * subject}
    if not_shadow:
        shadow &= ~np.isin(lbl, np.array(sorted(not_shadow)))
    return shadow


def _snap_edge(lab: np.ndarray, soft: np.ndarray, radius: float) -> np.ndarray:
    """Decide the pixels near the edge of an upsampled mask (``soft`` in [0, 1]) by the nearer
    of the local foreground and backdrop colours (normalised convolution of the sure pixels)."""
    r = max(1, int(round(radius)))
    band = (soft > 0.02) & (soft < 0.98)
    band = cv2.dilate(band.astype(np.uint8),
                      cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))).astype(bool)
    sig = max(1.5, 1.5 * radius)

    def local_colour(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        m = mask.astype(np.float32)
        den = cv2.GaussianBlur(m, (0, 0), sig)
        num = cv2.GaussianBlur(lab * m[..., None], (0, 0), sig)
        return num / np.maximum(den, 1e-6)[..., None], den

    fg_col, fg_w = local_colour((soft >= 0.98) & ~band)
    bg_col, bg_w = local_colour((soft <= 0.02) & ~band)
    out = soft >= 0.5
    ok = band & (fg_w > 1e-3) & (bg_w > 1e-3)
    out[ok] = (np.linalg.norm(lab - fg_col, axis=2) < np.linalg.norm(lab - bg_col, axis=2))[ok]
    return out


def _grabcut(rgb: np.ndarray, dist: np.ndarray, fg: np.ndarray, strong: float, weak: float,
             no_backdrop_below: int) -> np.ndarray:
    """GrabCut at ``GRABCUT_SIDE`` seeded from the key ``fg``; returns the foreground as a float
    mask at the input's size."""
    h, w = fg.shape
    s = min(1.0, GRABCUT_SIDE / max(h, w))
    size = (max(1, round(w * s)), max(1, round(h * s)))
    small = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    d = cv2.resize(dist, size, interpolation=cv2.INTER_AREA)
    f = cv2.resize(fg.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST).astype(bool)
    r = max(2, int(round(SEED_MARGIN * min(size))))
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    inner = cv2.erode(f.astype(np.uint8), disc).astype(bool)
    outer = cv2.dilate(f.astype(np.uint8), disc).astype(bool)
    seeds = np.where(f, cv2.GC_PR_FGD, cv2.GC_PR_BGD).astype(np.uint8)
    seeds[inner & (d > strong)] = cv2.GC_FGD
    sure_bg = ~outer & (d < weak)
    sure_bg[int(no_backdrop_below * s):] = False
    seeds[sure_bg] = cv2.GC_BGD
    if (seeds == cv2.GC_FGD).any() or (seeds == cv2.GC_PR_FGD).any():
        bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
        cv2.setRNGSeed(0)
        cv2.grabCut(np.ascontiguousarray(small[..., ::-1]), seeds, None, bgd, fgd, GRABCUT_ITERS,
                    cv2.GC_INIT_WITH_MASK)
    fg_small = ((seeds == cv2.GC_FGD) | (seeds == cv2.GC_PR_FGD)).astype(np.float32)
    return cv2.resize(fg_small, (w, h), interpolation=cv2.INTER_LINEAR)


def grabcut_alpha(rgb: np.ndarray, params: MatteParams = MatteParams()) -> np.ndarray:
    """HxW uint8 alpha of the subject of a studio photo (HxWx3 uint8 RGB): a key against the
    backdrop propagated from the borders, cast shadows removed, refined by GrabCut."""
    h, w = rgb.shape[:2]
    b = params.border_px(h, w)
    if min(h, w) < max(64, 8 * b):
        return key_alpha(rgb, params)
    lab = to_lab(rgb)
    bd = border_backdrop(lab, params)
    smooth = max(1.0, SMOOTH * min(h, w))
    dist = np.linalg.norm(cv2.GaussianBlur(lab - bd.lab, (0, 0), smooth), axis=2)
    spread = 1.4826 * float(np.median(dist[bd.samples]))
    weak = max(WEAK_MIN, WEAK_K * spread)
    strong = max(params.threshold, weak)
    backdrop_rgb = cv2.cvtColor(bd.lab, cv2.COLOR_Lab2RGB) * 255.0
    dist[cast_shadow(rgb, backdrop_rgb, dist < weak)] = 0.0
    fg = clean_mask(hysteresis(dist, strong, weak), params)
    if not fg.any():
        return np.zeros((h, w), np.uint8)
    soft = _grabcut(rgb, dist, fg, strong, weak, min(bd.stops))
    mask = clean_mask(_snap_edge(lab, soft, max(h, w) / GRABCUT_SIDE), params)
    return feather_mask(mask, params)
