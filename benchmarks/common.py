"""Shared helpers: machine description and writing results as JSON + a Markdown table."""
from __future__ import annotations

import json
import math
import os
import platform
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


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


def chosen_profile(args, profiles: dict, keys: tuple[str, ...]) -> dict:
    """The ``quick`` or ``default`` profile, with the ``keys`` given on the command line."""
    prof = dict(profiles["quick" if args.quick else "default"])
    prof.update({k: getattr(args, k) for k in keys if getattr(args, k) is not None})
    return prof
