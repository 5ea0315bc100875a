"""`synthgroup generate` takes its share of a dataset from a scheduler's environment: a SLURM job
array (SLURM_ARRAY_TASK_ID / _COUNT / _MIN / _STEP) or torchrun (RANK / WORLD_SIZE); --shard
wins; bad values are one message naming the variable, exit code 2 and nothing written."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from faults import BIN, one_message
from synthgroup import GenConfig
from synthgroup.errors import SynthGroupError
from synthgroup.shards import SHARD_VARIABLES, resolve_shard, shard_from_env
from synthgroup.writer import generate

N = 250                       # three chunks of 100: 0-99, 100-199, 200-249
ARGS = ["--n", N, "--size", "96", "--faces-per-image", "1-4", "--workers", "1"]
CFG = GenConfig(size=(96, 96), faces_per_image=(1, 4))


def _env(**variables) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in SHARD_VARIABLES}
    env.update({k: str(v) for k, v in variables.items()})
    return env


def synthgroup(*args, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "synthgroup"), *map(str, args)], capture_output=True,
                          text=True, env=env or _env(), timeout=timeout)


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    out = tmp_path_factory.mktemp("full") / "ds"
    generate(CFG, out, n=N, workers=1, progress=False)
    return out


def _indices(folder: Path) -> list[int]:
    """The sample indices a folder's finished chunks hold (from their records)."""
    return sorted(json.loads(line)["index"] for part in (folder / "parts").glob("*.jsonl")
                  for line in part.read_text().splitlines())


def _same_samples(folder: Path, full: Path, indices) -> None:
    for i in indices:
        for name in (f"images/{i:06d}.jpg", f"masks/{i:06d}.png"):
            assert (folder / name).read_bytes() == (full / name).read_bytes(), name


@pytest.mark.parametrize("variables, chunk, said", [
    ({"SLURM_ARRAY_TASK_ID": 1, "SLURM_ARRAY_TASK_COUNT": 3}, (100, 200),
     "shard 1/3 from SLURM_ARRAY_TASK_ID=1, SLURM_ARRAY_TASK_COUNT=3"),
    ({"SLURM_ARRAY_TASK_ID": 3, "SLURM_ARRAY_TASK_COUNT": 3, "SLURM_ARRAY_TASK_MIN": 1}, (200, 250),
     "shard 2/3 from SLURM_ARRAY_TASK_ID=3, SLURM_ARRAY_TASK_COUNT=3, SLURM_ARRAY_TASK_MIN=1"),
    ({"RANK": 2, "WORLD_SIZE": 3}, (200, 250), "shard 2/3 from RANK=2, WORLD_SIZE=3"),
    ({"RANK": 0, "WORLD_SIZE": 3}, (0, 100), "shard 0/3 from RANK=0, WORLD_SIZE=3"),
])
def test_a_scheduled_process_makes_only_its_share(tmp_path, full, variables, chunk, said):
    out = tmp_path / "ds"
    r = synthgroup("generate", "--out", out, *ARGS, env=_env(**variables))
    assert r.returncode == 0, r.stderr
    assert said in r.stderr                                 # the INFO line names the variables
    assert "partial: 1 of 3 chunks" in r.stdout
    a, b = chunk
    assert _indices(out) == list(range(a, b))
    assert sorted(int(p.stem) for p in (out / "images").glob("*.jpg")) == list(range(a, b))
    _same_samples(out, full, range(a, b))                   # the same bytes as the full run's


def test_an_explicit_shard_wins_over_the_environment(tmp_path):
    out = tmp_path / "ds"
    r = synthgroup("generate", "--out", out, *ARGS, "--shard", "0/3",
                   env=_env(SLURM_ARRAY_TASK_ID=1, SLURM_ARRAY_TASK_COUNT=3, RANK="bad"))
    assert r.returncode == 0, r.stderr
    assert _indices(out) == list(range(100))
    assert "shard 0/3 from --shard" in r.stderr


@pytest.mark.parametrize("format", ["imagefolder", "webdataset"])
def test_an_array_of_tasks_sharing_a_folder_makes_a_complete_set(tmp_path, full, format):
    """The README recipe in small: every task of an array started at once on one folder, then
    ``synthgroup inspect`` exits 0 on a complete set with a single run's samples."""
    from synthgroup.formats import create_output_format
    out = tmp_path / "ds"
    args = [*map(str, ARGS), "--format", format, "--chunk", "100"]
    procs = [subprocess.Popen([str(BIN / "synthgroup"), "generate", "--out", str(out), "-q", *args],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=_env(SLURM_ARRAY_TASK_ID=t + 1, SLURM_ARRAY_TASK_COUNT=3,
                                       SLURM_ARRAY_TASK_MIN=1))      # sbatch --array=1-3
             for t in range(3)]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    r = synthgroup("inspect", out)
    assert r.returncode == 0 and "(complete)" in r.stdout and "all checks passed" in r.stdout, r.stdout
    fmt = create_output_format(format, out, N, 100)
    stored = [s for a, b in fmt.chunks() for s in fmt.read_chunk(a, b)]
    assert [s.index for s in stored] == list(range(N))
    for s in stored:
        assert (s.jpg, s.png) == ((full / f"images/{s.index:06d}.jpg").read_bytes(),
                                  (full / f"masks/{s.index:06d}.png").read_bytes())


