"""Video inference (`globalnet predict`): aggregation on hand-made scores, prediction on tiny
videos with a known label schedule, reports, damaged input, live mode and evaluation.

The model is a random-init resnet18 at 64 px whose final layer is solved (least squares on its
512-d features) so that flat red frames score Positive, green Neutral (unsure) and blue Negative:
frame colour drives the label in a known way, through the real checkpoint / preprocessing path.
"""
import csv
import json

import cv2
import numpy as np
import pytest
import torch

from globalnet.aggregate import aggregate, aggregate_all
from globalnet.cli import main
from globalnet.errors import GlobalNetError
from globalnet.predict import Predictor, evaluate_videos, uniform_indices

RGB = {0: (230, 30, 30), 1: (30, 200, 30), 2: (30, 30, 230)}     # Positive, Neutral, Negative
SIZE = (64, 48)
FPS = 10.0


# ------------------------------------------------------------------------------- helpers
def write_video(path, labels, fps=FPS):
    """An mp4v video whose frame k is the flat colour of class labels[k]."""
    w, h = SIZE
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    assert writer.isOpened()
    for y in labels:
        frame = np.empty((h, w, 3), np.uint8)
        frame[:] = RGB[y][::-1]
        writer.write(frame)
    writer.release()
    return path


def write_faststart_mp4(path, labels, fps=10):
    """mp4 with its index first (PyAV, movflags=faststart): cutting its tail leaves a
    playable, truncated file."""
    import av
    rng = np.random.default_rng(0)
    with av.open(str(path), "w", options={"movflags": "faststart"}) as c:
        s = c.add_stream("mpeg4", rate=fps)
        s.width, s.height, s.pix_fmt = SIZE[0], SIZE[1], "yuv420p"
        s.codec_context.gop_size = 1      # every frame a key frame of similar size
        for y in labels:      # a little noise so every frame carries data
            noise = rng.integers(-8, 9, (SIZE[1], SIZE[0], 3))
            img = np.clip(np.array(RGB[y]) + noise, 0, 255).astype(np.uint8)
            for pkt in s.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                c.mux(pkt)
        for pkt in s.encode():
            c.mux(pkt)
    return path


def write_image(path, label):
    img = np.empty((SIZE[1], SIZE[0], 3), np.uint8)
    img[:] = RGB[label][::-1]
    assert cv2.imwrite(str(path), img)
    return path


def cut(path, fraction=0.5):
    data = path.read_bytes()
    path.write_bytes(data[:int(len(data) * fraction)])
    return path


pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    from globalnet.backbones import create_backbone, save_checkpoint

    torch.manual_seed(0)
    model = create_backbone("resnet18")
    pred = Predictor(model, "resnet18", device="cpu", input_size=64)
    feats = {}
    hook = model.fc.register_forward_hook(lambda m, i, o: feats.setdefault("x", i[0].clone()))
    pred.predict_frames([np.full((SIZE[1], SIZE[0], 3), RGB[c], np.uint8) for c in range(3)])
    hook.remove()
    # logits: red and blue frames are sure (8 vs -4); green frames are Neutral but unsure,
    # p ~ (.10, .62, .28), so the aggregation methods can disagree on mixed videos
    target = torch.tensor([[8., -4, -4], [0, 2, 1.2], [-4, -4, 8]], dtype=torch.double)
    w = torch.linalg.lstsq(feats["x"].double(), target).solution.T
    with torch.no_grad():
        model.fc.weight.copy_(w.float())
        model.fc.bias.zero_()
    d = tmp_path_factory.mktemp("ckpt")
    # shaped like a training checkpoint: the input size lives in the saved config
    return save_checkpoint(d / "colour.pt", model, format="globalnet-train", epoch=1,
                           config={"backbone": "resnet18", "input_size": 64},
                           rng={"torch": torch.get_rng_state()}, optimizer={"state": {}})


@pytest.fixture(scope="module")
def predictor(checkpoint):
    return Predictor.from_checkpoint(checkpoint, device="auto", batch_size=8)


def run(capsys, *args):
    rc = main(["predict", *[str(a) for a in args]])
    out, err = capsys.readouterr()
    return rc, out, err


