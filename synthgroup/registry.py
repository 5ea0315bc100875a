"""One registry mechanism for every family of named things (after torchvision ``models/_api.py``).

A :class:`Registry` maps names to entries. ``register`` rejects a duplicate name; an entry may
be the object itself or a lazy ``"package.module:attribute"`` string, imported on first
``get``; third-party packages add entries through ``importlib.metadata`` entry points of the
registry's ``group`` (read again whenever ``sys.path`` has changed, so a plugin installed or put
on the path is listed). An unknown name raises the registry's ``error`` class, listing the valid
ones, so a command line prints one clean message::

    FACE_SOURCES = Registry("face source", group="synthgroup.face_sources", error=SourceError)
    FACE_SOURCES.register("kdef", KDEFFaces)             # or @FACE_SOURCES.register("kdef")
    FACE_SOURCES.register("hf", "synthgroup.sources.hf_faces:HFFaces")      # imported on use
    FACE_SOURCES.names(); FACE_SOURCES.get("kdef"); FACE_SOURCES.create("kdef", arg); "x" in ...

This module is the bottom of the project (synthgroup imports nothing from globalnet or explain);
``globalnet.registry`` re-exports it with :class:`~globalnet.errors.GlobalNetError` as the error.
"""
from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Generic, TypeVar

from .errors import SynthGroupError

T = TypeVar("T")


def load_reference(ref: str) -> Any:
    """The object a ``"package.module:attr.sub"`` string names (the module itself without ``:``)."""
    module, _, attr = ref.partition(":")
    obj = importlib.import_module(module)
    for part in attr.split(".") if attr else ():
        obj = getattr(obj, part)
    return obj


class Registry(Generic[T]):
    """Names -> entries, with duplicate rejection, aliases, lazy entries and entry-point plugins.

    Args:
        kind: what an entry is, for messages (``"backbone"``, ``"face source"``).
        group: entry-point group scanned for third-party entries (``None``: none).
        error: the exception class raised for an unknown, duplicate or unloadable name (a
            subclass of the calling package's user-facing error, so its CLI prints one line).
    """

    def __init__(self, kind: str, group: str | None = None, *,
                 error: type[Exception] = SynthGroupError):
        self.kind = kind
        self.group = group
        self.error = error
        self._entries: dict[str, T | str] = {}
        self._aliases: dict[str, str] = {}
        self._plugins: dict[str, T | str] = {}
        self._plugin_path: tuple[str, ...] | None = None   # sys.path the plugins were read for

    # -- writing -----------------------------------------------------------------------------
    def register(self, name: str, entry: T | str | None = None, *, overwrite: bool = False,
                 aliases: Iterable[str] = ()):
        """Register ``entry`` (an object or a lazy ``"module:attr"`` string) under ``name``.

        Without ``entry`` this is a decorator: ``@REG.register("name")`` registers the
        decorated object and returns it unchanged. A taken name raises unless ``overwrite``.
        ``aliases`` are other spellings ``get`` accepts; ``names()`` lists only ``name``.
        """
        if not isinstance(name, str) or not name:
            raise self.error(f"a {self.kind} name must be a non-empty string, got {name!r}")
        if entry is None:
            def deco(obj):
                self.register(name, obj, overwrite=overwrite, aliases=aliases)
                return obj
            return deco
        if (name in self._entries or name in self._aliases) and not overwrite:
            raise self.error(f"{self.kind} {name!r} is already registered")
        self._entries[name] = entry
        for alias in aliases:
            self._aliases[alias] = name
        return entry

    # -- reading -----------------------------------------------------------------------------
    def _refresh_plugins(self) -> None:
        if self.group is None or self._plugin_path == tuple(sys.path):
            return
        from importlib.metadata import entry_points
        self._plugin_path = tuple(sys.path)
        self._plugins = {}
        for ep in entry_points(group=self.group):
            if ep.name not in self._entries and ep.name not in self._aliases:  # built-ins win
                self._plugins.setdefault(ep.name, ep.value)

    def _table(self, name: str) -> dict | None:
        """The table holding ``name`` (built-ins or plugins), or ``None``."""
        self._refresh_plugins()
        for table in (self._entries, self._plugins):
            if name in table:
                return table
        return None

    def canonical(self, name: object) -> str:
        """``name`` itself, or the name an alias stands for; unknown names raise."""
        try:
            name = self._aliases.get(name, name)      # type: ignore[call-overload]
            found = self._table(name) is not None     # type: ignore[arg-type]
        except TypeError:                             # unhashable
            found = False
        if not found:
            raise self.unknown(name)
        return name                                   # type: ignore[return-value]

    def names(self) -> list[str]:
        """Registered names: built-ins in registration order, then plugins."""
        self._refresh_plugins()
        return [*self._entries, *self._plugins]

    def __contains__(self, name: object) -> bool:
        try:
            self.canonical(name)
        except self.error:
            return False
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self.names())

    def unknown(self, name: object) -> Exception:
        """The error for a name that is not registered: it lists the valid ones."""
        return self.error(f"unknown {self.kind} {name!r}; choose one of: "
                          f"{', '.join(self.names()) or '(none registered)'}")

    def get(self, name: str) -> T:
        """The entry of ``name`` or of an alias (a lazy entry is imported now and kept)."""
        name = self.canonical(name)
        table = self._table(name)
        entry = table[name]
        if isinstance(entry, str):
            try:
                entry = load_reference(entry)
            except Exception as e:  # noqa: BLE001 - a broken plugin is one message naming it
                raise self.error(f"{self.kind} {name!r}: cannot load {table[name]!r} "
                                 f"({type(e).__name__}: {e})") from None
            table[name] = entry
        return entry

    def create(self, name: str, *args, **kwargs):
        """``get(name)(*args, **kwargs)`` for registries of constructors."""
        factory: Callable = self.get(name)  # type: ignore[assignment]
        return factory(*args, **kwargs)

    def items(self) -> list[tuple[str, T]]:
        return [(n, self.get(n)) for n in self.names()]

    def copy(self) -> "Registry[T]":
        """An independent registry with the same entries (e.g. for a test that registers)."""
        new = type(self).__new__(type(self))
        new.__dict__.update(self.__dict__)
        new._entries, new._aliases, new._plugins = (dict(self._entries), dict(self._aliases),
                                                    dict(self._plugins))
        return new

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}, {len(self._entries)} entries)"
