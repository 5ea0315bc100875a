"""The command line: real runs, and bad input that fails cleanly with one message and nothing written."""
import json

import cv2
import pytest

from conftest import run_cli


def _clean_failure(r, *needles):
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    lines = [l for l in r.stderr.strip().splitlines() if l.strip()]
    assert len(lines) == 1 and lines[0].startswith("synthgroup: error:"), r.stderr
    for n in needles:
        assert n in lines[0], lines[0]


def test_generate_preview_inspect(tmp_path):
    out = tmp_path / "ds"
    r = run_cli("generate", "--n", "30", "--out", out, "--size", "96x128", "--faces-per-image", "2-4",
                "--seed", "3", "--quiet")
    assert r.returncode == 0, r.stderr
    assert "complete" in r.stdout
    m = json.loads((out / "manifest.json").read_text())
    assert m["config"]["size"] == [96, 128] and m["config"]["seed"] == 3
    assert (out / "config.toml").read_text().count("seed = 3") == 1
    img = cv2.imread(str(out / "images/000000.jpg"))
    assert img.shape == (96, 128, 3)
    r = run_cli("inspect", out)
    assert r.returncode == 0, r.stdout
    assert "all checks passed" in r.stdout and "Positive" in r.stdout
    sheet = tmp_path / "sheet.png"
    r = run_cli("preview", "--n", "6", "--out", sheet, "--size", "96")
    assert r.returncode == 0, r.stderr
    img = cv2.imread(str(sheet))
    assert img is not None and img.shape[0] > 2 * 96 and img.shape[1] > 3 * 96
    # the written config.toml reproduces the run
    again = tmp_path / "again"
    r = run_cli("generate", "--n", "30", "--out", again, "--config", out / "config.toml", "--quiet")
    assert r.returncode == 0, r.stderr
    assert (again / "metadata.jsonl").read_text() == (out / "metadata.jsonl").read_text()


@pytest.mark.parametrize("args, needles", [
    (["--faces-per-image", "6-2"], ["minimum 6 is greater than maximum 2"]),
    (["--faces-per-image", "1-90"], ["maximum 90 cannot fit"]),
    (["--config", "/nonexistent/cfg.toml"], ["/nonexistent/cfg.toml"]),
    (["--faces", "nosuchsource:x"], ["'nosuchsource'", "procedural"]),
    (["--faces", "procedural:identities=many"], ["'many'"]),
    (["--backgrounds", "procedural:categories=moon"], ["moon"]),
    (["--size", "huge"], ["'huge'"]),
    (["--shard", "3/2"], ["3/2"]),
    (["--n", "0"], ["--n 0"]),
])
def test_bad_input_fails_cleanly_and_writes_nothing(tmp_path, args, needles):
    out = tmp_path / "never"
    base = ["generate", "--out", out, "--quiet"]
    if "--n" not in args:
        base += ["--n", "5"]
    r = run_cli(*(base + args))
    _clean_failure(r, *needles)
    assert not out.exists()


def test_folder_with_other_config_is_refused(tmp_path):
    out = tmp_path / "ds"
    assert run_cli("generate", "--n", "5", "--out", out, "--size", "96", "--quiet").returncode == 0
    before = sorted(p.name for p in out.rglob("*"))
    r = run_cli("generate", "--n", "5", "--out", out, "--size", "96", "--seed", "9", "--quiet")
    _clean_failure(r, str(out), "seed")
    assert sorted(p.name for p in out.rglob("*")) == before


def test_foreign_folder_is_refused(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("do not touch")
    r = run_cli("generate", "--n", "5", "--out", out, "--quiet")
    _clean_failure(r, str(out), "not empty")
    assert [p.name for p in out.iterdir()] == ["thesis.tex"]


def test_inspect_bad_folder(tmp_path):
    r = run_cli("inspect", tmp_path / "nope")
    _clean_failure(r, "nope")


def test_preview_bad_output(tmp_path):
    r = run_cli("preview", "--out", tmp_path / "missing-dir" / "x.png")
    _clean_failure(r, "missing-dir")
