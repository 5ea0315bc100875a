"""Generator throughput: `generate` at 224x224 with defaults, 1 and 2 workers; the on-the-fly
Dataset; and the floor (JPEG-encoding and writing the same number of images alone).

    python -m benchmarks.generate_speed            # n = 10000
    python -m benchmarks.generate_speed --n 2000   # quicker

"cold" runs start with an empty asset cache (every procedural face and scene is drawn during
the run); "warm" runs reuse the cache the cold run filled, as every later run on a machine does.
The CLI row times the README's command end to end in a subprocess (imports included).
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from .common import machine, markdown_table, save


def _encode_write(args):
    images, out, start, stop, quality = args
    for i in range(start, stop):
        ok, buf = cv2.imencode(".jpg", images[i % len(images)], [cv2.IMWRITE_JPEG_QUALITY, quality])
        with open(out / f"{i:06d}.jpg", "wb") as f:
            f.write(buf.tobytes())
    return stop - start


def floor(n: int, images: list[np.ndarray], workers: int, tmp: Path) -> float:
    out = tmp / f"floor{workers}"
    out.mkdir()
    t = time.perf_counter()
    if workers == 1:
        _encode_write((images, out, 0, n, 95))
    else:
        step = -(-n // workers)
        jobs = [(images, out, k * step, min(n, (k + 1) * step), 95) for k in range(workers)]
        with mp.get_context("fork").Pool(workers) as pool:
            pool.map(_encode_write, jobs)
    dt = time.perf_counter() - t
    shutil.rmtree(out)
    return dt


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=10_000)
    p.add_argument("--dataset-n", type=int, default=2_000, help="items read from the torch Dataset")
    args = p.parse_args(argv)
    from synthgroup import GenConfig, generate
    from synthgroup.torchdata import SyntheticGroupDataset
    import torch
    torch.set_num_threads(1)

    n = args.n
    cfg = GenConfig()
    rows = []
    tmp = Path(tempfile.mkdtemp(prefix="sg-bench-"))
    try:
        for workers in (1, 2):
            cache = tmp / f"cache{workers}"
            os.environ["SYNTHGROUP_CACHE"] = str(cache)
            for phase in ("cold", "warm"):
                out = tmp / f"out-{workers}-{phase}"
                t = time.perf_counter()
                generate(cfg, out, n, workers=workers, progress=False)
                dt = time.perf_counter() - t
                rows.append({"what": f"generate, {workers} worker(s), {phase} cache", "images": n,
                             "seconds": dt, "images/s": n / dt})
                print(rows[-1], flush=True)
                if phase == "warm":
                    images = [cv2.imread(str(out / f"images/{i:06d}.jpg")) for i in range(200)]
                shutil.rmtree(out)
        # the README's command, end to end, with a warm cache
        exe = Path(sys.executable).with_name("synthgroup")
        out = tmp / "cli"
        t = time.perf_counter()
        subprocess.run([str(exe), "generate", "--n", str(n), "--out", str(out), "--workers", "2",
                        "--quiet"], check=True, env=dict(os.environ))
        dt = time.perf_counter() - t
        rows.append({"what": "CLI `synthgroup generate --workers 2`, warm, imports included",
                     "images": n, "seconds": dt, "images/s": n / dt})
        print(rows[-1], flush=True)
        shutil.rmtree(out)
        # floor: encode + write only
        for workers in (1, 2):
            dt = floor(n, images, workers, tmp)
            rows.append({"what": f"floor: JPEG encode + write only, {workers} process(es)", "images": n,
                         "seconds": dt, "images/s": n / dt})
            print(rows[-1], flush=True)
        # on-the-fly Dataset, one process = one core, warm cache
        ds = SyntheticGroupDataset(cfg, length=args.dataset_n)
        ds[0]
        t = time.perf_counter()
        for i in range(args.dataset_n):
            ds[i]
        dt = time.perf_counter() - t
        rows.append({"what": "on-the-fly Dataset, 1 core (per core)", "images": args.dataset_n,
                     "seconds": dt, "images/s": args.dataset_n / dt})
        print(rows[-1], flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    by = {r["what"]: r for r in rows}
    two_warm = by["generate, 2 worker(s), warm cache"]
    two_cold = by["generate, 2 worker(s), cold cache"]
    targets = {
        "generate 10k < 15 s (2 workers, warm)": two_warm["seconds"] * 10_000 / n < 15,
        "generate 10k < 15 s (2 workers, cold)": two_cold["seconds"] * 10_000 / n < 15,
        "Dataset >= 500 images/s per core": by["on-the-fly Dataset, 1 core (per core)"]["images/s"] >= 500,
    }
    md = ["# Generator speed", "", f"`python -m benchmarks.generate_speed --n {n}` at 224x224, "
          "default configuration (procedural faces and scenes, 1-9 faces, face augmentations).", "",
          markdown_table(rows, ["what", "images", "seconds", "images/s"]), "", "Targets:", ""]
    md += [f"- {k}: {'met' if v else 'NOT met'}" for k, v in targets.items()]
    md += ["", f"Machine: {machine()}"]
    save("generate_speed", {"rows": rows, "targets": targets, "machine": machine(), "n": n}, "\n".join(md))
    print("\n".join(md))
    return 0


if __name__ == "__main__":
    sys.exit(main())
