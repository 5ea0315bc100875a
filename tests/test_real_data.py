"""globalnet.data on real files: tiny mp4 videos, VGAF label files, GAF trees, video folders."""
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

import globalnet.data as gd
from globalnet import video
from globalnet.data import frame_index as frames_mod
from globalnet.errors import GlobalNetError
from realdata_standins import (identify, make_gaf, make_vgaf, make_video_folder, write_image,
                               write_labels, write_video)

TRAIN = {"10_1": (1, 5), "10_2": (2, 20), "100_1": (3, 8)}
VAL = {"11_1": (3, 6), "11_2": (1, 7), "11_3": (2, 5)}
MEAN, STD = (0.1, 0.2, 0.3), (0.5, 0.25, 0.2)


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    d = tmp_path / "globalnet-cache"
    monkeypatch.setenv("GLOBALNET_CACHE", str(d))
    return d


@pytest.fixture
def vgaf(tmp_path):
    root = tmp_path / "vgaf"
    return root, make_vgaf(root, TRAIN, VAL)


def _video_ids(ds, ids):
    """Map the dataset's video index -> the stand-in video id."""
    return [ids[p.stem] for p in ds.index.paths]


# --------------------------------------------------------------------------- layouts and labels

@pytest.mark.parametrize("layout,with_ext", [("flat", False), ("split", True)])
def test_vgaf_label_codes_map_to_class_ids(tmp_path, layout, with_ext):
    root = tmp_path / "vgaf"
    make_vgaf(root, TRAIN, VAL, layout=layout, with_ext=with_ext)
    assert gd.detect_layout(root) == "vgaf"
    train = {p.stem: y for p, y in gd.list_videos(f"vgaf:{root}", "train")}
    assert train == {"10_1": 0, "10_2": 1, "100_1": 2}
    val = {p.stem: y for p, y in gd.VGAFVideos(root, "val")}
    assert val == {"11_1": 2, "11_2": 0, "11_3": 1}
    if layout == "split":
        assert all(p.parent.name == "Train" for p, _ in gd.list_videos(f"vgaf:{root}", "train"))
    ds = gd.VGAFFrames(root, "train")
    assert ds.class_counts() == [5, 20, 8] and len(ds) == 33
    assert gd.VGAFVideos(root, "train").class_counts() == [1, 1, 1]
    assert isinstance(gd.open_real_dataset(str(root), "val"), gd.VGAFFrames)


def test_gaf_images_with_case_insensitive_names(tmp_path):
    root = make_gaf(tmp_path / "gaf", {"positive": 2, "NEUTRAL": 3, "Negative": 1}, splits=("Train", "val"))
    assert gd.detect_layout(root) == "gaf"
    ds = gd.GAFImages(root, "train")
    assert ds.class_counts() == [2, 3, 1]
    img, y = ds[0]
    assert img.shape == (48, 64, 3) and img.dtype == np.uint8 and y == 0
    assert sorted(set(ds.labels)) == [0, 1, 2]
    opened = gd.open_real_dataset(f"gaf:{root}", "val", transform=gd.eval_transform(32, MEAN, STD))
    x, _ = opened[5]
    assert isinstance(opened, gd.GAFImages) and x.shape == (3, 32, 32)


@pytest.mark.parametrize("nested", [False, True])
def test_video_class_folders(tmp_path, nested):
    root = tmp_path / "videos"
    base = root / "train" if nested else root
    ids = make_video_folder(base, {"Positive": {"p1": 5}, "neutral": {"n1": 6, "n2": 4},
                                   "NEGATIVE": {"g1": 7}})
    assert gd.detect_layout(root) == "videos"
    ds = gd.open_real_dataset(str(root), "train")
    assert isinstance(ds, gd.VideoFolderFrames)
    assert ds.class_counts() == [5, 10, 7] and len(ds) == 22
    vids = _video_ids(ds, ids)
    for i in range(len(ds)):
        img, y = ds[i]
        v, f = ds.frame_of(i)
        assert identify(img) == (vids[v], f) and y == ds.index.labels[v]
    assert sorted(y for _, y in gd.list_videos(f"videos:{root}", "train")) == [0, 1, 1, 2]


