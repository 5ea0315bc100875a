"""Stand-ins for the licensed datasets, built in each dataset's own layout and naming.

Faces are drawn with ``synthgroup.procedural.faces.render_face`` on a flat studio backdrop with a
grey shirt below the head, and come with the ground-truth masks of what was pasted, so tests can
measure how well the keying recovers them. Reusable by any test:

* ``make_kdef(root, ...)``      -> ``root/KDEF/AF01/AF01HAS.JPG`` ... (562x762 JPEGs)
* ``make_faces_db(root, ...)``  -> ``root/004_o_m_a_a.jpg`` ... (400x500, the real 2835x3543's shape)
* ``make_expression_folder``    -> ``root/<emotion>/<id>_<n>.png|jpg``
* ``make_lsun(root, ...)``      -> ``root/classroom_train_lmdb/{data,lock}.mdb`` (sha1 keys, webp values)
* ``make_background_folder``    -> ``root/<category>/<n>.jpg``
* ``make_hf_imagefolder``       -> ``root/train/*.png`` + ``metadata.jsonl`` (an offline ``imagefolder``)
* ``truncate(path)``            -> cut a file in half (a corrupt image)

Harder studio photos for the matting: ``studio_portrait(..., backdrop=two_tone_backdrop(...) or
shadow_ramp_backdrop(...), shadow=..., shirt=..., hair=...)`` and ``hair_strands(portrait)``.
"""
from __future__ import annotations

import hashlib
import zlib
import json
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from synthgroup.procedural.faces import identity_from_seed, render_face

KDEF_CODES = {"AF": "fear", "AN": "anger", "DI": "disgust", "HA": "happiness", "NE": "neutral",
              "SA": "sadness", "SU": "surprise"}
KDEF_ANGLES = ("FL", "HL", "S", "HR", "FR")
FACES_CODES = {"a": "anger", "d": "disgust", "f": "fear", "h": "happiness", "n": "neutral",
               "s": "sadness"}
FACES_AGES = {"y": "young", "m": "middle", "o": "old"}

KDEF_BACKDROP = (118, 132, 150)    # grey-blue studio backdrop
FACES_BACKDROP = (206, 206, 203)   # light grey
SHIRT = (92, 92, 96)               # grey shirt

# pose stand-ins for the KDEF angles: horizontal squeeze of the head and a shift
_POSE = {"S": (1.0, 0.0), "HL": (0.95, -0.04), "HR": (0.95, 0.04), "FL": (0.9, -0.07),
         "FR": (0.9, 0.07)}


@dataclass
class Portrait:
    rgb: np.ndarray          # HxWx3 uint8
    head: np.ndarray         # HxW bool: the rendered head's alpha >= 128 (not under the shirt)
    body: np.ndarray         # HxW bool: the shirt / shoulders
    chin_y: float            # image rows of the rendered chin and skull top
    skull_top_y: float
    eye_y: float
    hairline_y: float | None = None   # the top of the forehead, when ``hair=`` drew it

    @property
    def subject(self) -> np.ndarray:
        return self.head | self.body


