"""Interventions on records (another background, faces removed) and the benchmark built on them."""
import json
import math

import cv2
import numpy as np
import pytest

from synthgroup import GenConfig, Sources, render_record, sample_record
from synthgroup.errors import ConfigError
from synthgroup.interventions import majority_margin, with_background, without_faces


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
    md = (tmp_path / "background_counting_quick.md").read_text()
    assert "same class, other background %" in md and "Accuracy by number of faces" in md
