"""GameUI: the controls a player relies on do what the README says - drag and
drop onto equipment slots, sliders, toggles, drop-downs, Esc/Tab/Enter/I/M,
the shop, crafting, map markers, dialogue - and every screen looks different."""

from __future__ import annotations

import numpy as np
import pytest

import simagym
from simagym.actions import Input
from simagym.envs.gameui import GameUIWorld
from simagym.envs.gameui import screens as S
from simagym.envs.gameui.inventory import recipe_ready
from simagym.envs.gameui.layout import GameUILayout
from simagym.envs.gameui.things import DROPDOWNS, RECIPES, sell_value
from simagym.eval.blind import SCRIPTS, play, scripts_for
from simagym.judge import alternatives, plausible
from simagym.macros import MACRO_INDEX, NOOP, DiscreteActions, cell_centre, key_macro


def world(seed: int = 0, required: list | None = None, **layout) -> GameUIWorld:
    w = GameUIWorld()
    w.reset(np.random.default_rng(seed), GameUILayout(**layout), required or [])
    return w


def click(w: GameUIWorld, cell: S.Cell, held: bool = False) -> list:
    """The left button down over ``cell`` (``held``: it was down on the previous tick too)."""
    return w.step(Input(frozenset(), cell_centre(*cell), True, False, prev_left=held))


def release(w: GameUIWorld) -> list:
    return w.step(Input(frozenset(), w._cursor, False, False, prev_left=True))


def press(w: GameUIWorld, key: str) -> list:
    return w.step(Input(frozenset({key}), w._cursor, False, False))


def drag(w: GameUIWorld, a: S.Cell, b: S.Cell) -> list:
    return click(w, a) + click(w, b, held=True) + release(w)


def types(events: list) -> list[str]:
    return [e.type for e in events]


def bag_index(w: GameUIWorld, kind: str) -> int:
    return next(i for i, t in enumerate(w.bag) if t is not None and t.kind == kind)


# --- inventory: drag and drop ----------------------------------------------------------------
def test_dragging_a_weapon_onto_the_weapon_slot_equips_it():
    w = world(required=[{"kind": "sword"}], start=("inventory",), equipped=0)
    i = bag_index(w, "sword")
    sword = w.bag[i]
    events = drag(w, S.bag_cell(i), S.EQUIP_CELL["weapon"])
    assert types(events) == ["equipped"] and events[0].roles["item"].kind == "sword"
    assert events[0].roles["slot"].get("name") == "weapon"
    assert w.equip["weapon"] is sword and w.bag[i] is None
    assert w.equipped().kind == "sword"


def test_an_item_only_fits_its_own_equipment_slot():
    w = world(required=[{"kind": "sword"}], start=("inventory",), equipped=0)
    i = bag_index(w, "sword")
    assert drag(w, S.bag_cell(i), S.EQUIP_CELL["head"]) == []
    assert w.equip["head"] is None and w.bag[i].kind == "sword"


def test_the_item_follows_the_cursor_until_released():
    w = world(required=[{"kind": "sword"}], start=("inventory",), equipped=0)
    i = bag_index(w, "sword")
    click(w, S.bag_cell(i))
    assert w.drag is not None and w.drag[0].kind == "sword"
    lifted = w.render(64, 64)
    click(w, S.EQUIP_CELL["weapon"], held=True)
    moved = w.render(64, 64)
    assert not np.array_equal(lifted, moved), "the dragged item must be drawn at the cursor"
    assert w.equip["weapon"] is None  # nothing happens until the button comes up
    release(w)
    assert w.drag is None and w.equip["weapon"].kind == "sword"


def test_a_click_without_moving_puts_the_item_back():
    w = world(required=[{"kind": "apple"}], start=("inventory",))
    i = bag_index(w, "apple")
    assert click(w, S.bag_cell(i)) + release(w) == []
    assert w.bag[i].kind == "apple" and w.drag is None


def test_dropping_on_an_occupied_slot_swaps_and_equipping_over_a_weapon_unequips_it():
    w = world(seed=3, required=[{"kind": "sword"}], start=("inventory",), equipped=0)
    i = bag_index(w, "sword")
    w.equip["weapon"] = w._new("axe")
    events = drag(w, S.bag_cell(i), S.EQUIP_CELL["weapon"])
    assert types(events) == ["equipped", "unequipped"]
    assert w.equip["weapon"].kind == "sword" and w.bag[i].kind == "axe"


