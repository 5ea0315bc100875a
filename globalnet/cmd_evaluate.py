"""``globalnet evaluate``: a checkpoint on a dataset -> accuracy, per-class report, confusion."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from synthgroup.cliargs import add_device_arg, add_model_args

HELP = "evaluate a checkpoint on a dataset (accuracy, per-class precision/recall/F1, confusion)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_model_args(p, backbone=False)
    p.add_argument("--data", required=True,
                   help="vgaf:DIR, gaf:DIR, videos:DIR or synthetic[:N] (held-out synthetic set)")
    p.add_argument("--split", default="val", help="split of a real dataset (default: val)")
    p.add_argument("--out", type=Path, help="write confusion.json/.png and report.json here")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--num-workers", type=int, default=0)
    add_device_arg(p)
    p.add_argument("--input-size", type=int, help="default: the checkpoint's training size")
    p.add_argument("--frames", type=int, default=2000,
                   help="frames drawn from a video split (0: every frame)")
    p.add_argument("--seed", type=int, default=12345)
    p.add_argument("--json", action="store_true", help="print the report as JSON")


def run(args) -> int:
    from .errors import GlobalNetError
    from .evaluate import evaluate, format_report

    if args.batch_size < 1:
        raise GlobalNetError(f"--batch-size must be >= 1, got {args.batch_size}")
    m = evaluate(args.checkpoint, args.data, split=args.split, out=args.out,
                 batch_size=args.batch_size, num_workers=args.num_workers, device=args.device,
                 input_size=args.input_size, frames=args.frames or None, seed=args.seed)
    if args.json:
        print(json.dumps({k: v for k, v in m.items()}, indent=2))
    else:
        print(f"{m['backbone']} {m['checkpoint']} on {m['data']} ({m['split']}):")
        print(format_report(m))
        if args.out:
            print(f"wrote {args.out}/confusion.json, confusion.png, report.json")
    return 0