def studio_portrait(seed: int, expression: str, size: tuple[int, int], backdrop, *,
                    head_width: float = 0.6, head_top: float = 0.08, angle: str = "S",
                    rng_seed: int = 0, shirt=SHIRT, shadow: tuple | None = None,
                    hair=None, hairline_y: float | None = None) -> Portrait:
    """A studio photo of rendered identity ``seed``: backdrop (with a soft lighting gradient and
    sensor noise), the head, and a shirt (grey unless ``shirt`` is given) whose shoulders run off
    the bottom edge. ``backdrop`` is an RGB colour or an HxWx3 array (e.g. two wall tones).
    ``shadow=(dx, dy, depth, blur)``: the subject casts a soft shadow on the backdrop, offset by
    (dx, dy) of the width, darkening it by ``depth`` (0..1), blurred by ``blur`` of the width.
    ``hair=(r, g, b)`` paints hair of that colour over the head above row ``hairline_y`` (by
    default just below the identity's own hairline), the true top of the forehead, kept in
    ``Portrait.hairline_y`` (not for the ``fringe`` hair style, whose fringe hangs below it)."""
    H, W = size
    rng = np.random.default_rng(rng_seed)
    squeeze, shift = _POSE[angle]
    hs = int(round(head_width * W / 0.62))
    sprite = render_face(identity_from_seed(seed), expression, 1.0, hs)
    sw = max(8, int(round(sprite.shape[1] * squeeze)))
    sprite = cv2.resize(sprite, (sw, hs), interpolation=cv2.INTER_AREA) if sw != sprite.shape[1] else sprite
    x0 = int(round(W / 2 - sw / 2 + shift * W))
    y0 = int(round(head_top * H - 0.1 * hs))

    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    grad = 6.0 * (yy / H - 0.5) - 3.0 * ((xx / W - 0.5) ** 2)
    img = np.empty((H, W, 3), np.float32)
    img[:] = backdrop
    img += grad[..., None]

    # head (straight alpha), clipped to the frame
    alpha_full = np.zeros((H, W), np.float32)
    colour_full = np.zeros((H, W, 3), np.float32)
    ys0, ys1 = max(0, y0), min(H, y0 + hs)
    xs0, xs1 = max(0, x0), min(W, x0 + sw)
    crop = sprite[ys0 - y0:ys1 - y0, xs0 - x0:xs1 - x0].astype(np.float32)
    alpha_full[ys0:ys1, xs0:xs1] = crop[..., 3] / 255.0
    colour_full[ys0:ys1, xs0:xs1] = crop[..., :3]

    idt = identity_from_seed(seed)
    if hair is None:
        hairline_y = None
    else:
        # hair of one colour (with strands) over the whole head above a row just below the
        # identity's own hairline: the true top of the forehead is that row
        if hairline_y is None:
            hairline_y = y0 + (idt.forehead_top + 0.055 + 0.035 * idt.hairline) * hs
        strands = 1.0 + 0.08 * np.sin(xx * (40.0 / hs) + 2.0 * np.sin(yy * (9.0 / hs)))
        above = (yy < hairline_y)[..., None]
        colour_full = np.where(above, np.float32(hair) * strands[..., None], colour_full)

    chin_y = y0 + idt.chin_y * hs
    # shirt: a neckline under the chin, shoulders sloping out to the frame's sides
    cx = x0 + sw / 2
    neck_y = chin_y + 0.11 * hs
    sh_y = chin_y + 0.2 * hs
    half = min(0.5 * W - 2, 0.55 * hs)
    pts = np.array([[cx - 0.1 * hs, neck_y], [cx, neck_y + 0.05 * hs], [cx + 0.1 * hs, neck_y],
                    [cx + 0.3 * hs, neck_y + 0.01 * hs], [cx + half * 0.92, sh_y],
                    [cx + half, sh_y + 0.12 * hs], [cx + half, H + 5], [cx - half, H + 5],
                    [cx - half, sh_y + 0.12 * hs], [cx - half * 0.92, sh_y],
                    [cx - 0.3 * hs, neck_y + 0.01 * hs]], np.float64)
    shirt_mask = np.zeros((H, W), np.uint8)
    cv2.fillPoly(shirt_mask, [np.round(pts * 16).astype(np.int32)], 255, cv2.LINE_AA, shift=4)
    sa = shirt_mask.astype(np.float32)[..., None] / 255.0

    if shadow is not None:
        dx, dy, depth, blur = shadow
        sil = np.maximum(alpha_full, sa[..., 0])
        shift_m = np.float32([[1, 0, dx * W], [0, 1, dy * W]])
        cast = cv2.warpAffine(sil, shift_m, (W, H), borderMode=cv2.BORDER_REPLICATE)
        cast = cv2.GaussianBlur(cast, (0, 0), max(0.5, blur * W))
        img *= (1.0 - depth * cast)[..., None]

    img = img * (1 - alpha_full[..., None]) + colour_full * alpha_full[..., None]
    img = img * (1 - sa) + np.float32(shirt) * sa
    img += rng.normal(0, 1.5, img.shape).astype(np.float32)
    rgb = np.clip(img + 0.5, 0, 255).astype(np.uint8)
    body = shirt_mask >= 128
    head = (alpha_full >= 0.5) & ~body
    return Portrait(rgb, head, body, chin_y=float(chin_y), skull_top_y=float(y0 + idt.forehead_top * hs),
                    eye_y=float(y0 + idt.eye_y * hs), hairline_y=hairline_y)


def two_tone_backdrop(size: tuple[int, int], lit, shadowed, split: str = "lr", at: float = 0.64,
                      soft: float = 2.0) -> np.ndarray:
    """An HxWx3 backdrop of two wall tones: ``lit`` left of (``split='lr'``) or above
    (``'tb'``) the fraction ``at`` of the frame, ``shadowed`` beyond, blended over ``soft`` px."""
    H, W = size
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    t = (xx - at * W) if split == "lr" else (yy - at * H)
    m = (0.5 + 0.5 * np.tanh(t / (2 * soft)))[..., None]
    return np.float32(lit) * (1 - m) + np.float32(shadowed) * m


