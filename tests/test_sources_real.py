"""The real-dataset sources (kdef, faces, folder, hf, lsun) on stand-ins built in each dataset's
own layout and naming (see ``tests/standins.py``): name parsing, keying quality against the
known masks, the cut-out caches, end-to-end generation, and one clear message per bad input."""
import json
import multiprocessing as mp
import os
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import standins as S  # noqa: E402

from synthgroup.config import GenConfig  # noqa: E402
from synthgroup.errors import CorruptItemError, SourceError  # noqa: E402
from synthgroup.writer import generate  # noqa: E402
from synthgroup.sources import create_background_source, create_face_source, matting  # noqa: E402
from synthgroup.sources.faces_db import FacesDatabase  # noqa: E402
from synthgroup.sources.kdef import KDEFFaces  # noqa: E402
from synthgroup.sources import lsun  # noqa: E402
from synthgroup.sources.lsun import category_of  # noqa: E402

CFG = GenConfig(size=(128, 128), faces_per_image=(1, 3))


def face(spec, **kw):
    return create_face_source(spec, **kw)[1]


def background(spec, **kw):
    return create_background_source(spec, **kw)[1]


def records(out):
    return [json.loads(line) for line in (Path(out) / "metadata.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """Every stand-in, built once: KDEF tree, FACES folder, expression folders, LSUN LMDBs,
    a background folder and two offline imagefolder datasets."""
    root = tmp_path_factory.mktemp("standins")
    d = {"root": root}
    d["kdef"] = root / "kdef_release"
    d["kdef_truth"] = S.make_kdef(d["kdef"], people=(("F", 1), ("M", 2)), sessions=("A", "B"),
                                  angles=("S", "HL"))
    d["faces"] = root / "FACES"
    d["faces_truth"] = S.make_faces_db(d["faces"])
    d["folder_rgba"] = root / "expr_rgba"
    S.make_expression_folder(d["folder_rgba"])
    d["folder_rgb"] = root / "expr_rgb"
    S.make_expression_folder(d["folder_rgb"], per=1, rgba=False)
    d["lsun"] = root / "lsun"
    d["lsun_keys"] = S.make_lsun(d["lsun"])
    S.make_lsun(d["lsun"], categories=("church_outdoor",), n=3, split="val", fmt=".jpg")
    d["bgdir"] = root / "school"
    S.make_background_folder(d["bgdir"])
    d["hf_faces"] = S.make_hf_imagefolder(root / "hf_faces", "faces")
    d["hf_bg"] = S.make_hf_imagefolder(root / "hf_bg", "backgrounds")
    return d


# ------------------------------------------------------------------------------ file names
def test_kdef_names_every_code(data):
    src = face(f"kdef:{data['kdef']}")
    for code, emotion in S.KDEF_CODES.items():
        for angle in S.KDEF_ANGLES:
            for session in "AB":
                for g, gender in (("F", "female"), ("M", "male")):
                    fields, reason = src.parse_name(f"{session}{g}07{code}{angle}.JPG")
                    assert reason is None
                    assert fields["emotion"] == emotion and fields["identity"] == f"{g}07"
                    assert fields["meta"] == {"id": f"{g}07", "gender": gender, "session": session,
                                              "angle": angle, "code": code}
    assert src.parse_name("af01has.jpg")[0]["emotion"] == "happiness"      # case-insensitive
    assert src.parse_name("AF01XXS.JPG") == (None, "expression 'XX' is not one of AF, AN, DI, HA, NE, SA, SU")
    assert "angle 'ZZ'" in src.parse_name("AF01HAZZ.JPG")[1]
    assert "session 'C'" in src.parse_name("CF01HAS.JPG")[1]
    assert src.parse_name("Thumbs.db") == (None, None) and src.parse_name("photo1.jpg") == (None, None)


def test_faces_names_every_code(data):
    src = face(f"faces:{data['faces']}")
    for code, emotion in S.FACES_CODES.items():
        for age, age_group in S.FACES_AGES.items():
            for g, gender in (("m", "male"), ("f", "female")):
                for s in "ab":
                    fields, reason = src.parse_name(f"123_{age}_{g}_{code}_{s}.jpg")
                    assert reason is None and fields["emotion"] == emotion and fields["identity"] == "123"
                    assert fields["meta"] == {"id": "123", "age_group": age_group, "gender": gender, "set": s}
    assert "expression 'x'" in src.parse_name("004_o_m_x_a.jpg")[1]
    assert "age group 'q'" in src.parse_name("004_q_m_a_a.jpg")[1]
    assert src.parse_name("AF01HAS.JPG") == (None, None)


def test_kdef_catalog_layouts_angles_and_identity(data):
    root = data["kdef"]
    for where in (root, root / "KDEF"):                  # folder holding KDEF/, or KDEF/ itself
        src = face(f"kdef:{where}")
        assert len(src.items) == 2 * 2 * 7                 # 2 people x 2 sessions x 7, angle S
        assert {it.meta["angle"] for it in src.items} == {"S"}
        assert {it.identity for it in src.items} == {"F01", "M02"}    # sessions share an identity
        assert src.describe()["per_emotion"] == {e: 4 for e in S.KDEF_CODES.values()}
    assert len(face(f"kdef:{root}:angles=S+HL").items) == 56
    assert len(face(f"kdef:{root}:angles=all").items) == 56
    assert {it.meta["angle"] for it in face(f"kdef:{root}:angles=hl").items} == {"HL"}
    # a single AF01-style person folder works as well
    assert len(face(f"kdef:{root / 'KDEF' / 'AF01'}:angles=S").items) == 7


def test_faces_catalog_metadata(data):
    src = face(f"faces:{data['faces']}")
    assert len(src.items) == 3 * 6
    metas = {it.identity: it.meta for it in src.items}
    assert metas["004"] == {"id": "004", "age_group": "old", "gender": "male", "set": "a"}
    assert metas["066"]["age_group"] == "young" and metas["066"]["gender"] == "female"
    assert "surprise" not in src.emotions()                # FACES has no surprise


# ------------------------------------------------------------------------------ matting
def _decoded(path):
    return cv2.imread(str(path))[..., ::-1].copy()


@pytest.mark.parametrize("detect", ["auto", "proportions"])
def test_kdef_keying_recovers_the_face_and_crops_chin_to_forehead(data, detect):
    params = matting.MatteParams()
    for rel, truth in data["kdef_truth"].items():
        if "B" in rel.split("/")[-1][:1]:
            continue
        rgb = _decoded(data["kdef"] / rel)
        alpha = matting.key_alpha(rgb, params)
        top, bottom, method, _ = matting.face_box(rgb, alpha, detect)
        if detect == "proportions":
            assert method == "proportions"
        hh = truth.chin_y - truth.skull_top_y
        # chin to top of forehead: eyes inside, chin near the bottom, no shoulders
        assert truth.skull_top_y - 0.25 * hh < top < truth.eye_y - 0.15 * hh, (rel, method)
        assert abs(bottom - truth.chin_y) < 0.25 * hh, (rel, method)
        fg = alpha[top:bottom] >= 128
        assert S.iou(fg, truth.head[top:bottom]) >= 0.9, (rel, method)
        assert S.iou(alpha >= 128, truth.subject) >= 0.9, rel


def test_kdef_source_returns_the_face_crop(data):
    src = face(f"kdef:{data['kdef']}")
    it = src.items[0]
    rgba = src.load_rgba(it, {}, 100)
    truth = data["kdef_truth"][it.key]
    hh = truth.chin_y - truth.skull_top_y
    assert rgba.shape[2] == 4 and rgba.dtype == np.uint8
    assert 0.6 * hh < rgba.shape[0] < 1.25 * hh          # a face crop, not the whole portrait
    assert rgba[..., 3].max() == 255 and rgba[0, 0, 3] == 0   # backdrop keyed out in the corner
    sprite = src.sprite({"key": it.key}, 60)
    assert sprite.shape[0] == 60 and sprite.shape[2] == 4


def test_faces_keying_recovers_head_neck_and_shoulders(data):
    src = face(f"faces:{data['faces']}")
    for name, truth in data["faces_truth"].items():
        alpha = matting.key_alpha(_decoded(data["faces"] / name))
        assert S.iou(alpha >= 128, truth.subject) >= 0.9, name
    it = src.items[0]
    rgba = src.load_rgba(it, {}, 100)
    ys, xs = np.nonzero(data["faces_truth"][it.key].subject)
    assert abs(rgba.shape[0] - (ys.max() - ys.min() + 1)) <= 8   # whole head down to the shoulders
    assert abs(rgba.shape[1] - (xs.max() - xs.min() + 1)) <= 8


def test_matting_is_cached_on_disk_and_reused(data, tmp_path, monkeypatch):
    monkeypatch.setenv("SYNTHGROUP_CACHE", str(tmp_path / "cache"))
    matting.clear_memory_cache()
    calls = []
    real = matting.method_alpha
    monkeypatch.setattr(matting, "method_alpha", lambda *a, **k: calls.append(1) or real(*a, **k))
    cfg = CFG.replace(faces=[f"kdef:{data['kdef']}"], backgrounds=[f"folder:{data['bgdir']}"])
    generate(cfg, tmp_path / "run1", n=6, progress=False)
    first = len(calls)
    files = list((tmp_path / "cache" / "cutouts").rglob("*.png"))
    assert first > 0 and len(files) == first                  # one cut-out file per matted photo
    assert not list((tmp_path / "cache").rglob(".*.tmp-*"))    # atomic writes leave no temp files
    matting.clear_memory_cache()                               # as if a new process
    generate(cfg, tmp_path / "run2", n=6, progress=False)
    assert len(calls) == first                                 # all from the disk cache
    assert [r["faces"] for r in records(tmp_path / "run1")] == [r["faces"] for r in records(tmp_path / "run2")]
    # the parameters are part of the key: other keying parameters are matted anew
    src = face(f"kdef:{data['kdef']}:threshold=15")
    src.load_rgba(src.items[0], {}, 64)
    assert len(calls) == first + 1
    matting.clear_memory_cache()


# ------------------------------------------------------------------------------ end to end
def test_generate_kdef_faces_lsun_folder_mixed(data, tmp_path):
    kdef, faces = f"kdef:{data['kdef']}:angles=S+HL", f"faces:{data['faces']}"
    lsun, bg = f"lsun:{data['lsun']}", f"folder:{data['bgdir']}"
    cfg = CFG.replace(faces=[f"2*{kdef}", faces], backgrounds=[lsun, bg], seed=3)
    m = generate(cfg, tmp_path / "out", n=15, progress=False)
    assert m["status"] == "complete" and sum(m["class_counts"].values()) == 15
    assert len(list((tmp_path / "out" / "images").glob("*.jpg"))) == 15
    desc = m["sources"]
    assert [(f["spec"], f["kind"], f["weight"]) for f in desc["faces"]] == [(kdef, "kdef", 2.0), (faces, "faces", 1.0)]
    assert desc["faces"][0]["faces"] == 56 and desc["faces"][0]["identities"] == 2
    assert desc["faces"][1]["identities"] == 3
    assert [(b["spec"], b["kind"]) for b in desc["backgrounds"]] == [(lsun, "lsun"), (bg, "folder")]
    assert desc["backgrounds"][0]["per_category"] == {"classroom": 6, "church_outdoor": 9}
    used_faces, used_bgs = set(), set()
    for rec in records(tmp_path / "out"):
        used_bgs.add(rec["background"]["source"])
        for f in rec["faces"]:
            used_faces.add(f["source"])
            if f["source"] == kdef:
                assert f["meta"]["id"] == f["identity"] and f["meta"]["gender"] in ("female", "male")
                assert f["key"].startswith("KDEF/")
            else:
                assert f["meta"]["age_group"] in ("young", "middle", "old")
    assert used_faces == {kdef, faces} and used_bgs == {lsun, bg}


def test_generate_folder_and_hf_sources(data, tmp_path):
    specs = [f"folder:{data['folder_rgba']}", f"folder:{data['folder_rgb']}:matte=rect",
             f"hf:{data['hf_faces']}:train:identity=person"]
    cfg = CFG.replace(faces=specs, backgrounds=[f"hf:{data['hf_bg']}"], seed=1)
    m = generate(cfg, tmp_path / "out", n=12, progress=False)
    assert m["status"] == "complete"
    assert m["sources"]["backgrounds"][0]["per_category"] == {"classroom": 2, "office": 2, "hall": 2}
    used = {f["source"] for rec in records(tmp_path / "out") for f in rec["faces"]}
    assert used == set(specs)


def test_folder_faces_rgba_kept_rgb_keyed_or_rect(data):
    src = face(f"folder:{data['folder_rgba']}:identity=prefix")
    assert src.emotions() == {"happiness", "neutral", "anger", "sadness"}   # happy/Neutral/angry/sad
    assert {it.identity for it in src.items} == {"id300", "id301"}
    it = src.items[0]
    original = cv2.imread(str(data["folder_rgba"] / it.key), cv2.IMREAD_UNCHANGED)
    assert np.array_equal(src.load_rgba(it, {}, 120), cv2.cvtColor(original, cv2.COLOR_BGRA2RGBA))
    keyed = face(f"folder:{data['folder_rgb']}")
    it = keyed.items[0]
    assert {i.identity for i in keyed.items} == {f"id300_{k}" for k in range(4)}     # file stem
    a = keyed.load_rgba(it, {}, 100)[..., 3]
    assert a[0, 0] == 0 and a.max() == 255
    rect = face(f"folder:{data['folder_rgb']}:matte=rect").load_rgba(it, {}, 100)
    assert rect.shape[:2] == (250, 200) and (rect[..., 3] == 255).all()


def test_hf_faces_class_labels_and_label_names(data, tmp_path):
    # class subfolders -> a ClassLabel column whose names are mapped to emotions
    root = tmp_path / "byclass"
    for i, emo in enumerate(["Happy", "fearful", "neutral", "happy"]):
        (root / "train" / emo).mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(root / "train" / emo / f"{i}.png"), S.scene(i)[..., ::-1])
    src = face(f"hf:{root}")
    assert sorted(it.emotion for it in src.items) == ["fear", "happiness", "happiness", "neutral"]
    rgba = src.load_rgba(src.items[0], {}, 64)
    assert rgba.shape == (96, 128, 4) and (rgba[..., 3] == 255).all()        # matte=rect default
    # integer labels without names (save_to_disk): an error that says how to name them
    import datasets
    ds = datasets.Dataset.from_dict({"img": [{"bytes": cv2.imencode(".png", S.scene(i))[1].tobytes(), "path": None}
                                             for i in range(3)], "label": [0, 1, 6]})
    ds = ds.cast_column("img", datasets.Image())
    ds.save_to_disk(str(tmp_path / "fer"))
    with pytest.raises(SourceError, match="integers without names; give them with labels="):
        face(f"hf:{tmp_path / 'fer'}").items
    fer = face(f"hf:{tmp_path / 'fer'}:labels=angry+disgust+fear+happy+sad+surprise+neutral")
    assert [it.emotion for it in fer.items] == ["anger", "disgust", "neutral"]


def test_lsun_layout_categories_and_no_cwd_key_cache(data, tmp_path, monkeypatch):
    assert category_of("classroom_train_lmdb") == ("classroom", "train")
    assert category_of("church_outdoor_val_lmdb") == ("church_outdoor", "val")
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("SYNTHGROUP_CACHE", str(tmp_path / "cache"))
    lsun._KEYS.clear()                                     # forget key lists made by other tests
    src = background(f"lsun:{data['lsun']}")
    assert {it.category for it in src.items} == {"classroom", "church_outdoor"}
    keys = {it.key.split("/", 1)[1] for it in src.items if it.category == "classroom"}
    assert keys == {k.decode() for k in data["lsun_keys"]["classroom"]}    # the LMDB's own ids
    img = src.image({"key": src.items[0].key}, (128, 128))
    assert img.ndim == 3 and img.shape[2] == 3 and img.shape[:2] == (96, 128)
    assert os.listdir(work) == []                                           # nothing in the cwd
    assert len(list((tmp_path / "cache" / "lsun-keys").glob("*.txt"))) == 3
    only = background(f"lsun:{data['lsun']}:church_outdoor:splits=val")
    assert len(only.items) == 3 and {it.category for it in only.items} == {"church_outdoor"}
    single = background(f"lsun:{data['lsun'] / 'classroom_train_lmdb'}:limit=4")
    assert len(single.items) == 4
    assert os.listdir(work) == []


def _load_in_child(src, key, q):
    q.put(src.image({"key": key}, (64, 64)).shape)


def test_lsun_environment_reopened_in_forked_worker(data):
    src = background(f"lsun:{data['lsun']}")
    key = src.items[1].key
    parent_shape = src.image({"key": src.items[0].key}, (64, 64)).shape   # opens in the parent
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    p = ctx.Process(target=_load_in_child, args=(src, key, q))
    p.start()
    child_shape = q.get(timeout=30)
    p.join(30)
    assert p.exitcode == 0 and child_shape == parent_shape


# ------------------------------------------------------------------------------ bad input
@pytest.mark.parametrize("spec", ["kdef:{m}", "faces:{m}", "folder:{m}", "hf:{m}", "bg:lsun:{m}",
                                  "bg:folder:{m}"])
def test_missing_folder(tmp_path, spec):
    missing = tmp_path / "nope"
    make = background if spec.startswith("bg:") else face
    with pytest.raises(SourceError, match=f"folder {missing} does not exist"):
        make(spec.removeprefix("bg:").format(m=missing)).items


def refused(make, spec: str, match: str) -> None:
    """The catalogue of source ``make(spec)`` is one SourceError matching ``match``."""
    with pytest.raises(SourceError, match=match):
        make(spec).items


def test_no_file_follows_the_convention(tmp_path):
    for i in range(3):
        S.write_jpeg(tmp_path / "KDEF" / f"photo{i}.jpg", S.scene(i))
    refused(face, f"kdef:{tmp_path}", r"no file in .* follows the KDEF naming .*e\.g\. KDEF/AF01/AF01HAS\.JPG")
    refused(face, f"faces:{tmp_path}", r"follows the FACES naming .*e\.g\. 004_o_m_a_a\.jpg")
    refused(face, f"folder:{tmp_path / 'KDEF'}", r"no face images found in .*e\.g\. .*happy/anna_01\.png")
    (tmp_path / "empty").mkdir()
    refused(background, f"folder:{tmp_path / 'empty'}", r"no image files .* under .*empty")


def test_half_matching_names(tmp_path):
    S.make_kdef(tmp_path, people=(("F", 1),), expressions=("HA", "NE"))
    bad = tmp_path / "KDEF" / "AF01" / "AF01XXS.JPG"
    bad.write_bytes((tmp_path / "KDEF" / "AF01" / "AF01HAS.JPG").read_bytes())
    src = face(f"kdef:{tmp_path}")
    assert len(src.items) == 2                                     # the rest of the folder is used
    assert src.skipped == {"KDEF/AF01/AF01XXS.JPG":
                           "bad KDEF file name: expression 'XX' is not one of AF, AN, DI, HA, NE, SA, SU"}
    assert src.describe()["bad_names"] == 1
    only_bad = tmp_path / "only_bad"
    only_bad.mkdir()
    bad.rename(only_bad / "AF01XXS.JPG")
    with pytest.raises(SourceError, match=r"nearly do but have a bad code, e\.g\. AF01XXS\.JPG: expression 'XX'"):
        face(f"kdef:{only_bad}").items
    with pytest.raises(SourceError, match=r"no photos at angle\(s\) HL .*found: S"):
        face(f"kdef:{tmp_path}:angles=HL").items
    with pytest.raises(SourceError, match=r"angles='S\+XX': XX not among"):
        face(f"kdef:{tmp_path}:angles=S+XX")


def test_corrupt_files_are_skipped_counted_and_never_sampled(tmp_path):
    kdef = tmp_path / "kdef"
    S.make_kdef(kdef, people=(("F", 1), ("M", 2)))
    broken = "KDEF/AM02/AM02HAS.JPG"
    S.truncate(kdef / broken)
    bgs = tmp_path / "bgs"
    S.make_background_folder(bgs, n=2)
    S.truncate(bgs / "classroom" / "000.jpg")
    src = face(f"kdef:{kdef}")
    with pytest.raises(CorruptItemError, match="AM02HAS.JPG: unreadable image"):
        src.sprite({"key": broken}, 64)
    assert broken in src.skipped
    cfg = CFG.replace(faces=[f"kdef:{kdef}"], backgrounds=[f"folder:{bgs}"], seed=0)
    m = generate(cfg, tmp_path / "out", n=24, progress=False)
    assert m["status"] == "complete" and sum(m["class_counts"].values()) == 24
    skipped = m["skipped_files"]
    assert broken in skipped[f"kdef:{kdef}"] and "classroom/000.jpg" in skipped[f"folder:{bgs}"]
    for rec in records(tmp_path / "out"):
        assert rec["background"]["key"] != "classroom/000.jpg"
        assert all(f["key"] != broken for f in rec["faces"])


def test_lmdb_that_is_not_lsun(tmp_path):
    import lmdb
    env = lmdb.open(str(tmp_path / "notes_train_lmdb"), map_size=1 << 22)
    with env.begin(write=True) as txn:
        txn.put(b"0001", b"hello, not an image")
    env.close()
    refused(background, f"lsun:{tmp_path}",
            r"notes_train_lmdb is not an LSUN scene LMDB: the value of key b'0001' is not an encoded image")
    refused(background, f"lsun:{tmp_path}:kitchen", r"no LMDB for kitchen in .* \(found: notes \(train\)\)")
    (tmp_path / "bedroom_train_lmdb").mkdir()
    refused(background, f"lsun:{tmp_path}", r"bedroom_train_lmdb has no data.mdb")
    (tmp_path / "plain").mkdir()
    refused(background, f"lsun:{tmp_path / 'plain'}",
            r"no LSUN LMDB folders in .*plain; expected <category>_<split>_lmdb")


def test_lsun_corrupt_value_is_skipped(tmp_path):
    S.make_lsun(tmp_path, categories=("classroom",), n=3)
    key = S.spoil_lsun_value(tmp_path, lambda value: value[: len(value) // 3])
    src = background(f"lsun:{tmp_path}")
    bad = f"classroom_train_lmdb/{key.decode()}"
    with pytest.raises(CorruptItemError, match=f"key {key.decode()}: unreadable image"):
        src.image({"key": bad}, (64, 64))
    assert bad in src.skipped


def test_unknown_emotion_names(tmp_path, data):
    S.make_expression_folder(tmp_path / "ds", emotions=("happy", "contempt"), per=1)
    with pytest.raises(SourceError, match=r"folder .*contempt is not named after an emotion.*skip_unknown=true"):
        face(f"folder:{tmp_path / 'ds'}").items
    assert face(f"folder:{tmp_path / 'ds'}:skip_unknown=true").emotions() == {"happiness"}
    rows = [{"file_name": "a.png", "emotion": "happy"}, {"file_name": "b.png", "emotion": "contempt"}]
    d = tmp_path / "hfc" / "train"
    d.mkdir(parents=True)
    for r in rows:
        cv2.imwrite(str(d / r["file_name"]), S.scene(1))
    (d / "metadata.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    with pytest.raises(SourceError, match=r"column 'emotion': unknown emotion name 'contempt'.*skip=contempt"):
        face(f"hf:{tmp_path / 'hfc'}").items
    assert face(f"hf:{tmp_path / 'hfc'}:skip=contempt").emotions() == {"happiness"}


def test_hub_dataset_while_offline(monkeypatch):
    import datasets
    import huggingface_hub
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(SourceError, match=r"cannot load Hub dataset 'someone/group-emotions'.*offline"):
        face("hf:someone/group-emotions").items
    with pytest.raises(SourceError, match=r"'someone/scenes'.*offline"):
        background("hf:someone/scenes:validation").items


def test_cli_prints_source_errors_without_traceback(tmp_path):
    from conftest import run_cli
    r = run_cli("generate", "--n", "2", "--out", tmp_path / "o", "--quiet",
                "--faces", f"kdef:{tmp_path / 'missing'}")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert f"folder {tmp_path / 'missing'} does not exist" in r.stderr
