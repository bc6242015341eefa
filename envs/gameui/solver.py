"""GameUI's oracle: reads the UI's ground truth, replans every tick, and answers
with the shared macros - clicks on the 8 x 8 grid, shortcut keys, and drags
played as ``click:A``, ``click:B``, ``noop``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from simagym.checks import Check, Equipped, Happened, Holding, MenuOpen, Near, pending_goal
from simagym.macros import MACRO_INDEX, NOOP, cell_centre, click_macro, key_macro
from simagym.world import Selector, Solver

from . import inventory as inv
from . import screens as S
from .things import AMOUNTS, DROPDOWNS, LEVELS, NPCS, PLACES, RECIPES, SLIDERS, SLOT_OF, TABS, TOGGLES, Thing, sell_value

if TYPE_CHECKING:
    from .world import GameUIWorld

ESC, ENTER, TAB = key_macro("ESC"), key_macro("ENTER"), key_macro("TAB")
RIGHT_CLICK = MACRO_INDEX["right_click"]
SETTING_EVENTS = ("setting_changed", "increased", "decreased", "toggled")


def click(cell: S.Cell) -> int:
    return click_macro(*cell_centre(*cell))


@dataclass(frozen=True)
class Drag:
    """Move ``thing`` onto ``to`` by dragging it there."""

    thing: Thing
    to: S.Cell


class GameUISolver(Solver):
    def __init__(self, world: "GameUIWorld", check: Check) -> None:
        self.w = world
        self.check = check

    def next_macro(self) -> int:
        leaf = pending_goal(self.check, self.w)
        w = self.w
        plan: Any = NOOP if leaf is None else self._solve(leaf)
        if isinstance(plan, Drag) and plan.to is None:  # bag and chest full: throw something else away
            spare = next(t for t in w.bag if t is not None and t is not plan.thing)
            plan = Drag(spare, S.DROP_CELL)
        if isinstance(plan, Drag):
            if w.drag is None:
                return click(self._cell_of(plan.thing))
            if w.drag[0] is plan.thing:
                return NOOP if S.cell_of(*w._cursor) == plan.to else click(plan.to)
        if w.drag is not None:  # not ours: put it back where it came from
            home = self._cell_of(w.drag[0])
            return NOOP if S.cell_of(*w._cursor) == home else click(home)
        return plan

    # --- leaves -----------------------------------------------------------------------
    def _solve(self, leaf: Check) -> Any:
        if isinstance(leaf, MenuOpen):
            return self._goto(leaf.name)
        if isinstance(leaf, Equipped):
            return self._equip(leaf.selector)
        if isinstance(leaf, Holding):
            return self._obtain(leaf.selector)
        if isinstance(leaf, Near):
            kind = leaf.selector.get("kind")
            if kind in PLACES:
                return self._travel(leaf.selector)
            if kind in NPCS:
                return self._talk(leaf.selector)
            return NOOP
        if isinstance(leaf, Happened):
            return self._event(leaf.type, leaf.roles)
        return NOOP

    def _event(self, t: str, roles: dict[str, Selector]) -> Any:
        w = self.w
        if t == "equipped":
            return self._equip(roles.get("item", {}))
        if t in ("unequipped", "put_in", "took_out", "dropped", "used"):
            return self._handle(t, roles.get("item", {}))
        if t == "bought":
            return self._buy(roles.get("item", {}))
        if t == "sold":
            return self._sell(roles.get("item", {}))
        if t == "crafted":
            return self._craft(str(roles["item"]["kind"]))
        if t in SETTING_EVENTS:
            return self._setting(t, roles["setting"])
        if t == "settings_reset":
            return self._goto("settings") or click(S.RESET_CELLS[0])
        if t in ("marker_placed", "marker_removed"):
            return self._mark(t, roles.get("target"))
        if t == "travelled":
            return self._travel(roles.get("target"))
        if t == "talked":
            return self._talk(roles.get("npc"))
        if t == "answered":
            return self._answer(roles["answer"], roles.get("speaker"))
        if t == "saved":
            return self._goto("main") or click(self._main_cell("save"))
        if t == "quit":
            if w.menu_name == "quit":
                return click(w.yes_cells[0])
            return self._goto("quit")
        return NOOP

    # --- navigation ----------------------------------------------------------------------
    def _main_cell(self, button: str) -> S.Cell:
        c0, r = S.main_slot(self.w.main_order.index(button))
        return (c0 + 1, r)

    def _goto(self, target: str | None) -> int | None:
        """The next macro towards screen ``target``; None once it is open (and no drop-down is)."""
        w = self.w
        cur = w.menu_name
        if w.dropdown is not None:
            return ESC
        if cur == target:
            return None
        if cur == "title":
            return ENTER
        if cur in ("quit", "dialogue") or target in (None, "main"):
            return ESC
        if target in TABS:
            if cur in TABS:
                return TAB if TABS[(TABS.index(cur) + 1) % len(TABS)] == target else click(S.TAB_CELL[target])
            if cur in (None, "main"):
                if target == "inventory":
                    return key_macro("I")
                if target == "map":
                    return key_macro("M")
                return click(self._main_cell("crafting")) if cur == "main" else key_macro("I")
            return ESC
        if target == "shop" and cur is None:
            return click(S.HUD_CELL["shop"])
        if target in ("settings", "quit", "shop") and cur == "main":
            return click(self._main_cell(target))
        if target == "dialogue" and cur is None:
            return click(next(iter(w.npc_at)))
        return ESC

    # --- items -----------------------------------------------------------------------------
    def _find(self, selector: Selector) -> Thing | None:
        return next((t for t in self.w.items() if t.matches(selector)), None)

    def _cell_of(self, thing: Thing) -> S.Cell:
        where, index = self.w.locate(thing)
        if where == "bag":
            return S.bag_cell(index)
        if where == "chest":
            return S.chest_cell(index)
        if where == "equip":
            return S.EQUIP_CELL[index]
        return S.INGREDIENT_CELLS[index]

    def _spot(self, thing: Thing, *wheres: str) -> S.Cell | None:
        """A cell to drop ``thing`` on in the first of ``wheres`` with room: a free slot, or else one
        whose item can swap places with it."""
        w = self.w
        src = w.locate(thing)
        for where in wheres:
            box = getattr(w, where)
            cell = S.bag_cell if where == "bag" else S.chest_cell
            free = w.free_slot(where)
            if free is not None:
                return cell(free)
            for i, other in enumerate(box):
                if other is not thing and inv.fits(other, *src):
                    return cell(i)
        return None

    def _to_bag(self, thing: Thing) -> Any:
        """Make sure ``thing`` is in the bag or the chest (out of the crafting slots)."""
        if self.w.locate(thing)[0] == "craft":
            return self._goto("crafting") or click(S.INGREDIENT_CELLS[self.w.locate(thing)[1]])
        return None

    def _equip(self, selector: Selector) -> Any:
        thing = self._find(selector)
        if thing is None:
            return self._obtain(selector)
        step = self._to_bag(thing) or self._goto("inventory")
        if step is not None:
            return step
        if self.w.locate(thing)[0] == "equip":  # equipped already: take it off to put it on again
            return Drag(thing, self._spot(thing, "bag", "chest"))
        return Drag(thing, S.EQUIP_CELL[SLOT_OF[thing.kind]])

    def _handle(self, t: str, selector: Selector) -> Any:
        w = self.w
        thing = self._find(selector)
        if thing is None:
            return self._obtain(selector)
        step = self._to_bag(thing) or self._goto("inventory")
        if step is not None:
            return step
        where = w.locate(thing)[0]
        if t == "dropped":
            return Drag(thing, S.DROP_CELL)
        if t == "put_in":
            if where == "chest":  # in the chest already: take it out first
                return Drag(thing, self._spot(thing, "bag"))
            return Drag(thing, self._spot(thing, "chest"))
        if t == "took_out":
            if where != "chest":
                return Drag(thing, self._spot(thing, "chest"))
            return Drag(thing, self._spot(thing, "bag"))
        if t == "unequipped":
            if where != "equip":
                return Drag(thing, S.EQUIP_CELL[SLOT_OF[thing.kind]])
            return Drag(thing, self._spot(thing, "bag", "chest"))
        # used: the right button over the item, in the bag
        if where != "bag":
            return Drag(thing, self._spot(thing, "bag"))
        cell = self._cell_of(thing)
        return RIGHT_CLICK if S.cell_of(*w._cursor) == cell else click(cell)

    def _obtain(self, selector: Selector) -> Any:
        kind = selector.get("kind")
        if kind in RECIPES:
            return self._craft(str(kind))
        if any(e.matches(selector) for e in self.w.stock):
            return self._buy(selector)
        return NOOP

    # --- shop --------------------------------------------------------------------------------
    def _buy(self, selector: Selector) -> Any:
        w = self.w
        step = self._goto("shop")
        if step is not None:
            return step
        k = next(i for i, e in enumerate(w.stock) if e.matches(selector))
        if w.coins < w.stock[k].state["price"] or w.free_slot("bag") is None:
            sellable = [(sell_value(t.kind), -i) for i, t in enumerate(w.bag) if t is not None]
            _, i = max(sellable)
            return self._sell_slot(-i)
        if w.shop_sel == ("stock", k):
            return ENTER if k % 2 else click(S.BUY_CELLS[0])
        return click((0, S.STOCK_ROW0 + k))

    def _sell(self, selector: Selector) -> Any:
        w = self.w
        thing = next((t for t in w.bag if t is not None and t.matches(selector)), None)
        if thing is None:
            found = self._find(selector)
            if found is None:
                return NOOP
            step = self._to_bag(found) or self._goto("inventory")
            return step if step is not None else Drag(found, self._spot(found, "bag"))
        step = self._goto("shop")
        return step if step is not None else self._sell_slot(w.bag.index(thing))

    def _sell_slot(self, i: int) -> int:
        if self.w.shop_sel == ("bag", i):
            return ENTER if i % 2 else click(S.SELL_CELLS[1])
        return click(S.shop_bag_cell(i))

    # --- crafting ------------------------------------------------------------------------------
    def _craft(self, result: str) -> Any:
        w = self.w
        step = self._goto("crafting")
        if step is not None:
            return step
        need = list(RECIPES[result])
        for k, t in enumerate(w.craft):
            if t is None:
                continue
            if t.kind in need:
                need.remove(t.kind)
            else:
                return click(S.INGREDIENT_CELLS[k])
        if not need:
            return ENTER if result in ("bread", "rope") else click(S.CRAFT_CELL)
        i = next((i for i, t in enumerate(w.bag) if t is not None and t.kind == need[0]), None)
        return click(S.bag_cell(i)) if i is not None else NOOP

    # --- settings ------------------------------------------------------------------------------
    def _setting(self, t: str, selector: Selector) -> Any:
        w = self.w
        kind = str(selector["kind"])
        if not (w.menu_name == "settings" and w.dropdown == kind):
            step = self._goto("settings")
            if step is not None:
                return step
        state = w.settings[kind].state
        if kind in SLIDERS:
            row = S.SLIDER_ROW0 + w.slider_rows.index(kind)
            level = state["level"]
            if "level" in selector:
                want = int(selector["level"])
            elif "amount" in selector:
                want = AMOUNTS.index(selector["amount"])
            elif t == "increased" or (t != "decreased" and level < LEVELS - 1):
                return click((7, row))
            else:
                return click((1, row))
            if want == level:  # already there: move away to come back
                return click((1, row) if level > 0 else (7, row))
            if want == level + 1:
                return click((7, row))
            if want == level - 1:
                return click((1, row))
            return click((2 + want, row))
        if kind in TOGGLES:
            return click(S.TOGGLE_SPOTS[w.toggle_spots.index(kind)])
        values = DROPDOWNS[kind]
        spot = w.dropdown_spots.index(kind)
        want_value = selector.get("value")
        if want_value is None or want_value == state["value"]:
            want_value = next(v for v in values if v != state["value"])
        if w.dropdown != kind:
            return click((S.SPOT_COL0[spot] + 1, S.DROPDOWN_ROW))
        k = values.index(want_value)
        if w.option_focus == k:
            return ENTER
        return click(S.option_cell(spot, k))

    # --- map -----------------------------------------------------------------------------------
    def _place_cell(self, selector: Selector | None) -> S.Cell | None:
        """Where the place ``selector`` names is; its ``marked`` state is the goal, not the place."""
        if selector is None:
            return None
        which = {k: v for k, v in selector.items() if k != "marked"}
        return next((cell for cell, p in self.w.place_at.items() if p.matches(which)), None)

    def _mark(self, t: str, target: Selector | None) -> Any:
        step = self._goto("map")
        if step is not None:
            return step
        cell = self._place_cell(target)
        if cell is None:  # any marker: an empty cell
            cell = next((c, r) for r in range(1, 8) for c in range(8)
                        if (c, r) not in self.w.place_at and (t == "marker_placed") != ((c, r) in self.w.markers))
        return click(cell)

    def _travel(self, target: Selector | None) -> Any:
        w = self.w
        step = self._goto("map")
        if step is not None:
            return step
        cell = self._place_cell(target)
        if w.markers and w.markers[-1] == cell:
            return ENTER if cell[0] % 2 else click(S.TRAVEL_CELL)
        return click(cell)

    # --- village and dialogue ---------------------------------------------------------------------
    def _npc_cell(self, selector: Selector | None, answer: Selector | None = None) -> S.Cell:
        w = self.w
        for cell, i in w.npc_at.items():
            if selector is not None and not w.npcs[i].matches(selector):
                continue
            if answer is not None and not any(a.matches(answer) for a in w.answers[i]):
                continue
            return cell
        return next(iter(w.npc_at))

    def _talk(self, selector: Selector | None) -> Any:
        step = self._goto(None)
        return step if step is not None else click(self._npc_cell(selector))

    def _answer(self, answer: Selector, speaker: Selector | None) -> Any:
        w = self.w
        if w.menu_name == "dialogue":
            npc = w.npcs[w.talking]
            options = w.answers[w.talking]
            k = next((i for i, a in enumerate(options) if a.matches(answer)), None)
            if k is not None and (speaker is None or npc.matches(speaker)):
                return ENTER if w.answer_focus == k else click((1, S.ANSWER_ROW0 + k))
            return ESC
        step = self._goto(None)
        return step if step is not None else click(self._npc_cell(speaker, answer))
