"""GameUI's tile atlas: cell keys interned as small ints, and one lazily
painted atlas of whole cell tiles per cell size, so a screen (64 keys) becomes
a frame with one numpy lookup and one gather."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from simagym.art import Sprite, masked_sprite

from .art import LAYERS, paint

# Cell keys ``(background, *layers)`` are interned once as small ints, so a screen
# is a list of 64 ints and each atlas maps them to its tiles with one numpy lookup.
KEYS: list[tuple[str, ...]] = []
_KEY_ID: dict[tuple[str, ...], int] = {}


def key(*parts: str) -> int:
    """The interned id of the cell ``(background, *layers)``."""
    found = _KEY_ID.get(parts)
    if found is None:
        found = _KEY_ID[parts] = len(KEYS)
        KEYS.append(parts)
    return found


class Atlas:
    """Cell tiles of one size, painted the first time a key is shown."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.tiles = np.zeros((64, size, size, 3), dtype=np.uint8)
        self.count = 0
        self.tile_of: list[int] = []  # key id -> tile index, -1 until painted
        self._masks: dict[str, Sprite] = {}

    def lookup(self, keys: list[int]) -> list[int]:
        """Tile indices for key ids, painting tiles never shown before (plain lists: 64 of them
        are cheaper in Python than a round trip through numpy)."""
        tile_of = self.tile_of
        if len(tile_of) < len(KEYS):
            tile_of += [-1] * (len(KEYS) - len(tile_of))
        ids = [tile_of[k] for k in keys]
        if -1 in ids:
            for k in keys:
                if tile_of[k] < 0:
                    if self.count == len(self.tiles):
                        self.tiles = np.concatenate([self.tiles, np.zeros_like(self.tiles)])
                    self.tiles[self.count] = paint(KEYS[k], self.size)
                    tile_of[k] = self.count
                    self.count += 1
            ids = [tile_of[k] for k in keys]
        return ids

    def compose(self, ids: np.ndarray) -> np.ndarray:
        """An 8 x 8 grid of tile ids as one frame."""
        rows, cols = ids.shape
        t = self.size
        return self.tiles[ids].transpose(0, 2, 1, 3, 4).reshape(rows * t, cols * t, 3)

    def sprite(self, layer: str) -> Sprite:
        """One layer alone, for drawing it over a frame (the dragged item)."""
        found = self._masks.get(layer)
        if found is None:
            name, *args = layer.split(":")
            found = self._masks[layer] = masked_sprite(self.size, lambda c: LAYERS[name](c, *args))
        return found


@lru_cache(maxsize=None)
def atlas(size: int) -> Atlas:
    """One atlas per cell size, shared by every GameUI world in the process."""
    return Atlas(size)
