"""synthgroup: synthetic group-emotion images made on the fly, for global-only (face-free) CNNs.

Library API (the CLI is a thin layer over it)::

    from synthgroup import GenConfig, Sources, make_sample, generate
    cfg = GenConfig(size=(224, 224))
    sample = make_sample(cfg, Sources(cfg), 0)     # record, image, mask
    generate(cfg, "out/", n=1000, workers=2)
    from synthgroup import SyntheticGroupDataset   # torch Dataset (imports torch lazily)
"""
import os

os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")

__version__ = "0.1.0"

from .config import FaceAugConfig, GenConfig, ImageAugConfig  # noqa: E402
from .errors import ConfigError, SourceError, SynthGroupError  # noqa: E402
from .labels import CLASS_NAMES, EMOTIONS, image_label  # noqa: E402


def __getattr__(name):  # lazy: keep `import synthgroup` free of torch and OpenCV work
    if name in ("Sources", "make_sample", "sample_record", "render_record", "Sample"):
        from . import compose
        return getattr(compose, name)
    if name == "generate":
        from .writer import generate
        return generate
    if name in ("SyntheticGroupDataset", "collate_with_metadata"):
        from . import torchdata
        return getattr(torchdata, name)
    raise AttributeError(f"module 'synthgroup' has no attribute {name!r}")


__all__ = ["GenConfig", "FaceAugConfig", "ImageAugConfig", "SynthGroupError", "ConfigError",
           "SourceError", "CLASS_NAMES", "EMOTIONS", "image_label", "Sources", "make_sample",
           "sample_record", "render_record", "generate", "SyntheticGroupDataset"]
