"""Full batch costs the same per iteration at every N (issue 11): its batches are all N
examples, given once, and linear regression's batch means are the data's, worked out once."""

from __future__ import annotations

import numpy as np

from gdviz.core.batching import BatchSampler
from gdviz.core.config import RunConfig, build_problem, build_trainer


def test_a_full_batch_chunk_holds_the_indices_once():
    chunk = BatchSampler(100_000, 100_000).next_chunk(512)
    assert chunk.full and chunk.indices.size == 100_000  # not 512 x 100,000
    assert np.array_equal(chunk.batch(511), np.arange(100_000))


def test_full_batch_means_are_those_of_every_example_bit_for_bit():
    config = RunConfig(dataset="synthetic", n_examples=5_000, batch_size=None, steps=50,
                       epochs=None)  # fmt: skip
    problem = build_problem(config)
    chunk = BatchSampler(5_000, 5_000).next_chunk(7)
    prepared = problem.prepare(chunk)
    x, y = problem.data.x, problem.data.y  # the five per-example terms of the class docstring
    w, b = problem.optimum
    e = w * x + b - y
    terms = np.column_stack([x, x * x, x * e, e, e * e])
    reference = np.add.reduceat(terms[np.tile(np.arange(5_000), 7)],
                                np.arange(7) * 5_000, axis=0) / 5_000  # fmt: skip
    assert np.array_equal(prepared, reference)


def test_full_batch_gradient_descent_matches_the_closed_form_step():
    # Full-batch GD on MSE: theta <- theta - lr * grad, grad = H (theta - theta*) exactly.
    config = RunConfig(dataset="synthetic", n_examples=20_000, batch_size=None, lr=0.1,
                       steps=30, epochs=None)  # fmt: skip
    problem = build_problem(config)
    trainer = build_trainer(config, problem)
    trainer.advance(30)
    theta = np.zeros(2)
    optimum = np.array(problem.optimum)
    hessian = problem.hessian_at_optimum()
    for _ in range(30):
        theta = theta - 0.1 * hessian @ (theta - optimum)
    np.testing.assert_allclose(trainer.params, theta, rtol=1e-12, atol=1e-12)


def test_full_batch_logistic_regression_shares_one_batch_array():
    config = RunConfig(dataset="two-class", model="logistic", n_examples=1_000, batch_size=None,
                       steps=10, epochs=None)  # fmt: skip
    problem = build_problem(config)
    items = problem.prepare(BatchSampler(1_000, 1_000).next_chunk(64))
    assert len(items) == 64 and all(item[0] is items[0][0] for item in items)
