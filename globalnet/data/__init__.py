"""Real data for the global-only CNNs: VGAF videos, GAF-style image folders, video class folders.

Classes: 0 Positive, 1 Neutral, 2 Negative (``CLASS_NAMES``).

Layouts (``open_real_dataset(spec, split)``; ``spec`` is ``vgaf:DIR``, ``gaf:DIR``,
``videos:DIR`` or a bare ``DIR`` whose layout is detected):

* ``vgaf``   -- ``DIR/Train_labels.txt``, ``DIR/Val_labels.txt`` (header ``Vid_name Label``,
  labels 1 Positive / 2 Neutral / 3 Negative) with the ``.mp4`` videos beside them or in
  ``DIR/Train/`` and ``DIR/Val/``  -> :class:`VGAFFrames`.
* ``gaf``    -- ``DIR/{train,val}/{Positive,Neutral,Negative}/*.jpg`` -> :class:`GAFImages`.
* ``videos`` -- ``DIR/{Positive,Neutral,Negative}/*.mp4`` (or ``DIR/{train,val}/<class>/``)
  -> :class:`VideoFolderFrames`.

Folder and class names are matched ignoring case. Frame datasets sample frames uniformly over all
frames of all videos (``frames_per_epoch``; see :mod:`globalnet.data.frames`) from a frame-count
index cached in ``$GLOBALNET_CACHE`` or ``~/.cache/globalnet``. ``extract_frames`` writes a
one-off JPEG copy of the frames as a GAF-style tree. ``list_videos`` gives ``(path, class id)``
for video-level evaluation.
"""
from __future__ import annotations

import logging
from pathlib import Path

from globalnet.errors import GlobalNetError

from globalnet.video import VIDEO_EXTENSIONS, FrameReader, iter_frames

from .frame_index import FrameIndex, cache_dir
from .frames import FrameDataset, extract_frames
from .scan import CLASS_NAMES, IMAGE_EXTENSIONS, NUM_CLASSES, child_named, class_id
from .gaf import GAFImages, read_image
from .transforms import eval_transform, train_transform
from .vgaf import LABEL_FILES, VGAF_LABELS, VGAFFrames, VGAFVideos, list_vgaf_videos, read_labels
from .video_folder import VideoFolderFrames, VideoFolderVideos, list_folder_videos

log = logging.getLogger("globalnet.data")

LAYOUTS = ("vgaf", "gaf", "videos")
_LAYOUT_HELP = ("vgaf: Train_labels.txt / Val_labels.txt with the .mp4 videos beside them or in "
                "Train/ and Val/; gaf: {train,val}/{Positive,Neutral,Negative}/*.jpg; "
                "videos: [{train,val}/]{Positive,Neutral,Negative}/*.mp4")


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


def detect_layout(root: Path | str) -> str:
    """``"vgaf"``, ``"gaf"`` or ``"videos"`` for a folder; GlobalNetError naming the layouts."""
    root = Path(root)
    if not root.is_dir():
        raise GlobalNetError(f"dataset folder {root} does not exist or is not a folder")
    if any(child_named(root, f, want_dir=False) for f in LABEL_FILES.values()):
        return "vgaf"
    for name in ("train", "val", "valid", "validation"):
        d = child_named(root, name)
        if d is not None and (kind := _class_tree_kind(d)):
            return kind
    kind = _class_tree_kind(root)
    if kind:
        return kind
    raise GlobalNetError(f"{root} matches no known dataset layout ({_LAYOUT_HELP})")


def open_real_dataset(spec: str | Path, split: str = "train", transform=None,
                      frames_per_epoch: int | None = None, seed: int = 0, **kwargs):
    """Open ``spec`` (``vgaf:DIR``, ``gaf:DIR``, ``videos:DIR`` or a folder) as a map-style Dataset.

    ``frames_per_epoch`` and ``seed`` apply to the video layouts; an image folder is read whole
    (``len()`` = number of images). Other keyword arguments (``skip_bad``,
    ``allow_missing_classes``, ``use_cache``, ...) go to the dataset class.
    """
    kind, root = parse_spec(spec)
    kind = kind or detect_layout(root)
    if kind == "vgaf":
        return VGAFFrames(root, split, transform=transform, frames_per_epoch=frames_per_epoch,
                          seed=seed, **kwargs)
    if kind == "videos":
        return VideoFolderFrames(root, split, transform=transform,
                                 frames_per_epoch=frames_per_epoch, seed=seed, **kwargs)
    allowed = {k: v for k, v in kwargs.items() if k in ("allow_missing_classes", "skip_bad")}
    unknown = sorted(set(kwargs) - set(allowed) - {"use_cache", "cache_path", "index_workers",
                                                    "max_open"})
    if unknown:
        raise GlobalNetError(f"unknown option(s) for an image dataset: {', '.join(unknown)}")
    if frames_per_epoch is not None:
        log.info("%s is an image folder: frames_per_epoch ignored, every image is read once", root)
    return GAFImages(root, split, transform=transform, **allowed)


def list_videos(spec: str | Path, split: str = "val",
                allow_missing_classes: bool = False) -> list[tuple[Path, int]]:
    """``(video path, class id)`` of a VGAF split or a video class folder, for video-level eval."""
    kind, root = parse_spec(spec)
    kind = kind or detect_layout(root)
    if kind == "vgaf":
        return list(VGAFVideos(root, split, allow_missing_classes=allow_missing_classes))
    if kind == "videos":
        return list(VideoFolderVideos(root, split, allow_missing_classes=allow_missing_classes))
    raise GlobalNetError(f"{spec}: an image dataset has no videos (use vgaf:DIR or videos:DIR)")


__all__ = [
    "CLASS_NAMES", "NUM_CLASSES", "VGAF_LABELS", "LAYOUTS",
    "VGAFFrames", "VGAFVideos", "VideoFolderFrames", "VideoFolderVideos", "GAFImages",
    "FrameDataset", "FrameIndex", "FrameReader",
    "open_real_dataset", "detect_layout", "parse_spec", "list_videos", "list_vgaf_videos",
    "list_folder_videos", "read_labels", "read_image", "iter_frames", "extract_frames",
    "cache_dir", "train_transform", "eval_transform",
]
