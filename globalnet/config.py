"""One training configuration: every number of a run, loaded from TOML plus CLI overrides and
written back into the run folder (``config.toml``) so a run can be repeated or resumed exactly.

Defaults are the paper's recipe: phase 1 mixes 10k synthetic images (generated on the fly) and
10k real frames per epoch for 10 epochs; phase 2 uses 20k real frames per epoch (10 epochs is our
documented default; the paper leaves the count open); SGD lr 0.001 momentum 0.9, cross-entropy;
augmentation rotation +-10 deg, horizontal flip, random scaling, 224x224 crops. Without real data
(``data = None``) only phase 1 runs, on synthetic data alone.

From scratch (``weights = none``, e.g. on a CPU where ImageNet weights cannot be downloaded) a
CNN hardly picks up the expression cue from 1-9 small faces in a cluttered scene; a **warm-up**
phase 0 (``warmup_epochs``) first shows it one large face per image at a small input size,
where it learns the cue in a few hundred steps, then phase 1 carries on at the full size
(``benchmarks/results/synthetic_validation.md``). ``optimizer = "adamw"`` and ``schedule =
"onecycle"`` (one schedule over every step of the run) are the from-scratch settings.

Validation (``val_data``): ``"auto"`` is the real data's ``val`` split when ``data`` is given,
else a held-out synthetic set (``GenConfig(split="test")``, seed ``val_seed``, ``val_size``
images: identities and backgrounds never seen in training); ``"synthetic"`` forces the latter;
anything else is a dataset spec read with split ``val``.
"""
from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from synthgroup.io import atomic_write_text, toml_value
from synthgroup.schema import check_fields, coerce_fields, or_list

from .errors import GlobalNetError

#: the values of the settings that take a name (also the command line's choices)
OPTIMIZERS = ("sgd", "adamw")
SCHEDULES = ("constant", "onecycle")
AMP_MODES = ("auto", "on", "off")
BEST_METRICS = ("accuracy", "macro_f1")


