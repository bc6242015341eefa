"""Suites: versioned YAML files that say which tasks, seeds and phrasing splits to run.

A suite file (bundled ones live in ``tasks/suites/<name>-v<version>.yaml``)::

    name: core
    version: 1
    description: every task, 20 seeds, both phrasing splits
    tasks: ["*"]                      # task ids or glob patterns such as "meadow/*"
    seeds: {start: 1000, count: 20}   # or an explicit list: [1, 2, 3]
    splits: [train, heldout]          # default: [train]

Bundled suites are read with :mod:`importlib.resources` (package
``simagym.tasks.suites``), so they work from an installed wheel. ``core``
resolves to the highest version of that name; ``core-v1`` pins one; a path to a
``.yaml`` file loads a user suite.
"""

from __future__ import annotations

import difflib
import fnmatch
import importlib.resources
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, Sequence

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from simagym.eval.errors import EvalError
from simagym.spec import Split

SUITES_PACKAGE = "simagym.tasks.suites"
_FILE_NAME = re.compile(r"^(?P<name>[a-z0-9][a-z0-9_-]*?)-v(?P<version>[0-9]+)\.ya?ml$")


class SuiteError(EvalError):
    """A suite that cannot be found or does not describe valid episodes."""


class Episode(NamedTuple):
    """One evaluation episode; also the resume key in ``episodes.jsonl``."""

    task: str
    seed: int
    split: str  # a Split value; a plain str so it round-trips through JSON unchanged


class SuiteFile(BaseModel):
    """The validated content of one suite file (patterns not yet expanded)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    version: int = Field(ge=1)
    description: str = ""
    tasks: tuple[str, ...] = Field(min_length=1)
    seeds: tuple[int, ...]
    splits: tuple[Split, ...] = (Split.TRAIN,)

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
            if not _is_int(count) or count < 1:
                raise ValueError(f"seeds.count must be an integer >= 1, got {count!r}")
            return tuple(range(start, start + count))
        if isinstance(raw, (list, tuple)):
            if not raw:
                raise ValueError("the seed list is empty")
            bad = [s for s in raw if not _is_int(s) or s < 0]
            if bad:
                raise ValueError(f"seeds must be integers >= 0, got {bad[:3]!r}")
            if len(set(raw)) != len(raw):
                raise ValueError("the seed list has duplicates")
            return tuple(raw)
        raise ValueError("seeds is either {start: N, count: M} or a list of integers")

    @field_validator("splits")
    @classmethod
    def _unique_splits(cls, splits: tuple[Split, ...]) -> tuple[Split, ...]:
        if not splits:
            raise ValueError("at least one split is needed")
        if len(set(splits)) != len(splits):
            raise ValueError("splits has duplicates")
        return splits


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
    splits: tuple[Split, ...]
    source: str

    @property
    def label(self) -> str:
        return f"{self.name}-v{self.version}"

    def episodes(self, per_task: int | None = None) -> list[Episode]:
        """Every (task, seed, split); ``per_task`` keeps the first N seeds per task per split."""
        if per_task is not None and per_task < 1:
            raise SuiteError(f"episodes per task must be >= 1, got {per_task}")
        seeds = self.seeds if per_task is None else self.seeds[:per_task]
        return [Episode(t, s, sp.value) for t in self.tasks for sp in self.splits for s in seeds]


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
        doc = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise SuiteError(f"{source}: not valid YAML: {err}") from None
    if not isinstance(doc, dict):
        raise SuiteError(f"{source}: a suite file is a mapping with name, version, tasks and seeds")
    try:
        return SuiteFile.model_validate(doc)
    except ValidationError as err:
        first = err.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "<file>"
        message = first["msg"].removeprefix("Value error, ")
        raise SuiteError(f"{source}: field {field!r}: {message}") from None


def expand_tasks(patterns: Sequence[str], known: Sequence[str], source: str) -> tuple[str, ...]:
    """Expand ids and glob patterns against the installed task ids; sorted, unique."""
    chosen: set[str] = set()
    for i, pattern in enumerate(patterns):
        if any(ch in pattern for ch in "*?["):
            hits = fnmatch.filter(known, pattern)
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


def load_suite(spec: str, known_tasks: Sequence[str] | None = None) -> Suite:
    """Load a suite by bundled name (``core``, ``core-v1``) or by path to a YAML file.

    ``known_tasks`` defaults to every installed task id.
    """
    text, source, expected = _read_suite_text(spec)
    data = parse_suite(text, source)
    if expected is not None and (data.name, data.version) != expected:
        raise SuiteError(
            f"{source}: field 'name'/'version': the file declares {data.name}-v{data.version} "
            f"but is named for {expected[0]}-v{expected[1]}"
        )
    if known_tasks is None:
        import simagym

        known_tasks = [t.id for t in simagym.list_tasks()]
    return Suite(
        name=data.name,
        version=data.version,
        description=data.description,
        patterns=data.tasks,
        tasks=expand_tasks(data.tasks, sorted(known_tasks), source),
        seeds=data.seeds,
        splits=data.splits,
        source=source,
    )
