"""What a world reports must be what it declared: event types (:attr:`World.events`) and, where
the world lists them, each type's roles (:attr:`World.event_roles`). A task file is checked
against the declarations at load, so an undeclared event or role is one no task can rely on."""

from __future__ import annotations

from typing import Iterable

from simagym.world import Event, World

#: One reported event as the kit remembers it: its type and the names of its roles.
Seen = tuple[str, tuple[str, ...]]


def seen(events: Iterable[Event]) -> set[Seen]:
    return {(e.type, tuple(sorted(e.roles))) for e in events}


def event_problems(task_id: str, world: type[World], reported: Iterable[Seen]) -> list[str]:
    """One line per undeclared event type, and per role an event carried that its type does not list."""
    reported = set(reported)
    types = sorted({t for t, _ in reported} - world.events)
    problems = [f"{task_id}: step() reported events {types} that {world.__name__}.events does not declare"] if types else []
    extra: dict[str, set[str]] = {}
    for kind, roles in reported:
        declared = world.event_roles.get(kind)
        if declared is not None:
            extra.setdefault(kind, set()).update(set(roles) - declared)
    for kind, roles in sorted(extra.items()):
        if roles:
            problems.append(f"{task_id}: step() reported {kind} events with the roles {sorted(roles)}, which "
                            f"{world.__name__}.event_roles[{kind!r}] does not list")
    return problems
