"""A zoo entry (:class:`ZooModel`) and the registry of them, apart from the package's
``__init__`` so the catalog can register its entries without importing the package that
imports it."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..registry import Registry

HERE = Path(__file__).resolve().parent
WEIGHTS_DIR = HERE / "weights"
MEASURED_FILE = HERE / "measured.json"
TEST_SET = ("1000 held-out synthetic scenes: `GenConfig(split='test', seed=2020)`, 1-9 faces, "
            "256 px canvas resized to 256 and centre-cropped to the input size; the test split's "
            "face identities and background scenes are never seen in training")
TRAINING_DATA = ("synthetic group images made on the fly by synthgroup's embedded default: "
                 "procedurally drawn faces on procedurally drawn scenes (no photograph of a real "
                 "person, no licensed dataset); training-split identities and scenes only")
LIMITS = (
    "Scale sensitivity: trained on faces 16-42 % of the image height on 256 px canvases; much "
    "smaller or larger faces (a wide classroom shot, a close-up) are outside what it has seen.",
    "Never evaluated on real photographs or video: the accuracy is on held-out synthetic "
    "scenes only. Expect a domain gap on real groups until it is fine-tuned on real data "
    "(e.g. `globalnet train --weights synth-resnet18 --data vgaf:...`).",
    "Three classes only (Positive, Neutral, Negative) by the majority of the faces; surprise was "
    "excluded from training; a tie between groups was labelled Neutral.",
)
NOT_FOR = (
    "Decisions about any individual: it rates a group, and was built not to analyse persons.",
    "Grading, disciplining, hiring or surveillance of students, employees or anyone else.",
    "Any use without the informed consent of the people filmed, or as the sole basis of a "
    "decision about a class or a meeting.",
)


@dataclass(frozen=True)
class ZooModel:
    """One shipped model. ``file`` is relative to ``WEIGHTS_DIR`` (or absolute)."""

    name: str
    backbone: str
    input_size: int
    file: str
    sha256: str
    summary: str
    recipe: str
    trained_on: str = TRAINING_DATA
    test_set: str = TEST_SET
    limits: tuple[str, ...] = LIMITS
    not_for: tuple[str, ...] = NOT_FOR
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def path(self) -> Path:
        p = Path(self.file)
        return p if p.is_absolute() else WEIGHTS_DIR / p


MODELS: Registry[ZooModel] = Registry("zoo model", group="globalnet.zoo")


def register_model(model: ZooModel) -> ZooModel:
    """Add a model to the zoo (a taken name raises)."""
    return MODELS.register(model.name, model)


def get_model(name: str) -> ZooModel:
    """The registry entry of ``name``; an unknown name lists the valid ones."""
    return MODELS.get(name)


def list_models() -> list[str]:
    return MODELS.names()
