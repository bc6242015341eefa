"""Tasks as data: YAML task files loaded into validated, typed specs.

A task file holds a list of task templates::

    world: meadow
    tasks:
      - id: meadow/go-to-house-v1
        category: navigation
        tags: [movement]
        max_steps: 120
        layout: {houses: 3}
        slots: {colour: [red, blue, green, yellow]}
        phrasings:
          train: ["go to the {colour} house", "walk to the {colour} house", ...]
          heldout: ["make your way to the {colour} house", ...]
        success: {near: {kind: house, colour: $colour}}

A malformed file raises :class:`TaskFileError` naming the file, the task and
the field.
"""

from __future__ import annotations

import enum
import hashlib
import itertools
import re
import string
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable, Iterator, Mapping

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from simagym.checks import DIRECTIONS, Check, CheckError, CheckSpec, event_checks, parse_check, selector_values
from simagym import yamlio
from simagym.text import CHARSET, MAX_INSTRUCTION_LENGTH
from simagym.world import LayoutParams, Selector


class Category(str, enum.Enum):
    NAVIGATION = "navigation"
    OBJECT = "object"
    MENU = "menu"


class Split(str, enum.Enum):
    """Which phrasings an instruction is drawn from."""

    TRAIN = "train"
    HELDOUT = "heldout"


class Composition(str, enum.Enum):
    """Which slot combinations an instruction is drawn from.

    A template with two or more slots holds out a fixed, hash-chosen share of
    its slot combinations (see :meth:`TaskSpec.heldout_compositions`), so an
    evaluation can ask for pairings (e.g. colour and object) never seen in
    training. ``TRAIN`` (the default, what training uses) never draws them,
    ``HELDOUT`` draws only them, ``ANY`` draws every combination.
    """

    TRAIN = "train"
    HELDOUT = "heldout"
    ANY = "any"


#: Share of a multi-slot template's combinations held out from training.
HELDOUT_COMPOSITION_FRACTION = 0.25

#: A template's slot combinations are enumerated (held-out compositions, look-alikes): keep them few.
MAX_SLOT_COMBINATIONS = 2_000

TAGS = frozenset({"movement", "animal", "resource", "construction", "tool", "combat", "ui", "memory"})


class TaskFileError(ValueError):
    """A task file that does not describe valid tasks."""

    def __init__(self, source: str, task: str | None, field: str | None, message: str) -> None:
        where = source + (f": task {task!r}" if task else "") + (f": field {field!r}" if field else "")
        super().__init__(f"{where}: {message}")
        self.source, self.task, self.field, self.message = source, task, field, message


_FORMATTER = string.Formatter()


def template_fields(template: str) -> set[str]:
    return {name for _, name, _, _ in _FORMATTER.parse(template) if name is not None}


class Phrasings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    train: tuple[str, ...] = Field(min_length=1)
    heldout: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _disjoint(self) -> "Phrasings":
        both = set(self.train) & set(self.heldout)
        if both:
            raise ValueError(f"held-out phrasings must differ from training phrasings; both have {sorted(both)}")
        return self

    def of(self, split: Split) -> tuple[str, ...]:
        return self.train if split is Split.TRAIN else self.heldout


