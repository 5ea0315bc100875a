"""Sampling and rendering of one synthetic group image.

``sample_record`` draws everything random about sample i (faces, emotions, sizes, positions,
augmentations, background crop) from a generator seeded by (seed, i) into a plain record: the
record is the metadata. ``render_record`` is a pure function of that record and the sources, so
replaying a record reproduces the image and its instance mask byte for byte.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import cv2
import numpy as np

from .augment import apply_image_aug, colour_gain, recolour, sample_face_aug, sample_image_aug, warp_geometry
from .config import GenConfig
from .errors import ConfigError, CorruptItemError, SourceError
from .labels import CLASS_NAMES, emotion_groups, image_label
from .procedural.rng import Draws
from .sources import create_background_source, create_face_source
from .sources.base import BackgroundSource, FaceSource

MAX_ATTEMPTS = 25
MAX_REPICKS = 50
#: The version of what a record renders to (and of how records are drawn): bumped with every
#: change of the output bytes, recorded in each dataset's manifest (a folder is only continued
#: by the same version) and pinned by tests/test_pinned_bytes.py. 2: sprites cut to their alpha
#: box, elastic fields from a bank of ``augment.ELASTIC_FIELDS``, the face colour applied as it
#: is composited, the record's draws through one ``Draws``.
GENERATOR_VERSION = 2


class Sources:
    """The face and background sources of a configuration, with their weights and the label map."""

    def __init__(self, cfg: GenConfig):
        kw = {"split": cfg.split, "test_fraction": cfg.test_fraction}
        self.faces: list[tuple[float, FaceSource]] = [
            create_face_source(s, max_face_height=cfg.face_size[1] * cfg.size[0], **kw) for s in cfg.faces]
        self.backgrounds: list[tuple[float, BackgroundSource]] = [
            create_background_source(s, output_size=tuple(cfg.size), **kw) for s in cfg.backgrounds]
        self.groups = emotion_groups(cfg.surprise)
        self._face_by_spec = {src.spec: src for _, src in self.faces}
        self._bg_by_spec = {src.spec: src for _, src in self.backgrounds}
        if len(self._face_by_spec) != len(self.faces) or len(self._bg_by_spec) != len(self.backgrounds):
            raise ConfigError("the same source is given twice; combine them with a weight (2*SPEC)")
        # Emotions usable for labels: present in some source and not excluded.
        self.emotions_by_group: dict[int, list[str]] = {}
        self.face_choices: dict[str, tuple[list[FaceSource], np.ndarray]] = {}
        for emotion, group in sorted(self.groups.items()):
            srcs = [(w, s) for w, s in self.faces if s.count(emotion) > 0]
            if srcs:
                ws = np.array([w for w, _ in srcs], dtype=float)
                self.face_choices[emotion] = ([s for _, s in srcs], ws / ws.sum())
                self.emotions_by_group.setdefault(group, []).append(emotion)
        for _, s in self.backgrounds:
            s.items  # fail now on an empty background source
        if not self.emotions_by_group:
            raise ConfigError(f"no face source offers a usable emotion (sources: "
                              f"{', '.join(cfg.faces)}; surprise policy {cfg.surprise!r})")
        self.available_groups = sorted(self.emotions_by_group)
        if cfg.balance and len(self.available_groups) < 3:
            missing = [CLASS_NAMES[g] for g in range(3) if g not in self.emotions_by_group]
            raise ConfigError(f"cannot balance labels: no face source offers a face for class "
                              f"{', '.join(missing)}; add such faces or turn balance off")
        bw = np.array([w for w, _ in self.backgrounds], dtype=float)
        self.bg_weights = bw / bw.sum()

    def face(self, spec: str) -> FaceSource:
        return self._face_by_spec[spec]

    def background(self, spec: str) -> BackgroundSource:
        return self._bg_by_spec[spec]

    def describe(self) -> dict:
        return {"faces": [dict(s.describe(), weight=w) for w, s in self.faces],
                "backgrounds": [dict(s.describe(), weight=w) for w, s in self.backgrounds]}

    def skipped(self) -> dict[str, dict[str, str]]:
        out = {}
        for _, s in self.faces + self.backgrounds:
            if s.skipped:
                out[s.spec] = dict(s.skipped)
        return out


@dataclass
class Sample:
    record: dict
    image: np.ndarray   # HxWx3 uint8 RGB
    mask: np.ndarray    # HxW uint8: 0 background, k = face k-1 of record["faces"]


def _choice(draw: Draws, p: np.ndarray) -> int:
    if len(p) == 1:
        return 0
    return int(np.searchsorted(np.cumsum(p), draw.random() * p.sum(), side="right").clip(0, len(p) - 1))


def _crop_box(draw: Draws, img_hw: tuple[int, int], out_hw: tuple[int, int]) -> list[float]:
    """A random crop with the output's aspect ratio, as fractions [x0, y0, x1, y1] of the image."""
    ih, iw = img_hw
    oh, ow = out_hw
    aspect = ow / oh
    cw, ch = (iw, iw / aspect) if iw / ih < aspect else (ih * aspect, ih)
    s = draw.uniform(0.75, 1.0)
    cw, ch = cw * s, ch * s
    x0 = (iw - cw) * draw.random()
    y0 = (ih - ch) * draw.random()
    return [round(x0 / iw, 5), round(y0 / ih, 5), round((x0 + cw) / iw, 5), round((y0 + ch) / ih, 5)]


