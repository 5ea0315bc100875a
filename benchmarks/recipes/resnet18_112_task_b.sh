#!/usr/bin/env bash
# The small fast CPU model synth-resnet18-112: synth-resnet18 (the recipe resnet18_task_b.sh)
# fine-tuned at 112 px on synthetic task (b) (3 classes, 1-9 faces), the same held-out test scenes.
# A quarter of the pixels, so about a quarter of the compute per frame; the faces are 18-47 px tall
# instead of 36-94, so it trades accuracy for speed. Each stage continues from the previous
# stage's checkpoint (--init) on new images (its own --seed) under its own one-cycle schedule.
# The zoo model is the last stage's output, exported with
# `globalnet models --export CK --out globalnet/zoo/weights/synth-resnet18-112.pt`.
#
#     bash benchmarks/recipes/resnet18_112_task_b.sh [OUT_DIR]      # default runs/resnet18_112_task_b
#
# Every stage appends its row (accuracy, + flip TTA, confusion) to the results table.
#
# STATUS (2026-12-01): 68.4 % after stage 1, 70.6 % after stage 2 (flip TTA 72.4 %): far from
# the 85 % a shipped fast model needs, and a second
# ResNet18 file would break the 40 MB budget, so synth-resnet18-112 does not ship. It is kept
# as the weaker trained model of the issue-15 tables (background_counting, identity_leakage).
set -euo pipefail
OUT="${1:-runs/resnet18_112_task_b}"
SV="python -m benchmarks.synthetic_validation --task b --backbones resnet18 --size 112 --min-crop-scale 0.85"
CK=b-resnet18-112.pt
$SV --images 64000 --init synth-resnet18 --seed 11 --lr 0.001 --save "$OUT/stage1"
$SV --images 64000 --init "$OUT/stage1/$CK" --seed 12 --lr 0.0005 --save "$OUT/stage2"
