"""Write a synthetic dataset to a folder, in parallel, shardable and resumable.

The samples go into the folder in an output format (:mod:`synthgroup.formats`): ``imagefolder``
by default (``images/*.jpg`` and ``masks/*.png``, instance masks with face k -> value k+1, which
``datasets.load_dataset("imagefolder", data_dir=DIR)`` loads), or ``parquet`` / ``webdataset``
(one file per chunk under ``data/``). Every format also gets ``metadata.jsonl`` (one record per
image: label, faces, background, seed), ``manifest.json`` (config, format, version, counts),
``config.toml`` and a dataset card. Work is cut into chunks of consecutive indices (the format's
size unless ``chunk`` is given); a chunk is finished when its ``parts/START-END.jsonl`` exists,
written after the format's files, so a rerun after a kill only does unfinished chunks, and
sample i's bytes do not depend on workers, shards or chunking. Finished chunks are never
touched again; an unfinished one is redone whole. Once every chunk is finished the parts are
joined into ``metadata.jsonl``, the manifest's status becomes ``complete``, the dataset card
names the files (and, for imagefolder, declares every column: :mod:`synthgroup.card`) and
``parts/`` is removed (when no other run is using the folder); a rerun on a complete folder has
nothing to do.

Several processes may fill one folder (shards, reruns): checking a folder and claiming it is one
step under its ``.lock``, and a running generate holds ``.active`` (shared), so a run with
another configuration, ``n``, format or chunk size is refused while a folder that never finished a chunk and that
no live run holds is simply started again. Sources are probed, and the configuration checked,
before anything is written; a dead worker or a full disk ends the run with one message.
"""
from __future__ import annotations

import json
import multiprocessing as mp
import shutil
import sys
import time
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import NamedTuple

import cv2

from . import __version__
from .card import dataset_card, dataset_features, merge_schemas, records_schema
from .compose import GENERATOR_VERSION, Sources, make_sample
from .config import GenConfig, check_count
from .errors import SynthGroupError
from .formats import DEFAULT_FORMAT, Encoded, OutputFormat, create_output_format
from .io import (atomic_path, atomic_write_text, disk_error_message, file_lock, free_space,
                 is_locked, is_shared_holder, to_toml, write_json)
from .labels import CLASS_NAMES

_STATE: dict = {}
_LOCKS = (".lock", ".active")
_JSON = json.JSONEncoder(separators=(",", ":"), check_circular=False)
#: masks are runs of a few values: no PNG row filter, zlib's run-length strategy
_PNG = [cv2.IMWRITE_PNG_COMPRESSION, 1, cv2.IMWRITE_PNG_FILTER, cv2.IMWRITE_PNG_FILTER_NONE,
        cv2.IMWRITE_PNG_STRATEGY, cv2.IMWRITE_PNG_STRATEGY_RLE]


def encode_sample(sample, jpeg_quality: int) -> tuple[bytes, bytes]:
    # a contiguous BGR copy encodes twice as fast as a reversed view
    bgr = cv2.cvtColor(sample.image, cv2.COLOR_RGB2BGR)
    ok1, jpg = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, jpeg_quality])
    ok2, png = cv2.imencode(".png", sample.mask, _PNG)
    if not (ok1 and ok2):  # pragma: no cover
        raise RuntimeError("OpenCV failed to encode a sample")
    return jpg.tobytes(), png.tobytes()


def part_name(a: int, b: int) -> str:
    return f"parts/{a:06d}-{b:06d}.jsonl"


class Summary(NamedTuple):
    """What the finished dataset's manifest and card need from a chunk's records: label and
    faces-per-image counts and the records' schema. Workers return their chunks' summaries, so
    joining the parts re-reads only chunks made by other runs."""
    labels: Counter
    nfaces: Counter
    schema: tuple

    @classmethod
    def of(cls, records: Iterable[dict], schema: bool = True) -> "Summary":
        """The summary of these records (with ``schema`` False, an empty schema: for a format
        whose card declares no columns)."""
        records = list(records)
        return cls(Counter(r["label_name"] for r in records), Counter(r["n_faces"] for r in records),
                   records_schema(records if schema else ()))


def _init_worker(cfg: GenConfig, fmt: OutputFormat) -> None:
    # No cv2.setNumThreads here: after a fork from a process whose OpenCV pool has run, that
    # call deadlocks (parallel OpenCV calls themselves are fork-safe).
    _STATE.update(cfg=cfg, fmt=fmt, sources=Sources(cfg))


