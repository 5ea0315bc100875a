"""The generator's real properties: no overlap, majority labels, determinism, resume, datasets."""
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from synthgroup import GenConfig, Sources, make_sample
from synthgroup.compose import face_layers, render_record
from synthgroup.writer import generate
from synthgroup.inspection import inspect_folder
from synthgroup.labels import emotion_groups, image_label

SMALL = GenConfig(size=(128, 128))


@pytest.fixture(scope="module")
def sources():
    return Sources(SMALL)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    out = tmp_path_factory.mktemp("gen") / "ds"
    generate(SMALL, out, n=240, workers=1, progress=False)
    return out


def _records(folder):
    return [json.loads(l) for l in (Path(folder) / "metadata.jsonl").read_text().splitlines()]


def test_sample_is_pure_function_of_seed_and_index(sources):
    a = make_sample(SMALL, sources, 5)
    b = make_sample(SMALL, Sources(SMALL), 5)        # fresh caches
    assert a.record == b.record
    assert np.array_equal(a.image, b.image) and np.array_equal(a.mask, b.mask)
    c = make_sample(SMALL.replace(seed=1), sources, 5)
    assert not np.array_equal(a.image, c.image)


def test_record_replays_to_same_pixels(sources):
    s = make_sample(SMALL, sources, 11)
    image, mask = render_record(json.loads(json.dumps(s.record)), Sources(SMALL))
    assert np.array_equal(image, s.image) and np.array_equal(mask, s.mask)


def test_no_two_faces_overlap(dataset, sources):
    for rec in _records(dataset)[:120]:
        occupied = np.zeros(rec["size"], dtype=np.int32)
        for alpha, (x, y) in face_layers(rec, sources):
            occupied[y:y + alpha.shape[0], x:x + alpha.shape[1]] += alpha > 0
        assert occupied.max() <= 1, rec["file_name"]


def test_masks_hold_every_face_whole(dataset):
    multi = 0
    for rec in _records(dataset):
        mask = cv2.imread(str(dataset / rec["mask_file_name"]), cv2.IMREAD_UNCHANGED)
        counts = np.bincount(mask.ravel(), minlength=rec["n_faces"] + 1)
        assert len(counts) == rec["n_faces"] + 1
        for k, face in enumerate(rec["faces"], 1):
            assert counts[k] == face["pixels"] > 20     # nothing drawn over it
            x, y, w, h = face["box"]
            ys, xs = np.nonzero(mask == k)
            assert xs.min() >= x and ys.min() >= y and xs.max() < x + w and ys.max() < y + h
        multi += rec["n_faces"] > 1
    assert multi > 100


def test_labels_follow_majority_rule(dataset):
    groups = emotion_groups()
    recs = _records(dataset)
    for rec in recs:
        for f in rec["faces"]:
            assert f["group"] == groups[f["emotion"]]
            assert f["emotion"] != "surprise"               # excluded by default
        assert rec["label"] == image_label([f["group"] for f in rec["faces"]])
    mixed = sum(len({f["group"] for f in r["faces"]}) > 1 for r in recs)
    assert mixed > len(recs) / 3                           # images mix groups


def test_labels_are_balanced_and_counts_cover_range(dataset):
    recs = _records(dataset)
    counts = np.bincount([r["label"] for r in recs], minlength=3)
    assert counts.tolist() == [80, 80, 80]
    n_faces = [r["n_faces"] for r in recs]
    assert min(n_faces) == 1 and max(n_faces) >= 8
    assert all(r["n_faces"] <= r["n_faces_requested"] for r in recs)
    manifest = json.loads((dataset / "manifest.json").read_text())
    assert manifest["class_counts"] == {"Positive": 80, "Neutral": 80, "Negative": 80}
    assert manifest["status"] == "complete"
    assert manifest["config"]["size"] == [128, 128]


def test_inspect_passes_and_catches_tampering(dataset, tmp_path):
    rep = inspect_folder(dataset, replay=20)
    assert rep["ok"], rep["problems"][:5]
    assert sum(rep["labels"].values()) == 240
    # tamper a copy: flip a label, delete an image
    import shutil
    bad = tmp_path / "bad"
    shutil.copytree(dataset, bad)
    recs = _records(bad)
    recs[3]["label"] = (recs[3]["label"] + 1) % 3
    (bad / "metadata.jsonl").write_text("".join(json.dumps(r) + "\n" for r in recs))
    (bad / recs[7]["file_name"]).unlink()
    rep = inspect_folder(bad)
    assert not rep["ok"]
    text = "\n".join(rep["problems"])
    assert recs[3]["file_name"] in text and "majority rule" in text
    assert recs[7]["file_name"] in text


