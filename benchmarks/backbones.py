"""Train and evaluate every registry backbone under one protocol; a table like the paper's.

    python -m benchmarks.backbones --profile cpu                  # the committed CPU table
    python -m benchmarks.backbones --profile cpu --top 5 --seeds 3    # then 3 seeds for the top 5
    python -m benchmarks.backbones --profile smoke --results /tmp/r   # seconds per backbone
    python -m benchmarks.backbones --profile paper --real vgaf:/data/VGAF   # GPUs, ImageNet weights
    python -m benchmarks.backbones --profile cpu --backbones resnet18 vgg19 --seeds 3 --set lr=0.01

Protocol: the same synthetic stream (``GenConfig(split="train")``, on the fly), seed, image
budget and augmentation for every backbone; evaluation of the *last* checkpoint (no selection on
the test set) on a fixed held-out synthetic test set (``GenConfig(split="test")``: identities and
backgrounds that never appear in training) and on a real validation split when ``--real`` is
given (it is then also mixed into training, as in the paper's recipe). One JSONL row per
(backbone, seed) in ``benchmarks/results/backbones_<profile>.jsonl``; a rerun skips finished rows
(``--rerun`` redoes them) and an interrupted backbone restarts from scratch.
"""
from __future__ import annotations

import json
import shutil
import statistics
import time
from pathlib import Path

from .common import (append_rows, command_line, machine, markdown_table, parser, read_rows, row_file,
                     write_rows)
from synthgroup.labels import CLASS_NAMES

#: Every value here can be overridden with --set KEY=VALUE (TrainConfig fields or test_n).
PROFILES: dict[str, dict] = {
    # seconds per backbone: a handful of steps, used by the test suite
    "smoke": dict(input_size=75, weights=None, phase1_epochs=1, phase1_synthetic=8, phase2_epochs=0,
                  batch_size=4, val_size=4, test_n=12, num_workers=0, progress=False),
    # 112x112 from random init (no weights can be downloaded here) with the curriculum that
    # learns: 48,000 single large faces at 64 px, then 24,000 task images at 112 px, AdamW under
    # one learning-rate cycle, bfloat16 where the CPU has it natively
    "cpu": dict(input_size=112, weights=None, warmup_epochs=1, warmup_synthetic=48_000,
                warmup_input_size=64, phase1_epochs=1, phase1_synthetic=24_000, phase2_epochs=0,
                batch_size=64, optimizer="adamw", schedule="onecycle", lr=0.002,
                weight_decay=0.05, amp="auto", val_size=200, test_n=600, num_workers=0),
    # the paper's schedule at 224x224 with ImageNet weights: for GPUs
    "paper": dict(input_size=224, weights="imagenet", phase1_epochs=10, phase1_synthetic=10_000,
                  phase2_epochs=10, batch_size=32, val_size=1000, test_n=2000, num_workers=4),
}
TEST_SEED = 2020
#: per-backbone settings of a profile (data, recorded in each row): what a backbone needs to
#: learn in the budget, found by trying; ``{}`` for the rest
BACKBONE_OVERRIDES: dict[str, dict[str, dict]] = {"cpu": {
    # plain networks: from scratch they stay at ln 3 without normalisation (squeezenet1_1 with
    # the plain profile: 33.3 %, every scene Positive, 2026-12-01); BatchNorm while training,
    # folded into the convolutions in the checkpoint (the plain architecture)
    **{name: {"batchnorm_fold": True} for name in ("vgg11", "vgg16", "vgg19", "vgg19_mod",
                                                   "squeezenet1_1")},
    # its eval-mode minimum input is 75 px: the warm-up cannot run at 64
    "inception_v3": {"warmup_input_size": 80},
}}
#: why a backbone stays at chance under a profile, and what was tried (shown in the table)
REASONS: dict[str, dict[str, str]] = {"cpu": {}}
#: the paper's VGAF validation ranking (Petrova et al. 2020, Table 2: fine-tuned from ImageNet on
#: synthetic + VGAF, accuracy %), beside the synthetic ranking; None where the paper gives none
PAPER_VGAF: dict[str, float | None] = {}