def render_background(img: np.ndarray, crop: list[float], flip: bool, out_hw: tuple[int, int]) -> np.ndarray:
    """Crop (fractions of the image), scale to the output size without distortion, maybe mirror."""
    ih, iw = img.shape[:2]
    x0, y0 = int(round(crop[0] * iw)), int(round(crop[1] * ih))
    x1, y1 = max(x0 + 1, int(round(crop[2] * iw))), max(y0 + 1, int(round(crop[3] * ih)))
    roi = img[y0:y1, x0:x1]
    oh, ow = out_hw
    # area averaging only pays for real downscaling; a crop of a procedural scene is <= 1.15x
    interp = cv2.INTER_AREA if roi.shape[0] > 1.5 * oh else cv2.INTER_LINEAR
    out = cv2.resize(roi, (ow, oh), interpolation=interp)
    return cv2.flip(out, 1, dst=out) if flip else out


def _draw_emotions(draw: Draws, n: int, sources: Sources, target: int | None, tie_policy: str) -> list[str]:
    """The n faces' emotions. Balanced: groups uniform, redrawn until the majority rule gives
    ``target``, then an emotion of each group. Unbalanced (the paper's raw algorithm): emotions
    uniform over those the sources offer, so Negative (four emotions) is the most common."""
    by_group = sources.emotions_by_group
    if target is None:
        pool = [e for g in sources.available_groups for e in by_group[g]]
        for _ in range(200):
            emotions = [draw.choice(pool) for _ in range(n)]
            if image_label([sources.groups[e] for e in emotions], tie_policy) is not None:
                return emotions
        return emotions
    groups = sources.available_groups
    for _ in range(200):
        gs = [draw.choice(groups) for _ in range(n)]
        if image_label(gs, tie_policy) == target:
            break
    else:
        gs = [target] * n
    return [draw.choice(by_group[g]) for g in gs]


def _pick_face(rng, fsrc: FaceSource, emotion: str, height: float) -> tuple[dict, tuple]:
    """Pick a face whose file reads, and its prepared sprite at ``height``; a corrupt file is
    skipped (and reported) by drawing again, which every process does the same way, so the
    sample stays a pure function of its index."""
    for _ in range(MAX_REPICKS):
        face = fsrc.pick(rng, emotion)
        try:
            return face, fsrc.prepared(face, height)
        except CorruptItemError:
            continue
    raise SourceError(f"face source {fsrc.spec!r}: {MAX_REPICKS} files in a row for {emotion!r} "
                      "could not be read; the source looks broken")


def _pick_background(rng, draw: Draws, sources: Sources, size):
    for _ in range(MAX_REPICKS):
        bsrc = sources.backgrounds[_choice(draw, sources.bg_weights)][1]
        bref = bsrc.pick(rng)
        try:
            return bsrc, bref, bsrc.image(bref, size)
        except CorruptItemError:
            continue
    raise SourceError(f"background source {bsrc.spec!r}: {MAX_REPICKS} files in a row could not be "
                      "read; the source looks broken")


