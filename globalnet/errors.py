"""User-facing errors: one clear message, caught by the CLI and printed without a traceback."""


class GlobalNetError(Exception):
    """Bad input or configuration (unknown backbone, unusable weights, too-small input, ...).

    The message names the offending value or path and, where there is one, the way out.
    """


#: How a user turns on skipping unreadable files, in a message (library and CLI spelling).
SKIP_BAD_HINT = "set skip_bad = true (globalnet train --set skip_bad=true) to skip them"
