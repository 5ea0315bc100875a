"""The face crop of a matted studio portrait (``crop=face``): from the top of the forehead to the
chin, as the paper crops KDEF.

``face_box(rgb, alpha, detect)`` finds the face with OpenCV's frontal Haar cascade when it finds
one consistent with the silhouette (``detect='auto'``), else (or with ``detect='proportions'``)
from head proportions measured on the silhouette. That gives the chin, the eye row and the face's
middle. The top is the hairline: scanning a strip between the eyebrows upward from the eyes, the
first run of rows that are no longer skin-coloured (the skin colour is sampled below the eyes),
within the matte. When no such transition lies where a forehead can end (a fringe over the
brows, hair of the skin's colour), the top falls back to a fixed fraction of the face box.
"""
from __future__ import annotations

import os
from typing import NamedTuple

import cv2
import numpy as np

#: The Haar box of OpenCV's frontal cascade, in units of its height from its top: the eye row
#: and the chin; without a hairline the crop starts HAAR_TOP above the box.
HAAR_EYE, HAAR_BOTTOM, HAAR_TOP = 0.41, 1.04, 0.06
#: Proportions used without a detection, in units of the head's silhouette width (hair and ears
#: included), measured from the top of the silhouette: top of the forehead, eye row, chin.
PROP_TOP, PROP_EYE, PROP_CHIN = 0.22, 0.57, 1.27
#: Hairline search, in units of the eye-to-chin distance: the strip between the eyebrows is
#: HAIR_STRIP face widths wide; a forehead ends between HAIR_NEAR and HAIR_FAR above the eye row;
#: the hair above it is at least HAIR_RUN rows high; skin is within SKIN_DELTA_E of the colour
#: sampled below the eyes (or 3 robust spreads of that sample, if larger).
HAIR_STRIP, HAIR_NEAR, HAIR_FAR, HAIR_RUN, SKIN_DELTA_E = 0.24, 0.25, 1.1, 0.08, 15.0

#: Everything above that decides a crop, for the cut-out cache key.
CROP_SETTINGS = {"haar": [HAAR_EYE, HAAR_BOTTOM, HAAR_TOP], "prop": [PROP_TOP, PROP_EYE, PROP_CHIN],
                 "hairline": [HAIR_STRIP, HAIR_NEAR, HAIR_FAR, HAIR_RUN, SKIN_DELTA_E]}


class FaceBox(NamedTuple):
    """Rows of a face crop and how they were found."""
    top: int
    bottom: int
    detector: str   # haar, proportions, or none (no silhouette: the whole frame)
    top_from: str   # hairline, or box (the fixed fraction of the face box)


_cascades: dict[int, cv2.CascadeClassifier | None] = {}


def _cascade() -> cv2.CascadeClassifier | None:
    pid = os.getpid()
    if pid not in _cascades:
        path = os.path.join(cv2.data.haarcascades, "haarcascade_frontalface_default.xml")
        c = cv2.CascadeClassifier(path)
        _cascades[pid] = c if not c.empty() else None
    return _cascades[pid]


def _head_geometry(fg: np.ndarray) -> tuple[int, float] | None:
    """Top row of the silhouette and the head's width (the smallest width w such that rows
    [top, top + 0.9 w] are at most w wide: the head, not the shoulders below it)."""
    widths = fg.sum(axis=1)
    W = fg.shape[1]
    rows = np.nonzero(widths >= max(3, 0.02 * W))[0]
    if not len(rows):
        return None
    top = int(rows[0])
    for _ in range(2):
        hw = 0.25 * W
        for _ in range(30):
            nh = float(widths[top:int(top + 0.9 * hw) + 1].max())
            if nh == hw:
                break
            hw = nh
        # a bun or a tuft above the skull: measure from where the outline is half the head wide
        # (a round skull is that wide 0.067 widths below its top)
        half = np.nonzero(widths[top:] >= 0.5 * hw)[0]
        new_top = top + int(half[0]) - int(round(0.067 * hw)) if len(half) else top
        if new_top <= top:
            break
        top = new_top
    return top, max(hw, 1.0)


def _haar_face(rgb: np.ndarray, y_top: int, hw: float, x_lo: int, x_hi: int):
    """The largest frontal Haar face consistent with the silhouette, as (x, y, w, h), or None:
    centred on it, head-sized, its top between the top of the head and the eyes (not a
    mouth-and-chin false positive lower down)."""
    casc = _cascade()
    if casc is None:
        return None
    h, w = rgb.shape[:2]
    s = min(1.0, 320.0 / w)
    small = cv2.resize(rgb, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)
    grey = cv2.equalizeHist(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY))
    m = max(20, int(0.4 * hw * s))
    found = casc.detectMultiScale(grey, scaleFactor=1.08, minNeighbors=5, minSize=(m, m))
    best = None
    for (x, y, bw, bh) in (found if len(found) else []):
        x, y, bw, bh = x / s, y / s, bw / s, bh / s
        if not (x_lo <= x + bw / 2 <= x_hi and 0.4 * hw <= bw <= 1.4 * hw
                and y_top - 0.05 * hw <= y <= y_top + 0.45 * hw):
            continue
        if best is None or bw > best[2]:
            best = (x, y, bw, bh)
    return best


