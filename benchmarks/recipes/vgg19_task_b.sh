#!/usr/bin/env bash
# The paper's VGG19 (and vgg19_mod, its deeper fully connected head) trained here on synthetic
# task (b) (3 classes, 1-9 faces) on a 2-core CPU, at 160 px: at 112 px the faces are 18-47 px
# tall, and even ResNet18 fine-tuned there from synth-resnet18 stayed near 70 %. Plain VGG19 from
# scratch stalls at chance (loss ln 3), so three things are meant to help it:
#   - BatchNorm after every convolution while training, folded into the convolutions afterwards
#     (--batchnorm-fold): the saved checkpoint is the plain architecture, the same function;
#   - knowledge distillation from the shipped synth-resnet18 (it sees the student's batch
#     resized to its 224 px), whose soft targets say how Neutral a Negative scene looks (--teacher);
#   - the single-large-face curriculum at 64 px before the task's own images.
# Each stage continues from the previous one (--init; the unfolded BatchNorm state rides along in
# the checkpoint) on new images (its own --seed) under its own one-cycle schedule.
# The weights do not ship (about 280 MB in half precision); this file reproduces them.
#
#     bash benchmarks/recipes/vgg19_task_b.sh [OUT_DIR] [BACKBONE]   # default runs/vgg19_task_b vgg19
#
# Every stage appends its row (accuracy, + flip TTA, confusion) to the results table.
#
# STATUS: not yet a working recipe. Stage 1 as written (2026-12-01, 49 min) learned the single
# faces of the curriculum, then collapsed on the task images to an almost constant output
# (33.3 %, every scene Negative), the same with and without the BatchNorm folded (the fold is
# exact to 6e-8). Next to try: a lower learning rate for the 100 M-parameter classifier, less
# dropout, the teacher's accuracy on its upsampled 160 px input, a warm start from a VGG11.
# Found since: that run distilled the teacher on the curriculum's single faces too, where its
# soft targets kept the loss at the chance level (0.34 for all 250 curriculum batches; the same
# held resnet18_slim at 0.33 for 400 batches); synthetic_validation now distils on the task
# images only, and the slim network learned at once. This stage has not been rerun since.
set -euo pipefail
OUT="${1:-runs/vgg19_task_b}"
NET="${2:-vgg19}"
SV="python -m benchmarks.synthetic_validation --task b --backbones $NET --size 160 --min-crop-scale 0.85 --batchnorm-fold --teacher synth-resnet18"
CK=b-$NET-160.pt
$SV --images 32000 --curriculum 1:0.7-0.95:16000@64 --lr 0.0005 --save "$OUT/stage1"
