"""GameUI's layout parameters (validated from task files) and its random generator.

Every seed shuffles what a player has to read off the screen: which items are
in the bag and the chest and in which slots, the current settings and where
each control sits, the shop's stock and prices, where places lie on the map,
who stands in the village and the order of their answers, and the order of
the main menu's buttons.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from pydantic import Field, model_validator

from simagym.world import LayoutParams, Selector

from .things import (
    ANSWER_OF_INTENT, ANSWERS, DEFAULTS, DROPDOWNS, EQUIP_SLOTS, EQUIPPABLE, FOOD, ITEMS, LEVELS, MAIN_BUTTONS, NPCS,
    PLACES, POTION_COLOURS, PRICE, RECIPES, SETTINGS, SLIDERS, SLOT_OF, TOGGLES, WEAPONS, sell_value, setting_state,
)

BAG_SIZE, CHEST_SIZE, CRAFT_SIZE = 18, 12, 3
MAP_COLS, MAP_ROWS = 8, 7  # the map fills rows 1..7 of the screen
Screen = Literal["game", "main", "settings", "inventory", "crafting", "shop", "map", "dialogue", "quit", "title"]
ItemKind = Literal[ITEMS]  # type: ignore[valid-type]


#: Layout parameters added for catalogue v2 (their defaults keep every v1 layout as it was).
LATER_PARAMS = ("markers_on_places", "shuffle_quit", "look_alikes")


class GameUILayout(LayoutParams):
    added_later = LATER_PARAMS  # not in the layout data while at their defaults (see LayoutParams)

    start: tuple[Screen, ...] = Field(("main",), min_length=1, description="start screen, drawn at random")
    opened_from: tuple[Literal["game", "main"], ...] = Field(("main",), min_length=1,
                                                             description="where Esc goes back to from the start screen")
    dropdown_open: bool = Field(False, description="start the settings screen with a drop-down list open")
    bag_items: int = Field(6, ge=0, le=12, description="random items in the bag")
    chest_items: int = Field(3, ge=0, le=10, description="random items in the chest")
    bag: tuple[ItemKind, ...] = Field((), description="items always in the bag (at random slots)")
    look_alikes: int = Field(0, ge=0, le=3, description="next to each item an instruction names, this many of its "
                                                        "look-alikes (other potions, foods, weapons or gear; never one it names)")
    chest: tuple[ItemKind, ...] = ()
    equipped: int = Field(1, ge=0, le=4, description="equipment slots already filled (never with a target)")
    targets_in: Literal["bag", "chest", "shop", "equipped", "recipe"] = Field(
        "bag", description="where the items an instruction names are: a container, the shop, or a recipe to craft")
    coins: tuple[int, int] = (4, 14)
    afford: bool = Field(True, description="whether the coins already pay for the items named (else sell first)")
    stock: int = Field(5, ge=2, le=6, description="items for sale")
    places: int = Field(5, ge=3, le=8, description="named places on the map")
    markers: int = Field(0, ge=0, le=3, description="markers already on the map, never on a named target")
    mark_targets: bool = Field(False, description="the named places already carry a marker")
    markers_on_places: bool = Field(False, description="the markers already on the map sit on unnamed places only "
                                                       "(never on empty ground), so several places look marked")
    npcs: int = Field(3, ge=1, le=4, description="characters in the village")
    answers: tuple[int, int] = (2, 4)
    slider_start: Literal["any", "low", "high"] = "any"
    recipes: int = Field(3, ge=1, le=3, description="recipes shown in the crafting book")
    shuffle_quit: bool = Field(False, description="the quit box's yes and no buttons trade places in half the layouts")

    @model_validator(mode="after")
    def _ranges(self) -> "GameUILayout":
        lo, hi = self.coins
        if not 0 <= lo <= hi <= 24:
            raise ValueError(f"coins must be a range within 0..24, got {self.coins}")
        lo, hi = self.answers
        if not 2 <= lo <= hi <= 4:
            raise ValueError(f"answers must be a range within 2..4, got {self.answers}")
        if len(self.bag) + self.bag_items > BAG_SIZE - 4 or len(self.chest) + self.chest_items > CHEST_SIZE:
            raise ValueError("too many items for the bag (14) or the chest (12)")
        return self


@dataclass
class ItemSpec:
    kind: str
    colour: str | None
    where: str  # bag | chest | equip | stock
    slot: int | str | None = None
    price: int = 0


class Draws:
    """A fixed slice of uniform numbers drawn from the episode's generator,
    spent in Python. Each part of a layout (items, settings, map, village,
    screens) owns one slice, so a part comes out the same whenever it is first
    needed; a slice that runs out continues from a generator it seeds itself."""

    def __init__(self, u: list[float]) -> None:
        self.u = u
        self.i = -1

    def random(self) -> float:
        self.i += 1
        try:
            return self.u[self.i]
        except IndexError:
            more = np.random.default_rng(int(self.u[0] * 2**53) + len(self.u)).random(len(self.u))
            self.u = self.u + more.tolist()
            return self.u[self.i]

    def below(self, n: int) -> int:
        """An integer in [0, n) (u < 1 so u * n < n exactly in floating point)."""
        return int(self.random() * n)

    def between(self, lo: int, hi: int) -> int:
        """An integer in [lo, hi]."""
        return lo + int(self.random() * (hi - lo + 1))

    def pick(self, seq):
        return seq[int(self.random() * len(seq))]

    def take(self, pool: list):
        """Remove and return a random element of ``pool``."""
        return pool.pop(int(self.random() * len(pool)))

    def shuffled(self, seq, k: int | None = None) -> list:
        """A random ordering of ``seq`` (its first ``k`` items only, if given)."""
        out = list(seq)
        n = len(out)
        k = n if k is None else min(k, n)
        for i in range(k):
            j = i + int(self.random() * (n - i))
            out[i], out[j] = out[j], out[i]
        return out[:k]


PARTS = ("screens", "items", "settings", "map", "village")
SLICE = 96  # uniforms per part


def draws(rng: np.random.Generator) -> dict[str, Draws]:
    """One batch from the episode's generator, cut into one slice per part."""
    u = rng.random(SLICE * len(PARTS)).tolist()
    return {part: Draws(u[i * SLICE: (i + 1) * SLICE]) for i, part in enumerate(PARTS)}


