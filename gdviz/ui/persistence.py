"""Window geometry, layout and the last configuration, kept in QSettings between launches.

A missing or corrupted entry falls back to the defaults; it never stops the app from starting.
"""

from __future__ import annotations

import json

from PySide6.QtCore import QSettings

from gdviz.core.config import RunConfig

CONFIG_KEY = "config/last"


def saved_config(settings: QSettings | None) -> RunConfig | None:
    """The configuration of the last session, or None when absent or unreadable."""
    if settings is None:
        return None
    try:
        return RunConfig.from_dict(json.loads(str(settings.value(CONFIG_KEY))))
    except (TypeError, ValueError):
        return None


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
