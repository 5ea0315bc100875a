"""Identity leakage audit: how well can someone re-identify a person from a model's internal
features?

    python -m benchmarks.identity_leakage                      # synth-resnet18 and random:resnet18
    python -m benchmarks.identity_leakage --models synth-resnet18 random:resnet18 --face-model face.pt
    python -m benchmarks.identity_leakage --quick --models random:squeezenet1_1@64 --results /tmp/r

The attacker is a linear probe (:func:`fit_probe`: standardised features, multinomial logistic
regression with a fixed ``C``) on a representation's features:

* **global models** (zoo names, checkpoints, ``random:BACKBONE[@SIZE]`` = untrained control): the
  pooled features that enter the classification head (the input of the registry's
  ``spec.head[0]``, spatially averaged where it is a map: :func:`penultimate`);
* **the face-based reference's face CNN** (``globalnet.reference``, individual-level
  processing): its pooled features of the face crop cut at the generator's box. No trained face
  CNN is shipped: ``--face-model`` reads a ``globalnet reference train`` checkpoint, otherwise
  one is trained here with ``benchmarks.price_of_privacy``'s CPU recipe (profile sizes), which
  the output says; ``random:face-cnn`` is the same network untrained;
* **raw pixels**: the whole frame resized to 32x32 RGB.

**Single faces** (top-1 re-identification among K people, chance 1/K): K procedural identities
of the held-out split (``--faces``, default ``procedural:identities=1024``: 235 in the test split,
none of them in any scene of the ``split="train"`` stream the models learn from), each shown
alone on a held-out background, at several face heights (fractions of the image height). The probe is fit on some expressions of each person
(``TRAIN_EXPRESSIONS``) and tested on the others (``TEST_EXPRESSIONS``): it has never seen the
person with that expression. Everything else (intensity, face augmentation, position,
background) is drawn per image by the generator (``sample_record``; the face is then set with
:func:`synthgroup.interventions.with_face`). The K people are nested (the first 10 of the 50...).
A K larger than the source can offer is refused with one clear error.

**Group scenes** (is person X in the picture?): held-out test scenes (1-9 faces) whose faces
come from a small pool of people (``--group-faces``, default ``procedural:identities=64``: 14
people in the test split), so each appears in about a third of the scenes. Per person X among
the most frequent ones, a binary logistic probe (balanced classes) is fit on the first half of
the scenes and its ROC AUC measured on the second half (0.5 = chance). The face CNN scores a
scene by its best-scoring face crop. A scene with more faces is more likely to hold X, so
"number of faces" alone is a baseline row.

Shares carry 95 % Wilson intervals, mean AUCs a 95 % bootstrap interval over the people. Rows are
kept per (task, representation, face height) in ``benchmarks/results/identity_leakage.jsonl``
and reused when the setup is the same (``--rerun`` redoes them); the table and a plot are
regenerated each run. What the numbers do and do not prove: :data:`WHAT_IT_SHOWS`.
"""
from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from .backbones import TEST_SEED
from .common import (add_models_arg, add_profile_args, append_rows, chosen_profile, command_line, error_bars, figure,
                     load_predictor,
                     machine, markdown_table, parser, read_rows, results_name, row_file, save, save_figure,
                     wilson, write_rows)

PROFILES = {
    "default": dict(ks=[10, 50, 200], heights=[0.2, 0.4, 0.8], train_repeats=2, test_repeats=2,
                    group_images=400, group_targets=10, face_train_images=1500, face_epochs=3,
                    face_width=16),
    "quick": dict(ks=[4, 8], heights=[0.4], train_repeats=1, test_repeats=1, group_images=24,
                  group_targets=2, face_train_images=6, face_epochs=1, face_width=8),
}
TRAIN_EXPRESSIONS = ("neutral", "happiness", "sadness", "anger")
TEST_EXPRESSIONS = ("surprise", "fear", "disgust")
FACES = "procedural:identities=1024"
GROUP_FACES = "procedural:identities=64"
PIXELS = "pixels 32x32"
FACE_CNN, RANDOM_FACE_CNN, FACE_COUNT = "face-cnn", "random:face-cnn", "number of faces"
PROBE_C = 1.0
CHUNK = 64

