"""The model zoo, the one registry mechanism, checkpoint references and the one preprocessing.

A test zoo entry is registered for the duration of a test (the shipped catalog may be empty on
a checkout without trained weights): its file is a real half-precision export of a real model.
"""
import hashlib
import json
import sys

import numpy as np
import pytest
import torch

from globalnet.cli import main
from globalnet.errors import GlobalNetError
from globalnet.registry import Registry
from globalnet.zoo import list_models as shipped_models

SIZE = 64


pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def trained_checkpoint(tmp_path_factory):
    """A resnet18 with non-trivial BatchNorm statistics, saved like a training checkpoint
    (optimiser state included), recording input size 64."""
    from globalnet.backbones import create_backbone, save_checkpoint

    torch.manual_seed(0)
    model = create_backbone("resnet18")
    model.train()
    with torch.no_grad():                       # move the running statistics off their init
        for _ in range(3):
            model(torch.randn(4, 3, SIZE, SIZE))
        model.fc.weight.mul_(40)                # and make the head's answer clear
    opt = torch.optim.AdamW(model.parameters())
    model(torch.randn(2, 3, SIZE, SIZE)).sum().backward()
    opt.step()
    d = tmp_path_factory.mktemp("zoo-src")
    return save_checkpoint(d / "best.pt", model.eval(), format="globalnet-train",
                           config={"backbone": "resnet18", "input_size": SIZE},
                           optimizer=opt.state_dict(), task="b")


@pytest.fixture
def zoo_entry(trained_checkpoint, tmp_path, monkeypatch, request):
    """A zoo model ``test-resnet18`` (or the name given by indirect parametrization) whose file
    is ``export_weights`` of the checkpoint."""
    from globalnet import zoo

    name = getattr(request, "param", "test-resnet18")
    path = tmp_path / "weights" / f"{name}.pt"
    digest = zoo.export_weights(trained_checkpoint, path)
    entry = zoo.ZooModel(name=name, backbone="resnet18", input_size=SIZE,
                         file=str(path), sha256=digest, summary="A test model.",
                         recipe="pytest tests/test_zoo.py")
    monkeypatch.setitem(zoo.MODELS._entries, entry.name, entry)
    return entry


def frame(seed=0, shape=(72, 96, 3)):
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


def assert_one_line_error(rc, err, *needles):
    assert rc == 2, err
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert len(lines) == 1 and "error:" in lines[0] and "Traceback" not in err, err
    for n in needles:
        assert n in lines[0], lines[0]


# ------------------------------------------------------------------------------- registry
def test_registry_rejects_duplicates_lists_names_and_loads_lazily():
    reg = Registry("widget")
    reg.register("a", 1)

    @reg.register("b")
    def make_b(x=2):
        return x * 10

    reg.register("c", "json:dumps")                 # lazy "module:attr"
    assert reg.names() == ["a", "b", "c"] and "b" in reg and "z" not in reg
    assert reg.get("a") == 1 and reg.create("b", 3) == 30 and reg.get("c") is json.dumps
    with pytest.raises(GlobalNetError, match="widget 'a' is already registered"):
        reg.register("a", 2)
    reg.register("a", 2, overwrite=True)
    assert reg.get("a") == 2
    with pytest.raises(GlobalNetError, match=r"unknown widget 'nope'; choose one of: a, b, c"):
        reg.get("nope")
    reg.register("broken", "json:no_such_thing")
    with pytest.raises(GlobalNetError, match="cannot load 'json:no_such_thing'"):
        reg.get("broken")


def test_registry_finds_entry_point_plugins(tmp_path, monkeypatch):
    """A third-party distribution on sys.path that declares an entry point shows up."""
    dist = tmp_path / "groupmood_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: groupmood-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[synthgroup.test_widgets]\nplugged = json:loads\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    reg = Registry("widget", group="synthgroup.test_widgets")
    reg.register("builtin", 0)
    assert reg.names() == ["builtin", "plugged"]
    assert reg.get("plugged") is json.loads


