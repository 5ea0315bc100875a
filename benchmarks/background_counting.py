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
* **counting, one face's emotion flipped**: in close majorities (the majority leads the
  runner-up by one face, e.g. 3-2), each face of the majority in turn shows an emotion of the
  runner-up's class instead (the same person at the same place with the same augmentation,
  :func:`~synthgroup.interventions.with_face_emotion`), so the rule's label becomes the
  runner-up's: how often the prediction changes with it and lands on it. Control: each
  runner-up face in turn shows an emotion of the majority's class, the rule's label stays: how
  often the prediction stays. Unlike removing a face, the number of faces stays the same;
* accuracy by number of faces and by the majority's margin.

Proportions carry 95 % Wilson intervals. ``random:BACKBONE`` is an untrained control of the same
backbone. Results: ``benchmarks/results/background_counting.{json,md}``.
"""
from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np

from .backbones import TEST_SEED
from .common import (add_models_arg, add_profile_args, chosen_profile, command_line, error_bars, figure, load_predictor, machine,
                     markdown_table, parser, publish, results_name, save_figure, wilson)

PROFILES = {"default": dict(scenes=300, backgrounds=4, counting_scenes=150, flip_scenes=100),
            "quick": dict(scenes=6, backgrounds=2, counting_scenes=3, flip_scenes=2)}
#: how far past ``scenes`` the test stream is searched for close majorities
FLIP_SEARCH = 50


def _fmt(share) -> str:
    p, lo, hi = share
    return "-" if math.isnan(p) else f"{100 * p:.1f} [{100 * lo:.1f}, {100 * hi:.1f}]"


def kl_to_uniform(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-12, 1)
    return (p * np.log(p * p.shape[-1])).sum(-1)


def close_majorities(records: list[dict], more, n: int) -> list[dict]:
    """The first ``n`` records whose majority leads the runner-up by one face (two or more
    classes present): ``records`` first, then ``more(i)`` for the next indices."""
    from synthgroup.interventions import majority_margin

    out = []
    for i in range(len(records) + FLIP_SEARCH * n):
        if len(out) >= n:
            break
        r = records[i] if i < len(records) else more(i)
        if majority_margin(r) == 1 and len({f["group"] for f in r["faces"]}) >= 2:
            out.append(r)
    return out


def emotion_flips(record: dict, sources) -> tuple[list[dict], list[dict]]:
    """``(flips, controls)`` of a close majority: each majority face showing an emotion of the
    runner-up's class (the rule's label becomes the runner-up's), and each runner-up face
    showing one of the majority's class (the label stays). The emotion is drawn per face from
    a generator seeded by the record and the face; the lower class id breaks a runner-up tie."""
    from collections import Counter

    from synthgroup.interventions import with_face_emotion

    counts = sorted(Counter(f["group"] for f in record["faces"]).items(), key=lambda kv: (-kv[1], kv[0]))
    (major, _), (runner, _) = counts[:2]

    def flip(k: int, group: int) -> dict:
        rng = np.random.default_rng([record["seed"], record["index"], k])
        options = sources.emotions_by_group[group]
        return with_face_emotion(record, k, options[int(rng.integers(len(options)))], sources)

    groups = [f["group"] for f in record["faces"]]
    return ([flip(k, runner) for k, g in enumerate(groups) if g == major],
            [flip(k, major) for k, g in enumerate(groups) if g == runner])


def measure(spec: str, scenes: int, backgrounds: int, counting_scenes: int, flip_scenes: int) -> dict:
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

    # counting: flip one face's emotion in close majorities
    close = close_majorities(records, lambda i: sample_record(cfg, src, i)[0], flip_scenes)
    yc = pred.predict_frames([render(r) for r in close]).argmax(1)
    flips, controls = [], []            # (flipped record, prediction on the unflipped scene)
    for r, y in zip(close, yc):
        f, c = emotion_flips(r, src)
        flips += [(x, y) for x in f]
        controls += [(x, y) for x in c]
    pf = pred.predict_frames([render(f) for f, _ in flips]).argmax(1)
    pc = pred.predict_frames([render(c) for c, _ in controls]).argmax(1)
    flipped_n, control_n = len(flips), len(controls)
    flip_changed = sum(int(p != y) for p, (_, y) in zip(pf, flips))
    flip_landed = sum(int(p == f["label"]) for p, (f, _) in zip(pf, flips))
    control_stayed = sum(int(p == y) for p, (_, y) in zip(pc, controls))
    row["flip_close_scenes"] = len(close)
    row["flip_close_accuracy"] = wilson(int(sum(int(y == r["label"]) for r, y in zip(close, yc))), len(close))
    row["flip_n"] = flipped_n
    row["flip_prediction_changes"] = wilson(flip_changed, flipped_n)
    row["flip_prediction_lands"] = wilson(flip_landed, flipped_n)
    row["flip_control_n"] = control_n
    row["flip_control_stays"] = wilson(control_stayed, control_n)

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
    flips = [{"model": r["model"], "close scenes": r["flip_close_scenes"],
              "accuracy on them %": _fmt(r["flip_close_accuracy"]),
              "majority face flipped (n)": r["flip_n"],
              "prediction changes with the rule %": _fmt(r["flip_prediction_changes"]),
              "lands on the new label %": _fmt(r["flip_prediction_lands"]),
              "runner-up face flipped, rule stays (n)": r["flip_control_n"],
              "prediction stays %": _fmt(r["flip_control_stays"])} for r in rows]
    by_faces = [{"model": r["model"], **{f"{n} faces": _fmt(s) for n, s in r["accuracy_by_faces"].items()}}
                for r in rows]
    by_margin = [{"model": r["model"], **{("tie" if int(m) == 0 else f"margin {m}" + ("+" if int(m) == 3 else "")): _fmt(s)
                                          for m, s in r["accuracy_by_margin"].items()}} for r in rows]
    cols = lambda t: list(dict.fromkeys(k for row in t for k in row))  # noqa: E731
    return "\n".join([
        "# Background and counting", "", f"`{cmd}`", "",
        "Held-out synthetic test scenes re-rendered with one change (`synthgroup.interventions`). "
        "Shares in % with 95 % Wilson intervals. TV = total variation of the class probabilities "
        "(0 = unchanged, 1 = opposite). KL to uniform in nats (0 = no opinion, ln 3 = 1.10 = "
        "certain).", "", markdown_table(main, cols(main)), "",
        "## One face's emotion flipped in close majorities", "",
        "Scenes whose majority leads the runner-up by one face. Each majority face in turn shows "
        "an emotion of the runner-up's class (the same person, place and augmentation): the "
        "rule's label becomes the runner-up's. Control: each runner-up face in turn shows an "
        "emotion of the majority's class: the rule's label stays. 'Changes' compares with the "
        "prediction on the unflipped scene; 'lands' with the new rule label (it can exceed "
        "'changes' where the model already answered the runner-up's class).", "",
        markdown_table(flips, cols(flips)), "",
        "## Accuracy by number of faces", "", markdown_table(by_faces, cols(by_faces)), "",
        "## Accuracy by the majority's margin (faces of the majority group minus the runner-up)", "",
        markdown_table(by_margin, cols(by_margin)), "", f"Machine: {info}"])


def plot(rows: list[dict], path: Path) -> None:
    """Left: the background and counting shares per model (with their intervals); right:
    accuracy by the majority's margin."""
    fig = figure((11, 3.6))
    ax = fig.add_subplot(1, 2, 1)
    tests = [("background_swap_same_class", "same class,\nother background"),
             ("flip_prediction_changes", "follows a flipped\nmajority face"),
             ("flip_control_stays", "stays when a flip\nkeeps the rule"),
             ("prediction_changes_with_rule", "follows the rule when\na face is removed")]
    width = 0.8 / max(1, len(rows))
    for k, r in enumerate(rows):
        xs = [i + (k - (len(rows) - 1) / 2) * width for i in range(len(tests))]
        mid, err = error_bars([r[key] for key, _ in tests], 100)
        ax.bar(xs, mid, width, yerr=err, capsize=2, label=r["model"])
    ax.set_xticks(range(len(tests)), [t for _, t in tests], fontsize=7)
    ax.set_ylim(0, 105)
    ax.set_ylabel("% of re-rendered scenes")
    ax.legend(fontsize=7, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=3, frameon=False)
    ax2 = fig.add_subplot(1, 2, 2)
    for r in rows:
        margins = {int(m): v for m, v in r["accuracy_by_margin"].items()}   # str keys from JSON
        ms = sorted(margins)
        mid, err = error_bars([margins[m] for m in ms], 100)
        ax2.errorbar(ms, mid, yerr=err, marker="o", capsize=2, label=r["model"])
    ax2.set_xticks([0, 1, 2, 3], ["tie", "1", "2", "3+"])
    ax2.set_xlabel("majority's margin (faces)")
    ax2.set_ylabel("accuracy %")
    ax2.set_ylim(0, 105)
    ax2.axhline(100 / 3, ls="--", c="k", lw=0.8)
    save_figure(fig, path)


