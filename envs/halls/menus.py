"""Halls' in-game menus: the inventory (click a slot to hold that item) and the
map (a top-down plan of the halls; click a room to put a marker on it). Both
are laid out on the macro grid, so every control is one click macro.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from simagym.art import PALETTE, fill_rect
from simagym.macros import GRID

from .art import icon

INVENTORY_SLOTS = 8
SLOT_COLUMNS = 4
SLOT_ORIGIN = (2, 3)  # grid cell of slot 0
PANEL: tuple[int, int, int] = (38, 46, 70)
TITLE: tuple[int, int, int] = (90, 120, 190)


def slot_cell(slot: int) -> tuple[int, int]:
    return (SLOT_ORIGIN[0] + slot % SLOT_COLUMNS, SLOT_ORIGIN[1] + slot // SLOT_COLUMNS)


def slot_at(x: float, y: float) -> int | None:
    col, row = int(x * GRID) - SLOT_ORIGIN[0], int(y * GRID) - SLOT_ORIGIN[1]
    if 0 <= col < SLOT_COLUMNS and 0 <= row < INVENTORY_SLOTS // SLOT_COLUMNS:
        return row * SLOT_COLUMNS + col
    return None


@lru_cache(maxsize=64)
def _inventory_panel(height: int, width: int, sprites: tuple[int, ...], hand: int | None) -> np.ndarray:
    panel = np.zeros((height, width, 3), dtype=np.uint8)
    g = 1.0 / GRID
    fill_rect(panel, 1 * g, 2 * g, 7 * g, 6 * g, PANEL)
    fill_rect(panel, 1 * g, 2 * g, 7 * g, 2.6 * g, TITLE)  # the inventory's colour cue
    size = max(2, min(height, width) // GRID - 2)
    for slot in range(INVENTORY_SLOTS):
        col, row = slot_cell(slot)
        x0, y0 = int(round(col * g * width)), int(round(row * g * height))
        if slot == hand:
            fill_rect(panel, col * g, row * g, (col + 1) * g, (row + 1) * g, (250, 220, 60))
        cell = icon(sprites[slot], size) if slot < len(sprites) else np.full((size, size, 3), 22, dtype=np.uint8)
        panel[y0 + 1: y0 + 1 + size, x0 + 1: x0 + 1 + size] = cell[: height - y0 - 1, : width - x0 - 1]
    return panel


def draw_inventory(frame: np.ndarray, sprites: tuple[int, ...], hand: int | None) -> None:
    h, w, _ = frame.shape
    panel = _inventory_panel(h, w, sprites, hand)
    g = 1.0 / GRID
    y0, y1, x0, x1 = int(round(2 * g * h)), int(round(6 * g * h)), int(round(1 * g * w)), int(round(7 * g * w))
    frame[y0:y1, x0:x1] = panel[y0:y1, x0:x1]


def map_cell(x: float, y: float, shape: tuple[int, int]) -> tuple[int, int]:
    """The map cell under the normalised screen point (the plan fills the screen)."""
    h, w = shape
    return (min(w - 1, int(x * w)), min(h - 1, int(y * h)))


WALL_RGB = (28, 28, 34)
CORRIDOR_RGB = (165, 162, 150)
PLAYER_RGB = (255, 120, 220)
MARKER_RGB = (255, 0, 255)


def draw_map(cells: np.ndarray, height: int, width: int) -> np.ndarray:
    """The whole plan, one colour per cell (``cells`` is (H, W, 3)), resampled to the screen."""
    n_h, n_w, _ = cells.shape
    rows = (np.arange(height) * n_h) // height
    cols = (np.arange(width) * n_w) // width
    frame = cells.take(rows, axis=0).take(cols, axis=1)
    frame[:1, :] = frame[-1:, :] = frame[:, :1] = frame[:, -1:] = (240, 230, 200)
    return frame


def room_rgb(colour: str) -> tuple[int, int, int]:
    r, g, b = PALETTE[colour]
    return (int(r * 0.8), int(g * 0.8), int(b * 0.8))


__all__ = ["draw_inventory", "draw_map", "slot_at", "slot_cell", "map_cell", "room_rgb"]
