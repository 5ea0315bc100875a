"""The generator's output bytes are pinned: a refactor that changes one pixel fails here.

The tables hold the sha256 of generated images, instance masks and records (embedded default
sources: procedural faces on procedural scenes, every scene category, one to nine faces) and of
direct procedural renders (scenes, faces, identities). The renders were computed on the code before
the procedural renderers were split into a package (issue 16, part 4); the samples are those of
``GENERATOR_VERSION`` (2: sprites cut to their alpha box, elastic fields from a bank, draws through
one ``Draws``). When an output change is intended, bump ``synthgroup.compose.GENERATOR_VERSION``,
say so in the commit and print fresh tables with ``python tests/test_pinned_bytes.py``.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json

import numpy as np
import pytest

from synthgroup import GenConfig, Sources, make_sample
from synthgroup.compose import GENERATOR_VERSION
from synthgroup.config import ImageAugConfig
from synthgroup.procedural.faces import identity_from_seed, render_face
from synthgroup.procedural.scenes import render_scene

#: name -> (configuration, sample indices); the indices cover all ten scene categories.
CONFIGS = {
    "default": (GenConfig(size=(96, 128)), (0, 1, 2, 4, 6, 9, 11, 13, 15, 17, 18, 25)),
    "image_aug": (GenConfig(size=(64, 80), seed=5, image_aug=ImageAugConfig(enabled=True)), (0, 1, 2)),
}
SCENES = [(category, seed) for category in ("classroom", "conference_room", "bedroom", "dining_room",
                                            "kitchen", "living_room", "restaurant", "bridge",
                                            "church_outdoor", "tower") for seed in (0, 1)]
SCENE_SIZE = (72, 96)
#: (identity seed, expression, intensity, height): supersampled, plain and densely sampled sizes
FACES = [(0, "neutral", 1.0, 20), (1, "happiness", 0.8, 64), (2, "anger", 1.0, 64),
         (3, "fear", 0.6, 48), (4, "surprise", 1.0, 170), (5, "sadness", 0.9, 96),
         (6, "disgust", 1.0, 30)]
IDENTITY_SEEDS = range(200)


def digest(array: np.ndarray) -> str:
    """sha256 of an array's shape, dtype and bytes (first 16 hex digits)."""
    a = np.ascontiguousarray(array)
    return hashlib.sha256(f"{a.shape}{a.dtype}".encode() + a.tobytes()).hexdigest()[:16]


def text_digest(obj) -> str:
    """sha256 of an object's canonical JSON (first 16 hex digits)."""
    return hashlib.sha256(json.dumps(obj, sort_keys=True).encode()).hexdigest()[:16]


_SOURCES: dict = {}


def sample_digests(config: str, index: int) -> tuple[str, str, str]:
    """(image, mask, record) digests of one generated sample."""
    cfg = CONFIGS[config][0]
    sources = _SOURCES.get(config) or _SOURCES.setdefault(config, Sources(cfg))
    s = make_sample(cfg, sources, index)
    return digest(s.image), digest(s.mask), text_digest(s.record)


def identities_digest() -> str:
    return text_digest([dataclasses.asdict(identity_from_seed(s)) for s in IDENTITY_SEEDS])


