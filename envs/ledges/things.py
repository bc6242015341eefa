"""Ledges' vocabulary: terrain codes, the kinds of thing in a level, and how each looks."""

from __future__ import annotations

from dataclasses import dataclass, field

from simagym.art import PALETTE, Canvas, Painter
from simagym.world import Entity

from .physics import LADDER, ONEWAY, SOLID

COLOURS = ("red", "green", "blue", "yellow", "purple", "orange")

ITEMS = ("coin", "key", "gem")  # collected on touch, carried in the inventory
FIXTURES = ("flag", "lever", "chest", "exit")  # stand at them; E uses levers and chests
BARRIERS = ("gate", "door", "bridge")
STRUCTURES = ("platform", "ground", "ladder", "gap")
HAZARDS = ("spikeball", "saw")
LANDMARKS = ("flag", "chest", "lever", "exit")  # what a dropped item can be "next to"
KINDS = ITEMS + FIXTURES + BARRIERS + STRUCTURES + HAZARDS

# --- terrain (the atlas backgrounds) -------------------------------------------------
# Order is the atlas layout; codes are built below so coloured variants stay together.
_TERRAIN_NAMES: list[str] = ["sky", "cloud", "grass", "dirt", "stone", "abyss", "hud", "ladder"]
_TERRAIN_NAMES += [f"plank:{c}" for c in ("wood", *COLOURS)]
_TERRAIN_NAMES += [f"laddertop:{c}" for c in ("wood", *COLOURS)]
for _c in COLOURS:
    _TERRAIN_NAMES += [f"gate-closed:{_c}", f"gate-open:{_c}", f"door-locked:{_c}", f"door-open:{_c}",
                       f"bridge-on:{_c}", f"bridge-off:{_c}"]
TERRAIN = {name: i for i, name in enumerate(_TERRAIN_NAMES)}
SKY, CLOUD, GRASS, DIRT, STONE, ABYSS, HUD, LADDER_T = (TERRAIN[n] for n in
                                                        ("sky", "cloud", "grass", "dirt", "stone", "abyss", "hud", "ladder"))


def terrain_flags(name: str) -> int:
    if name in ("grass", "dirt", "stone") or name.startswith(("gate-closed", "door-locked")):
        return SOLID
    if name.startswith(("plank", "bridge-on")):
        return ONEWAY
    if name == "ladder":
        return LADDER
    if name.startswith("laddertop"):
        return LADDER | ONEWAY
    return 0


TERRAIN_FLAGS = [terrain_flags(n) for n in _TERRAIN_NAMES]


@dataclass(eq=False)
class Thing:
    """Mutable world-side state of one entity; checks see its :class:`Entity` view."""

    id: int
    kind: str
    colour: str | None = None
    pos: tuple[int, int] | None = None  # (col, row); None while carried or inside a chest
    open: bool = False
    locked: bool = False
    on: bool = False  # levers pulled, bridges extended, flags active
    highest: bool = False
    contents: list["Thing"] = field(default_factory=list)
    cells: tuple[tuple[int, int], ...] = ()  # every cell of a platform, gap, ladder, gate, door or bridge
    lo: int = 0  # platforms, gaps, barriers: first column
    hi: int = 0  # platforms, gaps, barriers: one past the last column
    row: int = -1  # platforms: the row of the planks; ladders: the top row
    ladder_col: int = -1  # platforms: the column a ladder comes up through
    link: int = -1  # ladders: the platform at the top
    base: tuple[int, int] = (0, 0)  # hazards: patrol start, in units
    span: int = 0  # hazards: patrol length, in units
    phase: int = 0  # hazards: clock offset
    _view: Entity | None = None

    def view(self) -> Entity:
        if self._view is None:
            k = self.kind
            if k == "chest" or k == "gate":
                state = {"open": self.open}
            elif k == "door":
                state = {"open": self.open, "locked": self.locked}
            elif k == "lever":
                state = {"on": self.on}
            elif k == "bridge":
                state = {"extended": self.on}
            elif k == "flag":
                state = {"active": self.on}
            elif k == "platform":
                state = {"highest": self.highest}
            else:
                state = {}
            self._view = Entity(self.id, k, self.colour, state)
        return self._view

    def changed(self) -> None:
        self._view = None

    def sprite_name(self) -> str:
        k = self.kind
        if k == "chest":
            return "chest-open" if self.open else "chest-closed"
        if k == "lever":
            return f"lever-{'on' if self.on else 'off'}:{self.colour}"
        if k == "flag":
            return f"flag-{'up' if self.on else 'down'}:{self.colour}"
        return f"{k}:{self.colour}" if self.colour else k


