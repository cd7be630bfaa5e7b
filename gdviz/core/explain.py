"""The worked update: one iteration of a run written out with its numbers, as on a blackboard.

For iteration ``t`` (1-based) of a single run: the batch the sampler drew (which examples, their
x and y), each example's gradient and their mean (the batch gradient), the learning rate with
the schedule's factor, the optimizer's state before and after (named as in gdviz.core.optimizers:
``velocity`` u, AdaGrad's ``sum`` s, RMSProp's ``v`` (and ``m``), Adam's ``m`` and ``v``), and the
update equation with these numbers in it. For an analytic surface: the point, its gradient and
the noise added.

The iteration is made again, not reconstructed: the run is replayed from its nearest checkpoint
to ``t - 1`` (:meth:`Trainer.replica_at`), and iteration ``t`` is then computed here with the
engine's own functions (the sampler, ``Problem.prepare`` and ``loss_grad``, the schedule, the
optimizer's ``update``), in the engine's order, so its new parameters are bit for bit row ``t``
of the run. The per-example gradients are computed separately (``Problem.example_gradients``):
their mean equals the batch gradient up to rounding.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from gdviz.core.engine import Trainer
from gdviz.core.optimizers import Optimizer

Pair = tuple[float, float]


@dataclass(frozen=True)
class ExampleGradient:
    """One example of the batch: its row index, x (as the model sees it: standardised when
    the data is) and y, its x as read (``raw_x``), and its own gradient."""

    index: int
    x: float
    y: float
    grad: Pair
    raw_x: float


@dataclass(frozen=True, eq=False)  # told apart by identity: it holds arrays
class WorkedUpdate:
    """Iteration ``step`` of a run, with every number that made it (module docstring)."""

    step: int
    epoch: int  # 1-based
    batch: int  # 1-based place of the batch in its epoch
    iterations_per_epoch: int
    names: tuple[str, str]  # the parameters' names: ("w", "b") or ("x", "y")
    optimizer: str
    base_lr: float
    lr: float  # the rate the update used: base_lr x the schedule's factor
    params_before: Pair
    params_after: Pair
    batch_loss: float
    grad: Pair  # the batch gradient the update used
    # The batch's examples as arrays (a full batch of a million is not a million objects):
    # row indices, x as the model sees it, x as read, y, and each one's gradient (k, 2).
    examples: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.intp))
    example_x: np.ndarray = field(default_factory=lambda: np.zeros(0))
    example_raw_x: np.ndarray = field(default_factory=lambda: np.zeros(0))
    example_y: np.ndarray = field(default_factory=lambda: np.zeros(0))
    example_grads: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    standardized: bool = False  # the examples' x is standardised (raw_x as read)
    true_grad: Pair | None = None  # analytic surface: the gradient without noise
    noise: Pair | None = None  # analytic surface: the noise added to it
    state_before: dict = field(default_factory=dict)  # name -> (p1, p2), or None before step 1
    state_after: dict = field(default_factory=dict)
    terms: dict = field(default_factory=dict)  # intermediate quantities (Adam's corrections)
    equation: tuple[str, ...] = ()  # the learning rate, then each parameter's lines
    lines_by_parameter: tuple[tuple[str, ...], ...] = ()  # each parameter's lines of it

    @property
    def lr_factor(self) -> float:
        return self.lr / self.base_lr

    @property
    def batch_size(self) -> int:
        return len(self.examples)

    def example(self, k: int) -> ExampleGradient:
        """The batch's ``k``-th example with its gradient."""
        g1, g2 = self.example_grads[k]
        return ExampleGradient(int(self.examples[k]), float(self.example_x[k]),
                               float(self.example_y[k]), (float(g1), float(g2)),
                               float(self.example_raw_x[k]))  # fmt: skip

    @property
    def per_example(self) -> tuple[ExampleGradient, ...]:
        """Every example of the batch (built when asked: ``gdviz explain`` prints them all)."""
        return tuple(self.example(k) for k in range(self.batch_size))

    def to_json(self) -> dict:
        """The object ``gdviz explain`` prints (README, "One step, by hand")."""
        n1, n2 = self.names

        def pair(values):
            return None if values is None else {n1: float(values[0]), n2: float(values[1])}

        return {
            "step": self.step,
            "epoch": self.epoch,
            "batch": self.batch,
            "iterations_per_epoch": self.iterations_per_epoch,
            "optimizer": self.optimizer,
            "lr": self.lr,
            "base_lr": self.base_lr,
            "lr_factor": self.lr_factor,
            "params_before": pair(self.params_before),
            "examples": self.examples.tolist(),
            "per_example": [
                {"index": e.index, "x": e.x, "raw_x": e.raw_x, "y": e.y, "grad": pair(e.grad)}
                for e in self.per_example
            ],
            "batch_loss": self.batch_loss,
            "grad": pair(self.grad),
            **(
                {"true_grad": pair(self.true_grad), "noise": pair(self.noise)}
                if self.true_grad is not None
                else {}
            ),
            "state_before": {k: pair(v) for k, v in self.state_before.items()},
            "state_after": {k: pair(v) for k, v in self.state_after.items()},
            "terms": {k: pair(v) for k, v in self.terms.items()},
            "params_after": pair(self.params_after),
            "equation": list(self.equation),
        }