def assert_clean_failure(rc, err, *needles):
    assert rc == 2, err
    lines = [l for l in err.strip().splitlines() if l.strip()]
    assert len(lines) == 1 and lines[0].startswith("globalnet: error:"), err
    assert "Traceback" not in err
    for n in needles:
        assert n in lines[0], lines[0]


# --------------------------------------------------------------------------- aggregation
def test_aggregation_methods_on_hand_made_scores():
    p = np.array([[.6, .3, .1], [.6, .3, .1], [.01, .49, .5]])
    probs, label = aggregate(p, "mean")
    assert label == 0 and np.allclose(probs, p.mean(0))
    probs, label = aggregate(p, "sum")       # product .0036 / .0441 / .005 -> Neutral
    assert label == 1 and np.isclose(probs.sum(), 1)
    assert np.allclose(probs, np.prod(p, 0) / np.prod(p, 0).sum())
    probs, label = aggregate(p, "vote")      # votes 0, 0, 2
    assert label == 0 and np.allclose(probs, [2 / 3, 0, 1 / 3])
    # 70/30 schedule: every method follows the majority
    s = np.array([[.8, .15, .05]] * 7 + [[.1, .2, .7]] * 3)
    assert {m: l for m, (_, l) in aggregate_all(s).items()} == {"mean": 0, "sum": 0, "vote": 0}
    # a class ruled out by one frame is vetoed by "sum", not by "mean"
    v = np.array([[.7, .3, 0.0]] * 4 + [[0.0, .9, .1]])
    assert aggregate(v, "mean")[1] == 0 and aggregate(v, "sum")[1] == 1


def test_sum_equals_summed_logits():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(9, 3)) * 3
    p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    probs, label = aggregate(p, "sum")
    s = z.sum(0)
    assert np.allclose(probs, np.exp(s - s.max()) / np.exp(s - s.max()).sum())
    assert label == int(np.argmax(s))


def test_vote_ties_go_to_higher_mean_probability():
    tie = np.array([[.9, .1, 0], [.45, 0, .55], [.2, 0, .8], [.5, .1, .4]])   # votes 0, 2, 2, 0
    probs, label = aggregate(tie, "vote")
    assert np.allclose(probs, [.5, 0, .5]) and label == 0       # mean p0 .5125 > p2 .4375
    probs, label = aggregate(tie[:, [2, 1, 0]], "vote")
    assert label == 2
    assert aggregate(np.array([[.6, .4, 0], [0, .4, .6]]), "vote")[1] == 0   # full tie -> lower id
    with pytest.raises(ValueError, match="unknown aggregation"):
        aggregate(tie, "median")
    with pytest.raises(ValueError, match="zero frames"):
        aggregate(np.zeros((0, 3)), "mean")


def test_uniform_indices():
    assert uniform_indices(20, 5) == [0, 5, 10, 14, 19]
    assert uniform_indices(5, 9) == [0, 1, 2, 3, 4]
    assert uniform_indices(11, 1) == [5]
    assert uniform_indices(0, 3) == []


def test_prefetch_thread_passes_errors_and_stops():
    import threading

    from globalnet.video import prefetched as _prefetched

    def boom():
        yield 1
        raise GlobalNetError("decoder broke")

    it = _prefetched(boom, 2)
    assert next(it) == 1
    with pytest.raises(GlobalNetError, match="decoder broke"):
        next(it)
    closed = []

    def endless():
        try:
            k = 0
            while True:
                yield k
                k += 1
        finally:
            closed.append(True)

    it = _prefetched(endless, 3)
    assert [next(it) for _ in range(5)] == [0, 1, 2, 3, 4]
    it.close()
    assert closed == [True]
    assert not [t for t in threading.enumerate() if t.name == "globalnet-decode"]


def test_checkpoint_metadata(tmp_path):
    from globalnet.checkpoints import checkpoint_input_size as _input_size_from
    from globalnet.checkpoints import read_checkpoint_info

    assert _input_size_from({"config": {"input_size": 96}}) == 96
    assert _input_size_from({"input_size": [80, 64]}) == (80, 64)
    assert _input_size_from({}) is None
    with pytest.raises(GlobalNetError, match="does not exist"):
        read_checkpoint_info(tmp_path / "none.pt")
    (tmp_path / "bad.pt").write_bytes(b"garbage")
    with pytest.raises(GlobalNetError, match="cannot read checkpoint"):
        Predictor.from_checkpoint(tmp_path / "bad.pt")