def test_datasets_imagefolder_loads_with_labels(dataset):
    import datasets
    ds = datasets.load_dataset("imagefolder", data_dir=str(dataset), split="train")
    assert len(ds) == 240
    recs = {r["file_name"]: r for r in _records(dataset)}
    labels_by_index = {r["index"]: r["label"] for r in recs.values()}
    assert sorted(ds["index"]) == list(range(240))
    for row in ds.select(range(10)):
        assert row["label"] == labels_by_index[row["index"]]
        assert row["image"].size == (128, 128)
        assert len(row["faces"]) == row["n_faces"]


def _bytes(folder, n):
    return [(folder / f"images/{i:06d}.jpg").read_bytes() + (folder / f"masks/{i:06d}.png").read_bytes()
            for i in range(n)]


def test_identical_bytes_across_workers_and_shards(dataset, tmp_path):
    n = 240
    two = tmp_path / "two"
    generate(SMALL, two, n=n, workers=2, progress=False)
    sharded = tmp_path / "sharded"
    generate(SMALL, sharded, n=n, workers=1, shard=(1, 2), progress=False)
    m = json.loads((sharded / "manifest.json").read_text())
    assert m["status"].startswith("partial")
    generate(SMALL, sharded, n=n, workers=2, shard=(0, 2), progress=False)
    ref = _bytes(dataset, n)
    assert _bytes(two, n) == ref
    assert _bytes(sharded, n) == ref
    assert (two / "metadata.jsonl").read_text() == (dataset / "metadata.jsonl").read_text()
    assert (sharded / "metadata.jsonl").read_text() == (dataset / "metadata.jsonl").read_text()


