"""GameUI's pixel art: one painter per cell background and per sprite layer.

A cell is painted as ``(background, *layers)``, e.g. ``("slot:inventory",
"item:sword")``. Elements wider than a cell (flags, portraits, buttons, the
logo) are painted in cell units and cut into parts, so ``flag:french:1`` is
the right half of the French flag.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from simagym.art import PALETTE, Canvas

RGB = tuple[int, int, int]


def shade(rgb: RGB, f: float) -> RGB:
    return tuple(max(0, min(255, int(c * f))) for c in rgb)  # type: ignore[return-value]


# --- colours ---------------------------------------------------------------------
SCREEN_COLOUR: dict[str, RGB] = {
    "title": (14, 14, 22), "main": (28, 32, 72), "settings": (52, 64, 84), "inventory": (94, 62, 36),
    "crafting": (58, 80, 42), "shop": (112, 28, 40), "map": (214, 190, 130), "dialogue": (62, 34, 88),
    "quit": (36, 12, 14), "game": (120, 182, 240),
}
BUTTON_COLOUR: dict[str, RGB] = {
    "continue": (40, 150, 60), "settings": (90, 100, 120), "inventory": (140, 90, 45), "crafting": (80, 120, 50),
    "shop": (200, 160, 30), "map": (200, 180, 120), "save": (50, 90, 200), "quit": (180, 40, 40),
}
ANSWER_COLOUR: dict[str, RGB] = {
    "accept": (40, 160, 60), "decline": (190, 40, 40), "ask": (50, 100, 220), "trade": (215, 175, 30),
    "fight": (235, 120, 20), "goodbye": (120, 120, 130),
}
SLIDER_COLOUR: dict[str, RGB] = {"music_volume": (220, 80, 200), "sound_volume": (40, 200, 210), "brightness": (245, 210, 50)}
DIFFICULTY_COLOUR: dict[str, RGB] = {"easy": (50, 180, 70), "normal": (230, 200, 40), "hard": (220, 50, 40), "expert": (150, 50, 200)}
GOLD, DARK, WHITE = (250, 205, 40), (20, 20, 26), (245, 245, 245)
WOOD, METAL = (140, 90, 40), (200, 205, 215)
SKIN = (240, 200, 160)


# --- backgrounds -------------------------------------------------------------------
def _flat(rgb: RGB) -> Callable[[Canvas], None]:
    def paint(c: Canvas) -> None:
        c.pixels[:] = rgb

    return paint


def _inset(outer: RGB, inner: RGB, edge: RGB) -> Callable[[Canvas], None]:
    def paint(c: Canvas) -> None:
        c.pixels[:] = outer
        box = c.rect(0.08, 0.08, 0.92, 0.92)
        c.fill(box, inner).fill(c.outline(box), edge)

    return paint


def _edged(rgb: RGB, edge: RGB) -> Callable[[Canvas], None]:
    def paint(c: Canvas) -> None:
        c.pixels[:] = rgb
        c.fill(c.outline(c.rect(0.0, 0.0, 1.0, 1.0)), edge)

    return paint


def _band(rgb: RGB) -> Callable[[Canvas], None]:
    def paint(c: Canvas) -> None:
        c.pixels[:] = rgb
        c.fill(c.y > 0.86, shade(rgb, 0.6))

    return paint


def _build_backgrounds() -> dict[str, Callable[[Canvas], None]]:
    bgs: dict[str, Callable[[Canvas], None]] = {}
    for name, rgb in SCREEN_COLOUR.items():
        bgs[name] = _flat(rgb)
        bgs[f"header:{name}"] = _band(shade(rgb, 1.5) if name != "map" else (150, 110, 60))
        bgs[f"tab_on:{name}"] = _inset(shade(rgb, 1.5) if name != "map" else (150, 110, 60), (236, 228, 205), WHITE)
    bgs["tab_off"] = _inset((40, 36, 34), (62, 58, 54), (100, 96, 90))
    bgs["ground"] = _flat((86, 160, 70))
    bgs["hud"] = _flat((30, 30, 40))
    bgs["map0"], bgs["map1"], bgs["map2"] = _flat((118, 176, 94)), _flat((104, 164, 84)), _flat((128, 184, 102))
    for where, rgb in (("inventory", SCREEN_COLOUR["inventory"]), ("crafting", SCREEN_COLOUR["crafting"]),
                       ("shop", SCREEN_COLOUR["shop"])):
        bgs[f"slot:{where}"] = _inset(rgb, (50, 38, 30), (150, 120, 90))
        bgs[f"sel:{where}"] = _inset(rgb, (120, 100, 30), (255, 235, 80))
    bgs["slot:chest"] = _inset(SCREEN_COLOUR["inventory"], (70, 50, 70), (190, 150, 60))
    bgs["slot:equip"] = _inset(SCREEN_COLOUR["inventory"], (40, 50, 70), (150, 170, 210))
    bgs["slot:drop"] = _inset(SCREEN_COLOUR["inventory"], (60, 20, 20), (220, 80, 60))
    bgs["slot:ingredient"] = _inset(SCREEN_COLOUR["crafting"], (40, 50, 30), (200, 220, 150))
    bgs["slot:result"] = _inset(SCREEN_COLOUR["crafting"], (80, 70, 20), (255, 220, 80))
    bgs["slot:craftbtn"] = _inset(SCREEN_COLOUR["crafting"], (40, 140, 50), (200, 255, 200))
    bgs["recipe"] = _flat(shade(SCREEN_COLOUR["crafting"], 0.7))
    bgs["stock"] = _flat(shade(SCREEN_COLOUR["shop"], 0.7))
    bgs["stock:sel"] = _flat((40, 105, 150))
    bgs["buy"] = _inset(SCREEN_COLOUR["shop"], (40, 150, 60), (200, 255, 200))
    bgs["sell"] = _inset(SCREEN_COLOUR["shop"], (230, 130, 30), (255, 220, 160))
    for name, rgb in BUTTON_COLOUR.items():
        bgs[f"btn:{name}"] = _flat(rgb)
    for name, rgb in ANSWER_COLOUR.items():
        bgs[f"ans:{name}"] = _flat(rgb)
    bgs["settings:row"] = _flat(shade(SCREEN_COLOUR["settings"], 0.75))
    bgs["settings:button"] = _edged((70, 105, 165), (25, 30, 45))
    bgs["settings:list"] = _flat((26, 30, 40))
    bgs["settings:listsel"] = _flat((70, 80, 110))
    bgs["box"] = _flat((90, 30, 30))
    bgs["bubble"] = _flat(SCREEN_COLOUR["dialogue"])
    return bgs


BACKGROUNDS = _build_backgrounds()


# --- sprite layers -----------------------------------------------------------------
def _line(c: Canvas, x0: float, y0: float, x1: float, y1: float, width: float) -> np.ndarray:
    """A thick segment from (x0, y0) to (x1, y1)."""
    dx, dy = x1 - x0, y1 - y0
    length2 = dx * dx + dy * dy
    t = np.clip(((c.x - x0) * dx + (c.y - y0) * dy) / length2, 0.0, 1.0)
    return (c.x - (x0 + t * dx)) ** 2 + (c.y - (y0 + t * dy)) ** 2 <= (width / 2) ** 2


def _ellipse(c: Canvas, cx: float, cy: float, rx: float, ry: float) -> np.ndarray:
    return ((c.x - cx) / rx) ** 2 + ((c.y - cy) / ry) ** 2 <= 1.0


def item(c: Canvas, kind: str, colour: str | None = None) -> None:
    if kind == "sword":
        c.fill(_line(c, 0.82, 0.18, 0.36, 0.64, 0.2), METAL)
        c.fill(_line(c, 0.22, 0.5, 0.5, 0.78, 0.14), (220, 180, 50))
        c.fill(_line(c, 0.3, 0.7, 0.14, 0.86, 0.16), WOOD)
    elif kind == "axe":
        c.fill(_line(c, 0.3, 0.9, 0.62, 0.14, 0.16), WOOD)
        c.fill(_ellipse(c, 0.66, 0.28, 0.26, 0.2) & (c.x > 0.5), METAL)
    elif kind == "bow":
        c.fill(c.ring(0.3, 0.5, 0.42, 0.14) & (c.x > 0.3), WOOD)
        c.fill(c.rect(0.28, 0.1, 0.36, 0.9), WHITE)
    elif kind == "spear":
        c.fill(_line(c, 0.2, 0.92, 0.68, 0.32, 0.12), WOOD)
        c.fill(c.triangle((0.9, 0.08), (0.55, 0.3), (0.72, 0.45)), METAL)
    elif kind == "helmet":
        dome = c.disc(0.5, 0.58, 0.38) & (c.y < 0.66)
        c.fill(dome | c.rect(0.12, 0.58, 0.88, 0.8), (160, 165, 180))
        c.fill(c.rect(0.3, 0.5, 0.7, 0.6), DARK)
    elif kind == "armour":
        c.fill(c.rect(0.25, 0.25, 0.75, 0.9) | c.rect(0.08, 0.2, 0.92, 0.45), (70, 120, 190))
        c.fill(c.rect(0.45, 0.3, 0.55, 0.85), (150, 190, 240))
    elif kind == "shield":
        body = c.rect(0.14, 0.1, 0.86, 0.5) | c.triangle((0.5, 0.95), (0.14, 0.5), (0.86, 0.5))
        c.fill(body, (235, 200, 60)).fill(c.rect(0.24, 0.18, 0.76, 0.5) | c.triangle((0.5, 0.8), (0.24, 0.5), (0.76, 0.5)),
                                          (40, 80, 200))
    elif kind == "torch":
        c.fill(c.rect(0.42, 0.45, 0.58, 0.95), WOOD)
        c.fill(_ellipse(c, 0.5, 0.3, 0.22, 0.28), (250, 120, 20)).fill(_ellipse(c, 0.5, 0.36, 0.1, 0.14), (255, 235, 90))
    elif kind == "apple":
        c.fill(c.disc(0.5, 0.58, 0.34), (215, 30, 30)).fill(c.rect(0.46, 0.1, 0.56, 0.3), (90, 60, 20))
        c.fill(_ellipse(c, 0.7, 0.2, 0.16, 0.09), (60, 180, 60))
    elif kind == "bread":
        c.fill(_ellipse(c, 0.5, 0.56, 0.44, 0.3), (215, 160, 80))
        c.fill(_line(c, 0.3, 0.45, 0.38, 0.65, 0.08) | _line(c, 0.55, 0.42, 0.62, 0.62, 0.08), (150, 95, 40))
    elif kind == "fish":
        c.fill(_ellipse(c, 0.42, 0.5, 0.32, 0.2), (60, 170, 190))
        c.fill(c.triangle((0.7, 0.5), (0.95, 0.25), (0.95, 0.75)), (40, 130, 160)).fill(c.disc(0.24, 0.45, 0.06), DARK)
    elif kind == "potion":
        rgb = PALETTE.get(colour or "red", (200, 40, 40))
        c.fill(c.rect(0.4, 0.12, 0.6, 0.4), (200, 220, 230)).fill(c.disc(0.5, 0.62, 0.32), rgb)
        c.fill(c.rect(0.38, 0.06, 0.62, 0.16), WOOD).fill(c.disc(0.4, 0.56, 0.08), WHITE)
    elif kind == "stick":
        c.fill(_line(c, 0.2, 0.85, 0.8, 0.15, 0.14), WOOD)
    elif kind == "coal":
        c.fill(c.disc(0.5, 0.56, 0.34), (30, 30, 34)).fill(c.disc(0.4, 0.46, 0.1), (95, 95, 105))
    elif kind == "wheat":
        c.fill(c.rect(0.46, 0.35, 0.54, 0.95), (200, 170, 60))
        c.fill(_ellipse(c, 0.5, 0.3, 0.16, 0.26), (245, 210, 70))
    elif kind == "stone":
        c.fill(_ellipse(c, 0.5, 0.58, 0.38, 0.3), (150, 150, 155)).fill(c.disc(0.4, 0.5, 0.1), (195, 195, 200))
    elif kind == "herb":
        c.fill(_ellipse(c, 0.36, 0.45, 0.16, 0.3) | _ellipse(c, 0.64, 0.45, 0.16, 0.3), (60, 190, 70))
        c.fill(c.rect(0.46, 0.55, 0.54, 0.95), (40, 120, 40))
    elif kind == "gem":
        d = c.diamond(0.5, 0.5, 0.32, 0.42)
        c.fill(d, (60, 230, 230)).fill(c.outline(d), WHITE)
    elif kind == "rope":
        c.fill(c.ring(0.5, 0.5, 0.38, 0.16), (190, 150, 90)).fill(c.ring(0.5, 0.5, 0.26, 0.05), (130, 95, 50))


def ghost(c: Canvas, slot: str) -> None:
    """An empty equipment slot shows a dim outline of what belongs there."""
    kind = {"head": "helmet", "body": "armour", "weapon": "sword", "offhand": "shield"}[slot]
    probe = Canvas(c.size, (0, 0, 0))
    probe.x, probe.y = c.x, c.y
    item(probe, kind)
    c.fill(probe.pixels.any(axis=-1), (85, 95, 120))


def icon(c: Canvas, name: str) -> None:
    """UI glyphs."""
    if name == "close":
        c.fill(c.rect(0.1, 0.1, 0.9, 0.9), (200, 40, 40))
        c.fill(_line(c, 0.28, 0.28, 0.72, 0.72, 0.14) | _line(c, 0.72, 0.28, 0.28, 0.72, 0.14), WHITE)
    elif name == "back":
        c.fill(c.triangle((0.12, 0.5), (0.5, 0.15), (0.5, 0.85)) | c.rect(0.45, 0.38, 0.88, 0.62), WHITE)
    elif name == "gear":
        teeth = c.rect(0.42, 0.06, 0.58, 0.94) | c.rect(0.06, 0.42, 0.94, 0.58)
        teeth |= _line(c, 0.2, 0.2, 0.8, 0.8, 0.18) | _line(c, 0.8, 0.2, 0.2, 0.8, 0.18)
        c.fill(teeth | c.disc(0.5, 0.5, 0.32), (190, 195, 205)).fill(c.disc(0.5, 0.5, 0.13), (60, 65, 80))
    elif name == "bag":
        c.fill(c.disc(0.5, 0.62, 0.34) | c.rect(0.32, 0.2, 0.68, 0.5), (170, 110, 50))
        c.fill(c.rect(0.3, 0.3, 0.7, 0.38), (100, 60, 25))
    elif name == "hammer":
        c.fill(c.rect(0.44, 0.3, 0.56, 0.95), WOOD).fill(c.rect(0.15, 0.1, 0.85, 0.36), (170, 175, 185))
    elif name == "map":
        c.fill(c.rect(0.1, 0.15, 0.9, 0.85), (230, 210, 150))
        c.fill(_line(c, 0.2, 0.7, 0.5, 0.4, 0.08) | _line(c, 0.5, 0.4, 0.8, 0.6, 0.08), (120, 90, 50))
        c.fill(c.disc(0.72, 0.32, 0.1), (220, 40, 40))
    elif name == "coin":
        c.fill(c.disc(0.5, 0.5, 0.38), GOLD).fill(c.ring(0.5, 0.5, 0.26, 0.08), (190, 140, 20))
    elif name == "play":
        c.fill(c.triangle((0.85, 0.5), (0.2, 0.12), (0.2, 0.88)), WHITE)
    elif name in ("floppy", "autosave"):
        c.fill(c.rect(0.12, 0.12, 0.88, 0.88), (40, 80, 200) if name == "floppy" else (40, 170, 80))
        c.fill(c.rect(0.28, 0.12, 0.72, 0.4), (220, 225, 235)).fill(c.rect(0.3, 0.58, 0.7, 0.88), (25, 30, 50))
    elif name == "door":
        c.fill(c.rect(0.2, 0.08, 0.8, 0.95), (110, 60, 30)).fill(c.rect(0.3, 0.16, 0.7, 0.95), DARK)
        c.fill(c.triangle((0.95, 0.5), (0.6, 0.25), (0.6, 0.75)), WHITE)
    elif name == "note":
        rgb = SLIDER_COLOUR["music_volume"]
        c.fill(_ellipse(c, 0.34, 0.74, 0.22, 0.17) | c.rect(0.44, 0.1, 0.58, 0.74), rgb)
        c.fill(c.rect(0.44, 0.1, 0.88, 0.3), rgb)
    elif name == "speaker":
        rgb = SLIDER_COLOUR["sound_volume"]
        c.fill(c.rect(0.08, 0.34, 0.36, 0.66) | c.triangle((0.62, 0.08), (0.3, 0.5), (0.62, 0.92)), rgb)
        c.fill(c.ring(0.55, 0.5, 0.42, 0.12) & (c.x > 0.74), rgb)
    elif name == "sun":
        rays = c.rect(0.45, 0.04, 0.55, 0.96) | c.rect(0.04, 0.45, 0.96, 0.55)
        c.fill(rays | c.disc(0.5, 0.5, 0.28), SLIDER_COLOUR["brightness"])
    elif name == "minus":
        c.fill(c.rect(0.16, 0.38, 0.84, 0.62), WHITE)
    elif name == "plus":
        c.fill(c.rect(0.16, 0.38, 0.84, 0.62) | c.rect(0.38, 0.16, 0.62, 0.84), WHITE)
    elif name == "subtitles":
        c.fill(c.rect(0.06, 0.15, 0.94, 0.7) | c.triangle((0.25, 0.92), (0.2, 0.6), (0.5, 0.6)), WHITE)
        c.fill(c.rect(0.18, 0.28, 0.82, 0.36) | c.rect(0.18, 0.46, 0.62, 0.54), (40, 40, 50))
    elif name == "fullscreen":
        c.fill(c.rect(0.06, 0.12, 0.94, 0.78), (160, 165, 180)).fill(c.rect(0.14, 0.2, 0.86, 0.7), (60, 160, 230))
        c.fill(c.rect(0.4, 0.78, 0.6, 0.92), (160, 165, 180))
    elif name == "hints":
        c.fill(c.disc(0.5, 0.4, 0.3), (255, 230, 70)).fill(c.rect(0.36, 0.66, 0.64, 0.9), (170, 170, 180))
    elif name == "difficulty":
        c.fill(c.disc(0.5, 0.42, 0.34) | c.rect(0.3, 0.5, 0.7, 0.88), WHITE)
        c.fill(c.disc(0.36, 0.42, 0.1) | c.disc(0.64, 0.42, 0.1), DARK)
    elif name == "language":
        c.fill(c.disc(0.5, 0.5, 0.4), (50, 110, 220))
        c.fill(_ellipse(c, 0.38, 0.38, 0.14, 0.2) | _ellipse(c, 0.66, 0.64, 0.14, 0.12), (60, 190, 80))
    elif name == "music_volume":
        icon(c, "note")
    elif name == "sound_volume":
        icon(c, "speaker")
    elif name == "brightness":
        icon(c, "sun")
    elif name == "reset":
        c.fill(c.ring(0.5, 0.52, 0.36, 0.13) & ~((c.x > 0.5) & (c.y < 0.5)), (250, 150, 40))
        c.fill(c.triangle((0.5, 0.04), (0.5, 0.34), (0.78, 0.19)), (250, 150, 40))
    elif name == "drop":
        c.fill(c.rect(0.24, 0.3, 0.76, 0.92), (170, 170, 180)).fill(c.rect(0.14, 0.16, 0.86, 0.28), (200, 200, 210))
        c.fill(c.rect(0.34, 0.4, 0.42, 0.84) | c.rect(0.58, 0.4, 0.66, 0.84), (90, 90, 100))
    elif name == "travel":
        c.fill(c.rect(0.3, 0.1, 0.6, 0.7) | c.rect(0.3, 0.58, 0.9, 0.88), (150, 90, 40))
        c.fill(c.rect(0.3, 0.82, 0.9, 0.92), DARK)
    elif name == "pin":
        c.fill(c.triangle((0.72, 0.62), (0.5, 0.3), (0.94, 0.3)), (255, 40, 90)).fill(c.disc(0.72, 0.26, 0.2), (255, 40, 90))
        c.fill(c.disc(0.72, 0.26, 0.07), WHITE)
    elif name == "you":
        c.fill(c.disc(0.5, 0.5, 0.32), WHITE).fill(c.disc(0.5, 0.5, 0.24), (255, 110, 220))
    elif name == "menu":
        c.fill(c.rect(0.15, 0.18, 0.85, 0.3) | c.rect(0.15, 0.44, 0.85, 0.56) | c.rect(0.15, 0.7, 0.85, 0.82), WHITE)
    elif name == "heart":
        c.fill(c.disc(0.32, 0.38, 0.2) | c.disc(0.68, 0.38, 0.2) | c.triangle((0.5, 0.92), (0.12, 0.45), (0.88, 0.45)),
               (230, 40, 60))
    elif name == "arrow":
        c.fill(c.triangle((0.9, 0.5), (0.5, 0.15), (0.5, 0.85)) | c.rect(0.1, 0.38, 0.55, 0.62), WHITE)
    elif name == "equals":
        c.fill(c.rect(0.2, 0.3, 0.8, 0.42) | c.rect(0.2, 0.58, 0.8, 0.7), WHITE)
    elif name == "focus":
        c.fill(c.triangle((0.8, 0.5), (0.25, 0.2), (0.25, 0.8)), WHITE)
    elif name == "tick":
        c.fill(_line(c, 0.15, 0.55, 0.4, 0.8, 0.18) | _line(c, 0.4, 0.8, 0.88, 0.2, 0.18), (90, 230, 90))
    elif name == "dropdown":
        c.fill(c.triangle((0.5, 0.75), (0.2, 0.3), (0.8, 0.3)), WHITE)
    elif name == "yes":
        icon(c, "tick")
    elif name == "no":
        c.fill(_line(c, 0.22, 0.22, 0.78, 0.78, 0.18) | _line(c, 0.78, 0.22, 0.22, 0.78, 0.18), WHITE)
    elif name == "chest":
        c.fill(c.rect(0.1, 0.3, 0.9, 0.9), (150, 95, 40)).fill(c.rect(0.1, 0.3, 0.9, 0.45), (110, 65, 25))
        c.fill(c.rect(0.42, 0.4, 0.58, 0.58), GOLD)
    elif name == "saved":
        c.fill(c.disc(0.5, 0.5, 0.34), (40, 170, 70))
        c.fill(_line(c, 0.3, 0.52, 0.45, 0.66, 0.12) | _line(c, 0.45, 0.66, 0.7, 0.36, 0.12), WHITE)
    elif name in ANSWER_GLYPH:
        answer_glyph(c, name)


ANSWER_GLYPH = ("accept", "decline", "ask", "trade", "fight", "goodbye")


def answer_glyph(c: Canvas, kind: str) -> None:
    if kind == "accept":
        c.fill(_line(c, 0.15, 0.55, 0.4, 0.8, 0.2) | _line(c, 0.4, 0.8, 0.88, 0.2, 0.2), WHITE)
    elif kind == "decline":
        c.fill(_line(c, 0.2, 0.2, 0.8, 0.8, 0.2) | _line(c, 0.8, 0.2, 0.2, 0.8, 0.2), WHITE)
    elif kind == "ask":
        c.fill(c.ring(0.5, 0.36, 0.26, 0.14) & ~((c.x < 0.5) & (c.y > 0.36)), WHITE)
        c.fill(c.rect(0.43, 0.5, 0.57, 0.66) | c.disc(0.5, 0.84, 0.08), WHITE)
    elif kind == "trade":
        icon(c, "coin")
    elif kind == "fight":
        c.fill(_line(c, 0.15, 0.15, 0.85, 0.85, 0.14) | _line(c, 0.85, 0.15, 0.15, 0.85, 0.14), METAL)
        c.fill(_line(c, 0.1, 0.7, 0.3, 0.9, 0.12) | _line(c, 0.9, 0.7, 0.7, 0.9, 0.12), (120, 60, 20))
    elif kind == "goodbye":
        c.fill(c.rect(0.12, 0.1, 0.6, 0.9), (90, 60, 40)).fill(c.rect(0.2, 0.18, 0.52, 0.9), DARK)
        c.fill(c.triangle((0.95, 0.5), (0.62, 0.25), (0.62, 0.75)), WHITE)


def pips(c: Canvas, n: str, of: str = "4") -> None:
    """Up to four coins in a 2 x 2 block: ``n`` gold, the rest dark (squares stay crisp at 8 pixels)."""
    for k, (x0, y0) in enumerate(((0.1, 0.1), (0.58, 0.1), (0.1, 0.58), (0.58, 0.58))):
        if k < int(of):
            c.fill(c.rect(x0, y0, x0 + 0.32, y0 + 0.32), GOLD if k < int(n) else (60, 50, 40))


def switch(c: Canvas, state: str, part: str) -> None:
    """A two-cell on/off switch: green with the knob right, or grey with the knob left."""
    on = state == "on"
    x = c.x + int(part)
    pill = (np.abs(c.y - 0.5) <= 0.3) & (x >= 0.12) & (x <= 1.88)
    c.fill(pill, (60, 190, 80) if on else (90, 90, 100))
    knob = (x - (1.55 if on else 0.45)) ** 2 + (c.y - 0.5) ** 2 <= 0.27 ** 2
    c.fill(knob, WHITE)


def track(c: Canvas, setting: str, state: str) -> None:
    """One cell of a slider: ``fill`` (below the level), ``knob`` (at it) or ``empty``."""
    rgb = SLIDER_COLOUR[setting]
    bar = c.rect(0.0, 0.36, 1.0, 0.64)
    c.fill(bar, (30, 34, 44))
    if state == "fill":
        c.fill(bar, rgb)
    elif state == "knob":
        c.fill(c.rect(0.0, 0.36, 0.5, 0.64), rgb)
        c.fill(c.rect(0.26, 0.1, 0.74, 0.9), WHITE).fill(c.rect(0.36, 0.2, 0.64, 0.8), rgb)


def flag(c: Canvas, lang: str, part: str) -> None:
    """A two-cell flag (cell units: x in [0, 2])."""
    x, y = c.x + int(part), c.y
    inside = (x >= 0.1) & (x <= 1.9) & (y >= 0.14) & (y <= 0.86)
    u, v = (x - 0.1) / 1.8, (y - 0.14) / 0.72  # flag coordinates in [0, 1]
    if lang == "english":
        c.fill(inside, WHITE).fill(inside & ((np.abs(u - 0.5) < 0.1) | (np.abs(v - 0.5) < 0.17)), (210, 30, 40))
    elif lang == "swedish":
        c.fill(inside, (30, 90, 190)).fill(inside & ((np.abs(u - 0.38) < 0.08) | (np.abs(v - 0.5) < 0.15)), (250, 210, 30))
    elif lang in ("french", "italian"):
        left = (30, 60, 170) if lang == "french" else (30, 150, 70)
        c.fill(inside & (u < 1 / 3), left).fill(inside & (u >= 1 / 3) & (u < 2 / 3), WHITE)
        c.fill(inside & (u >= 2 / 3), (210, 30, 40))
    elif lang == "german":
        c.fill(inside & (v < 1 / 3), DARK).fill(inside & (v >= 1 / 3) & (v < 2 / 3), (210, 30, 40))
        c.fill(inside & (v >= 2 / 3), (250, 200, 30))
    elif lang == "spanish":
        c.fill(inside, (200, 30, 30)).fill(inside & (v >= 0.25) & (v < 0.75), (250, 200, 30))


def badge(c: Canvas, level: str, part: str) -> None:
    """A two-cell difficulty badge: its colour plus one to four skull-white pips."""
    x, y = c.x + int(part), c.y
    rgb = DIFFICULTY_COLOUR[level]
    c.fill((x >= 0.1) & (x <= 1.9) & (y >= 0.14) & (y <= 0.86), rgb)
    n = ("easy", "normal", "hard", "expert").index(level) + 1
    for k in range(n):
        cx = 0.4 + k * 0.4
        c.fill((x - cx) ** 2 + (y - 0.5) ** 2 <= 0.14 ** 2, WHITE)


def place(c: Canvas, kind: str) -> None:
    if kind == "lake":
        c.fill(_ellipse(c, 0.5, 0.55, 0.44, 0.32), (40, 100, 220)).fill(c.rect(0.3, 0.5, 0.55, 0.56), (140, 190, 250))
    elif kind == "mountain":
        c.fill(c.triangle((0.5, 0.06), (0.02, 0.92), (0.98, 0.92)), (120, 110, 105))
        c.fill(c.triangle((0.5, 0.06), (0.34, 0.36), (0.66, 0.36)), WHITE)
    elif kind == "castle":
        c.fill(c.rect(0.12, 0.4, 0.88, 0.94) | c.rect(0.12, 0.22, 0.3, 0.4) | c.rect(0.7, 0.22, 0.88, 0.4), (175, 175, 185))
        c.fill(c.rect(0.42, 0.62, 0.58, 0.94), DARK).fill(c.rect(0.46, 0.04, 0.7, 0.18), (220, 40, 40))
        c.fill(c.rect(0.44, 0.04, 0.5, 0.4), DARK)
    elif kind == "forest":
        for cx, cy in ((0.3, 0.36), (0.7, 0.36), (0.5, 0.68)):
            c.fill(c.disc(cx, cy, 0.22), (20, 90, 35))
        c.fill(c.disc(0.3, 0.32, 0.08) | c.disc(0.7, 0.32, 0.08), (60, 140, 60))
    elif kind == "village":
        for x0 in (0.06, 0.52):
            c.fill(c.rect(x0, 0.5, x0 + 0.42, 0.92), (240, 230, 200))
            c.fill(c.triangle((x0 + 0.21, 0.18), (x0 - 0.04, 0.52), (x0 + 0.46, 0.52)), (210, 50, 40))
    elif kind == "cave":
        c.fill(_ellipse(c, 0.5, 0.85, 0.48, 0.62) & (c.y < 0.95), (130, 95, 65))
        c.fill(_ellipse(c, 0.5, 0.95, 0.22, 0.38) & (c.y < 0.95), (15, 10, 10))
    elif kind == "volcano":
        c.fill(c.triangle((0.5, 0.1), (0.0, 0.95), (1.0, 0.95)) & (c.y > 0.28), (100, 60, 45))
        c.fill(c.rect(0.36, 0.24, 0.64, 0.36), (255, 90, 20)).fill(c.disc(0.5, 0.14, 0.12), (140, 140, 140))
    elif kind == "desert":
        c.fill(_ellipse(c, 0.5, 0.6, 0.46, 0.34), (240, 210, 120))
        c.fill(_line(c, 0.2, 0.58, 0.5, 0.5, 0.06) | _line(c, 0.45, 0.72, 0.8, 0.64, 0.06), (200, 160, 70))
        c.fill(c.rect(0.7, 0.2, 0.78, 0.5) | c.rect(0.6, 0.28, 0.7, 0.34), (40, 150, 60))


NPC_LOOK: dict[str, tuple[RGB, RGB]] = {  # (hat, clothes)
    "wizard": ((130, 50, 200), (70, 60, 200)),
    "knight": ((170, 175, 190), (200, 40, 40)),
    "merchant": ((200, 150, 30), (30, 140, 80)),
    "farmer": ((240, 215, 90), (50, 90, 180)),
}


def _person(c: Canvas, npc: str, x: np.ndarray, y: np.ndarray, s: float) -> None:
    """A figure in units where the whole figure spans [0, s]^2 (s = 1 for one cell, 2 for a portrait)."""
    hat, clothes = NPC_LOOK[npc]
    u, v = x / s, y / s

    def disc(cx: float, cy: float, r: float) -> np.ndarray:
        return (u - cx) ** 2 + (v - cy) ** 2 <= r * r

    def rect(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
        return (u >= x0) & (u <= x1) & (v >= y0) & (v <= y1)

    c.fill(disc(0.5, 1.05, 0.42) & (v <= 1.0), clothes)
    c.fill(disc(0.5, 0.5, 0.24), SKIN)
    c.fill(disc(0.41, 0.5, 0.04) | disc(0.59, 0.5, 0.04), DARK)
    if npc == "wizard":
        tri = (v >= 0.02) & (v <= 0.36) & (np.abs(u - 0.5) <= (v - 0.02) * 0.9)
        c.fill(tri | rect(0.22, 0.3, 0.78, 0.38), hat)
        c.fill(disc(0.5, 0.72, 0.14) & (v > 0.62), WHITE)
    elif npc == "knight":
        c.fill(disc(0.5, 0.42, 0.28) & (v < 0.42), hat).fill(rect(0.3, 0.46, 0.7, 0.5), hat)
        c.fill(rect(0.46, 0.04, 0.54, 0.16), (220, 40, 40))
    elif npc == "merchant":
        c.fill(rect(0.26, 0.14, 0.74, 0.32), hat).fill(rect(0.16, 0.28, 0.84, 0.34), hat)
        c.fill(disc(0.8, 0.84, 0.1), (250, 205, 40))
    elif npc == "farmer":
        c.fill(rect(0.1, 0.28, 0.9, 0.34) | (disc(0.5, 0.3, 0.2) & (v < 0.3)), hat)
        c.fill(rect(0.3, 0.78, 0.36, 1.0) | rect(0.64, 0.78, 0.7, 1.0), (40, 60, 130))


def npc(c: Canvas, kind: str) -> None:
    _person(c, kind, c.x, c.y, 1.0)


def portrait(c: Canvas, kind: str, col: str, row: str) -> None:
    x, y = c.x + int(col), c.y + int(row)
    frame = (x < 0.06) | (x > 1.94) | (y < 0.06) | (y > 1.94)
    c.fill(np.ones_like(frame), (40, 24, 60))
    _person(c, kind, x, y, 2.0)
    c.fill(frame, GOLD)


def player(c: Canvas) -> None:
    c.fill(c.disc(0.5, 1.05, 0.42) & (c.y <= 1.0), (255, 110, 220))
    c.fill(c.disc(0.5, 0.5, 0.24), SKIN).fill(c.disc(0.5, 0.34, 0.22) & (c.y < 0.36), (90, 50, 20))


def scenery(c: Canvas, kind: str) -> None:
    if kind == "tree":
        c.fill(c.rect(0.42, 0.55, 0.58, 1.0), (110, 70, 35)).fill(c.disc(0.5, 0.38, 0.34), (30, 120, 45))
    elif kind == "cloud":
        c.fill(c.disc(0.35, 0.55, 0.2) | c.disc(0.6, 0.45, 0.26) | c.rect(0.2, 0.55, 0.85, 0.72), WHITE)
    elif kind == "hill":
        c.fill(c.disc(0.5, 1.2, 0.7), (70, 140, 60))


def logo(c: Canvas, col: str, row: str) -> None:
    """The game's banner across six cells by two on the main menu."""
    x, y = c.x + int(col), c.y + int(row)
    banner = (x >= 0.1) & (x <= 5.9) & (y >= 0.25) & (y <= 1.75)
    c.fill(banner, (160, 30, 40)).fill(banner & ((y < 0.4) | (y > 1.6)), GOLD)
    crown = (y >= 0.55) & (y <= 1.4) & (np.abs(x - 3.0) <= 0.9)
    spikes = (y >= 0.5) & (y < 0.95) & (np.abs(((x - 2.1) % 0.6) - 0.3) > (y - 0.5) * 0.65 + 0.04)
    c.fill(crown & ~spikes, GOLD)
    c.fill(((x - 1.2) ** 2 + (y - 1.0) ** 2 <= 0.16) | ((x - 4.8) ** 2 + (y - 1.0) ** 2 <= 0.16), (250, 230, 200))


