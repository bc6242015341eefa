"""Suites: versioned YAML files that say which tasks, seeds and splits to run.

A suite file (bundled ones live in ``tasks/suites/<name>-v<version>.yaml``)::

    name: core
    version: 1
    description: every task, 20 seeds, both phrasing splits
    tasks: ["*"]                      # task ids or glob patterns such as "meadow/*"
    seeds: {start: 1000, count: 20}   # or an explicit list: [1, 2, 3]
    splits: [train, heldout]          # default: [train]
    heldout_worlds: []                # worlds never trained on (for the heldout-world split)
    content_hash: null                # optional: pin the hash; loading fails if the tasks changed

The splits (:class:`EvalSplit`) measure generalisation:

* ``train``               - training phrasings, training slot combinations.
* ``heldout``             - held-out phrasings of the same tasks.
* ``heldout-composition`` - slot combinations training never pairs (only
  templates with two or more slots; see :meth:`TaskSpec.heldout_compositions`).
* ``heldout-world``       - every task of a ``heldout_worlds`` world (zero-shot);
  those worlds' tasks appear in no other split, and training must leave them
  out (:attr:`Suite.training_tasks`).

Every suite has a content hash (:attr:`Suite.content_hash`) over its task specs
(phrasings, slots, held-out compositions, checks), seeds and splits: results
remember it, and the leaderboard compares only results on the same hash.

Bundled suites are read with :mod:`importlib.resources` (package
``simagym.tasks.suites``), so they work from an installed wheel. ``core``
resolves to the highest version of that name; ``core-v1`` pins one; a path to a
``.yaml`` file loads a user suite.
"""

from __future__ import annotations

import difflib
import enum
import fnmatch
import importlib.resources
import re
from dataclasses import dataclass
from pathlib import Path
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple, Sequence

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from simagym import yamlio
from simagym.eval.errors import EvalError
from simagym.eval.hashing import content_hash, suite_manifest
from simagym.spec import Composition, Split

if TYPE_CHECKING:
    from simagym.spec import TaskSpec

SUITES_PACKAGE = "simagym.tasks.suites"
MAX_SEEDS = 100_000  # per task and split: a million-episode suite is a typo, not a benchmark
_FILE_NAME = re.compile(r"^(?P<name>[a-z0-9][a-z0-9_-]*?)-v(?P<version>[0-9]+)\.ya?ml$")


class SuiteError(EvalError):
    """A suite that cannot be found or does not describe valid episodes."""


class EvalSplit(str, enum.Enum):
    """What an evaluation episode measures; recorded as ``split`` in every episode line."""

    TRAIN = "train"
    HELDOUT_PHRASING = "heldout"  # named for the phrasing split it uses (and suites written before the others)
    HELDOUT_COMPOSITION = "heldout-composition"
    HELDOUT_WORLD = "heldout-world"

    def env_options(self) -> dict[str, str]:
        """The ``simagym.make`` options for an episode of this split."""
        return dict(_ENV_OPTIONS[self])


_ENV_OPTIONS: dict[EvalSplit, dict[str, str]] = {
    EvalSplit.TRAIN: {"phrasing": Split.TRAIN.value, "composition": Composition.TRAIN.value},
    EvalSplit.HELDOUT_PHRASING: {"phrasing": Split.HELDOUT.value, "composition": Composition.TRAIN.value},
    EvalSplit.HELDOUT_COMPOSITION: {"phrasing": Split.TRAIN.value, "composition": Composition.HELDOUT.value},
    # A world never trained on: every phrasing and combination of it is new anyway.
    EvalSplit.HELDOUT_WORLD: {"phrasing": Split.TRAIN.value, "composition": Composition.ANY.value},
}


def env_options(split: str) -> dict[str, str]:
    """``simagym.make`` options for an episode's split (a :class:`EvalSplit` value)."""
    try:
        return EvalSplit(split).env_options()
    except ValueError:
        raise SuiteError(f"unknown split {split!r}; splits are {', '.join(s.value for s in EvalSplit)}") from None


class Episode(NamedTuple):
    """One evaluation episode; also the resume key in ``episodes.jsonl``."""

    task: str
    seed: int
    split: str  # an EvalSplit value; a plain str so it round-trips through JSON unchanged


