"""A contact sheet of generated samples with their labels and face boxes, for checking by eye."""
from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np

from .compose import Sources, make_sample
from .config import GenConfig, check_count
from .errors import SynthGroupError
from .labels import CLASS_NAMES

GROUP_COLOURS = {0: (46, 204, 64), 1: (170, 170, 170), 2: (255, 65, 54)}  # RGB
OUTLINE = (16, 16, 16)        # a dark edge around every box and label: visible on light scenes
FONT = cv2.FONT_HERSHEY_SIMPLEX


def _ink(fill: tuple) -> tuple:
    """Black or white, whichever reads better on ``fill`` (by its luma)."""
    r, g, b = fill
    return (0, 0, 0) if 0.299 * r + 0.587 * g + 0.114 * b > 140 else (255, 255, 255)


def _label_size(text: str, size: float, scale: int) -> tuple[int, int, int]:
    """(width, height, baseline) of a label of ``text``; everything grows with ``scale``."""
    (w, h), base = cv2.getTextSize(text, FONT, size * scale, max(1, scale // 2))
    pad = 2 * scale
    return w + 2 * pad, h + base + 2 * pad, base


def draw_label(img: np.ndarray, text: str, x: int, y: int, fill: tuple, scale: int = 1,
               size: float = 0.33) -> None:
    """``text`` on a filled box of colour ``fill`` with a dark outline, its top-left corner at
    (x, y), moved inside the image; font, padding and lines grow with ``scale``."""
    w, h, base = _label_size(text, size, scale)
    x = int(np.clip(x, 0, max(0, img.shape[1] - w)))
    y = int(np.clip(y, 0, max(0, img.shape[0] - h)))
    cv2.rectangle(img, (x, y), (x + w - 1, y + h - 1), fill, -1)
    cv2.rectangle(img, (x, y), (x + w - 1, y + h - 1), OUTLINE, max(1, scale // 2))
    pad = 2 * scale
    cv2.putText(img, text, (x + pad, y + h - pad - base), FONT, size * scale, _ink(fill),
                max(1, scale // 2), cv2.LINE_AA)


def annotate(image: np.ndarray, record: dict, scale: int = 1) -> np.ndarray:
    """The image (upscaled by ``scale``) with each face's box in its group's colour inside a dark
    outline, its emotion on a label above it, and a caption bar; text and lines grow with
    ``scale``, and every box shows on any background (dark edge on light, colour on dark)."""
    img = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST) if scale > 1 else image.copy()
    for f in record["faces"]:
        x, y, w, h = (v * scale for v in f["box"])
        colour = GROUP_COLOURS[f["group"]]
        cv2.rectangle(img, (x, y), (x + w - 1, y + h - 1), OUTLINE, 3 * scale)
        cv2.rectangle(img, (x, y), (x + w - 1, y + h - 1), colour, scale)
        _, th, _ = _label_size(f["emotion"][:3], 0.33, scale)
        draw_label(img, f["emotion"][:3], x - scale, y - scale - th, colour, scale)
    text = f"#{record['index']} {record['label_name']} ({record['n_faces']} faces)"
    tw, _, _ = _label_size(text, 0.4, scale)
    size = 0.4 * min(1.0, (img.shape[1] - 2 * scale) / tw)       # the caption fits the tile
    _, th, _ = _label_size(text, size, scale)
    bar = np.full((th + 2 * scale, img.shape[1], 3), 255, np.uint8)
    draw_label(bar, text, scale, scale, GROUP_COLOURS[record["label"]], scale, size=size)
    return np.vstack([img, bar])


def contact_sheet(tiles: list[np.ndarray], cols: int | None = None, pad: int = 4) -> np.ndarray:
    cols = cols or math.ceil(math.sqrt(len(tiles)))
    rows = math.ceil(len(tiles) / cols)
    th = max(t.shape[0] for t in tiles)
    tw = max(t.shape[1] for t in tiles)
    sheet = np.full((rows * (th + pad) + pad, cols * (tw + pad) + pad, 3), 40, np.uint8)
    for k, t in enumerate(tiles):
        r, c = divmod(k, cols)
        y, x = pad + r * (th + pad), pad + c * (tw + pad)
        sheet[y:y + t.shape[0], x:x + t.shape[1]] = t
    return sheet


def preview(cfg: GenConfig, n: int, out: str | Path, start: int = 0, scale: int = 1) -> Path:
    """Render samples start..start+n-1 in memory and write their contact sheet to ``out`` (PNG)."""
    cfg.validate()
    out = Path(out)
    check_count("--n", n)
    if out.suffix.lower() not in (".png", ".jpg", ".jpeg"):
        raise SynthGroupError(f"preview output {out} must end in .png or .jpg")
    if not out.parent.exists():
        raise SynthGroupError(f"folder {out.parent} for the preview does not exist")
    sources = Sources(cfg)
    tiles = []
    for i in range(start, start + n):
        s = make_sample(cfg, sources, i)
        tiles.append(annotate(s.image, s.record, scale))
    sheet = contact_sheet(tiles)
    ok, buf = cv2.imencode(out.suffix.lower(), sheet[..., ::-1])
    out.write_bytes(buf.tobytes())
    return out


__all__ = ["preview", "annotate", "contact_sheet", "draw_label", "CLASS_NAMES"]