# --------------------------------------------------------------------------- sampling and decoding

def test_frames_are_drawn_uniformly_over_all_frames(vgaf):
    root, _ = vgaf
    ds = gd.VGAFFrames(root, "train", frames_per_epoch=4000, seed=3)
    assert len(ds) == 4000
    g = np.array([ds.global_index(i) for i in range(len(ds))])
    per_frame = np.bincount(g, minlength=ds.index.total)
    expected = len(g) / ds.index.total
    chi2 = float(((per_frame - expected) ** 2 / expected).sum())
    assert chi2 < 62.5  # df = 32, p = 0.001
    v, f = ds.index.locate(g)
    assert (f >= 0).all() and (f < ds.index.counts[v]).all()
    per_video = np.bincount(v, minlength=3)
    assert abs(per_video[1] / per_video[0] - 4.0) < 0.6  # 20 frames vs 5 frames
    assert abs(per_video[2] / per_video[0] - 1.6) < 0.3  # 8 frames vs 5 frames
    # label of a draw is its video's label
    labels = ds.index.frame_labels(g)
    assert np.bincount(labels, minlength=3)[1] == per_video[1]


def test_decoded_frame_is_the_requested_frame(vgaf):
    root, ids = vgaf
    ds = gd.VGAFFrames(root, "train")
    vids = _video_ids(ds, ids)
    order = list(range(len(ds))) + list(np.random.default_rng(0).permutation(len(ds)))
    for i in order:  # sequential, then random access (seeks, backwards jumps, LRU reuse)
        img, y = ds[int(i)]
        v, f = ds.frame_of(int(i))
        assert img.shape == (48, 64, 3) and img.dtype == np.uint8
        assert identify(img) == (vids[v], f), f"item {i}"
        assert y == [0, 1, 2][v]
    sampled = gd.VGAFFrames(root, "train", frames_per_epoch=40, seed=1)
    for i in range(40):
        v, f = sampled.frame_of(i)
        assert identify(sampled[i][0]) == (vids[v], f)


def test_item_is_a_pure_function_of_seed_epoch_and_index(vgaf):
    root, _ = vgaf
    a = gd.VGAFFrames(root, "train", frames_per_epoch=200, seed=5)
    b = gd.VGAFFrames(root, "train", frames_per_epoch=200, seed=5)
    e0 = [a.frame_of(i) for i in range(200)]
    assert e0 == [b.frame_of(i) for i in reversed(range(200))][::-1]
    a.set_epoch(1)
    e1 = [a.frame_of(i) for i in range(200)]
    assert e1 != e0 and a.epoch == 1
    a.set_epoch(0)
    assert [a.frame_of(i) for i in range(200)] == e0
    c = gd.VGAFFrames(root, "train", frames_per_epoch=200, seed=6)
    assert [c.frame_of(i) for i in range(200)] != e0
    assert np.array_equal(a[7][0], b[7][0])


def test_set_epoch_reaches_persistent_workers(vgaf):
    root, ids = vgaf
    ds = gd.VGAFFrames(root, "train", frames_per_epoch=12, seed=0)
    vids = _video_ids(ds, ids)
    loader = DataLoader(ds, batch_size=12, num_workers=1, persistent_workers=True)

    def seen():
        x, y = next(iter(loader))
        return [identify(img.numpy()) for img in x], y.tolist()

    got0, y0 = seen()
    assert got0 == [(vids[v], f) for v, f in (ds.frame_of(i) for i in range(12))]
    assert y0 == [int(ds.index.labels[ds.frame_of(i)[0]]) for i in range(12)]
    ds.set_epoch(1)
    got1, _ = seen()
    assert got1 == [(vids[v], f) for v, f in (ds.frame_of(i, epoch=1) for i in range(12))]
    assert got1 != got0


# --------------------------------------------------------------------------- frame-count cache