# --------------------------------------------------------------------------- prediction
def test_preprocessing_matches_eval_transform(predictor):
    from globalnet.data.transforms import eval_transform

    tf = eval_transform(64, predictor.spec.mean, predictor.spec.std)
    imgs = [np.random.default_rng(i).integers(0, 256, (48 + i, 70, 3), dtype=np.uint8)
            for i in range(3)]
    batch = predictor.preprocess(imgs)
    for img, x in zip(imgs, batch):
        assert torch.allclose(tf(img), x, atol=1e-6)
    assert predictor.device.type == ("cuda" if torch.cuda.is_available() else "cpu")
    assert not predictor.model.training and predictor.input_size == 64


def test_shrunk_frames_give_the_same_input_to_the_bit(predictor):
    """The decoder thread's resize (ModelInput.shrink) then the batch step equals the batch step
    on full frames, for sizes that shrink, grow and keep their width, and in a mixed batch."""
    mi = predictor.model_input
    rng = np.random.default_rng(7)
    frames = [rng.integers(0, 256, shape, dtype=np.uint8)
              for shape in ((720, 1280, 3), (48, 70, 3), (96, 73, 3), (73, 73, 3))]
    small = [mi.shrink(f) for f in frames]
    assert small[0].shape == (73, 129, 3) and small[0].dtype == np.uint8   # shorter side 64*256/224
    assert torch.equal(mi(small), mi(frames))
    assert torch.equal(mi([small[1], frames[2]]), mi([frames[1], small[2]]))
    with pytest.raises(GlobalNetError, match="HxWx3 uint8"):
        mi.shrink(np.zeros((4, 4), np.uint8))


def test_video_probabilities_are_those_of_its_frames(predictor, tmp_path):
    """predict_video (decoder thread resizing) gives each frame exactly what predict_frames
    gives the same decoded frame."""
    from globalnet.video import iter_frames

    v = write_video(tmp_path / "v.mp4", [0, 1, 2, 0, 2, 1, 0])
    r = predictor.predict_video(v, all=True)
    decoded = [rgb for _, rgb in iter_frames(v)]
    assert len(decoded) == len(r.frames) == 7
    assert np.array_equal(r.frame_probs, predictor.predict_frames(decoded))


def test_video_follows_label_schedule(predictor, tmp_path):
    labels = [0] * 10 + [2] * 10
    v = write_video(tmp_path / "half.mp4", labels)
    r = predictor.predict_video(v, all=True)
    assert [f.index for f in r.frames] == list(range(20))
    assert [f.label for f in r.frames] == labels
    assert [f.time_s for f in r.frames] == pytest.approx([k / FPS for k in range(20)])
    assert r.fps == pytest.approx(FPS) and r.frames_decoded == 20 and not r.truncated
    assert r.frames[0].probs.shape == (3,) and np.allclose(r.frame_probs.sum(1), 1)
    # every k-th
    r = predictor.predict_video(v, every=3)
    assert [f.index for f in r.frames] == list(range(0, 20, 3))
    assert [f.label for f in r.frames] == [labels[k] for k in range(0, 20, 3)]
    # N uniform
    r = predictor.predict_video(v, n=5, method="vote")
    assert [f.index for f in r.frames] == [0, 5, 10, 14, 19]
    assert [f.label for f in r.frames] == [0, 0, 2, 2, 2] and r.label == 2 and r.method == "vote"
    # the default is all frames; PyAV decodes the same
    py = Predictor.from_checkpoint(predictor.checkpoint, device="cpu", decoder="pyav")
    r2 = py.predict_video(v)
    assert [f.label for f in r2.frames] == labels and r2.sampling["decoder"] == "pyav"
    # without the decoding thread: same frames
    r3 = Predictor(predictor.model, "resnet18", device="cpu", input_size=64, batch_size=4,
                   prefetch=False).predict_video(v, every=2)
    assert [f.label for f in r3.frames] == labels[::2]
    with pytest.raises(GlobalNetError, match="one sampling mode"):
        predictor.predict_video(v, every=2, n=3)


