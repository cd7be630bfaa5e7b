"""Learning-rate schedules: the learning rate of iteration ``t = 0, 1, 2, ...`` (counted in
iterations, not epochs), following the ``torch.optim.lr_scheduler`` formulas.

* ``constant``:     ``lr_t = lr``
* ``step``:         ``lr_t = lr * gamma ** floor(t / step_size)``                  (StepLR)
* ``exponential``:  ``lr_t = lr * gamma ** t``                                    (ExponentialLR)
* ``cosine``:       ``lr_t = eta_min + (lr - eta_min) * (1 + cos(pi * min(t, T) / T)) / 2``
  (CosineAnnealingLR without restarts; it stays at ``eta_min`` after T iterations)
* linear warm-up, combinable with any of the above: the factor ``start + (1 - start) * t / W``
  for ``t < W`` (LinearLR with ``end_factor = 1``), multiplied into the schedule's rate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SCHEDULE_NAMES = ("constant", "step", "exponential", "cosine")


@dataclass(frozen=True)
class Schedule:
    """A learning-rate schedule; ``rates(lr, steps)`` evaluates it for an array of iterations."""

    name: str = "constant"
    gamma: float = 0.5  # step and exponential decay factor
    step_size: int = 100  # step decay: iterations between decays
    t_max: int = 1000  # cosine: iterations of one half-cosine
    eta_min: float = 0.0  # cosine: final learning rate
    warmup: int = 0  # linear warm-up length in iterations (0 = none)
    warmup_start: float = 0.1  # warm-up starts at this fraction of the rate

    def __post_init__(self) -> None:
        if self.name not in SCHEDULE_NAMES:
            raise ValueError(
                f"unknown schedule {self.name!r}; choose one of {', '.join(SCHEDULE_NAMES)}"
            )
        if not 0.0 < self.gamma <= 1.0:
            raise ValueError(f"schedule gamma must be in (0, 1], got {self.gamma!r}")
        if self.step_size < 1 or self.t_max < 1:
            raise ValueError("schedule step size and T_max must be at least 1 iteration")
        if not (np.isfinite(self.eta_min) and self.eta_min >= 0.0):
            raise ValueError(f"cosine eta_min must be 0 or more, got {self.eta_min!r}")
        if self.warmup < 0 or not 0.0 < self.warmup_start <= 1.0:
            raise ValueError("warm-up length must be >= 0 and its start factor in (0, 1]")

    def rates(self, lr, steps: np.ndarray) -> np.ndarray:
        """Learning rates for iterations ``steps`` (0-based). ``lr`` is a float or an array of
        shape ``(K,)``; the result has shape ``steps.shape + lr.shape``."""
        t = np.asarray(steps, dtype=float)
        base = np.asarray(lr, dtype=float)
        t_col = t.reshape(t.shape + (1,) * base.ndim)
        if self.name == "constant":
            rate = base + 0.0 * t_col
        elif self.name == "step":
            rate = base * self.gamma ** np.floor(t_col / self.step_size)
        elif self.name == "exponential":
            rate = base * self.gamma**t_col
        else:
            phase = np.minimum(t_col, self.t_max) / self.t_max
            rate = self.eta_min + (base - self.eta_min) * 0.5 * (1.0 + np.cos(np.pi * phase))
        if self.warmup:
            progress = np.minimum(t_col / self.warmup, 1.0)
            rate = rate * (self.warmup_start + (1.0 - self.warmup_start) * progress)
        return rate

    def describe(self) -> str:
        """A short human description, e.g. for a legend."""
        text = {
            "constant": "constant",
            "step": f"step decay x{self.gamma:g} every {self.step_size}",
            "exponential": f"exponential decay x{self.gamma:g} per iteration",
            "cosine": f"cosine annealing over {self.t_max} to {self.eta_min:g}",
        }[self.name]
        return text + (f", warm-up {self.warmup}" if self.warmup else "")
