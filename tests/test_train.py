"""Training, resume, torchrun, evaluation and the train / evaluate CLI, at toy sizes.

resnet18 at 32x32 (no dropout, so a fixed batch overfits fast and runs are bit-reproducible),
a handful of synthetic images per epoch, ``num_workers=0`` unless the test is about workers.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from faults import message_lines
from globalnet import cli
from globalnet.backbones import create_backbone
from globalnet.config import TrainConfig, parse_overrides
from globalnet.errors import GlobalNetError
from globalnet.train import NonFiniteLoss, Trainer, train
from tests import realdata_standins as rs

TINY = dict(backbone="resnet18", weights=None, input_size=32, phase1_epochs=2,
            phase1_synthetic=8, phase2_epochs=1, phase1_real=8, phase2_real=8, val_size=6,
            batch_size=4, num_workers=0, progress=False, device="cpu", lr=0.01)


@pytest.fixture(autouse=True)
def _frame_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GLOBALNET_CACHE", str(tmp_path / "gn-cache"))


def tiny(tmp_path, name="run", **kw) -> TrainConfig:
    return TrainConfig(**{**TINY, "out": str(tmp_path / name), **kw})


def cli_err(capsys, argv) -> str:
    assert cli.main([str(a) for a in argv]) == 2
    lines = capsys.readouterr().err
    err = "\n".join(message_lines(lines))     # the INFO progress lines (run, data) left out
    assert err.startswith("globalnet: error:") and "\n" not in err and "Traceback" not in err, lines
    return err


# ----------------------------------------------------------------------------------- config
def test_config_toml_round_trip_and_overrides(tmp_path):
    cfg = tiny(tmp_path, max_steps=3)
    path = cfg.save(tmp_path / "c.toml")
    assert TrainConfig.load(path) == cfg                      # None (weights) survives too
    over = TrainConfig.load(path, parse_overrides(["lr=0.5", "data=gaf:/x", "input_size=none"]))
    assert (over.lr, over.data, over.input_size) == (0.5, "gaf:/x", None)
    with pytest.raises(GlobalNetError, match="unknown setting"):
        TrainConfig.load(path, {"learning_rate": 1})
    d = TrainConfig()                                          # the paper's recipe by default
    assert (d.phase1_synthetic, d.phase1_real, d.phase1_epochs, d.phase2_real, d.lr,
            d.momentum, d.rotation) == (10_000, 10_000, 10, 20_000, 0.001, 0.9, 10.0)


# --------------------------------------------------------------------------------- training
def test_training_steps_lower_loss_on_fixed_batch():
    from synthgroup import GenConfig, SyntheticGroupDataset

    from globalnet.backbones import get_backbone_spec
    from globalnet.data import train_transform
    from globalnet.mixing import MixtureDataset
    spec = get_backbone_spec("resnet18")
    mix = MixtureDataset(SyntheticGroupDataset(GenConfig(size=(96, 96)), length=8), 8, None, 0,
                         train_transform(32, spec.mean, spec.std), seed=0, epoch=0)
    x = torch.stack([mix[i][0] for i in range(8)])
    y = torch.tensor([mix[i][1] for i in range(8)])
    assert x.shape == (8, 3, 32, 32) and abs(float(x.mean())) < 3   # normalised, not [0, 255]
    torch.manual_seed(0)
    model = create_backbone("resnet18")
    tr = Trainer(model, torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9),
                 torch.device("cpu"))
    losses = [tr.step(x, y) for _ in range(6)]
    assert losses[-1] < 0.5 * losses[0], losses


def _parts(config, seed=0):
    """The pieces the train driver builds, built the same way here."""
    from globalnet.train import build_datasets, build_model, build_optimizer
    data = build_datasets(config)
    torch.manual_seed(seed)
    model = build_model(config, torch.device("cpu"))
    optimizer, scheduler = build_optimizer(model, config, data.plan)
    return data, Trainer(model, optimizer, torch.device("cpu"), scheduler=scheduler)


def test_train_one_epoch_lowers_the_loss_and_evaluate_counts_every_item(tmp_path):
    from globalnet.train import evaluate, train_one_epoch
    cfg = tiny(tmp_path, batch_size=8)          # one batch per epoch: a fixed batch
    data, trainer = _parts(cfg)
    assert data.plan == [(1, 8, 0), (1, 8, 0)] and len(data.val) == 6
    assert cfg.resolved() == tiny(tmp_path, batch_size=8, synth_size=96, warmup_input_size=32)
    results = [train_one_epoch(trainer, data.epoch(0), cfg, 0) for _ in range(6)]
    assert all(r.finished and r.steps == r.steps_total == 1 and len(r.losses) == 1
               for r in results)
    assert results[0].images_per_s > 0 and trainer.global_step == 6
    assert results[-1].mean_loss < 0.5 * results[0].mean_loss, [r.mean_loss for r in results]
    val = evaluate(trainer, data.val, cfg)
    assert val["total"] == 6 == np.array(val["confusion"]).sum()
    assert 0 <= val["accuracy"] <= 1 and np.isfinite(val["loss"])
    # max_steps stops inside an epoch; the rest of it follows from skip
    stop = tiny(tmp_path, batch_size=4, max_steps=1)
    data, trainer = _parts(stop)
    part = train_one_epoch(trainer, data.epoch(1), stop, 1)
    assert (part.finished, part.step_in_epoch, part.steps_total) == (False, 1, 2)
    rest = train_one_epoch(trainer, data.epoch(1), tiny(tmp_path, batch_size=4), 1, skip=1,
                           losses=part.losses)
    assert rest.finished and rest.steps == 1 and len(rest.losses) == 2 and trainer.global_step == 2


def test_save_then_restore_round_trips_position_optimizer_and_rng(tmp_path):
    import dataclasses

    from globalnet.train import (RunState, build_model, build_optimizer, read_train_checkpoint,
                                 restore, save, train_one_epoch)
    cfg = tiny(tmp_path, batch_size=4, max_steps=1)
    data, trainer = _parts(cfg)
    part = train_one_epoch(trainer, data.epoch(0), cfg, 0)
    state = RunState(epoch=0, step_in_epoch=part.step_in_epoch, phase=1, best=0.25,
                     last_loss=part.losses[-1], epoch_losses=list(part.losses))
    path = save(tmp_path / "ck.pt", trainer, cfg, state)
    rng = torch.get_rng_state()
    # the uninterrupted run takes the epoch's second step
    rest = dataclasses.replace(cfg, max_steps=None)
    full = train_one_epoch(trainer, data.epoch(0), rest, 0, skip=1, losses=list(part.losses))

    torch.manual_seed(123)                       # a different RNG state and fresh weights
    ckpt = read_train_checkpoint(path, cfg)
    model = build_model(cfg, torch.device("cpu"), state_dict=ckpt["model"])
    opt, sched = build_optimizer(model, cfg, data.plan)
    again = Trainer(model, opt, torch.device("cpu"), scheduler=sched)
    assert restore(again, ckpt, cfg) == state
    assert again.global_step == 1 and torch.equal(torch.get_rng_state(), rng)
    saved_opt = ckpt["optimizer"]["state"]
    assert len(saved_opt) == len(again.optimizer.state_dict()["state"]) > 0
    for k, v in again.optimizer.state_dict()["state"].items():
        assert torch.equal(v["momentum_buffer"], saved_opt[k]["momentum_buffer"]), k
    resumed = train_one_epoch(again, data.epoch(0), rest, 0, skip=1,
                              losses=list(state.epoch_losses))
    assert resumed.losses == full.losses and again.global_step == trainer.global_step == 2
    for (k, a), b in zip(trainer.model.state_dict().items(), again.model.state_dict().values()):
        assert torch.equal(a, b), k
    # a one-cycle run cannot continue a constant-schedule checkpoint; other files are refused
    with pytest.raises(GlobalNetError, match="ck.pt has no learning-rate schedule state"):
        read_train_checkpoint(path, tiny(tmp_path, optimizer="adamw", schedule="onecycle"))
    torch.save({"model": model.state_dict()}, tmp_path / "plain.pt")
    with pytest.raises(GlobalNetError, match="not a globalnet training checkpoint"):
        read_train_checkpoint(tmp_path / "plain.pt", cfg)


def test_run_folder_contents(tmp_path, capsys):
    cfg = tiny(tmp_path)
    run = train(cfg)
    out = (run / "train.log").read_text()       # logged before the run folder was written to
    assert "held-out synthetic" in out and "phase 2 skipped" in out
    # config reloads to the same (resolved) config
    again = TrainConfig.load(run / "config.toml")
    assert again.backbone == "resnet18" and again.input_size == 32 and again.weights is None
    assert again.synth_size == 96 and again.phase1_synthetic == 8
    rows = [json.loads(ln) for ln in (run / "metrics.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in rows] == [1, 2] and all(r["phase"] == 1 for r in rows)
    assert all(np.isfinite(r["train_loss"]) and r["val_total"] == 6 for r in rows)
    for name in ("best.pt", "last.pt"):
        model = create_backbone("resnet18", weights=run / name)   # loadable as weights
        assert model.num_classes == 3
        ck = torch.load(run / name, weights_only=True)
        assert {"config", "epoch", "phase", "global_step", "optimizer", "scaler", "rng",
                "best"} <= set(ck)
    last = torch.load(run / "last.pt", weights_only=True)
    assert last["epoch"] == 2 and last["step_in_epoch"] == 0 and last["global_step"] == 4
    conf = json.loads((run / "confusion.json").read_text())
    assert np.array(conf["matrix"]).sum() == 6 == conf["total"]
    rep = json.loads((run / "report.json").read_text())
    assert set(rep["per_class"]) == {"Positive", "Neutral", "Negative"}
    import matplotlib.image
    img = matplotlib.image.imread(run / "confusion.png")
    assert img.ndim == 3 and img.shape[0] > 100
    assert not list(run.glob("*.tmp"))
    with pytest.raises(GlobalNetError, match="already holds a run"):
        train(cfg)

    # evaluate CLI on the best checkpoint, held-out synthetic data
    ev = tmp_path / "ev"
    assert cli.main(["evaluate", "--checkpoint", str(run / "best.pt"), "--data", "synthetic:5",
                     "--out", str(ev)]) == 0
    printed = capsys.readouterr().out
    assert "accuracy" in printed and "Negative" in printed
    assert np.array(json.loads((ev / "confusion.json").read_text())["matrix"]).sum() == 5
    assert (ev / "confusion.png").stat().st_size > 0


def test_resume_reproduces_uninterrupted_run(tmp_path):
    # 2 steps per epoch; stop after 3 steps (inside epoch 2), resume, take step 4
    base = dict(phase1_synthetic=8, batch_size=4, phase1_epochs=2, deterministic=True)
    full = train(tiny(tmp_path, "full", max_steps=4, **base))
    part = train(tiny(tmp_path, "part", max_steps=3, **base))
    ck = torch.load(part / "last.pt", weights_only=True)
    assert (ck["epoch"], ck["step_in_epoch"], ck["global_step"]) == (1, 1, 3)
    assert cli.main(["train", "--resume", str(part), "--max-steps", "4"]) == 0
    a = torch.load(full / "last.pt", weights_only=True)
    b = torch.load(part / "last.pt", weights_only=True)
    assert a["global_step"] == b["global_step"] == 4
    assert a["last_loss"] == b["last_loss"]
    for k, v in a["model"].items():
        assert torch.equal(v, b["model"][k]), k
    rows = (part / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(r)["epoch"] for r in rows] == [1, 2]
    assert json.loads(rows[-1])["train_loss"] == json.loads(
        (full / "metrics.jsonl").read_text().splitlines()[-1])["train_loss"]


def test_warmup_adamw_onecycle_phases_and_exact_resume(tmp_path):
    """Phase 0 (single large faces, smaller input) runs before phase 1 under one AdamW one-cycle
    schedule; the schedule's state is in the checkpoint, so a resume inside the warm-up
    reproduces the uninterrupted run bit for bit."""
    base = dict(warmup_epochs=1, warmup_synthetic=8, warmup_input_size=24, phase1_synthetic=8,
                batch_size=4, phase1_epochs=1, optimizer="adamw", schedule="onecycle", lr=0.003,
                weight_decay=0.05, deterministic=True)
    full = train(tiny(tmp_path, "full", **base))
    rows = [json.loads(r) for r in (full / "metrics.jsonl").read_text().splitlines()]
    assert [(r["epoch"], r["phase"], r["steps"]) for r in rows] == [(1, 0, 2), (2, 1, 2)]
    assert "warm-up (phase 0): 1 epoch(s) of 8 single-face images at 24 px" in (full / "train.log").read_text()
    saved = TrainConfig.load(full / "config.toml")
    assert (saved.optimizer, saved.schedule, saved.warmup_input_size) == ("adamw", "onecycle", 24)
    ck = torch.load(full / "last.pt", weights_only=False)
    assert ck["scheduler"]["last_epoch"] == 4 and ck["scheduler"]["total_steps"] == 4
    part = train(tiny(tmp_path, "part", max_steps=1, **base))      # stops inside the warm-up
    assert cli.main(["train", "--resume", str(part), "--set", "max_steps=none"]) == 0
    a, b = torch.load(full / "last.pt", weights_only=False), torch.load(part / "last.pt", weights_only=False)
    assert a["global_step"] == b["global_step"] == 4
    for k, v in a["model"].items():
        assert torch.equal(v, b["model"][k]), k
    # the warm-up images really are single large faces at the warm-up canvas
    from globalnet.train import _warmup_gen_config
    g = _warmup_gen_config(saved)
    assert g.faces_per_image == (1, 1) and g.size == (96, 96) and g.face_size == (0.7, 0.95)


def test_warmup_and_optimizer_bad_values_are_one_message(tmp_path, capsys):
    with pytest.raises(GlobalNetError, match="optimizer must be sgd or adamw"):
        train(tiny(tmp_path, optimizer="adam"))
    with pytest.raises(GlobalNetError, match="schedule must be constant or onecycle"):
        train(tiny(tmp_path, schedule="cosine"))
    with pytest.raises(GlobalNetError, match="warmup_face_min..warmup_face_max"):
        train(tiny(tmp_path, warmup_epochs=1, warmup_face_min=0.9, warmup_face_max=0.5))
    with pytest.raises(GlobalNetError, match="smaller than squeezenet1_1's minimum"):
        train(tiny(tmp_path, backbone="squeezenet1_1", input_size=64, warmup_epochs=1,
                   warmup_input_size=8))
    assert not (tmp_path / "run").exists()
    err = cli_err(capsys, ["train", "--weights", "none", "--optimizer", "rmsprop", "--out", tmp_path / "x"])
    assert "rmsprop" in err
    # a constant-schedule run cannot be resumed as one-cycle (no schedule state to continue)
    run = train(tiny(tmp_path, "const", phase1_epochs=1, max_steps=1))
    err = cli_err(capsys, ["train", "--resume", run, "--schedule", "onecycle"])
    assert "schedule" in err and "last.pt" in err


def test_mixed_real_and_synthetic_reports_class_counts(tmp_path):
    rs.make_gaf(tmp_path / "gaf", {"Positive": 2, "Neutral": 3, "Negative": 1})
    (tmp_path / "gaf" / "train" / "Neutral" / "notes.txt").write_text("not an image")
    run = train(tiny(tmp_path, "gafrun", data=f"gaf:{tmp_path / 'gaf'}", phase1_epochs=1))
    out = (run / "train.log").read_text()
    assert "class counts Positive=2, Neutral=3, Negative=1" in out
    assert "notes.txt" in out                                  # ignored files are reported
    data = json.loads((run / "data.json").read_text())
    assert data["train"]["class_counts"] == [2, 3, 1] and data["val"]["items"] == 6
    assert [(p["phase"], p["synthetic"], p["real"]) for p in data["plan"]] == [(1, 8, 8), (2, 0, 8)]
    rows = [json.loads(ln) for ln in (run / "metrics.jsonl").read_text().splitlines()]
    assert [r["phase"] for r in rows] == [1, 2] and rows[0]["val_total"] == 6

    rs.make_vgaf(tmp_path / "vgaf", {"v0": (1, 6), "v1": (2, 5), "v2": (3, 4)},
                 {"w0": (1, 3), "w1": (2, 3), "w2": (3, 3)})
    run = train(tiny(tmp_path, "vgafrun", data=f"vgaf:{tmp_path / 'vgaf'}", phase1_epochs=1,
                     phase2_epochs=0, val_frames=5))
    assert "class counts Positive=6, Neutral=5, Negative=4" in (run / "train.log").read_text()
    assert json.loads((run / "data.json").read_text())["val"]["class_counts"] == [3, 3, 3]
    assert json.loads((run / "confusion.json").read_text())["total"] == 5


def test_distributed_sampler_splits_epoch_across_ranks(tmp_path):
    from globalnet.device import DistInfo
    from globalnet.mixing import MixtureDataset
    from globalnet.train import _epoch_loader

    class Syn:                                     # stands in for SyntheticGroupDataset
        length = 10

        def set_epoch(self, e):
            pass

        def __getitem__(self, i):
            return torch.tensor([float(i)]), i % 3

    cfg = tiny(tmp_path, batch_size=2)
    mix = MixtureDataset(Syn(), 10, None, 0, None, seed=0, epoch=3)
    seen = []
    for rank in (0, 1):
        loader = _epoch_loader(mix, cfg, 3, 0, DistInfo(rank, 2), torch.device("cpu"))
        seen.append([int(v) for x, _ in loader for v in x.ravel()])
    assert len(seen[0]) == len(seen[1]) == 5 and sorted(seen[0] + seen[1]) == list(range(10))
    rest = _epoch_loader(mix, cfg, 3, 1, DistInfo(0, 2), torch.device("cpu"))
    assert [int(v) for x, _ in rest for v in x.ravel()] == seen[0][2:]   # resume skips batches


def test_torchrun_two_processes_cpu(tmp_path):
    out = tmp_path / "ddp"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "GLOBALNET_CACHE": str(tmp_path / "c")}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
           "-m", "globalnet.cli", "train", "--backbone", "resnet18", "--weights", "none",
           "--input-size", "32", "--phase1-epochs", "1", "--phase1-synthetic", "8",
           "--val-size", "5", "--batch-size", "2", "--num-workers", "0", "--device", "cpu",
           "--no-progress", "--out", str(out)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=240, env=env,
                       cwd=Path(__file__).resolve().parents[1])
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stderr.count("x 2 ranks") == 1                  # rank 0's lines only
    assert "x 2 ranks" in (out / "train.log").read_text()
    rows = [json.loads(ln) for ln in (out / "metrics.jsonl").read_text().splitlines()]
    assert len(rows) == 1 and rows[0]["steps"] == 2 and rows[0]["val_total"] == 5
    assert torch.load(out / "last.pt", weights_only=True)["global_step"] == 2
    create_backbone("resnet18", weights=out / "best.pt")


# ------------------------------------------------------------------------------- bad input
def test_nan_loss_stops_cleanly_and_keeps_last_good_checkpoint(tmp_path, capsys):
    with pytest.raises(NonFiniteLoss, match=r"epoch 1, step 2 of the epoch.*none yet"):
        train(tiny(tmp_path, "nan", lr=1e10, phase1_epochs=3))
    run = train(tiny(tmp_path, phase1_epochs=1))
    good = torch.load(run / "last.pt", weights_only=True)
    capsys.readouterr()
    # continue for a second epoch at an absurd learning rate: NaN in epoch 2, last.pt untouched
    err = cli_err(capsys, ["train", "--resume", run, "--phase1-epochs", "2", "--lr", "1e10"])
    assert "loss became" in err and "epoch 2, step" in err and str(run / "last.pt") in err
    kept = torch.load(run / "last.pt", weights_only=True)
    assert kept["epoch"] == 1 and kept["global_step"] == good["global_step"]
    assert all(torch.equal(v, good["model"][k]) for k, v in kept["model"].items())
    assert "loss became" in (run / "train.log").read_text()


def test_too_small_input_is_rejected_before_training(tmp_path, capsys):
    with pytest.raises(GlobalNetError, match="smaller than squeezenet1_1's minimum"):
        train(tiny(tmp_path, backbone="squeezenet1_1", input_size=8))
    assert not (tmp_path / "run").exists()
    err = cli_err(capsys, ["train", "--backbone", "squeezenet1_1", "--input-size", "8",
                           "--out", tmp_path / "x"])
    assert "8x8" in err


def test_cli_bad_input_one_line_exit_2(tmp_path, capsys):
    base = ["train", "--weights", "none", "--backbone", "resnet18", "--input-size", "32",
            "--num-workers", "0", "--no-progress"]
    rs.make_vgaf(tmp_path / "bad", {"a": (1, 3), "b": (7, 3)})      # unknown label code 7
    err = cli_err(capsys, base + ["--data", f"vgaf:{tmp_path / 'bad'}", "--out", tmp_path / "o1"])
    assert "7" in err and "Train_labels" in err
    rs.make_vgaf(tmp_path / "miss", {"a": (1, 3)})
    rs.write_labels(tmp_path / "miss" / "Train_labels.txt", [("a", 1), ("ghost", 2)])
    err = cli_err(capsys, base + ["--data", f"vgaf:{tmp_path / 'miss'}", "--out", tmp_path / "o2"])
    assert "ghost" in err
    rs.make_gaf(tmp_path / "empty", {"Positive": 1, "Neutral": 1, "Negative": 0})
    err = cli_err(capsys, base + ["--data", f"gaf:{tmp_path / 'empty'}", "--out", tmp_path / "o3"])
    assert "Negative" in err
    rs.make_vgaf(tmp_path / "zero", {"a": (1, 3), "b": (2, 3), "c": (3, 3), "d": (3, 3)})
    (tmp_path / "zero" / "d.mp4").write_bytes(b"")                  # zero-length video
    err = cli_err(capsys, base + ["--data", f"vgaf:{tmp_path / 'zero'}", "--out", tmp_path / "o4"])
    assert "d.mp4" in err
    # with skip_bad the video is left out, and said so on stderr, in train.log and in data.json
    assert cli.main([str(a) for a in base + [
        "--data", f"vgaf:{tmp_path / 'zero'}", "--out", tmp_path / "o5", "--set", "skip_bad=true",
        "--phase1-real", "4", "--phase1-synthetic", "4", "--max-steps", "1", "--batch-size", "4",
        "--val-data", "synthetic", "--val-size", "4"]]) == 0
    out = capsys.readouterr().err
    assert "skipped 1 file(s)" in out and "d.mp4" in out
    assert "skipped 1 file(s)" in (tmp_path / "o5" / "train.log").read_text()
    assert "d.mp4" in json.dumps(json.loads((tmp_path / "o5" / "data.json").read_text()))
    cli_err(capsys, base + ["--set", "nonsense=1"])
    cli_err(capsys, ["evaluate", "--checkpoint", tmp_path / "none.pt", "--data", "synthetic:4"])
    cli_err(capsys, ["train", "--resume", tmp_path / "nowhere"])


def test_cli_subprocess_error_has_no_traceback(tmp_path):
    exe = Path(sys.executable).with_name("globalnet")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "globalnet.cli"]
    r = subprocess.run(cmd + ["train", "--backbone", "nosuchnet", "--out", str(tmp_path / "o")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0 and r.stderr.startswith("globalnet: error:")
    assert "nosuchnet" in r.stderr
