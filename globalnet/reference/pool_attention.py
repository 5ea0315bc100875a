"""``attention`` pooling (Gupta et al. 2018, variant C), trained end to end.

A small network scores each face feature (Linear-Tanh-Linear -> one logit per face), the softmax
over the image's faces gives weights that sum to one, the weighted sum of the features goes
through a linear classifier to the image's 3 classes. :func:`train_attention` trains it together
with the face CNN on bags of crops labelled with the *image* label.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .pooling import FacePooling


class AttentionPooling(nn.Module, FacePooling):
    name = "attention"
    needs_features = True

    def __init__(self, feature_dim: int = 256, hidden: int = 64, num_classes: int = 3):
        nn.Module.__init__(self)
        self.hidden = int(hidden)
        self.scorer = nn.Sequential(nn.Linear(feature_dim, hidden), nn.Tanh(), nn.Linear(hidden, 1))
        self.classifier = nn.Linear(feature_dim, num_classes)

    def weights(self, features: torch.Tensor) -> torch.Tensor:
        """Softmax attention weights ``(N,)`` of one image's face features ``(N, D)``."""
        return self.scorer(features).squeeze(-1).softmax(0)

    def forward(self, features: torch.Tensor):
        """``(logits (classes,), weights (N,))`` for one image's face features ``(N, D)``."""
        w = self.weights(features)
        return self.classifier((w[:, None] * features).sum(0)), w

    def _pool(self, probs, boxes, features):
        self.eval()
        return self(features.float())[0].softmax(-1)


def train_attention(face_model, attention: AttentionPooling, dataset, epochs: int = 2,
                    batch_images: int = 16, lr: float = 1e-3, backbone_lr: float = 2e-4,
                    seed: int = 0, max_steps: int | None = None, log=None) -> list[float]:
    """End-to-end training on image bags (``dataset.bags()``): face CNN + attention, image labels.

    The face CNN is updated with ``backbone_lr`` (0 freezes it; its BatchNorm stays in eval mode).
    Returns the step losses."""
    from .face_model import to_tensor

    bags = [(idx, lab) for idx, lab in dataset.bags() if len(idx)]
    rng = np.random.default_rng(seed)
    params = [{"params": attention.parameters(), "lr": lr}]
    if backbone_lr > 0:
        params.append({"params": face_model.parameters(), "lr": backbone_lr})
    opt = torch.optim.AdamW(params, weight_decay=1e-4)
    crops = dataset.all_crops
    losses, step = [], 0
    attention.train()
    face_model.eval()          # BatchNorm statistics from per-face training stay fixed
    total = (len(bags) + batch_images - 1) // batch_images * epochs if max_steps is None else max_steps
    while step < total:
        order = rng.permutation(len(bags))
        for s in range(0, len(order), batch_images):
            if step >= total:
                break
            chosen = [bags[i] for i in order[s:s + batch_images]]
            idx = np.concatenate([c[0] for c in chosen])
            x = to_tensor(crops[idx])
            if rng.random() < 0.5:
                x = x.flip(-1)
            with torch.set_grad_enabled(backbone_lr > 0):
                feats = face_model.features(x)
            logits, start = [], 0
            for c in chosen:
                logits.append(attention(feats[start:start + len(c[0])])[0])
                start += len(c[0])
            loss = F.cross_entropy(torch.stack(logits), torch.tensor([c[1] for c in chosen]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(float(loss.detach()))
            step += 1
            if log and step % 25 == 0:
                log(f"attention step {step}/{total} loss {np.mean(losses[-25:]):.3f}")
    attention.eval()
    return losses
