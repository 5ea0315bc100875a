"""Data formats a generated folder meets: the dataset card `datasets` reads (every column, class
names), COCO instance annotations, and a finished folder without its `parts/`."""
import json

import cv2
import numpy as np
import pytest
from conftest import run_cli
from faults import BIN, on_tmpfs, one_message

from synthgroup import GenConfig
from synthgroup.errors import SynthGroupError
from synthgroup.labels import CLASS_NAMES
from synthgroup.writer import generate

TINY = GenConfig(size=(96, 96), faces_per_image=(1, 4))
N = 12


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    out = tmp_path_factory.mktemp("formats") / "ds"
    generate(TINY, out, n=N, workers=1, progress=False)
    return out


def _records(folder):
    return [json.loads(line) for line in (folder / "metadata.jsonl").read_text().splitlines()]


# ------------------------------------------------------------------------------ dataset card
def test_card_declares_every_column_with_class_names(dataset):
    import datasets
    ds = datasets.load_dataset(str(dataset), split="train")
    assert ds.features["label"].names == list(CLASS_NAMES)
    assert ds.features["faces"].feature["group"].names == list(CLASS_NAMES)
    assert len(ds) == N and sorted(ds["index"]) == list(range(N))
    # the declared columns are exactly those the imagefolder builder finds in metadata.jsonl
    plain = datasets.load_dataset("imagefolder", data_dir=str(dataset), split="train")
    assert list(ds.features) == list(plain.features)
    row = ds[0]
    rec = next(r for r in _records(dataset) if r["index"] == row["index"])
    assert row["label"] == rec["label"] and row["faces"][0]["box"] == rec["faces"][0]["box"]
    assert row["image"].size == row["mask"].size == (96, 96)
    # the card tells how to name the classes where it is not read
    named = plain.cast_column("label", datasets.ClassLabel(names=list(CLASS_NAMES)))
    assert named.features["label"].names == list(CLASS_NAMES)
    assert 'ClassLabel(names=["Positive", "Neutral", "Negative"])' in (dataset / "README.md").read_text()


def test_card_types_follow_arrow_inference():
    from synthgroup.card import dataset_features
    rows = [{"file_name": "a.jpg", "label": 0, "x": 1, "tags": [], "m": {"a": 1}, "gone": None},
            {"file_name": "b.jpg", "label": 2, "x": 2.5, "tags": ["t"], "m": {"b": "s"}, "gone": None}]
    by_name = {f["name"]: f for f in dataset_features(rows)}
    assert by_name["image"] == {"name": "image", "dtype": "image"}
    assert by_name["label"]["dtype"]["class_label"]["names"]["2"] == "Negative"
    assert by_name["x"]["dtype"] == "float64" and by_name["tags"]["list"] == "string"
    assert by_name["m"]["struct"] == [{"name": "a", "dtype": "int64"}, {"name": "b", "dtype": "string"}]
    assert by_name["gone"]["dtype"] == "null"


# ------------------------------------------------------------------------------ parts/ and resume
def test_complete_folder_keeps_no_parts_and_a_rerun_changes_nothing(dataset):
    assert not (dataset / "parts").exists()
    before = {p: p.stat().st_mtime_ns for p in dataset.rglob("*") if p.is_file()}
    m = generate(TINY, dataset, n=N, workers=1, progress=False)
    assert m["status"] == "complete" and not (dataset / "parts").exists()
    assert {p: p.stat().st_mtime_ns for p in before} == before
    with pytest.raises(SynthGroupError, match="different configuration"):   # never restarted
        generate(TINY.replace(seed=9), dataset, n=N, workers=1, progress=False)
    with pytest.raises(SynthGroupError, match=f"--n {N} images"):
        generate(TINY, dataset, n=N + 1, workers=1, progress=False)
    assert len(_records(dataset)) == N


def test_a_complete_folder_that_lost_its_metadata_is_made_again(dataset, tmp_path):
    import shutil
    copy = tmp_path / "copy"
    shutil.copytree(dataset, copy)
    (copy / "metadata.jsonl").unlink()
    generate(TINY, copy, n=N, workers=1, progress=False)
    assert (copy / "metadata.jsonl").read_text() == (dataset / "metadata.jsonl").read_text()
    assert not (copy / "parts").exists()


# ------------------------------------------------------------------------------ COCO
def _decode_rle(segm):
    """COCO compressed RLE -> HxW bool, following pycocotools' maskApi.c (rleFrString, rleDecode)."""
    s, counts, p = segm["counts"], [], 0
    while p < len(s):
        x = k = 0
        while True:
            c = ord(s[p]) - 48
            x |= (c & 0x1F) << (5 * k)
            p, k = p + 1, k + 1
            if not c & 0x20:
                if c & 0x10:
                    x |= -1 << (5 * k)
                break
        if len(counts) > 2:
            x += counts[-2]
        counts.append(x)
    h, w = segm["size"]
    flat = np.repeat(np.arange(len(counts)) % 2 == 1, counts)
    assert flat.size == h * w
    return flat.reshape(w, h).T


