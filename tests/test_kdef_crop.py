"""``kdef:...:crop=face`` crops from the chin to the top of the forehead, as the paper does: the
top is the hairline, found in the matte. Tested on studio stand-ins drawn with hair of a colour
distinct from the skin above a known row (the true top of the forehead), through JPEG files and
the ``kdef`` source; ``crop=full`` keeps the hair; a fringe down to the brows falls back to the
face box."""
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import standins as S  # noqa: E402

from synthgroup.procedural.faces import identity_from_seed  # noqa: E402
from synthgroup.sources import create_face_source, matting, refine  # noqa: E402

SIZE = (762, 562)
#: identities of several hair styles and skin tones (none with a fringe), as KDEF file names
PEOPLE = {"AF01HAS.JPG": 100, "AF02HAS.JPG": 101, "AM03HAS.JPG": 107, "AM04HAS.JPG": 109,
          "AF05HAS.JPG": 116, "AM06HAS.JPG": 119}
HAIR_COLOURS = ((70, 45, 30), (25, 22, 22), (200, 170, 110), (170, 170, 175))
TOLERANCE = 0.03          # of the eye-to-chin distance (about 6 px here)


def lab(rgb) -> np.ndarray:
    return cv2.cvtColor(np.float32([[rgb]]) / 255.0, cv2.COLOR_RGB2Lab)[0, 0]


def distinct_hair(seed: int):
    """The first hair colour at least 30 delta E from the identity's skin."""
    skin = lab(identity_from_seed(seed).skin)
    return next(c for c in HAIR_COLOURS if np.linalg.norm(lab(c) - skin) >= 30)


@pytest.fixture(scope="module")
def kdef(tmp_path_factory):
    """A KDEF tree of the PEOPLE with hair drawn above a known row; name -> (path, portrait)."""
    root = tmp_path_factory.mktemp("kdef_hair")
    out = {}
    for name, seed in PEOPLE.items():
        p = S.studio_portrait(seed, "happiness", SIZE, S.KDEF_BACKDROP, hair=distinct_hair(seed),
                              rng_seed=seed)
        path = root / "KDEF" / name[:4] / name
        S.write_jpeg(path, p.rgb)
        out[name] = path, p
    return root, out


def decoded(path: Path) -> np.ndarray:
    return cv2.imread(str(path))[..., ::-1].copy()


@pytest.mark.parametrize("detect", ["auto", "proportions"])
def test_face_crop_top_is_the_hairline(kdef, detect):
    _, photos = kdef
    for name, (path, truth) in photos.items():
        rgb = decoded(path)
        box = matting.face_box(rgb, refine.grabcut_alpha(rgb), detect)
        u = truth.chin_y - truth.eye_y
        assert box.top_from == "hairline", (name, box)
        assert abs(box.top - truth.hairline_y) <= TOLERANCE * u, (name, box, truth.hairline_y)
        assert abs(box.bottom - truth.chin_y) <= 0.5 * u, (name, box, truth.chin_y)
        if detect == "proportions":
            assert box.detector == "proportions"


def hair_pixels(rgba: np.ndarray, colour) -> int:
    """Opaque pixels of the painted hair's colour (its strands vary by 8 % in brightness)."""
    d = np.linalg.norm(matting.to_lab(rgba[..., :3]) - lab(colour), axis=2)
    return int(np.count_nonzero((d < 12) & (rgba[..., 3] >= 128)))


def test_kdef_crop_face_starts_at_the_hairline_and_full_keeps_the_hair(kdef):
    root, photos = kdef
    face = create_face_source(f"kdef:{root}")[1]
    full = create_face_source(f"kdef:{root}:crop=full")[1]
    assert face.crop == "face" and full.crop == "full"
    for item in face.items:
        path, truth = photos[Path(item.key).name]
        colour = distinct_hair(PEOPLE[Path(item.key).name])
        row = int(np.ceil(truth.hairline_y))
        photo = np.dstack([decoded(path), truth.subject.astype(np.uint8) * 255])
        painted = hair_pixels(photo[:row], colour)           # the hair drawn above the hairline
        below = hair_pixels(photo[row:], colour)             # brows, eyes... of a like colour
        cut = face.load_rgba(item, {}, 100)
        whole = full.load_rgba(item, {}, 100)
        u = truth.chin_y - truth.eye_y
        # crop=face: from the hairline to about the chin, without the hair above it
        assert abs(cut.shape[0] - (truth.chin_y - truth.hairline_y)) <= 0.5 * u, item.key
        assert painted > 5000 and hair_pixels(cut, colour) <= below + 0.05 * painted, item.key
        # crop=full: the whole head of hair
        assert hair_pixels(whole, colour) >= below + 0.9 * painted, item.key
        assert whole.shape[0] > cut.shape[0] + (truth.hairline_y - truth.skull_top_y)


def test_a_fringe_down_to_the_brows_falls_back_to_the_face_box(tmp_path):
    seed = PEOPLE["AF01HAS.JPG"]
    p = S.studio_portrait(seed, "neutral", SIZE, S.KDEF_BACKDROP, hair=distinct_hair(seed))
    u = p.chin_y - p.eye_y
    fringe = S.studio_portrait(seed, "neutral", SIZE, S.KDEF_BACKDROP, hair=distinct_hair(seed),
                               hairline_y=p.eye_y - 0.12 * u)
    S.write_jpeg(tmp_path / "fringe.jpg", fringe.rgb)
    rgb = decoded(tmp_path / "fringe.jpg")
    box = matting.face_box(rgb, refine.grabcut_alpha(rgb), "auto")
    assert box.top_from == "box"
    assert p.skull_top_y - 0.3 * u < box.top < p.eye_y - 0.25 * u      # the forehead, eyes inside