def work_out(trainer: Trainer, step: int) -> WorkedUpdate:
    """Iteration ``step`` of a single run's trainer, made again (one it has made, or the next:
    1 <= step <= trainer.step + 1); the trainer itself is left as it is."""
    if not 1 <= step <= trainer.step + 1:
        raise ValueError(f"iteration {step} is not between 1 and {trainer.step + 1}")
    replica = trainer.replica_at(step - 1)
    problem = replica.problem
    sampler = replica.samplers[0]  # the replica's own: drawing from it leaves the run alone
    chunk = sampler.next_chunk(1)
    prepared = problem.prepare(chunk)
    item = prepared.tolist()[0] if isinstance(prepared, np.ndarray) else prepared[0]
    p1, p2 = replica.params
    batch_loss, g1, g2 = problem.loss_grad(p1, p2, item)
    lr = replica.schedule.rates(replica.lr, np.array([step - 1])).tolist()[0]
    state = replica.optimizer_state
    t = state.t + 1
    s1, s2 = state.coords
    optimizer = replica.optimizer
    q1, u1 = optimizer.update(g1, p1, s1, lr, t)
    q2, u2 = optimizer.update(g2, p2, s2, lr, t)

    extra: dict = {}
    if getattr(problem, "data", None) is not None:
        indices = np.asarray(chunk.batch(0))
        grads = problem.example_gradients(p1, p2, indices)
        data = problem.data
        extra.update(examples=indices, example_x=data.x[indices], example_y=data.y[indices],
                     example_raw_x=data.raw_x[indices], example_grads=grads,
                     standardized=bool(data.standardized))  # fmt: skip
    else:  # an analytic surface: the noise is the item, the true gradient the rest
        extra["noise"] = (float(item[0]), float(item[1]))
        true_grad = problem.full_grad(p1, p2)  # the engine adds the noise to exactly this
        extra["true_grad"] = (float(true_grad[0]), float(true_grad[1]))
    before = named_state(optimizer, s1, s2, first=state.t == 0)
    after = named_state(optimizer, u1, u2)
    terms = adam_terms(optimizer, after, t) if optimizer.name in ("adam", "adamw") else {}
    work = WorkedUpdate(
        step=step,
        epoch=int(chunk.epochs[0]) + 1,
        batch=int(chunk.positions[0]) + 1,
        iterations_per_epoch=sampler.iterations_per_epoch,
        names=tuple(problem.param_names),
        optimizer=optimizer.name,
        base_lr=float(replica.lr),
        lr=float(lr),
        params_before=(float(p1), float(p2)),
        params_after=(float(q1), float(q2)),
        batch_loss=float(batch_loss),
        grad=(float(g1), float(g2)),
        state_before=before,
        state_after=after,
        terms=terms,
        **extra,
    )
    return _with_equation(work, optimizer, t, replica.schedule.describe())


# -- the optimizer's state by name -------------------------------------------------------------
def named_state(optimizer: Optimizer, c1, c2, first: bool = False) -> dict:
    """The state of both coordinates by the names of the optimizer's docstring; a momentum
    buffer that does not exist yet (before the first update) is None."""
    kind, hyper = optimizer.name, optimizer.hyper
    if kind in ("sgd", "momentum", "nesterov"):
        if kind == "sgd":
            return {}
        if first or c1 is None:
            return {"velocity": None}
        return {"velocity": (float(c1), float(c2))}
    if kind == "adagrad":
        return {"sum": (float(c1), float(c2))}
    if kind == "rmsprop":
        (v1, m1, b1), (v2, m2, b2) = c1, c2
        out = {"v": (float(v1), float(v2))}
        if hyper["centered"]:
            out["m"] = (float(m1), float(m2))
        if hyper["momentum"]:
            out["velocity"] = (float(b1), float(b2))
        return out
    (m1, v1), (m2, v2) = c1, c2  # adam, adamw
    return {"m": (float(m1), float(m2)), "v": (float(v1), float(v2))}


