"""The project's one registry mechanism (:mod:`synthgroup.registry`), raising
:class:`~globalnet.errors.GlobalNetError` by default so ``globalnet`` commands print one line::

    MODELS = Registry("zoo model", group="globalnet.zoo")
    MODELS.register("synth-resnet18", entry)        # or @MODELS.register("name") on a callable
    MODELS.names(); MODELS.get("synth-resnet18"); "x" in MODELS
"""
from __future__ import annotations

from typing import TypeVar

from synthgroup.registry import Registry as _Registry
from synthgroup.registry import load_reference

from .errors import GlobalNetError

T = TypeVar("T")

__all__ = ["Registry", "load_reference"]


class Registry(_Registry[T]):
    """:class:`synthgroup.registry.Registry` whose errors are :class:`GlobalNetError` (or the
    subclass given as ``error``, e.g. ``ExplainError``)."""

    def __init__(self, kind: str, group: str | None = None, *,
                 error: type[GlobalNetError] = GlobalNetError):
        super().__init__(kind, group, error=error)