@dataclass
class TrainConfig:
    # model
    backbone: str = "resnet50"
    weights: str | None = "imagenet"       # None (random), "imagenet" or a checkpoint path
    input_size: int | None = None           # None: the backbone's registry input_size
    aux_logits: bool | None = None          # None: registry default; false lets inception_v3 train < 299 px
    batchnorm_fold: bool = False            # plain nets (VGGs): train with BatchNorm, save it folded
    # data
    data: str | None = None                 # real dataset spec (vgaf:DIR, gaf:DIR, videos:DIR)
    val_data: str = "auto"                  # auto | synthetic | SPEC (see module docstring)
    warmup_epochs: int = 0                  # phase 0: one large face per image, synthetic only
    warmup_synthetic: int = 10_000          # images per warm-up epoch
    warmup_input_size: int | None = None    # None: input_size (smaller is cheaper)
    warmup_face_min: float = 0.7            # warm-up face height range, fraction of the image
    warmup_face_max: float = 0.95
    phase1_epochs: int = 10
    phase1_synthetic: int = 10_000          # synthetic images per phase-1 epoch
    phase1_real: int = 10_000               # real frames per phase-1 epoch (0 without data)
    phase2_epochs: int = 10
    phase2_real: int = 20_000               # real frames per phase-2 epoch
    synth_size: int | None = None           # generator canvas; None: max(96, input*256/224)
    val_size: int = 1_000                   # held-out synthetic validation images
    val_frames: int | None = 2_000          # frames drawn from a real video val split (None: all)
    val_seed: int = 12345
    skip_bad: bool = False                  # skip unreadable videos (listed in data.json) or fail
    # augmentation
    rotation: float = 10.0
    scale_min: float = 0.7                  # random-resized-crop area range
    scale_max: float = 1.0
    # optimisation
    optimizer: str = "sgd"                  # sgd (the paper's, with momentum) | adamw
    schedule: str = "constant"              # constant | onecycle (over the whole run)
    batch_size: int = 32
    lr: float = 0.001
    momentum: float = 0.9
    weight_decay: float = 0.0
    seed: int = 0
    best_metric: str = "accuracy"           # accuracy | macro_f1 (on validation)
    max_steps: int | None = None            # stop after this many optimizer steps (resumable)
    # machinery
    device: str = "auto"                    # auto | cpu | cuda | cuda:N
    amp: str = "auto"          # auto | on | off: float16 on CUDA; bfloat16 on CPU (auto: where native)
    num_workers: int = 2
    deterministic: bool = False
    progress: bool = True
    out: str = "runs/run"

    # ------------------------------------------------------------------------------------------
    def validate(self) -> "TrainConfig":
        """Raise GlobalNetError naming the first impossible value."""
        from .backbones import get_backbone_spec
        get_backbone_spec(self.backbone)
        check_fields(self, error=GlobalNetError, where="config")   # the annotated types
        ints = {"warmup_epochs": 0, "warmup_synthetic": 1, "phase1_epochs": 0, "phase1_synthetic": 0,
                "phase1_real": 0, "phase2_epochs": 0, "phase2_real": 0, "val_size": 1,
                "batch_size": 1, "num_workers": 0, "seed": 0, "val_seed": 0, "input_size": 1,
                "synth_size": 1, "max_steps": 1, "val_frames": 1, "warmup_input_size": 1}
        for name, lo in ints.items():
            v = getattr(self, name)
            if v is not None and v < lo:
                raise GlobalNetError(f"config {name} must be an integer >= {lo}, got {v!r}")
        for name in ("lr", "momentum", "weight_decay", "rotation", "scale_min", "scale_max",
                     "warmup_face_min", "warmup_face_max"):
            v = getattr(self, name)
            if v < 0:
                raise GlobalNetError(f"config {name} must be a finite number >= 0, got {v!r}")
        if not 0 < self.scale_min <= self.scale_max <= 1:
            raise GlobalNetError(f"config scale_min..scale_max must be within (0, 1], "
                                 f"got {self.scale_min}..{self.scale_max}")
        if not 0 < self.warmup_face_min <= self.warmup_face_max <= 1:
            raise GlobalNetError(f"config warmup_face_min..warmup_face_max must be within (0, 1], "
                                 f"got {self.warmup_face_min}..{self.warmup_face_max}")
        for name, choices in (("optimizer", OPTIMIZERS), ("schedule", SCHEDULES),
                              ("best_metric", BEST_METRICS), ("amp", AMP_MODES)):
            if getattr(self, name) not in choices:
                raise GlobalNetError(f"config {name} must be {or_list(choices)}, "
                                     f"got {getattr(self, name)!r}")
        if self.data is None and self.phase1_synthetic == 0:
            raise GlobalNetError("no training data: set data or phase1_synthetic > 0")
        if self.warmup_epochs + self.phase1_epochs + (self.phase2_epochs if self.data else 0) == 0:
            raise GlobalNetError("no epochs to train: phase1_epochs and phase2_epochs are 0")
        if self.data and self.phase1_epochs and self.phase1_synthetic + self.phase1_real == 0:
            raise GlobalNetError("phase 1 draws no images: phase1_synthetic + phase1_real is 0")
        if self.data and self.phase2_epochs and self.phase2_real == 0:
            raise GlobalNetError("phase 2 draws no images: phase2_real is 0")
        if self.batchnorm_fold:
            from .batchnorm_fold import is_plain
            if not is_plain(self.backbone):
                raise GlobalNetError(f"config batchnorm_fold is for plain networks (the VGGs); "
                                     f"{self.backbone} already has BatchNorm")
        return self

    def resolved(self) -> "TrainConfig":
        """This config with the backbone-dependent defaults filled in (what a run really uses;
        written into the run folder and every checkpoint)."""
        return dataclasses.replace(self, input_size=self.resolved_input_size(),
                                   synth_size=self.resolved_synth_size(),
                                   warmup_input_size=self.resolved_warmup_input_size())

    def resolved_input_size(self) -> int:
        from .backbones import get_backbone_spec
        return int(self.input_size or get_backbone_spec(self.backbone).input_size)

    def resolved_synth_size(self) -> int:
        return int(self.synth_size or max(96, round(self.resolved_input_size() * 256 / 224)))

    def resolved_warmup_input_size(self) -> int:
        return int(self.warmup_input_size or self.resolved_input_size())

    def resolved_warmup_synth_size(self) -> int:
        return int(max(96, round(self.resolved_warmup_input_size() * 256 / 224)))

    # ------------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_toml(self) -> str:
        """Flat TOML (TOML has no null: ``None`` is written as ``"none"``, read back as None)."""
        lines = ["# globalnet train configuration (reload with --config)"]
        for f in fields(self):
            v = getattr(self, f.name)
            lines.append(f"{f.name} = {toml_value('none' if v is None else v)}")
        return "\n".join(lines) + "\n"

    def save(self, path: str | Path) -> Path:
        atomic_write_text(path, self.to_toml())
        return Path(path)

    @classmethod
    def from_dict(cls, values: dict[str, Any], where: str = "config") -> "TrainConfig":
        """Settings from TOML or the command line, checked against the field types."""
        return cls(**coerce_fields(cls, values, error=GlobalNetError, where=where))

    @classmethod
    def load(cls, path: str | Path, overrides: dict[str, Any] | None = None) -> "TrainConfig":
        path = Path(path)
        try:
            values = tomllib.loads(path.read_text())
        except OSError as e:
            raise GlobalNetError(f"cannot read config {path}: {e.strerror or e}") from None
        except tomllib.TOMLDecodeError as e:
            raise GlobalNetError(f"config {path} is not valid TOML: {e}") from None
        values.update(overrides or {})
        return cls.from_dict(values, where=str(path))


def parse_overrides(items: list[str] | None) -> dict[str, Any]:
    """``["lr=0.01", "data=gaf:/x"]`` -> dict; values are read as TOML when they parse as TOML."""
    out: dict[str, Any] = {}
    for item in items or []:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise GlobalNetError(f"override {item!r} is not KEY=VALUE")
        try:
            value = tomllib.loads(f"v = {raw}")["v"]
        except tomllib.TOMLDecodeError:
            value = raw
        out[key.strip().replace("-", "_")] = value
    return out
