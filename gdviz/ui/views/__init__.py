"""One pyqtgraph view per module."""
