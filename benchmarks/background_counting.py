"""Does a global-only model ignore the background, and does it count faces? (the paper's
second hypothesis, and the majority rule)

    python -m benchmarks.background_counting --models synth-resnet18 random:resnet18
    python -m benchmarks.background_counting --quick --models random:squeezenet1_1 --results /tmp/r

On held-out synthetic test scenes (``GenConfig(split="test", seed=2020)``, 1-9 faces, the
evaluation canvas of the model's input size), each a record re-rendered with one thing changed
(:mod:`synthgroup.interventions`):

* **background swap**: the same faces at the same positions on K other scenes' backgrounds:
  how often the predicted class stays, and the mean total-variation change of the probabilities;
* **background only**: the record with every face removed: how far the prediction is from
  uniform (KL divergence to uniform, in nats; ``ln 3 = 1.10`` is a sure answer) - a model that
  ignores the background has nothing to say there;
* **counting**: each face removed in turn: when the majority rule's label changes, how often
  the prediction changes with it (and lands on the new label); when the rule's label does not
  change, how often the prediction stays;
* accuracy by number of faces and by the majority's margin.

Proportions carry 95 % Wilson intervals. ``random:BACKBONE`` is an untrained control of the same
backbone. Results: ``benchmarks/results/background_counting.{json,md}``.
"""
from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numpy as np

from .backbones import TEST_SEED
from .common import RESULTS, chosen_profile, load_predictor, machine, markdown_table, save, wilson

PROFILES = {"default": dict(scenes=300, backgrounds=4, counting_scenes=150),
            "quick": dict(scenes=6, backgrounds=2, counting_scenes=3)}


def _fmt(share) -> str:
    p, lo, hi = share
    return "-" if math.isnan(p) else f"{100 * p:.1f} [{100 * lo:.1f}, {100 * hi:.1f}]"


def kl_to_uniform(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-12, 1)
    return (p * np.log(p * p.shape[-1])).sum(-1)


def measure(spec: str, scenes: int, backgrounds: int, counting_scenes: int) -> dict:
    from synthgroup import GenConfig, Sources, render_record, sample_record
    from synthgroup.interventions import majority_margin, with_background, without_faces

    pred = load_predictor(spec)
    size = pred.input_size if isinstance(pred.input_size, int) else pred.input_size[0]
    canvas = max(96, round(size * 256 / 224))
    cfg = GenConfig(size=(canvas, canvas), split="test", seed=TEST_SEED)
    src = Sources(cfg)
    records = [sample_record(cfg, src, i)[0] for i in range(scenes)]
    render = lambda r: render_record(r, src)[0]  # noqa: E731
    t0 = time.perf_counter()
    p0 = pred.predict_frames([render(r) for r in records])
    y0 = p0.argmax(1)
    labels = np.array([r["label"] for r in records])
    row = {"model": spec, "backbone": pred.backbone, "input_size": size, "scenes": scenes}

    # background swap
    same, tv = 0, []
    for k in range(1, backgrounds + 1):
        swapped = [with_background(r, records[(i + k) % scenes]["background"])
                   for i, r in enumerate(records)]
        p = pred.predict_frames([render(r) for r in swapped])
        same += int((p.argmax(1) == y0).sum())
        tv.append(0.5 * np.abs(p - p0).sum(1))
    row["background_swap_same_class"] = wilson(same, scenes * backgrounds)
    row["background_swap_tv"] = float(np.concatenate(tv).mean())

    # background only
    pb = pred.predict_frames([render(without_faces(r)) for r in records])
    row["background_only_kl"] = float(kl_to_uniform(pb).mean())
    row["scene_kl"] = float(kl_to_uniform(p0).mean())
    row["background_only_classes"] = np.bincount(pb.argmax(1), minlength=3).tolist()

    # counting: remove one face at a time
    changed = followed = landed = kept = stayed = 0
    for i, r in enumerate(records[:counting_scenes]):
        if r["n_faces"] < 2:
            continue
        fewer = [without_faces(r, [k]) for k in range(r["n_faces"])]
        p = pred.predict_frames([render(f) for f in fewer]).argmax(1)
        for f, y in zip(fewer, p):
            if f["label"] != r["label"]:
                changed += 1
                followed += int(y != y0[i])
                landed += int(y == f["label"])
            else:
                kept += 1
                stayed += int(y == y0[i])
    row["rule_changed"] = changed
    row["prediction_changes_with_rule"] = wilson(followed, changed)
    row["prediction_lands_on_new_label"] = wilson(landed, changed)
    row["prediction_stays_with_rule"] = wilson(stayed, kept)

    # accuracy by number of faces and by margin
    n_faces = np.array([r["n_faces"] for r in records])
    margins = np.array([min(3, majority_margin(r)) for r in records])
    row["accuracy"] = wilson(int((y0 == labels).sum()), scenes)
    row["accuracy_by_faces"] = {int(n): wilson(int(((y0 == labels) & (n_faces == n)).sum()),
                                               int((n_faces == n).sum())) for n in np.unique(n_faces)}
    row["accuracy_by_margin"] = {int(m): wilson(int(((y0 == labels) & (margins == m)).sum()),
                                                int((margins == m).sum())) for m in np.unique(margins)}
    row["seconds"] = round(time.perf_counter() - t0, 1)
    return row