def _parse_set(items: list[str]) -> dict:
    out = {}
    for item in items or []:
        key, eq, value = item.partition("=")
        if not eq:
            raise SystemExit(f"benchmarks.backbones: --set {item!r} is not KEY=VALUE")
        try:
            out[key] = json.loads(value)
        except ValueError:
            out[key] = value
    return out


def _row_key(row: dict) -> tuple:
    return row["backbone"], row["seed"]


def run_one(backbone: str, seed: int, prof: dict, work: Path, real: str | None, device: str,
            progress: bool, keep: Path | None = None) -> dict:
    """Train one backbone from scratch and evaluate its last checkpoint (copied into ``keep``)."""
    import torch
    from globalnet.backbones import count_parameters, create_backbone, get_backbone_spec
    from globalnet.config import TrainConfig
    from globalnet.device import precision_name
    from globalnet.data.transforms import eval_transform
    from globalnet.evaluate import eval_dataset, run_model, synthetic_eval_set
    from globalnet.train import train
    from synthgroup import __version__

    run_dir = work / f"{backbone}-seed{seed}"
    if run_dir.exists():             # an interrupted run restarts cleanly
        shutil.rmtree(run_dir)
    fields = {k: v for k, v in prof.items() if k != "test_n"}
    spec = get_backbone_spec(backbone)
    size = fields["input_size"]
    if spec.train_aux_logits(size) is False:
        fields["aux_logits"] = False   # e.g. inception_v3's aux head needs 299 px
    fields.setdefault("progress", progress)
    cfg = TrainConfig(backbone=backbone, seed=seed, data=real, out=str(run_dir), device=device, **fields)
    t0 = time.perf_counter()
    run = train(cfg)
    wall = time.perf_counter() - t0
    metrics = [json.loads(l) for l in (run / "metrics.jsonl").read_text().splitlines() if l.strip()]
    train_ips = statistics.median(m["images_per_s"] for m in metrics if m.get("images_per_s"))
    model = create_backbone(backbone, weights=str(run / "last.pt"))
    tf = eval_transform(size, spec.mean, spec.std)
    test = synthetic_eval_set(prof["test_n"], size, tf, seed=TEST_SEED)
    dev = "cuda" if device in ("auto", "cuda") and torch.cuda.is_available() else "cpu"
    model.to(dev)
    t1 = time.perf_counter()
    m = run_model(model, test, batch_size=fields["batch_size"], device=dev)
    infer_ips = m["total"] / (time.perf_counter() - t1)
    row = {
        "backbone": backbone, "seed": seed, "accuracy": m["accuracy"], "macro_f1": m["macro_f1"],
        "recall": {c: r["recall"] for c, r in m["per_class"].items()},
        "confusion": m["confusion"], "test_images": m["total"],
        "parameters": count_parameters(model), "input_size": size,
        "train_images": cfg.phase1_epochs * cfg.phase1_synthetic,
        "train_images_per_s": train_ips, "inference_images_per_s": infer_ips,
        "wall_time_s": wall, "version": __version__,
        "precision": precision_name(cfg.amp, torch.device(dev)),
    }
    if real:
        r = run_model(model, eval_dataset(real, backbone, size, split="val"),
                      batch_size=fields["batch_size"], device=dev)
        row.update(real_accuracy=r["accuracy"], real_macro_f1=r["macro_f1"])
    if keep is not None:          # e.g. the trained vgg19 that benchmarks.scorecam_speed explains
        keep.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(run / "last.pt", keep / f"{backbone}-seed{seed}.pt")
        row["checkpoint"] = str(keep / f"{backbone}-seed{seed}.pt")
    shutil.rmtree(run_dir, ignore_errors=True)
    return row


