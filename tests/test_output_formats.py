"""`synthgroup generate --format imagefolder|parquet|webdataset`: every format stores the same
bytes per sample as imagefolder; Parquet shards load with `datasets` (label a ClassLabel),
WebDataset tars stream with `webdataset` through a torch DataLoader; shards are deterministic
whatever the workers and sharding, resumable after a kill (finished shards untouched), checked
by `inspect`; bad values are one message with exit code 2 and nothing written."""
from __future__ import annotations

import json
import shutil
import tarfile
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from conftest import run_cli
from faults import one_message, patched, run
from synthgroup import GenConfig
from synthgroup.formats import OUTPUT_FORMATS, ShardFormat, create_output_format
from synthgroup.inspection import inspect_folder
from synthgroup.labels import CLASS_NAMES
from synthgroup.writer import generate

TINY = GenConfig(size=(96, 96), faces_per_image=(1, 4))
N, CHUNK = 12, 4                         # three shards of four samples
ARGS = ["--n", N, "--size", "96", "--faces-per-image", "1-4", "--chunk", CHUNK, "-q"]
SHARDED = [name for name in OUTPUT_FORMATS.names() if issubclass(OUTPUT_FORMATS.get(name), ShardFormat)]


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The imagefolder output of the configuration, written by one worker in one run."""
    out = tmp_path_factory.mktemp("ref") / "imagefolder"
    generate(TINY, out, n=N, workers=1, progress=False)
    return out


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """Folder of each format (chunks of four), made once."""
    root = tmp_path_factory.mktemp("formats")
    folders = {}
    for name in OUTPUT_FORMATS.names():
        folders[name] = root / name
        generate(TINY, folders[name], n=N, workers=1, progress=False, format=name, chunk=CHUNK)
    return folders


def _records(folder: Path) -> dict[int, dict]:
    return {r["index"]: r for r in map(json.loads, (folder / "metadata.jsonl").read_text().splitlines())}


def _ref_files(reference: Path, i: int) -> tuple[bytes, bytes]:
    return ((reference / f"images/{i:06d}.jpg").read_bytes(),
            (reference / f"masks/{i:06d}.png").read_bytes())


def _shards(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((folder / "data").iterdir())}


# ------------------------------------------------------------------------------ every format
@pytest.mark.parametrize("name", OUTPUT_FORMATS.names())
def test_every_format_stores_the_imagefolder_bytes_and_records(made, reference, name):
    folder = made[name]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert (manifest["format"], manifest["chunk"], manifest["status"]) == (name, CHUNK, "complete")
    fmt = create_output_format(name, folder, N, CHUNK)
    ref_records = _records(reference)
    seen = []
    for a, b in fmt.chunks():
        for s in fmt.read_chunk(a, b):
            seen.append(s.index)
            assert (s.jpg, s.png) == _ref_files(reference, s.index)       # the same bytes
            if s.record is not None:     # the record stored beside the sample is the record
                ref = {k: v for k, v in ref_records[s.index].items()
                       if k not in ("file_name", "mask_file_name")}
                assert s.record == ref
    assert seen == list(range(N))
    for i, rec in _records(folder).items():        # metadata.jsonl: the location, then the record
        assert {k: v for k, v in rec.items() if k not in fmt.location(i)} == \
            {k: v for k, v in ref_records[i].items() if k not in ("file_name", "mask_file_name")}
    rep = inspect_folder(folder, replay=3)
    assert rep["ok"] and rep["format"] == name and rep["images"] == N, rep["problems"]
    assert not (folder / "parts").exists()
    # the card's data_files find exactly the format's files
    card = (folder / "README.md").read_text()
    header = json.loads(card.split("---\n")[1])
    paths = header["configs"][0]["data_files"][0]["path"]
    found = sorted(p for pattern in paths for p in folder.glob(pattern))
    assert found and all(p.parent.name in ("images", "data") or p.name == "metadata.jsonl" for p in found)


# ------------------------------------------------------------------------------ parquet
@pytest.mark.parametrize("how", ["parquet builder", "the folder"])
def test_parquet_loads_with_datasets_like_the_imagefolder(made, reference, how):
    import datasets
    folder = made["parquet"]
    ds = (datasets.load_dataset("parquet", data_dir=str(folder), split="train") if how == "parquet builder"
          else datasets.load_dataset(str(folder), split="train"))
    assert len(ds) == N and sorted(ds["index"]) == list(range(N))
    assert ds.features["label"].names == list(CLASS_NAMES)
    assert ds.features["faces"].feature["group"].names == list(CLASS_NAMES)
    assert list(ds.features)[:2] == ["image", "mask"]
    ref_records = _records(reference)
    for row in ds:
        i = row["index"]
        rec = ref_records[i]
        assert row["label"] == rec["label"] and row["n_faces"] == rec["n_faces"]
        assert np.array_equal(np.asarray(row["image"]),
                              np.asarray(Image.open(reference / f"images/{i:06d}.jpg")))
        assert np.array_equal(np.asarray(row["mask"]),
                              cv2.imread(str(reference / f"masks/{i:06d}.png"), cv2.IMREAD_UNCHANGED))
        assert [f["box"] for f in row["faces"]] == [f["box"] for f in rec["faces"]]
        assert [json.loads(f["meta"]) for f in row["faces"]] == [f["meta"] for f in rec["faces"]]


def test_parquet_shards_share_one_schema_when_the_sources_differ_per_chunk(tmp_path):
    """Two face sources with different meta/variant keys, one sample per file: some files see
    one source only, and still every file has the schema datasets takes from the first."""
    import datasets
    import pyarrow.parquet as pq
    import standins as S
    S.make_expression_folder(tmp_path / "faces")
    cfg = TINY.replace(faces=["procedural", f"folder:{tmp_path / 'faces'}"])
    out = tmp_path / "mixed"
    generate(cfg, out, n=N, workers=1, progress=False, format="parquet", chunk=1)
    schemas = [pq.read_schema(p) for p in sorted((out / "data").glob("*.parquet"))]
    assert len(schemas) == N and all(s.equals(schemas[0], check_metadata=True) for s in schemas)
    per_file = [{f["source"] for r in pq.read_table(p).to_pylist() for f in r["faces"]}
                for p in sorted((out / "data").glob("*.parquet"))]
    assert any(len(sources) == 1 for sources in per_file) and len(set().union(*per_file)) == 2
    keys = {(f["source"], tuple(sorted(json.loads(f["meta"]))), tuple(sorted(json.loads(f["variant"]))))
            for p in sorted((out / "data").glob("*.parquet")) for r in pq.read_table(p).to_pylist()
            for f in r["faces"]}
    assert len({k[1:] for k in keys}) == 2          # the sources' meta/variant keys differ
    ds = datasets.load_dataset("parquet", data_dir=str(out), split="train")
    assert len(ds) == N and inspect_folder(out)["ok"]


# ------------------------------------------------------------------------------ webdataset
def test_webdataset_tars_follow_the_naming_conventions(made):
    names = []
    for path in sorted((made["webdataset"] / "data").glob("*.tar")):
        with tarfile.open(path) as tar:
            members = tar.getmembers()
        names += [m.name for m in members]
        assert all(m.isfile() and m.mtime == 0 for m in members)
        keys = [m.name.split(".", 1)[0] for m in members]
        assert keys == sorted(keys)                         # a sample's files are adjacent
    assert names == [f"{i:06d}.{ext}" for i in range(N) for ext in ("cls", "jpg", "json", "png")]


def test_webdataset_streams_through_a_torch_dataloader(made, reference):
    import webdataset as wds
    from torch.utils.data import DataLoader
    fmt = create_output_format("webdataset", made["webdataset"], N, CHUNK)
    url = str(made["webdataset"] / fmt.shard_pattern())       # data/train-{00000..00002}-of-00003.tar
    assert fmt.shard_pattern() in (made["webdataset"] / "README.md").read_text()
    pipeline = (wds.WebDataset(url, shardshuffle=False).decode("rgb8")
                .to_tuple("__key__", "jpg", "png", "json", "cls"))
    loader = DataLoader(pipeline, batch_size=None, num_workers=2)
    ref_records = _records(reference)
    seen = []
    for key, jpg, png, record, cls in loader:
        i = int(key)
        seen.append(i)
        assert cls == record["label"] == ref_records[i]["label"]
        assert np.array_equal(np.asarray(jpg),
                              np.asarray(Image.open(reference / f"images/{i:06d}.jpg").convert("RGB")))
        mask = cv2.imread(str(reference / f"masks/{i:06d}.png"), cv2.IMREAD_UNCHANGED)
        assert np.array_equal(np.asarray(png)[..., 0], mask)
    assert sorted(seen) == list(range(N))


# ------------------------------------------------------------------------------ determinism, resume
@pytest.mark.parametrize("name", SHARDED)
def test_same_shard_bytes_whatever_the_workers_and_shards(made, tmp_path, name):
    two = tmp_path / "two"
    generate(TINY, two, n=N, workers=2, progress=False, format=name, chunk=CHUNK)
    split = tmp_path / "split"
    generate(TINY, split, n=N, workers=1, shard=(1, 2), progress=False, format=name, chunk=CHUNK)
    assert sorted(_shards(split)) == [sorted(_shards(made[name]))[1]]
    generate(TINY, split, n=N, workers=1, shard=(0, 2), progress=False, format=name, chunk=CHUNK)
    assert _shards(two) == _shards(split) == _shards(made[name])
    assert (two / "metadata.jsonl").read_text() == (made[name] / "metadata.jsonl").read_text()


KILL_IN_THIRD_SHARD = """
    import os, signal
    from synthgroup.formats.base import ShardFormat
    real = ShardFormat.write_chunk
    def dying(self, a, b, samples):
        def until_killed():
            for k, s in enumerate(samples):
                if a == 8 and k == 2:          # the third file is half written
                    os.kill(os.getpid(), signal.SIGKILL)
                yield s
        return real(self, a, b, until_killed())
    ShardFormat.write_chunk = dying
