"""Several players in one world: the machinery every multi-player world shares.

A world written for one player keeps its player's state in plain attributes (``self.player``,
``self.bag``, ``self.menu_name``...). To seat several players it declares those attributes as
:class:`SeatField` s: each then lives on the *current* :class:`Seat`, and :meth:`Seats.seated`
makes a seat current. The single-player code reads and writes "the player" exactly as before, and
runs unchanged for whichever player is seated - one player is simply one seat.

A tick with several players (:meth:`Seats.step_players`): each seat acts in turn (menus, using,
dropping, moving: the world's ``_act``), then the world itself moves on once (``_advance``:
animals, moving hazards, the clock). Each seat gets its own events; :meth:`Seats.tell` hands an
event to another seat (a gift received).
"""

from __future__ import annotations

from abc import abstractmethod
from contextlib import contextmanager
from typing import Any, Iterator, Sequence

import numpy as np

from simagym.actions import Input
from simagym.world import Event

#: Each player's colour on screen; player 0 looks as the single player always has.
SEAT_COLOURS: tuple[tuple[int, int, int], ...] = ((255, 120, 220), (70, 200, 240), (250, 160, 30), (150, 230, 70))


class Seat:
    """One player's own state: the world's :class:`SeatField` s, plus events told to it."""

    def __init__(self, index: int, **fields: Any) -> None:
        self.index = index
        self.inbox: list[Event] = []
        self.__dict__.update(fields)


class SeatField:
    """A world attribute that belongs to the current seat (declare it in the world's class body)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, world: Any, owner: type | None = None) -> Any:
        if world is None:
            return self
        try:
            return world.seat.__dict__[self.name]
        except KeyError:
            raise AttributeError(f"{type(world).__name__}.{self.name} is not set for seat {world.seat.index}") from None

    def __set__(self, world: Any, value: Any) -> None:
        world.seat.__dict__[self.name] = value


class Seats:
    """The seat machinery (a mixin, listed before :class:`~simagym.world.World`). The world calls
    :meth:`_first_seat` at the top of ``reset``, and implements ``_act(inp, events) -> bool`` (one
    seat's part of a tick; False while a menu pauses it), ``_advance(events_by_seat)`` (the world's
    own part) and ``_join(rng, index) -> Seat`` (a new player placed in the world)."""

    seats: list[Seat]
    seat: Seat

    def _first_seat(self) -> None:
        self.seats = [Seat(0)]
        self.seat = self.seats[0]

    @property
    def players(self) -> int:
        return len(self.seats)

    def add_players(self, rng: np.random.Generator, count: int) -> None:
        """Seat players until there are ``count`` (call right after ``reset``)."""
        limit = type(self).max_players  # type: ignore[attr-defined]
        if not 1 <= count <= limit:
            raise ValueError(f"world {type(self).name!r} seats 1 to {limit} players, not {count}")  # type: ignore[attr-defined]
        while len(self.seats) < count:
            with self.seated(0):
                self.seats.append(self._join(rng, len(self.seats)))

    @contextmanager
    def seated(self, index: int) -> Iterator[None]:
        """Make seat ``index`` the player the world's code (and its queries, and its oracle) means."""
        before, self.seat = self.seat, self.seats[index]
        try:
            yield
        finally:
            self.seat = before

    def others(self) -> list[Seat]:
        """The seats other than the current one."""
        return [s for s in self.seats if s is not self.seat]

    def tell(self, index: int, event: Event) -> None:
        """Give seat ``index`` an event of its own this tick (what happened *to* it)."""
        self.seats[index].inbox.append(event)

    def step_players(self, inputs: Sequence[Input]) -> list[list[Event]]:
        """One tick for every seat (an input each, in seat order): what happened to each."""
        if len(inputs) != len(self.seats):
            raise ValueError(f"{len(self.seats)} players need {len(self.seats)} inputs, got {len(inputs)}")
        events: list[list[Event]] = [[] for _ in self.seats]
        for i, inp in enumerate(inputs):
            with self.seated(i):
                self._act(inp, events[i])
        self._advance(events)
        for seat, own in zip(self.seats, events):
            own += seat.inbox
            seat.inbox.clear()
        return events

    def render_seat(self, index: int, height: int, width: int) -> np.ndarray:
        """What player ``index`` sees."""
        with self.seated(index):
            return self.render(height, width)  # type: ignore[attr-defined]

    # --- the world's part (abstract: World's metaclass enforces them) ------------------------
    @abstractmethod
    def _act(self, inp: Input, events: list[Event]) -> bool:
        """One seat's part of a tick (the current seat's); False while a menu pauses it."""

    def _advance(self, events: list[list[Event]]) -> None:  # noqa: B027 - a world without motion of its own
        """The world's own motion once per tick, after every seat acted."""

    @abstractmethod
    def _join(self, rng: np.random.Generator, index: int) -> Seat:
        """A new player, seat ``index``, placed in the world (seat 0 is current while it is made)."""


__all__ = ["SEAT_COLOURS", "Seat", "SeatField", "Seats"]
