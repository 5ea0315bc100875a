"""``globalnet reference train|evaluate|predict``: the face-based REFERENCE path.

Individual-level processing (face detection, per-face crops and scores): not part of the
privacy-preserving product; it exists to measure what global-only costs in accuracy.

    globalnet reference train --out face.pt --images 2000
    globalnet reference evaluate --checkpoint face.pt --detector haar --pooling all \\
        [--global-checkpoint ck.pt --global-backbone resnet18 --face-weight 0.5]
    globalnet reference predict --checkpoint face.pt photo.jpg [--global-checkpoint ck.pt ...]

Bad input (missing or unreadable files, a detector model that is not ONNX, ...) exits with
status 2 and one ``globalnet: error:`` line.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..errors import GlobalNetError
from synthgroup.cliargs import add_model_args
from synthgroup.labels import CLASS_NAMES

HELP = "face-based REFERENCE path (individual-level, not privacy-preserving): train, evaluate, predict"


def _positive(v: str) -> int:
    try:
        n = int(v)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{v!r} is not an integer") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"{v} must be at least 1")
    return n


def _share(v: str) -> float:
    try:
        x = float(v)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{v!r} is not a number") from None
    if not 0 <= x <= 1:
        raise argparse.ArgumentTypeError(f"{v} must be in [0, 1]")
    return x


def _detector_args(p, allow_gt: bool):
    from .detect import DETECTORS

    choices = [n for n in DETECTORS.names() if allow_gt or not DETECTORS.get(n).needs_record]
    p.add_argument("--detector", choices=choices, default="haar",
                   help="haar (OpenCV frontal cascade), onnx (FaceDetectorYN model given by "
                        "--detector-model)" + (", gt (synthgroup ground-truth boxes)" if allow_gt else "")
                   + "; plugins through the entry-point group globalnet.reference.detectors")
    p.add_argument("--detector-model", help="FaceDetectorYN .onnx file for --detector onnx")


def _pooling_choices() -> list[str]:
    from .pooling import POOLINGS

    return POOLINGS.names()


def _global_args(p):
    add_model_args(p, prefix="global-", required=False,
                   use="of a global-only model to fuse with (and fall back on when no face is found)")
    p.add_argument("--global-size", type=_positive,
                   help="global model input size (default: the checkpoint's, else the backbone's)")
    p.add_argument("--face-weight", type=_share, default=0.5,
                   help="face share of the fused score (choose it on validation; default 0.5)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="reference_command", required=True)
    t = sub.add_parser("train", help="train the face CNN on synthgroup crops (+ attention pooling)",
                       description="Train the reference face-expression CNN on per-face crops of "
                                   "synthgroup training images, then attention pooling end to end.")
    t.add_argument("--out", required=True, help="checkpoint to write (.pt)")
    t.add_argument("--images", type=_positive, default=2000, help="synthetic training images")
    t.add_argument("--size", type=_positive, default=224, help="synthetic image side (default 224)")
    t.add_argument("--crop-size", type=_positive, default=48, help="face crop side (default 48)")
    t.add_argument("--width", type=_positive, default=16, help="first-stage channels (default 16)")
    t.add_argument("--labels", choices=("group", "emotion"), default="group",
                   help="per-face labels: 3 groups or 7 emotions (mapped to groups when pooled)")
    t.add_argument("--epochs", type=_positive, default=3)
    t.add_argument("--attention-epochs", type=int, default=1, help="0 skips attention pooling")
    t.add_argument("--batch-size", type=_positive, default=64)
    t.add_argument("--lr", type=float, default=2e-3)
    t.add_argument("--seed", type=int, default=0)
    t.set_defaults(reference_func=run_train)

    e = sub.add_parser("evaluate", help="accuracy on held-out synthetic test images",
                       description="Score GenConfig(split='test') images with the reference path.")
    e.add_argument("--checkpoint", required=True, help="face model from `globalnet reference train`")
    _detector_args(e, allow_gt=True)
    e.add_argument("--pooling", choices=(*_pooling_choices(), "all"), default="all")
    e.add_argument("--images", type=_positive, default=300, help="test images (default 300)")
    e.add_argument("--size", type=_positive, default=224)
    e.add_argument("--seed", type=int, default=20260, help="test-set seed (default 20260, as the benchmark)")
    _global_args(e)
    e.add_argument("--json", action="store_true", help="print JSON")
    e.set_defaults(reference_func=run_evaluate)

    q = sub.add_parser("predict", help="classify image files with the reference path",
                       description="Detect faces, classify, pool and (with a global model) fuse. "
                                   "Prints one JSON line per image; says so when no face is found.")
    q.add_argument("inputs", nargs="+", help="image files")
    q.add_argument("--checkpoint", required=True, help="face model from `globalnet reference train`")
    _detector_args(q, allow_gt=False)
    q.add_argument("--pooling", choices=_pooling_choices(), default="mean")
    _global_args(q)
    q.set_defaults(reference_func=run_predict)


def run(args: argparse.Namespace) -> int:
    return int(args.reference_func(args) or 0)


# ------------------------------------------------------------------------------------ helpers
def _detector(args):
    from .detect import DETECTORS, create_detector

    takes_model = [n for n in DETECTORS.names() if DETECTORS.get(n).needs_model]
    if args.detector_model and args.detector not in takes_model:
        raise GlobalNetError(f"--detector-model is only used with --detector {' or '.join(takes_model)}")
    return create_detector(args.detector, args.detector_model)


def _global(args):
    if not args.global_checkpoint:
        return None
    from .pipeline import load_global_model

    return load_global_model(args.global_checkpoint, args.global_backbone, args.global_size)


def _pipeline(args, pooling: str, face_model, attention, global_):
    """``global_``: ``(model, model_input)`` from :func:`_global`, or ``None``."""
    from .pipeline import ReferencePipeline

    if pooling == "attention":
        if attention is None:
            raise GlobalNetError(f"checkpoint {args.checkpoint} has no attention pooling; train with "
                                 "--attention-epochs 1 or more, or choose --pooling mean/top3")
        face_model, pool = attention.backbone, attention
    else:
        pool = pooling
    model, model_input = global_ if global_ is not None else (None, None)
    return ReferencePipeline(_detector(args), face_model, pool, global_model=model,
                             global_input=model_input, face_weight=args.face_weight)


def read_rgb(path) -> "np.ndarray":  # noqa: F821
    import cv2

    p = Path(path)
    if not p.is_file():
        raise GlobalNetError(f"image {p} does not exist")
    bgr = cv2.imread(str(p), cv2.IMREAD_COLOR)
    if bgr is None:
        raise GlobalNetError(f"image {p} could not be read (not an image file OpenCV can decode)")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


# ------------------------------------------------------------------------------------ commands
def run_train(args) -> int:
    import copy

    import torch

    from synthgroup import GenConfig

    from .face_model import FaceCropDataset, FaceResNet, save_face_model
    from .pool_attention import AttentionPooling
    from .training import train_attention, train_face_model

    out = Path(args.out)
    if out.exists() and out.is_dir():
        raise GlobalNetError(f"--out {out} is a directory; give a checkpoint file path")
    if args.crop_size < 16:
        raise GlobalNetError(f"--crop-size {args.crop_size} is too small; use at least 16")
    torch.manual_seed(args.seed)
    log = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    cfg = GenConfig(split="train", size=(args.size, args.size), seed=args.seed)
    try:
        cfg.validate()
    except Exception as exc:  # synthgroup's ConfigError
        raise GlobalNetError(str(exc)) from None
    data = FaceCropDataset(cfg, args.images, crop_size=args.crop_size, labels=args.labels)
    log(f"{len(data)} face crops from {args.images} synthetic images")
    model = FaceResNet(data.num_classes, args.crop_size, args.width)
    losses = train_face_model(model, data, epochs=args.epochs, batch_size=args.batch_size,
                              lr=args.lr, seed=args.seed, log=log)
    attention = att_backbone = None
    if args.attention_epochs > 0:
        att_backbone = copy.deepcopy(model)
        attention = AttentionPooling(model.feature_dim)
        train_attention(att_backbone, attention, data, epochs=args.attention_epochs, seed=args.seed, log=log)
    save_face_model(out, model, attention, att_backbone, labels=args.labels,
                    trained_on=f"synthgroup train split, {args.images} images, seed {args.seed}",
                    final_loss=float(sum(losses[-20:]) / len(losses[-20:])))
    print(f"wrote {out} (individual-level reference face model)")
    return 0


def run_evaluate(args) -> int:
    import numpy as np

    from synthgroup import GenConfig, Sources, make_sample

    from .face_model import load_face_model

    face_model, attention, _ = load_face_model(args.checkpoint)
    det = _detector(args)  # fail early on a bad detector file
    global_ = _global(args)
    poolings = _pooling_choices() if args.pooling == "all" else [args.pooling]
    if attention is None and "attention" in poolings:
        if args.pooling == "attention":
            _pipeline(args, "attention", face_model, None, None)   # raises the clear message
        poolings.remove("attention")
    cfg = GenConfig(split="test", size=(args.size, args.size), seed=args.seed)
    src = Sources(cfg)
    samples = [make_sample(cfg, src, i) for i in range(args.images)]
    y = np.array([s.record["label"] for s in samples])
    results = {}
    g_probs = None
    if global_ is not None:
        from .pipeline import global_scores

        g_probs = global_scores(global_[0], [s.image for s in samples], global_[1])
        results["global-only"] = {"accuracy": float((g_probs.argmax(1) == y).mean())}
    for name in poolings:
        pipe = _pipeline(args, name, face_model, attention, global_)
        pipe.detector = det
        preds, no_face = [], 0
        for k, s in enumerate(samples):
            r = pipe.predict(s.image, record=s.record,
                             global_probs=None if g_probs is None else g_probs[k])
            no_face += r.pooled_probs is None
            preds.append(-1 if r.label is None else r.label)
        preds = np.array(preds)
        key = f"face {name}" if global_ is None else f"fusion global+{name} (face weight {args.face_weight})"
        results[key] = {"accuracy": float((preds == y).mean()), "no_face_images": int(no_face),
                        **{f"recall_{c}": float((preds[y == i] == i).mean()) if (y == i).any() else None
                           for i, c in enumerate(CLASS_NAMES)}}
    if args.json:
        print(json.dumps({"detector": det.describe(), "images": args.images, "results": results}, indent=2))
    else:
        print(f"reference path (individual-level) on {args.images} held-out synthetic images, "
              f"detector {det.describe()}")
        for k, v in results.items():
            extra = "".join(f", {a} {b:.3f}" if isinstance(b, float) else f", {a} {b}"
                            for a, b in v.items() if a != "accuracy")
            print(f"  {k}: accuracy {v['accuracy']:.3f}{extra}")
    return 0


def run_predict(args) -> int:
    from .face_model import load_face_model

    face_model, attention, _ = load_face_model(args.checkpoint)
    pipe = _pipeline(args, args.pooling, face_model, attention, None)
    images = [(p, read_rgb(p)) for p in args.inputs]       # every file checked before any work
    global_ = _global(args)
    if global_ is not None:
        pipe = _pipeline(args, args.pooling, face_model, attention, global_)
    for path, image in images:
        r = pipe.predict(image)
        if r.message:
            print(f"globalnet reference: {path}: {r.message}", file=sys.stderr)
        print(json.dumps({"image": str(path), **r.to_dict()}))
    return 0