"""


@pytest.mark.parametrize("name", SHARDED)
def test_a_killed_run_resumes_and_leaves_finished_shards_alone(made, tmp_path, name):
    out = tmp_path / "ds"
    args = ["generate", "--out", out, "--format", name, "--workers", "1", *ARGS]
    r = run(patched("synthgroup.cli", KILL_IN_THIRD_SHARD, *args), timeout=240)
    assert r.returncode == -9, r.stderr
    shards = sorted((out / "data").glob("train-*"))
    assert [p.name for p in shards] == sorted(_shards(made[name]))[:2]      # two finished shards
    if name == "webdataset":             # a tar is streamed: the killed one's temporary file
        assert list((out / "data").glob(".train-00002-*.tmp-*"))
    before = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in shards}
    rep = inspect_folder(out)
    assert not rep["ok"] and "1 of 3 chunks not made (samples 8-11" in "\n".join(rep["problems"])
    r = run_cli(*args)
    assert r.returncode == 0 and "complete" in r.stdout, r.stderr
    assert {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in shards} == before
    assert _shards(out) == _shards(made[name])                              # the same bytes
    assert not list(out.rglob(".*.tmp-*")) and not (out / "parts").exists()
    assert inspect_folder(out)["ok"]


# ------------------------------------------------------------------------------ inspect
@pytest.mark.parametrize("name", SHARDED)
def test_inspect_names_broken_and_missing_shards(made, tmp_path, name):
    bad = tmp_path / "bad"
    shutil.copytree(made[name], bad)
    fmt = create_output_format(name, bad, N, CHUNK)
    first, second, third = (bad / fmt.shard_name(a) for a, _ in fmt.chunks())
    first.write_bytes(first.read_bytes()[:3000])          # truncated
    third.unlink()
    records = list(map(json.loads, (bad / "metadata.jsonl").read_text().splitlines()))
    records[5]["label"] = (records[5]["label"] + 1) % 3   # metadata no longer matches its shard
    (bad / "metadata.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    rep = inspect_folder(bad)
    text = "\n".join(rep["problems"])
    assert f"{first} cannot be read" in text and f"missing shard {third}" in text
    assert f"{second}:000005.jpg: its stored record differs from metadata.jsonl in label" in text
    r = run_cli("inspect", bad)
    assert r.returncode == 1 and str(first) in r.stdout


# ------------------------------------------------------------------------------ bad values
@pytest.mark.parametrize("args, needles", [
    (["--format", "tfrecord"], ["output format 'tfrecord'", "imagefolder, parquet, webdataset"]),
    (["--format", "parquet", "--chunk", "0"], ["--chunk 0"]),
])
def test_bad_format_values_are_one_message(tmp_path, args, needles):
    out = tmp_path / "never"
    one_message(run_cli("generate", "--out", out, "--n", "5", "-q", *args), "synthgroup", *needles)
    assert not out.exists()


def test_a_folder_keeps_its_format_and_chunk(made, tmp_path):
    folder = tmp_path / "ds"
    shutil.copytree(made["parquet"], folder)
    before = sorted((p.name, p.stat().st_mtime_ns) for p in folder.rglob("*"))
    one_message(run_cli("generate", "--out", folder, "--format", "webdataset", *ARGS),
                "synthgroup", str(folder), "--format parquet")
    one_message(run_cli("generate", "--out", folder, "--format", "parquet",
                        *[a if a != CHUNK else 6 for a in ARGS]),
                "synthgroup", str(folder), "--chunk 4")
    one_message(run_cli("export", folder, "--out", tmp_path / "c.json"), "synthgroup",
                "parquet dataset", "--format imagefolder")
    assert sorted((p.name, p.stat().st_mtime_ns) for p in folder.rglob("*")) == before
    assert not (tmp_path / "c.json").exists()


def test_a_missing_optional_library_says_what_to_install(tmp_path):
    out = tmp_path / "never"
    gone = "import sys\nsys.modules['webdataset'] = None     # as if it were not installed\n"
    r = run(patched("synthgroup.cli", gone, "generate", "--out", out, "--format", "webdataset",
                    *ARGS), timeout=120)
    one_message(r, "synthgroup", "--format webdataset needs the webdataset package",
                "pip install 'synthgroup[webdataset]'")
    assert not out.exists()