class Warped(NamedTuple):
    """One face ready to composite: its premultiplied RGBA moved into place (``warp_geometry``),
    its alpha (contiguous; where it is non-zero is what placement keeps apart), where that is at
    least 128 (``solid``: the face's pixels in the mask), and the colour gain ``recolour``
    applies as it is pasted."""
    pixels: np.ndarray
    alpha: np.ndarray
    solid: np.ndarray
    gain: tuple[float, float]


def _warped(sources: Sources, face: dict, sprite: tuple | None = None) -> Warped:
    """``face`` (with its height) warped; ``sprite``: its source's ``prepared`` at that height."""
    fsrc = sources.face(face["source"])
    height = face["height"]
    premult, grey = sprite or fsrc.prepared(face, height)
    pixels = warp_geometry(premult, face["aug"], height / fsrc.sprite_height(height))
    alpha = cv2.extractChannel(pixels, 3)
    return Warped(pixels, alpha, alpha >= 128, colour_gain(face["aug"], grey))


def _place(draw: Draws, cfg: GenConfig, sources: Sources, face: dict, sprite: tuple | None,
           occ: np.ndarray, boxes: list) -> Warped | None:
    """Warp ``face`` and find it a place at random on the occupancy mask ``occ`` (uint8, non-zero
    where a face's alpha is; every tenth try with a 15 % smaller face): mark it there, add its
    alpha box to ``boxes`` and fill the face's ``height``, ``position``, ``box`` and ``pixels``.
    None when it finds no place.

    Where its alpha box meets no other face's box, the face overlaps nothing and the mask is
    not read; elsewhere the overlap is where the minimum of the mask and the alpha is non-zero."""
    H, W = occ.shape
    height = face["height"]
    for t in range(cfg.placement_tries):
        if t == 0 or (t % 10 == 0 and height * 0.85 >= cfg.face_size[0] * H * 0.7):
            if t:
                height, sprite = round(height * 0.85, 3), None
            face["height"] = height
            warp = _warped(sources, face, sprite)
            wh, ww = warp.alpha.shape
            bx, by, bw, bh = cv2.boundingRect(warp.alpha)
            limit = cfg.overlap_tolerance * cv2.countNonZero(warp.alpha) if cfg.overlap_tolerance else 0
        if wh > H or ww > W:
            continue
        y = draw.integer(0, H - wh)
        x = draw.integer(0, W - ww)
        x0, y0 = x + bx, y + by
        x1, y1 = x0 + bw, y0 + bh
        roi = occ[y:y + wh, x:x + ww]
        for b in boxes:
            if x0 < b[2] and b[0] < x1 and y0 < b[3] and b[1] < y1:   # the alpha boxes meet
                break
        else:
            b = None
        if b is not None and cv2.countNonZero(cv2.min(roi, warp.alpha)) > limit:
            continue
        cv2.max(roi, warp.alpha, dst=roi)
        boxes.append((x0, y0, x1, y1))
        face["position"], face["box"] = [x, y], [x0, y0, bw, bh]
        face["pixels"] = cv2.countNonZero(warp.solid.view(np.uint8))
        return warp
    return None


def sample_generator(seed: int, index: int) -> np.random.Generator:
    """``np.random.default_rng([seed, index])``, built in about half the time: a uint32 array
    is the entropy ``SeedSequence`` makes of that list when both fit in 32 bits (same stream)."""
    if 0 <= seed < 1 << 32 and 0 <= index < 1 << 32:
        return np.random.Generator(np.random.PCG64(np.random.SeedSequence(np.array([seed, index], np.uint32))))
    return np.random.default_rng([seed, index])


