"""The benchmark runners: the smoke profile end to end, resuming, and the held-out split."""
import json

import numpy as np
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
    for r in rows:   # the flip-TTA figure is its own confusion matrix over the same test images
        assert sum(map(sum, r["confusion_flip"])) == 32
        assert r["accuracy_flip"] == sum(r["confusion_flip"][i][i] for i in range(len(r["confusion_flip"]))) / 32
    md = (tmp_path / "synthetic_validation_quick.md").read_text()
    assert "+ flip TTA %" in md
    assert "| (b) 3 classes, 1-9 faces | mobilenet_v2 |" in md


def test_synthetic_validation_curriculum_and_saved_checkpoint(tmp_path):
    """Curriculum stages come before the task's images under one schedule; the saved model is a
    globalnet checkpoint that create_backbone loads and that reproduces the reported accuracy."""
    import torch
    from benchmarks.synthetic_validation import TEST_SEED, main, task_config
    from globalnet.backbones import create_backbone, forward_logits, get_backbone_spec
    from globalnet.data.transforms import eval_transform
    from synthgroup import SyntheticGroupDataset
    assert main(["--profile", "quick", "--results", str(tmp_path), "--backbones", "resnet18", "--task", "b",
                 "--quiet", "--images", "16", "--curriculum", "1:0.6-0.95:16@48", "2:0.3-0.5:16",
                 "--save", str(tmp_path / "ck"), "--optimizer", "sgd", "--amp", "off"]) == 0
    row = json.loads((tmp_path / "synthetic_validation_quick.jsonl").read_text())
    assert row["curriculum"] == [{"faces_max": 1, "face_size": [0.6, 0.95], "images": 16, "size": 48},
                                 {"faces_max": 2, "face_size": [0.3, 0.5], "images": 16}]
    assert row["optimizer"] == "sgd" and row["lr"] == 0.02
    assert "16 x 1 face(s) 0.6-0.95 @48px then 16 x 2 face(s) 0.3-0.5" in \
        (tmp_path / "synthetic_validation_quick.md").read_text()
    model = create_backbone("resnet18", weights=row["checkpoint"]).eval()
    spec = get_backbone_spec("resnet18")
    test = SyntheticGroupDataset(task_config("b", 80, "test", TEST_SEED), length=32,
                                 transform=eval_transform(80, spec.mean, spec.std))
    x, y = zip(*[test[i] for i in range(32)])
    with torch.inference_mode():
        pred = forward_logits(model, torch.stack(x)).argmax(1)
    assert float((pred == torch.tensor(y)).float().mean()) == pytest.approx(row["accuracy"])
    assert row["precision"] == "float32"

    # --init continues from that checkpoint on new images; the row traces the earlier recipe
    first = torch.load(row["checkpoint"], weights_only=True)
    assert first["recipe"]["images"] == 16 and first["recipe"]["init"] is None
    assert main(["--profile", "quick", "--results", str(tmp_path), "--backbones", "resnet18", "--task", "b",
                 "--quiet", "--images", "16", "--init", row["checkpoint"], "--seed", "1",
                 "--save", str(tmp_path / "ck2")]) == 0
    rows = [json.loads(l) for l in (tmp_path / "synthetic_validation_quick.jsonl").read_text().splitlines()]
    second = rows[-1]
    assert second["init"]["checkpoint"] == row["checkpoint"]
    assert second["init"]["result"]["accuracy"] == pytest.approx(row["accuracy"])
    assert second["init"]["recipe"]["curriculum"] == row["curriculum"]
    assert f"b-resnet18-80.pt ({100 * row['accuracy']:.1f} %" in \
        (tmp_path / "synthetic_validation_quick.md").read_text()
    again = torch.load(second["checkpoint"], weights_only=True)
    assert any(not torch.equal(again["model"][k], first["model"][k]) for k in first["model"])
    # a checkpoint of another backbone is one message, exit 2
    assert main(["--profile", "quick", "--results", str(tmp_path), "--backbones", "mobilenet_v2",
                 "--task", "b", "--quiet", "--init", row["checkpoint"]]) == 2


@pytest.mark.parametrize("stage", ["1:0.6:100", "0:0.2-0.4:10", "1:0.5-0.4:10", "a:b:c", "1:0.5-0.6:8@16"])
def test_synthetic_validation_rejects_bad_curriculum_stage(stage, capsys):
    from benchmarks.synthetic_validation import main
    with pytest.raises(SystemExit) as e:
        main(["--profile", "quick", "--curriculum", stage])
    assert e.value.code == 2 and stage in capsys.readouterr().err


