"""Ledges' inventory menu: eight slots drawn over the paused level; click a slot
(or press 1-8) to hold that item. Slots are aligned to the macro grid, so every
slot is one click macro at any resolution."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from simagym.art import fill_rect
from simagym.macros import GRID

from .render import atlas
from .things import HUD_SPRITES

INVENTORY_SLOTS = 8
SLOT_COLUMNS = 4
SLOT_ORIGIN = (2, 3)  # grid cell of slot 0


def slot_cell(slot: int) -> tuple[int, int]:
    return (SLOT_ORIGIN[0] + slot % SLOT_COLUMNS, SLOT_ORIGIN[1] + slot // SLOT_COLUMNS)


def slot_at(x: float, y: float) -> int | None:
    col, row = int(x * GRID) - SLOT_ORIGIN[0], int(y * GRID) - SLOT_ORIGIN[1]
    if 0 <= col < SLOT_COLUMNS and 0 <= row < INVENTORY_SLOTS // SLOT_COLUMNS:
        return row * SLOT_COLUMNS + col
    return None


@lru_cache(maxsize=64)
def _panel(height: int, width: int, sprites: tuple[int, ...], hand: int | None) -> np.ndarray:
    panel = np.zeros((height, width, 3), dtype=np.uint8)
    g = 1.0 / GRID
    fill_rect(panel, 1 * g, 2 * g, 7 * g, 6 * g, (40, 60, 110))
    fill_rect(panel, 1 * g, 2 * g, 7 * g, 2.6 * g, (230, 190, 60))  # a gold title bar: Ledges' inventory
    size = max(2, min(height, width) // GRID - 2)
    cells = atlas(size)
    for slot in range(INVENTORY_SLOTS):
        col, row = slot_cell(slot)
        x0, y0 = int(round(col * g * width)), int(round(row * g * height))
        if slot == hand:
            fill_rect(panel, col * g, row * g, (col + 1) * g, (row + 1) * g, (250, 220, 60))
        sprite = sprites[slot] if slot < len(sprites) else 0
        panel[y0 + 1: y0 + 1 + size, x0 + 1: x0 + 1 + size] = cells.tiles[HUD_SPRITES + sprite][: height - y0 - 1, : width - x0 - 1]
    return panel


def draw_inventory(frame: np.ndarray, sprites: tuple[int, ...], hand: int | None) -> None:
    h, w, _ = frame.shape
    panel = _panel(h, w, sprites, hand)
    g = 1.0 / GRID
    y0, y1, x0, x1 = int(round(2 * g * h)), int(round(6 * g * h)), int(round(1 * g * w)), int(round(7 * g * w))
    frame[y0:y1, x0:x1] = panel[y0:y1, x0:x1]
