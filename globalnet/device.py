"""Device, mixed precision and ``torchrun`` helpers, so the training loop has no device branches.

Under ``torchrun`` (``WORLD_SIZE`` > 1 in the environment) the process group is started with
gloo on CPU and nccl on CUDA, each rank on ``cuda:LOCAL_RANK``; only rank 0 writes files.
"""
from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass

import torch
import torch.distributed as dist

from .errors import GlobalNetError


def resolve_device(name: str = "auto") -> torch.device:
    """``auto`` -> CUDA when available (this rank's ``cuda:LOCAL_RANK`` under torchrun) else CPU."""
    name = (name or "auto").strip().lower()
    local = int(os.environ.get("LOCAL_RANK", 0))
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cpu":
        return torch.device("cpu")
    if name == "cuda" or name.startswith("cuda:"):
        if not torch.cuda.is_available():
            raise GlobalNetError(f"device {name!r}: CUDA is not available on this machine "
                                 f"(use --device cpu or auto)")
        if name == "cuda":
            idx = local if world_size_env() > 1 else torch.cuda.current_device()
        else:
            try:
                idx = int(name.split(":", 1)[1])
            except ValueError:
                raise GlobalNetError(f"device {name!r} is not cuda:N") from None
        if not 0 <= idx < torch.cuda.device_count():
            raise GlobalNetError(f"device {name!r}: only {torch.cuda.device_count()} CUDA device(s)")
        return torch.device("cuda", idx)
    raise GlobalNetError(f"unknown device {name!r} (use auto, cpu, cuda or cuda:N)")


def amp_enabled(amp: str, device: torch.device) -> bool:
    """Mixed precision (float16 autocast + GradScaler) is for CUDA; on CPU it is always off."""
    if amp == "on" and device.type != "cuda":
        raise GlobalNetError("amp = on needs a CUDA device")
    return device.type == "cuda" and amp in ("auto", "on")


def autocast(device: torch.device, enabled: bool):
    if not enabled:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=torch.float16)


def grad_scaler(device: torch.device, enabled: bool) -> torch.amp.GradScaler:
    return torch.amp.GradScaler(device.type if device.type == "cuda" else "cpu", enabled=enabled)


# ----------------------------------------------------------------------------- distributed
def world_size_env() -> int:
    return int(os.environ.get("WORLD_SIZE", 1))


@dataclass
class DistInfo:
    rank: int = 0
    world_size: int = 1
    started_here: bool = False

    @property
    def enabled(self) -> bool:
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def init_distributed(device: torch.device) -> DistInfo:
    """Join the ``torchrun`` process group if there is one (gloo on CPU, nccl on CUDA)."""
    if world_size_env() <= 1:
        return DistInfo()
    if not dist.is_available():
        raise GlobalNetError("torch.distributed is not available in this torch build")
    started = False
    if not dist.is_initialized():
        backend = "nccl" if device.type == "cuda" else "gloo"
        if device.type == "cuda":
            torch.cuda.set_device(device)
        dist.init_process_group(backend=backend)
        started = True
    return DistInfo(dist.get_rank(), dist.get_world_size(), started)


def shutdown_distributed(info: DistInfo) -> None:
    if info.started_here and dist.is_initialized():
        dist.destroy_process_group()


def barrier(info: DistInfo) -> None:
    if info.enabled:
        dist.barrier()


def all_reduce_sum(t: torch.Tensor, info: DistInfo) -> torch.Tensor:
    if info.enabled:
        dist.all_reduce(t, op=dist.ReduceOp.SUM)
    return t


def broadcast_object(obj, info: DistInfo):
    """Rank 0's ``obj`` on every rank (e.g. the run folder chosen by rank 0)."""
    if not info.enabled:
        return obj
    box = [obj]
    dist.broadcast_object_list(box, src=0)
    return box[0]