class SuiteFile(BaseModel):
    """The validated content of one suite file (patterns not yet expanded)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    version: int = Field(ge=1)
    description: str = ""
    tasks: tuple[str, ...] = Field(min_length=1)
    seeds: tuple[int, ...]
    splits: tuple[EvalSplit, ...] = (EvalSplit.TRAIN,)
    heldout_worlds: tuple[str, ...] = ()
    content_hash: str | None = Field(default=None, pattern=r"^sha256:[0-9a-f]{64}$")

    @field_validator("seeds", mode="before")
    @classmethod
    def _seeds(cls, raw: Any) -> tuple[int, ...]:
        # Handled by hand: a pydantic union of range/list gives unreadable error paths.
        if isinstance(raw, dict):
            if set(raw) != {"start", "count"}:
                raise ValueError(f"a seed range has exactly the keys 'start' and 'count', got {sorted(raw)}")
            start, count = raw["start"], raw["count"]
            if not _is_int(start) or start < 0:
                raise ValueError(f"seeds.start must be an integer >= 0, got {start!r}")
            if not _is_int(count) or not 1 <= count <= MAX_SEEDS:
                raise ValueError(f"seeds.count must be an integer from 1 to {MAX_SEEDS:,}, got {count!r}")
            return tuple(range(start, start + count))
        if isinstance(raw, (list, tuple)):
            if not raw or len(raw) > MAX_SEEDS:
                raise ValueError(f"the seed list must hold 1 to {MAX_SEEDS:,} seeds")
            bad = [s for s in raw if not _is_int(s) or s < 0]
            if bad:
                raise ValueError(f"seeds must be integers >= 0, got {bad[:3]!r}")
            if len(set(raw)) != len(raw):
                raise ValueError("the seed list has duplicates")
            return tuple(raw)
        raise ValueError("seeds is either {start: N, count: M} or a list of integers")

    @field_validator("splits")
    @classmethod
    def _unique_splits(cls, splits: tuple[EvalSplit, ...]) -> tuple[EvalSplit, ...]:
        if not splits:
            raise ValueError("at least one split is needed")
        if len(set(splits)) != len(splits):
            raise ValueError("splits has duplicates")
        return splits

    @model_validator(mode="after")
    def _heldout_worlds_need_their_split(self) -> "SuiteFile":
        has_split = EvalSplit.HELDOUT_WORLD in self.splits
        if self.heldout_worlds and not has_split:
            raise ValueError("heldout_worlds is set but 'heldout-world' is not in splits")
        if has_split and not self.heldout_worlds:
            raise ValueError("the 'heldout-world' split needs heldout_worlds (the worlds training never sees)")
        return self


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Suite:
    """A loaded suite with its task patterns expanded against the installed catalogue."""

    name: str
    version: int
    description: str
    patterns: tuple[str, ...]
    tasks: tuple[str, ...]
    seeds: tuple[int, ...]
    splits: tuple[EvalSplit, ...]
    source: str
    heldout_worlds: tuple[str, ...] = ()
    specs: tuple["TaskSpec", ...] = ()  # the specs of the installed ``tasks``

    @property
    def label(self) -> str:
        return f"{self.name}-v{self.version}"

    @cached_property
    def _specs(self) -> dict[str, "TaskSpec"]:
        return {spec.id: spec for spec in self.specs}

    def spec(self, task: str) -> "TaskSpec | None":
        """The task's spec (``None`` for a bare id a test passed in ``known_tasks``)."""
        return self._specs.get(task)

    def world_of(self, task: str) -> str:
        spec = self._specs.get(task)
        return spec.world if spec is not None else task.partition("/")[0]

    def task_splits(self, task: str) -> tuple[EvalSplit, ...]:
        """The splits a task is evaluated on (in suite order)."""
        if task not in self.tasks:
            return ()
        if self.world_of(task) in self.heldout_worlds:
            return (EvalSplit.HELDOUT_WORLD,)
        spec = self._specs.get(task)
        has_compositions = spec is not None and bool(spec.heldout_compositions)
        return tuple(
            sp for sp in self.splits
            if sp is not EvalSplit.HELDOUT_WORLD and (sp is not EvalSplit.HELDOUT_COMPOSITION or has_compositions)
        )

    @property
    def training_tasks(self) -> tuple[str, ...]:
        """Tasks training may use: every task not in a held-out world."""
        return tuple(t for t in self.tasks if self.world_of(t) not in self.heldout_worlds)

    def episodes(self, per_task: int | None = None) -> list[Episode]:
        """Every (task, seed, split); ``per_task`` keeps the first N seeds per task per split."""
        if per_task is not None and per_task < 1:
            raise SuiteError(f"episodes per task must be >= 1, got {per_task}")
        seeds = self.seeds if per_task is None else self.seeds[:per_task]
        return [Episode(t, s, sp.value) for t in self.tasks for sp in self.task_splits(t) for s in seeds]

    @cached_property
    def manifest(self) -> dict[str, Any]:
        """Everything that decides what the suite runs, as canonical JSON data (see :mod:`simagym.eval.hashing`)."""
        return suite_manifest(name=self.name, version=self.version, seeds=self.seeds,
                              splits=[s.value for s in self.splits], heldout_worlds=self.heldout_worlds,
                              tasks=self.tasks, specs=self._specs)

    @cached_property
    def content_hash(self) -> str:
        """``sha256:<hex>`` of :attr:`manifest`; results carry it, the leaderboard compares it."""
        return content_hash(self.manifest)