def test_chest_bag_and_drop_zone_events():
    w = world(required=[{"kind": "gem"}], start=("inventory",), targets_in="chest")
    c = next(i for i, t in enumerate(w.chest) if t is not None and t.kind == "gem")
    free = w.free_slot("bag")
    assert types(drag(w, S.chest_cell(c), S.bag_cell(free))) == ["took_out"]
    back = w.free_slot("chest")
    assert types(drag(w, S.bag_cell(free), S.chest_cell(back))) == ["put_in"]
    assert types(drag(w, S.chest_cell(back), S.DROP_CELL)) == ["dropped"]
    assert not any(t.kind == "gem" for t in w.items())


def test_right_click_eats_food_and_quick_equips():
    w = world(required=[{"kind": "bread"}, {"kind": "shield"}], start=("inventory",), equipped=0)
    i, j = bag_index(w, "bread"), bag_index(w, "shield")
    click(w, S.bag_cell(i)), release(w)
    events = w.step(Input(frozenset(), w._cursor, False, True))
    assert types(events) == ["used"] and w.bag[i] is None
    click(w, S.bag_cell(j)), release(w)
    assert types(w.step(Input(frozenset(), w._cursor, False, True))) == ["equipped"]
    assert w.equip["offhand"].kind == "shield"


def test_a_drag_through_the_macro_list_is_click_click_noop():
    env = DiscreteActions(simagym.make("gameui/equip-weapon-v1"))
    env.reset(seed=4)
    w = env.unwrapped.world
    kind = env.unwrapped.instruction.slots["weapon"]
    while w.menu_name != "inventory":
        env.step(MACRO_INDEX["key:I"] if w.menu_name in (None, "main") else MACRO_INDEX["key:ESC"])
    src = S.bag_cell(bag_index(w, kind))
    dst = S.EQUIP_CELL["weapon"]
    env.step(MACRO_INDEX[f"click:{src[0]},{src[1]}"])
    env.step(MACRO_INDEX[f"click:{dst[0]},{dst[1]}"])
    _, reward, terminated, _, info = env.step(MACRO_INDEX["noop"])
    assert terminated and info["success"] and reward > 0


# --- settings --------------------------------------------------------------------------------
def slider_row(w: GameUIWorld, kind: str) -> int:
    return S.SLIDER_ROW0 + w.slider_rows.index(kind)


def test_slider_track_sets_the_level_and_plus_minus_step_it_within_bounds():
    w = world(start=("settings",))
    row = slider_row(w, "music_volume")
    click(w, (6, row))
    assert w.settings["music_volume"].state == {"level": 4, "amount": "full"}
    assert click(w, (7, row)) == []  # already at the top
    events = click(w, (1, row))
    assert types(events) == ["setting_changed", "decreased"] and events[0].roles["setting"].get("level") == 3
    click(w, (2, row))
    assert w.settings["music_volume"].state["level"] == 0
    assert click(w, (1, row)) == []
    assert types(click(w, (7, row))) == ["setting_changed", "increased"]


def test_toggles_flip_and_report_their_new_state():
    w = world(start=("settings",))
    spot = S.TOGGLE_SPOTS[w.toggle_spots.index("subtitles")]
    before = w.settings["subtitles"].state["enabled"]
    events = click(w, (spot[0] + 1, spot[1]))
    assert types(events) == ["setting_changed", "toggled"]
    assert events[1].roles["setting"].get("enabled") is (not before)


def test_dropdown_opens_selects_and_closes_with_mouse_keys_and_esc():
    w = world(start=("settings",))
    spot = w.dropdown_spots.index("language")
    box = (S.SPOT_COL0[spot] + 1, S.DROPDOWN_ROW)
    click(w, box)
    assert w.dropdown == "language"
    target = next(v for v in DROPDOWNS["language"] if v != w.settings["language"].state["value"])
    events = click(w, S.option_cell(spot, DROPDOWNS["language"].index(target)))
    assert w.dropdown is None and w.settings["language"].state["value"] == target
    assert events[0].roles["setting"].get("value") == target
    click(w, box)
    press(w, "ESC")
    assert w.dropdown is None and w.menu_name == "settings" and w.settings["language"].state["value"] == target
    click(w, box)
    press(w, "DOWN")
    events = press(w, "ENTER")
    assert w.dropdown is None and types(events) == ["setting_changed"]


