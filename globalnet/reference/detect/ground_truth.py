"""``gt``: the generator's face boxes of a synthgroup record, so that detector misses and model
quality can be told apart on synthetic data. Reference path: individual-level processing."""
from __future__ import annotations

from ...errors import GlobalNetError
from .base import FaceDetector


class GroundTruthBoxes(FaceDetector):
    """The generator's face boxes of a synthgroup ``record`` (stand-in for a perfect detector).

    ``GroundTruthBoxes(record).detect(image)``; a pipeline given ``record=`` rebinds it per image
    with :meth:`for_record`.
    """

    name = "ground-truth"
    needs_record = True

    def __init__(self, record: dict | None = None):
        self.record = record

    def for_record(self, record: dict) -> "GroundTruthBoxes":
        return GroundTruthBoxes(record)

    def _find(self, image):
        if self.record is None:
            raise GlobalNetError("ground-truth boxes need a synthgroup record (the image's metadata)")
        return [tuple(f["box"]) for f in self.record.get("faces", [])]

    def describe(self) -> str:
        return "ground-truth boxes"
