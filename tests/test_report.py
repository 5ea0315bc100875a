"""explain report: typed entries, the jinja2 page, privacy by default, --limit and the run-time
estimate, face focus and pointing game of synthetic inputs."""
from __future__ import annotations

from explain.entries import ImageEntry, MapScore, Panels, VideoEntry
from explain.report_page import render_page


def _page(entries, **kw):
    args = dict(title="t", checkpoint="ck.pt", backbone="resnet18", method="gradcam",
                approximate=False, target_layer="layer4", generated="now", faithfulness=False,
                road_percentiles=(20,), focus_summary={})
    return render_page(entries, **{**args, **kw})


def test_page_escapes_every_name_from_the_inputs():
    panels = Panels("img/i000_input.png", [f"img/i000_{c}.png" for c in "abc"])
    evil = '<script>alert("x")</script>&.jpg'
    e = ImageEntry(input=evil, name=evil, anchor="input-0", probs=[0.2, 0.3, 0.5], label=2,
                   private=False, panels=panels, truth=0,
                   scores=[MapScore(focus=1.5, energy_share=0.3, area_share=0.2, faces=2)] * 3)
    v = VideoEntry(input="v.mp4", name="v.mp4", anchor="input-1", probs=[0.1, 0.1, 0.8], label=2,
                   private=True, timeline="img/v000_timeline.png", method="mean", frames_used=4,
                   frames_decoded=10, note="<i>cut</i>")
    page = _page([e, v], title="A & B")
    assert "<script>" not in page and "&lt;script&gt;" in page and "<i>cut</i>" not in page
    assert "<title>A &amp; B</title>" in page
    assert e.to_json()["face_focus"] == [1.5] * 3 and v.to_json()["face_focus"] == [None] * 3