def test_reset_restores_defaults():
    w = world(start=("settings",))
    events = click(w, S.RESET_CELLS[0])
    assert "settings_reset" in types(events)
    assert w.settings["difficulty"].state["value"] == "normal" and w.settings["music_volume"].state["level"] == 3


def test_state_selectors_never_hold_at_the_start():
    """An instruction asks for a change, so the setting it names starts elsewhere."""
    for seed in range(30):
        w = world(seed, required=[{"kind": "brightness", "level": 4}, {"kind": "hints", "enabled": True},
                                  {"kind": "difficulty", "value": "hard"}])
        assert w.settings["brightness"].state["level"] != 4
        assert w.settings["hints"].state["enabled"] is False
        assert w.settings["difficulty"].state["value"] != "hard"


# --- navigation keys ---------------------------------------------------------------------------
def test_esc_goes_back_where_the_screen_was_opened_from():
    w = world(start=("game",))
    press(w, "I")
    assert w.menu_name == "inventory"
    press(w, "ESC")
    assert w.menu_name is None
    press(w, "ESC")
    assert w.menu_name == "main"
    click(w, S.main_slot(w.main_order.index("settings")))
    assert w.menu_name == "settings"
    press(w, "ESC")
    assert w.menu_name == "main"
    press(w, "ESC")
    assert w.menu_name is None


def test_tab_cycles_tabs_and_i_m_toggle_their_screens():
    w = world(start=("game",))
    press(w, "M")
    assert w.menu_name == "map"
    seen = [w.menu_name]
    for _ in range(3):
        press(w, "TAB")
        seen.append(w.menu_name)
    assert seen == ["map", "inventory", "crafting", "map"]
    press(w, "M")
    assert w.menu_name is None
    press(w, "I")
    click(w, S.TAB_CELL["crafting"])
    assert w.menu_name == "crafting"


def test_main_menu_keyboard_focus_and_enter():
    w = world(start=("main",))
    for _ in range(w.main_order.index("shop")):
        press(w, "DOWN")
    press(w, "ENTER")
    assert w.menu_name == "shop"


# --- shop, crafting ------------------------------------------------------------------------------
def test_buying_costs_coins_and_selling_earns_them():
    w = world(required=[{"kind": "shield"}], start=("shop",), targets_in="shop", coins=(20, 20))
    k = next(i for i, t in enumerate(w.stock) if t.kind == "shield")
    price = w.stock[k].state["price"]
    click(w, (0, S.STOCK_ROW0 + k))
    events = click(w, S.BUY_CELLS[0])
    assert types(events) == ["bought"] and w.coins == 20 - price
    assert any(t is not None and t.kind == "shield" for t in w.bag)
    i = next(i for i, t in enumerate(w.bag) if t is not None and t.kind != "shield")
    value = sell_value(w.bag[i].kind)
    click(w, S.shop_bag_cell(i))
    assert types(press(w, "ENTER")) == ["sold"] and w.coins == 20 - price + value and w.bag[i] is None


def test_buying_needs_enough_coins():
    w = world(required=[{"kind": "sword"}], start=("shop",), targets_in="shop", afford=False)
    k = next(i for i, t in enumerate(w.stock) if t.kind == "sword")
    assert w.coins < w.stock[k].state["price"]
    click(w, (0, S.STOCK_ROW0 + k))
    assert press(w, "ENTER") == []


@pytest.mark.parametrize("result", sorted(RECIPES))
def test_crafting_takes_the_recipe_ingredients(result):
    w = world(required=[{"kind": result}], start=("crafting",), targets_in="recipe")
    assert result in w.recipes
    assert press(w, "ENTER") == []  # nothing in the slots yet
    for ingredient in RECIPES[result]:
        click(w, S.bag_cell(bag_index(w, ingredient)))
    assert recipe_ready(w) == result
    events = click(w, S.CRAFT_CELL)
    assert types(events) == ["crafted"] and events[0].roles["item"].kind == result
    assert all(t is None for t in w.craft)


