"""One logging switch for every console script (synthgroup.logs): library INFO lines are shown by
default, ``-q`` hides them, ``-v`` adds DEBUG; a second setup never doubles the lines."""
from __future__ import annotations

import argparse
import logging

import pytest

from faults import patched, run
from synthgroup.logs import add_logging_args, configure_logging, progress_disabled

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
