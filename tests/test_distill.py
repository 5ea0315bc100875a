"""Knowledge distillation: the loss and a student distilled from a teacher checkpoint."""
import json

import pytest
import torch
import torch.nn.functional as F

from globalnet.distill import distillation_loss
from globalnet.errors import GlobalNetError


def test_distillation_loss_terms():
    torch.manual_seed(0)
    s, t = torch.randn(8, 3, requires_grad=True), torch.randn(8, 3)
    y = torch.randint(0, 3, (8,))
    ce = F.cross_entropy(s, y)
    assert torch.allclose(distillation_loss(s, y, t, alpha=0.0), ce)
    # a student that already equals its teacher pays only the hard-label part
    assert torch.allclose(distillation_loss(s, y, s.detach(), alpha=0.7), 0.3 * ce, atol=1e-6)
    # the soft term pulls the student's tempered distribution towards the teacher's
    loss = distillation_loss(s, y, t, temperature=3.0, alpha=1.0)
    loss.backward()
    with torch.no_grad():
        moved = s - 0.5 * s.grad
        kl = lambda a: F.kl_div(F.log_softmax(a / 3, 1), F.log_softmax(t / 3, 1), log_target=True,  # noqa: E731
                                reduction="batchmean")
        assert kl(moved) < kl(s)
    for bad in ({"temperature": 0.0}, {"alpha": 1.5}):
        with pytest.raises(GlobalNetError, match="temperature > 0"):
            distillation_loss(s, y, t, **bad)


def test_synthetic_validation_with_a_teacher(tmp_path):
    """--teacher distils a saved model into a student of another backbone and size; the row
    records the teacher."""
    from benchmarks.synthetic_validation import main

    assert main(["--profile", "quick", "--results", str(tmp_path), "--backbones", "resnet18",
                 "--task", "b", "--quiet", "--images", "16", "--save", str(tmp_path / "t"),
                 "--amp", "off"]) == 0
    teacher = tmp_path / "t" / "b-resnet18-80.pt"
    assert main(["--profile", "quick", "--results", str(tmp_path), "--backbones", "squeezenet1_1",
                 "--task", "b", "--quiet", "--images", "16", "--size", "64", "--amp", "off",
                 "--teacher", str(teacher), "--kd-temperature", "2", "--kd-alpha", "0.5"]) == 0
    row = json.loads((tmp_path / "synthetic_validation_quick.jsonl").read_text().splitlines()[-1])
    assert row["teacher"] == {"checkpoint": str(teacher), "backbone": "resnet18",
                              "temperature": 2.0, "alpha": 0.5}
    assert "b-resnet18-80.pt (resnet18, T=2.0, alpha=0.5)" in \
        (tmp_path / "synthetic_validation_quick.md").read_text()
    # a teacher for the 2-class task is one message
    assert main(["--profile", "quick", "--results", str(tmp_path), "--backbones", "squeezenet1_1",
                 "--task", "a", "--quiet", "--images", "16", "--teacher", str(teacher)]) == 2