def test_an_ingredient_clicked_again_goes_back_to_the_bag():
    w = world(required=[{"kind": "torch"}], start=("crafting",), targets_in="recipe")
    click(w, S.bag_cell(bag_index(w, "coal")))
    click(w, S.INGREDIENT_CELLS[0])
    assert all(t is None for t in w.craft)


# --- map, dialogue, quitting -----------------------------------------------------------------------
def test_map_markers_toggle_and_enter_travels_to_the_newest():
    w = world(required=[{"kind": "castle"}], start=("map",))
    cell = next(c for c, p in w.place_at.items() if p.kind == "castle")
    events = click(w, cell)
    assert types(events) == ["marker_placed"] and events[0].roles["target"].kind == "castle"
    assert types(click(w, cell)) == ["marker_removed"]
    click(w, cell)
    events = press(w, "ENTER")
    assert types(events) == ["travelled"] and events[0].roles["target"].kind == "castle"
    assert w.menu_name is None and w.player_cell == cell
    assert w.is_near(w.place_at[cell].view())


def test_talking_and_answering():
    w = world(required=[{"kind": "wizard"}, {"kind": "trade"}], start=("game",))
    cell = next(c for c, i in w.npc_at.items() if w.npcs[i].kind == "wizard")
    assert types(click(w, cell)) == ["talked"] and w.menu_name == "dialogue"
    k = next(i for i, a in enumerate(w.answers[w.talking]) if a.kind == "trade")
    events = click(w, (3, S.ANSWER_ROW0 + k))
    assert types(events) == ["answered"] and events[0].roles["speaker"].kind == "wizard"
    assert w.menu_name == "shop"  # a trade opens the merchant's shop
    press(w, "ESC")
    assert w.menu_name is None


def test_quit_asks_first_and_ends_on_the_title_screen():
    w = world(start=("main",))
    click(w, S.main_slot(w.main_order.index("quit")))
    assert w.menu_name == "quit"
    press(w, "ESC")
    assert w.menu_name == "main"
    click(w, S.main_slot(w.main_order.index("quit")))
    assert types(click(w, S.YES_CELLS[0])) == ["quit"] and w.menu_name == "title"
    press(w, "ENTER")
    assert w.menu_name == "main"


# --- pictures and layouts ----------------------------------------------------------------------------
SCREENS = (None, "main", "settings", "inventory", "crafting", "shop", "map", "dialogue", "quit", "title")


def test_every_screen_looks_different_at_64_pixels():
    w = world(start=("dialogue",))
    frames = {}
    for screen in SCREENS:
        w.menu_name = screen
        w._touch()
        frames[screen] = w.render(64, 64).astype(int)
        assert frames[screen].shape == (64, 64, 3)
    for a in SCREENS:
        for b in SCREENS:
            if a != b:  # most of the screen differs, not just a detail
                assert (np.abs(frames[a] - frames[b]).sum(-1) > 30).mean() > 0.3, (a, b)


def test_incremental_redraw_matches_a_fresh_render():
    w = world(seed=2, start=("settings",))
    for cell in [(4, 4), (7, 5), (1, 2), (0, 1), (2, 3), (5, 7), (3, 6)]:
        click(w, cell)
        fresh = GameUIWorld.__new__(GameUIWorld)
        fresh.__dict__.update({k: v for k, v in w.__dict__.items() if k != "_canvas"}, _canvas={})
        for size in ((64, 64), (100, 60)):
            assert np.array_equal(w.render(*size), fresh.render(*size))


def test_layouts_differ_between_seeds_and_parts_do_not_depend_on_access_order():
    a, b = world(seed=1), world(seed=2)
    assert (a.main_order, [t and t.kind for t in a.bag]) != (b.main_order, [t and t.kind for t in b.bag])
    first_map, then_items = world(seed=7), world(seed=7)
    places = [(p.kind, c) for c, p in first_map.place_at.items()]
    assert [t and t.kind for t in first_map.bag] == [t and t.kind for t in then_items.bag]
    assert places == [(p.kind, c) for c, p in then_items.place_at.items()]