def adam_terms(optimizer: Optimizer, after: dict, t: int) -> dict:
    """Adam's bias corrections ``1 - beta^t`` and the corrected moments m^ and v^."""
    beta1, beta2 = optimizer.hyper["beta1"], optimizer.hyper["beta2"]
    c1, c2 = 1.0 - beta1**t, 1.0 - beta2**t
    m, v = after["m"], after["v"]
    return {
        "bias_correction": (c1, c2),  # (1 - beta1^t, 1 - beta2^t)
        "m_hat": (m[0] / c1, m[1] / c1),
        "v_hat": (v[0] / c2, v[1] / c2),
    }


# -- the equation, written out ---------------------------------------------------------------
def num(value: float) -> str:
    """Six significant digits, enough to check by hand: 0.05, −3.21, 1.2e-08 (a minus sign,
    not a hyphen, as in the formulas)."""
    return f"{float(value):.6g}".replace("-", "−", 1) if value < 0 else f"{float(value):.6g}"


def factor(value: float) -> str:
    """A number as a factor of a product: negative ones in parentheses."""
    text = num(value)
    return f"({text})" if text.startswith("−") else text


def _with_equation(work: WorkedUpdate, optimizer: Optimizer, t: int, schedule: str):
    by_parameter = tuple(
        (_gradient_line(work, i, name), *_update_lines(work, optimizer, t, i, name))
        for i, name in enumerate(work.names)
    )
    lines = (_lr_line(work, schedule), *by_parameter[0], *by_parameter[1])
    return replace(work, equation=lines, lines_by_parameter=by_parameter)


def _lr_line(work: WorkedUpdate, schedule: str) -> str:
    if work.lr == work.base_lr:
        return f"lr = {num(work.lr)}"
    return f"lr = {num(work.base_lr)} × {num(work.lr_factor)} ({schedule}) = {num(work.lr)}"


def _gradient_line(work: WorkedUpdate, i: int, name: str) -> str:
    g = work.grad[i]
    if work.true_grad is not None:
        if work.noise[i] == 0.0:
            return f"g_{name} = ∂f/∂{name} = {num(g)}"
        return (f"g_{name} = ∂f/∂{name} + noise = {num(work.true_grad[i])} + "
                f"{factor(work.noise[i])} = {num(g)}")  # fmt: skip
    size = work.batch_size
    over = "the one example's" if size == 1 else f"mean over the batch of {size:,}"
    return f"g_{name} = ∂L/∂{name} = {over} = {num(g)}"


def _line(target: str, formula: str, numbers: str, result: float, arrow: str = "←") -> str:
    """``target ← formula = numbers = result``."""
    return f"{target} {arrow} {formula} = {numbers} = {num(result)}"


