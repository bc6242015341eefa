"""What a world is: state, dynamics and pixels, plus a typed, read-only query
interface that task checks and the oracle use. A world knows nothing about
language or reward.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Iterable, Mapping, Protocol, Sequence, TypeVar

import numpy as np
from pydantic import BaseModel, ConfigDict, model_serializer

from simagym.actions import Input

if TYPE_CHECKING:
    from simagym.checks import Check

Selector = Mapping[str, Any]
"""Attributes an entity must have, e.g. ``{"kind": "house", "colour": "red"}``."""


@dataclass(frozen=True, slots=True)
class Entity:
    """A read-only view of one thing in a world (a house, a key, a cow...)."""

    id: int
    kind: str
    colour: str | None = None
    state: Mapping[str, Any] = field(default_factory=dict)

    def get(self, name: str) -> Any:
        if name == "kind":
            return self.kind
        if name == "colour":
            return self.colour
        return self.state.get(name)

    def matches(self, selector: Selector) -> bool:
        return all(self.get(k) == v for k, v in selector.items())

    def describe(self) -> str:
        return " ".join(p for p in (self.colour, self.kind) if p)


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened this tick. ``roles`` names the entities involved
    (e.g. ``item`` and ``container`` for ``put_in``)."""

    type: str
    roles: Mapping[str, Entity] = field(default_factory=dict)


class ThingLike(Protocol):
    """A world's own mutable record of one entity, as the helpers below need it."""

    kind: str
    colour: str | None

    def view(self) -> Entity: ...


T = TypeVar("T", bound=ThingLike)
R = TypeVar("R")


def group_by_kind(things: Iterable[T]) -> defaultdict[str, list[T]]:
    """``things`` grouped by kind, in order: the index :func:`find_in` answers from."""
    groups: defaultdict[str, list[T]] = defaultdict(list)
    for t in things:
        groups[t.kind].append(t)
    return groups


def find_in(things: Sequence[T], by_kind: Mapping[str, Sequence[T]], selector: Selector) -> list[Entity]:
    """:meth:`World.find` over a world's things and their kind index. Checks call it every
    tick, so kind and colour are answered without building views."""
    pool = by_kind.get(selector["kind"], ()) if "kind" in selector else things
    colour = selector.get("colour")
    if colour is not None:
        pool = [t for t in pool if t.colour == colour]
    if all(k in ("kind", "colour") for k in selector):
        return [t.view() for t in pool]
    return [v for v in (t.view() for t in pool) if v.matches(selector)]


class LayoutError(RuntimeError):
    """A layout generator could not place what a task needs (raised inside an attempt: try again)."""


def retry_layout(attempt: Callable[[], R | None], tries: int, failure: Callable[[], str]) -> R:
    """The first of up to ``tries`` calls of ``attempt`` that neither raises :class:`LayoutError`
    nor returns None; when none succeeds, :class:`LayoutError` with the message ``failure()``."""
    for _ in range(tries):
        try:
            result = attempt()
        except LayoutError:
            continue
        if result is not None:
            return result
    raise LayoutError(failure())


