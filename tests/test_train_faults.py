"""`globalnet train` under faults: two trainings racing for one run folder, a run killed before
its first checkpoint, a full disk at checkpoint time, unusable weights."""
from __future__ import annotations

import json
import shutil
import signal
import subprocess

import pytest
import torch

from faults import BIN, on_tmpfs, one_message, patched, race
from globalnet import cli
from tests import realdata_standins as rs

ARGS = ["--backbone", "resnet18", "--weights", "none", "--input-size", "32", "--phase1-epochs", "1",
        "--phase1-synthetic", "8", "--val-size", "4", "--batch-size", "4", "--num-workers", "0",
        "--device", "cpu", "--no-progress"]


@pytest.fixture(autouse=True)
def _frame_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GLOBALNET_CACHE", str(tmp_path / "gn-cache"))


def _rows(run):
    path = run / "metrics.jsonl"
    return [json.loads(ln) for ln in path.read_text().splitlines()] if path.exists() else []


def test_two_trainings_never_share_a_run_folder(tmp_path):
    """F3: both used last.pt.tmp and interleaved metrics.jsonl / train.log. Both runs meet on a
    FIFO (it opens only when both ends do) once their checks are done, then race for the folder."""
    run = tmp_path / "run"
    results = race(tmp_path / "meet", "globalnet.cli", "globalnet.train._check_synth",
                   [["train", *ARGS, "--out", run]] * 2)
    assert sorted(rc for _, _, rc, _ in results) == [0, 2], results
    winner = next(pid for _, _, rc, pid in results if rc == 0)
    loser = next(err for _, err, rc, _ in results if rc == 2)
    assert "in use by another training" in loser and f"pid {winner}" in loser, loser
    assert [r["epoch"] for r in _rows(run)] == [1]
    assert not [p for p in run.iterdir() if ".tmp" in p.name]


def test_a_run_killed_before_its_first_checkpoint_restarts(tmp_path, capsys):
    """F4: '--resume R' said 'no last.pt there', the same command 'already holds a run'."""
    run = tmp_path / "run"
    patch = """
        import sys, threading
        from globalnet import train as T
        def stuck(self, *a, **k):
            print("READY", flush=True)          # the test kills us now
            threading.Event().wait()
        T.Trainer.run = stuck
    """
    p = subprocess.Popen(patched("globalnet.cli", patch, "train", *ARGS, "--out", run),
                         stdout=subprocess.PIPE, text=True)
    for line in p.stdout:
        if line.strip() == "READY":
            break
    p.send_signal(signal.SIGKILL)
    p.wait(timeout=60)
    assert (run / "config.toml").is_file() and not (run / "last.pt").exists()
    (run / "metrics.jsonl").write_text(json.dumps({"epoch": 1, "train_loss": "stale"}) + "\n")
    again = tmp_path / "again"
    shutil.copytree(run, again)
    assert cli.main(["train", *ARGS, "--out", str(run)]) == 0            # the same command
    assert cli.main(["train", "--resume", str(again)]) == 0              # or --resume
    for r in (run, again):
        rows = _rows(r)
        assert [x["epoch"] for x in rows] == [1] and rows[0]["train_loss"] != "stale"
        assert torch.load(r / "last.pt", weights_only=True)["epoch"] == 1
    assert "holds no checkpoint" in capsys.readouterr().err


def test_a_full_disk_at_checkpoint_time_is_one_message(tmp_path):
    """F5: 'RuntimeError ... unexpected pos' and a 67 MB last.pt.tmp left behind."""
    disk, kept = tmp_path / "disk", tmp_path / "kept"
    r = on_tmpfs(disk, "30m", [BIN / "globalnet", "train", *ARGS, "--out", disk / "run"], keep=kept)
    one_message(r, "globalnet", str(disk / "run" / "last.pt"), "disk is full", "free there")
    assert not [p.name for p in (kept / "run").iterdir() if ".tmp" in p.name or p.suffix == ".pt"]
    assert _rows(kept / "run") == []             # no metrics row without its checkpoint


def test_unusable_weights_leave_no_run_folder(tmp_path, capsys):
    from collections import Counter
    bad = tmp_path / "random.pt"
    torch.save({"model": Counter()}, bad)       # not loadable with weights_only=True
    run = tmp_path / "run"
    assert cli.main(["train", *ARGS, "--weights", str(bad), "--out", str(run)]) == 2
    err = capsys.readouterr().err
    assert "random.pt" in err and "Traceback" not in err
    assert not run.exists()


def test_unreadable_video_names_the_cli_spelling(tmp_path, capsys):
    rs.make_vgaf(tmp_path / "v", {"a": (1, 3), "b": (2, 3), "c": (3, 3), "d": (3, 3)})
    (tmp_path / "v" / "d.mp4").write_bytes(b"")
    assert cli.main(["train", *ARGS, "--data", f"vgaf:{tmp_path / 'v'}",
                     "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert "d.mp4" in err and "--set skip_bad=true" in err, err
    assert not (tmp_path / "run").exists()