def test_frame_index_is_cached_and_invalidated(vgaf, cache, tmp_path, monkeypatch):
    root, ids = vgaf
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    calls = []
    real = video.count_frames

    def counting(path):
        calls.append(Path(path).name)
        return real(path)

    monkeypatch.setattr(video, "count_frames", counting)
    gd.VGAFFrames(root, "train")
    assert sorted(calls) == ["100_1.mp4", "10_1.mp4", "10_2.mp4"]
    cache_file = cache / frames_mod.CACHE_FILE
    assert cache_file.is_file() and list(cwd.iterdir()) == []
    stamp = cache_file.stat().st_mtime_ns
    entry = json.loads(cache_file.read_text())["videos"][str((root / "10_2.mp4").resolve())]
    assert entry["frames"] == 20 and entry["size"] == (root / "10_2.mp4").stat().st_size

    calls.clear()
    again = gd.VGAFFrames(root, "train")
    assert calls == [] and again.class_counts() == [5, 20, 8]
    assert cache_file.stat().st_mtime_ns == stamp  # nothing new, nothing written

    write_video(root / "10_1.mp4", 9, ids["10_1"])  # the video changes: 5 -> 9 frames
    changed = gd.VGAFFrames(root, "train")
    assert calls == ["10_1.mp4"] and changed.class_counts() == [9, 20, 8]
    v = [p.stem for p in changed.index.paths].index("10_1")
    img, _ = changed[int(changed.index.starts[v]) + 8]
    assert identify(img) == (ids["10_1"], 8)
    calls.clear()
    gd.VGAFFrames(root, "val")
    assert len(calls) == 3  # one cache file serves every split, and merges new entries
    gd.VGAFFrames(root, "train")
    gd.VGAFFrames(root, "val")
    assert len(calls) == 3


def test_cache_location_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("GLOBALNET_CACHE", str(tmp_path / "x"))
    assert gd.cache_dir() == (tmp_path / "x").resolve()
    monkeypatch.delenv("GLOBALNET_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert gd.cache_dir() == (tmp_path / "xdg" / "globalnet").resolve()
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert gd.cache_dir() == (tmp_path / "home" / ".cache" / "globalnet").resolve()


# --------------------------------------------------------------------------- extraction

def test_extracted_frames_form_a_gaf_tree_with_the_same_labels(vgaf, tmp_path):
    root, ids = vgaf
    ds = gd.VGAFFrames(root, "train")
    out = gd.extract_frames(ds, tmp_path / "jpg", every=2)
    assert gd.detect_layout(out) == "gaf"
    images = gd.GAFImages(out, "train")
    assert images.class_counts() == [3, 10, 4]  # ceil(5/2), ceil(20/2), ceil(8/2)
    label_of = {name: code - 1 for name, (code, _) in TRAIN.items()}
    for path, y in images.items:
        video, frame = path.stem.rsplit("_", 1)
        assert y == label_of[video] and int(frame) % 2 == 0
        assert identify(gd.read_image(path)) == (ids[video], int(frame))
    with pytest.raises(GlobalNetError, match="already exists"):
        gd.extract_frames(ds, tmp_path / "jpg", every=2)
    gd.extract_frames(gd.VGAFVideos(root, "val"), tmp_path / "jpg", every=3)
    assert gd.GAFImages(tmp_path / "jpg", "val").class_counts() == [3, 2, 2]
    assert [p.name for p in (tmp_path / "jpg").iterdir()] in (["train", "val"], ["val", "train"])


# --------------------------------------------------------------------------- transforms

def test_transforms_give_normalised_tensors_of_the_right_size():
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (120, 160, 3), dtype=np.uint8)
    x = gd.train_transform(224, MEAN, STD)(img)
    assert type(x) is torch.Tensor and x.shape == (3, 224, 224) and x.dtype == torch.float32
    flat = np.zeros((90, 130, 3), np.uint8)
    flat[:] = (51, 102, 204)
    want = torch.tensor([(51 / 255 - MEAN[0]) / STD[0], (102 / 255 - MEAN[1]) / STD[1],
                         (204 / 255 - MEAN[2]) / STD[2]]).view(3, 1, 1)
    e = gd.eval_transform(64, MEAN, STD)(flat)
    assert e.shape == (3, 64, 64) and torch.allclose(e, want.expand(3, 64, 64), atol=1e-4)
    t = gd.train_transform(64, MEAN, STD, rotation=0)(flat)
    assert torch.allclose(t, want.expand(3, 64, 64), atol=1e-4)
    # random: two draws of the training pipeline differ, the eval pipeline does not
    torch.manual_seed(0)
    tt = gd.train_transform(224, MEAN, STD)
    assert not torch.equal(tt(img), tt(img))
    assert torch.equal(gd.eval_transform(224, MEAN, STD)(img), gd.eval_transform(224, MEAN, STD)(img))
    with pytest.raises(GlobalNetError, match="std"):
        gd.eval_transform(224, MEAN, (0.2, 0.0, 0.2))
    with pytest.raises(GlobalNetError, match="HxWx3 uint8"):
        gd.eval_transform(224, MEAN, STD)(img.astype(np.float32))


