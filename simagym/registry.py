"""Plugin discovery: worlds and task catalogues found through entry points.

Two entry-point groups, read with :mod:`importlib.metadata`:

* ``simagym.worlds`` - ``name = "package.module:WorldClass"`` (a :class:`World` subclass).
* ``simagym.tasks``  - ``name = "package.with.yaml.files"``; every ``*.yaml`` in that
  package, subfolders included, is a task file.

Task ids end in a version (``-v2``). A task is *superseded* when the catalogue holds a
higher version of the same name, or a task that names it in ``supersedes`` (templates
merged or renamed): it stays loadable (published suites name it), but
:func:`list_tasks` leaves it out unless asked, so training and listings see the
current catalogue.

simagym's own worlds are declared through the same groups. A plugin that fails
to load is reported by name (a warning and :func:`plugin_errors`) and skipped.
"""

from __future__ import annotations

import difflib
import importlib.resources
import logging
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from types import ModuleType

from simagym.spec import TaskFileError, TaskSpec, load_task_file
from simagym.world import World

log = logging.getLogger("simagym")

WORLD_GROUP = "simagym.worlds"
TASK_GROUP = "simagym.tasks"


class UnknownTaskError(KeyError):
    def __str__(self) -> str:  # KeyError quotes its message; keep it readable
        return str(self.args[0])


@dataclass
class Catalogue:
    worlds: dict[str, type[World]] = field(default_factory=dict)
    tasks: dict[str, TaskSpec] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def _bundled_first(points: list[EntryPoint]) -> list[EntryPoint]:
    """simagym's own worlds and catalogues load first, so no plugin can take their names or ids."""
    return sorted(points, key=lambda ep: not ep.value.startswith("simagym."))


def _load_worlds(points: list[EntryPoint], cat: Catalogue) -> None:
    for ep in _bundled_first(points):
        try:
            if ep.name in cat.worlds:
                raise ValueError(f"world name {ep.name!r} is taken by {cat.worlds[ep.name].__module__}; rename the plugin's world")
            cls = ep.load()
            if not (isinstance(cls, type) and issubclass(cls, World)):
                raise TypeError(f"{ep.value} is not a simagym.world.World subclass")
            if getattr(cls, "__abstractmethods__", None):
                raise TypeError(f"{ep.value} does not implement {', '.join(sorted(cls.__abstractmethods__))}")
            cls()  # a world whose constructor raises is broken now, not at the first make()
        except Exception as err:  # a broken plugin must not break the others
            _report(cat, f"world plugin {ep.name!r} ({ep.value})", err)
            continue
        cat.worlds[ep.name] = cls


def _task_files(ep: EntryPoint) -> list[tuple[str, str]]:
    target = ep.load()
    if not isinstance(target, ModuleType):
        raise TypeError(f"{ep.value} must name a package holding *.yaml task files")

    def walk(folder, prefix: str) -> list[tuple[str, str]]:
        found = []
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".yaml") and entry.is_file():
                found.append((f"{prefix}/{entry.name}", entry.read_text(encoding="utf-8")))
            elif entry.is_dir() and not entry.name.startswith(("_", ".")):
                found += walk(entry, f"{prefix}/{entry.name}")
        return found

    files = walk(importlib.resources.files(target), ep.value)
    if not files:
        raise FileNotFoundError(f"package {ep.value} holds no *.yaml task files; list them as package data "
                                "(setuptools: [tool.setuptools.package-data])")
    return files