PINNED_SAMPLES = {
    ('default', 0): ('e9dc034a0f2627be', 'a6c565f8b85bee56', 'c8781e3bc2e27152'),
    ('default', 1): ('40d28168aade9cde', '2a0ed3f6ae563b62', 'eba12b4219edf8d8'),
    ('default', 2): ('be400452db920fce', 'b67164510f5bee73', '828fb9444ac51fec'),
    ('default', 4): ('051b2efb77e75956', '7b994ed76700ae96', 'cbed1a1daf0765e0'),
    ('default', 6): ('4bef52cd0ec85342', '2e1ce2ecf50b5abb', '57c4a92bdf26ecc4'),
    ('default', 9): ('3e331bd970298f85', '671e3976f723442e', 'e0f9a44cb3f4ee81'),
    ('default', 11): ('a0291e331e275fd1', 'b62bc33b5a677d08', 'e190017413bb089a'),
    ('default', 13): ('65b7cafc4105c21a', '59c08d222e4ec441', 'a33347a132577ded'),
    ('default', 15): ('a8594b3c26371dca', '5160a39428345ad8', '51c0d3bbf914b48c'),
    ('default', 17): ('664e05d68e5b25ff', 'c571ba98ab2cf716', '727336fdc93bee33'),
    ('default', 18): ('acd3fbfa0f1388f2', 'f45370840efc6e41', 'fdad00b4e2a7e149'),
    ('default', 25): ('5ebab1c9d9a1b55e', '3c8737f93ae41b40', '6d120ac837afb4be'),
    ('image_aug', 0): ('2c84f27fe1c478a4', '8fe667e28da55b12', '15a4b69171592151'),
    ('image_aug', 1): ('da342f7d5e853df3', '02f89f51ce0eb15d', '939867b43ae63dca'),
    ('image_aug', 2): ('fd4e5398c9e1bef1', '0faa1c01f16b6249', '0fdf089dc2b238a2'),
}
PINNED_SCENES = {
    ('classroom', 0): '49307f77be0d3b63',
    ('classroom', 1): '1121792f06609b71',
    ('conference_room', 0): '5ff1edb22957e2f1',
    ('conference_room', 1): '907824f8eea71b68',
    ('bedroom', 0): 'c7132ccaed8573f6',
    ('bedroom', 1): '461225a86a2a477e',
    ('dining_room', 0): 'e260ac6ea18323dd',
    ('dining_room', 1): '1dc5ba941750d035',
    ('kitchen', 0): '52ab6c5a5fef9381',
    ('kitchen', 1): '756a2254c6aacc3e',
    ('living_room', 0): '77186879bb39e99b',
    ('living_room', 1): '592f5e406bfba551',
    ('restaurant', 0): 'f4f5137ffac95f78',
    ('restaurant', 1): '3e082f7771faf6a6',
    ('bridge', 0): 'f6c87c4052f9b156',
    ('bridge', 1): '69372f0b0184ee0a',
    ('church_outdoor', 0): 'f102f8c82952ae82',
    ('church_outdoor', 1): '5de5773dfdc0fc04',
    ('tower', 0): '2dcf3172a2c332b1',
    ('tower', 1): 'a00d80ba9530d143',
}
PINNED_FACES = {
    (0, 'neutral', 1.0, 20): '15cacf75ea2ddaf5',
    (1, 'happiness', 0.8, 64): 'f230b99a09c01751',
    (2, 'anger', 1.0, 64): '5cb8be8ef68a7c92',
    (3, 'fear', 0.6, 48): '8308b01341520218',
    (4, 'surprise', 1.0, 170): '4c838865690725e1',
    (5, 'sadness', 0.9, 96): '5a384b3df08d5484',
    (6, 'disgust', 1.0, 30): '569f36f01efe00f0',
}
PINNED_IDENTITIES = '31f10a5d9f426603'


#: the generator version the sample tables belong to: new bytes need a new version
PINNED_VERSION = 2


def test_pinned_samples_belong_to_this_generator_version():
    assert GENERATOR_VERSION == PINNED_VERSION


@pytest.mark.parametrize("config,index", [(c, i) for c, (_, idx) in CONFIGS.items() for i in idx])
def test_generated_sample_bytes_are_pinned(config, index):
    assert sample_digests(config, index) == PINNED_SAMPLES[(config, index)]


@pytest.mark.parametrize("category,seed", SCENES)
def test_scene_bytes_are_pinned(category, seed):
    assert digest(render_scene(category, seed, SCENE_SIZE)) == PINNED_SCENES[(category, seed)]


@pytest.mark.parametrize("face", FACES)
def test_face_bytes_are_pinned(face):
    seed, expression, intensity, height = face
    img = render_face(identity_from_seed(seed), expression, intensity, height)
    assert digest(img) == PINNED_FACES[face]


def test_identities_are_pinned():
    assert identities_digest() == PINNED_IDENTITIES


if __name__ == "__main__":  # print fresh tables (only when an output change is intended)
    print(f"PINNED_VERSION = {GENERATOR_VERSION}\n")
    print("PINNED_SAMPLES = {")
    for c, (_, idx) in CONFIGS.items():
        for i in idx:
            print(f"    ({c!r}, {i}): {sample_digests(c, i)!r},")
    print("}\nPINNED_SCENES = {")
    for cat, seed in SCENES:
        print(f"    ({cat!r}, {seed}): {digest(render_scene(cat, seed, SCENE_SIZE))!r},")
    print("}\nPINNED_FACES = {")
    for f in FACES:
        print(f"    {f!r}: {digest(render_face(identity_from_seed(f[0]), *f[1:]))!r},")
    print(f"}}\nPINNED_IDENTITIES = {identities_digest()!r}")
