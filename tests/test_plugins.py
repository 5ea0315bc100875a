"""Third-party plugins: a distribution on sys.path that declares entry points for every registry
shows up in the command lines' listings and is usable by name, without being imported until used.
"""
from __future__ import annotations

import sys

import numpy as np
import pytest
import torch

PLUGIN_MODULES = {
    "plug_sources": '''
import numpy as np
from synthgroup.sources import BackgroundItem, BackgroundSource, FaceItem, FaceSource

class PlugFaces(FaceSource):
    name = "plugface"
    def catalog(self):
        return [FaceItem(f"{e}{i}", f"id{i}", e) for e in ("happiness", "neutral") for i in range(3)]
    def load_rgba(self, item, variant, height):
        return np.full((height, height * 3 // 4, 4), 200, np.uint8)

class PlugScenes(BackgroundSource):
    name = "plugscenes"
    def catalog(self):
        return [BackgroundItem(f"s{i}", "plug") for i in range(3)]
    def load_rgb(self, item, size):
        return np.full((size[0], size[1], 3), 90, np.uint8)
''',
    "plug_backbone": '''
from torch import nn
from globalnet.backbones import BackboneSpec

def build(spec, num_classes, imagenet_state, aux_logits, init):
    return nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(4, num_classes))

PLUGNET = BackboneSpec("plugnet", "plugnet", "ResNet18_Weights.IMAGENET1K_V1", head=("4",),
                       cam_target_layer="1", min_input_size=3, builder=build, notes="a plugin")
''',
    "plug_explain": '''
from explain.base import Explainer

class PlugExplainer(Explainer):
    name = "plugmap"
    description = "a plugin's maps"
''',
    "plug_reference": '''
from globalnet.reference.detect import FaceDetector
from globalnet.reference.pooling import FacePooling

class PlugDetector(FaceDetector):
    name = "plugdet"
    def _find(self, image):
        return [(0, 0, image.shape[1] // 2, image.shape[0] // 2)]

class PlugPooling(FacePooling):
    name = "plugpool"
    def _pool(self, probs, boxes, features):
        return probs.max(0).values
''',
    "plug_layout": '''
from globalnet.data import Layout

def open_frames(root, split, transform=None, frames_per_epoch=None, seed=0, **options):
    return [(str(root), split)]

PLUG_LAYOUT = Layout("pluglayout", "a plug.txt marker", lambda root: (root / "plug.txt").is_file(),
                     open_frames)
''',
}

#: entry-point group -> (name, module:attribute) of the fake distribution's one entry there
ENTRY_POINT_TABLE = {
    "synthgroup.face_sources": ("plugface", "plug_sources:PlugFaces"),
    "synthgroup.background_sources": ("plugscenes", "plug_sources:PlugScenes"),
    "globalnet.backbones": ("plugnet", "plug_backbone:PLUGNET"),
    "explain.explainers": ("plugmap", "plug_explain:PlugExplainer"),
    "globalnet.reference.detectors": ("plugdet", "plug_reference:PlugDetector"),
    "globalnet.reference.poolings": ("plugpool", "plug_reference:PlugPooling"),
    "globalnet.layouts": ("pluglayout", "plug_layout:PLUG_LAYOUT"),
}
ENTRY_POINTS = "".join(f"[{group}]\n{name} = {target}\n"
                       for group, (name, target) in ENTRY_POINT_TABLE.items())


@pytest.fixture
def plugins(tmp_path, monkeypatch):
    """A fake installed distribution (dist-info with entry points) and its modules on sys.path;
    the registries forget it once sys.path is restored."""
    dist = tmp_path / "groupmood_extras-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: groupmood-extras\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(ENTRY_POINTS)
    for name, code in PLUGIN_MODULES.items():
        (tmp_path / f"{name}.py").write_text(code)
        monkeypatch.delitem(sys.modules, name, raising=False)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in PLUGIN_MODULES:
        sys.modules.pop(name, None)


def test_plugin_sources_are_listed_and_usable(plugins, capsys):
    from synthgroup.cli import main
    from synthgroup.sources import create_background_source, create_face_source

    assert main(["sources"]) == 0
    faces, backgrounds = capsys.readouterr().out.splitlines()
    assert "plugface" in faces and "kdef" in faces and "plugscenes" in backgrounds
    assert "plug_sources" not in sys.modules                # listed without importing it
    _, src = create_face_source("2*plugface")
    sprite = src.sprite(src.pick(np.random.default_rng(0), "happiness"), 44)   # a cached height
    assert sprite.shape == (44, 33, 4) and sprite.dtype == np.uint8
    _, bg = create_background_source("plugscenes")
    assert bg.image(bg.pick(np.random.default_rng(0)), (20, 30)).shape == (20, 30, 3)


def test_plugin_backbone_is_listed_and_builds(plugins, capsys):
    from globalnet.backbones import create_backbone, forward_logits
    from globalnet.cmd_backbones import main

    assert main([]) == 0
    out = capsys.readouterr().out
    assert "plugnet" in out and "resnet18" in out
    model = create_backbone("plugnet", num_classes=3)
    assert forward_logits(model, torch.randn(2, 3, 8, 8)).shape == (2, 3)


def test_plugin_explainer_is_listed(plugins, capsys):
    from explain.cli import main
    from explain.registry import get_explainer_class

    assert main(["list"]) == 0
    rows = dict(line.split(None, 1) for line in capsys.readouterr().out.splitlines())
    assert rows["plugmap"] == "a plugin's maps" and "gradcam" in rows
    assert get_explainer_class("PlugMap").description == "a plugin's maps"


def test_plugin_detector_and_pooling_are_command_line_choices(plugins):
    from globalnet.cli import build_parser
    from globalnet.reference.detect import create_detector
    from globalnet.reference.pooling import create_pooling

    args = build_parser("reference").parse_args(
        ["reference", "predict", "--checkpoint", "f.pt", "--detector", "plugdet",
         "--pooling", "plugpool", "x.jpg"])
    assert (args.detector, args.pooling) == ("plugdet", "plugpool")
    boxes = create_detector("plugdet").detect(np.zeros((40, 60, 3), np.uint8))
    assert [b.as_list() for b in boxes] == [[0, 0, 30, 20]]
    probs = torch.tensor([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]])
    assert create_pooling("plugpool").pool(probs).tolist() == pytest.approx([0.6, 0.5, 0.3])


def test_plugin_layout_is_detected_and_opened(plugins, tmp_path):
    import globalnet.data as gd
    from globalnet.errors import GlobalNetError

    root = tmp_path / "mine"
    root.mkdir()
    with pytest.raises(GlobalNetError, match="pluglayout: a plug.txt marker"):
        gd.detect_layout(root)
    (root / "plug.txt").touch()
    assert gd.detect_layout(root) == "pluglayout"
    assert gd.open_real_dataset(root, "val") == [(str(root), "val")]
    assert gd.open_real_dataset(f"pluglayout:{root}") == [(str(root), "train")]
    with pytest.raises(GlobalNetError, match="pluglayout:DIR"):
        gd.parse_spec(f"nope:{root}")
    with pytest.raises(GlobalNetError, match="no videos"):
        gd.list_videos(f"pluglayout:{root}")


def test_plugins_leave_with_their_distribution(plugins, monkeypatch):
    from globalnet.backbones import list_backbones

    assert "plugnet" in list_backbones()
    monkeypatch.undo()
    assert "plugnet" not in list_backbones()
