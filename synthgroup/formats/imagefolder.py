"""``imagefolder`` (the default): one file per image and mask, the layout the ``datasets``
``imagefolder`` builder reads: ``images/000123.jpg``, ``masks/000123.png`` (pixel value k = face
k-1 of the record, 0 = background) and ``metadata.jsonl`` naming both (``file_name``,
``mask_file_name``)."""
from __future__ import annotations

from ..io import write_file
from ..labels import CLASS_NAMES
from .base import Encoded, OutputFormat, sample_key


def image_name(i: int) -> str:
    return f"images/{sample_key(i)}.jpg"


def mask_name(i: int) -> str:
    return f"masks/{sample_key(i)}.png"


class ImageFolder(OutputFormat):
    name = "imagefolder"
    chunk = 100
    folders = ("images", "masks")
    card_declares_features = True

    def write_chunk(self, a, b, samples):
        # Plain writes: a file half-written by a kill belongs to an unfinished chunk, and an
        # unfinished chunk is rewritten whole on resume (same bytes), so nothing stays corrupt.
        out = f"{self.out}/"   # joined as strings: two Path joins cost ~2 % of generate
        try:
            for s in samples:
                write_file(out + image_name(s.index), s.jpg)
                write_file(out + mask_name(s.index), s.png)
        except OSError:      # a full or read-only disk: leave no truncated file of this chunk
            for i in range(a, b):
                for name in (image_name(i), mask_name(i)):
                    (self.out / name).unlink(missing_ok=True)
            raise

    def read_chunk(self, a, b):
        for i in range(a, b):
            jpg, png = (self.out / image_name(i)), (self.out / mask_name(i))
            yield Encoded(i, jpg.read_bytes() if jpg.is_file() else None,
                          png.read_bytes() if png.is_file() else None, None)

    def location(self, i):
        return {"file_name": image_name(i), "mask_file_name": mask_name(i)}

    def where(self, i):
        return str(self.out / image_name(i)), str(self.out / mask_name(i))

    def data_files(self):
        return ("images/*.jpg", "metadata.jsonl")

    def card_text(self):
        names = ", ".join(f'"{c}"' for c in CLASS_NAMES)
        return f"""`images/` holds the images and `masks/` their instance masks (pixel value k = face
k-1 of the record, 0 = background). `synthgroup export DIR --format coco --out F` writes the
faces as COCO instance annotations.

Load with `datasets.load_dataset(DIR)`: the header above declares every column, `label` as a
`ClassLabel`, so `ds.features["label"].names` are the class names. The `imagefolder` builder
does not read this card; there, name the classes with
`ds.cast_column("label", datasets.ClassLabel(names=[{names}]))`.
"""