def _load_tasks(points: list[EntryPoint], cat: Catalogue) -> None:
    """Each task file, and each task in it, loads or fails alone: a bad template is reported and
    skipped, its neighbours load. A task id already taken (by simagym, or earlier in the plugin)
    is refused; the first one stays."""
    layouts = {name: cls.Layout for name, cls in cat.worlds.items()}
    vocabularies = {name: cls.vocabulary for name, cls in cat.worlds.items()}
    for ep in _bundled_first(points):
        plugin = f"task plugin {ep.name!r} ({ep.value})"
        try:
            files = _task_files(ep)
        except Exception as err:
            _report(cat, plugin, err)
            continue
        for source, text in files:
            def bad_task(err: TaskFileError, source: str = source) -> None:
                _report(cat, f"{plugin}: {source}" + (f": {err.task}" if err.task else ""), err)

            try:
                specs = load_task_file(text, source, layouts, vocabularies, on_error=bad_task, worlds=cat.worlds)
            except TaskFileError as err:
                bad_task(err)
                continue
            for spec in specs:
                if spec.id in cat.tasks:
                    bad_task(TaskFileError(spec.source, spec.id, "id",
                                           f"task id already taken by {cat.tasks[spec.id].source}; choose a new id"))
                else:
                    cat.tasks[spec.id] = spec


def _report(cat: Catalogue, what: str, err: Exception) -> None:
    message = f"{type(err).__name__}: {err}"
    cat.errors[what] = message
    log.warning("simagym: skipped %s: %s", what, message)


def discover(
    world_points: list[EntryPoint] | None = None, task_points: list[EntryPoint] | None = None
) -> Catalogue:
    """Load every world and task plugin; the arguments let tests inject entry points."""
    cat = Catalogue()
    _load_worlds(list(entry_points(group=WORLD_GROUP)) if world_points is None else world_points, cat)
    _load_tasks(list(entry_points(group=TASK_GROUP)) if task_points is None else task_points, cat)
    return cat


_CATALOGUE: Catalogue | None = None


def catalogue() -> Catalogue:
    global _CATALOGUE
    if _CATALOGUE is None:
        _CATALOGUE = discover()
    return _CATALOGUE


def get_task(task_id: str) -> TaskSpec:
    tasks = catalogue().tasks
    if task_id in tasks:
        return tasks[task_id]
    close = difflib.get_close_matches(task_id, list(tasks), n=3, cutoff=0.5)
    hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    raise UnknownTaskError(f"unknown task {task_id!r}.{hint} Run `simagym list` to see every task.")


def get_world(name: str) -> type[World]:
    worlds = catalogue().worlds
    if name not in worlds:
        raise UnknownTaskError(f"unknown world {name!r}; installed worlds: {', '.join(sorted(worlds))}")
    return worlds[name]


def _name_and_version(task_id: str) -> tuple[str, int]:
    name, _, version = task_id.rpartition("-v")
    return name, int(version)


def _replaced() -> set[str]:
    """Ids that a task of the catalogue names in its ``supersedes`` (merged or renamed since)."""
    return {old for spec in catalogue().tasks.values() for old in spec.supersedes}


def superseded(task_id: str) -> bool:
    """Whether the catalogue holds a higher version of this task (``x-v1`` when ``x-v2`` exists),
    or a task that says it supersedes this one (``turn-v2`` replacing ``turn-left-v1``)."""
    name, version = _name_and_version(task_id)
    return (any(n == name and v > version for n, v in map(_name_and_version, catalogue().tasks))
            or task_id in _replaced())


def list_tasks(world: str | None = None, category: str | None = None, superseded_too: bool = False) -> list[TaskSpec]:
    """Every current task spec, sorted by id, optionally filtered; ``superseded_too`` adds the
    older versions that published suites still name."""
    specs = sorted(catalogue().tasks.values(), key=lambda s: s.id)
    if not superseded_too:
        latest: dict[str, int] = {}
        for spec in specs:
            name, version = _name_and_version(spec.id)
            latest[name] = max(version, latest.get(name, version))
        replaced = _replaced()
        specs = [s for s in specs if _name_and_version(s.id)[1] == latest[_name_and_version(s.id)[0]]
                 and s.id not in replaced]
    if world is not None:
        specs = [s for s in specs if s.world == world]
    if category is not None:
        specs = [s for s in specs if s.category.value == category]
    return specs


def plugin_errors() -> dict[str, str]:
    """Plugins that failed to load, by name, with the reason."""
    return dict(catalogue().errors)
