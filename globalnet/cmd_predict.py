"""``globalnet predict``: score images, videos or a live source with a trained checkpoint.

Examples::

    globalnet predict --checkpoint run/best.pt clip.mp4 photos/ --every 5 --out preds/
    globalnet predict --checkpoint run/best.pt clip.mp4 --n 16 --method vote
    globalnet predict --checkpoint run/best.pt --live 0 --window 5 --out live/
    globalnet predict --checkpoint run/best.pt --evaluate vgaf:/data/VGAF --split val --out ev/

Outputs in ``--out DIR`` (:mod:`globalnet.outputs`, which a notebook can call too):
``predictions.json`` (everything), ``frames.csv`` (one row per scored video frame),
``videos.csv`` (one row per video), ``images.csv`` (when images were given) and
``<video-stem>_timeline.png``. They are written only after every input was scored, into a
temporary folder that is then moved into place, so a failure leaves no partial report. Live mode
writes ``live.csv`` and ``live_timeline.png`` as it goes. ``--evaluate`` writes
``evaluation.json`` and ``evaluation.csv``.
"""
from __future__ import annotations

import argparse
import os
import sys
from contextlib import contextmanager
from pathlib import Path

from .errors import GlobalNetError

HELP = "score images, videos or a live source (camera/stream) with a trained checkpoint"

_DECODERS = ("auto", "opencv", "pyav")         # = globalnet.predict.DECODERS (kept import-free)


def add_arguments(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    from synthgroup.cliargs import add_device_arg, add_model_args

    from .aggregate import METHOD_HELP, METHODS    # light: the CLI builds every parser at start

    p.add_argument("inputs", nargs="*", metavar="INPUT",
                   help="image files, video files or folders of them")
    add_model_args(p)
    s = p.add_mutually_exclusive_group()
    s.add_argument("--every", type=int, default=None, metavar="K", help="score every K-th frame")
    s.add_argument("--n", type=int, default=None, metavar="N",
                   help="score N frames spread uniformly over each video")
    s.add_argument("--all", action="store_true", help="score every frame (the default)")
    p.add_argument("--method", choices=METHODS, default="mean",
                   help="video label by: " + "; ".join(f"{m}: {h}" for m, h in METHOD_HELP.items())
                   + " (default mean)")
    p.add_argument("--out", default=None, metavar="DIR", help="write the reports here")
    add_device_arg(p)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--amp", choices=("auto", "on", "off"), default="auto",
                   help="mixed precision: auto = float16 on CUDA, bfloat16 on a CPU that has it natively")
    p.add_argument("--threads", type=int, default=None,
                   help="CPU threads for the model (torch.set_num_threads; default: torch's)")
    p.add_argument("--input-size", type=int, default=None,
                   help="override the input size (default: checkpoint's, else the backbone's)")
    p.add_argument("--decoder", choices=_DECODERS, default="auto",
                   help="video decoder (auto: OpenCV, PyAV if OpenCV cannot open the file)")
    p.add_argument("--no-timeline", action="store_true", help="do not write timeline PNGs")
    g = p.add_argument_group("live source")
    g.add_argument("--live", default=None, metavar="SRC",
                   help="camera index (0), stream URL (rtsp://...) or a video file read as a stream")
    g.add_argument("--window", type=float, default=5.0, help="sliding window in seconds (default 5)")
    g.add_argument("--max-frames", type=int, default=None, help="stop after this many frames")
    g.add_argument("--max-seconds", type=float, default=None, help="stop after this many seconds")
    g.add_argument("--print-every", type=float, default=1.0,
                   help="print the window mood every this many seconds (default 1)")
    e = p.add_argument_group("evaluation")
    e.add_argument("--evaluate", default=None, metavar="SPEC",
                   help="labelled videos: vgaf:DIR or videos:DIR; prints accuracy per method")
    e.add_argument("--split", default="val", help="split to evaluate (default val)")
    e.add_argument("--skip-bad", action="store_true",
                   help="evaluation: skip unreadable videos instead of stopping")
    return p


# ----------------------------------------------------------------------------------- output
def _fmt_probs(p) -> str:
    from synthgroup.labels import CLASS_NAMES
    return " ".join(f"{c[:3]}={float(x):.3f}" for c, x in zip(CLASS_NAMES, p))


@contextmanager
def _frames_bar(desc: str):
    """A tqdm bar of one video's scored frames on stderr (off with -q or when stderr is not a
    terminal); yields predict_video's ``progress(done, total)`` callback."""
    from tqdm import tqdm

    from synthgroup.logs import progress_disabled

    with tqdm(desc=desc, unit="frame", file=sys.stderr, leave=False, dynamic_ncols=True,
              disable=progress_disabled("globalnet")) as bar:
        def follow(done: int, total: int | None) -> None:
            if total is not None and bar.total != total:
                bar.total = total
            bar.update(done - bar.n)

        yield follow