def shadow_ramp_backdrop(size: tuple[int, int], colour, at: float = 0.5, width: float = 0.08,
                         depth: float = 0.35) -> np.ndarray:
    """An HxWx3 backdrop falling into shadow across the frame: darker by ``depth`` right of the
    fraction ``at`` of the width, over a ramp ``width`` of the width wide."""
    H, W = size
    xx = np.arange(W, dtype=np.float32)[None, :]
    f = 1 - depth * (0.5 + 0.5 * np.tanh((xx - at * W) / (2 * width * W)))
    return np.float32(colour) * np.repeat(f, H, axis=0)[..., None]


def hair_strands(p: Portrait, seed: int, n: int = 40, colour=(60, 40, 25)) -> Portrait:
    """``p`` with ``n`` thin strands of hair (2 px) sticking out of the top of the head's outline;
    ``subject`` includes them."""
    rng = np.random.default_rng(seed)
    ys, xs = np.nonzero(p.head)
    cy, cx = ys.mean(), xs.mean()
    contours, _ = cv2.findContours(p.head.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    outline = max(contours, key=len)[:, 0, :]
    outline = outline[outline[:, 1] < cy - 0.1 * (ys.max() - ys.min())]
    strands = np.zeros(p.head.shape, np.uint8)
    for i in rng.choice(len(outline), n):
        x0, y0 = outline[i]
        d = np.array([x0 - cx, y0 - cy], float)
        d = d / np.linalg.norm(d) + rng.normal(0, 0.25, 2)
        length = rng.uniform(12, 35)
        cv2.line(strands, (int(x0 - 4 * d[0]), int(y0 - 4 * d[1])),
                 (int(x0 + length * d[0]), int(y0 + length * d[1])), 255, 2, cv2.LINE_AA)
    a = strands.astype(np.float32)[..., None] / 255.0
    rgb = np.clip(p.rgb * (1 - a) + np.float32(colour) * a + 0.5, 0, 255).astype(np.uint8)
    return Portrait(rgb, p.head | ((strands >= 128) & ~p.body), p.body, p.chin_y, p.skull_top_y,
                    p.eye_y, p.hairline_y)


def write_clip(path: Path, frames, fps: float = 5) -> Path:
    """An MJPG AVI of ``frames`` (HxWx3 uint8 RGB, one size), e.g. ``clip.avi``."""
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (w, h))
    for frame in frames:
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()
    return path


def checkpoint(path: Path, backbone: str = "resnet18", input_size: int = 64, **kwargs) -> Path:
    """A checkpoint of a freshly built (random, from torch's generator) ``backbone``."""
    from globalnet.backbones import create_backbone, save_checkpoint
    return save_checkpoint(path, create_backbone(backbone, **kwargs), input_size=input_size)


