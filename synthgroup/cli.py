"""``synthgroup`` command line: a thin layer over the library (generate, preview, inspect, export,
sources)."""
from __future__ import annotations

import argparse
import json
import os
import sys

from .config import GenConfig, parse_range, parse_size
from .cliargs import command_parser
from .errors import SynthGroupError, run_command
from .labels import SURPRISE_POLICIES, TIE_POLICIES
from .logs import add_logging_args, configure_logging


def _add_config_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("generation settings (override --config)")
    g.add_argument("--config", help="TOML file with GenConfig settings (a [synthgroup] table or top level)")
    g.add_argument("--faces", action="append", metavar="SPEC",
                   help="face source, repeatable, optionally weighted: procedural (default), "
                        "kdef:DIR, faces:DIR, folder:DIR, hf:NAME[:split]; e.g. 2*kdef:DIR")
    g.add_argument("--backgrounds", action="append", metavar="SPEC",
                   help="background source, repeatable: procedural (default), lsun:DIR[:cats], "
                        "folder:DIR, hf:NAME[:split]")
    g.add_argument("--size", help="output size N or HxW (default 224)")
    g.add_argument("--faces-per-image", metavar="MIN-MAX", help="face count range (default 1-9)")
    g.add_argument("--face-size", metavar="MIN-MAX",
                   help="face height as a fraction of the image (default 0.16-0.42)")
    g.add_argument("--overlap-tolerance", type=float,
                   help="share of a face allowed on other faces (default 0)")
    g.add_argument("--surprise", choices=SURPRISE_POLICIES,
                   help="what a surprised face counts as (default exclude: no surprised faces)")
    g.add_argument("--tie-policy", choices=TIE_POLICIES,
                   help="a tie between labels: neutral (default, the paper's) or draw again")
    g.add_argument("--no-balance", action="store_true", help="do not balance the three labels")
    g.add_argument("--split", choices=["all", "train", "test"],
                   help="held-out identities/backgrounds (default all)")
    g.add_argument("--no-face-aug", action="store_true", help="paste faces without augmentation")
    g.add_argument("--image-aug", action="store_true", help="whole-image photometric augmentation")
    g.add_argument("--seed", type=int, help="(default 0)")


def config_from_args(args: argparse.Namespace) -> GenConfig:
    cfg = GenConfig.from_toml(args.config) if args.config else GenConfig()
    changes = {}
    if args.faces:
        changes["faces"] = args.faces
    if args.backgrounds:
        changes["backgrounds"] = args.backgrounds
    if args.size:
        changes["size"] = parse_size(args.size)
    if args.faces_per_image:
        changes["faces_per_image"] = parse_range(args.faces_per_image, int)
    if args.face_size:
        changes["face_size"] = parse_range(args.face_size, float)
    for key in ("overlap_tolerance", "surprise", "tie_policy", "split", "seed"):
        if getattr(args, key) is not None:
            changes[key] = getattr(args, key)
    if args.no_balance:
        changes["balance"] = False
    if args.no_face_aug:
        changes["face_aug"] = type(cfg.face_aug)(**{**vars(cfg.face_aug), "enabled": False})
    if args.image_aug:
        changes["image_aug"] = type(cfg.image_aug)(**{**vars(cfg.image_aug), "enabled": True})
    return cfg.replace(**changes).validate()


def cmd_generate(args) -> int:
    from .shards import resolve_shard
    from .writer import generate
    shard = resolve_shard(args.shard)
    cfg = config_from_args(args)
    m = generate(cfg, args.out, args.n, workers=args.workers, shard=shard,
                 progress=not args.quiet, format=args.format, chunk=args.chunk)
    counts = ", ".join(f"{k} {v}" for k, v in m["class_counts"].items())
    print(f"{args.out}: {m['status']}; {counts}")
    for spec, files in m.get("skipped_files", {}).items():
        print(f"skipped {len(files)} unreadable file(s) in {spec}: " + ", ".join(list(files)[:5]))
    return 0


def cmd_preview(args) -> int:
    from .preview import preview
    cfg = config_from_args(args)
    path = preview(cfg, args.n, args.out, start=args.start, scale=args.scale)
    print(f"wrote {path}")
    return 0