WHAT_IT_SHOWS = """\
**What these numbers show.** How often one particular attacker - a linear probe on standardised
features, fit on a few pictures of each person with other expressions - names the right person
from each representation, against chance (1/K) and against two references: the same network
untrained (what the architecture alone keeps) and raw pixels (what the frame itself gives away).
A trained model above its untrained control has learned identity-bearing features; below it, it
has discarded some. The group AUCs say how well the features tell whether one person is in a
scene, against the number-of-faces baseline (a scene with more faces holds any given person more
often).

**What they do not show.** A low score is not a privacy guarantee: a stronger attacker (a
non-linear probe, more pictures per person, metric learning, access to the weights to invert or
fine-tune the model) may do much better. The people are procedural: they differ in a few dozen
drawn attributes (skin tone, hair style and colour, eye colour, face and jaw shape, brows, nose,
mouth, glasses, beard) that may be easier - or harder - to pick out than real faces, so the
figures do not transfer to real people. The probe sees internal
features; the product emits only three class probabilities, and anyone holding the frame itself
can run a face recogniser on it - this audit is about what a stored or shared feature vector
gives away, not about the frame. The face CNN is the reference path's individual-level
processing, which the global-only design avoids by construction."""


# ----------------------------------------------------------------------------- the attacker
def fit_probe(x: np.ndarray, y: np.ndarray, c: float = PROBE_C, balanced: bool = False):
    """The attacker: standardised features, then (multinomial) logistic regression."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    lr = LogisticRegression(C=c, max_iter=2000, class_weight="balanced" if balanced else None)
    return make_pipeline(StandardScaler(), lr).fit(np.asarray(x, np.float64), np.asarray(y))


def probe_top1(train_x, train_y, test_x, test_y, c: float = PROBE_C) -> tuple[int, int]:
    """``(correct, n)``: how many test rows the probe fit on the training rows names right."""
    pred = fit_probe(train_x, train_y, c).predict(np.asarray(test_x, np.float64))
    return int((pred == np.asarray(test_y)).sum()), len(test_y)


def probe_auc(train_x, train_has, test_x, test_has, c: float = PROBE_C) -> float:
    """ROC AUC of a balanced binary probe (``nan`` when the test rows hold one class only)."""
    from sklearn.metrics import roc_auc_score

    train_has, test_has = np.asarray(train_has, bool), np.asarray(test_has, bool)
    if train_has.all() or not train_has.any() or test_has.all() or not test_has.any():
        return float("nan")
    score = fit_probe(train_x, train_has, c, balanced=True).decision_function(np.asarray(test_x, np.float64))
    return float(roc_auc_score(test_has, score))


# ----------------------------------------------------------------------------- the people
def identities_available(spec: str, split: str, expressions=TRAIN_EXPRESSIONS + TEST_EXPRESSIONS) -> list[str]:
    """The identities of face source ``spec`` (in ``split``) that show every one of ``expressions``."""
    from synthgroup.sources import create_face_source

    src = create_face_source(spec, split=split)[1]
    have: dict[str, set] = {}
    for it in src.items:
        have.setdefault(it.identity, set()).add(it.emotion)
    return sorted(i for i, e in have.items() if e >= set(expressions))


def choose_identities(spec: str, split: str, k: int, seed: int = 0) -> list[str]:
    """``k`` identities of the source in a fixed shuffled order (so smaller Ks are nested)."""
    ids = identities_available(spec, split)
    if k > len(ids):
        raise ValueError(f"K={k} is larger than the number of identities available: face source "
                         f"{spec!r} has {len(ids)} in the {split!r} split showing all of "
                         f"{', '.join(TRAIN_EXPRESSIONS + TEST_EXPRESSIONS)}; lower K or use "
                         "more identities (procedural:identities=N)")
    order = np.random.default_rng(seed).permutation(len(ids))
    return [ids[int(i)] for i in order[:k]]


def single_face_records(spec: str, split: str, canvas: int, height: float, people: list[str],
                        train_repeats: int, test_repeats: int):
    """``(sources, records, person index, is-training-row)`` of single-face images: each person
    with every training expression ``train_repeats`` times and every test expression
    ``test_repeats`` times, each time with the generator's own draws (sample ``index``)."""
    from synthgroup import GenConfig, Sources, sample_record
    from synthgroup.interventions import with_face

    # surprise needs a class for with_face; labels play no part here
    cfg = GenConfig(size=(canvas, canvas), faces=[spec], split=split, seed=TEST_SEED,
                    faces_per_image=(1, 1), face_size=(height, height), surprise="neutral",
                    balance=False).validate()
    src = Sources(cfg)
    plan = [(e, r, True) for e in TRAIN_EXPRESSIONS for r in range(train_repeats)] + \
           [(e, r, False) for e in TEST_EXPRESSIONS for r in range(test_repeats)]
    records, person, train = [], [], []
    for p, ident in enumerate(people):
        for j, (emotion, _, is_train) in enumerate(plan):
            base = sample_record(cfg, src, p * len(plan) + j)[0]
            records.append(with_face(base, 0, src, identity=ident, emotion=emotion))
            person.append(p)
            train.append(is_train)
    return src, records, np.array(person), np.array(train)