def main(argv=None) -> int:
    p = parser(__doc__)
    add_models_arg(p, required=True)
    settings = add_profile_args(p, "a few scenes", scenes=int, backgrounds=int, flip_scenes=dict(
        type=int, help="close majorities whose faces are flipped"))
    args = p.parse_args(argv)
    prof = chosen_profile(args, PROFILES, settings)
    if prof["scenes"] < 2 or prof["backgrounds"] >= prof["scenes"]:
        raise SystemExit("benchmarks.background_counting: need at least 2 scenes and fewer "
                         "backgrounds than scenes")
    rows = []
    for spec in args.models:
        rows.append(measure(spec, **prof))
        print(f"{spec}: accuracy {rows[-1]['accuracy'][0]:.3f}, same class on another background "
              f"{rows[-1]['background_swap_same_class'][0]:.3f}, prediction changes with a flipped "
              f"face {rows[-1]['flip_prediction_changes'][0]:.3f}", flush=True)
    info = machine()
    cmd = command_line("benchmarks.background_counting", argv)
    name = results_name("background_counting", args)
    args.results.mkdir(parents=True, exist_ok=True)
    plot(rows, args.results / f"{name}.png")
    return publish(name, {"command": cmd, "profile": prof, "machine": info, "rows": rows},
                   markdown(rows, cmd, info) + f"\n\n![background and counting]({name}.png)\n",
                   args.results)


if __name__ == "__main__":
    raise SystemExit(main())
