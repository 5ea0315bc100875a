"""Mixed precision on a CPU: ``globalnet``'s training step in float32 vs bfloat16 autocast.

    python -m benchmarks.precision [--cases resnet18@224 resnet18@112 ...] [--batch 32]

Both modes run ``globalnet.train.Trainer`` (the product's step) on the same pre-materialised
synthetic batches; ``amp=True`` is what ``amp = auto`` picks on a CPU with native bfloat16
(AMX / AVX512-BF16): bfloat16 autocast and channels-last model and inputs. Rounds alternate the
two modes (order flipped each round) so load drift hits both alike; the speed-up is the median
over rounds of the paired ratio. The figure says nothing about accuracy: the synthetic-validation
runs record their precision next to their accuracy.
"""
from __future__ import annotations

import argparse
import statistics
import time

import torch

from benchmarks.common import add_timing_args, machine, markdown_table, parser, publish

DEFAULT_CASES = ["resnet18@224", "resnet18@112", "mobilenet_v2@112", "inception_v3@224", "vgg19@112"]


def _case(text: str) -> tuple[str, int]:
    name, _, size = text.partition("@")
    try:
        return name, int(size)
    except ValueError:
        raise argparse.ArgumentTypeError(f"case {text!r} is not BACKBONE@SIZE (e.g. resnet18@224)") from None


def time_mode(backbone: str, data, amp: bool, steps: int, state: dict, aux: bool | None) -> float:
    """Seconds per image of ``steps`` Trainer steps, from the shared initial ``state``."""
    from globalnet.backbones import create_backbone
    from globalnet.train import Trainer
    model = create_backbone(backbone, weights=None, num_classes=3, aux_logits=aux)
    model.load_state_dict(state)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    trainer = Trainer(model, opt, torch.device("cpu"), amp=amp)
    model.train()
    x, y = data
    trainer.step(x, y)                       # first step: allocations, oneDNN primitive caches
    t = time.perf_counter()
    for _ in range(steps):
        trainer.step(x, y)
    return (time.perf_counter() - t) / (steps * len(y))


def main(argv=None) -> int:
    p = parser(__doc__)
    p.add_argument("--cases", nargs="*", type=_case, default=[_case(c) for c in DEFAULT_CASES])
    p.add_argument("--steps", type=int, default=3, help="training steps per mode and round")
    add_timing_args(p)
    args = p.parse_args(argv)

    from globalnet.backbones import create_backbone, get_backbone_spec
    from globalnet.device import cpu_has_bf16
    from benchmarks.train_overhead import materialise

    rows = []
    for backbone, size in args.cases:
        ds = materialise(backbone, size, args.batch)
        data = (ds.tensors[0], ds.tensors[1])
        aux = get_backbone_spec(backbone).train_aux_logits(size)
        torch.manual_seed(0)
        state = create_backbone(backbone, weights=None, num_classes=3, aux_logits=aux).state_dict()
        fp32, bf16, ratios = [], [], []
        for r in range(args.rounds):
            order = (False, True) if r % 2 == 0 else (True, False)
            got = {amp: time_mode(backbone, data, amp, args.steps, state, aux) for amp in order}
            fp32.append(got[False])
            bf16.append(got[True])
            ratios.append(got[False] / got[True])
        row = {"backbone": backbone, "size": size, "float32 ms/img": 1000 * statistics.median(fp32),
               "bfloat16 ms/img": 1000 * statistics.median(bf16), "speedup": statistics.median(ratios)}
        rows.append(row)
        print(row, flush=True)
    payload = {"batch": args.batch, "steps": args.steps, "rounds": args.rounds,
               "threads": torch.get_num_threads(), "cpu_has_bf16": cpu_has_bf16(),
               "rows": rows, "machine": machine()}
    md = (f"# Training step: float32 vs bfloat16 mixed precision (CPU)\n\n"
          f"`python -m benchmarks.precision`: globalnet's Trainer step, batch {args.batch}, "
          f"{torch.get_num_threads()} threads, median of {args.rounds} alternating rounds of "
          f"{args.steps} steps. bfloat16 = autocast + channels-last (what `amp = auto` uses on this "
          f"CPU: native bfloat16 {'yes' if cpu_has_bf16() else 'no'}).\n\n"
          + markdown_table(rows, ["backbone", "size", "float32 ms/img", "bfloat16 ms/img", "speedup"])
          + "\n\nMachine: " + str(machine()) + "\n")
    return publish("precision", payload, md, args.results)


if __name__ == "__main__":
    raise SystemExit(main())
