"""The price of privacy: global-only vs face-based reference methods on the same test images.

    python -m benchmarks.price_of_privacy                 # CPU profile, writes results/price_of_privacy.{json,md}
    python -m benchmarks.price_of_privacy --profile tiny  # smoke run (seconds)
    python -m benchmarks.price_of_privacy --global-checkpoint ck.pt --global-backbone resnet18
    python -m benchmarks.price_of_privacy --real-val /data/GAF2 --real-max 500   # + real rows

Protocol (recorded in the table header):
* train: ``GenConfig(split="train", seed=0)`` samples ``0..n_train-1`` at 224x224. The same renders
  train the global-only model (resized to ``global_size``; skipped with ``--global-checkpoint``),
  the face CNN (per-face crops of the generator's boxes, per-face group labels) and, end to end,
  attention pooling (bags of those crops, image labels).
* validation: ``GenConfig(split="train", seed=1)`` samples ``0..n_val-1``: chooses the fusion weight
  (face share on a 0..1 grid, per detector and pooling).
* test: ``GenConfig(split="test", seed=2020)`` samples ``0..n_test-1``: held-out identities and
  backgrounds, the same scenes as the backbone benchmark's test set (``benchmarks.backbones``,
  same seed; records scale with the canvas). The face methods see them rendered at 224x224; the
  global-only model sees exactly the backbone benchmark's images (rendered at its canvas,
  size*256/224, centre crop).
* detectors at validation/test time: ground-truth boxes (perfect detector) and OpenCV's Haar
  frontal cascade. An image where the detector finds no face counts as wrong for the face-only
  methods (they cannot answer) and falls back to the global score for fusion.

The face-based reference path is individual-level processing (globalnet.reference); this
benchmark exists to measure what the privacy-preserving global-only design costs.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from synthgroup.labels import CLASS_NAMES

from .backbones import TEST_SEED
from .common import machine, markdown_table, save

PROFILES = {
    # name: n_train, n_val, n_test, global_size, global_epochs, face_epochs, attention_epochs
    "cpu": dict(n_train=1500, n_val=200, n_test=400, global_size=96, global_epochs=6,
                face_epochs=3, attention_epochs=1, face_width=16, crop_size=48),
    "tiny": dict(n_train=60, n_val=30, n_test=40, global_size=64, global_epochs=1,
                 face_epochs=1, attention_epochs=1, face_width=8, crop_size=32),
}
NOTE_WEAK_GLOBAL = ("**Caveat:** the global-only model is at chance level here (accuracy {acc:.3f}): a "
                    "randomly initialised CNN trained within this CPU budget did not learn the task, "
                    "so these gaps measure the budget, not the price of privacy. Pass a properly "
                    "trained global model with `--global-checkpoint` (and `--global-backbone`) for "
                    "a meaningful comparison.")


def log(msg: str) -> None:
    print(time.strftime("%H:%M:%S"), msg, flush=True)


def _global_view(image: np.ndarray, size: int) -> np.ndarray:
    """What the global model sees: globalnet's eval geometry (shorter side to size*256/224,
    centre crop ``size``), so scores match the backbone benchmark's on the same scenes."""
    import cv2
    h, w = image.shape[:2]
    short = round(size * 256 / 224)
    nh, nw = (short, round(w * short / h)) if h <= w else (round(h * short / w), short)
    im = cv2.resize(image, (nw, nh), interpolation=cv2.INTER_AREA)
    y0, x0 = int(round((nh - size) / 2.0)), int(round((nw - size) / 2.0))   # torchvision's CenterCrop
    return np.ascontiguousarray(im[y0:y0 + size, x0:x0 + size])


