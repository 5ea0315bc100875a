"""The output formats of ``synthgroup generate``: what one chunk of encoded samples becomes on
disk, and how :mod:`synthgroup.inspection` reads it back.

The writer (:mod:`synthgroup.writer`) owns everything else, for every format alike: the chunks
of consecutive indices, sharding, workers, the folder's lock and manifest, resuming (a chunk is
finished when its ``parts/START-END.jsonl`` exists, written after the format's files) and the
final ``metadata.jsonl`` and dataset card. A format implements one narrow hook,
:meth:`OutputFormat.write_chunk`, and its reader :meth:`OutputFormat.read_chunk`; formats that
write one file per chunk (parquet, webdataset) derive from :class:`ShardFormat`, which writes
that file under a temporary name and renames it into place, and implement ``write_shard`` /
``read_shard``. Formats are entries of :data:`OUTPUT_FORMATS` (other packages add theirs through
the entry-point group ``synthgroup.output_formats``).
"""
from __future__ import annotations

import importlib
import math
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import ClassVar, NamedTuple

from ..errors import SynthGroupError
from ..io import atomic_path
from ..registry import Registry

OUTPUT_FORMATS: Registry = Registry("output format", group="synthgroup.output_formats")


class Encoded(NamedTuple):
    """One sample as a format stores it: its index, JPEG image, PNG instance mask and record
    (``None`` where a reader found no such file)."""
    index: int
    jpg: bytes | None
    png: bytes | None
    record: dict | None


def sample_key(i: int) -> str:
    """The name stem of sample ``i`` in every format: ``000123`` (six digits at least)."""
    return f"{i:06d}"


class OutputFormat:
    """One output format; ``out`` is the dataset folder, ``n`` its size, ``chunk`` the images
    per chunk (the unit of work, of resuming and, for :class:`ShardFormat`, of files)."""

    name: ClassVar[str] = ""
    #: the default images per chunk
    chunk: ClassVar[int] = 100
    #: the folders the format writes into (made afresh when a dataset is started)
    folders: ClassVar[tuple[str, ...]] = ()
    #: (module, what to install) of an optional library the format needs
    needs: ClassVar[tuple[str, str] | None] = None
    #: whether the dataset card declares the columns (``False``: the files carry their types)
    card_declares_features: ClassVar[bool] = False

    def __init__(self, out: str | Path, n: int, chunk: int | None = None):
        self.out, self.n = Path(out), n
        self.chunk = chunk or type(self).chunk

    @classmethod
    def check_available(cls) -> None:
        """One message saying what to install when the format's library is missing."""
        if cls.needs is None:
            return
        module, install = cls.needs
        try:
            importlib.import_module(module)
        except ImportError:
            raise SynthGroupError(f"--format {cls.name} needs the {module} package, which is not "
                                  f"installed: pip install {install}") from None

    # ------------------------------------------------------------------ what a format defines
    def write_chunk(self, a: int, b: int, samples: Iterable[Encoded]) -> None:
        """The hook: store samples ``a..b-1`` (they arrive in order, one at a time). An error
        (a full disk) may leave nothing that looks finished: the chunk is redone on resume."""
        raise NotImplementedError

    def read_chunk(self, a: int, b: int) -> Iterator[Encoded]:
        """The samples of chunk ``a..b-1`` as stored (for ``inspect``); a file that cannot be
        read raises :class:`~synthgroup.errors.SynthGroupError` naming it."""
        raise NotImplementedError

    def problems(self) -> list[str]:
        """The format's own checks of the files written so far (``inspect``), beyond the samples."""
        return []

    def location(self, i: int) -> dict:
        """Where sample ``i`` lives, the fields ``metadata.jsonl`` puts before its record."""
        return {}

    def where(self, i: int) -> tuple[str, str]:
        """Sample ``i``'s image and mask, for messages (``inspect``)."""
        raise NotImplementedError

    def data_files(self) -> tuple[str, ...]:
        """The dataset card's ``data_files`` patterns (relative to the folder)."""
        raise NotImplementedError

    def card_text(self) -> str:
        """The dataset card's paragraph on the files and how to load them."""
        return ""

    # ------------------------------------------------------------------ shared
    def chunks(self) -> list[tuple[int, int]]:
        """Every chunk of the dataset, in order."""
        return [(s, min(s + self.chunk, self.n)) for s in range(0, self.n, self.chunk)]


class ShardFormat(OutputFormat):
    """A format that stores each chunk as one file, ``data/train-JJJJJ-of-TTTTT.EXT`` (chunk J
    of T, the naming ``datasets`` reads as the train split), written whole under a temporary
    name and renamed into place, so a file that exists is complete."""

    folders = ("data",)
    chunk = 1000
    extension: ClassVar[str] = ""

    def write_shard(self, path: Path, samples: Iterable[Encoded]) -> None:
        """The hook: write the chunk's samples into the new file ``path``."""
        raise NotImplementedError

    def read_shard(self, path: Path) -> Iterator[Encoded]:
        """The samples of the file ``path``; anything unreadable raises (any exception: the
        caller names the file)."""
        raise NotImplementedError

    def _numbering(self) -> tuple[int, int]:
        """(number of shards, digits of a shard number)."""
        total = math.ceil(self.n / self.chunk)
        return total, max(5, len(str(total)))

    def shard_name(self, a: int) -> str:
        """The file of the chunk starting at sample ``a``, relative to the folder."""
        total, width = self._numbering()
        return f"data/train-{a // self.chunk:0{width}d}-of-{total:0{width}d}.{self.extension}"

    def shard_pattern(self) -> str:
        """Every shard as one brace pattern: ``data/train-{00000..00009}-of-00010.tar``."""
        total, width = self._numbering()
        first, last = f"{0:0{width}d}", f"{total - 1:0{width}d}"
        return f"data/train-{{{first}..{last}}}-of-{total:0{width}d}.{self.extension}"

    def data_files(self):
        return (f"data/train-*.{self.extension}",)

    def location(self, i: int) -> dict:
        return {"shard": self.shard_name(i - i % self.chunk)}

    def where(self, i):
        path = self.out / self.shard_name(i - i % self.chunk)
        return f"{path}:{sample_key(i)}.jpg", f"{path}:{sample_key(i)}.png"

    def write_chunk(self, a, b, samples):
        path = self.out / self.shard_name(a)
        path.parent.mkdir(exist_ok=True)
        with atomic_path(path) as tmp:
            self.write_shard(tmp, samples)

    def read_chunk(self, a, b):
        path = self.out / self.shard_name(a)
        if not path.is_file():
            raise SynthGroupError(f"missing shard {path}")
        try:
            yield from self.read_shard(path)
        except SynthGroupError:
            raise
        except Exception as exc:  # noqa: BLE001 - any library's error: one line naming the file
            raise SynthGroupError(f"{path} cannot be read ({type(exc).__name__}: {exc})") from None
