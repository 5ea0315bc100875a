"""Fault injection for the reliability tests: a small tmpfs (full or read-only disk) inside a
user + mount namespace, the CLIs run as real processes with a patch applied first, and the
one-message-rc-2 check."""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
from functools import lru_cache
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


@lru_cache(maxsize=None)
def _tmpfs_reason() -> str | None:
    """None when ``unshare -r -m`` can mount a tmpfs here, else why not."""
    if not shutil.which("unshare"):
        return "no unshare(1) on this machine"
    r = subprocess.run(["unshare", "-r", "-m", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /mnt"],
                       capture_output=True, text=True)
    return None if r.returncode == 0 else f"the kernel refuses a tmpfs in a user namespace: {r.stderr.strip()}"


def on_tmpfs(folder: Path, size: str, cmd: list, *, readonly: bool = False, keep: Path | None = None,
             timeout: float = 180) -> subprocess.CompletedProcess:
    """Run ``cmd`` with a ``size`` tmpfs mounted at ``folder`` (made if missing); the mount ends
    with the command, so what it holds then is copied to ``keep`` for the test to look at. Skips
    the test when the kernel does not allow a tmpfs in a user namespace."""
    reason = _tmpfs_reason()
    if reason:
        pytest.skip(reason)
    folder.mkdir(parents=True, exist_ok=True)
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
    opts = f"size={size}" + (",ro" if readonly else "")
    script = ('mount -t tmpfs -o "$1" tmpfs "$2" || exit 99; dir=$2; keep=$3; shift 3; "$@"; rc=$?; '
              'if [ -n "$keep" ]; then cp -a "$dir/." "$keep/"; fi; exit $rc')
    return run(["unshare", "-r", "-m", "sh", "-c", script, "sh", opts, str(folder), str(keep or "")]
               + list(cmd), timeout=timeout)


def run(cmd: list, timeout: float = 180) -> subprocess.CompletedProcess:
    """Run ``cmd`` in its own process group; a hang fails the test after ``timeout`` seconds and
    SIGKILLs the whole group (workers too), instead of hanging the test session."""
    p = subprocess.Popen([str(c) for c in cmd], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        pytest.fail(f"{' '.join(map(str, cmd))[-300:]} hung for {timeout} s; stderr: {err[-2000:]}")
    return subprocess.CompletedProcess(p.args, p.returncode, out, err)


def patched(cli: str, patch: str, *args) -> list[str]:
    """A command running ``cli.main(args)`` (e.g. ``synthgroup.cli``) after the Python code
    ``patch``; the patch sees ``sys.argv[1:]`` as ``ARGS``."""
    code = ("import sys\nARGS = sys.argv[1:]\n" + textwrap.dedent(patch)
            + f"\nfrom {cli} import main\nsys.exit(main(ARGS))\n")
    return [sys.executable, "-c", code] + [str(a) for a in args]


def race(fifo: Path, cli: str, where: str, argvs: list[list], timeout: float = 300) -> list[tuple]:
    """Run ``cli`` once per argument list of ``argvs`` (two), as processes that meet when the
    function ``where`` (``module.attr``, patched) returns - on the FIFO ``fifo``, which opens only
    when both ends do - and race from there; ``(stdout, stderr, returncode, pid)`` of each."""
    os.mkfifo(fifo)
    module, attr = where.rsplit(".", 1)
    patch = f"""
        import {module} as M
        real, ROLE = M.{attr}, ARGS.pop()
        def meeting(*args, **kwargs):
            out = real(*args, **kwargs)
            open({str(fifo)!r}, "w" if ROLE == "0" else "r").close()
            return out
        M.{attr} = meeting
    """
    procs = [subprocess.Popen(patched(cli, patch, *argv, k), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for k, argv in enumerate(argvs)]
    try:
        return [p.communicate(timeout=timeout) + (p.returncode, p.pid) for p in procs]
    except subprocess.TimeoutExpired:
        for p in procs:
            p.kill()
        errs = [p.communicate()[1][-1500:] for p in procs]
        pytest.fail(f"{cli} racing with itself hung for {timeout} s; stderr: {errs}")


# a toolkit's progress line (INFO, shown unless -q), e.g. "globalnet.data: ...: counting frames"
INFO_LINE = re.compile(r"^(synthgroup|globalnet|explain)(\.\w+)+: (?!warning:|error:)")


def message_lines(stderr: str) -> list[str]:
    """The non-empty lines of ``stderr`` other than the toolkit's INFO progress lines."""
    return [ln for ln in stderr.strip().splitlines() if ln.strip() and not INFO_LINE.match(ln)]


def one_message(r, prog: str, *needles) -> str:
    """rc 2 and one stderr line ``PROG: error: ...`` (besides INFO progress lines) holding every
    needle; returns the line."""
    assert r.returncode == 2, (r.returncode, r.stdout[-2000:], r.stderr[-3000:])
    assert "Traceback" not in r.stderr, r.stderr[-3000:]
    lines = message_lines(r.stderr)
    assert len(lines) == 1 and lines[0].startswith(f"{prog}: error:"), r.stderr[-3000:]
    for n in needles:
        assert n in lines[0], lines[0]
    return lines[0]
