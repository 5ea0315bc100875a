"""The files ``globalnet predict --out DIR`` writes, callable from a notebook as from the CLI::

    from globalnet.outputs import write_evaluation, write_predictions
    images = p.predict_images(["a.jpg"])
    videos = [p.predict_video("clip.mp4", every=5)]
    write_predictions("preds/", p, images, videos, method="mean", every=5)
    write_evaluation("ev/", evaluate_videos(p, "vgaf:/data/VGAF", split="val"))

* :func:`write_predictions`: ``predictions.json`` (everything), ``frames.csv`` (one row per
  scored video frame), ``videos.csv`` (one row per video), ``images.csv`` (when images were
  given) and ``<video-stem>_timeline.png`` (unless ``timelines=False``).
* :func:`write_evaluation`: ``evaluation.json`` and ``evaluation.csv`` of
  :func:`globalnet.predict.evaluate_videos`.

Both go through :func:`publish`: every file is written into a hidden temporary folder beside
``DIR`` first, then moved into place, so a failure leaves no partial report.
"""
from __future__ import annotations

import csv
import functools
import io
import json
import os
import shutil
from pathlib import Path
from typing import Callable, Iterable, Sequence

from synthgroup.io import temp_name
from synthgroup.labels import CLASS_NAMES

from .errors import GlobalNetError
from .predict import ImageResult, VideoResult, sampling_mode

P_COLUMNS = [f"p_{c.lower()}" for c in CLASS_NAMES]


