"""Face detectors for the reference path (individual-level processing; see the package docstring
of :mod:`globalnet.reference`). One detector per module, all re-exported here:

* ``haar`` (:mod:`.haar`, :class:`HaarDetector`) - OpenCV's frontal-face Haar cascade;
* ``onnx`` (:mod:`.onnx`, :class:`OnnxDetector`) - a user-supplied FaceDetectorYN ``.onnx`` model;
* ``gt`` (:mod:`.ground_truth`, :class:`GroundTruthBoxes`) - a synthgroup record's boxes.

``create_detector(name, model=None)`` builds one by name from :data:`DETECTORS`.
"""
from .base import DETECTORS, Box, FaceDetector, check_image, create_detector, iou, match_recall
from .ground_truth import GroundTruthBoxes
from .haar import HaarDetector
from .onnx import OnnxDetector

__all__ = ["Box", "FaceDetector", "HaarDetector", "OnnxDetector", "GroundTruthBoxes", "DETECTORS",
           "create_detector", "check_image", "iou", "match_recall"]
