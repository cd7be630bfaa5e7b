"""The application layer without Qt: the state the window shows."""
