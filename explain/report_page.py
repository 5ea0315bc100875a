"""The ``index.html`` of an explanation report: :func:`render_page` fills the jinja2 template
``explain/templates/report.html.j2`` (autoescape on: every name, path and note from the inputs
is escaped by the template engine, not by hand) from the typed entries of
:mod:`explain.entries`."""
from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

from synthgroup.labels import CLASS_NAMES

from .entries import Entry
from .metrics import POINTING_TOLERANCE

TEMPLATE = "report.html.j2"
CLASS_COLOURS = ("#2ca02c", "#7f7f7f", "#d62728")

CSS = """
body{font-family:sans-serif;margin:1.5em;color:#222;max-width:1200px}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-top:1px solid #ccc;padding-top:.8em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.25em .6em;
font-size:.9em;text-align:left}th{background:#f2f2f2}
.row{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}
figure{margin:0}figcaption{font-size:.85em;color:#444;max-width:320px}
img{max-width:320px;height:auto;border:1px solid #ddd}img.wide{max-width:100%}
.bar{display:flex;align-items:center;gap:6px;font-size:.85em;margin:2px 0}
.lab{width:5.5em}.track{display:inline-block;width:160px;height:10px;background:#eee}
.fill{display:block;height:10px}.num{width:3.5em}
.note{color:#8a4b00;font-size:.9em}.priv{color:#555;font-size:.85em}
"""


def num(v, nd: int = 3) -> str:
    """``v`` with ``nd`` decimals; an en dash for a missing or non-finite value."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "\u2013"
    return f"{v:.{nd}f}" if isinstance(v, float) else str(v)


@lru_cache(maxsize=1)
def environment():
    """The jinja2 environment of the report templates (autoescape on, undefined names fail)."""
    import jinja2
    env = jinja2.Environment(loader=jinja2.PackageLoader("explain", "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True)
    env.filters["num"] = num
    return env


def focus_rows(summary: dict, pointing: dict | None = None) -> list[tuple]:
    """Rows ``(class, focus by true label, focus by explained class, pointing by true label,
    pointing by explained class)`` of the table of where the maps fall, from
    :func:`explain.metrics.face_focus_by_class` results (stats dicts or ``None``); empty
    without masks."""
    if not summary:
        return []
    tables = [summary, pointing or {}]
    groups = [t.get(k, {}) for t in tables
              for k in ("by_true_label_predicted_map", "by_explained_class")]
    keys = [k for k in CLASS_NAMES if any(k in g for g in groups)] + ["all"]
    return [(k, *(g.get(k) for g in groups)) for k in keys]


def render_page(entries: Sequence[Entry], *, title: str, checkpoint: str, backbone: str,
                method: str, approximate: bool, target_layer: str | None, generated: str,
                faithfulness: bool, road_percentiles: Sequence[int],
                focus_summary: dict, pointing_summary: dict | None = None,
                privacy: str = "auto",
                privacy_style: str = "pixelate", left_out: int = 0,
                limit: int | None = None) -> str:
    """The report's HTML page for ``entries`` (see ``templates/report.html.j2``);
    ``left_out``: inputs found but not explained because of ``--limit limit``."""
    from markupsafe import Markup
    return environment().get_template(TEMPLATE).render(
        entries=list(entries), title=title, checkpoint=checkpoint, backbone=backbone,
        method=method, approximate=approximate, target_layer=target_layer, generated=generated,
        faithfulness=faithfulness, road_percentiles=list(road_percentiles),
        focus_rows=focus_rows(focus_summary, pointing_summary),
        tolerance=POINTING_TOLERANCE, class_names=CLASS_NAMES, colours=CLASS_COLOURS,
        privacy=privacy, privacy_style=privacy_style, left_out=left_out, limit=limit,
        css=Markup(CSS))