def _kinds(required: list[Selector]) -> list[str | None]:
    return [str(s["kind"]) if s.get("kind") is not None else None for s in required]


def _state_part(sel: Selector) -> dict[str, Any]:
    return {k: v for k, v in sel.items() if k not in ("kind", "colour")}


# --- items: bag, chest, equipment, shop, coins, recipes ------------------------------------------
FITS = {slot: [k for k in ITEMS if SLOT_OF.get(k) == slot] for slot in EQUIP_SLOTS}
#: What an item can be mistaken for (``look_alikes``): the other members of its family.
GEAR = ("helmet", "armour", "shield")
FAMILY: dict[str, tuple[str, ...]] = {
    **{k: WEAPONS for k in WEAPONS}, **{k: FOOD for k in FOOD}, **{k: GEAR for k in GEAR}, "potion": ("potion",),
}
@dataclass
class Items:
    items: list[ItemSpec]
    coins: int
    recipes: list[str]


def gen_items(d: Draws, p: GameUILayout, required: list[Selector]) -> Items:
    item_sels = [s for s, k in zip(required, _kinds(required)) if k in ITEMS]
    excluded = {str(s["kind"]) for s in item_sels}
    items: list[ItemSpec] = []
    bag_free = list(range(BAG_SIZE))
    chest_free = list(range(CHEST_SIZE))
    fillers = [k for k in ITEMS if k not in excluded]

    def colour_for(kind: str, sel: Selector | None = None) -> str | None:
        if kind != "potion":
            return None
        if sel is not None and "colour" in sel:
            return str(sel["colour"])
        return d.pick(POTION_COLOURS)

    def put(kind: str, where: str, sel: Selector | None = None) -> None:
        free = bag_free if where == "bag" else chest_free
        items.append(ItemSpec(kind, colour_for(kind, sel), where, d.take(free)))

    targets_in = p.targets_in
    recipes_needed: list[str] = []
    stock_targets: list[ItemSpec] = []
    equip_taken: set[str] = set()
    for sel in item_sels:
        kind = str(sel["kind"])
        if targets_in == "recipe" and kind in RECIPES:
            recipes_needed.append(kind)
            for ingredient in RECIPES[kind]:
                put(ingredient, "bag")
        elif targets_in == "shop":
            stock_targets.append(ItemSpec(kind, colour_for(kind, sel), "stock"))
        elif targets_in == "equipped" and kind in EQUIPPABLE and SLOT_OF[kind] not in equip_taken:
            equip_taken.add(SLOT_OF[kind])
            items.append(ItemSpec(kind, colour_for(kind, sel), "equip", SLOT_OF[kind]))
        else:
            put(kind, "chest" if targets_in == "chest" else "bag", sel)
    if p.look_alikes:
        named = {(str(s["kind"]), s.get("colour")) for s in item_sels}
        for sel in item_sels:
            kind = str(sel["kind"])
            where = "chest" if targets_in == "chest" else "bag"
            if targets_in not in ("bag", "chest") or kind not in FAMILY:
                continue
            if kind == "potion":
                pool = [("potion", c) for c in POTION_COLOURS if ("potion", c) not in named]
            else:
                pool = [(k, None) for k in FAMILY[kind] if k not in excluded]
            for k, c in d.shuffled(pool, p.look_alikes):
                items.append(ItemSpec(k, c, where, d.take(bag_free if where == "bag" else chest_free)))
    for kind in p.bag:
        put(kind, "bag")
    for kind in p.chest:
        put(kind, "chest")
    open_slots = [s for s in EQUIP_SLOTS if s not in equip_taken]
    for slot in d.shuffled(open_slots, p.equipped):
        options = [k for k in FITS[slot] if k not in excluded]
        if options:
            items.append(ItemSpec(d.pick(options), None, "equip", slot))
    for _ in range(p.bag_items):
        put(d.pick(fillers), "bag")
    for _ in range(min(p.chest_items, len(chest_free))):
        put(d.pick(fillers), "chest")

    for_sale = [k for k in fillers if k != "potion"]
    stock = stock_targets + [ItemSpec(k, None, "stock") for k in d.shuffled(for_sale, p.stock - len(stock_targets))]
    stock = d.shuffled(stock)
    for s in stock:
        s.price = min(5, max(1, PRICE[s.kind] - 1 + d.below(3)))
    items += stock
    coins = d.between(*p.coins)
    need = sum(s.price for s in stock_targets)
    if stock_targets and p.afford:
        coins = max(coins, need)
    elif stock_targets:
        coins = d.between(max(0, need - 3), need - 1)
        value = sum(sell_value(i.kind) for i in items if i.where == "bag")
        while value < need - coins and bag_free:
            richest = max(fillers, key=lambda k: (sell_value(k), k))
            put(richest, "bag")
            value += sell_value(richest)

    shown = list(dict.fromkeys(recipes_needed))
    shown += d.shuffled([r for r in RECIPES if r not in shown], max(0, p.recipes - len(shown)))
    return Items(items, coins, d.shuffled(shown))