def csv_text(header: Sequence, rows: Iterable[Sequence]) -> str:
    """CSV text (``\\n`` line ends) of a header and rows."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def unique_stems(paths) -> list[str]:
    """File stems, the second ``clip`` of ``a/clip.mp4, b/clip.mp4`` as ``clip_2``."""
    seen: dict[str, int] = {}
    out = []
    for p in paths:
        stem = Path(p).stem
        seen[stem] = seen.get(stem, 0) + 1
        out.append(stem if seen[stem] == 1 else f"{stem}_{seen[stem]}")
    return out


def prediction_files(predictor, images: Sequence[ImageResult], videos: Sequence[VideoResult],
                     method: str = "mean", sampling: dict | None = None,
                     timelines: bool = True) -> dict[str, str | Callable[[Path], object]]:
    """``{file name: text, or a function writing the file at a path}`` of
    :func:`write_predictions`."""
    from .timeline import plot_timeline

    doc = {"checkpoint": predictor.checkpoint, "backbone": predictor.backbone,
           "device": str(predictor.device), "input_size": predictor.input_size,
           "mixed_precision": predictor.amp,
           "class_names": list(CLASS_NAMES), "method": method,
           "sampling": sampling if sampling is not None else sampling_mode(),
           "images": [r.to_dict() for r in images], "videos": [r.to_dict() for r in videos]}
    files: dict[str, str | Callable[[Path], object]] = {
        "predictions.json": json.dumps(doc, indent=2) + "\n"}
    frame_rows, video_rows = [], []
    for r in videos:
        for f in r.frames:
            frame_rows.append([str(r.path), f.index, "" if f.time_s is None else f"{f.time_s:.6f}",
                               *[f"{x:.6f}" for x in f.probs], f.label, CLASS_NAMES[f.label]])
        video_rows.append([str(r.path), r.label, r.label_name, *[f"{x:.6f}" for x in r.probs],
                           r.method, *[r.methods[m][1] for m in ("mean", "sum", "vote")],
                           len(r.frames), r.frames_decoded,
                           "" if r.frames_claimed is None else r.frames_claimed,
                           "" if r.fps is None else f"{r.fps:.6g}", int(r.truncated), r.note])
    files["frames.csv"] = csv_text(["video", "frame", "time_s", *P_COLUMNS, "label", "label_name"],
                                   frame_rows)
    files["videos.csv"] = csv_text(["video", "label", "label_name", *P_COLUMNS, "method",
                                    "label_mean", "label_sum", "label_vote", "frames_used",
                                    "frames_decoded", "frames_claimed", "fps", "truncated",
                                    "note"], video_rows)
    if images:
        files["images.csv"] = csv_text(["image", *P_COLUMNS, "label", "label_name"],
                                       [[str(r.path), *[f"{x:.6f}" for x in r.probs], r.label,
                                         r.label_name] for r in images])
    if timelines:
        for stem, r in zip(unique_stems([r.path for r in videos]), videos):
            files[f"{stem}_timeline.png"] = functools.partial(plot_timeline, r)
    return files


def evaluation_files(ev: dict) -> dict[str, str]:
    """``evaluation.json`` and ``evaluation.csv`` (one row per video) of an evaluation."""
    header = ["video", "true", "true_name"]
    for m in ev["methods"]:
        header += [f"{m}_label", f"{m}_label_name", f"{m}_correct"]
    header += ["frames_used", "frames_decoded", "truncated"]
    rows = []
    for r in ev["rows"]:
        row = [r["path"], r["true"], r["true_name"]]
        for m in ev["methods"]:
            row += [r[m]["label"], r[m]["label_name"], int(r[m]["correct"])]
        rows.append(row + [r["frames_used"], r["frames_decoded"], int(r["truncated"])])
    return {"evaluation.json": json.dumps(ev, indent=2) + "\n",
            "evaluation.csv": csv_text(header, rows)}


def publish(files: dict[str, object], out_dir: Path | str) -> list[Path]:
    """Write ``{name: text | callable(path)}`` into ``out_dir`` all-or-nothing.

    Everything is written into a hidden temporary folder beside ``out_dir`` first; then the folder
    is renamed to ``out_dir`` (when it does not exist yet) or each file is moved in with
    ``os.replace``. On any error the temporary folder is removed and ``out_dir`` is untouched.
    """
    out_dir = Path(out_dir).expanduser()
    if out_dir.exists() and not out_dir.is_dir():
        raise GlobalNetError(f"--out {out_dir} exists and is not a folder")
    parent = out_dir.parent
    tmp = temp_name(out_dir, "partial")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp.mkdir()
    except OSError as e:
        raise GlobalNetError(f"cannot write to {parent} ({e.strerror or e})") from None
    try:
        for name, content in files.items():
            target = tmp / name
            if callable(content):
                content(target)
            else:
                target.write_text(content)
        if not out_dir.exists():
            os.replace(tmp, out_dir)
        else:
            for name in files:
                os.replace(tmp / name, out_dir / name)
            shutil.rmtree(tmp, ignore_errors=True)
    except OSError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        raise GlobalNetError(f"cannot write the report into {out_dir} ({e.strerror or e})") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return [out_dir / n for n in files]


def write_predictions(out_dir: Path | str, predictor, images: Sequence[ImageResult] = (),
                      videos: Sequence[VideoResult] = (), method: str = "mean",
                      every: int | None = None, n: int | None = None,
                      all: bool = False, timelines: bool = True) -> list[Path]:  # noqa: A002
    """Write the prediction report of ``images`` and ``videos`` (results of ``predictor``) into
    ``out_dir``; ``method`` and ``every`` / ``n`` / ``all`` are recorded as the run's settings.
    Returns the paths written."""
    files = prediction_files(predictor, list(images), list(videos), method,
                             sampling_mode(every, n, all), timelines)
    return publish(files, out_dir)


def write_evaluation(out_dir: Path | str, ev: dict) -> list[Path]:
    """Write ``evaluation.json`` and ``evaluation.csv`` of :func:`evaluate_videos` into
    ``out_dir``; returns the paths written."""
    return publish(evaluation_files(ev), out_dir)


__all__ = ["write_predictions", "write_evaluation", "prediction_files", "evaluation_files",
           "publish", "csv_text", "unique_stems", "P_COLUMNS"]