def button(c: Canvas, part: str) -> None:
    """A main-menu button body: rounded ends on cells 0 and 3, a pale label stripe."""
    x, y = c.x + int(part), c.y
    outside = (y < 0.1) | (y > 0.9) | (x < 0.06) | (x > 3.94)
    c.fill(outside, SCREEN_COLOUR["main"])
    if 1 <= int(part) <= 2:
        c.fill((y > 0.42) & (y < 0.58) & (x > 1.15) & (x < 2.85), (255, 255, 255))


def bubble(c: Canvas, col: str, row: str) -> None:
    """The speech bubble beside the portrait (six cells by two)."""
    x, y = c.x + int(col), c.y + int(row)
    body = (x >= 0.2) & (x <= 5.9) & (y >= 0.15) & (y <= 1.85)
    tail = (x < 0.2) & (x >= 0.0) & (np.abs(y - 1.0) < (0.2 - x) * 1.5)
    c.fill(body | tail, WHITE)
    for k, (x0, x1) in enumerate(((1.6, 5.5), (1.6, 4.6), (1.6, 5.0))):
        c.fill((x >= x0) & (x <= x1) & (np.abs(y - (0.5 + k * 0.45)) < 0.08), (110, 110, 120))
    c.fill(((x - 0.9) ** 2 + (y - 1.0) ** 2) <= 0.35 ** 2, (230, 200, 120))  # a quest scroll
    c.fill(((x - 0.9) ** 2 + (y - 1.0) ** 2) <= 0.12 ** 2, (200, 40, 40))


