"""Generator throughput, as ratios within one run: `generate` against the encode+write floor, the on-the-fly Dataset per core, a naive compositor.

    python -m benchmarks.generate_speed            # n = 10000
    python -m benchmarks.generate_speed --quick    # a tiny run (for tests)

At 224x224 with the default configuration (procedural faces and scenes, 1-9 faces, face
augmentations). Rows:

* `generate` with 1 and 2 workers, "cold" (an empty asset cache: every procedural face and
  scene is drawn during the run) and "warm" (the cache the cold run filled, as every later run
  on a machine has), and the README's command end to end in a subprocess (imports included);
* the floor: JPEG-encoding the same number of images and writing each to its own file as the
  imagefolder format does, and nothing else, with as many processes (the warm run's first
  images, decoded once and cycled); run three times per process count, alternating, and the
  median run is the row;
* the on-the-fly `SyntheticGroupDataset` read in this process, with one OpenCV and one torch
  thread: images per CPU-second of the process (per core; what other jobs on the machine take
  does not change it) and per wall-clock second;
* a naive compositor, what research scripts typically do, on the same records (the same
  backgrounds, crops, faces, sizes and positions): PIL crops and resizes the background, each
  face's cut-out goes through an albumentations `Compose` (flip, affine, perspective, elastic,
  brightness/contrast, with the generator's ranges) and is pasted with `Image.paste` and its
  alpha, and the image is saved as a JPEG (no mask, no metadata); one process.

Each row has its wall-clock and CPU seconds (this process and its workers); "x floor" divides
a row's seconds by the floor's with the same number of processes. The machine may be shared
with other jobs, so only ratios within one run are compared, never seconds across runs.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import cv2
import numpy as np

from synthgroup.io import write_file

from .common import (add_profile_args, chosen_profile, command_line, machine, markdown_table, parser,
                     publish, results_name)

PROFILES = {"default": dict(n=10_000, dataset_n=2_000, naive_n=1_000, floor_images=500, floor_repeats=3),
            "quick": dict(n=40, dataset_n=10, naive_n=6, floor_images=10, floor_repeats=1)}
#: the goals, as ratios within one run
MAX_FLOOR_RATIO = 4.0        # generate, 2 workers, warm cache: at most this many times the floor
MIN_DATASET_PER_CORE = 800   # on-the-fly Dataset images per CPU-second
NAIVE = "naive compositor: PIL paste + albumentations Compose per face, 1 process"


def _cpu_seconds() -> float:
    """CPU seconds of this process and of its finished (waited-for) children."""
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


@contextmanager
def timed(rows: list, what: str, images: int, processes: int):
    """Time the block (wall clock and CPU) into a row of ``rows``, printed when done."""
    cpu, wall = _cpu_seconds(), time.perf_counter()
    yield
    dt, dc = time.perf_counter() - wall, _cpu_seconds() - cpu
    rows.append({"what": what, "processes": processes, "images": images, "seconds": dt,
                 "images/s": images / dt, "cpu seconds": dc})
    print(rows[-1], flush=True)


#: the images the floor encodes, inherited by its forked processes (never pickled)
_FLOOR: dict = {}


def _encode_write(job: tuple) -> int:
    out, start, stop, quality = job
    images = _FLOOR["images"]
    for i in range(start, stop):
        ok, buf = cv2.imencode(".jpg", images[i % len(images)], [cv2.IMWRITE_JPEG_QUALITY, quality])
        write_file(out / f"{i:06d}.jpg", buf.tobytes())     # as the imagefolder format writes
    return stop - start


def floor(n: int, images: list[np.ndarray], workers: int, out: Path, quality: int) -> None:
    """JPEG-encode and write ``n`` images (cycling ``images``, BGR) with ``workers`` processes."""
    out.mkdir()
    _FLOOR["images"] = images
    if workers == 1:
        _encode_write((out, 0, n, quality))
    else:
        step = -(-n // workers)
        jobs = [(out, k * step, min(n, (k + 1) * step), quality) for k in range(workers)]
        with mp.get_context("fork").Pool(workers) as pool:
            pool.map(_encode_write, jobs)
    shutil.rmtree(out)


def run_floors(n: int, images: list[np.ndarray], tmp: Path, quality: int, rows: list, repeats: int) -> None:
    """The floor with 1 and 2 processes, ``repeats`` times each (alternating); the median run's row."""
    runs: dict = {1: [], 2: []}
    for r in range(repeats):
        for workers in (1, 2):
            with timed(runs[workers], f"floor: JPEG encode + write only, {workers} process(es)", n, workers):
                floor(n, images, workers, tmp / f"floor{workers}-{r}", quality)
    for workers, rs in runs.items():
        row = sorted(rs, key=lambda r: r["seconds"])[len(rs) // 2]
        rows.append(dict(row, what=f"{row['what']}, median of {len(rs)}", runs=[r["seconds"] for r in rs]))


def naive_compose(face_aug):
    """The per-face albumentations pipeline of a typical script, with the generator's ranges."""
    import albumentations as A
    fa = face_aug
    return A.Compose([
        A.HorizontalFlip(p=fa.hflip_p),
        A.Affine(rotate=(-fa.rotate, fa.rotate), scale=(1 - fa.scale, 1 + fa.scale),
                 shear=(-fa.shear, fa.shear), fit_output=True, p=1.0),
        A.Perspective(scale=(0.0, fa.perspective), fit_output=True, p=fa.perspective_p),
        A.ElasticTransform(alpha=fa.elastic_alpha, sigma=fa.elastic_sigma, p=fa.elastic_p),
        A.RandomBrightnessContrast(brightness_limit=fa.brightness, contrast_limit=fa.contrast, p=1.0),
    ], seed=0)


def naive_render(record: dict, sources, aug, path: Path, quality: int) -> None:
    """One record the naive way: PIL background crop and resize, per face an albumentations
    ``Compose`` (colour on RGB, geometry on RGB and alpha) and ``Image.paste`` with its alpha."""
    from PIL import Image
    H, W = record["size"]
    b = record["background"]
    bg = Image.fromarray(sources.background(b["source"]).image(b, (H, W)))
    iw, ih = bg.size
    x0, y0, x1, y1 = b["crop"]
    bg = bg.crop((round(x0 * iw), round(y0 * ih), round(x1 * iw), round(y1 * ih)))
    bg = bg.resize((W, H), Image.BILINEAR)
    if b["flip"]:
        bg = bg.transpose(Image.FLIP_LEFT_RIGHT)
    for face in record["faces"]:
        rgba = sources.face(face["source"]).sprite(face, face["height"])
        out = aug(image=np.ascontiguousarray(rgba[..., :3]), mask=np.ascontiguousarray(rgba[..., 3]))
        img, alpha = Image.fromarray(out["image"]), Image.fromarray(out["mask"])
        scale = face["height"] / rgba.shape[0]
        size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
        bg.paste(img.resize(size, Image.BILINEAR), tuple(face["position"]), alpha.resize(size, Image.BILINEAR))
    bg.save(path, quality=quality)


def run_generate(cfg, tmp: Path, n: int, rows: list) -> Path:
    """The generate rows; returns the last run's output folder (the floor's images)."""
    from synthgroup import generate
    kept = []
    for workers in (1, 2):
        os.environ["SYNTHGROUP_CACHE"] = str(tmp / f"cache{workers}")
        for phase in ("cold", "warm"):
            out = tmp / f"out-{workers}-{phase}"
            with timed(rows, f"generate, {workers} worker(s), {phase} cache", n, workers):
                generate(cfg, out, n, workers=workers, progress=False)
            if kept:
                shutil.rmtree(kept.pop())
            kept.append(out)
    exe = Path(sys.executable).with_name("synthgroup")
    with timed(rows, "CLI `synthgroup generate --workers 2`, warm, imports included", n, 2):
        subprocess.run([str(exe), "generate", "--n", str(n), "--out", str(tmp / "cli"), "--workers", "2",
                        "--quiet"], check=True, env=dict(os.environ))
    shutil.rmtree(tmp / "cli")
    return kept[0]


def run_dataset(cfg, n: int, rows: list) -> None:
    """The on-the-fly Dataset in this process, one OpenCV and one torch thread (per core)."""
    import torch
    from synthgroup.torchdata import SyntheticGroupDataset
    threads = cv2.getNumThreads(), torch.get_num_threads()
    cv2.setNumThreads(1)          # safe here: no worker is forked from this process afterwards
    torch.set_num_threads(1)
    try:
        ds = SyntheticGroupDataset(cfg, length=n)
        ds[0]
        with timed(rows, "on-the-fly Dataset, 1 process, 1 thread", n, 1):
            for i in range(n):
                ds[i]
    finally:
        cv2.setNumThreads(threads[0])
        torch.set_num_threads(threads[1])
    r = rows[-1]
    r["images/s per core"] = n / r["cpu seconds"]


def run_naive(cfg, tmp: Path, n: int, rows: list) -> None:
    from synthgroup import Sources, sample_record
    sources = Sources(cfg)
    records = [sample_record(cfg, sources, i)[0] for i in range(n)]   # the generator's records
    aug = naive_compose(cfg.face_aug)
    out = tmp / "naive"
    out.mkdir()
    naive_render(records[0], sources, aug, out / "warmup.jpg", cfg.jpeg_quality)
    with timed(rows, NAIVE, n, 1):
        for i, rec in enumerate(records):
            naive_render(rec, sources, aug, out / f"{i:06d}.jpg", cfg.jpeg_quality)
    shutil.rmtree(out)


def summarise(rows: list) -> tuple[dict, dict]:
    """Each row's "x floor"; the ratios and whether the goals are met."""
    by = {r["what"]: r for r in rows}
    floors = {r["processes"]: r for r in rows if r["what"].startswith("floor")}   # the medians
    for r in rows:   # per image: the Dataset and naive rows make fewer images than the floor
        f = floors[r["processes"]]
        r["x floor"] = (r["seconds"] / r["images"]) / (f["seconds"] / f["images"])
        r["x floor, CPU"] = (r["cpu seconds"] / r["images"]) / (f["cpu seconds"] / f["images"])
    warm2, cold2 = by["generate, 2 worker(s), warm cache"], by["generate, 2 worker(s), cold cache"]
    warm1, naive = by["generate, 1 worker(s), warm cache"], by[NAIVE]
    ds = by["on-the-fly Dataset, 1 process, 1 thread"]
    ratios = {
        "generate 2 workers warm / floor 2 processes": warm2["x floor"],
        "generate 2 workers cold / floor 2 processes": cold2["x floor"],
        "generate 1 worker warm / floor 1 process": warm1["x floor"],
        "naive compositor / generate 1 worker warm (per image)": (naive["seconds"] / naive["images"])
                                                                / (warm1["seconds"] / warm1["images"]),
        "Dataset images/s per core (CPU time)": ds["images/s per core"],
        "Dataset images/s (wall clock, shared machine)": ds["images/s"],
    }
    targets = {
        f"generate, 2 workers, warm cache <= {MAX_FLOOR_RATIO:g}x the floor (2 processes)":
            warm2["x floor"] <= MAX_FLOOR_RATIO,
        f"on-the-fly Dataset >= {MIN_DATASET_PER_CORE} images/s per core":
            ds["images/s per core"] >= MIN_DATASET_PER_CORE,
    }
    return ratios, targets


def report(rows, ratios, targets, prof, cmd, info) -> str:
    md = ["# Generator speed", "", f"`{cmd}` at 224x224, default configuration (procedural faces "
          "and scenes, 1-9 faces, face augmentations). Ratios come from this one run; seconds "
          "depend on what else the machine was running (load average below).", "",
          markdown_table(rows, ["what", "processes", "images", "seconds", "images/s", "cpu seconds",
                                "x floor", "x floor, CPU"]), "", "Ratios:", ""]
    md += [f"- {k}: {v:,.2f}" if v < 100 else f"- {k}: {v:,.0f}" for k, v in ratios.items()]
    md += ["", "Goals:", ""]
    md += [f"- {k}: {'met' if v else 'NOT met'}" for k, v in targets.items()]
    md += ["", "\"x floor\" is a row's time per image over the floor's with as many processes "
           "(\"CPU\": CPU time of the process and its workers). The floor JPEG-encodes the warm "
           f"run's first {prof['floor_images']} images, cycled, and writes each to its own file as "
           "the imagefolder format does; its row is the median of "
           f"{prof['floor_repeats']} runs. `generate` also draws and renders each image, encodes "
           "its PNG mask into a second file and writes its record. The Dataset's per-core figure is "
           "images per CPU-second of its process (one OpenCV and one torch thread), which other "
           "jobs on the machine do not change; its wall-clock figure is given too. The naive "
           "compositor writes JPEGs only.",
           "", f"Load average (1, 5, 15 min) at the start: {info['load_start']}, at the end: "
           f"{info['load_end']}", "", f"Machine: {info['machine']}"]
    return "\n".join(md)


def main(argv=None) -> int:
    p = parser(__doc__)
    settings = add_profile_args(p, "tiny counts", n=int, dataset_n=int, naive_n=int)
    args = p.parse_args(argv)
    prof = chosen_profile(args, PROFILES, settings)
    from synthgroup import GenConfig
    import torch
    torch.set_num_threads(1)
    cfg = GenConfig()
    n, rows = prof["n"], []
    load_start = [round(v, 2) for v in os.getloadavg()]
    tmp = Path(tempfile.mkdtemp(prefix="sg-bench-"))
    cache_before = os.environ.get("SYNTHGROUP_CACHE")
    try:
        warm = run_generate(cfg, tmp, n, rows)
        images = [cv2.imread(str(warm / f"images/{i:06d}.jpg")) for i in range(min(n, prof["floor_images"]))]
        shutil.rmtree(warm)
        run_floors(n, images, tmp, cfg.jpeg_quality, rows, prof["floor_repeats"])
        run_dataset(cfg, prof["dataset_n"], rows)       # on the 2-worker run's warm cache
        run_naive(cfg, tmp, prof["naive_n"], rows)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if cache_before is None:
            os.environ.pop("SYNTHGROUP_CACHE", None)
        else:
            os.environ["SYNTHGROUP_CACHE"] = cache_before
    ratios, targets = summarise(rows)
    cmd = command_line("benchmarks.generate_speed", argv)
    info = {"machine": machine(), "load_start": load_start, "load_end": [round(v, 2) for v in os.getloadavg()]}
    payload = {"rows": rows, "ratios": ratios, "targets": targets, "profile": prof, "command": cmd,
               "goals": {"max_floor_ratio": MAX_FLOOR_RATIO, "min_dataset_per_core": MIN_DATASET_PER_CORE},
               **info}
    return publish(results_name("generate_speed", args), payload, report(rows, ratios, targets, prof, cmd, info),
                   args.results)


if __name__ == "__main__":
    sys.exit(main())