# ----------------------------------------------------------------------------- representations
@contextmanager
def penultimate(model, backbone: str):
    """Collect the pooled features entering the head (``spec.head[0]``) of every forward pass
    into the yielded list (spatially averaged where the head is a convolution)."""
    from globalnet.backbones import get_backbone_spec, resolve_layer

    feats: list = []

    def hook(_module, inputs):
        x = inputs[0].detach()
        feats.append((x.mean((2, 3)) if x.ndim == 4 else x.flatten(1)).float().cpu().numpy())

    handle = resolve_layer(model, get_backbone_spec(backbone).head[0]).register_forward_pre_hook(hook)
    try:
        yield feats
    finally:
        handle.remove()


def global_features(pred, images: list[np.ndarray]) -> np.ndarray:
    with penultimate(pred.model, pred.backbone) as feats:
        pred.predict_frames(images)
    return np.concatenate(feats)


def pixel_features(images: list[np.ndarray]) -> np.ndarray:
    import cv2
    return np.stack([cv2.resize(im, (32, 32), interpolation=cv2.INTER_AREA).ravel() for im in images]
                    ).astype(np.float32) / 255


def face_crop_features(model, images: list[np.ndarray], records: list[dict]) -> list[np.ndarray]:
    """Per image, the face CNN's features of each face (crops at the generator's boxes)."""
    from globalnet.reference.face_model import crop_face, predict_faces

    crops = [crop_face(im, f["box"], model.crop_size) for im, r in zip(images, records) for f in r["faces"]]
    feats = predict_faces(model, np.stack(crops))[1].numpy() if crops else np.zeros((0, model.feature_dim))
    out, i = [], 0
    for r in records:
        out.append(feats[i:i + len(r["faces"])])
        i += len(r["faces"])
    return out


def face_cnns(prof: dict, checkpoint: str | None) -> tuple[dict, str]:
    """``({name: FaceResNet}, note)``: the reference face CNN (read or trained here) and the same
    network untrained."""
    import torch

    from globalnet.reference.face_model import FaceCropDataset, FaceResNet, load_face_model
    from globalnet.reference.training import train_face_model
    from synthgroup import GenConfig

    if checkpoint:
        model = load_face_model(checkpoint)[0]
        note = f"reference face CNN read from {checkpoint}"
    else:
        torch.manual_seed(0)
        model = FaceResNet(3, 48, prof["face_width"])
        data = FaceCropDataset(GenConfig(split="train", seed=0), prof["face_train_images"], crop_size=48)
        train_face_model(model, data, epochs=prof["face_epochs"], seed=0)
        note = (f"no trained reference face CNN is shipped: trained here with "
                f"benchmarks.price_of_privacy's recipe (FaceResNet width {prof['face_width']}, 48 px "
                f"crops, group labels, {len(data)} face crops of {prof['face_train_images']} "
                f"train-split scenes, {prof['face_epochs']} epoch(s))")
    torch.manual_seed(0)
    untrained = FaceResNet(model.num_classes, model.crop_size, model.width, model.stem_stride).eval()
    return {FACE_CNN: model.eval(), RANDOM_FACE_CNN: untrained}, note