class TaskSpec(BaseModel):
    """One validated task template. Instances come from its slots and a seed."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    id: str = Field(pattern=r"^[a-z0-9_]+/[a-z0-9][a-z0-9-]*-v[0-9]+$")
    world: str
    category: Category
    tags: tuple[str, ...] = ()
    description: str = ""
    max_steps: int = Field(gt=0, le=10_000)
    layout: Any = Field(default_factory=dict)
    slots: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    phrasings: Phrasings
    success: Any
    failure: Any = None
    #: 0: success the tick the check holds (v1). K >= 1: a passing state (near, menu open, moved)
    #: counts once the player stops in it for K ticks or plays a no-op there (see simagym.judge).
    settle: int = Field(default=0, ge=0, le=100)
    #: Reaching one of the template's other instructions instead (a look-alike) ends in failure.
    strict: bool = False
    #: Older task ids this template replaces under another name (templates merged or renamed in a
    #: new catalogue version, e.g. turn-left-v1 and turn-right-v1 by turn-v2): like a lower version
    #: of the same name, they stay loadable but leave the current catalogue. Not part of the spec's
    #: content (suite hashes), which is what an episode runs.
    supersedes: tuple[str, ...] = ()
    source: str = Field(default="<memory>", exclude=True)

    @field_validator("supersedes")
    @classmethod
    def _task_ids(cls, ids: tuple[str, ...]) -> tuple[str, ...]:
        bad = [i for i in ids if not re.fullmatch(r"[a-z0-9_]+/[a-z0-9][a-z0-9-]*-v[0-9]+", i)]
        if bad:
            raise ValueError(f"supersedes names task ids such as meadow/go-to-house-v1, got {bad}")
        return ids

    @field_validator("tags")
    @classmethod
    def _known_tags(cls, tags: tuple[str, ...]) -> tuple[str, ...]:
        unknown = set(tags) - TAGS
        if unknown:
            raise ValueError(f"unknown tags {sorted(unknown)}; known tags: {sorted(TAGS)}")
        return tags

    @field_validator("slots")
    @classmethod
    def _non_empty_slots(cls, slots: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        combinations = 1
        for name, values in slots.items():
            if not values:
                raise ValueError(f"slot {name!r} has no values")
            if len(set(values)) != len(values):
                raise ValueError(f"slot {name!r} repeats a value")
            # Values are written into instructions (underscores as spaces): they must fit the charset.
            bad = sorted({ch for v in values for ch in v.replace("_", " ")} - set(CHARSET))
            if bad:
                raise ValueError(f"slot {name!r} has characters outside the instruction charset: {bad}")
            combinations *= len(values)
        if combinations > MAX_SLOT_COMBINATIONS:
            raise ValueError(f"the slots make {combinations:,} combinations; at most {MAX_SLOT_COMBINATIONS:,}"
                             " (split the template)")
        return slots

    @field_validator("phrasings")
    @classmethod
    def _phrasings_fit(cls, phrasings: Phrasings, info: ValidationInfo) -> Phrasings:
        slots = info.data.get("slots", {})
        longest = {k: max(v, key=len).replace("_", " ") for k, v in slots.items()}
        for split in Split:
            for phrasing in phrasings.of(split):
                undeclared = template_fields(phrasing) - set(slots)
                if undeclared:
                    raise ValueError(f"phrasing {phrasing!r} uses undeclared slots {sorted(undeclared)}")
                bad = set(phrasing) - set(CHARSET) - set("{}")
                if bad:
                    raise ValueError(f"phrasing {phrasing!r} has characters outside the charset: {sorted(bad)}")
                if len(phrasing.format_map(longest)) > MAX_INSTRUCTION_LENGTH:
                    raise ValueError(f"phrasing {phrasing!r} can exceed {MAX_INSTRUCTION_LENGTH} characters")
        return phrasings

    @field_validator("success", "failure", mode="before")
    @classmethod
    def _parse_checks(cls, raw: Any, info: ValidationInfo) -> Any:
        if raw is None or isinstance(raw, CheckSpec):
            return raw
        try:
            check = parse_check(raw, info.field_name)
        except CheckError as err:
            raise ValueError(f"{err.field}: {err.message}") from None
        undeclared = check.slots - set(info.data.get("slots", {}))
        if undeclared:
            raise ValueError(f"refers to undeclared slots {sorted(undeclared)}")
        for attr, value in selector_values(check.raw):
            if attr == "direction":
                values = info.data["slots"][value[1:]] if isinstance(value, str) and value.startswith("$") else (value,)
                wrong = [v for v in values if v not in DIRECTIONS]
                if wrong:
                    raise ValueError(f"directions must be one of {sorted(DIRECTIONS)}, got {wrong}")
        return check

    def check_vocabulary(self, vocabulary: Mapping[str, frozenset[str]]) -> None:
        """Raise ``ValueError`` if a selector can take a value the world cannot draw (a typo like ``gren``)."""
        for check in (self.success, self.failure):
            if check is None:
                continue
            for attr, value in selector_values(check.raw):
                if attr not in vocabulary:
                    continue
                slot = value[1:] if isinstance(value, str) and value.startswith("$") else None
                values = self.slots[slot] if slot else (value,)
                wrong = sorted(str(v) for v in values if v not in vocabulary[attr])
                if wrong:
                    where = f"slots.{slot}" if slot else "success"
                    raise TaskFileError(self.source, self.id, where,
                                        f"{attr} {wrong} unknown to world {self.world!r}; known: {sorted(vocabulary[attr])}")

    def check_events(self, events: frozenset[str], world_class: str,
                     roles: Mapping[str, frozenset[str]] | None = None) -> None:
        """Raise :class:`TaskFileError` naming the field if an ``event`` check names an event type
        the world does not declare (``world_class.events``), or a role its events of that type never
        carry (``world_class.event_roles``, where the world declares them): such a task could never
        succeed."""
        for check in (self.success, self.failure):
            if check is None:
                continue
            for field, value, named in event_checks(check.raw, check.field):
                slot = value[1:] if isinstance(value, str) and value.startswith("$") else None
                values = self.slots.get(slot, ()) if slot else (value,)
                wrong = sorted(str(v) for v in values if v not in events)
                if wrong:
                    known = ", ".join(sorted(events)) or "none"
                    raise TaskFileError(self.source, self.id, f"slots.{slot}" if slot else f"{field}.type",
                                        f"event {', '.join(wrong)} is not one world {self.world!r} reports"
                                        f" (declared: {known}); fix the name or add it to {world_class}.events")
                for role in named:
                    for kind in values:
                        carried = (roles or {}).get(kind)
                        if carried is not None and role not in carried:
                            raise TaskFileError(self.source, self.id, f"{field}.{role}",
                                                f"world {self.world!r} reports {kind} events with the roles"
                                                f" {', '.join(sorted(carried)) or 'none'}, never {role!r}; fix the"
                                                f" role or add it to {world_class}.event_roles[{kind!r}]")

    @property
    def instances(self) -> int:
        """Distinct slot combinations (each with unbounded random layouts)."""
        n = 1
        for values in self.slots.values():
            n *= len(values)
        return n

    @cached_property
    def heldout_compositions(self) -> tuple[tuple[str, ...], ...]:
        """Slot combinations (values in slot order) that training never draws; sorted.

        Only templates with two or more slots have compositions. A fixed share
        (:data:`HELDOUT_COMPOSITION_FRACTION`, at least one) of the combinations is
        chosen by a hash of the task id and the values, so the choice is stable
        across machines and versions. A combination is only held out if every
        slot value still appears in some training combination: what is new at
        evaluation is the pairing, never a value.
        """
        if len(self.slots) < 2:
            return ()
        combos = list(itertools.product(*self.slots.values()))
        wanted = max(1, int(len(combos) * HELDOUT_COMPOSITION_FRACTION))

        def rank(combo: tuple[str, ...]) -> str:
            return hashlib.sha256("|".join((self.id, *combo)).encode("utf-8")).hexdigest()

        held: set[tuple[str, ...]] = set()
        for combo in sorted(combos, key=rank):
            if len(held) == wanted:
                break
            rest = [c for c in combos if c not in held and c != combo]
            if all({c[i] for c in rest} == set(values) for i, values in enumerate(self.slots.values())):
                held.add(combo)
        return tuple(sorted(held))

    def compositions(self, composition: Composition) -> tuple[tuple[str, ...], ...] | None:
        """The slot combinations ``composition`` draws from; ``None`` means every one, drawn slot by slot."""
        held = self.heldout_compositions
        if not held or composition is Composition.ANY:
            if composition is Composition.HELDOUT:
                raise ValueError(f"task {self.id!r} has no held-out compositions (it needs two or more slots)")
            return None
        if composition is Composition.HELDOUT:
            return held
        held_set = set(held)
        return tuple(c for c in itertools.product(*self.slots.values()) if c not in held_set)

    def all_instructions(self, split: Split = Split.TRAIN, template: str | None = None) -> Iterator["Instruction"]:
        """Every slot combination (held-out ones included) as an instruction with ``template``
        (default: the split's first phrasing)."""
        template = template if template is not None else self.phrasings.of(split)[0]
        for combo in itertools.product(*self.slots.values()):
            yield Instruction(spec=self, slots=dict(zip(self.slots, combo)), split=split, template=template)

    def instruction(
        self, slot_rng: np.random.Generator, phrase_rng: np.random.Generator, split: Split = Split.TRAIN,
        composition: Composition = Composition.TRAIN,
    ) -> "Instruction":
        """Draw one instance: slot values from ``slot_rng`` (restricted by ``composition``), a
        phrasing of ``split`` from ``phrase_rng``."""
        pool = self.compositions(composition)
        if pool is None:
            values = {name: str(vals[int(slot_rng.integers(len(vals)))]) for name, vals in self.slots.items()}
        else:
            values = dict(zip(self.slots, pool[int(slot_rng.integers(len(pool)))]))
        phrasings = self.phrasings.of(split)
        template = phrasings[int(phrase_rng.integers(len(phrasings)))]
        return Instruction(spec=self, slots=values, split=split, template=template)


@dataclass(frozen=True)
class Instruction:
    """One instruction instance: yields both its text and its checks, so they never disagree."""

    spec: TaskSpec
    slots: Mapping[str, str]
    split: Split
    template: str

    @cached_property
    def text(self) -> str:
        return self.template.format_map({k: v.replace("_", " ") for k, v in self.slots.items()})

    def success_check(self) -> Check:
        return self.spec.success.bind(self.slots)

    def failure_check(self) -> Check | None:
        return None if self.spec.failure is None else self.spec.failure.bind(self.slots)

    def targets(self) -> list[Selector]:
        """Entities the world must contain, each uniquely, for this instruction to make sense."""
        seen: list[Selector] = []
        for t in self.success_check().targets():
            if t not in seen:
                seen.append(t)
        return seen


def _format_pydantic(err: ValidationError) -> tuple[str, str]:
    first = err.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or None
    return field or "", first["msg"].removeprefix("Value error, ")


#: Keys a task file may set once for all its tasks.
FILE_DEFAULTS = ("world", "settle", "strict")
FILE_KEYS = frozenset({"tasks", *FILE_DEFAULTS})


def load_task_file(
    text: str,
    source: str,
    layouts: Mapping[str, type[LayoutParams]],
    vocabularies: Mapping[str, Mapping[str, frozenset[str]]] | None = None,
    on_error: Callable[[TaskFileError], None] | None = None,
    worlds: Mapping[str, type] | None = None,
) -> list[TaskSpec]:
    """Parse one YAML task file. ``layouts`` maps each known world to its layout model;
    ``vocabularies`` to the entity attribute values it can draw, ``worlds`` to its
    :class:`~simagym.world.World` class, whose declared ``events`` its checks may name
    (each checked when given).

    A problem with the file itself raises :class:`TaskFileError`. A bad task raises too,
    unless ``on_error`` is given: it is then told, and the file's other tasks still load.
    """
    try:
        doc = yamlio.load(text)
    except yaml.YAMLError as err:
        raise TaskFileError(source, None, None, f"not valid YAML: {err}") from None
    if not isinstance(doc, Mapping) or not isinstance(doc.get("tasks"), list):
        raise TaskFileError(source, None, "tasks", "a task file is a mapping with a 'tasks' list")
    extra = sorted(set(doc) - FILE_KEYS)
    if extra:
        raise TaskFileError(source, None, extra[0], f"unknown top-level key; a task file has {', '.join(sorted(FILE_KEYS))}")
    # File-level defaults, e.g. ``settle: 3`` and ``strict: true`` for a whole catalogue version.
    defaults = {k: doc[k] for k in FILE_DEFAULTS if k in doc}
    specs: list[TaskSpec] = []
    for i, raw in enumerate(doc["tasks"]):
        try:
            spec = _load_task(raw, i, defaults, source, layouts, vocabularies, worlds)
            if any(s.id == spec.id for s in specs):
                raise TaskFileError(source, spec.id, "id", "duplicate task id in this file")
        except TaskFileError as err:
            if on_error is None:
                raise
            on_error(err)
            continue
        specs.append(spec)
    return specs


def _load_task(raw: Any, i: int, defaults: Mapping[str, Any], source: str, layouts: Mapping[str, type[LayoutParams]],
               vocabularies: Mapping[str, Mapping[str, frozenset[str]]] | None,
               worlds: Mapping[str, type] | None = None) -> TaskSpec:
    task_name = raw.get("id", f"#{i}") if isinstance(raw, Mapping) else f"#{i}"
    if not isinstance(raw, Mapping):
        raise TaskFileError(source, task_name, None, "each task is a mapping")
    data = {**defaults, **raw, "source": source}
    try:
        spec = TaskSpec.model_validate(data)
    except ValidationError as err:
        field, msg = _format_pydantic(err)
        raise TaskFileError(source, task_name, field, msg) from None
    if spec.world not in layouts:
        raise TaskFileError(
            source, spec.id, "world",
            f"world {spec.world!r} is not installed; installed worlds: {', '.join(sorted(layouts)) or 'none'}",
        )
    if not spec.id.startswith(spec.world + "/"):
        raise TaskFileError(source, spec.id, "id", f"task ids must start with their world, '{spec.world}/'")
    try:
        layout = layouts[spec.world].model_validate(spec.layout or {})
    except ValidationError as err:
        field, msg = _format_pydantic(err)
        raise TaskFileError(source, spec.id, f"layout.{field}".rstrip("."), msg) from None
    if vocabularies and spec.world in vocabularies:
        spec.check_vocabulary(vocabularies[spec.world])
    if worlds and spec.world in worlds:
        world = worlds[spec.world]
        spec.check_events(world.events, world.__name__, getattr(world, "event_roles", None))
    return spec.model_copy(update={"layout": layout})
