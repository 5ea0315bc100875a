"""The face-based REFERENCE path (individual-level processing, not the product): detection,
crops, face CNN, pooling, fusion, pipeline fallbacks and the CLI's bad-input messages."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from synthgroup import GenConfig, Sources, make_sample

from globalnet.errors import GlobalNetError
from globalnet.reference.detect import (Box, FaceDetector, GroundTruthBoxes, HaarDetector,
                                        OnnxDetector, iou, match_recall)
from globalnet.reference.face_model import (FaceCropDataset, FaceResNet, crop_face, load_face_model,
                                            save_face_model, to_tensor)
from globalnet.reference.fusion import fuse, search_fusion_weight
from globalnet.reference.pipeline import ReferencePipeline
from globalnet.reference.pool_attention import AttentionPooling
from globalnet.reference.pooling import create_pooling
from globalnet.reference.training import train_attention, train_face_model

ROOT = Path(__file__).resolve().parents[1]
SMALL = dict(size=(96, 96), face_size=(0.25, 0.4), faces_per_image=(1, 4))

#: Measured: Haar recall (IoU >= 0.3) on these 30 test-split images with large faces (face_size
#: 0.3-0.42 of 224 px, 1-3 faces, seed 5) is 0.754 (49 of 65 faces); asserted with margin.
#: (The benchmark measures 0.775 over all face sizes on its 400 test images.)
HAAR_RECALL_BOUND = 0.6


@pytest.fixture(autouse=True)
def _one_thread():
    n = torch.get_num_threads()
    torch.set_num_threads(1)      # tiny batches: extra threads only spin on a shared CPU
    yield
    torch.set_num_threads(n)


@pytest.fixture(scope="module")
def crops():
    return FaceCropDataset(GenConfig(split="train", **SMALL), n_images=24, crop_size=24)


# ------------------------------------------------------------------------------ detection
def test_haar_finds_faces_of_synthetic_images_with_known_boxes():
    cfg = GenConfig(split="test", size=(224, 224), face_size=(0.3, 0.42), faces_per_image=(1, 3), seed=5)
    src = Sources(cfg)
    det = HaarDetector()
    found = total = 0
    for i in range(30):
        s = make_sample(cfg, src, i)
        boxes = det.detect(s.image)
        assert all(isinstance(b, Box) for b in boxes)
        truth = [f["box"] for f in s.record["faces"]]
        found += match_recall(boxes, truth) * len(truth)
        total += len(truth)
    recall = found / total
    print(f"Haar recall on large synthetic faces: {recall:.3f} ({found:.0f}/{total})")
    assert recall >= HAAR_RECALL_BOUND


def test_ground_truth_boxes_give_crops_of_the_faces():
    cfg = GenConfig(split="test", **SMALL, seed=2)
    s = make_sample(cfg, Sources(cfg), 0)
    boxes = GroundTruthBoxes(s.record).detect(s.image)
    truth = [f["box"] for f in s.record["faces"]]
    assert sorted(b.as_list() for b in boxes) == sorted(truth)
    assert [b.area for b in boxes] == sorted((b.area for b in boxes), reverse=True)
    for k, face in enumerate(s.record["faces"]):
        x, y, w, h = face["box"]
        # the box holds the face: most of its mask pixels are that face's id (k + 1)
        assert (s.mask[y:y + h, x:x + w] == k + 1).mean() > 0.4
        crop = crop_face(s.image, face["box"], size=32, margin=0.0)
        assert crop.shape == (32, 32, 3) and crop.dtype == np.uint8
        # a tight square crop of a mask picture contains the face's pixels at its centre
        mask_rgb = np.repeat((s.mask == k + 1).astype(np.uint8)[..., None] * 255, 3, axis=2)
        m = crop_face(mask_rgb, face["box"], size=32, margin=0.0)
        assert m[12:20, 12:20].mean() > 128
    with pytest.raises(GlobalNetError, match="record"):
        GroundTruthBoxes().detect(s.image)


def test_detector_template_clips_and_sorts():
    class Fake(FaceDetector):
        def _find(self, image):
            return [(-5, -5, 20, 20), (50, 50, 100, 100, 0.7), (10, 10, 1, 1)]

    boxes = Fake().detect(np.zeros((80, 90, 3), np.uint8))
    assert [b.as_list() for b in boxes] == [[50, 50, 40, 30], [0, 0, 15, 15]]
    assert boxes[0].score == pytest.approx(0.7)
    with pytest.raises(GlobalNetError, match="HxWx3"):
        Fake().detect(np.zeros((8, 8), np.uint8))
    assert iou([0, 0, 10, 10], [0, 0, 10, 10]) == 1 and iou([0, 0, 5, 5], [10, 10, 5, 5]) == 0


def test_detector_output_does_not_depend_on_the_order_found():
    """OpenCV's parallel detectMultiScale returns boxes in a thread-dependent order; equal-area
    boxes must still come out in one order (it decides which crops train the face model)."""
    found = [(30, 10, 20, 20), (5, 40, 20, 20), (5, 5, 20, 20, 0.4), (5, 5, 20, 20, 0.9),
             (60, 60, 30, 30)]

    class Shuffled(FaceDetector):
        def __init__(self, seed):
            self.order = np.random.default_rng(seed).permutation(len(found))

        def _find(self, image):
            return [found[i] for i in self.order]

    image = np.zeros((100, 100, 3), np.uint8)
    results = {tuple((tuple(b.as_list()), b.score) for b in Shuffled(s).detect(image))
               for s in range(20)}
    assert len(results) == 1
    boxes = next(iter(results))
    assert boxes[0][0] == (60, 60, 30, 30)                  # largest first
    assert [b for b, _ in boxes[1:]] == [(5, 5, 20, 20), (5, 5, 20, 20), (30, 10, 20, 20),
                                        (5, 40, 20, 20)]


def test_onnx_detector_bad_files(tmp_path):
    with pytest.raises(GlobalNetError, match=r"nope\.onnx does not exist"):
        OnnxDetector(tmp_path / "nope.onnx")
    text = tmp_path / "model.onnx"
    text.write_text("this is not a model\n")
    with pytest.raises(GlobalNetError, match=r"model\.onnx is not an ONNX file"):
        OnnxDetector(text)
    wrong = tmp_path / "weights.pt"
    wrong.write_bytes(b"\x08\x07garbage")
    with pytest.raises(GlobalNetError, match=r"weights\.pt is not an ONNX file"):
        OnnxDetector(wrong)
    looks = tmp_path / "broken.onnx"          # protobuf-like header, broken body: OpenCV refuses
    looks.write_bytes(b"\x08\x07" + bytes(range(256)) * 4)
    with pytest.raises(GlobalNetError, match=r"broken\.onnx"):
        OnnxDetector(looks)


# ---------------------------------------------------------------------------------- face CNN
def test_face_dataset_and_cnn_trains(crops):
    assert len(crops) == len(crops.labels) == len(crops.image_index) >= 24
    assert crops.crops.shape[1:] == (24, 24, 3) and set(crops.labels) <= {0, 1, 2}
    assert len(crops.image_labels) == 24
    torch.manual_seed(0)
    model = FaceResNet(3, crop_size=24, width=8)
    x, y = to_tensor(crops.crops), torch.from_numpy(crops.labels)

    def loss():
        model.eval()
        with torch.no_grad():
            return float(torch.nn.functional.cross_entropy(model(x), y))

    before = loss()
    losses = train_face_model(model, crops, epochs=1, batch_size=16, lr=5e-3, max_steps=30)
    assert len(losses) == 30
    after = loss()
    assert after < before, (before, after)
    assert model(x[:3]).shape == (3, 3) and model.features(x[:3]).shape == (3, 64)
    assert FaceResNet(crop_size=48).features(torch.zeros(2, 3, 48, 48)).shape == (2, 128)
    with pytest.raises(GlobalNetError, match="too small"):
        FaceResNet(crop_size=8)


def test_crops_from_a_detector_take_the_matched_face_label():
    cfg = GenConfig(split="train", **SMALL)
    s = make_sample(cfg, Sources(cfg), 0)
    f0 = s.record["faces"][0]

    class OneHitOneMiss(FaceDetector):
        def _find(self, image):
            x, y, w, h = f0["box"]
            return [(x + 1, y + 1, w, h), (0, 0, 3, 3)]

    ds = FaceCropDataset(cfg, n_images=1, crop_size=16, detector=OneHitOneMiss())
    assert list(ds.labels) == [f0["group"]] and len(ds.all_crops) == 2
    assert [list(i) for i, _ in ds.bags()] == [[0, 1]]


def test_emotion_labels():
    ds = FaceCropDataset(GenConfig(split="train", **SMALL), n_images=4, crop_size=16, labels="emotion")
    assert ds.num_classes == 7 and set(ds.labels) <= set(range(7))
    with pytest.raises(GlobalNetError, match="face labels"):
        FaceCropDataset(GenConfig(**SMALL), n_images=1, labels="faces")


# ----------------------------------------------------------------------------------- pooling
SCORES = torch.tensor([[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8], [0.2, 0.2, 0.6]])
BOXES = [[0, 0, 10, 10], [0, 0, 40, 40], [0, 0, 30, 30], [0, 0, 20, 20]]


def test_mean_and_top3_pooling_on_hand_made_scores():
    mean = create_pooling("mean").pool(SCORES, BOXES)
    assert torch.allclose(mean, torch.tensor([1.2, 1.2, 1.6]) / 4)
    top3 = create_pooling("top3").pool(SCORES, BOXES)          # faces 1, 2, 3 (areas 1600, 900, 400)
    assert torch.allclose(top3, torch.tensor([0.4, 1.1, 1.5]) / 3)
    assert torch.allclose(create_pooling("top3").pool(SCORES[:2], BOXES[:2]), SCORES[:2].mean(0))
    assert create_pooling("mean").pool(torch.zeros(0, 3), []) is None
    assert create_pooling("top3").pool(np.zeros((0, 3)), []) is None
    with pytest.raises(GlobalNetError, match="unknown pooling"):
        create_pooling("max")
    with pytest.raises(GlobalNetError, match="boxes"):
        create_pooling("top3").pool(SCORES, None)


def test_attention_weights_sum_to_one_and_pooling_trains():
    torch.manual_seed(0)
    att = AttentionPooling(feature_dim=8, hidden=8)
    feats = torch.randn(5, 8)
    w = att.weights(feats)
    assert w.shape == (5,) and torch.allclose(w.sum(), torch.tensor(1.0)) and (w > 0).all()
    p = att.pool(torch.zeros(5, 3), BOXES + [[0, 0, 1, 1]], feats)
    assert torch.allclose(p.sum(), torch.tensor(1.0))
    with pytest.raises(GlobalNetError, match="features"):
        att.pool(torch.zeros(5, 3), None, None)
    # bags where only one "key" face (feature 0 = +/-3) decides the label: attention must find it
    g = torch.Generator().manual_seed(1)
    bags = []
    for _ in range(64):
        f = torch.randn(4, 8, generator=g) * 0.5
        label = int(torch.randint(0, 2, (1,), generator=g))
        f[0, 0], f[0, 1] = (3.0 if label else -3.0), 4.0
        bags.append((f[torch.randperm(4, generator=g)], label))
    opt = torch.optim.Adam(att.parameters(), lr=0.02)

    def epoch_loss(train: bool):
        total = 0.0
        for f, label in bags:
            loss = torch.nn.functional.cross_entropy(att(f)[0][None], torch.tensor([label]))
            if train:
                opt.zero_grad()
                loss.backward()
                opt.step()
            total += float(loss.detach())
        return total / len(bags)

    first = epoch_loss(False)
    for _ in range(8):
        epoch_loss(True)
    assert epoch_loss(False) < 0.5 * first


def test_attention_end_to_end_with_the_face_cnn(crops):
    torch.manual_seed(0)
    model = FaceResNet(3, crop_size=24, width=8)
    before = [p.detach().clone() for p in model.parameters()]
    att = AttentionPooling(model.feature_dim, hidden=16)
    losses = train_attention(model, att, crops, batch_images=5, max_steps=6)  # odd bag sizes too
    assert len(losses) == 6 and all(np.isfinite(losses))
    assert any(not torch.equal(a, b) for a, b in zip(before, model.parameters()))  # end to end


def test_checkpoint_round_trip(tmp_path, crops):
    model = FaceResNet(3, crop_size=24, width=8)
    att = AttentionPooling(model.feature_dim, hidden=16)
    path = save_face_model(tmp_path / "f.pt", model, att, FaceResNet(3, crop_size=24, width=8))
    m2, a2, ck = load_face_model(path)
    x = to_tensor(crops.crops[:4])
    model.eval()
    assert torch.allclose(m2(x), model(x)) and a2 is not None and a2.backbone is not m2
    assert "backbone" not in dict(a2.named_children())
    (tmp_path / "junk.pt").write_text("nope")
    with pytest.raises(GlobalNetError, match=r"junk\.pt could not be read"):
        load_face_model(tmp_path / "junk.pt")
    with pytest.raises(GlobalNetError, match="does not exist"):
        load_face_model(tmp_path / "missing.pt")


# ------------------------------------------------------------------------------------ fusion
def test_fuse_weighted_average_and_no_face_fallback():
    g, f = np.array([0.6, 0.3, 0.1]), np.array([0.0, 0.0, 1.0])
    assert np.allclose(fuse(g, f, 0.5), [0.3, 0.15, 0.55])
    assert np.allclose(fuse(g, f, global_weight=3.0, face_weight=0.5), (3 * g + 0.5 * f) / 3.5)  # Tan-style
    assert np.allclose(fuse(g, None, 0.9), g)
    batch = fuse(np.stack([g, g]), np.stack([f, np.full(3, np.nan)]), 0.5)
    assert np.allclose(batch[1], g) and np.allclose(batch[0], [0.3, 0.15, 0.55])
    with pytest.raises(GlobalNetError):
        fuse(g, f, face_weight=-1)


def test_fusion_weight_chosen_on_validation():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 300)
    onehot = np.eye(3)[y]
    # global: weakly right everywhere; faces: strongly right on 70 %, confidently wrong elsewhere
    g = 0.5 * onehot + 0.5 * rng.dirichlet(np.ones(3), 300)
    wrong = np.eye(3)[(y + 1) % 3]
    good = rng.random(300) < 0.7
    f = np.where(good[:, None], onehot, wrong) * 0.9 + 0.05
    choice = search_fusion_weight(g, f, y)
    accs = dict(choice.curve)
    assert choice.accuracy == max(accs.values()) >= max(accs[0.0], accs[1.0])
    assert 0.0 <= choice.face_weight <= 1.0
    # useless faces -> the global model keeps (nearly) all the weight
    choice = search_fusion_weight(g, np.full((300, 3), 1 / 3) + rng.normal(0, 0.2, (300, 3)), y)
    assert choice.face_weight <= 0.5 and choice.accuracy >= accs[0.0]
    with pytest.raises(GlobalNetError):
        search_fusion_weight(g, f[:10], y)


# ---------------------------------------------------------------------------------- pipeline
@pytest.fixture(scope="module")
def tiny_global():
    from globalnet.backbones import create_backbone

    torch.manual_seed(0)
    return create_backbone("resnet18", num_classes=3).eval()


def test_pipeline_no_face_says_so_and_falls_back_to_global(tiny_global):
    face = FaceResNet(3, crop_size=24, width=8).eval()
    blank = np.full((64, 80, 3), 127, np.uint8)
    r = ReferencePipeline(HaarDetector(), face, "mean").predict(blank)
    assert r.source == "none" and r.label is None and "no face detected" in r.message
    assert r.to_dict()["message"] == r.message
    fused = ReferencePipeline(HaarDetector(), face, "mean", global_model=tiny_global,
                              global_size=32, face_weight=0.5)
    r = fused.predict(blank)
    assert r.source == "global-fallback" and "falling back to the global model" in r.message
    assert r.pooled_probs is None and np.allclose(r.probs, r.global_probs) and r.label is not None
    # with faces (ground-truth boxes), the score is fused
    cfg = GenConfig(split="test", **SMALL)
    s = make_sample(cfg, Sources(cfg), 1)
    r = ReferencePipeline(GroundTruthBoxes(), face, "top3", global_model=tiny_global, global_size=32,
                          face_weight=0.25).predict(s.image, record=s.record)
    assert r.source == "fused" and len(r.boxes) == len(s.record["faces"])
    assert np.allclose(r.probs, 0.75 * r.global_probs + 0.25 * r.pooled_probs)
    att = AttentionPooling(face.feature_dim, hidden=8)
    r = ReferencePipeline(GroundTruthBoxes(), face, att).predict(s.image, record=s.record)
    assert r.source == "faces" and np.isclose(r.attention_weights.sum(), 1.0)


# --------------------------------------------------------------------------------------- CLI
def _main(capsys, *args):
    from globalnet.cli import main

    code = main(["reference", *map(str, args)])
    out = capsys.readouterr()
    return subprocess.CompletedProcess(args, code, out.out, out.err)


def _one_error(r, *needles):
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    lines = [l for l in r.stderr.strip().splitlines() if l.strip()]
    assert len(lines) == 1 and lines[0].startswith("globalnet: error:"), r.stderr
    assert "Traceback" not in r.stderr
    for n in needles:
        assert n in lines[0], lines[0]


def test_cli_train_predict_and_bad_input(tmp_path, capsys):
    import json

    import cv2

    ck = tmp_path / "face.pt"
    r = _main(capsys, "train", "--out", ck, "--images", 6, "--size", 96, "--crop-size", 24, "--width", 8,
              "--epochs", 1, "--attention-epochs", 1)
    assert r.returncode == 0, r.stderr
    assert ck.is_file()
    cfg = GenConfig(split="test", size=(160, 160), face_size=(0.3, 0.42), faces_per_image=(1, 2))
    img = tmp_path / "group.png"
    cv2.imwrite(str(img), cv2.cvtColor(make_sample(cfg, Sources(cfg), 0).image, cv2.COLOR_RGB2BGR))
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((90, 90, 3), 200, np.uint8))
    r = _main(capsys, "predict", "--checkpoint", ck, "--pooling", "attention", img, blank)
    assert r.returncode == 0, r.stderr
    out = [json.loads(l) for l in r.stdout.splitlines()]
    assert len(out) == 2 and out[1]["n_faces"] == 0 and "no face detected" in out[1]["message"]
    assert "blank.png: no face detected" in r.stderr
    r = _main(capsys, "evaluate", "--checkpoint", ck, "--detector", "gt", "--images", 4, "--size", 96)
    assert r.returncode == 0 and "face attention: accuracy" in r.stdout, r.stderr
    # bad input: one clear line, status 2 (the real process exit status once, then in-process)
    p = subprocess.run([sys.executable, "-m", "globalnet.cli", "reference", "predict", "--checkpoint",
                        str(tmp_path / "missing.pt"), str(img)], cwd=ROOT, capture_output=True,
                       text=True, timeout=180)
    _one_error(p, "missing.pt", "does not exist")
    junk = tmp_path / "det.onnx"
    junk.write_text("not onnx")
    _one_error(_main(capsys, "predict", "--checkpoint", ck, "--detector", "onnx", "--detector-model",
                     junk, img), "det.onnx", "not an ONNX file")
    _one_error(_main(capsys, "predict", "--checkpoint", ck, "--detector", "onnx",
                     "--detector-model", tmp_path / "yunet.onnx", img), "yunet.onnx", "does not exist")
    _one_error(_main(capsys, "predict", "--checkpoint", ck, "--detector", "onnx", img), "--detector-model")
    _one_error(_main(capsys, "predict", "--checkpoint", ck, tmp_path / "nope.jpg"), "nope.jpg")
    _one_error(_main(capsys, "predict", "--checkpoint", ck, "--global-checkpoint", tmp_path / "g.pt", img),
               "g.pt")
    _one_error(_main(capsys, "predict", "--checkpoint", junk, img), "det.onnx")
