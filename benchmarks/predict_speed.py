"""Video inference speed: ``globalnet predict`` on a 720p video against the forward-only bound.

    python -m benchmarks.predict_speed [--models synth-resnet18 ...] [--seconds 20]

The benchmark writes its own 720p H.264/MP4V video of synthetic group scenes (synthgroup's
embedded default, so no real person), then for each zoo model measures, in one run:

* **predict**: :meth:`globalnet.predict.Predictor.predict_video` over every frame: decoding
  (in its prefetch thread), the model's one preprocessing of the 1280x720 frames, the forward
  pass and aggregation, in frames/s of wall time;
* **forward-only**: the same model, batch size and precision on already-preprocessed input
  tensors: the bound that decoding and preprocessing can at best reach;
* **decode-only**: the decoder alone, frames/s.

``ratio = predict / forward-only`` (goal >= 0.9). Precision is what the CPU runs natively
(``amp="auto"``: bfloat16 only with ``amx_bf16``/``avx512_bf16``, else float32); rounds
alternate so a busy machine slows both sides alike. Results: ``benchmarks/results/
predict_speed.{json,md}`` with the CPU flags.
"""
from __future__ import annotations

import statistics
import time
from pathlib import Path

from .common import add_timing_args, command_line, machine, markdown_table, parser, save


def write_video(path: Path, seconds: float, fps: int = 25, width: int = 1280, height: int = 720,
                scenes: int = 8) -> int:
    """A ``width`` x ``height`` MP4 of ``scenes`` synthetic group scenes, each held for an
    equal share of the time with a slow pan (so consecutive frames differ). Returns frames."""
    import cv2
    import numpy as np

    from synthgroup import GenConfig, Sources, make_sample

    cfg = GenConfig(size=(height, height), split="test", seed=7)
    src = Sources(cfg)
    imgs = [cv2.resize(make_sample(cfg, src, i).image, (width + 64, height),
                       interpolation=cv2.INTER_LINEAR) for i in range(scenes)]
    n = max(1, round(seconds * fps))
    path.parent.mkdir(parents=True, exist_ok=True)
    out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    if not out.isOpened():
        raise RuntimeError(f"OpenCV cannot write {path}")
    try:
        for k in range(n):
            img = imgs[min(scenes - 1, k * scenes // n)]
            x = k % 64
            out.write(np.ascontiguousarray(img[:, x:x + width, ::-1]))
    finally:
        out.release()
    return n


def _decode_only(path: Path) -> float:
    from globalnet.video import DecodeStats, decode_frames
    stats = DecodeStats(fps=None, claimed=None, backend="opencv")
    t0 = time.perf_counter()
    n = sum(1 for _ in decode_frames(path, lambda k: True, "opencv", stats))
    return n / (time.perf_counter() - t0)


def _forward_only(pred, x, n_frames: int) -> float:
    import torch

    from globalnet.backbones import forward_logits
    from globalnet.device import autocast

    b = pred.batch_size
    t0 = time.perf_counter()
    with torch.inference_mode():
        done = 0
        while done < n_frames:
            k = min(b, n_frames - done)
            xb = x[:k].contiguous(memory_format=pred._memory_format)
            with autocast(pred.device, pred.amp):
                forward_logits(pred.model, xb).float().softmax(1)
            done += k
    return n_frames / (time.perf_counter() - t0)


def measure(name: str, video: Path, n_frames: int, rounds: int, batch: int) -> dict:
    import cv2
    import numpy as np

    from globalnet.device import precision_name
    from globalnet.predict import Predictor

    pred = Predictor.from_checkpoint(name, device="auto", batch_size=batch)
    cap = cv2.VideoCapture(str(video))
    ok, bgr = cap.read()
    cap.release()
    x = pred.preprocess([cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)] * batch)
    _forward_only(pred, x, batch)                         # warm-up: kernels, caches
    pred.predict_frames([np.zeros((720, 1280, 3), np.uint8)] * batch)
    fwd, full = [], []
    for _ in range(rounds):                               # alternate, so load hits both alike
        fwd.append(_forward_only(pred, x, n_frames))
        t0 = time.perf_counter()
        r = pred.predict_video(video, all=True)
        full.append(len(r.frames) / (time.perf_counter() - t0))
    f, p = statistics.median(fwd), statistics.median(full)
    return {"model": name, "backbone": pred.backbone, "input_size": pred.input_size,
            "batch": batch, "precision": precision_name("auto", pred.device),
            "device": str(pred.device), "frames": n_frames,
            "forward_fps": round(f, 1), "predict_fps": round(p, 1), "ratio": round(p / f, 3),
            "forward_rounds": [round(v, 1) for v in fwd], "predict_rounds": [round(v, 1) for v in full]}


def main(argv=None) -> int:
    import tempfile

    from globalnet.zoo import list_models

    p = parser(__doc__)
    p.add_argument("--models", nargs="*", default=None, help="default: every zoo model")
    p.add_argument("--seconds", type=float, default=20.0, help="video length (25 fps)")
    p.add_argument("--width", type=int, default=1280)
    p.add_argument("--height", type=int, default=720)
    add_timing_args(p)
    args = p.parse_args(argv)
    names = args.models or list_models()
    with tempfile.TemporaryDirectory() as tmp:
        video = Path(tmp) / "classroom_720p.mp4"
        n = write_video(video, args.seconds, width=args.width, height=args.height)
        dec = _decode_only(video)
        rows = []
        for name in names:
            rows.append(measure(name, video, n, args.rounds, args.batch))
            print(f"{name}: predict {rows[-1]['predict_fps']} frames/s, forward-only "
                  f"{rows[-1]['forward_fps']} frames/s, ratio {rows[-1]['ratio']}", flush=True)
    info = machine()
    cmd = command_line("benchmarks.predict_speed", argv)
    payload = {"command": cmd, "machine": info, "video": {
        "width": args.width, "height": args.height, "frames": n, "fps": 25, "codec": "mp4v",
        "decode_only_fps": round(dec, 1)}, "rows": rows}
    md = ["# Video inference speed", "", f"`{cmd}`", "",
          f"A {args.width}x{args.height} MP4 of {n} frames (synthetic scenes, 25 fps); the "
          f"decoder alone reads {dec:.0f} frames/s. `predict` = `Predictor.predict_video` over "
          f"every frame (decode + preprocess + forward); forward-only = the same model, batch "
          f"and precision on preprocessed tensors. Median of {args.rounds} alternating rounds.",
          "", markdown_table(rows, ["model", "backbone", "input_size", "batch", "precision",
                                    "predict_fps", "forward_fps", "ratio"]),
          "", f"Machine: {info}"]
    save("predict_speed", payload, "\n".join(md), results=args.results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
