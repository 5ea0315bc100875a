"""The dataset card (``README.md``) of a generated folder, with every column of ``metadata.jsonl``
declared in the Hugging Face ``datasets`` YAML form.

The column types are inferred from the records the way Arrow's JSON reader does it (ints and
floats give float64, a missing or null field takes the others' type, structs take the union of
their keys), so the declared schema is exactly the one ``datasets`` reads. ``file_name`` and
``mask_file_name`` become the ``image`` and ``mask`` image columns, and the image ``label`` and
each face's ``group`` are ``ClassLabel`` columns (Positive, Neutral, Negative).
``datasets.load_dataset(DIR)`` reads the card (and so does the Hub after an upload);
``load_dataset("imagefolder", data_dir=DIR)`` never reads a card (``datasets`` 5), so the card
says how to attach the names there. The output formats that store one file per chunk (parquet,
webdataset) name their files in the card and declare no columns (a Parquet file carries them).
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from . import __version__
from .labels import CLASS_NAMES

#: metadata columns that hold paths of images, and the column ``datasets`` turns each into
IMAGE_COLUMNS = {"file_name": "image", "mask_file_name": "mask"}
#: (parent column, field) pairs holding class ids; ``None``: a top-level column
CLASS_COLUMNS = {(None, "label"), ("faces", "group")}

_NULL = ("value", "null")
#: the dtype of a JSON scalar, by Python type (bool before int: a bool is an int too)
_DTYPES = ((bool, "bool"), (int, "int64"), (float, "float64"), (str, "string"))


#: the schema of a scalar, by its exact type (the common case, one lookup)
_SCALARS = {type(None): _NULL, **{typ: ("value", dtype) for typ, dtype in _DTYPES}}


def _kind(v: Any) -> tuple:
    """The schema of one JSON value: ``("value", dtype)``, ``("list", item)`` or ``("struct", {})``."""
    scalar = _SCALARS.get      # by exact type first: one lookup for most of a record
    kind = scalar(type(v))
    if kind is not None:
        return kind
    if isinstance(v, dict):
        return ("struct", {k: scalar(type(x)) or _kind(x) for k, x in v.items()})
    if isinstance(v, list):
        first = scalar(type(v[0])) if v else None
        if first is not None and first != _NULL and all(type(x) is type(v[0]) for x in v):
            return ("list", first)          # a list of one scalar type
        item = _NULL
        for x in v:
            item = _merge(item, _kind(x))
        return ("list", item)
    for typ, dtype in _DTYPES:
        if isinstance(v, typ):
            return ("value", dtype)
    raise TypeError(f"not a JSON value: {v!r}")


def _merge(a: tuple, b: tuple) -> tuple:
    if a == _NULL:
        return b
    if b == _NULL or a == b:
        return a
    if a[0] == b[0] == "struct":
        fields = dict(a[1])
        for k, t in b[1].items():
            fields[k] = _merge(fields[k], t) if k in fields else t
        return ("struct", fields)
    if a[0] == b[0] == "list":
        return ("list", _merge(a[1], b[1]))
    if {a, b} == {("value", "int64"), ("value", "float64")}:
        return ("value", "float64")
    return ("value", "string")


def _class_label() -> dict:
    return {"class_label": {"names": {str(i): c for i, c in enumerate(CLASS_NAMES)}}}


def _yaml_feature(kind: tuple, parent: str | None, name: str) -> dict:
    """The YAML form of one column (without its name), as ``Features._to_yaml_list`` writes it."""
    if (parent, name) in CLASS_COLUMNS and kind[0] == "value" and kind[1] in ("int64", "null"):
        return {"dtype": _class_label()}
    if kind[0] == "value":
        return {"dtype": kind[1]}
    if kind[0] == "struct":
        return {"struct": _yaml_fields(kind[1], name)}
    # a list holds its item's dtype or struct fields as they are; a list of lists nests
    item = _yaml_feature(kind[1], name, name)
    return {"list": item if "list" in item else next(iter(item.values()))}


def _yaml_fields(fields: dict, parent: str | None) -> list[dict]:
    return [{"name": k, **_yaml_feature(t, parent, k)} for k, t in fields.items()]


def records_schema(records: Iterable[dict], schema: tuple = _NULL) -> tuple:
    """The schema of these records as Arrow's JSON reader infers it, merged into ``schema``
    (that of other records of the same set, e.g. another chunk's; :func:`merge_schemas`)."""
    for rec in records:
        schema = _merge(schema, _kind(rec))
    return schema


def merge_schemas(a: tuple, b: tuple) -> tuple:
    """The schema of two sets of records together."""
    return _merge(a, b)


def dataset_features(records: Iterable[dict] = (), schema: tuple | None = None) -> list[dict]:
    """The ``features`` YAML list of the columns ``datasets`` reads from these records (or from
    records of this ``schema``: :func:`records_schema`)."""
    kind = records_schema(records) if schema is None else schema
    fields = dict(kind[1]) if kind[0] == "struct" else {}
    out = []
    for k, t in fields.items():
        if k in IMAGE_COLUMNS and t == ("value", "string"):
            out.append({"name": IMAGE_COLUMNS[k], "dtype": "image"})
        else:
            out.append({"name": k, **_yaml_feature(t, None, k)})
    return out


def dataset_card(n: int, *, data_files: Iterable[str] = (), features: list[dict] | None = None,
                 files: str = "") -> str:
    """``README.md`` of a folder of ``n`` images. Once the dataset is complete, a header whose
    config names the ``data_files`` (and declares the columns, ``features``, when given: those of
    :func:`dataset_features`); ``files`` is the output format's paragraph on its files and how
    to load them (:mod:`synthgroup.formats`)."""
    header = ""
    if data_files:
        paths = json.dumps(list(data_files))
        columns = ""
        if features:
            columns = (',\n  "features": [\n   '
                       + ",\n   ".join(json.dumps(f) for f in features) + "]")
        header = ("---\n"     # JSON is YAML: the header in flow style, one column a line
                  '{"configs": [{"config_name": "default",\n'
                  f'  "data_files": [{{"split": "train", "path": {paths}}}]{columns}}}]}}\n---\n')
    return header + f"""# Synthetic group-emotion images ({n})

Made by `synthgroup {__version__}`. Labels: 0 Positive, 1 Neutral, 2 Negative (the majority
group of the faces, Neutral on a tie). `metadata.jsonl` holds one record per image (faces with
box `[x, y, w, h]`, emotion, group, identity, source; background source and category; the seed).
`manifest.json` holds the full configuration.

{files}"""
