"""GAF-style image folders: ``ROOT/{train,val}/{Positive,Neutral,Negative}/*.jpg``.

Split and class folder names are matched ignoring case (``Train/positive`` is fine); images are
found recursively in the class folders (``.jpg .jpeg .png .bmp``). A root holding the class
folders directly serves as whichever split is asked for. Folders that are not one of the three
classes are an error; other files in class folders are left out and listed in ``ignored``.
Zero-length images are an error (or, with ``skip_bad=True``, left out and listed in ``skipped``);
an image that fails to decode raises when read, naming the file.
"""
from __future__ import annotations

import logging
from pathlib import Path

import cv2
import numpy as np
from torch.utils.data import Dataset

from globalnet.errors import SKIP_BAD_HINT, GlobalNetError

from .scan import (IMAGE_EXTENSIONS, LabelledImages, check_classes, count_labels, listing,
                   normalize_split, resolve_split_dir, scan_class_folders)

log = logging.getLogger("globalnet.data")


def read_image(path: Path | str) -> np.ndarray:
    """HxWx3 uint8 RGB; GlobalNetError naming the file if it cannot be decoded."""
    data = np.fromfile(str(path), dtype=np.uint8) if Path(path).is_file() else None
    bgr = cv2.imdecode(data, cv2.IMREAD_COLOR) if data is not None and data.size else None
    if bgr is None:
        raise GlobalNetError(f"cannot read image {path} (missing, empty or not an image)")
    return np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))


class GAFImages(LabelledImages, Dataset):
    """Labelled images; item i -> ``(HxWx3 uint8 RGB or transform(image), class id)``."""

    def __init__(self, root: Path | str, split: str | None = "train", transform=None,
                 allow_missing_classes: bool = False, skip_bad: bool = False):
        self.split = normalize_split(split)
        self.transform = transform
        self.root = resolve_split_dir(Path(root), self.split)
        try:
            items, self.ignored = scan_class_folders(self.root, IMAGE_EXTENSIONS, "image",
                                                     allow_missing_classes)
        except OSError as e:
            raise GlobalNetError(f"cannot list image folder {self.root} ({e})") from None
        empty = [p for p, _ in items if p.stat().st_size == 0]
        self.skipped: list[tuple[Path, str]] = []
        if empty:
            if not skip_bad:
                raise GlobalNetError(f"{self.root}: {len(empty)} zero-length image(s): "
                                     f"{listing(empty)} ({SKIP_BAD_HINT})")
            self.skipped = [(p, "zero-length file") for p in empty]
            log.warning("%s: skipping %d zero-length image(s): %s", self.root, len(empty),
                        listing(empty))
            bad = set(empty)
            items = [(p, y) for p, y in items if p not in bad]
        if not items:
            raise GlobalNetError(f"{self.root}: no images in any class folder")
        self.items = items
        check_classes(self.class_counts(), f"image folder {self.root}", allow_missing_classes,
                      what="images")

    def __len__(self) -> int:
        return len(self.items)

    def read(self, i: int) -> tuple[np.ndarray, int]:
        path, label = self.items[i]
        return read_image(path), label

    @property
    def labels(self) -> list[int]:
        return [y for _, y in self.items]

    def class_counts(self) -> list[int]:
        """Images per class id (0 Positive, 1 Neutral, 2 Negative)."""
        return count_labels(self.items)

    def __repr__(self) -> str:
        return f"GAFImages({str(self.root)!r}, images={len(self)}, class_counts={self.class_counts()})"