# --- finding suites ------------------------------------------------------------

def available_suites() -> dict[str, dict[int, str]]:
    """Bundled suites: name -> {version: resource file name}."""
    found: dict[str, dict[int, str]] = {}
    for entry in importlib.resources.files(SUITES_PACKAGE).iterdir():
        match = _FILE_NAME.match(entry.name)
        if match:
            found.setdefault(match["name"], {})[int(match["version"])] = entry.name
    return found


def _describe_available(found: dict[str, dict[int, str]]) -> str:
    if not found:
        return "no suites are bundled"
    return "available suites: " + ", ".join(
        f"{name} (v{', v'.join(str(v) for v in sorted(versions))})" for name, versions in sorted(found.items())
    )


def _looks_like_path(spec: str) -> bool:
    # Decided by the name alone: a stray file called "core" in the working directory must not shadow a suite.
    return spec.endswith((".yaml", ".yml")) or "/" in spec or "\\" in spec


def _read_suite_text(spec: str) -> tuple[str, str, tuple[str, int] | None]:
    """Return (text, source name, expected (name, version) for bundled files)."""
    if _looks_like_path(spec):
        path = Path(spec)
        if not path.is_file():
            raise SuiteError(f"suite file {spec!r} does not exist; {_describe_available(available_suites())}")
        return path.read_text(encoding="utf-8"), str(path), None
    found = available_suites()
    match = re.fullmatch(r"(?P<name>.+)-v(?P<version>[0-9]+)", spec)
    if match and int(match["version"]) in found.get(match["name"], {}):
        name, version = match["name"], int(match["version"])
    elif spec in found:
        name, version = spec, max(found[spec])
    else:
        close = difflib.get_close_matches(spec, list(found), n=2, cutoff=0.5)
        hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        raise SuiteError(f"unknown suite {spec!r}.{hint} {_describe_available(found)}; or pass a path to a .yaml suite file")
    file_name = found[name][version]
    text = importlib.resources.files(SUITES_PACKAGE).joinpath(file_name).read_text(encoding="utf-8")
    return text, f"{SUITES_PACKAGE}/{file_name}", (name, version)


# --- loading -------------------------------------------------------------------

def parse_suite(text: str, source: str) -> SuiteFile:
    """Validate a suite file's text; errors name the file and the field."""
    try:
        doc = yamlio.load(text)
    except yaml.YAMLError as err:
        raise SuiteError(f"{source}: not valid YAML: {err}") from None
    if not isinstance(doc, dict):
        raise SuiteError(f"{source}: a suite file is a mapping with name, version, tasks and seeds")
    return _validated(doc, source)


def expand_tasks(patterns: Sequence[str], known: Sequence[str], source: str) -> tuple[str, ...]:
    """Expand ids and glob patterns against the installed task ids; sorted, unique.

    A pattern matches current tasks only (``meadow/*``), unless it names a version itself
    (``meadow/*-v1``): superseded tasks are chosen on purpose, never by a wildcard.
    """
    from simagym.registry import superseded

    chosen: set[str] = set()
    for i, pattern in enumerate(patterns):
        if any(ch in pattern for ch in "*?["):
            hits = fnmatch.filter(known, pattern)
            if not re.search(r"-v[0-9*?\[\]]+$", pattern):
                hits = [t for t in hits if not superseded(t)]
            if not hits:
                installed = f"{len(known)} tasks are installed" if known else "no tasks are installed"
                raise SuiteError(f"{source}: field 'tasks.{i}': pattern {pattern!r} matches no task ({installed})")
        elif pattern in known:
            hits = [pattern]
        else:
            close = difflib.get_close_matches(pattern, list(known), n=3, cutoff=0.5)
            hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            raise SuiteError(f"{source}: field 'tasks.{i}': unknown task {pattern!r}.{hint} Run `simagym list` to see every task.")
        chosen.update(hits)
    return tuple(sorted(chosen))


def load_suite(spec: str, known_tasks: Sequence["TaskSpec"] | Sequence[str] | None = None) -> Suite:
    """Load a suite by bundled name (``core``, ``core-v1``) or by path to a YAML file.

    ``known_tasks`` (task specs) defaults to every installed task.
    """
    text, source, expected = _read_suite_text(spec)
    data = parse_suite(text, source)
    if expected is not None and (data.name, data.version) != expected:
        raise SuiteError(
            f"{source}: field 'name'/'version': the file declares {data.name}-v{data.version} "
            f"but is named for {expected[0]}-v{expected[1]}"
        )
    return build_suite(data, source, known_tasks)


