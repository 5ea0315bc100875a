"""``globalnet train``: the two-phase recipe from a TOML config plus command-line overrides."""
from __future__ import annotations

import argparse
from dataclasses import MISSING, fields
from pathlib import Path

HELP = ("train a global-only CNN (phase 1: synthetic + real frames, phase 2: real frames; "
        "synthetic only without --data); works under torchrun")

#: flag -> config field, for the settings people change most; everything else via --set
_FLAGS = {
    "--backbone": ("backbone", str, "backbone name (see `globalnet backbones`)"),
    "--weights": ("weights", str, "none, imagenet or a checkpoint path"),
    "--data": ("data", str, "real dataset spec vgaf:DIR, gaf:DIR or videos:DIR"),
    "--val-data": ("val_data", str, "auto, synthetic or a dataset spec (split val)"),
    "--out": ("out", str, "run folder"),
    "--input-size": ("input_size", int, "crop size (default: the backbone's)"),
    "--batch-size": ("batch_size", int, None),
    "--lr": ("lr", float, None),
    "--optimizer": ("optimizer", str, "sgd: the paper's, with momentum; adamw: from scratch"),
    "--schedule": ("schedule", str, "constant, or onecycle over the whole run"),
    "--warmup-epochs": ("warmup_epochs", int, "phase-0 epochs of single large faces (from scratch)"),
    "--warmup-synthetic": ("warmup_synthetic", int, "images per warm-up epoch"),
    "--warmup-input-size": ("warmup_input_size", int, "warm-up crop size (default: --input-size)"),
    "--phase1-epochs": ("phase1_epochs", int, None),
    "--phase2-epochs": ("phase2_epochs", int, None),
    "--phase1-synthetic": ("phase1_synthetic", int, "synthetic images per phase-1 epoch"),
    "--phase1-real": ("phase1_real", int, "real frames per phase-1 epoch"),
    "--phase2-real": ("phase2_real", int, "real frames per phase-2 epoch"),
    "--val-size": ("val_size", int, "held-out synthetic validation images"),
    "--max-steps": ("max_steps", int, "stop after this many steps (resumable)"),
    "--seed": ("seed", int, None),
    "--device": ("device", str, "auto, cpu, cuda or cuda:N"),
    "--amp": ("amp", str, "mixed precision: float16 on CUDA, bfloat16 on a CPU; auto uses it "
                          "where the CPU has native bfloat16"),
    "--num-workers": ("num_workers", int, "DataLoader workers per process"),
}


def _flag_help(field: str, text: str | None, defaults: dict, choices: dict) -> str:
    """The help of a config flag with its choices and TrainConfig's default (the flag's value
    is checked with the rest of the config, so a wrong one is one message, not a usage text)."""
    text = text or f"config {field}"
    if field in choices:
        text += f" (choices: {', '.join(choices[field])})"
    if defaults.get(field) is not None and "default" not in text:
        text += f" (default: {defaults[field]})"
    return text


def add_arguments(p: argparse.ArgumentParser) -> None:
    from .config import AMP_MODES, OPTIMIZERS, SCHEDULES, TrainConfig

    defaults = {f.name: f.default for f in fields(TrainConfig) if f.default is not MISSING}
    choices = {"optimizer": OPTIMIZERS, "schedule": SCHEDULES, "amp": AMP_MODES}
    p.add_argument("--config", type=Path,
                   help="TOML file with TrainConfig settings (the flags below override it; "
                        "their defaults are TrainConfig's)")
    p.add_argument("--resume", type=Path, metavar="RUN_DIR",
                   help="continue a stopped run exactly (its config.toml; overrides apply)")
    for flag, (field, typ, help_) in _FLAGS.items():
        p.add_argument(flag, dest=f"cfg_{field}", type=str, metavar=typ.__name__.upper(),
                       help=_flag_help(field, help_, defaults, choices))
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="any config setting (repeatable), e.g. --set weight_decay=1e-4")
    p.add_argument("--no-progress", action="store_true", help="no progress bars (-q implies it)")
    p.add_argument("--print-config", action="store_true",
                   help="print the resolved config as TOML and exit")


def build_config(args):
    from .config import TrainConfig, parse_overrides
    from .errors import GlobalNetError

    overrides = parse_overrides(args.overrides)
    for flag, (field, _, _) in _FLAGS.items():
        v = getattr(args, f"cfg_{field}", None)
        if v is not None:
            overrides[field] = v
    if args.no_progress or getattr(args, "quiet", False):
        overrides["progress"] = False
    if args.resume is not None:
        if args.config is not None:
            raise GlobalNetError("--resume reads the run's own config.toml; drop --config")
        cfg_path = args.resume / "config.toml"
        if not cfg_path.is_file():
            raise GlobalNetError(f"cannot resume {args.resume}: no config.toml there")
        overrides["out"] = str(args.resume)
        return TrainConfig.load(cfg_path, overrides)
    if args.config is not None:
        return TrainConfig.load(args.config, overrides)
    return TrainConfig.from_dict(overrides, where="command line")


def run(args) -> int:
    from .train import train

    config = build_config(args).validate()
    if args.print_config:
        print(config.resolved().to_toml(), end="")
        return 0
    train(config, resume=args.resume is not None)
    return 0
