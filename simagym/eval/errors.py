"""The one exception type the evaluation CLI turns into a one-line message."""

from __future__ import annotations


class EvalError(ValueError):
    """A user-facing problem with an evaluation run: bad suite, agent, folder or argument."""
