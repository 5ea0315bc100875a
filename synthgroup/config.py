"""One dataclass holds every generation setting; a TOML file only sets its defaults.

The resolved config is written into every output folder (``manifest.json``) and its fingerprint
guards a folder against being completed with a different configuration.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover
    import tomli as tomllib

from .errors import ConfigError, SynthGroupError
from .labels import SURPRISE_POLICIES, TIE_POLICIES
from .schema import check_fields, coerce_fields

#: Largest image side. Memory grows with the area: each worker keeps up to 400 decoded
#: backgrounds and the procedural scene atlas up to 640 renders, at about the output size.
MAX_SIDE = 2048


@dataclass
class FaceAugConfig:
    """Per-face augmentation ranges (the paper's list). Set ``enabled = false`` to paste faces as drawn."""
    enabled: bool = True
    hflip_p: float = 0.5
    rotate: float = 15.0            # degrees, uniform in [-rotate, rotate]
    scale: float = 0.1              # anisotropic jitter: each axis in [1-scale, 1+scale]
    shear: float = 8.0              # degrees, each axis in [-shear, shear]
    translate: float = 0.5          # sub-pixel jitter in pixels, on top of the random placement
    perspective_p: float = 0.3
    perspective: float = 0.06       # corner offsets as a fraction of the sprite size
    elastic_p: float = 0.2
    elastic_alpha: float = 2.0      # displacement amplitude in pixels (at the sprite's size)
    elastic_sigma: float = 3.0
    brightness: float = 0.2         # factor in [1-b, 1+b]
    contrast: float = 0.2           # factor in [1-c, 1+c]


@dataclass
class ImageAugConfig:
    """Optional whole-image photometric augmentations, applied after compositing (off by default)."""
    enabled: bool = False
    brightness: float = 0.15
    contrast: float = 0.15
    blur_p: float = 0.2
    blur_sigma: float = 1.0
    noise_p: float = 0.3
    noise_std: float = 6.0          # in 0..255 units


@dataclass
class GenConfig:
    """Everything that decides which images come out; sample i is a pure function of (this, i)."""
    size: tuple[int, int] = (224, 224)          # (height, width)
    faces: list[str] = field(default_factory=lambda: ["procedural"])
    backgrounds: list[str] = field(default_factory=lambda: ["procedural"])
    faces_per_image: tuple[int, int] = (1, 9)   # inclusive range, uniform
    face_size: tuple[float, float] = (0.16, 0.42)  # face height as a fraction of the image height
    overlap_tolerance: float = 0.0              # share of a face's pixels allowed on other faces
    placement_tries: int = 40
    surprise: str = "exclude"                   # exclude | positive | neutral | negative
    tie_policy: str = "neutral"                 # neutral (paper) | resample (never emit ties)
    balance: bool = True                        # equal numbers of the three image labels
    split: str = "all"                          # all | train | test: held-out identities/backgrounds
    test_fraction: float = 0.2
    jpeg_quality: int = 95
    seed: int = 0
    face_aug: FaceAugConfig = field(default_factory=FaceAugConfig)
    image_aug: ImageAugConfig = field(default_factory=ImageAugConfig)

    # ------------------------------------------------------------------ validation
    def validate(self) -> "GenConfig":
        """Raise ConfigError naming the value when the configuration is impossible."""
        check_fields(self, error=ConfigError)
        h, w = self.size
        if h < 32 or w < 32:
            raise ConfigError(f"size {h}x{w} is too small; use at least 32x32")
        if max(h, w) > MAX_SIDE:
            raise ConfigError(f"size {h}x{w} is too large; use at most {MAX_SIDE} per side")
        if self.seed < 0:
            raise ConfigError(f"seed {self.seed} must not be negative")
        if not 0 <= self.overlap_tolerance < 1:
            raise ConfigError(f"overlap_tolerance {self.overlap_tolerance} must be in [0, 1)")
        lo, hi = self.faces_per_image
        if lo < 1:
            raise ConfigError(f"faces_per_image minimum {lo} must be at least 1")
        if lo > hi:
            raise ConfigError(f"faces_per_image minimum {lo} is greater than maximum {hi}")
        fmin, fmax = self.face_size
        if not (0 < fmin <= fmax <= 1):
            raise ConfigError(f"face_size range {fmin}..{fmax} must satisfy 0 < min <= max <= 1")
        if fmin * h < 12:
            raise ConfigError(f"face_size minimum {fmin} gives faces of {fmin * h:.0f} px; "
                              "use a larger size or face_size minimum (at least 12 px)")
        # A face covers about 0.62 of its (h * 0.8h) box; packing above ~60 % of the canvas fails.
        min_face_area = 0.8 * (fmin * h) ** 2 * 0.62
        if hi * min_face_area > 0.6 * h * w * (1 + self.overlap_tolerance):
            cap = int(0.6 * h * w / min_face_area)
            raise ConfigError(
                f"faces_per_image maximum {hi} cannot fit: faces of at least {fmin * h:.0f} px on a "
                f"{h}x{w} image leave room for about {cap}; lower the maximum or face_size minimum")
        if self.placement_tries < 1:
            raise ConfigError(f"placement_tries {self.placement_tries} must be at least 1")
        if self.surprise not in SURPRISE_POLICIES:
            raise ConfigError(f"surprise {self.surprise!r} is not one of {', '.join(SURPRISE_POLICIES)}")
        if self.tie_policy not in TIE_POLICIES:
            raise ConfigError(f"tie_policy {self.tie_policy!r} is not one of {', '.join(TIE_POLICIES)}")
        if self.split not in ("all", "train", "test"):
            raise ConfigError(f"split {self.split!r} is not one of all, train, test")
        if not 0 < self.test_fraction < 1:
            raise ConfigError(f"test_fraction {self.test_fraction} must be in (0, 1)")
        if not 1 <= self.jpeg_quality <= 100:
            raise ConfigError(f"jpeg_quality {self.jpeg_quality} must be in 1..100")
        if not self.faces:
            raise ConfigError("no face source given")
        if not self.backgrounds:
            raise ConfigError("no background source given")
        for name, value in dataclasses.asdict(self.face_aug).items():
            if name != "enabled" and value < 0:
                raise ConfigError(f"face_aug.{name} = {value} must not be negative")
        return self

    # ------------------------------------------------------------------ (de)serialisation
    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["size"] = list(self.size)
        d["faces_per_image"] = list(self.faces_per_image)
        d["face_size"] = list(self.face_size)
        return d

    def fingerprint(self) -> str:
        """Hash of everything that changes the bytes of a sample."""
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()[:16]

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str = "config") -> "GenConfig":
        """Settings from a TOML table (or any dict), checked against the field types."""
        return cls(**coerce_fields(cls, dict(data), error=ConfigError, where=where))

    @classmethod
    def from_toml(cls, path: str | Path) -> "GenConfig":
        path = Path(path)
        if not path.is_file():
            raise ConfigError(f"config file {path} does not exist")
        try:
            data = tomllib.loads(path.read_text())
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
        return cls.from_dict(data.get("synthgroup", data), where=str(path))

    def replace(self, **changes: Any) -> "GenConfig":
        return dataclasses.replace(self, **changes)


def check_count(flag: str, n: int) -> None:
    """A count of the command line (``--n``, ``--workers``): one message unless it is >= 1."""
    if n < 1:
        raise SynthGroupError(f"{flag} {n} must be at least 1")


def parse_size(text: str) -> tuple[int, int]:
    """'224' -> (224, 224); '224x320' -> (224, 320) as (height, width)."""
    try:
        parts = [int(p) for p in str(text).lower().split("x")]
    except ValueError:
        raise ConfigError(f"size {text!r} is not N or HxW") from None
    if len(parts) == 1:
        return parts[0], parts[0]
    if len(parts) == 2:
        return parts[0], parts[1]
    raise ConfigError(f"size {text!r} is not N or HxW")


def parse_range(text: str, cast=int) -> tuple:
    """'1-9' or '1,9' -> (1, 9)."""
    s = str(text).replace(",", "-")
    parts = s.split("-") if not s.startswith("-") else None
    try:
        if parts and len(parts) == 2:
            return cast(parts[0]), cast(parts[1])
        if parts and len(parts) == 1:
            v = cast(parts[0])
            return v, v
    except ValueError:
        pass
    raise ConfigError(f"range {text!r} is not MIN-MAX")
