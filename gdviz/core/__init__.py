"""The numpy-only training engine: data, problems, batching, optimizers, schedules, trainer."""
