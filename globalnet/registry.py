"""One registry mechanism for every family of named things (after torchvision ``models/_api.py``).

A :class:`Registry` maps names to entries. ``register`` rejects a duplicate name; an entry may
be the object itself or a lazy ``"package.module:attribute"`` string, imported on first
``get``; third-party packages add entries through ``importlib.metadata`` entry points of the
registry's ``group`` (read once, on first lookup). An unknown name raises
:class:`~globalnet.errors.GlobalNetError` listing the valid ones::

    MODELS = Registry("zoo model", group="globalnet.zoo")
    MODELS.register("synth-resnet18", entry)        # or @MODELS.register("name") on a callable
    MODELS.names(); MODELS.get("synth-resnet18"); "x" in MODELS
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

from .errors import GlobalNetError

T = TypeVar("T")


def _load(ref: str) -> Any:
    module, _, attr = ref.partition(":")
    obj = importlib.import_module(module)
    for part in attr.split(".") if attr else ():
        obj = getattr(obj, part)
    return obj


class Registry(Generic[T]):
    """Names -> entries, with duplicate rejection, lazy entries and entry-point plugins.

    Args:
        kind: what an entry is, for messages (``"backbone"``, ``"zoo model"``).
        group: entry-point group scanned for third-party entries (``None``: none).
    """

    def __init__(self, kind: str, group: str | None = None):
        self.kind = kind
        self.group = group
        self._entries: dict[str, T | str] = {}
        self._plugins_loaded = group is None

    # -- writing -----------------------------------------------------------------------------
    def register(self, name: str, entry: T | str | None = None, *, overwrite: bool = False):
        """Register ``entry`` (an object or a lazy ``"module:attr"`` string) under ``name``.

        Without ``entry`` this is a decorator: ``@REG.register("name")`` registers the
        decorated object and returns it unchanged. A taken name raises unless ``overwrite``.
        """
        if not isinstance(name, str) or not name:
            raise GlobalNetError(f"a {self.kind} name must be a non-empty string, got {name!r}")
        if entry is None:
            def deco(obj):
                self.register(name, obj, overwrite=overwrite)
                return obj
            return deco
        if name in self._entries and not overwrite:
            raise GlobalNetError(f"{self.kind} {name!r} is already registered")
        self._entries[name] = entry
        return entry

    # -- reading -----------------------------------------------------------------------------
    def _load_plugins(self) -> None:
        if self._plugins_loaded:
            return
        self._plugins_loaded = True
        from importlib.metadata import entry_points
        for ep in entry_points(group=self.group):
            if ep.name not in self._entries:          # built-in names win over plugins
                self._entries[ep.name] = ep.value

    def names(self) -> list[str]:
        """Registered names, in registration order."""
        self._load_plugins()
        return list(self._entries)

    def __contains__(self, name: object) -> bool:
        self._load_plugins()
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self.names())

    def unknown(self, name: object) -> GlobalNetError:
        """The error for a name that is not registered: it lists the valid ones."""
        return GlobalNetError(f"unknown {self.kind} {name!r}; choose one of: "
                              f"{', '.join(self.names()) or '(none registered)'}")

    def get(self, name: str) -> T:
        """The entry of ``name`` (a lazy entry is imported now and kept)."""
        self._load_plugins()
        if name not in self._entries:
            raise self.unknown(name)
        entry = self._entries[name]
        if isinstance(entry, str):
            try:
                entry = _load(entry)
            except (ImportError, AttributeError) as e:
                raise GlobalNetError(f"{self.kind} {name!r}: cannot load {self._entries[name]!r} "
                                     f"({type(e).__name__}: {e})") from None
            self._entries[name] = entry
        return entry

    def create(self, name: str, *args, **kwargs):
        """``get(name)(*args, **kwargs)`` for registries of constructors."""
        factory: Callable = self.get(name)  # type: ignore[assignment]
        return factory(*args, **kwargs)

    def items(self) -> list[tuple[str, T]]:
        return [(n, self.get(n)) for n in self.names()]

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}, {len(self._entries)} entries)"
