"""Shared plumbing of the file-backed sources: the cache folder, file fingerprints, atomic cache
writes, image decoding (a corrupt file -> ``CorruptItemError``) and ``NAME:PATH[:opts]`` splitting.

The cache folder is ``$SYNTHGROUP_CACHE``, else ``$XDG_CACHE_HOME/synthgroup``, else
``~/.cache/synthgroup`` (:func:`synthgroup.io.cache_root`). It only holds derived data (matted
cut-outs, LSUN key lists) and can be deleted at any time.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import CorruptItemError, SourceError
from ..io import atomic_write_bytes, cache_root

#: File name endings read as images by the folder sources.
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff")

_warned_unwritable = False


def cache_dir(*parts: str) -> Path:
    """The cache folder (or a sub-folder of it); not created here."""
    return cache_root("synthgroup", "SYNTHGROUP_CACHE").joinpath(*parts)


def file_fingerprint(path: str | os.PathLike) -> dict:
    """Absolute path, size and mtime: enough to notice a file replaced in place."""
    p = Path(path).resolve()
    st = p.stat()
    return {"path": str(p), "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def digest(obj: Any) -> str:
    """A stable hex key for a JSON-serialisable object (sorted keys)."""
    return hashlib.sha1(json.dumps(obj, sort_keys=True, default=str).encode("utf-8")).hexdigest()


def atomic_write(path: Path, data: bytes) -> bool:
    """Write a cache file atomically (:func:`synthgroup.io.atomic_write_bytes`). Returns False,
    after one warning per process, when the cache folder is not writable (read-only, full): the
    caller just keeps going without a disk cache."""
    global _warned_unwritable
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, data)
        return True
    except OSError as exc:
        if not _warned_unwritable:
            _warned_unwritable = True
            warnings.warn(f"synthgroup: cannot write the cache under {path.parent} ({exc}); "
                          "continuing without a disk cache (set SYNTHGROUP_CACHE to a writable folder)")
        return False


# ---------------------------------------------------------------------------------- images
def _to_uint8(arr: np.ndarray) -> np.ndarray:
    if arr.dtype == np.uint8:
        return arr
    if arr.dtype == bool:
        return arr.astype(np.uint8) * 255
    if np.issubdtype(arr.dtype, np.floating):
        hi = float(np.nanmax(arr)) if arr.size else 1.0
        scale = 255.0 if hi <= 1.0 else 255.0 / max(hi, 1e-6)
        return np.clip(np.nan_to_num(arr) * scale + 0.5, 0, 255).astype(np.uint8)
    hi = int(arr.max()) if arr.size else 0
    shift = 8 if hi > 255 else 0
    return np.clip(arr.astype(np.int64) >> shift, 0, 255).astype(np.uint8)


def decode_image(data: bytes | str | os.PathLike, what: str, *, alpha: bool = False,
                 max_side: int | None = None) -> np.ndarray:
    """Decode an image file (or its bytes) to uint8 RGB, or RGBA when ``alpha`` is True and the
    file has transparency. ``what`` names the file in messages. EXIF orientation is applied.
    ``max_side`` lets JPEG decoding skip resolution it does not need (the result may still be
    larger). A missing, unreadable, corrupt or truncated file raises ``CorruptItemError``."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        if isinstance(data, (bytes, bytearray, memoryview)):
            fh = io.BytesIO(bytes(data))
        else:
            fh = open(data, "rb")
        with fh, Image.open(fh) as im:
            if max_side and im.format == "JPEG":
                w, h = im.size
                s = max_side / max(w, h)
                if s < 0.5:
                    im.draft("RGB", (max(1, int(w * s) + 1), max(1, int(h * s) + 1)))
            im.load()  # raises on truncated / corrupt data
            try:
                im = ImageOps.exif_transpose(im)
            except Exception:  # a broken EXIF block is not a broken image
                pass
            has_alpha = im.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
                im.mode == "P" and "transparency" in im.info)
            if im.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
                grey = _to_uint8(np.asarray(im))
                arr = np.repeat(grey[..., None], 3, axis=2)
            elif alpha and has_alpha:
                arr = np.asarray(im.convert("RGBA"))
            else:
                arr = np.asarray(im.convert("RGB"))
    except FileNotFoundError:
        raise CorruptItemError(f"{what}: file not found") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            EOFError) as exc:
        raise CorruptItemError(f"{what}: unreadable image ({exc})") from None
    if arr.ndim != 3 or arr.shape[0] < 2 or arr.shape[1] < 2:
        raise CorruptItemError(f"{what}: unreadable image (shape {arr.shape})")
    return np.ascontiguousarray(arr)


def looks_like_image(data: bytes) -> bool:
    """Cheap magic-number test: JPEG, PNG, WebP, GIF, BMP or TIFF."""
    head = bytes(data[:12])
    return (head[:3] == b"\xff\xd8\xff" or head[:8] == b"\x89PNG\r\n\x1a\n"
            or (head[:4] == b"RIFF" and head[8:12] == b"WEBP") or head[:4] in (b"GIF8",)
            or head[:2] == b"BM" or head[:4] in (b"II*\x00", b"MM\x00*"))


# ---------------------------------------------------------------------------------- specs
def split_arg(arg: str | None) -> tuple[list[str], str | None]:
    """Split a spec argument ``PATH[:extra...][:key=value,key=value]`` into its colon-separated
    positional parts and the trailing option string (the last part, if it holds a ``=``)."""
    if not arg:
        return [], None
    parts = arg.split(":")
    opts = None
    if len(parts) > 1 and "=" in parts[-1]:
        opts = parts.pop()
    elif len(parts) == 1 and "=" in parts[0] and not os.path.exists(parts[0]):
        return [], parts[0]
    return parts, opts


def require_dir(spec: str, path: str | None, example: str) -> Path:
    """The folder of a file-backed source, or a ``SourceError`` naming it."""
    if not path:
        raise SourceError(f"source {spec!r}: give a folder, e.g. {example}")
    p = Path(path).expanduser()
    if not p.exists():
        raise SourceError(f"source {spec!r}: folder {p} does not exist")
    if not p.is_dir():
        raise SourceError(f"source {spec!r}: {p} is not a folder")
    return p


def walk_files(root: Path, extensions: tuple[str, ...] = IMAGE_EXTENSIONS) -> list[Path]:
    """Files under ``root`` (recursive, sorted, hidden files and folders skipped)."""
    out, seen = [], set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        real = os.path.realpath(dirpath)
        if real in seen:  # a symlink loop
            dirnames[:] = []
            continue
        seen.add(real)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith(".") and name.lower().endswith(extensions):
                out.append(Path(dirpath) / name)
    return out
