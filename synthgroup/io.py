"""Small file helpers shared by synthgroup, globalnet and explain: atomic writes (a kill or a full
disk never leaves a half-written file), folder locks (two processes never mix their work in one
folder), disk-error messages that name the path and the free space, the cache root every cache
lives under, and a TOML dump."""
from __future__ import annotations

import errno
import glob
import json
import os
import shutil
import tempfile
import time
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, Callable, Iterator

from filelock import lock_descriptor, unlock_descriptor


# ------------------------------------------------------------------------------ atomic writes
def temp_name(path: Path, tag: str = "tmp") -> Path:
    """A hidden sibling of ``path`` no other process or thread uses: ``.NAME.tmp-PID-RANDOM``."""
    return path.with_name(f".{path.name}.{tag}-{os.getpid()}-{os.urandom(4).hex()}")


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; what was written there replaces ``path`` when the
    block ends without error. On any error (a full disk too) the temporary file is removed and
    ``path`` is left as it was."""
    path = Path(path)
    tmp = temp_name(path)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        raise


def write_file(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` (created or truncated) with three system calls and no Python
    file object: for many small files whose completeness is tracked elsewhere (not atomic)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        f.write(data)


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def write_json(path: Path, obj: Any) -> None:
    atomic_write_text(path, json.dumps(obj, indent=2, sort_keys=False) + "\n")


# ------------------------------------------------------------------------------ disk errors
def free_space(path: str | os.PathLike) -> str:
    """Free space on the disk holding ``path`` (or its nearest existing parent), human-readable."""
    p = Path(path).absolute()
    while not p.exists() and p != p.parent:
        p = p.parent
    try:
        free = shutil.disk_usage(p).free
    except OSError:
        return "unknown"
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if free < 1024 or unit == "TiB":
            return f"{free:.0f} {unit}" if unit == "bytes" else f"{free:.1f} {unit}"
        free /= 1024
    return "unknown"  # pragma: no cover


def disk_error_message(exc: OSError, path: str | os.PathLike) -> str:
    """One line for a failed file operation: the file (the one the error names, else ``path``),
    why, and for a full disk how much room is left."""
    where = exc.filename or path
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        why = "the disk is full" if exc.errno == errno.ENOSPC else "the disk quota is exhausted"
        return f"cannot write {where}: {why} ({free_space(where)} free there)"
    if exc.errno == errno.EROFS:
        return f"cannot write {where}: the file system is read-only"
    return f"{where}: {exc.strerror or exc}"


# ------------------------------------------------------------------------------ folder locks
class FolderBusy(Exception):
    """The lock is held by another process; ``holder`` is what that process wrote into it."""

    def __init__(self, path: Path, holder: str):
        super().__init__(f"{path} is locked by {holder or 'another process'}")
        self.path, self.holder = path, holder


def holder_note() -> str:
    """Who holds a lock: pid, host and command line, for a refusal message."""
    import socket
    import sys
    return f"pid {os.getpid()} on {socket.gethostname()} ({' '.join(sys.argv)[:200]})"


@contextmanager
def file_lock(path: str | os.PathLike, *, shared: bool = False, wait: bool = True,
              note: str | None = None, remove: bool | Callable[[], bool] = False) -> Iterator[int]:
    """Lock the file ``path`` (created if missing) for the block; yields its descriptor.

    The lock is the operating system's, taken through ``filelock`` (``flock`` on Unix,
    ``LockFileEx`` on Windows): it dies with the process (a SIGKILL too), and on Unix a forked
    child inherits it and keeps it alive while it runs. An exclusive lock excludes every other
    one on ``path``; ``wait=False`` raises :class:`FolderBusy` at once instead of waiting.
    ``note`` is written into the file so a refused process can name the holder.

    ``shared`` locks coexist with each other: each holder locks a file of its own beside
    ``path`` (``NAME.shared-PID-RANDOM``, removed when the block ends), and :func:`is_locked`
    of ``path`` sees them all. They do not hold off an exclusive lock of ``path``.

    ``remove`` deletes the file of an exclusive lock when the block ends (a callable: when it
    returns true then, asked while the lock is still held), never a lock another process has
    taken since. On POSIX the file is unlinked while still locked (a process that opened it
    before and locks it after sees that it is gone and locks the file now at ``path``). Windows
    refuses to delete an open file, so there the lock is released and the file closed first,
    then deleted; a process that has opened it in between keeps it (the deletion is refused).
    """
    path = Path(path)
    if shared:
        if remove:
            raise ValueError("a shared lock's holder file is always removed; remove= is for "
                             "exclusive locks")
        with _shared_lock(path) as fd:
            yield fd
        return
    fd = _open_locked(path, wait)
    removing = False
    try:
        try:
            if note is not None:
                _write_note(fd, note)
            yield fd
        finally:
            removing = bool(remove() if callable(remove) else remove)
            if removing and os.name != "nt":
                _unlink_quietly(path)           # still ours: nobody else can hold it
            _unlock(fd)
    finally:
        os.close(fd)
        if removing and os.name == "nt":
            _unlink_quietly(path)               # refused if another process has opened it since


def _open_locked(path: Path, wait: bool) -> int:
    """A descriptor of ``path`` that holds its lock. A lock taken on a file that its holder
    removed meanwhile (``remove=``) is no lock of ``path``: then the new file is opened and
    locked instead."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            if not lock_descriptor(fd, blocking=wait):
                raise FolderBusy(path, _holder_note(path))
            if _is_at(fd, path):
                return fd
            _unlock(fd)
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)