def frame(c: Canvas, part: str, n: str) -> None:
    """A white outline around an element ``n`` cells wide (the keyboard focus)."""
    x, y, n_ = c.x + int(part), c.y, int(n)
    outer = (x >= 0.04) & (x <= n_ - 0.04) & (y >= 0.06) & (y <= 0.94)
    inner = (x >= 0.2) & (x <= n_ - 0.2) & (y >= 0.22) & (y <= 0.78)
    c.fill(outer & ~inner, WHITE)


def label(c: Canvas, part: str, n: str) -> None:
    """A pale stripe standing for a line of text across an element ``n`` cells wide."""
    x = c.x + int(part)
    c.fill((np.abs(c.y - 0.5) < 0.1) & (x > 0.3) & (x < int(n) - 1.2), (255, 255, 255))


LAYERS: dict[str, Callable[..., None]] = {
    "item": item, "ghost": ghost, "icon": icon, "pips": pips, "switch": switch, "track": track, "flag": flag,
    "badge": badge, "place": place, "npc": npc, "portrait": portrait, "player": lambda c: player(c),
    "scenery": scenery, "logo": logo, "button": button, "bubble": bubble, "frame": frame, "label": label, "answer": answer_glyph,
}


def paint(key: tuple[str, ...], size: int) -> np.ndarray:
    """The pixels of one cell: background ``key[0]`` under layers ``key[1:]``."""
    c = Canvas(size)
    BACKGROUNDS[key[0]](c)
    for layer in key[1:]:
        name, *args = layer.split(":")
        LAYERS[name](c, *args)
    return c.pixels
