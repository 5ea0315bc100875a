"""Face-based REFERENCE path: individual-level processing, NOT part of the privacy-preserving product.

The product (``globalnet``'s global path, ``synthgroup``, ``explain``) classifies a whole frame as
0 Positive, 1 Neutral, 2 Negative and never detects, crops or classifies individual faces. This
sub-package does exactly that, on purpose, to measure the *price of privacy*: how much accuracy
the global-only design gives up against the face-based systems that won EmotiW (Tan et al. 2017:
face scores averaged / top-3 largest faces / weighted fusion with a global CNN; Rassadin et al.
2017: Haar / HOG detection; Gupta et al. 2018: attention pooling of face features).

It processes biometric, per-person data (face locations, face crops, per-face expression scores).
Do not deploy it where the privacy-preserving design is required. Nothing in the global path
imports it (``tests/test_import_graph.py`` walks the import graph to prove it).

Pieces::

    from globalnet.reference.detect import create_detector      # "haar", "onnx", "gt"; one per module
    from globalnet.reference.face_model import FaceResNet, FaceCropDataset
    from globalnet.reference.training import train_face_model, train_attention
    from globalnet.reference.pooling import create_pooling      # "mean", "top3", "attention"
    from globalnet.reference.fusion import fuse, search_fusion_weight
    from globalnet.reference.pipeline import ReferencePipeline   # detect -> crop -> classify -> pool -> fuse

CLI: ``globalnet reference train|evaluate|predict``. Benchmark: ``python -m benchmarks.price_of_privacy``.
"""
