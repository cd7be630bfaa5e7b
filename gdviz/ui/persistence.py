"""Window geometry, layout and the last configuration, kept in QSettings between launches.

A missing or corrupted entry falls back to the defaults; it never stops the app from starting.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from PySide6.QtCore import QSettings

from gdviz.core.config import RunConfig

CONFIG_KEY = "config/last"
LAST_SESSION = "last-session.json"


def last_session_path() -> Path:
    """Where the window's session is kept on quit: ``$XDG_DATA_HOME/gdviz/last-session.json``
    (``~/.local/share/gdviz`` by default) on Linux, the application-data folder elsewhere."""
    from PySide6.QtCore import QStandardPaths

    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericDataLocation)
    return Path(base or Path.home() / ".local" / "share") / "gdviz" / LAST_SESSION


def saved_config(settings: QSettings | None) -> RunConfig | None:
    """The configuration of the last session, or None when absent or unreadable."""
    return saved_config_and_problem(settings)[0]


def saved_config_and_problem(settings: QSettings | None) -> tuple[RunConfig | None, str]:
    """The saved configuration and, when one was saved but cannot be used, why (else "")."""
    if settings is None or settings.value(CONFIG_KEY) is None:
        return None, ""
    try:
        return RunConfig.from_dict(json.loads(str(settings.value(CONFIG_KEY)))), ""
    except (TypeError, ValueError) as exc:  # ConfigError and JSON errors are ValueErrors
        return None, str(exc)[:200]


def restore_window(settings: QSettings, parts: dict) -> None:
    """Restore the main window's geometry and state and each splitter's state by name."""
    for name, widget in parts.items():
        keys = [f"{name}/state"] + ([f"{name}/geometry"] if name == "window" else [])
        for key in keys:
            value = settings.value(key)
            restore = widget.restoreGeometry if key.endswith("geometry") else widget.restoreState
            try:
                if value is not None:
                    restore(value)
            except (TypeError, ValueError):
                pass  # a corrupted entry: keep the default layout


def save_window(settings: QSettings, parts: dict, config: RunConfig) -> None:
    """Save geometry, dock and splitter states, and the configuration."""
    for name, widget in parts.items():
        if name == "window":
            settings.setValue(f"{name}/geometry", widget.saveGeometry())
        settings.setValue(f"{name}/state", widget.saveState())
    settings.setValue(CONFIG_KEY, json.dumps(config.to_dict()))


def saved_look(settings: QSettings | None) -> tuple[str, float]:
    """Theme name and presentation scale of the last session (light, 1.0 when unreadable)."""
    from gdviz.ui.theme import DEFAULT_SCALE, MAX_SCALE, MIN_SCALE, SCALE_STEP, THEMES

    if settings is None:
        return "light", DEFAULT_SCALE
    name = settings.value("look/theme", "light")
    try:
        scale = float(settings.value("look/scale", DEFAULT_SCALE))
    except (TypeError, ValueError):
        scale = DEFAULT_SCALE
    if not math.isfinite(scale):
        scale = DEFAULT_SCALE
    # Snap onto the offered steps and into range, whatever the file says.
    steps = round((min(max(scale, MIN_SCALE), MAX_SCALE) - MIN_SCALE) / SCALE_STEP)
    return (name if name in THEMES else "light"), MIN_SCALE + steps * SCALE_STEP


def saved_lecture(settings: QSettings | None) -> bool:
    """Whether the last session was in lecture mode."""
    if settings is None:
        return False
    return str(settings.value("look/lecture", "false")).lower() in ("true", "1")


def save_lecture(settings: QSettings, on: bool) -> None:
    settings.setValue("look/lecture", "true" if on else "false")


def restored_geometry(settings: QSettings | None) -> bool:
    """Whether a window geometry was saved (else the window opens maximised)."""
    return settings is not None and settings.value("window/geometry") is not None


def save_look(settings: QSettings, theme_name: str, scale: float) -> None:
    settings.setValue("look/theme", theme_name)
    settings.setValue("look/scale", scale)