def cmd_inspect(args) -> int:
    from .inspection import format_report, inspect_folder
    rep = inspect_folder(args.folder, replay=args.replay)
    print(json.dumps(rep, indent=2) if args.json else format_report(rep))
    return 0 if rep["ok"] else 1


def cmd_export(args) -> int:
    from .export import export_dataset
    path = export_dataset(args.folder, args.out, args.format, categories=args.categories)
    print(f"wrote {path}")
    return 0


def cmd_sources(args) -> int:
    from .sources import list_background_sources, list_face_sources
    print("face sources:       " + ", ".join(list_face_sources()))
    print("background sources: " + ", ".join(list_background_sources()))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p, sub = command_parser("synthgroup", "Synthetic group-emotion images (faces composited on "
                            "scenes, majority label: 0 Positive, 1 Neutral, 2 Negative)")
    g = sub.add_parser("generate", help="write a dataset folder (imagefolder + metadata.jsonl + masks)")
    g.add_argument("--n", "--count", dest="n", type=int, required=True,
                   help="number of images (--count: the same, for torchrun, whose parser takes "
                        "--n for an abbreviation of its own options)")
    g.add_argument("--out", default="synthgroup-data", help="output folder (default synthgroup-data)")
    g.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                   help="worker processes (default: one per CPU core)")
    from .formats import DEFAULT_FORMAT, list_output_formats
    g.add_argument("--format", default=DEFAULT_FORMAT, metavar="NAME",
                   help=f"output format, one of {', '.join(list_output_formats())}: image and mask "
                        "files (imagefolder), or one Parquet or WebDataset tar file per chunk "
                        f"under data/ for big sets (default {DEFAULT_FORMAT})")
    g.add_argument("--chunk", type=int, metavar="N",
                   help="images per chunk, the unit of work and resuming and, for parquet and "
                        "webdataset, of files (default: 100 for imagefolder, 1000 otherwise)")
    g.add_argument("--shard", metavar="K/N",
                   help="make only share K of N (chunks c with c mod N = K); default: from a SLURM "
                        "job array (SLURM_ARRAY_TASK_ID/COUNT) or torchrun (RANK/WORLD_SIZE), "
                        "else 0/1")
    _add_config_args(g)
    g.set_defaults(func=cmd_generate)
    v = sub.add_parser("preview", help="contact sheet of samples with labels and face boxes")
    v.add_argument("--n", type=int, default=16)
    v.add_argument("--out", default="preview.png")
    v.add_argument("--start", type=int, default=0, help="first sample index")
    v.add_argument("--scale", type=int, default=1, help="upscale tiles for viewing")
    _add_config_args(v)
    v.set_defaults(func=cmd_preview)
    i = sub.add_parser("inspect", help="counts, balance and validity checks of a generated folder")
    i.add_argument("folder")
    i.add_argument("--replay", type=int, default=0, metavar="N",
                   help="re-render the first N records' faces and check they do not overlap")
    i.add_argument("--json", action="store_true")
    i.set_defaults(func=cmd_inspect)
    from .coco import CATEGORY_SETS
    from .export import EXPORT_FORMATS
    x = sub.add_parser("export", help="write a complete folder's face annotations in another format")
    x.add_argument("folder", help="a complete synthgroup generate folder")
    x.add_argument("--format", choices=EXPORT_FORMATS.names(), default="coco",
                   help="coco (default): instance annotations, bbox and RLE segmentation from the masks")
    x.add_argument("--out", required=True, help="the annotation file to write (e.g. coco.json)")
    x.add_argument("--categories", choices=CATEGORY_SETS, default="group",
                   help="one category per emotion group (Positive, Neutral, Negative; the default) "
                        "or per emotion")
    x.set_defaults(func=cmd_export)
    s = sub.add_parser("sources", help="list the source kinds")
    s.set_defaults(func=cmd_sources)
    for sp in (g, v, i, x, s):
        add_logging_args(sp)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(args)
    return run_command("synthgroup", lambda: args.func(args), (SynthGroupError,),
                       "interrupted; rerun the same command to finish")


if __name__ == "__main__":
    sys.exit(main())
