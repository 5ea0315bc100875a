"""Hugging Face datasets as face or background sources: what ``hf_faces`` and ``hf_backgrounds``
share (loading a dataset, finding its columns, reading one row's image).

Spec: ``hf:NAME[:split][:key=value,...]``. ``NAME`` is a Hub dataset (``user/dataset``, loaded
with ``datasets.load_dataset`` from the Hub or its local cache), a local folder (an
``imagefolder``: images with a ``metadata.jsonl`` or in class subfolders; any folder
``load_dataset`` understands) or a folder written by ``Dataset.save_to_disk``. ``split``
defaults to ``train``.

Face options: ``image=COLUMN`` (default: the first Image column), ``emotion=COLUMN`` (default:
the first ClassLabel column, else ``emotion``/``label``/``expression``...), ``labels=NAME+NAME+..``
(emotion names of integer labels 0, 1, ...; overrides a ClassLabel's names; e.g. FER2013's
``labels=angry+disgust+fear+happy+sad+surprise+neutral``), ``skip=NAME+NAME`` (label values to
ignore, e.g. ``skip=contempt``), ``identity=COLUMN`` (default: every row is its own identity),
``matte=rect`` (default: RGB images are pasted as rectangles, RGBA keep their alpha) or
``matte=key`` (key a plain backdrop out, as for ``folder``). Label values go through
``synthgroup.labels.normalize_emotion`` (anger/angry/..., happiness/happy/joy/..., ...).

Background options: ``image=COLUMN``, ``category=COLUMN`` (default: the first ClassLabel
column, else ``category``/``scene``/``label``, else every image is category ``hf``).

Offline: a Hub dataset that is not in the local cache gives one clear error naming it.
Local folders are prepared (Arrow files) under ``<cache dir>/hf-datasets``.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import CorruptItemError, SourceError
from .cache import cache_dir, split_arg
from .options import parse_options

IMAGE_COLUMNS = ("image", "img", "picture", "photo", "pixel_values", "file")
EMOTION_COLUMNS = ("emotion", "emotions", "expression", "label", "labels", "emotion_label", "class")
CATEGORY_COLUMNS = ("category", "scene", "scene_category", "label", "labels", "class")


def _is_offline_error(exc: BaseException) -> bool:
    names = {c.__name__ for c in type(exc).__mro__}
    if names & {"ConnectionError", "OfflineModeIsEnabled", "LocalEntryNotFoundError", "ConnectError",
                "ConnectTimeout", "Timeout", "TimeoutException", "ProxyError"}:
        return True
    text = str(exc).lower()
    return any(s in text for s in ("offline", "couldn't reach", "could not reach", "connection",
                                   "name resolution", "network is unreachable"))


def _spec_parts(spec: str, arg: str | None) -> tuple[str, str, str | None]:
    parts, opts = split_arg(arg)
    if not parts or not parts[0]:
        raise SourceError(f"source {spec!r}: give a dataset, e.g. hf:user/dataset or hf:/data/my_imagefolder")
    name, split = parts[0], "train"
    rest = parts[1:]
    if rest and not Path(":".join(parts)).exists():
        split = rest.pop() or "train"
        name = ":".join([name] + rest)
    elif rest:
        name = ":".join(parts)
    return name, split, opts


def load_hf(spec: str, name: str, split: str):
    """``datasets.Dataset`` for a Hub name or local folder, or one clear ``SourceError``."""
    try:
        import datasets
    except ImportError:  # pragma: no cover - a dependency
        raise SourceError(f"source {spec!r}: hf: sources need the 'datasets' package") from None
    path = Path(name).expanduser()
    local = path.exists()
    if not local and (name.startswith(("/", "./", "../", "~")) or name.count("/") > 1):
        raise SourceError(f"source {spec!r}: folder {path} does not exist")
    quiet = not datasets.are_progress_bars_disabled()
    if quiet:  # no "Generating train split" bars in the middle of a run
        datasets.disable_progress_bars()
    try:
        if local and ((path / "dataset_info.json").exists() or (path / "dataset_dict.json").exists()):
            ds = datasets.load_from_disk(str(path))
            if isinstance(ds, datasets.DatasetDict):
                if split not in ds:
                    raise SourceError(f"source {spec!r}: {path} has no split {split!r} "
                                      f"(splits: {', '.join(ds)})")
                ds = ds[split]
        elif local:
            ds = datasets.load_dataset(str(path), split=split,
                                       cache_dir=str(cache_dir("hf-datasets")))
        else:
            ds = datasets.load_dataset(name, split=split)
    except SourceError:
        raise
    except Exception as exc:  # datasets / huggingface_hub raise many kinds
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if not local and _is_offline_error(exc):
            raise SourceError(
                f"source {spec!r}: cannot load Hub dataset {name!r}: the Hugging Face Hub cannot "
                f"be reached (offline or no connection) and no cached copy was found ({msg}); "
                "download it once while online, or give a local folder") from None
        if "split" in msg.lower():
            raise SourceError(f"source {spec!r}: dataset {name!r} has no split {split!r} ({msg})") from None
        if not local and type(exc).__name__ in ("DatasetNotFoundError", "FileNotFoundError", "RepositoryNotFoundError"):
            raise SourceError(f"source {spec!r}: dataset {name!r} was not found on the Hub or as a "
                              f"local folder ({msg})") from None
        raise SourceError(f"source {spec!r}: cannot load dataset {name!r}: {type(exc).__name__}: {msg}") from None
    finally:
        if quiet:
            datasets.enable_progress_bars()
    if isinstance(ds, datasets.DatasetDict):  # pragma: no cover - split= returns a Dataset
        ds = ds[split]
    return ds


def find_column(spec, ds, option: str | None, candidates, feature_type=None) -> str | None:
    """The column named by an option, else the first of ``feature_type``, else the first of
    ``candidates`` present; None when there is none."""
    feats = ds.features
    if option:
        if option not in feats:
            raise SourceError(f"source {spec!r}: no column {option!r} (columns: {', '.join(feats)})")
        return option
    if feature_type is not None:
        for col, f in feats.items():
            if isinstance(f, feature_type):
                return col
    for col in candidates:
        if col in feats:
            return col
    return None


class HFCommon:
    """Dataset loading and image decoding shared by the face and background sources (mixed in
    before them: the spec argument is ``NAME[:split][:options]``)."""

    _ds = None
    _rows = None

    def parse_arg(self, arg):
        name, split, opt_text = _spec_parts(self.spec, arg)
        self.dataset_name, self.split_name = name, split
        return [name, split], parse_options(self.spec, opt_text, self.arg_options)

    def _column(self, ds, what: str, candidates, feature_type) -> str:
        """The ``what`` column: named by the option ``what=``, else found by its feature type or
        a usual name; one message when there is none."""
        col = find_column(self.spec, ds, self.opts.get(what), candidates, feature_type)
        if col is not None:
            return col
        raise SourceError(f"source {self.spec!r}: dataset {self.dataset_name!r} has no {what} "
                          f"column (columns: {', '.join(ds.features)}); name it with {what}=COLUMN")

    def _named_column(self, ds, what: str) -> str | None:
        """The column the option ``what=`` names (it must exist), or None without the option."""
        col = self.opts.get(what)
        if col and col not in ds.features:
            raise SourceError(f"source {self.spec!r}: no {what} column {col!r} "
                              f"(columns: {', '.join(ds.features)})")
        return col or None

    def dataset(self):
        if self._ds is None:
            import datasets
            ds = load_hf(self.spec, self.dataset_name, self.split_name)
            col = self.image_column = self._column(ds, "image", IMAGE_COLUMNS, datasets.Image)
            self._ds = ds
            imgs = ds.select_columns([col])
            if isinstance(ds.features[col], datasets.Image):
                imgs = imgs.cast_column(col, datasets.Image(decode=False))
            self._rows = imgs
        return self._ds

    def _raw(self, row: int):
        self.dataset()
        value = self._rows[row][self.image_column]
        what = f"{self.dataset_name} [{self.split_name}] row {row}"
        if isinstance(value, dict):
            data = value.get("bytes") or value.get("path")
            if data is None:
                raise CorruptItemError(f"{what}: no image data")
            return data, what
        if isinstance(value, (bytes, bytearray)):
            return bytes(value), what
        if isinstance(value, str):
            return value, what
        if hasattr(value, "save"):  # a PIL image (a column that was not an Image feature)
            import io
            buf = io.BytesIO()
            value.save(buf, format="PNG")
            return buf.getvalue(), what
        raise CorruptItemError(f"{what}: column {self.image_column!r} holds {type(value).__name__}, not an image")
