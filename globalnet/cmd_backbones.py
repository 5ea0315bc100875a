"""``globalnet backbones``: print the backbone registry as a table (or JSON).

Wire it into the CLI with::

    p = subparsers.add_parser("backbones", help="list the available backbones")
    add_backbones_arguments(p)
    p.set_defaults(func=cmd_backbones)
"""
from __future__ import annotations

import argparse
import json

_COLUMNS = (("name", "name"), ("parameters", "params"), ("min_input", "min input"),
            ("min_train_input", "min train"), ("input_size", "input"),
            ("target_layer", "CAM target layer"), ("weights", "ImageNet weights"))


def add_backbones_arguments(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.add_argument("names", nargs="*", help="only these backbones (default: all)")
    p.add_argument("--json", action="store_true", help="print JSON rows instead of a table")
    p.add_argument("--num-classes", type=int, default=3, help="output classes (default 3)")
    return p


def _fmt(key: str, value) -> str:
    if key == "parameters":
        return f"{value / 1e6:.2f}M"
    if key in ("min_input", "min_train_input", "input_size"):
        return f"{value}x{value}"
    return str(value)


def format_table(rows: list[dict]) -> str:
    header = [title for _, title in _COLUMNS]
    body = [[_fmt(key, row[key]) for key, _ in _COLUMNS] for row in rows]
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
    right = {1, 2, 3, 4}
    lines = []
    for r in [header, *body]:
        cells = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def cmd_backbones(args: argparse.Namespace) -> int:
    """Print name, parameters, min input, input size and Grad-CAM target layer of each backbone.

    Raises :class:`globalnet.GlobalNetError` for an unknown name (the CLI prints it)."""
    from .backbones import describe_backbones, get_backbone_spec

    names = list(getattr(args, "names", None) or []) or None
    for n in names or []:
        get_backbone_spec(n)     # clear error before any work
    rows = describe_backbones(names, num_classes=getattr(args, "num_classes", 3) or 3)
    if getattr(args, "json", False):
        print(json.dumps(rows, indent=2))
    else:
        print(format_table(rows))
        print("\nmin input: smallest HxW in eval mode; min train: in train mode with auxiliary heads.")
    return 0


def main(argv=None) -> int:  # python -m globalnet.cmd_backbones
    import sys

    from .errors import GlobalNetError

    p = add_backbones_arguments(argparse.ArgumentParser(prog="globalnet backbones"))
    try:
        return cmd_backbones(p.parse_args(argv))
    except GlobalNetError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())


# the CLI's plugin interface (globalnet/cli.py)
HELP = "list the backbones with parameters, minimum input size and CAM target layer"
add_arguments = add_backbones_arguments
run = cmd_backbones