def sample_record(cfg: GenConfig, sources: Sources, index: int) -> tuple[dict, list[Warped]]:
    """Draw sample ``index``'s record; also return the warped faces so rendering need not redo them."""
    rng = sample_generator(cfg.seed, index)             # for the sources' picks
    draw = Draws(rng, block=128)                        # everything else
    H, W = cfg.size
    target = index % 3 if cfg.balance else None
    lo, hi = cfg.faces_per_image
    fmin, fmax = cfg.face_size
    for attempt in range(MAX_ATTEMPTS):
        n = draw.integer(lo, hi)
        emotions = _draw_emotions(draw, n, sources, target, cfg.tie_policy)
        # background
        bsrc, bref, bimg = _pick_background(rng, draw, sources, cfg.size)
        bref["crop"] = _crop_box(draw, bimg.shape[:2], cfg.size)
        bref["flip"] = draw.chance(0.5)
        # faces, placed one by one on an occupancy mask
        occ = np.zeros((H, W), dtype=np.uint8)
        upper = max(fmin, min(fmax, 0.75 / math.sqrt(n)))
        faces, warps, boxes = [], [], []
        for emotion in emotions:
            g = sources.groups[emotion]
            fsrcs, fw = sources.face_choices[emotion]
            fsrc = fsrcs[_choice(draw, fw)]
            height = round(H * draw.uniform(fmin, upper), 3)
            face, sprite = _pick_face(rng, fsrc, emotion, height)
            face["group"] = g
            face["aug"] = sample_face_aug(draw, cfg.face_aug)
            face["height"] = height
            warp = _place(draw, cfg, sources, face, sprite, occ, boxes)
            if warp is not None:
                faces.append(face)
                warps.append(warp)
        label = image_label([f["group"] for f in faces], cfg.tie_policy)
        if faces and label is not None and (target is None or label == target):
            break
    if label is None:  # 'resample' policy could not avoid a tie: fall back to the paper's rule
        label = image_label([f["group"] for f in faces], "neutral")
    for f in faces:
        f["group_name"] = CLASS_NAMES[f["group"]]
    record = {
        "index": index,
        "seed": cfg.seed,
        "label": int(label),
        "label_name": CLASS_NAMES[label],
        "size": [H, W],
        "n_faces": len(faces),
        "n_faces_requested": n,
        "attempts": attempt + 1,
        "background": bref,
        "faces": faces,
        "image_aug": sample_image_aug(draw, cfg.image_aug),
    }
    return record, warps


def render_record(record: dict, sources: Sources, warps: list[Warped] | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Pure: the image (RGB uint8) and instance mask (uint8, face k -> k+1) a record describes."""
    H, W = record["size"]
    b = record["background"]
    bsrc = sources.background(b["source"])
    canvas = render_background(bsrc.image(b, (H, W)), b["crop"], b["flip"], (H, W))
    mask = np.zeros((H, W), dtype=np.uint8)
    for k, face in enumerate(record["faces"]):
        composite(canvas, mask, warps[k] if warps is not None else _warped(sources, face),
                  face["position"], k + 1)
    canvas = apply_image_aug(canvas, record["image_aug"])
    return canvas, mask


def composite(canvas: np.ndarray, mask: np.ndarray, face: Warped, position, value: int) -> None:
    """Paste a warped face with its top-left corner at ``position`` (x, y), in place: its colour
    (``recolour``), then premultiplied "over" (face + background * (255 - alpha) / 255,
    saturating), and ``value`` into the mask where its alpha is at least 128. Whole-array OpenCV
    calls on the face's box only."""
    x, y = position
    h, w = face.alpha.shape
    roi = canvas[y:y + h, x:x + w]
    alpha3 = cv2.cvtColor(face.alpha, cv2.COLOR_GRAY2RGB)
    behind = cv2.multiply(roi, cv2.bitwise_not(alpha3), scale=1 / 255)
    cv2.add(recolour(cv2.cvtColor(face.pixels, cv2.COLOR_RGBA2RGB), alpha3, face.gain), behind, dst=roi)
    np.copyto(mask[y:y + h, x:x + w], value, where=face.solid)


def make_sample(cfg: GenConfig, sources: Sources, index: int) -> Sample:
    record, warps = sample_record(cfg, sources, index)
    image, mask = render_record(record, sources, warps)
    return Sample(record, image, mask)


def face_layers(record: dict, sources: Sources) -> list[tuple[np.ndarray, tuple[int, int]]]:
    """Each face's full-resolution alpha (uint8) and position: for overlap checks."""
    return [(_warped(sources, f).alpha, tuple(f["position"])) for f in record["faces"]]
