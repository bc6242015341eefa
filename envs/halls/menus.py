"""Halls' look of the shared menus (:mod:`simagym.menus`): the inventory panel in
blue with Halls' own item icons, and the map's colours (a top-down plan of the
halls; click a room to put a marker on it).
"""

from __future__ import annotations

import numpy as np

from simagym.art import PALETTE
from simagym.inventory import PanelLook

from .art import SPRITE_ID, icon


def _icon(sprite: str | None, size: int) -> np.ndarray:
    """An item's icon (an empty slot: a dark square)."""
    return icon(SPRITE_ID[sprite], size) if sprite is not None else np.full((size, size, 3), 22, dtype=np.uint8)


INVENTORY_LOOK = PanelLook(panel=(38, 46, 70), title=(90, 120, 190), icon=_icon)

WALL_RGB = (28, 28, 34)
CORRIDOR_RGB = (165, 162, 150)
PLAYER_RGB = (255, 120, 220)


def room_rgb(colour: str) -> tuple[int, int, int]:
    r, g, b = PALETTE[colour]
    return (int(r * 0.8), int(g * 0.8), int(b * 0.8))


__all__ = ["INVENTORY_LOOK", "room_rgb"]