# -------------------------------------------------------------------------------- export
def test_export_is_half_precision_without_optimiser_and_hash_matches(trained_checkpoint, tmp_path):
    from globalnet import zoo

    out = tmp_path / "m.pt"
    digest = zoo.export_weights(trained_checkpoint, out)
    assert digest == hashlib.sha256(out.read_bytes()).hexdigest() == zoo.sha256_of(out)
    ck = torch.load(out, weights_only=True)
    assert "optimizer" not in ck and ck["backbone"] == "resnet18" and ck["config"]["input_size"] == SIZE
    floats = [v for v in ck["model"].values() if v.is_floating_point()]
    assert floats and all(v.dtype == torch.float16 for v in floats)
    assert ck["model"]["bn1.num_batches_tracked"].dtype == torch.int64
    assert out.stat().st_size < 0.6 * trained_checkpoint.stat().st_size
    assert not list(tmp_path.glob(".*tmp*"))


def test_zoo_model_loads_in_float32_and_predicts_like_the_original(zoo_entry, trained_checkpoint):
    from globalnet import zoo
    from globalnet.predict import Predictor

    model = zoo.load_model(zoo_entry.name)
    assert all(p.dtype == torch.float32 for p in model.parameters()) and not model.training
    a = Predictor.from_checkpoint(zoo_entry.name, device="cpu", amp="off")
    b = Predictor.from_checkpoint(trained_checkpoint, device="cpu", amp="off")
    assert a.input_size == SIZE and a.checkpoint == zoo_entry.name
    frames = [frame(i) for i in range(4)]
    pa, pb = a.predict_frames(frames), b.predict_frames(frames)
    assert np.abs(pa - pb).max() < 0.02
    assert (pa.argmax(1) == pb.argmax(1)).all()


def test_cli_commands_take_zoo_names(zoo_entry, tmp_path, capsys):
    from globalnet.evaluate import evaluate

    img = tmp_path / "a.png"
    import cv2
    cv2.imwrite(str(img), frame(1))
    assert main(["predict", "--checkpoint", zoo_entry.name, "--amp", "off", str(img)]) == 0
    out = capsys.readouterr().out
    assert "a.png" in out
    m = evaluate(zoo_entry.name, "synthetic:6", device="cpu")
    assert m["checkpoint"] == zoo_entry.name and m["backbone"] == "resnet18" and m["total"] == 6

    from explain.cli import main as explain_main
    png = tmp_path / "cam.png"
    assert explain_main(["map", "--checkpoint", zoo_entry.name, "--input", str(img),
                         "--out", str(png), "--method", "gradcam"]) == 0
    assert png.stat().st_size > 0


