"""The kit's entry points: every check on one task, on the tasks a pattern names, or on a world
and all its tasks, each gathered as :class:`KitCase` items (what the pytest helper parametrizes)."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import simagym
from simagym.registry import catalogue
from simagym.testing.api import check_env_api, check_render_sizes
from simagym.testing.determinism import check_determinism
from simagym.testing.language import check_instructions
from simagym.testing.oracle import check_oracle, check_targets
from simagym.testing.problems import crashed, raise_if
from simagym.testing.team import check_joint_oracle, check_team_api
from simagym.world import LayoutParams, World

SEEDS = range(20)


@dataclass(frozen=True)
class KitCase:
    """One check on one task (or world): :meth:`run` returns its problems, one line each."""

    id: str
    check: Callable[[], list[str]]

    def run(self) -> list[str]:
        try:
            return self.check()
        except Exception as err:  # noqa: BLE001 - a plugin's world crashing in a check is its finding
            return [crashed(self.id.rpartition(":")[0], err)]


def task_ids(pattern: str) -> list[str]:
    """The current tasks ``pattern`` names: an id (superseded ones too) or a glob such as ``orchard/*``."""
    current = [spec.id for spec in simagym.list_tasks()]
    if any(ch in pattern for ch in "*?["):
        return fnmatch.filter(current, pattern)
    return [pattern] if pattern in catalogue().tasks else []


def task_cases(task_id: str, seeds: Sequence[int] = SEEDS) -> list[KitCase]:
    """The checks of one task that run in this process."""
    return [
        KitCase(f"{task_id}:env-checkers", lambda: check_env_api(task_id)),
        KitCase(f"{task_id}:render-sizes", lambda: check_render_sizes(task_id)),
        KitCase(f"{task_id}:instructions", lambda: check_instructions(task_id)),
        KitCase(f"{task_id}:unique-targets", lambda: check_targets(task_id, seeds)),
        KitCase(f"{task_id}:oracle", lambda: check_oracle(task_id, seeds)),
    ]


def team_task_ids(pattern: str) -> list[str]:
    """The team tasks ``pattern`` names, as :func:`task_ids` does for single-player ones."""
    from simagym.multi import list_team_tasks

    ids = [spec.id for spec in list_team_tasks()]
    return fnmatch.filter(ids, pattern) if any(ch in pattern for ch in "*?[") else [i for i in ids if i == pattern]


def team_task_cases(task_id: str, seeds: Sequence[int] = SEEDS) -> list[KitCase]:
    """The checks of one team task: PettingZoo's API test and the joint oracle on ``seeds``."""
    return [
        KitCase(f"{task_id}:pettingzoo-api", lambda: check_team_api(task_id)),
        KitCase(f"{task_id}:joint-oracle", lambda: check_joint_oracle(task_id, seeds)),
    ]


def _plugin_errors(world: str) -> list[str]:
    """Load failures that concern ``world``: its world plugin, or a template of its tasks skipped."""
    return [f"{what}: {message}" for what, message in simagym.plugin_errors().items()
            if f"'{world}'" in what or f": {world}/" in what]


def world_problems(name: str) -> list[str]:
    """The world class as discovery left it: installed, its declarations well formed, an oracle, tasks."""
    problems = _plugin_errors(name)
    worlds = catalogue().worlds
    if name not in worlds:
        return problems or [f"world {name!r} is not installed (installed: {', '.join(sorted(worlds))}); "
                            "declare it under [project.entry-points.\"simagym.worlds\"] and pip install the package"]
    cls: type[World] = worlds[name]
    if not (isinstance(cls.Layout, type) and issubclass(cls.Layout, LayoutParams)):
        problems.append(f"{cls.__name__}.Layout must be a simagym.world.LayoutParams subclass")
    if not (isinstance(cls.events, frozenset) and all(isinstance(e, str) for e in cls.events)):
        problems.append(f"{cls.__name__}.events must be a frozenset of event type names, got {cls.events!r}")
    roles = cls.event_roles
    if not (isinstance(roles, Mapping) and all(isinstance(r, frozenset) and all(isinstance(x, str) for x in r)
                                                for r in roles.values())):
        problems.append(f"{cls.__name__}.event_roles must map event types to frozensets of role names, got {roles!r}")
    elif set(roles) - set(cls.events):
        problems.append(f"{cls.__name__}.event_roles lists {sorted(set(roles) - set(cls.events))}, which "
                        f"{cls.__name__}.events does not declare")
    if not all(isinstance(v, frozenset) for v in cls.vocabulary.values()):
        problems.append(f"{cls.__name__}.vocabulary must map each attribute to a frozenset of values")
    unknown = sorted(cls.scattered - cls.vocabulary.get("kind", cls.scattered))
    if unknown:
        problems.append(f"{cls.__name__}.scattered names kinds {unknown} missing from its vocabulary['kind']")
    if cls.solver_class is None and cls.solver is World.solver:
        problems.append(f"{cls.__name__} has no oracle: set {cls.__name__}.solver_class to a simagym.world.Solver")
    if not task_ids(f"{name}/*"):
        problems.append(f"world {name!r} has no tasks: declare a package of task YAML files under "
                        "[project.entry-points.\"simagym.tasks\"] and ship the files as package data "
                        "([tool.setuptools.package-data])")
    return problems


def cases(world: str | None = None, tasks: str | None = None, seeds: Sequence[int] = SEEDS) -> list[KitCase]:
    """Every check of ``world`` (its class and all its current tasks) or of the ``tasks`` a pattern
    names: per task the env checkers, render sizes, instructions, unique targets and the oracle on
    ``seeds``; then cross-process determinism over all of them in one child process; per team task
    (of the world, or named by the pattern) PettingZoo's API test and the joint oracle on ``seeds``."""
    if (world is None) == (tasks is None):
        raise ValueError("name a world (check_world('orchard')) or a task pattern (check_tasks('orchard/*'))")
    found: list[KitCase] = []
    if world is not None:
        found.append(KitCase(f"{world}:world", lambda: world_problems(world)))
        tasks = f"{world}/*"
    ids, team_ids = task_ids(tasks), team_task_ids(tasks)
    if not ids and not team_ids:
        if world is None:
            found.append(KitCase(f"{tasks}:tasks", lambda: [f"no installed task matches {tasks!r}; "
                                                            "`simagym list` shows every task"]))
        return found
    for task_id in ids:
        found += task_cases(task_id, seeds)
    if ids:
        found.append(KitCase(f"{tasks}:determinism", lambda: check_determinism(ids)))
    for task_id in team_ids:
        found += team_task_cases(task_id, seeds)
    return found


def _run(found: list[KitCase]) -> list[str]:
    problems = [p for case in found for p in case.run()]
    raise_if(problems)
    return [case.id for case in found]


def check_world(name: str, seeds: Sequence[int] = SEEDS) -> list[str]:
    """Run every check on world ``name`` and all its tasks; raise :class:`KitError` listing every
    problem, else return the checks that passed."""
    return _run(cases(world=name, seeds=seeds))


def check_tasks(pattern: str, seeds: Sequence[int] = SEEDS) -> list[str]:
    """Run every check on the tasks ``pattern`` names (``orchard/pick-*``); as :func:`check_world`."""
    return _run(cases(tasks=pattern, seeds=seeds))
