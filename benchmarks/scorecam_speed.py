"""Score-CAM speed: grad-cam's ``ScoreCAM`` vs our fast path (explain/fast_scorecam.py).

    python -m benchmarks.scorecam_speed                  # vgg19 at 224x224, 1 image
    python -m benchmarks.scorecam_speed --weights C.pt   # a trained vgg19 checkpoint

Everything runs in ONE process on the same image and model: grad-cam's ``ScoreCAM`` (its
default batch of 16, every channel) ``--ref-runs`` times, then each fast configuration
``--runs`` times (best time kept). Correlation = Pearson r between each fast map and
grad-cam's map for the predicted class. The model is ``vgg19`` with a 3-way head, random
init with a fixed seed unless ``--weights`` is given (no ImageNet weights are downloaded), on a
synthgroup image. On a random-init network few channels of ``features.35`` are constant or
duplicated, so the exact path gains little from skipping them; the ``extra`` column shows
how many channels each configuration evaluated.
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np
import torch

from .common import machine, markdown_table, save


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a.ravel().astype(np.float64), b.ravel().astype(np.float64))[0, 1])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--backbone", default="vgg19")
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--weights", default=None, help="checkpoint path (default: random init)")
    p.add_argument("--ref-runs", type=int, default=1)
    p.add_argument("--runs", type=int, default=2)
    p.add_argument("--topk", type=int, nargs="*", default=[32, 64])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-compile", action="store_true", help="skip the torch.compile rows")
    args = p.parse_args(argv)

    from pytorch_grad_cam import ScoreCAM
    from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget
    from synthgroup import GenConfig, Sources, make_sample

    from explain.registry import create_explainer
    from globalnet.backbones import create_backbone, get_backbone_spec, resolve_layer

    torch.manual_seed(args.seed)
    model = create_backbone(args.backbone, weights=args.weights).eval()
    spec = get_backbone_spec(args.backbone)
    cfg = GenConfig(size=(args.size, args.size), seed=args.seed)
    image = make_sample(cfg, Sources(cfg), 0).image
    fast0 = create_explainer("fast-scorecam", model, args.backbone, input_size=args.size)
    x = fast0.preprocess(image)
    with torch.no_grad():
        target = int(model(x).argmax(1))

    load_start = os.getloadavg()
    rows = []
    # --- reference: grad-cam's ScoreCAM
    ref_times = []
    for _ in range(args.ref_runs):
        t = time.perf_counter()
        with ScoreCAM(model=model, target_layers=[resolve_layer(model, spec.cam_target_layer)]) as cam:
            ref = cam(input_tensor=x, targets=[ClassifierOutputTarget(target)])[0]
        ref_times.append(time.perf_counter() - t)
    t_ref = min(ref_times)
    rows.append({"method": "grad-cam ScoreCAM (batch 16)", "mode": "reference", "seconds": t_ref,
                 "speedup": 1.0, "pearson_r": 1.0, "forwards": None})

    configs = [("exact", dict(precision="float32")), ("exact", dict(precision="bfloat16"))]
    configs += [("approximate", dict(precision="float32", topk=k)) for k in args.topk]
    configs += [("approximate", dict(precision="bfloat16", topk=k)) for k in args.topk]
    if not args.no_compile:
        configs += [("exact", dict(precision="bfloat16", compile=True))]
        configs += [("approximate", dict(precision="bfloat16", topk=k, compile=True)) for k in args.topk]
    for mode, opts in configs:
        exp = create_explainer("fast-scorecam", model, args.backbone, input_size=args.size, **opts)
        times, first = [], None
        if opts.get("compile"):       # compiling happens once per explainer: time it apart
            t = time.perf_counter()
            exp(x, target)
            first = time.perf_counter() - t
        for _ in range(args.runs):
            t = time.perf_counter()
            res = exp(x, target)
            times.append(time.perf_counter() - t)
        best = min(times)
        rows.append({"method": "fast-scorecam " + " ".join(f"{k}={v}" for k, v in opts.items()),
                     "mode": mode, "seconds": best, "speedup": t_ref / best,
                     "pearson_r": _pearson(res.maps[0, 0], ref),
                     "max_abs_diff": float(np.abs(res.maps[0, 0] - ref).max()),
                     "forwards": res.extra["forwards"], "constant": res.extra["constant"],
                     "duplicates": res.extra["duplicates"],
                     "first_call_s": first})
        print(rows[-1], flush=True)

    columns = ["method", "mode", "seconds", "speedup", "pearson_r", "max_abs_diff", "forwards",
               "constant", "duplicates", "first_call_s"]
    payload = {"backbone": args.backbone, "size": args.size, "weights": args.weights or "random init",
               "seed": args.seed, "target_class": target, "threads": torch.get_num_threads(),
               "reference_times": ref_times, "rows": rows, "machine": machine(),
               "loadavg_start": load_start, "loadavg_end": os.getloadavg()}
    md = (f"# Score-CAM speed: grad-cam vs fast path\n\n{args.backbone} at {args.size}x{args.size}, "
          f"{payload['weights']}, one synthgroup image, target class {target}, "
          f"{torch.get_num_threads()} threads, one process. Best of {args.runs} runs for the fast "
          f"path, {args.ref_runs} for grad-cam. pearson_r: against grad-cam's map. Load average "
          f"{payload['loadavg_start'][0]:.1f} at start, {payload['loadavg_end'][0]:.1f} at end "
          f"(a shared machine: the ratio is only as steady as the load). compile=True rows: "
          f"`seconds` is per image once compiled; `first_call_s` is the first image, compile "
          f"included (once per explainer, e.g. once per report).\n\n"
          + markdown_table(rows, columns) + "\n")
    j, m = save("scorecam_speed", payload, md)
    print(md)
    print(f"wrote {j} and {m}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
