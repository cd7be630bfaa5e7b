"""Make tests/core/data/torch_references.json: trajectories computed by torch.optim itself.

The tests check gdviz's engine against these on every CI run, without torch installed. Each case
is a linear regression on Auto MPG (standardised weight -> mpg) with mini-batches of 10 drawn by
gdviz's own sampler (the indices are stored, so the test can say when the batches, not the
optimizer, changed). Here torch computes the loss ``mean((w x + b - y)^2)`` by autograd and
steps ``torch.optim`` (and ``torch.optim.lr_scheduler`` once per iteration).

Run once, with torch 2.13 (CPU) in a separate environment, from the repository root:

    python -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch==2.13.0 numpy
    PYTHONPATH=. /tmp/torchenv/bin/python scripts/make_torch_references.py
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

from gdviz.core.config import RunConfig, build_problem, make_sampler

STEPS = 300
BATCH = 10
OUT = Path(__file__).resolve().parent.parent / "tests" / "core" / "data" / "torch_references.json"

# (name, RunConfig overrides, torch optimizer, its arguments, schedulers as (class, arguments))
CASES = [
    ("sgd-weight-decay", {"lr": 0.05, "weight_decay": 0.1}, "SGD", {"weight_decay": 0.1}, []),
    ("momentum-dampening", {"optimizer": "momentum", "lr": 0.02, "momentum": 0.9,
                            "dampening": 0.3}, "SGD", {"momentum": 0.9, "dampening": 0.3}, []),
    ("nesterov", {"optimizer": "nesterov", "lr": 0.02, "momentum": 0.8}, "SGD",
     {"momentum": 0.8, "nesterov": True}, []),
    ("adagrad", {"optimizer": "adagrad", "lr": 0.5, "lr_decay": 0.05, "weight_decay": 0.01},
     "Adagrad", {"lr_decay": 0.05, "weight_decay": 0.01}, []),
    ("rmsprop-centered-momentum", {"optimizer": "rmsprop", "lr": 0.01, "alpha": 0.9,
                                   "momentum": 0.5, "centered": True}, "RMSprop",
     {"alpha": 0.9, "momentum": 0.5, "centered": True}, []),
    ("adam-weight-decay", {"optimizer": "adam", "lr": 0.05, "beta1": 0.8, "weight_decay": 0.01},
     "Adam", {"betas": (0.8, 0.999), "weight_decay": 0.01}, []),
    ("adamw", {"optimizer": "adamw", "lr": 0.05, "weight_decay": 0.1}, "AdamW",
     {"weight_decay": 0.1}, []),
    ("sgd-step-schedule", {"lr": 0.1, "schedule": "step", "gamma": 0.5, "step_size": 50}, "SGD",
     {}, [("StepLR", {"step_size": 50, "gamma": 0.5})]),
    ("sgd-exponential-schedule", {"lr": 0.1, "schedule": "exponential", "gamma": 0.99}, "SGD",
     {}, [("ExponentialLR", {"gamma": 0.99})]),
    ("momentum-cosine-schedule", {"optimizer": "momentum", "lr": 0.05, "momentum": 0.9,
                                  "schedule": "cosine", "t_max": 400, "eta_min": 0.001},
     "SGD", {"momentum": 0.9}, [("CosineAnnealingLR", {"T_max": 400, "eta_min": 0.001})]),
    ("adam-warmup", {"optimizer": "adam", "lr": 0.05, "warmup": 40}, "Adam", {},
     [("LinearLR", {"start_factor": 0.1, "end_factor": 1.0, "total_iters": 40})]),
    ("sgd-warmup-step", {"lr": 0.1, "warmup": 30, "schedule": "step", "gamma": 0.5,
                         "step_size": 100}, "SGD", {},
     [("LinearLR", {"start_factor": 0.1, "end_factor": 1.0, "total_iters": 30}),
      ("StepLR", {"step_size": 100, "gamma": 0.5})]),
]  # fmt: skip


def base_config(**overrides) -> RunConfig:
    return RunConfig(dataset="auto-mpg", batch_size=BATCH, steps=STEPS, seed=3, **overrides)


def torch_trajectory(x, y, batches, config: RunConfig, name, arguments, schedulers):
    w = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    start = config.start or (0.0, 0.0)
    with torch.no_grad():
        w.fill_(start[0])
        b.fill_(start[1])
    optimizer = getattr(torch.optim, name)([w, b], lr=config.lr, **arguments)
    made = [getattr(torch.optim.lr_scheduler, s)(optimizer, **a) for s, a in schedulers]
    chained = torch.optim.lr_scheduler.ChainedScheduler(made) if len(made) > 1 else None
    xs, ys = torch.tensor(x), torch.tensor(y)
    p1, p2, lrs = [], [], []
    for batch in batches:
        index = torch.tensor(batch)
        optimizer.zero_grad()
        loss = torch.mean((w * xs[index] + b - ys[index]) ** 2)
        loss.backward()
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        if chained is not None:
            chained.step()
        elif made:
            made[0].step()
        p1.append(float(w.detach()[0]))
        p2.append(float(b.detach()[0]))
    return p1, p2, lrs


def main() -> None:
    config = base_config()
    problem = build_problem(config)
    chunk = make_sampler(config, problem).next_chunk(STEPS)
    batches = [chunk.batch(i).tolist() for i in range(STEPS)]
    x, y = problem.data.x, problem.data.y
    cases = []
    for label, overrides, name, arguments, schedulers in CASES:
        case_config = base_config(**overrides)
        p1, p2, lrs = torch_trajectory(x, y, batches, case_config, name, arguments, schedulers)
        cases.append({"name": label, "config": case_config.to_dict(), "p1": p1, "p2": p2,
                      "lr": lrs})  # fmt: skip
    document = {
        "made_by": f"scripts/make_torch_references.py with torch {torch.__version__}",
        "steps": STEPS, "x": x.tolist(), "y": y.tolist(), "batches": batches, "cases": cases,
    }  # fmt: skip
    OUT.write_text(json.dumps(document, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(cases)} cases of {STEPS} steps, torch {torch.__version__}")


if __name__ == "__main__":
    np.seterr(all="raise")
    main()
