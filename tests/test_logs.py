"""One logging switch for every console script (synthgroup.logs): library INFO lines are shown by
default, ``-q`` hides them, ``-v`` adds DEBUG; a second setup never doubles the lines."""
from __future__ import annotations

import argparse
import logging

import pytest

from faults import patched, run
from synthgroup.logs import RunLogFile, add_logging_args, configure_logging, progress_disabled

# a library call that logs at every level, patched in front of the command
SPEAK = """
    import logging
    from synthgroup import cli
    def speak(args):
        log = logging.getLogger("synthgroup.sources")
        log.debug("DEBUG-LINE"); log.info("INFO-LINE"); log.warning("WARNING-LINE")
        logging.getLogger("PIL.chatty").info("FOREIGN-INFO")
        return 0
    cli.cmd_sources = speak
"""


@pytest.mark.parametrize("flags, shown, hidden", [
    ([], ["INFO-LINE", "WARNING-LINE"], ["DEBUG-LINE", "FOREIGN-INFO"]),
    (["-q"], ["WARNING-LINE"], ["INFO-LINE", "DEBUG-LINE"]),
    (["--quiet"], ["WARNING-LINE"], ["INFO-LINE", "DEBUG-LINE"]),
    (["-v"], ["DEBUG-LINE", "INFO-LINE", "WARNING-LINE"], ["FOREIGN-INFO"]),
    (["-vv"], ["DEBUG-LINE", "INFO-LINE", "FOREIGN-INFO"], []),
])
def test_synthgroup_command_shows_library_lines_by_level(flags, shown, hidden):
    r = run(patched("synthgroup.cli", SPEAK, "sources", *flags), timeout=120)
    assert r.returncode == 0, r.stderr
    for s in shown:
        assert s in r.stderr, (flags, r.stderr)
    for s in hidden:
        assert s not in r.stderr, (flags, r.stderr)
    assert "synthgroup.sources: INFO-LINE" in r.stderr or "INFO-LINE" not in r.stderr
    assert "synthgroup.sources: warning: WARNING-LINE" in r.stderr


def test_quiet_and_verbose_exclude_each_other():
    r = run(patched("synthgroup.cli", SPEAK, "sources", "-q", "-v"), timeout=120)
    assert r.returncode == 2 and "not allowed with" in r.stderr


@pytest.mark.parametrize("flags, info_shown", [([], True), (["-q"], False)])
def test_globalnet_command_shows_the_frame_count_line(monkeypatch, capsys, tmp_path, flags,
                                                      info_shown):
    """The INFO line of the frame-count pass reaches the user of `globalnet` unless -q."""
    from globalnet import cli, cmd_backbones
    from globalnet.data.frame_index import FrameIndex

    def count(args):
        monkeypatch.setattr("globalnet.video.count_frames", lambda path, *a: 7)
        clip = tmp_path / "a.mp4"
        clip.write_bytes(b"x")
        FrameIndex.build([(clip, 0)], cache_path=tmp_path / "cache.json", where="test set")
        return 0

    monkeypatch.setattr(cmd_backbones, "run", count)
    assert cli.main(["backbones", *flags]) == 0
    err = capsys.readouterr().err
    assert ("test set: counting frames of 1 video(s)" in err) == info_shown, err


def test_explain_command_takes_the_same_flags(monkeypatch, capsys):
    from explain import cli

    def speak(args):
        logging.getLogger("explain.x").debug("DEBUG-LINE")
        logging.getLogger("explain.x").info("INFO-LINE")
        return 0

    monkeypatch.setattr(cli, "_run", speak)
    assert cli.main(["list", "-v"]) == 0
    err = capsys.readouterr().err
    assert "DEBUG-LINE" in err and "INFO-LINE" in err
    assert cli.main(["list", "-q"]) == 0
    assert "INFO-LINE" not in capsys.readouterr().err


def test_setup_is_idempotent_and_progress_follows_the_level(capsys):
    p = add_logging_args(argparse.ArgumentParser())
    for _ in range(3):
        configure_logging(p.parse_args([]))
    logging.getLogger("globalnet.x").info("ONCE")
    assert capsys.readouterr().err.count("ONCE") == 1
    assert progress_disabled("globalnet") is None          # shown (on a terminal)
    configure_logging(p.parse_args(["-q"]))
    assert progress_disabled("globalnet") is True
    configure_logging(p.parse_args([]))


