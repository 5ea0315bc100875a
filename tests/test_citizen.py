"""Good citizen: no global matplotlib state in library code, every cache under one root that
follows XDG_CACHE_HOME, and a contact sheet whose text grows with --scale and whose boxes show on
any background."""
import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from synthgroup.labels import CLASS_NAMES, emotion_groups
from synthgroup.preview import GROUP_COLOURS, annotate

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = sorted(p for pkg in ("synthgroup", "globalnet", "explain") for p in (ROOT / pkg).rglob("*.py"))


# ------------------------------------------------------------------------------ matplotlib
def _global_matplotlib_uses(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name in ("matplotlib.pyplot", "pylab")]
        elif isinstance(node, ast.ImportFrom):
            if node.module in ("matplotlib.pyplot", "pylab") or (
                    node.module == "matplotlib" and any(a.name == "pyplot" for a in node.names)):
                found.append(f"from {node.module} import ...")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "use" and isinstance(node.func.value, ast.Name)
              and node.func.value.id in ("matplotlib", "mpl")):
            found.append(f"{node.func.value.id}.use()")
    return found


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: str(p.relative_to(ROOT)))
def test_library_code_never_touches_pyplot_or_the_backend(path):
    assert _global_matplotlib_uses(ast.parse(path.read_text(), str(path))) == []


def test_plots_leave_a_notebooks_backend_and_figures_alone(tmp_path):
    code = textwrap.dedent(f"""
        import sys, matplotlib
        matplotlib.use("svg")
        from globalnet.evaluate import plot_confusion
        from globalnet.timeline import plot_series
        plot_confusion([[3, 1, 0], [0, 2, 1], [1, 0, 4]], ["P", "N", "G"], {str(tmp_path / "cm.png")!r})
        plot_series([0.0, 0.5, 1.0], [[.7, .2, .1], [.2, .6, .2], [.1, .2, .7]], {str(tmp_path / "t.png")!r})
        assert "matplotlib.pyplot" not in sys.modules, "pyplot was imported"
        assert matplotlib.get_backend() == "svg", matplotlib.get_backend()
    """)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    for name in ("cm.png", "t.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ------------------------------------------------------------------------------ caches
def _synthgroup_cache():
    from synthgroup.sources.cache import cache_dir
    return cache_dir()


def _globalnet_cache():
    from globalnet.data.frame_index import cache_dir
    return cache_dir()


@pytest.mark.parametrize("where, app, env", [(_synthgroup_cache, "synthgroup", "SYNTHGROUP_CACHE"),
                                             (_globalnet_cache, "globalnet", "GLOBALNET_CACHE")],
                         ids=["synthgroup", "globalnet"])
def test_every_cache_follows_its_variable_then_xdg_then_home(monkeypatch, tmp_path, where, app, env):
    monkeypatch.setenv(env, str(tmp_path / "own"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert where() == (tmp_path / "own").resolve()
    monkeypatch.delenv(env)
    assert where() == (tmp_path / "xdg" / app).resolve()
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/dir")          # invalid by the XDG spec
    assert where() == (tmp_path / "home" / ".cache" / app).resolve()
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert where() == (tmp_path / "home" / ".cache" / app).resolve()


def test_only_the_cache_root_spells_out_a_cache_folder():
    helper = ROOT / "synthgroup" / "io.py"
    spelled = [str(p.relative_to(ROOT)) for p in LIBRARY if p != helper
               and any(isinstance(n, ast.Constant) and n.value in (".cache", "~/.cache")
                       for n in ast.walk(ast.parse(p.read_text())))]
    assert spelled == []


# ------------------------------------------------------------------------------ contact sheet
def _one_face(group: int, bg: tuple, box=(30, 40, 36, 40), size=96):
    image = np.empty((size, size, 3), np.uint8)
    image[:] = bg
    emotion = next(e for e, g in emotion_groups().items() if g == group)
    record = {"index": 0, "label": group, "label_name": CLASS_NAMES[group], "n_faces": 1,
              "faces": [{"box": list(box), "group": group, "emotion": emotion}]}
    return image, record


def test_contact_sheet_text_and_lines_grow_with_scale():
    image, record = _one_face(0, (0, 0, 0))
    colour = np.array(GROUP_COLOURS[0])
    inked = {}
    for scale in (1, 3):
        tile = annotate(image, record, scale)
        bar = tile.shape[0] - 96 * scale
        inked[scale] = (bar, int((tile[:96 * scale] == colour).all(axis=2).sum()))
    assert inked[3][0] >= 2.5 * inked[1][0]          # the caption bar (and its text) grew
    assert inked[3][1] >= 6 * inked[1][1]            # box lines and label grew in both directions


BACKGROUNDS = {"black": (0, 0, 0), "white": (255, 255, 255), "grey wall": (128, 128, 128),
               **{f"{CLASS_NAMES[g]} colour": c for g, c in GROUP_COLOURS.items()}}


@pytest.mark.parametrize("scale", [1, 2])
@pytest.mark.parametrize("group", [0, 1, 2], ids=list(CLASS_NAMES))
@pytest.mark.parametrize("bg", list(BACKGROUNDS), ids=list(BACKGROUNDS))
def test_every_box_shows_on_any_background(bg, group, scale):
    image, record = _one_face(group, BACKGROUNDS[bg])
    tile = annotate(image, record, scale).astype(int)
    x, y, w, h = (v * scale for v in record["faces"][0]["box"])
    far = np.abs(tile - np.array(BACKGROUNDS[bg])).max(axis=2) >= 100    # clearly not the wall
    band = scale                                      # look this far to both sides of each edge
    edges = [far[y - band:y + band + 1, x:x + w].any(axis=0),          # top
             far[y + h - 1 - band:y + h + band, x:x + w].any(axis=0),   # bottom
             far[y:y + h, x - band:x + band + 1].any(axis=1),          # left
             far[y:y + h, x + w - 1 - band:x + w + band].any(axis=1)]   # right
    assert all(e.all() for e in edges)
    label = far[:y, x - 2 * scale:x + w]              # the emotion label above the box shows too
    assert label.sum() >= 10 * scale * scale
