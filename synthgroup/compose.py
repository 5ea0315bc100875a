"""Sampling and rendering of one synthetic group image.

``sample_record`` draws everything random about sample i (faces, emotions, sizes, positions,
augmentations, background crop) from a generator seeded by (seed, i) into a plain record: the
record is the metadata. ``render_record`` is a pure function of that record and the sources, so
replaying a record reproduces the image and its instance mask byte for byte.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .augment import apply_image_aug, sample_face_aug, sample_image_aug, warp_face
from .config import GenConfig
from .errors import ConfigError, CorruptItemError, SourceError
from .labels import CLASS_NAMES, emotion_groups, image_label
from .sources import create_background_source, create_face_source
from .sources.base import BackgroundSource, FaceSource

MAX_ATTEMPTS = 25
MAX_REPICKS = 50


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


def _choice(rng: np.random.Generator, p: np.ndarray) -> int:
    if len(p) == 1:
        return 0
    return int(np.searchsorted(np.cumsum(p), rng.random() * p.sum(), side="right").clip(0, len(p) - 1))


def _crop_box(rng: np.random.Generator, img_hw: tuple[int, int], out_hw: tuple[int, int]) -> list[float]:
    """A random crop with the output's aspect ratio, as fractions [x0, y0, x1, y1] of the image."""
    ih, iw = img_hw
    oh, ow = out_hw
    aspect = ow / oh
    cw, ch = (iw, iw / aspect) if iw / ih < aspect else (ih * aspect, ih)
    s = 0.75 + 0.25 * rng.random()
    cw, ch = cw * s, ch * s
    x0 = (iw - cw) * rng.random()
    y0 = (ih - ch) * rng.random()
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
    return cv2.flip(out, 1) if flip else out


def _draw_emotions(rng, n: int, sources: Sources, target: int | None, tie_policy: str) -> list[str]:
    """The n faces' emotions. Balanced: groups uniform, redrawn until the majority rule gives
    ``target``, then an emotion of each group. Unbalanced (the paper's raw algorithm): emotions
    uniform over those the sources offer, so Negative (four emotions) is the most common."""
    by_group = sources.emotions_by_group
    if target is None:
        pool = [e for g in sources.available_groups for e in by_group[g]]
        for _ in range(200):
            emotions = [pool[int(i)] for i in rng.integers(len(pool), size=n)]
            if image_label([sources.groups[e] for e in emotions], tie_policy) is not None:
                return emotions
        return emotions
    groups = sources.available_groups
    for _ in range(200):
        gs = [groups[int(i)] for i in rng.integers(len(groups), size=n)]
        if image_label(gs, tie_policy) == target:
            break
    else:
        gs = [target] * n
    return [by_group[g][int(rng.integers(len(by_group[g])))] for g in gs]


def _pick_face(rng, fsrc: FaceSource, emotion: str, height: float) -> dict:
    """Pick a face whose file reads; a corrupt file is skipped (and reported) by drawing again,
    which every process does the same way, so the sample stays a pure function of its index."""
    for _ in range(MAX_REPICKS):
        face = fsrc.pick(rng, emotion)
        try:
            fsrc.prepared(face, height)
            return face
        except CorruptItemError:
            continue
    raise SourceError(f"face source {fsrc.spec!r}: {MAX_REPICKS} files in a row for {emotion!r} "
                      "could not be read; the source looks broken")


def _pick_background(rng, sources: Sources, size):
    for _ in range(MAX_REPICKS):
        bsrc = sources.backgrounds[_choice(rng, sources.bg_weights)][1]
        bref = bsrc.pick(rng)
        try:
            return bsrc, bref, bsrc.image(bref, size)
        except CorruptItemError:
            continue
    raise SourceError(f"background source {bsrc.spec!r}: {MAX_REPICKS} files in a row could not be "
                      "read; the source looks broken")


def _warped(sources: Sources, face: dict) -> np.ndarray:
    premult, grey = sources.face(face["source"]).prepared(face, face["height"])
    return warp_face(premult, grey, face["aug"], face["height"] / premult.shape[0])


