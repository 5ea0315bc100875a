"""Backbone registry: every entry builds, runs, trains, honours its minimum input and CAM layer;
weights load from checkpoints and from a (fake, offline) torch hub cache."""
import math
import urllib.error

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from globalnet import GlobalNetError
from globalnet.backbones import (
    check_input_size, classification_loss, count_parameters, create_backbone,
    describe_backbones, forward_logits, get_backbone_spec, list_backbones, resolve_layer,
    save_checkpoint, split_outputs,
)
from globalnet.backbones import _torchvision_kwargs

torch.set_num_threads(2)

PAPER_NAMES = ["wide_resnet50_2", "resnet34", "mobilenet_v2", "densenet121", "resnext50_32x4d",
               "inception_v3", "resnet50", "googlenet", "vgg11", "resnet18", "vgg16",
               "squeezenet1_1", "vgg19"]
SMALL = 64


def _first_conv(model):
    return next(m for m in model.modules() if isinstance(m, nn.Conv2d))


# One model per registry entry, shared by the per-entry tests (pytest groups tests by this
# module-scoped parameter, so each network is built once and freed before the next).
@pytest.fixture(scope="module", params=list_backbones())
def built(request):
    torch.manual_seed(0)
    name = request.param
    model = create_backbone(name)
    yield name, model, get_backbone_spec(name)
    del model


def test_registry_names():
    assert list_backbones() == PAPER_NAMES + ["vgg19_mod", "resnet18_slim"]


def test_forward_small_input(built):
    name, model, spec = built
    size = max(SMALL, spec.min_input_size)
    model.eval()
    with torch.no_grad():
        logits = forward_logits(model, torch.randn(2, 3, size, size))
    assert logits.shape == (2, 3)
    assert torch.isfinite(logits).all()
    assert getattr(model, "backbone_name") == name


def test_backward_train_mode(built):
    name, model, spec = built
    size = max(SMALL, spec.min_size(train=True))
    model.train()
    model.zero_grad(set_to_none=True)
    if spec.zero_head:   # zeroed heads pass no gradient to the trunk until their first update
        with torch.no_grad():
            for path in spec.head:
                resolve_layer(model, path).weight.normal_(0, 0.01)
    targets = torch.tensor([0, 2])
    outputs = model(torch.randn(2, 3, size, size))
    logits, aux = split_outputs(outputs)
    assert logits.shape == (2, 3)
    if spec.aux_logits:   # inception/googlenet: namedtuple with 3-way aux logits
        assert len(aux) == len(spec.head) - 1 and all(a.shape == (2, 3) for a in aux)
        expected = nn.functional.cross_entropy(logits, targets) + sum(
            0.4 * nn.functional.cross_entropy(a, targets) for a in aux)
    else:
        assert aux == ()
        expected = nn.functional.cross_entropy(logits, targets)
    loss = classification_loss(outputs, targets)
    assert torch.allclose(loss, expected)
    loss.backward()
    for path in spec.head:   # every head (main and aux) is 3-way and gets gradient
        head = resolve_layer(model, path)
        assert head.weight.shape[0] == 3
        assert torch.isfinite(head.weight.grad).all() and head.weight.grad.abs().sum() > 0
    conv = _first_conv(model)
    assert torch.isfinite(conv.weight.grad).all() and conv.weight.grad.abs().sum() > 0
    model.zero_grad(set_to_none=True)


def test_min_input_size_honoured(built):
    name, model, spec = built
    model.eval()
    m = spec.min_input_size
    with torch.no_grad():
        assert forward_logits(model, torch.randn(2, 3, m, m)).shape == (2, 3)
        if m > 1:   # the recorded minimum is tight: one pixel less really fails
            with pytest.raises((RuntimeError, ValueError)):
                forward_logits(model, torch.randn(2, 3, m - 1, m - 1))
    check_input_size(name, m)
    check_input_size(name, (m, m + 10))
    with pytest.raises(GlobalNetError, match=f"input {m - 1}x{m - 1} is smaller than {name}'s "
                                             f"minimum {m}x{m}"):
        check_input_size(name, m - 1)
    with pytest.raises(GlobalNetError):
        check_input_size(name, torch.Size([2, 3, m + 5, m - 1]))