def test_killed_generate_resumes_correctly(tmp_path):
    from conftest import run_cli
    out = tmp_path / "killed"
    exe = Path(sys.executable).with_name("synthgroup")
    args = ["generate", "--n", "1500", "--out", str(out), "--size", "128", "--quiet", "--workers", "2"]
    proc = subprocess.Popen([str(exe)] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and len(list((out / "parts").glob("*.jsonl"))) < 3:
        time.sleep(0.05)
    import os
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    parts_before = sorted(p.stem for p in (out / "parts").glob("*.jsonl"))
    assert 3 <= len(parts_before) < 15, "kill came too late to test resuming"
    assert not (out / "metadata.jsonl").exists()
    finished = [out / f"images/{i:06d}.jpg" for part in parts_before
                for i in range(*(int(v) for v in part.split("-")))]
    mtimes = [p.stat().st_mtime_ns for p in finished]
    r = run_cli(*args)
    assert r.returncode == 0, r.stderr
    # finished chunks were not redone; the complete folder keeps no parts
    assert [p.stat().st_mtime_ns for p in finished] == mtimes
    assert not (out / "parts").exists()
    rep = inspect_folder(out)
    assert rep["ok"] and rep["images"] == 1500, rep["problems"][:5]
    assert not list(out.rglob(".*.tmp-*"))
    # the resumed folder is byte-identical to an uninterrupted run
    clean = tmp_path / "clean"
    generate(GenConfig(size=(128, 128)), clean, n=1500, workers=2, progress=False)
    assert _bytes(out, 1500) == _bytes(clean, 1500)


def _prepared(sources, emotion, seed):
    src = sources.faces[0][1]
    ref = src.pick(np.random.default_rng(seed), emotion)
    return src.sprite(ref, 60), src.prepared(ref, 60)


def test_face_colour_augmentation_never_touches_alpha(sources):
    from synthgroup.augment import identity_face_aug, warp_face
    sprite, (premult, grey) = _prepared(sources, "happiness", 0)
    plain = identity_face_aug()
    coloured = dict(plain, brightness=1.3, contrast=0.7)
    a = warp_face(premult, grey, plain, 1.0)
    b = warp_face(premult, grey, coloured, 1.0)
    assert np.array_equal(a[..., 3], b[..., 3])
    inside = a[..., 3] == 255
    assert b[..., :3][inside].mean() > a[..., :3][inside].mean() + 5     # brighter where opaque
    assert not b[..., :3][a[..., 3] == 0].any()                          # nothing leaks outside


def test_premultiplied_warp_keeps_the_sprite(sources):
    from synthgroup.augment import identity_face_aug, warp_face
    sprite, (premult, grey) = _prepared(sources, "neutral", 4)
    out = warp_face(premult, grey, identity_face_aug(), 1.0)
    ys, xs = np.nonzero(out[..., 3])
    crop = out[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    ys, xs = np.nonzero(sprite[..., 3])
    ref = sprite[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    assert crop.shape == ref.shape
    assert np.array_equal(crop[..., 3], ref[..., 3])
    opaque = ref[..., 3] == 255
    assert np.abs(crop[..., :3][opaque].astype(int) - ref[..., :3][opaque]).max() <= 1


def test_face_matrix_matches_albumentations_affine():
    from albumentations.augmentations.geometric import functional as fgeometric
    from synthgroup.augment import face_matrix, identity_face_aug
    aug = dict(identity_face_aug(), rotate=12.5, scale=[0.93, 1.07], shear=[4.0, -6.0])
    h, w = 60, 48
    ours = face_matrix(aug, (h, w), 0.8)
    ref = fgeometric.create_affine_transformation_matrix(
        translate={"x": 0, "y": 0}, shear={"x": 4.0, "y": -6.0}, scale={"x": 0.8 * 0.93, "y": 0.8 * 1.07},
        rotate=12.5, shift=((w - 1) / 2, (h - 1) / 2))
    assert np.allclose(ours, ref, atol=1e-9)


def test_geometric_augmentation_moves_alpha_consistently(sources):
    from synthgroup.augment import identity_face_aug, warp_face
    sprite, (premult, grey) = _prepared(sources, "neutral", 1)
    flipped = warp_face(premult, grey, dict(identity_face_aug(), hflip=True), 1.0)
    plain = warp_face(premult, grey, identity_face_aug(), 1.0)
    assert np.array_equal(flipped[..., 3], plain[:, ::-1, 3])
    rotated = warp_face(premult, grey, dict(identity_face_aug(), rotate=30.0), 1.0)
    assert rotated.shape[1] > plain.shape[1]              # the canvas grows to hold the rotation
    area = (plain[..., 3] > 127).sum()
    assert abs(int((rotated[..., 3] > 127).sum()) - int(area)) < 0.05 * area


def test_held_out_split_shares_no_identity_or_background():
    train = Sources(SMALL.replace(split="train"))
    test = Sources(SMALL.replace(split="test"))
    ids = lambda s: {it.identity for it in s.faces[0][1].items}
    bgs = lambda s: {it.key for it in s.backgrounds[0][1].items}
    assert ids(train) and ids(test) and not ids(train) & ids(test)
    assert bgs(train) and bgs(test) and not bgs(train) & bgs(test)
    assert 0.1 < len(ids(test)) / (len(ids(train)) + len(ids(test))) < 0.3


def test_whole_image_augmentation_changes_pixels_not_masks():
    plain = GenConfig(size=(96, 96), faces_per_image=(1, 4))
    aug = plain.replace(image_aug=type(plain.image_aug)(enabled=True, blur_p=1.0, noise_p=1.0))
    a = make_sample(plain, Sources(plain), 3)
    b = make_sample(aug, Sources(aug), 3)
    assert a.record["faces"] == b.record["faces"]
    assert np.array_equal(a.mask, b.mask)
    assert np.abs(a.image.astype(int) - b.image).mean() > 2
    assert b.record["image_aug"]["blur_sigma"] > 0 and b.record["image_aug"]["noise_std"] >= 0
    again = make_sample(aug, Sources(aug), 3)
    assert np.array_equal(again.image, b.image)


def test_resample_tie_policy_never_emits_ties():
    from synthgroup.labels import majority_label
    cfg = GenConfig(size=(96, 96), faces_per_image=(2, 6), tie_policy="resample")
    src = Sources(cfg)
    recs = [make_sample(cfg, src, i).record for i in range(45)]
    assert all(majority_label([f["group"] for f in r["faces"]]) == r["label"] for r in recs)
    assert np.bincount([r["label"] for r in recs], minlength=3).tolist() == [15, 15, 15]


def test_unbalanced_labels_follow_the_faces():
    cfg = GenConfig(size=(96, 96), balance=False, faces_per_image=(1, 1))
    src = Sources(cfg)
    recs = [make_sample(cfg, src, i).record for i in range(60)]
    # one face per image: the label is that face's group; Negative has 4 emotions of 6
    counts = np.bincount([r["label"] for r in recs], minlength=3)
    assert counts[2] > counts[0] and counts[2] > counts[1]
    assert all(r["label"] == r["faces"][0]["group"] for r in recs)
