"""BatchNorm training folded into the convolutions: a plain VGG out, the same function in eval."""
import json

import pytest
import torch
from torch import nn

from globalnet.backbones import create_backbone, save_checkpoint
from globalnet.batchnorm_fold import (ConvBN, add_batchnorm, batchnorm_state, folded_copy,
                                      load_batchnorm_state)
from globalnet.errors import GlobalNetError


def _trained_like(model, steps=3, size=32):
    """Move BatchNorm away from its identity start: random affine, running stats from batches."""
    torch.manual_seed(0)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            with torch.no_grad():
                m.weight.uniform_(0.5, 2.0)
                m.bias.uniform_(-0.5, 0.5)
            m.momentum = 0.5
    model.train()
    with torch.no_grad():
        for _ in range(steps):
            model(torch.randn(4, 3, size, size) * 2 + 0.3)
    return model.eval()


def test_folded_vgg_is_the_plain_architecture_with_the_same_outputs(tmp_path):
    model = add_batchnorm(create_backbone("vgg11"))
    convs = [m for m in model.modules() if isinstance(m, ConvBN)]
    assert len(convs) == 8                      # VGG11 has 8 convolutions, each with its BN
    _trained_like(model)
    plain = folded_copy(model).eval()
    assert not any(isinstance(m, (nn.BatchNorm2d, ConvBN)) for m in plain.modules())
    assert set(plain.state_dict()) == set(create_backbone("vgg11").state_dict())
    x = torch.randn(3, 3, 32, 32)
    with torch.no_grad():
        a, b = model(x), plain(x)
    assert a.abs().max() > 1e-3                  # not a trivially zero network
    torch.testing.assert_close(b, a, rtol=1e-4, atol=1e-4)
    # and it is a checkpoint every tool reads as a plain vgg11
    path = save_checkpoint(tmp_path / "v.pt", plain, "vgg11")
    again = create_backbone("vgg11", weights=path).eval()
    with torch.no_grad():
        torch.testing.assert_close(again(x), a, rtol=1e-4, atol=1e-4)
    # the unfolded model is untouched by folding (training goes on)
    assert isinstance(model.features[0], ConvBN)


def test_fold_matches_a_conv_followed_by_batchnorm_exactly_by_formula():
    torch.manual_seed(1)
    conv = nn.Conv2d(3, 5, 3, padding=1, bias=False)
    cb = ConvBN(conv)
    assert torch.equal(cb.weight, conv.weight)
    with torch.no_grad():
        cb.bn.running_mean.uniform_(-1, 1)
        cb.bn.running_var.uniform_(0.5, 3)
        cb.bn.weight.uniform_(0.5, 2)
        cb.bn.bias.uniform_(-1, 1)
    cb.eval()
    ref = nn.Sequential(conv, cb.bn).eval()
    x = torch.randn(2, 3, 8, 8)
    with torch.no_grad():
        torch.testing.assert_close(cb.folded()(x), ref(x), rtol=1e-5, atol=1e-5)
        torch.testing.assert_close(cb(x), ref(x))
    assert cb.folded().bias is not None       # a bias-free conv gains the folded shift


def test_batchnorm_state_round_trip_continues_the_same_network():
    model = _trained_like(add_batchnorm(create_backbone("vgg11")))
    kept = batchnorm_state(model)
    assert any(k.endswith("bn.running_var") for k in kept)
    other = add_batchnorm(create_backbone("vgg11", weights=None))
    other.load_state_dict(folded_copy(model).state_dict(), strict=False)   # plain part: the folded file
    load_batchnorm_state(other, kept)
    other.classifier.load_state_dict(model.classifier.state_dict())
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        torch.testing.assert_close(other.eval()(x), model(x))
    with pytest.raises(GlobalNetError, match="does not fit this model"):
        load_batchnorm_state(add_batchnorm(create_backbone("vgg16")), kept, "x.pt")


def test_networks_that_already_normalise_are_refused():
    with pytest.raises(GlobalNetError, match="resnet18 already has BatchNorm"):
        add_batchnorm(create_backbone("resnet18"))
    model = add_batchnorm(create_backbone("vgg11"))
    with pytest.raises(GlobalNetError, match="already has BatchNorm"):
        add_batchnorm(model)


