"""Matting real studio backdrops (``matting=grabcut``, :mod:`synthgroup.sources.refine`) against
plain colour keying (``matting=key``), on studio photos drawn in the test with a known alpha:
a two-tone wall (split left/right and top/bottom), a shadow falling across the backdrop with the
subject's own cast shadow, a shirt of the backdrop's colour, and strands of hair. The photos go
through JPEG files like real ones. Also the ``matting=`` option: the method is part of the
cut-out cache key, and an unknown method is one message listing the available ones."""
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import standins as S  # noqa: E402
from conftest import run_cli  # noqa: E402

from synthgroup.errors import SourceError  # noqa: E402
from synthgroup.sources import create_face_source, matting, refine  # noqa: E402

SIZE = (762, 562)                                       # KDEF's frame, rows x columns
SHADOWED = tuple(round(0.62 * c) for c in S.KDEF_BACKDROP)   # the same wall, out of the light
SHIRT_LIKE_BACKDROP = (100, 118, 142)                   # delta E ~7 from the backdrop
SEEDS = (100, 107)                                      # a light- and a dark-skinned identity

HARD = {
    "two_tone_lr": dict(backdrop=lambda: S.two_tone_backdrop(SIZE, S.KDEF_BACKDROP, SHADOWED, "lr", 0.64)),
    "two_tone_tb": dict(backdrop=lambda: S.two_tone_backdrop(SIZE, S.KDEF_BACKDROP, SHADOWED, "tb", 0.45)),
    "shadow": dict(backdrop=lambda: S.shadow_ramp_backdrop(SIZE, S.KDEF_BACKDROP),
                   shadow=(0.07, 0.03, 0.35, 0.02)),
    "shirt": dict(shirt=SHIRT_LIKE_BACKDROP),
}


def portrait(case: str, seed: int) -> S.Portrait:
    kw = dict(HARD.get(case, {}))
    backdrop = kw.pop("backdrop", lambda: S.KDEF_BACKDROP)()
    return S.studio_portrait(seed, "neutral", SIZE, backdrop, rng_seed=seed, **kw)


def through_jpeg(tmp: Path, name: str, rgb: np.ndarray) -> np.ndarray:
    path = tmp / f"{name}.jpg"
    S.write_jpeg(path, rgb)
    return cv2.imread(str(path))[..., ::-1].copy()


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("backdrops")
    out = {}
    for case in [*HARD, "plain"]:
        for seed in SEEDS:
            p = portrait(case, seed)
            out[case, seed] = through_jpeg(tmp, f"{case}_{seed}", p.rgb), p
    return out


def ious(rgb: np.ndarray, truth: S.Portrait) -> tuple[float, float]:
    """IoU with the known subject of the thresholded alpha of plain keying and of grabcut."""
    key = matting.key_alpha(rgb) >= 128
    refined = refine.grabcut_alpha(rgb) >= 128
    return S.iou(key, truth.subject), S.iou(refined, truth.subject)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("case", list(HARD))
def test_grabcut_recovers_the_subject_where_keying_fails(photos, case, seed):
    rgb, truth = photos[case, seed]
    key, refined = ious(rgb, truth)
    assert refined >= 0.9, (case, seed, key, refined)
    assert key < 0.9, (case, seed, key, refined)      # plain keying fails the same photo


@pytest.mark.parametrize("seed", SEEDS)
def test_plain_backdrop_stays_as_good_as_keying(photos, seed):
    rgb, truth = photos["plain", seed]
    key, refined = ious(rgb, truth)
    assert key >= 0.97 and refined >= 0.97, (key, refined)


def test_two_tone_failure_modes_of_keying(photos):
    """What keying does with two wall tones (one smooth backdrop fit for both): split top/bottom,
    the lower wall becomes a block of the cut-out; split left/right, the fit follows the wall
    and loses the grey shirt. Grabcut keeps the person and only the person."""
    rgb, truth = photos["two_tone_tb", SEEDS[0]]
    wall = np.zeros(truth.subject.shape, bool)
    wall[int(0.45 * SIZE[0]) + 4:] = True
    wall &= ~truth.subject
    assert (matting.key_alpha(rgb)[wall] >= 128).mean() > 0.9
    assert (refine.grabcut_alpha(rgb)[wall] >= 128).mean() < 0.05
    rgb, truth = photos["two_tone_lr", SEEDS[0]]
    assert (matting.key_alpha(rgb)[truth.body] >= 128).mean() < 0.25
    assert (refine.grabcut_alpha(rgb)[truth.body] >= 128).mean() > 0.97


@pytest.mark.parametrize("seed", SEEDS)
def test_hair_strands_are_kept(tmp_path, seed):
    p = S.hair_strands(portrait("plain", seed), seed)
    rgb = through_jpeg(tmp_path, "strands", p.rgb)
    strands = p.head & ~portrait("plain", seed).head
    refined = refine.grabcut_alpha(rgb) >= 128
    assert strands.sum() > 1000
    assert (refined & strands).sum() / strands.sum() >= 0.85
    assert S.iou(refined, p.subject) >= 0.97


