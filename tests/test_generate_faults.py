"""`synthgroup generate` under faults: full and read-only disks, two runs racing for one folder,
dead workers, wrong types and impossible values. Each ends in success, or in one message with
exit code 2 and nothing half-written."""
from __future__ import annotations

import json
from pathlib import Path

import cv2
import pytest

from conftest import run_cli
from faults import BIN, on_tmpfs, one_message, patched, race, run
from synthgroup import GenConfig
from synthgroup.errors import ConfigError

SYNTH = str(BIN / "synthgroup")
SMALL = ["--size", "96", "--quiet"]


def _jpegs_whole(folder: Path) -> None:
    for p in (folder / "images").glob("*.jpg"):
        data = p.read_bytes()
        assert data.endswith(b"\xff\xd9") and cv2.imread(str(p)) is not None, p
    assert not list(folder.rglob(".*.tmp-*"))


# ------------------------------------------------------------------------------ full disks
@pytest.mark.parametrize("workers", ["1", "2"])
def test_full_cache_disk_falls_back_to_memory(tmp_path, workers):
    """F1: a 2 MB cache disk killed the worker with SIGBUS (1 worker) or hung the run (2)."""
    cache, out = tmp_path / "cache", tmp_path / "out"
    r = on_tmpfs(cache, "2m", ["env", f"SYNTHGROUP_CACHE={cache}", SYNTH, "generate", "--n", "60",
                               "--workers", workers, "--out", out, "--quiet"], timeout=240)
    assert r.returncode == 0, (r.returncode, r.stderr[-3000:])
    assert json.loads((out / "manifest.json").read_text())["status"] == "complete"


@pytest.mark.parametrize("workers", ["1", "2"])
def test_full_output_disk_is_one_message_and_no_truncated_file(tmp_path, workers):
    disk, kept = tmp_path / "disk", tmp_path / "kept"
    r = on_tmpfs(disk, "400k", [SYNTH, "generate", "--n", "300", "--workers", workers,
                                "--out", disk / "ds", *SMALL], keep=kept)
    one_message(r, "synthgroup", str(disk / "ds"), "disk is full", "free there")
    _jpegs_whole(kept / "ds")


def test_read_only_output_disk_is_one_message(tmp_path):
    disk = tmp_path / "ro"
    r = on_tmpfs(disk, "1m", [SYNTH, "generate", "--n", "5", "--out", disk / "ds", *SMALL],
                 readonly=True)
    one_message(r, "synthgroup", str(disk / "ds"), "read-only")


# ------------------------------------------------------------------------------ races, kills
def test_two_configurations_never_mix_in_one_folder(tmp_path):
    """F2: both runs checked the folder before either claimed it; both met here, after their
    sources were ready (a FIFO opens only when both ends do), then raced for the folder."""
    out = tmp_path / "mix"
    results = race(tmp_path / "meet", "synthgroup.cli", "synthgroup.writer.Sources",
                   [["generate", "--n", "200", "--workers", "1", "--shard", f"{k}/2", "--seed", k,
                     "--out", out, *SMALL] for k in (0, 1)], timeout=180)
    assert sorted(rc for _, _, rc, _ in results) == [0, 2], results
    loser = next(err for _, err, rc, _ in results if rc == 2)
    assert "different configuration" in loser and str(out) in loser, loser
    winner = next(k for k, (_, _, rc, _) in enumerate(results) if rc == 0)
    seeds = {json.loads(ln)["seed"] for part in (out / "parts").glob("*.jsonl")
             for ln in part.read_text().splitlines()}
    assert seeds == {winner}


def test_a_dead_worker_fails_the_run_instead_of_hanging(tmp_path):
    out = tmp_path / "ds"
    args = ["generate", "--n", "200", "--workers", "2", "--out", out, *SMALL]
    patch = """
        import os, signal
        from synthgroup import writer
        real = writer._run_chunk
        def dying(chunk):
            if chunk[0] == 100:
                os.kill(os.getpid(), signal.SIGKILL)
            return real(chunk)
        writer._run_chunk = dying
    """
    r = run(patched("synthgroup.cli", patch, *args), timeout=120)
    one_message(r, "synthgroup", "worker process died", str(out), "rerun the same command")
    r = run_cli(*args)
    assert r.returncode == 0 and "complete" in r.stdout, r.stderr