@pytest.mark.skipif(shutil.which("torchrun", path=str(BIN)) is None, reason="no torchrun")
def test_torchrun_launches_the_ranks_of_one_set(tmp_path, full):
    """The README's torchrun recipe in small (``--count``: torchrun's own parser stops at an
    ambiguous abbreviation such as ``--n`` anywhere on its command line)."""
    out = tmp_path / "ds"
    count = ["--count" if a == "--n" else a for a in ARGS]
    r = subprocess.run([str(BIN / "torchrun"), "--standalone", "--nproc-per-node", "3",
                        "-m", "synthgroup.cli", "generate", "--out", str(out), "-q",
                        *map(str, count)], capture_output=True, text=True, env=_env(), timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    r = synthgroup("inspect", out)
    assert r.returncode == 0 and "all checks passed" in r.stdout, r.stdout
    assert (out / "metadata.jsonl").read_text() == (full / "metadata.jsonl").read_text()


@pytest.mark.parametrize("variables, needles", [
    ({"SLURM_ARRAY_TASK_ID": 3, "SLURM_ARRAY_TASK_COUNT": 3},
     ["SLURM_ARRAY_TASK_ID=3", "SLURM_ARRAY_TASK_COUNT=3", "--array=0-2"]),
    ({"SLURM_ARRAY_TASK_ID": 0, "SLURM_ARRAY_TASK_COUNT": 3, "SLURM_ARRAY_TASK_MIN": 1},
     ["SLURM_ARRAY_TASK_ID=0", "SLURM_ARRAY_TASK_MIN=1"]),
    ({"SLURM_ARRAY_TASK_ID": "two", "SLURM_ARRAY_TASK_COUNT": 3}, ["SLURM_ARRAY_TASK_ID='two'"]),
    ({"SLURM_ARRAY_TASK_ID": 1}, ["SLURM_ARRAY_TASK_ID='1'", "SLURM_ARRAY_TASK_COUNT is not"]),
    ({"SLURM_ARRAY_TASK_ID": 0, "SLURM_ARRAY_TASK_COUNT": 0}, ["SLURM_ARRAY_TASK_COUNT=0"]),
    ({"RANK": 4, "WORLD_SIZE": 4}, ["RANK=4", "WORLD_SIZE=4"]),
    ({"RANK": "1.5", "WORLD_SIZE": 4}, ["RANK='1.5'"]),
    ({"WORLD_SIZE": 2}, ["WORLD_SIZE='2'", "RANK is not"]),
])
def test_bad_scheduler_values_are_one_message_and_write_nothing(tmp_path, monkeypatch, capsys,
                                                               variables, needles):
    from synthgroup.cli import main
    for name in SHARD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, str(value))
    out = tmp_path / "never"
    rc = main(["generate", "--out", str(out), *map(str, ARGS)])
    err = capsys.readouterr().err
    one_message(subprocess.CompletedProcess([], rc, "", err), "synthgroup", *needles)
    assert not out.exists()


@pytest.mark.parametrize("variables, shard", [
    ({}, None),
    ({"SLURM_ARRAY_TASK_ID": "", "RANK": " "}, None),                 # empty counts as unset
    ({"SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_TASK_COUNT": "10"}, (7, 10)),
    ({"SLURM_ARRAY_TASK_ID": "100", "SLURM_ARRAY_TASK_COUNT": "100", "SLURM_ARRAY_TASK_MIN": "1"},
     (99, 100)),                                                       # --array=1-100
    ({"SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "1",
      "SLURM_ARRAY_TASK_STEP": "2"}, (3, 4)),                          # --array=1-7:2
    ({"RANK": "5", "WORLD_SIZE": "8", "LOCAL_RANK": "1"}, (5, 8)),
    ({"SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "4", "RANK": "1", "WORLD_SIZE": "8"},
     (17, 32)),                                                        # torchrun in each task
])
def test_shard_from_the_environment(variables, shard):
    found = shard_from_env(variables)
    assert (found and found[0]) == shard
    assert resolve_shard(None, variables) == (shard or (0, 1))
    assert resolve_shard("1/2", variables) == (1, 2)


def test_every_chunk_is_made_once_by_the_shares_of_an_array(tmp_path):
    from synthgroup.formats import create_output_format
    from synthgroup.writer import _chunks
    fmt = create_output_format("imagefolder", tmp_path, 10_000)
    shares = [_chunks(fmt, shard_from_env({"SLURM_ARRAY_TASK_ID": str(t), "SLURM_ARRAY_TASK_COUNT": "7",
                                           "SLURM_ARRAY_TASK_MIN": "3"})[0])
              for t in range(3, 10)]
    made = sorted(c for share in shares for c in share)
    assert made == fmt.chunks() and len(made) == 100


def test_parse_shard_names_the_value():
    with pytest.raises(SynthGroupError, match="'x/2'"):
        resolve_shard("x/2", {})
    with pytest.raises(SynthGroupError, match="3/2"):
        resolve_shard("3/2", {})
