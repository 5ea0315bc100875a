"""explain/: explainers, fast Score-CAM exactness, face focus, faithfulness, HTML report."""
from __future__ import annotations

import copy
import json
from html.parser import HTMLParser
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from torch import nn

from explain.base import ActivationCapture, ExplainError, normalise_maps
from explain.cli import main as explain_main
from explain.metrics import (confidence_drop, face_focus, face_focus_by_class,
                             face_focus_details, pearson, road)
from explain.registry import create_explainer, get_explainer_class, list_explainers
from explain.report import privatize

SIZE = 32


class Tiny(nn.Module):
    """Small CNN; target layer ``features.4`` (16 channels, 16x16 at 32 px) with one dead
    channel (constant map) and one exact duplicate channel, to exercise both fast paths."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                                      nn.Conv2d(8, 16, 3, padding=1), nn.ReLU())
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, 3)
        with torch.no_grad():
            conv = self.features[3]
            conv.bias[0] = -1e4                       # channel 0: always 0 after ReLU
            conv.weight[1] = conv.weight[2]           # channel 1 == channel 2
            conv.bias[1] = conv.bias[2]
            self.fc.weight.mul_(5)

    def forward(self, x):
        return self.fc(self.pool(self.features(x)).flatten(1))


@pytest.fixture(scope="module")
def tiny():
    torch.manual_seed(0)
    return Tiny().eval()


@pytest.fixture(scope="module")
def steep(tiny):
    """Tiny with a 20x steeper head: channel scores spread as in a trained network, so the
    uniform-weights map is clearly off the exact Score-CAM map."""
    model = copy.deepcopy(tiny)
    with torch.no_grad():
        model.fc.weight.mul_(20)
    return model


@pytest.fixture(scope="module")
def x_tiny():
    g = torch.Generator().manual_seed(1)
    return torch.randn(2, 3, SIZE, SIZE, generator=g)


def make(name, model, **kw):
    return get_explainer_class(name)(model, model.features[4], input_size=SIZE,
                                     target_layer_name="features.4", **kw)


# ------------------------------------------------------------------------------ explainers
@pytest.mark.parametrize("name", list_explainers())
def test_every_explainer_returns_unit_maps(name, tiny, x_tiny):
    opts = {"window": 4, "stride": 4} if name == "occlusion" else {}
    opts = {"n_steps": 8} if name == "integrated-gradients" else opts
    res = make(name, tiny, **opts)(x_tiny)
    assert res.maps.shape == (2, 1, SIZE, SIZE)
    assert res.maps.dtype == np.float32
    assert np.isfinite(res.maps).all()
    assert res.maps.min() >= 0 and res.maps.max() <= 1
    assert res.maps.max() == pytest.approx(1.0)            # min-max normalised, not all zero
    assert res.probs.shape == (2, 3) and np.allclose(res.probs.sum(1), 1, atol=1e-5)
    assert (res.targets[:, 0] == res.probs.argmax(1)).all()


def test_explain_image_uint8_and_all_classes(tiny):
    rgb = np.random.default_rng(0).integers(0, 256, (40, 50, 3), dtype=np.uint8)
    res = make("gradcam", tiny).explain_image(rgb, "all")
    assert res.maps.shape == (1, 3, 40, 50)
    assert res.targets.tolist() == [[0, 1, 2]]
    assert np.isfinite(res.maps).all() and 0 <= res.maps.min() and res.maps.max() <= 1


def test_registry_resolves_layers_from_backbone_spec():
    from globalnet.backbones import create_backbone
    from globalnet.errors import GlobalNetError
    model = create_backbone("resnet18")
    exp = create_explainer("gradcam", model, "resnet18")
    assert exp.target_layer is model.layer4 and exp.target_layer_name == "layer4"
    assert exp.input_size == (224, 224)
    assert create_explainer("grad-cam", model, target_layer="layer3").target_layer is model.layer3
    with pytest.raises(GlobalNetError):
        create_explainer("gradcam", model, "resnet18", target_layer="layer9")
    with pytest.raises(ExplainError, match="unknown explainer"):
        create_explainer("nope", model, "resnet18")
    assert {"gradcam", "gradcam++", "scorecam", "fast-scorecam", "occlusion",
            "integrated-gradients"} <= set(list_explainers())


def test_explain_never_imports_face_path():
    import ast
    for f in Path(__file__).resolve().parents[1].joinpath("explain").glob("*.py"):
        tree = ast.parse(f.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [f"{node.module}.{a.name}" for a in node.names]
            assert not any("reference" in n for n in names), f"{f.name} imports {names}"


# ------------------------------------------------------------------------------ fast Score-CAM
def test_fast_scorecam_exact_equals_gradcam_scorecam(tiny, x_tiny):
    from pytorch_grad_cam import ScoreCAM
    from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget
    fast = make("fast-scorecam", tiny, batch_size=5)
    for target in range(3):
        with ScoreCAM(model=tiny, target_layers=[tiny.features[4]]) as cam:
            ref = cam(input_tensor=x_tiny, targets=[ClassifierOutputTarget(target)] * 2)
        got = fast(x_tiny, target)
        for n in range(2):
            assert pearson(got.maps[n, 0], ref[n]) >= 0.999
            np.testing.assert_allclose(got.maps[n, 0], ref[n], atol=1e-4)
    extra = fast.last_extra
    assert all(c >= 1 for c in extra["constant"]) and all(d >= 1 for d in extra["duplicates"])
    assert all(f < 16 for f in extra["forwards"])          # fewer than one forward per channel
    # one pass gives every class, equal to the per-class calls
    allc = fast(x_tiny, "all")
    assert allc.maps.shape == (2, 3, SIZE, SIZE)
    np.testing.assert_allclose(allc.maps[:, 2], fast(x_tiny, 2).maps[:, 0], atol=1e-6)
    # the wrapped grad-cam explainer agrees too
    wrapped = make("scorecam", tiny)(x_tiny, 1)
    np.testing.assert_allclose(fast(x_tiny, 1).maps, wrapped.maps, atol=1e-3)


def test_fast_scorecam_topk_is_cheaper_and_close(tiny, x_tiny):
    exact = make("fast-scorecam", tiny)
    approx = make("fast-scorecam", tiny, topk=4)
    e, a = exact(x_tiny, 0), approx(x_tiny, 0)
    assert approx.approximate and not exact.approximate
    assert all(f <= 5 for f in approx.last_extra["forwards"])
    assert all(fa < fe for fa, fe in zip(approx.last_extra["forwards"], exact.last_extra["forwards"]))
    assert np.isfinite(a.maps).all() and a.maps.min() >= 0 and a.maps.max() <= 1
    assert pearson(a.maps[0, 0], e.maps[0, 0]) > 0.5
    bf = make("fast-scorecam", tiny, precision="bfloat16")(x_tiny, 0)
    assert pearson(bf.maps[0, 0], e.maps[0, 0]) > 0.98
    with pytest.raises(ExplainError):
        make("fast-scorecam", tiny, topk=0)


def test_fast_scorecam_topk_baseline_fill_holds_on_flat_and_steep_scores(tiny, steep, x_tiny):
    """Skipped channels scored like the all-zero input ("baseline") track the exact map both
    when scores are nearly equal (where "zero" fails) and when they are spread (where "mean"
    drowns the evaluated channels and "zero" loses the rest)."""

    def worst(model, **kw):
        e = make("fast-scorecam", model)(x_tiny, "all")
        a = make("fast-scorecam", model, topk=8, **kw)(x_tiny, "all")
        return min(pearson(a.maps[n, c], e.maps[n, c]) for n in range(2) for c in range(3))

    assert worst(tiny) > 0.999 and worst(tiny, fill="zero") < 0.99
    base, mean, zero = worst(steep), worst(steep, fill="mean"), worst(steep, fill="zero")
    assert base > 0.97 and base > mean + 0.1 and base > zero + 0.1
    with pytest.raises(ExplainError, match="fill must be one of"):
        make("fast-scorecam", tiny, topk=8, fill="median")


def test_fast_scorecam_compiled_matches_eager(tiny, x_tiny):
    """torch.compile (inductor, frozen weights; full batches compiled, a short last batch run
    eagerly) changes speed, not the map."""
    eager = make("fast-scorecam", tiny, batch_size=5)
    compiled = make("fast-scorecam", tiny, batch_size=5, compile=True)
    e, c = eager(x_tiny, "all"), compiled(x_tiny, "all")
    ex = compiled.last_extra
    assert ex["compile"] == [True, True] and e.extra["forwards"] == ex["forwards"]
    assert all(f % 5 for f in ex["forwards"])                        # a short last batch ...
    assert ex["compiled_forwards"] == [f - f % 5 for f in ex["forwards"]]   # ... ran uncompiled
    np.testing.assert_allclose(c.maps, e.maps, atol=1e-4)
    np.testing.assert_allclose(c.probs, e.probs, atol=1e-5)


def test_fast_scorecam_int8_calibrates_once_and_tracks_float32(tiny, steep, x_tiny):
    """precision='int8': a real FX-quantized copy (quantized conv kernels), calibrated on the
    first image's masked inputs only, then reused; every channel is still scored. The model's
    head is steepened so that channel scores really differ: the uniform-weights map
    ReLU(mean A) is then clearly off the exact map, and int8 must stay far closer than it."""
    exact = make("fast-scorecam", steep)
    q = make("fast-scorecam", steep, precision="int8", batch_size=8)
    first = q(x_tiny[:1], "all")
    model8 = q._int8_model
    assert any(type(m).__module__.startswith("torch.ao.nn.quantized") for m in model8.modules())
    second = q(x_tiny[1:], "all")                    # not calibrated on this image
    assert q._int8_model is model8                   # once per explainer
    with ActivationCapture(steep.features[4]) as cap, torch.no_grad():
        steep(x_tiny)
    uniform = normalise_maps(torch.relu(cap.activations.mean(1, keepdim=True)), (SIZE, SIZE))
    for n, got in enumerate((first, second)):
        ref = exact(x_tiny[n:n + 1], "all")
        assert got.extra["forwards"] == ref.extra["forwards"]      # exact: no channel dropped
        for c in range(3):
            assert pearson(got.maps[0, c], ref.maps[0, c]) > 0.99
        assert min(pearson(uniform[n, 0], ref.maps[0, c]) for c in range(3)) < 0.95
    with pytest.raises(ExplainError, match="compile"):
        make("fast-scorecam", tiny, precision="int8", compile=True)
    with pytest.raises(ExplainError, match="precision must be one of"):
        make("fast-scorecam", tiny, precision="int4")


def test_occlusion_bfloat16_runs_a_bfloat16_copy_and_tracks_float32(steep, x_tiny):
    """precision='bfloat16': the occluded forwards go through a real bfloat16 copy (the
    template's own forward stays float32), and on the shipped trained model the map follows
    the float32 one up to rounding. (On a tiny untrained net the occlusion deltas are of the
    order of bfloat16's rounding of the logits, so only the trained model says much.)"""
    exp = make("occlusion", steep, window=4, stride=2, precision="bfloat16")
    got = exp(x_tiny, "all")
    assert {p.dtype for p in exp._scorer.parameters()} == {torch.bfloat16}
    assert {p.dtype for p in steep.parameters()} == {torch.float32}
    ref = make("occlusion", steep, window=4, stride=2)(x_tiny, "all")
    assert np.allclose(got.probs, ref.probs)                 # the template's float32 forward
    assert not np.array_equal(got.maps, ref.maps)            # really another computation

    from globalnet.predict import Predictor
    from synthgroup import GenConfig, Sources, make_sample
    pred = Predictor.from_checkpoint("synth-resnet18-slim", device="cpu")
    cfg = GenConfig(split="test", seed=2020, size=(96, 96))
    image = np.asarray(make_sample(cfg, Sources(cfg), 0).image)
    maps = [create_explainer("occlusion", pred.model.float(), "resnet18_slim", input_size=96,
                             precision=p).explain_image(image).maps for p in ("float32", "bfloat16")]
    assert pearson(*maps) > 0.99                             # measured 0.9999 at 224 px
    from globalnet.device import cpu_has_bf16
    auto = make("occlusion", steep, precision="auto")
    assert auto.precision == ("bfloat16" if cpu_has_bf16() else "float32")
    with pytest.raises(ExplainError, match="occlusion: precision must be one of"):
        make("occlusion", steep, precision="int8")


def test_int8_quantize_restores_engine_and_reports_untraceable_models(tiny):
    from explain.fast_scorecam import quantize_int8

    before = torch.backends.quantized.engine
    quantize_int8(tiny, torch.randn(4, 3, SIZE, SIZE))
    assert torch.backends.quantized.engine == before

    class DataDependent(nn.Module):                  # control flow on a tensor: FX cannot trace
        def forward(self, x):
            return x.mean((2, 3)) if x.sum() > 0 else -x.mean((2, 3))

    with pytest.raises(ExplainError, match="cannot be traced"):
        quantize_int8(DataDependent(), torch.randn(2, 3, SIZE, SIZE))


# ------------------------------------------------------------------------------ metrics
def test_face_focus_hand_made():
    mask = np.zeros((10, 10), np.uint8)
    mask[0:2, 0:5] = 1                                     # face 0: 10 px
    mask[5:7, 5:10] = 2                                    # face 1: 10 px -> area share 0.2
    uniform = np.full((10, 10), 0.7, np.float32)
    assert face_focus(uniform, mask) == pytest.approx(1.0)
    on_faces = (mask > 0).astype(np.float32)
    d = face_focus_details(on_faces, mask)
    assert d["area_share"] == pytest.approx(0.2) and d["energy_share"] == pytest.approx(1.0)
    assert d["focus"] == pytest.approx(1 / 0.2) and d["faces"] == 2
    off = 1 - on_faces
    assert face_focus(off, mask) == pytest.approx(0.0)
    half = on_faces * 1.0 + off * 0.25                    # 20 + 20 energy -> share 0.5
    assert face_focus(half, mask) == pytest.approx(0.5 / 0.2)
    assert np.isnan(face_focus(uniform, np.zeros_like(mask)))
    assert np.isnan(face_focus(np.zeros((10, 10)), mask))
    # a smaller map is resized to the mask
    assert face_focus(np.ones((5, 5)), mask) == pytest.approx(1.0)
    by = face_focus_by_class([1.0, 3.0, 2.0, float("nan")], [0, 0, 2, 1])
    assert by["Positive"] == {"mean": 2.0, "median": 2.0, "n": 2}
    assert by["Negative"]["n"] == 1 and "Neutral" not in by and by["all"]["n"] == 3


def test_road_and_confidence_drop_are_finite(tiny, x_tiny):
    res = make("gradcam", tiny)(x_tiny)
    cams, targets = res.maps[:, 0], res.targets[:, 0]
    r = road(tiny, x_tiny, cams, targets, percentiles=(20, 80))
    d = confidence_drop(tiny, x_tiny, cams, targets)
    assert r.shape == (2,) and d.shape == (2,)
    assert np.isfinite(r).all() and np.isfinite(d).all() and (d >= 0).all()
    with pytest.raises(ExplainError):
        road(tiny, x_tiny, cams[:, :8], targets)


# ------------------------------------------------------------------------------ report
@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A synthgroup-style folder (images, masks, metadata.jsonl), a video, checkpoints."""
    import standins as S
    from synthgroup import GenConfig, Sources, make_sample

    root = tmp_path_factory.mktemp("explain")
    synth = root / "synth"
    (synth / "images").mkdir(parents=True)
    (synth / "masks").mkdir()
    cfg = GenConfig(size=(64, 64), seed=5, faces_per_image=(3, 5), face_size=(0.3, 0.4))
    src = Sources(cfg)
    rows, frames = [], []
    for i in range(2):
        s = make_sample(cfg, src, i)
        cv2.imwrite(str(synth / f"images/{i:06d}.jpg"), cv2.cvtColor(s.image, cv2.COLOR_RGB2BGR),
                    [cv2.IMWRITE_JPEG_QUALITY, 95])
        cv2.imwrite(str(synth / f"masks/{i:06d}.png"), s.mask)
        rows.append({"file_name": f"images/{i:06d}.jpg", "mask_file_name": f"masks/{i:06d}.png",
                     **s.record})
        frames.append(s.image)
    (synth / "metadata.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    video = S.write_clip(root / "clip.avi", [frames[k % 2] for k in range(10)])
    torch.manual_seed(0)
    ck = S.checkpoint(root / "r18.pt")
    ck5 = S.checkpoint(root / "r18_5.pt", num_classes=5)
    cksq = S.checkpoint(root / "sq.pt", "squeezenet1_1")
    return {"root": root, "synth": synth, "video": video, "ck": ck, "ck5": ck5, "cksq": cksq}


class _Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs, self.ids, self.tags = [], set(), []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        for k in ("src", "href", "data", "poster"):
            if a.get(k):
                self.refs.append(a[k])
        if a.get("id"):
            self.ids.add(a["id"])


def _report(ws, out, *extra, inputs=None):
    inputs = inputs or [ws["synth"], ws["video"]]
    return explain_main(["report", "--checkpoint", str(ws["ck"]), "--inputs", *map(str, inputs),
                         "--out", str(out), "--method", "gradcam", "--frames", "4", "--quiet",
                         *extra])


def test_report_is_self_contained(workspace, capsys):
    out = workspace["root"] / "rep"
    assert _report(workspace, out) == 0
    page = (out / "index.html").read_text()
    p = _Refs()
    p.feed(page)
    assert "summary" in p.ids and {"input-0", "input-1", "input-2"} <= p.ids
    assert "script" not in p.tags and "link" not in p.tags
    assert "http:" not in page and "https:" not in page and "//" not in page.replace("<!DOCTYPE", "")
    files = [r for r in p.refs if not r.startswith("#")]
    assert len(files) >= 2 * 4 + 1 + 4                   # 2 images x 4 pictures, timeline, frames
    root = out.resolve()
    for r in files:
        f = (out / r).resolve()
        assert f.is_file() and root in f.parents, r
    assert all(r[1:] in p.ids for r in p.refs if r.startswith("#"))
    data = json.loads((out / "report.json").read_text())
    kinds = [e["kind"] for e in data["inputs"]]
    assert kinds == ["image", "image", "video"]
    img = data["inputs"][0]
    assert img["truth"] in (0, 1, 2) and len(img["face_focus"]) == 3
    finite = [f for e in data["inputs"][:2] for f in e["face_focus"] if np.isfinite(f)]
    assert finite and all(f >= 0 for f in finite)
    assert not img["private"] and data["inputs"][2]["private"]        # auto: video only
    assert data["inputs"][2]["key_frames"] and data["inputs"][2]["timeline"].startswith("img/")
    assert data["face_focus_summary"]["by_explained_class"]["all"]["n"] == len(finite)
    assert "Face focus per class" in page
    assert not [q for q in out.parent.iterdir() if q.name.startswith(".rep")]


def test_privacy_changes_pixels_under_faces(workspace):
    from globalnet.predict import read_image_checked
    synth = workspace["synth"]
    original = read_image_checked(synth / "images/000000.jpg").astype(np.int16)
    faces = cv2.imread(str(synth / "masks/000000.png"), cv2.IMREAD_UNCHANGED) > 0
    assert faces.sum() > 50

    def shown(out):
        bgr = cv2.imread(str(out / "img/i000_input.png"))
        return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB).astype(np.int16)

    off, on = workspace["root"] / "rep_off", workspace["root"] / "rep_on"
    one = [synth / "images/000000.jpg"]
    assert _report(workspace, off, "--privacy", "off", inputs=one) == 0
    assert _report(workspace, on, "--privacy", "on", "--privacy-style", "pixelate", inputs=one) == 0
    assert np.abs(shown(off) - original)[faces].mean() < 1            # unchanged
    diff_on = np.abs(shown(on) - original)[faces].mean()
    assert diff_on > 8
    # the overlays are built on the obscured picture too
    ov_on = cv2.imread(str(on / "img/i000_positive.png")).astype(np.int16)
    ov_off = cv2.imread(str(off / "img/i000_positive.png")).astype(np.int16)
    assert np.abs(ov_on - ov_off)[faces].mean() > 3
    # blur also changes the face pixels
    blurred = privatize(original.astype(np.uint8), "blur").astype(np.int16)
    assert np.abs(blurred - original)[faces].mean() > 5


@pytest.mark.parametrize("case", ["unreadable_image", "unsupported_format", "other_class_count",
                                  "other_backbone", "zero_length_video", "truncated_video"])
def test_bad_input_fails_cleanly(workspace, case, capsys, tmp_path):
    ws = workspace
    img = ws["synth"] / "images/000000.jpg"
    ck, extra = ws["ck"], []
    if case == "other_class_count":
        ck, inputs = ws["ck5"], [img]
    elif case == "other_backbone":
        ck, inputs, extra = ws["cksq"], [img], ["--backbone", "resnet18"]
    else:                                       # a bad file, after a good image (or alone)
        video = ws["video"].read_bytes()
        name, data = {"unreadable_image": ("bad.jpg", b"not a jpeg at all"),
                      "unsupported_format": ("pic.gif", b"GIF89a...."),
                      "zero_length_video": ("empty.mp4", b""),
                      "truncated_video": ("cut.avi", video[: len(video) // 2])}[case]
        bad = tmp_path / name
        bad.write_bytes(data)
        inputs = [bad] if case == "unsupported_format" else [img, bad]
    out = tmp_path / "out" / "rep"
    capsys.readouterr()
    rc = explain_main(["report", "--checkpoint", str(ck), "--inputs", *map(str, inputs),
                       "--out", str(out), "--method", "gradcam", "--quiet", *extra])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc != 0
    errors = [line for line in err if line.startswith("explain: error:")]
    assert len(errors) == 1, err
    assert "Traceback" not in "\n".join(err)
    assert not out.exists() and not (tmp_path / "out").exists()


def test_report_with_int8_fast_scorecam(workspace, capsys):
    """The report path with ``--precision int8``: one explainer, calibrated once, every frame;
    and an option clash is one message with nothing written."""
    out = workspace["root"] / "rep_int8"
    inputs = [workspace["synth"], workspace["video"]]
    assert explain_main(["report", "--checkpoint", str(workspace["ck"]), "--inputs",
                         *map(str, inputs), "--out", str(out), "--method", "fast-scorecam",
                         "--precision", "int8", "--frames", "2", "--quiet"]) == 0
    assert (out / "index.html").is_file()
    bad = workspace["root"] / "rep_int8_compile"
    capsys.readouterr()
    assert explain_main(["report", "--checkpoint", str(workspace["ck"]), "--inputs",
                         str(workspace["synth"]), "--out", str(bad), "--method", "fast-scorecam",
                         "--precision", "int8", "--compile", "--quiet"]) != 0
    err = capsys.readouterr().err
    assert "int8" in err and "compile" in err and "Traceback" not in err
    assert not bad.exists()


def test_existing_report_needs_overwrite(workspace, capsys):
    out = workspace["root"] / "rep_exists"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    assert _report(workspace, out, inputs=[workspace["synth"]]) != 0
    assert (out / "keep.txt").exists()
    assert "already exists" in capsys.readouterr().err
