"""One spelling across the command lines: inputs are positional in `globalnet predict`, `explain
report` and `explain map`; the old `--inputs` / `--input` still work with a one-line note.
`--help` shows the choices and defaults of the options that have them."""
from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch

from explain import cli as explain_cli

pytestmark = pytest.mark.usefixtures("one_thread")


def parse(capsys, *argv):
    args = explain_cli._parser().parse_args([str(a) for a in argv])
    return args, capsys.readouterr().err


@pytest.mark.parametrize("argv, inputs", [
    (["report", "--checkpoint", "ck", "a.jpg", "clip.mp4", "--out", "rep"], ["a.jpg", "clip.mp4"]),
    (["report", "a.jpg", "--checkpoint", "ck", "--out", "rep", "--method", "gradcam"], ["a.jpg"]),
])
def test_report_inputs_are_positional(capsys, argv, inputs):
    args, err = parse(capsys, *argv)
    assert explain_cli._inputs(args) == inputs and err == ""


def test_old_report_spelling_still_works_with_one_note(capsys):
    args, err = parse(capsys, "report", "--checkpoint", "ck", "--inputs", "a.jpg", "b/", "--out", "r")
    assert explain_cli._inputs(args) == ["a.jpg", "b/"]
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("explain report: note: --inputs is deprecated")
    assert "INPUT" in lines[0]


def test_report_without_inputs_is_one_message(capsys, tmp_path):
    assert explain_cli.main(["report", "--checkpoint", "ck", "--out", str(tmp_path / "r")]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("explain: error: no inputs"), lines


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    import standins as S
    root = tmp_path_factory.mktemp("spelling")
    torch.manual_seed(0)
    ck = S.checkpoint(root / "r18.pt")
    img = root / "a.png"
    cv2.imwrite(str(img), np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8))
    return root, ck, img


@pytest.mark.parametrize("spelling", ["positional", "old"])
def test_map_takes_its_image_either_way(small, capsys, spelling):
    root, ck, img = small
    out = root / f"{spelling}.png"
    where = [str(img)] if spelling == "positional" else ["--input", str(img)]
    assert explain_cli.main(["map", "--checkpoint", str(ck), *where, "--out", str(out),
                             "--method", "gradcam", "--device", "cpu"]) == 0
    assert out.stat().st_size > 0
    notes = [ln for ln in capsys.readouterr().err.splitlines() if "note:" in ln]
    if spelling == "positional":
        assert notes == []
    else:
        assert len(notes) == 1 and "explain map: note: --input is deprecated" in notes[0]


def test_map_needs_exactly_one_image(small, capsys):
    root, ck, img = small
    assert explain_cli.main(["map", "--checkpoint", str(ck), "--out", str(root / "x.png")]) == 2
    assert "explain map takes one INPUT image, got 0" in capsys.readouterr().err


# ------------------------------------------------------------------------------ --help
def help_text(capsys, main, *argv) -> str:
    with pytest.raises(SystemExit) as e:
        main([*argv, "--help"])
    assert e.value.code == 0
    return " ".join(capsys.readouterr().out.split())     # one line, single spaces


@pytest.mark.parametrize("cli, argv, needles", [
    ("globalnet", ["predict"], ["--amp {auto,on,off}", "natively (default: auto)",
                                "--device DEVICE auto (CUDA if available), cpu, cuda, cuda:N "
                                "(default: auto)", "--batch-size BATCH_SIZE (default: 32)"]),
    ("globalnet", ["evaluate"], ["--frames FRAMES", "(default: 2000)"]),
    ("globalnet", ["train"], ["--optimizer STR", "(choices: sgd, adamw) (default: sgd)",
                              "(choices: constant, onecycle) (default: constant)",
                              "(choices: auto, on, off) (default: auto)",
                              "--batch-size INT config batch_size (default: 32)"]),
    ("explain", ["report"], ["--precision {float32,bfloat16,int8,auto}", "(default float32)",
                             "--privacy {auto,on,off}", "(default: fast-scorecam)"]),
    ("synthgroup", ["generate"], ["--surprise {exclude,positive,neutral,negative}",
                                  "(default exclude", "--tie-policy {neutral,resample}",
                                  "--seed SEED (default 0)"]),
    ("synthgroup", ["export"], ["--format {coco}", "--categories {group,emotion}"]),
])
def test_help_shows_choices_and_defaults(capsys, monkeypatch, cli, argv, needles):
    import importlib
    monkeypatch.setenv("COLUMNS", "400")     # no line breaks inside a hyphenated default
    main = importlib.import_module(f"{cli}.cli").main
    text = help_text(capsys, main, *argv)
    for n in needles:
        assert n in text, (n, text)
    assert "(default: None)" not in text and "-v, --verbose" in text


def test_quiet_training_draws_no_progress_bars():
    from globalnet import cli, cmd_train
    for flags, progress in (([], True), (["-q"], False), (["--no-progress"], False)):
        args = cli.build_parser("train").parse_args(["train", "--weights", "none", *flags])
        assert cmd_train.build_config(args).progress is progress, flags