def test_run_log_file_keeps_early_and_library_lines_and_leaves_the_console_alone(tmp_path, capsys):
    """A run's log file (globalnet train's train.log) gets the lines from before it could be
    written, the libraries' INFO lines and file-only lines, even under -q; the console keeps -q."""
    p = add_logging_args(argparse.ArgumentParser())
    configure_logging(p.parse_args(["-q"]))
    lib, gn = logging.getLogger("globalnet.data"), logging.getLogger("globalnet")
    try:
        with RunLogFile("globalnet") as run_log:
            lib.info("EARLY")
            run_log.write_to(tmp_path / "train.log")
            logging.getLogger("globalnet.train").info("LATER")
            lib.debug("DEBUG-LINE")
            run_log.file_only("error: FILE-ONLY")
        lib.info("AFTER")
        assert gn.handlers == [] and gn.level == logging.WARNING
    finally:
        configure_logging(p.parse_args([]))
    lines = (tmp_path / "train.log").read_text().splitlines()
    assert [ln.split(" ", 2)[2] for ln in lines] == ["EARLY", "LATER", "error: FILE-ONLY"]
    assert capsys.readouterr().err == ""
    with RunLogFile("globalnet"):
        lib.info("NEVER-WRITTEN")                 # no file named: nothing kept
    assert gn.handlers == []


# ------------------------------------------------------------------------------ progress bars
class _Terminal:
    """A stderr that says it is a terminal and keeps what was written."""

    def __init__(self):
        self.text = ""

    def write(self, s):
        self.text += s
        return len(s)

    def flush(self):
        pass

    def isatty(self):
        return True


@pytest.fixture(scope="module")
def clip_and_checkpoint(tmp_path_factory):
    import numpy as np
    import standins as S
    import torch

    root = tmp_path_factory.mktemp("bars")
    rng = np.random.default_rng(0)
    clip = S.write_clip(root / "clip.avi", [rng.integers(0, 256, (48, 48, 3), dtype=np.uint8)
                                            for _ in range(12)])
    torch.manual_seed(0)
    return clip, S.checkpoint(root / "r18.pt", input_size=48)


def test_predict_video_reports_its_progress(clip_and_checkpoint):
    from globalnet.predict import Predictor
    clip, ck = clip_and_checkpoint
    calls = []
    p = Predictor.from_checkpoint(ck, device="cpu", batch_size=5)
    r = p.predict_video(clip, every=2, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(5, 6), (6, 6)] and len(r.frames) == 6
    calls.clear()
    p.predict_video(clip, n=4, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(4, 4)]


@pytest.fixture
def bars(monkeypatch):
    """Every tqdm bar made meanwhile: [(desc, n, total, shown)] when it closes (a bar redraws
    at most every 0.1 s, so its text is no reliable record). The test then calls
    ``on_a_terminal(monkeypatch)``: pytest puts its own stderr back between setup and call."""
    import tqdm
    closed = []

    class Recording(tqdm.tqdm):
        def close(self):
            if not getattr(self, "_recorded", False):
                self._recorded = True
                closed.append((getattr(self, "desc", None), self.n, self.total, not self.disable))
            super().close()

    monkeypatch.setattr(tqdm, "tqdm", Recording)
    return closed


def on_a_terminal(monkeypatch):
    monkeypatch.setattr("sys.stderr", _Terminal())


@pytest.mark.parametrize("flags, shown", [([], True), (["-q"], False)])
def test_predict_command_shows_a_frame_bar_per_video(clip_and_checkpoint, monkeypatch, bars,
                                                      flags, shown):
    from globalnet import cli
    on_a_terminal(monkeypatch)
    clip, ck = clip_and_checkpoint
    assert cli.main(["predict", "--checkpoint", str(ck), str(clip), "--device", "cpu",
                     "--batch-size", "4", *flags]) == 0
    desc = "[1/1] clip.avi" if shown else None           # (a disabled bar keeps no desc)
    assert bars == [(desc, 12 if shown else 0, 12, shown)]


@pytest.mark.parametrize("flags, shown", [([], True), (["-q"], False)])
def test_frame_count_pass_shows_a_bar(tmp_path, monkeypatch, bars, flags, shown):
    from globalnet.data.frame_index import FrameIndex
    configure_logging(add_logging_args(argparse.ArgumentParser()).parse_args(flags))
    monkeypatch.setattr("globalnet.video.count_frames", lambda path, *a: 7)
    clips = []
    for k in range(3):
        clips.append((tmp_path / f"{k}.mp4", 0))
        clips[-1][0].write_bytes(b"x")
    on_a_terminal(monkeypatch)
    index = FrameIndex.build(clips, cache_path=tmp_path / "cache.json", where="set", workers=2)
    assert index.total == 21
    assert bars == [("set: counting frames" if shown else None, 3 if shown else 0, 3, shown)]
    configure_logging(add_logging_args(argparse.ArgumentParser()).parse_args([]))