def summarise(rows: list[dict], profile: str = "cpu") -> list[dict]:
    """Mean +- std over seeds per backbone, sorted by accuracy like the paper's table; the
    recorded reason of a backbone that did not learn and the paper's VGAF figure beside it."""
    by: dict[str, list[dict]] = {}
    failed = {}
    for r in rows:
        if "error" in r:
            failed[r["backbone"]] = r["error"]
        else:
            by.setdefault(r["backbone"], []).append(r)
    out = []
    for name, rs in by.items():
        acc = [r["accuracy"] for r in rs]
        f1 = [r["macro_f1"] for r in rs]
        sd = (lambda v: statistics.stdev(v) if len(v) > 1 else 0.0)
        entry = {
            "backbone": name, "seeds": len(rs),
            "accuracy": f"{100 * statistics.mean(acc):.1f} ± {100 * sd(acc):.1f}",
            "_acc": statistics.mean(acc),
            "macro-F1": f"{statistics.mean(f1):.3f}",
            "recall P/Neu/Neg": "/".join(f"{statistics.mean(r['recall'][c] for r in rs):.2f}"
                                         for c in CLASS_NAMES),
            "params (M)": f"{rs[0]['parameters'] / 1e6:.1f}",
            "train img/s": f"{statistics.mean(r['train_images_per_s'] for r in rs):.1f}",
            "infer img/s": f"{statistics.mean(r['inference_images_per_s'] for r in rs):.1f}",
            "wall (s)": f"{statistics.mean(r['wall_time_s'] for r in rs):.0f}",
            # rows from before mixed precision on CPU carry no "precision": they ran in float32
            "precision": "/".join(sorted({r.get("precision", "float32") for r in rs})),
        }
        if REASONS.get(profile, {}).get(name):
            entry["reason"] = REASONS[profile][name]
        if PAPER_VGAF.get(name) is not None:
            entry["paper VGAF %"] = PAPER_VGAF[name]
        if "real_accuracy" in rs[0]:
            entry["real accuracy"] = f"{100 * statistics.mean(r['real_accuracy'] for r in rs):.1f}"
        out.append(entry)
    out = sorted(out, key=lambda e: -e["_acc"])
    for name, err in failed.items():
        if name not in by:
            out.append({"backbone": name, "accuracy": f"failed: {err[:80]}", "_acc": -1})
    return out


def top_backbones(rows: list[dict], names: list[str], k: int) -> list[str]:
    """The ``k`` backbones of ``names`` with the best seed-0 accuracy among ``rows``."""
    if k < 1:
        raise SystemExit(f"benchmarks.backbones: --top must be at least 1, not {k}")
    first = {r["backbone"]: r["accuracy"] for r in rows
             if r.get("seed") == 0 and "accuracy" in r and r["backbone"] in names}
    missing = [n for n in names if n not in first]
    if len(first) < k:
        raise SystemExit(f"benchmarks.backbones: --top {k} needs {k} finished seed-0 rows; "
                         f"missing {', '.join(missing)}")
    return sorted(first, key=lambda n: -first[n])[:k]


def write_table(path_md: Path, rows: list[dict], profile: str, prof: dict, cmd: str) -> str:
    """Write the Markdown table of ``rows`` to ``path_md``; returns it."""
    table = summarise(rows, profile)
    cols = ["rank", "backbone", "seeds", "accuracy", "macro-F1", "recall P/Neu/Neg", "params (M)",
            "train img/s", "infer img/s", "precision", "wall (s)"]
    if any("real accuracy" in t for t in table):
        cols.insert(4, "real accuracy")
    cols += [c for c in ("paper VGAF %", "reason") if any(c in t for t in table)]
    for i, t in enumerate(table, 1):
        t["rank"] = i
    lines = [f"# Backbones, profile `{profile}`", "", f"`{cmd}`", "",
             "Accuracy (%) on the held-out synthetic test set (identities and backgrounds never seen "
             f"in training; {prof['test_n']} images, seed {TEST_SEED}); last checkpoint; mean ± std "
             "over seeds.", "", "Profile: " + ", ".join(f"{k}={v}" for k, v in prof.items()), "",
             markdown_table(table, cols), "",
             f"Whole table: {sum(r.get('wall_time_s', 0) for r in rows) / 60:.1f} min of training and "
             f"evaluation ({len(rows)} row(s)).", "", f"Machine: {machine()}"]
    path_md.write_text("\n".join(lines) + "\n")
    return "\n".join(lines)