def test_a_run_killed_before_its_first_chunk_leaves_a_reusable_folder(tmp_path):
    """F6: the folder of a run that never finished a chunk was refused as another configuration."""
    out = tmp_path / "ds"
    patch = """
        import os, signal
        from synthgroup import writer
        writer._run_chunk = lambda chunk: os.kill(os.getpid(), signal.SIGKILL)
    """
    r = run(patched("synthgroup.cli", patch, "generate", "--n", "20", "--workers", "1",
                    "--seed", "1", "--out", out, *SMALL), timeout=120)
    assert r.returncode == -9 and (out / "manifest.json").exists()
    r = run_cli("generate", "--n", "20", "--seed", "2", "--out", out, *SMALL)
    assert r.returncode == 0, r.stderr
    assert json.loads((out / "manifest.json").read_text())["config"]["seed"] == 2


def test_a_different_n_is_refused_not_left_with_orphans(tmp_path):
    out = tmp_path / "ds"
    assert run_cli("generate", "--n", "150", "--workers", "1", "--out", out, *SMALL).returncode == 0
    before = sorted(p.name for p in out.rglob("*"))
    r = run_cli("generate", "--n", "50", "--workers", "1", "--out", out, *SMALL)
    one_message(r, "synthgroup", str(out), "--n 150")
    assert sorted(p.name for p in out.rglob("*")) == before


def test_a_folder_of_someone_elses_images_is_never_emptied(tmp_path):
    out = tmp_path / "mine"
    (out / "images").mkdir(parents=True)
    (out / "images" / "holiday.jpg").write_bytes(b"precious")
    r = run_cli("generate", "--n", "5", "--out", out, *SMALL)
    one_message(r, "synthgroup", str(out), "not empty")
    assert [p.relative_to(out).as_posix() for p in out.rglob("*")] == ["images", "images/holiday.jpg"]


# ------------------------------------------------------------------------------ bad input
@pytest.mark.parametrize("args, needles", [
    (["--size", "99999"], ["99999x99999", "too large"]),
    (["--seed", "-1"], ["seed -1"]),
    (["--overlap-tolerance", "-1"], ["overlap_tolerance -1"]),
])
def test_bad_values_are_one_message(tmp_path, args, needles):
    out = tmp_path / "never"
    r = run_cli("generate", "--n", "5", "--out", out, "--quiet", *args)
    one_message(r, "synthgroup", *needles)
    assert not out.exists()


@pytest.mark.parametrize("toml, needles", [
    ('faces_per_image = "many"', ["faces_per_image = 'many'", "whole numbers"]),
    ('[face_aug]\nrotate = "ten"', ["face_aug.rotate = 'ten'", "number"]),
    ("seed = 1.5", ["seed = 1.5", "whole number"]),
    ("seed = true", ["seed = True", "whole number"]),
])
def test_toml_values_of_the_wrong_type_are_one_message(tmp_path, toml, needles):
    cfg, out = tmp_path / "c.toml", tmp_path / "never"
    cfg.write_text(toml + "\n")
    r = run_cli("generate", "--n", "5", "--out", out, "--config", cfg, "--quiet")
    one_message(r, "synthgroup", str(cfg), *needles)
    assert not out.exists()


def test_toml_takes_what_the_command_line_takes(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('size = 160\nfaces = "procedural"\nfaces_per_image = [2, 4]\n')
    got = GenConfig.from_toml(cfg).validate()
    assert (got.size, got.faces, got.faces_per_image) == ((160, 160), ["procedural"], (2, 4))
    with pytest.raises(ConfigError, match="seed = 1.5"):
        GenConfig(seed=1.5).validate()           # the Python API is checked the same way


def test_unreadable_source_fails_before_anything_is_written(tmp_path):
    """F6: a source whose every file is corrupt failed only once generation had started."""
    bad = tmp_path / "scenes"
    bad.mkdir()
    for i in range(3):
        (bad / f"{i}.jpg").write_bytes(b"\xff\xd8\xff not really a jpeg")
    out = tmp_path / "ds"
    r = run_cli("generate", "--n", "5", "--out", out, "--backgrounds", f"folder:{bad}", *SMALL)
    one_message(r, "synthgroup", f"folder:{bad}", "none of its 3 files")
    assert not out.exists()


def test_lsun_value_that_is_not_an_image_is_skipped_not_the_whole_lmdb(tmp_path):
    import standins as S
    from synthgroup.sources import create_background_source
    S.make_lsun(tmp_path, categories=("classroom",), n=3)
    key = S.spoil_lsun_value(tmp_path, lambda value: b"not an image")   # the first one looked at
    src = create_background_source(f"lsun:{tmp_path}", output_size=(96, 96))[1]
    assert len(src.items) == 3
    src.probe()
    assert f"classroom_train_lmdb/{key.decode()}" in src.skipped