def test_synthetic_validation_stage_below_backbone_minimum_is_one_message(tmp_path, capsys):
    from benchmarks.synthetic_validation import main
    assert main(["--profile", "quick", "--results", str(tmp_path), "--backbones", "inception_v3",
                 "--task", "a", "--quiet", "--curriculum", "1:0.6-0.9:8@48"]) == 2
    err = capsys.readouterr().err
    assert "inception_v3" in err and "48" in err and "Traceback" not in err
    assert not (tmp_path / "synthetic_validation_quick.jsonl").exists()


def test_backbone_runner_smoke_profile_every_backbone_and_resume(tmp_path, capsys):
    from benchmarks.backbones import main
    from globalnet.backbones import list_backbones
    results, work = tmp_path / "results", tmp_path / "work"
    args = ["--profile", "smoke", "--results", str(results), "--work", str(work), "--quiet"]
    assert main(args) == 0
    rows = [json.loads(l) for l in (results / "backbones_smoke.jsonl").read_text().splitlines()]
    assert sorted(r["backbone"] for r in rows) == sorted(list_backbones())
    for r in rows:
        assert 0 <= r["accuracy"] <= 1 and r["test_images"] == 12
        assert set(r["recall"]) == {"Positive", "Neutral", "Negative"}
        assert r["parameters"] > 0 and r["train_images_per_s"] > 0 and r["inference_images_per_s"] > 0
        assert r["profile"] == "smoke" and r["version"]
        from globalnet.device import cpu_has_bf16       # amp = auto: what this CPU trains in
        assert r["precision"] == ("bfloat16" if cpu_has_bf16() else "float32")
    md = (results / "backbones_smoke.md").read_text().splitlines()
    table = [l for l in md if l.startswith("| ") and not l.startswith("| rank")]
    assert len(table) == len(list_backbones())
    accs = [float(l.split("|")[4].split("±")[0]) for l in table]
    assert accs == sorted(accs, reverse=True)            # sorted by accuracy, like the paper
    # a rerun skips finished rows; an interrupted backbone (left-over run folder) restarts cleanly
    (work / "smoke" / "resnet18-seed0").mkdir(parents=True)
    (work / "smoke" / "resnet18-seed0" / "last.pt").write_bytes(b"half")
    lines = (results / "backbones_smoke.jsonl").read_text().splitlines()
    (results / "backbones_smoke.jsonl").write_text("\n".join(l for l in lines if '"resnet18"' not in l) + "\n")
    capsys.readouterr()
    assert main(args + ["--keep", str(tmp_path / "kept")]) == 0
    out = capsys.readouterr().out
    assert out.count("done, skipped") == len(list_backbones()) - 1
    rows = [json.loads(l) for l in (results / "backbones_smoke.jsonl").read_text().splitlines()]
    assert sorted(r["backbone"] for r in rows) == sorted(list_backbones())
    # --keep: the rerun backbone's trained checkpoint survives the scratch folder and loads
    from globalnet.backbones import create_backbone
    redone = [r for r in rows if r["backbone"] == "resnet18"][0]
    assert redone["checkpoint"] == str(tmp_path / "kept" / "resnet18-seed0.pt")
    create_backbone("resnet18", weights=redone["checkpoint"])
    assert not (work / "smoke" / "resnet18-seed0").exists()
    # --top 2 --seeds 2: the second seed of the two best seed-0 backbones only
    best = sorted(rows, key=lambda r: -r["accuracy"])[:2]
    assert main(args + ["--top", "2", "--seeds", "2"]) == 0
    rows = [json.loads(l) for l in (results / "backbones_smoke.jsonl").read_text().splitlines()]
    assert sorted(r["backbone"] for r in rows if r["seed"] == 1) == sorted(r["backbone"] for r in best)
    assert "2 |" in (results / "backbones_smoke.md").read_text()      # seeds column
    with pytest.raises(SystemExit, match="--top 99 needs 99 finished seed-0 rows"):
        main(args + ["--top", "99"])


