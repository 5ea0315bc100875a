"""Frame scores -> one video label. Pure numpy; no torch.

``probs`` is a ``(T, C)`` array of per-frame class probabilities (rows sum to 1; classes
0 Positive, 1 Neutral, 2 Negative). :func:`aggregate` returns ``(video_probs, label)``:

* ``"mean"`` -- **score averaging** (the paper's default): ``video_probs = mean_t p_t``,
  ``label = argmax``. Every frame counts equally, however confident it is.
* ``"sum"`` -- **score accumulation** as a *product of experts*: the per-frame
  log-probabilities are summed, ``s = sum_t log p_t``, and ``video_probs = softmax(s)``
  (i.e. ``prod_t p_t`` renormalised). This is the posterior of a naive-Bayes model that treats
  frames as independent evidence with a uniform prior. We sum log-probabilities, not raw
  probabilities, because a plain sum of probabilities is just ``T x mean`` and always gives the
  same label as ``"mean"``; summing logits would be equivalent to summing log-probabilities
  (``log p = z - logsumexp(z)`` differs from the logits ``z`` by a per-frame constant, which
  softmax ignores), but working from probabilities keeps this function independent of the
  model. Unlike the mean, confident frames dominate and a class that some frames rule out
  almost entirely (p ~ 0) is vetoed; the returned distribution sharpens as T grows, so read it
  as a ranking, not a calibrated probability. Probabilities are clipped at ``EPS`` before
  the log so an exact 0 does not give -inf.
* ``"vote"`` -- **majority vote**: each frame votes for its argmax class; ``video_probs`` are
  the vote fractions; the label is the class with most votes. Ties are broken by the higher
  mean probability among the tied classes (score averaging restricted to them), then by the
  lower class id.
"""
from __future__ import annotations

import numpy as np

METHODS = ("mean", "sum", "vote")
METHOD_HELP = {
    "mean": "score averaging: mean of frame probabilities (paper default)",
    "sum": "score accumulation: sum of frame log-probabilities (product of experts)",
    "vote": "majority vote of frame labels (ties: higher mean probability)",
}
EPS = 1e-12


def _check(probs) -> np.ndarray:
    p = np.asarray(probs, dtype=np.float64)
    if p.ndim == 1:
        p = p[None, :]
    if p.ndim != 2 or p.shape[1] < 1:
        raise ValueError(f"probs must be a (frames, classes) array, got shape {np.shape(probs)}")
    if p.shape[0] == 0:
        raise ValueError("cannot aggregate zero frames")
    if not np.all(np.isfinite(p)):
        raise ValueError("probs contain NaN or infinite values")
    return p


def _softmax(s: np.ndarray) -> np.ndarray:
    e = np.exp(s - s.max())
    return e / e.sum()


def aggregate(probs, method: str = "mean") -> tuple[np.ndarray, int]:
    """``(video_probs, label)`` of ``(T, C)`` frame probabilities by ``method`` (see module doc)."""
    if method not in METHODS:
        raise ValueError(f"unknown aggregation method {method!r}; choose one of {', '.join(METHODS)}")
    p = _check(probs)
    if method == "mean":
        v = p.mean(axis=0)
        return v, int(np.argmax(v))
    if method == "sum":
        v = _softmax(np.log(np.clip(p, EPS, None)).sum(axis=0))
        return v, int(np.argmax(v))
    # vote
    c = p.shape[1]
    counts = np.bincount(p.argmax(axis=1), minlength=c).astype(np.float64)
    v = counts / counts.sum()
    tied = np.flatnonzero(counts == counts.max())
    if len(tied) == 1:
        return v, int(tied[0])
    mean = p.mean(axis=0)
    best = tied[np.flatnonzero(mean[tied] == mean[tied].max())]
    return v, int(best.min())


def aggregate_all(probs, methods=METHODS) -> dict[str, tuple[np.ndarray, int]]:
    """``{method: (video_probs, label)}`` for several methods at once."""
    return {m: aggregate(probs, m) for m in methods}


__all__ = ["METHODS", "METHOD_HELP", "EPS", "aggregate", "aggregate_all"]
