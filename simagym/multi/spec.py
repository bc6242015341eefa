"""Team tasks as data: one template, a role per player, each role with its own phrasings (train
and held-out) and its own success check, read from that player's side of the world::

    world: meadow
    tasks:
      - id: meadow/team-give-key-v1
        kind: cooperative          # cooperative | teammate | competitive
        max_steps: 150
        layout: {objects: 2}
        slots: {colour: [red, green, blue]}
        roles:                     # a role per player (``seats: 3``: three players play it)
          - phrasings: {train: ["give the {colour} key to your partner"], heldout: [...]}
            success: {event: {type: gave, item: {kind: key, colour: $colour}}}
          - phrasings: {train: ["wait for your partner to bring you the {colour} key"], heldout: [...]}
            success: {event: {type: received, item: {kind: key, colour: $colour}}}

Slots are drawn once and shared by every role. A team succeeds when every role's part is done
at once (a place to be must still hold; something done stays done); a template with
``race: true`` is won by the first player whose part is done. ``{kind: player}`` names another
player (never yourself). The category is always ``team``.
"""

from __future__ import annotations

import enum
from typing import Any, ClassVar, Mapping

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from simagym import yamlio
from simagym.spec import Instruction, Split, TaskFileError, TaskSpec
from simagym.world import LayoutParams, Selector

class TeamCategory(str, enum.Enum):
    """A team template's category: like :class:`simagym.spec.Category`, so code that reads
    ``spec.category.value`` (results, the leaderboard, recordings) reads every spec alike."""

    TEAM = "team"


TEAM = TeamCategory.TEAM
#: Roles' own keys; the rest of a team template is shared by every role.
ROLE_KEYS = frozenset({"phrasings", "success", "failure", "seats"})
SHARED_KEYS = frozenset({"id", "world", "kind", "race", "tags", "description", "max_steps", "layout", "slots", "settle"})
TEAM_ONLY = ("id", "kind", "race")  # the template's own; the rest is every role's


class TeamKind(str, enum.Enum):
    COOPERATIVE = "cooperative"  # neither player can succeed alone
    TEAMMATE = "teammate"  # one player's instruction names the goal; the other's only says to help
    COMPETITIVE = "competitive"  # side by side in one world: separate goals, or a race (``race: true``)


class RoleSpec(TaskSpec):
    """One player's part of a team template: a task spec whose id names its seat (``...#1``)."""

    id: str
    category: TeamCategory = TEAM  # type: ignore[assignment]