def test_cam_target_layer_gives_4d_activation(built):
    name, model, spec = built
    layer = resolve_layer(model, spec.cam_target_layer)
    seen = []
    handle = layer.register_forward_hook(lambda mod, inp, out: seen.append(out))
    try:
        size = max(SMALL, spec.min_input_size)
        model.eval()
        with torch.no_grad():
            forward_logits(model, torch.randn(2, 3, size, size))
    finally:
        handle.remove()
    assert len(seen) == 1 and isinstance(seen[0], torch.Tensor)
    assert seen[0].dim() == 4 and seen[0].shape[0] == 2


def test_spec_facts_and_description(built):
    name, model, spec = built
    assert len(spec.mean) == 3 and len(spec.std) == 3
    assert spec.input_size >= spec.min_size(train=True) >= spec.min_input_size >= 1
    if spec.weights_enum is not None:   # resnet18_slim exists only here
        assert spec.weights_enum.split(".")[0].endswith("_Weights")
        assert spec.weights_cache_path.name == spec.weights_url.rsplit("/", 1)[-1]
        from torchvision.models import get_weight      # measured minimum agrees with torchvision
        assert tuple(get_weight(spec.weights_enum).meta["min_size"]) == (spec.min_input_size,) * 2
    row = describe_backbones([name])[0]
    assert row["parameters"] == count_parameters(model)
    assert (row["min_input"], row["input_size"], row["target_layer"]) == (
        spec.min_input_size, spec.input_size, spec.cam_target_layer)


def test_resnet18_slim_is_resnet18_at_three_eighths_width():
    slim, full = create_backbone("resnet18_slim"), create_backbone("resnet18")
    assert [k for k in slim.state_dict()] == [k for k in full.state_dict()]   # same names
    widths = [resolve_layer(slim, f"layer{i}")[-1].conv2.out_channels for i in range(1, 5)]
    assert widths == [24, 48, 96, 192] and slim.fc.in_features == 192
    assert 1.5e6 < count_parameters(slim) < 1.7e6 < count_parameters(full) / 6
    with pytest.raises(GlobalNetError, match="resnet18_slim has no ImageNet weights"):
        create_backbone("resnet18_slim", weights="imagenet")


# ---------------------------------------------------------------------------------- errors
def test_unknown_name_lists_choices():
    with pytest.raises(GlobalNetError) as e:
        create_backbone("resnet1000")
    msg = str(e.value)
    assert "'resnet1000'" in msg and all(n in msg for n in list_backbones())
    with pytest.raises(GlobalNetError, match="resnet1000"):
        check_input_size("resnet1000", 224)


def test_resolve_layer_error_names_path():
    model = create_backbone("squeezenet1_1")
    assert resolve_layer(model, "features.-1") is model.features[12]
    with pytest.raises(GlobalNetError, match="features.99"):
        resolve_layer(model, "features.99")


def test_inception_minimum_message_and_aux_off():
    spec = get_backbone_spec("inception_v3")
    with pytest.raises(GlobalNetError, match=r"input 64x64 is smaller than inception_v3's minimum "
                                             rf"{spec.min_input_size}x{spec.min_input_size}"):
        check_input_size("inception_v3", 64)
    t = spec.min_size(train=True)
    with pytest.raises(GlobalNetError, match=f"minimum {t}x{t} in train mode"):
        check_input_size("inception_v3", spec.min_input_size, train=True)
    check_input_size("inception_v3", spec.min_input_size, train=True, aux_logits=False)
    model = create_backbone("inception_v3", aux_logits=False).train()
    assert model.AuxLogits is None
    m = spec.min_input_size
    out = model(torch.randn(2, 3, m, m))
    assert isinstance(split_outputs(out)[0], torch.Tensor) and split_outputs(out)[1] == ()