def test_synthetic_validation_trains_with_batchnorm_and_saves_plain_then_continues(tmp_path):
    from benchmarks.synthetic_validation import main
    from globalnet.checkpoints import read_checkpoint

    common = ["--profile", "quick", "--results", str(tmp_path), "--backbones", "vgg11",
              "--task", "b", "--quiet", "--images", "16", "--size", "32", "--amp", "off",
              "--batchnorm-fold"]
    assert main(common + ["--save", str(tmp_path / "s1")]) == 0
    ck = tmp_path / "s1" / "b-vgg11-32.pt"
    saved = read_checkpoint(ck)
    assert not any(".bn." in k for k in saved["model"])         # the file holds a plain vgg11
    assert any(k.endswith(".bn.running_mean") for k in saved["batchnorm_training"])
    assert saved["recipe"]["batchnorm_fold"] is True
    plain = create_backbone("vgg11", weights=ck)                 # loads without BatchNorm
    assert not any(isinstance(m, nn.BatchNorm2d) for m in plain.modules())
    assert main(common + ["--init", str(ck), "--seed", "1", "--save", str(tmp_path / "s2")]) == 0
    rows = [json.loads(l) for l in (tmp_path / "synthetic_validation_quick.jsonl").read_text().splitlines()]
    assert [r["batchnorm_fold"] for r in rows] == [True, True]
    assert rows[1]["init"]["checkpoint"] == str(ck)


# ------------------------------------------------------------------- in globalnet train
@pytest.fixture
def plainnet(monkeypatch):
    """A small plain (BatchNorm-free) network registered as backbone ``plainnet``."""
    import dataclasses

    from globalnet import backbones

    monkeypatch.setattr(backbones, "BACKBONES", backbones.BACKBONES.copy())

    def build(spec, num_classes, imagenet_state, aux_logits, init):
        return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                             nn.Flatten(), nn.Linear(16, num_classes))

    backbones.register_backbone(dataclasses.replace(
        backbones.get_backbone_spec("vgg11"), name="plainnet", head=("7",), cam_target_layer="4",
        min_input_size=4, builder=build))
    return "plainnet"


def test_train_with_batchnorm_fold_saves_the_plain_net_and_resumes_exactly(tmp_path, plainnet):
    from test_train import tiny

    from globalnet import cli
    from globalnet.batchnorm_fold import train_with_batchnorm
    from globalnet.train import train

    base = dict(backbone=plainnet, batchnorm_fold=True, phase1_synthetic=8, batch_size=4,
                phase1_epochs=2, phase2_epochs=0, deterministic=True, optimizer="adamw", lr=0.01)
    full = train(tiny(tmp_path, "full", max_steps=4, **base))
    part = train(tiny(tmp_path, "part", max_steps=3, **base))
    assert cli.main(["train", "--resume", str(part), "--max-steps", "4"]) == 0
    a = torch.load(full / "last.pt", weights_only=False)
    b = torch.load(part / "last.pt", weights_only=False)
    assert a["global_step"] == b["global_step"] == 4
    for key in ("model", "batchnorm_training"):       # the resumed run is the same run
        assert set(a[key]) == set(b[key]) and all(torch.equal(v, b[key][k]) for k, v in a[key].items())
    # the checkpoint is the plain network, the same function as the BatchNorm one in eval mode
    plain = create_backbone(plainnet, weights=str(full / "last.pt")).eval()
    assert not any(isinstance(m, nn.BatchNorm2d) for m in plain.modules())
    with_bn = train_with_batchnorm(create_backbone(plainnet, weights=str(full / "last.pt")),
                                   a["batchnorm_training"]).eval()
    moved = [v for k, v in a["batchnorm_training"].items() if k.endswith("bn.running_mean")]
    assert moved and all(v.abs().sum() > 0 for v in moved)        # it did train its BatchNorm
    x = torch.randn(5, 3, 32, 32)
    with torch.no_grad():
        assert torch.allclose(plain(x), with_bn(x), atol=1e-5)
    # a later stage started from that checkpoint (--weights) continues with its BatchNorm
    from globalnet.batchnorm_fold import batchnorm_state
    from globalnet.train import build_model
    again = build_model(tiny(tmp_path, "next", weights=str(full / "last.pt"), **base), torch.device("cpu"))
    assert all(torch.equal(v, a["batchnorm_training"][k]) for k, v in batchnorm_state(again).items())


def test_train_batchnorm_fold_refuses_a_network_with_batchnorm(tmp_path):
    from test_train import tiny

    from globalnet.train import train

    with pytest.raises(GlobalNetError, match="batchnorm_fold is for plain networks .* resnet18 "
                                             "already has BatchNorm"):
        train(tiny(tmp_path, backbone="resnet18", batchnorm_fold=True))
    assert not (tmp_path / "run").exists()
