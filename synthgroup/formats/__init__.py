"""Output formats of ``synthgroup generate --format NAME``: ``imagefolder`` (the default: image
and mask files plus ``metadata.jsonl``), ``parquet`` and ``webdataset`` (one file per chunk, for
big sets). One writer (:mod:`synthgroup.writer`) serves them all; a format is a small class with
one hook (:mod:`synthgroup.formats.base`), one per file, registered lazily by name."""
from .base import OUTPUT_FORMATS, Encoded, OutputFormat, ShardFormat, sample_key

OUTPUT_FORMATS.register("imagefolder", "synthgroup.formats.imagefolder:ImageFolder")
OUTPUT_FORMATS.register("parquet", "synthgroup.formats.parquet:Parquet")
OUTPUT_FORMATS.register("webdataset", "synthgroup.formats.webdataset:WebDatasetFormat")

DEFAULT_FORMAT = "imagefolder"


def list_output_formats() -> list[str]:
    return OUTPUT_FORMATS.names()


def create_output_format(name: str, out, n: int, chunk: int | None = None) -> OutputFormat:
    """The format ``name`` for the folder ``out`` of ``n`` images; an unknown name lists the
    valid ones."""
    return OUTPUT_FORMATS.create(name, out, n, chunk)


__all__ = ["OUTPUT_FORMATS", "DEFAULT_FORMAT", "Encoded", "OutputFormat", "ShardFormat",
           "sample_key", "list_output_formats", "create_output_format"]
