"""What the PyInstaller bundle leaves out: Python modules (EXCLUDED_MODULES) and Qt files (DROP).

Shared by packaging/gdviz.spec (which applies them) and packaging/check_build.py (which accepts a
"Library not found" only for a file dropped here on purpose). Every entry is something gdviz never
loads; the self-test of the frozen app (tests/packaging) proves the rest is enough.
"""

from __future__ import annotations

import re

EXCLUDED_MODULES = [
    # Other Qt bindings pyqtgraph would accept; only PySide6 is used.
    "PyQt5",
    "PyQt6",
    "PySide2",
    # Optional pyqtgraph parts and what they pull in (3D views need PyOpenGL: not required).
    "pyqtgraph.opengl",
    "pyqtgraph.examples",
    "pyqtgraph.jupyter",
    "OpenGL",
    "OpenGL_accelerate",
    "cupy",
    "numba",
    "h5py",
    "matplotlib",
    "scipy",
    "pandas",
    "IPython",
    "jupyter_rfb",
    "colorcet",
    "PIL",  # Pillow is a test extra (icon script), not used by the app
    # Development tools that may sit in the same virtual environment.
    "pytest",
    "_pytest",
    "hypothesis",
    "pytestqt",
    "setuptools",
    "pip",
    # Standard library parts the app does not use ("pydoc" must NOT be here: pyqtgraph imports it).
    "tkinter",
    "_tkinter",
    "turtle",
    "idlelib",
    "lib2to3",
    "test",
    "unittest.mock",
]

# Qt files in the bundle that gdviz does not load, as regular expressions matched against the
# destination path inside the bundle (forward slashes). The gdviz window needs QtCore, QtGui,
# QtWidgets (and QtSvg for SVG icons), the platform plugins (xcb, offscreen, wayland, cocoa,
# windows, minimal), image formats, the xcb GL integration and platform themes.
DROP = [
    r"(^|/)Qt/lib/libQt6(Qml|Quick|Pdf|Designer|Help|Test|Sql|Lottie|Labs|VirtualKeyboard|Charts|"
    r"DataVis|3D|Multimedia|Network|WebEngine|Positioning|Sensors|SerialPort)[^/]*$",
    r"(^|/)Qt/qml/",
    r"(^|/)Qt/plugins/(designer|qmltooling|qmllint|sqldrivers|tls|networkinformation|"
    r"printsupport|assetimporters|sceneparsers|renderers|geometryloaders|position|multimedia)/",
    r"(^|/)Qt/translations/(?!qtbase_)[^/]+$",  # keep the Qt base strings (dialogs) only
]
_DROP = [re.compile(pattern) for pattern in DROP]


def dropped(dest: str) -> bool:
    """True when the bundle file at destination path ``dest`` is left out on purpose."""
    dest = dest.replace("\\", "/")
    return any(pattern.search(dest) for pattern in _DROP)
