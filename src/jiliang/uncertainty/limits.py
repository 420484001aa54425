"""Bounds on the work one evaluation may do (issue #11: one request must not take the server down).

The engine's cost grows with the number of outputs and inputs, with the second-order terms of
JCGM 100 5.1.2 Note (outputs × inputs² third derivatives), and with the Monte Carlo output values it
keeps (outputs × M, 8 bytes each, JCGM 101 7.5). :class:`Limits` caps each of them, and a
wall-clock limit stops whatever is left: :func:`time_limit` sets a deadline for the calling context
and :func:`check_time` — called between chunks of trials, derivatives and copula pairs — refuses to go
on past it. Every refusal is an :class:`UncertaintyError` naming the field and the limit, so the API
answers 400, never 500.

The defaults suit one server process; a deployment sets its own (docs/settings.md).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from .errors import UncertaintyError

#: JCGM 101 7.2: 10⁶ trials are usually enough for a 95 % interval to two significant digits
DEFAULT_MAX_TRIALS = 10_000_000


@dataclass(frozen=True)
class Limits:
    """The most one evaluation may ask for."""

    #: input quantities
    max_inputs: int = 100
    #: output quantities (each is a model expression, a GUM output and a row of Monte Carlo values)
    max_outputs: int = 20
    #: outputs × inputs² terms of the second-order propagation (JCGM 100 5.1.2 Note)
    max_second_order_terms: int = 2_500
    #: Monte Carlo trials M
    max_trials: int = DEFAULT_MAX_TRIALS
    #: outputs × M output values kept in memory (8 bytes each: 10⁷ is 80 MB)
    max_sample_values: int = 10_000_000
    #: wall-clock seconds for the whole evaluation (None: no limit)
    time_limit: float | None = 30.0

    def __post_init__(self) -> None:
        for name in ("max_inputs", "max_outputs", "max_second_order_terms", "max_trials", "max_sample_values"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if self.time_limit is not None and not (math.isfinite(self.time_limit) and self.time_limit > 0):
            raise ValueError(f"time_limit must be a positive number of seconds or None, got {self.time_limit!r}")

    def check_inputs(self, count: int, field: str = "inputs") -> None:
        if count > self.max_inputs:
            raise UncertaintyError(
                f"the model has {count} input quantities; this server evaluates at most {self.max_inputs}", field)

    def check_outputs(self, count: int, field: str = "model") -> None:
        if count > self.max_outputs:
            raise UncertaintyError(
                f"the model has {count} output quantities; this server evaluates at most {self.max_outputs}", field)

    def check_second_order(self, outputs: int, inputs: int) -> None:
        terms = outputs * inputs * inputs
        if terms > self.max_second_order_terms:
            raise UncertaintyError(
                f"second-order terms (JCGM 100 5.1.2 Note) for {outputs} output(s) and {inputs} inputs are "
                f"{terms} derivative terms; this server computes at most {self.max_second_order_terms} "
                "(outputs × inputs²)", "second_order")

    def trials_for(self, outputs: int) -> int:
        """The most trials M a run with ``outputs`` outputs may have: min(max_trials, max_sample_values/outputs)."""
        return max(1, min(self.max_trials, self.max_sample_values // max(outputs, 1)))

    def check_trials(self, trials: int, outputs: int, field: str = "monte_carlo.trials") -> None:
        if trials * outputs > self.max_sample_values:
            raise UncertaintyError(
                f"M = {trials} trials for {outputs} output(s) keep {trials * outputs} values; this server keeps at "
                f"most {self.max_sample_values} (outputs × trials), i.e. M ≤ {self.trials_for(outputs)} here", field)


_deadline: ContextVar[tuple[float, float] | None] = ContextVar("jiliang_uncertainty_deadline", default=None)


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Evaluations inside the block stop with an UncertaintyError once ``seconds`` have passed."""
    if seconds is None:
        yield
        return
    token = _deadline.set((time.monotonic() + seconds, seconds))
    try:
        yield
    finally:
        _deadline.reset(token)


def check_time(field: str | None = None, what: str = "") -> None:
    """Refuse to go on when the deadline set by :func:`time_limit` has passed."""
    current = _deadline.get()
    if current is None or time.monotonic() <= current[0]:
        return
    during = f" ({what})" if what else ""
    raise UncertaintyError(
        f"the evaluation took longer than this server's limit of {current[1]:g} s{during}; ask for fewer trials, "
        "fewer outputs or a simpler model", field)