def test_video_label_per_method_70_30(predictor, tmp_path):
    v = write_video(tmp_path / "seventy.mp4", [0] * 14 + [2] * 6)
    r = predictor.predict_video(v, method="vote")
    assert r.label == 0 and r.method == "vote"
    assert np.allclose(r.probs, [.7, 0, .3])
    assert np.allclose(r.methods["mean"][0], r.frame_probs.mean(0))
    assert {m: l for m, (_, l) in r.methods.items()} == {"mean": 0, "sum": 0, "vote": 0}
    v2 = write_video(tmp_path / "thirty.mp4", [1] * 6 + [2] * 14)
    assert predictor.predict_video(v2, method="mean").label == 2


def test_images(predictor, tmp_path):
    paths = [write_image(tmp_path / f"{c}.png", c) for c in (2, 0, 1)]
    res = predictor.predict_images(paths)
    assert [r.label for r in res] == [2, 0, 1] and [r.path for r in res] == paths


def test_truncated_video_uses_frames_decoded_so_far(predictor, tmp_path):
    v = cut(write_faststart_mp4(tmp_path / "cut.mp4", [0] * 20 + [2] * 20), 0.5)
    r = predictor.predict_video(v)
    assert r.truncated and 0 < r.frames_decoded < 40 and len(r.frames) == r.frames_decoded
    assert "of the 40" in r.note and f"decoded {r.frames_decoded}" in r.note
    assert [f.label for f in r.frames] == [0 if k < 20 else 2 for k in range(r.frames_decoded)]


def test_truncated_video_with_uniform_sampling(predictor, tmp_path):
    v = cut(write_faststart_mp4(tmp_path / "cut.mp4", [1] * 40), 0.5)
    r = predictor.predict_video(v, n=10)
    chosen = uniform_indices(40, 10)
    assert [f.index for f in r.frames] == [k for k in chosen if k < r.frames_decoded]
    assert r.truncated and r.frames and r.label == 1


# ---------------------------------------------------------------------------------- CLI
def test_cli_reports(checkpoint, tmp_path, capsys):
    (tmp_path / "in").mkdir()
    write_video(tmp_path / "in" / "clip.mp4", [0] * 7 + [2] * 3)
    img = write_image(tmp_path / "in" / "face_free.jpg", 1)
    out = tmp_path / "out"
    rc, stdout, err = run(capsys, "--checkpoint", checkpoint, tmp_path / "in", "--every", "2",
                          "--method", "sum", "--out", out, "--device", "cpu", "--batch-size", "3")
    assert rc == 0, err
    assert "clip.mp4  Positive" in stdout and "face_free.jpg  Neutral" in stdout
    assert sorted(p.name for p in out.iterdir()) == ["clip_timeline.png", "frames.csv",
                                                     "images.csv", "predictions.json", "videos.csv"]
    doc = json.loads((out / "predictions.json").read_text())
    assert doc["backbone"] == "resnet18" and doc["method"] == "sum"
    assert doc["sampling"] == {"mode": "every", "every": 2}
    (video,) = doc["videos"]
    assert video["label_name"] == "Positive" and video["method"] == "sum"
    assert set(video["methods"]) == {"mean", "sum", "vote"}
    assert [f["index"] for f in video["frames"]] == [0, 2, 4, 6, 8]
    assert [f["label"] for f in video["frames"]] == [0, 0, 0, 0, 2]
    assert [f["time_s"] for f in video["frames"]] == pytest.approx([0, .2, .4, .6, .8])
    assert doc["images"][0]["label"] == 1 and len(doc["images"][0]["probs"]) == 3
    rows = list(csv.DictReader((out / "frames.csv").open()))
    assert [int(r["frame"]) for r in rows] == [0, 2, 4, 6, 8]
    assert [r["label_name"] for r in rows] == ["Positive"] * 4 + ["Negative"]
    assert float(rows[1]["time_s"]) == pytest.approx(0.2)
    p = [float(rows[0][k]) for k in ("p_positive", "p_neutral", "p_negative")]
    assert sum(p) == pytest.approx(1, abs=1e-5) and p[0] > 0.99
    (vrow,) = list(csv.DictReader((out / "videos.csv").open()))
    assert vrow["label_name"] == "Positive" and vrow["method"] == "sum"
    assert vrow["frames_used"] == "5" and vrow["frames_decoded"] == "10" and vrow["truncated"] == "0"
    png = cv2.imread(str(out / "clip_timeline.png"))
    assert png is not None and png.shape[0] > 200 and png.shape[1] > 400
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.partial")]


