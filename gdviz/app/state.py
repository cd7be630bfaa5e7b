"""AppState: what the window shows, in one Qt-free, evented object.

Panels, views, the lesson card and the status line observe it (``state.events.<field>``, psygnal,
as napari does); they change it only through the window's commands (gdviz/ui/commands.py).
What happened in the run is not here: that is the engine's recording (gdviz/core/recording.py).
A session file is exactly :meth:`AppState.snapshot` plus the recording; a lesson is a partial
snapshot applied over :data:`VIEW_DEFAULTS` (:func:`lesson_snapshot`), so a lesson always
determines every view setting and none leaks from the lesson shown before it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from psygnal import evented

from gdviz.core.config import RunConfig
from gdviz.core.lessons import CompareRun, Lesson
from gdviz.core.session_checks import VIEW_DEFAULTS as SESSION_VIEW_DEFAULTS

DEFAULT_CONFIG = RunConfig(batch_size=10, lr=0.05, epochs=20)
LOOK_FIELDS = ("theme", "scale")  # the presenter's look: kept when a lesson opens
# The view settings a lesson or a session sets, with the value every lesson starts from: a
# session's view defaults (one list, core/session_checks.py), less the look, lists as tuples.
VIEW_DEFAULTS = {key: tuple(value) if isinstance(value, list) else value
                 for key, value in SESSION_VIEW_DEFAULTS.items()
                 if key not in LOOK_FIELDS}  # fmt: skip


@evented
@dataclass
class AppState:
    """The run spec (configuration, compared runs, lesson), the view settings, the timeline
    position and the look. Every field is immutable; assign a new value to change one."""

    config: RunConfig = DEFAULT_CONFIG  # the run, or the base of a comparison
    compare: tuple[CompareRun, ...] = ()  # 2-6 runs shown side by side; () for a single run
    lesson: str | None = None  # id of the lesson shown, if any
    x_axis: str = "iterations"  # loss curve against iterations, epochs or examples seen
    log_surface: bool = True  # surface coloured by log(loss)
    log_loss: bool = False  # logarithmic loss axis
    # The surface drawn with one unit of each parameter equally long; None: where the problem's
    # two parameters share a scale (Problem.equal_scales), True or False: as the user chose.
    equal_axes: bool | None = None
    loss_tail: bool = False  # the loss axis framing the rows after the first drop (SGD noise)
    true_step: bool = False  # the step arrow at its true length (not enlarged to be seen)
    example_arrows: bool = False  # each example's gradient in the batch, and their mean (A)
    batch_surface: bool = False  # the batch's own loss contours: what this step descends (O)
    views: tuple[str, ...] = ("surface", "loss", "data")  # which of VIEWS are shown
    speed: int = 100  # iterations per second; 0 = as fast as possible
    timeline: int | None = None  # rows shown (rewound); None = live, the newest row
    theme: str = "light"
    scale: float = 1.0  # presentation scale of fonts, lines and markers
    # Lecture mode: text of at least 20 px everywhere, big counters. The presenter's, like the
    # look, but not a session's or a lesson's: it is remembered by the app (ui/persistence.py).
    lecture: bool = False

    def snapshot(self) -> dict:
        """Every field by name (values are immutable, so this is a true copy)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def view_settings(self) -> dict:
        """The fields a session stores in its ``view`` object."""
        return {name: getattr(self, name) for name in (*VIEW_DEFAULTS, *LOOK_FIELDS)}

    def apply(self, values: dict) -> None:
        """Set several fields at once; observers hear of each change only after all are set,
        so none of them sees a half-applied state."""
        unknown = sorted(set(values) - {f.name for f in fields(self)})
        if unknown:
            raise KeyError(f"no state field(s) {', '.join(unknown)}")
        with self.events.paused():
            for name, value in values.items():
                setattr(self, name, value)

    @property
    def comparing(self) -> bool:
        return bool(self.compare)


def lesson_snapshot(lesson: Lesson) -> dict:
    """The state a lesson shows: its run spec and views, every other view setting at its
    default (the look is the presenter's and is kept)."""
    return {
        **VIEW_DEFAULTS,
        "config": lesson.config,
        "compare": tuple(lesson.compare),
        "lesson": lesson.id,
        "x_axis": lesson.x_axis,
        "views": tuple(lesson.views),
        "speed": lesson.speed,
        "loss_tail": lesson.loss_tail,
        "example_arrows": lesson.example_arrows,
    }


def free_snapshot(config: RunConfig) -> dict:
    """The state of a single run outside any lesson, with default view settings."""
    return {**VIEW_DEFAULTS, "config": config, "compare": (), "lesson": None}
