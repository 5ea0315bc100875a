"""The generator's caches give what computing afresh gives and stay bounded (elastic fields, the
premultiplied sprite atlas), the closed-form perspective agrees with OpenCV's, and a dataset
folder is continued only by the generator version that started it."""
import json

import cv2
import numpy as np
import pytest
from albumentations.augmentations.geometric import functional as fgeometric

from synthgroup import GenConfig, Sources
from synthgroup.augment import (ELASTIC_CACHE, ELASTIC_FIELDS, _elastic, corner_perspective, elastic_field,
                                identity_face_aug, prepare_sprite, premultiply)
from synthgroup.compose import GENERATOR_VERSION
from synthgroup.errors import SynthGroupError
from synthgroup.writer import generate

SMALL = GenConfig(size=(96, 96), faces_per_image=(1, 4))


def _albumentations_field(shape, alpha, sigma, seed):
    return fgeometric.generate_displacement_fields(
        shape, alpha, sigma, same_dxdy=False, kernel_size=(0, 0),
        random_generator=np.random.default_rng(seed), noise_distribution="gaussian")


@pytest.mark.parametrize("shape,sigma,seed", [((96, 80), 3.0, 5), ((48, 32), 3.0, ELASTIC_FIELDS - 1),
                                              ((17, 9), 1.5, 0)])
def test_elastic_field_is_albumentations_field_computed_once(shape, sigma, seed):
    field = elastic_field(shape, sigma, seed)
    dx, dy = _albumentations_field(shape, 1.0, sigma, seed)
    assert field.shape == (*shape, 2) and field.dtype == np.float32
    assert np.array_equal(field[..., 0], dx) and np.array_equal(field[..., 1], dy)
    assert elastic_field(shape, sigma, seed) is field            # cached, not recomputed
    assert not field.flags.writeable                             # nobody can spoil the cache
    dx2, dy2 = _albumentations_field(shape, 1.7, sigma, seed)   # linear in alpha
    assert np.allclose(1.7 * field[..., 0], dx2, atol=1e-6) and np.allclose(1.7 * field[..., 1], dy2, atol=1e-6)


def test_elastic_field_cache_is_bounded():
    elastic_field.cache_clear()
    for seed in range(ELASTIC_CACHE + 50):
        elastic_field((8, 8), 3.0, seed)
    info = elastic_field.cache_info()
    assert info.currsize == ELASTIC_CACHE and info.misses == ELASTIC_CACHE + 50


def test_elastic_warp_is_albumentations_remap_with_the_cached_field():
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (45, 37, 4), dtype=np.uint8)
    aug = dict(identity_face_aug(), elastic={"alpha": 1.6, "sigma": 3.0, "seed": 7})
    ours = _elastic(img, aug)
    dx, dy = (f[:45, :37] for f in _albumentations_field((48, 48), 1.6, 3.0, 7))   # padded to 16s
    xs, ys = np.meshgrid(np.arange(37, dtype=np.float32), np.arange(45, dtype=np.float32))
    ref = fgeometric.remap(img, xs + dx, ys + dy, cv2.INTER_LINEAR, cv2.BORDER_CONSTANT, 0)
    assert np.abs(ours.astype(int) - ref).max() <= 1
    assert _elastic(img, identity_face_aug()) is img             # no field, no copy


def test_premultiplied_atlas_gives_the_computed_sprite_and_is_shared():
    a, b = Sources(SMALL), Sources(SMALL)                        # b reads what a stored
    src = a.faces[0][1]
    for seed in range(6):
        ref = src.pick(np.random.default_rng(seed), "happiness")
        for h in src.mips:
            premult, grey = src.prepared(ref, h)
            fresh, fresh_grey = prepare_sprite(src._make_sprite(ref, ref["variant"], h))
            assert np.array_equal(premult, fresh) and grey == pytest.approx(fresh_grey)
            again, _ = b.faces[0][1].prepared(ref, h)
            assert np.array_equal(again, premult)
            assert np.shares_memory(premult, src._premultiplied[h]._pixels)   # a view, no copy


def test_prepared_sprite_is_cut_to_its_alpha_with_an_alpha_weighted_grey():
    rgba = np.zeros((40, 30, 4), np.uint8)
    rgba[5:25, 8:20] = (200, 100, 50, 255)
    rgba[25:30, 8:20] = (0, 0, 0, 128)
    premult, grey = prepare_sprite(rgba)
    assert premult.shape == (25, 12, 4)
    assert np.array_equal(premult, premultiply(rgba)[5:30, 8:20])
    # alpha-weighted: the half-transparent black rows pull the grey down by their weight
    expected = (0.299 * 200 + 0.587 * 100 + 0.114 * 50) * (255 * 20) / (255 * 20 + 128 * 5)
    assert grey == pytest.approx(expected, rel=1e-3)


def test_corner_perspective_is_opencvs():
    rng = np.random.default_rng(1)
    for _ in range(200):
        h, w = (int(v) for v in rng.integers(4, 130, 2))
        p = ((rng.random(8) * 2 - 1) * 0.06).round(4).tolist()
        src = np.float32([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]])
        ref = cv2.getPerspectiveTransform(src, src + np.float32(p).reshape(4, 2) * np.float32([w, h]))
        assert np.allclose(corner_perspective(p, h, w), ref, rtol=1e-4, atol=1e-4)


def test_manifest_records_the_generator_version_and_another_version_is_refused(tmp_path):
    out = tmp_path / "ds"
    manifest = generate(SMALL, out, n=6, workers=1, progress=False, chunk=3, shard=(0, 2))
    assert manifest["generator_version"] == GENERATOR_VERSION and manifest["status"].startswith("partial")
    # as if another version had made the first chunk: its images would not match this one's
    m = json.loads((out / "manifest.json").read_text())
    (out / "manifest.json").write_text(json.dumps(dict(m, generator_version=GENERATOR_VERSION - 1)))
    with pytest.raises(SynthGroupError, match=f"generator version {GENERATOR_VERSION - 1}"):
        generate(SMALL, out, n=6, workers=1, progress=False, chunk=3, shard=(1, 2))
    assert not (out / "parts/000003-000006.jsonl").exists()
