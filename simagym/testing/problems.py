"""How the kit reports: a :class:`KitError` listing every problem found, one line each."""

from __future__ import annotations

from typing import Iterable

from simagym.world import TargetError


class KitError(AssertionError):
    """A world or task failed the kit. ``problems`` holds one line per failure, each naming the
    task (and seed) and what to fix. An ``AssertionError``, so pytest reports it as a failure."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def raise_if(problems: list[str]) -> None:
    if problems:
        raise KitError(problems)


def crashed(task_id: str, err: Exception) -> str:
    """One line for an exception a check ran into. An ambiguous target breaks every check of the
    task alike, so it points to the one check that reports it in full."""
    if isinstance(err, TargetError):
        return f"{task_id}: not checked: reset refuses an ambiguous target (see {task_id}:unique-targets)"
    first = (str(err).strip().splitlines() or [""])[0]
    return f"{task_id}: {type(err).__name__}: {first}"
