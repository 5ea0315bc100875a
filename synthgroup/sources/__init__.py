"""Face and background sources, selected by spec strings (``procedural``, ``kdef:DIR``, ...)."""
from .base import (BACKGROUND_SOURCES, FACE_SOURCES, BackgroundItem, BackgroundSource, FaceItem,
                   FaceSource, Source, create_background_source, create_face_source,
                   list_background_sources, list_face_sources, parse_spec,
                   register_background_source, register_face_source)
from . import procedural_faces, procedural_scenes  # noqa: F401  (register)
from . import faces_db, folder_backgrounds, folder_faces, kdef, lsun  # noqa: F401  (register)
from . import hf_backgrounds, hf_faces  # noqa: F401  (register)

__all__ = ["Source", "FaceSource", "BackgroundSource", "FaceItem", "BackgroundItem", "FACE_SOURCES",
           "BACKGROUND_SOURCES", "create_face_source", "create_background_source",
           "list_face_sources", "list_background_sources", "parse_spec", "register_face_source",
           "register_background_source"]
