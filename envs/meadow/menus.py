"""Meadow's look of the shared menus (:mod:`simagym.menus`): the inventory panel in
wood colours with Meadow's own item tiles, and the map (one colour per cell; click
to put a marker, on a landmark to mark it).
"""

from __future__ import annotations

import numpy as np

from simagym.inventory import PanelLook
from simagym.menus import map_frame

from .render import atlas
from .things import FENCE, FLOWERS, GRASS, HUD, PATH, SPRITE_ID, STUMP, VOID, WATER

MARKER_RADIUS = 2.5  # cells: a click this close to a landmark marks it


def _icon(sprite: str | None, size: int) -> np.ndarray:
    """An item's tile on the HUD background (an empty slot: the background alone)."""
    return atlas(size).tile(HUD, SPRITE_ID[sprite or ""])


INVENTORY_LOOK = PanelLook(panel=(70, 45, 25), title=(120, 80, 40), icon=_icon)


_TERRAIN_COLOURS = np.zeros((VOID + 2, 3), dtype=np.uint8)
for _code, _rgb in {GRASS: (86, 160, 70), PATH: (196, 170, 120), WATER: (50, 110, 200), FENCE: (120, 80, 45),
                    FLOWERS: (100, 170, 80), STUMP: (110, 150, 70), VOID: (20, 40, 30)}.items():
    _TERRAIN_COLOURS[_code] = _rgb


def draw_map(terrain: np.ndarray, marks: list[tuple[tuple[int, int], tuple[int, int, int]]],
             height: int, width: int) -> np.ndarray:
    """The whole map, one colour per cell, resampled to the screen."""
    cells = _TERRAIN_COLOURS[terrain].copy()
    for (x, y), rgb in marks:
        cells[y, x] = rgb
    return map_frame(cells, height, width)


def paint_cell(frame: np.ndarray, cell: tuple[int, int], size: int, rgb: tuple[int, int, int]) -> None:
    """Fill one map cell of a frame drawn by :func:`draw_map` (markers and the player move often)."""
    h, w, _ = frame.shape
    x, y = cell
    frame[-(-y * h // size): -(-(y + 1) * h // size), -(-x * w // size): -(-(x + 1) * w // size)] = rgb


__all__ = ["INVENTORY_LOOK", "draw_map", "paint_cell", "MARKER_RADIUS"]
