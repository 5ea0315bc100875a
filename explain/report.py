"""Self-contained HTML explanation reports (``explain report``).

``build_report(checkpoint, inputs, out, options)`` writes a folder::

    out/index.html      summary table, then one section per input (no scripts, no network)
    out/report.json     the same numbers, machine-readable
    out/img/*.png       every picture the page shows, referenced by relative paths

Each input becomes a typed entry (:mod:`explain.entries`: :class:`~explain.entries.ImageEntry`,
:class:`~explain.entries.VideoEntry`); :mod:`explain.report_page` renders the page from them
with a jinja2 template (``explain/templates/report.html.j2``, autoescape on).

Per image: the picture, its heatmap for the predicted class and for each class, the class
probabilities, and - when the image comes from a synthgroup folder (``DIR/images/x.jpg`` with
``DIR/metadata.jsonl`` naming ``DIR/masks/x.png``) - the true label and, for each class's map,
the **face focus** and the **pointing-game** hit on the ground-truth faces
(:func:`explain.metrics.face_focus_details`, :func:`explain.metrics.pointing_game`), with both
summarised per class; optionally ROAD / confidence drop (``faithfulness=True``). Per video: the
timeline plot of per-frame probabilities (:func:`globalnet.timeline.plot_timeline` over
:meth:`globalnet.predict.Predictor.predict_video`) and the key frames - for each class, the
sampled frame where that class is most probable - with their heatmaps. Each video is decoded
once: the predictor keeps the key frames' pictures while it scores
(``predict_video(keep_frames=k)``, at most ``k + 3`` pictures in memory), one video at a time.

The model sees each frame through its one preprocessing (the same as ``globalnet predict``:
shorter side to ``size*256/224``, centre crop): the heatmap covers that crop and is blank
outside it, and face focus, the pointing game and ROAD are computed inside the crop.

**Long runs**: ``limit=N`` explains the first N inputs only (images before videos) and says how
many were left out; a tqdm bar follows the inputs, and the first image and the first video are
timed to log one line estimating the rest of their kind.

**Privacy by default** (``privacy="auto"|"on"|"off"``): ``auto`` (the default) obscures every
input that is not synthetic - photos and video frames alike - and shows synthgroup images as they
are (an image is synthetic when it lies in a synthgroup folder, ``DIR/images/x.jpg`` with a
``DIR/metadata.jsonl`` row for it; its faces are generated, nobody's); ``on`` obscures every
input, ``off`` none. The picture shown and the picture under every heatmap are pixelated
(default) or blurred, and the page says, per input, what was obscured and why.
The *whole* frame is obscured, not just faces: finding faces would need a face detector, which
this global, face-free toolkit must not use, and obscuring only the regions of high CAM energy
would leave every face the model did not look at in plain view. The cells are ``1/8`` of the
shorter side (at least 8 px): coarse enough that even a face filling the frame is a few cells
wide, so OpenCV's Haar face detector finds no face in any picture a report writes
(``tests/test_report.py`` checks it on a photo where it finds several); the heatmap still shows
where the model looked.

**Atomic**: the report is built in a temporary folder beside ``out`` and renamed at the end; on
any error (unreadable, zero-length or truncated video, unsupported or damaged image, checkpoint
of another backbone or class count...) the temporary folder is removed and nothing is left at
``out``. An existing ``out`` is only replaced with ``overwrite=True``, and only when it is a
report (nothing but ``index.html``, ``report.json`` and ``img/*.png``). A run killed midway
leaves a hidden temporary folder; the next run beside it removes it. The folder's mode follows
the user's umask.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from synthgroup.io import file_lock, remove_stale
from synthgroup.labels import CLASS_NAMES

from .base import ExplainError
from .entries import (Entry, Faithfulness, ImageEntry, KeyFrame, MapScore, Obscuring, Panels,
                      VideoEntry, jsonable)

_REPORT_FILES = ("index.html", "report.json", "img")
PRIVACY_CHOICES = ("auto", "on", "off")
PRIVACY_STYLES = ("pixelate", "blur")
MAX_SIDE = 640
#: ``blur``: Gaussian sigma, in cells of :func:`privacy_block`, applied to the cell colours
BLUR_CELLS = 2.0


# ------------------------------------------------------------------------------ pictures
def privacy_block(h: int, w: int) -> int:
    """Cell size (px) of :func:`privatize` for an ``h`` x ``w`` picture: 1/8 of the shorter side,
    at least 8 px."""
    return max(8, min(h, w) // 8)


def privatize(rgb: np.ndarray, style: str = "pixelate", block: int | None = None) -> np.ndarray:
    """Obscure the whole frame (see module docstring for why the whole frame and how coarse).

    Both styles keep only the mean colours of ``block`` x ``block`` cells (default
    :func:`privacy_block`): ``pixelate`` shows the cells, ``blur`` blurs them further (sigma
    :data:`BLUR_CELLS` cells) and interpolates smoothly between them - a colour wash, since a
    smooth picture lets a face detector find faces in much coarser cells than hard blocks do.
    """
    import cv2
    if style not in PRIVACY_STYLES:
        raise ExplainError(f"privacy style must be one of {', '.join(PRIVACY_STYLES)}, not {style!r}")
    h, w = rgb.shape[:2]
    block = int(block or privacy_block(h, w))
    small = cv2.resize(rgb, (max(1, round(w / block)), max(1, round(h / block))),
                       interpolation=cv2.INTER_AREA)
    if style == "pixelate":
        return cv2.resize(small, (w, h), interpolation=cv2.INTER_NEAREST)
    small = cv2.GaussianBlur(small, (0, 0), BLUR_CELLS, borderType=cv2.BORDER_REFLECT)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def overlay(rgb: np.ndarray, cam: np.ndarray, alpha: float = 0.5) -> np.ndarray:
    """``uint8`` RGB of the heatmap (jet colour map) blended over ``rgb``."""
    import cv2
    h, w = rgb.shape[:2]
    cam = np.asarray(cam, dtype=np.float32)
    if cam.shape != (h, w):
        cam = cv2.resize(cam, (w, h), interpolation=cv2.INTER_LINEAR)
    heat = cv2.applyColorMap(np.uint8(np.clip(cam, 0, 1) * 255), cv2.COLORMAP_JET)
    heat = cv2.cvtColor(heat, cv2.COLOR_BGR2RGB)
    return np.uint8(np.clip((1 - alpha) * rgb.astype(np.float32) + alpha * heat, 0, 255))


def _write_png(folder: Path, name: str, rgb: np.ndarray) -> str:
    import cv2

    from synthgroup.sources.matting import fit_size
    path = folder / "img" / name
    ok, buf = cv2.imencode(".png", cv2.cvtColor(fit_size(rgb, MAX_SIDE), cv2.COLOR_RGB2BGR))
    if not ok:
        raise ExplainError(f"cannot encode {name}")
    path.write_bytes(buf.tobytes())
    return f"img/{name}"


# ------------------------------------------------------------------------------ options
@dataclass
class ReportOptions:
    """Knobs of :func:`build_report` (the CLI flags of ``explain report``)."""
    method: str = "fast-scorecam"
    method_options: dict = field(default_factory=dict)
    target_layer: str | None = None
    backbone: str | None = None
    privacy: str = "auto"
    privacy_style: str = "pixelate"
    every: int | None = None
    frames: int | None = None
    key_frames: int = 3
    video_method: str = "mean"
    faithfulness: bool = False
    road_percentiles: tuple[int, ...] = (20, 40, 60, 80)
    limit: int | None = None
    device: str = "cpu"
    overwrite: bool = False
    allow_truncated: bool = False
    title: str = "Group-emotion explanation report"

    def check(self) -> None:
        if self.privacy not in PRIVACY_CHOICES:
            raise ExplainError(f"privacy must be one of {', '.join(PRIVACY_CHOICES)}, not "
                               f"{self.privacy!r}")
        if self.privacy_style not in PRIVACY_STYLES:
            raise ExplainError(f"privacy style must be one of {', '.join(PRIVACY_STYLES)}, not "
                               f"{self.privacy_style!r}")
        if self.key_frames < 1:
            raise ExplainError(f"key_frames must be >= 1, not {self.key_frames}")
        limit = self.limit
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)
                                  or limit < 1):
            raise ExplainError(f"--limit must be a whole number of inputs, at least 1, not "
                               f"{self.limit!r}")

    def obscuring(self, synthetic: bool, shape: tuple[int, ...]) -> Obscuring | None:
        """How to obscure an input's ``shape`` pictures; ``None``: not at all. ``auto``: every
        input that is not synthetic."""
        if self.privacy == "off" or (self.privacy == "auto" and synthetic):
            return None
        return Obscuring(self.privacy_style, privacy_block(*shape[:2]),
                         "--privacy on" if synthetic else "not synthetic")


# ------------------------------------------------------------------------------ masks
@dataclass
class SynthTruth:
    """What a synthgroup folder records of one of its images: the label and the face mask
    (``None`` where missing or unreadable)."""
    label: int | None
    mask: np.ndarray | None


class SynthFolders:
    """Synthetic images, by image path: those inside a synthgroup folder (``DIR/images/x.jpg``
    with a ``DIR/metadata.jsonl`` row naming ``images/x.jpg``), with their ground truth."""

    def __init__(self):
        self._rows: dict[Path, dict[str, dict]] = {}

    def lookup(self, image: Path) -> SynthTruth | None:
        """The ground truth of a synthetic image; ``None`` for any other image."""
        image = Path(image).resolve()
        folder = image.parent.parent
        meta = folder / "metadata.jsonl"
        if image.parent.name != "images" or not meta.is_file():
            return None
        if folder not in self._rows:
            rows = {}
            for line in meta.read_text().splitlines():
                line = line.strip()
                if line:
                    try:
                        r = json.loads(line)
                    except json.JSONDecodeError:
                        continue
                    if isinstance(r, dict) and "file_name" in r:
                        rows[str(r["file_name"])] = r
            self._rows[folder] = rows
        row = self._rows[folder].get(f"images/{image.name}")
        if row is None:
            return None
        label = row.get("label")
        mask = None
        if row.get("mask_file_name"):
            import cv2
            m = cv2.imread(str(folder / row["mask_file_name"]), cv2.IMREAD_UNCHANGED)
            if m is not None:
                mask = m if m.ndim == 2 else m[..., 0]
        return SynthTruth(int(label) if isinstance(label, int) else None, mask)


# ------------------------------------------------------------------------------ the report
def build_report(checkpoint, inputs: Sequence, out, options: ReportOptions | None = None,
                 log: Callable[[str], None] | None = None) -> Path:
    """Write the report folder ``out`` (see module docstring); returns its path.

    Raises :class:`ExplainError` / :class:`globalnet.errors.GlobalNetError` on bad input, with
    nothing left at ``out``.
    """
    opts = options or ReportOptions()
    opts.check()
    log = log or (lambda s: None)
    out = Path(out).expanduser()
    if not inputs:
        raise ExplainError("no inputs given")
    if out.exists() and not opts.overwrite:
        raise ExplainError(f"output {out} already exists (pass --overwrite to replace it)")
    if out.exists():
        _check_replaceable(out)

    from globalnet.predict import Predictor, expand_inputs, read_image_checked
    from globalnet.video import check_video_file, video_meta

    from .registry import create_explainer

    # ---- phase 1: validate everything before any picture is computed
    images, videos = expand_inputs(_expand_synth_folders(inputs))
    found = len(images) + len(videos)
    if opts.limit is not None and found > opts.limit:
        images, videos = images[:opts.limit], videos[:max(0, opts.limit - len(images))]
        log(f"--limit {opts.limit}: explaining the first {opts.limit} of {found} inputs "
            f"({len(images)} image(s), then {len(videos)} video(s)); the other "
            f"{found - opts.limit} are left out")
    for p in images:
        read_image_checked(p)
    predictor = Predictor.from_checkpoint(checkpoint, device=opts.device, backbone=opts.backbone)
    explainer = create_explainer(opts.method, predictor.model, predictor.backbone,
                                 opts.target_layer, device=str(predictor.device),
                                 input_size=predictor.input_size,
                                 **opts.method_options)
    for v in videos:          # opened here; decoded once, while the report is built
        check_video_file(v)
        video_meta(v, predictor.decoder)

    # ---- phase 2: build in a temporary folder beside out
    parent = out.parent
    made_parent = not parent.exists()
    parent.mkdir(parents=True, exist_ok=True)
    for stale in (f".{out.name}.tmp-*", f".{out.name}.old-*"):   # left by a killed run
        remove_stale(parent, stale)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=parent))
    try:
        # the lock: a live build is never taken for a stale one; let go and removed before the
        # folder moves into place
        with file_lock(tmp / ".lock", remove=True):
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o777 & ~umask)       # mkdtemp's 0700 would hide the report
            (tmp / "img").mkdir()
            entries = _explain_all(tmp, images, videos, predictor, explainer, opts, log)
            _write_html(tmp, entries, opts, checkpoint, predictor, explainer, found)
        _commit(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if made_parent:
            try:
                parent.rmdir()
            except OSError:
                pass
        raise
    log(f"wrote {out / 'index.html'}")
    return out


def _expand_synth_folders(inputs: Sequence) -> list:
    """A synthgroup folder (``metadata.jsonl`` inside) stands for its images (not its masks)."""
    out = []
    for item in inputs:
        p = Path(item).expanduser()
        meta = p / "metadata.jsonl"
        if p.is_dir() and meta.is_file():
            names = []
            for line in meta.read_text().splitlines():
                try:
                    row = json.loads(line) if line.strip() else None
                except json.JSONDecodeError:
                    row = None
                if isinstance(row, dict) and row.get("file_name"):
                    names.append(p / row["file_name"])
            if not names:
                raise ExplainError(f"synthgroup folder {p}: metadata.jsonl lists no images")
            out.extend(sorted(names))
        else:
            out.append(item)
    return out


def _check_replaceable(out: Path) -> None:
    """``--overwrite`` replaces a report folder, never anything else: only ``index.html``,
    ``report.json`` (a report's) and ``img/`` holding PNGs."""
    if not out.is_dir():
        raise ExplainError(f"output {out} exists and is not a folder")
    foreign = sorted(p.name for p in out.iterdir() if p.name not in _REPORT_FILES)
    foreign += sorted(f"img/{p.name}" for p in (out / "img").glob("*")
                      if p.suffix != ".png" or not p.is_file()) if (out / "img").is_dir() else []
    try:
        data = json.loads((out / "report.json").read_text(encoding="utf-8"))
        is_report = (out / "index.html").is_file() and isinstance(data, dict) and \
            {"checkpoint", "method", "inputs"} <= set(data)
    except (OSError, ValueError):
        is_report = False
    if foreign or not is_report:
        why = f"it holds {', '.join(foreign[:5])}" if foreign else "it has no report.json of a report"
        raise ExplainError(f"output {out} is not an explain report ({why}); --overwrite only "
                           f"replaces a report folder: choose another --out")


def _commit(tmp: Path, out: Path) -> None:
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}-{int(time.time())}")
        os.rename(out, old)
        os.rename(tmp, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(tmp, out)


def _class_panels(folder: Path, stem: str, rgb, res_maps, mask, obscuring: Obscuring | None,
                  box=None) -> tuple[Panels, list[MapScore | None]]:
    """Write the base (obscured as ``obscuring`` says) and per-class overlays over it; returns
    their panels and each map's score on the faces of ``mask`` (``None`` without a mask).
    Scores are measured inside ``box`` (x0, y0, x1, y1), the part the model saw."""
    from .metrics import face_focus_details, pointing_game
    base = privatize(rgb, obscuring.style, obscuring.block) if obscuring else rgb
    base_src = _write_png(folder, f"{stem}_input.png", base)
    x0, y0, x1, y1 = box or (0, 0, rgb.shape[1], rgb.shape[0])
    srcs, scores = [], []
    for c, name in enumerate(CLASS_NAMES[:len(res_maps)]):
        srcs.append(_write_png(folder, f"{stem}_{name.lower()}.png", overlay(base, res_maps[c])))
        if mask is None:
            scores.append(None)
            continue
        cam, faces = res_maps[c][y0:y1, x0:x1], mask[y0:y1, x0:x1]
        scores.append(MapScore(**face_focus_details(cam, faces),
                               pointing_hit=pointing_game(cam, faces)))
    return Panels(base_src, srcs), scores


def _explain_all(folder, images, videos, predictor, explainer, opts, log) -> list[Entry]:
    """Explain every input in order (images, then videos) under a tqdm bar; the first image and
    the first video are timed and the rest of their kind estimated from them."""
    from tqdm import tqdm

    from synthgroup.logs import progress_disabled
    synth = SynthFolders()
    estimate = _Estimate({"image": len(images), "video": len(videos)}, log)
    entries: list[Entry] = []
    with tqdm(total=len(images) + len(videos), desc="explain report", unit="input",
              file=sys.stderr, dynamic_ncols=True, leave=False,
              disable=progress_disabled("explain")) as bar:
        for i, p in enumerate(images):
            with estimate.timing("image"):
                entries.append(_explain_image(folder, i, Path(p), explainer, synth, opts, log))
            bar.update(1)
        for j, v in enumerate(videos):
            with estimate.timing("video"):
                entries.append(_explain_video(folder, j, Path(v), len(images), predictor,
                                              explainer, opts, log))
            bar.update(1)
    return entries


class _Estimate:
    """Times the first input of each kind and logs one line estimating the rest of that kind."""

    def __init__(self, counts: dict[str, int], log):
        self.left, self.log, self.timed = dict(counts), log, set()

    @contextmanager
    def timing(self, kind: str):
        t0 = time.perf_counter()
        yield
        self.left[kind] -= 1
        if kind in self.timed:
            return
        self.timed.add(kind)
        n = self.left[kind]
        if n:
            took = time.perf_counter() - t0
            rest = f"the other {kind}" if n == 1 else f"the other {n} {kind}s"
            self.log(f"the first {kind} took {_duration(took)}; {rest} should take about "
                     f"{_duration(took * n)} more (estimate)")


def _duration(seconds: float) -> str:
    """``0.4 s``, ``12 s``, ``3 min 05 s``, ``2 h 07 min``."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


def _explain_image(folder, i, p: Path, explainer, synth, opts, log) -> ImageEntry:
    from globalnet.predict import read_image_checked
    log(f"explaining image {p}")
    rgb = read_image_checked(p)
    res = explainer.explain_image(rgb, "all")
    maps, probs = res.maps[0], res.probs[0]
    pred = int(np.argmax(probs))
    truth = synth.lookup(p)
    mask = truth.mask if truth is not None else None
    if mask is not None and mask.shape != rgb.shape[:2]:
        mask = None
    obscured = opts.obscuring(truth is not None, rgb.shape)
    box = res.extra.get("crop_box")
    panels, scores = _class_panels(folder, f"i{i:03d}", rgb, maps, mask, obscured, box)
    faith = (_faithfulness(explainer, rgb, maps[pred], pred, opts, box)
             if opts.faithfulness else None)
    return ImageEntry(input=str(p), name=p.name, anchor=f"input-{i}",
                      probs=[float(x) for x in probs], label=pred,
                      synthetic=truth is not None, obscured=obscured,
                      panels=panels, truth=truth.label if truth else None,
                      scores=scores, faithfulness=faith, extra=jsonable(res.extra))


def _explain_video(folder, j, v, offset, predictor, explainer, opts, log) -> VideoEntry:
    """Score video ``v`` and explain its key frames, with the pictures the predictor kept while
    scoring (each video is decoded once; at most ``key_frames + 3`` pictures in memory)."""
    from globalnet.timeline import plot_timeline
    every, n = opts.every, opts.frames
    if every is None and n is None:
        n = 32
    log(f"scoring video {v}")
    r = predictor.predict_video(v, every=every, n=n, method=opts.video_method,
                                keep_frames=opts.key_frames)
    if r.truncated and not opts.allow_truncated:
        raise ExplainError(f"video {v}: {r.note or 'truncated or damaged'}; "
                           f"pass --allow-truncated to report the frames decoded so far")
    log(f"explaining key frames of {v}")
    stem = f"v{j:03d}"
    tl = plot_timeline(r, folder / "img" / f"{stem}_timeline.png")
    shape = next(iter(r.key_frames.values())).shape if r.key_frames else (0, 0)
    obscured = opts.obscuring(False, shape)              # a video is never synthetic
    keys = []
    for fr in (f for f in r.frames if f.index in r.key_frames):
        rgb = r.key_frames[fr.index]
        res = explainer.explain_image(rgb, "all")
        maps = res.maps[0]
        kp = res.probs[0]
        panels, _ = _class_panels(folder, f"{stem}_f{fr.index:06d}", rgb, maps, None, obscured)
        keys.append(KeyFrame(index=fr.index, time_s=fr.time_s, probs=[float(x) for x in kp],
                             label=int(np.argmax(kp)),
                             timeline_probs=[float(x) for x in fr.probs], panels=panels))
    return VideoEntry(input=str(v), name=v.name, anchor=f"input-{offset + j}",
                      probs=[float(x) for x in r.probs], label=int(r.label),
                      obscured=obscured,
                      timeline=f"img/{Path(tl).name}", method=r.method,
                      frames_used=len(r.frames), frames_decoded=r.frames_decoded, fps=r.fps,
                      truncated=bool(r.truncated), note=r.note, key_frames=keys)


def _faithfulness(explainer, rgb, cam, target, opts, box=None) -> Faithfulness:
    import cv2

    from .metrics import confidence_drop, road
    x = explainer.preprocess(rgb)
    h, w = x.shape[-2:]
    x0, y0, x1, y1 = box or (0, 0, rgb.shape[1], rgb.shape[0])
    cam_in = cv2.resize(np.asarray(cam, np.float32)[y0:y1, x0:x1], (w, h),
                        interpolation=cv2.INTER_LINEAR)
    return Faithfulness(
        road=float(road(explainer.model, x, cam_in[None], [target], opts.road_percentiles)[0]),
        confidence_drop=float(confidence_drop(explainer.model, x, cam_in[None], [target])[0]))


def _focus_summary(entries: Sequence[Entry], metric: str = "focus") -> dict:
    """Face focus (``metric="focus"``) or pointing-game hit rate (``"pointing"``) per class over
    the images with masks: the predicted class's map grouped by true label, and every class's
    map grouped by the class it explains (:func:`explain.metrics.face_focus_by_class` groups
    either)."""
    from .metrics import face_focus_by_class
    with_masks = [e for e in entries if isinstance(e, ImageEntry) and e.has_masks]
    if not with_masks:
        return {}

    def value(e: ImageEntry, c: int) -> float | None:
        if metric == "focus":
            return e.focus_of(c)
        hit = e.hit_of(c)
        return None if hit is None else float(hit)

    n = len(CLASS_NAMES)
    return {"by_true_label_predicted_map": face_focus_by_class(
                [value(e, e.label) for e in with_masks],
                [e.truth if e.truth is not None else e.label for e in with_masks]),
            "by_explained_class": face_focus_by_class(
                [value(e, c) for e in with_masks for c in range(n)],
                [c for _ in with_masks for c in range(n)])}


def _write_html(folder: Path, entries: list[Entry], opts: ReportOptions, checkpoint, predictor,
                explainer, found: int | None = None) -> None:
    """``index.html`` (:func:`explain.report_page.render_page`) and ``report.json``; ``found``:
    the number of inputs before ``--limit``."""
    from .report_page import render_page
    stats, pointing = _focus_summary(entries), _focus_summary(entries, "pointing")
    page = render_page(entries, title=opts.title, checkpoint=Path(checkpoint).name,
                       backbone=predictor.backbone, method=explainer.name,
                       approximate=explainer.approximate,
                       target_layer=explainer.target_layer_name,
                       generated=time.strftime("%Y-%m-%d %H:%M:%S"),
                       faithfulness=opts.faithfulness, road_percentiles=opts.road_percentiles,
                       focus_summary=stats, pointing_summary=pointing,
                       privacy=opts.privacy,
                       privacy_style=opts.privacy_style,
                       left_out=max(0, (found or 0) - len(entries)), limit=opts.limit)
    (folder / "index.html").write_text(page, encoding="utf-8")
    payload = {"checkpoint": str(checkpoint), "backbone": predictor.backbone,
               "method": explainer.name, "approximate": explainer.approximate,
               "target_layer": explainer.target_layer_name, "options": jsonable(asdict(opts)),
               "face_focus_summary": stats, "pointing_game_summary": pointing,
               "inputs_found": found,
               "inputs": [e.to_json() for e in entries]}
    (folder / "report.json").write_text(json.dumps(payload, indent=1), encoding="utf-8")