def test_cpu_profile_trains_every_backbone_with_its_overrides():
    """Every registry backbone can start the cpu profile with its per-backbone settings (the
    checks a run makes before it writes anything: config, input sizes, BatchNorm folding)."""
    from benchmarks.backbones import BACKBONE_OVERRIDES, PROFILES
    from globalnet.backbones import list_backbones
    from globalnet.config import TrainConfig
    from globalnet.train import _check_before_training
    fields = {k: v for k, v in PROFILES["cpu"].items() if k != "test_n"}
    assert set(BACKBONE_OVERRIDES["cpu"]) <= set(list_backbones())
    for name in list_backbones():
        own = BACKBONE_OVERRIDES["cpu"].get(name, {})
        cfg = TrainConfig(backbone=name, **{**fields, **own})
        if name == "inception_v3":
            cfg.aux_logits = False                 # as run_one sets it below 299 px
        _check_before_training(cfg.validate())


def test_price_of_privacy_scores_the_backbone_benchmarks_test_scenes(tmp_path):
    """With a global checkpoint the comparison runs end to end on the backbone benchmark's test
    scenes (same seed, same labels), the checkpoint's training size is used, and every method
    has a row for both detectors."""
    import torch
    from benchmarks import backbones, price_of_privacy
    from globalnet.backbones import create_backbone, save_checkpoint
    from globalnet.evaluate import synthetic_eval_set
    torch.manual_seed(0)
    ck = save_checkpoint(tmp_path / "g.pt", create_backbone("resnet18", weights=None),
                         input_size=64, result={"accuracy": 0.5})
    from tests import realdata_standins as rs
    real = rs.make_gaf(tmp_path / "gaf", {"Positive": 2, "Neutral": 2, "Negative": 2}, splits=("val",))
    out = price_of_privacy.run("tiny", global_checkpoint=str(ck), global_backbone="resnet18",
                               write=False, real_val=str(real))
    n = price_of_privacy.PROFILES["tiny"]["n_test"]
    labels = [synthetic_eval_set(n, 64, None, seed=backbones.TEST_SEED)[i][1] for i in range(n)]
    assert out["test_label_counts"] == np.bincount(labels, minlength=3).tolist()
    assert f"seed={backbones.TEST_SEED}" in out["protocol"]["test"]
    assert "64 px" in out["protocol"]["global"] and "its own test accuracy 0.500" in out["protocol"]["global"]
    methods = {(r["detector"], r["method"]) for r in out["rows"]}
    for det in ("ground-truth", "haar"):
        for m in ("face mean", "face top3", "face attention", "fusion global+mean",
                  "fusion global+top3", "fusion global+attention"):
            assert (det, m) in methods
    assert ("-", "global-only") in methods
    # a user's real validation set (GAF layout) adds global, face and fusion rows on it
    assert ("- (real val)", "global-only") in methods and ("haar (real val)", "fusion global+mean") in methods
    for r in out["rows"]:
        assert 0 <= r["accuracy"] <= 1
    # the global-only row is the checkpoint's accuracy on the backbone benchmark's own images
    from globalnet.data.transforms import eval_transform
    from globalnet.evaluate import run_model
    from globalnet.backbones import get_backbone_spec
    spec = get_backbone_spec("resnet18")
    direct = run_model(create_backbone("resnet18", weights=str(ck)).eval(),
                       synthetic_eval_set(n, 64, eval_transform(64, spec.mean, spec.std), seed=backbones.TEST_SEED),
                       batch_size=8, device="cpu")
    row = [r for r in out["rows"] if r["method"] == "global-only"][0]
    assert row["accuracy"] == pytest.approx(direct["accuracy"])


def test_precision_benchmark_times_both_modes_and_writes_its_table(tmp_path):
    from benchmarks import precision
    assert precision.main(["--cases", "resnet18@64", "--batch", "4", "--steps", "1", "--rounds", "2",
                           "--results", str(tmp_path)]) == 0
    data = json.loads((tmp_path / "precision.json").read_text())
    (row,) = data["rows"]
    assert row["backbone"] == "resnet18" and row["size"] == 64
    assert row["float32 ms/img"] > 0 and row["bfloat16 ms/img"] > 0 and row["speedup"] > 0
    assert "| resnet18 | 64 |" in (tmp_path / "precision.md").read_text()
    with pytest.raises(SystemExit):
        precision.main(["--cases", "resnet18"])


