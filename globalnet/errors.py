"""User-facing errors: one clear message, caught by the CLI and printed without a traceback."""


class GlobalNetError(Exception):
    """Bad input or configuration (unknown backbone, unusable weights, too-small input, ...).

    The message names the offending value or path and, where there is one, the way out.
    """
