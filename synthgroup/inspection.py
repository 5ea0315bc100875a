"""Check a generated folder: counts, balance, faces per image, and validity.

Checks: every listed image and mask exists and decodes at the recorded size; every label equals
the majority rule recomputed from its faces' groups; every face's group follows its emotion;
every face's mask region has the recorded pixel count and lies inside its box (a face drawn over
another would lose pixels); optionally (``replay``) faces are re-rendered from the record and
their alphas checked to be disjoint.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import cv2
import numpy as np

from .config import GenConfig
from .errors import SynthGroupError
from .labels import CLASS_NAMES, emotion_groups, image_label


def load_records(folder: Path) -> tuple[dict, list[dict]]:
    folder = Path(folder)
    if not folder.is_dir():
        raise SynthGroupError(f"dataset folder {folder} does not exist")
    mpath = folder / "manifest.json"
    if not mpath.exists():
        raise SynthGroupError(f"{folder} has no manifest.json: not a synthgroup dataset")
    try:
        manifest = json.loads(mpath.read_text())
    except ValueError:
        raise SynthGroupError(f"{mpath} is not valid JSON") from None
    meta = folder / "metadata.jsonl"
    files = [meta] if meta.exists() else sorted((folder / "parts").glob("*.jsonl"))
    records = []
    for f in files:
        for ln, line in enumerate(f.read_text().splitlines(), 1):
            if line.strip():
                try:
                    records.append(json.loads(line))
                except ValueError:
                    raise SynthGroupError(f"{f}:{ln} is not valid JSON") from None
    return manifest, records


def inspect_folder(folder: str | Path, replay: int = 0) -> dict:
    folder = Path(folder)
    manifest, records = load_records(folder)
    cfg = GenConfig.from_dict(manifest["config"], where=str(folder / "manifest.json"))
    groups_of = emotion_groups(cfg.surprise)
    problems: list[str] = []
    labels, nfaces, emotions, fsrc, bcat = Counter(), Counter(), Counter(), Counter(), Counter()
    for rec in records:
        name = rec.get("file_name", f"#{rec.get('index')}")
        labels[rec["label_name"]] += 1
        nfaces[rec["n_faces"]] += 1
        bcat[rec["background"]["category"]] += 1
        for f in rec["faces"]:
            emotions[f["emotion"]] += 1
            fsrc[f["source"]] += 1
            if groups_of.get(f["emotion"]) != f["group"]:
                problems.append(f"{name}: face {f['emotion']} has group {f['group']}, "
                                f"expected {groups_of.get(f['emotion'])}")
        expected = image_label([f["group"] for f in rec["faces"]], "neutral")
        if rec["label"] != expected:
            problems.append(f"{name}: label {rec['label']} but the majority rule gives {expected}")
        if rec["n_faces"] != len(rec["faces"]):
            problems.append(f"{name}: n_faces {rec['n_faces']} but {len(rec['faces'])} faces listed")
        img_path, mask_path = folder / rec["file_name"], folder / rec["mask_file_name"]
        if not img_path.exists():
            problems.append(f"missing image {img_path}")
        if not mask_path.exists():
            problems.append(f"missing mask {mask_path}")
            continue
        mask = cv2.imread(str(mask_path), cv2.IMREAD_UNCHANGED)
        if mask is None or list(mask.shape) != list(rec["size"]):
            problems.append(f"{mask_path}: unreadable or not {rec['size'][0]}x{rec['size'][1]}")
            continue
        counts = np.bincount(mask.ravel(), minlength=len(rec["faces"]) + 1)
        if len(counts) > len(rec["faces"]) + 1 and counts[len(rec["faces"]) + 1:].any():
            problems.append(f"{mask_path}: holds face ids beyond the {len(rec['faces'])} listed")
        for k, f in enumerate(rec["faces"], 1):
            if counts[k] != f["pixels"]:
                problems.append(f"{name}: face {k} has {counts[k]} mask pixels, recorded {f['pixels']} "
                                "(overlap or corrupt mask)")
            x, y, w, h = f["box"]
            ys, xs = np.nonzero(mask == k)
            if len(xs) and (xs.min() < x or ys.min() < y or xs.max() >= x + w or ys.max() >= y + h):
                problems.append(f"{name}: face {k} spills out of its box")
    if replay:
        from .compose import Sources, face_layers
        sources = Sources(cfg)
        for rec in records[:replay]:
            H, W = rec["size"]
            occ = np.zeros((H, W), np.uint8)
            for alpha, (x, y) in face_layers(rec, sources):
                region = occ[y:y + alpha.shape[0], x:x + alpha.shape[1]]
                clash = np.count_nonzero(region & (alpha > 0))
                if clash > cfg.overlap_tolerance * np.count_nonzero(alpha):
                    problems.append(f"{rec['file_name']}: faces overlap by {clash} px")
                region |= (alpha > 0)
    n_expected = manifest.get("n")
    if n_expected is not None and len(records) != n_expected:
        problems.append(f"{len(records)} records but the manifest asks for {n_expected} "
                        f"(status: {manifest.get('status')})")
    return {
        "folder": str(folder), "images": len(records), "status": manifest.get("status"),
        "labels": {c: labels.get(c, 0) for c in CLASS_NAMES},
        "faces_per_image": {k: nfaces[k] for k in sorted(nfaces)},
        "emotions": dict(sorted(emotions.items())), "face_sources": dict(fsrc),
        "background_categories": dict(sorted(bcat.items())),
        "skipped_files": manifest.get("skipped_files", {}),
        "problems": problems, "ok": not problems,
    }


def format_report(rep: dict) -> str:
    n = max(rep["images"], 1)
    lines = [f"{rep['folder']}: {rep['images']} images ({rep['status']})", "labels:"]
    for c, v in rep["labels"].items():
        lines.append(f"  {c:<9}{v:>8}  {100 * v / n:5.1f} %  " + "#" * int(40 * v / n))
    lines.append("faces per image:")
    top = max(rep["faces_per_image"].values() or [1])
    for k, v in rep["faces_per_image"].items():
        lines.append(f"  {k:>2}{v:>8}  " + "#" * int(40 * v / top))
    lines.append("emotions: " + ", ".join(f"{e} {v}" for e, v in rep["emotions"].items()))
    lines.append("backgrounds: " + ", ".join(f"{e} {v}" for e, v in rep["background_categories"].items()))
    for spec, files in rep["skipped_files"].items():
        lines.append(f"skipped {len(files)} unreadable file(s) in {spec}")
    if rep["problems"]:
        lines.append(f"{len(rep['problems'])} problem(s):")
        lines += [f"  {p}" for p in rep["problems"][:50]]
        if len(rep["problems"]) > 50:
            lines.append(f"  ... and {len(rep['problems']) - 50} more")
    else:
        lines.append("all checks passed")
    return "\n".join(lines)
