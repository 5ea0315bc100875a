"""Exactly one module opens videos: ``globalnet/video.py``.

Every Python file of the project outside ``tests/`` and ``benchmarks/`` is parsed with ``ast``;
a call of ``cv2.VideoCapture`` or ``av.open`` (under any alias, or imported by name) anywhere
else is reported with its file and line.
"""
from __future__ import annotations

import ast
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
VIDEO_MODULE = Path("globalnet/video.py")
EXEMPT = ("tests", "benchmarks")
OPENERS = {("cv2", "VideoCapture"), ("av", "open")}


def _project_files() -> list[Path]:
    out = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.py"],
                         cwd=ROOT, capture_output=True, text=True)
    if out.returncode == 0:
        files = [Path(line) for line in out.stdout.splitlines() if line]
    else:   # not a git checkout: every file but the build output
        files = [p.relative_to(ROOT) for p in ROOT.rglob("*.py")
                 if not {"build", ".git"} & set(p.relative_to(ROOT).parts)]
    return sorted(f for f in files if f.parts[0] not in EXEMPT and (ROOT / f).is_file())


def video_openers(source: str) -> list[int]:
    """Lines of ``source`` that call ``cv2.VideoCapture(`` or ``av.open(`` (aliases too)."""
    tree = ast.parse(source)
    modules: dict[str, str] = {}          # local name -> "cv2" / "av"
    direct: set[str] = set()              # local names bound to an opener itself
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name in ("cv2", "av"):
                    modules[a.asname or a.name] = a.name
        elif isinstance(node, ast.ImportFrom) and node.module in ("cv2", "av"):
            for a in node.names:
                if (node.module, a.name) in OPENERS:
                    direct.add(a.asname or a.name)
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) \
                and (modules.get(f.value.id, f.value.id), f.attr) in OPENERS:
            lines.append(node.lineno)
        elif isinstance(f, ast.Name) and f.id in direct:
            lines.append(node.lineno)
    return sorted(lines)


def test_the_checker_sees_every_spelling():
    src = ("import cv2\nimport av as pyav\nfrom cv2 import VideoCapture as VC\n"
           "cv2.VideoCapture(0)\npyav.open('x')\nVC('y')\nav.open('z')\ncv2.imread('a')\n"
           "open('b')\n")
    assert video_openers(src) == [4, 5, 6, 7]


def test_only_the_video_module_opens_videos():
    files = _project_files()
    assert VIDEO_MODULE in files and len(files) > 40, files
    found = {f: video_openers((ROOT / f).read_text(encoding="utf-8")) for f in files}
    assert found[VIDEO_MODULE], "the video module opens no video: is the checker blind?"
    others = {str(f): lines for f, lines in found.items() if lines and f != VIDEO_MODULE}
    assert not others, f"videos opened outside {VIDEO_MODULE}: {others}"


@pytest.mark.parametrize("needle", ["cv2.VideoCapture(", "av.open("])
def test_no_other_file_spells_an_opener(needle):
    """The same by text, so a call the parser does not see (in a string passed to exec, say)
    is still caught."""
    offenders = [str(f) for f in _project_files()
                 if f != VIDEO_MODULE and needle in (ROOT / f).read_text(encoding="utf-8")]
    assert not offenders, offenders
