"""How the kit reports: a :class:`KitError` listing every problem found, one line each."""

from __future__ import annotations

from typing import Iterable


class KitError(AssertionError):
    """A world or task failed the kit. ``problems`` holds one line per failure, each naming the
    task (and seed) and what to fix. An ``AssertionError``, so pytest reports it as a failure."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def raise_if(problems: list[str]) -> None:
    if problems:
        raise KitError(problems)