def test_task_b_recipe_is_the_measured_chain():
    """benchmarks/recipes/resnet18_task_b.sh parses with the runner's own parser, each stage
    continues from the previous stage's checkpoint on new images, and every stage matches a
    committed results row (same images, seed, lr, curriculum, with or without --init)."""
    import shlex
    from pathlib import Path

    from benchmarks.synthetic_validation import DEFAULT_LR, build_parser

    root = Path(__file__).resolve().parents[1]
    text = (root / "benchmarks/recipes/resnet18_task_b.sh").read_text()
    sv = shlex.split(text.split('SV="', 1)[1].split('"', 1)[0])[3:]      # drop python -m module
    stages = []
    for line in text.splitlines():
        if line.startswith("$SV "):
            line = line.replace('"$OUT/', "OUT/").replace('$CK"', "b-resnet18-224.pt").replace('"', "")
            stages.append(build_parser().parse_args(sv + shlex.split(line[4:])))
    assert len(stages) == 5
    assert stages[0].init is None and stages[0].curriculum
    for prev, cur in zip(stages, stages[1:]):
        assert Path(cur.init) == prev.save / "b-resnet18-224.pt" and not cur.curriculum   # --init takes zoo names too
    assert len({s.seed for s in stages}) == len(stages)                 # never the same images twice
    rows = [json.loads(l) for l in (root / "benchmarks/results/synthetic_validation.jsonl").read_text().splitlines()]
    measured = {(r["images"], r["seed"], r["lr"], json.dumps(r["curriculum"]), r.get("init") is not None)
                for r in rows if r["task"] == "b" and r["backbone"] == "resnet18" and r["size"] == 224
                and r.get("precision") == "bfloat16" and r["min_crop_scale"] == 0.85}
    for s in stages:
        key = (s.images, s.seed, s.lr if s.lr is not None else DEFAULT_LR[s.optimizer], json.dumps(s.curriculum), s.init is not None)
        assert key in measured, key


def test_scorecam_speed_runner_small(tmp_path):
    """The Score-CAM benchmark end to end on a small backbone: reference, control, exact,
    approximate and int8 rows, per-image correlations, JSON + Markdown written."""
    from benchmarks.scorecam_speed import main
    assert main(["--backbone", "squeezenet1_1", "--size", "64", "--images", "2", "--runs", "1",
                 "--topk", "8", "--no-compile", "--results", str(tmp_path)]) == 0
    data = json.loads((tmp_path / "scorecam_speed_squeezenet1_1.json").read_text())
    rows = {r["method"]: r for r in data["rows"]}
    assert data["images"] == 2 and len(data["targets"]) == 2
    ref = rows["grad-cam ScoreCAM (batch 16)"]
    assert len(ref["seconds_per_image"]) == 2 and ref["seconds"] > 0
    assert "uniform weights ReLU(mean A) (control)" in rows
    for name in ("fast-scorecam precision=float32", "fast-scorecam precision=int8"):
        r = rows[name]
        assert r["mode"] == "exact" and len(r["pearson_r_per_image"]) == 2
        assert r["pearson_r_min"] <= r["pearson_r"] and r["pearson_r_min"] > 0.99
    assert rows["fast-scorecam precision=float32"]["max_abs_diff"] < 1e-3
    assert rows["fast-scorecam precision=int8"]["first_call_s"] > 0
    approx = [r for r in data["rows"] if r["mode"] == "approximate"]
    assert {r["method"] for r in approx} >= {"fast-scorecam precision=bfloat16 topk=8 fill=mean",
                                            "fast-scorecam precision=int8 topk=8"}
    assert all(r["forwards"] <= 9 for r in approx)
    md = (tmp_path / "scorecam_speed_squeezenet1_1.md").read_text()
    assert "pearson_r_min" in md and "| None |" not in md


def test_generate_speed_quick_profile_reports_ratios_and_the_naive_compositor(tmp_path):
    """The generator benchmark end to end at tiny counts: every row has its ratio to the floor
    of as many processes, the naive compositor row is there (same records), the goals are
    judged and the machine's CPU flags recorded."""
    from benchmarks.generate_speed import NAIVE, main
    assert main(["--quick", "--results", str(tmp_path)]) == 0
    data = json.loads((tmp_path / "generate_speed_quick.json").read_text())
    rows = {r["what"]: r for r in data["rows"]}
    assert rows[NAIVE]["images"] == 6 and rows[NAIVE]["images/s"] > 0
    assert {r["processes"] for r in rows.values()} == {1, 2}
    assert all(r["x floor"] > 0 and r["cpu seconds"] > 0 for r in rows.values())
    assert sum(w.startswith("floor") for w in rows) == 2
    assert len(data["targets"]) == 2 and all(isinstance(v, bool) for v in data["targets"].values())
    assert data["ratios"]["Dataset images/s per core (CPU time)"] > 0
    assert "cpu_flags" in data["machine"]
    md = (tmp_path / "generate_speed_quick.md").read_text()
    assert NAIVE in md and "| x floor |" in md and "Goals:" in md
