"""A small vocabulary of success checks over a world's ground truth and events.

A task file writes a condition as YAML, e.g.::

    success:
      then:
        - holding: {kind: $object, colour: $colour}
        - event: {type: put_in, item: {kind: $object}, container: {kind: chest}}

``$name`` refers to an instruction slot; it is bound by lookup, never by text
substitution. :func:`parse_check` validates the YAML once at load time;
:meth:`CheckSpec.bind` resolves the slots of one instance into a live
:class:`Check` that the environment updates every tick.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping

from simagym.world import Entity, Event, Selector, World

DIRECTIONS = {"north": (0, -1), "south": (0, 1), "east": (1, 0), "west": (-1, 0)}


class CheckError(ValueError):
    """A malformed condition; ``field`` is the dotted path to the bad part."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


# --- binding ------------------------------------------------------------------

def _slot_refs(value: Any) -> set[str]:
    if isinstance(value, str) and value.startswith("$"):
        return {value[1:]}
    if isinstance(value, Mapping):
        return set().union(*(_slot_refs(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_slot_refs(v) for v in value)) if value else set()
    return set()


def _bind(value: Any, slots: Mapping[str, str]) -> Any:
    if isinstance(value, str) and value.startswith("$"):
        return slots[value[1:]]
    if isinstance(value, Mapping):
        return {k: _bind(v, slots) for k, v in value.items()}
    if isinstance(value, list):
        return [_bind(v, slots) for v in value]
    return value


def _selector(raw: Any, field: str) -> dict[str, Any]:
    if not isinstance(raw, Mapping) or not raw:
        raise CheckError(field, f"expected a selector mapping such as {{kind: house, colour: red}}, got {raw!r}")
    for k, v in raw.items():
        if not isinstance(k, str) or isinstance(v, (Mapping, list)):
            raise CheckError(f"{field}.{k}", f"selector values must be plain values or $slots, got {v!r}")
    return dict(raw)


# --- live checks ----------------------------------------------------------------

class Check(ABC):
    """One bound condition. ``update`` is called once per tick after the world steps."""

    #: Whether the condition describes a state the player can pass through on the way to
    #: somewhere else (being near a thing, a menu being open): under a settled judge
    #: (:mod:`simagym.judge`) such a state counts only once the player stops in it.
    transient: bool = False

    def reset(self) -> None:  # noqa: B027 - most checks are stateless
        pass

    @abstractmethod
    def update(self, world: World, events: list[Event]) -> bool:
        """Whether the condition holds after this tick."""

    def targets(self) -> list[Selector]:
        """Entities that must exist (uniquely) for the instruction to make sense."""
        return []

    def satisfied(self, world: World) -> bool:
        """Whether the condition holds now, without counting anything (for planners)."""
        return self.update(world, [])


@dataclass
class Near(Check):
    selector: Selector
    transient = True

    def update(self, world: World, events: list[Event]) -> bool:
        return any(world.is_near(e) for e in world.find(self.selector))

    def targets(self) -> list[Selector]:
        return [self.selector]


@dataclass
class Facing(Check):
    """The player faces a thing matching ``selector`` now (what "facing" means is the world's:
    :meth:`World.is_facing`). A passing state, like :class:`Near`: turning past a thing is not
    stopping to face it."""

    selector: Selector
    transient = True

    def update(self, world: World, events: list[Event]) -> bool:
        return any(world.is_facing(e) for e in world.find(self.selector))

    def targets(self) -> list[Selector]:
        return [self.selector]


@dataclass
class Holding(Check):
    selector: Selector
    at_least: int = 1

    def update(self, world: World, events: list[Event]) -> bool:
        return sum(e.matches(self.selector) for e in world.inventory()) >= self.at_least

    def targets(self) -> list[Selector]:
        return [self.selector] if self.at_least == 1 else []


@dataclass
class Equipped(Check):
    selector: Selector

    def update(self, world: World, events: list[Event]) -> bool:
        item = world.equipped()
        return item is not None and item.matches(self.selector)

    def targets(self) -> list[Selector]:
        return [self.selector]


@dataclass
class MenuOpen(Check):
    name: str | None
    transient = True

    def update(self, world: World, events: list[Event]) -> bool:
        return world.menu() == self.name


@dataclass
class Happened(Check):
    """An event of ``type`` whose roles match, seen ``at_least`` times since reset (sticky)."""

    type: str
    roles: Mapping[str, Selector]
    at_least: int = 1
    _seen: int = 0

    def reset(self) -> None:
        self._seen = 0

    def _matches(self, event: Event) -> bool:
        if event.type != self.type:
            return False
        for role, sel in self.roles.items():
            entity: Entity | None = event.roles.get(role)
            if entity is None or not entity.matches(sel):
                return False
        return True

    def update(self, world: World, events: list[Event]) -> bool:
        self._seen += sum(1 for e in events if self._matches(e))
        return self._seen >= self.at_least

    def satisfied(self, world: World) -> bool:
        return self._seen >= self.at_least

    @property
    def remaining(self) -> int:
        return max(0, self.at_least - self._seen)

    def targets(self) -> list[Selector]:
        return list(self.roles.values()) if self.at_least == 1 else []


@dataclass
class Moved(Check):
    """Displaced at least ``distance`` in ``direction`` since reset; with ``exact``, ending
    ``distance`` away in that direction and on the line (each within half a unit)."""

    direction: str
    distance: float
    exact: bool = False
    transient = True

    def update(self, world: World, events: list[Event]) -> bool:
        dx, dy = world.displacement()
        ux, uy = DIRECTIONS[self.direction]
        along = dx * ux + dy * uy
        if self.exact:
            return abs(along - self.distance) < 0.5 and abs(dx * uy - dy * ux) < 0.5
        return along >= self.distance


@dataclass
class AllOf(Check):
    parts: list[Check]

    def reset(self) -> None:
        for p in self.parts:
            p.reset()

    def update(self, world: World, events: list[Event]) -> bool:
        results = [p.update(world, events) for p in self.parts]  # update every part: sticky ones count events
        return all(results)

    def satisfied(self, world: World) -> bool:
        return all(p.satisfied(world) for p in self.parts)

    @property
    def transient(self) -> bool:  # type: ignore[override]
        return any(p.transient for p in self.parts)

    def targets(self) -> list[Selector]:
        return [t for p in self.parts for t in p.targets()]


@dataclass
class AnyOf(AllOf):
    def update(self, world: World, events: list[Event]) -> bool:
        results = [p.update(world, events) for p in self.parts]
        return any(results)

    def satisfied(self, world: World) -> bool:
        return any(p.satisfied(world) for p in self.parts)


@dataclass
class Then(AllOf):
    """Parts satisfied in order; once a part holds it stays done."""

    _done: int = 0

    def reset(self) -> None:
        super().reset()
        self._done = 0

    def update(self, world: World, events: list[Event]) -> bool:
        if self._done == len(self.parts):  # complete: it holds while its last state still does
            return self.parts[-1].update(world, events)
        while self._done < len(self.parts) and self.parts[self._done].update(world, events):
            self._done += 1
            events = []  # an event satisfies one step of the sequence, not the next as well
        return self._done == len(self.parts)

    def satisfied(self, world: World) -> bool:
        return self._done == len(self.parts) and self.parts[-1].satisfied(world)

    @property
    def transient(self) -> bool:  # type: ignore[override]
        return self.parts[-1].transient

    @property
    def done(self) -> int:
        return self._done


@dataclass
class Not(Check):
    part: Check

    def reset(self) -> None:
        self.part.reset()

    def update(self, world: World, events: list[Event]) -> bool:
        return not self.part.update(world, events)

    def satisfied(self, world: World) -> bool:
        return not self.part.satisfied(world)

    @property
    def transient(self) -> bool:  # type: ignore[override]
        return self.part.transient


def pending_goal(check: Check, world: World) -> Check | None:
    """The sub-goal a planner works on now, or ``None`` when ``check`` holds.

    A sequence (:class:`Then`) waits on its first part not yet done; :class:`AnyOf` is pursued
    through its first part; :class:`AllOf` through its first unsatisfied part; any other
    check is a leaf and is its own goal.
    """
    if check.satisfied(world):
        return None
    if isinstance(check, Then):  # complete but its last state undone since: that state again
        return pending_goal(check.parts[min(check.done, len(check.parts) - 1)], world)
    if isinstance(check, AnyOf):
        return pending_goal(check.parts[0], world)
    if isinstance(check, AllOf):
        return next((g for g in (pending_goal(p, world) for p in check.parts) if g is not None), None)
    return check


# --- parsing ------------------------------------------------------------------

@dataclass(frozen=True)
class CheckSpec:
    """A validated, unbound condition from a task file."""

    raw: Any
    build: Callable[[Any], Check]
    field: str = "success"

    def __reduce__(self):
        # ``build`` is a closure made by parsing: pickle the YAML data and parse it again.
        return (parse_check, (self.raw, self.field))

    @property
    def slots(self) -> set[str]:
        return _slot_refs(self.raw)

    def bind(self, slots: Mapping[str, str]) -> Check:
        check = self.build(_bind(self.raw, slots))
        check.reset()
        return check


def _positive_int(value: Any, field: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise CheckError(field, f"expected a positive integer, got {value!r}")
    return value


def _parse_holding(raw: Any, field: str, cls: type) -> Callable[[Any], Check]:
    raw = dict(_selector(raw, field))
    at_least = _positive_int(raw.pop("at_least", 1), f"{field}.at_least")
    _selector(raw, field)
    if cls is Holding:
        return lambda r: Holding({k: v for k, v in r.items() if k != "at_least"}, at_least)
    return lambda r: cls(dict(r))


def _parse_event(raw: Any, field: str) -> Callable[[Any], Check]:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("type"), str):
        raise CheckError(field, f"an event check needs a 'type', e.g. {{type: picked_up, item: {{kind: key}}}}; got {raw!r}")
    at_least = _positive_int(raw.get("at_least", 1), f"{field}.at_least")
    for role, sel in raw.items():
        if role not in ("type", "at_least"):
            _selector(sel, f"{field}.{role}")
    return lambda r: Happened(
        r["type"], {k: dict(v) for k, v in r.items() if k not in ("type", "at_least")}, at_least
    )


def _parse_menu(raw: Any, field: str) -> Callable[[Any], Check]:
    if raw is not None and not isinstance(raw, str):
        raise CheckError(field, f"menu expects a menu name or 'none', got {raw!r}")
    return lambda r: MenuOpen(None if r in (None, "none") else r)


def _parse_moved(raw: Any, field: str) -> Callable[[Any], Check]:
    if not isinstance(raw, Mapping) or not {"direction", "distance"} <= set(raw) <= {"direction", "distance", "exact"}:
        raise CheckError(field, f"moved expects {{direction: north, distance: 3}} (and optionally exact: true), got {raw!r}")
    exact = raw.get("exact", False)
    if not isinstance(exact, bool):
        raise CheckError(f"{field}.exact", f"exact must be true or false, got {exact!r}")
    d = raw["direction"]
    if not (isinstance(d, str) and (d.startswith("$") or d in DIRECTIONS)):
        raise CheckError(f"{field}.direction", f"direction must be one of {sorted(DIRECTIONS)}, got {d!r}")
    dist = raw["distance"]
    if not (isinstance(dist, str) and dist.startswith("$")):
        _positive_int(dist, f"{field}.distance")

    def build(r: Any) -> Check:
        if r["direction"] not in DIRECTIONS:
            raise CheckError(f"{field}.direction", f"direction must be one of {sorted(DIRECTIONS)}, got {r['direction']!r}")
        return Moved(r["direction"], float(r["distance"]), exact)

    return build


def _parse_near(raw: Any, field: str) -> Callable[[Any], Check]:
    _selector(raw, field)
    return lambda r: Near(dict(r))


def _parse_facing(raw: Any, field: str) -> Callable[[Any], Check]:
    _selector(raw, field)
    return lambda r: Facing(dict(r))


def _parse_list(raw: Any, field: str, cls: type) -> Callable[[Any], Check]:
    if not isinstance(raw, list) or not raw:
        raise CheckError(field, f"expected a non-empty list of checks, got {raw!r}")
    builders = [parse_check(item, f"{field}[{i}]").build for i, item in enumerate(raw)]
    return lambda r: cls([b(item) for b, item in zip(builders, r)])


def _parse_not(raw: Any, field: str) -> Callable[[Any], Check]:
    inner = parse_check(raw, field).build
    return lambda r: Not(inner(r))


_PARSERS: dict[str, Callable[[Any, str], Callable[[Any], Check]]] = {
    "near": _parse_near,
    "facing": _parse_facing,
    "holding": lambda raw, f: _parse_holding(raw, f, Holding),
    "equipped": lambda raw, f: _parse_holding(raw, f, Equipped),
    "menu": _parse_menu,
    "event": _parse_event,
    "moved": _parse_moved,
    "all": lambda raw, f: _parse_list(raw, f, AllOf),
    "any": lambda raw, f: _parse_list(raw, f, AnyOf),
    "then": lambda raw, f: _parse_list(raw, f, Then),
    "not": _parse_not,
}
CHECK_NAMES = tuple(_PARSERS)


def selector_values(raw: Any) -> Iterator[tuple[str, Any]]:
    """Every (attribute, value) a condition compares entities with; values may be ``$slot`` refs.

    ``moved`` directions are included as ``("direction", value)``. Lets task loading check
    slot values against what a world can draw, before any episode runs.
    """
    (name, arg), = raw.items()
    if name in ("near", "facing", "holding", "equipped"):
        yield from ((k, v) for k, v in arg.items() if k != "at_least")
    elif name == "event":
        for role, sel in arg.items():
            if isinstance(sel, Mapping):
                yield from sel.items()
    elif name == "moved":
        yield ("direction", arg["direction"])
    elif name in ("all", "any", "then"):
        for part in arg:
            yield from selector_values(part)
    elif name == "not":
        yield from selector_values(arg)


def event_checks(raw: Any, field: str) -> Iterator[tuple[str, Any, tuple[str, ...]]]:
    """Every ``event`` check in a condition as ``(field, type, role names)``, the field a dotted
    path such as ``success.then[1].event``; a type may be a ``$slot`` ref. Lets task loading check
    them against the events a world declares (:attr:`World.events`, :attr:`World.event_roles`)."""
    (name, arg), = raw.items()
    if name == "event":
        yield f"{field}.event", arg["type"], tuple(k for k in arg if k not in ("type", "at_least"))
    elif name in ("all", "any", "then"):
        for i, part in enumerate(arg):
            yield from event_checks(part, f"{field}.{name}[{i}]")
    elif name == "not":
        yield from event_checks(arg, f"{field}.not")


def parse_check(raw: Any, field: str = "success") -> CheckSpec:
    """Validate a condition from YAML. Raises :class:`CheckError` naming the field."""
    if not isinstance(raw, Mapping) or len(raw) != 1:
        raise CheckError(field, f"a check is a mapping with exactly one of {', '.join(CHECK_NAMES)}; got {raw!r}")
    (name, arg), = raw.items()
    if name not in _PARSERS:
        raise CheckError(f"{field}.{name}", f"unknown check {name!r}; known checks: {', '.join(CHECK_NAMES)}")
    builder = _PARSERS[name](arg, f"{field}.{name}")
    # Builders receive the *bound* mapping; binding never changes the tree's shape.
    return CheckSpec(raw=dict(raw), build=lambda bound: builder(bound[name]), field=field)
