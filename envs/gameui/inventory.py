"""GameUI's items: the inventory's drag and drop and right click, crafting, and
the shop. Functions of the world they change; events use Meadow's names where
the meaning is the same (equipped, put_in, took_out, dropped ...)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simagym.world import Event

from . import screens as S
from .layout import BAG_SIZE, CRAFT_SIZE
from .things import CONSUMABLE, EQUIPPABLE, MAX_COINS, RECIPES, SLOT_OF, Thing, sell_value

if TYPE_CHECKING:
    from .world import GameUIWorld


# --- inventory: drag and drop, right click ----------------------------------------------


def slot_at(cell: S.Cell) -> tuple[str, Any] | None:
    if (b := S.bag_at(*cell)) is not None:
        return "bag", b
    if (c := S.chest_at(*cell)) is not None:
        return "chest", c
    if cell in S.EQUIP_AT:
        return "equip", S.EQUIP_AT[cell]
    return None


def click_inventory(w: "GameUIWorld", cell: S.Cell, events: list[Event]) -> None:
    spot = slot_at(cell)
    if spot is not None and w._get(*spot) is not None:
        w.drag = (w._get(*spot), *spot)
        w._touch()


def release(w: "GameUIWorld", cell: S.Cell, events: list[Event]) -> None:
    thing, where, index = w.drag
    w.drag = None
    w._touch()
    if w.menu_name != "inventory":
        return
    if cell == S.DROP_CELL:
        w._store(where, index, None)
        if where == "equip":
            events.append(Event("unequipped", {"item": thing.view(), "slot": w.slot_things[index].view()}))
        events.append(Event("dropped", {"item": thing.view()}))
        return
    target = slot_at(cell)
    if target is not None:
        move(w, thing, (where, index), target, events)


def fits(thing: Thing | None, where: str, index: Any) -> bool:
    return thing is None or where != "equip" or SLOT_OF.get(thing.kind) == index


def move(w: "GameUIWorld", thing: Thing, src: tuple[str, Any], dst: tuple[str, Any], events: list[Event]) -> None:
    if src == dst:
        return
    other = w._get(*dst)
    if not fits(thing, *dst) or not fits(other, *src):
        return
    w._store(*dst, thing)
    w._store(*src, other)
    transfer(w, thing, src, dst, events)
    if other is not None:
        transfer(w, other, dst, src, events)
    w._touch()


def transfer(w: "GameUIWorld", thing: Thing, src: tuple[str, Any], dst: tuple[str, Any], events: list[Event]) -> None:
    item = thing.view()
    a, b = src[0], dst[0]
    if a == "equip":
        events.append(Event("unequipped", {"item": item, "slot": w.slot_things[src[1]].view()}))
    if a == "chest" and b != "chest":
        events.append(Event("took_out", {"item": item, "container": w.chest_thing.view()}))
    if b == "chest" and a != "chest":
        events.append(Event("put_in", {"item": item, "container": w.chest_thing.view()}))
    if b == "equip":
        events.append(Event("equipped", {"item": item, "slot": w.slot_things[dst[1]].view()}))
    if a == b and a != "equip":
        events.append(Event("moved", {"item": item}))


def use_at(w: "GameUIWorld", cell: S.Cell, events: list[Event]) -> None:
    spot = slot_at(cell)
    thing = w._get(*spot) if spot is not None else None
    if thing is None:
        return
    if spot[0] == "equip":
        free = w.free_slot("bag")
        if free is not None:
            move(w, thing, spot, ("bag", free), events)
    elif thing.kind in CONSUMABLE and spot[0] == "bag":
        w._store(*spot, None)
        events.append(Event("used", {"item": thing.view()}))
        w._touch()
    elif thing.kind in EQUIPPABLE:
        move(w, thing, spot, ("equip", SLOT_OF[thing.kind]), events)


# --- crafting --------------------------------------------------------------------------


def click_crafting(w: "GameUIWorld", cell: S.Cell, events: list[Event]) -> None:
    b = S.bag_at(*cell)
    if b is not None and w.bag[b] is not None:
        free = w.free_slot("craft")
        if free is not None:
            w.craft[free], w.bag[b] = w.bag[b], None
            w._touch()
    elif cell in S.INGREDIENT_CELLS:
        k = S.INGREDIENT_CELLS.index(cell)
        free = w.free_slot("bag")
        if w.craft[k] is not None and free is not None:
            w.bag[free], w.craft[k] = w.craft[k], None
            w._touch()
    elif cell == S.CRAFT_CELL:
        craft(w, events)


def recipe_ready(w: "GameUIWorld") -> str | None:
    """The recipe the ingredient slots hold exactly, if any."""
    kinds = sorted(t.kind for t in w.craft if t is not None)
    return next((r for r, ingredients in RECIPES.items() if sorted(ingredients) == kinds), None)


def craft(w: "GameUIWorld", events: list[Event]) -> None:
    result = recipe_ready(w)
    free = w.free_slot("bag")
    if result is None or free is None:
        return
    w.craft = [None] * CRAFT_SIZE
    thing = w._new(result)
    w.bag[free] = thing
    events.append(Event("crafted", {"item": thing.view()}))
    w._touch()


# --- shop -----------------------------------------------------------------------------


def click_shop(w: "GameUIWorld", cell: S.Cell, events: list[Event]) -> None:
    col, row = cell
    k = row - S.STOCK_ROW0
    b = S.shop_bag_at(col, row)
    if col < 3 and 0 <= k < len(w.stock):
        w.shop_sel = ("stock", k)
        w._touch()
    elif b is not None and b < BAG_SIZE and w.bag[b] is not None:
        w.shop_sel = ("bag", b)
        w._touch()
    elif cell in S.BUY_CELLS and w.shop_sel and w.shop_sel[0] == "stock":
        trade(w, events)
    elif cell in S.SELL_CELLS and w.shop_sel and w.shop_sel[0] == "bag":
        trade(w, events)


def trade(w: "GameUIWorld", events: list[Event]) -> None:
    if w.shop_sel is None:
        return
    where, k = w.shop_sel
    if where == "stock":
        entry = w.stock[k]
        free = w.free_slot("bag")
        if w.coins < entry.state["price"] or free is None:
            return
        w.coins -= entry.state["price"]
        thing = w._new(entry.kind, entry.colour)
        w.bag[free] = thing
        events.append(Event("bought", {"item": thing.view()}))
    else:
        thing = w.bag[k]
        w.bag[k] = None
        w.coins = min(MAX_COINS, w.coins + sell_value(thing.kind))
        w.shop_sel = None
        events.append(Event("sold", {"item": thing.view()}))
    w._touch()
