"""Score-CAM speed: grad-cam's ``ScoreCAM`` vs our fast path (explain/fast_scorecam.py).

    python -m benchmarks.scorecam_speed                  # vgg19 at 224x224, 1 image
    python -m benchmarks.scorecam_speed --weights C.pt   # a trained vgg19 checkpoint
    python -m benchmarks.scorecam_speed --backbone resnet18 --weights C.pt --images 8

Everything runs in ONE process on the same images and model: grad-cam's ``ScoreCAM`` (its
default batch of 16, every channel) ``--ref-runs`` times per image, then each fast
configuration ``--runs`` times per image (best time kept). Correlation = Pearson r between each
fast map and grad-cam's map for the image's predicted class, averaged over the ``--images``
synthgroup images, with the worst image beside it. The model is ``vgg19`` with a 3-way head,
random init with a fixed seed unless ``--weights`` is given (no ImageNet weights are
downloaded). On a random-init network few channels of ``features.35`` are constant or
duplicated, so the exact path gains little from skipping them; the ``forwards`` column shows
how many forward passes each configuration ran.

Two things keep the correlation column honest:

* a **control** row, "uniform weights": ``ReLU(mean_k A_k)``, the map Score-CAM would give if
  every channel scored the same (no forward passes at all). When the network is untrained its
  scores barely differ, this control already matches grad-cam, and a high r says nothing
  about a fast path's fidelity - run the benchmark on a trained checkpoint (``--weights``) to
  see the control fall behind;
* configurations that prepare once per explainer (``compile=True``: compiling;
  ``precision=int8``: tracing and calibrating the activation scales) first explain a
  *different* synthgroup image (``first_call_s``), then are timed on the benchmark image, so
  int8's scales are never fitted on the image they are scored on.

Results: ``scorecam_speed`` for vgg19, ``scorecam_speed_<backbone>`` for another backbone.
"""
from __future__ import annotations

import os
import time

import numpy as np
import torch

from .common import machine, markdown_table, parser, publish


def best_of(runs: int, call):
    """The fastest of ``runs`` calls of ``call`` in seconds, and the last call's result."""
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        out = call()
        times.append(time.perf_counter() - t)
    return min(times), out


