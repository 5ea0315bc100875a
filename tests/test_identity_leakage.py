"""The identity-leakage audit: the probe itself (identity by construction vs random features), the
people it is run on, the features it reads, and the quick profile end to end."""
import json

import numpy as np
import pytest

from benchmarks.identity_leakage import (
    TEST_EXPRESSIONS,
    TRAIN_EXPRESSIONS,
    choose_identities,
    main,
    penultimate,
    probe_auc,
    probe_top1,
    single_face_records,
)


def _people_features(rng, k, per_person, signal, dim=64):
    """Rows of ``k`` people: a one-hot identity (times ``signal``) in the first k columns, plus
    unit noise everywhere."""
    y = np.repeat(np.arange(k), per_person)
    x = rng.normal(size=(len(y), k + dim))
    x[np.arange(len(y)), y] += signal
    return x, y


def _probe(rng, signal):
    """probe_top1's (hits, tests) on 20 people, 6 training and 10 test rows each."""
    x, y = _people_features(rng, 20, 6, signal=signal)
    xt, yt = _people_features(rng, 20, 10, signal=signal)
    return probe_top1(x, y, xt, yt)


def test_the_probe_reidentifies_features_that_encode_identity():
    hit, n = _probe(np.random.default_rng(0), signal=10.0)
    assert n == 200 and hit / n >= 0.97


def test_the_probe_stays_at_chance_on_random_features():
    rng = np.random.default_rng(1)
    hit, n = _probe(rng, signal=0.0)
    assert hit / n < 0.13                    # chance 0.05; 0.13 is more than five sd above it
    # in between: a weak signal gives a rate between the two
    assert 0.13 < _probe(rng, signal=1.5)[0] / 200 < 0.97


def test_the_presence_probe_auc():
    rng = np.random.default_rng(2)
    has, has_t = rng.random(200) < 0.3, rng.random(200) < 0.3
    x, xt = rng.normal(size=(200, 32)), rng.normal(size=(200, 32))
    assert abs(probe_auc(x, has, xt, has_t) - 0.5) < 0.12
    x[:, 0] += 4 * has
    xt[:, 0] += 4 * has_t
    assert probe_auc(x, has, xt, has_t) > 0.97
    assert np.isnan(probe_auc(x, has, xt, np.zeros(200, bool)))   # one class only: no AUC


def test_people_are_nested_and_k_cannot_exceed_the_source():
    ten = choose_identities("procedural:identities=64", "test", 10)
    assert len(set(ten)) == 10 and choose_identities("procedural:identities=64", "test", 4) == ten[:4]
    with pytest.raises(ValueError, match="K=20 is larger than the number of identities available"):
        choose_identities("procedural:identities=64", "test", 20)
    with pytest.raises(SystemExit, match="larger than the number of identities available"):
        main(["--quick", "--faces", "procedural:identities=64", "--ks", "5", "20",
              "--models", "random:squeezenet1_1@64"])


def test_single_face_records_show_each_person_with_each_expression():
    people = choose_identities("procedural:identities=64", "test", 2)
    _, recs, person, train = single_face_records("procedural:identities=64", "test", 96, 0.4, people, 2, 1)
    per_person = 2 * len(TRAIN_EXPRESSIONS) + len(TEST_EXPRESSIONS)
    assert len(recs) == 2 * per_person and person.tolist() == [0] * per_person + [1] * per_person
    for r, p, t in zip(recs, person, train):
        (face,) = r["faces"]
        assert face["identity"] == people[p]
        assert face["emotion"] in (TRAIN_EXPRESSIONS if t else TEST_EXPRESSIONS)
        assert 0.25 * 96 < face["box"][3] < 0.5 * 96
    assert len({json.dumps(r["background"]) for r in recs}) > 5     # backgrounds vary


def test_penultimate_features_are_what_the_head_reads():
    import torch

    from globalnet.backbones import create_backbone
    torch.manual_seed(0)
    model = create_backbone("resnet18").eval()
    x = torch.randn(3, 3, 64, 64)
    with torch.no_grad(), penultimate(model, "resnet18") as feats:
        logits = model(x)
    assert len(feats) == 1 and feats[0].shape == (3, 512)
    assert torch.allclose(model.fc(torch.from_numpy(feats[0])), logits, atol=1e-5)
    assert not model.fc._forward_pre_hooks                          # released


def test_quick_profile_writes_results_and_resumes(tmp_path):
    argv = ["--quick", "--models", "random:squeezenet1_1@64", "--results", str(tmp_path)]
    assert main(argv) == 0
    data = json.loads((tmp_path / "identity_leakage_quick.json").read_text())
    single = [r for r in data["rows"] if r["task"] == "single"]
    group = [r for r in data["rows"] if r["task"] == "group"]
    assert {r["representation"] for r in single} == {"random:squeezenet1_1@64", "face-cnn",
                                                     "random:face-cnn", "pixels 32x32"}
    assert {r["representation"] for r in group} == {r["representation"] for r in single} | {"number of faces"}
    for r in single:
        assert set(r["by_k"]) == {"4", "8"} and r["by_k"]["8"]["n_test"] == 8 * len(TEST_EXPRESSIONS)
        assert r["by_k"]["8"]["chance"] == 1 / 8 and 0 <= r["by_k"]["8"]["top1"][0] <= 1
    assert any("trained here" in n for n in data["notes"])
    md = (tmp_path / "identity_leakage_quick.md").read_text()
    assert "What they do not show" in md and "K=8 top-1 % (chance 12.5)" in md
    assert (tmp_path / "identity_leakage_quick.png").stat().st_size > 1000
    lines = (tmp_path / "identity_leakage_quick.jsonl").read_text()
    assert main(argv) == 0                                           # all rows reused
    assert (tmp_path / "identity_leakage_quick.jsonl").read_text() == lines
    assert "earlier run" in " ".join(json.loads((tmp_path / "identity_leakage_quick.json").read_text())["notes"])
