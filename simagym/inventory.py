"""The bag that worlds with items share: up to eight carried items, one of them held
("the hand"), number keys 1-8 holding a slot, and the inventory panel - where its
slots sit on the macro grid (so every slot is one click macro at any resolution)
and how it is drawn, in each world's own colours and icons.

The menu keys that open the panel are in :mod:`simagym.menus`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Collection, Generic, Iterable, Protocol, TypeVar

import numpy as np

from simagym.art import RGB, fill_rect
from simagym.macros import GRID
from simagym.world import Entity, Event, Selector

INVENTORY_SLOTS = 8
SLOT_COLUMNS = 4
SLOT_ORIGIN = (2, 3)  # grid cell of slot 0
SLOT_KEYS = tuple(str(i) for i in range(1, INVENTORY_SLOTS + 1))
HAND_RGB: RGB = (250, 220, 60)  # the held slot's highlight


class Item(Protocol):
    """What a bag holds: a world-side thing with a kind, a colour and a read-only view."""

    kind: str
    colour: str | None

    def view(self) -> Entity: ...

    def sprite_name(self) -> str: ...


T = TypeVar("T", bound=Item)


# --- slots on the macro grid ----------------------------------------------------------

def slot_cell(slot: int) -> tuple[int, int]:
    """The macro-grid cell (column, row) of inventory slot ``slot``."""
    return (SLOT_ORIGIN[0] + slot % SLOT_COLUMNS, SLOT_ORIGIN[1] + slot // SLOT_COLUMNS)


def slot_at(x: float, y: float) -> int | None:
    """The slot under the normalised screen point (x, y), or None."""
    col, row = int(x * GRID) - SLOT_ORIGIN[0], int(y * GRID) - SLOT_ORIGIN[1]
    if 0 <= col < SLOT_COLUMNS and 0 <= row < INVENTORY_SLOTS // SLOT_COLUMNS:
        return row * SLOT_COLUMNS + col
    return None


def slot_key(keys: Collection[str]) -> int | None:
    """The slot whose number key (1-8) is held, the lowest if several are; None if none is."""
    return next((i for i, k in enumerate(SLOT_KEYS) if k in keys), None)


# --- the bag ------------------------------------------------------------------------

class Bag(Generic[T]):
    """Carried items in slot order, and the one held in hand (or None)."""

    __slots__ = ("items", "hand")

    def __init__(self, items: Iterable[T] = ()) -> None:
        self.items: list[T] = list(items)
        self.hand: T | None = None

    @property
    def full(self) -> bool:
        return len(self.items) >= INVENTORY_SLOTS

    def hold(self, slot: int, events: list[Event]) -> bool:
        """Hold the item in ``slot`` (an ``equipped`` event); False when the slot is empty."""
        if slot >= len(self.items):
            return False
        self.hand = self.items[slot]
        events.append(Event("equipped", {"item": self.hand.view()}))
        return True

    def pick_up(self, item: T, events: list[Event]) -> None:
        """Put ``item`` in the next slot and hold it (a ``picked_up`` event). Check :attr:`full` first."""
        self.items.append(item)
        self.hand = item
        events.append(Event("picked_up", {"item": item.view()}))

    def lose(self, item: T) -> None:
        """Take ``item`` out of the bag (out of the hand too, if it was held)."""
        self.items.remove(item)
        if self.hand is item:
            self.hand = None

    def has(self, kind: str, colour: str | None) -> bool:
        """Whether a ``kind`` of ``colour`` is in the bag (e.g. the key of a locked door)."""
        return any(i.kind == kind and i.colour == colour for i in self.items)

    def slot_of(self, selector: Selector) -> int | None:
        """The first slot whose item matches ``selector``."""
        return next((i for i, t in enumerate(self.items) if t.view().matches(selector)), None)

    def holds(self, selector: Selector) -> bool:
        """Whether the item in hand matches ``selector``."""
        return self.hand is not None and self.hand.view().matches(selector)

    def hand_slot(self) -> int | None:
        return self.items.index(self.hand) if self.hand is not None else None

    # --- queries (World.inventory / World.equipped) ---
    def entities(self) -> list[Entity]:
        return [t.view() for t in self.items]

    def equipped(self) -> Entity | None:
        return self.hand.view() if self.hand is not None else None


# --- the panel's pixels --------------------------------------------------------------

Icon = Callable[[str | None, int], np.ndarray]
"""A world's slot picture: ``icon(sprite_name, size)`` is a (size, size, 3) image of the item
whose ``sprite_name()`` that is, or of an empty slot for ``None``."""


@dataclass(frozen=True)
class PanelLook:
    """How one world draws its inventory panel: the panel and title-bar colours (the title bar
    is the inventory's colour cue) and its own icons."""

    panel: RGB
    title: RGB
    icon: Icon


@lru_cache(maxsize=128)
def _panel(height: int, width: int, sprites: tuple[str, ...], hand: int | None, look: PanelLook) -> np.ndarray:
    panel = np.zeros((height, width, 3), dtype=np.uint8)
    g = 1.0 / GRID
    fill_rect(panel, 1 * g, 2 * g, 7 * g, 6 * g, look.panel)  # grid cells (1, 2) to (7, 6)
    fill_rect(panel, 1 * g, 2 * g, 7 * g, 2.6 * g, look.title)
    size = max(2, min(height, width) // GRID - 2)
    for slot in range(INVENTORY_SLOTS):
        col, row = slot_cell(slot)
        x0, y0 = int(round(col * g * width)), int(round(row * g * height))
        if slot == hand:
            fill_rect(panel, col * g, row * g, (col + 1) * g, (row + 1) * g, HAND_RGB)
        cell = look.icon(sprites[slot] if slot < len(sprites) else None, size)
        panel[y0 + 1: y0 + 1 + size, x0 + 1: x0 + 1 + size] = cell[: height - y0 - 1, : width - x0 - 1]
    return panel


def draw_inventory(frame: np.ndarray, bag: Bag, look: PanelLook) -> None:
    """Draw the inventory panel over ``frame`` (in place): eight slots, the held one highlighted."""
    h, w, _ = frame.shape
    panel = _panel(h, w, tuple(t.sprite_name() for t in bag.items), bag.hand_slot(), look)
    g = 1.0 / GRID
    y0, y1, x0, x1 = int(round(2 * g * h)), int(round(6 * g * h)), int(round(1 * g * w)), int(round(7 * g * w))
    frame[y0:y1, x0:x1] = panel[y0:y1, x0:x1]


def draw_held(frame: np.ndarray, icon: np.ndarray) -> None:
    """What the player holds, in the bottom-left corner (views are partial: show the state that matters)."""
    height, width, _ = frame.shape
    th, tw = min(icon.shape[0], height), min(icon.shape[1], width)
    frame[height - th:, :tw] = icon[:th, :tw]


__all__ = [
    "Bag", "Item", "PanelLook", "INVENTORY_SLOTS", "SLOT_COLUMNS", "SLOT_ORIGIN", "SLOT_KEYS",
    "slot_cell", "slot_at", "slot_key", "draw_inventory", "draw_held",
]
