"""The in-game menus that worlds with a bag share, as a key-driven state machine:
I opens the inventory, M the map (in a world that has one), Tab switches between
them, Esc closes; I or M again closes its own menu. In the inventory a number key
or a left click on a slot holds that slot (see :mod:`simagym.inventory`); on the
map a left click goes to the world (a marker, usually). While a menu is open the
world is paused.

Also the oracle's side of the same keys, and the map screen's shared pieces. A world
and its oracle use them through :mod:`simagym.bagworld`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from simagym.actions import Input
from simagym.checks import Check, Equipped, Happened, MenuOpen
from simagym.inventory import Bag, slot_at, slot_cell, slot_key
from simagym.macros import cell_centre, click_macro, key_macro
from simagym.world import Event, Selector

OPEN_KEY = {"inventory": "I", "map": "M"}
#: The event each menu produces: holding a slot in the inventory, a marker on the map.
MENU_EVENT = {"inventory": "equipped", "map": "marker_placed"}
MAP_BORDER = (240, 230, 200)  # a light frame line tells the map from the world view

MapClick = Callable[[float, float, list[Event]], object]
"""A world's answer to a left click on its map at a normalised screen point."""


@dataclass(frozen=True)
class MenuKeys:
    """The menus of one world, in Tab order: ``("inventory", "map")``, or ``("inventory",)``
    for a world without a map (there M and Tab do nothing)."""

    names: tuple[str, ...] = ("inventory", "map")

    # --- the world's side ------------------------------------------------------------
    def play(self, keys: frozenset[str], bag: Bag, events: list[Event]) -> str | None:
        """Keys while playing: the menu that I or M opens (that tick does nothing else), or
        None - and then a number key holds its slot."""
        opened = next((name for name in self.names if OPEN_KEY[name] in keys), None)
        if opened is None:
            slot = slot_key(keys)
            if slot is not None:
                bag.hold(slot, events)
        return opened

    def step(self, current: str, inp: Input, bag: Bag, events: list[Event], map_click: MapClick | None = None) -> str | None:
        """One tick with menu ``current`` open; returns the menu open afterwards (None: playing)."""
        keys = inp.keys
        if "ESC" in keys:
            return None
        if "TAB" in keys and len(self.names) > 1:
            i = self.names.index(current) if current in self.names else -1
            return self.names[(i + 1) % len(self.names)]
        for name in self.names:
            if OPEN_KEY[name] in keys:
                return None if current == name else name
        if current == "inventory":
            slot = slot_key(keys)
            if slot is None and inp.left:
                slot = slot_at(*inp.cursor)
            if slot is not None:
                bag.hold(slot, events)
        elif inp.left and map_click is not None:
            map_click(*inp.cursor, events)
        return current

    # --- the oracle's side --------------------------------------------------------------
    def uses_menu(self, goal: Check) -> bool:
        """Whether ``goal`` is reached inside a menu (for any other goal the oracle closes menus first)."""
        if isinstance(goal, (MenuOpen, Equipped)):
            return True
        return isinstance(goal, Happened) and any(goal.type == MENU_EVENT[name] for name in self.names)

    def open_macro(self, current: str | None, name: str | None) -> int:
        """The next macro towards having menu ``name`` open (None: no menu) when ``current`` is."""
        if name is None:
            return key_macro("ESC")
        if current is not None and current != name:
            return key_macro("TAB")
        return key_macro(OPEN_KEY[name])

    def equip_macro(self, current: str | None, bag: Bag, selector: Selector, acquire: Callable[[Selector], int]) -> int:
        """The next macro towards holding an item matching ``selector`` through the inventory
        (an ``equipped`` event): fetch one with ``acquire`` if none is carried, else open the
        inventory and click its slot."""
        slot = bag.slot_of(selector)
        if slot is None:
            return key_macro("ESC") if current is not None else acquire(selector)
        if current != "inventory":
            return self.open_macro(current, "inventory")
        return click_macro(*cell_centre(*slot_cell(slot)))


# --- the map screen --------------------------------------------------------------------

def map_cell(x: float, y: float, shape: tuple[int, int]) -> tuple[int, int]:
    """The cell (column, row) of a ``shape`` = (rows, columns) map filling the screen under the
    normalised screen point (x, y)."""
    h, w = shape
    return (min(w - 1, int(x * w)), min(h - 1, int(y * h)))


def map_frame(cells: np.ndarray, height: int, width: int) -> np.ndarray:
    """A map given as one colour per cell (an (H, W, 3) array) resampled to fill the screen,
    with a light frame line."""
    n_h, n_w, _ = cells.shape
    rows = (np.arange(height) * n_h) // height
    cols = (np.arange(width) * n_w) // width
    frame = cells.take(rows, axis=0).take(cols, axis=1)
    frame[:1, :] = frame[-1:, :] = frame[:, :1] = frame[:, -1:] = MAP_BORDER
    return frame


__all__ = ["MenuKeys", "OPEN_KEY", "MENU_EVENT", "map_cell", "map_frame"]