def _update_lines(work: WorkedUpdate, optimizer: Optimizer, t: int, i: int, n: str) -> list:
    """The optimizer's update of coordinate ``i`` (named ``n``) as its docstring writes it,
    with the numbers in it."""
    h, kind = optimizer.hyper, optimizer.name
    p, g, new, lr = work.params_before[i], work.grad[i], work.params_after[i], work.lr
    after = {k: v[i] for k, v in work.state_after.items() if v is not None}
    before = {k: (v[i] if v is not None else None) for k, v in work.state_before.items()}
    lines = []
    decay = h.get("weight_decay", 0.0)
    if decay and kind != "adamw":
        g_decayed = g + decay * p
        lines.append(_line(f"g_{n}", f"g_{n} + weight_decay·{n}",
                           f"{num(g)} + {num(decay)} × {factor(p)}", g_decayed))  # fmt: skip
        g = g_decayed

    def step_by(term: str, value: float) -> str:  # n <- n - lr * term
        return _line(n, f"{n} − lr·{term}", f"{num(p)} − {num(lr)} × {factor(value)}", new)

    if kind == "sgd":
        lines.append(step_by(f"g_{n}", g))
    elif kind in ("momentum", "nesterov"):
        b, mu, b_old = after["velocity"], h["momentum"], before["velocity"]
        if b_old is None:
            lines.append(f"u_{n} = g_{n} = {num(b)} (the first step starts the velocity)")
        elif h.get("dampening", 0.0):
            lines.append(_line(f"u_{n}", f"momentum·u_{n} + (1 − dampening)·g_{n}",
                               f"{num(mu)} × {factor(b_old)} + {num(1 - h['dampening'])} × "
                               f"{factor(g)}", b))  # fmt: skip
        else:
            lines.append(_line(f"u_{n}", f"momentum·u_{n} + g_{n}",
                               f"{num(mu)} × {factor(b_old)} + {factor(g)}", b))  # fmt: skip
        if kind == "nesterov":
            ahead = g + mu * b
            lines.append(_line(f"g_{n}", f"g_{n} + momentum·u_{n}",
                               f"{num(g)} + {num(mu)} × {factor(b)}", ahead))  # fmt: skip
            lines.append(step_by(f"g_{n}", ahead))
        else:
            lines.append(step_by(f"u_{n}", b))
    elif kind == "adagrad":
        s, eps, rate = after["sum"], h["eps"], lr
        lines.append(_line(f"s_{n}", f"s_{n} + g_{n}²", f"{num(before['sum'])} + {factor(g)}²", s))
        if h["lr_decay"]:
            rate = lr / (1.0 + (t - 1) * h["lr_decay"])
            numbers = f"{num(lr)} / (1 + {t - 1} × {num(h['lr_decay'])})"
            lines.append(_line("lr_t", "lr / (1 + (t − 1)·lr_decay)", numbers, rate, "="))
        lines.append(_line(n, f"{n} − lr_t·g_{n} / (√s_{n} + eps)",
                           f"{num(p)} − {num(rate)} × {factor(g)} / ({num(np.sqrt(s))} + "
                           f"{num(eps)})", new))  # fmt: skip
    elif kind == "rmsprop":
        alpha, eps, v = h["alpha"], h["eps"], after["v"]
        lines.append(_line(f"v_{n}", f"alpha·v_{n} + (1 − alpha)·g_{n}²",
                           f"{num(alpha)} × {factor(before['v'])} + {num(1 - alpha)} × "
                           f"{factor(g)}²", v))  # fmt: skip
        if h["centered"]:
            m = after["m"]
            lines.append(_line(f"m_{n}", f"alpha·m_{n} + (1 − alpha)·g_{n}",
                               f"{num(alpha)} × {factor(before['m'])} + {num(1 - alpha)} × "
                               f"{factor(g)}", m))  # fmt: skip
            d = float(np.sqrt(max(v - m * m, 0.0)) + eps)
            lines.append(_line(f"d_{n}", f"√(v_{n} − m_{n}²) + eps",
                               f"√({num(v)} − {factor(m)}²) + {num(eps)}", d, "="))  # fmt: skip
        else:
            d = float(np.sqrt(v) + eps)
            lines.append(_line(f"d_{n}", f"√v_{n} + eps", f"√{num(v)} + {num(eps)}", d, "="))
        if h["momentum"]:
            b = after["velocity"]
            lines.append(_line(f"u_{n}", f"momentum·u_{n} + g_{n} / d_{n}",
                               f"{num(h['momentum'])} × {factor(before['velocity'])} + "
                               f"{factor(g)} / {num(d)}", b))  # fmt: skip
            lines.append(step_by(f"u_{n}", b))
        else:
            lines.append(_line(n, f"{n} − lr·g_{n} / d_{n}",
                               f"{num(p)} − {num(lr)} × {factor(g)} / {num(d)}", new))  # fmt: skip
    else:  # adam, adamw
        beta1, beta2, eps = h["beta1"], h["beta2"], h["eps"]
        if kind == "adamw" and decay:
            shrunk = p * (1.0 - lr * decay)
            lines.append(_line(n, f"{n}·(1 − lr·weight_decay)",
                               f"{num(p)} × (1 − {num(lr)} × {num(decay)})", shrunk))  # fmt: skip
            p = shrunk
        m, v = after["m"], after["v"]
        c1, c2 = work.terms["bias_correction"]
        m_hat, v_hat = work.terms["m_hat"][i], work.terms["v_hat"][i]
        lines.append(_line(f"m_{n}", f"beta1·m_{n} + (1 − beta1)·g_{n}",
                           f"{num(beta1)} × {factor(before['m'])} + {num(1 - beta1)} × "
                           f"{factor(g)}", m))  # fmt: skip
        lines.append(_line(f"v_{n}", f"beta2·v_{n} + (1 − beta2)·g_{n}²",
                           f"{num(beta2)} × {factor(before['v'])} + {num(1 - beta2)} × "
                           f"{factor(g)}²", v))  # fmt: skip
        lines.append(_line(f"mhat_{n}", f"m_{n} / (1 − beta1^{t})", f"{num(m)} / {num(c1)}",
                           m_hat, "="))  # fmt: skip
        lines.append(_line(f"vhat_{n}", f"v_{n} / (1 − beta2^{t})", f"{num(v)} / {num(c2)}",
                           v_hat, "="))  # fmt: skip
        lines.append(_line(n, f"{n} − lr·mhat_{n} / (√vhat_{n} + eps)",
                           f"{num(p)} − {num(lr)} × {factor(m_hat)} / ({num(np.sqrt(v_hat))} + "
                           f"{num(eps)})", new))  # fmt: skip
    return lines