def test_models_command_lists_and_prints_cards(zoo_entry, capsys):
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    assert zoo_entry.name in out and "resnet18" in out and "pytest tests/test_zoo.py" in out
    assert main(["models", "--json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows[zoo_entry.name]["input_size"] == SIZE and rows[zoo_entry.name]["size_mb"] > 1
    assert main(["models", "--card", zoo_entry.name]) == 0
    card = capsys.readouterr().out
    for needle in ("# test-resnet18", "Training data", "procedural", "Recipe", "Held-out",
                   "Known limits", "Must not be used for", "individual", zoo_entry.sha256):
        assert needle in card, needle


# ---------------------------------------------------------------------------- bad input
def test_unknown_zoo_name_lists_the_valid_ones(zoo_entry, capsys):
    rc = main(["evaluate", "--checkpoint", "synth-resnet1", "--data", "synthetic:2"])
    assert_one_line_error(rc, capsys.readouterr().err, "not a zoo model", zoo_entry.name)
    with pytest.raises(GlobalNetError, match="unknown zoo model 'nope'; choose one of: .*test-resnet18"):
        from globalnet import zoo
        zoo.get_model("nope")


def test_corrupt_zoo_file_names_the_file(zoo_entry, tmp_path, capsys):
    import cv2
    img = tmp_path / "a.png"
    cv2.imwrite(str(img), frame(1))
    data = bytearray(zoo_entry.path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    zoo_entry.path.write_bytes(bytes(data))
    rc = main(["predict", "--checkpoint", zoo_entry.name, str(img)])
    assert_one_line_error(rc, capsys.readouterr().err, "sha256", str(zoo_entry.path), zoo_entry.name)
    zoo_entry.path.unlink()
    rc = main(["evaluate", "--checkpoint", zoo_entry.name, "--data", "synthetic:2"])
    assert_one_line_error(rc, capsys.readouterr().err, "missing", str(zoo_entry.path))


@pytest.mark.parametrize("extra, needle", [
    (["--backbone", "vgg19"], "drop --backbone vgg19"),
    (["--input-size", "96"], "drop --input-size 96"),
])
def test_zoo_model_with_conflicting_options_is_one_message(zoo_entry, tmp_path, capsys, extra, needle):
    img = tmp_path / "a.png"
    import cv2
    cv2.imwrite(str(img), frame(2))
    rc = main(["predict", "--checkpoint", zoo_entry.name, *extra, str(img)])
    assert_one_line_error(rc, capsys.readouterr().err, zoo_entry.name, needle)
    assert not (tmp_path / "predictions.csv").exists()


# ----------------------------------------------------------------------- one preprocessing
def test_predict_and_explain_give_the_same_probabilities(zoo_entry):
    from explain.registry import create_explainer
    from globalnet.predict import Predictor

    pred = Predictor.from_checkpoint(zoo_entry.name, device="cpu", amp="off")
    exp = create_explainer("gradcam", pred.model, pred.backbone, device="cpu",
                           input_size=pred.input_size)
    for shape in [(72, 96, 3), (120, 50, 3), (64, 64, 3)]:
        img = frame(3, shape)
        p_pred = pred.predict_frames([img])[0]
        res = exp.explain_image(img)
        np.testing.assert_allclose(res.probs[0], p_pred, atol=1e-5)
        x0, y0, x1, y1 = res.extra["crop_box"]
        assert res.maps.shape[-2:] == shape[:2]
        outside = np.ones(shape[:2], bool)
        outside[y0:y1, x0:x1] = False
        assert not res.maps[0, 0][outside].any()


@pytest.mark.parametrize("h, w", [(72, 96), (96, 72), (64, 64), (480, 854), (33, 200)])
def test_crop_box_is_what_the_model_sees(h, w):
    """A frame whose pixel values encode their column (row): the first and last column (row)
    of the model's input carry the crop box's edges."""
    from globalnet.data.transforms import ModelInput

    mi = ModelInput(SIZE, (0, 0, 0), (1, 1, 1))
    xs = np.broadcast_to((np.arange(w) * 255 // max(1, w - 1)).astype(np.uint8)[None, :, None], (h, w, 3))
    ys = np.broadcast_to((np.arange(h) * 255 // max(1, h - 1)).astype(np.uint8)[:, None, None], (h, w, 3))
    x0, y0, x1, y1 = mi.crop_box(h, w)
    cx = mi([np.ascontiguousarray(xs)])[0, 0] * 255
    cy = mi([np.ascontiguousarray(ys)])[0, 0] * 255
    tol = 255 * 2.5 / min(h, w) + 2
    assert abs(cx[SIZE // 2, 0] - x0 * 255 / (w - 1)) < tol
    assert abs(cx[SIZE // 2, -1] - (x1 - 1) * 255 / (w - 1)) < tol
    assert abs(cy[0, SIZE // 2] - y0 * 255 / (h - 1)) < tol
    assert abs(cy[-1, SIZE // 2] - (y1 - 1) * 255 / (h - 1)) < tol


def test_bad_frames_to_the_one_preprocessing():
    from globalnet.data.transforms import ModelInput

    mi = ModelInput.for_backbone("resnet18", SIZE)
    with pytest.raises(GlobalNetError, match="frame 1: expected an HxWx3 uint8 RGB array"):
        mi([frame(0), frame(0).astype(np.float32)])


def test_class_names_are_defined_once():
    """Every module that needs the class names imports the one definition."""
    import explain.report
    import globalnet
    import globalnet.predict
    import globalnet.timeline
    from synthgroup.labels import CLASS_NAMES

    for mod in (globalnet, globalnet.predict, globalnet.timeline, explain.report):
        assert mod.CLASS_NAMES is CLASS_NAMES, mod.__name__
    assert sys.modules["synthgroup.labels"].CLASS_NAMES == ("Positive", "Neutral", "Negative")


# ------------------------------------------------------------------------------- precision
def test_emulated_bfloat16_warns_once_and_auto_picks_float32(monkeypatch):
    import warnings

    from explain.registry import create_explainer
    from globalnet import device
    from globalnet.backbones import create_backbone

    monkeypatch.setattr(device, "cpu_has_bf16", lambda: False)
    monkeypatch.setattr(device, "_WARNED", set())
    model = create_backbone("squeezenet1_1")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        create_explainer("fast-scorecam", model, precision="bfloat16", input_size=SIZE)
        create_explainer("fast-scorecam", model, precision="bfloat16", input_size=SIZE)
        auto = create_explainer("fast-scorecam", model, precision="auto", input_size=SIZE)
    msgs = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    assert len(msgs) == 1 and "no native bfloat16" in msgs[0] and "slower than float32" in msgs[0]
    assert auto.precision == "float32"
    monkeypatch.setattr(device, "cpu_has_bf16", lambda: True)
    assert create_explainer("fast-scorecam", model, precision="auto",
                            input_size=SIZE).precision == "bfloat16"


def test_zoo_models_benchmark_times_models_in_alternating_rounds(zoo_entry, trained_checkpoint,
                                                                 tmp_path, monkeypatch, capsys):
    """Two zoo entries measured in one run: accuracy, frames/s and the speed ratio to the first,
    written to the results and to the (here temporary) measured.json the cards read."""
    import json

    from benchmarks import zoo_models
    from globalnet import zoo

    twin = zoo.ZooModel(**{**zoo_entry.__dict__, "name": "test-twin"})
    monkeypatch.setitem(zoo.MODELS._entries, twin.name, twin)
    monkeypatch.setattr(zoo, "MEASURED_FILE", tmp_path / "measured.json")
    monkeypatch.setattr(zoo_models, "FPS_FRAMES", 8)
    monkeypatch.setattr(zoo_models, "FPS_BATCH", 4)
    assert zoo_models.main(["--models", zoo_entry.name, twin.name, "--test-images", "6",
                            "--rounds", "2", "--results", str(tmp_path / "r")]) == 0
    rows = json.loads((tmp_path / "measured.json").read_text())["models"]
    assert set(rows) >= {zoo_entry.name, twin.name}
    assert rows[zoo_entry.name]["speed_ratio"] == 1.0 and rows[twin.name]["speed_vs"] == zoo_entry.name
    assert rows[twin.name]["frames_per_s"] > 0 and rows[twin.name]["accuracy"] == rows[zoo_entry.name]["accuracy"]
    md = (tmp_path / "r" / "zoo_models.md").read_text()
    assert "speed_ratio" in md and "median of 2 alternating rounds" in md
    with pytest.raises(SystemExit, match="--rounds must be at least 1"):
        zoo_models.main(["--models", zoo_entry.name, "--rounds", "0"])


# --------------------------------------------------------------------------- shipped models
@pytest.mark.parametrize("name", shipped_models())
def test_shipped_model_is_verified_and_has_learned(name):
    """Every shipped file matches its registry sha256, stays within the size budget, and beats
    chance by far on held-out synthetic scenes (the figures in measured.json come from 1,000)."""
    from globalnet import zoo
    from globalnet.evaluate import evaluate

    entry = zoo.get_model(name)
    assert zoo.sha256_of(zoo.weights_path(name)) == entry.sha256
    assert sum(zoo.get_model(n).path.stat().st_size for n in zoo.list_models()) <= 40e6
    m = evaluate(name, "synthetic:48", device="cpu", seed=4242)
    assert m["accuracy"] >= 0.7, m["accuracy"]                # chance is 1/3
    assert "accuracy" in zoo.measured(name) and zoo.measured(name)["sha256"] == entry.sha256
