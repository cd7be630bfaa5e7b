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
    # The 3-D surface view (pyqtgraph.opengl + PyOpenGL) is optional: gdviz disables it when
    # OpenGL cannot be imported. To ship it, delete these three entries and build with PyOpenGL
    # installed (pip install -e ".[3d]").
    "pyqtgraph.opengl",
    "OpenGL",
    "OpenGL_accelerate",
    # Optional pyqtgraph parts and what they would pull in.
    "pyqtgraph.examples",
    "pyqtgraph.jupyter",
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
    # Pillow (GIF/PNG export): its AVIF codec (libavif, 5 MB) and Tk bridge are not used; Pillow
    # reports AVIF as unsupported without them.
    "PIL._avif",
    "PIL._imagingtk",
    "PIL.ImageTk",
    # Video export's bundled ffmpeg (imageio-ffmpeg, the optional `video` extra) would take the
    # bundle over its size budget; the frozen app uses an ffmpeg on the PATH instead.
    "imageio_ffmpeg",
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
    r"(^|/)PySide6/Qt/lib/libQt6(Qml|Quick|Pdf|Designer|Help|Sql|Lottie|Labs|VirtualKeyboard|"
    r"Charts|DataVis|3D|Multimedia|Network|WebEngine|Positioning|Sensors|SerialPort|EglFS|EglFs)"
    r"[^/]*$",
    r"(^|/)PySide6/(Qt/)?qml/",
    r"(^|/)PySide6/(Qt/)?plugins/(designer|qmltooling|qmllint|sqldrivers|tls|networkinformation|"
    r"printsupport|egldeviceintegrations|generic|assetimporters|sceneparsers|renderers|"
    r"geometryloaders|position|multimedia)/",
    r"(^|/)PySide6/(Qt/)?plugins/platforms/libq(eglfs|linuxfb|vnc|vkkhrdisplay|minimalegl)\.so$",
    r"(^|/)PySide6/(Qt/)?plugins/platformthemes/libqgtk3\.so$",
    r"(^|/)PySide6/(Qt/)?translations/",
]
_DROP = [re.compile(pattern) for pattern in DROP]


def dropped(dest: str) -> bool:
    """True when the bundle file at destination path ``dest`` is left out on purpose."""
    dest = dest.replace("\\", "/")
    return any(pattern.search(dest) for pattern in _DROP)
