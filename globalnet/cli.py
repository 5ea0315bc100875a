"""``globalnet`` command line: one module per subcommand (``cmd_<name>.py`` with ``HELP``,
``add_arguments(parser)`` and ``run(args) -> int``), each a thin call into the library.

Only the chosen subcommand's module is imported, so running a global-path command never loads
the face-based reference code (``globalnet reference ...``)."""
from __future__ import annotations

import argparse
import importlib
import sys

from synthgroup.cliargs import command_parser
from synthgroup.errors import SynthGroupError, run_command
from synthgroup.logs import add_logging_args, configure_logging

from .errors import GlobalNetError

#: subcommand -> (module, one-line help); the help is here so listing commands imports nothing
COMMANDS = {
    "backbones": ("globalnet.cmd_backbones", "list the backbones with parameters, minimum input size "
                                             "and CAM target layer"),
    "train": ("globalnet.cmd_train", "train a global-only model (the paper's two-phase recipe)"),
    "evaluate": ("globalnet.cmd_evaluate", "evaluate a checkpoint on a dataset"),
    "predict": ("globalnet.cmd_predict", "frame-averaged prediction on images, videos or a live source"),
    "models": ("globalnet.cmd_models", "list the trained models shipped with the package (use "
                                       "their names as --checkpoint)"),
    "reference": ("globalnet.reference.cmd_reference", "the face-based REFERENCE path (individual-level "
                                                       "processing, kept apart from the product)"),
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; full arguments only for ``command`` (the one about to run)."""
    p, sub = command_parser("globalnet", "Global-only group-emotion CNNs (whole frames, never "
                                         "detected faces): 0 Positive, 1 Neutral, 2 Negative")
    for name, (module_name, help_text) in COMMANDS.items():
        sp = sub.add_parser(name, help=help_text, description=help_text)
        if name == command:
            module = importlib.import_module(module_name)
            module.add_arguments(sp)
            sp.set_defaults(func=module.run)
        add_logging_args(sp)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = next((a for a in argv if not a.startswith("-")), None)
    args = build_parser(command if command in COMMANDS else None).parse_args(argv)
    configure_logging(args)
    return run_command("globalnet", lambda: args.func(args), (GlobalNetError, SynthGroupError))


if __name__ == "__main__":
    sys.exit(main())
