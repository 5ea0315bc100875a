"""Shared helpers: a benchmark's command line, the machine description, and writing results
once: JSON + a Markdown table (:func:`save`, :func:`publish`) and figures (:func:`figure`,
:func:`save_figure`)."""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


#: the model specs :func:`load_predictor` reads, for a benchmark's ``--models`` help
MODEL_SPECS = "zoo names, checkpoints, or random:BACKBONE[@SIZE] (untrained control)"


def parser(doc: str, results: bool = True) -> argparse.ArgumentParser:
    """A benchmark's command line, described by the first line of ``doc`` (its module
    docstring); with ``--results DIR`` (default :data:`RESULTS`) unless ``results`` is False."""
    p = argparse.ArgumentParser(description=doc.splitlines()[0])
    if results:
        p.add_argument("--results", type=Path, default=RESULTS,
                       help="folder for the JSON and Markdown results")
    return p


def add_models_arg(p: argparse.ArgumentParser, **kwargs) -> None:
    """``--models SPEC...``: what :func:`load_predictor` reads (``kwargs``: default or required)."""
    p.add_argument("--models", nargs="+", help=MODEL_SPECS, **kwargs)


def command_line(module: str, argv: list[str] | None) -> str:
    """The command that ran benchmark ``module`` (``argv``: its arguments; None: the process's)."""
    return f"python -m {module} {' '.join(sys.argv[1:] if argv is None else argv)}".strip()


def add_timing_args(p: argparse.ArgumentParser, batch: int = 32, rounds: int = 3) -> None:
    """``--batch`` and ``--rounds`` of a speed benchmark that alternates what it compares over
    rounds and reports the median."""
    p.add_argument("--batch", type=int, default=batch, help="batch size")
    p.add_argument("--rounds", type=int, default=rounds,
                   help="alternating rounds (the median is reported)")


#: the CPU features that decide which precision is fast (bfloat16 and int8 matrix units)
SPEED_FLAGS = ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile", "amx_bf16", "amx_int8")


def cpu() -> dict:
    """The CPU model and which of :data:`SPEED_FLAGS` it has (from ``/proc/cpuinfo``)."""
    model, flags = platform.processor() or platform.machine(), set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name":
                model = value.strip()
            elif key.strip() == "flags":
                flags = set(value.split())
                break
    except OSError:
        pass
    return {"cpu": model, "cpu_flags": [f for f in SPEED_FLAGS if f in flags]}


def machine() -> dict:
    import numpy as np
    info = {"python": platform.python_version(), "platform": platform.platform(),
            "cpus": os.cpu_count(), "numpy": np.__version__,
            "date": time.strftime("%Y-%m-%d %H:%M:%S"), **cpu()}
    try:
        import cv2
        info["opencv"] = cv2.__version__
    except ImportError:  # pragma: no cover
        pass
    return info


def markdown_table(rows: list[dict], columns: list[str]) -> str:
    out = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for r in rows:
        out.append("| " + " | ".join(_fmt(r.get(c, "")) for c in columns) + " |")
    return "\n".join(out)


def _fmt(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:,.3g}" if abs(v) < 100 else f"{v:,.0f}"
    return str(v)


def save(name: str, payload: dict, markdown: str, results: Path = RESULTS) -> tuple[Path, Path]:
    results.mkdir(parents=True, exist_ok=True)
    j, m = results / f"{name}.json", results / f"{name}.md"
    j.write_text(json.dumps(payload, indent=2) + "\n")
    m.write_text(markdown.rstrip() + "\n")
    return j, m


def publish(name: str, payload: dict, markdown: str, results: Path = RESULTS) -> int:
    """:func:`save`, then print the table and the files written; ``main``'s exit code (0)."""
    j, m = save(name, payload, markdown, results)
    print(markdown.rstrip())
    print(f"wrote {j} and {m}")
    return 0


def figure(figsize: tuple[float, float]):
    """A matplotlib figure drawn off screen (no display needed)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)
    return fig


def error_bars(intervals, scale: float = 1.0) -> tuple[list[float], list[list[float]]]:
    """``(points, [below, above])`` for matplotlib's ``yerr`` from ``(value, low, high)``
    intervals, times ``scale``; a bound that rounding put past its value gives 0, not a
    negative bar (which matplotlib refuses)."""
    iv = [tuple(map(float, v[:3])) for v in intervals]
    return ([scale * m for m, _, _ in iv],
            [[scale * max(0.0, m - lo) for m, lo, _ in iv], [scale * max(0.0, hi - m) for m, _, hi in iv]])


def save_figure(fig, path: Path) -> None:
    """Lay ``fig`` out and write it as a PNG next to the tables."""
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def results_name(base: str, args) -> str:
    """``base``, or ``base_quick`` for a ``--quick`` run (its files never mix with the real ones)."""
    return base + ("_quick" if args.quick else "")


def row_file(results: Path, name: str) -> Path:
    """``results/NAME.jsonl`` (the folder made): where a resumable benchmark keeps its rows."""
    results.mkdir(parents=True, exist_ok=True)
    return results / f"{name}.jsonl"


def read_rows(path: Path) -> list[dict]:
    """The rows of a resumable benchmark's JSON Lines file (none when there is no file yet)."""
    return [json.loads(ln) for ln in path.read_text().splitlines() if ln.strip()] if path.exists() else []


def write_rows(path: Path, rows: list[dict]) -> None:
    """Replace the file's rows (e.g. without those a rerun redoes)."""
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def append_rows(path: Path, rows: list[dict]) -> None:
    """Add finished rows to the file as they come (a killed run keeps them)."""
    with open(path, "a") as f:
        f.writelines(json.dumps(r) + "\n" for r in rows)


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float, float]:
    """Share ``k/n`` and its 95 % Wilson interval (``nan`` when ``n`` is 0)."""
    if n == 0:
        return float("nan"), float("nan"), float("nan")
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return p, max(0.0, c - h), min(1.0, c + h)


def load_predictor(spec: str):
    """A zoo name or checkpoint, or ``random:BACKBONE[@SIZE]`` (an untrained control)."""
    from globalnet.backbones import create_backbone
    from globalnet.predict import Predictor

    if spec.startswith("random:"):
        name, _, size = spec[len("random:"):].partition("@")
        import torch
        torch.manual_seed(0)
        return Predictor(create_backbone(name), name, device="cpu", input_size=int(size) if size else None)
    return Predictor.from_checkpoint(spec, device="cpu")


def add_profile_args(p: argparse.ArgumentParser, quick: str, **settings) -> tuple[str, ...]:
    """``--quick`` (``quick`` says what it runs) and a ``--SETTING`` for each profile setting the
    command line may change (its type, or ``add_argument``'s keywords); returns their names for
    :func:`chosen_profile`."""
    p.add_argument("--quick", action="store_true", help=f"{quick} (for tests)")
    for key, how in settings.items():
        p.add_argument("--" + key.replace("_", "-"), **(how if isinstance(how, dict) else {"type": how}))
    return tuple(settings)


def chosen_profile(args, profiles: dict, keys: tuple[str, ...]) -> dict:
    """The ``quick`` or ``default`` profile, with the ``keys`` given on the command line."""
    prof = dict(profiles["quick" if args.quick else "default"])
    prof.update({k: getattr(args, k) for k in keys if getattr(args, k) is not None})
    return prof
