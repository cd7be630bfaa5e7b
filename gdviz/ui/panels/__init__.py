"""Control panels: widgets that produce RunConfig values."""
