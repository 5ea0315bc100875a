"""The shipped models: one entry each, a few lines of data (the figures live in measured.json).

An entry's ``sha256`` is the one ``globalnet models --export`` printed for its file; the file lies in
``weights/``. The recipes are committed under ``benchmarks/recipes/``.
"""
from __future__ import annotations

from . import ZooModel, register_model  # noqa: F401  (entries below)
