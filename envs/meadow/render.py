"""Meadow's pixels: the camera view around the player, composed from cached tiles."""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Sequence

import numpy as np

from simagym.art import Sprite, TileAtlas, blit, masked_sprite
from simagym.inventory import draw_held

from .things import HUD, PLAYER_RGB, SPRITE_PAINTERS, TERRAIN_PAINTERS, player_painter

VIEW = 9  # cells across the camera view; odd so the player is centred
RADIUS = VIEW // 2


@lru_cache(maxsize=None)
def atlas(tile: int) -> TileAtlas:
    """One atlas per tile size, shared by every Meadow world in the process."""
    return TileAtlas(tile, TERRAIN_PAINTERS, SPRITE_PAINTERS).build_all()


@lru_cache(maxsize=None)
def player_sprite(tile: int, facing: tuple[int, int], rgb: tuple[int, int, int] = PLAYER_RGB) -> Sprite:
    """The player facing ``facing``, in its colour."""
    return masked_sprite(tile, player_painter(facing, rgb))


def tile_size(height: int, width: int) -> int:
    return math.ceil(max(height, width) / VIEW)


Figure = tuple[tuple[int, int], tuple[int, int], tuple[int, int, int]]
"""A player drawn in the view: its cell, the way it faces, its colour."""


def camera_view(tiles: np.ndarray, pad: int, player: tuple[int, int], facing: tuple[int, int],
                hand_sprite: int, height: int, width: int, colour: tuple[int, int, int] = PLAYER_RGB,
                others: Sequence[Figure] = ()) -> np.ndarray:
    """The ``height`` x ``width`` view centred on the player (in ``colour``), with ``others``
    (the other players) where they stand.

    ``tiles`` holds atlas ids for the map padded by ``pad`` cells on each side.
    """
    t = tile_size(height, width)
    px, py = player[0] + pad, player[1] + pad
    ids = tiles[py - RADIUS: py + RADIUS + 1, px - RADIUS: px + RADIUS + 1]
    cells = atlas(t)
    frame = cells.compose(ids)
    for (ox, oy), o_facing, rgb in others:
        dx, dy = ox - player[0], oy - player[1]
        if abs(dx) <= RADIUS and abs(dy) <= RADIUS:
            blit(frame, player_sprite(t, o_facing, rgb), (RADIUS + dx) * t, (RADIUS + dy) * t)
    blit(frame, player_sprite(t, facing, colour), RADIUS * t, RADIUS * t)
    y0, x0 = (VIEW * t - height) // 2, (VIEW * t - width) // 2
    frame = frame[y0: y0 + height, x0: x0 + width]
    frame = np.ascontiguousarray(frame)
    if hand_sprite:
        draw_held(frame, cells.tile(HUD, hand_sprite))
    return frame
