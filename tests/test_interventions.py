"""Interventions on records (another background, faces removed) and the benchmark built on them."""
import json
import math
from collections import Counter

import cv2
import numpy as np
import pytest

from synthgroup import GenConfig, Sources, render_record, sample_record
from synthgroup.errors import ConfigError
from synthgroup.interventions import majority_margin, with_background, with_face, with_face_emotion, without_faces
from synthgroup.labels import EMOTIONS


@pytest.fixture(scope="module")
def scenes():
    cfg = GenConfig(size=(128, 128), split="test", seed=3, faces_per_image=(3, 6))
    src = Sources(cfg)
    return src, [sample_record(cfg, src, i)[0] for i in range(4)]


def test_another_background_keeps_every_face_pixel(scenes):
    src, recs = scenes
    a, b = recs[0], recs[1]
    img, mask = render_record(a, src)
    img2, mask2 = render_record(with_background(a, b["background"]), src)
    assert (mask == mask2).all() and mask.any()
    inside = cv2.erode((mask > 0).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    assert inside.sum() > 100
    assert (img[inside] == img2[inside]).all()                 # faces: the same pixels
    assert (img[mask == 0] != img2[mask == 0]).any()           # background: another one
    assert a["background"] != b["background"] and with_background(a, b["background"])["faces"] == a["faces"]


def test_removing_faces_keeps_every_background_pixel_and_relabels(scenes):
    src, recs = scenes
    r = recs[2]
    img, mask = render_record(r, src)
    fewer = without_faces(r, [0])
    img2, mask2 = render_record(fewer, src)
    near = cv2.dilate((mask == 1).astype(np.uint8), np.ones((9, 9), np.uint8)) > 0
    assert ((img == img2).all(axis=2) | near).all()            # only around the removed face
    assert not (img[mask == 1] == img2[mask == 1]).all()
    assert fewer["n_faces"] == r["n_faces"] - 1 and r["n_faces"] == len(r["faces"])
    bare = without_faces(r)
    assert bare["faces"] == [] and bare["label"] is None and not render_record(bare, src)[1].any()
    with pytest.raises(ConfigError, match="out of range"):
        without_faces(r, [99])


def test_relabelling_follows_the_majority_rule():
    rec = {"faces": [{"group": 0}, {"group": 0}, {"group": 2}], "label": 0, "label_name": "Positive",
           "n_faces": 3}
    assert without_faces(rec, [2])["label"] == 0
    assert without_faces(rec, [0])["label"] == 1               # 1-1 tie: Neutral
    assert majority_margin(rec) == 1 and majority_margin(without_faces(rec, [2])) == 2
    assert majority_margin(without_faces(rec, [0])) == 0 and majority_margin(without_faces(rec)) == 0


def _close_majority(src, cfg):
    """The first test scene whose majority leads the runner-up by one face (two classes present)."""
    for i in range(200):
        r = sample_record(cfg, src, i)[0]
        if majority_margin(r) == 1 and len({f["group"] for f in r["faces"]}) >= 2 and r["n_faces"] >= 3:
            return r
    raise AssertionError("no close majority among 200 scenes")


def test_flipping_one_face_changes_only_that_face_and_the_rule_label(scenes):
    src, _ = scenes
    r = _close_majority(src, GenConfig(size=(128, 128), split="test", seed=3, faces_per_image=(3, 6)))
    counts = Counter(f["group"] for f in r["faces"])
    (major, _), (runner, _) = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:2]
    k = next(i for i, f in enumerate(r["faces"]) if f["group"] == major)
    emotion = src.emotions_by_group[runner][0]
    flipped = with_face_emotion(r, k, emotion, src)
    # the record: only face k's expression (and what follows from it) changed
    assert flipped["label"] == runner != r["label"] == major
    assert flipped["faces"][k]["group"] == runner and flipped["faces"][k]["emotion"] == emotion
    assert flipped["faces"][k]["identity"] == r["faces"][k]["identity"]
    for key in ("position", "aug", "height", "variant", "source"):
        assert flipped["faces"][k][key] == r["faces"][k][key]
    assert [f for i, f in enumerate(flipped["faces"]) if i != k] == \
        [f for i, f in enumerate(r["faces"]) if i != k]
    assert flipped["background"] == r["background"] and flipped["image_aug"] == r["image_aug"]
    # the pixels: the same everywhere but on (and right around) face k
    img, mask = render_record(r, src)
    img2, mask2 = render_record(flipped, src)
    face_k = (mask == k + 1) | (mask2 == k + 1)
    near = cv2.dilate(face_k.astype(np.uint8), np.ones((9, 9), np.uint8)) > 0
    assert ((img == img2).all(axis=2) | near).all()
    assert (mask[~near] == mask2[~near]).all()                       # other faces, background
    assert ((mask > 0) & ~near).sum() > 50 and (mask[~near] == 0).sum() > 1000
    assert not (img[mask == k + 1] == img2[mask == k + 1]).all()    # the face itself changed
    # a minority face flipped to the majority's class: the rule's label stays
    j = next(i for i, f in enumerate(r["faces"]) if f["group"] == runner)
    control = with_face_emotion(r, j, src.emotions_by_group[major][0], src)
    assert control["label"] == major and majority_margin(control) == 3
    # every emotion of the configuration can be shown; others are refused
    for e in src.groups:
        assert with_face_emotion(r, k, e, src)["faces"][k]["emotion"] == e
    with pytest.raises(ConfigError, match="no class"):
        with_face_emotion(r, k, "surprise", src)     # excluded by the default surprise policy
    with pytest.raises(ConfigError, match="out of range"):
        with_face_emotion(r, 99, "sadness", src)


