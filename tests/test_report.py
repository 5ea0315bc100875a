"""explain report: typed entries, the jinja2 page, privacy by default, --limit and the run-time
estimate, face focus and pointing game of synthetic inputs."""
from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
import standins as S
from test_explain import _report, workspace  # noqa: F401  (the module fixture)

from explain.cli import main as explain_main
from explain.entries import ImageEntry, MapScore, Obscuring, Panels, VideoEntry
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
                   synthetic=True, panels=panels, truth=0,
                   scores=[MapScore(focus=1.5, energy_share=0.3, area_share=0.2, faces=2)] * 3)
    v = VideoEntry(input="v.mp4", name="v.mp4", anchor="input-1", probs=[0.1, 0.1, 0.8], label=2,
                   obscured=Obscuring("pixelate", 8, "not synthetic"),
                   timeline="img/v000_timeline.png", method="mean", frames_used=4,
                   frames_decoded=10, note="<i>cut</i>")
    page = _page([e, v], title="A & B")
    assert "<script>" not in page and "&lt;script&gt;" in page and "<i>cut</i>" not in page
    assert "<title>A &amp; B</title>" in page
    assert e.to_json()["face_focus"] == [1.5] * 3 and v.to_json()["face_focus"] == [None] * 3


# ------------------------------------------------------------------------------ privacy
def _haar_faces(rgb) -> int:
    """Faces OpenCV's frontal Haar cascade finds in an RGB picture, as grey and as equalised
    grey (scale step 1.05, 3 neighbours, 16 px and up: more sensitive than its defaults)."""
    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")
    assert not cascade.empty()
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    return sum(len(cascade.detectMultiScale(g, scaleFactor=1.05, minNeighbors=3, minSize=(16, 16)))
               for g in (grey, cv2.equalizeHist(grey)))


