"""Argument-parser pieces shared by the console scripts (synthgroup, globalnet, explain)."""
from __future__ import annotations

import argparse
import copy
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


class HelpFormatter(argparse.HelpFormatter):
    """``--help`` that shows every option's default and choices: ``(default: X)`` is added where
    there is a default and the help text does not already state one; the choices of an option
    with a metavar (which hides them in the option's name) are listed too."""

    def _format_action(self, action: argparse.Action) -> str:
        if not action.help and action.option_strings:   # an option without help text
            extra = self._get_help_string(action).strip()
            if extra:
                action = copy.copy(action)
                action.help = extra
        return super()._format_action(action)

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if action.help is argparse.SUPPRESS:
            return text
        if (action.choices is not None and action.metavar is not None
                and "choices:" not in text):
            text += f" (choices: {', '.join(map(str, action.choices))})"
        default = action.default
        shown = (action.option_strings and default is not None and default is not False
                 and default is not argparse.SUPPRESS and default != []
                 and "default" not in text.lower()
                 and not isinstance(action, (argparse._HelpAction, argparse._VersionAction,
                                             argparse._CountAction)))
        if shown:
            text += " (default: %(default)s)"
        return text


class ArgumentParser(argparse.ArgumentParser):
    """``argparse.ArgumentParser`` with :class:`HelpFormatter`; its subcommands' parsers are of
    this class too, so they show defaults and choices the same way."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)


def command_parser(prog: str, description: str) -> tuple[ArgumentParser, argparse._SubParsersAction]:
    """A console script's parser with ``--version``, and its (required) subcommands, whose name
    lands in ``args.command``."""
    from . import __version__
    p = ArgumentParser(prog=prog, description=description)
    p.add_argument("--version", action="version", version=f"{prog} {__version__}")
    return p, p.add_subparsers(dest="command", required=True)


#: what a ``--checkpoint`` may name (``globalnet.checkpoints`` resolves it)
CHECKPOINT_HELP = "a checkpoint written by training, or a zoo model name (globalnet models)"


def add_model_args(p: argparse.ArgumentParser, *, prefix: str = "", required: bool = True,
                   backbone: bool = True, use: str = "") -> None:
    """``--[PREFIX]checkpoint`` (``use``: what the model is for, added to its help) and, with
    ``backbone``, ``--[PREFIX]backbone`` for a raw state_dict."""
    flag = f"--{prefix}checkpoint"
    p.add_argument(flag, required=required, help=CHECKPOINT_HELP + (f" {use}" if use else ""))
    if backbone:
        p.add_argument(f"--{prefix}backbone", default=None,
                       help=f"backbone of {flag} (only for a raw state_dict; must match otherwise)")


def add_device_arg(p: argparse.ArgumentParser) -> None:
    """``--device``: where the model runs."""
    p.add_argument("--device", default="auto", help="auto (CUDA if available), cpu, cuda, cuda:N")
