"""COCO instance annotations of a generated folder (``synthgroup export DIR --format coco``).

One image entry per record (``file_name`` relative to the folder, ``width``, ``height``) and one
annotation per face: ``bbox`` (the record's face box ``[x, y, w, h]``), ``area`` (the face's
pixels in the instance mask), ``segmentation`` (that mask region as compressed RLE, the form
``pycocotools.mask`` reads), ``iscrowd`` 0, and the face's ``emotion``. Categories are the
three emotion groups (Positive, Neutral, Negative) or, with ``categories="emotion"``, the
emotions the dataset's surprise policy uses (their group as supercategory).
"""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from .errors import SynthGroupError
from .labels import CLASS_NAMES, EMOTIONS, emotion_groups

CATEGORY_SETS = ("group", "emotion")


def rle_encode(binary: np.ndarray) -> dict:
    """COCO's compressed RLE of a 2-D boolean mask: runs over the column-major pixels, starting
    with a (possibly empty) run of zeros, written as ``maskApi.c``'s ``rleToString`` does."""
    h, w = binary.shape
    flat = np.asarray(binary, dtype=bool).ravel(order="F")
    edges = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    counts = np.diff(np.concatenate([[0], edges, [flat.size]])).tolist()
    if flat.size and flat[0]:
        counts.insert(0, 0)
    chars = []
    for i, c in enumerate(counts):
        x = c - counts[i - 2] if i > 2 else c
        more = True
        while more:
            ch = x & 0x1F
            x >>= 5
            more = x != -1 if ch & 0x10 else x != 0
            chars.append(chr((ch | 0x20 if more else ch) + 48))
    return {"size": [h, w], "counts": "".join(chars)}


def _categories(kind: str, surprise: str) -> tuple[list[dict], Callable[[dict], int]]:
    """The category list and face -> category id."""
    if kind == "group":
        cats = [{"id": g + 1, "name": name, "supercategory": "face"}
                for g, name in enumerate(CLASS_NAMES)]
        return cats, lambda face: face["group"] + 1
    if kind == "emotion":
        groups = emotion_groups(surprise)
        cats = [{"id": i + 1, "name": e, "supercategory": CLASS_NAMES[groups[e]]}
                for i, e in enumerate(EMOTIONS) if e in groups]
        return cats, lambda face: EMOTIONS.index(face["emotion"]) + 1
    raise SynthGroupError(f"unknown COCO categories {kind!r}; use one of {', '.join(CATEGORY_SETS)}")


def _mask(folder: Path, rec: dict) -> np.ndarray:
    path = folder / rec["mask_file_name"]
    mask = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if mask is None or list(mask.shape) != list(rec["size"]):
        raise SynthGroupError(f"mask {path} is missing, unreadable or not "
                              f"{rec['size'][0]}x{rec['size'][1]}; check it with synthgroup inspect")
    return mask


def coco_dataset(folder: Path, manifest: dict, records: list[dict],
                 categories: str = "group") -> dict:
    """The COCO dict of a complete folder's records (masks read from ``folder``)."""
    cats, category_of = _categories(categories, manifest["config"].get("surprise", "exclude"))
    images, annotations = [], []
    for rec in records:
        image_id = rec["index"] + 1
        H, W = rec["size"]
        images.append({"id": image_id, "file_name": rec["file_name"], "width": W, "height": H})
        mask = _mask(folder, rec)
        for k, face in enumerate(rec["faces"], 1):
            binary = mask == k
            annotations.append({
                "id": len(annotations) + 1, "image_id": image_id,
                "category_id": category_of(face), "bbox": [int(v) for v in face["box"]],
                "area": int(np.count_nonzero(binary)), "segmentation": rle_encode(binary),
                "iscrowd": 0, "emotion": face["emotion"]})
    return {
        "info": {"description": f"synthgroup dataset {folder.name}: faces by emotion {categories}",
                 "version": manifest.get("synthgroup_version", ""),
                 "date_created": manifest.get("created", "")},
        "licenses": [], "categories": cats, "images": images, "annotations": annotations}


def coco_json(folder: Path, manifest: dict, records: list[dict], categories: str = "group") -> str:
    """The text of the COCO annotation file (the ``coco`` export format)."""
    return json.dumps(coco_dataset(folder, manifest, records, categories), separators=(",", ":"))
