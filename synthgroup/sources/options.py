"""Parse 'key=value,key=value' source arguments (``procedural:identities=500``)."""
from __future__ import annotations

from ..errors import SourceError


def parse_options(spec: str, arg: str | None, allowed: dict[str, type]) -> dict:
    out: dict = {}
    if not arg:
        return out
    for part in arg.split(","):
        key, eq, value = part.partition("=")
        key = key.strip()
        if not eq or key not in allowed:
            raise SourceError(f"source {spec!r}: option {part!r} is not one of "
                              f"{', '.join(f'{k}=...' for k in allowed)}")
        cast = allowed[key]
        try:
            out[key] = cast(value.strip())
        except ValueError:
            raise SourceError(f"source {spec!r}: {key}={value!r} is not a valid {cast.__name__}") from None
    return out
