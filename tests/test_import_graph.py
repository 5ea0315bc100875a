"""The privacy-preserving product never imports the face-based reference path.

Every module file under synthgroup/, explain/ and globalnet/ (except globalnet/reference/) is
parsed with ``ast``; its imports - absolute, relative, inside functions, and literal
``importlib.import_module("...")`` / ``__import__("...")`` calls - are followed transitively
within the project. None may reach ``globalnet.reference``. Subprocess imports then check
``sys.modules`` for real.

``globalnet/cli.py`` names ``globalnet.reference.cmd_reference`` as a string and imports it only
when ``globalnet reference ...`` is the command being run; the subprocess tests check that building
the parser for any other command, or for none, loads no reference module at all.
"""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("synthgroup", "explain", "globalnet")
FORBIDDEN = "globalnet.reference"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _project_modules() -> dict[str, Path]:
    mods = {}
    for pkg in PACKAGES:
        for path in (ROOT / pkg).rglob("*.py"):
            mods[_module_name(path)] = path
    return mods


def _resolve_relative(module: str, is_package: bool, level: int, target: str | None) -> str:
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (level - 1)] if level > 1 else base
    return ".".join(base + ([target] if target else []))


def _statement_imports(node, module: str, is_package: bool) -> set[str]:
    """The module names one ``import`` / ``from ... import`` statement names (relative ones
    resolved; ``from a import b`` names ``a`` and the possible submodule ``a.b``)."""
    if isinstance(node, ast.Import):
        return {a.name for a in node.names}
    if isinstance(node, ast.ImportFrom):
        base = (_resolve_relative(module, is_package, node.level, node.module)
                if node.level else node.module)
        return {base} | {f"{base}.{a.name}" for a in node.names if a.name != "*"}
    return set()


def imports_of(module: str, path: Path) -> set[str]:
    """Every module name ``path`` imports (all nesting levels, relative ones resolved)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    is_package = path.name == "__init__.py"
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            out |= _statement_imports(node, module, is_package)
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", None)
            if name in ("import_module", "__import__"):
                out.add(node.args[0].value)
    return out


def _closure(start: str, mods: dict[str, Path], graph: dict[str, set[str]]) -> dict[str, str]:
    """Reachable project modules from ``start`` -> the module that imported each one."""
    seen, stack = {start: ""}, [start]
    while stack:
        m = stack.pop()
        for dep in graph.get(m, ()):
            # importing a.b.c imports a and a.b too
            parts = dep.split(".")
            for i in range(1, len(parts) + 1):
                name = ".".join(parts[:i])
                if name in mods and name not in seen:
                    seen[name] = m
                    stack.append(name)
    return seen


def _path_to(target: str, seen: dict[str, str]) -> list[str]:
    chain = [target]
    while seen.get(chain[-1]):
        chain.append(seen[chain[-1]])
    return chain[::-1]


def test_parser_resolves_relative_and_nested_imports(tmp_path):
    pkg = tmp_path / "globalnet"
    (pkg / "sub").mkdir(parents=True)
    src = ("from .reference import x\nfrom ..a import b\nimport os\n"
           "def f():\n    from . import reference\n    import importlib\n"
           "    importlib.import_module('globalnet.reference.detect')\n")
    (pkg / "sub" / "m.py").write_text(src)
    found = imports_of("globalnet.sub.m", pkg / "sub" / "m.py")
    assert {"globalnet.sub.reference", "globalnet.a.b", "os", "globalnet.sub",
            "globalnet.reference.detect"} <= found


def test_no_product_module_reaches_the_reference_path():
    mods = _project_modules()
    product = {m: p for m, p in mods.items() if not (m == FORBIDDEN or m.startswith(FORBIDDEN + "."))}
    assert any(m.startswith(FORBIDDEN) for m in mods), "reference package not found"
    assert len(product) > 40, sorted(product)          # really walked the tree
    graph = {m: imports_of(m, p) for m, p in mods.items()}
    offenders = {}
    for m in product:
        seen = _closure(m, mods, graph)
        bad = [s for s in seen if s == FORBIDDEN or s.startswith(FORBIDDEN + ".")]
        if bad:
            offenders[m] = " -> ".join(_path_to(bad[0], seen))
    assert not offenders, offenders


_PROBE = """
import json, sys
import synthgroup, globalnet, explain
from synthgroup import make_sample, GenConfig, Sources, SyntheticGroupDataset
import synthgroup.cli, synthgroup.compose, synthgroup.torchdata, synthgroup.writer
import globalnet.backbones, globalnet.cli, globalnet.cmd_backbones, globalnet.data
{extra}
print(json.dumps(sorted(m for m in sys.modules if m.startswith("globalnet.reference"))))
"""


def _probe(extra: str = "") -> list[str]:
    import pkgutil

    lines = []
    for pkg in ("explain", "globalnet", "globalnet.data"):   # every existing product module
        mod = __import__(pkg, fromlist=["_"])
        for info in pkgutil.iter_modules(mod.__path__):
            if pkg == "globalnet" and info.name in ("reference", "cli"):
                continue
            lines.append(f"import {pkg}.{info.name}")
    code = _PROBE.format(extra="\n".join(lines + [extra]))
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    return json.loads(r.stdout.strip().splitlines()[-1])


def test_importing_the_product_loads_no_reference_module():
    assert _probe() == []


def test_cli_parser_loads_no_reference_module_unless_asked():
    assert _probe("globalnet.cli.build_parser()") == []
    for command in ("backbones", "train", "evaluate", "predict"):
        assert _probe(f"globalnet.cli.build_parser({command!r})") == [], command
    assert "globalnet.reference.cmd_reference" in _probe("globalnet.cli.build_parser('reference')")


def _module_level_imports(module: str, path: Path, mods: dict[str, Path]) -> set[str]:
    """Project modules ``path`` imports when it is imported (module level, inside a top-level
    ``if`` / ``try`` too; imports inside functions run later and cannot make an import cycle)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    is_package = path.name == "__init__.py"
    out: set[str] = set()
    for top in tree.body:
        for node in (ast.walk(top) if isinstance(top, (ast.If, ast.Try)) else [top]):
            out |= _statement_imports(node, module, is_package)
    return {m for m in out if m in mods and m != module}


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            v, children = work[-1]
            w = next(children, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph.get(w, ())))))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    cycles.append(sorted(comp))
    return cycles


def test_the_cycle_finder_finds_cycles():
    assert import_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert import_cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_at_module_level():
    """No two project modules import each other (directly or round a loop) when imported."""
    mods = _project_modules()
    graph = {m: _module_level_imports(m, p, mods) for m, p in mods.items()}
    assert import_cycles(graph) == []
