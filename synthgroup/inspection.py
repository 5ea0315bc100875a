"""Check a generated folder, in any output format: counts, balance, faces per image, and validity.

Checks: the records list every sample 0..n-1 once (a missing chunk is named, with the shards to
run again); every sample is read back through its output format (image files, Parquet rows or
tar members): its image is a JPEG of the recorded size, its mask decodes at that size, and a
record stored with it (parquet, webdataset) agrees with ``metadata.jsonl``; every label equals
the majority rule recomputed from its faces' groups; every face's group follows its emotion;
every face's mask region has the recorded pixel count and lies inside its box (a face drawn over
another would lose pixels); the format's own checks (every Parquet file has one schema);
optionally (``replay``) faces are re-rendered from the record and their alphas checked to be
disjoint.
"""
from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from .config import GenConfig
from .errors import SynthGroupError
from .formats import DEFAULT_FORMAT, Encoded, OutputFormat, create_output_format
from .labels import CLASS_NAMES, emotion_groups, image_label

#: the fields of a record that a stored copy (parquet row, webdataset json) must agree on
RECORD_KEYS = ("index", "label", "n_faces", "size", "seed")


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


def output_format(folder: Path, manifest: dict) -> OutputFormat:
    """The output format a folder was written in (its manifest says; imagefolder before)."""
    n = manifest.get("n")
    if not isinstance(n, int) or n < 1:
        raise SynthGroupError(f"{folder / 'manifest.json'} gives no image count n")
    return create_output_format(manifest.get("format", DEFAULT_FORMAT), folder, n,
                                manifest.get("chunk"))


def inspect_folder(folder: str | Path, replay: int = 0) -> dict:
    folder = Path(folder)
    manifest, records = load_records(folder)
    cfg = GenConfig.from_dict(manifest["config"], where=str(folder / "manifest.json"))
    fmt = output_format(folder, manifest)
    groups_of = emotion_groups(cfg.surprise)
    problems: list[str] = []
    labels, nfaces, emotions, fsrc, bcat = Counter(), Counter(), Counter(), Counter(), Counter()
    for rec in records:
        name = rec.get("file_name") or f"sample {rec.get('index')}"
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
    by_index = _by_index(records, fmt, problems)
    problems += _check_files(fmt, by_index)
    problems += fmt.problems()
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
                    problems.append(f"{fmt.where(rec['index'])[0]}: faces overlap by {clash} px")
                region |= (alpha > 0)
    problems += _missing_chunks(fmt, by_index, manifest)
    return {
        "folder": str(folder), "images": len(records), "status": manifest.get("status"),
        "format": fmt.name,
        "labels": {c: labels.get(c, 0) for c in CLASS_NAMES},
        "faces_per_image": {k: nfaces[k] for k in sorted(nfaces)},
        "emotions": dict(sorted(emotions.items())), "face_sources": dict(fsrc),
        "background_categories": dict(sorted(bcat.items())),
        "skipped_files": manifest.get("skipped_files", {}),
        "problems": problems, "ok": not problems,
    }


def _by_index(records: list[dict], fmt: OutputFormat, problems: list[str]) -> dict[int, dict]:
    """The records by sample index; an index out of range or listed twice is a problem."""
    by_index: dict[int, dict] = {}
    for rec in records:
        i = rec.get("index")
        if not isinstance(i, int) or not 0 <= i < fmt.n:
            problems.append(f"a record has index {i!r}, not one of 0..{fmt.n - 1}")
        elif i in by_index:
            problems.append(f"sample {i} is listed twice")
        else:
            by_index[i] = rec
    return by_index


