"""Training-loop overhead: ``globalnet.train.Trainer`` against a bare PyTorch loop.

Both loops run the same model, optimizer and batches (synthetic images pre-materialised into
tensors through the backbone's train transform, so data loading costs the same and nothing is
generated during timing). The bare loop is ``zero_grad; cross_entropy(model(x), y).backward();
step``; the Trainer adds what a real run does every step: the NaN check (``loss.item()``), the
GradScaler calls (disabled on CPU), the progress bar with loss and throughput. Rounds alternate
bare / Trainer (order flipped each round) so load drifts on the machine hit both alike. The
headline figure is the median over rounds of 1 - trainer / bare throughput within the round
(paired, so drift between rounds cancels); the ratio of the two median throughputs is reported
beside it. Target: <= 5 %.

    python -m benchmarks.train_overhead [--backbone resnet18] [--size 112] [--batch 16]
        [--steps 5] [--rounds 30] [--threads 1]

Short alternating rounds (rather than two long runs) because the machine this was written on is
shared: many short rounds and medians keep other processes' bursts out of the comparison.
"""
from __future__ import annotations

import io
import statistics
import time

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

from benchmarks.common import add_timing_args, machine, markdown_table, parser, save


def materialise(backbone: str, size: int, n: int, seed: int = 0) -> TensorDataset:
    from synthgroup import GenConfig, SyntheticGroupDataset

    from globalnet.backbones import get_backbone_spec
    from globalnet.data import train_transform
    from globalnet.mixing import MixtureDataset
    spec = get_backbone_spec(backbone)
    synth = SyntheticGroupDataset(GenConfig(size=(max(96, round(size * 256 / 224)),) * 2), length=n)
    mix = MixtureDataset(synth, n, None, 0, train_transform(size, spec.mean, spec.std), seed, 0)
    xs, ys = zip(*(mix[i] for i in range(n)))
    return TensorDataset(torch.stack(xs), torch.tensor(ys))


def bare_loop(model, optimizer, loader) -> int:
    n = 0
    for x, y in loader:
        optimizer.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), y).backward()
        optimizer.step()
        n += len(y)
    return n


def trainer_loop(trainer, loader) -> int:
    from tqdm import tqdm
    bar = tqdm(total=len(loader), file=io.StringIO(), mininterval=0.1)  # real formatting cost
    trainer.run(loader, bar=bar)
    bar.close()
    return len(loader.dataset)


def main(argv=None) -> dict:
    p = parser(__doc__, results=False)
    p.add_argument("--backbone", default="resnet18")
    p.add_argument("--size", type=int, default=112)
    add_timing_args(p, batch=8, rounds=30)
    p.add_argument("--steps", type=int, default=5, help="steps per loop per round")
    p.add_argument("--threads", type=int, default=1,
                   help="torch threads; 1 keeps timings stable on a shared, loaded machine")
    p.add_argument("--no-save", action="store_true")
    a = p.parse_args(argv)

    from globalnet.backbones import create_backbone
    from globalnet.train import Trainer

    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    data = materialise(a.backbone, a.size, a.batch * a.steps)
    loader = DataLoader(data, batch_size=a.batch, shuffle=False, num_workers=0)
    model = create_backbone(a.backbone)
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.001, momentum=0.9)
    trainer = Trainer(model, opt, torch.device("cpu"))
    warm = DataLoader(TensorDataset(*data[:a.batch * 3]), batch_size=a.batch)
    bare_loop(model, opt, warm)
    trainer_loop(trainer, warm)

    bare, ours = [], []
    for r in range(a.rounds):
        for name, fn, out in ((("bare", lambda: bare_loop(model, opt, loader), bare),
                               ("trainer", lambda: trainer_loop(trainer, loader), ours))
                              if r % 2 == 0 else
                              (("trainer", lambda: trainer_loop(trainer, loader), ours),
                               ("bare", lambda: bare_loop(model, opt, loader), bare))):
            t0 = time.perf_counter()
            n = fn()
            out.append(n / (time.perf_counter() - t0))
        print(f"round {r + 1}/{a.rounds}: bare {bare[-1]:.1f} img/s, trainer {ours[-1]:.1f} img/s",
              flush=True)
    b, t = statistics.median(bare), statistics.median(ours)
    overhead = 1 - t / b
    paired = 1 - statistics.median(o / x for o, x in zip(ours, bare))   # per-round ratio
    payload = {"backbone": a.backbone, "input_size": a.size, "batch_size": a.batch,
               "steps_per_round": a.steps, "rounds": a.rounds,
               "total_steps": 2 * a.steps * a.rounds, "torch": torch.__version__,
               "threads": torch.get_num_threads(), "device": "cpu",
               "bare_img_per_s": bare, "trainer_img_per_s": ours,
               "bare_median": b, "trainer_median": t, "overhead": overhead, "paired_overhead": paired,
               "target": 0.05, "pass": paired <= 0.05, "machine": machine()}
    rows = [{"loop": "bare PyTorch", "median img/s": b, "min": min(bare), "max": max(bare)},
            {"loop": "globalnet Trainer", "median img/s": t, "min": min(ours), "max": max(ours)}]
    md = (f"# Training-loop overhead\n\n{a.backbone} at {a.size}x{a.size}, batch {a.batch}, CPU "
          f"({torch.get_num_threads()} threads), {a.rounds} alternating rounds of {a.steps} steps "
          f"per loop, pre-materialised synthetic tensors.\n\n"
          + markdown_table(rows, ["loop", "median img/s", "min", "max"])
          + f"\n\n**Overhead: {paired * 100:.2f} %** (median of per-round paired ratios; "
            f"{overhead * 100:.2f} % from the two median throughputs; target <= 5 %; "
            f"negative = within noise). "
            f"Machine: {payload['machine']['cpus']} CPUs, {payload['machine']['date']}.\n")
    print(md)
    if not a.no_save:
        save("train_overhead", payload, md)
    return payload


if __name__ == "__main__":
    main()