class LayoutParams(BaseModel):
    """Base of every world's validated layout parameters."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    #: Options a world added after a catalogue was published: left out of the layout's data (which
    #: task and suite hashes cover) while they keep their defaults, so earlier specs, and the published
    #: suites' content hashes, read exactly as before.
    added_later: ClassVar[tuple[str, ...]] = ()

    @model_serializer(mode="wrap")
    def _without_later_defaults(self, handler: Any) -> Any:
        data = handler(self)
        if isinstance(data, dict):
            for name in self.added_later:
                if name in data and getattr(self, name) == type(self).model_fields[name].default:
                    del data[name]
        return data


class World(ABC):
    """A game world. Subclasses set ``name``, ``Layout``, ``vocabulary`` and ``events``, implement
    the hooks and queries, and name their oracle in ``solver_class`` (docs/writing-a-world.md).

    The environment calls, in this order: ``reset`` once, then each tick
    ``step`` followed by ``render``. Checks and the oracle only read through
    the query methods. With several players (see :mod:`simagym.seats`):
    ``reset``, ``add_players``, then each tick ``step_players`` followed by
    ``render_seat`` for every player; queries answer for the seated player.
    """

    name: ClassVar[str]
    Layout: ClassVar[type[LayoutParams]] = LayoutParams
    #: Values each entity attribute can take, e.g. ``{"kind": {...}, "colour": {...}}``;
    #: task files are checked against it at load, so a typo fails there and not mid-run.
    vocabulary: ClassVar[Mapping[str, frozenset[str]]] = {}
    #: Every :attr:`Event.type` :meth:`step` can report. A task's ``event`` check may name only
    #: these (checked at load: a typo would make the task silently unsolvable), and
    #: :mod:`simagym.testing` fails a world that reports one it did not declare.
    events: ClassVar[frozenset[str]] = frozenset()
    #: The roles each event type's events carry, e.g. ``{"put_in": frozenset({"item", "container"})}``.
    #: Optional; where a type is listed, a task's ``event`` check may name only these roles (checked
    #: at load: ``itme`` would never match), and :mod:`simagym.testing` fails an event that carries others.
    event_roles: ClassVar[Mapping[str, frozenset[str]]] = {}
    #: Kinds the world scatters several of, where an instruction means any one ("go to a tree"):
    #: a required selector naming one of them may match several entities.
    scattered: ClassVar[frozenset[str]] = frozenset()
    #: How many players the world seats at once. A world with more than one mixes in
    #: :class:`simagym.seats.Seats` (several players' state, their ticks, their views).
    max_players: ClassVar[int] = 1

    # --- lifecycle -----------------------------------------------------------
    @abstractmethod
    def reset(self, rng: np.random.Generator, layout: LayoutParams, required: list[Selector]) -> None:
        """Build a new layout in which every ``required`` selector matches exactly one entity
        (any number for a :attr:`scattered` kind); the environment verifies that none matches several."""

    @abstractmethod
    def step(self, inp: Input) -> list[Event]:
        """Advance one tick under the held inputs; return what happened."""

    @abstractmethod
    def render(self, height: int, width: int) -> np.ndarray:
        """The agent's view as a ``(height, width, 3)`` uint8 array."""

    # --- queries (ground truth: for checks and the oracle, never the agent) ---
    @abstractmethod
    def entities(self) -> Iterable[Entity]:
        """Every entity in the world, inventory included."""

    @abstractmethod
    def is_near(self, entity: Entity) -> bool:
        """Whether the player is at or next to ``entity``."""

    @abstractmethod
    def inventory(self) -> list[Entity]:
        """What the player carries."""

    def is_facing(self, entity: Entity) -> bool:
        """Whether the player faces ``entity`` now (``facing`` checks); worlds without a sense
        of facing never do."""
        return False

    def equipped(self) -> Entity | None:
        return None

    def menu(self) -> str | None:
        """The open menu's name, or ``None`` when playing."""
        return None

    def displacement(self) -> tuple[float, float]:
        """Player's (east, south) displacement since reset, in the world's units."""
        return (0.0, 0.0)

    def find(self, selector: Selector) -> list[Entity]:
        return [e for e in self.entities() if e.matches(selector)]

    def plausible_target(self, selector: Selector) -> bool:
        """Whether an instruction naming ``selector`` makes sense here as the world stands (the
        strict judge's look-alikes and the audit's chance level ask it; episodes never do): by
        default, something matches it. A world whose selectors name a *state to bring about*
        (GameUI's ``{kind: music_volume, level: 4}``: the level to set) overrides it: the entity
        exists and is not in that state yet."""
        return bool(self.find(selector))

    # --- oracle ---------------------------------------------------------------
    #: The world's oracle: a :class:`Solver` subclass built as ``solver_class(world, check)``. Set by
    #: the world's package next to the world (``MeadowWorld.solver_class = MeadowSolver``), so the
    #: planner imports the world and never the other way round.
    solver_class: ClassVar[type["Solver"] | None] = None

    def solver(self, check: Any) -> "Solver":
        """A planner that reaches ``check`` (a bound :class:`simagym.checks.Check`) through macros."""
        if self.solver_class is None:
            raise NotImplementedError(f"world {self.name!r} has no oracle solver"
                                      f" (set {type(self).__name__}.solver_class)")
        return self.solver_class(self, check)


class TargetError(RuntimeError):
    """A world's reset broke its promise: required selectors that match several entities
    (``problems``: one line each, from :func:`target_problems`)."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


def target_problems(world: World, required: Sequence[Selector]) -> list[str]:
    """What is wrong with ``required`` in ``world`` as it stands, one line per bad selector: none
    may match several entities (an instruction naming "the red lamp" beside two red lamps is
    ambiguous, and either one would pass), unless it names a :attr:`World.scattered` kind.

    A selector that matches nothing yet is no error here: it can name what the episode brings
    about (a setting's new level, an item to craft). A world that forgets a target fails the
    oracle's run in :mod:`simagym.testing`. Cheap, as every reset calls it."""
    problems = []
    for selector in required:
        found = world.find(selector)
        if len(found) > 1 and selector.get("kind") not in world.scattered:
            problems.append(f"{dict(selector)} matches {len(found)} entities"
                            f" ({', '.join(f'{e.describe()} #{e.id}' for e in found[:4])})")
    return problems


class Solver(ABC):
    """A world's privileged planner: reads ground truth, answers with macro indices."""

    #: What the other players of a team pursue (their checks, set by the joint oracle): a planner that
    #: can keeps off what they need, e.g. never collects on its way the coin a partner is told to collect.
    partners: Sequence[Check] = ()

    @abstractmethod
    def next_macro(self) -> int:
        """The macro to play this tick."""
