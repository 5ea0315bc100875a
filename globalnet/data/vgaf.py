"""VGAF as distributed: label files plus ``.mp4`` videos.

Layout (file and folder names matched ignoring case)::

    ROOT/Train_labels.txt          ROOT/Train_labels.txt
    ROOT/Val_labels.txt            ROOT/Val_labels.txt
    ROOT/10_1.mp4 ...       or     ROOT/Train/10_1.mp4 ...
                                   ROOT/Val/100_1.mp4 ...

A video is looked for in ``ROOT/<Split>/`` first, then beside the label files in ``ROOT/``.
Label files are whitespace-separated with the header ``Vid_name Label``; one ``<name> <label>``
per line, the name with or without ``.mp4``, the label 1 Positive, 2 Neutral, 3 Negative
(class ids 0, 1, 2). Blank lines are allowed; anything else that does not parse is an error
naming the file and line.
"""
from __future__ import annotations

import logging
from pathlib import Path

from globalnet.errors import GlobalNetError

from synthgroup.labels import CLASS_NAMES

from .frames import FrameDataset
from .scan import VideoList, check_classes, child_named, listing, normalize_split

log = logging.getLogger("globalnet.data")

VGAF_LABELS = {"1": 0, "2": 1, "3": 2}          # label code in the file -> class id
LABEL_FILES = {"train": "Train_labels.txt", "val": "Val_labels.txt"}
SPLIT_DIRS = {"train": "Train", "val": "Val"}


def label_file(root: Path | str, split: str) -> Path:
    """``ROOT/Train_labels.txt`` or ``ROOT/Val_labels.txt`` (any case); error if absent."""
    root = Path(root)
    split = normalize_split(split)
    if not root.is_dir():
        raise GlobalNetError(f"VGAF folder {root} does not exist or is not a folder")
    f = child_named(root, LABEL_FILES[split], want_dir=False)
    if f is None:
        raise GlobalNetError(f"VGAF folder {root} has no {LABEL_FILES[split]} (for split {split!r})")
    return f


def read_labels(path: Path | str) -> list[tuple[str, int]]:
    """Parse a VGAF label file into ``(video name as written, class id)``, in file order."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise GlobalNetError(f"cannot read label file {path} ({e})") from None
    lines = text.splitlines()
    n = 0
    while n < len(lines) and not lines[n].strip():
        n += 1
    if n == len(lines):
        raise GlobalNetError(f"{path}: empty label file (expected the header 'Vid_name Label')")
    if [t.lower() for t in lines[n].split()] != ["vid_name", "label"]:
        raise GlobalNetError(f"{path} line {n + 1}: missing header 'Vid_name Label' "
                             f"(found {lines[n].strip()!r})")
    out: list[tuple[str, int]] = []
    seen: dict[str, tuple[int, int]] = {}
    for lineno, line in enumerate(lines[n + 1:], start=n + 2):
        tokens = line.split()
        if not tokens:
            continue
        if len(tokens) != 2:
            raise GlobalNetError(f"{path} line {lineno}: expected '<video name> <label>', "
                                 f"found {line.strip()!r}")
        name, code = tokens
        if code not in VGAF_LABELS:
            raise GlobalNetError(f"{path} line {lineno}: unknown label {code!r} for video {name!r} "
                                 "(expected 1 Positive, 2 Neutral, 3 Negative)")
        label = VGAF_LABELS[code]
        key = name[:-4] if name.lower().endswith(".mp4") else name
        if key in seen:
            first_line, first_label = seen[key]
            if first_label != label:
                raise GlobalNetError(f"{path} line {lineno}: video {name!r} is labelled again, "
                                     f"differently (line {first_line})")
            log.warning("%s line %d: video %r listed twice (same label); counted once",
                        path, lineno, name)
            continue
        seen[key] = (lineno, label)
        out.append((name, label))
    if not out:
        raise GlobalNetError(f"{path}: no videos listed after the header")
    return out


def _files_in(d: Path | None) -> dict[str, Path]:
    if d is None:
        return {}
    return {p.name: p for p in d.iterdir() if p.is_file()}


def list_vgaf_videos(root: Path | str, split: str = "train") -> list[tuple[Path, int]]:
    """``(video path, class id)`` for every video of a VGAF split, in label-file order.

    Raises listing the count and the first few names if any labelled video is missing.
    """
    root = Path(root)
    split = normalize_split(split)
    labels_path = label_file(root, split)
    entries = read_labels(labels_path)
    split_dir = child_named(root, SPLIT_DIRS[split])
    places = [_files_in(split_dir), _files_in(root)]
    videos, missing = [], []
    for name, label in entries:
        candidates = [name] if name.lower().endswith(".mp4") else [name + ".mp4", name]
        hit = next((place[c] for place in places for c in candidates if c in place), None)
        if hit is None:
            missing.append(candidates[0])
        else:
            videos.append((hit, label))
    if missing:
        where = f"{split_dir} or {root}" if split_dir is not None else str(root)
        raise GlobalNetError(f"{len(missing)} video(s) listed in {labels_path} not found in "
                             f"{where}: {listing(missing)}")
    return videos


class VGAFVideos(VideoList):
    """The videos of a VGAF split: a sequence of ``(path, class id)`` for video-level evaluation."""

    def __init__(self, root: Path | str, split: str = "val", allow_missing_classes: bool = False):
        self.root = Path(root)
        self.split = normalize_split(split)
        self.items = list_vgaf_videos(self.root, self.split)
        check_classes(self.class_counts(), f"VGAF {self.split} ({self.root})",
                      allow_missing_classes, what="videos")


    def __repr__(self) -> str:
        return f"VGAFVideos({str(self.root)!r}, {self.split!r}, videos={len(self)})"


class VGAFFrames(FrameDataset):
    """Frames of a VGAF split, sampled uniformly over all frames of all its videos.

    See :class:`globalnet.data.frames.FrameDataset` for ``frames_per_epoch``, ``seed``,
    ``set_epoch``, ``skip_bad`` / ``skipped``, ``allow_missing_classes`` and ``class_counts``.
    """

    def __init__(self, root: Path | str, split: str = "train", transform=None,
                 frames_per_epoch: int | None = None, seed: int = 0, **kwargs):
        self.root = Path(root)
        split = normalize_split(split)
        videos = list_vgaf_videos(self.root, split)
        super().__init__(videos, transform=transform, frames_per_epoch=frames_per_epoch, seed=seed,
                         split=split, where=f"VGAF {split} ({self.root})", **kwargs)


__all__ = ["VGAF_LABELS", "CLASS_NAMES", "label_file", "read_labels", "list_vgaf_videos",
           "VGAFVideos", "VGAFFrames"]
