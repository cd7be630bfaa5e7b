"""The shape of the code: no module reaches into another's private names, the application state
imports no Qt, and the spine has the modules a newcomer looks for."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "gdviz"


def private_uses(path: Path) -> list[str]:
    """``x._name`` where x is not self, cls or super(), and ``from m import _name``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            if node.attr.startswith("__"):
                continue
            owner = node.value
            if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
                continue
            if isinstance(owner, ast.Call) and getattr(owner.func, "id", "") == "super":
                continue
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.ImportFrom):
            found += [f"{path.relative_to(ROOT)}:{node.lineno}: import {a.name}"
                      for a in node.names
                      if a.name.startswith("_") and not a.name.startswith("__")]  # fmt: skip
    return found


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.name))
def test_no_module_uses_another_modules_private_names(path):
    assert private_uses(path) == []


def test_the_check_finds_a_private_use(tmp_path):
    sample = ROOT / "gdviz" / "_sample_for_test.py"
    try:
        sample.write_text("def f(window):\n    return window._redraw()\n", encoding="utf-8")
        assert private_uses(sample) == ["gdviz/_sample_for_test.py:2: window._redraw"]
    finally:
        sample.unlink()


def test_the_application_state_imports_no_qt():
    script = ("import sys\nfor m in ('PySide6', 'pyqtgraph', 'shiboken6'):\n"
              "    sys.modules[m] = None\nimport gdviz.app.state\nprint('ok')")  # fmt: skip
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                            text=True, check=False)  # fmt: skip
    assert result.stdout.strip() == "ok", result.stderr


def test_the_spine_is_where_a_newcomer_looks():
    for module in ("app/state.py", "core/recording.py", "ui/engine_session.py",
                   "ui/commands.py", "core/fields.py"):  # fmt: skip
        assert (PACKAGE / module).is_file(), module
