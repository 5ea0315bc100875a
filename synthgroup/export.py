"""Export a complete generated folder to another annotation format (``synthgroup export``).

A format is an entry of :data:`EXPORT_FORMATS`: a function ``(folder, manifest, records,
**options) -> text`` of the file to write (another package adds one through the entry-point
group ``synthgroup.export_formats``). :func:`export_dataset` checks the folder and the output
path, builds the whole text, then writes it atomically: bad input is one message and leaves no
file behind.
"""
from __future__ import annotations

import os
from pathlib import Path

from .errors import SynthGroupError
from .formats import DEFAULT_FORMAT
from .inspection import load_records
from .io import atomic_write_text, disk_error_message, temp_name
from .registry import Registry

EXPORT_FORMATS: Registry = Registry("export format", group="synthgroup.export_formats")
EXPORT_FORMATS.register("coco", "synthgroup.coco:coco_json")


def complete_records(folder: str | os.PathLike) -> tuple[dict, list[dict]]:
    """The manifest and records of a complete synthgroup folder; anything else raises."""
    folder = Path(folder)
    manifest, records = load_records(folder)
    if manifest.get("status") != "complete" or not (folder / "metadata.jsonl").exists():
        raise SynthGroupError(
            f"{folder} is not a complete synthgroup dataset (status: {manifest.get('status')}); "
            "finish it by rerunning the same synthgroup generate command")
    return manifest, records


def _check_output(out: Path) -> None:
    """Fail before any work when ``out`` cannot be written (probed with an empty temporary file)."""
    if out.is_dir():
        raise SynthGroupError(f"output {out} is a folder; give a file name")
    if not out.absolute().parent.is_dir():
        raise SynthGroupError(f"folder {out.absolute().parent} for {out} does not exist")
    probe = temp_name(out)
    try:
        probe.touch()
        probe.unlink()
    except OSError as exc:   # the message names out, not the probe
        raise SynthGroupError(disk_error_message(OSError(exc.errno, exc.strerror), out)) from None


def export_dataset(folder: str | os.PathLike, out: str | os.PathLike, format: str = "coco",
                   **options) -> Path:
    """Write the folder's annotations in ``format`` to the file ``out``; returns ``out``."""
    build = EXPORT_FORMATS.get(format)
    out = Path(out)
    _check_output(out)
    manifest, records = complete_records(folder)
    if manifest.get("format", DEFAULT_FORMAT) != "imagefolder":
        raise SynthGroupError(
            f"{folder} is a {manifest['format']} dataset; export reads image and mask files, so "
            "it needs one made with --format imagefolder (the same configuration gives the same "
            "images)")
    text = build(Path(folder), manifest, records, **options)
    try:
        atomic_write_text(out, text)
    except OSError as exc:
        raise SynthGroupError(disk_error_message(exc, out)) from None
    return out
