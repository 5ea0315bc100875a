"""Fast Score-CAM: grad-cam's ``ScoreCAM`` arithmetic, batched, in inference mode, with
every redundant forward pass removed.

The maths is exactly grad-cam's (``pytorch_grad_cam/score_cam.py`` + ``BaseCAM``):

1. ``A`` = target-layer activations ``(C, h, w)`` of the input ``x``;
2. each map is upsampled to the input size with ``UpsamplingBilinear2d`` (``align_corners=True``)
   and min-max normalised: ``M_k = (U(A_k) - min) / (max - min + 1e-8)``;
3. score ``s_k`` = target logit of ``model(x * M_k)`` (grad-cam's ``ClassifierOutputTarget``:
   the raw logit, not a softmax probability);
4. weights ``w = softmax_k(s)``; CAM = ``ReLU(sum_k w_k A_k)``, resized to the input and
   min-max scaled (grad-cam's ``scale_cam_image``).

What makes it faster, in **exact** mode (default, ``topk=None``):

* **constant channels are evaluated once**: a constant map normalises to all zeros, so every
  such channel masks the input to the same all-zero tensor and gets the same score; one forward
  pass of ``zeros`` serves them all. (For a dead ReLU channel - the common case - ``A_k = 0``
  and the channel adds nothing to the CAM; the one score keeps the arithmetic identical.)
* **duplicate channels are evaluated once**: channels whose low-resolution normalised maps are
  equal give the same masked input (typically sparse channels firing at one location);
* **one pass serves every class**: the masked forwards do not depend on the target, so the
  maps of all classes (``targets="all"``) cost the same as one;
* batched (``batch_size`` masked inputs per forward, default 32) under ``torch.inference_mode``
  with no grad-cam hooks on the model;
* optional ``precision="bfloat16"``: the masked forwards run on a bfloat16, channels-last copy
  of the model (about 2x on CPUs with AMX/AVX512-BF16). Not bit-exact: maps differ from float32
  by rounding only (correlation > 0.99 measured); the default is ``"float32"``.
* optional ``precision="int8"`` (CPU only): the masked forwards run on a post-training static
  int8 copy of the model (``torch.ao`` FX graph mode, ``x86`` engine: oneDNN/FBGEMM kernels,
  AMX/VNNI where the CPU has them; VGG19 at 224 on this CPU: 22 ms compiled bf16 -> 11 ms).
  Activation scales are calibrated once per explainer, on the first image's first batch of
  masked inputs (the distribution the scoring model sees), so the first image pays for
  tracing + calibration (~10 s for VGG19) and later images reuse the scales. Every channel is
  still evaluated (exact Score-CAM arithmetic); only the scores carry int8 rounding - the map's
  correlation with grad-cam's is reported by ``benchmarks/scorecam_speed.py``, measured on an
  image other than the calibration one. ``torch.ao.quantization`` is deprecated upstream
  (in favour of torchao's pt2e, whose inductor int8 path fails on this torch) but ships with
  the pinned torch.
* optional ``compile=True``: the scoring model goes through ``torch.compile`` (inductor, weights
  frozen as constants, one static batch shape: full batches run compiled, a shorter last batch
  runs on the same model uncompiled, so nothing is padded and nothing recompiles). Compiling
  costs tens of seconds once per explainer, then each masked forward is cheaper (VGG19 bf16 at
  224 on this CPU: 35 -> 22 ms); it pays off from the first image on for a report over many
  frames. Needs a C++ compiler (inductor's CPU backend).

Because the softmax denominator is common to all channels and the final map is min-max
normalised, only ``exp(s_k)`` ratios matter - which is why skipping/merging is exact.

**Approximate** mode, ``topk=k``: only the ``k`` channels with the largest mean activation (a
cheap proxy for their share of ``sum_k w_k A_k``) are evaluated. Every other non-constant
channel needs a stand-in score (``fill``):

* ``"baseline"`` (default): the score of the all-zero input, i.e. it is treated like a channel
  whose mask carries no information (a constant channel). On an untrained network, where all
  scores are nearly equal, this keeps the near-uniform weights; on a trained one the skipped,
  weakly active channels get the low weight they mostly have;
* ``"mean"``: the mean exponentiated score of the evaluated channels. Hundreds of skipped
  channels at the average weight drown the evaluated ones: on a trained ResNet18 the map falls
  back to the uniform-weights map ``ReLU(mean_k A_k)``;
* ``"zero"``: dropped (weight 0).

Cost: ``k`` + 1 forwards instead of ``C``. The map is no longer exact; its correlation with
grad-cam's map is reported by ``benchmarks/scorecam_speed.py``, beside the uniform-weights
control (no forward at all), which shows whether a network's scores are spread enough for the
correlation to mean anything.
"""
from __future__ import annotations

import copy

import numpy as np
import torch