def _is_at(fd: int, path: Path) -> bool:
    """Whether the open file ``fd`` is (still) the file at ``path``."""
    try:
        return os.path.samestat(os.fstat(fd), os.stat(path))
    except FileNotFoundError:
        return False


def _unlink_quietly(path: Path) -> None:
    with suppress(OSError):
        path.unlink()


def _unlock(fd: int) -> None:
    # On Unix closing the descriptor releases the lock, unless a forked child still holds a copy
    # of it (then the lock lives on with the child, as documented); Windows wants it explicit.
    if os.name == "nt":
        unlock_descriptor(fd)


def _write_note(fd: int, note: str) -> None:
    """The holder's note from byte 1 on: Windows keeps byte 0 (the locked range) unreadable for
    other processes, and readers (:func:`_read_note`) skip it."""
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, b"\n" + note.encode("utf-8", "replace"))


@contextmanager
def _shared_lock(path: Path, grace: float = 60.0) -> Iterator[int]:
    """One holder of a shared lock of ``path``: an exclusive lock on a file of its own beside
    it. Holder files that no process locks any more (left by killed holders) and that are older
    than ``grace`` seconds (a new holder locks its file right after creating it) are removed."""
    for old in shared_holders(path):
        try:
            if not _locked(old) and time.time() - old.stat().st_mtime > grace:
                old.unlink()
        except OSError:
            pass
    mine = path.with_name(f"{path.name}{_SHARED}{os.getpid()}-{os.urandom(4).hex()}")
    fd = os.open(mine, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        lock_descriptor(fd, blocking=True)     # a new file: nobody else can hold it
        try:
            yield fd
        finally:
            _unlock(fd)
    finally:
        os.close(fd)
        _unlink_quietly(mine)                   # its own file: closed first, for Windows


_SHARED = ".shared-"


def shared_holders(path: str | os.PathLike) -> list[Path]:
    """The files of the shared locks of ``path`` (live or left by killed processes)."""
    path = Path(path)
    try:
        return sorted(path.parent.glob(f"{glob.escape(path.name)}{_SHARED}*"))
    except OSError:
        return []


def is_shared_holder(file: str | os.PathLike, path: str | os.PathLike) -> bool:
    """Whether ``file`` is (named as) the file of a shared lock of ``path``."""
    file, path = Path(file), Path(path)
    return file.parent == path.parent and file.name.startswith(f"{path.name}{_SHARED}")


def is_locked(path: str | os.PathLike) -> bool:
    """Whether some live process holds a lock on the file ``path``, exclusive or shared (False if
    there is none)."""
    path = Path(path)
    return _locked(path) or any(_locked(p) for p in shared_holders(path))


def _locked(path: Path) -> bool:
    """Whether some live process locks the file ``path`` (False if it does not exist)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except (FileNotFoundError, NotADirectoryError):
        return False
    try:
        if lock_descriptor(fd, blocking=False):
            _unlock(fd)
            return False
        return True
    finally:
        os.close(fd)


def _holder_note(path: Path, patience: float = 1.0) -> str:
    """The note of the lock's holder; a holder that has just taken the lock writes it an instant
    later, so an empty note is read again for up to ``patience`` seconds."""
    import time
    deadline = time.monotonic() + patience
    note = _read_note(path)
    while not note and time.monotonic() < deadline:
        time.sleep(0.02)
        note = _read_note(path)
    return note


def _read_note(path: Path) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(1)                       # byte 0 is the lock's (see _write_note)
            return f.read().decode("utf-8", "replace").strip()
    except OSError:
        return ""


def remove_stale(parent: Path, pattern: str, lock_name: str = ".lock", grace: float = 60.0) -> list[Path]:
    """Remove the folders ``parent/pattern`` left by killed processes: those whose ``lock_name``
    file no live process holds. A folder without that file counts as stale once it is ``grace``
    seconds old (its maker may be about to create the lock)."""
    removed = []
    for d in sorted(parent.glob(pattern)):
        if not d.is_dir() or d.is_symlink():
            continue
        lock = d / lock_name
        live = is_locked(lock) if lock.exists() else time.time() - d.stat().st_mtime < grace
        if not live:
            shutil.rmtree(d, ignore_errors=True)
            removed.append(d)
    return removed


# ------------------------------------------------------------------------------ cache folders
def cache_root(app: str, env: str | None = None) -> Path:
    """The cache folder of ``app`` (not created here): ``$ENV`` when that variable is set, else
    ``$XDG_CACHE_HOME/APP``, else ``~/.cache/APP``; absolute, never the working directory (a
    relative ``XDG_CACHE_HOME`` is ignored, as the XDG spec says), and a folder under the
    temporary directory when there is no home. Every cache of the toolkit lives under one."""
    override = os.environ.get(env, "").strip() if env else ""
    if override:
        return Path(override).expanduser().resolve()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    if xdg and os.path.isabs(xdg):
        return Path(xdg).resolve() / app
    try:
        return Path.home().resolve() / ".cache" / app
    except (RuntimeError, KeyError):  # no home directory
        return Path(tempfile.gettempdir()) / f"{app}-cache-{getattr(os, 'getuid', lambda: 0)()}"


# ------------------------------------------------------------------------------ TOML
def toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def to_toml(d: dict, table: str | None = None) -> str:
    """TOML for a dict of scalars/lists with one level of sub-tables (the config's shape)."""
    lines, subs = [], []
    if table:
        lines.append(f"[{table}]")
    for k, v in d.items():
        if isinstance(v, dict):
            subs.append((k, v))
        else:
            lines.append(f"{k} = {toml_value(v)}")
    text = "\n".join(lines) + "\n"
    for k, v in subs:
        text += "\n" + to_toml(v, f"{table}.{k}" if table else k)
    return text
