import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
# datasets and huggingface_hub read their cache folders once, when imported (before any fixture
# runs): a fresh one per session, or `load_dataset(DIR)` serves a table cached by an earlier run
# from the user's ~/.cache (its cache key does not see that the folder's files changed)
_HF_HOME = tempfile.mkdtemp(prefix="synthgroup-tests-hf-")
os.environ["HF_HOME"] = _HF_HOME
os.environ["HF_DATASETS_CACHE"] = os.path.join(_HF_HOME, "datasets")
atexit.register(shutil.rmtree, _HF_HOME, True)


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Never write caches into the user's home during tests."""
    cache = tmp_path_factory.getbasetemp() / "synthgroup-cache"
    monkeypatch.setenv("SYNTHGROUP_CACHE", str(cache))


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
