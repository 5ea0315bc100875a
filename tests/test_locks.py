"""Folder locks (synthgroup.io.file_lock / is_locked) through the filelock package, so the
generator runs on Windows too: exclusive and non-blocking refusal naming the holder, shared
holders that coexist, released when the holder dies (SIGKILL too), kept by a forked child."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from synthgroup.io import FolderBusy, file_lock, is_locked, shared_holders

ROOT = Path(__file__).resolve().parents[1]


def holder(lock: Path, *lines: str) -> subprocess.Popen:
    """A process that runs ``lines`` (with ``lock`` and ``file_lock`` in scope), prints READY and
    waits to be killed. (A lock taken there must stay referenced: ``cm = file_lock(...)``.)"""
    code = "\n".join(["import os, sys, time", "from pathlib import Path",
                      "from synthgroup.io import file_lock", f"lock = Path({str(lock)!r})",
                      *lines, "print('READY', flush=True)", "time.sleep(600)"])
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "READY"
    return p


def test_exclusive_lock_refuses_with_the_holders_note_and_dies_with_it(tmp_path):
    lock = tmp_path / ".lock"
    p = holder(lock, "cm = file_lock(lock, wait=False, note='pid 4242 on host (train)')",
               "cm.__enter__()")
    try:
        assert is_locked(lock)
        with pytest.raises(FolderBusy) as e:
            with file_lock(lock, wait=False):
                pass
        assert e.value.holder == "pid 4242 on host (train)"
        assert lock.read_text().strip() == "pid 4242 on host (train)"   # the note survives
    finally:
        p.send_signal(signal.SIGKILL)
        p.wait(timeout=60)
    assert not is_locked(lock)
    with file_lock(lock, wait=False, note="me"):
        assert is_locked(lock)


def test_a_waiting_lock_gets_it_when_the_holder_lets_go(tmp_path):
    lock, order = tmp_path / ".lock", []
    with file_lock(lock):
        t = threading.Thread(target=lambda: (file_lock(lock).__enter__(), order.append("got")))
        t.start()
        time.sleep(0.3)
        order.append("released")
    t.join(timeout=10)
    assert order == ["released", "got"]


def test_remove_deletes_the_file_and_a_waiter_locks_the_new_one(tmp_path):
    """``remove=`` deletes the lock's file as the holder lets go (on Windows after closing it);
    a process that opened the old file before then locks the file at the path, not a deleted one."""
    lock, got = tmp_path / ".lock", []
    with file_lock(lock, remove=lambda: False):
        pass
    assert lock.exists()
    with file_lock(lock, remove=True):
        cm = file_lock(lock)
        t = threading.Thread(target=lambda: got.append(cm.__enter__()))
        t.start()
        time.sleep(0.3)                          # the waiter has opened the old file by now
    t.join(timeout=10)
    assert got
    try:
        assert lock.exists() and is_locked(lock)
    finally:
        cm.__exit__(None, None, None)
    with pytest.raises(ValueError, match="exclusive"):
        with file_lock(lock, shared=True, remove=True):
            pass


def test_remove_on_windows_lets_go_and_closes_before_deleting(tmp_path, monkeypatch):
    """Windows refuses to delete an open file: there the file is closed first, then deleted."""
    import synthgroup.io as io
    lock, seen = tmp_path / ".lock", []

    class WindowsOs:
        name = "nt"

        def __getattr__(self, attr):
            return getattr(os, attr)

        def close(self, fd):
            seen.append(lock.exists())
            os.close(fd)

    monkeypatch.setattr(io, "os", WindowsOs())
    with file_lock(lock, remove=True):
        pass
    assert seen == [True] and not lock.exists()


def test_shared_holders_coexist_and_leave_nothing(tmp_path):
    active = tmp_path / ".active"
    assert not is_locked(active)
    with file_lock(active, shared=True), file_lock(active, shared=True):
        assert is_locked(active) and len(shared_holders(active)) == 2
    assert not is_locked(active) and shared_holders(active) == [] and not active.exists()


def test_a_killed_shared_holder_counts_as_gone_and_its_file_is_tidied(tmp_path):
    active = tmp_path / ".active"
    p = holder(active, "cm = file_lock(lock, shared=True)", "cm.__enter__()")
    assert is_locked(active)
    p.send_signal(signal.SIGKILL)
    p.wait(timeout=60)
    [left] = shared_holders(active)
    assert not is_locked(active)
    with file_lock(active, shared=True):          # too young to be removed (a new holder's?)
        assert left.exists()
    os.utime(left, (time.time() - 3600,) * 2)
    with file_lock(active, shared=True):
        assert not left.exists()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork")
def test_a_forked_child_keeps_the_lock_after_its_parent_exits(tmp_path):
    lock = tmp_path / ".lock"
    pid_file = tmp_path / "child"
    p = holder(lock, "cm = file_lock(lock)", "cm.__enter__()",
               "child = os.fork()",
               "if child == 0: time.sleep(600)",
               f"Path({str(pid_file)!r}).write_text(str(child))")
    child = int(pid_file.read_text())
    p.send_signal(signal.SIGKILL)
    p.wait(timeout=60)
    try:
        assert is_locked(lock)
    finally:
        os.kill(child, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while is_locked(lock) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not is_locked(lock)


def test_no_module_uses_fcntl():
    users = [p for pkg in ("synthgroup", "globalnet", "explain")
             for p in (ROOT / pkg).rglob("*.py") if "fcntl" in p.read_text()]
    assert users == []