class Representations:
    """The representations under audit, built on first use (a resumed run may need none)."""

    def __init__(self, models: list[str], prof: dict, face_model: str | None, with_faces: bool):
        self.models, self.prof, self.face_model = models, prof, face_model
        self.names = list(models) + ([FACE_CNN, RANDOM_FACE_CNN] if with_faces else []) + [PIXELS]
        self._preds: dict = {}
        self._faces: dict | None = None
        self.face_note = ""

    def predictor(self, name):
        if name not in self._preds:
            self._preds[name] = load_predictor(name)
        return self._preds[name]

    def face_cnn(self, name):
        if self._faces is None:
            self._faces, self.face_note = face_cnns(self.prof, self.face_model)
        return self._faces[name]

    def canvas(self) -> int:
        """The frame size: the largest global model's evaluation canvas (as the other benchmarks)."""
        sizes = [self.predictor(m).input_size for m in self.models] or [224]
        size = max(s if isinstance(s, int) else s[0] for s in sizes)
        return max(96, round(size * 256 / 224))

    def image_features(self, name, images, records) -> np.ndarray:
        """One feature row per image (the face CNN: of its single face)."""
        if name == PIXELS:
            return pixel_features(images)
        if name in (FACE_CNN, RANDOM_FACE_CNN):
            return np.concatenate(face_crop_features(self.face_cnn(name), images, records))
        return global_features(self.predictor(name), images)


# ----------------------------------------------------------------------------- measurements
def measure_single(reps: Representations, names: list[str], spec: str, split: str, canvas: int,
                   height: float, people: list[str], ks: list[int], train_repeats: int,
                   test_repeats: int) -> list[dict]:
    from synthgroup import render_record

    t0 = time.perf_counter()
    src, records, person, train = single_face_records(spec, split, canvas, height, people,
                                                      train_repeats, test_repeats)
    feats: dict[str, list] = {n: [] for n in names}
    seconds = dict.fromkeys(names, 0.0)
    for i in range(0, len(records), CHUNK):
        part = records[i:i + CHUNK]
        images = [render_record(r, src)[0] for r in part]
        for n in names:
            t = time.perf_counter()
            feats[n].append(reps.image_features(n, images, part))
            seconds[n] += time.perf_counter() - t
    render_s = time.perf_counter() - t0 - sum(seconds.values())
    face_h = np.array([r["faces"][0]["box"][3] for r in records]) / canvas
    rows = []
    for n in names:
        x = np.concatenate(feats[n])
        by_k = {}
        for k in ks:
            tr, te = train & (person < k), ~train & (person < k)
            hit, total = probe_top1(x[tr], person[tr], x[te], person[te])
            by_k[str(k)] = {"top1": wilson(hit, total), "chance": 1 / k, "n_train": int(tr.sum()),
                            "n_test": total}
        rows.append({"task": "single", "representation": n, "height": height, "feature_dim": int(x.shape[1]),
                     "by_k": by_k, "face_box_height": [float(face_h.mean()), float(face_h.min()),
                                                       float(face_h.max())],
                     "images": len(records), "features_s": round(seconds[n], 1),
                     "render_s": round(render_s, 1)})
    return rows


