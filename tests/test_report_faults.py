"""`explain report` never deletes what it did not write, and a killed run leaves nothing behind
for long."""
from __future__ import annotations

import os
import stat

from faults import patched, run
from test_explain import _report, workspace  # noqa: F401  (the module fixture)


def test_overwrite_replaces_only_a_report(workspace, capsys):  # noqa: F811
    """F7: --overwrite replaced any folder, a user's precious.txt included."""
    out = workspace["root"] / "rep_overwrite"
    out.mkdir()
    (out / "precious.txt").write_text("years of work")
    assert _report(workspace, out, "--overwrite", inputs=[workspace["synth"]]) == 2
    err = capsys.readouterr().err
    assert "not an explain report" in err and "precious.txt" in err and "Traceback" not in err
    assert [p.name for p in out.iterdir()] == ["precious.txt"]
    (out / "precious.txt").unlink()
    out.rmdir()
    old = os.umask(0o027)
    try:
        assert _report(workspace, out, inputs=[workspace["synth"]]) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o750         # the umask, not mkdtemp's 0700
    (out / "img" / "notes.txt").write_text("mine")
    assert _report(workspace, out, "--overwrite", inputs=[workspace["synth"]]) == 2
    assert "img/notes.txt" in capsys.readouterr().err
    (out / "img" / "notes.txt").unlink()
    assert _report(workspace, out, "--overwrite", inputs=[workspace["synth"]]) == 0


def test_a_killed_report_leaves_no_hidden_folder_for_long(workspace):  # noqa: F811
    out = workspace["root"] / "rep_killed"
    args = ["report", "--checkpoint", workspace["ck"], "--inputs", workspace["synth"],
            "--out", out, "--method", "gradcam", "--quiet"]
    patch = """
        import os, signal
        from explain import report
        report._write_html = lambda *a: os.kill(os.getpid(), signal.SIGKILL)
    """
    r = run(patched("explain.cli", patch, *args), timeout=300)
    assert r.returncode == -9
    hidden = lambda: [p.name for p in out.parent.iterdir() if p.name.startswith(".rep_killed")]
    assert hidden() and not out.exists()
    assert _report(workspace, out, inputs=[workspace["synth"]]) == 0
    assert hidden() == [] and (out / "index.html").is_file()