from .base import Explainer, ExplainError, bfloat16_copy, logits_of, resolve_precision


PRECISIONS = ("float32", "bfloat16", "int8", "auto")   # auto: bfloat16 where native, else float32
FILLS = ("baseline", "mean", "zero")     # stand-in score of a channel top-k did not evaluate


def quantize_int8(model: torch.nn.Module, calibration: torch.Tensor) -> torch.nn.Module:
    """Post-training static int8 copy of ``model`` (FX graph mode, ``x86`` engine), activation
    scales observed on ``calibration`` (float32 ``(N, 3, H, W)``). Raises ExplainError if the
    model cannot be traced."""
    import warnings

    from torch.ao.quantization import get_default_qconfig_mapping
    from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx

    engine = "x86"
    if engine not in torch.backends.quantized.supported_engines:
        raise ExplainError(f"precision='int8' needs the quantized engine {engine!r}; this torch "
                           f"has {torch.backends.quantized.supported_engines}")
    previous = torch.backends.quantized.engine
    try:
        torch.backends.quantized.engine = engine
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")        # torch.ao.quantization deprecation notices
            wrapped = copy.deepcopy(model).cpu().eval()
            try:
                prepared = prepare_fx(wrapped, get_default_qconfig_mapping(engine),
                                      (calibration[:1],))
            except Exception as e:
                raise ExplainError(f"precision='int8': the model cannot be traced for "
                                   f"quantization ({type(e).__name__}: "
                                   f"{str(e).splitlines()[0][:200]}); use bfloat16") from None
            with torch.no_grad():
                prepared(calibration)
            return convert_fx(prepared).eval()
    finally:
        torch.backends.quantized.engine = previous


