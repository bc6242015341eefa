"""What the worlds with a bag and menus (Meadow, Halls, Ledges) share beyond the
bag (:mod:`simagym.inventory`) and the menu keys (:mod:`simagym.menus`): the world's
menu-first step and its inventory/equipped/menu queries (:class:`BagWorld`), and the
skeleton of their oracles (:class:`BagSolver`).
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, ClassVar

from simagym.actions import Input
from simagym.checks import Check, Equipped, Facing, Happened, Holding, MenuOpen, Moved, Near, pending_goal
from simagym.inventory import Bag
from simagym.macros import NOOP, key_macro
from simagym.menus import MenuKeys
from simagym.world import Entity, Event, Selector, Solver


class BagWorld:
    """The shared half of a world with a bag and menus (a mixin: list it before
    :class:`~simagym.world.World`). The world sets ``menus``, keeps ``bag`` and ``menu_name``,
    implements ``_use`` (E), ``_drop`` (Q) and ``_play`` (the rest of an unpaused tick), and
    overrides :meth:`_click_map` if it has a map. ``step`` and the queries ``inventory``,
    ``equipped`` and ``menu`` are answered here."""

    menus: ClassVar[MenuKeys]
    bag: Bag
    menu_name: str | None

    def step(self, inp: Input) -> list[Event]:
        """Menus first (an open menu pauses the world); else E uses, Q drops, and the world plays on."""
        events: list[Event] = []
        if self._act(inp, events):
            self._advance([events])
        return events

    def _act(self, inp: Input, events: list[Event]) -> bool:
        """The player's part of a tick; False when the menus took it (and the world stays paused)."""
        self._cursor = inp.cursor
        if self._menus_first(inp, events):
            return False
        if "E" in inp.keys:
            self._use(events)
        if "Q" in inp.keys:
            self._drop(events)
        self._play(inp, events)
        return True

    def _advance(self, events: list[list[Event]]) -> None:  # noqa: B027 - most worlds have no motion of their own
        """The world's own motion, once per tick after the player(s) acted (``events``: each player's)."""

    @abstractmethod
    def _use(self, events: list[Event]) -> None:
        """E: use, pick up or open whatever the player faces."""

    @abstractmethod
    def _drop(self, events: list[Event]) -> None:
        """Q: drop the held item."""

    @abstractmethod
    def _play(self, inp: Input, events: list[Event]) -> None:
        """The rest of the player's tick the menus left: movement."""

    def _menus_first(self, inp: Input, events: list[Event]) -> bool:
        """The menus' part of a tick. True when the tick is theirs - a menu was open, or I/M opened
        one - and the world stays paused; else number keys have held their slots, and the world
        plays the rest of the tick."""
        if self.menu_name is not None:
            self.menu_name = self.menus.step(self.menu_name, inp, self.bag, events, self._click_map)
            return True
        self.menu_name = self.menus.play(inp.keys, self.bag, events)
        return self.menu_name is not None

    def _click_map(self, x: float, y: float, events: list[Event]) -> None:  # noqa: B027 - only worlds with a map
        """A left click on the open map at the normalised point (x, y)."""

    def inventory(self) -> list[Entity]:
        return self.bag.entities()

    def equipped(self) -> Entity | None:
        return self.bag.equipped()

    def menu(self) -> str | None:
        return self.menu_name


class BagSolver(Solver):
    """Base of the oracles of :class:`BagWorld` worlds (the world has ``bag``,
    ``menu_name`` and its things by id in ``by_id``): each tick it works on the pending
    sub-goal, closing any open menu that sub-goal is not reached through. Menus, equipping
    and holding are the same in every such world; the rest is the world's own.

    Subclasses implement ``_near``, ``_event`` and ``_acquire`` (and ``_moved`` where the
    world has a sense of distance).
    """

    def __init__(self, world: Any, check: Check) -> None:
        self.w = world
        self.check = check
        self._choosing = False  # set by _hold while it chooses an item in the inventory panel

    @property
    def menus(self) -> MenuKeys:
        return self.w.menus

    def next_macro(self) -> int:
        goal = pending_goal(self.check, self.w)
        if goal is None:
            return NOOP
        return self._solve(goal) if self.w.menu_name is None else self._solve_in_menu(goal)

    def _solve_in_menu(self, goal: Check) -> int:
        """With a menu open (the world paused): the goal's move when it is made in the menu - the goal
        is reached there, or the item to hold is chosen in the inventory panel (see ``_hold``) - else
        Esc, to close the menu first."""
        self._choosing = False
        macro = self._solve(goal)
        return macro if self._choosing or self.menus.uses_menu(goal) else key_macro("ESC")

    def _solve(self, goal: Check) -> int:
        """The macro towards one pending sub-goal (a leaf check)."""
        if isinstance(goal, MenuOpen):
            return self.menus.open_macro(self.w.menu_name, goal.name)
        if isinstance(goal, Near):
            return self._near(goal)
        if isinstance(goal, Moved):
            return self._moved(goal)
        if isinstance(goal, Facing):
            return self._facing(goal)
        if isinstance(goal, Equipped):
            return self._equip(goal.selector)
        if isinstance(goal, Holding):
            return self._acquire(goal.selector)
        if isinstance(goal, Happened):
            return self._event(goal)
        return NOOP

    @abstractmethod
    def _near(self, goal: Near) -> int:
        """The macro towards being near a thing matching ``goal.selector``."""

    def _moved(self, goal: Moved) -> int:
        """The macro towards having moved ``goal.distance`` in ``goal.direction`` (NOOP: not supported)."""
        return NOOP

    def _facing(self, goal: Facing) -> int:
        """The macro towards facing a thing matching ``goal.selector`` (NOOP: not supported)."""
        return NOOP

    @abstractmethod
    def _event(self, goal: Happened) -> int:
        """The macro towards the event ``goal`` waits for."""

    @abstractmethod
    def _acquire(self, selector: Selector) -> int:
        """The macro towards carrying an item matching ``selector``."""

    def _things(self, selector: Selector) -> list[Any]:
        """The world-side things matching ``selector``."""
        return [self.w.by_id[e.id] for e in self.w.find(selector)]

    def _one(self, selector: Selector) -> Any:
        """The first world-side thing matching ``selector`` (a task's target exists by construction)."""
        found = self.w.find(selector)
        if not found:
            raise RuntimeError(f"oracle: nothing in the world matches {dict(selector)}")
        return self.w.by_id[found[0].id]

    def _equip(self, selector: Selector) -> int:
        """The macro towards holding a matching item, chosen in the inventory."""
        return self.menus.equip_macro(self.w.menu_name, self.w.bag, selector, self._acquire)

    def _hold(self, selector: Selector) -> int | None:
        """A macro towards holding a matching item in hand, or None when it is held.

        The item is chosen where the screen shows it - clicked in the inventory panel - never by its
        slot key: which slot holds it is not on screen, so a policy imitating the oracle from pixels
        could only guess the key (1 in 6 on ``halls/drop-item``).
        """
        if self.w.bag.holds(selector):
            return None
        self._choosing = self.w.bag.slot_of(selector) is not None
        return self._equip(selector)


__all__ = ["BagWorld", "BagSolver"]
