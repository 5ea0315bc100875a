"""Matplotlib through its object API only: a :class:`~matplotlib.figure.Figure` on its own Agg
canvas, saved atomically. No pyplot and no ``matplotlib.use``, so a notebook's backend and open
figures are untouched, and plotting is safe in threads and tests."""
from __future__ import annotations

from pathlib import Path

from synthgroup.io import atomic_path


def new_figure(**kw):
    """A Figure (``figsize``, ``dpi``, ...) drawn by its own Agg canvas."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(**kw)
    FigureCanvasAgg(fig)
    return fig


def save_png(fig, out: str | Path) -> Path:
    """Write ``fig`` as a PNG to ``out`` (its folder made if missing), atomically."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(out) as tmp:
        fig.savefig(tmp, format="png")
    return out