class FastScoreCAMExplainer(Explainer):
    name = "fast-scorecam"
    description = "Score-CAM, batched / deduplicated (exact; topk=k approximate)"

    def __init__(self, *args, topk: int | None = None, batch_size: int = 32,
                 precision: str = "float32", fill: str = "baseline", compile: bool = False,
                 **kwargs):
        super().__init__(*args, **kwargs)
        if topk is not None and int(topk) < 1:
            raise ExplainError(f"topk must be >= 1 or None, not {topk!r}")
        if precision == "int8" and compile:
            raise ExplainError("precision='int8' runs quantized kernels eagerly; compile=True "
                               "applies to float32/bfloat16 only")
        if precision == "int8" and self.device.type != "cpu":
            raise ExplainError(f"precision='int8' runs on the CPU only, not on {self.device}")
        if fill not in FILLS:
            raise ExplainError(f"fill must be one of {', '.join(FILLS)}, not {fill!r}")
        precision = resolve_precision(precision, self.device, "fast-scorecam", PRECISIONS)
        self.topk = None if topk is None else int(topk)
        self.batch_size = max(1, int(batch_size))
        self.precision = precision
        self.fill = fill
        self.approximate = self.topk is not None
        self.compile = bool(compile)
        self._bf16_model = None
        self._int8_model = None
        self._compiled = None
        self.last_extra: dict = {}

    # ----------------------------------------------------------------- forward of masked inputs
    def _score_model(self, first_batch: torch.Tensor):
        if self.precision == "int8":
            if self._int8_model is None:
                with torch.inference_mode(False):     # plain tensors in the quantized model
                    self._int8_model = quantize_int8(self.model, first_batch.float().clone())
            return self._int8_model, torch.float32, torch.contiguous_format
        if self.precision == "float32":
            return self.model, torch.float32, torch.contiguous_format
        if self._bf16_model is None:
            self._bf16_model = bfloat16_copy(self.model)
        return self._bf16_model, torch.bfloat16, torch.channels_last

    def _compiled_model(self, model):
        if self._compiled is None:
            self._compiled = torch.compile(model, dynamic=False, options={"freezing": True})
        return self._compiled

    def _scores(self, masked_source, count: int) -> tuple[torch.Tensor, int]:
        """Logits ``(count, C)`` of ``masked_source(i0, i1)`` batches (float32 on CPU), and how
        many of the ``count`` inputs went through the compiled model."""
        out = []
        n_compiled = 0
        with torch.no_grad() if self.compile else torch.inference_mode():
            for i in range(0, count, self.batch_size):
                batch = masked_source(i, min(count, i + self.batch_size))
                if i == 0:
                    eager, dtype, fmt = self._score_model(batch)
                    compiled = self._compiled_model(eager) if self.compile else None
                n = batch.shape[0]
                # one static shape: a short last batch runs eagerly (no padding, no recompile)
                model = compiled if compiled is not None and n == self.batch_size else eager
                n_compiled += n if model is compiled else 0
                batch = batch.to(dtype).contiguous(memory_format=fmt)
                try:
                    logits = logits_of(model(batch))
                except Exception as e:
                    if not self.compile:
                        raise
                    raise ExplainError(f"fast-scorecam compile=True: torch.compile failed "
                                       f"({type(e).__name__}: {str(e).splitlines()[0][:200]}); "
                                       "it needs a C++ compiler, or use compile=False") from None
                out.append(logits.float().cpu())
        return (torch.cat(out) if out else torch.zeros(0)), n_compiled

    # ----------------------------------------------------------------- the hook
    def _attribute_multi(self, x, targets, activations):
        if activations is None or activations.ndim != 4:
            raise ExplainError(f"fast-scorecam needs a 4-D activation from the target layer, got "
                               f"{None if activations is None else tuple(activations.shape)}")
        maps, extras = [], []
        for n in range(x.shape[0]):
            m, extra = self._one_image(x[n:n + 1], targets[n], activations[n].float())
            maps.append(m)
            extras.append(extra)
        self.last_extra = extras[0] if len(extras) == 1 else {
            k: [e[k] for e in extras] for k in extras[0]}
        return torch.stack(maps)

    def _one_image(self, x, targets, acts):
        c, h, w = acts.shape
        size = tuple(x.shape[-2:])
        acts_cpu = acts.cpu()                  # bookkeeping on the CPU, masked forwards on device
        flat = acts_cpu.reshape(c, -1)
        lo, hi = flat.min(1).values, flat.max(1).values
        const = hi == lo
        active = (~const).nonzero().flatten()
        # duplicates: identical low-resolution normalised maps -> identical masked inputs
        norm_low = (flat[active] - lo[active, None]) / (hi - lo)[active, None]
        if len(active):
            uniq, inverse = torch.unique(norm_low, dim=0, return_inverse=True)
            first = torch.full((len(uniq),), len(active), dtype=torch.long)
            first.scatter_reduce_(0, inverse, torch.arange(len(active)), reduce="amin")
            reps = active[first]                       # one channel per distinct map
        else:
            inverse = torch.zeros(0, dtype=torch.long)
            reps = active
        evaluated = reps
        if self.topk is not None and len(reps) > self.topk:
            order = flat[reps].mean(1).argsort(descending=True)
            evaluated = reps[order[:self.topk]]
        evaluated_dev = evaluated.to(acts.device)
        upsample = torch.nn.UpsamplingBilinear2d(size=size)

        n_eval = len(evaluated)
        skipped = n_eval < len(reps)
        # constant maps all mask x to zeros; "baseline" gives skipped channels that score too
        with_zero = bool(const.any()) or n_eval == 0 or (skipped and self.fill == "baseline")

        def masked(i0, i1):           # the evaluated channels' masked inputs, then the zero input
            j1 = min(i1, n_eval)
            parts = []
            if i0 < j1:
                a = upsample(acts[evaluated_dev[i0:j1]][None])[0]    # (b, H, W)
                af = a.reshape(a.shape[0], -1)
                mn, mx = af.min(1).values, af.max(1).values
                a = (a - mn[:, None, None]) / (mx - mn + 1e-8)[:, None, None]
                parts.append(x[0][None] * a[:, None])                # (b, 3, H, W)
            if i1 > n_eval:
                parts.append(torch.zeros_like(x))
            return parts[0] if len(parts) == 1 else torch.cat(parts)

        scores_all, n_compiled = self._scores(masked, n_eval + with_zero)   # (E [+1], classes)
        scores_eval = scores_all[:n_eval]
        zero_score = scores_all[n_eval] if with_zero else None
        n_classes = scores_all.shape[1]
        scores = torch.full((c, n_classes), float("nan"))
        if zero_score is not None:
            scores[const] = zero_score
        scores[evaluated] = scores_eval
        if len(active):                                               # copy to duplicates
            rep_of_active = reps[inverse]
            scores[active] = scores[rep_of_active]
        known = ~torch.isnan(scores[:, 0])
        maps = []
        for t in targets.tolist():
            s = scores[:, t].clone()
            if skipped:                                               # top-k approximation
                if self.fill == "baseline":
                    s[~known] = zero_score[t]
                elif self.fill == "mean":
                    ev = s[evaluated]
                    s[~known] = torch.logsumexp(ev, 0) - np.log(len(ev))
                else:
                    s[~known] = -float("inf")
            wts = torch.softmax(s.double(), 0).float()
            cam = torch.relu((wts[:, None, None] * acts_cpu).sum(0))
            maps.append(cam)
        extra = {"channels": c, "constant": int(const.sum()),
                 "duplicates": int(len(active) - len(reps)),
                 "evaluated": int(len(evaluated)),
                 "forwards": int(n_eval + with_zero),
                 "compiled_forwards": n_compiled,
                 "topk": self.topk, "fill": self.fill if skipped else None,
                 "precision": self.precision, "compile": self.compile}
        return torch.stack(maps), extra
