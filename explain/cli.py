"""``explain`` console script.

    explain list
    explain report --checkpoint run/best.pt a.jpg clip.mp4 synth/ --out report/
    explain map --checkpoint run/best.pt a.jpg --out a_cam.png [--method gradcam]

The inputs are positional, as in ``globalnet predict``; the old ``--inputs`` / ``--input``
still work and print a one-line deprecation note.

Bad input (unreadable / zero-length / truncated video, unsupported or damaged image, checkpoint
of another backbone or class count) prints one ``explain: error: ...`` line and exits 2, leaving
no report behind.
"""
from __future__ import annotations

import argparse
import logging

from synthgroup.cliargs import DeprecatedOption, add_device_arg, add_model_args, command_parser
from synthgroup.logs import add_logging_args, configure_logging

EXIT_ERROR = 2


def _parser() -> argparse.ArgumentParser:
    from .fast_scorecam import FILLS, PRECISIONS

    p, sub = command_parser("explain", "Heatmaps, metrics and HTML reports for the global-only "
                                       "group-emotion CNNs.")
    add_logging_args(sub.add_parser("list", help="list the explainers"))

    def common(sp):
        add_model_args(sp)
        sp.add_argument("--method", default="fast-scorecam", help="explainer (see `explain list`)")
        sp.add_argument("--target-layer", default=None,
                        help="dotted layer path (default: the backbone's cam_target_layer)")
        sp.add_argument("--topk", type=int, default=None,
                        help="fast-scorecam: evaluate only the top-k channels (approximate)")
        sp.add_argument("--fill", choices=FILLS, default=None,
                        help="fast-scorecam --topk: stand-in score of the skipped channels "
                             "(default baseline: the all-zero input's score)")
        sp.add_argument("--precision", choices=PRECISIONS, default=None,
                        help="fast-scorecam, occlusion: precision of the masked / occluded forwards "
                             "(default float32); auto: bfloat16 where the CPU runs it natively")
        sp.add_argument("--compile", action="store_true",
                        help="fast-scorecam: torch.compile the scoring model (once; then faster)")
        sp.add_argument("--batch-size", type=int, default=None, help="score-cam batch size")
        add_device_arg(sp)

    r = sub.add_parser("report", help="self-contained HTML report")
    common(r)
    r.add_argument("inputs", nargs="*", metavar="INPUT",
                   help="images, videos, or folders (synthgroup folders give face focus)")
    r.add_argument("--inputs", dest="old_inputs", nargs="+", action=DeprecatedOption,
                   use="give the inputs as positional arguments: "
                       "explain report --checkpoint CK INPUT... --out DIR")
    r.add_argument("--out", required=True, help="report folder (must not exist)")
    r.add_argument("--overwrite", action="store_true", help="replace an existing report folder")
    privacy_args(r, "the pictures of an input and under its heatmaps (auto: every input that "
                    "is not a synthgroup image, photos and videos alike)")
    r.add_argument("--limit", type=int, default=None, metavar="N",
                   help="explain at most N inputs: the first N, images before videos (a folder "
                        "counts as the files in it)")
    r.add_argument("--every", type=int, default=None, help="video: score every k-th frame")
    r.add_argument("--frames", type=int, default=None,
                   help="video: score N frames spread over the video (default 32)")
    r.add_argument("--key-frames", type=int, default=3, help="video: key frames shown")
    r.add_argument("--faithfulness", action="store_true",
                   help="add ROAD and confidence drop per image (slower)")
    r.add_argument("--allow-truncated", action="store_true",
                   help="report a truncated video's decoded frames instead of failing")
    add_logging_args(r)

    m = sub.add_parser("map", help="one heatmap overlay PNG")
    common(m)
    m.add_argument("input", nargs="?", metavar="INPUT", help="an image")
    m.add_argument("--input", dest="old_input", action=DeprecatedOption,
                   use="give the image as a positional argument: "
                       "explain map --checkpoint CK INPUT --out PNG")
    m.add_argument("--out", required=True, help="output PNG")
    m.add_argument("--target", default=None, help="class index or name (default: predicted)")
    privacy_args(m, "the picture under the heatmap (auto: unless the image is a synthgroup image)")
    add_logging_args(m)
    return p


def privacy_args(sp, what: str) -> None:
    """``--privacy`` and ``--privacy-style``, the same for ``report`` and ``map``."""
    from .report import PRIVACY_CHOICES, PRIVACY_STYLES
    sp.add_argument("--privacy", choices=PRIVACY_CHOICES, default="auto", help=f"obscure {what}")
    sp.add_argument("--privacy-style", choices=PRIVACY_STYLES, default="pixelate")