def test_grabcut_is_deterministic(photos):
    rgb, _ = photos["shadow", SEEDS[0]]
    assert np.array_equal(refine.grabcut_alpha(rgb), refine.grabcut_alpha(rgb))


def test_small_photos_fall_back_to_keying():
    p = S.studio_portrait(100, "neutral", (60, 48), S.KDEF_BACKDROP, head_width=0.5)
    assert np.array_equal(refine.grabcut_alpha(p.rgb), matting.key_alpha(p.rgb))


# ------------------------------------------------------------------------------ the option
def kdef_two_tone(root: Path, seed: int = SEEDS[0]) -> S.Portrait:
    p = portrait("two_tone_tb", seed)
    S.write_jpeg(root / "KDEF" / "AF01" / "AF01HAS.JPG", p.rgb)
    return p


def test_matting_option_selects_the_method_and_keys_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SYNTHGROUP_CACHE", str(tmp_path / "cache"))
    matting.clear_memory_cache()
    truth = kdef_two_tone(tmp_path / "kdef")
    default = create_face_source(f"kdef:{tmp_path / 'kdef'}:crop=full")[1]
    keyed = create_face_source(f"kdef:{tmp_path / 'kdef'}:crop=full,matting=key")[1]
    assert default.params.method == "grabcut" and default.describe()["matting"] == "grabcut"
    assert keyed.params.method == "key" and keyed.describe()["matting"] == "key"
    area = truth.subject.sum()
    refined = default.load_rgba(default.items[0], {}, 100)
    key = keyed.load_rgba(keyed.items[0], {}, 100)
    assert abs((refined[..., 3] >= 128).sum() / area - 1) < 0.03     # the person
    assert (key[..., 3] >= 128).sum() / area > 1.2                    # and a block of wall
    files = sorted((tmp_path / "cache" / "cutouts").rglob("*.png"))
    assert len(files) == 2                                            # one per method
    matting.clear_memory_cache()
    again = create_face_source(f"kdef:{tmp_path / 'kdef'}:crop=full,matting=grabcut")[1]
    assert np.array_equal(again.load_rgba(again.items[0], {}, 100), refined)   # from the disk
    assert sorted((tmp_path / "cache" / "cutouts").rglob("*.png")) == files
    matting.clear_memory_cache()


@pytest.mark.parametrize("name", ["kdef", "faces", "folder"])
def test_unknown_matting_method_lists_the_available_ones(tmp_path, name):
    spec = f"{name}:{tmp_path}:matting=rembg"
    with pytest.raises(SourceError) as err:
        create_face_source(spec)
    assert str(err.value) == (f"source {spec!r}: matting='rembg': unknown matting method "
                              "'rembg'; choose one of: key, grabcut")


def test_keying_options_out_of_range_are_refused_by_every_keyed_source(tmp_path):
    for name in ("kdef", "folder"):
        with pytest.raises(SourceError, match=r"keying options out of range"):
            create_face_source(f"{name}:{tmp_path}:threshold=0")


def test_cli_unknown_matting_method_exit_2_nothing_written(tmp_path):
    kdef_two_tone(tmp_path / "kdef")
    out = tmp_path / "out"
    r = run_cli("generate", "--n", "2", "--out", out, "--quiet",
                "--faces", f"kdef:{tmp_path / 'kdef'}:matting=rembg")
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    assert "matting='rembg': unknown matting method 'rembg'; choose one of: key, grabcut" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert not out.exists()


PLUGIN = '''
import cv2
import numpy as np

def ellipse(rgb, params):
    alpha = np.zeros(rgb.shape[:2], np.uint8)
    h, w = alpha.shape
    cv2.ellipse(alpha, (w // 2, h // 2), (w // 4, h // 4), 0, 0, 360, 255, -1)
    return alpha
'''


def test_a_matting_method_from_an_entry_point(tmp_path, monkeypatch):
    """A distribution declaring ``[synthgroup.matting_methods]`` adds a method by name."""
    dist = tmp_path / "plugmatte-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: plugmatte\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[synthgroup.matting_methods]\nellipse = plug_matte:ellipse\n")
    (tmp_path / "plug_matte.py").write_text(PLUGIN)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("SYNTHGROUP_CACHE", str(tmp_path / "cache"))
    kdef_two_tone(tmp_path / "kdef")
    with pytest.raises(SourceError, match=r"choose one of: key, grabcut, ellipse$"):
        create_face_source(f"kdef:{tmp_path / 'kdef'}:matting=nope")
    src = create_face_source(f"kdef:{tmp_path / 'kdef'}:crop=full,matting=ellipse")[1]
    rgba = src.load_rgba(src.items[0], {}, 100)
    assert abs(rgba.shape[0] - SIZE[0] // 2) <= 4 and abs(rgba.shape[1] - SIZE[1] // 2) <= 4
    sys.modules.pop("plug_matte", None)
    matting.clear_memory_cache()