def main(argv=None) -> int:
    p = parser(__doc__)
    p.add_argument("--backbone", default="vgg19")
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--weights", default=None, help="checkpoint path (default: random init)")
    p.add_argument("--ref-runs", type=int, default=1)
    p.add_argument("--runs", type=int, default=2)
    p.add_argument("--images", type=int, default=1,
                   help="synthgroup images 0..N-1, each explained for its predicted class")
    p.add_argument("--topk", type=int, nargs="*", default=[32, 64])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-compile", action="store_true", help="skip the torch.compile rows")
    p.add_argument("--no-int8", action="store_true", help="skip the precision=int8 rows")
    args = p.parse_args(argv)

    from pytorch_grad_cam import ScoreCAM
    from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget
    from synthgroup import GenConfig, Sources, make_sample

    from explain.base import ActivationCapture, normalise_maps
    from explain.metrics import pearson
    from explain.registry import create_explainer
    from globalnet.backbones import create_backbone, get_backbone_spec, resolve_layer

    torch.manual_seed(args.seed)
    model = create_backbone(args.backbone, weights=args.weights).eval()
    spec = get_backbone_spec(args.backbone)
    cfg = GenConfig(size=(args.size, args.size), seed=args.seed)
    sources = Sources(cfg)
    fast0 = create_explainer("fast-scorecam", model, args.backbone, input_size=args.size)
    layer = resolve_layer(model, spec.cam_target_layer)
    xs, targets, probs, uniforms = [], [], [], []
    for i in range(args.images):
        x = fast0.preprocess(make_sample(cfg, sources, i).image)
        with torch.no_grad(), ActivationCapture(layer) as cap:
            p_i = torch.softmax(model(x), 1)[0]
        xs.append(x)
        probs.append([float(v) for v in p_i])
        targets.append(int(p_i.argmax()))
        uniforms.append(normalise_maps(torch.relu(cap.activations.float().mean(1, keepdim=True)),
                                       (args.size, args.size))[0, 0])
    # prepare-once rows (compile, int8 calibration) start on an image that is not measured
    x_warm = fast0.preprocess(make_sample(cfg, sources, args.images).image)

    load_start = os.getloadavg()
    rows = []
    # --- reference: grad-cam's ScoreCAM, best of --ref-runs per image
    def score_cam(x, target):
        with ScoreCAM(model=model, target_layers=[layer]) as cam:
            return cam(input_tensor=x, targets=[ClassifierOutputTarget(target)])[0]

    refs, ref_times = [], []
    for x, target in zip(xs, targets):
        seconds, ref = best_of(args.ref_runs, lambda: score_cam(x, target))
        refs.append(ref)
        ref_times.append(seconds)
    t_ref = float(np.mean(ref_times))

    def compared(maps: list[np.ndarray]) -> dict:
        r = [pearson(m, ref) for m, ref in zip(maps, refs)]
        return {"pearson_r": float(np.mean(r)), "pearson_r_min": float(np.min(r)),
                "pearson_r_per_image": r,
                "max_abs_diff": float(max(np.abs(m - ref).max() for m, ref in zip(maps, refs)))}

    rows.append({"method": "grad-cam ScoreCAM (batch 16)", "mode": "reference", "seconds": t_ref,
                 "seconds_per_image": ref_times, "speedup": 1.0, "pearson_r": 1.0,
                 "pearson_r_min": 1.0})
    rows.append({"method": "uniform weights ReLU(mean A) (control)", "mode": "control",
                 "forwards": 0, **compared(uniforms)})
    print(rows[-1], flush=True)

    configs = [("exact", dict(precision="float32")), ("exact", dict(precision="bfloat16"))]
    configs += [("approximate", dict(precision="float32", topk=k)) for k in args.topk]
    configs += [("approximate", dict(precision="bfloat16", topk=k)) for k in args.topk]
    if args.topk:          # the other stand-in scores for skipped channels (default: baseline)
        configs += [("approximate", dict(precision="bfloat16", topk=args.topk[0], fill=f))
                    for f in ("mean", "zero")]
    if not args.no_compile:
        configs += [("exact", dict(precision="bfloat16", compile=True))]
        configs += [("approximate", dict(precision="bfloat16", topk=k, compile=True)) for k in args.topk]
    if not args.no_int8:
        configs += [("exact", dict(precision="int8"))]
        configs += [("approximate", dict(precision="int8", topk=k)) for k in args.topk]
    for mode, opts in configs:
        exp = create_explainer("fast-scorecam", model, args.backbone, input_size=args.size, **opts)
        first = None
        if opts.get("compile") or opts.get("precision") == "int8":   # once per explainer
            t = time.perf_counter()
            exp(x_warm, targets[0])                  # on another image: time it apart
            first = time.perf_counter() - t
        best, maps, extras = [], [], []
        for x, target in zip(xs, targets):
            seconds, res = best_of(args.runs, lambda: exp(x, target))
            best.append(seconds)
            maps.append(res.maps[0, 0])
            extras.append(res.extra)
        seconds = float(np.mean(best))
        rows.append({"method": "fast-scorecam " + " ".join(f"{k}={v}" for k, v in opts.items()),
                     "mode": mode, "seconds": seconds, "seconds_per_image": best,
                     "speedup": t_ref / seconds, **compared(maps),
                     **{k: float(np.mean([e[k] for e in extras]))
                        for k in ("forwards", "constant", "duplicates")},
                     "first_call_s": first})
        print({k: v for k, v in rows[-1].items() if not k.endswith("per_image")}, flush=True)

    columns = ["method", "mode", "seconds", "speedup", "pearson_r", "pearson_r_min",
               "max_abs_diff", "forwards", "constant", "duplicates", "first_call_s"]
    payload = {"backbone": args.backbone, "size": args.size, "weights": args.weights or "random init",
               "seed": args.seed, "images": args.images, "targets": targets, "probs": probs,
               "threads": torch.get_num_threads(),
               "reference_times": ref_times, "rows": rows, "machine": machine(),
               "loadavg_start": load_start, "loadavg_end": os.getloadavg()}
    shown = ", ".join(f"{t} (p = {pr[t]:.3f})" for t, pr in zip(targets, probs))
    md = (f"# Score-CAM speed: grad-cam vs fast path\n\n{args.backbone} at {args.size}x{args.size}, "
          f"{payload['weights']}, {args.images} synthgroup image(s), each explained for its "
          f"predicted class: {shown}; {torch.get_num_threads()} threads, one process. Best of "
          f"{args.runs} runs per image for the fast path, {args.ref_runs} for grad-cam; "
          f"`seconds` is the mean over the images, `speedup` grad-cam's mean over it. "
          f"pearson_r: against grad-cam's map, mean over the images; pearson_r_min: the worst "
          f"image. Load average {payload['loadavg_start'][0]:.1f} at start, "
          f"{payload['loadavg_end'][0]:.1f} at end (a shared machine: the ratio is only as "
          f"steady as the load). compile=True and precision=int8 rows: `seconds` is per image "
          f"once prepared; `first_call_s` is a first, different image, compiling or int8 "
          f"calibration included (once per explainer, e.g. once per report). The control row "
          f"is the uniform-weights map ReLU(mean A): if its r is as high as the fast rows', this "
          f"network's scores are too flat for r to test fidelity.\n\n"
          + markdown_table([{**r, "pearson_r": f"{r['pearson_r']:.6f}",
                             "pearson_r_min": f"{r['pearson_r_min']:.6f}"} for r in rows], columns)
          + "\n")
    name = "scorecam_speed" if args.backbone == "vgg19" else f"scorecam_speed_{args.backbone}"
    return publish(name, payload, md, args.results)


if __name__ == "__main__":
    raise SystemExit(main())