def test_required_items_are_unique_and_where_the_layout_puts_them():
    for seed in range(20):
        w = world(seed, required=[{"kind": "apple"}], targets_in="chest")
        apples = [t for t in w.items() + w.stock if t.kind == "apple"]
        assert len(apples) == 1 and w.locate(apples[0])[0] == "chest"
        w = world(seed, required=[{"kind": "torch"}], targets_in="recipe")
        assert not any(t.kind == "torch" for t in w.items() + w.stock)


def test_the_cursor_is_the_shared_cross_at_every_size_and_edge():
    from simagym.art import draw_cursor
    from simagym.envs.gameui.render import base_frame

    w = world()
    for size in ((64, 64), (128, 128), (100, 37)):
        for x in (0.0, 0.03, 0.5, 0.99, 1.0):
            for y in (0.0, 0.5, 1.0):
                w._cursor = (x, y)
                expected = base_frame(w, *size).copy()
                draw_cursor(expected, x, y)
                assert np.array_equal(w.render(*size), expected)


@pytest.mark.parametrize("task_id", ["gameui/put-in-chest-v1", "gameui/unequip-v1", "gameui/buy-item-v1"])
def test_the_oracle_copes_with_a_full_bag_and_chest(task_id):
    """It swaps into a full container, and makes room when a swap cannot work."""
    for seed in range(3):
        env = DiscreteActions(simagym.make(task_id))
        env.reset(seed=seed)
        w = env.unwrapped.world
        for box in (w.bag, w.chest):
            for i, t in enumerate(box):
                if t is None:
                    box[i] = w._new("stone")
        solver = w.solver(env.unwrapped.goal)
        for _ in range(60):
            _, _, terminated, truncated, info = env.step(solver.next_macro())
            if terminated or truncated:
                break
        assert info["success"], (task_id, seed)


# --- catalogue v2 --------------------------------------------------------------------------------------
def v2(task_id: str, seed: int = 0, **slots):
    """A v2 env reset on the first seed from ``seed`` whose instruction has ``slots``."""
    env = DiscreteActions(simagym.make(task_id))
    for s in range(seed, seed + 500):
        env.reset(seed=s)
        if all(env.unwrapped.instruction.slots[k] == v for k, v in slots.items()):
            return env
    raise AssertionError(f"no seed gives {slots}")


def run(env, macros, tail=NOOP, limit=60) -> tuple[bool, bool, int]:
    """Play ``macros`` then ``tail`` on a reset env; (success, terminated, ticks)."""
    for t in range(limit):
        m = macros[t] if t < len(macros) else tail
        _, _, terminated, truncated, info = env.step(MACRO_INDEX[m] if isinstance(m, str) else m)
        if terminated or truncated:
            return info["success"], terminated, t + 1
    raise AssertionError("the episode did not end")


def cell_macro(cell: S.Cell) -> str:
    return f"click:{cell[0]},{cell[1]}"


def test_v1_layouts_keep_their_data_and_draws():
    """Parameters added for v2 stay out of a v1 layout's data (suite hashes) and draw nothing."""
    from simagym.envs.gameui.layout import LATER_PARAMS

    data = GameUILayout().model_dump(mode="json")
    assert not set(LATER_PARAMS) & set(data)
    assert GameUILayout(shuffle_quit=True, look_alikes=1).model_dump(mode="json")["shuffle_quit"] is True
    for seed in range(5):
        a, b = world(seed, start=("quit",)), world(seed, start=("quit",), markers_on_places=False)
        assert (a.main_order, a.yes_cells) == (b.main_order, S.YES_CELLS)


def test_the_cursor_is_where_the_player_stands():
    """The settled judge counts a screen once the player stops: in GameUI, once the cursor rests."""
    env = v2("gameui/open-screen-v2", screen="inventory")
    w = env.unwrapped.world
    assert w.displacement() == (0.0, 0.0)
    while w.menu_name != "inventory":
        env.step(key_macro("I") if w.menu_name in (None, "main") else key_macro("ESC"))
    # Moving the cursor around the open inventory is not stopping there...
    for cell in ((1, 7), (0, 7), (1, 7), (0, 7)):
        _, _, terminated, _, _ = env.step(MACRO_INDEX[cell_macro(cell)])
        assert not terminated
    assert w.displacement() == (0.5 - 4, 7.5 - 4)
    # ...resting the cursor is.
    _, _, terminated, _, info = env.step(NOOP)
    assert terminated and info["success"]


