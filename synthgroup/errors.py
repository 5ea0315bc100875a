"""User-facing errors: one clear message, caught by the CLI and printed without a traceback."""


class SynthGroupError(Exception):
    """Bad input or configuration; the message names the offending path or value."""


class ConfigError(SynthGroupError):
    """An impossible or inconsistent configuration."""


class SourceError(SynthGroupError):
    """A face or background source that cannot be used (missing path, empty, wrong layout)."""


class CorruptItemError(SourceError):
    """One file inside an otherwise valid source cannot be read; it is skipped and reported."""
