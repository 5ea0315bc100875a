"""Face and background sources, selected by spec strings (``procedural``, ``kdef:DIR``, ...)."""
from .base import (BackgroundItem, BackgroundSource, FaceItem, FaceSource, create_background_source,
                   create_face_source, list_background_sources, list_face_sources, parse_spec,
                   register_background_source, register_face_source)
from . import procedural_faces, procedural_scenes  # noqa: F401  (register)
from . import faces_db, folder_backgrounds, folder_faces, hf, kdef, lsun  # noqa: F401  (register)

__all__ = ["FaceSource", "BackgroundSource", "FaceItem", "BackgroundItem", "create_face_source",
           "create_background_source", "list_face_sources", "list_background_sources", "parse_spec",
           "register_face_source", "register_background_source"]
