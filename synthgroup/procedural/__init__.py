"""Procedural renderers behind the embedded default sources: no download, no real person.

* ``faces``: cartoon-but-readable heads (an identity is a seed, an expression a set of FACS
  action units), returned as RGBA sprites.
* ``scenes``: backgrounds standing in for the ten LSUN scene categories.
* ``rng``: ``Draws``, the readable scalar draws both renderers take from one seeded generator.

Both are pure functions of their arguments; the sources in ``synthgroup.sources`` cache their
output keyed by ``source_files`` (a changed renderer never serves stale pixels).
"""
from __future__ import annotations

from pathlib import Path


def source_files(package_init: str) -> tuple[Path, ...]:
    """The Python files of a renderer package (given its ``__init__``'s ``__file__``) and the
    shared ``rng`` module: everything whose code decides that renderer's pixels."""
    here = Path(package_init).resolve().parent
    return (*sorted(here.glob("*.py")), Path(__file__).resolve().with_name("rng.py"))
