"""The team task catalogue: every ``*.yaml`` in the packages of the ``simagym.team_tasks``
entry-point group (simagym's own: ``simagym.tasks.team``), kept apart from the single-player
catalogue so its suites and their hashes never change. A plugin that fails is reported and skipped."""

from __future__ import annotations

import difflib
import importlib.resources
from importlib.metadata import entry_points

from simagym.registry import UnknownTaskError, _bundled_first, _report, catalogue
from simagym.spec import TaskFileError

from .spec import TeamSpec, load_team_file

TEAM_GROUP = "simagym.team_tasks"
_TEAM: dict[str, TeamSpec] | None = None


def team_tasks() -> dict[str, TeamSpec]:
    """Every team template by id (loaded once)."""
    global _TEAM
    if _TEAM is None:
        cat = catalogue()
        layouts = {name: cls.Layout for name, cls in cat.worlds.items()}
        vocabularies = {name: cls.vocabulary for name, cls in cat.worlds.items()}
        found: dict[str, TeamSpec] = {}
        for ep in _bundled_first(list(entry_points(group=TEAM_GROUP))):
            try:
                folder = importlib.resources.files(ep.load())
                for entry in sorted(folder.iterdir(), key=lambda e: e.name):
                    if entry.name.endswith(".yaml"):
                        for spec in load_team_file(entry.read_text(encoding="utf-8"), f"{ep.value}/{entry.name}",
                                                   layouts, vocabularies, cat.worlds):
                            if spec.id in found or spec.id in cat.tasks:
                                raise TaskFileError(spec.source, spec.id, "id", "task id already taken; choose a new id")
                            found[spec.id] = spec
            except Exception as err:  # a broken plugin must not break the others
                _report(cat, f"team task plugin {ep.name!r} ({ep.value})", err)
        _TEAM = found
    return _TEAM


def get_team_task(task_id: str) -> TeamSpec:
    tasks = team_tasks()
    if task_id in tasks:
        return tasks[task_id]
    close = difflib.get_close_matches(task_id, list(tasks), n=3, cutoff=0.5)
    hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    raise UnknownTaskError(f"unknown team task {task_id!r}.{hint} simagym.multi.list_team_tasks() lists them.")


def list_team_tasks(world: str | None = None) -> list[TeamSpec]:
    return sorted((s for s in team_tasks().values() if world is None or s.world == world), key=lambda s: s.id)


def is_team_task(task_id: str) -> bool:
    return task_id in team_tasks()


__all__ = ["TEAM_GROUP", "get_team_task", "list_team_tasks", "team_tasks", "is_team_task"]