def test_open_screen_fails_on_stopping_at_another_screen():
    env = v2("gameui/open-screen-v2", screen="map")
    assert not run(env, ["key:I"])[0]  # the inventory, then "done"
    env = v2("gameui/open-screen-v2", screen="map")
    assert run(env, ["key:I", "key:TAB", "key:TAB"])[0]  # passing the inventory and crafting on the way is fine


def test_settings_look_alikes_are_the_settings_not_yet_in_the_state_asked_for():
    env = v2("gameui/set-difficulty-v2")
    ins, w = env.unwrapped.instruction, env.unwrapped.world
    current = w.settings["difficulty"].state["value"]
    others = {a.slots["difficulty"] for a in alternatives(ins, w)}
    assert others == {"easy", "normal", "hard", "expert"} - {current, ins.slots["difficulty"]}
    assert w.plausible_target({"kind": "hints", "enabled": not w.settings["hints"].state["enabled"]})
    assert not w.plausible_target({"kind": "hints", "enabled": w.settings["hints"].state["enabled"]})
    marked = next(p for p in w.places if p.state["marked"]) if any(p.state["marked"] for p in w.places) else None
    unmarked = next(p for p in w.places if not p.state["marked"])
    assert w.plausible_target({"kind": unmarked.kind, "marked": True})
    assert not w.plausible_target({"kind": unmarked.kind, "marked": False})
    if marked is not None:
        assert w.plausible_target({"kind": marked.kind, "marked": False})


def test_touching_another_setting_fails_a_settings_task():
    env = v2("gameui/toggle-on-v2")
    w = env.unwrapped.world
    while w.menu_name != "settings":
        env.step(key_macro("ESC") if w.menu_name is None else MACRO_INDEX[cell_macro(
            S.main_slot(w.main_order.index("settings")))])
    own = env.unwrapped.instruction.slots["toggle"]
    row = S.SLIDER_ROW0 + w.slider_rows.index("brightness")
    level = w.settings["brightness"].state["level"]
    success, terminated, _ = run(env, [cell_macro((2 + (level + 2) % 5, row))])
    assert terminated and not success
    env.reset(seed=0)  # the same layout: its own switch passes
    while w.menu_name != "settings":
        env.step(key_macro("ESC") if w.menu_name is None else MACRO_INDEX[cell_macro(
            S.main_slot(w.main_order.index("settings")))])
    assert run(env, [cell_macro(S.TOGGLE_SPOTS[w.toggle_spots.index(own)])])[0]


def test_reset_fails_only_after_a_change_by_hand():
    env = v2("gameui/reset-settings-v2")
    w = env.unwrapped.world
    if w.menu_name == "main":
        env.step(MACRO_INDEX[cell_macro(S.main_slot(w.main_order.index("settings")))])
    assert run(env, [cell_macro(S.RESET_CELLS[0])])[0]
    env.reset(seed=0)
    if w.menu_name == "main":
        env.step(MACRO_INDEX[cell_macro(S.main_slot(w.main_order.index("settings")))])
    spot = S.TOGGLE_SPOTS[0]
    success, terminated, _ = run(env, [cell_macro(spot), cell_macro(S.RESET_CELLS[0])])
    assert terminated and not success


def test_answer_v2_the_words_choose_the_answer_and_a_wrong_one_fails():
    from simagym.envs.gameui.things import INTENTS

    for seed in range(6):
        env = DiscreteActions(simagym.make("gameui/answer-v2"))
        env.reset(seed=seed)
        w, ins = env.unwrapped.world, env.unwrapped.instruction
        assert len(w.npcs) == 1 and w.menu_name == "dialogue"
        options = w.answers[w.talking]
        assert 3 <= len(options) <= 4 and all(a.state["intent"] == INTENTS[a.kind] for a in options)
        k = next(i for i, a in enumerate(options) if a.state["intent"] == ins.slots["answer"])
        assert len(alternatives(ins, w)) == len(options) - 1  # the other answers on screen
        wrong = (k + 1) % len(options)
        assert run(env, [f"click:1,{S.ANSWER_ROW0 + wrong}"]) == (False, True, 1)
        env.reset(seed=seed)
        assert run(env, [f"click:1,{S.ANSWER_ROW0 + k}"]) == (True, True, 1)
    assert ins.text and "_" not in ins.text


