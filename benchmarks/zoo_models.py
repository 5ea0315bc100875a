"""Measure the shipped zoo models: held-out accuracy (and flip TTA), frames/s, size on disk.

    python -m benchmarks.zoo_models [--models synth-resnet18 ...] [--test-images 1000]

Each model is loaded from its shipped (half-precision, sha256-checked) file, exactly as a user
gets it, and tested on the held-out synthetic scenes of ``benchmarks.synthetic_validation``
(``GenConfig(split="test", seed=2020)``, 1-9 faces, so the figures compare with the recipe
rows there). Frames/s is ``Predictor.predict_frames`` on decoded 256x256 frames (preprocessing +
forward, no decoding), at the precision the CPU runs natively (``amp="auto"``): the median of
``--rounds`` rounds that alternate between the models measured, so a busy machine slows each
alike and the ratio to the first model (``speed_ratio``) compares them within one run.

Writes ``globalnet/zoo/measured.json`` (read by ``globalnet models`` and the model cards) and
``benchmarks/results/zoo_models.{json,md}`` with the cards. A model not measured in this run
keeps its earlier row.
"""
from __future__ import annotations

import json
import time

from .common import command_line, machine, markdown_table, parser, save
from .backbones import TEST_SEED
from .synthetic_validation import confusion_with_flip

FPS_FRAMES = 256
FPS_BATCH = 32


def measure(name: str, test_images: int, progress: bool = True) -> dict:
    import numpy as np
    import torch

    from globalnet import device as gdev
    from globalnet.data.transforms import eval_transform
    from globalnet.evaluate import synthetic_eval_set
    from globalnet.predict import Predictor
    from globalnet.zoo import get_model

    entry = get_model(name)
    pred = Predictor.from_checkpoint(name, device="cpu", batch_size=FPS_BATCH)
    spec = pred.spec
    ds = synthetic_eval_set(test_images, entry.input_size,
                            eval_transform(entry.input_size, spec.mean, spec.std), seed=TEST_SEED)
    t0 = time.perf_counter()
    cm, cm_flip = confusion_with_flip(pred.model, ds, 3, pred.device, pred.amp, pred._memory_format)
    test_s = time.perf_counter() - t0
    row = {"name": name, "backbone": entry.backbone, "input_size": entry.input_size,
           "accuracy": float(np.trace(cm) / cm.sum()),
           "accuracy_flip": float(np.trace(cm_flip) / cm_flip.sum()),
           "confusion": cm.tolist(), "test_images": int(cm.sum()), "test_seed": TEST_SEED,
           "batch": FPS_BATCH,
           "precision": gdev.precision_name("auto", pred.device),
           "threads": torch.get_num_threads(), "size_mb": round(entry.path.stat().st_size / 1e6, 2),
           "sha256": entry.sha256, "test_seconds": round(test_s, 1)}
    if progress:
        print(f"{name}: accuracy {row['accuracy']:.3f} (+flip {row['accuracy_flip']:.3f})", flush=True)
    return row


def frames_per_second(names: list[str], rounds: int) -> dict[str, float]:
    """Median frames/s of each model over ``rounds`` rounds that alternate between the models."""
    import statistics

    import numpy as np
    from globalnet.predict import Predictor

    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 256, (256, 256, 3), dtype=np.uint8) for _ in range(FPS_FRAMES)]
    preds = {n: Predictor.from_checkpoint(n, device="cpu", batch_size=FPS_BATCH) for n in names}
    for pred in preds.values():
        pred.predict_frames(frames[:FPS_BATCH])                   # warm-up (kernels, caches)
    runs: dict[str, list[float]] = {n: [] for n in names}
    for _ in range(rounds):
        for name, pred in preds.items():
            t0 = time.perf_counter()
            pred.predict_frames(frames)
            runs[name].append(FPS_FRAMES / (time.perf_counter() - t0))
    return {n: statistics.median(v) for n, v in runs.items()}


def main(argv=None) -> int:
    from globalnet.zoo import MEASURED_FILE, list_models, model_card

    p = parser(__doc__)
    p.add_argument("--models", nargs="*", default=None, help="default: every zoo model")
    p.add_argument("--test-images", type=int, default=1000)
    p.add_argument("--rounds", type=int, default=5, help="alternating speed rounds (median)")
    args = p.parse_args(argv)
    names = args.models or list_models()
    if args.rounds < 1:
        raise SystemExit(f"benchmarks.zoo_models: --rounds must be at least 1, not {args.rounds}")
    try:
        old = json.loads(MEASURED_FILE.read_text()).get("models", {})
    except (OSError, ValueError):
        old = {}
    rows = {n: r for n, r in old.items() if n in list_models()}
    for name in names:
        rows[name] = measure(name, args.test_images)
    fps = frames_per_second(names, args.rounds)
    for name in names:
        rows[name].update(frames_per_s=round(fps[name], 1), speed_ratio=round(fps[name] / fps[names[0]], 2),
                          speed_vs=names[0], speed_rounds=args.rounds)
        print(f"{name}: {fps[name]:.0f} frames/s, x{rows[name]['speed_ratio']:.2f} {names[0]}'s", flush=True)
    info = machine()
    payload = {"machine": info, "cpu_flags": info["cpu_flags"],
               "command": command_line("benchmarks.zoo_models", argv),
               "models": rows}
    MEASURED_FILE.write_text(json.dumps(payload, indent=2) + "\n")
    table = [{**r, "accuracy %": round(100 * r["accuracy"], 1),
              "+ flip TTA %": round(100 * r["accuracy_flip"], 1)} for r in rows.values()]
    md = ["# Zoo models", "", f"`{payload['command'].strip()}`", "",
          markdown_table(table, ["name", "backbone", "input_size", "accuracy %", "+ flip TTA %",
                                 "test_images", "frames_per_s", "speed_ratio", "batch", "precision",
                                 "size_mb"]),
          "", f"speed_ratio: frames/s relative to {names[0]}, measured in the same run (median of "
              f"{args.rounds} alternating rounds).", "", f"Machine: {info}", ""]
    md += [model_card(n) for n in rows]
    save("zoo_models", payload, "\n".join(md), results=args.results)
    print(f"wrote {MEASURED_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
