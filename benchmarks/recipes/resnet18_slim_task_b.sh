#!/usr/bin/env bash
# The small fast CPU model synth-resnet18-slim: resnet18_slim (torchvision's ResNet18 at 3/8
# width, 24-48-96-192 channels, 1.6 M parameters) trained from scratch on synthetic task (b)
# (3 classes, 1-9 faces) at 224 px, so the faces stay 36-94 px tall (at 112 px even a ResNet18
# fine-tuned from synth-resnet18 stayed near 70 %: resnet18_112_task_b.sh). The single-face
# curriculum at 64 px learns from the hard labels; on the task's own images the student also
# distils the shipped synth-resnet18 (--teacher: T = 4, alpha = 0.7), whose soft targets say how
# Neutral a Negative scene looks. Each stage continues from the previous stage's checkpoint
# (--init) on new images (its own --seed) under its own one-cycle schedule.
# The zoo model is the last stage's output, exported with
# `globalnet models --export CK --out globalnet/zoo/weights/synth-resnet18-slim.pt`.
#
#     bash benchmarks/recipes/resnet18_slim_task_b.sh [OUT_DIR]   # default runs/resnet18_slim_task_b
#
# Every stage appends its row (accuracy, + flip TTA, confusion) to the results table.
#
# RECORD (2026-12-01, this 2-core AMX machine): stage 1 73.3 % (flip TTA 76.1 %), 25 min;
# stage 2 84.8 % (85.2 %), 32 min; stage 3 89.3 % (89.8 %), 43 min (helpers shared the CPU):
# the shipped synth-resnet18-slim (89.3 % / 89.8 % as shipped in half precision, zoo_models.md).
set -euo pipefail
OUT="${1:-runs/resnet18_slim_task_b}"
SV="python -m benchmarks.synthetic_validation --task b --backbones resnet18_slim --size 224 --min-crop-scale 0.85 --teacher synth-resnet18"
CK=b-resnet18_slim-224.pt
$SV --images 64000 --curriculum 1:0.7-0.95:64000@64 --save "$OUT/stage1"
$SV --images 96000 --init "$OUT/stage1/$CK" --seed 1 --lr 0.002 --save "$OUT/stage2"
$SV --images 96000 --init "$OUT/stage2/$CK" --seed 2 --lr 0.001 --save "$OUT/stage3"
