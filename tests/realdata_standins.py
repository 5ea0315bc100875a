"""Tiny stand-ins for the real data sets, written with OpenCV (no downloads).

Each video frame is one flat colour that encodes ``(video id, frame number)``, so a test can tell
which frame was decoded: :func:`frame_colour` writes it, :func:`identify` reads it back.

* :func:`write_video` -- one ``mp4v`` video (default 64x48, 10 fps).
* :func:`make_vgaf` -- a VGAF root with ``Train_labels.txt`` / ``Val_labels.txt`` (header
  ``Vid_name Label``, codes 1/2/3) and videos beside them (``layout="flat"``) or in
  ``Train/`` and ``Val/`` (``layout="split"``).
* :func:`make_video_folder` -- ``DIR/<class>/*.mp4``.
* :func:`make_gaf` -- ``DIR/{train,val}/<class>/*.jpg``.
"""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

SIZE = (64, 48)                      # width, height
_R0, _RSTEP = 10, 12                 # red   = 10 + 12 * frame   (frames 0..19)
_G0, _GSTEP = 16, 24                 # green = 16 + 24 * video   (videos 0..9)
_BLUE = 128
MAX_FRAMES, MAX_VIDEOS = 20, 10


def frame_colour(video_id: int, frame: int) -> tuple[int, int, int]:
    """The RGB colour of frame ``frame`` of video ``video_id``."""
    if not (0 <= frame < MAX_FRAMES and 0 <= video_id < MAX_VIDEOS):
        raise ValueError(f"stand-in videos encode at most {MAX_VIDEOS} videos x {MAX_FRAMES} frames")
    return _R0 + _RSTEP * frame, _G0 + _GSTEP * video_id, _BLUE


def identify(rgb: np.ndarray) -> tuple[int, int]:
    """``(video id, frame)`` of a decoded HxWx3 RGB stand-in frame (robust to codec noise)."""
    r, g, _ = (float(x) for x in np.median(rgb.reshape(-1, 3), axis=0))
    return int(round((g - _G0) / _GSTEP)), int(round((r - _R0) / _RSTEP))


def write_video(path: Path | str, n_frames: int, video_id: int = 0, size=SIZE, fps: float = 10.0) -> Path:
    """An ``mp4v`` video whose frame k has colour ``frame_colour(video_id, k)``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    w, h = size
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    if not writer.isOpened():
        raise RuntimeError(f"cv2.VideoWriter cannot write {path}")
    for k in range(n_frames):
        r, g, b = frame_colour(video_id, k)
        frame = np.empty((h, w, 3), np.uint8)
        frame[:] = (b, g, r)  # OpenCV writes BGR
        writer.write(frame)
    writer.release()
    return path


def write_image(path: Path | str, rgb=(200, 100, 50), size=SIZE) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    w, h = size
    img = np.empty((h, w, 3), np.uint8)
    img[:] = rgb[::-1]
    if not cv2.imwrite(str(path), img):
        raise RuntimeError(f"cannot write {path}")
    return path


def write_labels(path: Path | str, rows, header: str = "Vid_name Label") -> Path:
    """A VGAF label file: ``header`` then ``name code`` rows (``rows`` may hold raw strings)."""
    path = Path(path)
    lines = [header] if header is not None else []
    lines += [r if isinstance(r, str) else f"{r[0]} {r[1]}" for r in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def make_vgaf(root: Path | str, train: dict, val: dict | None = None, layout: str = "flat",
              with_ext: bool = False) -> dict:
    """A VGAF root. ``train`` / ``val``: ``{name: (label code 1|2|3, n_frames)}``.

    Video ids are given in order over train then val. Returns ``{name: video id}``.
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    ids, vid = {}, 0
    for split, table in (("Train", train), ("Val", val or {})):
        if not table and split == "Val":
            continue
        folder = root / split if layout == "split" else root
        rows = []
        for name, (code, n) in table.items():
            write_video(folder / f"{name}.mp4", n, vid)
            ids[name] = vid
            vid += 1
            rows.append((f"{name}.mp4" if with_ext else name, code))
        write_labels(root / f"{split}_labels.txt", rows)
    return ids


def make_video_folder(root: Path | str, classes: dict) -> dict:
    """``root/<class>/<name>.mp4``. ``classes``: ``{class folder: {name: n_frames}}``.

    Returns ``{name: video id}`` (ids in order of appearance).
    """
    root = Path(root)
    ids, vid = {}, 0
    for cls, videos in classes.items():
        (root / cls).mkdir(parents=True, exist_ok=True)
        for name, n in videos.items():
            write_video(root / cls / f"{name}.mp4", n, vid)
            ids[name] = vid
            vid += 1
    return ids


def make_gaf(root: Path | str, counts: dict, splits=("train", "val")) -> Path:
    """``root/<split>/<class>/img_k.jpg``. ``counts``: ``{class folder: images per split}``."""
    root = Path(root)
    for split in splits:
        for cls, n in counts.items():
            (root / split / cls).mkdir(parents=True, exist_ok=True)
            for k in range(n):
                write_image(root / split / cls / f"img_{k}.jpg", (20 * k % 255, 100, 150))
    return root
