"""GameUI's pixels: each screen is described as 64 cell keys (interned ints),
mapped to atlas tiles with one numpy lookup, and redrawn only where cells
changed since the last frame - so a tick that changes nothing costs one copy
plus the cursor, and a toggle flipped redraws two cells.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Callable

import numpy as np

from simagym.art import blit, draw_cursor

from . import screens as S
from .atlas import atlas, key
from .inventory import recipe_ready
from .layout import TERRAINS
from .things import DROPDOWNS, RECIPES, sell_value

if TYPE_CHECKING:
    from .world import GameUIWorld

MAIN_ICON = {"continue": "play", "settings": "gear", "inventory": "bag", "crafting": "hammer", "shop": "coin",
             "map": "map", "save": "floppy", "quit": "door"}
TAB_ICON = {"inventory": "bag", "crafting": "hammer", "map": "map"}
N = S.GRID * S.GRID


def _at(col: int, row: int) -> int:
    return row * S.GRID + col


BAG_AT = tuple(_at(*S.bag_cell(i)) for i in range(18))
CHEST_AT = tuple(_at(*S.chest_cell(i)) for i in range(12))
SHOP_BAG_AT = tuple(_at(*S.shop_bag_cell(i)) for i in range(18))


@lru_cache(maxsize=None)
def _k(*parts: str) -> int:
    return key(*parts)


@lru_cache(maxsize=None)
def _slot(bg: str, icon: str | None) -> int:
    return key(bg, icon) if icon else key(bg)


def _icon(thing, hidden=None) -> str | None:
    return thing.icon if thing is not None and thing is not hidden else None


@lru_cache(maxsize=None)
def _tabs(active: str) -> tuple[int, ...]:
    """Row 0 of a tabbed screen."""
    row = [key(f"tab_on:{active}" if name == active else "tab_off", f"icon:{TAB_ICON[name]}") for name in S.TAB_CELL]
    return (*row, *[key(f"header:{active}")] * 4, key(f"header:{active}", "icon:close"))


# --- game view ----------------------------------------------------------------------------
def keys_game(w: "GameUIWorld") -> list[int]:
    found = w._static_keys.get("game")
    if found is None:
        g = [key("hud")] * 8 + [key("game")] * 24 + [key("ground")] * 32
        for (c, r), name in S.HUD.items():
            g[_at(c, r)] = key("hud", f"icon:{'menu' if name == 'main' else MAIN_ICON[name]}")
        for c in (1, 2, 3):
            g[c] = key("hud", "icon:heart")
        for (c, r), kind in w.scenery.items():
            g[_at(c, r)] = key("game" if r < 4 else "ground", f"scenery:{kind}")
        for (c, r), i in w.npc_at.items():
            g[_at(c, r)] = key("ground", f"npc:{w.npcs[i].kind}")
        g[_at(*w.you)] = key("ground", "player")
        found = w._static_keys["game"] = g
    return found


# --- main menu ----------------------------------------------------------------------------
@lru_cache(maxsize=None)
def _main_base() -> tuple[int, ...]:
    g = [key("main")] * N
    for i in range(6):
        for j in range(2):
            g[_at(1 + i, j)] = key("main", f"logo:{i}:{j}")
    g[56:64] = [key("ground")] * 8
    g[_at(2, 7)] = key("ground", "player")
    g[_at(5, 7)] = key("ground", "scenery:tree")
    return tuple(g)


@lru_cache(maxsize=None)
def _button(name: str, focused: bool, saved: bool) -> tuple[int, ...]:
    glyph = "icon:saved" if name == "save" and saved else f"icon:{MAIN_ICON[name]}"
    return tuple(key(f"btn:{name}", f"button:{i}", *([glyph] if i == 0 else []), *([f"frame:{i}:4"] if focused else []))
                 for i in range(4))


def keys_main(w: "GameUIWorld") -> list[int]:
    g = list(_main_base())
    for k, name in enumerate(w.main_order):
        i = _at(*S.main_slot(k))
        g[i: i + 4] = _button(name, k == w.focus, w.saved)
    return g


# --- settings -----------------------------------------------------------------------------
def _value(kind: str, value: str, part: int) -> str:
    return f"flag:{value}:{part}" if kind == "language" else f"badge:{value}:{part}"


@lru_cache(maxsize=None)
def _settings_base() -> tuple[int, ...]:
    g = [key("settings")] * N
    g[0:8] = [key("header:settings", "icon:gear")] + [key("header:settings")] * 6 + [key("header:settings", "icon:close")]
    g[_at(*S.BACK_CELLS[0])], g[_at(*S.BACK_CELLS[1])] = key("settings:button", "icon:back"), key("settings:button")
    g[_at(*S.RESET_CELLS[0])], g[_at(*S.RESET_CELLS[1])] = key("settings:button", "icon:reset"), key("settings:button")
    return tuple(g)


@lru_cache(maxsize=None)
def _dropdown(kind: str, value: str) -> tuple[int, ...]:
    return (key("settings:row", f"icon:{kind}"), key("settings:row", _value(kind, value, 0)),
            key("settings:row", _value(kind, value, 1)), key("settings:row", "icon:dropdown"))


@lru_cache(maxsize=None)
def _toggle(kind: str, on: bool) -> tuple[int, ...]:
    state = "on" if on else "off"
    return (key("settings:row", f"icon:{kind}"), key("settings:row", f"switch:{state}:0"),
            key("settings:row", f"switch:{state}:1"), key("settings:row"))


@lru_cache(maxsize=None)
def _slider(kind: str, level: int) -> tuple[int, ...]:
    track = tuple(key("settings:row", f"track:{kind}:{'fill' if k < level else 'knob' if k == level else 'empty'}")
                  for k in range(5))
    return (key("settings:row", f"icon:{kind}"), key("settings:button", "icon:minus"), *track,
            key("settings:button", "icon:plus"))


@lru_cache(maxsize=None)
def _option(kind: str, value: str, focused: bool, current: bool) -> tuple[int, ...]:
    bg = "settings:listsel" if focused else "settings:list"
    return (key(bg, _value(kind, value, 0)), key(bg, _value(kind, value, 1)), key(bg, "icon:tick") if current else key(bg))


def keys_settings(w: "GameUIWorld") -> list[int]:
    g = list(_settings_base())
    settings = w.settings
    for spot, kind in enumerate(w.dropdown_spots):
        i = _at(S.SPOT_COL0[spot], S.DROPDOWN_ROW)
        g[i: i + 4] = _dropdown(kind, settings[kind].state["value"])
    for (c0, r), kind in zip(S.TOGGLE_SPOTS, w.toggle_spots):
        i = _at(c0, r)
        g[i: i + 4] = _toggle(kind, settings[kind].state["enabled"])
    for k, kind in enumerate(w.slider_rows):
        i = _at(0, S.SLIDER_ROW0 + k)
        g[i: i + 8] = _slider(kind, settings[kind].state["level"])
    if w.dropdown is not None:
        spot = w.dropdown_spots.index(w.dropdown)
        current = settings[w.dropdown].state["value"]
        for k, value in enumerate(DROPDOWNS[w.dropdown]):
            i = _at(*S.option_cell(spot, k))
            g[i: i + 3] = _option(w.dropdown, value, k == w.option_focus, value == current)
    return g


# --- inventory and crafting ---------------------------------------------------------------
@lru_cache(maxsize=None)
def _inventory_base() -> tuple[int, ...]:
    g = [key("inventory")] * N
    g[0:8] = _tabs("inventory")
    g[_at(*S.BAG_LABEL)] = key("inventory", "icon:bag")
    g[_at(*S.CHEST_LABEL)] = key("inventory", "icon:chest")
    g[_at(*S.DROP_CELL)] = key("slot:drop", "icon:drop")
    return tuple(g)


EQUIP_AT = tuple((slot, _at(*cell), f"ghost:{slot}") for slot, cell in S.EQUIP_CELL.items())


def keys_inventory(w: "GameUIWorld") -> list[int]:
    g = list(_inventory_base())
    hidden = w.drag[0] if w.drag is not None else None
    for slot, i, ghost in EQUIP_AT:
        g[i] = _slot("slot:equip", _icon(w.equip[slot], hidden) or ghost)
    for i, t in zip(BAG_AT, w.bag):
        g[i] = _slot("slot:inventory", _icon(t, hidden))
    for i, t in zip(CHEST_AT, w.chest):
        g[i] = _slot("slot:chest", _icon(t, hidden))
    return g


@lru_cache(maxsize=None)
def _crafting_base(recipes: tuple[str, ...]) -> tuple[int, ...]:
    g = [key("crafting")] * N
    g[0:8] = _tabs("crafting")
    g[_at(*S.BAG_LABEL)] = key("crafting", "icon:bag")
    g[_at(*S.HAMMER_LABEL)] = key("crafting", "icon:hammer")
    g[_at(*S.ARROW_CELL)] = key("crafting", "icon:arrow")
    g[_at(*S.CRAFT_CELL)] = key("slot:craftbtn", "icon:hammer")
    for k, result in enumerate(recipes):
        a, b = RECIPES[result]
        i = _at(2, S.RECIPE_ROW0 + k)
        g[i: i + 4] = [key("recipe", f"item:{result}"), key("recipe", "icon:equals"), key("recipe", f"item:{a}"),
                       key("recipe", f"item:{b}")]
    return tuple(g)


INGREDIENT_AT = tuple(_at(*cell) for cell in S.INGREDIENT_CELLS)


def keys_crafting(w: "GameUIWorld") -> list[int]:
    g = list(_crafting_base(tuple(w.recipes)))
    for i, t in zip(BAG_AT, w.bag):
        g[i] = _slot("slot:crafting", _icon(t))
    for i, t in zip(INGREDIENT_AT, w.craft):
        g[i] = _slot("slot:ingredient", _icon(t))
    ready = recipe_ready(w)
    g[_at(*S.RESULT_CELL)] = _slot("slot:result", f"item:{ready}" if ready else None)
    return g


# --- shop ---------------------------------------------------------------------------------
@lru_cache(maxsize=None)
def _pips(bg: str, n: int, of: int = 0) -> int:
    """``n`` gold coins (of ``of`` places, dark ones included; just the coins when 0)."""
    return key(bg, f"pips:{n}:{of or n}") if n > 0 or of else key(bg)


@lru_cache(maxsize=None)
def _shop_base() -> tuple[int, ...]:
    g = [key("shop")] * N
    g[0], g[7] = key("header:shop", "icon:coin"), key("header:shop", "icon:close")
    g[56:59] = [key("buy", "icon:coin"), key("buy", "icon:arrow"), key("buy", "icon:bag")]
    g[61:64] = [key("sell", "icon:bag"), key("sell", "icon:arrow"), key("sell", "icon:coin")]
    return tuple(g)


@lru_cache(maxsize=None)
def _coins(coins: int) -> tuple[int, ...]:
    return tuple(_pips("header:shop", min(4, max(0, coins - 4 * i)), 4) for i in range(len(S.COIN_CELLS)))


@lru_cache(maxsize=None)
def _stock_row(icon: str, price: int, selected: bool) -> tuple[int, ...]:
    bg = "stock:sel" if selected else "stock"
    return (_slot(bg, icon), _pips(bg, min(4, price)), _pips(bg, price - 4))


def keys_shop(w: "GameUIWorld") -> list[int]:
    g = list(_shop_base())
    g[1:7] = _coins(w.coins)
    sel = w.shop_sel
    for k, t in enumerate(w.stock):
        i = _at(0, S.STOCK_ROW0 + k)
        g[i: i + 3] = _stock_row(t.icon, t.state["price"], sel == ("stock", k))
    for k, (i, t) in enumerate(zip(SHOP_BAG_AT, w.bag)):
        g[i] = _slot("sel:shop" if sel == ("bag", k) else "slot:shop", _icon(t))
    if sel is not None and sel[0] == "bag":
        value = sell_value(w.bag[sel[1]].kind)
        g[_at(*S.SELL_VALUE_CELLS[0])] = _pips("shop", min(4, value))
        g[_at(*S.SELL_VALUE_CELLS[1])] = _pips("shop", value - 4)
    return g


# --- map ----------------------------------------------------------------------------------
@lru_cache(maxsize=None)
def _map_cell(terrain: int, place: str | None, you: bool, pin: bool) -> int:
    return key(f"map{terrain}", *([f"place:{place}"] if place else []), *(["icon:you"] if you else []),
               *(["icon:pin"] if pin else []))


@lru_cache(maxsize=None)
def _map_base(terrain: int) -> tuple[int, ...]:
    g = list(_tabs("map"))
    g[_at(*S.TRAVEL_CELL)] = key("header:map", "icon:travel")
    return (*g, *(_map_cell(v, None, False, False) for row in TERRAINS[terrain] for v in row))


def keys_map(w: "GameUIWorld") -> list[int]:
    """The terrain, then places, the player and markers over it."""
    g = list(_map_base(w.terrain))
    terrain = TERRAINS[w.terrain]
    you, markers, place_at = w.player_cell, w.markers, w.place_at
    for cell in (*place_at, you, *markers):
        place = place_at.get(cell)
        g[_at(*cell)] = _map_cell(terrain[cell[1] - 1][cell[0]], place.kind if place is not None else None,
                                  cell == you, cell in markers)
    return g


# --- dialogue, quit box, title ----------------------------------------------------------------
@lru_cache(maxsize=None)
def _dialogue_base(npc: str) -> tuple[int, ...]:
    g = [key("dialogue")] * N
    for i in range(2):
        for j in range(2):
            g[_at(i, j)] = key("dialogue", f"portrait:{npc}:{i}:{j}")
    for i in range(6):
        for j in range(2):
            g[_at(2 + i, j)] = key("bubble", f"bubble:{i}:{j}")
    return tuple(g)


@lru_cache(maxsize=None)
def _answer(kind: str, focused: bool) -> tuple[int, ...]:
    bg = f"ans:{kind}"
    return (key("dialogue", "icon:focus") if focused else key("dialogue"), key(bg, f"answer:{kind}"),
            *(key(bg, f"label:{i}:6") for i in range(6)))


def keys_dialogue(w: "GameUIWorld") -> list[int]:
    g = list(_dialogue_base(w.npcs[w.talking].kind))
    for k, answer in enumerate(w.answers[w.talking]):
        i = _at(0, S.ANSWER_ROW0 + k)
        g[i: i + 8] = _answer(answer.kind, k == w.answer_focus)
    return g


@lru_cache(maxsize=None)
def _quit_base(swapped: bool = False) -> tuple[int, ...]:
    g = [key("quit")] * N
    for r in range(2, 6):
        g[_at(1, r): _at(7, r)] = [key("box")] * 6
    g[_at(3, 2)], g[_at(4, 2)] = key("box", "icon:door"), key("box", "answer:ask")
    yes, no = (S.NO_CELLS, S.YES_CELLS) if swapped else (S.YES_CELLS, S.NO_CELLS)
    g[_at(*yes[0])], g[_at(*yes[1])] = key("btn:continue", "icon:yes"), key("btn:continue")
    g[_at(*no[0])], g[_at(*no[1])] = key("btn:quit", "icon:no"), key("btn:quit")
    return tuple(g)


@lru_cache(maxsize=None)
def _title_base() -> tuple[int, ...]:
    g = [key("title")] * N
    for i in range(6):
        for j in range(2):
            g[_at(1 + i, 1 + j)] = key("title", f"logo:{i}:{j}")
    g[_at(*S.PLAY_CELLS[0])], g[_at(*S.PLAY_CELLS[1])] = key("btn:continue", "icon:play"), key("btn:continue")
    return tuple(g)


def keys_quit(w: "GameUIWorld") -> tuple[int, ...]:
    return _quit_base(w.quit_swapped)


def keys_title(w: "GameUIWorld") -> tuple[int, ...]:
    return _title_base()


BUILDERS: dict[str | None, Callable[["GameUIWorld"], list[int] | tuple[int, ...]]] = {
    None: keys_game, "main": keys_main, "settings": keys_settings, "inventory": keys_inventory,
    "crafting": keys_crafting, "shop": keys_shop, "map": keys_map, "dialogue": keys_dialogue,
    "quit": keys_quit, "title": keys_title,
}


# --- frames ---------------------------------------------------------------------------------
_SAMPLERS: dict[tuple[int, int, int], tuple[np.ndarray, np.ndarray]] = {}


def _resample(frame: np.ndarray, height: int, width: int) -> np.ndarray:
    side = frame.shape[0]
    found = _SAMPLERS.get((side, height, width))
    if found is None:
        found = _SAMPLERS[(side, height, width)] = (
            ((np.arange(height) * side) // height)[:, None], ((np.arange(width) * side) // width)[None, :])
    return frame[found]


def _paste(frame: np.ndarray, layer: str, x: float, y: float, size: int) -> None:
    """Draw one sprite layer centred on the normalised point (x, y) (the dragged item)."""
    side = frame.shape[0]
    blit(frame, atlas(size).sprite(layer), int(x * side) - size // 2, int(y * side) - size // 2)


class _Canvas:
    """One world's frame at one size: the tiles on screen, the composed cells,
    and the last frame handed out (without the cursor)."""

    __slots__ = ("ids", "cells", "screen", "version", "out")

    def __init__(self) -> None:
        self.ids: list[int] = []
        self.cells: np.ndarray | None = None
        self.screen: object = ()
        self.version = -1
        self.out: np.ndarray | None = None


FULL_REDRAW = 16  # more changed cells than this: gather the whole grid at once


def base_frame(w: "GameUIWorld", height: int, width: int) -> np.ndarray:
    """The screen without the cursor, redrawn only where cells changed."""
    c = w._canvas.get((height, width))
    if c is None:
        c = w._canvas[(height, width)] = _Canvas()
    if c.version == w._version:
        return c.out
    t = -(-max(height, width) // S.GRID)
    cells = atlas(t)
    ids = cells.lookup(BUILDERS[w.menu_name](w))
    old = c.ids
    changed = [i for i in range(N) if ids[i] != old[i]] if c.screen == w.menu_name else None
    if changed is None or len(changed) > FULL_REDRAW:
        c.cells = cells.compose(np.array(ids, dtype=np.intp).reshape(S.GRID, S.GRID))
    else:
        tiles, frame = cells.tiles, c.cells
        for i in changed:
            r, col = divmod(i, S.GRID)
            frame[r * t: (r + 1) * t, col * t: (col + 1) * t] = tiles[ids[i]]
    c.ids, c.screen = ids, w.menu_name
    out = c.cells
    if w.drag is not None:
        out = out.copy()
        _paste(out, w.drag[0].icon, *w._cursor, t)
    if out.shape[:2] != (height, width):
        out = _resample(out, height, width)
    c.out, c.version = out, w._version
    return out


def draw(w: "GameUIWorld", height: int, width: int) -> np.ndarray:
    """The agent's view: the screen plus the cursor."""
    frame = base_frame(w, height, width).copy()
    draw_cursor(frame, *w._cursor)
    return frame
