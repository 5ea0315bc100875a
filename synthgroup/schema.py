"""A configuration dataclass is its own schema: values from TOML, the command line or Python are
checked (and normalised) against the fields' type annotations here, in one place, for both
:class:`synthgroup.GenConfig` and :class:`globalnet.config.TrainConfig`.

Accepted: ``bool`` (true/false, also as text), ``int`` (a whole number, not a bool; text with
digits), ``float`` (finite; ints stay ints), ``str`` (numbers are turned into text),
``X | None`` (``None`` or the text ``none``), fixed-length ``tuple[T, T]`` (a list of that
length or one value for all: ``size = 224``), ``list[str]`` (one string or a list) and nested
dataclasses (a table). Anything else is one error naming the setting, the value and the type.
"""
from __future__ import annotations

import dataclasses
import math
import types
import typing
from functools import lru_cache
from typing import Any

_TRUE, _FALSE = ("true", "yes", "on", "1"), ("false", "no", "off", "0")
_NONE = ("none", "null")


class _Mismatch(Exception):
    pass


@lru_cache(maxsize=None)
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _optional(tp) -> tuple[bool, Any]:
    """(True, T) for ``T | None``, else (False, tp)."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(tp)) == 2:
            return True, args[0]
    return False, tp


def describe(tp) -> str:
    """The type in words, for messages: 'a whole number', 'a list of 2 numbers', ..."""
    opt, tp = _optional(tp)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is tuple:
        text = f"one or a list of {len(args)} {_plural(args[0])}"
    elif origin is list:
        text = f"one or a list of {_plural(args[0])}"
    else:
        text = {bool: "true or false", int: "a whole number", float: "a finite number",
                str: "a string"}.get(tp, getattr(tp, "__name__", str(tp)))
    return text + (" or none" if opt else "")


def _plural(tp) -> str:
    return {bool: "booleans", int: "whole numbers", float: "finite numbers",
            str: "strings"}.get(tp, getattr(tp, "__name__", str(tp)))


def coerce(tp, v: Any) -> Any:
    """``v`` as a value of the annotation ``tp``; raises _Mismatch when it is not one."""
    opt, tp = _optional(tp)
    if opt and (v is None or (isinstance(v, str) and v.strip().lower() in _NONE)):
        return None
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is tuple:
        if isinstance(v, (list, tuple)):
            if len(v) != len(args):
                raise _Mismatch
            return tuple(coerce(a, x) for a, x in zip(args, v))
        x = coerce(args[0], v)
        return tuple(x for _ in args)
    if origin is list:
        items = v if isinstance(v, (list, tuple)) else [v]
        return [coerce(args[0], x) for x in items]
    if tp is bool:
        if isinstance(v, bool):
            return v
        if isinstance(v, str) and v.strip().lower() in _TRUE + _FALSE:
            return v.strip().lower() in _TRUE
    elif tp is int:
        if isinstance(v, int) and not isinstance(v, bool):
            return v
        if isinstance(v, str):
            try:
                return int(v.strip().replace("_", ""))
            except ValueError:
                pass
    elif tp is float:
        if isinstance(v, str):
            try:
                v = float(v.strip().replace("_", ""))
            except ValueError:
                raise _Mismatch from None
        if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v):
            return v
    elif tp is str:
        if isinstance(v, str):
            return v
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return str(v)
    elif isinstance(tp, type) and isinstance(v, tp):
        return v
    raise _Mismatch


def coerce_fields(cls: type, values: dict[str, Any], *, error: type[Exception],
                  where: str | None = None, prefix: str = "") -> dict[str, Any]:
    """``values`` (a subset of ``cls``'s fields) checked and normalised; ``error`` names the first
    unknown setting or wrong value (``where``: the file or 'command line')."""
    head = f"{where}: " if where else ""
    hints = _hints(cls)
    known = [f.name for f in dataclasses.fields(cls)]
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise error(f"{head}unknown setting(s) {', '.join(prefix + k for k in unknown)}; "
                    f"known: {', '.join(prefix + k for k in known)}")
    out = {}
    for k, v in values.items():
        tp = hints[k]
        if dataclasses.is_dataclass(tp):
            if isinstance(v, tp):
                check_fields(v, error=error, where=where, prefix=f"{prefix}{k}.")
                out[k] = v
            elif isinstance(v, dict):
                out[k] = tp(**coerce_fields(tp, v, error=error, where=where, prefix=f"{prefix}{k}."))
            else:
                raise error(f"{head}{prefix}{k} must be a table of settings, got {v!r}")
            continue
        try:
            out[k] = coerce(tp, v)
        except _Mismatch:
            raise error(f"{head}{prefix}{k} = {v!r} is not {describe(tp)}") from None
    return out


def or_list(choices) -> str:
    """Choices as a message lists them: ``a``, ``a or b``, ``a, b or c``."""
    items = [str(c) for c in choices]
    return f"{', '.join(items[:-1])} or {items[-1]}" if len(items) > 1 else "".join(items)


def check_fields(obj: Any, *, error: type[Exception], where: str | None = None,
                 prefix: str = "") -> Any:
    """Check every field of the dataclass instance ``obj`` against its annotation and store the
    normalised values (a list becomes a tuple, ...) in place; returns ``obj``."""
    current = {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
    for k, v in coerce_fields(type(obj), current, error=error, where=where, prefix=prefix).items():
        if v is not current[k]:
            object.__setattr__(obj, k, v)
    return obj
