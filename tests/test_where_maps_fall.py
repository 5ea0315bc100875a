"""The pointing game and bootstrap intervals on hand-made maps, and the maps benchmark end to end."""
import json

import numpy as np
import pytest

from explain.metrics import bootstrap_ci, pointing_game


def test_pointing_game_hand_made():
    mask = np.zeros((40, 40), np.uint8)
    mask[10:20, 10:20] = 1
    cam = np.zeros((40, 40), np.float32)
    cam[15, 15] = 1
    assert pointing_game(cam, mask, 0) is True
    cam = np.zeros((40, 40), np.float32)
    cam[28, 28] = 1
    assert pointing_game(cam, mask, 0) is False
    assert pointing_game(cam, mask, 15) is True                # 9*sqrt(2) = 12.7 px from (19, 19)
    assert pointing_game(cam, mask, 10) is False
    assert pointing_game(np.ones((40, 40)), mask) is None      # flat map: nothing to point with
    assert pointing_game(cam, np.zeros_like(mask)) is None     # no face
    small = np.zeros((20, 20), np.float32)
    small[7, 7] = 1                                            # resized to the mask's size
    assert pointing_game(small, mask, 0) is True


def test_bootstrap_interval_covers_the_mean():
    rng = np.random.default_rng(0)
    v = rng.normal(2.0, 1.0, 400)
    m, lo, hi = bootstrap_ci(v)
    assert m == pytest.approx(v.mean()) and lo < m < hi and hi - lo < 0.3
    assert lo < 2.0 < hi
    m, lo, hi = bootstrap_ci([1.0, float("nan"), 1.0, None])
    assert (m, lo, hi) == (1.0, 1.0, 1.0)
    assert np.isnan(bootstrap_ci([])[0])


def test_where_maps_fall_quick(tmp_path):
    from benchmarks.where_maps_fall import main
    from synthgroup.compose import GENERATOR_VERSION
    args = ["--quick", "--models", "random:squeezenet1_1@64", "--explainers", "gradcam",
            "gradcam++", "--results", str(tmp_path)]
    assert main(args) == 0
    rows = [json.loads(l) for l in (tmp_path / "where_maps_fall_quick.jsonl").read_text().splitlines()]
    assert [r["explainer"] for r in rows] == ["gradcam", "gradcam++"]
    for r in rows:
        assert r["scenes"] == 3 and r["road_scenes"] == 1 and len(r["focus"]) == 3
        assert sum(v["n"] for v in r["by_class"].values()) == 3
        assert r["generator_version"] == GENERATOR_VERSION      # rows compare within one version
    md = (tmp_path / "where_maps_fall_quick.md").read_text()
    assert "| random:squeezenet1_1@64 | gradcam |" in md and (tmp_path / "where_maps_fall_quick.png").stat().st_size > 0
    assert main(args) == 0                                      # resumable: nothing redone
    assert len((tmp_path / "where_maps_fall_quick.jsonl").read_text().splitlines()) == 2