def measure_group(reps: Representations, names: list[str], spec: str, split: str, canvas: int,
                  n_images: int, n_targets: int) -> list[dict]:
    from explain.metrics import bootstrap_ci
    from synthgroup import GenConfig, Sources, make_sample

    cfg = GenConfig(size=(canvas, canvas), faces=[spec], split=split, seed=TEST_SEED).validate()
    src = Sources(cfg)
    records, feats = [], {n: [] for n in names}
    for i in range(0, n_images, CHUNK):
        samples = [make_sample(cfg, src, j) for j in range(i, min(n_images, i + CHUNK))]
        images, part = [s.image for s in samples], [s.record for s in samples]
        records += part
        for n in names:
            if n in (FACE_CNN, RANDOM_FACE_CNN):
                feats[n] += face_crop_features(reps.face_cnn(n), images, part)
            elif n == FACE_COUNT:
                feats[n].append(np.array([[r["n_faces"]] for r in part], np.float32))
            else:
                feats[n].append(reps.image_features(n, images, part))
    half = n_images // 2
    present = [{f["identity"] for f in r["faces"]} for r in records]
    counts: dict[str, int] = {}
    for s in present[:half]:
        for ident in s:
            counts[ident] = counts.get(ident, 0) + 1
    targets = sorted(counts, key=lambda i: (-counts[i], i))[:n_targets]
    rows = []
    for n in names:
        per = {}
        x = None if n in (FACE_CNN, RANDOM_FACE_CNN) else np.concatenate(feats[n])
        for ident in targets:
            if x is None:
                per[ident] = _face_auc(feats[n], records, ident, half)
            else:
                has = np.array([ident in s for s in present])
                per[ident] = probe_auc(x[:half], has[:half], x[half:], has[half:])
        rows.append({"task": "group", "representation": n, "auc": list(bootstrap_ci(per.values())),
                     "per_person": per, "images": n_images, "test_images": n_images - half,
                     "share_with_person": float(np.mean([counts[i] for i in targets]) / half) if targets else 0.0})
    return rows


def _face_auc(per_image: list[np.ndarray], records: list[dict], ident: str, half: int) -> float:
    """The face CNN's AUC for ``ident``: a per-face probe, each scene scored by its best face."""
    from sklearn.metrics import roc_auc_score

    x = np.concatenate(per_image[:half])
    y = np.array([f["identity"] == ident for r in records[:half] for f in r["faces"]])
    if y.all() or not y.any():
        return float("nan")
    probe = fit_probe(x, y, balanced=True)
    test = [(probe.decision_function(f.astype(np.float64)).max(), any(g["identity"] == ident for g in r["faces"]))
            for f, r in zip(per_image[half:], records[half:]) if len(f)]
    scores, has = np.array([s for s, _ in test]), np.array([h for _, h in test])
    return float(roc_auc_score(has, scores)) if 0 < has.sum() < len(has) else float("nan")


# ----------------------------------------------------------------------------- output
def _pct(share) -> str:
    p, lo, hi = share
    return "-" if not np.isfinite(p) else f"{100 * p:.1f} [{100 * lo:.1f}, {100 * hi:.1f}]"


