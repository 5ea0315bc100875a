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
    p.add_argument("--no-int8", action="store_true", help="skip the precision=int8 rows")
    args = p.parse_args(argv)

    from pytorch_grad_cam import ScoreCAM
    from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget
    from synthgroup import GenConfig, Sources, make_sample

    from explain.base import ActivationCapture, normalise_maps
    from explain.registry import create_explainer
    from globalnet.backbones import create_backbone, get_backbone_spec, resolve_layer

    torch.manual_seed(args.seed)
    model = create_backbone(args.backbone, weights=args.weights).eval()
    spec = get_backbone_spec(args.backbone)
    cfg = GenConfig(size=(args.size, args.size), seed=args.seed)
    sources = Sources(cfg)
    image = make_sample(cfg, sources, 0).image
    fast0 = create_explainer("fast-scorecam", model, args.backbone, input_size=args.size)
    x = fast0.preprocess(image)
    x_warm = fast0.preprocess(make_sample(cfg, sources, 1).image)   # prepare-once rows start here
    layer = resolve_layer(model, spec.cam_target_layer)
    with torch.no_grad(), ActivationCapture(layer) as cap:
        probs = torch.softmax(model(x), 1)[0]
    target = int(probs.argmax())
    uniform = normalise_maps(torch.relu(cap.activations.float().mean(1, keepdim=True)),
                             (args.size, args.size))[0, 0]

    load_start = os.getloadavg()
    rows = []
    # --- reference: grad-cam's ScoreCAM
    ref_times = []
    for _ in range(args.ref_runs):
        t = time.perf_counter()
        with ScoreCAM(model=model, target_layers=[layer]) as cam:
            ref = cam(input_tensor=x, targets=[ClassifierOutputTarget(target)])[0]
        ref_times.append(time.perf_counter() - t)
    t_ref = min(ref_times)
    rows.append({"method": "grad-cam ScoreCAM (batch 16)", "mode": "reference", "seconds": t_ref,
                 "speedup": 1.0, "pearson_r": 1.0, "forwards": None})
    rows.append({"method": "uniform weights ReLU(mean A) (control)", "mode": "control",
                 "seconds": None, "speedup": None, "pearson_r": _pearson(uniform, ref),
                 "max_abs_diff": float(np.abs(uniform - ref).max()), "forwards": 0})
    print(rows[-1], flush=True)

    configs = [("exact", dict(precision="float32")), ("exact", dict(precision="bfloat16"))]
    configs += [("approximate", dict(precision="float32", topk=k)) for k in args.topk]
    configs += [("approximate", dict(precision="bfloat16", topk=k)) for k in args.topk]
    if not args.no_compile:
        configs += [("exact", dict(precision="bfloat16", compile=True))]
        configs += [("approximate", dict(precision="bfloat16", topk=k, compile=True)) for k in args.topk]
    if not args.no_int8:
        configs += [("exact", dict(precision="int8"))]
        configs += [("approximate", dict(precision="int8", topk=k)) for k in args.topk]
    for mode, opts in configs:
        exp = create_explainer("fast-scorecam", model, args.backbone, input_size=args.size, **opts)
        times, first = [], None
        if opts.get("compile") or opts.get("precision") == "int8":   # once per explainer
            t = time.perf_counter()
            exp(x_warm, target)                      # on another image: time it apart
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
               "seed": args.seed, "target_class": target, "probs": [float(v) for v in probs], "threads": torch.get_num_threads(),
               "reference_times": ref_times, "rows": rows, "machine": machine(),
               "loadavg_start": load_start, "loadavg_end": os.getloadavg()}
    md = (f"# Score-CAM speed: grad-cam vs fast path\n\n{args.backbone} at {args.size}x{args.size}, "
          f"{payload['weights']}, one synthgroup image, target class {target} (p = "
          f"{', '.join(f'{v:.3f}' for v in probs.tolist())}), "
          f"{torch.get_num_threads()} threads, one process. Best of {args.runs} runs for the fast "
          f"path, {args.ref_runs} for grad-cam. pearson_r: against grad-cam's map. Load average "
          f"{payload['loadavg_start'][0]:.1f} at start, {payload['loadavg_end'][0]:.1f} at end "
          f"(a shared machine: the ratio is only as steady as the load). compile=True and "
          f"precision=int8 rows: `seconds` is per image once prepared; `first_call_s` is a "
          f"first, different image, compiling or int8 calibration included (once per "
          f"explainer, e.g. once per report). The control row is the uniform-weights map "
          f"ReLU(mean A): if its r is as high as the fast rows', this network's scores are too "
          f"flat for r to test fidelity.\n\n"
          + markdown_table([{**r, "pearson_r": f"{r['pearson_r']:.6f}"} for r in rows], columns)
          + "\n")
    name = "scorecam_speed" if args.backbone == "vgg19" else f"scorecam_speed_{args.backbone}"
    j, m = save(name, payload, md)
    print(md)
    print(f"wrote {j} and {m}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
