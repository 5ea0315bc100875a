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


def cpu_has_bf16() -> bool:
    """Native bfloat16 matrix units (AMX or AVX512-BF16): there, bf16 autocast + channels-last
    trains a ResNet18 about 3x faster than float32 (benchmarks/results/precision.md)."""
    try:
        return bool(torch.cpu._is_amx_tile_supported() or torch.cpu._is_avx512_bf16_supported())
    except AttributeError:        # older torch without the probes: stay in float32
        return False


_WARNED: set[str] = set()


def warn_emulated_bf16(what: str) -> bool:
    """Warn once per ``what`` that bfloat16 is emulated on this CPU, and what it costs; returns
    whether it warned (``False`` on a CPU with native bfloat16, or when already warned)."""
    import warnings

    if cpu_has_bf16() or what in _WARNED:
        return False
    _WARNED.add(what)
    warnings.warn(f"{what}: this CPU has no native bfloat16 (neither amx_bf16 nor avx512_bf16), "
                  f"so bfloat16 is emulated and runs about 2-3x slower than float32; use float32 "
                  f"(or int8 where offered) on this machine", RuntimeWarning, stacklevel=3)
    return True


def amp_dtype(amp: str, device: torch.device) -> torch.dtype | None:
    """The autocast dtype for ``amp = auto | on | off`` on ``device``, or None for float32.

    CUDA: float16 (with a GradScaler). CPU: bfloat16 (same exponent range as float32, so no
    scaler); ``auto`` only where the CPU computes bfloat16 natively, since elsewhere it is slower.
    """
    if amp not in ("auto", "on", "off"):
        raise GlobalNetError(f"amp must be auto, on or off, got {amp!r}")
    if amp == "off":
        return None
    if device.type == "cuda":
        return torch.float16
    if device.type == "cpu" and (amp == "on" or cpu_has_bf16()):
        if amp == "on":
            warn_emulated_bf16("amp = on (bfloat16 on the CPU)")
        return torch.bfloat16
    if amp == "on":
        raise GlobalNetError(f"amp = on is not supported on device {device.type!r}")
    return None


def precision_name(amp: str, device: torch.device) -> str:
    """``"float32"``, ``"bfloat16"`` or ``"float16"``: what ``amp`` trains in on ``device``
    (recorded next to results, since it changes speed and, slightly, the numbers)."""
    return str(amp_dtype(amp, device) or torch.float32).replace("torch.", "")


def amp_enabled(amp: str, device: torch.device) -> bool:
    return amp_dtype(amp, device) is not None


def autocast(device: torch.device, enabled: bool):
    """float16 autocast on CUDA, bfloat16 on CPU; a no-op when not ``enabled``."""
    if not enabled:
        return contextlib.nullcontext()
    dtype = torch.float16 if device.type == "cuda" else torch.bfloat16
    return torch.autocast(device_type=device.type, dtype=dtype)


def memory_format(enabled: bool) -> torch.memory_format:
    """Channels-last goes with mixed precision: oneDNN's and cuDNN's fast low-precision
    convolutions want NHWC (bf16 on CPU: 25 -> 19 ms per ResNet18 image at 224)."""
    return torch.channels_last if enabled else torch.contiguous_format


def grad_scaler(device: torch.device, enabled: bool) -> torch.amp.GradScaler:
    """Loss scaling is for float16 only (CUDA); bfloat16 needs none."""
    return torch.amp.GradScaler(device.type if device.type == "cuda" else "cpu",
                                enabled=enabled and device.type == "cuda")


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
