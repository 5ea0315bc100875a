"""Both configuration dataclasses are checked against their type annotations in one place
(synthgroup.schema): one message naming the setting and the value, whatever the entry point."""
from __future__ import annotations

import pytest

from globalnet.config import TrainConfig
from globalnet.errors import GlobalNetError
from synthgroup import GenConfig
from synthgroup.errors import ConfigError

CLASSES = [(GenConfig, ConfigError), (TrainConfig, GlobalNetError)]


@pytest.mark.parametrize("cls, error", CLASSES)
@pytest.mark.parametrize("value, needle", [
    (True, "seed = True is not a whole number"),
    (1.5, "seed = 1.5 is not a whole number"),
    ("many", "seed = 'many' is not a whole number"),
    ([1], "seed = [1] is not a whole number"),
])
def test_wrong_types_are_named(cls, error, value, needle):
    with pytest.raises(error, match="^cfg.toml: " + needle.replace("[", r"\[").replace("]", r"\]")):
        cls.from_dict({"seed": value}, where="cfg.toml")
    with pytest.raises(error, match=needle.split(" is ")[0].replace("[", r"\[").replace("]", r"\]")):
        cls(seed=value).validate()


@pytest.mark.parametrize("cls, error", CLASSES)
def test_text_from_the_command_line_is_read_as_the_declared_type(cls, error):
    cfg = cls.from_dict({"seed": "7"}, where="command line")
    assert cfg.seed == 7 and type(cfg.seed) is int
    with pytest.raises(error, match="unknown setting"):
        cls.from_dict({"sede": 1})


def test_optional_and_tuple_fields():
    assert TrainConfig.from_dict({"input_size": "none", "weights": "none"}).input_size is None
    assert GenConfig.from_dict({"size": [96, 128], "face_size": 0.3}).face_size == (0.3, 0.3)
    with pytest.raises(ConfigError, match=r"size = \[1, 2, 3\] is not one or a list of 2 whole numbers"):
        GenConfig.from_dict({"size": [1, 2, 3]})
    with pytest.raises(ConfigError, match="face_aug must be a table"):
        GenConfig.from_dict({"face_aug": 3})
    with pytest.raises(GlobalNetError, match="lr = nan is not a finite number"):
        TrainConfig.from_dict({"lr": float("nan")})
