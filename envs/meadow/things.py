"""Meadow's vocabulary: terrain, the kinds of thing in the world, and how each looks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from simagym.art import PALETTE, Canvas, Painter
from simagym.world import Entity

COLOURS = ("red", "green", "blue", "yellow", "purple", "orange")

# Terrain codes (index into TERRAIN_PAINTERS). Order matters: it is the atlas layout.
GRASS, PATH, WATER, FENCE, FLOWERS, STUMP, VOID, HUD = range(8)
WALKABLE = frozenset({GRASS, PATH, FLOWERS, STUMP})

LANDMARKS = ("house", "well", "tower", "windmill", "statue", "campfire")
COLOURED_ITEMS = ("ball", "box", "key", "gem")
PLAIN_ITEMS = ("apple", "axe", "pickaxe", "sword", "log", "stone")
ITEMS = COLOURED_ITEMS + PLAIN_ITEMS
ANIMALS = ("cow", "sheep", "pig", "chicken")
FLORA = ("tree", "rock")
COLOURED = frozenset({"house", "gate", *COLOURED_ITEMS})


@dataclass(eq=False)
class Thing:
    """Mutable world-side state of one entity; checks see its :class:`Entity` view."""

    id: int
    kind: str
    colour: str | None = None
    pos: tuple[int, int] | None = None  # None while carried or inside a chest
    open: bool = False
    locked: bool = False
    contents: list["Thing"] = field(default_factory=list)
    shows_contents: bool = False  # an open chest that shows the item it would give next (v2 layouts)
    _view: Entity | None = None

    @property
    def blocks(self) -> bool:
        return self.kind not in ITEMS and not (self.kind == "gate" and self.open)

    def view(self) -> Entity:
        if self._view is None:
            state = {"open": self.open, "locked": self.locked} if self.kind in ("chest", "gate") else {}
            self._view = Entity(self.id, self.kind, self.colour, state)
        return self._view

    def changed(self) -> None:
        self._view = None

    def sprite_name(self) -> str:
        if self.kind == "player":
            return ""  # players are drawn over the tiles, each in its seat's colour
        name = self.kind
        if self.kind in ("chest", "gate"):
            name += "-open" if self.open else "-closed"
            if self.shows_contents and self.open and self.contents:
                return f"chest-open/{self.contents[0].sprite_name()}"
        return f"{name}:{self.colour}" if self.colour else name


# --- art ---------------------------------------------------------------------

def _shade(rgb: tuple[int, int, int], f: float) -> tuple[int, int, int]:
    return tuple(max(0, min(255, int(c * f))) for c in rgb)  # type: ignore[return-value]


def _terrain(colour: tuple[int, int, int], detail: Callable[[Canvas], None] | None = None) -> Painter:
    def paint(c: Canvas) -> None:
        c.pixels[:] = colour
        if detail:
            detail(c)

    return paint


TERRAIN_PAINTERS: list[Painter] = [
    _terrain((86, 160, 70)),
    _terrain((196, 170, 120)),
    _terrain((50, 110, 200), lambda c: c.fill(c.rect(0.15, 0.45, 0.55, 0.52), (110, 160, 230))),
    _terrain((86, 160, 70), lambda c: (c.fill(c.rect(0.0, 0.25, 1.0, 0.35) | c.rect(0.0, 0.65, 1.0, 0.75), (150, 105, 60)),
                                       c.fill(c.rect(0.1, 0.1, 0.25, 0.9) | c.rect(0.75, 0.1, 0.9, 0.9), (120, 80, 45)))),
    _terrain((86, 160, 70), lambda c: (c.fill(c.disc(0.3, 0.3, 0.1), (250, 250, 120)), c.fill(c.disc(0.7, 0.65, 0.1), (250, 140, 200)))),
    _terrain((86, 160, 70), lambda c: c.fill(c.disc(0.5, 0.55, 0.22), (140, 100, 60))),
    _terrain((20, 40, 30)),
    _terrain((30, 30, 40)),
]


def _house(colour: str) -> Painter:
    def paint(c: Canvas) -> None:
        c.fill(c.rect(0.18, 0.45, 0.82, 0.95), (235, 225, 200))
        c.fill(c.triangle((0.5, 0.02), (0.02, 0.5), (0.98, 0.5)), PALETTE[colour])
        c.fill(c.rect(0.42, 0.65, 0.58, 0.95), (100, 60, 30))

    return paint


def _coloured_item(kind: str, colour: str) -> Painter:
    rgb = PALETTE[colour]
    dark = _shade(rgb, 0.55)

    def paint(c: Canvas) -> None:
        if kind == "ball":
            c.fill(c.disc(0.5, 0.5, 0.32), rgb).fill(c.outline(c.disc(0.5, 0.5, 0.32)), dark)
        elif kind == "box":
            c.fill(c.rect(0.2, 0.2, 0.8, 0.8), rgb).fill(c.outline(c.rect(0.2, 0.2, 0.8, 0.8)), dark)
        elif kind == "key":
            c.fill(c.ring(0.32, 0.35, 0.2, 0.1) | c.rect(0.42, 0.3, 0.92, 0.42) | c.rect(0.72, 0.42, 0.82, 0.68), rgb)
        elif kind == "gem":
            c.fill(c.diamond(0.5, 0.5, 0.3, 0.4), rgb).fill(c.outline(c.diamond(0.5, 0.5, 0.3, 0.4)), (255, 255, 255))

    return paint


def _gate(colour: str, is_open: bool) -> Painter:
    def paint(c: Canvas) -> None:
        c.pixels[:] = (196, 170, 120)
        if is_open:
            c.fill(c.rect(0.0, 0.0, 0.18, 1.0) | c.rect(0.82, 0.0, 1.0, 1.0), PALETTE[colour])
        else:
            c.fill(c.rect(0.05, 0.1, 0.95, 0.9), PALETTE[colour])
            c.fill(c.rect(0.05, 0.45, 0.95, 0.55), _shade(PALETTE[colour], 0.5))

    return paint


def _chest(is_open: bool) -> Painter:
    def paint(c: Canvas) -> None:
        c.fill(c.rect(0.12, 0.35, 0.88, 0.9), (150, 95, 40))
        c.fill(c.rect(0.12, 0.1 if is_open else 0.25, 0.88, 0.25 if is_open else 0.4), (110, 65, 25))
        c.fill(c.rect(0.44, 0.42, 0.56, 0.55), (240, 200, 60))
        if is_open:
            c.fill(c.rect(0.2, 0.4, 0.8, 0.5), (40, 25, 10))

    return paint


def _coloured_chest(colour: str, is_open: bool) -> Painter:
    """A chest with a lid in its colour, tall enough to read at 64x64."""
    lid, wood = PALETTE[colour], (150, 95, 40)

    def paint(c: Canvas) -> None:
        if is_open:
            c.fill(c.rect(0.12, 0.08, 0.88, 0.34), lid)
            c.fill(c.rect(0.12, 0.34, 0.88, 0.9), wood)
            c.fill(c.rect(0.2, 0.38, 0.8, 0.52), (40, 25, 10))
        else:
            c.fill(c.rect(0.12, 0.5, 0.88, 0.9), wood)
            c.fill(c.rect(0.12, 0.18, 0.88, 0.5), lid).fill(c.outline(c.rect(0.12, 0.18, 0.88, 0.5)), _shade(lid, 0.55))
        c.fill(c.rect(0.44, 0.44, 0.56, 0.6), (240, 200, 60))

    return paint


def _chest_showing(item: Painter) -> Painter:
    """An open chest with the item it would give next drawn over its mouth, a little smaller."""
    chest, scale, cx, cy = _chest(True), 0.72, 0.5, 0.42

    def paint(c: Canvas) -> None:
        chest(c)
        x, y = c.x, c.y
        c.x, c.y = (x - cx) / scale + 0.5, (y - cy) / scale + 0.5
        try:
            item(c)
        finally:
            c.x, c.y = x, y

    return paint


def _animal(body: tuple[int, int, int], spots: tuple[int, int, int] | None, small: bool = False) -> Painter:
    def paint(c: Canvas) -> None:
        s = 0.7 if small else 1.0
        c.fill(c.disc(0.5, 0.55, 0.3 * s), body)
        c.fill(c.disc(0.5 + 0.28 * s, 0.38, 0.14 * s), _shade(body, 0.85))
        c.fill(c.rect(0.3, 0.75, 0.36, 0.95) | c.rect(0.62, 0.75, 0.68, 0.95), (60, 40, 30))
        if spots:
            c.fill(c.disc(0.42, 0.5, 0.09 * s) | c.disc(0.58, 0.65, 0.07 * s), spots)

    return paint


def _plain(kind: str) -> Painter:
    wood, metal = (140, 90, 40), (190, 195, 205)

    def paint(c: Canvas) -> None:
        if kind == "apple":
            c.fill(c.disc(0.5, 0.55, 0.28), (210, 30, 30)).fill(c.rect(0.48, 0.15, 0.54, 0.32), (90, 60, 20))
        elif kind == "axe":
            c.fill(c.rect(0.45, 0.15, 0.55, 0.9), wood).fill(c.rect(0.55, 0.15, 0.85, 0.42), metal)
        elif kind == "pickaxe":
            c.fill(c.rect(0.45, 0.2, 0.55, 0.9), wood).fill(c.triangle((0.5, 0.1), (0.1, 0.32), (0.9, 0.32)), metal)
        elif kind == "sword":
            c.fill(c.rect(0.45, 0.08, 0.55, 0.65), metal).fill(c.rect(0.3, 0.65, 0.7, 0.72), (200, 170, 60))
            c.fill(c.rect(0.46, 0.72, 0.54, 0.92), wood)
        elif kind == "log":
            c.fill(c.rect(0.12, 0.35, 0.88, 0.7), wood).fill(c.disc(0.8, 0.52, 0.14), (200, 160, 100))
        elif kind == "stone":
            c.fill(c.disc(0.5, 0.58, 0.26), (150, 150, 150)).fill(c.disc(0.42, 0.5, 0.1), (190, 190, 190))
        elif kind == "tree":
            c.fill(c.rect(0.42, 0.6, 0.58, 0.98), (110, 70, 35)).fill(c.disc(0.5, 0.4, 0.36), (30, 110, 40))
        elif kind == "rock":
            c.fill(c.triangle((0.45, 0.12), (0.05, 0.92), (0.95, 0.92)), (120, 120, 125))
            c.fill(c.triangle((0.45, 0.12), (0.3, 0.55), (0.55, 0.5)), (165, 165, 170))
        elif kind == "well":
            c.fill(c.disc(0.5, 0.6, 0.36), (140, 140, 150)).fill(c.disc(0.5, 0.6, 0.22), (30, 60, 140))
            c.fill(c.rect(0.1, 0.08, 0.9, 0.2), (120, 70, 30))
        elif kind == "tower":
            c.fill(c.rect(0.28, 0.2, 0.72, 0.98), (150, 150, 160))
            c.fill(c.rect(0.2, 0.05, 0.8, 0.22), (110, 110, 120)).fill(c.rect(0.44, 0.45, 0.56, 0.6), (30, 30, 40))
        elif kind == "windmill":
            c.fill(c.rect(0.38, 0.4, 0.62, 0.98), (230, 220, 190))
            c.fill(c.triangle((0.5, 0.4), (0.1, 0.05), (0.25, 0.0)) | c.triangle((0.5, 0.4), (0.9, 0.05), (0.75, 0.0))
                   | c.triangle((0.5, 0.4), (0.05, 0.75), (0.0, 0.6)) | c.triangle((0.5, 0.4), (0.95, 0.75), (1.0, 0.6)), (90, 60, 40))
        elif kind == "statue":
            c.fill(c.rect(0.2, 0.78, 0.8, 0.98), (120, 120, 120))
            c.fill(c.disc(0.5, 0.22, 0.13) | c.rect(0.38, 0.35, 0.62, 0.78), (210, 210, 215))
        elif kind == "campfire":
            c.fill(c.rect(0.15, 0.78, 0.85, 0.9), (110, 70, 35))
            c.fill(c.triangle((0.5, 0.1), (0.2, 0.8), (0.8, 0.8)), (250, 120, 20))
            c.fill(c.triangle((0.5, 0.4), (0.35, 0.8), (0.65, 0.8)), (255, 230, 80))

    return paint


def _build_sprites() -> dict[str, Painter | None]:
    sprites: dict[str, Painter | None] = {"": None}
    for colour in COLOURS:
        sprites[f"house:{colour}"] = _house(colour)
        sprites[f"gate-closed:{colour}"] = _gate(colour, False)
        sprites[f"gate-open:{colour}"] = _gate(colour, True)
        for kind in COLOURED_ITEMS:
            sprites[f"{kind}:{colour}"] = _coloured_item(kind, colour)
    for kind in ("well", "tower", "windmill", "statue", "campfire", *PLAIN_ITEMS, *FLORA):
        sprites[kind] = _plain(kind)
    sprites["chest-closed"] = _chest(False)
    sprites["chest-open"] = _chest(True)
    sprites["cow"] = _animal((245, 245, 245), (30, 30, 30))
    sprites["sheep"] = _animal((225, 225, 210), None)
    sprites["pig"] = _animal((245, 160, 175), None)
    sprites["chicken"] = _animal((250, 250, 250), (230, 60, 40), small=True)
    # v2 additions, after every v1 sprite so v1 atlas ids stay as they were.
    for colour in COLOURS:
        sprites[f"chest-closed:{colour}"] = _coloured_chest(colour, False)
        sprites[f"chest-open:{colour}"] = _coloured_chest(colour, True)
    for name in [f"{kind}:{colour}" for colour in COLOURS for kind in COLOURED_ITEMS] + list(PLAIN_ITEMS):
        sprites[f"chest-open/{name}"] = _chest_showing(sprites[name])
    return sprites


SPRITES = _build_sprites()
SPRITE_NAMES = list(SPRITES)
SPRITE_ID = {name: i for i, name in enumerate(SPRITE_NAMES)}
SPRITE_PAINTERS = [SPRITES[n] for n in SPRITE_NAMES]


PLAYER_RGB = (255, 120, 220)


def player_painter(facing: tuple[int, int], rgb: tuple[int, int, int] = PLAYER_RGB) -> Painter:
    """The player: a figure in ``rgb`` with a white arrow showing where it faces."""
    fx, fy = facing

    def paint(c: Canvas) -> None:
        c.fill(c.disc(0.5, 0.5, 0.36), (20, 20, 30))
        c.fill(c.disc(0.5, 0.5, 0.3), rgb)
        tip = (0.5 + 0.32 * fx, 0.5 + 0.32 * fy)
        side = (-fy * 0.2, fx * 0.2)
        c.fill(c.triangle(tip, (0.5 + side[0], 0.5 + side[1]), (0.5 - side[0], 0.5 - side[1])), (255, 255, 255))

    return paint
