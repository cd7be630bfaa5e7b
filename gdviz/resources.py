"""The one place that finds files in ``resources/``: source tree, wheel, frozen bundle."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path


@cache
def resources_dir() -> Path:
    """Return the folder holding ``datasets/``, ``lessons/`` and ``icons/``.

    Looked up, in order: a PyInstaller bundle (``sys._MEIPASS/resources``), an installed wheel
    (``gdviz/_resources``, mapped from the top-level folder at build time) and a source checkout
    (``<repo>/resources``, which an editable install also uses).
    """
    here = Path(__file__).resolve().parent
    candidates = []
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        candidates.append(Path(frozen_root) / "resources")
    candidates += [here / "_resources", here.parent / "resources"]
    for candidate in candidates:
        if (candidate / "datasets").is_dir():
            return candidate
    raise FileNotFoundError(
        "gdviz cannot find its resources folder; looked in " + ", ".join(map(str, candidates))
    )


def resource_path(*parts: str) -> Path:
    """Path of a resource file, e.g. ``resource_path("datasets", "auto_mpg.csv")``."""
    return resources_dir().joinpath(*parts)
