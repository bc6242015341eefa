"""Meadow's in-game menus: the inventory (click a slot to hold that item) and the
map (click to put a marker). Layouts are in normalised screen coordinates and
aligned to the macro grid, so every control is one click macro at any resolution.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from simagym.art import draw_cursor, fill_rect
from simagym.macros import GRID

from .render import atlas
from .things import FENCE, FLOWERS, GRASS, HUD, PATH, STUMP, VOID, WATER

INVENTORY_SLOTS = 8
SLOT_COLUMNS = 4
SLOT_ORIGIN = (2, 3)  # grid cell of slot 0
MARKER_RADIUS = 2.5  # cells: a click this close to a landmark marks it


def slot_cell(slot: int) -> tuple[int, int]:
    return (SLOT_ORIGIN[0] + slot % SLOT_COLUMNS, SLOT_ORIGIN[1] + slot // SLOT_COLUMNS)


def slot_at(x: float, y: float) -> int | None:
    col, row = int(x * GRID) - SLOT_ORIGIN[0], int(y * GRID) - SLOT_ORIGIN[1]
    if 0 <= col < SLOT_COLUMNS and 0 <= row < INVENTORY_SLOTS // SLOT_COLUMNS:
        return row * SLOT_COLUMNS + col
    return None


def map_cell(x: float, y: float, size: int) -> tuple[int, int]:
    return (min(size - 1, int(x * size)), min(size - 1, int(y * size)))


@lru_cache(maxsize=64)
def _inventory_panel(height: int, width: int, sprites: tuple[int, ...], hand: int | None) -> np.ndarray:
    panel = np.zeros((height, width, 3), dtype=np.uint8)
    g = 1.0 / GRID
    fill_rect(panel, 1 * g, 2 * g, 7 * g, 6 * g, (70, 45, 25))
    fill_rect(panel, 1 * g, 2 * g, 7 * g, 2.6 * g, (120, 80, 40))  # title bar: the inventory's colour cue
    size = max(2, min(height, width) // GRID - 2)
    cells = atlas(size)
    for slot in range(INVENTORY_SLOTS):
        col, row = slot_cell(slot)
        x0, y0 = int(round(col * g * width)), int(round(row * g * height))
        if slot == hand:
            fill_rect(panel, col * g, row * g, (col + 1) * g, (row + 1) * g, (250, 220, 60))
        sprite = sprites[slot] if slot < len(sprites) else 0
        panel[y0 + 1: y0 + 1 + size, x0 + 1: x0 + 1 + size] = cells.tile(HUD, sprite)[: height - y0 - 1, : width - x0 - 1]
    return panel


def draw_inventory(frame: np.ndarray, sprites: tuple[int, ...], hand: int | None) -> None:
    h, w, _ = frame.shape
    panel = _inventory_panel(h, w, sprites, hand)
    g = 1.0 / GRID
    y0, y1, x0, x1 = int(round(2 * g * h)), int(round(6 * g * h)), int(round(1 * g * w)), int(round(7 * g * w))
    frame[y0:y1, x0:x1] = panel[y0:y1, x0:x1]


_TERRAIN_COLOURS = np.zeros((VOID + 2, 3), dtype=np.uint8)
for _code, _rgb in {GRASS: (86, 160, 70), PATH: (196, 170, 120), WATER: (50, 110, 200), FENCE: (120, 80, 45),
                    FLOWERS: (100, 170, 80), STUMP: (110, 150, 70), VOID: (20, 40, 30)}.items():
    _TERRAIN_COLOURS[_code] = _rgb


def draw_map(terrain: np.ndarray, marks: list[tuple[tuple[int, int], tuple[int, int, int]]],
             height: int, width: int) -> np.ndarray:
    """The whole map, one colour per cell, resampled to the screen."""
    n = terrain.shape[0]
    cells = _TERRAIN_COLOURS[terrain].copy()
    for (x, y), rgb in marks:
        cells[y, x] = rgb
    rows = (np.arange(height) * n) // height
    cols = (np.arange(width) * n) // width
    frame = cells.take(rows, axis=0).take(cols, axis=1)
    # A light frame line makes the map unmistakable from the world view.
    frame[:1, :] = frame[-1:, :] = frame[:, :1] = frame[:, -1:] = (240, 230, 200)
    return frame


def paint_cell(frame: np.ndarray, cell: tuple[int, int], size: int, rgb: tuple[int, int, int]) -> None:
    """Fill one map cell of a frame drawn by :func:`draw_map` (markers and the player move often)."""
    h, w, _ = frame.shape
    x, y = cell
    frame[-(-y * h // size): -(-(y + 1) * h // size), -(-x * w // size): -(-(x + 1) * w // size)] = rgb


__all__ = ["draw_inventory", "draw_map", "draw_cursor", "slot_at", "slot_cell", "map_cell", "MARKER_RADIUS"]
