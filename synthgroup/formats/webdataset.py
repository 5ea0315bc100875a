"""``webdataset``: one tar file per chunk, ``data/train-JJJJJ-of-TTTTT.tar``, in the WebDataset
layout: sample KEY (the six-digit index) is the files ``KEY.jpg`` (the image), ``KEY.png``
(its instance mask: pixel value k = face k-1 of the record, 0 = background), ``KEY.json`` (the
record) and ``KEY.cls`` (the label id as text), next to each other in the tar. Written with the
``webdataset`` package's ``TarWriter`` with a fixed modification time, so a chunk's file has the
same bytes whoever writes it; ``webdataset.WebDataset`` streams the shards, in a torch
``DataLoader`` too."""
from __future__ import annotations

import json
import tarfile

from .base import Encoded, ShardFormat, sample_key

#: the files of one sample, by extension
EXTENSIONS = ("jpg", "png", "json", "cls")


class WebDatasetFormat(ShardFormat):
    name = "webdataset"
    extension = "tar"
    needs = ("webdataset", "'synthgroup[webdataset]' (or: pip install webdataset)")

    def write_shard(self, path, samples):
        import webdataset as wds
        with open(path, "wb") as f, wds.TarWriter(f, encoder=False, mtime=0.0) as sink:
            for s in samples:
                sink.write({"__key__": sample_key(s.index), "jpg": s.jpg, "png": s.png,
                            "json": json.dumps(s.record, separators=(",", ":")).encode(),
                            "cls": str(s.record["label"]).encode()})

    def read_shard(self, path):
        # the standard library reads what webdataset wrote; inspect needs no optional package
        files: dict[str, dict[str, bytes]] = {}
        with tarfile.open(path) as tar:
            for member in tar:
                key, _, ext = member.name.partition(".")
                files.setdefault(key, {})[ext] = tar.extractfile(member).read()
        for key, f in files.items():
            record = json.loads(f["json"]) if "json" in f else None
            yield Encoded(int(key), f.get("jpg"), f.get("png"), record)

    def card_text(self):
        return f"""`{self.shard_pattern()}` are WebDataset shards: sample KEY (the six-digit
index) is `KEY.jpg` (the image), `KEY.png` (its instance mask: pixel value k = face k-1 of the
record, 0 = background), `KEY.json` (the record) and `KEY.cls` (the label id). Stream them with
`webdataset.WebDataset("DIR/{self.shard_pattern()}", shardshuffle=False).decode("rgb8")`
(`pip install webdataset`), in a torch `DataLoader` too. `metadata.jsonl` lists every record
with the file (`shard`) holding its sample.
"""
