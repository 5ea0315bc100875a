#!/usr/bin/env bash
# The configuration that took a from-scratch, global-only ResNet18 past 90 % on synthetic task (b)
# (3 classes, 1-9 faces; benchmarks/results/synthetic_validation.md) on a 2-core CPU:
# 224 px, bfloat16 mixed precision, batch 64, AdamW, a single-face curriculum at 64 px, then
# task images in stages. Each stage continues from the previous stage's checkpoint (--init) on
# new images (its own --seed) under its own one-cycle schedule, so the run can stop after any
# stage and a stage that is interrupted costs only itself. About 2.6 hours of training on this machine.
# The zoo model synth-resnet18 is this chain's output, exported with
# `globalnet models --export CK --out globalnet/zoo/weights/synth-resnet18.pt`. A stage's line run
# alone continues from any earlier stage's checkpoint or from a zoo name (--init synth-resnet18).
#
#     bash benchmarks/recipes/resnet18_task_b.sh [OUT_DIR]      # default runs/resnet18_task_b
#
# Every stage appends its row (accuracy, + flip TTA, confusion) to the results table.
set -euo pipefail
OUT="${1:-runs/resnet18_task_b}"
SV="python -m benchmarks.synthetic_validation --task b --backbones resnet18 --size 224 --min-crop-scale 0.85"
CK=b-resnet18-224.pt
$SV --images 64000 --curriculum 1:0.7-0.95:96000@64 --save "$OUT/stage1"
$SV --images 48000 --init "$OUT/stage1/$CK" --seed 1 --lr 0.001 --save "$OUT/stage2"
$SV --images 80000 --init "$OUT/stage2/$CK" --seed 2 --lr 0.001 --save "$OUT/stage3"
$SV --images 96000 --init "$OUT/stage3/$CK" --seed 3 --lr 0.001 --save "$OUT/stage4"
$SV --images 64000 --init "$OUT/stage4/$CK" --seed 4 --lr 0.0005 --save "$OUT/stage5"
