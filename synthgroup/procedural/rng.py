"""Readable scalar draws from one seeded generator, shared by the procedural renderers."""
from __future__ import annotations

import numpy as np

_BLOCK = 512


class Draws:
    """Scalar draws from a local ``np.random.Generator``, named for what they give.

    Uniforms are fetched ``block`` at a time (one numpy call instead of one per draw). The k-th
    uniform is the k-th number of ``generator.random(n)`` whatever the block size, so the bytes a
    renderer draws depend only on the seed and on the order of the draws: a refactor must keep
    that order (``skip`` keeps it across branches that draw different amounts).
    """

    __slots__ = ("_generator", "_buffer", "_next", "_block")

    def __init__(self, generator: np.random.Generator, block: int = _BLOCK):
        self._generator = generator
        self._block = block
        self._buffer = generator.random(block).tolist()
        self._next = 0

    def random(self) -> float:
        """Uniform in [0, 1)."""
        k = self._next
        if k >= len(self._buffer):
            self._buffer = self._generator.random(self._block).tolist()
            k = 0
        self._next = k + 1
        return self._buffer[k]

    def uniform(self, low: float, high: float) -> float:
        """Uniform in [low, high)."""
        return low + (high - low) * self.random()

    def integer(self, low: int, high: int) -> int:
        """Integer in [low, high], both inclusive."""
        return low + min(int(self.random() * (high - low + 1)), high - low)

    def chance(self, probability: float) -> bool:
        """True with the given probability."""
        return self.random() < probability

    def choice(self, options):
        """One element of a sequence, each equally likely."""
        return options[min(int(self.random() * len(options)), len(options) - 1)]

    def skip(self, n: int = 1) -> None:
        """Discard ``n`` draws, so that the draws after a branch do not depend on the branch."""
        for _ in range(n):
            self.random()