def test_the_quit_box_buttons_trade_places_and_cancel_quit_fails_on_yes():
    swapped = {world(seed, start=("quit",), shuffle_quit=True).quit_swapped for seed in range(20)}
    assert swapped == {True, False}
    w = next(w for w in (world(s, start=("quit",), shuffle_quit=True) for s in range(20)) if w.quit_swapped)
    assert types(click(w, S.YES_CELLS[0])) == [] and w.menu_name == "main"  # the left button says no now
    w._open("quit")
    assert types(click(w, S.NO_CELLS[0])) == ["quit"]
    w._open("quit")
    plain = next(w for w in (world(s, start=("quit",), shuffle_quit=True) for s in range(20)) if not w.quit_swapped)
    assert not np.array_equal(plain.render(64, 64), w.render(64, 64))  # the picture shows which is which
    for seed in range(8):
        env = DiscreteActions(simagym.make("gameui/cancel-quit-v2"))
        env.reset(seed=seed)
        yes = env.unwrapped.world.yes_cells[0]
        assert run(env, [cell_macro(yes)]) == (False, True, 1)


def test_visit_and_return_fails_when_another_screen_opens_in_between():
    env = v2("gameui/visit-and-return-v2", screen="inventory")
    assert run(env, ["key:I", "key:ESC"])[0]
    env = v2("gameui/visit-and-return-v2", screen="inventory")
    success, terminated, steps = run(env, ["key:I", "key:TAB", "key:ESC"])
    assert not success and terminated and steps == 2


def test_mark_two_places_never_names_one_place_twice():
    spec = simagym.get_task("gameui/mark-two-places-v2")
    assert not set(spec.slots["place"]) & set(spec.slots["other"])


def test_remove_marker_among_several_marked_places():
    for seed in range(10):
        env = DiscreteActions(simagym.make("gameui/remove-marker-v2"))
        env.reset(seed=seed)
        w, ins = env.unwrapped.world, env.unwrapped.instruction
        marked = [p for p in w.places if p.state["marked"]]
        assert len(marked) == 3 and all(cell in w.place_at for cell in w.markers)
        assert len(alternatives(ins, w)) == 2


def test_look_alikes_sit_next_to_the_named_item():
    for seed in range(10):
        env = DiscreteActions(simagym.make("gameui/drink-potion-v2"))
        env.reset(seed=seed)
        w, ins = env.unwrapped.world, env.unwrapped.instruction
        potions = sorted(t.colour for t in w.items() if t.kind == "potion")
        assert potions == ["blue", "green", "red"]
        assert len(alternatives(ins, w)) == 2 and plausible(ins, w)


def test_world_blind_scripts_extend_the_generic_ones():
    scripts = scripts_for(GameUIWorld)
    assert set(SCRIPTS) < set(scripts) and "first-answer" in scripts and "quit-box-left" in scripts


@pytest.mark.parametrize("task_id,script", [("gameui/open-screen-v2", "I-Tab-Esc"), ("gameui/cancel-quit-v2", "quit-box-left"),
                                            ("gameui/visit-and-return-v2", "I-Tab-Esc"), ("gameui/switch-tab-v2", "click-sweep")])
def test_blind_sequences_stay_near_chance(task_id, script):
    env = DiscreteActions(simagym.make(task_id))
    wins, chance = [], []
    for seed in range(20):
        env.reset(seed=seed)
        chance.append(1 / (1 + len(alternatives(env.unwrapped.instruction, env.unwrapped.world))))
        wins.append(play(env, scripts_for(GameUIWorld)[script].macros()))
    limit = 0.75 if task_id == "gameui/cancel-quit-v2" else np.mean(chance) + 0.15
    assert np.mean(wins) <= limit, (task_id, script, np.mean(wins), np.mean(chance))


@pytest.mark.parametrize("task_id", [t.id for t in simagym.list_tasks(superseded_too=True)
                                     if t.world == "gameui" and t.id.endswith("-v1")])
def test_the_oracle_still_solves_v1(task_id):
    """The catalogue sweep (test_oracle) runs the current catalogue; v1 stays solved too."""
    from simagym.testing import run_oracle

    assert all(run_oracle(task_id, seed).success for seed in range(4))