# --- art ---------------------------------------------------------------------------------

SKY_RGB = (140, 200, 240)
WOOD = (150, 100, 50)


def _shade(rgb: tuple[int, int, int], f: float) -> tuple[int, int, int]:
    return tuple(max(0, min(255, int(c * f))) for c in rgb)  # type: ignore[return-value]


def _plank(c: Canvas, rgb: tuple[int, int, int]) -> None:
    c.fill(c.rect(0.0, 0.0, 1.0, 0.42), rgb)
    c.fill(c.rect(0.0, 0.32, 1.0, 0.42), _shade(rgb, 0.6))
    c.fill(c.rect(0.12, 0.42, 0.24, 0.62) | c.rect(0.76, 0.42, 0.88, 0.62), _shade(rgb, 0.5))


def _ladder(c: Canvas) -> None:
    rail = (120, 75, 35)
    c.fill(c.rect(0.14, 0.0, 0.26, 1.0) | c.rect(0.74, 0.0, 0.86, 1.0), rail)
    c.fill(c.rect(0.14, 0.12, 0.86, 0.32) | c.rect(0.14, 0.62, 0.86, 0.82), (200, 150, 80))


def _terrain_painter(name: str) -> Painter:
    base, _, colour = name.partition(":")
    rgb = WOOD if colour in ("", "wood") else PALETTE[colour]

    def paint(c: Canvas) -> None:
        c.pixels[:] = SKY_RGB
        if base == "cloud":
            c.fill(c.disc(0.35, 0.6, 0.22) | c.disc(0.62, 0.5, 0.28) | c.rect(0.2, 0.6, 0.85, 0.78), (250, 252, 255))
        elif base == "grass":
            c.pixels[:] = (135, 85, 45)
            c.fill(c.rect(0.0, 0.0, 1.0, 0.3), (70, 175, 60))
            c.fill(c.disc(0.3, 0.65, 0.07) | c.disc(0.72, 0.8, 0.06), (105, 65, 35))
        elif base == "dirt":
            c.pixels[:] = (135, 85, 45)
            c.fill(c.disc(0.25, 0.3, 0.07) | c.disc(0.7, 0.65, 0.08), (105, 65, 35))
        elif base == "stone":
            c.pixels[:] = (120, 120, 130)
            c.fill(c.rect(0.0, 0.45, 1.0, 0.55) | c.rect(0.45, 0.0, 0.55, 0.45), (85, 85, 95))
        elif base == "abyss":
            c.pixels[:] = (40, 30, 50)
            c.fill(c.triangle((0.25, 0.35), (0.05, 1.0), (0.45, 1.0)) | c.triangle((0.75, 0.35), (0.55, 1.0), (0.95, 1.0)),
                   (200, 200, 210))
        elif base == "hud":
            c.pixels[:] = (45, 35, 30)
        elif base == "ladder":
            _ladder(c)
        elif base == "plank":
            _plank(c, rgb)
        elif base == "laddertop":
            _ladder(c)
            _plank(c, rgb)
            c.fill(c.rect(0.3, 0.06, 0.7, 0.28), (240, 220, 140))  # a hatch: the way down
        elif base == "gate-closed":
            c.pixels[:] = (60, 55, 60)
            c.fill(c.rect(0.08, 0.0, 0.24, 1.0) | c.rect(0.42, 0.0, 0.58, 1.0) | c.rect(0.76, 0.0, 0.92, 1.0), rgb)
            c.fill(c.rect(0.0, 0.45, 1.0, 0.55), _shade(rgb, 0.6))
        elif base == "gate-open":
            c.fill(c.rect(0.0, 0.0, 0.12, 1.0) | c.rect(0.88, 0.0, 1.0, 1.0), rgb)
        elif base == "door-locked":
            c.pixels[:] = rgb
            c.fill(c.rect(0.15, 0.0, 0.85, 1.0), (120, 75, 40))
            c.fill(c.disc(0.5, 0.45, 0.12) | c.rect(0.45, 0.45, 0.55, 0.7), (25, 20, 15))
        elif base == "door-open":
            c.pixels[:] = (50, 35, 25)
            c.fill(c.rect(0.0, 0.0, 0.15, 1.0) | c.rect(0.85, 0.0, 1.0, 1.0), rgb)
        elif base == "bridge-on":
            c.fill(c.rect(0.0, 0.0, 1.0, 0.35), (170, 120, 65))
            c.fill(c.rect(0.0, 0.0, 1.0, 0.1) | c.rect(0.0, 0.35, 1.0, 0.45), rgb)
        elif base == "bridge-off":
            c.fill(c.rect(0.0, 0.0, 1.0, 0.06), rgb)  # a faint line where the bridge would be

    return paint