# -------------------------------------------------------------------------------------- run
def run(args: argparse.Namespace) -> int:
    # FFmpeg inside OpenCV would print its own lines ("moov atom not found", "partial file")
    # around our one message; quiet it unless the user set a level. Read when OpenCV first
    # opens a video, so this must come before any capture is created.
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
    from .predict import Predictor, expand_inputs

    modes = [bool(args.inputs), args.live is not None, args.evaluate is not None]
    if sum(modes) == 0:
        raise GlobalNetError("nothing to predict: give INPUT files/folders, --live SRC or "
                             "--evaluate SPEC")
    if sum(modes) > 1:
        raise GlobalNetError("give either INPUT files/folders, --live SRC or --evaluate SPEC, "
                             "not several")
    if args.batch_size < 1:
        raise GlobalNetError(f"--batch-size must be >= 1, got {args.batch_size}")
    if args.threads is not None:
        if args.threads < 1:
            raise GlobalNetError(f"--threads must be >= 1, got {args.threads}")
        import torch
        torch.set_num_threads(args.threads)
    for flag, v in (("--every", args.every), ("--n", args.n), ("--max-frames", args.max_frames)):
        if v is not None and v < 1:
            raise GlobalNetError(f"{flag} must be >= 1, got {v}")
    if args.live is None and (args.max_frames is not None or args.max_seconds is not None):
        raise GlobalNetError("--max-frames / --max-seconds apply to --live only")
    images, videos = ([], [])
    if args.inputs:
        images, videos = expand_inputs(args.inputs)   # bad paths fail before the model loads
    predictor = Predictor.from_checkpoint(args.checkpoint, device=args.device,
                                          batch_size=args.batch_size, backbone=args.backbone,
                                          input_size=args.input_size, decoder=args.decoder,
                                          amp=args.amp)
    sampling = dict(every=args.every, n=args.n, all=args.all)
    if args.live is not None:
        if args.n is not None:
            raise GlobalNetError("--n needs the whole video; use --every with --live")
        from .live import run_live
        res = run_live(predictor, args.live, window=args.window, every=args.every or 1,
                       method=args.method, max_frames=args.max_frames,
                       max_seconds=args.max_seconds, out_dir=args.out,
                       print_every=args.print_every)
        if res.csv_path:
            print(f"wrote {res.csv_path} and {res.png_path}")
        return 0
    if args.evaluate is not None:
        return _run_evaluate(predictor, args, sampling)
    image_results = predictor.predict_images(images) if images else []
    for r in image_results:
        print(f"{r.path}  {r.label_name:<8s} {_fmt_probs(r.probs)}")
    video_results = []
    for i, v in enumerate(videos):
        with _frames_bar(f"[{i + 1}/{len(videos)}] {v.name}") as progress:
            r = predictor.predict_video(v, method=args.method, progress=progress, **sampling)
        video_results.append(r)
        extra = f"  [{r.note}]" if r.note else ""
        print(f"{r.path}  {r.label_name:<8s} {_fmt_probs(r.probs)}  ({args.method}, "
              f"{len(r.frames)} frames scored of {r.frames_decoded} decoded){extra}")
    if args.out is not None:
        from .outputs import write_predictions
        written = write_predictions(args.out, predictor, image_results, video_results,
                                    method=args.method, every=args.every, n=args.n, all=args.all,
                                    timelines=not args.no_timeline)
        print(f"wrote {len(written)} file(s) to {args.out}")
    return 0


def _run_evaluate(predictor, args, sampling) -> int:
    from .predict import evaluate_videos

    def progress(i, total, r):
        print(f"[{i}/{total}] {r.path.name}: {r.label_name} ({len(r.frames)} frames)"
              + (f" [{r.note}]" if r.note else ""), file=sys.stderr, flush=True)

    ev = evaluate_videos(predictor, args.evaluate, split=args.split, skip_bad=args.skip_bad,
                         progress=progress, **sampling)
    print(f"{ev['videos']} video(s) of {args.evaluate} ({args.split})"
          + (f", {len(ev['skipped'])} skipped" if ev["skipped"] else ""))
    for m, acc in ev["accuracy"].items():
        print(f"  {m:<5s} accuracy {acc:.4f} ({ev['correct'][m]}/{ev['videos']})")
    if args.out is not None:
        from .outputs import write_evaluation
        write_evaluation(args.out, ev)
        print(f"wrote {Path(args.out) / 'evaluation.json'}")
    return 0
