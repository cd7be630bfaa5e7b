"""gdviz.core is the numpy-only engine: it must import without Qt or pyqtgraph."""

from __future__ import annotations

import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import gdviz.core

ROOT = Path(__file__).resolve().parents[2]

# Importing a module whose sys.modules entry is None raises ImportError, so any import of the GUI
# toolkits, direct or indirect, fails loudly.
SCRIPT = """
import importlib, pkgutil, sys
if BLOCK:
    for blocked in ("PySide6", "pyqtgraph", "shiboken6", "PyQt5", "PyQt6"):
        sys.modules[blocked] = None
import gdviz.core
names = sorted(m.name for m in pkgutil.iter_modules(gdviz.core.__path__, "gdviz.core."))
for name in names:
    importlib.import_module(name)
loaded = sorted(
    m for m in sys.modules
    if m.split(".")[0] in ("PySide6", "pyqtgraph", "shiboken6", "PyQt5", "PyQt6")
    and sys.modules[m] is not None
)
print(",".join(names))
print("GUI:" + ",".join(loaded))
"""


def core_modules():
    return sorted(m.name for m in pkgutil.iter_modules(gdviz.core.__path__, "gdviz.core."))


@pytest.mark.parametrize("block", [True, False], ids=["blocked", "installed"])
def test_core_imports_without_gui_toolkits(block):
    # blocked: importing them would fail; installed: they are importable but must not be loaded
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    result = subprocess.run(
        [sys.executable, "-c", f"BLOCK = {block}\n" + SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    names_line, gui_line = result.stdout.strip().splitlines()[-2:]
    imported = names_line.split(",")
    assert imported == core_modules()
    expected = {"batching", "config", "data", "engine", "optimizers", "problems", "schedules"}
    expected |= {"surface", "surfaces", "trajectory"}
    assert {name.rsplit(".", 1)[1] for name in imported} >= expected
    assert gui_line == "GUI:", gui_line


def test_blocking_works():
    # the subprocess check is only meaningful if a blocked import really fails
    script = "import sys; sys.modules['PySide6'] = None; import PySide6"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode != 0
    assert "ImportError" in result.stderr or "ModuleNotFoundError" in result.stderr