def _train_global(images: np.ndarray, labels: np.ndarray, backbone: str, epochs: int, seed: int,
                  fresh=None):
    """Train from random init; ``fresh(e)`` -> (images, labels) gives epoch e >= 1 new renders."""
    import torch

    from globalnet.backbones import create_backbone, get_backbone_spec
    from globalnet.reference.training import train_step

    torch.manual_seed(seed)
    spec = get_backbone_spec(backbone)
    model = create_backbone(backbone, weights=None, num_classes=3)
    mean = torch.tensor(spec.mean).view(1, 3, 1, 1)
    std = torch.tensor(spec.std).view(1, 3, 1, 1)
    bs = 32
    steps = epochs * ((len(images) + bs - 1) // bs)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=steps)
    y = torch.from_numpy(labels)
    g = torch.Generator().manual_seed(seed)
    model.train()
    step, losses = 0, []
    for ep in range(epochs):
        if ep and fresh is not None:
            images, labels = fresh(ep)
            y = torch.from_numpy(labels)
        order = torch.randperm(len(images), generator=g)
        for s in range(0, len(order), bs):
            b = order[s:s + bs]
            x = torch.from_numpy(images[b.numpy()]).permute(0, 3, 1, 2).float().contiguous() / 255.0
            losses.append(train_step(lambda v: model((v - mean) / std), x, y[b], opt, sched, g))
            step += 1
            if step % 25 == 0:
                log(f"global step {step}/{steps} loss {np.mean(losses[-25:]):.3f}")
    model.eval()
    return model


def _metrics(pred: np.ndarray, y: np.ndarray) -> dict:
    out = {"accuracy": float((pred == y).mean())}
    for c, name in enumerate(CLASS_NAMES):
        m = y == c
        out[f"recall_{name}"] = float((pred[m] == c).mean()) if m.any() else float("nan")
    return out


def _face_scores(models, images, records, detector, margin: float = 0.1):
    """Detect once per image; ``models`` = [(face_model, {name: pooling})]. Returns
    ({pooling name: (n, 3) probs, NaN row = no face}, boxes per image)."""
    from globalnet.reference.detect import GroundTruthBoxes
    from globalnet.reference.face_model import crop_face, predict_faces

    out = {name: np.full((len(images), 3), np.nan) for _, pools in models for name in pools}
    boxes_all = []
    for i, (im, rec) in enumerate(zip(images, records)):
        det = detector.for_record(rec) if isinstance(detector, GroundTruthBoxes) else detector
        boxes = det.detect(im)
        boxes_all.append(boxes)
        if not boxes:
            continue
        for face_model, pools in models:
            crops = np.stack([crop_face(im, b, face_model.crop_size, margin) for b in boxes])
            probs, feats = predict_faces(face_model, crops)
            for name, pool in pools.items():
                out[name][i] = pool.pool(probs, boxes, feats).numpy()
    return out, boxes_all


def _checkpoint_info(path) -> tuple[int | None, str]:
    """(input size the checkpoint was trained at, a description of where it came from)."""
    from globalnet.checkpoints import checkpoint_input_size, read_checkpoint_info
    ck = read_checkpoint_info(path)
    size = checkpoint_input_size(ck)
    bits = []
    if ck.get("format") == "globalnet-train":
        bits.append(f"globalnet train, {ck.get('global_step')} steps")
    if ck.get("made_by"):
        bits.append(str(ck["made_by"]))
    if (ck.get("result") or {}).get("accuracy") is not None:
        bits.append(f"its own test accuracy {ck['result']['accuracy']:.3f}")
    return (int(size) if size else None), "; ".join(bits)


def run(profile: str = "cpu", global_checkpoint: str | None = None, global_backbone: str = "resnet18",
        seed: int = 0, write: bool = True, threads: int = 1, real_val: str | None = None,
        real_max: int | None = None, global_size: int | None = None) -> dict:
    import torch

    from synthgroup import GenConfig, Sources, make_sample
    from globalnet.data.transforms import ModelInput
    from globalnet.reference.detect import GroundTruthBoxes, HaarDetector, match_recall
    from globalnet.reference.face_model import FaceCropDataset, FaceResNet
    from globalnet.reference.fusion import fuse, search_fusion_weight
    from globalnet.reference.pipeline import global_scores, load_global_model
    from globalnet.reference.pool_attention import AttentionPooling
    from globalnet.reference.pooling import create_pooling
    from globalnet.reference.training import train_attention, train_face_model

    P = dict(PROFILES[profile])
    torch.manual_seed(seed)
    torch.set_num_threads(threads)   # small batches on a shared CPU: extra threads only spin
    t0 = time.time()
    gs = P["global_size"]
    if global_checkpoint:
        gmodel, g_input = load_global_model(global_checkpoint, None, global_size)
        ck_size, ck_about = _checkpoint_info(global_checkpoint)
        gs = g_input.size[0]
    train_small = None if global_checkpoint else np.zeros((P["n_train"], gs, gs, 3), np.uint8)

    def keep(k, sample):
        if train_small is not None:
            train_small[k] = _global_view(sample.image, gs)

    log(f"rendering {P['n_train']} training images")
    train_cfg = GenConfig(split="train", seed=0)
    crops = FaceCropDataset(train_cfg, P["n_train"], crop_size=P["crop_size"], on_sample=keep)
    log(f"{len(crops)} face crops")
    times = {}

    if not global_checkpoint:
        t = time.time()
        def fresh(ep):   # epoch e: samples e*n .. (e+1)*n-1 of the train config, never repeated
            n = P["n_train"]
            src = Sources(train_cfg)
            ims = np.zeros((n, gs, gs, 3), np.uint8)
            labs = np.zeros(n, np.int64)
            for k in range(n):
                smp = make_sample(train_cfg, src, ep * n + k)
                ims[k] = _global_view(smp.image, gs)
                labs[k] = smp.record["label"]
            return ims, labs

        gmodel = _train_global(train_small, crops.image_labels, global_backbone, P["global_epochs"], seed,
                               fresh=fresh)
        g_input = ModelInput.for_backbone(global_backbone, gs)
        times["global_train_s"] = time.time() - t
    train_small = None     # free the images (the closure above shares this cell)

    def train_faces(data, tag):
        """Per-face CNN on ``data``'s matched crops, then (on a copy) attention end to end."""
        t = time.time()
        fm = FaceResNet(3, P["crop_size"], P["face_width"])
        train_face_model(fm, data, epochs=P["face_epochs"], seed=seed, log=log)
        times[f"face_train_{tag}_s"] = time.time() - t
        t = time.time()
        att = AttentionPooling(fm.feature_dim)
        att_fm = copy.deepcopy(fm)
        train_attention(att_fm, att, data, epochs=P["attention_epochs"], seed=seed, log=log)
        times[f"attention_train_{tag}_s"] = time.time() - t
        return fm, att_fm, att

    import copy
    models = {"ground-truth": train_faces(crops, "gt")}
    log("Haar crops of the training images")
    t = time.time()
    haar_crops = FaceCropDataset(train_cfg, P["n_train"], crop_size=P["crop_size"], detector=HaarDetector())
    times["haar_train_crops_s"] = time.time() - t
    log(f"{len(haar_crops)} matched Haar crops ({len(haar_crops.all_crops)} detections)")
    models["haar"] = train_faces(haar_crops, "haar")
    del crops, haar_crops

    def render(cfg, n):
        src = Sources(cfg)
        samples = [make_sample(cfg, src, i) for i in range(n)]
        return [s.image for s in samples], [s.record for s in samples], \
            np.array([s.record["label"] for s in samples])

    val_im, val_rec, val_y = render(GenConfig(split="train", seed=1), P["n_val"])
    test_cfg = GenConfig(split="test", seed=TEST_SEED)
    test_im, test_rec, test_y = render(test_cfg, P["n_test"])
    log("scoring global model")
    def global_inputs(split, seed, n):
        """The same scenes rendered at the global model's own canvas (as the backbone benchmark
        and globalnet's synthetic validation render them), then its eval view."""
        c = max(96, round(gs * 256 / 224))
        cfg = GenConfig(size=(c, c), split=split, seed=seed)
        src = Sources(cfg)
        return [make_sample(cfg, src, i).image for i in range(n)]

    g_val = global_scores(gmodel, global_inputs("train", 1, P["n_val"]), g_input)
    g_test = global_scores(gmodel, global_inputs("test", TEST_SEED, P["n_test"]), g_input)
    g_pred = g_test.argmax(1)
    g_acc = float((g_pred == test_y).mean())
    rows = [dict(detector="-", method="global-only", **_metrics(g_pred, test_y), gap_pp=0.0,
                 no_face_images=0, face_weight="")]

    poolings = {"mean": create_pooling("mean"), "top3": create_pooling("top3")}
    detectors = {"ground-truth": GroundTruthBoxes(), "haar": HaarDetector()}
    recalls = {}
    chosen_weights = {}
    for dname, det in detectors.items():
        log(f"scoring faces with {dname} boxes")
        t = time.time()
        face_model, att_face, attention = models[dname]
        mods = [(face_model, poolings), (att_face, {"attention": attention})]
        val_s, _ = _face_scores(mods, val_im, val_rec, det)
        test_s, test_boxes = _face_scores(mods, test_im, test_rec, det)
        times[f"score_{dname}_s"] = time.time() - t
        recalls[dname] = float(np.mean([match_recall(b, [f["box"] for f in r["faces"]])
                                        for b, r in zip(test_boxes, test_rec)]))
        all_true = [f["box"] for r in test_rec for f in r["faces"]]
        found = sum(match_recall(b, [f["box"]]) for b, r in zip(test_boxes, test_rec) for f in r["faces"])
        recalls[dname + "_faces"] = float(found / len(all_true))
        for pname in ("mean", "top3", "attention"):
            s = test_s[pname]
            noface = np.isnan(s).any(1)
            pred = np.where(noface, -1, np.nan_to_num(s).argmax(1))
            m = _metrics(pred, test_y)
            rows.append(dict(detector=dname, method=f"face {pname}", **m,
                             gap_pp=100 * (m["accuracy"] - g_acc), no_face_images=int(noface.sum()),
                             face_weight=""))
            choice = search_fusion_weight(g_val, val_s[pname], val_y)
            chosen_weights[(dname, pname)] = choice.face_weight
            fused = fuse(g_test, s, choice.face_weight).argmax(1)
            m = _metrics(fused, test_y)
            rows.append(dict(detector=dname, method=f"fusion global+{pname}", **m,
                             gap_pp=100 * (m["accuracy"] - g_acc), no_face_images=int(noface.sum()),
                             face_weight=round(choice.face_weight, 2)))
    real_note = ""
    if real_val:
        from globalnet.data.gaf import GAFImages

        ds = GAFImages(real_val, split="val", allow_missing_classes=True)
        n = len(ds) if not real_max else min(len(ds), real_max)
        pick = np.linspace(0, len(ds) - 1, n).round().astype(int) if n < len(ds) else np.arange(n)
        log(f"real validation set {ds.root}: {n} of {len(ds)} images")
        t = time.time()
        r_im, r_y = [], []
        for i in pick:
            im, lab = ds[int(i)]
            r_im.append(im)
            r_y.append(lab)
        r_y = np.array(r_y)
        r_g = global_scores(gmodel, r_im, g_input)
        r_acc = float((r_g.argmax(1) == r_y).mean())
        rows.append(dict(detector="- (real val)", method="global-only", **_metrics(r_g.argmax(1), r_y),
                         gap_pp=0.0, no_face_images=0, face_weight=""))
        face_model, att_face, attention = models["haar"]
        mods = [(face_model, poolings), (att_face, {"attention": attention})]
        r_s, _ = _face_scores(mods, r_im, [{}] * len(r_im), detectors["haar"])
        for pname in ("mean", "top3", "attention"):
            sc = r_s[pname]
            noface = np.isnan(sc).any(1)
            m = _metrics(np.where(noface, -1, np.nan_to_num(sc).argmax(1)), r_y)
            rows.append(dict(detector="haar (real val)", method=f"face {pname}", **m,
                             gap_pp=100 * (m["accuracy"] - r_acc), no_face_images=int(noface.sum()),
                             face_weight=""))
            w = chosen_weights[("haar", pname)]
            m = _metrics(fuse(r_g, sc, w).argmax(1), r_y)
            rows.append(dict(detector="haar (real val)", method=f"fusion global+{pname}", **m,
                             gap_pp=100 * (m["accuracy"] - r_acc), no_face_images=int(noface.sum()),
                             face_weight=round(w, 2)))
        times["real_val_s"] = time.time() - t
        real_note = (f" Real validation rows: {n} images of {ds.root}, models trained on synthetic "
                     "data only, fusion weights from the synthetic validation set.")
    times["total_s"] = time.time() - t0
    protocol = {
        "profile": profile, **P, "test": f"GenConfig(split='test', seed={TEST_SEED}, size=224x224) "
        f"samples 0..{P['n_test'] - 1} (the backbone benchmark's test scenes; the global model "
        f"sees the backbone benchmark's own {gs} px images of them)",
        "train": f"GenConfig(split='train', seed=0) samples 0..{P['n_train'] - 1}",
        "val": f"GenConfig(split='train', seed=1) samples 0..{P['n_val'] - 1} (fusion weight)",
        "global": (f"checkpoint {Path(global_checkpoint).name} ({global_backbone}, {gs} px"
                   f"{'; ' + ck_about if ck_about else ''})" if global_checkpoint else
                   f"{global_backbone}, random init, {gs}px, {P['global_epochs']} epochs of {P['n_train']} "
                   f"fresh train renders each (samples 0..{P['n_train'] * P['global_epochs'] - 1}), "
                   "horizontal flips, AdamW one-cycle lr 2e-3"),
        "face_model": f"FaceResNet width {P['face_width']}, {P['crop_size']}px crops (+10% margin), "
                      f"{P['face_epochs']} epochs, group labels; one model per detector, trained on "
                      "that detector's crops of the train renders (Haar detections take the label of "
                      "the ground-truth face they overlap, IoU >= 0.3)",
        "attention": f"end to end on image bags, {P['attention_epochs']} epochs",
        "haar_recall_test_faces_iou0.3": recalls.get("haar_faces"),
    }
    payload = {"protocol": protocol, "rows": rows, "recalls": recalls, "times": times, "torch_threads": threads,
               "test_label_counts": np.bincount(test_y, minlength=3).tolist(), "machine": machine()}
    cols = ["detector", "method", "accuracy", "gap_pp", "recall_Positive", "recall_Neutral",
            "recall_Negative", "no_face_images", "face_weight"]
    md = ["# Price of privacy: global-only vs face-based reference (synthetic data)", "",
          "Protocol: " + "; ".join(f"**{k}**: {protocol[k]}" for k in
                                   ("test", "train", "val", "global", "face_model", "attention")) + ".",
          "", f"Test labels (Positive, Neutral, Negative): {payload['test_label_counts']}. "
          f"Face recall on the test images at IoU 0.3: Haar {recalls['haar_faces']:.3f}, "
          f"ground truth {recalls['ground-truth_faces']:.3f}. `gap_pp` = accuracy minus global-only "
          "accuracy, in percentage points. Face-only methods count images with no detected face as "
          "wrong; fusion falls back to the global score there. `face_weight` = face share chosen on "
          "validation." + real_note, "", markdown_table(rows, cols), "",
          f"Run time {times['total_s']:.0f} s on {machine()['cpus']} CPUs "
          f"({', '.join(f'{k} {v:.0f}' for k, v in times.items() if k != 'total_s')}).", "",
          "The face-based rows are individual-level processing (globalnet.reference) and are not "
          "part of the privacy-preserving product."]
    if g_acc < 0.4:
        md += ["", NOTE_WEAK_GLOBAL.format(acc=g_acc) if not global_checkpoint else
               f"**Caveat:** the global-only checkpoint is at chance level here (accuracy {g_acc:.3f}); "
               "the gaps measure that model, not the price of privacy."]
    if write:
        j, m = save("price_of_privacy" if profile == "cpu" else f"price_of_privacy_{profile}", payload, "\n".join(md))
        log(f"wrote {j} and {m}")
    print("\n".join(md))
    return payload


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--profile", choices=sorted(PROFILES), default="cpu")
    p.add_argument("--global-checkpoint", help="a trained global-only globalnet checkpoint (skips training)")
    p.add_argument("--global-backbone", default="resnet18")
    p.add_argument("--global-size", type=int, help="global model input size (default: the "
                   "checkpoint's training size, else the backbone's)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-write", action="store_true")
    p.add_argument("--real-val", help="a real labelled set (GAF layout: ROOT[/val]/{Positive,Neutral,"
                   "Negative}/*.jpg) scored with the Haar detector as extra rows")
    p.add_argument("--real-max", type=int, help="at most this many real images (evenly spaced)")
    p.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    a = p.parse_args(argv)
    run(a.profile, a.global_checkpoint, a.global_backbone, a.seed, write=not a.no_write, threads=a.threads,
        real_val=a.real_val, real_max=a.real_max, global_size=a.global_size)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