def hairline(rgb: np.ndarray, fg: np.ndarray, eye_y: float, chin_y: float, cx: float,
             face_w: float) -> int | None:
    """The row of the top of the forehead: scanning a strip between the eyebrows upward from the
    eye row, the first row above which ``HAIR_RUN`` rows are not skin (hair, or the backdrop
    above a bald head). A pixel is skin when it is within the tolerance of the skin colour, or,
    if the top of the head in the strip has another colour (the hair's), when it is nearer to
    the skin's than to the hair's.
    None when the skin cannot be sampled or no such row lies between ``HAIR_NEAR`` and
    ``HAIR_FAR`` eye-to-chin distances above the eyes."""
    h, w = fg.shape
    u = chin_y - eye_y
    if u < 8:
        return None
    lab = cv2.cvtColor(rgb.astype(np.float32) * (1.0 / 255.0), cv2.COLOR_RGB2Lab)
    # the skin colour: the nose bridge and cheeks just below the eyes
    ys0, ys1 = int(round(eye_y + 0.1 * u)), int(round(eye_y + 0.3 * u))
    xs0, xs1 = max(0, int(round(cx - 0.2 * face_w))), min(w, int(round(cx + 0.2 * face_w)) + 1)
    patch = lab[ys0:ys1, xs0:xs1][fg[ys0:ys1, xs0:xs1]]
    if len(patch) < 20:
        return None
    skin = np.median(patch, axis=0)
    spread = 1.4826 * float(np.median(np.linalg.norm(patch - skin, axis=1)))
    tol = max(SKIN_DELTA_E, 3.0 * spread)
    # rows of the strip that are mostly skin (pixels outside the matte are not)
    half = max(1, int(round(0.5 * HAIR_STRIP * face_w)))
    x0, x1 = max(0, int(round(cx)) - half), min(w, int(round(cx)) + half + 1)
    r_hi = min(h - 1, int(round(eye_y)))
    r_lo = max(0, int(round(eye_y - (HAIR_FAR + HAIR_RUN) * u)))
    strip, inside = lab[r_lo:r_hi + 1, x0:x1], fg[r_lo:r_hi + 1, x0:x1]
    to_skin = np.linalg.norm(strip - skin, axis=2)
    is_skin = (to_skin < tol) & inside
    # the hair's colour: the top of the head in the strip. When it differs from the skin, a
    # pixel is skin if nearer to the skin than to the hair (dark hair on dark skin; a lit
    # forehead a little off the skin sampled lower down)
    rows = np.nonzero(inside.any(axis=1))[0]
    run = max(2, int(round(HAIR_RUN * u)))
    if len(rows):
        hair = np.median(strip[rows[0]:rows[0] + run][inside[rows[0]:rows[0] + run]], axis=0)
        if np.linalg.norm(hair - skin) > 0.5 * SKIN_DELTA_E:
            is_skin = (to_skin < np.linalg.norm(strip - hair, axis=2)) & (to_skin < 2 * tol) & inside
    skin_row = is_skin.mean(axis=1) >= 0.5
    seen_skin, miss = 0, 0
    for i in range(len(skin_row) - 1, -1, -1):         # from the eyes upward
        if skin_row[i]:
            seen_skin += 1
            miss = 0
            continue
        miss += 1
        if miss >= run and seen_skin >= run:
            row = r_lo + i + run                          # the top skin row
            if eye_y - HAIR_FAR * u <= row <= eye_y - HAIR_NEAR * u:
                return row
            return None
    return None


def face_box(rgb: np.ndarray, alpha: np.ndarray, detect: str = "auto") -> FaceBox:
    """Rows (top, bottom) of a crop from the top of the forehead to the chin, and how they were
    found: the face from OpenCV's frontal Haar cascade when it finds one consistent with the
    silhouette (``detect='auto'``), else (or with ``detect='proportions'``) from facial
    proportions measured on the silhouette; the top at the hairline, else at a fixed fraction
    of the face box."""
    h, w = alpha.shape
    fg = alpha >= 128
    geo = _head_geometry(fg)
    if geo is None:
        return FaceBox(0, h, "none", "box")
    y_top, hw = geo
    cols = np.nonzero(fg[y_top:int(min(h, y_top + hw))].any(axis=0))[0]
    x_lo, x_hi = (int(cols.min()), int(cols.max())) if len(cols) else (0, w)
    face = _haar_face(rgb, y_top, hw, x_lo, x_hi) if detect == "auto" else None
    if face is not None:
        x, y, bw, bh = face
        detector, cx, face_w = "haar", x + bw / 2, bw
        eye, chin, box_top = y + HAAR_EYE * bh, y + HAAR_BOTTOM * bh, y - HAAR_TOP * bh
    else:
        detector, cx, face_w = "proportions", (x_lo + x_hi) / 2, 0.8 * hw
        eye, chin, box_top = y_top + PROP_EYE * hw, y_top + PROP_CHIN * hw, y_top + PROP_TOP * hw
    bottom = min(h, int(round(chin)))
    line = hairline(rgb, fg, eye, chin, cx, face_w)
    if line is not None:
        return FaceBox(max(0, line), bottom, detector, "hairline")
    return FaceBox(max(0, int(round(box_top))), bottom, detector, "box")