def sample_record(cfg: GenConfig, sources: Sources, index: int) -> tuple[dict, list[np.ndarray]]:
    """Draw sample ``index``'s record; also return the warped faces so rendering need not redo them."""
    rng = np.random.default_rng([cfg.seed, index])
    H, W = cfg.size
    target = index % 3 if cfg.balance else None
    lo, hi = cfg.faces_per_image
    fmin, fmax = cfg.face_size
    for attempt in range(MAX_ATTEMPTS):
        n = int(rng.integers(lo, hi + 1))
        emotions = _draw_emotions(rng, n, sources, target, cfg.tie_policy)
        # background
        bsrc, bref, bimg = _pick_background(rng, sources, cfg.size)
        bref["crop"] = _crop_box(rng, bimg.shape[:2], cfg.size)
        bref["flip"] = bool(rng.random() < 0.5)
        # faces, placed one by one on an occupancy mask
        occ = np.zeros((H, W), dtype=bool)
        upper = max(fmin, min(fmax, 0.75 / np.sqrt(n)))
        faces, warps = [], []
        for emotion in emotions:
            g = sources.groups[emotion]
            fsrcs, fw = sources.face_choices[emotion]
            fsrc = fsrcs[_choice(rng, fw)]
            height = H * (fmin + (upper - fmin) * rng.random())
            face = _pick_face(rng, fsrc, emotion, height)
            face["group"] = g
            face["aug"] = sample_face_aug(rng, cfg.face_aug)
            placed = None
            for t in range(cfg.placement_tries):
                if t == 0 or (t % 10 == 0 and height * 0.85 >= fmin * H * 0.7):
                    if t:
                        height *= 0.85
                    face["height"] = round(float(height), 3)
                    warp = _warped(sources, face)
                    alpha = warp[..., 3] > 0
                    area = int(alpha.sum())
                wh, ww = alpha.shape
                if wh > H or ww > W:
                    continue
                y = int(rng.integers(H - wh + 1))
                x = int(rng.integers(W - ww + 1))
                clash = int(np.count_nonzero(occ[y:y + wh, x:x + ww] & alpha))
                if clash <= cfg.overlap_tolerance * area:
                    placed = (x, y)
                    break
            if placed is None:
                continue
            x, y = placed
            occ[y:y + wh, x:x + ww] |= alpha
            bx, by, bw, bh = cv2.boundingRect(alpha.view(np.uint8))
            face["position"] = [x, y]
            face["box"] = [x + bx, y + by, bw, bh]
            face["pixels"] = int(np.count_nonzero(warp[..., 3] >= 128))
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
        "image_aug": sample_image_aug(rng, cfg.image_aug),
    }
    return record, warps


def render_record(record: dict, sources: Sources, warps: list[np.ndarray] | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Pure: the image (RGB uint8) and instance mask (uint8, face k -> k+1) a record describes."""
    H, W = record["size"]
    b = record["background"]
    bsrc = sources.background(b["source"])
    canvas = render_background(bsrc.image(b, (H, W)), b["crop"], b["flip"], (H, W))
    mask = np.zeros((H, W), dtype=np.uint8)
    for k, face in enumerate(record["faces"]):
        warp = warps[k] if warps is not None else _warped(sources, face)
        x, y = face["position"]
        h, w = warp.shape[:2]
        roi = canvas[y:y + h, x:x + w]
        inv = 255 - warp[..., 3]
        # premultiplied "over": face + background * (1 - alpha), saturating
        cv2.add(warp[..., :3], cv2.multiply(roi, cv2.merge([inv, inv, inv]), scale=1 / 255), dst=roi)
        mask[y:y + h, x:x + w][warp[..., 3] >= 128] = k + 1
    canvas = apply_image_aug(canvas, record["image_aug"])
    return canvas, mask


def make_sample(cfg: GenConfig, sources: Sources, index: int) -> Sample:
    record, warps = sample_record(cfg, sources, index)
    image, mask = render_record(record, sources, warps)
    return Sample(record, image, mask)


def face_layers(record: dict, sources: Sources) -> list[tuple[np.ndarray, tuple[int, int]]]:
    """Each face's full-resolution alpha (uint8) and position: for overlap checks."""
    return [(_warped(sources, f)[..., 3], tuple(f["position"])) for f in record["faces"]]