TERRAIN_PAINTERS: list[Painter] = [_terrain_painter(n) for n in _TERRAIN_NAMES]


def _item(kind: str, colour: str) -> Painter:
    rgb = PALETTE[colour]
    dark = _shade(rgb, 0.55)

    def paint(c: Canvas) -> None:
        if kind == "coin":
            c.fill(c.disc(0.5, 0.55, 0.3), dark).fill(c.disc(0.5, 0.55, 0.22), rgb)
            c.fill(c.rect(0.45, 0.38, 0.55, 0.72), (255, 255, 255) if colour != "yellow" else (255, 250, 200))
        elif kind == "key":
            c.fill(c.ring(0.3, 0.45, 0.2, 0.1) | c.rect(0.42, 0.4, 0.92, 0.52) | c.rect(0.74, 0.52, 0.84, 0.75), rgb)
        elif kind == "gem":
            c.fill(c.diamond(0.5, 0.55, 0.3, 0.4), rgb).fill(c.outline(c.diamond(0.5, 0.55, 0.3, 0.4)), (255, 255, 255))

    return paint


def _flag(colour: str, up: bool) -> Painter:
    def paint(c: Canvas) -> None:
        c.fill(c.rect(0.2, 0.05, 0.3, 1.0), (90, 90, 90))
        y0 = 0.05 if up else 0.45
        c.fill(c.triangle((0.3, y0), (0.3, y0 + 0.38), (0.95, y0 + 0.19)), PALETTE[colour])
        if up:
            c.fill(c.rect(0.1, 0.88, 0.5, 1.0), (250, 230, 90))

    return paint


def _lever(colour: str, on: bool) -> Painter:
    def paint(c: Canvas) -> None:
        c.fill(c.rect(0.2, 0.75, 0.8, 1.0), (90, 90, 100))
        tip = (0.8, 0.25) if on else (0.2, 0.25)
        c.fill(c.triangle((0.5, 0.8), tip, (tip[0] + (0.1 if on else -0.1), tip[1] + 0.12)) |
               c.triangle((0.45, 0.8), (0.55, 0.8), tip), (70, 60, 50))
        c.fill(c.disc(tip[0], tip[1], 0.14), PALETTE[colour])

    return paint


def _chest(is_open: bool) -> Painter:
    def paint(c: Canvas) -> None:
        c.fill(c.rect(0.1, 0.45, 0.9, 1.0), (150, 95, 40))
        c.fill(c.rect(0.1, 0.2 if is_open else 0.3, 0.9, 0.3 if is_open else 0.48), (110, 65, 25))
        c.fill(c.rect(0.44, 0.52, 0.56, 0.66), (240, 200, 60))
        if is_open:
            c.fill(c.rect(0.18, 0.45, 0.82, 0.55), (40, 25, 10))

    return paint


def _exit(c: Canvas) -> None:
    c.fill(c.rect(0.15, 0.05, 0.85, 1.0), (240, 200, 60))
    c.fill(c.rect(0.25, 0.15, 0.75, 1.0), (30, 25, 45))
    c.fill(c.triangle((0.72, 0.55), (0.4, 0.35), (0.4, 0.75)), (90, 230, 110))


def _build_sprites() -> dict[str, Painter | None]:
    sprites: dict[str, Painter | None] = {"": None}
    for colour in COLOURS:
        for kind in ITEMS:
            sprites[f"{kind}:{colour}"] = _item(kind, colour)
        sprites[f"flag-down:{colour}"] = _flag(colour, False)
        sprites[f"flag-up:{colour}"] = _flag(colour, True)
        sprites[f"lever-off:{colour}"] = _lever(colour, False)
        sprites[f"lever-on:{colour}"] = _lever(colour, True)
    sprites["chest-closed"] = _chest(False)
    sprites["chest-open"] = _chest(True)
    sprites["exit"] = _exit
    return sprites


