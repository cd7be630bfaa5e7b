"""What each RunConfig field is: its role, range, scale and command-line flag, in one place.

Every field of :class:`gdviz.core.config.RunConfig` carries a :class:`FieldSpec` in its dataclass
metadata. The field sets that used to be kept by hand in several modules (the problem fields of
lessons and sessions, the hyperparameters that change a run without restarting it, the fields
that compared runs may differ in, the optimizer knobs of the panel, the options of ``gdviz run``)
are derived from those specs by the functions here.

Roles:

* ``problem``: defines the data and the loss surface; a change builds a new problem.
* ``hyperparameter``: how training proceeds; a change applies to the running run from the next
  iteration on (the optimizer, its knobs, the schedule, the batching and the budget).
* ``identity``: which run of the problem this is (seed, start point, tolerance); a change starts
  a new run of the same problem. Compared runs may differ in hyperparameters and identity.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

ROLES = ("problem", "hyperparameter", "identity")


@dataclass(frozen=True)
class FieldSpec:
    """The description of one configuration field.

    ``low``/``high`` bound the value (``low_open`` makes the lower bound exclusive); ``log``
    says a control should move on a logarithmic scale; ``flag`` is the command-line option
    (``None``: the field has no option of its own); ``label`` names the field in messages and
    panels; ``step`` is a spin box's arrow step; ``sets_n`` marks the fields that the number of
    training examples N depends on; ``choices`` lists the values a text field may take.
    """

    role: str
    label: str = ""
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    log: bool = False
    flag: str | None = None
    help: str = ""
    step: float | None = None
    sets_n: bool = False
    knob: bool = False  # an optimizer hyperparameter shown only for optimizers that use it
    choices: tuple = ()  # the values a text field may take (empty: any)
    metavar: str | None = None  # the value's name in --help

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}, got {self.role!r}")


def spec(default, role: str, **details) -> dataclasses.Field:
    """A dataclass field with ``default`` whose metadata holds its FieldSpec."""
    return dataclasses.field(default=default, metadata={"spec": FieldSpec(role, **details)})


def specs(cls) -> dict[str, FieldSpec]:
    """Field name -> FieldSpec of a dataclass built with :func:`spec`, in declaration order."""
    return {f.name: f.metadata["spec"] for f in dataclasses.fields(cls)}


def names_with_role(cls, *roles: str) -> tuple[str, ...]:
    """The fields of ``cls`` whose role is one of ``roles``, in declaration order."""
    return tuple(name for name, s in specs(cls).items() if s.role in roles)


def n_fields(cls) -> tuple[str, ...]:
    """The problem fields N depends on (a change may need the batch size clamped)."""
    return tuple(name for name, s in specs(cls).items() if s.sets_n)


def knob_fields(cls) -> tuple[str, ...]:
    """The optimizer knobs (momentum, betas, eps, ...): None means the torch default."""
    return tuple(name for name, s in specs(cls).items() if s.knob)
