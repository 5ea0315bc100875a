"""LSUN scene LMDBs as distributed.

Spec: ``lsun:DIR``, ``lsun:DIR:classroom,church_outdoor`` or ``lsun:DIR:classroom:limit=20000``.
``DIR`` holds ``<category>_<split>_lmdb/`` folders (``classroom_train_lmdb/``,
``church_outdoor_val_lmdb/``), each with ``data.mdb`` and ``lock.mdb``, or is one such folder.
Keys are image ids (bytes), values encoded images (WebP in the real release; JPEG and PNG work).
The category comes from the folder name. Options: ``limit=N`` keys per LMDB (default 100000;
``limit=0`` for all: bedroom has 3 million), ``splits=train`` (``+``-separated, default all found).
LMDB keys are sha1-like, so the first ``limit`` keys are an unbiased sample.

Unlike torchvision's LSUN class this never writes key-cache files into the working directory:
key lists live in memory and under ``<cache dir>/lsun-keys/``. Environments are opened read-only
without locking, lazily in each process (sources are used in forked workers).

LSUN is distributed by its authors under their terms: obtain it yourself, never commit it.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np

from ..errors import CorruptItemError, SourceError
from .base import BackgroundItem, BackgroundSource, register_background_source
from .cache import atomic_write, cache_dir, decode_image, digest, looks_like_image, require_dir
from .folder_backgrounds import working_size
from .matting import fit_size

_FOLDER = re.compile(r"^(?:(?P<cat>.+?)_)?(?P<split>train|val|test)_lmdb$", re.IGNORECASE)
#: Values looked at for an encoded image before an LMDB is declared not LSUN.
_CHECK = 20
#: Key lists made in this process (or inherited through fork): fingerprint -> list of keys.
_KEYS: dict[str, list[bytes]] = {}


def category_of(folder: str) -> tuple[str, str]:
    """``classroom_train_lmdb`` -> (classroom, train); ``church_outdoor_val_lmdb`` ->
    (church_outdoor, val); anything else -> (name without ``_lmdb``, '')."""
    m = _FOLDER.match(folder)
    if m:
        return (m.group("cat") or "lsun").lower(), m.group("split").lower()
    name = folder[:-5] if folder.lower().endswith("_lmdb") else folder
    return name.lower(), ""


def _open(path: Path):
    import lmdb
    return lmdb.open(str(path), readonly=True, lock=False, readahead=False, meminit=False,
                     subdir=True, max_readers=64)


def _key_text(key: bytes) -> str:
    try:
        text = key.decode("ascii")
    except UnicodeDecodeError:
        return "hex:" + key.hex()
    if text.isprintable() and "/" not in text and not text.startswith("hex:"):
        return text
    return "hex:" + key.hex()


def _key_bytes(text: str) -> bytes:
    return bytes.fromhex(text[4:]) if text.startswith("hex:") else text.encode("ascii")


@register_background_source
class LSUNBackgrounds(BackgroundSource):
    name = "lsun"
    arg_options = {"limit": int, "splits": str, "categories": str}

    def __init__(self, arg=None, **kwargs):
        super().__init__(arg, **kwargs)
        parts, opts = list(self.arg_parts), self.opts
        cats = opts.get("categories")
        if len(parts) > 1 and not Path(":".join(parts)).exists():
            cats = parts.pop()
        self.root = require_dir(self.spec, ":".join(parts), "lsun:/data/lsun:classroom")
        self.categories = tuple(c.strip().lower() for c in re.split(r"[,+]", cats) if c.strip()) if cats else None
        splits = opts.get("splits")
        self.splits = tuple(s.strip().lower() for s in splits.split("+") if s.strip()) if splits else None
        self.limit = opts.get("limit", 100000)
        if self.limit < 0:
            raise SourceError(f"source {self.spec!r}: limit={self.limit} must be 0 (all) or more")
        self.dbs = self._find_dbs()
        self._envs: dict[str, object] = {}
        self._pid = os.getpid()

    # ------------------------------------------------------------------ layout
    def _find_dbs(self) -> dict[str, tuple[Path, str]]:
        """folder name -> (path, category) of the LMDBs to use."""
        if (self.root / "data.mdb").exists() or self.root.name.lower().endswith("_lmdb"):
            found = [self.root]
        else:
            found = sorted(d for d in self.root.iterdir()
                           if d.is_dir() and (d.name.lower().endswith("_lmdb") or (d / "data.mdb").exists()))
        if not found:
            raise SourceError(
                f"source {self.spec!r}: no LSUN LMDB folders in {self.root}; expected "
                f"<category>_<split>_lmdb/ folders holding data.mdb, e.g. "
                f"{self.root}/classroom_train_lmdb/data.mdb")
        for d in found:
            if not (d / "data.mdb").is_file():
                raise SourceError(f"source {self.spec!r}: {d} has no data.mdb, so it is not an LMDB "
                                  "as LSUN distributes them (<category>_<split>_lmdb/data.mdb)")
        dbs = {}
        for d in found:
            cat, split = category_of(d.name)
            if self.categories and cat not in self.categories:
                continue
            if self.splits and split not in self.splits:
                continue
            dbs[d.name] = (d, cat)
        if not dbs:
            have = sorted({category_of(d.name)[0] + (f" ({category_of(d.name)[1]})" if category_of(d.name)[1] else "")
                           for d in found})
            want = "+".join(self.categories or ()) + (f" splits {'+'.join(self.splits)}" if self.splits else "")
            raise SourceError(f"source {self.spec!r}: no LMDB for {want.strip()} in {self.root} "
                              f"(found: {', '.join(have)})")
        return dbs

    # ------------------------------------------------------------------ keys
    def _keys(self, folder: str, path: Path) -> list[bytes]:
        data = path / "data.mdb"
        st = data.stat()
        fp = digest({"path": str(data.resolve()), "size": st.st_size, "mtime_ns": st.st_mtime_ns,
                     "limit": self.limit, "v": 1})
        if fp in _KEYS:
            return _KEYS[fp]
        disk = cache_dir("lsun-keys", f"{fp}.txt")
        keys = None
        if disk.is_file():
            try:
                lines = disk.read_text().split()
                if lines and lines[0] == "lsun-keys-v1":
                    keys = [bytes.fromhex(k) for k in lines[1:]]
            except (OSError, ValueError):
                keys = None
        if keys is None:
            keys = self._scan(folder, path)
            atomic_write(disk, ("lsun-keys-v1\n" + "\n".join(k.hex() for k in keys) + "\n").encode())
        _KEYS[fp] = keys
        return keys

    def _scan(self, folder: str, path: Path) -> list[bytes]:
        import lmdb
        try:
            env = _open(path)
        except lmdb.Error as exc:
            raise SourceError(f"source {self.spec!r}: {path} is not a readable LMDB ({exc})") from None
        try:
            keys: list[bytes] = []
            first_bad, seen_image = None, False
            with env.begin(buffers=False) as txn:
                for key, value in txn.cursor():
                    # a bad value is skipped when it is drawn, like any corrupt file; only an
                    # LMDB whose first values are all not images is not LSUN at all
                    if not seen_image and len(keys) < _CHECK:
                        seen_image = looks_like_image(value)
                        first_bad = first_bad or (None if seen_image else bytes(key))
                    keys.append(bytes(key))
                    if self.limit and len(keys) >= self.limit:
                        break
            if keys and not seen_image:
                raise SourceError(
                    f"source {self.spec!r}: {path} is not an LSUN scene LMDB: the value of key "
                    f"{first_bad[:40]!r} is not an encoded image (LSUN stores WebP/JPEG bytes)")
        except lmdb.Error as exc:
            raise SourceError(f"source {self.spec!r}: {path} is not a readable LMDB ({exc})") from None
        finally:
            env.close()
        if not keys:
            raise SourceError(f"source {self.spec!r}: {path} holds no images")
        return keys

    def catalog(self):
        items = []
        for folder, (path, cat) in self.dbs.items():
            items.extend(BackgroundItem(f"{folder}/{_key_text(k)}", cat) for k in self._keys(folder, path))
        return items

    # ------------------------------------------------------------------ images
    def _env(self, folder: str):
        if self._pid != os.getpid():  # a forked worker: never use the parent's handles
            self._envs, self._pid = {}, os.getpid()
        env = self._envs.get(folder)
        if env is None:
            import lmdb
            try:
                env = self._envs[folder] = _open(self.dbs[folder][0])
            except lmdb.Error as exc:
                raise SourceError(f"source {self.spec!r}: cannot open {self.dbs[folder][0]} ({exc})") from None
        return env

    def load_rgb(self, item, size):
        folder, _, ktext = item.key.partition("/")
        what = f"{self.dbs[folder][0]} key {ktext}"
        with self._env(folder).begin(buffers=False) as txn:
            value = txn.get(_key_bytes(ktext))
        if value is None:
            raise CorruptItemError(f"{what}: missing from the LMDB")
        side = working_size(size)
        return np.ascontiguousarray(fit_size(decode_image(value, what, max_side=side), side))

    def describe(self):
        return {**super().describe(), "path": str(self.root), "lmdbs": sorted(self.dbs),
                "limit": self.limit}

    def __getstate__(self):  # pickling (spawn): LMDB handles do not travel
        state = dict(self.__dict__)
        state["_envs"] = {}
        return state