# --------------------------------------------------------------------------- bad input

def _vgaf_rows(tmp_path, rows, header="Vid_name Label"):
    root = tmp_path / "bad"
    for name in ("10_1", "10_2", "10_3"):
        write_video(root / f"{name}.mp4", 5, 0)
    write_labels(root / "Train_labels.txt", rows, header=header)
    return root


@pytest.mark.parametrize("rows,header,message", [
    ([("10_1", 1), ("10_2", 4)], "Vid_name Label", r"Train_labels\.txt line 3: unknown label '4'"),
    ([("10_1", 1), "10_2 2 extra"], "Vid_name Label", r"Train_labels\.txt line 3: expected"),
    ([("10_1", 1), "10_2"], "Vid_name Label", r"Train_labels\.txt line 3: expected"),
    ([("10_1", 1), ("10_2", 2)], None, r"Train_labels\.txt line 1: missing header"),
    ([("10_1", 1), ("10_1", 2)], "Vid_name Label", r"Train_labels\.txt line 3: video '10_1'"),
    ([], "Vid_name Label", r"Train_labels\.txt: no videos"),
])
def test_bad_label_files_name_file_and_line(tmp_path, rows, header, message):
    root = _vgaf_rows(tmp_path, rows, header)
    with pytest.raises(GlobalNetError, match=message):
        gd.VGAFFrames(root, "train")


def test_missing_videos_are_all_counted_and_the_first_named(tmp_path):
    names = ["10_1", "10_2", "10_3"] + [f"20_{k}" for k in range(7)]
    root = _vgaf_rows(tmp_path, [(n, 1 + k % 3) for k, n in enumerate(names)])
    with pytest.raises(GlobalNetError) as err:
        gd.list_videos(f"vgaf:{root}", "train")
    msg = str(err.value)
    assert "7 video(s)" in msg and "Train_labels.txt" in msg
    assert "20_0.mp4" in msg and "20_4.mp4" in msg and "and 2 more" in msg


def test_missing_label_file_and_missing_class(tmp_path):
    root = _vgaf_rows(tmp_path, [("10_1", 1), ("10_2", 2)])
    with pytest.raises(GlobalNetError, match="Val_labels.txt"):
        gd.VGAFFrames(root, "val")
    with pytest.raises(GlobalNetError, match="class Negative has no frames"):
        gd.VGAFFrames(root, "train")
    ds = gd.VGAFFrames(root, "train", allow_missing_classes=True)
    assert ds.class_counts() == [5, 5, 0]


def test_unreadable_videos_raise_or_are_skipped_and_reported(tmp_path):
    root = tmp_path / "videos"
    make_video_folder(root, {"Positive": {"p": 5}, "Neutral": {"n": 5}, "Negative": {"g": 5}})
    (root / "Neutral" / "empty.mp4").write_bytes(b"")
    (root / "Negative" / "junk.mp4").write_bytes(b"this is not a video" * 50)
    with pytest.raises(GlobalNetError) as err:
        gd.VideoFolderFrames(root)
    msg = str(err.value)
    assert "2 unreadable" in msg and "empty.mp4 (zero-length file)" in msg and "junk.mp4" in msg
    ds = gd.VideoFolderFrames(root, skip_bad=True)
    assert sorted(p.name for p, _ in ds.skipped) == ["empty.mp4", "junk.mp4"]
    assert ds.class_counts() == [5, 5, 5]
    # a class whose only video is unreadable is a missing class
    (root / "Negative" / "g.mp4").write_bytes(b"")
    with pytest.raises(GlobalNetError, match="class Negative has no frames"):
        gd.VideoFolderFrames(root, skip_bad=True)


