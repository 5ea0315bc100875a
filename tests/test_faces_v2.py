"""Shaded procedural faces (``procedural:style=v2``): sprites, alpha, determinism, identity,
intensity, the source option and the generator."""
from __future__ import annotations

import numpy as np
import pytest

from synthgroup import GenConfig, Sources, make_sample
from synthgroup.errors import SourceError
from synthgroup.procedural import faces_v2 as F
from synthgroup.sources.base import create_face_source

NEGATIVE = ("anger", "disgust", "fear", "sadness")


def _lum(img: np.ndarray) -> np.ndarray:
    return img[..., :3].astype(np.float64) @ np.array([0.299, 0.587, 0.114])


@pytest.mark.parametrize("height", [24, 41, 96])
def test_sprite_shape_frame_and_straight_alpha(height):
    img = F.render_face(F.identity_from_seed(5), "fear", 0.8, height)
    assert img.dtype == np.uint8 and img.flags.c_contiguous
    assert img.shape == (height, round(height * F.ASPECT), 4)
    a = img[..., 3]
    assert not a[0].any() and not a[-1].any() and not a[:, 0].any() and not a[:, -1].any()
    assert not img[a == 0, :3].any()                      # fully transparent pixels carry no colour
    assert (a == 255).mean() > 0.3                        # a solid head and shoulders
    # no dark halo: the partly transparent rim is about as bright as the opaque pixels next to it
    edge = (a > 0) & (a < 255)
    inner = a == 255
    assert _lum(img[edge]).mean() > 0.5 * _lum(img[inner]).mean()


def test_byte_deterministic_with_and_without_cache():
    idt = F.identity_from_seed(17)
    first = F.render_face(idt, "sadness", 0.8, 96)
    F.clear_cache()
    again = F.render_face(F.identity_from_seed(17), "sadness", 0.8, 96)
    assert np.array_equal(first, again)
    assert not np.array_equal(first, F.render_face(F.identity_from_seed(18), "sadness", 0.8, 96))


def test_identity_is_kept_across_expressions():
    idt = F.identity_from_seed(3)
    faces = {e: F.render_face(idt, e, 1.0, 96) for e in F.EXPRESSIONS}
    ref = faces["neutral"]
    rows = slice(0, 10)        # the top of the hair and the bottom of the clothing never move
    for e, img in faces.items():
        assert np.array_equal(img[rows], ref[rows]), e
        assert np.array_equal(img[-5:], ref[-5:]), e
        assert np.array_equal(img[..., 3] > 0, ref[..., 3] > 0) or e in ("fear", "surprise"), e  # jaw drop
    other = F.render_face(F.identity_from_seed(4), "neutral", 1.0, 96)
    assert np.abs(other.astype(int) - ref).mean() > 5


@pytest.mark.parametrize("expression", [e for e in F.EXPRESSIONS if e != "neutral"])
def test_intensity_changes_pixels_monotonically(expression):
    idt = F.identity_from_seed(9)
    neutral = F.render_face(idt, "neutral", 1.0, 96).astype(np.int32)
    d = [np.abs(F.render_face(idt, expression, t, 96).astype(np.int32) - neutral).sum() for t in (0.0, 0.3, 0.6, 1.0)]
    assert d[0] == 0                                       # intensity 0 is the neutral face
    assert d[1] < d[2] < d[3]


def test_expressions_move_the_features_they_should():
    idt = F.identity_from_seed(12)
    H = 120
    st = F.layers(idt, H).st
    n = _lum(F.render_face(idt, "neutral", 1.0, H))
    x0, x1 = round((st.cx - st.sep) * H), round((st.cx + st.sep) * H)
    glabella = (slice(round((st.b0 - 0.01) * H), round((st.ey - 0.01) * H)), slice(x0 + 2, x1 - 2))
    anger = _lum(F.render_face(idt, "anger", 1.0, H))
    assert anger[glabella].mean() < n[glabella].mean() - 3   # lowered brows, frown lines: darker
    mouth = (slice(round((st.my - 0.04) * H), round((st.my + 0.06) * H)),
             slice(round((st.cx - st.mw) * H), round((st.cx + st.mw) * H)))
    forehead = (slice(round((st.b0 - 0.08) * H), round((st.b0 - 0.03) * H)), mouth[1])
    happy = _lum(F.render_face(idt, "happiness", 1.0, H))
    assert np.abs(happy[mouth] - n[mouth]).mean() > 15       # the smile opens the mouth
    assert np.abs(happy[forehead] - n[forehead]).mean() < 2


def test_bad_action_unit_and_height():
    idt = F.identity_from_seed(1)
    with pytest.raises(ValueError, match="AU99"):
        F.render_face_aus(idt, {"AU99": 1.0}, 64)
    with pytest.raises(ValueError, match="at least 12"):
        F.render_face(idt, "neutral", 1.0, 8)


def test_style_option_through_the_source():
    _, v2 = create_face_source("procedural:identities=4,style=v2", max_face_height=60)
    _, v1 = create_face_source("procedural:identities=4", max_face_height=60)
    assert v2.style == "v2" and v1.style == "v1"
    assert v2.atlas.name != v1.atlas.name and "v2" in v2.atlas.name
    item = v2.items[0]
    img = v2.load_rgba(item, v2.variant(np.random.default_rng(0), item), 60)
    assert img.shape[2] == 4 and img.shape[0] == v2.base_height
    assert np.array_equal(img, F.render_face(v2.identity(item.meta["seed"]), item.emotion,
                                             v2.variant(np.random.default_rng(0), item)["intensity"]
                                             if item.emotion != "neutral" else 1.0, v2.base_height))


def test_bad_style_names_the_value_and_the_choices():
    with pytest.raises(SourceError, match=r"style='v9' is not one of v1, v2"):
        create_face_source("procedural:style=v9")


def test_generator_makes_samples_with_v2_faces():
    cfg = GenConfig(size=(96, 96), faces=["procedural:identities=6,style=v2"])
    a = make_sample(cfg, Sources(cfg), 3)
    b = make_sample(cfg, Sources(cfg), 3)
    assert a.image.shape == (96, 96, 3) and np.array_equal(a.image, b.image)
    assert a.record["faces"] and all("style=v2" in f["source"] for f in a.record["faces"])
    assert a.mask.max() == len(a.record["faces"])