# --- settings: values and where each control sits --------------------------------------------------
@dataclass
class Settings:
    values: dict[str, Any]
    slider_rows: list[str]
    toggle_spots: list[str]
    dropdown_spots: list[str]


def gen_settings(d: Draws, p: GameUILayout, required: list[Selector]) -> Settings:
    values: dict[str, Any] = {}
    low, high = {"any": (0, LEVELS - 1), "low": (0, 2), "high": (2, LEVELS - 1)}[p.slider_start]
    for kind in SLIDERS:
        values[kind] = d.between(low, high)
    for kind in TOGGLES:
        values[kind] = d.random() < 0.5
    for kind, options in DROPDOWNS.items():
        values[kind] = d.pick(options)
    for sel, kind in zip(required, _kinds(required)):
        if kind not in SETTINGS or not _state_part(sel):
            continue
        # The instruction asks for a change: never start where it wants to end.
        want = _state_part(sel)
        options = list(range(LEVELS)) if kind in SLIDERS else [False, True] if kind in TOGGLES else list(DROPDOWNS[kind])
        ok = [v for v in options if not all(setting_state(kind, v).get(k) == x for k, x in want.items())]
        if kind in SLIDERS:
            ok = [v for v in ok if low <= v <= high] or ok
        if ok and values[kind] not in ok:
            values[kind] = d.pick(ok)
    if all(values[k] == DEFAULTS[k] for k in SETTINGS):
        values["brightness"] = (DEFAULTS["brightness"] + 1) % LEVELS
    dropdown_spots = list(DROPDOWNS) if d.random() < 0.5 else list(DROPDOWNS)[::-1]
    return Settings(values, d.shuffled(SLIDERS), d.shuffled(TOGGLES), dropdown_spots)


# --- the map ---------------------------------------------------------------------------------
TERRAINS = [np.random.default_rng(1000 + k).integers(0, 3, (MAP_ROWS, MAP_COLS)).tolist() for k in range(16)]
MAP_CELLS = [(c, r) for r in range(1, 1 + MAP_ROWS) for c in range(MAP_COLS)]
NEAR = {(c, r): {(c + dc, r + dr) for dc in (-1, 0, 1) for dr in (-1, 0, 1)} for c, r in MAP_CELLS}