def _run_chunk(chunk: tuple[int, int]) -> tuple[tuple[int, int], dict, Summary]:
    """Make one chunk: its samples go to the format, then its part file marks it finished."""
    cfg, fmt, sources = _STATE["cfg"], _STATE["fmt"], _STATE["sources"]
    a, b = chunk
    records: list[dict] = []

    def samples():
        for i in range(a, b):
            sample = make_sample(cfg, sources, i)
            jpg, png = encode_sample(sample, cfg.jpeg_quality)
            records.append({**fmt.location(i), **sample.record})
            yield Encoded(i, jpg, png, sample.record)

    try:
        fmt.write_chunk(a, b, samples())
        atomic_write_text(fmt.out / part_name(a, b), "".join(_JSON.encode(r) + "\n" for r in records))
    except OSError as exc:   # a full or read-only disk: the format has left no finished file
        raise SynthGroupError(disk_error_message(exc, fmt.out)) from None
    return chunk, sources.skipped(), Summary.of(records, fmt.card_declares_features)


def _chunks(fmt: OutputFormat, shard: tuple[int, int]) -> list[tuple[int, int]]:
    """The chunks shard ``(k, m)`` makes: every m-th from the k-th."""
    k, m = shard
    return [c for j, c in enumerate(fmt.chunks()) if j % m == k]


def _subfolders(fmt: OutputFormat) -> tuple[str, ...]:
    return ("parts", *fmt.folders)


def _check_foreign(out: Path, fmt: OutputFormat) -> None:
    """Refuse a file, or a folder of someone else's files, before anything is created in it."""
    if out.exists() and not out.is_dir():
        raise SynthGroupError(f"output path {out} exists and is not a folder")
    # ours: what a claim that failed before its manifest may leave (locks, the files of the
    # shared .active lock, empty subfolders), or a live claim's manifest before its rename
    def ours(p: Path) -> bool:
        return (p.name in _LOCKS or is_shared_holder(p, out / ".active")
                or (p.name.startswith(".manifest.json.tmp-") and p.is_file())
                or (p.name in _subfolders(fmt) and p.is_dir() and not any(p.iterdir())))

    if out.is_dir() and not (out / "manifest.json").exists() and not all(map(ours, out.iterdir())):
        raise SynthGroupError(f"output folder {out} is not empty and holds no synthgroup manifest")


def _check_folder(out: Path, cfg: GenConfig, n: int, fmt: OutputFormat) -> dict | None:
    """The manifest to continue, or None for a folder to (re)start; refuse a different dataset.

    Called under the folder's lock. A folder that never finished a chunk and that no live run is
    using (a run that failed or was killed early) is restarted whatever its configuration.
    """
    manifest_path = out / "manifest.json"
    if not manifest_path.exists():
        return None
    try:
        manifest = json.loads(manifest_path.read_text())
        old = manifest["config"]
    except (ValueError, KeyError, TypeError):
        raise SynthGroupError(f"{manifest_path} is not a synthgroup manifest") from None
    layout = (manifest.get("format", DEFAULT_FORMAT), manifest.get("chunk", fmt.chunk))
    version = manifest.get("generator_version", 1)   # (folders from before it was recorded: 1)
    same = (manifest.get("fingerprint") == cfg.fingerprint() and manifest.get("n", n) == n
            and layout == (fmt.name, fmt.chunk) and version == GENERATOR_VERSION)
    if same:
        return manifest
    finished_any = _complete(manifest) or any((out / "parts").glob("*.jsonl"))
    if not finished_any and not is_locked(out / ".active"):
        return None
    if version != GENERATOR_VERSION:
        raise SynthGroupError(
            f"output folder {out} holds a dataset made by generator version {version}, whose images "
            f"differ from this version's ({GENERATOR_VERSION}); use another --out")
    if manifest.get("fingerprint") != cfg.fingerprint():
        new = cfg.to_dict()
        diff = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
        raise SynthGroupError(
            f"output folder {out} holds a dataset made with a different configuration "
            f"(differs in: {', '.join(diff) or 'version'}); use another --out or the same settings")
    if manifest.get("n", n) != n:
        raise SynthGroupError(f"output folder {out} holds a dataset of --n {manifest['n']} images, "
                              f"not {n}; finish it with --n {manifest['n']} or use another --out")
    if layout[0] != fmt.name:
        raise SynthGroupError(f"output folder {out} holds a dataset in --format {layout[0]}, not "
                              f"{fmt.name}; finish it with --format {layout[0]} or use another --out")
    raise SynthGroupError(f"output folder {out} holds a dataset in chunks of --chunk {layout[1]}, "
                          f"not {fmt.chunk}; finish it with --chunk {layout[1]} or use another --out")