def test_cli_truncated_video_reported(checkpoint, tmp_path, capsys):
    v = cut(write_faststart_mp4(tmp_path / "cut.mp4", [2] * 40), 0.5)
    rc, stdout, err = run(capsys, "--checkpoint", checkpoint, v, "--out", tmp_path / "o",
                          "--no-timeline")
    assert rc == 0, err
    assert "truncated" in stdout and "of the 40" in stdout
    (row,) = list(csv.DictReader((tmp_path / "o" / "videos.csv").open()))
    assert row["truncated"] == "1" and int(row["frames_decoded"]) < 40 and row["label"] == "2"


@pytest.mark.parametrize("kind, needles", [
    ("zero", ["zero-length", "zero.mp4"]),
    ("junk", ["cannot open video", "junk.mp4"]),
    ("cut_index", ["cannot open video", "cut_index.mp4"]),
    ("gif", ["unsupported format '.gif'"]),
    ("txt_as_jpg", ["cannot decode image", "notes.jpg"]),
    ("missing", ["does not exist"]),
])
def test_bad_input_fails_cleanly_without_report(checkpoint, tmp_path, capsys, kind, needles):
    good = write_video(tmp_path / "good.mp4", [0] * 4)

    def put(name, data):
        (tmp_path / name).write_bytes(data)
        return tmp_path / name

    bad = {
        "zero": lambda: put("zero.mp4", b""),
        "junk": lambda: put("junk.mp4", b"\x00junk" * 200),
        "cut_index": lambda: cut(write_video(tmp_path / "cut_index.mp4", [0] * 20), 0.5),
        "gif": lambda: put("anim.gif", b"GIF89a" + b"\x00" * 40),
        "txt_as_jpg": lambda: put("notes.jpg", b"not an image"),
        "missing": lambda: tmp_path / "nope.mp4",
    }[kind]()
    out = tmp_path / "out"
    rc, stdout, err = run(capsys, "--checkpoint", checkpoint, good, bad, "--out", out)
    assert_clean_failure(rc, err, *needles)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_bad_checkpoints(checkpoint, tmp_path, capsys):
    from globalnet.backbones import create_backbone, save_checkpoint

    five = save_checkpoint(tmp_path / "five.pt", create_backbone("squeezenet1_1", num_classes=5))
    v = write_video(tmp_path / "v.mp4", [0] * 3)
    rc, _, err = run(capsys, "--checkpoint", five, v, "--out", tmp_path / "o")
    assert_clean_failure(rc, err, "5-class head", "five.pt")
    rc, _, err = run(capsys, "--checkpoint", checkpoint, "--backbone", "mobilenet_v2", v)
    assert_clean_failure(rc, err, "'resnet18', not 'mobilenet_v2'")
    # a raw state dict of another network, named as resnet18
    torch.save(create_backbone("squeezenet1_1").state_dict(), tmp_path / "raw.pt")
    rc, _, err = run(capsys, "--checkpoint", tmp_path / "raw.pt", "--backbone", "resnet18", v)
    assert_clean_failure(rc, err, "raw.pt")
    (tmp_path / "empty.pt").write_bytes(b"")
    rc, _, err = run(capsys, "--checkpoint", tmp_path / "empty.pt", v)
    assert_clean_failure(rc, err, "empty")
    assert not (tmp_path / "o").exists()


def test_camera_that_cannot_be_opened(checkpoint, capsys):
    rc, _, err = run(capsys, "--checkpoint", checkpoint, "--live", "97", "--max-frames", "3")
    assert_clean_failure(rc, err, "cannot open camera 97")


def test_live_on_a_file(checkpoint, tmp_path, capsys):
    v = write_video(tmp_path / "stream.mp4", [0] * 6 + [2] * 24)
    out = tmp_path / "live"
    rc, stdout, err = run(capsys, "--checkpoint", checkpoint, "--live", v, "--window", "0.5",
                          "--max-frames", "14", "--print-every", "0.5", "--out", out)
    assert rc == 0, err
    moods = [l for l in stdout.splitlines() if "mood=" in l]
    assert len(moods) == 3                        # t = 0, 0.5, 1.0
    assert "t=   0.00s  mood=Positive" in moods[0] and "t=   1.00s  mood=Negative" in moods[-1]
    assert "max frames (14)" in stdout
    rows = list(csv.DictReader((out / "live.csv").open()))
    assert len(rows) == 14 and [int(r["frame"]) for r in rows] == list(range(14))
    assert rows[5]["label_name"] == "Positive" and rows[6]["label_name"] == "Negative"
    assert rows[6]["window_label_name"] == "Positive" and rows[13]["window_label_name"] == "Negative"
    assert cv2.imread(str(out / "live_timeline.png")) is not None