@dataclass
class Map:
    places: list[tuple[str, tuple[int, int]]]
    player_cell: tuple[int, int]
    markers: list[tuple[int, int]]
    terrain: int  # which of the TERRAINS patterns


def gen_map(d: Draws, p: GameUILayout, required: list[Selector]) -> Map:
    named = list(dict.fromkeys(k for k in _kinds(required) if k in PLACES))
    others = d.shuffled([k for k in PLACES if k not in named])
    place_kinds = named + others[: max(0, p.places - len(named))]
    places: list[tuple[str, tuple[int, int]]] = []
    free = list(MAP_CELLS)  # places keep a cell between them, so a click never hits two
    for kind in place_kinds:
        cell = free[d.below(len(free))]
        places.append((kind, cell))
        near = NEAR[cell]
        free = [c for c in free if c not in near]
    taken = {c for _, c in places}
    empty = [c for c in MAP_CELLS if c not in taken]
    player_cell = d.take(empty)
    markers = [cell for kind, cell in places if kind in named] if p.mark_targets else []
    spare = [cell for kind, cell in places if kind not in named]
    if not p.markers_on_places:
        spare += empty
    markers += d.shuffled(spare, p.markers)
    return Map(places, player_cell, markers, d.below(len(TERRAINS)))


# --- the village and its dialogues ---------------------------------------------------------------
@dataclass
class Village:
    npcs: list[tuple[str, tuple[int, int], list[str]]]
    scenery: list[tuple[str, tuple[int, int]]]
    you: tuple[int, int]
    speaker: int


def gen_village(d: Draws, p: GameUILayout, required: list[Selector]) -> Village:
    kinds = _kinds(required)
    wanted = list(dict.fromkeys(k for k in kinds if k in NPCS))
    more = d.shuffled([k for k in NPCS if k not in wanted], max(0, p.npcs - len(wanted)))
    npc_kinds = d.shuffled(wanted + more)
    speaker = npc_kinds.index(wanted[0]) if wanted else d.below(len(npc_kinds))
    intents = [ANSWER_OF_INTENT.get(s.get("intent")) for s in required]  # {intent: ...} names an answer too
    needed = list(dict.fromkeys(k for k in (*kinds, *intents) if k in ANSWERS))
    pool = [a for a in ANSWERS if a not in needed]
    cols = d.shuffled(range(8), len(npc_kinds) + 1)
    npcs = []
    for i, kind in enumerate(npc_kinds):
        size = d.between(*p.answers)
        if i == speaker:  # the one the instruction is about offers the answers it names
            answers = d.shuffled(needed + d.shuffled(pool, max(0, size - len(needed))))
        else:
            answers = d.shuffled(pool, size)
        npcs.append((kind, (cols[i], 4 + d.below(3)), answers))
    you = (cols[-1], 5)  # a column no character stands in
    ground = {c for _, c, _ in npcs} | {you}
    scenery = [("cloud", (c, 1 + d.below(2))) for c in d.shuffled(range(8), 2)]
    for c in d.shuffled(range(8), 3):
        cell = (c, 4 if d.random() < 0.5 else 7)
        if cell not in ground:
            scenery.append(("tree", cell))
            ground.add(cell)
    return Village(npcs, scenery, you, speaker)


# --- screens --------------------------------------------------------------------------------------
@dataclass
class Screens:
    main_order: list[str]
    start: str | None
    return_to: str | None
    dropdown: str | None
    quit_swapped: bool = False


def gen_screens(d: Draws, p: GameUILayout) -> Screens:
    main_order = d.shuffled(MAIN_BUTTONS)
    start = d.pick(p.start)
    return_to = None if d.pick(p.opened_from) == "game" else "main"
    dropdown = d.pick(list(DROPDOWNS)) if start == "settings" and p.dropdown_open else None
    quit_swapped = p.shuffle_quit and d.random() < 0.5  # drawn last: layouts without it keep their draws
    return Screens(main_order, None if start == "game" else start,
                   return_to if start not in ("game", "main", "dialogue", "title") else None, dropdown, quit_swapped)


__all__ = ["GameUILayout", "ItemSpec", "Draws", "draws", "gen_items", "gen_settings", "gen_map", "gen_village",
           "gen_screens", "BAG_SIZE", "CHEST_SIZE", "CRAFT_SIZE"]
