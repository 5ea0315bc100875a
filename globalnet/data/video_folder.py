"""Any folder of labelled videos, one folder per class.

Layout (class folder names Positive / Neutral / Negative, any case, and no others; videos are
found recursively inside them; extensions ``.mp4 .avi .mov .mkv .webm .m4v``)::

    DIR/Positive/*.mp4            DIR/train/Positive/*.mp4
    DIR/Neutral/*.mp4      or     DIR/train/Neutral/*.mp4 ...
    DIR/Negative/*.mp4            DIR/val/Positive/*.mp4 ...

With ``split`` given, ``DIR/<split>/`` is used if it exists; otherwise ``DIR`` itself serves as
whichever split is asked for (so give two different folders for train and val). Other files in
class folders are left out and listed in ``ignored``.
"""
from __future__ import annotations

from pathlib import Path

from globalnet.errors import GlobalNetError

from globalnet.video import VIDEO_EXTENSIONS

from .frames import FrameDataset
from .scan import VideoList, normalize_split, resolve_split_dir, scan_class_folders


def list_folder_videos(root: Path | str, split: str | None = None,
                       allow_missing_classes: bool = False
                       ) -> tuple[list[tuple[Path, int]], list[tuple[Path, str]], Path]:
    """``(videos as (path, class id), ignored files with reasons, the folder scanned)``."""
    d = resolve_split_dir(Path(root), split)
    try:
        videos, ignored = scan_class_folders(d, VIDEO_EXTENSIONS, "video", allow_missing_classes)
    except OSError as e:
        raise GlobalNetError(f"cannot list video folder {d} ({e})") from None
    if not videos:
        raise GlobalNetError(f"{d}: no videos in any class folder")
    return videos, ignored, d


class VideoFolderVideos(VideoList):
    """The videos of ``DIR/<class>/`` as a sequence of ``(path, class id)``."""

    def __init__(self, root: Path | str, split: str | None = None, allow_missing_classes: bool = False):
        self.split = normalize_split(split)
        self.items, self.ignored, self.root = list_folder_videos(root, split, allow_missing_classes)



class VideoFolderFrames(FrameDataset):
    """Frames of ``DIR/<class>/*.mp4``, sampled uniformly over all frames of all videos.

    Same options as :class:`globalnet.data.vgaf.VGAFFrames`; ``ignored`` lists non-video files
    found in the class folders (``skipped`` lists unreadable videos left out with ``skip_bad``).
    """

    def __init__(self, root: Path | str, split: str | None = None, transform=None,
                 frames_per_epoch: int | None = None, seed: int = 0,
                 allow_missing_classes: bool = False, **kwargs):
        videos, self.ignored, self.root = list_folder_videos(root, split, allow_missing_classes)
        split = normalize_split(split)
        super().__init__(videos, transform=transform, frames_per_epoch=frames_per_epoch, seed=seed,
                         allow_missing_classes=allow_missing_classes, split=split,
                         where=f"video folder {self.root}", **kwargs)
