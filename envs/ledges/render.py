"""Ledges' pixels: a side view that follows the player, composed from cached tiles,
with the player and the hazards drawn on top at sub-cell positions."""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Sequence

import numpy as np

from simagym.art import Sprite, TileAtlas, blit, masked_sprite
from simagym.inventory import PanelLook, draw_held

from .physics import SUB
from .things import HAZARD_PAINTERS, HUD_SPRITES, PLAYER_RGB, SKY, SPRITE_ID, TILE_PAINTERS, player_painter

VIEW = 9  # cells across the larger side of the view


@lru_cache(maxsize=None)
def atlas(tile: int) -> TileAtlas:
    """One atlas per tile size, shared by every Ledges world in the process (about 150 tiles, painted at once)."""
    return TileAtlas(tile, TILE_PAINTERS, [None]).build_all()


def _icon(sprite: str | None, size: int) -> np.ndarray:
    """An item's tile on the inventory's background (an empty slot: the background alone)."""
    return atlas(size).tiles[HUD_SPRITES + SPRITE_ID[sprite or ""]]


# Ledges' look of the shared inventory panel (simagym.inventory): a gold title bar.
INVENTORY_LOOK = PanelLook(panel=(40, 60, 110), title=(230, 190, 60), icon=_icon)


def tile_size(height: int, width: int) -> int:
    return math.ceil(max(height, width) / VIEW)


@lru_cache(maxsize=None)
def player_sprite(tile: int, facing: int, climbing: bool, rgb: tuple[int, int, int] = PLAYER_RGB) -> Sprite:
    return masked_sprite(tile, player_painter(facing, climbing, rgb))


@lru_cache(maxsize=None)
def hazard_sprite(tile: int, kind: str) -> Sprite:
    return masked_sprite(tile, HAZARD_PAINTERS[kind])


def camera_view(tiles: np.ndarray, images: dict[int, np.ndarray], player: tuple[int, int], facing: int,
                climbing: bool, hazards: list[tuple[str, int, int]], hand_sprite: int, height: int,
                width: int, colour: tuple[int, int, int] = PLAYER_RGB,
                others: Sequence[tuple[int, int, int, bool, tuple[int, int, int]]] = ()) -> np.ndarray:
    """The ``height`` x ``width`` view around the player (in ``colour``), clamped to the level, with
    ``others`` (the other players: x, y, facing, climbing, colour) where they are.

    ``tiles`` holds atlas ids per cell; ``images`` caches the whole level's picture per tile size
    (the world patches it when a cell changes); ``player`` and ``hazards`` positions are in units.
    """
    t = tile_size(height, width)
    rows, cols = tiles.shape
    px, py = player[0] * t // SUB, player[1] * t // SUB
    cells = atlas(t)
    if cols * t >= width and rows * t >= height:
        left = min(max(0, px + t // 2 - width // 2), cols * t - width)
        top = min(max(0, py + t // 2 - height // 2), rows * t - height)
        image = images.get(t)
        if image is None:
            image = images[t] = cells.compose(tiles)
        frame = image[top: top + height, left: left + width].copy()
    else:
        # A level smaller than the view (hand-made ones) sits centred, at the bottom, under the sky.
        left = min(max(0, px + t // 2 - width // 2), cols * t - width) if cols * t >= width else (cols * t - width) // 2
        top = min(max(0, py + t // 2 - height // 2), rows * t - height) if rows * t >= height else rows * t - height
        c0, r0 = left // t, top // t
        c1, r1 = (left + width - 1) // t + 1, (top + height - 1) // t + 1
        ids = np.full((r1 - r0, c1 - c0), SKY, dtype=tiles.dtype)
        ys, xs = slice(max(r0, 0), min(r1, rows)), slice(max(c0, 0), min(c1, cols))
        ids[ys.start - r0: ys.stop - r0, xs.start - c0: xs.stop - c0] = tiles[ys, xs]
        ox, oy = left - c0 * t, top - r0 * t
        frame = np.ascontiguousarray(cells.compose(ids)[oy: oy + height, ox: ox + width])
    for kind, hx, hy in hazards:
        sx, sy = hx * t // SUB - left, hy * t // SUB - top
        if -t < sx < width and -t < sy < height:
            blit(frame, hazard_sprite(t, kind), sx, sy)
    for ox, oy, o_facing, o_climbing, rgb in others:
        blit(frame, player_sprite(t, o_facing, o_climbing, rgb), ox * t // SUB - left, oy * t // SUB - top)
    blit(frame, player_sprite(t, facing, climbing, colour), px - left, py - top)
    if hand_sprite:
        draw_held(frame, cells.tiles[HUD_SPRITES + hand_sprite])
    return frame


def patch(images: dict[int, np.ndarray], col: int, row: int, tile_id: int) -> None:
    """Repaint one cell in every cached level picture."""
    for t, image in images.items():
        image[row * t: (row + 1) * t, col * t: (col + 1) * t] = atlas(t).tiles[tile_id]