class TeamSpec(BaseModel):
    """One validated team template; :attr:`roles` holds a spec per player seat."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    id: str = Field(pattern=r"^[a-z0-9_]+/[a-z0-9][a-z0-9-]*-v[0-9]+$")
    world: str
    kind: TeamKind
    #: A race: the first player whose part is done wins, and the episode ends there.
    race: bool = False
    category: TeamCategory = TEAM
    description: str = ""
    max_steps: int = Field(gt=0, le=10_000)
    roles: tuple[RoleSpec, ...] = Field(min_length=2, max_length=4)
    source: str = Field(default="<memory>", exclude=True)

    @property
    def players(self) -> int:
        return len(self.roles)

    @property
    def layout(self) -> LayoutParams:
        return self.roles[0].layout

    #: Team tasks have no held-out slot combinations (evaluation suites ask).
    heldout_compositions: ClassVar[tuple] = ()

    def instructions(self, slot_rng: np.random.Generator, phrase_rng: np.random.Generator,
                     split: Split = Split.TRAIN) -> list[Instruction]:
        """One instruction per seat: slot values drawn once for all, a phrasing each."""
        slots = self.roles[0].slots
        values = {name: str(vals[int(slot_rng.integers(len(vals)))]) for name, vals in slots.items()}
        out = []
        for role in self.roles:
            templates = role.phrasings.of(split)
            out.append(Instruction(spec=role, slots=values, split=split,
                                   template=templates[int(phrase_rng.integers(len(templates)))]))
        return out


def world_targets(instructions: list[Instruction]) -> list[Selector]:
    """What the level must hold, each uniquely, for every seat's instruction (players are seated
    after the level is built, so they are not among them)."""
    seen: list[Selector] = []
    for instruction in instructions:
        for t in instruction.targets():
            if t.get("kind") != "player" and t not in seen:
                seen.append(t)
    return seen


def load_team_file(text: str, source: str, layouts: Mapping[str, type[LayoutParams]],
                   vocabularies: Mapping[str, Mapping[str, frozenset[str]]] | None = None,
                   worlds: Mapping[str, type] | None = None) -> list[TeamSpec]:
    """Parse one YAML team task file; a problem raises :class:`TaskFileError` naming file, task and field."""
    try:
        doc = yamlio.load(text)
    except yaml.YAMLError as err:
        raise TaskFileError(source, None, None, f"not valid YAML: {err}") from None
    if not isinstance(doc, Mapping) or not isinstance(doc.get("tasks"), list):
        raise TaskFileError(source, None, "tasks", "a team task file is a mapping with a 'tasks' list")
    extra = sorted(set(doc) - {"world", "tasks"})
    if extra:
        raise TaskFileError(source, None, extra[0], "unknown top-level key; a team task file has world and tasks")
    specs: list[TeamSpec] = []
    for i, raw in enumerate(doc["tasks"]):
        spec = _load_team_task(raw, i, doc.get("world"), source, layouts, vocabularies, worlds)
        if any(s.id == spec.id for s in specs):
            raise TaskFileError(source, spec.id, "id", "duplicate task id in this file")
        specs.append(spec)
    return specs


def _load_team_task(raw: Any, i: int, world: Any, source: str, layouts: Mapping[str, type[LayoutParams]],
                    vocabularies: Mapping[str, Mapping[str, frozenset[str]]] | None,
                    worlds: Mapping[str, type] | None = None) -> TeamSpec:
    name = raw.get("id", f"#{i}") if isinstance(raw, Mapping) else f"#{i}"
    if not isinstance(raw, Mapping):
        raise TaskFileError(source, name, None, "each team task is a mapping")
    unknown = sorted(set(raw) - SHARED_KEYS - {"roles"})
    if unknown:
        raise TaskFileError(source, name, unknown[0], f"unknown key; a team task has {', '.join(sorted(SHARED_KEYS | {'roles'}))}")
    roles = raw.get("roles")
    if not isinstance(roles, list) or not roles:
        raise TaskFileError(source, name, "roles", "a team task has a list of roles (2 to 4 players in all)")
    shared = {"world": world, **{k: v for k, v in raw.items() if k in SHARED_KEYS and k not in TEAM_ONLY}}
    shared.setdefault("settle", 0)
    world_name = shared.get("world")
    if world_name not in layouts:
        raise TaskFileError(source, name, "world", f"world {world_name!r} is not installed; installed worlds: "
                            f"{', '.join(sorted(layouts)) or 'none'}")
    if not str(name).startswith(f"{world_name}/"):
        raise TaskFileError(source, name, "id", f"task ids must start with their world, '{world_name}/'")
    try:
        layout = layouts[world_name].model_validate(raw.get("layout") or {})
    except ValidationError as err:
        first = err.errors()[0]
        raise TaskFileError(source, name, "layout." + ".".join(str(p) for p in first["loc"]),
                            first["msg"].removeprefix("Value error, ")) from None
    seated: list[tuple[int, Mapping[str, Any]]] = []  # (role index, role) per player seat
    for k, role in enumerate(roles):
        if not isinstance(role, Mapping) or set(role) - ROLE_KEYS or not {"phrasings", "success"} <= set(role):
            raise TaskFileError(source, name, f"roles[{k}]", "a role is a mapping with phrasings and success "
                                "(and optionally failure, and seats: how many players play it, default 1)")
        seats = role.get("seats", 1)
        if isinstance(seats, bool) or not isinstance(seats, int) or seats < 1:
            raise TaskFileError(source, name, f"roles[{k}].seats", f"seats is a number of players >= 1, got {seats!r}")
        seated += [(k, {key: v for key, v in role.items() if key != "seats"})] * seats
    if not 2 <= len(seated) <= 4:
        raise TaskFileError(source, name, "roles", f"a team task seats 2 to 4 players, these roles seat {len(seated)}")
    specs = []
    for seat, (k, role) in enumerate(seated):
        try:
            spec = RoleSpec.model_validate({**shared, **role, "id": f"{name}#{seat}", "source": source})
        except ValidationError as err:
            first = err.errors()[0]
            field = ".".join(str(p) for p in first["loc"])
            raise TaskFileError(source, name, f"roles[{k}].{field}", first["msg"].removeprefix("Value error, ")) from None
        if vocabularies and world_name in vocabularies:
            spec.check_vocabulary(vocabularies[world_name])
        if worlds and world_name in worlds:
            cls = worlds[world_name]
            spec.check_events(cls.events, cls.__name__, getattr(cls, "event_roles", None))
        specs.append(spec.model_copy(update={"layout": layout}))
    try:
        return TeamSpec(id=name, world=world_name, kind=raw.get("kind"), race=raw.get("race", False),
                        description=raw.get("description", ""),
                        max_steps=raw.get("max_steps"), roles=tuple(specs), source=source)
    except ValidationError as err:
        first = err.errors()[0]
        raise TaskFileError(source, name, ".".join(str(p) for p in first["loc"]),
                            first["msg"].removeprefix("Value error, ")) from None


__all__ = ["TEAM", "TeamKind", "RoleSpec", "TeamSpec", "load_team_file", "world_targets"]
