"""A contact sheet of generated samples with their labels and face boxes, for checking by eye."""
from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np

from .compose import Sources, make_sample
from .config import GenConfig
from .errors import SynthGroupError
from .labels import CLASS_NAMES

GROUP_COLOURS = {0: (46, 204, 64), 1: (170, 170, 170), 2: (255, 65, 54)}  # RGB


def annotate(image: np.ndarray, record: dict, scale: int = 1) -> np.ndarray:
    """The image (upscaled by ``scale``) with each face's box coloured by its group and a caption."""
    img = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST) if scale > 1 else image.copy()
    for f in record["faces"]:
        x, y, w, h = (v * scale for v in f["box"])
        cv2.rectangle(img, (x, y), (x + w - 1, y + h - 1), GROUP_COLOURS[f["group"]], 1, cv2.LINE_AA)
        cv2.putText(img, f["emotion"][:3], (x + 1, y + 9), cv2.FONT_HERSHEY_PLAIN, 0.7,
                    GROUP_COLOURS[f["group"]], 1, cv2.LINE_AA)
    bar = np.full((18, img.shape[1], 3), 255, np.uint8)
    text = f"#{record['index']} {record['label_name']} ({record['n_faces']} faces)"
    cv2.putText(bar, text, (3, 13), cv2.FONT_HERSHEY_SIMPLEX, 0.42, GROUP_COLOURS[record["label"]]
                if record["label"] != 1 else (60, 60, 60), 1, cv2.LINE_AA)
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
    if n < 1:
        raise SynthGroupError(f"--n {n} must be at least 1")
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


__all__ = ["preview", "annotate", "contact_sheet", "CLASS_NAMES"]
