"""Class and split folders: the three class names as folder names, ``train`` / ``val`` splits,
and the scan of a ``<Positive|Neutral|Negative>/`` tree shared by the datasets.

* **Classes.** Every dataset labels with ``CLASS_NAMES``: 0 Positive, 1 Neutral, 2 Negative.
  Class folders are matched case-insensitively against these three names, nothing else.
* **Splits.** ``train`` and ``val`` (``valid`` / ``validation`` accepted), any case; a tree
  without split folders serves any split (:func:`resolve_split_dir`).
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Sequence

from globalnet.errors import GlobalNetError

from synthgroup.labels import CLASS_NAMES

log = logging.getLogger("globalnet.data")
NUM_CLASSES = len(CLASS_NAMES)
_CLASS_BY_LOWER = {name.lower(): i for i, name in enumerate(CLASS_NAMES)}

#: the image file types every reader of the toolkit accepts (predict, explain, gaf:)
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff")
_SHOW = 5               # how many names an error message lists before "and N more"


class LabelledImages:
    """Mixin of the datasets of labelled images: item ``i`` is ``(image, class id)`` from the
    :meth:`read` hook, the image through ``transform`` when one is set."""

    transform = None

    def read(self, i: int) -> tuple:
        """Item ``i``'s HxWx3 uint8 RGB image and class id."""
        raise NotImplementedError

    def __getitem__(self, i: int):
        image, label = self.read(i)
        return (image if self.transform is None else self.transform(image)), label


def class_id(name: str) -> int | None:
    """Class id of a folder name (Positive / Neutral / Negative, any case), else None."""
    return _CLASS_BY_LOWER.get(name.strip().lower())


def normalize_split(split: str | None) -> str | None:
    """``"train"`` / ``"val"`` (``"validation"`` accepted), any case; None stays None."""
    if split is None:
        return None
    s = str(split).strip().lower()
    if s in ("val", "valid", "validation"):
        return "val"
    if s == "train":
        return "train"
    raise GlobalNetError(f"unknown split {split!r}: expected 'train' or 'val'")


def child_named(directory: Path, name: str, want_dir: bool = True) -> Path | None:
    """The entry of ``directory`` whose name equals ``name`` ignoring case (exact match first)."""
    exact = directory / name
    if exact.exists() and exact.is_dir() == want_dir:
        return exact
    try:
        entries = sorted(directory.iterdir())
    except OSError:
        return None
    for p in entries:
        if p.name.lower() == name.lower() and p.is_dir() == want_dir:
            return p
    return None


def listing(names: Sequence, n: int = _SHOW) -> str:
    """``a, b, c, d, e (and N more)``: the first ``n`` names for an error message."""
    names = [str(x) for x in names]
    head = ", ".join(names[:n])
    return head + (f" (and {len(names) - n} more)" if len(names) > n else "")


def check_classes(counts: Sequence[int], where: str, allow_missing_classes: bool = False,
                  what: str = "samples") -> None:
    """Raise naming every class that has no samples, unless ``allow_missing_classes``."""
    missing = [CLASS_NAMES[c] for c in range(NUM_CLASSES) if counts[c] == 0]
    if not missing:
        return
    if allow_missing_classes:
        log.warning("%s: no %s for class %s", where, what, ", ".join(missing))
        return
    raise GlobalNetError(f"{where}: class {', '.join(missing)} has no {what} "
                         "(pass allow_missing_classes=True to train without it)")


def scan_class_folders(directory: Path, extensions: Sequence[str], kind: str,
                       allow_missing_classes: bool = False
                       ) -> tuple[list[tuple[Path, int]], list[tuple[Path, str]]]:
    """Files under ``directory/<Positive|Neutral|Negative>/`` (any case, searched recursively).

    Returns ``(items, ignored)``: ``items`` are ``(path, class_id)`` sorted by class then path;
    ``ignored`` are non-hidden files with other extensions, with the reason. Raises on a folder
    that is not one of the three classes, on media files outside any class folder, on an empty
    class folder and on a missing class (the last two unless ``allow_missing_classes``).
    """
    directory = Path(directory)
    exts = tuple(e.lower() for e in extensions)
    found: dict[int, Path] = {}
    unknown, stray = [], []
    for p in sorted(directory.iterdir()):
        if p.name.startswith("."):
            continue
        if p.is_dir():
            c = class_id(p.name)
            if c is None:
                unknown.append(p.name)
            elif c in found:
                raise GlobalNetError(f"{directory}: two folders for class {CLASS_NAMES[c]}: "
                                     f"{found[c].name!r} and {p.name!r}")
            else:
                found[c] = p
        elif p.suffix.lower() in exts:
            stray.append(p.name)
    if unknown:
        hint = ""
        if any(u.lower() in ("train", "val", "valid", "validation") for u in unknown):
            hint = "; for train/val subfolders pass split='train' or 'val'"
        raise GlobalNetError(f"{directory}: unknown class folder {listing(unknown)} "
                             f"(expected {', '.join(CLASS_NAMES)}, any case{hint})")
    if stray:
        raise GlobalNetError(f"{directory}: {len(stray)} {kind} file(s) outside any class folder: "
                             f"{listing(stray)} (put them in {'/'.join(CLASS_NAMES)}/)")
    items: list[tuple[Path, int]] = []
    ignored: list[tuple[Path, str]] = []
    empty = []
    for c in range(NUM_CLASSES):
        if c not in found:
            continue
        files = []
        for f in sorted(found[c].rglob("*")):
            if any(part.startswith(".") for part in f.relative_to(found[c]).parts) or not f.is_file():
                continue
            if f.suffix.lower() in exts:
                files.append(f)
            else:
                ignored.append((f, f"not a {kind} file ({', '.join(exts)})"))
        if not files:
            empty.append(found[c])
        items += [(f, c) for f in files]
    if empty and not allow_missing_classes:
        raise GlobalNetError(f"class folder {empty[0]} has no {kind} files ({', '.join(exts)})"
                             " (pass allow_missing_classes=True to train without that class)")
    missing = [CLASS_NAMES[c] for c in range(NUM_CLASSES) if c not in found]
    if missing and not allow_missing_classes:
        raise GlobalNetError(f"{directory}: no class folder for {', '.join(missing)} "
                             "(pass allow_missing_classes=True to train without it)")
    for f, why in ignored:
        log.warning("ignored %s: %s", f, why)
    return items, ignored


def resolve_split_dir(root: Path, split: str | None) -> Path:
    """``root/<split>`` (any case) if it exists, else ``root`` itself (one tree for any split)."""
    root = Path(root)
    if not root.is_dir():
        raise GlobalNetError(f"dataset folder {root} does not exist or is not a folder")
    split = normalize_split(split)
    if split is not None:
        names = ("val", "valid", "validation") if split == "val" else ("train",)
        for name in names:
            d = child_named(root, name)
            if d is not None:
                return d
    return root


def count_labels(items) -> list[int]:
    """Items per class id for a list of ``(anything, class_id)`` pairs."""
    counts = [0] * NUM_CLASSES
    for _, y in items:
        counts[y] += 1
    return counts


class VideoList:
    """A labelled list of videos ``[(path, class_id), ...]`` in ``self.items``."""

    items: list

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]

    def __iter__(self):
        return iter(self.items)

    def class_counts(self) -> list[int]:
        """Videos per class id."""
        return count_labels(self.items)
