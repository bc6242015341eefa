"""Meadow's pixels: the camera view around the player, composed from cached tiles."""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from simagym.art import Sprite, TileAtlas, blit, masked_sprite
from simagym.inventory import draw_held

from .things import HUD, SPRITE_PAINTERS, TERRAIN_PAINTERS, player_painter

VIEW = 9  # cells across the camera view; odd so the player is centred
RADIUS = VIEW // 2


@lru_cache(maxsize=None)
def atlas(tile: int) -> TileAtlas:
    """One atlas per tile size, shared by every Meadow world in the process."""
    return TileAtlas(tile, TERRAIN_PAINTERS, SPRITE_PAINTERS).build_all()


@lru_cache(maxsize=None)
def player_sprite(tile: int, facing: tuple[int, int]) -> Sprite:
    """The player facing ``facing``."""
    return masked_sprite(tile, player_painter(facing))


def tile_size(height: int, width: int) -> int:
    return math.ceil(max(height, width) / VIEW)


def camera_view(tiles: np.ndarray, pad: int, player: tuple[int, int], facing: tuple[int, int],
                hand_sprite: int, height: int, width: int) -> np.ndarray:
    """The ``height`` x ``width`` view centred on the player.

    ``tiles`` holds atlas ids for the map padded by ``pad`` cells on each side.
    """
    t = tile_size(height, width)
    px, py = player[0] + pad, player[1] + pad
    ids = tiles[py - RADIUS: py + RADIUS + 1, px - RADIUS: px + RADIUS + 1]
    cells = atlas(t)
    frame = cells.compose(ids)
    blit(frame, player_sprite(t, facing), RADIUS * t, RADIUS * t)
    y0, x0 = (VIEW * t - height) // 2, (VIEW * t - width) // 2
    frame = frame[y0: y0 + height, x0: x0 + width]
    frame = np.ascontiguousarray(frame)
    if hand_sprite:
        draw_held(frame, cells.tile(HUD, hand_sprite))
    return frame
