"""Where do the explanation maps fall? Face focus, the pointing game and ROAD for every
explainer, on held-out synthetic scenes with their face masks (the paper's first hypothesis:
"the network looks at the faces").

    python -m benchmarks.where_maps_fall --models synth-resnet18 random:resnet18
    python -m benchmarks.where_maps_fall --models synth-resnet18 --explainers gradcam occlusion
    python -m benchmarks.where_maps_fall --quick --models random:squeezenet1_1@64 --results /tmp/r

For each model and explainer, over ``--scenes`` held-out test scenes (``GenConfig(split="test",
seed=2020)``, 1-9 faces, the evaluation canvas of the model's input size), the map of the
predicted class, measured inside the part of the frame the model sees (its centre crop):

* **face focus**: the map's energy share on the faces divided by the faces' area share
  (1 = no preference, higher = on the faces; :func:`explain.metrics.face_focus_details`);
* **pointing game**: the map's maximum falls on a face, within 15 px;
* **ROAD** (on the first ``--road-scenes``): faithfulness, higher = removing what the map
  calls important changes the answer more than removing the rest; a map that is focused but
  unfaithful shows up here.

Means carry 95 % bootstrap intervals, overall, per true class and per number of faces. Rows are
kept per (model, explainer) in ``benchmarks/results/where_maps_fall.jsonl``, so the table can be
built over several runs (``--rerun`` redoes rows); the table and a plot are regenerated each run.
Score-CAM (the exact fast path) and Occlusion run their forward-only passes at the precision the CPU
runs natively (``precision="auto"``: bfloat16 with AMX/AVX512-BF16, else float32); the default
profile costs 3-25 min per row (model x explainer) on a 2-core CPU, so the table is built over
several runs.
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from .backbones import TEST_SEED
from .common import (add_models_arg, add_profile_args, append_rows, chosen_profile, command_line, error_bars, figure,
                     load_predictor,
                     machine, markdown_table, parser, read_rows, results_name, row_file, save, save_figure,
                     write_rows)

EXPLAINERS = ("fast-scorecam", "gradcam", "gradcam++", "occlusion", "integrated-gradients")
OPTIONS = {"fast-scorecam": {"precision": "auto"}, "occlusion": {"precision": "auto"}}
PROFILES = {"default": dict(scenes=500, road_scenes=100), "quick": dict(scenes=3, road_scenes=1)}
POINTING_TOLERANCE = 15


def _ci(values) -> list[float]:
    from explain.metrics import bootstrap_ci
    return list(bootstrap_ci(values))


def measure(spec: str, explainer: str, scenes: int, road_scenes: int) -> dict:
    import cv2
    import torch

    from explain.metrics import face_focus_details, pointing_game, road
    from explain.registry import create_explainer
    from synthgroup import GenConfig, Sources, make_sample
    from synthgroup.compose import GENERATOR_VERSION

    pred = load_predictor(spec)
    size = pred.input_size if isinstance(pred.input_size, int) else pred.input_size[0]
    model = pred.model.float().to(memory_format=torch.contiguous_format)
    exp = create_explainer(explainer, model, pred.backbone, device="cpu", input_size=size,
                           **OPTIONS.get(explainer, {}))
    canvas = max(96, round(size * 256 / 224))
    cfg = GenConfig(size=(canvas, canvas), split="test", seed=TEST_SEED)
    src = Sources(cfg)
    focus, hits, roads, labels, n_faces, correct = [], [], [], [], [], []
    t0 = time.perf_counter()
    for i in range(scenes):
        s = make_sample(cfg, src, i)
        res = exp.explain_image(s.image)
        cam = res.maps[0, 0]
        x0, y0, x1, y1 = res.extra["crop_box"]
        cam_c, mask_c = cam[y0:y1, x0:x1], s.mask[y0:y1, x0:x1]
        focus.append(face_focus_details(cam_c, mask_c)["focus"])
        hit = pointing_game(cam_c, mask_c, POINTING_TOLERANCE)
        hits.append(float("nan") if hit is None else float(hit))
        target = int(res.targets[0, 0])
        labels.append(s.record["label"])
        n_faces.append(s.record["n_faces"])
        correct.append(target == s.record["label"])
        if i < road_scenes:
            x = exp.preprocess(s.image)
            cam_in = cv2.resize(cam_c.astype(np.float32), tuple(x.shape[-1:-3:-1]),
                                interpolation=cv2.INTER_LINEAR)
            roads.append(float(road(exp.model, x, cam_in[None], [target])[0]))
    seconds = time.perf_counter() - t0
    focus, hits = np.array(focus), np.array(hits)
    labels, n_faces = np.array(labels), np.array(n_faces)
    by_class = {name: {"focus": _ci(focus[labels == c]), "pointing": _ci(hits[labels == c]),
                       "n": int((labels == c).sum())}
                for c, name in enumerate(("Positive", "Neutral", "Negative"))}
    bins = {"1": n_faces == 1, "2-3": (n_faces >= 2) & (n_faces <= 3),
            "4-6": (n_faces >= 4) & (n_faces <= 6), "7-9": n_faces >= 7}
    by_faces = {k: {"focus": _ci(focus[m]), "pointing": _ci(hits[m]), "n": int(m.sum())}
                for k, m in bins.items() if m.any()}
    return {"model": spec, "backbone": pred.backbone, "input_size": size, "explainer": explainer,
            "options": OPTIONS.get(explainer, {}), "scenes": scenes, "road_scenes": len(roads),
            "accuracy": float(np.mean(correct)), "focus": _ci(focus), "pointing": _ci(hits),
            "road": _ci(roads), "by_class": by_class, "by_faces": by_faces,
            "seconds_per_scene": round(seconds / scenes, 3), "seconds": round(seconds, 1),
            "pointing_tolerance_px": POINTING_TOLERANCE, "generator_version": GENERATOR_VERSION}


def _f(ci, pct: bool = False) -> str:
    m, lo, hi = ci
    if not np.isfinite(m):
        return "-"
    k = 100 if pct else 1
    return f"{k * m:.{1 if pct else 2}f} [{k * lo:.{1 if pct else 2}f}, {k * hi:.{1 if pct else 2}f}]"


def write(rows: list[dict], results: Path, name: str, cmd: str) -> None:
    info = machine()
    main = [{"model": r["model"], "explainer": r["explainer"], "accuracy %": f"{100 * r['accuracy']:.1f}",
             "face focus": _f(r["focus"]), "pointing game %": _f(r["pointing"], True),
             "ROAD": _f(r["road"]), "scenes": r["scenes"], "s/scene": r["seconds_per_scene"],
             "generator": r.get("generator_version", "-")}
            for r in rows]
    per_class = [{"model": r["model"], "explainer": r["explainer"],
                  **{f"focus {c}": _f(v["focus"]) for c, v in r["by_class"].items()}} for r in rows]
    per_faces = [{"model": r["model"], "explainer": r["explainer"],
                  **{f"focus {k} faces": _f(v["focus"]) for k, v in r["by_faces"].items()},
                  **{f"pointing {k} faces %": _f(v["pointing"], True) for k, v in r["by_faces"].items()}}
                 for r in rows]
    cols = lambda t: list(dict.fromkeys(k for row in t for k in row))  # noqa: E731
    md = ["# Where the maps fall", "", f"`{cmd}`", "",
          "Maps of the predicted class on held-out synthetic scenes, measured inside the centre "
          "crop the model sees. Face focus: energy share on faces / area share of faces (1 = no "
          f"preference). Pointing game: the maximum within {POINTING_TOLERANCE} px of a face. "
          "ROAD: higher = more faithful; it is a change of the class's logit, so it compares "
          "explainers of one model, not models whose logits have other scales (an untrained "
          "net's logits hardly move whatever is removed). Generator: the synthgroup generator version "
          "the scenes were drawn with (rows compare only within one version). Mean [95 % "
          "bootstrap interval].", "",
          markdown_table(main, cols(main)), "", "## Face focus per true class", "",
          markdown_table(per_class, cols(per_class)), "", "## Per number of faces", "",
          markdown_table(per_faces, cols(per_faces)), "", f"![face focus]({name}.png)", "",
          f"Machine: {info}"]
    save(name, {"command": cmd, "machine": info, "rows": rows}, "\n".join(md), results)
    _plot(rows, results / f"{name}.png")


def _plot(rows: list[dict], path: Path) -> None:
    models = list(dict.fromkeys(r["model"] for r in rows))
    explainers = list(dict.fromkeys(r["explainer"] for r in rows))
    fig = figure((1.6 + 1.4 * len(explainers), 3.2))
    ax = fig.add_subplot(1, 1, 1)
    w = 0.8 / max(1, len(models))
    for k, m in enumerate(models):
        xs, cis = [], []
        for j, e in enumerate(explainers):
            r = next((r for r in rows if r["model"] == m and r["explainer"] == e), None)
            if r is None or not np.isfinite(r["focus"][0]):
                continue
            xs.append(j + (k - (len(models) - 1) / 2) * w)
            cis.append(r["focus"])
        ys, err = error_bars(cis)
        ax.bar(xs, ys, w, yerr=err, capsize=3, label=m)
    ax.axhline(1.0, color="0.3", lw=0.8, ls="--")
    ax.set_xticks(range(len(explainers)), explainers, fontsize=8)
    ax.set_ylabel("face focus (1 = no preference)")
    ax.legend(fontsize=7)
    save_figure(fig, path)


def main(argv=None) -> int:
    p = parser(__doc__)
    add_models_arg(p, required=True)
    p.add_argument("--explainers", nargs="+", default=list(EXPLAINERS))
    settings = add_profile_args(p, "a few scenes", scenes=int, road_scenes=int)
    p.add_argument("--rerun", action="store_true", help="redo (model, explainer) rows already there")
    args = p.parse_args(argv)
    prof = chosen_profile(args, PROFILES, settings)
    name = results_name("where_maps_fall", args)
    jsonl = row_file(args.results, name)
    rows = read_rows(jsonl)
    todo = {(m, e) for m in args.models for e in args.explainers}
    if args.rerun:
        rows = [r for r in rows if (r["model"], r["explainer"]) not in todo]
        write_rows(jsonl, rows)
    done = {(r["model"], r["explainer"]) for r in rows}
    cmd = command_line("benchmarks.where_maps_fall", argv)
    for m in args.models:
        for e in args.explainers:
            if (m, e) in done:
                print(f"{m} {e}: done, skipped", flush=True)
                continue
            row = measure(m, e, **prof)
            rows.append(row)
            append_rows(jsonl, [row])
            print(f"{m} {e}: face focus {row['focus'][0]:.2f}, pointing {row['pointing'][0]:.2f}, "
                  f"ROAD {row['road'][0]:.3f}, {row['seconds']:.0f} s", flush=True)
            write(rows, args.results, name, cmd)
    write(rows, args.results, name, cmd)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