SPRITES = _build_sprites()
SPRITE_NAMES = list(SPRITES)
SPRITE_ID = {name: i for i, name in enumerate(SPRITE_NAMES)}
SPRITE_PAINTERS = [SPRITES[n] for n in SPRITE_NAMES]
N_SPRITES = len(SPRITE_NAMES)
N_TERRAIN = len(_TERRAIN_NAMES)


def _on(background: Painter, sprite: Painter | None) -> Painter:
    def paint(c: Canvas) -> None:
        background(c)
        if sprite is not None:
            sprite(c)

    return paint


# One flat list of tiles: the terrain, then every sprite on sky (things in the level), then every sprite
# on the inventory's background. A cell's tile id is its terrain code, or SKY_SPRITES + sprite id.
TILE_PAINTERS: list[Painter] = (TERRAIN_PAINTERS + [_on(TERRAIN_PAINTERS[SKY], p) for p in SPRITE_PAINTERS]
                                + [_on(TERRAIN_PAINTERS[HUD], p) for p in SPRITE_PAINTERS])
SKY_SPRITES = N_TERRAIN
HUD_SPRITES = N_TERRAIN + N_SPRITES

PLAYER_RGB = (255, 120, 220)


def player_painter(facing: int, climbing: bool, rgb: tuple[int, int, int] = PLAYER_RGB) -> Painter:
    """The player: a figure in ``rgb`` (pink, alone) with a dark outline; eyes show which way it faces."""

    def paint(c: Canvas) -> None:
        body = c.rect(0.22, 0.38, 0.78, 0.86) | c.disc(0.5, 0.28, 0.22)
        legs = c.rect(0.26, 0.86, 0.44, 1.0) | c.rect(0.56, 0.86, 0.74, 1.0)
        c.fill(body | legs, (25, 20, 35))
        c.fill(c.rect(0.3, 0.42, 0.7, 0.82) | c.disc(0.5, 0.28, 0.15), rgb)
        if climbing:
            c.fill(c.rect(0.1, 0.3, 0.22, 0.5) | c.rect(0.78, 0.3, 0.9, 0.5), rgb)  # arms up
        else:
            ex = 0.58 if facing > 0 else 0.42
            c.fill(c.rect(ex - 0.05, 0.22, ex + 0.05, 0.32), (20, 20, 30))

    return paint


def spikeball_painter(c: Canvas) -> None:
    spikes = (c.triangle((0.5, 0.0), (0.38, 0.3), (0.62, 0.3)) | c.triangle((0.5, 1.0), (0.38, 0.7), (0.62, 0.7))
              | c.triangle((0.0, 0.5), (0.3, 0.38), (0.3, 0.62)) | c.triangle((1.0, 0.5), (0.7, 0.38), (0.7, 0.62)))
    c.fill(spikes, (230, 230, 235))
    c.fill(c.disc(0.5, 0.5, 0.3), (60, 60, 70)).fill(c.disc(0.42, 0.42, 0.08), (200, 60, 60))


def saw_painter(c: Canvas) -> None:
    teeth = (c.triangle((0.5, 0.0), (0.3, 0.2), (0.7, 0.2)) | c.triangle((0.5, 1.0), (0.3, 0.8), (0.7, 0.8))
             | c.triangle((0.0, 0.5), (0.2, 0.3), (0.2, 0.7)) | c.triangle((1.0, 0.5), (0.8, 0.3), (0.8, 0.7))
             | c.triangle((0.12, 0.12), (0.38, 0.18), (0.18, 0.38)) | c.triangle((0.88, 0.88), (0.62, 0.82), (0.82, 0.62))
             | c.triangle((0.88, 0.12), (0.62, 0.18), (0.82, 0.38)) | c.triangle((0.12, 0.88), (0.38, 0.82), (0.18, 0.62)))
    c.fill(teeth | c.disc(0.5, 0.5, 0.36), (210, 215, 225))
    c.fill(c.disc(0.5, 0.5, 0.14), (220, 50, 50))


HAZARD_PAINTERS: dict[str, Painter] = {"spikeball": spikeball_painter, "saw": saw_painter}
