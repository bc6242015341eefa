"""GameUI: the user-interface layer of a game, used with a visible cursor.

Screens: the game view (HUD and a village), the main (pause) menu, settings
(sliders, toggles, drop-downs), the inventory (bag, chest and equipment slots,
drag and drop), crafting, the shop, the map (markers, travel), dialogue, a quit
box and the title screen. Controls: the mouse clicks and drags on the 8 x 8
macro grid; Esc goes back (closes a drop-down, then the screen), Tab cycles
the inventory / crafting / map tabs, Enter confirms (the focused button or
answer, a purchase or sale, crafting, travel, quitting), I and M open and close
the inventory and the map, Up/Down (or W/S) move the keyboard focus, the right
button uses or equips the item under the cursor.
"""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from simagym.actions import Input
from simagym.eval.blind import Script
from simagym.world import Entity, Event, Selector, World

from . import inventory as inv
from . import screens as S
from .layout import (
    BAG_SIZE, CHEST_SIZE, CRAFT_SIZE, GameUILayout, draws, gen_items, gen_map, gen_screens, gen_settings, gen_village,
)
from .things import (
    AMOUNTS, ANSWERS, DEFAULTS, DROPDOWNS, EQUIP_SLOTS, INTENTS, ITEMS, LEVELS, NPCS, PLACES, POTION_COLOURS,
    SETTINGS, SLIDERS, TABS, TOGGLES, Thing, setting_state,
)
from .render import draw

MAX_MARKERS = 4  # older markers disappear, as in most games
FOCUS_UP, FOCUS_DOWN = ("UP", "W"), ("DOWN", "S")
# Entity ids: items count up from 0 (bought and crafted ones too); the other parts own ranges of their own.
SETTING_IDS, MAP_IDS, VILLAGE_IDS, FIXED_IDS = 100_000, 200_000, 300_000, 400_000
ITEM_SCREENS = {"inventory": inv.click_inventory, "crafting": inv.click_crafting, "shop": inv.click_shop}
LAZY: dict[str, str] = {
    **dict.fromkeys(("bag", "chest", "equip", "craft", "stock", "coins", "recipes", "_next_id"), "items"),
    **dict.fromkeys(("settings", "slider_rows", "toggle_spots", "dropdown_spots"), "settings"),
    **dict.fromkeys(("places", "place_at", "markers", "player_cell", "terrain"), "map"),
    **dict.fromkeys(("npcs", "npc_at", "answers", "scenery", "you", "speaker"), "village"),
}