#: ``python -m simagym.eval --tasks PATTERN``: the seeds and splits of a suite made from task patterns
#: (the seeds ``python -m simagym.train --tasks`` evaluates on).
TASKS_SUITE_SEEDS = {"start": 1000, "count": 20}
TASKS_SUITE_SPLITS = ("train", "heldout")


def suite_from_tasks(patterns: Sequence[str], known_tasks: Sequence["TaskSpec"] | Sequence[str] | None = None,
                     ) -> Suite:
    """A suite of the tasks matching ``patterns`` (ids or globs), seeds 1000-1019, training and held-out
    phrasings; named ``tasks-v1``. Its results record it as :func:`suite_definition`, like any suite's."""
    if not patterns:
        raise SuiteError("--tasks: give at least one task id or pattern (e.g. 'meadow/go-to-*')")
    data = _validated({"name": "tasks", "version": 1, "description": f"the tasks matching {' '.join(patterns)}",
                       "tasks": list(patterns), "seeds": TASKS_SUITE_SEEDS, "splits": list(TASKS_SUITE_SPLITS)},
                      "--tasks")
    return build_suite(data, "--tasks", known_tasks)


def suite_definition(suite: Suite) -> dict[str, Any]:
    """What a results folder records to rebuild ``suite`` exactly (with :func:`suite_from_definition`)."""
    return {"name": suite.name, "version": suite.version, "description": suite.description,
            "tasks": list(suite.tasks), "seeds": list(suite.seeds), "splits": [s.value for s in suite.splits],
            "heldout_worlds": list(suite.heldout_worlds)}


def suite_from_definition(definition: Any, source: str) -> Suite:
    """The suite a results folder recorded (its ``suite_definition``), over the installed tasks."""
    if not isinstance(definition, dict):
        raise SuiteError(f"{source}: suite_definition is not a mapping")
    return build_suite(_validated(definition, source), source)


def _validated(doc: dict[str, Any], source: str) -> SuiteFile:
    try:
        return SuiteFile.model_validate(doc)
    except ValidationError as err:
        first = err.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "<file>"
        raise SuiteError(f"{source}: field {field!r}: {first['msg'].removeprefix('Value error, ')}") from None


def build_suite(data: SuiteFile, source: str, known_tasks: Sequence["TaskSpec"] | Sequence[str] | None = None,
                ) -> Suite:
    """A validated suite file's content, its patterns expanded against ``known_tasks`` (default: every
    installed task)."""
    import simagym
    from simagym.registry import catalogue

    from simagym.multi.registry import list_team_tasks

    if known_tasks is None:  # published suites may name superseded task versions; team tasks are tasks too
        known_tasks = [*simagym.list_tasks(superseded_too=True), *list_team_tasks()]
    installed = catalogue().tasks
    # Specs, or ids: an installed id brings its spec; a bare id (tests) is a task with no slots.
    by_id: dict[str, Any] = {}
    for task in known_tasks:
        if isinstance(task, str):
            by_id[task] = installed.get(task)
        else:
            by_id[task.id] = task
    tasks = expand_tasks(data.tasks, sorted(by_id), source)
    teams = {getattr(by_id[t], "category", None) == "team" for t in tasks}
    if len(teams) > 1:
        raise SuiteError(f"{source}: field 'tasks': a suite holds team tasks or single-player tasks, not both "
                         "(put the team tasks in a suite of their own)")
    worlds = {by_id[t].world if by_id[t] is not None else t.partition("/")[0] for t in tasks}
    missing = [w for w in data.heldout_worlds if w not in worlds]
    if missing:
        raise SuiteError(
            f"{source}: field 'heldout_worlds': no task of world {', '.join(map(repr, missing))} is in this suite "
            f"(the suite's worlds: {', '.join(sorted(worlds)) or 'none'}); is that world installed?"
        )
    suite = Suite(
        name=data.name,
        version=data.version,
        description=data.description,
        patterns=data.tasks,
        tasks=tasks,
        seeds=data.seeds,
        splits=data.splits,
        source=source,
        heldout_worlds=data.heldout_worlds,
        specs=tuple(by_id[t] for t in tasks if by_id[t] is not None),
    )
    if not suite.episodes():
        raise SuiteError(f"{source}: the suite has no episodes (no task has any of the splits {[s.value for s in data.splits]})")
    if data.content_hash is not None and data.content_hash != suite.content_hash:
        raise SuiteError(
            f"{source}: field 'content_hash': the suite is pinned to {data.content_hash} but the installed tasks give "
            f"{suite.content_hash}; a task spec, phrasing or slot changed since this suite was published. "
            "Publish a new suite version instead of changing a published one."
        )
    return suite