def write(rows: list[dict], results: Path, name: str, cmd: str, setup: dict, notes: list[str],
          names: list[str]) -> str:
    """The Markdown table, the JSON and the plot of ``rows`` (``names`` orders the
    representations); returns the Markdown."""
    info = machine()
    order = {n: i for i, n in enumerate(list(names) + [FACE_COUNT])}
    rank = lambda r: order.get(r["representation"], len(order))  # noqa: E731
    single = [r for r in rows if r["task"] == "single"]
    group = [r for r in rows if r["task"] == "group"]
    ks = sorted({int(k) for r in single for k in r["by_k"]})
    table = [{"representation": r["representation"], "face height": f"{r['height']:.1f}",
              "measured box height": f"{r['face_box_height'][0]:.2f}", "features": r["feature_dim"],
              **{f"K={k} top-1 % (chance {100 / k:.1f})": _pct(r["by_k"][str(k)]["top1"])
                 for k in ks if str(k) in r["by_k"]}}
             for r in sorted(single, key=lambda r: (r["height"], rank(r)))]
    gtable = [{"representation": r["representation"],
               "AUC, person present (mean [95 % CI] over people)": _ci(r["auc"]),
               "people": len(r["per_person"]), "test scenes": r["test_images"],
               "share of scenes with the person": f"{r['share_with_person']:.2f}"}
              for r in sorted(group, key=rank)]
    cols = lambda t: list(dict.fromkeys(k for row in t for k in row))  # noqa: E731
    per_k = next((r["by_k"] for r in single), {})
    md = ["# Identity leakage", "", f"`{cmd}`", "",
          f"Linear probe (standardised features, logistic regression, C = {PROBE_C}). Single faces: "
          f"K held-out people of `{setup['faces']}` ({setup['split']} split), fit on "
          f"{', '.join(TRAIN_EXPRESSIONS)} ({setup['train_repeats']} picture(s) each), tested on "
          f"{', '.join(TEST_EXPRESSIONS)} ({setup['test_repeats']} each): "
          + ", ".join(f"K={k}: {v['n_train']} training / {v['n_test']} test pictures" for k, v in per_k.items())
          + (". Top-1 in % with 95 % Wilson intervals; chance = 1/K. Face height = the face's "
             "height as a fraction of the frame (the measured box after augmentation in its own "
             "column)."), "", markdown_table(table, cols(table)), "",
          f"## Is person X in the scene? ({setup['group_images']} test scenes of `{setup['group_faces']}`)", "",
          ("Per person (the most frequent ones), a balanced logistic probe fit on the first half of "
           "the scenes, ROC AUC on the second half (0.5 = chance). The face CNN scores a scene by "
           "its best face crop; 'number of faces' is the baseline a probe gets from counting alone."),
          "", markdown_table(gtable, cols(gtable)) if gtable else "(not run)", "",
          *[f"Note: {n}" for n in notes], "", f"![identity leakage]({name}.png)", "",
          WHAT_IT_SHOWS, "", f"Machine: {info}"]
    save(name, {"command": cmd, "setup": setup, "notes": notes, "machine": info, "rows": rows},
         "\n".join(md), results)
    _plot(sorted(single, key=rank), sorted(group, key=rank), results / f"{name}.png")
    return "\n".join(md)


def _ci(v) -> str:
    return "-" if not np.isfinite(v[0]) else f"{v[0]:.3f} [{v[1]:.3f}, {v[2]:.3f}]"


def _plot(single: list[dict], group: list[dict], path: Path) -> None:
    heights = sorted({r["height"] for r in single})
    fig = figure((3.3 * (len(heights) + 1), 3.4))
    for j, h in enumerate(heights):
        ax = fig.add_subplot(1, len(heights) + 1, j + 1)
        for r in (r for r in single if r["height"] == h):
            ks = sorted(int(k) for k in r["by_k"])
            mid, err = error_bars([r["by_k"][str(k)]["top1"] for k in ks], 100)
            ax.errorbar(ks, mid, yerr=err, marker="o", ms=3, capsize=2, label=r["representation"])
        ks = sorted({int(k) for r in single if r["height"] == h for k in r["by_k"]})
        ax.plot(ks, [100 / k for k in ks], "k--", lw=0.8, label="chance 1/K")
        ax.set_xscale("log")
        ax.set_xticks(ks, [str(k) for k in ks])
        ax.minorticks_off()
        ax.set_ylim(0, 100)
        ax.set_xlabel("K people")
        ax.set_ylabel("top-1 re-identification %")
        ax.set_title(f"single face, height {h:.1f}", fontsize=9)
        if j == 0:
            ax.legend(fontsize=6)
    ax = fig.add_subplot(1, len(heights) + 1, len(heights) + 1)
    rows = group
    mid, err = error_bars([r["auc"] for r in rows])
    ax.bar(range(len(rows)), mid, yerr=err, capsize=3)
    ax.axhline(0.5, color="0.3", lw=0.8, ls="--")
    ax.set_xticks(range(len(rows)), [r["representation"] for r in rows], fontsize=6, rotation=30, ha="right")
    ax.set_ylim(0, 1)
    ax.set_ylabel("AUC: person in the scene")
    ax.set_title("group scenes", fontsize=9)
    save_figure(fig, path)