def main(argv=None) -> int:
    from globalnet.backbones import list_backbones
    from globalnet.errors import GlobalNetError
    p = parser(__doc__)
    p.add_argument("--profile", choices=sorted(PROFILES), default="cpu")
    p.add_argument("--backbones", nargs="*", help="subset (default: every registry entry)")
    p.add_argument("--seeds", type=int, default=1, help="seeds per backbone (0..N-1)")
    p.add_argument("--top", type=int, metavar="K",
                   help="only the K most accurate backbones of the finished seed-0 rows (with "
                        "--seeds 3: the extra seeds of the top K)")
    p.add_argument("--real", help="real data spec (vgaf:DIR, gaf:DIR, videos:DIR)")
    p.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a profile value")
    p.add_argument("--rerun", action="store_true", help="redo rows that are already there")
    p.add_argument("--work", type=Path, default=Path("runs/benchmarks"), help="scratch run folders")
    p.add_argument("--keep", type=Path, metavar="DIR",
                   help="copy each trained checkpoint to DIR/<backbone>-seed<N>.pt")
    p.add_argument("--device", default="auto")
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)
    prof = dict(PROFILES[args.profile], **_parse_set(args.set))
    names = args.backbones or list_backbones()
    unknown = [n for n in names if n not in list_backbones()]
    if unknown:
        raise SystemExit(f"benchmarks.backbones: unknown backbone(s) {', '.join(unknown)}; "
                         f"choose from {', '.join(list_backbones())}")
    jsonl = row_file(args.results, f"backbones_{args.profile}")
    rows = read_rows(jsonl)
    if args.rerun:
        redo = {(n, s) for n in names for s in range(args.seeds)}
        rows = [r for r in rows if _row_key(r) not in redo]
        write_rows(jsonl, rows)
    done = {_row_key(r) for r in rows}
    if args.top is not None:
        names = top_backbones(rows, names, args.top)
    work = args.work / args.profile
    cmd = command_line("benchmarks.backbones", argv)
    for name in names:
        for seed in range(args.seeds):
            if (name, seed) in done:
                print(f"{name} seed {seed}: done, skipped", flush=True)
                continue
            try:
                own = BACKBONE_OVERRIDES.get(args.profile, {}).get(name, {})
                row = run_one(name, seed, {**prof, **own}, work, args.real, args.device,
                              not args.quiet, args.keep)
                row["backbone_overrides"] = own
            except GlobalNetError as exc:   # e.g. the loss became NaN: a row that says so
                from synthgroup import __version__
                row = {"backbone": name, "seed": seed, "error": str(exc).splitlines()[0],
                       "version": __version__}
            row["profile"] = args.profile
            row["overrides"] = _parse_set(args.set)
            rows.append(row)
            append_rows(jsonl, [row])
            print(f"{name} seed {seed}: " + (f"accuracy {row['accuracy']:.3f}, {row['wall_time_s']:.0f} s"
                                              if "error" not in row else f"failed: {row['error']}"), flush=True)
            write_table(args.results / f"backbones_{args.profile}.md", rows, args.profile, prof, cmd)
    print(write_table(args.results / f"backbones_{args.profile}.md", rows, args.profile, prof, cmd))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