def test_empty_unknown_and_missing_class_folders(tmp_path):
    root = make_gaf(tmp_path / "gaf", {"Positive": 1, "Neutral": 1, "Negative": 1}, splits=("train",))
    (root / "train" / "Negative" / "img_0.jpg").unlink()
    (root / "train" / "Negative" / "notes.txt").write_text("x")
    with pytest.raises(GlobalNetError, match=r"class folder .*train/Negative has no image files"):
        gd.GAFImages(root, "train")
    ds = gd.GAFImages(root, "train", allow_missing_classes=True)
    assert ds.class_counts() == [1, 1, 0] and [p.name for p, _ in ds.ignored] == ["notes.txt"]
    (root / "train" / "Negative" / "notes.txt").unlink()
    (root / "train" / "Negative").rmdir()
    with pytest.raises(GlobalNetError, match="no class folder for Negative"):
        gd.GAFImages(root, "train")
    (root / "train" / "Happy").mkdir()
    write_image(root / "train" / "Happy" / "a.jpg")
    with pytest.raises(GlobalNetError, match="unknown class folder Happy"):
        gd.GAFImages(root, "train", allow_missing_classes=True)


def test_bad_images_are_named(tmp_path):
    root = make_gaf(tmp_path / "gaf", {"Positive": 1, "Neutral": 1, "Negative": 1}, splits=("train",))
    (root / "train" / "Neutral" / "zero.jpg").write_bytes(b"")
    with pytest.raises(GlobalNetError, match="zero-length image.*zero.jpg"):
        gd.GAFImages(root, "train")
    (root / "train" / "Neutral" / "zero.jpg").write_bytes(b"garbage")
    ds = gd.GAFImages(root, "train")
    i = [p.name for p, _ in ds.items].index("zero.jpg")
    with pytest.raises(GlobalNetError, match="zero.jpg"):
        ds[i]


def test_roots_and_specs_that_match_nothing(tmp_path):
    (tmp_path / "stuff").mkdir()
    (tmp_path / "stuff" / "readme.txt").write_text("hi")
    with pytest.raises(GlobalNetError) as err:
        gd.open_real_dataset(str(tmp_path / "stuff"), "train")
    msg = str(err.value)
    assert str(tmp_path / "stuff") in msg and all(k in msg for k in ("vgaf:", "gaf:", "videos:"))
    with pytest.raises(GlobalNetError, match="does not exist"):
        gd.open_real_dataset(str(tmp_path / "nowhere"))
    with pytest.raises(GlobalNetError, match="unknown dataset kind 'imgs'"):
        gd.open_real_dataset(f"imgs:{tmp_path}")
    with pytest.raises(GlobalNetError, match="unknown split 'test'"):
        gd.VGAFVideos(tmp_path, "test")
    videos = tmp_path / "videos"
    make_video_folder(videos, {"Positive": {"p": 3}, "Neutral": {"n": 3}, "Negative": {"g": 3}})
    with pytest.raises(GlobalNetError, match="frames_per_epoch"):
        gd.VideoFolderFrames(videos, frames_per_epoch=0)
    with pytest.raises(GlobalNetError, match="image dataset has no videos"):
        gd.list_videos(f"gaf:{videos}")


def test_pyav_fallback_when_opencv_cannot_open(vgaf, monkeypatch):
    root, ids = vgaf
    monkeypatch.setattr(video, "_open_cv", lambda path: None)
    ds = gd.VGAFFrames(root, "train")
    assert ds.class_counts() == [5, 20, 8]
    vids = _video_ids(ds, ids)
    for i in [0, 7, 6, 30, 3, 32]:  # forwards and backwards
        v, f = ds.frame_of(i)
        assert identify(ds[i][0]) == (vids[v], f)
    assert [k for k, _ in gd.iter_frames(root / "10_2.mp4", every=7)] == [0, 7, 14]
