"""Headless commands over the engine: ``gdviz run`` and ``gdviz sweep``."""