# ----------------------------------------------------------------------------- checkpoints
def test_checkpoint_round_trip(tmp_path):
    torch.manual_seed(1)
    model = create_backbone("squeezenet1_1")
    path = save_checkpoint(tmp_path / "ck.pt", model, epoch=3)
    loaded = create_backbone("squeezenet1_1", weights=path)
    for k, v in model.state_dict().items():
        assert torch.equal(v, loaded.state_dict()[k]), k
    # a raw state_dict (with a DataParallel prefix) loads too
    torch.save({f"module.{k}": v for k, v in model.state_dict().items()}, tmp_path / "raw.pt")
    raw = create_backbone("squeezenet1_1", weights=str(tmp_path / "raw.pt"))
    assert torch.equal(raw.classifier[1].weight, model.classifier[1].weight)


def test_checkpoint_without_aux_heads(tmp_path):
    model = create_backbone("googlenet", aux_logits=False)
    path = save_checkpoint(tmp_path / "g.pt", model)
    loaded = create_backbone("googlenet", weights=path)     # default asks for aux heads
    assert loaded.aux1 is None and loaded.aux2 is None
    assert torch.equal(loaded.fc.weight, model.fc.weight)


def test_mismatched_checkpoint_errors(tmp_path):
    model = create_backbone("squeezenet1_1")
    path = save_checkpoint(tmp_path / "sq.pt", model)
    with pytest.raises(GlobalNetError, match="is for backbone 'squeezenet1_1', not 'resnet18'"):
        create_backbone("resnet18", weights=path)
    five = create_backbone("squeezenet1_1", num_classes=5)
    path5 = save_checkpoint(tmp_path / "sq5.pt", five)
    with pytest.raises(GlobalNetError, match="5-class head but num_classes=3"):
        create_backbone("squeezenet1_1", weights=path5)
    assert create_backbone("squeezenet1_1", weights=path5, num_classes=5).classifier[1].out_channels == 5
    torch.save(model.state_dict(), tmp_path / "raw.pt")      # raw state_dict of another network
    with pytest.raises(GlobalNetError, match="raw.pt.*do not fit resnet18"):
        create_backbone("resnet18", weights=tmp_path / "raw.pt")
    with pytest.raises(GlobalNetError, match="nothere.pt"):
        create_backbone("resnet18", weights=tmp_path / "nothere.pt")
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(GlobalNetError, match="cannot read checkpoint .*junk.pt"):
        create_backbone("resnet18", weights=tmp_path / "junk.pt")