def _restart(out: Path, cfg: GenConfig, n: int, sources: Sources, fmt: OutputFormat) -> None:
    """Start the folder afresh (new, or left by a run that never finished a chunk)."""
    for sub in _subfolders(fmt):
        shutil.rmtree(out / sub, ignore_errors=True)
        (out / sub).mkdir()
    write_json(out / "manifest.json", {
        "synthgroup_version": __version__, "generator_version": GENERATOR_VERSION,
        "fingerprint": cfg.fingerprint(),
        "config": cfg.to_dict(), "n": n, "format": fmt.name, "chunk": fmt.chunk,
        "status": "running", "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "sources": sources.describe()})
    atomic_write_text(out / "config.toml", to_toml(cfg.to_dict()))
    atomic_write_text(out / "README.md", dataset_card(n))


def _complete(manifest: dict) -> bool:
    return manifest.get("status") == "complete"


@contextmanager
def _claim(out: Path, cfg: GenConfig, n: int, sources: Sources, fmt: OutputFormat):
    """Check and claim ``out`` in one step under its lock, then hold it (shared with other
    shards of the same dataset) until the block ends; yields whether the dataset is complete."""
    if not (out / ".lock").exists():  # no synthgroup run has been here: check before creating
        _check_foreign(out, fmt)     # anything in someone else's folder (else under the lock)
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    restarted = False
    with ExitStack() as stack:
        try:
            with _locked(out):
                _check_foreign(out, fmt)  # again under the lock: another run may have claimed it
                manifest = _check_folder(out, cfg, n, fmt)
                if manifest is None:
                    restarted = True
                    _restart(out, cfg, n, sources, fmt)
                complete = bool(manifest) and _complete(manifest) and (out / "metadata.jsonl").exists()
                if not complete:      # (a complete folder whose metadata.jsonl was deleted: redo)
                    (out / "parts").mkdir(exist_ok=True)
                stack.enter_context(file_lock(out / ".active", shared=True))
        except BaseException:
            # nothing of a folder made just now is left behind - unless another run that raced
            # to create it has claimed it (its manifest is there and this run wrote none)
            if created and (restarted or not (out / "manifest.json").exists()):
                shutil.rmtree(out, ignore_errors=True)
            raise
        yield complete


def _tidy(out: Path, fmt: OutputFormat) -> None:
    """Remove ``parts/``, and temporary files that killed runs left, from a complete folder that
    no other run is using (checked under the lock, so no run can claim the folder meanwhile; a
    run that holds it tidies up itself)."""
    with _locked(out):
        if not is_locked(out / ".active"):
            shutil.rmtree(out / "parts", ignore_errors=True)
            for sub in fmt.folders:
                for tmp in (out / sub).glob(".*.tmp-*"):
                    tmp.unlink(missing_ok=True)


def _locked(out: Path):
    return file_lock(out / ".lock")


def _finalize(out: Path, n: int, fmt: OutputFormat, skipped: dict, shard: tuple[int, int],
              summaries: dict) -> dict:
    with _locked(out):
        manifest = json.loads((out / "manifest.json").read_text())
        allc = fmt.chunks()
        done = [c for c in allc if (out / part_name(*c)).exists()]
        labels, nfaces = Counter(), Counter()
        if len(done) == len(allc):
            _join_parts(out, n, fmt, labels, nfaces, summaries)
            manifest["status"] = "complete"
        else:
            manifest["status"] = f"partial: {len(done)} of {len(allc)} chunks"
        old_skipped = manifest.get("skipped_files", {})
        for spec, files in skipped.items():
            old_skipped.setdefault(spec, {}).update(files)
        manifest.update({
            "n": n,
            "shard_counts": sorted({*manifest.get("shard_counts", []), shard[1]}),
            "class_counts": {c: labels.get(c, 0) for c in CLASS_NAMES},
            "faces_per_image": {str(k): nfaces[k] for k in sorted(nfaces)},
            "skipped_files": old_skipped,
        })
        write_json(out / "manifest.json", manifest)
        return manifest


def _join_parts(out: Path, n: int, fmt: OutputFormat, labels: Counter, nfaces: Counter,
                summaries: dict) -> None:
    """``metadata.jsonl`` from the parts, and the dataset card, one chunk at a time (a set of a
    million images is never held in memory); counts the labels and faces per image. A chunk
    this run made has its ``summaries`` entry; the others' records are read again."""
    schema = records_schema(())
    with (atomic_path(out / "metadata.jsonl") as tmp,
          open(tmp, "w", encoding="utf-8", newline="\n") as f):
        for c in fmt.chunks():
            text = (out / part_name(*c)).read_text()
            f.write(text)
            s = summaries.get(c) or Summary.of((json.loads(line) for line in text.splitlines()),
                                               fmt.card_declares_features)
            labels.update(s.labels)
            nfaces.update(s.nfaces)
            schema = merge_schemas(schema, s.schema)
    features = dataset_features(schema=schema)
    atomic_write_text(out / "README.md", dataset_card(
        n, data_files=fmt.data_files(), features=features if fmt.card_declares_features else None,
        files=fmt.card_text()))


def generate(cfg: GenConfig, out: str | Path, n: int, *, workers: int = 1,
             shard: tuple[int, int] = (0, 1), progress: bool = True,
             format: str = DEFAULT_FORMAT, chunk: int | None = None) -> dict:
    """Generate samples 0..n-1 (this shard's chunks) into ``out`` in the output ``format``
    (chunks of ``chunk`` images, default the format's); returns the manifest."""
    cfg.validate()
    out = Path(out)
    check_count("--n", n)
    check_count("--workers", workers)
    if chunk is not None:
        check_count("--chunk", chunk)
    k, m = shard
    if not (m >= 1 and 0 <= k < m):
        raise SynthGroupError(f"--shard {k}/{m} is not K/N with 0 <= K < N")
    fmt = create_output_format(format, out, n, chunk)
    fmt.check_available()        # a missing optional library: one message, nothing written
    sources = Sources(cfg)
    for _, src in sources.faces + sources.backgrounds:
        src.probe()              # a bad or unreadable source fails before anything is written
    try:
        with _claim(out, cfg, n, sources, fmt) as complete:
            if complete:
                manifest = json.loads((out / "manifest.json").read_text())
            else:
                skipped, summaries = _run(cfg, fmt, sources, workers, shard, progress)
                manifest = _finalize(out, n, fmt, skipped, shard, summaries)
        if _complete(manifest):
            _tidy(out, fmt)
        return manifest
    except OSError as exc:
        raise SynthGroupError(disk_error_message(exc, out)) from None


def _run(cfg: GenConfig, fmt: OutputFormat, sources: Sources, workers: int,
         shard: tuple[int, int], progress: bool) -> tuple[dict, dict]:
    """Make this shard's unfinished chunks; the corrupt source files met, per source, and the
    chunks' summaries."""
    todo = [c for c in _chunks(fmt, shard) if not (fmt.out / part_name(*c)).exists()]
    total = sum(b - a for a, b in todo)
    skipped: dict = sources.skipped()      # met while probing the sources
    summaries: dict = {}
    bar = None
    if progress and total:
        from tqdm import tqdm
        bar = tqdm(total=total, unit="img", desc="generate", file=sys.stderr, dynamic_ncols=True)

    def collect(result):
        (a, b), sk, summaries[a, b] = result
        for spec, files in sk.items():
            skipped.setdefault(spec, {}).update(files)
        if bar:
            bar.update(b - a)

    try:
        if todo and workers == 1:
            _STATE.update(cfg=cfg, fmt=fmt, sources=sources)
            for c in todo:
                collect(_run_chunk(c))
        elif todo:
            _run_pool(cfg, fmt, todo, workers, collect)
    finally:
        if bar:
            bar.close()
    return skipped, summaries


def _run_pool(cfg: GenConfig, fmt: OutputFormat, todo: list, workers: int, collect) -> None:
    """The chunks in worker processes. A worker that dies (SIGKILL, out of memory, a crash)
    fails the run with a message instead of leaving it waiting for the lost chunk."""
    ctx = mp.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    pool = ProcessPoolExecutor(min(workers, len(todo)), mp_context=ctx, initializer=_init_worker,
                               initargs=(cfg, fmt))
    try:
        for future in as_completed([pool.submit(_run_chunk, c) for c in todo]):
            collect(future.result())
    except BrokenProcessPool:
        raise SynthGroupError(
            f"a worker process died while generating into {fmt.out} (killed, out of memory or "
            f"crashed; {free_space(fmt.out)} free there); finished chunks are kept: rerun the same "
            "command to continue") from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