@pytest.fixture(scope="module")
def group_photo(workspace):  # noqa: F811
    """A real-looking group picture - synthgroup's procedural faces, large - saved as a plain
    photo (no synthgroup folder around it, so not synthetic), and a short video of it."""
    from synthgroup import GenConfig, Sources, make_sample
    cfg = GenConfig(size=(360, 480), seed=3, faces_per_image=(3, 4), face_size=(0.3, 0.4))
    rgb = make_sample(cfg, Sources(cfg), 0).image
    folder = workspace["root"] / "photos"
    folder.mkdir()
    photo = folder / "class_photo.png"
    cv2.imwrite(str(photo), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    video = S.write_clip(folder / "class_clip.avi", [rgb] * 6)
    return {"photo": photo, "video": video, "rgb": rgb}


def _written_pictures(out):
    pictures = sorted((out / "img").glob("*.png"))
    assert pictures
    return {p.name: cv2.cvtColor(cv2.imread(str(p)), cv2.COLOR_BGR2RGB) for p in pictures}


@pytest.mark.parametrize("style", ["pixelate", "blur"])
def test_no_face_is_found_in_any_picture_of_a_default_report(workspace, group_photo,  # noqa: F811
                                                             style):
    assert _haar_faces(group_photo["rgb"]) >= 2               # the detector does find the faces
    out = workspace["root"] / f"rep_private_{style}"
    assert _report(workspace, out, "--frames", "2", "--key-frames", "2", "--privacy-style", style,
                   inputs=[group_photo["photo"], group_photo["video"]]) == 0
    pictures = {n: p for n, p in _written_pictures(out).items() if not n.endswith("_timeline.png")}
    assert {n[:5] for n in pictures} == {"i000_", "v000_"}
    assert {n: _haar_faces(p) for n, p in pictures.items() if _haar_faces(p)} == {}
    data = json.loads((out / "report.json").read_text())
    assert [(e["synthetic"], e["private"], e["obscured"]["style"], e["obscured"]["reason"])
            for e in data["inputs"]] == [(False, True, style, "not synthetic")] * 2
    page = (out / "index.html").read_text()
    assert page.count("<b>Obscured:</b>") == 2 and "private by default" in page


def test_privacy_off_shows_the_faces(workspace, group_photo):  # noqa: F811
    """The check above can fail: without obscuring, the report's pictures show the faces."""
    out = workspace["root"] / "rep_private_off"
    assert _report(workspace, out, "--privacy", "off", inputs=[group_photo["photo"]]) == 0
    assert _haar_faces(_written_pictures(out)["i000_input.png"]) >= 2
    data = json.loads((out / "report.json").read_text())
    assert data["inputs"][0]["obscured"] is None
    assert "Not obscured (<code>--privacy off</code>)" in (out / "index.html").read_text()


def _map(workspace, image, out, *extra):  # noqa: F811
    return explain_main(["map", "--checkpoint", str(workspace["ck"]), str(image), "--out", str(out),
                         "--method", "gradcam", "-q", *extra])


def test_explain_map_obscures_a_photo_by_default(workspace, group_photo, capsys):  # noqa: F811
    out = workspace["root"] / "maps"
    assert _map(workspace, group_photo["photo"], out / "private.png") == 0
    assert "picture obscured (pixelate, not synthetic; --privacy off shows it)" in capsys.readouterr().out
    assert _map(workspace, group_photo["photo"], out / "shown.png", "--privacy", "off") == 0
    assert "obscured" not in capsys.readouterr().out
    read = (lambda name: cv2.cvtColor(cv2.imread(str(out / name)), cv2.COLOR_BGR2RGB))
    assert _haar_faces(read("private.png")) == 0
    assert _haar_faces(read("shown.png")) >= 1            # the same map over the plain photo
    synthetic = sorted((workspace["synth"] / "images").glob("*.jpg"))[0]
    assert _map(workspace, synthetic, out / "synth.png") == 0   # a synthgroup image: as it is
    assert "obscured" not in capsys.readouterr().out
    assert _map(workspace, synthetic, out / "synth_on.png", "--privacy", "on") == 0
    assert "obscured (pixelate, --privacy on" in capsys.readouterr().out


# ------------------------------------------------------------------------------ --limit, estimate
def test_limit_explains_the_first_inputs_and_says_so(workspace, capsys):  # noqa: F811
    out = workspace["root"] / "rep_limit"
    capsys.readouterr()
    assert explain_main(["report", "--checkpoint", str(workspace["ck"]), str(workspace["synth"]),
                         str(workspace["video"]), "--out", str(out), "--method", "gradcam",
                         "--limit", "2"]) == 0
    err = capsys.readouterr().err
    assert "--limit 2: explaining the first 2 of 3 inputs" in err
    # the first image is timed, the rest estimated from it, before the rest is explained
    estimate = next(line for line in err.splitlines() if "should take about" in line)
    assert "the first image took" in estimate and "the other image" in estimate
    assert err.index("should take about") < err.index("000001.jpg")
    data = json.loads((out / "report.json").read_text())
    assert [e["kind"] for e in data["inputs"]] == ["image", "image"] and data["inputs_found"] == 3
    assert 'id="limit"' in (out / "index.html").read_text()


@pytest.mark.parametrize("value", ["0", "-3"])
def test_bad_limit_is_one_message(workspace, capsys, value):  # noqa: F811
    out = workspace["root"] / f"rep_limit_{value}"
    capsys.readouterr()
    assert explain_main(["report", "--checkpoint", str(workspace["ck"]), str(workspace["synth"]),
                         "--out", str(out), "--limit", value, "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("explain: error: --limit") and value in err[0]
    assert not out.exists()


def test_duration_reads_well():
    from explain.report import _duration
    assert [_duration(s) for s in (0.42, 12.4, 185, 7625)] == ["0.4 s", "12 s", "3 min 05 s",
                                                               "2 h 07 min"]


# ------------------------------------------------------------------------------ where maps fall
def test_map_scores_are_face_focus_and_pointing_game_inside_the_crop(tmp_path):
    from explain.metrics import face_focus_details
    from explain.report import _class_panels
    (tmp_path / "img").mkdir()
    rgb = np.full((40, 60, 3), 128, np.uint8)
    mask = np.zeros((40, 60), np.uint8)
    mask[5:15, 40:50] = 1
    on, off, flat = (np.zeros((40, 60), np.float32) for _ in range(3))
    on[10, 45] = 1                                   # the maximum on the face
    off[35, 5] = 1                                   # far from it
    box = (2, 0, 58, 40)                             # the crop the model sees
    panels, scores = _class_panels(tmp_path, "t", rgb, [on, off, flat], mask, None, box)
    assert [s.pointing_hit for s in scores] == [True, False, None]     # flat: points nowhere
    assert scores[0].focus == face_focus_details(on[:, 2:58], mask[:, 2:58])["focus"]
    assert scores[0].faces == 1 and len(panels.overlays) == 3


def test_synthetic_inputs_show_face_focus_and_pointing_game(workspace):  # noqa: F811
    out = workspace["root"] / "rep_pointing"
    assert _report(workspace, out, inputs=[workspace["synth"]]) == 0
    data = json.loads((out / "report.json").read_text())
    hits = [h for e in data["inputs"] for h in e["pointing_game"]]
    assert hits and all(h in (True, False, None) for h in hits)
    assert [d["pointing_hit"] for d in data["inputs"][0]["face_focus_details"]] == \
        data["inputs"][0]["pointing_game"]
    known = [h for h in hits if h is not None]
    summary = data["pointing_game_summary"]["by_explained_class"]["all"]
    assert summary["n"] == len(known) and summary["mean"] == pytest.approx(np.mean(known))
    page = (out / "index.html").read_text()
    assert 'id="input-0-faces"' in page and "pointing-game hits" in page
    assert page.count("pointing game: hit") + page.count("pointing game: miss") >= len(known)