# ------------------------------------------------------------------ ImageNet, offline cache
@pytest.fixture
def offline_hub(tmp_path, monkeypatch):
    """A private, empty torch hub cache under a tmp TORCH_HOME; any download raises URLError."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setattr(torch.hub, "_hub_dir", None)      # honour TORCH_HOME even if set_dir was used
    calls = []

    def no_network(url, dst, *args, **kwargs):
        calls.append(url)
        raise urllib.error.URLError("network unreachable (test)")

    monkeypatch.setattr(torch.hub, "download_url_to_file", no_network)
    assert torch.hub.get_dir() == str(tmp_path / "torch" / "hub")
    return calls


def _fake_imagenet_cache(name):
    """Save a random ImageNet-headed torchvision model where torchvision looks for the weights."""
    from torchvision.models import get_model

    spec = get_backbone_spec(name)
    kwargs = _torchvision_kwargs(spec, 1000, aux_logits=True, init=False)   # as torchvision builds it
    state = get_model(spec.torchvision_name, weights=None, **kwargs).state_dict()
    path = spec.weights_cache_path
    assert path.name == spec.weights_url.rsplit("/", 1)[-1]
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(state, path)
    return state


@pytest.mark.parametrize("name", ["squeezenet1_1", "googlenet", "inception_v3", "vgg19_mod"])
def test_imagenet_weights_from_hub_cache(name, offline_hub):
    spec = get_backbone_spec(name)
    state = _fake_imagenet_cache(name)
    model = create_backbone(name, weights="imagenet")
    assert offline_hub == []                                # read from the cache, no download
    conv_key = next(k for k, v in state.items() if v.dim() == 4)
    assert torch.equal(model.state_dict()[conv_key], state[conv_key])
    for path in spec.head:                                  # main and aux heads are 3-way
        assert resolve_layer(model, path).weight.shape[0] == 3
    if name == "vgg19_mod":                                 # VGG19's fc6/fc7 are reused
        assert torch.equal(model.classifier[0].weight, state["classifier.0.weight"])
        assert torch.equal(model.classifier[3].weight, state["classifier.3.weight"])
    if name == "googlenet":
        assert torch.equal(model.aux1.fc1.weight, state["aux1.fc1.weight"])
        assert create_backbone(name, weights="imagenet", aux_logits=False).aux1 is None
    model.eval()
    size = max(SMALL, spec.min_input_size)
    with torch.no_grad():
        assert forward_logits(model, torch.randn(2, 3, size, size)).shape == (2, 3)


def test_imagenet_weights_missing_offline_error(offline_hub):
    spec = get_backbone_spec("resnet18")
    with pytest.raises(GlobalNetError) as e:
        create_backbone("resnet18", weights="imagenet")
    msg = str(e.value)
    assert offline_hub == [spec.weights_url]                # tried torchvision's download once
    for part in ("resnet18", "ResNet18_Weights.IMAGENET1K_V1", str(spec.weights_cache_path),
                 spec.weights_url, "TORCH_HOME", "URLError"):
        assert part in msg, part


def test_imagenet_corrupt_cache_error(offline_hub):
    spec = get_backbone_spec("resnet18")
    spec.weights_cache_path.parent.mkdir(parents=True)
    spec.weights_cache_path.write_bytes(b"truncated")
    with pytest.raises(GlobalNetError, match="unreadable"):
        create_backbone("resnet18", weights="imagenet")


def test_weights_argument_errors(offline_hub):
    with pytest.raises(GlobalNetError, match="do not fit resnet18"):
        create_backbone("resnet18", weights="VGG19_Weights.IMAGENET1K_V1")
    with pytest.raises(GlobalNetError, match="num_classes"):
        create_backbone("resnet18", num_classes=0)


def test_register_custom_backbone(monkeypatch):
    import dataclasses

    from globalnet import backbones

    monkeypatch.setattr(backbones, "BACKBONES", backbones.BACKBONES.copy())

    def tiny(spec, num_classes, imagenet_state, aux_logits, init):
        return nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                             nn.Linear(4, num_classes))

    base = get_backbone_spec("resnet18")
    backbones.register_backbone(dataclasses.replace(
        base, name="tiny", head=("4",), cam_target_layer="1", min_input_size=3, builder=tiny))
    with pytest.raises(GlobalNetError, match="already registered"):
        backbones.register_backbone(get_backbone_spec("tiny"))
    assert "tiny" in list_backbones()
    model = create_backbone("tiny", num_classes=4)
    assert forward_logits(model, torch.randn(2, 3, 3, 3)).shape == (2, 4)
    assert describe_backbones(["tiny"], num_classes=4)[0]["parameters"] == count_parameters(model)


def test_cli_backbones_table(capsys):
    from globalnet.cmd_backbones import main

    assert main(["resnet18", "inception_v3"]) == 0
    out = capsys.readouterr().out
    assert "resnet18" in out and "Mixed_7c" in out and "layer4" in out
    assert main(["nope"]) == 2
    assert "unknown backbone 'nope'" in capsys.readouterr().err


def test_inception_from_scratch_starts_from_uniform_predictions():
    """zero_head: torchvision's TF-style init gives Inception V3 logits of std ~5 (loss ~5); the
    registry zeroes its heads on random init, so the first loss is ln 3. Other backbones keep
    torchvision's init, and a checkpoint's head is loaded as saved."""
    torch.manual_seed(0)
    m = create_backbone("inception_v3", weights=None, num_classes=3, aux_logits=True).train()
    assert float(m.fc.weight.abs().max()) == 0 and float(m.AuxLogits.fc.weight.abs().max()) == 0
    out = forward_logits(m, torch.randn(2, 3, 299, 299))
    assert torch.allclose(F.cross_entropy(out, torch.tensor([0, 2])), torch.tensor(math.log(3)))
    r = create_backbone("resnet18", weights=None, num_classes=3)
    assert float(r.fc.weight.abs().max()) > 0
