"""Packaging: installable beside other packages (ranges, not pins), licensed, versioned once."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _pyproject() -> dict:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_dependencies_are_ranges_and_constraints_pin_them():
    proj = _pyproject()["project"]
    deps = proj["dependencies"]
    assert deps and not [d for d in deps if "==" in d], deps
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[name.lower().replace("_", "-")] = version
    for dep in ("torch", "torchvision", "albumentations", "numpy"):
        assert dep in pins, dep                 # the tested set is recorded


def test_license_version_and_packages():
    cfg = _pyproject()
    assert cfg["project"]["license"] == "MIT" and (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert "version" in cfg["project"]["dynamic"]
    assert cfg["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "synthgroup.__version__"}
    include = cfg["tool"]["setuptools"]["packages"]["find"]["include"]
    assert not [p for p in include if p.startswith("benchmarks")], include
    assert "weights/*.pt" in cfg["tool"]["setuptools"]["package-data"]["globalnet.zoo"]


@pytest.mark.parametrize("cli", ["synthgroup", "globalnet", "explain"])
def test_every_cli_has_version(cli):
    from synthgroup import __version__

    exe = Path(sys.executable).with_name(cli)
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", f"{cli}.cli"]
    r = subprocess.run(cmd + ["--version"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == f"{cli} {__version__}", r.stderr
