"""Live mode: score a camera, a stream URL or a video file read as a stream, frame by frame,
and report a sliding-window mood (``globalnet predict --live``)::

    from globalnet.live import run_live
    run_live(predictor, 0, window=5, out_dir="live/")     # camera 0 until Ctrl-C

The source is read through :class:`globalnet.video.LiveCapture`; frames are scored by a
:class:`globalnet.predict.Predictor`.
"""
from __future__ import annotations

import collections
import csv
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from synthgroup.labels import CLASS_NAMES

from .aggregate import METHODS, aggregate
from .errors import GlobalNetError
from .predict import FrameResult, Predictor, round_probs
from .video import LiveCapture, check_video_file


@dataclass
class LiveResult:
    source: str
    frames: list[FrameResult]
    windows: list[dict]
    frames_read: int
    stopped: str
    csv_path: Path | None = None
    png_path: Path | None = None


def _parse_live_source(source):
    """(what to give :meth:`LiveCapture.open`, human name, is_file)."""
    s = str(source).strip()
    if s.isdigit():
        return int(s), f"camera {s}", False
    p = Path(s).expanduser()
    if "://" not in s:
        if not p.exists():
            raise GlobalNetError(f"live source {s!r} is not a camera index, a URL or an existing "
                                 "file")
        check_video_file(p)
        return str(p), f"file {p}", True
    return s, f"stream {s}", False


def run_live(predictor: Predictor, source, window: float = 5.0, every: int = 1,
             method: str = "mean", max_frames: int | None = None, max_seconds: float | None = None,
             out_dir=None, print_every: float = 1.0, plot_every: float = 5.0,
             stream=None) -> LiveResult:
    """Score a live source frame by frame and report a sliding-window mood.

    ``source``: a camera index (``0``), a stream URL (``rtsp://...``) or a video file read as a
    stream. Every ``every``-th frame is scored; the mood is ``method`` over the frames of the
    last ``window`` seconds (media time for a file, wall-clock time for cameras and URLs). A line
    ``t=...s mood=<class> P=.. N=.. Neg=.. (k frames)`` goes to ``stream`` (stdout) every
    ``print_every`` seconds; with ``out_dir``, each scored frame is appended to
    ``live.csv`` as it comes and ``live_timeline.png`` is rewritten (atomically) every
    ``plot_every`` seconds and at the end. Stops at the end of the source, after
    ``max_frames`` frames read or ``max_seconds``, or on Ctrl-C.
    """
    from .timeline import plot_series

    if method not in METHODS:
        raise GlobalNetError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    if isinstance(every, bool) or int(every) < 1:
        raise GlobalNetError(f"every must be an integer >= 1, got {every!r}")
    if not (window > 0):
        raise GlobalNetError(f"window must be > 0 seconds, got {window!r}")
    stream = stream or sys.stdout
    target, name, is_file = _parse_live_source(source)
    cap = LiveCapture.open(target)
    if cap is None:
        raise GlobalNetError(f"cannot open {name}" + (
            " (no such camera, or it is busy / not permitted)" if isinstance(target, int) else ""))
    fps = cap.fps
    media_time = is_file and fps > 0 and math.isfinite(fps)
    out = None
    csv_file = writer = None
    png = csvp = None
    if out_dir is not None:
        out = Path(out_dir).expanduser()
        out.mkdir(parents=True, exist_ok=True)
        csvp, png = out / "live.csv", out / "live_timeline.png"
        csv_file = open(csvp, "w", newline="")
        writer = csv.writer(csv_file)
        writer.writerow(["frame", "time_s", *[f"p_{c.lower()}" for c in CLASS_NAMES], "label",
                         "label_name", "window_label", "window_label_name",
                         *[f"window_p_{c.lower()}" for c in CLASS_NAMES]])
        csv_file.flush()
    frames: list[FrameResult] = []
    windows: list[dict] = []
    win: collections.deque = collections.deque()
    start = time.monotonic()
    last_print = last_plot = None
    k = 0
    stopped = "end of source"

    def save_plot():
        if png is not None and frames:
            plot_series([f.time_s for f in frames], np.stack([f.probs for f in frames]), png,
                        title=f"{name} - live, {method} over {window:g} s",
                        window=[(w["time_s"], w["label"]) for w in windows])

    try:
        while True:
            if max_frames is not None and k >= max_frames:
                stopped = f"max frames ({max_frames})"
                break
            if max_seconds is not None and time.monotonic() - start >= max_seconds:
                stopped = f"max seconds ({max_seconds:g})"
                break
            if k % int(every):                  # not scored: move past the frame
                if not cap.skip():
                    break
                k += 1
                continue
            rgb = cap.read()
            if rgb is None:
                break
            t = k / fps if media_time else time.monotonic() - start
            p = predictor.predict_frames([rgb])[0]
            fr = FrameResult(k, t, p, int(np.argmax(p)))
            frames.append(fr)
            win.append(fr)
            while win and win[0].time_s <= t - window:
                win.popleft()
            wp, wl = aggregate(np.stack([f.probs for f in win]), method)
            w = {"time_s": t, "frame": k, "label": wl, "label_name": CLASS_NAMES[wl],
                 "probs": round_probs(wp), "frames": len(win)}
            if writer is not None:
                writer.writerow([k, f"{t:.3f}", *[f"{x:.6f}" for x in p], fr.label,
                                 CLASS_NAMES[fr.label], wl, CLASS_NAMES[wl],
                                 *[f"{x:.6f}" for x in wp]])
                csv_file.flush()
            windows.append(w)
            if last_print is None or t - last_print >= print_every:
                last_print = t
                print(f"t={t:7.2f}s  mood={CLASS_NAMES[wl]:<8s} "
                      + " ".join(f"{c[:3]}={x:.2f}" for c, x in zip(CLASS_NAMES, wp))
                      + f"  ({len(win)} frames in {window:g} s)", file=stream, flush=True)
            if last_plot is None or t - last_plot >= plot_every:
                last_plot = t
                save_plot()
            k += 1
    except KeyboardInterrupt:
        stopped = "interrupted"
    finally:
        cap.close()
        if csv_file is not None:
            csv_file.close()
    if not frames:
        raise GlobalNetError(f"no frames could be read from {name}")
    save_plot()
    print(f"stopped ({stopped}) after {k} frame(s), {len(frames)} scored", file=stream, flush=True)
    return LiveResult(str(source), frames, windows, k, stopped, csvp, png)


__all__ = ["LiveResult", "run_live"]
