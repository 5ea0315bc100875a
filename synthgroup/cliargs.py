"""Argument-parser pieces shared by the console scripts (synthgroup, globalnet, explain)."""
from __future__ import annotations

import argparse
import sys


class DeprecatedOption(argparse.Action):
    """An old spelling of an option that still works: it stores its value(s) in its own ``dest``
    and prints one ``PROG: note: ...`` line to stderr saying what to write instead (``use``).
    Hidden from ``--help``."""

    def __init__(self, option_strings, dest, *, use: str, **kwargs):
        kwargs.setdefault("help", argparse.SUPPRESS)
        super().__init__(option_strings, dest, **kwargs)
        self.use = use

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"{parser.prog}: note: {option_string} is deprecated; {self.use}", file=sys.stderr)
        setattr(namespace, self.dest, values)
