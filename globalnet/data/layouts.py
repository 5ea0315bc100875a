"""The real-data layouts (``vgaf:DIR``, ``gaf:DIR``, ``videos:DIR``) as registry entries.

A :class:`Layout` says how to recognise a folder of its kind and how to open it: as a map-style
dataset of frames or images, and, for video layouts, as a list of ``(video, class id)``.
:data:`LAYOUTS` holds the built-ins; another package adds its own through the entry-point group
``globalnet.layouts`` (``mylayout = mypackage.module:MY_LAYOUT``, a :class:`Layout`), and
``--data mylayout:DIR`` opens it.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import GlobalNetError
from ..registry import Registry
from ..video import VIDEO_EXTENSIONS
from .gaf import GAFImages
from .scan import IMAGE_EXTENSIONS, child_named, class_id
from .vgaf import LABEL_FILES, VGAFFrames, VGAFVideos
from .video_folder import VideoFolderFrames, VideoFolderVideos

log = logging.getLogger("globalnet.data")


@dataclass(frozen=True)
class Layout:
    """One real-data layout.

    Attributes:
        name: the spec prefix (``vgaf`` in ``vgaf:DIR``).
        summary: the folder structure in a few words, for messages.
        detect: ``detect(root) -> bool``: whether a bare folder is of this layout.
        frames: ``frames(root, split, transform=, frames_per_epoch=, seed=, **options)``: the
            map-style dataset ``open_real_dataset`` returns.
        videos: ``videos(root, split, allow_missing_classes=)``: iterable of
            ``(video path, class id)``; ``None`` for a layout of still images.
    """

    name: str
    summary: str
    detect: Callable[[Path], bool]
    frames: Callable[..., object]
    videos: Callable[..., Iterable[tuple[Path, int]]] | None = None


def _class_tree_kind(d: Path) -> str | None:
    """'gaf' / 'videos' if ``d`` holds class folders with images / videos, else None."""
    try:
        subdirs = [p for p in d.iterdir() if p.is_dir() and class_id(p.name) is not None]
    except OSError:
        return None
    for sub in sorted(subdirs):
        for f in sorted(sub.rglob("*")):
            ext = f.suffix.lower()
            if ext in IMAGE_EXTENSIONS:
                return "gaf"
            if ext in VIDEO_EXTENSIONS:
                return "videos"
    return None


def _tree_kind(root: Path) -> str | None:
    """The kind of the class tree under a split folder (``train``, ``val``...) or ``root``."""
    for name in ("train", "val", "valid", "validation"):
        d = child_named(root, name)
        if d is not None and (kind := _class_tree_kind(d)):
            return kind
    return _class_tree_kind(root)


def _open_images(root: Path, split: str, transform=None, frames_per_epoch: int | None = None,
                 seed: int = 0, **kwargs) -> GAFImages:
    allowed = {k: v for k, v in kwargs.items() if k in ("allow_missing_classes", "skip_bad")}
    unknown = sorted(set(kwargs) - set(allowed) - {"use_cache", "cache_path", "index_workers",
                                                    "max_open"})
    if unknown:
        raise GlobalNetError(f"unknown option(s) for an image dataset: {', '.join(unknown)}")
    if frames_per_epoch is not None:
        log.info("%s is an image folder: frames_per_epoch ignored, every image is read once", root)
    return GAFImages(root, split, transform=transform, **allowed)


#: Name -> :class:`Layout`, in detection order (plugins after the built-ins).
LAYOUTS: Registry[Layout] = Registry("dataset kind", group="globalnet.layouts")
for _layout in (
    Layout("vgaf", "Train_labels.txt / Val_labels.txt with the .mp4 videos beside them or in "
           "Train/ and Val/",
           lambda root: any(child_named(root, f, want_dir=False) for f in LABEL_FILES.values()),
           VGAFFrames, VGAFVideos),
    Layout("gaf", "{train,val}/{Positive,Neutral,Negative}/*.jpg",
           lambda root: _tree_kind(root) == "gaf", _open_images),
    Layout("videos", "[{train,val}/]{Positive,Neutral,Negative}/*.mp4",
           lambda root: _tree_kind(root) == "videos", VideoFolderFrames, VideoFolderVideos),
):
    LAYOUTS.register(_layout.name, _layout)
del _layout


def parse_spec(spec: str | Path) -> tuple[str | None, Path]:
    """``"vgaf:DIR"`` -> ``("vgaf", DIR)``; a bare path -> ``(None, DIR)``."""
    text = str(spec)
    head, sep, rest = text.partition(":")
    if sep and head.lower() in LAYOUTS:
        if not rest:
            raise GlobalNetError(f"dataset spec {text!r} names no folder")
        return head.lower(), Path(rest).expanduser()
    if sep and head.isalpha() and len(head) > 1 and not Path(text).exists():
        raise GlobalNetError(f"unknown dataset kind {head!r} in {text!r} "
                             f"(expected {', '.join(k + ':DIR' for k in LAYOUTS)} or a folder)")
    return None, Path(text).expanduser()


def detect_layout(root: Path | str) -> str:
    """The name of the first layout whose ``detect`` accepts a folder (``"vgaf"``, ``"gaf"``,
    ``"videos"``, a plugin's); GlobalNetError naming the layouts when none does."""
    root = Path(root)
    if not root.is_dir():
        raise GlobalNetError(f"dataset folder {root} does not exist or is not a folder")
    for name, layout in LAYOUTS.items():
        if layout.detect(root):
            return name
    help_ = "; ".join(f"{name}: {layout.summary}" for name, layout in LAYOUTS.items())
    raise GlobalNetError(f"{root} matches no known dataset layout ({help_})")


def _layout_of(spec: str | Path) -> tuple[Layout, Path]:
    kind, root = parse_spec(spec)
    return LAYOUTS.get(kind or detect_layout(root)), root


def open_real_dataset(spec: str | Path, split: str = "train", transform=None,
                      frames_per_epoch: int | None = None, seed: int = 0, **kwargs):
    """Open ``spec`` (``vgaf:DIR``, ``gaf:DIR``, ``videos:DIR`` or a folder) as a map-style Dataset.

    ``frames_per_epoch`` and ``seed`` apply to the video layouts; an image folder is read whole
    (``len()`` = number of images). Other keyword arguments (``skip_bad``,
    ``allow_missing_classes``, ``use_cache``, ...) go to the dataset class.
    """
    layout, root = _layout_of(spec)
    return layout.frames(root, split, transform=transform, frames_per_epoch=frames_per_epoch,
                         seed=seed, **kwargs)


def list_videos(spec: str | Path, split: str = "val",
                allow_missing_classes: bool = False) -> list[tuple[Path, int]]:
    """``(video path, class id)`` of a VGAF split or a video class folder, for video-level eval."""
    layout, root = _layout_of(spec)
    if layout.videos is None:
        raise GlobalNetError(f"{spec}: an image dataset has no videos (use "
                             f"{' or '.join(n + ':DIR' for n, l in LAYOUTS.items() if l.videos)})")
    return list(layout.videos(root, split, allow_missing_classes=allow_missing_classes))