def test_another_person_at_the_same_place(scenes):
    src, recs = scenes
    r = recs[0]
    face = r["faces"][0]
    other = next(f["identity"] for rec in recs for f in rec["faces"] if f["identity"] != face["identity"])
    swapped = with_face(r, 0, src, identity=other)
    new = swapped["faces"][0]
    assert new["identity"] == other and new["emotion"] == face["emotion"] and new["position"] == face["position"]
    assert swapped["label"] == r["label"]
    mask2 = render_record(swapped, src)[1]
    assert (mask2 == 1).any() and cv2.boundingRect((mask2 == 1).view(np.uint8))[0] >= new["box"][0]
    assert abs(int((mask2 == 1).sum()) - new["pixels"]) <= new["pixels"] // 5 + 5   # others may cover it
    with pytest.raises(ConfigError, match="no 'happiness' face of identity 'nobody'"):
        with_face(r, 0, src, identity="nobody", emotion="happiness")
    assert set(EMOTIONS) >= set(src.groups)


def test_wilson_and_kl():
    from benchmarks.background_counting import kl_to_uniform
    from benchmarks.common import wilson
    p, lo, hi = wilson(8, 10)
    assert p == 0.8 and lo == pytest.approx(0.490, abs=1e-3) and hi == pytest.approx(0.943, abs=1e-3)
    assert math.isnan(wilson(0, 0)[0])
    assert kl_to_uniform(np.full((1, 3), 1 / 3))[0] == pytest.approx(0)
    assert kl_to_uniform(np.array([[1.0, 0, 0]]))[0] == pytest.approx(math.log(3), abs=1e-6)


def test_background_counting_quick(tmp_path):
    from benchmarks.background_counting import main
    assert main(["--quick", "--models", "random:squeezenet1_1@64", "--results", str(tmp_path)]) == 0
    data = json.loads((tmp_path / "background_counting_quick.json").read_text())
    row = data["rows"][0]
    assert row["scenes"] == 6 and 0 <= row["background_swap_same_class"][0] <= 1
    assert sum(row["background_only_classes"]) == 6 and row["background_only_kl"] >= 0
    assert sum(s[0] * 0 + 1 for s in row["accuracy_by_faces"].values()) >= 1
    assert row["flip_close_scenes"] == 2 and row["flip_n"] >= 2 and row["flip_control_n"] >= 2
    for key in ("flip_prediction_changes", "flip_prediction_lands", "flip_control_stays"):
        assert 0 <= row[key][1] <= row[key][0] <= row[key][2] <= 1
    md = (tmp_path / "background_counting_quick.md").read_text()
    assert "same class, other background %" in md and "Accuracy by number of faces" in md
    assert "One face's emotion flipped in close majorities" in md
    png = tmp_path / "background_counting_quick.png"          # the plot, referenced by the table
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and f"]({png.name})" in md


def test_emotion_flips_change_the_rule_label_and_controls_keep_it(scenes):
    from benchmarks.background_counting import close_majorities, emotion_flips
    src, _ = scenes
    cfg = GenConfig(size=(128, 128), split="test", seed=3, faces_per_image=(3, 6))
    close = close_majorities([], lambda i: sample_record(cfg, src, i)[0], 3)
    assert len(close) == 3
    for r in close:
        flips, controls = emotion_flips(r, src)
        assert flips and controls and all(majority_margin(f) == 1 for f in flips)
        assert all(f["label"] != r["label"] for f in flips)
        assert len({f["label"] for f in flips}) == 1
        assert all(c["label"] == r["label"] and majority_margin(c) == 3 for c in controls)
        assert emotion_flips(r, src) == (flips, controls)              # drawn from the record alone
