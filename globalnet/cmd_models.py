"""``globalnet models``: the model zoo (trained models shipped with the package).

    globalnet models                         # name, backbone, size, accuracy, frames/s, MB
    globalnet models --card synth-resnet18   # the model card (Markdown)
    globalnet models --json
    globalnet models --export run/best.pt --out my-model.pt   # a shippable half-precision copy
"""
from __future__ import annotations

import argparse
import json

HELP = "list the trained models shipped with the package (use their names as --checkpoint)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--card", metavar="NAME", help="print the model card of NAME")
    p.add_argument("--json", action="store_true", help="print the table as JSON")
    p.add_argument("--export", metavar="CHECKPOINT",
                   help="write CHECKPOINT as a zoo file (half precision, no optimiser state) to "
                        "--out and print its sha256")
    p.add_argument("--out", help="output file of --export")


def _cell(v, fmt: str) -> str:
    return format(v, fmt) if isinstance(v, (int, float)) else "-"


def run(args) -> int:
    from .errors import GlobalNetError
    from . import zoo

    if args.export:
        if not args.out:
            raise GlobalNetError("--export needs --out FILE")
        digest = zoo.export_weights(args.export, args.out)
        print(f"{args.out}  sha256 {digest}")
        return 0
    if args.card:
        print(zoo.model_card(args.card), end="")
        return 0
    rows = zoo.describe_models()
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    if not rows:
        print("no zoo models are installed")
        return 0
    head = f"{'name':22s} {'backbone':14s} {'size':>5s} {'acc %':>6s} {'+flip %':>7s} " \
           f"{'frames/s':>8s} {'MB':>6s}  recipe"
    print(head)
    for r in rows:
        print(f"{r['name']:22s} {r['backbone']:14s} {r['input_size']:5d} "
              f"{_cell(r['accuracy'] and 100 * r['accuracy'], '6.1f')} "
              f"{_cell(r['accuracy_flip'] and 100 * r['accuracy_flip'], '7.1f')} "
              f"{_cell(r['frames_per_s'], '8.0f')} {_cell(r['size_mb'], '6.1f')}  {r['recipe']}")
    print("\naccuracy: held-out synthetic scenes (globalnet models --card NAME); trained on "
          "procedural faces and scenes only, never evaluated on real photos")
    return 0
