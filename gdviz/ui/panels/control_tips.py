"""Tooltips of the hyperparameter controls, in one place so a lecturer can review the wording."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

TIPS: dict[str, str] = {
    # problem
    "source": "What gradient descent minimises: the loss of a model on a data set, or an analytic "
    "surface with known minima.",
    "open_csv": "Load your own data from a CSV file with a header row; rows with missing values "
    "are skipped.",
    "x_column": "The input feature x (the column the model reads).",
    "y_column": "The target y the model learns to predict.",
    "surface": "A loss surface given by a formula, to see how the optimizer moves on bowls, "
    "valleys and saddles.",
    "condition": "How stretched the bowl is (largest / smallest curvature). Large values make "
    "plain gradient descent zig-zag.",
    "gradient_noise": "Noise added to each example's gradient, so the surface behaves like data: "
    "small batches then give noisy steps.",
    "model": "Linear regression fits a line by least squares; logistic regression fits a "
    "probability curve to two classes.",
    "standardize": "Rescale x to mean 0 and spread 1. The loss surface becomes rounder, so one "
    "learning rate suits both parameters.",
    "n_examples": "How many training examples to generate (for a surface: how many examples its "
    "gradient noise pretends there are).",
    "data_noise": "How far the generated points scatter around the true line (or how much the two "
    "classes overlap).",
    # learning rate
    "lr": "How big a step each update takes. Too small: training crawls. Too large: it overshoots "
    "and never converges.",
    "lr_slider": "Drag to change the learning rate on a logarithmic scale (each tick is ten times "
    "the previous). The red mark shows where training diverges, the green one the fastest rate.",
    # batches
    "batch_size": "Examples averaged per update. 1 = SGD (noisy), N = full batch (smooth).",
    "sampling": "Shuffle: every example is used exactly once per epoch. With replacement: each "
    "batch is drawn at random, so examples can repeat.",
    "drop_last": "Skip the last, smaller batch of each epoch when N is not a multiple of the "
    "batch size (shuffle sampling only).",
    # training length
    "budget": "Measure the training length in epochs (passes over the data) or in steps "
    "(parameter updates).",
    "epochs": "One epoch = every example used once = ceil(N/B) iterations. More epochs: a better "
    "fit, but longer training.",
    "steps": "The number of parameter updates (iterations) to run, whatever the batch size.",
    "seed": "Fixes the random shuffling and noise: the same seed replays exactly the same run.",
    "start": "Where gradient descent starts on the loss surface. Click the surface view to pick a "
    "point.",
    "start_default": "Go back to the problem's usual starting point.",
    # optimizer
    "optimizer": "The update rule. Plain SGD steps straight down the slope; the others add "
    "momentum or adapt the step size for each parameter.",
    "momentum": "How much of the previous step is kept (a heavy ball rolling downhill). 0 = no "
    "memory; 0.9 smooths zig-zags and speeds up valleys.",
    "dampening": "Scales down the new gradient added to the momentum. Usually 0.",
    "beta1": "Adam's memory of past gradients (momentum). 0.9 averages roughly the last 10 steps.",
    "beta2": "Adam's memory of squared gradients, which sets each parameter's step size. 0.999 "
    "averages roughly the last 1000 steps.",
    "eps": "A tiny number added before dividing, so a near-zero gradient history cannot make a "
    "huge step.",
    "alpha": "RMSprop's memory of squared gradients. 0.99 averages roughly the last 100 steps.",
    "weight_decay": "Pulls the parameters towards zero a little on every step (L2 "
    "regularisation). 0 = off.",
    "lr_decay": "AdaGrad shrinks its learning rate by 1 / (1 + (t - 1) x decay) at step t. "
    "0 = no extra decay.",
    "centered": "Divide by the variance instead of the mean square of the gradients; steadier, "
    "slightly slower.",
    # schedule
    "schedule": "How the learning rate changes during training: constant, dropped in steps, "
    "decayed every step, or along a cosine curve.",
    "gamma": "Factor the learning rate is multiplied by at each decay (0.5 halves it).",
    "step_size": "Number of iterations between two step decays.",
    "t_max": "Number of iterations over which the cosine schedule goes down to its minimum.",
    "eta_min": "The learning rate the cosine schedule ends at.",
    "warmup": "Start with a tenth of the learning rate and ramp up linearly over this many "
    "iterations, to avoid wild first steps. 0 = no warm-up.",
}


def add_row(form: QFormLayout, text: str, field: QWidget, tip: str) -> QLabel:
    """Add a labelled row whose label and field share the tooltip (students hover the words)."""
    label = QLabel(text)
    label.setBuddy(field)
    label.setToolTip(tip)
    field.setToolTip(tip)
    form.addRow(label, field)
    return label


def new_form() -> QFormLayout:
    """A compact form whose fields take the remaining width of a narrow dock."""
    form = QFormLayout()
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setContentsMargins(6, 6, 6, 6)
    form.setHorizontalSpacing(8)
    form.setVerticalSpacing(4)
    return form
