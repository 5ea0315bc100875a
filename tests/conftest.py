import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Never write caches into the user's home during tests."""
    cache = tmp_path_factory.getbasetemp() / "synthgroup-cache"
    monkeypatch.setenv("SYNTHGROUP_CACHE", str(cache))
    monkeypatch.setenv("HF_HOME", str(tmp_path_factory.getbasetemp() / "hf-home"))


@pytest.fixture(scope="module")
def one_thread():
    """Tiny batches run faster on one intra-op thread, and much faster on a busy machine
    (``pytestmark = pytest.mark.usefixtures("one_thread")`` in a module)."""
    import torch
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def run_cli(*args, cwd=None, timeout=300):
    """Run the installed `synthgroup` entry point the way a user would."""
    import subprocess
    exe = Path(sys.executable).with_name("synthgroup")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "synthgroup.cli"]
    return subprocess.run(cmd + [str(a) for a in args], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout)
