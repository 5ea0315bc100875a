"""The benchmark runners: the smoke profile end to end, resuming, and the held-out split."""
import json

import pytest

from synthgroup import GenConfig
from synthgroup.writer import generate


def test_held_out_split_shares_nothing_with_training_from_metadata(tmp_path):
    """The benchmark's test set (split=test) and the training stream (split=train), checked on the
    written metadata: no identity and no background in common."""
    train, test = tmp_path / "train", tmp_path / "test"
    generate(GenConfig(size=(96, 96), split="train"), train, n=300, workers=1, progress=False)
    generate(GenConfig(size=(96, 96), split="test", seed=2020), test, n=200, workers=1, progress=False)

    def parts(folder):
        recs = [json.loads(l) for l in (folder / "metadata.jsonl").read_text().splitlines()]
        ids = {f["identity"] for r in recs for f in r["faces"]}
        bgs = {r["background"]["key"] for r in recs}
        return ids, bgs

    train_ids, train_bgs = parts(train)
    test_ids, test_bgs = parts(test)
    assert len(test_ids) > 20 and len(test_bgs) > 20
    assert not train_ids & test_ids
    assert not train_bgs & test_bgs


def test_synthetic_validation_quick_profile(tmp_path):
    from benchmarks.synthetic_validation import main
    assert main(["--profile", "quick", "--results", str(tmp_path), "--backbones", "mobilenet_v2",
                 "--quiet", "--images", "32"]) == 0
    rows = [json.loads(l) for l in (tmp_path / "synthetic_validation_quick.jsonl").read_text().splitlines()]
    assert [r["task"] for r in rows] == ["a", "b"]
    assert sum(map(sum, rows[0]["confusion"])) == 32 and len(rows[0]["confusion"]) == 2
    assert len(rows[1]["confusion"]) == 3
    md = (tmp_path / "synthetic_validation_quick.md").read_text()
    assert "| (b) 3 classes, 1-9 faces | mobilenet_v2 |" in md
