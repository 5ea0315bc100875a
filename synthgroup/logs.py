"""Logging for the console scripts: the same ``-v/--verbose`` and ``-q/--quiet`` flags and the
same setup in ``synthgroup``, ``globalnet`` and ``explain``.

The libraries only log (``logging.getLogger("globalnet.data")`` ...); they never configure
logging, so a notebook sees their warnings and nothing else. A command line calls
:func:`configure_logging`, which shows the toolkit's INFO lines on stderr (``-v``: DEBUG too,
``-vv``: DEBUG from every library, ``-q``: warnings and errors only)::

    p = argparse.ArgumentParser()
    add_logging_args(p)
    args = p.parse_args()
    configure_logging(args)

Progress bars follow the same switch: :func:`progress_disabled` is tqdm's ``disable`` (off with
``-q`` or when the toolkit's INFO lines are not shown, else on when stderr is a terminal).
"""
from __future__ import annotations

import argparse
import logging
import sys

#: the toolkit's top-level loggers; every library logger is a child of one of them
LOGGERS = ("synthgroup", "globalnet", "explain")


def add_logging_args(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add ``-v/--verbose`` (repeatable) and ``-q/--quiet`` (exclusive) to ``parser``."""
    g = parser.add_mutually_exclusive_group()
    g.add_argument("-v", "--verbose", action="count", default=0,
                   help="more messages: -v debug lines of the toolkit, -vv of every library")
    g.add_argument("-q", "--quiet", action="store_true",
                   help="only warnings and errors, no progress bars")
    return parser


def log_level(args: argparse.Namespace) -> int:
    """The toolkit's level for parsed ``args``: WARNING with -q, DEBUG with -v, else INFO."""
    if getattr(args, "quiet", False):
        return logging.WARNING
    return logging.DEBUG if getattr(args, "verbose", 0) else logging.INFO


class _Formatter(logging.Formatter):
    """``NAME: message`` for INFO, ``NAME: LEVEL: message`` otherwise (``globalnet.data:
    warning: ...``), the way the commands print their errors."""

    def format(self, record: logging.LogRecord) -> str:
        msg = record.getMessage()
        if record.exc_info:
            msg += "\n" + self.formatException(record.exc_info)
        if record.levelno == logging.INFO:
            return f"{record.name}: {msg}"
        return f"{record.name}: {record.levelname.lower()}: {msg}"


class _StderrHandler(logging.Handler):
    """Writes to the ``sys.stderr`` of the moment (so a redirected or captured stderr gets the
    lines), through ``tqdm.write`` when tqdm is loaded, so a progress bar stays intact."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            msg = self.format(record)
            tqdm = sys.modules.get("tqdm")
            if tqdm is not None and hasattr(tqdm, "tqdm"):
                tqdm.tqdm.write(msg, file=sys.stderr)
            else:
                sys.stderr.write(msg + "\n")
                sys.stderr.flush()
        except Exception:  # noqa: BLE001  (logging's own policy: report, never raise)
            self.handleError(record)


def configure_logging(args: argparse.Namespace | None = None) -> int:
    """Show the toolkit's log lines on stderr at the level ``args`` asks for (INFO by default);
    returns that level. Idempotent: calling it again replaces the level, never adds a second
    handler."""
    level = log_level(args) if args is not None else logging.INFO
    root = logging.getLogger()
    handler = next((h for h in root.handlers if isinstance(h, _StderrHandler)), None)
    if handler is None:
        handler = _StderrHandler()
        handler.setFormatter(_Formatter())
        root.addHandler(handler)
    handler.setLevel(level)       # so a run log that lowers a logger's level (RunLogFile) adds none
    for name in LOGGERS:
        logging.getLogger(name).setLevel(level)
    everything = getattr(args, "verbose", 0) >= 2 and not getattr(args, "quiet", False)
    root.setLevel(logging.DEBUG if everything else logging.WARNING)
    return level


def progress_disabled(logger: str = "globalnet") -> bool | None:
    """tqdm's ``disable`` for a bar of ``logger``'s library: True when its INFO lines are hidden
    (``-q``, or a library call without the command line), else None (a bar on a terminal only)."""
    return None if logging.getLogger(logger).isEnabledFor(logging.INFO) else True


def file_handler(path, level: int = logging.INFO) -> logging.FileHandler:
    """A handler appending ``YYYY-mm-dd HH:MM:SS message`` lines to ``path`` (a run's log file):
    attach it to a logger, and remove and close it when the run ends."""
    h = logging.FileHandler(path, mode="a", encoding="utf-8")
    h.setLevel(level)
    h.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%d %H:%M:%S"))
    return h


class RunLogFile:
    """A run's log file for the length of a ``with`` block: every line the ``logger`` tree logs
    at INFO or above (the library's lines too), those logged before the file can be written
    included: they are held in memory until :meth:`write_to` names the file, and dropped if the
    block ends first (a run that failed before it made anything). The logger's level is lowered
    to INFO for the block if it was higher; the console handler keeps its own level."""

    def __init__(self, logger: str = "globalnet"):
        self.logger = logging.getLogger(logger)
        self.memory = None                              # a logging.handlers.MemoryHandler
        self.file: logging.FileHandler | None = None

    def __enter__(self) -> "RunLogFile":
        from logging.handlers import MemoryHandler
        self._level = self.logger.level
        if not self.logger.isEnabledFor(logging.INFO):
            self.logger.setLevel(logging.INFO)
        self.memory = MemoryHandler(1 << 20, flushLevel=logging.CRITICAL + 1)
        self.memory.setLevel(logging.INFO)
        self.logger.addHandler(self.memory)
        return self

    def write_to(self, path) -> None:
        """Write the lines held so far to ``path`` (appending) and every later one as it comes."""
        self.file = file_handler(path)
        self.memory.setTarget(self.file)
        self.memory.flush()
        self.logger.removeHandler(self.memory)
        self.logger.addHandler(self.file)
        self.memory.close()
        self.memory = None

    def file_only(self, message: str, level: int = logging.ERROR) -> None:
        """A line for the file alone (e.g. the error the command line reports anyway)."""
        handler = self.file or self.memory
        if handler is not None:
            handler.handle(self.logger.makeRecord(self.logger.name, level, "", 0, message,
                                                  None, None))

    def __exit__(self, *exc) -> None:
        for handler in (self.memory, self.file):
            if handler is not None:
                self.logger.removeHandler(handler)
                handler.close()
        if self.memory is not None:
            self.memory.buffer.clear()          # never written: the run made no log file
        self.memory = self.file = None
        self.logger.setLevel(self._level)