def test_evaluate_vgaf_standin(checkpoint, predictor, tmp_path, capsys):
    from realdata_standins import write_labels

    root = tmp_path / "vgaf"
    (root / "Val").mkdir(parents=True)
    videos = {"10_1": (1, [0] * 8 + [2] * 2),
              "11_2": (3, [2] * 6),
              # Neutral: 3 unsure green frames, 2 sure red ones -> only the vote gets it right
              "12_1": (2, [1, 0, 1, 0, 1]),
              "13_4": (1, [2] * 6)}          # labelled Positive but looks Negative: all wrong
    for name, (_, schedule) in videos.items():
        write_video(root / "Val" / f"{name}.mp4", schedule)
    write_labels(root / "Val_labels.txt", [(n, code) for n, (code, _) in videos.items()])
    ev = evaluate_videos(predictor, f"vgaf:{root}", split="val", every=1)
    assert ev["videos"] == 4 and ev["accuracy"] == {"mean": .5, "sum": .5, "vote": .75}
    assert ev["confusion"]["mean"] == [[1, 0, 1], [1, 0, 0], [0, 0, 1]]
    assert ev["confusion"]["vote"] == [[1, 0, 1], [0, 1, 0], [0, 0, 1]]
    assert [r["mean"]["label"] for r in ev["rows"]] == [0, 2, 0, 2]
    assert [r["vote"]["correct"] for r in ev["rows"]] == [True, True, True, False]
    out = tmp_path / "ev"
    rc, stdout, err = run(capsys, "--checkpoint", checkpoint, "--evaluate", f"vgaf:{root}",
                          "--split", "val", "--all", "--out", out)
    assert rc == 0, err
    assert "mean  accuracy 0.5000 (2/4)" in stdout and "sum   accuracy 0.5000 (2/4)" in stdout
    assert "vote  accuracy 0.7500 (3/4)" in stdout
    doc = json.loads((out / "evaluation.json").read_text())
    assert doc["accuracy"]["vote"] == .75 and doc["sampling"] == {"mode": "all"}
    rows = list(csv.DictReader((out / "evaluation.csv").open()))
    assert [r["vote_correct"] for r in rows] == ["1", "1", "1", "0"]


def test_installed_command_prints_one_line_for_a_damaged_video(checkpoint, tmp_path):
    """As a user runs it: FFmpeg's own complaints do not surround the one error line."""
    import subprocess
    import sys
    from pathlib import Path

    exe = Path(sys.executable).with_name("globalnet")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "globalnet.cli"]
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"\x00junk" * 200)
    r = subprocess.run(cmd + ["predict", "--checkpoint", str(checkpoint), str(junk), "--out",
                              str(tmp_path / "o"), "--threads", "1"],
                       capture_output=True, text=True, timeout=120)
    assert_clean_failure(r.returncode, r.stderr, "cannot open video", "junk.mp4")
    assert not (tmp_path / "o").exists()


def test_mixed_precision_predicts_what_float32_predicts(checkpoint):
    """amp=on (bfloat16 + channels-last on a CPU) changes rounding, not the answer."""
    frames = [np.full((SIZE[1], SIZE[0], 3), RGB[c], np.uint8) for c in range(3)]
    exact = Predictor.from_checkpoint(checkpoint, device="cpu", amp="off")
    fast = Predictor.from_checkpoint(checkpoint, device="cpu", amp="on")
    assert fast.amp and not exact.amp
    p32, p16 = exact.predict_frames(frames), fast.predict_frames(frames)
    np.testing.assert_array_equal(p32.argmax(1), p16.argmax(1))
    np.testing.assert_allclose(p16, p32, atol=0.05)
    with pytest.raises(GlobalNetError, match="amp must be auto, on or off"):
        Predictor.from_checkpoint(checkpoint, device="cpu", amp="fast")
