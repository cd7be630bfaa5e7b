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
    "PySide6.QtNetwork",
    "PySide6.QtDBus",
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

# Qt files that gdviz does not load, as regular expressions matched against the destination path
# inside the bundle (forward slashes). Kept: QtCore, QtGui, QtWidgets, QtSvg, QtOpenGL(Widgets)
# and QtTest (pyqtgraph imports them), the platform plugins xcb, wayland, offscreen and minimal
# (plus cocoa/windows on those systems), image formats, icon engines, input contexts, the xcb GL
# integrations and the xdg-desktop-portal platform theme. The gtk3 platform theme needs GTK at run
# time and would pull all of GTK into the bundle; eglfs/linuxfb/vnc are for machines without a
# window system; Qt's translations are unused (gdviz is in English and loads none).
DROP = [
    r"(^|/)Qt/lib/libQt6(Qml|Quick|Pdf|Designer|Help|Sql|Lottie|Labs|VirtualKeyboard|Charts|"
    r"DataVis|3D|Multimedia|Network|WebEngine|Positioning|Sensors|SerialPort|EglFS|EglFs)[^/]*$",
    r"(^|/)Qt/qml/",
    r"(^|/)Qt/plugins/(designer|qmltooling|qmllint|sqldrivers|tls|networkinformation|"
    r"printsupport|egldeviceintegrations|generic|assetimporters|sceneparsers|renderers|"
    r"geometryloaders|position|multimedia)/",
    r"(^|/)Qt/plugins/platforms/libq(eglfs|linuxfb|vnc|vkkhrdisplay|minimalegl)\.so$",
    r"(^|/)Qt/plugins/platformthemes/libqgtk3\.so$",
    r"(^|/)Qt/translations/",
]
_DROP = [re.compile(pattern) for pattern in DROP]


def dropped(dest: str) -> bool:
    """True when the bundle file at destination path ``dest`` is left out on purpose."""
    dest = dest.replace("\\", "/")
    return any(pattern.search(dest) for pattern in _DROP)
