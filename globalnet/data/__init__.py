"""Real data for the global-only CNNs: VGAF videos, GAF-style image folders, video class folders.

Classes: 0 Positive, 1 Neutral, 2 Negative (``CLASS_NAMES``).

Layouts (``open_real_dataset(spec, split)``; ``spec`` is ``vgaf:DIR``, ``gaf:DIR``,
``videos:DIR`` or a bare ``DIR`` whose layout is detected; each is a :class:`~.layouts.Layout` in
the :data:`LAYOUTS` registry, which plugins extend through the entry-point group
``globalnet.layouts``):

* ``vgaf``   -- ``DIR/Train_labels.txt``, ``DIR/Val_labels.txt`` (header ``Vid_name Label``,
  labels 1 Positive / 2 Neutral / 3 Negative) with the ``.mp4`` videos beside them or in
  ``DIR/Train/`` and ``DIR/Val/``  -> :class:`VGAFFrames`.
* ``gaf``    -- ``DIR/{train,val}/{Positive,Neutral,Negative}/*.jpg`` -> :class:`GAFImages`.
* ``videos`` -- ``DIR/{Positive,Neutral,Negative}/*.mp4`` (or ``DIR/{train,val}/<class>/``)
  -> :class:`VideoFolderFrames`.

Folder and class names are matched ignoring case. Frame datasets sample frames uniformly over all
frames of all videos (``frames_per_epoch``; see :mod:`globalnet.data.frames`) from a frame-count
index cached in ``$GLOBALNET_CACHE``, else ``$XDG_CACHE_HOME/globalnet``, else
``~/.cache/globalnet``. ``extract_frames`` writes a one-off JPEG copy of the frames as a
GAF-style tree. ``list_videos`` gives ``(path, class id)``
for video-level evaluation.
"""
from __future__ import annotations

from globalnet.video import FrameReader, iter_frames

from .frame_index import FrameIndex, cache_dir
from .frames import FrameDataset, extract_frames
from .scan import CLASS_NAMES, NUM_CLASSES
from .gaf import GAFImages, read_image
from .layouts import LAYOUTS, Layout, detect_layout, list_videos, open_real_dataset, parse_spec
from .transforms import eval_transform, train_transform
from .vgaf import VGAF_LABELS, VGAFFrames, VGAFVideos, list_vgaf_videos, read_labels
from .video_folder import VideoFolderFrames, VideoFolderVideos, list_folder_videos

__all__ = [
    "CLASS_NAMES", "NUM_CLASSES", "VGAF_LABELS", "LAYOUTS", "Layout",
    "VGAFFrames", "VGAFVideos", "VideoFolderFrames", "VideoFolderVideos", "GAFImages",
    "FrameDataset", "FrameIndex", "FrameReader",
    "open_real_dataset", "detect_layout", "parse_spec", "list_videos", "list_vgaf_videos",
    "list_folder_videos", "read_labels", "read_image", "iter_frames", "extract_frames",
    "cache_dir", "train_transform", "eval_transform",
]