# ----------------------------------------------------------------------------- main
def main(argv=None) -> int:
    p = parser(__doc__)
    add_models_arg(p, default=["synth-resnet18", "random:resnet18"])
    p.add_argument("--face-model", help="a `globalnet reference train` checkpoint (default: train one here)")
    p.add_argument("--no-face-cnn", action="store_true", help="leave the reference face CNN out")
    p.add_argument("--faces", default=FACES, help=f"face source of the single faces (default {FACES})")
    p.add_argument("--group-faces", default=GROUP_FACES,
                   help=f"face source of the group scenes (default {GROUP_FACES})")
    p.add_argument("--split", default="test", choices=("test", "train", "all"))
    settings = add_profile_args(
        p, "a few people and scenes",
        ks=dict(nargs="+", type=int, help="numbers of people to tell apart"),
        heights=dict(nargs="+", type=float, help="face heights (fractions of the frame)"),
        train_repeats=int, test_repeats=int, group_images=int)
    p.add_argument("--rerun", action="store_true", help="redo rows already there")
    args = p.parse_args(argv)
    prof = chosen_profile(args, PROFILES, settings)
    prof["ks"] = sorted(set(prof["ks"]))
    if min(prof["ks"]) < 2 or prof["train_repeats"] < 1 or prof["test_repeats"] < 1 or prof["group_images"] < 4:
        raise SystemExit("benchmarks.identity_leakage: need K >= 2, at least one training and one "
                         "test picture per expression, and at least 4 group scenes")
    try:
        people = choose_identities(args.faces, args.split, max(prof["ks"]))
    except ValueError as exc:
        raise SystemExit(f"benchmarks.identity_leakage: {exc}") from None

    reps = Representations(args.models, prof, args.face_model, not args.no_face_cnn)
    canvas = reps.canvas()
    setup = {"faces": args.faces, "group_faces": args.group_faces, "split": args.split, "canvas": canvas,
             "face_model": args.face_model,
             **{k: prof[k] for k in ("ks", "train_repeats", "test_repeats", "group_images", "group_targets")},
             **({"face_train_images": prof["face_train_images"], "face_epochs": prof["face_epochs"],
                 "face_width": prof["face_width"]} if not args.face_model else {})}
    name = results_name("identity_leakage", args)
    jsonl = row_file(args.results, name)
    kept = read_rows(jsonl)
    if args.rerun:      # forget this setup's rows for the representations asked for
        kept = [r for r in kept if r.get("setup") != setup or r["representation"] not in reps.names + [FACE_COUNT]]
        write_rows(jsonl, kept)
    rows = [r for r in kept if r.get("setup") == setup]     # rows of another setup stay in the file
    done = {(r["task"], r["representation"], r.get("height")) for r in rows}
    cmd = command_line("benchmarks.identity_leakage", argv)
    notes = []

    def keep(new: list[dict]) -> None:
        for r in new:
            r["setup"] = setup
        append_rows(jsonl, new)
        rows.extend(new)

    for h in prof["heights"]:
        todo = [n for n in reps.names if ("single", n, h) not in done]
        if not todo:
            print(f"face height {h}: done, skipped", flush=True)
            continue
        new = measure_single(reps, todo, args.faces, args.split, canvas, h, people, prof["ks"],
                             prof["train_repeats"], prof["test_repeats"])
        keep(new)
        for r in new:
            print(f"face height {h} {r['representation']}: top-1 " + ", ".join(
                f"K={k} {100 * v['top1'][0]:.1f} %" for k, v in r["by_k"].items()), flush=True)
        write(rows, args.results, name, cmd, setup, notes, reps.names)
    todo = [n for n in reps.names + [FACE_COUNT] if ("group", n, None) not in done]
    if todo:
        new = measure_group(reps, todo, args.group_faces, args.split, canvas, prof["group_images"],
                            prof["group_targets"])
        keep(new)
        for r in new:
            print(f"group scenes {r['representation']}: AUC {r['auc'][0]:.3f}", flush=True)
    if reps.face_note:
        notes.append(reps.face_note)
    elif not args.no_face_cnn:
        notes.append(f"reference face CNN read from {args.face_model}" if args.face_model else
                     "no trained reference face CNN is shipped: the face CNN rows come from one "
                     "trained by an earlier run of this benchmark with the same setup (see setup)")
    print(write(rows, args.results, name, cmd, setup, notes, reps.names))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