def markdown(rows: list[dict], cmd: str, info: dict) -> str:
    main = [{"model": r["model"], "accuracy %": _fmt(r["accuracy"]),
             "same class, other background %": _fmt(r["background_swap_same_class"]),
             "mean TV change": f"{r['background_swap_tv']:.3f}",
             "KL to uniform, background only": f"{r['background_only_kl']:.3f}",
             "KL to uniform, scenes": f"{r['scene_kl']:.3f}",
             "background-only classes P/Neu/Neg": "/".join(map(str, r["background_only_classes"])),
             "rule changed (n)": r["rule_changed"],
             "prediction changes with the rule %": _fmt(r["prediction_changes_with_rule"]),
             "lands on the new label %": _fmt(r["prediction_lands_on_new_label"]),
             "stays when the rule stays %": _fmt(r["prediction_stays_with_rule"])} for r in rows]
    by_faces = [{"model": r["model"], **{f"{n} faces": _fmt(s) for n, s in r["accuracy_by_faces"].items()}}
                for r in rows]
    by_margin = [{"model": r["model"], **{("tie" if m == 0 else f"margin {m}" + ("+" if m == 3 else "")): _fmt(s)
                                          for m, s in r["accuracy_by_margin"].items()}} for r in rows]
    cols = lambda t: list(dict.fromkeys(k for row in t for k in row))  # noqa: E731
    return "\n".join([
        "# Background and counting", "", f"`{cmd}`", "",
        "Held-out synthetic test scenes re-rendered with one change (`synthgroup.interventions`). "
        "Shares in % with 95 % Wilson intervals. TV = total variation of the class probabilities "
        "(0 = unchanged, 1 = opposite). KL to uniform in nats (0 = no opinion, ln 3 = 1.10 = "
        "certain).", "", markdown_table(main, cols(main)), "",
        "## Accuracy by number of faces", "", markdown_table(by_faces, cols(by_faces)), "",
        "## Accuracy by the majority's margin (faces of the majority group minus the runner-up)", "",
        markdown_table(by_margin, cols(by_margin)), "", f"Machine: {info}"])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", nargs="+", required=True,
                   help="zoo names, checkpoints, or random:BACKBONE[@SIZE] (untrained control)")
    p.add_argument("--quick", action="store_true", help="a few scenes (for tests)")
    p.add_argument("--scenes", type=int)
    p.add_argument("--backgrounds", type=int)
    p.add_argument("--results", type=Path, default=RESULTS)
    args = p.parse_args(argv)
    prof = chosen_profile(args, PROFILES, ("scenes", "backgrounds"))
    if prof["scenes"] < 2 or prof["backgrounds"] >= prof["scenes"]:
        raise SystemExit("benchmarks.background_counting: need at least 2 scenes and fewer "
                         "backgrounds than scenes")
    rows = []
    for spec in args.models:
        rows.append(measure(spec, **prof))
        print(f"{spec}: accuracy {rows[-1]['accuracy'][0]:.3f}, same class on another background "
              f"{rows[-1]['background_swap_same_class'][0]:.3f}", flush=True)
    info = machine()
    cmd = "python -m benchmarks.background_counting " + " ".join(argv or [])
    name = "background_counting" + ("_quick" if args.quick else "")
    save(name, {"command": cmd.strip(), "profile": prof, "machine": info, "rows": rows},
         markdown(rows, cmd.strip(), info), results=args.results)
    print((args.results / f"{name}.md").read_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
