"""``parquet``: one Parquet file per chunk, ``data/train-JJJJJ-of-TTTTT.parquet``, one row per
image: ``image`` and ``mask`` (``datasets`` Image columns: the JPEG and the instance-mask PNG
bytes, pixel value k = face k-1 of the record) and every field of the record as a column. Each
file carries its ``datasets`` features in its schema (``label`` and each face's ``group`` a
``ClassLabel``), so ``datasets.load_dataset("parquet", data_dir=DIR)`` names the classes, as
``datasets.load_dataset(DIR)`` does. A face's ``meta`` and ``variant`` are JSON text: their keys
depend on the face source, and every file must have one schema."""
from __future__ import annotations

import json

from ..card import dataset_features
from .base import Encoded, ShardFormat, sample_key

#: fields of a face whose keys depend on its source: JSON text in a column
JSON_FACE_FIELDS = ("meta", "variant")
ROW_GROUP = 100


def to_row(s: Encoded) -> dict:
    """The Parquet row of a sample: images first, then the record's fields."""
    record = dict(s.record)
    record["faces"] = [{k: json.dumps(v, separators=(",", ":")) if k in JSON_FACE_FIELDS else v
                        for k, v in face.items()} for face in record["faces"]]
    key = sample_key(s.index)
    return {"image": {"bytes": s.jpg, "path": f"{key}.jpg"},
            "mask": {"bytes": s.png, "path": f"{key}.png"}, **record}


def from_row(row: dict) -> Encoded:
    image, mask = row.pop("image"), row.pop("mask")
    row["faces"] = [{k: json.loads(v) if k in JSON_FACE_FIELDS and v is not None else v
                     for k, v in face.items()} for face in row["faces"]]
    return Encoded(row["index"], image["bytes"], mask["bytes"], row)


def features(rows: list[dict]):
    """The ``datasets.Features`` of these rows, by the dataset card's rules (``label`` and
    ``faces.group`` class labels), with ``image`` and ``mask`` images."""
    import datasets
    yaml = [{"name": "image", "dtype": "image"}, {"name": "mask", "dtype": "image"}]
    yaml += dataset_features({k: v for k, v in row.items() if k not in ("image", "mask")}
                             for row in rows)
    return datasets.Features._from_yaml_list(yaml)


class Parquet(ShardFormat):
    name = "parquet"
    extension = "parquet"
    needs = ("pyarrow", "pyarrow")

    def write_shard(self, path, samples):
        import pyarrow as pa
        import pyarrow.parquet as pq
        rows = [to_row(s) for s in samples]
        table = pa.Table.from_pylist(rows, schema=features(rows).arrow_schema)
        pq.write_table(table, path, row_group_size=ROW_GROUP)

    def read_shard(self, path):
        import pyarrow.parquet as pq
        for row in pq.read_table(path).to_pylist():
            yield from_row(row)

    def problems(self):
        """Every file must have one schema (``datasets`` takes the first file's for all)."""
        import pyarrow.parquet as pq
        first, schema, out = None, None, []
        for a, _ in self.chunks():
            path = self.out / self.shard_name(a)
            try:
                this = pq.read_schema(path)
            except (OSError, ValueError):
                continue                  # missing or unreadable: the sample checks say so
            if first is None:
                first, schema = path, this
            elif not this.equals(schema, check_metadata=True):
                out.append(f"{path} has another schema than {first}; datasets cannot load both")
        return out

    def card_text(self):
        return """`data/train-*.parquet` hold one row per image: `image` (JPEG), `mask` (the instance
mask, PNG: pixel value k = face k-1 of the record, 0 = background) and every metadata column;
each face's `meta` and `variant` are JSON text. Every file carries its features, so
`datasets.load_dataset("parquet", data_dir=DIR)` and `datasets.load_dataset(DIR)` both give
`label` as a `ClassLabel` (`ds.features["label"].names`). `metadata.jsonl` lists every record
with the file (`shard`) holding its image.
"""