def _inputs(args) -> list[str]:
    """``explain report``'s inputs: the positional ones and those of the old ``--inputs``."""
    inputs = list(args.inputs) + list(args.old_inputs or [])
    if not inputs:
        from .base import ExplainError
        raise ExplainError("no inputs: give INPUT images, videos or folders "
                           "(explain report --checkpoint CK INPUT... --out DIR)")
    return inputs


def _method_options(args) -> dict:
    opts = {}
    if args.topk is not None:
        opts["topk"] = args.topk
    if args.precision is not None:
        opts["precision"] = args.precision
    if args.fill is not None:
        opts["fill"] = args.fill
    if args.compile:
        opts["compile"] = True
    if args.batch_size is not None:
        opts["batch_size"] = args.batch_size
    return opts


def _run(args) -> int:
    if args.command == "list":
        from .registry import describe_explainers
        for name, desc in describe_explainers():
            print(f"{name:22s} {desc}")
        return 0
    if args.command == "report":
        from .report import ReportOptions, build_report
        opts = ReportOptions(method=args.method, method_options=_method_options(args),
                             target_layer=args.target_layer, backbone=args.backbone,
                             privacy=args.privacy, privacy_style=args.privacy_style,
                             every=args.every, frames=args.frames, key_frames=args.key_frames,
                             faithfulness=args.faithfulness, device=args.device,
                             overwrite=args.overwrite, allow_truncated=args.allow_truncated,
                             limit=args.limit)
        log = None if args.quiet else logging.getLogger("explain").info
        out = build_report(args.checkpoint, _inputs(args), args.out, opts, log=log)
        print(out / "index.html")
        return 0
    if args.command == "map":
        return _map(args)
    return EXIT_ERROR


def _map(args) -> int:
    from pathlib import Path

    import cv2

    from globalnet.predict import Predictor, read_image_checked
    from synthgroup.io import atomic_write_bytes
    from synthgroup.labels import CLASS_NAMES

    from .base import ExplainError
    from .registry import create_explainer
    from .report import ReportOptions, SynthFolders, overlay, privatize

    out = Path(args.out)
    if out.suffix.lower() != ".png":
        raise ExplainError(f"--out must be a .png file, not {out}")
    given = [p for p in (args.input, args.old_input) if p]
    if len(given) != 1:
        raise ExplainError(f"explain map takes one INPUT image, got {len(given)}")
    rgb = read_image_checked(Path(given[0]))
    pred = Predictor.from_checkpoint(args.checkpoint, device=args.device, backbone=args.backbone)
    exp = create_explainer(args.method, pred.model, pred.backbone, args.target_layer,
                           device=str(pred.device), input_size=pred.input_size,
                           **_method_options(args))
    target = None
    if args.target is not None:
        names = [n.lower() for n in CLASS_NAMES]
        t = args.target.lower()
        if t in names:
            target = names.index(t)
        elif t.isdigit() and int(t) < len(CLASS_NAMES):
            target = int(t)
        else:
            raise ExplainError(f"--target must be 0-2 or one of {', '.join(CLASS_NAMES)}")
    res = exp.explain_image(rgb, target)
    opts = ReportOptions(privacy=args.privacy, privacy_style=args.privacy_style)
    opts.check()
    hide = opts.obscuring(SynthFolders().lookup(Path(given[0])) is not None, rgb.shape)
    img = overlay(rgb if hide is None else privatize(rgb, hide.style, hide.block), res.map)
    out.parent.mkdir(parents=True, exist_ok=True)
    ok, png = cv2.imencode(".png", cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
    if not ok:
        raise ExplainError(f"cannot encode the map for {out}")
    atomic_write_bytes(out, png.tobytes())
    c = int(res.targets[0, 0])
    print(f"{out}: {CLASS_NAMES[c]} map (p={res.probs[0, c]:.3f}; predicted "
          f"{CLASS_NAMES[int(res.probs[0].argmax())]})"
          + ("" if hide is None else f"; picture obscured ({hide.style}, {hide.reason}; "
                                     f"--privacy off shows it)"))
    return 0


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    configure_logging(args)
    from globalnet.errors import GlobalNetError
    from synthgroup.errors import SynthGroupError, run_command
    return run_command("explain", lambda: _run(args), (GlobalNetError, SynthGroupError))


if __name__ == "__main__":
    raise SystemExit(main())