class GameUIWorld(World):
    name = "gameui"
    Layout = GameUILayout
    #: What step() reports, with the roles each event carries (a role may be absent: a drop far from
    #: anything has no landmark); task files may name only these.
    event_roles = {
        "answered": frozenset({"answer", "speaker"}),
        "bought": frozenset({"item"}),
        "crafted": frozenset({"item"}),
        "decreased": frozenset({"setting"}),
        "dropped": frozenset({"item"}),
        "equipped": frozenset({"item", "slot"}),
        "increased": frozenset({"setting"}),
        "marker_placed": frozenset({"target"}),
        "marker_removed": frozenset({"target"}),
        "moved": frozenset({"item"}),
        "put_in": frozenset({"container", "item"}),
        "quit": frozenset(),
        "saved": frozenset(),
        "setting_changed": frozenset({"setting"}),
        "settings_reset": frozenset(),
        "sold": frozenset({"item"}),
        "talked": frozenset({"npc"}),
        "toggled": frozenset({"setting"}),
        "took_out": frozenset({"container", "item"}),
        "travelled": frozenset({"target"}),
        "unequipped": frozenset({"item", "slot"}),
        "used": frozenset({"item"}),
    }
    events = frozenset(event_roles)
    vocabulary = {
        "kind": frozenset((*ITEMS, *SETTINGS, *PLACES, *NPCS, *ANSWERS, "chest", "slot")),
        "colour": frozenset(POTION_COLOURS),
        "amount": frozenset(AMOUNTS),
        "value": frozenset(v for values in DROPDOWNS.values() for v in values),
        "name": frozenset(EQUIP_SLOTS),
        "intent": frozenset(INTENTS.values()),
    }
    #: Language-blind probes of this world's screens for the audit (simagym.eval.blind), next to the
    #: generic ones: the first answer, the top-left button, the first slot dragged or used, the first
    #: toggle, slider, drop-down option or shop row, both quit-box buttons... each then "done".
    blind_scripts = {
        "enter": Script(("key:ENTER",)),
        "down-enter": Script(("key:DOWN", "key:ENTER")),
        "esc-esc": Script(("key:ESC", "key:ESC")),
        "top-left": Script(("click:0,0",)),
        "first-answer": Script(("click:1,3",)),
        "last-answer": Script(("click:1,5",)),
        "main-first-button": Script(("click:1,2",)),
        "quit-box-left": Script(("click:2,4",)),
        "quit-box-right": Script(("click:4,4",)),
        "first-toggle": Script(("click:1,2",)),
        "first-slider-up": Script(("click:7,4",)),
        "first-slider-top": Script(("click:6,4",)),
        "first-slider-bottom": Script(("click:2,4",)),
        "first-dropdown-option": Script(("click:1,1", "click:1,2")),
        "reset-settings": Script(("click:7,7",)),
        "first-bag-use": Script(("click:2,1", "right_click")),
        "I-first-bag-use": Script(("key:I", "click:2,1", "right_click")),
        "first-bag-to-weapon": Script(("click:2,1", "click:0,3")),
        "first-bag-to-chest": Script(("click:2,1", "click:2,5")),
        "first-bag-to-bin": Script(("click:2,1", "click:7,7")),
        "first-chest-to-bag": Script(("click:2,5", "click:7,3")),
        "first-equipped-off": Script(("click:0,1", "right_click")),
        "shop-buy-first": Script(("click:0,1", "click:0,7")),
        "shop-sell-first": Script(("click:4,1", "click:6,7")),
        "craft-first-two": Script(("click:2,1", "click:3,1", "click:7,4")),
        "map-mark-centre": Script(("click:4,4",)),
        "map-mark-and-travel": Script(("click:4,4", "click:6,0")),
        "first-tab": Script(("click:1,0",)),
        "second-tab": Script(("click:2,0",)),
    }

    def __init__(self) -> None:
        self._version = 0
        self._canvas: dict[tuple[int, int], Any] = {}  # render.py's per-size frame state
        self._static_keys: dict[str, Any] = {}
        self._cursor = (0.5, 0.5)
        self.chest_thing = Thing(FIXED_IDS, "chest")
        self.slot_things = {slot: Thing(FIXED_IDS + 1 + i, "slot", state={"name": slot}) for i, slot in enumerate(EQUIP_SLOTS)}

    # --- lifecycle -----------------------------------------------------------
    def reset(self, rng: np.random.Generator, layout: GameUILayout, required: list[Selector]) -> None:
        self._layout, self._required = layout, required
        self._draws = draws(rng)
        for name in LAZY:  # each part of the layout is built the first time something needs it
            self.__dict__.pop(name, None)
        s = gen_screens(self._draws["screens"], layout)
        self.main_order = s.main_order
        self.quit_swapped = s.quit_swapped
        self.yes_cells, self.no_cells = (S.NO_CELLS, S.YES_CELLS) if s.quit_swapped else (S.YES_CELLS, S.NO_CELLS)
        self.menu_name: str | None = s.start
        self.return_to: str | None = s.return_to
        self.talking: int | None = self.speaker if s.start == "dialogue" else None
        self.dropdown: str | None = s.dropdown
        self.option_focus = DROPDOWNS[s.dropdown].index(self.settings[s.dropdown].state["value"]) if s.dropdown else 0
        self.focus = 0
        self.answer_focus = 0
        self.shop_sel: tuple[str, int] | None = None
        self.drag: tuple[Thing, str, Any] | None = None
        self.saved = False
        self._cursor = (0.5, 0.5)
        self._static_keys = {}
        self._touch()

    def __getattr__(self, name: str) -> Any:
        part = LAZY.get(name)
        if part is None or "_draws" not in self.__dict__:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        getattr(self, f"_build_{part}")(self._draws[part], self._layout, self._required)
        return self.__dict__[name]

    def _build_items(self, d, p: GameUILayout, required: list[Selector]) -> None:
        g = gen_items(d, p, required)
        self._next_id = 0
        self.bag: list[Thing | None] = [None] * BAG_SIZE
        self.chest: list[Thing | None] = [None] * CHEST_SIZE
        self.equip: dict[str, Thing | None] = {slot: None for slot in EQUIP_SLOTS}
        self.craft: list[Thing | None] = [None] * CRAFT_SIZE
        self.stock: list[Thing] = []
        for spec in g.items:
            if spec.where == "stock":
                self.stock.append(self._new(spec.kind, spec.colour, {"price": spec.price, "for_sale": True}))
            else:
                self._store(spec.where, spec.slot, self._new(spec.kind, spec.colour))
        self.coins = g.coins
        self.recipes = g.recipes

    def _build_settings(self, d, p: GameUILayout, required: list[Selector]) -> None:
        g = gen_settings(d, p, required)
        self.settings = {kind: Thing(SETTING_IDS + i, kind, state=setting_state(kind, g.values[kind]))
                         for i, kind in enumerate(SETTINGS)}
        self.slider_rows, self.toggle_spots, self.dropdown_spots = g.slider_rows, g.toggle_spots, g.dropdown_spots

    def _build_map(self, d, p: GameUILayout, required: list[Selector]) -> None:
        g = gen_map(d, p, required)
        self.places = [Thing(MAP_IDS + i, kind, state={"marked": cell in g.markers}) for i, (kind, cell) in enumerate(g.places)]
        self.place_at = {cell: t for t, (_, cell) in zip(self.places, g.places)}
        self.markers = list(g.markers)
        self.player_cell = g.player_cell
        self.terrain = g.terrain

    def _build_village(self, d, p: GameUILayout, required: list[Selector]) -> None:
        g = gen_village(d, p, required)
        self.npcs = [Thing(VILLAGE_IDS + i, kind) for i, (kind, _, _) in enumerate(g.npcs)]
        self.npc_at = {cell: i for i, (_, cell, _) in enumerate(g.npcs)}
        self.answers = [[Thing(VILLAGE_IDS + 10 * (i + 1) + j, a, state={"speaker": kind, "intent": INTENTS[a]})
                         for j, a in enumerate(answers)]
                        for i, (kind, _, answers) in enumerate(g.npcs)]
        self.scenery = {cell: kind for kind, cell in g.scenery}
        self.you = g.you
        self.speaker = g.speaker

    def _new(self, kind: str, colour: str | None = None, state: dict[str, Any] | None = None) -> Thing:
        t = Thing(self._next_id, kind, colour, state if state is not None else {})
        self._next_id += 1
        return t

    def _touch(self) -> None:
        """Something on screen changed: cached frames are stale."""
        self._version += 1

    # --- containers ---------------------------------------------------------------
    def _get(self, where: str, index: Any) -> Thing | None:
        return self.equip[index] if where == "equip" else getattr(self, where)[index]

    def _store(self, where: str, index: Any, thing: Thing | None) -> None:
        if where == "equip":
            self.equip[index] = thing
        else:
            getattr(self, where)[index] = thing

    def locate(self, thing: Thing) -> tuple[str, Any] | None:
        for where, box in (("bag", self.bag), ("chest", self.chest), ("craft", self.craft)):
            for i, t in enumerate(box):
                if t is thing:
                    return where, i
        for slot, t in self.equip.items():
            if t is thing:
                return "equip", slot
        return None

    def free_slot(self, where: str) -> int | None:
        box = getattr(self, where)
        return next((i for i, t in enumerate(box) if t is None), None)

    # --- dynamics ------------------------------------------------------------
    def step(self, inp: Input) -> list[Event]:
        events: list[Event] = []
        if self.drag is not None:
            if inp.left:
                if inp.cursor != self._cursor:
                    self._cursor = inp.cursor
                    self._touch()  # the item follows the cursor
                return events
            self._cursor = inp.cursor
            inv.release(self, S.cell_of(*inp.cursor), events)
        elif inp.cursor != self._cursor:
            self._cursor = inp.cursor
        if inp.keys and self._keys(inp.keys, events):
            return events
        if inp.left:
            self._click(S.cell_of(*inp.cursor), events)
        elif inp.right and self.menu_name == "inventory":
            inv.use_at(self, S.cell_of(*inp.cursor), events)
        return events

    # --- screens ----------------------------------------------------------------
    def _open(self, name: str | None) -> None:
        current = self.menu_name
        if name in (None, "main"):
            self.return_to = None
        elif current in (None, "main"):
            self.return_to = current
        self.menu_name = name
        self.dropdown = None
        self.shop_sel = None
        self.answer_focus = 0
        self._touch()

    def _back(self) -> None:
        m = self.menu_name
        if self.dropdown is not None:
            self.dropdown = None
            self._touch()
        elif m is None:
            self._open("main")
        elif m in ("main", "dialogue"):
            self._open(None)
        elif m == "quit":
            self._open("main")
        elif m != "title":
            self._open(self.return_to)

    def _keys(self, keys: frozenset[str], events: list[Event]) -> bool:
        m = self.menu_name
        if "ESC" in keys:
            self._back()
            return True
        if "TAB" in keys and m in TABS:
            self._open(TABS[(TABS.index(m) + 1) % len(TABS)])
            return True
        if "ENTER" in keys:
            return self._confirm(events)
        for key, screen in (("I", "inventory"), ("M", "map")):
            if key in keys and m in (None, "main", *TABS):
                if m == screen:
                    self._back()
                else:
                    self._open(screen)
                return True
        up = any(k in keys for k in FOCUS_UP)
        if up or any(k in keys for k in FOCUS_DOWN):
            step = -1 if up else 1
            if self.dropdown is not None:
                n = len(DROPDOWNS[self.dropdown])
                self.option_focus = (self.option_focus + step) % n
            elif m == "main":
                self.focus = (self.focus + step) % len(self.main_order)
            elif m == "dialogue":
                self.answer_focus = (self.answer_focus + step) % len(self.answers[self.talking])
            else:
                return False
            self._touch()
            return True
        return False

    def _confirm(self, events: list[Event]) -> bool:
        m = self.menu_name
        if self.dropdown is not None:
            self._set(self.dropdown, DROPDOWNS[self.dropdown][self.option_focus], events)
            self.dropdown = None
            self._touch()
        elif m == "main":
            self._activate(self.main_order[self.focus], events)
        elif m == "dialogue":
            self._answer(self.answer_focus, events)
        elif m == "shop":
            inv.trade(self, events)
        elif m == "crafting":
            inv.craft(self, events)
        elif m == "map":
            self._travel(events)
        elif m == "quit":
            self._quit(events)
        elif m == "title":
            self._open("main")
        else:
            return False
        return True

    def _click(self, cell: S.Cell, events: list[Event]) -> None:
        m = self.menu_name
        if m in TABS and cell in S.TAB_AT:
            if S.TAB_AT[cell] != m:
                self._open(S.TAB_AT[cell])
            return
        if cell == S.CLOSE_CELL and m not in (None, "main", "dialogue", "quit", "title"):
            self._back()
            return
        if m in ITEM_SCREENS:
            ITEM_SCREENS[m](self, cell, events)
        else:
            getattr(self, f"_click_{m or 'game'}")(cell, events)

    # --- game view, main menu, quit, title -----------------------------------------------
    def _click_game(self, cell: S.Cell, events: list[Event]) -> None:
        if cell in S.HUD:
            self._open(S.HUD[cell])
        elif cell in self.npc_at:
            self.talking = self.npc_at[cell]
            self._open("dialogue")
            events.append(Event("talked", {"npc": self.npcs[self.talking].view()}))

    def _click_main(self, cell: S.Cell, events: list[Event]) -> None:
        k = S.main_at(*cell)
        if k is not None:
            self.focus = k
            self._activate(self.main_order[k], events)

    def _activate(self, button: str, events: list[Event]) -> None:
        if button == "continue":
            self._open(None)
        elif button == "save":
            self.saved = True
            self._touch()
            events.append(Event("saved"))
        else:
            self._open(button)

    def _click_quit(self, cell: S.Cell, events: list[Event]) -> None:
        if cell in self.yes_cells:
            self._quit(events)
        elif cell in self.no_cells:
            self._open("main")

    def _quit(self, events: list[Event]) -> None:
        self._open("title")
        events.append(Event("quit"))

    def _click_title(self, cell: S.Cell, events: list[Event]) -> None:
        if cell in S.PLAY_CELLS:
            self._open("main")

    # --- dialogue -----------------------------------------------------------------------
    def _click_dialogue(self, cell: S.Cell, events: list[Event]) -> None:
        k = cell[1] - S.ANSWER_ROW0
        if 0 <= k < len(self.answers[self.talking]):
            self._answer(k, events)

    def _answer(self, k: int, events: list[Event]) -> None:
        answer = self.answers[self.talking][k]
        events.append(Event("answered", {"answer": answer.view(), "speaker": self.npcs[self.talking].view()}))
        self._open(None)
        if answer.kind == "trade":
            self._open("shop")

    # --- settings -----------------------------------------------------------------------
    def _click_settings(self, cell: S.Cell, events: list[Event]) -> None:
        col, row = cell
        if self.dropdown is not None:
            spot = self.dropdown_spots.index(self.dropdown)
            x0, y0 = S.option_cell(spot, 0)
            k = row - y0
            if x0 <= col < x0 + 3 and 0 <= k < len(DROPDOWNS[self.dropdown]):
                self._set(self.dropdown, DROPDOWNS[self.dropdown][k], events)
            self.dropdown = None
            self._touch()
        elif row == S.DROPDOWN_ROW:
            self.dropdown = self.dropdown_spots[col // 4]
            self.option_focus = DROPDOWNS[self.dropdown].index(self.settings[self.dropdown].state["value"])
            self._touch()
        elif (col - col % 4, row) in S.TOGGLE_SPOTS:
            kind = self.toggle_spots[S.TOGGLE_SPOTS.index((col - col % 4, row))]
            self._set(kind, not self.settings[kind].state["enabled"], events)
        elif S.SLIDER_ROW0 <= row < S.SLIDER_ROW0 + len(SLIDERS) and col > 0:
            kind = self.slider_rows[row - S.SLIDER_ROW0]
            level = self.settings[kind].state["level"]
            level = level - 1 if col == 1 else level + 1 if col == 7 else col - 2
            self._set(kind, min(LEVELS - 1, max(0, level)), events)
        elif cell in S.BACK_CELLS:
            self._back()
        elif cell in S.RESET_CELLS:
            for kind in SETTINGS:
                self._set(kind, DEFAULTS[kind], events)
            events.append(Event("settings_reset"))

    def _set(self, kind: str, value: Any, events: list[Event]) -> None:
        thing = self.settings[kind]
        new = setting_state(kind, value)
        if all(thing.state[k] == v for k, v in new.items()):
            return
        before = thing.state.get("level")
        thing.set(**new)
        view = thing.view()
        events.append(Event("setting_changed", {"setting": view}))
        if kind in SLIDERS:
            events.append(Event("increased" if view.state["level"] > before else "decreased", {"setting": view}))
        elif kind in TOGGLES:
            events.append(Event("toggled", {"setting": view}))
        self._touch()

    # --- map ------------------------------------------------------------------------------
    def _click_map(self, cell: S.Cell, events: list[Event]) -> None:
        if cell == S.TRAVEL_CELL:
            self._travel(events)
            return
        if cell[1] < 1:
            return
        place = self.place_at.get(cell)
        roles = {"target": place.view()} if place is not None else {}
        if cell in self.markers:
            self.markers.remove(cell)
            if place is not None:
                place.set(marked=False)
                roles = {"target": place.view()}
            events.append(Event("marker_removed", roles))
        else:
            if len(self.markers) >= MAX_MARKERS:
                old = self.markers.pop(0)
                if old in self.place_at:
                    self.place_at[old].set(marked=False)
            self.markers.append(cell)
            if place is not None:
                place.set(marked=True)
                roles = {"target": place.view()}
            events.append(Event("marker_placed", roles))
        self._touch()

    def _travel(self, events: list[Event]) -> None:
        if not self.markers:
            return
        cell = self.markers[-1]
        self.player_cell = cell
        place = self.place_at.get(cell)
        events.append(Event("travelled", {"target": place.view()} if place is not None else {}))
        self._open(None)

    # --- pixels ---------------------------------------------------------------------------
    def render(self, height: int, width: int) -> np.ndarray:
        return draw(self, height, width)

    # --- queries ----------------------------------------------------------------------------
    def items(self) -> list[Thing]:
        """Every item the player owns (bag, equipment, crafting slots, chest)."""
        return [t for t in (*self.bag, *self.equip.values(), *self.craft, *self.chest) if t is not None]

    def entities(self) -> Iterable[Entity]:
        things = [*self.items(), *self.stock, *self.settings.values(), *self.places, *self.npcs,
                  *(a for answers in self.answers for a in answers), self.chest_thing, *self.slot_things.values()]
        return [t.view() for t in things]

    def is_near(self, entity: Entity) -> bool:
        """True for the map place the player stands at, and for the character being talked to."""
        place = self.place_at.get(self.player_cell)
        if place is not None and place.id == entity.id:
            return True
        return self.menu_name == "dialogue" and self.npcs[self.talking].id == entity.id

    def inventory(self) -> list[Entity]:
        return [t.view() for t in (*self.bag, *self.equip.values(), *self.craft) if t is not None]

    def equipped(self) -> Entity | None:
        weapon = self.equip["weapon"]
        return weapon.view() if weapon is not None else None

    def menu(self) -> str | None:
        return self.menu_name

    def displacement(self) -> tuple[float, float]:
        """The cursor's (east, south) offset from where it starts, in cells of the click grid:
        in a world played with the mouse the player "stops" when the cursor does (the settled
        judge counts a screen reached once the cursor rests on it)."""
        x, y = self._cursor
        return ((x - 0.5) * S.GRID, (y - 0.5) * S.GRID)

    def plausible_target(self, selector: Selector) -> bool:
        """A selector's state part names the state an instruction brings about: a setting's
        level, switch or value, a place marked or not. Such a target makes sense while the thing
        exists and is not in that state yet (a look-alike "turn on hints" when hints is on is no
        look-alike: it cannot happen without turning hints off first)."""
        kind = selector.get("kind")
        state = {k: v for k, v in selector.items() if k not in ("kind", "colour")}
        if kind in SETTINGS and state:
            current = self.settings[kind].state
            return not all(current.get(k) == v for k, v in state.items())
        if kind in PLACES and set(state) == {"marked"}:
            return any(p.kind == kind and p.state["marked"] != state["marked"] for p in self.places)
        return super().plausible_target(selector)
