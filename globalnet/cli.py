"""``globalnet`` command line: one module per subcommand (``cmd_<name>.py`` with ``HELP``,
``add_arguments(parser)`` and ``run(args) -> int``), each a thin call into the library."""
from __future__ import annotations

import argparse
import importlib
import sys

from .errors import GlobalNetError

#: subcommand -> module; a module that is not there yet is simply not offered
COMMANDS = {
    "backbones": "globalnet.cmd_backbones",
    "train": "globalnet.cmd_train",
    "evaluate": "globalnet.cmd_evaluate",
    "predict": "globalnet.cmd_predict",
    "reference": "globalnet.reference.cmd_reference",
}


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="globalnet", description="Global-only group-emotion CNNs "
                                "(whole frames, never detected faces): 0 Positive, 1 Neutral, 2 Negative")
    sub = p.add_subparsers(dest="command", required=True)
    for name, module_name in COMMANDS.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                continue
            raise
        sp = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(sp)
        sp.set_defaults(func=module.run)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except GlobalNetError as exc:
        print(f"globalnet: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("globalnet: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
