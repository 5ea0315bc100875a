"""The README's Python quick-start runs as written, against a temporary zoo entry of the name
it uses (the shipped model may not be installed on a checkout)."""
import re
from pathlib import Path

import numpy as np
import pytest
from test_zoo import trained_checkpoint, zoo_entry  # noqa: F401  (fixtures)

README = Path(__file__).resolve().parents[1] / "README.md"

pytestmark = pytest.mark.usefixtures("one_thread")


def quick_start() -> str:
    section = README.read_text().split("## Python quick-start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert blocks, "no python block in the README's Python quick-start"
    return blocks[0]


@pytest.mark.parametrize("zoo_entry", ["synth-resnet18"], indirect=True)
def test_python_quick_start_runs(zoo_entry, capsys):  # noqa: F811  (the imported fixture)
    code = quick_start()
    assert 'Predictor.from_checkpoint("synth-resnet18")' in code
    scope: dict = {}
    exec(compile(code, f"{README}:Python quick-start", "exec"), scope)
    assert scope["predictor"].checkpoint == "synth-resnet18"
    probs, heatmap = scope["probs"], scope["heatmap"]
    assert probs.shape == (3,) and np.isclose(probs.sum(), 1)
    assert heatmap.shape == scope["frame"].shape[:2] and 0 <= heatmap.min() <= heatmap.max() <= 1
    out = capsys.readouterr().out
    assert "predicted" in out and "gradcam" in out