def _check_files(fmt: OutputFormat, by_index: dict[int, dict]) -> list[str]:
    """Read back every chunk that has records, through its format, and check its samples."""
    problems: list[str] = []
    for a, b in fmt.chunks():
        if not any(i in by_index for i in range(a, b)):
            continue                     # not made yet: _missing_chunks says so
        seen = set()
        try:
            for s in fmt.read_chunk(a, b):
                seen.add(s.index)
                if s.index in by_index and a <= s.index < b:
                    problems += _check_sample(s, by_index[s.index], *fmt.where(s.index))
                else:
                    problems.append(f"{fmt.where(s.index)[0]}: sample {s.index} does not belong "
                                    f"to chunk {a}-{b - 1} or is not listed in the metadata")
        except SynthGroupError as exc:
            problems.append(str(exc))
            continue
        for i in sorted(set(range(a, b)) - seen):
            problems.append(f"missing sample {i}: {fmt.where(i)[0]}")
    return problems


def _check_sample(s: Encoded, rec: dict, image: str, mask_at: str) -> list[str]:
    """A stored sample against its record: the image's size, the instance mask's faces, and
    the stored record (formats that store one) against ``metadata.jsonl``."""
    H, W = rec["size"]
    if s.jpg is None:
        return [f"missing image {image}"]
    try:
        with Image.open(io.BytesIO(s.jpg)) as im:
            if im.format != "JPEG" or im.size != (W, H):
                return [f"{image}: a {im.format} image of {im.size[1]}x{im.size[0]}, not a "
                        f"{H}x{W} JPEG"]
    except (OSError, ValueError):
        return [f"{image}: not an image"]
    problems = []
    differ = [k for k in RECORD_KEYS if s.record is not None and s.record.get(k) != rec.get(k)]
    if differ:
        problems.append(f"{image}: its stored record differs from metadata.jsonl in "
                        + ", ".join(differ))
    if s.png is None:
        return problems + [f"missing mask {mask_at}"]
    mask = cv2.imdecode(np.frombuffer(s.png, np.uint8), cv2.IMREAD_UNCHANGED)
    if mask is None or list(mask.shape) != [H, W]:
        return problems + [f"{mask_at}: unreadable or not {H}x{W}"]
    counts = np.bincount(mask.ravel(), minlength=len(rec["faces"]) + 1)
    if len(counts) > len(rec["faces"]) + 1 and counts[len(rec["faces"]) + 1:].any():
        problems.append(f"{mask_at}: holds face ids beyond the {len(rec['faces'])} listed")
    for k, f in enumerate(rec["faces"], 1):
        if counts[k] != f["pixels"]:
            problems.append(f"{image}: face {k} has {counts[k]} mask pixels, recorded {f['pixels']} "
                            "(overlap or corrupt mask)")
        x, y, w, h = f["box"]
        ys, xs = np.nonzero(mask == k)
        if len(xs) and (xs.min() < x or ys.min() < y or xs.max() >= x + w or ys.max() >= y + h):
            problems.append(f"{image}: face {k} spills out of its box")
    return problems


def _missing_chunks(fmt: OutputFormat, by_index: dict[int, dict], manifest: dict) -> list[str]:
    """Chunks with no record: which, and which shards (of the counts that ran) to run again."""
    missing = [j for j, (a, b) in enumerate(fmt.chunks())
               if not any(i in by_index for i in range(a, b))]
    if not missing:
        if len(by_index) != fmt.n:
            return [f"{len(by_index)} of {fmt.n} samples listed (status: {manifest.get('status')})"]
        return []
    chunks = fmt.chunks()
    listed = ", ".join(f"{chunks[j][0]}-{chunks[j][1] - 1}" for j in missing[:10])
    more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
    text = (f"{len(missing)} of {len(chunks)} chunks not made (samples {listed}{more}; status: "
            f"{manifest.get('status')})")
    reruns = []
    for m in manifest.get("shard_counts", []):
        if m > 1:
            shards = sorted({j % m for j in missing})
            reruns.append(", ".join(f"{k}/{m}" for k in shards[:20])
                          + (" ..." if len(shards) > 20 else ""))
    if reruns:
        text += "; run the same command again with --shard " + " or ".join(reruns)
    else:
        text += "; run the same command again to finish"
    return [text]


def format_report(rep: dict) -> str:
    n = max(rep["images"], 1)
    lines = [f"{rep['folder']}: {rep['images']} images, {rep['format']} ({rep['status']})",
             "labels:"]
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
