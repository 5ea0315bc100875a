import pytest

from synthgroup import ConfigError, GenConfig
from synthgroup.config import parse_range, parse_size
from synthgroup.labels import (NEGATIVE, NEUTRAL, POSITIVE, emotion_groups, image_label,
                               majority_label, normalize_emotion)


@pytest.mark.parametrize("groups, expected", [
    ([POSITIVE], POSITIVE),
    ([NEGATIVE, NEGATIVE, POSITIVE], NEGATIVE),
    ([POSITIVE, NEGATIVE], NEUTRAL),                 # tie -> Neutral (the paper's rule)
    ([POSITIVE, POSITIVE, NEGATIVE, NEGATIVE, NEUTRAL], NEUTRAL),
    ([NEUTRAL, NEUTRAL, POSITIVE], NEUTRAL),
    ([POSITIVE, POSITIVE, NEUTRAL, NEGATIVE], POSITIVE),
])
def test_majority_rule(groups, expected):
    assert image_label(groups) == expected


def test_tie_is_none_for_resample_policy():
    assert majority_label([POSITIVE, NEGATIVE]) is None
    assert image_label([POSITIVE, NEGATIVE], "resample") is None


def test_emotion_groups_and_surprise_policy():
    g = emotion_groups()
    assert "surprise" not in g
    assert g["happiness"] == POSITIVE and g["neutral"] == NEUTRAL
    assert {g[e] for e in ("anger", "disgust", "fear", "sadness")} == {NEGATIVE}
    assert emotion_groups("positive")["surprise"] == POSITIVE
    with pytest.raises(ConfigError, match="bogus"):
        emotion_groups("bogus")


def test_emotion_synonyms():
    assert normalize_emotion("Happy") == "happiness"
    assert normalize_emotion("afraid") == "fear"
    with pytest.raises(ConfigError, match="'grumpy'"):
        normalize_emotion("grumpy")


@pytest.mark.parametrize("changes, needle", [
    ({"faces_per_image": (5, 2)}, "minimum 5 is greater than maximum 2"),
    ({"faces_per_image": (1, 80)}, "maximum 80 cannot fit"),
    ({"face_size": (0.5, 0.2)}, "0.5..0.2"),
    ({"size": (16, 16)}, "16x16"),
    ({"overlap_tolerance": 1.5}, "1.5"),
    ({"surprise": "maybe"}, "'maybe'"),
    ({"jpeg_quality": 0}, "jpeg_quality 0"),
])
def test_impossible_configs_name_the_value(changes, needle):
    with pytest.raises(ConfigError) as exc:
        GenConfig().replace(**changes).validate()
    assert needle in str(exc.value)


def test_toml_roundtrip(tmp_path):
    from synthgroup.io import to_toml
    cfg = GenConfig(size=(128, 160), faces_per_image=(2, 5), seed=7)
    cfg.face_aug.rotate = 5.0
    path = tmp_path / "c.toml"
    path.write_text(to_toml(cfg.to_dict()))
    back = GenConfig.from_toml(path)
    assert back.to_dict() == cfg.to_dict()
    assert back.fingerprint() == cfg.fingerprint()


def test_toml_unknown_key_is_named(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("sized = 3\n")
    with pytest.raises(ConfigError, match="sized"):
        GenConfig.from_toml(path)


def test_parse_helpers():
    assert parse_size("224") == (224, 224)
    assert parse_size("128x256") == (128, 256)
    assert parse_range("1-9") == (1, 9)
    assert parse_range("0.1-0.3", float) == (0.1, 0.3)
    with pytest.raises(ConfigError):
        parse_size("big")
