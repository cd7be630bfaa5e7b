"""Label roles: the few labels that look unlike plain text (a note in the mid colour, a hint or
an error in a warning colour, a bold regime name, small slider ticks) say what they are, and
their style sheet is built from the theme's colours and the presentation scale in one place
(``apply_theme`` restyles every labelled widget), instead of each widget carrying a sheet with
hard-coded colours and sizes that theming would have to rewrite."""

from __future__ import annotations

from dataclasses import dataclass

ROLE_PROPERTY = "gdviz_role"
TICK_PT = 9.0  # slider ends and the like: the smallest text (lecture mode sizes from it)


@dataclass(frozen=True)
class RoleColors:
    """The colours roles are drawn in (hex strings)."""

    text: str = "#1A1A1A"
    mid: str = "#6E6E6E"
    hint: str = "#a04000"  # a value was changed to fit
    error: str = "#c0392b"  # a value was not applied


SHEETS = {
    "note": "color: {mid};",
    "hint": "color: {hint};",
    "error": "color: {error}; font-weight: bold;",
    "strong": "color: {text}; font-weight: bold;",
    "tick": "color: {mid}; font-size: {tick_pt:g}pt;",
}


def role_sheet(role: str, colors: RoleColors, scale: float = 1.0) -> str:
    """The style sheet of a widget with ``role`` in ``colors`` at presentation ``scale``. The
    colour is always named: a widget with a sheet keeps the palette it was first polished with."""
    return SHEETS[role].format(text=colors.text, mid=colors.mid, hint=colors.hint,
                               error=colors.error, tick_pt=TICK_PT * scale)  # fmt: skip


def set_role(widget, role: str) -> None:
    """Give ``widget`` a role, drawn in the light theme's colours until a theme is applied."""
    if role not in SHEETS:
        raise ValueError(f"unknown role {role!r}; roles are {', '.join(SHEETS)}")
    widget.setProperty(ROLE_PROPERTY, role)
    widget.setStyleSheet(role_sheet(role, RoleColors()))


def role_of(widget) -> str | None:
    return widget.property(ROLE_PROPERTY)
