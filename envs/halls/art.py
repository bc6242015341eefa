"""Halls' pixels before projection: wall materials (room colours and patterns, the
corridor's stone, doors, door jambs, button panels) and billboard sprites, each
painted once and pre-shaded for every distance level, so a frame is one gather.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Callable

import numpy as np

from simagym.art import PALETTE, Canvas, masked_sprite

from .things import COLOURS, ITEMS, LANDMARKS, PATTERNS

RGB = tuple[int, int, int]
TEX = 32  # wall texels per side
SPRITE_TEX = 32  # sprite texels per side
LEVELS = 16  # distance shading levels
LEVELS_PER_CELL = 2.0
SIDE_SHADE = 0.78  # faces seen looking north/south are darker, which shows corners
FLOOR: RGB = (118, 106, 92)
FLOOR_TILE: RGB = (96, 86, 76)  # the floor is a checkerboard of half-cell tiles: it shows motion
CEILING: RGB = (66, 68, 84)
FOG = 5.5  # cells: light falls off as exp(-distance / FOG)


def shade_factor(level: np.ndarray | int) -> np.ndarray:
    distance = (np.asarray(level, dtype=np.float64) + 0.5) / LEVELS_PER_CELL
    return np.maximum(0.2, np.minimum(1.0, 1.08 * np.exp(-distance / FOG)))


def level_of(distance: np.ndarray) -> np.ndarray:
    return np.minimum((distance * LEVELS_PER_CELL).astype(np.intp), LEVELS - 1)


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return tuple(int(round(x * (1 - t) + y * t)) for x, y in zip(a, b))  # type: ignore[return-value]


def _scale(rgb: RGB, f: float) -> RGB:
    return tuple(max(0, min(255, int(c * f))) for c in rgb)  # type: ignore[return-value]


# --- wall materials ------------------------------------------------------------------------------

def _room(colour: str, pattern: str) -> Callable[[Canvas], None]:
    base = _mix(PALETTE[colour], (150, 150, 150), 0.25)
    dark, light = _scale(base, 0.62), _mix(base, (255, 255, 255), 0.25)

    def paint(c: Canvas) -> None:
        c.pixels[:] = base
        if pattern == "striped":
            c.fill(((c.x * 4) % 1.0) >= 0.5, dark)
        elif pattern == "brick":
            row = (c.y * 4).astype(int)
            shift = np.where(row % 2 == 1, 0.25, 0.0)
            c.fill((((c.y * 4) % 1.0) < 0.17) | ((((c.x + shift) * 2) % 1.0) < 0.09), light)
        elif pattern == "checked":
            c.fill(((c.x * 4).astype(int) + (c.y * 4).astype(int)) % 2 == 1, light)
        else:  # plain: a panelled wall with a skirting board
            c.fill(c.outline(c.rect(0.08, 0.06, 0.92, 0.82)), dark)
        c.fill(c.rect(0.0, 0.9, 1.0, 1.0), _scale(base, 0.45))

    return paint


def _corridor(c: Canvas) -> None:
    """Big grey stone blocks, two courses a cell, with light mortar."""
    c.pixels[:] = (150, 148, 140)
    row = (c.y * 2).astype(int)
    c.fill(((c.x + 0.25 + 0.5 * row) % 1.0) < 0.5, (136, 134, 128))
    c.fill((((c.y * 2) % 1.0) < 0.1) | ((((c.x + 0.25 + 0.5 * row) * 2) % 1.0) < 0.1), (186, 184, 176))
    c.fill(c.rect(0.0, 0.9, 1.0, 1.0), (80, 78, 74))


def _jamb(rgb: RGB) -> Callable[[Canvas], None]:
    def paint(c: Canvas) -> None:
        c.pixels[:] = rgb
        c.fill(c.rect(0.0, 0.0, 0.1, 1.0) | c.rect(0.9, 0.0, 1.0, 1.0), _scale(rgb, 0.7))

    return paint


def _door(colour: str, locked: bool) -> Callable[[Canvas], None]:
    rgb = PALETTE[colour]

    def paint(c: Canvas) -> None:
        c.pixels[:] = (70, 50, 32)  # frame
        c.fill(c.rect(0.1, 0.08, 0.9, 1.0), rgb)
        panels = c.rect(0.2, 0.16, 0.8, 0.46) | c.rect(0.2, 0.56, 0.8, 0.9)
        c.fill(c.outline(panels), _scale(rgb, 0.6))
        c.fill(c.disc(0.82, 0.52, 0.04), (250, 225, 90))  # the handle
        if locked:  # a big padlock: the door needs its key
            c.fill(c.ring(0.5, 0.44, 0.12, 0.05) & (c.y < 0.46), (200, 200, 210))
            c.fill(c.rect(0.34, 0.44, 0.66, 0.7), (40, 40, 45))
            c.fill(c.disc(0.5, 0.53, 0.045) | c.rect(0.485, 0.53, 0.515, 0.63), (250, 225, 90))

    return paint


def _button(colour: str, pressed: bool) -> Callable[[Canvas], None]:
    rgb = PALETTE[colour]

    def paint(c: Canvas) -> None:
        c.pixels[:] = (88, 90, 100)
        c.fill(c.outline(c.rect(0.12, 0.12, 0.88, 0.88)), (55, 56, 64))
        c.fill(c.disc(0.5, 0.5, 0.3), (30, 30, 34))
        if pressed:
            c.fill(c.disc(0.5, 0.5, 0.24), _mix(rgb, (255, 255, 255), 0.35))
            c.fill(c.disc(0.5, 0.5, 0.1), (255, 255, 240))
        else:
            c.fill(c.disc(0.5, 0.5, 0.24), _scale(rgb, 0.75))
            c.fill(c.disc(0.44, 0.44, 0.07), _mix(rgb, (255, 255, 255), 0.4))

    return paint


def _build_materials() -> tuple[list[str], list[Callable[[Canvas], None]]]:
    names, painters = [], []

    def add(name: str, painter: Callable[[Canvas], None]) -> None:
        names.append(name)
        painters.append(painter)

    add("corridor", _corridor)
    add("jamb", _jamb((120, 84, 50)))
    for colour in COLOURS:
        for pattern in PATTERNS:
            add(f"room:{colour}:{pattern}", _room(colour, pattern))
        add(f"jamb:{colour}", _jamb(_scale(PALETTE[colour], 0.7)))
        for locked in (False, True):
            add(f"door:{colour}:{'locked' if locked else 'shut'}", _door(colour, locked))
        for pressed in (False, True):
            add(f"button:{colour}:{'on' if pressed else 'off'}", _button(colour, pressed))
    return names, painters


MATERIAL_NAMES, _MATERIAL_PAINTERS = _build_materials()
MATERIAL = {name: i for i, name in enumerate(MATERIAL_NAMES)}


# --- sprites ----------------------------------------------------------------------------------------------

def _sprite(kind: str, colour: str | None) -> Callable[[Canvas], None]:
    rgb = PALETTE[colour] if colour else (200, 200, 200)
    dark, light = _scale(rgb, 0.6), _mix(rgb, (255, 255, 255), 0.45)

    def paint(c: Canvas) -> None:
        if kind == "pillar":
            c.fill(c.rect(0.3, 0.0, 0.7, 1.0), rgb)
            c.fill(c.rect(0.3, 0.0, 0.39, 1.0), light).fill(c.rect(0.61, 0.0, 0.7, 1.0), dark)
            c.fill(c.rect(0.24, 0.0, 0.76, 0.07) | c.rect(0.24, 0.93, 0.76, 1.0), (215, 210, 195))
        elif kind == "lamp":
            c.fill(c.rect(0.47, 0.3, 0.53, 0.97) | c.rect(0.34, 0.94, 0.66, 1.0), (45, 45, 50))
            c.fill(c.disc(0.5, 0.26, 0.22), (255, 235, 150))  # the glow
            c.fill(c.triangle((0.5, 0.04), (0.28, 0.3), (0.72, 0.3)), (250, 200, 70))
            c.fill(c.disc(0.5, 0.33, 0.06), (255, 255, 230))
        elif kind == "statue":
            c.fill(c.rect(0.24, 0.76, 0.76, 1.0), (110, 110, 116))
            stone = (218, 216, 222)
            c.fill(c.disc(0.5, 0.17, 0.1) | c.rect(0.38, 0.28, 0.62, 0.76), stone)
            c.fill(c.rect(0.27, 0.3, 0.36, 0.6) | c.rect(0.64, 0.3, 0.73, 0.6), (190, 188, 196))
        elif kind == "plant":
            c.fill(c.triangle((0.5, 1.6), (0.28, 0.62), (0.72, 0.62)) & (c.y >= 0.62), (190, 95, 50))
            for cx, cy, r in ((0.5, 0.42, 0.2), (0.3, 0.52, 0.15), (0.7, 0.52, 0.15), (0.5, 0.2, 0.14)):
                c.fill(c.disc(cx, cy, r), (40, 150, 60))
            c.fill(c.disc(0.42, 0.36, 0.07) | c.disc(0.62, 0.46, 0.06), (90, 200, 100))
        elif kind == "barrel":
            body = c.rect(0.16, 0.08, 0.84, 1.0)
            c.fill(body, (150, 96, 48))
            c.fill(c.rect(0.16, 0.08, 0.26, 1.0) | c.rect(0.74, 0.08, 0.84, 1.0), (118, 74, 36))
            c.fill(c.rect(0.16, 0.22, 0.84, 0.3) | c.rect(0.16, 0.8, 0.84, 0.88), (70, 70, 78))
        elif kind == "ball":
            c.fill(c.disc(0.5, 0.54, 0.44), rgb).fill(c.outline(c.disc(0.5, 0.54, 0.44)), dark)
            c.fill(c.disc(0.36, 0.4, 0.12), light)
        elif kind == "box":
            c.fill(c.rect(0.08, 0.22, 0.92, 1.0), rgb).fill(c.rect(0.08, 0.22, 0.92, 0.4), light)
            c.fill(c.outline(c.rect(0.08, 0.22, 0.92, 1.0)), dark)
        elif kind == "gem":
            gem = c.diamond(0.5, 0.55, 0.36, 0.45)
            c.fill(gem, rgb).fill(c.outline(gem), (255, 255, 255))
            c.fill(c.triangle((0.5, 0.14), (0.3, 0.45), (0.5, 0.45)), light)
        elif kind == "key":
            c.fill(c.ring(0.28, 0.55, 0.22, 0.1) | c.rect(0.46, 0.5, 0.96, 0.61)
                   | c.rect(0.76, 0.61, 0.84, 0.82) | c.rect(0.88, 0.61, 0.96, 0.76), rgb)
            c.fill(c.outline(c.ring(0.28, 0.55, 0.22, 0.1)), dark)

    return paint


def _build_sprites() -> dict[str, Callable[[Canvas], None]]:
    sprites = {}
    for colour in COLOURS:
        sprites[f"pillar:{colour}"] = _sprite("pillar", colour)
        for kind in ITEMS:
            sprites[f"{kind}:{colour}"] = _sprite(kind, colour)
    for kind in LANDMARKS:
        sprites[kind] = _sprite(kind, None)
    return sprites


SPRITES = _build_sprites()
SPRITE_NAMES = list(SPRITES)
SPRITE_ID = {name: i for i, name in enumerate(SPRITE_NAMES)}


def painted(painter: Callable[[Canvas], None], size: int) -> tuple[np.ndarray, np.ndarray]:
    """(rgb, opaque mask (size, size)) of a painter."""
    mask, pixels = masked_sprite(size, painter)
    return pixels, mask[..., 0]


@lru_cache(maxsize=1)
def tables() -> "Tables":
    return Tables()


class Tables:
    """Everything pre-shaded, built once per process (~20 ms)."""

    def __init__(self) -> None:
        m = len(MATERIAL_NAMES)
        tex = np.stack([painted(p, TEX)[0] for p in _MATERIAL_PAINTERS]).astype(np.float32)  # (M, T, T, 3)
        levels = shade_factor(np.arange(LEVELS)).astype(np.float32)
        sides = np.array([1.0, SIDE_SHADE], dtype=np.float32)
        shaded = tex[None, None] * (sides[:, None, None, None, None, None] * levels[None, :, None, None, None, None])
        # Index ((side * L + level) * M + material) * T*T + u*T + v: a column of texels is contiguous.
        self.walls = np.ascontiguousarray(shaded.astype(np.uint8).transpose(0, 1, 2, 4, 3, 5)).reshape(-1, 3)
        self.materials = m
        bg = np.array([[_scale(c, float(f)) for f in levels] for c in (CEILING, FLOOR, FLOOR_TILE)],
                      dtype=np.uint8).reshape(-1, 3)  # ceiling, floor, floor tile: LEVELS shades each
        self.bg_offset = len(self.walls)
        self.palette = np.concatenate([self.walls, bg])  # one table: walls, then ceiling and floor levels
        rgbs, masks = zip(*(painted(SPRITES[n], SPRITE_TEX) for n in SPRITE_NAMES))
        srgb = np.stack(rgbs).astype(np.float32)
        self.sprites = (srgb[None] * levels[:, None, None, None, None]).astype(np.uint8)  # (L, S, TS, TS, 3)
        self.sprite_masks = np.stack(masks)  # (S, TS, TS)


@lru_cache(maxsize=256)
def icon(sprite: int, size: int, background: RGB = (30, 30, 36)) -> np.ndarray:
    """A sprite drawn at ``size`` pixels on an opaque background (HUD and inventory)."""
    c = Canvas(size, background)
    SPRITES[SPRITE_NAMES[sprite]](c)
    return c.pixels