def _pycocotools_masks(path):
    coco = pytest.importorskip("pycocotools.coco").COCO(str(path))
    return {a["id"]: coco.annToMask(a).astype(bool) for a in coco.loadAnns(coco.getAnnIds())}


@pytest.mark.parametrize("decoder", ["maskApi.c rules", "pycocotools"])
def test_coco_export_has_one_annotation_per_face_matching_its_mask(dataset, tmp_path, decoder):
    out = tmp_path / "coco.json"
    r = run_cli("export", dataset, "--format", "coco", "--out", out)
    assert r.returncode == 0, r.stderr
    coco = json.loads(out.read_text())
    decoded = (_pycocotools_masks(out) if decoder == "pycocotools"
               else {a["id"]: _decode_rle(a["segmentation"]) for a in coco["annotations"]})
    assert [c["name"] for c in coco["categories"]] == list(CLASS_NAMES)
    records = _records(dataset)
    assert len(coco["images"]) == N
    assert len(coco["annotations"]) == sum(r["n_faces"] for r in records)
    images = {im["id"]: im for im in coco["images"]}
    anns = {}
    for a in coco["annotations"]:
        assert set(a) >= {"id", "image_id", "category_id", "bbox", "area", "segmentation", "iscrowd"}
        assert a["iscrowd"] == 0
        anns.setdefault(a["image_id"], []).append(a)
    for rec in records:
        im = next(im for im in images.values() if im["file_name"] == rec["file_name"])
        assert (im["height"], im["width"]) == tuple(rec["size"])
        mask = cv2.imread(str(dataset / rec["mask_file_name"]), cv2.IMREAD_UNCHANGED)
        for k, (face, a) in enumerate(zip(rec["faces"], sorted(anns[im["id"]], key=lambda a: a["id"])), 1):
            assert a["bbox"] == face["box"] and a["category_id"] == face["group"] + 1
            assert np.array_equal(decoded[a["id"]], mask == k)
            assert a["area"] == face["pixels"] == int((mask == k).sum())


def test_coco_export_by_emotion(dataset, tmp_path):
    from synthgroup.export import export_dataset
    out = export_dataset(dataset, tmp_path / "e.json", categories="emotion")
    coco = json.loads(out.read_text())
    names = {c["id"]: c["name"] for c in coco["categories"]}
    assert "surprise" not in names.values() and len(names) == 6   # excluded by the default policy
    faces = [f for r in _records(dataset) for f in r["faces"]]
    assert [names[a["category_id"]] for a in coco["annotations"]] == [f["emotion"] for f in faces]


def _one_message(r, *needles):
    return one_message(r, "synthgroup", *needles)


def test_export_bad_input_is_one_message_and_writes_nothing(dataset, tmp_path):
    out = tmp_path / "coco.json"
    stranger = tmp_path / "stranger"
    stranger.mkdir()
    (stranger / "x.jpg").write_bytes(b"")
    _one_message(run_cli("export", stranger, "--out", out), "not a synthgroup dataset")
    _one_message(run_cli("export", tmp_path / "nowhere", "--out", out), "does not exist")
    partial = tmp_path / "partial"
    generate(TINY, partial, n=150, workers=1, shard=(1, 2), progress=False)    # 50 of 150 images
    _one_message(run_cli("export", partial, "--out", out), "not a complete", "partial")
    _one_message(run_cli("export", dataset, "--out", tmp_path / "no" / "c.json"), "does not exist")
    _one_message(run_cli("export", dataset, "--out", tmp_path), "is a folder")
    from synthgroup.export import export_dataset
    with pytest.raises(SynthGroupError, match="'voc'.*coco"):
        export_dataset(dataset, out, "voc")
    broken = tmp_path / "broken"
    import shutil
    shutil.copytree(dataset, broken)
    (broken / "masks/000003.png").write_bytes(b"not a png")
    _one_message(run_cli("export", broken, "--out", out), "000003.png")
    assert not out.exists() and not list(tmp_path.glob(".coco.json*"))


@pytest.mark.parametrize("size, readonly, needle", [("1m", True, "read-only"),
                                                    ("4k", False, "disk is full")])
def test_export_to_a_disk_that_takes_nothing_is_one_message(dataset, tmp_path, size, readonly, needle):
    disk, kept = tmp_path / "disk", tmp_path / "kept"
    r = on_tmpfs(disk, size, [BIN / "synthgroup", "export", dataset, "--out", disk / "coco.json"],
                 readonly=readonly, keep=kept)
    _one_message(r, str(disk / "coco.json"), needle)
    assert not list(kept.iterdir())
