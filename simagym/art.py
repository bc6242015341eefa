"""Procedural pixel art shared by every 2D world: shapes drawn as numpy masks
in a tile's normalised coordinates, a lazily built tile atlas, and the fast
path that composes a frame from tile ids with one fancy-index.

Drawing at the target tile size (rather than scaling a bitmap) keeps shapes
crisp from 7-pixel tiles at 64x64 up to 256x256 views.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Callable

import numpy as np

RGB = tuple[int, int, int]

PALETTE: dict[str, RGB] = {
    "red": (220, 40, 40),
    "green": (40, 190, 60),
    "blue": (50, 90, 235),
    "yellow": (245, 215, 40),
    "purple": (160, 60, 210),
    "orange": (250, 140, 20),
    "white": (245, 245, 245),
    "black": (15, 15, 15),
    "grey": (130, 130, 130),
    "brown": (125, 80, 40),
}


class Canvas:
    """A square RGB tile plus coordinate grids in [0, 1] for mask-based drawing."""

    def __init__(self, size: int, background: RGB | np.ndarray = (0, 0, 0)) -> None:
        self.size = size
        self.pixels = np.empty((size, size, 3), dtype=np.uint8)
        self.pixels[:] = background
        centres = (np.arange(size) + 0.5) / size
        self.y, self.x = np.meshgrid(centres, centres, indexing="ij")

    def fill(self, mask: np.ndarray, colour: RGB) -> "Canvas":
        self.pixels[mask] = colour
        return self

    # --- masks ---------------------------------------------------------------
    def disc(self, cx: float, cy: float, r: float) -> np.ndarray:
        return (self.x - cx) ** 2 + (self.y - cy) ** 2 <= r * r

    def ring(self, cx: float, cy: float, r: float, width: float) -> np.ndarray:
        d2 = (self.x - cx) ** 2 + (self.y - cy) ** 2
        return (d2 <= r * r) & (d2 >= (r - width) ** 2)

    def rect(self, x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
        return (self.x >= x0) & (self.x <= x1) & (self.y >= y0) & (self.y <= y1)

    def diamond(self, cx: float, cy: float, rx: float, ry: float) -> np.ndarray:
        return np.abs(self.x - cx) / rx + np.abs(self.y - cy) / ry <= 1.0

    def triangle(self, apex: tuple[float, float], left: tuple[float, float], right: tuple[float, float]) -> np.ndarray:
        """Filled triangle through three points (barycentric sign test)."""

        def side(p: tuple[float, float], q: tuple[float, float]) -> np.ndarray:
            return (q[0] - p[0]) * (self.y - p[1]) - (q[1] - p[1]) * (self.x - p[0])

        a, b, c = side(apex, left), side(left, right), side(right, apex)
        return ((a >= 0) & (b >= 0) & (c >= 0)) | ((a <= 0) & (b <= 0) & (c <= 0))

    def outline(self, mask: np.ndarray) -> np.ndarray:
        """Pixels on the inside edge of ``mask`` - a one-pixel border at any size."""
        inner = mask.copy()
        inner[1:, :] &= mask[:-1, :]
        inner[:-1, :] &= mask[1:, :]
        inner[:, 1:] &= mask[:, :-1]
        inner[:, :-1] &= mask[:, 1:]
        return mask & ~inner


Painter = Callable[[Canvas], None]
Sprite = tuple[np.ndarray, np.ndarray]
"""A free-moving picture: (mask (s, s, 1) bool, pixels (s, s, 3) uint8), drawn with :func:`blit`."""


def masked_sprite(size: int, paint: Painter) -> Sprite:
    """A painter as a :data:`Sprite`: painted on black and on white, what stays the same is
    what it covers."""
    dark, light = Canvas(size, (0, 0, 0)), Canvas(size, (255, 255, 255))
    paint(dark)
    paint(light)
    return (dark.pixels == light.pixels).all(axis=-1, keepdims=True), dark.pixels


def blit(frame: np.ndarray, sprite: Sprite, x: int, y: int) -> None:
    """Copy a masked sprite with its top-left at pixel (x, y), clipped to the frame."""
    mask, pixels = sprite
    h, w = frame.shape[:2]
    s = mask.shape[0]
    x0, y0, x1, y1 = max(0, x), max(0, y), min(w, x + s), min(h, y + s)
    if x0 >= x1 or y0 >= y1:
        return
    np.copyto(frame[y0:y1, x0:x1], pixels[y0 - y: y1 - y, x0 - x: x1 - x], where=mask[y0 - y: y1 - y, x0 - x: x1 - x])


class TileAtlas:
    """Tiles keyed by (background, sprite) ids, painted on first use at one tile size."""

    def __init__(self, size: int, backgrounds: list[Painter], sprites: list[Painter | None]) -> None:
        self.size = size
        self._backgrounds = backgrounds
        self._sprites = sprites
        self.sprite_count = len(sprites)
        count = len(backgrounds) * len(sprites)
        self.tiles = np.zeros((count, size, size, 3), dtype=np.uint8)
        self._built = np.zeros(count, dtype=bool)

    def index(self, background: int, sprite: int) -> int:
        return background * self.sprite_count + sprite

    def build_all(self) -> "TileAtlas":
        """Paint every tile now (a one-off ~0.1 s) so composing never checks again."""
        self.ensure(np.arange(len(self.tiles)))
        self._complete = True
        return self

    _complete = False

    def ensure(self, ids: np.ndarray) -> None:
        """Paint any tile in ``ids`` not painted yet (cheap when all are)."""
        if self._complete or self._built[ids].all():
            return
        for tile_id in np.unique(ids[~self._built[ids]]):
            background, sprite = divmod(int(tile_id), self.sprite_count)
            canvas = Canvas(self.size)
            self._backgrounds[background](canvas)
            painter = self._sprites[sprite]
            if painter is not None:
                painter(canvas)
            self.tiles[tile_id] = canvas.pixels
            self._built[tile_id] = True

    def tile(self, background: int, sprite: int) -> np.ndarray:
        tile_id = self.index(background, sprite)
        if not self._built[tile_id]:
            self.ensure(np.array([tile_id]))
        return self.tiles[tile_id]

    def compose(self, ids: np.ndarray) -> np.ndarray:
        """A frame from a (rows, cols) grid of tile ids: one gather of whole tiles,
        one transposing copy (measured faster than gathering pixel rows)."""
        if not self._complete:
            self.ensure(ids)
        rows, cols = ids.shape
        t = self.size
        return self.tiles[ids].transpose(0, 2, 1, 3, 4).reshape(rows * t, cols * t, 3)


@lru_cache(maxsize=16)
def _cursor_sprite(arm: int) -> Sprite:
    """(mask, pixels) of a white cross with a dark outline, ``2 * arm + 3`` pixels across."""
    size = 2 * arm + 3
    c = size // 2
    pixels = np.zeros((size, size, 3), dtype=np.uint8)
    mask = np.zeros((size, size, 1), dtype=bool)
    mask[c - 1: c + 2, :] = mask[:, c - 1: c + 2] = True
    pixels[c, 1:-1] = pixels[1:-1, c] = 255
    return mask, pixels


def draw_cursor(frame: np.ndarray, x: float, y: float) -> None:
    """A small white cross with a dark outline at the normalised cursor position."""
    h, w, _ = frame.shape
    mask, pixels = _cursor_sprite(max(1, min(h, w) // 32))
    r = mask.shape[0] // 2
    px, py = min(w - 1, int(x * w)), min(h - 1, int(y * h))
    blit(frame, (mask, pixels), px - r, py - r)


def fill_rect(frame: np.ndarray, x0: float, y0: float, x1: float, y1: float, colour: RGB) -> None:
    """Fill a rectangle given in normalised screen coordinates."""
    h, w, _ = frame.shape
    frame[int(round(y0 * h)): int(round(y1 * h)), int(round(x0 * w)): int(round(x1 * w))] = colour
