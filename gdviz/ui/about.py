"""The About box text: what gdviz teaches and where its data sets come from."""

from __future__ import annotations

from gdviz import __version__
from gdviz.core.data import DATASET_CREDITS


def about_html() -> str:
    credits = "".join(f"<li>{text}</li>" for text in DATASET_CREDITS)
    return (
        f"<h3>gdviz {__version__}</h3><p>Gradient descent, visible: hyperparameters (learning "
        "rate, batch size, epochs) are what you choose; parameters (weight and bias) are what "
        f"training computes.</p><p>Data sets:</p><ul>{credits}</ul>"
    )
