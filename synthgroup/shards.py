"""Which share of a dataset one process makes: ``--shard K/N``, or the environment a scheduler
gives each of its processes.

Process K of N makes chunk *c* of the dataset where *c mod N = K*, so N processes started on one
folder (on one machine or many, sharing the folder) make every chunk exactly once. Without
``--shard`` the share comes from:

- a SLURM job array (``sbatch --array=...``): K = (``SLURM_ARRAY_TASK_ID`` -
  ``SLURM_ARRAY_TASK_MIN``) / ``SLURM_ARRAY_TASK_STEP`` and N = ``SLURM_ARRAY_TASK_COUNT``
  (MIN and STEP when SLURM sets them, else 0 and 1), so ``--array=1-100`` and ``--array=0-99:1``
  work as ``--array=0-99`` does; an array with gaps (``--array=0,5,9``) is refused;
- ``torchrun`` (and other launchers of the same convention): K = ``RANK``, N = ``WORLD_SIZE``;
- both (``torchrun`` inside each task of an array): task t's rank r makes share
  ``t * WORLD_SIZE + r`` of ``SLURM_ARRAY_TASK_COUNT * WORLD_SIZE``;
- neither: the whole dataset (0/1).

An explicit ``--shard`` wins over the environment. A variable that is not a whole number, or
values that do not fit together, are one :class:`~synthgroup.errors.SynthGroupError` naming the
variable and its value (the command line exits with code 2 before anything is written).
"""
from __future__ import annotations

import logging
import os
from collections.abc import Mapping

from .errors import SynthGroupError

log = logging.getLogger(__name__)

SLURM_ID, SLURM_COUNT = "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT"
SLURM_MIN, SLURM_STEP = "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_STEP"
TORCH_RANK, TORCH_WORLD = "RANK", "WORLD_SIZE"
#: every variable a share may come from
SHARD_VARIABLES = (SLURM_ID, SLURM_COUNT, SLURM_MIN, SLURM_STEP, TORCH_RANK, TORCH_WORLD)


def check_shard(k: int, n: int, where: str) -> tuple[int, int]:
    """``(k, n)`` when ``0 <= k < n``; else one message naming ``where`` the values came from."""
    if not (n >= 1 and 0 <= k < n):
        raise SynthGroupError(f"{where} gives shard {k}/{n}, which is not K/N with 0 <= K < N")
    return k, n


def parse_shard(text: str) -> tuple[int, int]:
    """``"K/N"`` (``--shard``) -> ``(K, N)``."""
    try:
        k, n = (int(v) for v in str(text).split("/"))
    except ValueError:
        raise SynthGroupError(f"--shard {text!r} is not K/N (e.g. 0/4)") from None
    return check_shard(k, n, f"--shard {text}")


def _int(env: Mapping[str, str], name: str, default: int | None = None) -> int | None:
    """The whole number in ``env[name]`` (``default`` when unset or empty)."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SynthGroupError(f"environment variable {name}={env[name]!r} is not a whole number"
                              ) from None


def _pair(env: Mapping[str, str], index: str, count: str) -> tuple[int, int] | None:
    """(index, count) of two variables that come together; one without the other is an error."""
    k, n = _int(env, index), _int(env, count)
    if k is None and n is None:
        return None
    if k is None or n is None:
        have, missing = (index, count) if n is None else (count, index)
        raise SynthGroupError(f"environment variable {have}={env[have]!r} is set but {missing} "
                              f"is not; set both, or give --shard K/N")
    return k, n


def _slurm(env: Mapping[str, str]) -> tuple[tuple[int, int], str] | None:
    pair = _pair(env, SLURM_ID, SLURM_COUNT)
    if pair is None:
        return None
    task, count = pair
    low, step = _int(env, SLURM_MIN, 0), _int(env, SLURM_STEP, 1)
    present = [v for v in (SLURM_ID, SLURM_COUNT, SLURM_MIN, SLURM_STEP) if env.get(v, "").strip()]
    said = ", ".join(f"{v}={env[v].strip()}" for v in present)
    if count < 1:
        raise SynthGroupError(f"environment variable {SLURM_COUNT}={count} must be at least 1")
    if step < 1:
        raise SynthGroupError(f"environment variable {SLURM_STEP}={step} must be at least 1")
    k, off = divmod(task - low, step)
    if task < low or off or k >= count:
        raise SynthGroupError(
            f"SLURM job array task {said} is not task 0..{count - 1} of a contiguous array "
            f"(the task index is ({SLURM_ID} - {SLURM_MIN}) / {SLURM_STEP}); submit it with "
            f"--array=0-{count - 1}, or give --shard K/N")
    return (k, count), said


def _torchrun(env: Mapping[str, str]) -> tuple[tuple[int, int], str] | None:
    pair = _pair(env, TORCH_RANK, TORCH_WORLD)
    if pair is None:
        return None
    rank, world = pair
    said = f"{TORCH_RANK}={rank}, {TORCH_WORLD}={world}"
    if world < 1 or not 0 <= rank < world:
        raise SynthGroupError(f"environment variables {said} do not fit: {TORCH_RANK} must be in "
                              f"0..{TORCH_WORLD}-1; give --shard K/N instead")
    return (rank, world), said


def shard_from_env(env: Mapping[str, str] | None = None) -> tuple[tuple[int, int], str] | None:
    """``((K, N), "the variables it came from")`` from a scheduler's environment (``os.environ``
    by default), or ``None`` when no scheduler variable is set."""
    env = os.environ if env is None else env
    slurm, torch = _slurm(env), _torchrun(env)
    if slurm and torch:
        (t, count), (r, world) = slurm[0], torch[0]
        return (t * world + r, count * world), f"{slurm[1]}, {torch[1]}"
    return slurm or torch


def resolve_shard(text: str | None, env: Mapping[str, str] | None = None) -> tuple[int, int]:
    """The share of this process: ``--shard`` when given (``text``), else the environment's,
    else the whole dataset; says where it came from in an INFO line."""
    env = os.environ if env is None else env
    if text is not None:
        k, n = parse_shard(text)
        over = [f"{v}={env[v].strip()}" for v in SHARD_VARIABLES if env.get(v, "").strip()]
        if over:
            log.info("shard %d/%d from --shard (not from %s)", k, n, ", ".join(over))
        return k, n
    found = shard_from_env(env)
    if found is None:
        return 0, 1
    (k, n), said = found
    log.info("shard %d/%d from %s", k, n, said)
    return k, n
