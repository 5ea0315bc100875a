"""Timeline plots of per-frame class probabilities (PNG), written atomically.

Uses matplotlib's object API with the Agg canvas only (no pyplot, no global backend change), so
it is safe in scripts, tests and threads.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from synthgroup.labels import CLASS_NAMES

from .figures import new_figure, save_png

CLASS_COLOURS = ("#2ca02c", "#7f7f7f", "#d62728")     # Positive green, Neutral grey, Negative red


def plot_series(times: Sequence, probs, out_png, title: str = "",
                window: Sequence[tuple[float, int]] | None = None,
                video_label: int | None = None, method: str | None = None,
                xlabel: str | None = None) -> Path:
    """Plot ``(T, 3)`` probabilities against ``times`` (seconds; ``None`` entries -> frame
    numbers) with a strip of per-frame labels below, and optionally the sliding-window mood
    (``window``: ``(time, label)`` pairs) or the video label. Returns the PNG path."""
    probs = np.asarray(probs, dtype=float).reshape(-1, len(CLASS_NAMES))
    if any(t is None for t in times):
        x = np.arange(len(probs), dtype=float)
        xlabel = xlabel or "frame"
    else:
        x = np.asarray(times, dtype=float)
        xlabel = xlabel or "time (s)"
    labels = probs.argmax(axis=1) if len(probs) else np.zeros(0, int)
    strips = 2 if window else 1
    fig = new_figure(figsize=(10, 3.6 + 0.35 * strips), dpi=100)
    gs = fig.add_gridspec(1 + strips, 1, height_ratios=[8] + [1] * strips, hspace=0.08)
    ax = fig.add_subplot(gs[0])
    for c, (name, colour) in enumerate(zip(CLASS_NAMES, CLASS_COLOURS)):
        ax.plot(x, probs[:, c], color=colour, label=name, lw=1.6,
                marker="o" if len(x) <= 40 else None, ms=3)
    ax.set_ylim(-0.02, 1.02)
    ax.set_ylabel("probability")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right", fontsize=8, ncol=3)
    head = title
    if video_label is not None:
        head += (" - " if head else "") + f"video: {CLASS_NAMES[video_label]}"
        if method:
            head += f" ({method})"
    ax.set_title(head, fontsize=10)
    ax.tick_params(labelbottom=False)

    def strip(axis, xs, ls, name):
        if len(xs):
            edges = _edges(np.asarray(xs, dtype=float))
            colours = [CLASS_COLOURS[int(l)] for l in ls]
            axis.bar(edges[:-1], np.ones(len(xs)), width=np.diff(edges), align="edge",
                     color=colours, linewidth=0)
            axis.set_xlim(ax.get_xlim())
        axis.set_yticks([])
        axis.set_ylabel(name, rotation=0, ha="right", va="center", fontsize=8)

    ax_f = fig.add_subplot(gs[1], sharex=ax)
    strip(ax_f, x, labels, "frame")
    last = ax_f
    if window:
        ax_w = fig.add_subplot(gs[2], sharex=ax)
        wx = [t for t, _ in window] if not any(t is None for t, _ in window) else list(range(len(window)))
        strip(ax_w, wx, [l for _, l in window], "mood")
        ax_f.tick_params(labelbottom=False)
        last = ax_w
    last.set_xlabel(xlabel)
    fig.subplots_adjust(left=0.09, right=0.98, top=0.9, bottom=0.14)
    return save_png(fig, out_png)


def _edges(x: np.ndarray) -> np.ndarray:
    if len(x) == 1:
        return np.array([x[0] - 0.5, x[0] + 0.5])
    mid = (x[1:] + x[:-1]) / 2
    return np.concatenate([[x[0] - (mid[0] - x[0])], mid, [x[-1] + (x[-1] - mid[-1])]])


def plot_timeline(result, out_png) -> Path:
    """Timeline PNG of a :class:`globalnet.predict.VideoResult`: per-frame probabilities over
    time, a strip of frame labels, and the video label in the title."""
    probs = result.frame_probs
    times = [f.time_s for f in result.frames]
    title = Path(result.path).name
    if getattr(result, "truncated", False):
        title += f" (truncated: {result.frames_decoded} frames decoded)"
    return plot_series(times, probs, out_png, title=title, video_label=result.label,
                       method=result.method)


__all__ = ["plot_timeline", "plot_series", "CLASS_COLOURS"]
