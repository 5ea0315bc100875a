"""User-facing errors: one clear message, caught by the CLI and printed without a traceback."""


class SynthGroupError(Exception):
    """Bad input or configuration; the message names the offending path or value."""


class ConfigError(SynthGroupError):
    """An impossible or inconsistent configuration."""


class SourceError(SynthGroupError):
    """A face or background source that cannot be used (missing path, empty, wrong layout)."""


class CorruptItemError(SourceError):
    """One file inside an otherwise valid source cannot be read; it is skipped and reported."""


def run_command(prog: str, call, errors: tuple[type[BaseException], ...],
                interrupted: str = "interrupted") -> int:
    """Run one CLI command the way every console script here does: a user error is one
    ``PROG: error: ...`` line on stderr and exit code 2 (no traceback); Ctrl-C is exit 130."""
    import sys

    try:
        return int(call() or 0)
    except errors as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{prog}: {interrupted}", file=sys.stderr)
        return 130
