"""gdviz: see how learning rate, batch size and epochs shape gradient descent."""

__version__ = "0.1.0"