def write_jpeg(path: Path, rgb: np.ndarray, quality: int = 92) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    ok, buf = cv2.imencode(".jpg", rgb[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    path.write_bytes(buf.tobytes())


def make_kdef(root: Path, people=(("F", 1), ("M", 2)), sessions=("A",), angles=("S",),
              expressions=tuple(KDEF_CODES), size=(762, 562), nested: bool = True) -> dict[str, Portrait]:
    """``root/KDEF/AF01/AF01HAS.JPG``-style tree (``nested=False``: all files in ``root``).
    Returns relative path -> Portrait (the ground truth)."""
    truth = {}
    seeds = range(100, 100 + len(people))
    for (gender, num), seed in zip(people, seeds):
        for session in sessions:
            folder = f"{session}{gender}{num:02d}"
            for code in expressions:
                for angle in angles:
                    name = f"{folder}{code}{angle}.JPG"
                    rel = f"KDEF/{folder}/{name}" if nested else name
                    p = studio_portrait(seed, KDEF_CODES[code], size, KDEF_BACKDROP, angle=angle,
                                        rng_seed=zlib.crc32(name.encode()))
                    write_jpeg(root / rel, p.rgb)
                    truth[rel] = p
    return truth


def make_faces_db(root: Path, people=(("004", "o", "m"), ("066", "y", "f"), ("140", "m", "f")),
                  expressions=tuple(FACES_CODES), sets=("a",), size=(500, 400)) -> dict[str, Portrait]:
    """FACES-style flat folder ``root/004_o_m_a_a.jpg`` (id, age y/m/o, gender m/f, expression, set)."""
    truth = {}
    seeds = range(200, 200 + len(people))
    for (pid, age, gender), seed in zip(people, seeds):
        for code in expressions:
            for s in sets:
                name = f"{pid}_{age}_{gender}_{code}_{s}.jpg"
                p = studio_portrait(seed, FACES_CODES[code], size, FACES_BACKDROP, head_width=0.42,
                                    head_top=0.1, rng_seed=int(pid))
                write_jpeg(root / name, p.rgb)
                truth[name] = p
    return truth


def make_expression_folder(root: Path, emotions=("happy", "Neutral", "angry", "sad"), per=2,
                           rgba: bool = True) -> None:
    """``root/<emotion>/<id>_<n>.png`` RGBA sprites (or flat-backdrop JPEG photos)."""
    for e_i, emo in enumerate(emotions):
        expr = {"happy": "happiness", "neutral": "neutral", "angry": "anger", "sad": "sadness",
                "fear": "fear", "surprise": "surprise", "disgust": "disgust"}.get(emo.lower(), "neutral")
        for k in range(per):
            seed = 300 + k
            d = root / emo
            d.mkdir(parents=True, exist_ok=True)
            if rgba:
                spr = render_face(identity_from_seed(seed), expr, 1.0, 120)
                cv2.imwrite(str(d / f"id{seed}_{e_i}.png"), cv2.cvtColor(spr, cv2.COLOR_RGBA2BGRA))
            else:
                p = studio_portrait(seed, expr, (250, 200), KDEF_BACKDROP, head_width=0.5)
                write_jpeg(d / f"id{seed}_{e_i}.jpg", p.rgb)


def scene(seed: int, size=(96, 128)) -> np.ndarray:
    """A small textured 'room' (RGB uint8)."""
    rng = np.random.default_rng(seed)
    h, w = size
    img = np.zeros((h, w, 3), np.uint8)
    img[:] = rng.integers(60, 200, 3)
    cv2.rectangle(img, (int(w * 0.1), int(h * 0.5)), (int(w * 0.6), int(h * 0.9)),
                  tuple(int(v) for v in rng.integers(0, 255, 3)), -1)
    return img


def make_lsun(root: Path, categories=("classroom", "church_outdoor"), n=6, split="train",
              fmt=".webp") -> dict[str, list[bytes]]:
    """LSUN's distributed layout: ``root/<category>_<split>_lmdb/`` holding ``data.mdb`` and
    ``lock.mdb``; keys are 40-hex sha1-like ids (bytes), values encoded images."""
    import lmdb
    keys = {}
    Path(root).mkdir(parents=True, exist_ok=True)
    for ci, cat in enumerate(categories):
        env = lmdb.open(str(root / f"{cat}_{split}_lmdb"), map_size=1 << 26, subdir=True)
        ks = []
        with env.begin(write=True) as txn:
            for i in range(n):
                img = scene(ci * 100 + i)
                ok, buf = cv2.imencode(fmt, img[..., ::-1])
                assert ok
                k = hashlib.sha1(f"{cat}{i}".encode()).hexdigest().encode()
                txn.put(k, buf.tobytes())
                ks.append(k)
        env.close()
        keys[cat] = sorted(ks)
    return keys


def spoil_lsun_value(root: Path, spoil, category: str = "classroom", split: str = "train") -> bytes:
    """Replace the first value (in key order) of an LSUN LMDB from :func:`make_lsun` with
    ``spoil(value)``; returns its key."""
    import lmdb
    env = lmdb.open(str(root / f"{category}_{split}_lmdb"), map_size=1 << 26)
    with env.begin(write=True) as txn:
        key, value = next(iter(txn.cursor()))
        txn.put(key, spoil(value))
    env.close()
    return key


def make_background_folder(root: Path, categories=("classroom", "office"), n=3) -> None:
    for ci, cat in enumerate(categories):
        for i in range(n):
            write_jpeg(root / cat / f"{i:03d}.jpg", scene(500 + ci * 10 + i), 90)


def make_hf_imagefolder(root: Path, kind: str = "faces", n_per=2) -> Path:
    """A local ``imagefolder`` dataset: ``root/train/*.png`` + ``root/train/metadata.jsonl``
    with an ``emotion`` (faces) or ``scene`` (backgrounds) column."""
    d = root / "train"
    d.mkdir(parents=True, exist_ok=True)
    rows = []
    if kind == "faces":
        for i, emo in enumerate(["happy", "neutral", "angry", "sad", "surprise"] * n_per):
            expr = {"happy": "happiness", "angry": "anger", "sad": "sadness"}.get(emo, emo)
            spr = render_face(identity_from_seed(400 + i), expr, 1.0, 96)
            name = f"{i:04d}.png"
            cv2.imwrite(str(d / name), cv2.cvtColor(spr, cv2.COLOR_RGBA2BGRA))
            rows.append({"file_name": name, "emotion": emo, "person": f"p{i % 3}"})
    else:
        for i in range(3 * n_per):
            name = f"{i:04d}.png"
            cv2.imwrite(str(d / name), scene(600 + i)[..., ::-1])
            rows.append({"file_name": name, "scene": ["classroom", "office", "hall"][i % 3]})
    (d / "metadata.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return root


def truncate(path: Path) -> None:
    data = Path(path).read_bytes()
    Path(path).write_bytes(data[: len(data) // 3])


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.count_nonzero(a & b)) / max(1, np.count_nonzero(a | b))
