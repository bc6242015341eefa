"""Halls, the first-person world: what a player relies on. Walking and strafing a
quarter cell, walls that stop you, turning with the arrows and the mouse, doors
that open with E (a locked one only with its key), buttons, picking up and
dropping, the inventory and map menus, and a raycaster whose pictures match the
map (walls in front, billboards hidden behind walls, the HUD)."""

from __future__ import annotations

import hashlib
from collections import deque

import numpy as np
import pytest

import simagym
from simagym.checks import pending_goal
from simagym.envs.halls.layout import V2_OPTIONS, HallsLayout, generate
from simagym.envs.halls.render import camera
from simagym.envs.halls.solver import MAX_STILL
from simagym.envs.halls.things import FACE_DIRS, TURNS
from simagym.envs.halls.world import HallsWorld
from simagym.inventory import slot_cell
from simagym.macros import MACRO_INDEX, MACROS, NOOP, DiscreteActions, cell_centre, click_macro, key_macro
from simagym.menus import map_cell

LOOK_RIGHT, LOOK_LEFT = MACRO_INDEX["look:right"], MACRO_INDEX["look:left"]


def make(task_id: str = "halls/open-door-v1", seed: int = 0):
    env = simagym.make(task_id)
    from simagym.macros import DiscreteActions

    env = DiscreteActions(env)
    env.reset(seed=seed)
    return env, env.unwrapped.world


def play(env, *macros: int):
    events = []
    world = env.unwrapped.world
    step = world.step

    def spy(inp):
        out = step(inp)
        events.extend(out)
        return out

    world.step = spy
    try:
        for m in macros:
            env.step(m)
    finally:
        del world.step
    return events


def stand(world: HallsWorld, cell: tuple[int, int], heading: float) -> None:
    """Put the player on a cell centre facing ``heading`` (test set-up, not play)."""
    world.x, world.y = cell[0] + 0.5, cell[1] + 0.5
    world.heading = heading
    world._cell = cell
    world._region_now = world._last_region = world.region_rows[cell[1]][cell[0]]
    world._through = None
    world._faced = {t.id for t in world._facing()}


def heading_to(d: tuple[int, int]) -> float:
    return {(1, 0): 0.0, (0, 1): 90.0, (-1, 0): 180.0, (0, -1): -90.0}[d]


def front_of_door(world: HallsWorld, door) -> tuple[tuple[int, int], float]:
    for dx, dy in FACE_DIRS:
        c = (door.cell[0] + dx, door.cell[1] + dy)
        if not world.blocked_rows[c[1]][c[0]]:
            return c, heading_to((-dx, -dy))
    raise AssertionError("a door with no floor in front")


# --- movement and turning -----------------------------------------------------------------

def test_w_s_a_d_move_a_quarter_cell_relative_to_the_heading():
    env, w = make()
    open_cells = [(x, y) for y in range(1, w.h - 1) for x in range(1, w.w - 1)
                  if all(not w.blocked_rows[y + dy][x + dx] for dx in (-1, 0, 1) for dy in (-1, 0, 1))]
    cell = open_cells[0]
    stand(w, cell, 0.0)  # facing east
    x, y = w.x, w.y
    play(env, key_macro("W"))
    assert (w.x, w.y) == (x + 0.25, y)
    play(env, key_macro("S"), key_macro("S"))
    assert (w.x, w.y) == (x - 0.25, y)
    play(env, key_macro("D"))  # strafe right while facing east = south (+y)
    assert (w.x, w.y) == (x - 0.25, y + 0.25)
    play(env, key_macro("A"), key_macro("UP"))
    assert (w.x, w.y) == (x, y)


def test_walls_stop_the_player():
    env, w = make()
    for seed_cell in [(x, y) for y in range(w.h) for x in range(w.w) if not w.blocked_rows[y][x]][:10]:
        stand(w, seed_cell, -90.0)
        play(env, *[key_macro("W")] * 40)
        assert not w.blocked_rows[int(w.y)][int(w.x)]
        assert w.blocked_rows[int(w.y) - 1][int(w.x)]  # stopped against whatever is north
        assert w.y - int(w.y) >= 0.2


def test_arrow_keys_turn_15_degrees_and_a_look_macro_45():
    env, w = make()
    h0 = w.heading
    play(env, key_macro("RIGHT"))
    assert w.heading == pytest.approx(h0 + 15.0) or w.heading == pytest.approx(h0 + 15.0 - 360.0)
    play(env, key_macro("LEFT"), LOOK_RIGHT)
    assert (w.heading - h0) % 360.0 == pytest.approx(45.0)
    play(env, LOOK_LEFT, LOOK_LEFT)
    assert (w.heading - h0) % 360.0 == pytest.approx(315.0)


def test_turning_around_left_and_right_are_events():
    env, w = make("halls/turn-around-v1")
    turns = ("turned_left", "turned_right", "turned_around")
    assert [e.type for e in play(env, LOOK_RIGHT) if e.type in turns] == []
    assert [e.type for e in play(env, LOOK_RIGHT) if e.type in turns] == ["turned_right"]
    assert [e.type for e in play(env, LOOK_RIGHT) if e.type in turns] == []
    assert [e.type for e in play(env, LOOK_RIGHT) if e.type in turns] == ["turned_around"]
    env, w = make("halls/turn-left-v1")
    assert [e.type for e in play(env, *[key_macro("LEFT")] * 3) if e.type in turns] == []
    assert [e.type for e in play(env, key_macro("LEFT")) if e.type in turns] == ["turned_left"]  # 60 degrees


def test_a_click_in_play_turns_by_the_cursor_motion():
    env, w = make()
    h0 = w.heading
    play(env, click_macro(*cell_centre(7, 4)))  # from the centre (0.5) to 0.9375: 0.4375 of a turn
    assert (w.heading - h0) % 360.0 == pytest.approx(157.5)


# --- doors, keys, buttons ---------------------------------------------------------------

def test_a_locked_door_needs_its_key():
    env, w = make("halls/unlock-door-v1", seed=1)
    door = next(d for d in w.by_kind["door"] if d.locked)
    cell, heading = front_of_door(w, door)
    stand(w, cell, heading)
    assert play(env, key_macro("E")) == []
    assert door.locked and not door.open and w.blocked_rows[door.cell[1]][door.cell[0]]
    key = next(k for k in w.by_kind["key"] if k.colour == door.colour)
    w._take(key, [])  # now it is in the bag
    events = play(env, key_macro("E"))
    assert [e.type for e in events] == ["unlocked", "opened"]
    assert door.open and not door.locked and not w.blocked_rows[door.cell[1]][door.cell[0]]
    # Walk through: four steps to the door cell's centre, four more to the far side.
    events = play(env, *[key_macro("W")] * 8)
    assert [e.type for e in events if e.type == "went_through"] == ["went_through"]
    assert events[[e.type for e in events].index("went_through")].roles["target"].colour == door.colour


def test_e_on_a_shut_door_opens_it_and_the_view_changes():
    env, w = make("halls/open-door-v1", seed=2)
    door = w.by_kind["door"][0]
    cell, heading = front_of_door(w, door)
    stand(w, cell, heading)
    before = w.render(64, 64)
    events = play(env, key_macro("E"))
    assert [e.type for e in events] == ["opened"] and door.open
    assert not np.array_equal(before, w.render(64, 64))


def test_buttons_press_once_and_light_up():
    env, w = make("halls/press-button-v1", seed=3)
    button = w.by_kind["button"][0]
    dx, dy = FACE_DIRS[button.face]
    stand(w, (button.cell[0] - dx, button.cell[1] - dy), heading_to((dx, dy)))
    before = w.render(64, 64)
    events = play(env, key_macro("E"))
    assert [e.type for e in events] == ["pressed"] and button.pressed
    assert events[0].roles["target"].get("room") == w.place_of(w.x, w.y).colour
    assert not np.array_equal(before, w.render(64, 64))
    assert play(env, key_macro("E")) == []  # a lit button stays lit


# --- objects -------------------------------------------------------------------------------

def test_pick_up_in_front_then_drop_ahead():
    env, w = make("halls/pick-up-v1", seed=4)
    item = w.by_kind["ball"][0] if w.by_kind.get("ball") else next(t for t in w.things if t.kind in ("box", "gem", "key"))
    # One cell west of the item, facing east.
    cell = (item.cell[0] - 1, item.cell[1])
    if w.blocked_rows[cell[1]][cell[0]]:
        cell = (item.cell[0] + 1, item.cell[1])
    stand(w, cell, heading_to((item.cell[0] - cell[0], item.cell[1] - cell[1])))
    events = play(env, key_macro("E"))
    assert [e.type for e in events] == ["picked_up"]
    assert w.bag.hand is item and item in w.bag.items and item.pos is None
    events = play(env, key_macro("Q"))
    assert [e.type for e in events] == ["dropped"] and w.bag.hand is None
    assert item.pos == pytest.approx((w.x + 0.6 * (item.cell[0] - cell[0]), w.y + 0.6 * (item.cell[1] - cell[1])))


def test_dropping_next_to_a_landmark_names_it():
    env, w = make("halls/put-next-to-landmark-v1", seed=5)
    lamp = next(t for t in w.things if t.kind in ("lamp", "statue", "plant", "barrel"))
    cell = next((lamp.cell[0] + dx, lamp.cell[1] + dy) for dx, dy in FACE_DIRS
                if not w.blocked_rows[lamp.cell[1] + dy][lamp.cell[0] + dx])
    stand(w, cell, heading_to((lamp.cell[0] - cell[0], lamp.cell[1] - cell[1])))
    item = next(t for t in w.things if t.kind in ("ball", "box", "gem", "key") and t.pos is not None)
    w._take(item, [])
    (event,) = play(env, key_macro("Q"))
    assert event.type == "dropped" and event.roles["item"].id == item.id
    assert event.roles["landmark"].kind in ("lamp", "statue", "plant", "barrel", "pillar")
    assert item.pos == (w.x, w.y)  # the landmark's cell is ahead, so the item lands underfoot


# --- menus ------------------------------------------------------------------------------------

def test_inventory_click_holds_an_item_and_esc_closes():
    env, w = make("halls/hold-item-v1", seed=6)
    assert len(w.bag.items) >= 2 and w.bag.hand is None
    play(env, key_macro("I"))
    assert w.menu() == "inventory"
    x, y = cell_centre(*slot_cell(1))
    events = play(env, click_macro(x, y))
    assert [e.type for e in events] == ["equipped"] and w.bag.hand is w.bag.items[1]
    h0 = w.heading
    play(env, LOOK_RIGHT)  # the mouse does not turn the player while a menu is open
    assert w.heading == h0
    play(env, key_macro("ESC"))
    assert w.menu() is None


def test_map_click_marks_the_room_under_the_cursor():
    env, w = make("halls/mark-room-v1", seed=7)
    play(env, key_macro("M"))
    assert w.menu() == "map"
    for row in range(8):
        for col in range(8):
            x, y = cell_centre(col, row)
            cx, cy = map_cell(x, y, (w.h, w.w))
            place = w.place_of(cx + 0.5, cy + 0.5)
            if place is not None and place.kind == "room":
                (event,) = play(env, click_macro(x, y))
                assert event.type == "marker_placed" and event.roles["target"].id == place.id
                play(env, key_macro("TAB"))
                assert w.menu() == "inventory"
                return
    raise AssertionError("no room under any click cell")


# --- pictures -----------------------------------------------------------------------------

def test_a_wall_ahead_is_drawn_at_its_distance():
    env, w = make()
    for y in range(1, w.h - 1):
        for x in range(1, w.w - 3):
            if not w.blocked_rows[y][x] and not w.blocked_rows[y][x + 1] and w.solid_rows[y][x + 2]:
                stand(w, (x, y), 0.0)
                _, zbuf = camera(64, 64).draw(w.grid, w.x, w.y, w.heading)
                assert zbuf[31] == pytest.approx(1.5, abs=1e-6) and zbuf[32] == pytest.approx(1.5, abs=1e-6)
                return
    raise AssertionError("no straight stretch found")


def test_billboards_hide_behind_walls():
    env, w = make("halls/go-to-pillar-v1", seed=8)
    pillar = w.by_kind["pillar"][0]
    seen = 0
    for heading in range(0, 360, 15):
        w.heading = float(heading)
        frame, zbuf = camera(64, 64).draw(w.grid, w.x, w.y, w.heading)
        with_sprites = frame.copy()
        camera(64, 64).sprites(with_sprites, zbuf, w.x, w.y, w.heading, w._sprites)
        changed = (with_sprites != frame).any(axis=(0, 2))
        # No billboard pixel lands in a column whose wall is nearer than every billboard.
        nearest = min(np.hypot(t[0] - w.x, t[1] - w.y) for t in w._sprites)
        assert not changed[zbuf < nearest * 0.5].any()
        seen += changed.any()
    assert seen  # and some are seen at all
    assert pillar.pos is not None


@pytest.mark.parametrize("shape", [(64, 64), (48, 96), (128, 128), (16, 16), (256, 200)])
def test_any_resolution_renders(shape):
    env, w = make()
    frame = w.render(*shape)
    assert frame.shape == (*shape, 3) and frame.dtype == np.uint8 and frame.flags["C_CONTIGUOUS"]


def test_the_hud_shows_the_held_item():
    env, w = make("halls/hold-item-v1", seed=9)
    empty = w.render(64, 64)
    play(env, key_macro("1"))
    held = w.render(64, 64)
    assert w.bag.hand is not None
    assert not np.array_equal(empty[-12:, :12], held[-12:, :12])
    assert np.array_equal(empty[:40], held[:40])


def test_facing_a_landmark_is_an_event():
    env, w = make("halls/face-landmark-v1", seed=10)
    target = next(t for t in w.things if t.kind in ("lamp", "statue", "plant", "barrel"))
    cell = next((target.cell[0] + dx, target.cell[1] + dy) for dx, dy in FACE_DIRS
                if not w.blocked_rows[target.cell[1] + dy][target.cell[0] + dx])
    toward = heading_to((target.cell[0] - cell[0], target.cell[1] - cell[1]))
    stand(w, cell, toward + 90.0)
    events = play(env, *[key_macro("LEFT")] * 6)
    assert any(e.type == "faced" and e.roles["target"].id == target.id for e in events)


# --- layouts -------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(25))
def test_layouts_are_connected_and_keys_lie_outside_their_locked_rooms(seed):
    g = generate(np.random.default_rng(seed), HallsLayout(doors=3, locked_doors=2, pillars=3, objects=5), [])
    h, w = g.region.shape
    door_cells = {op.cell: op.door for op in g.openings if op.door is not None}
    blocked = g.region < 0
    for t in g.things:
        if t.kind in ("lamp", "statue", "plant", "barrel", "pillar"):
            blocked[t.cell[1], t.cell[0]] = True

    def reach(through_locked: bool) -> set:
        start = (int(g.start[0]), int(g.start[1]))
        seen, todo = {start}, deque([start])
        while todo:
            x, y = todo.popleft()
            for dx, dy in FACE_DIRS:
                n = (x + dx, y + dy)
                door = door_cells.get(n)
                if n in seen or blocked[n[1], n[0]] or (door is not None and door.locked and not through_locked):
                    continue
                seen.add(n)
                todo.append(n)
        return seen

    everything, unlocked = reach(True), reach(False)
    assert everything == {(x, y) for y in range(h) for x in range(w) if not blocked[y, x]}
    for door in door_cells.values():
        if door.locked:
            key = next(t for t in g.things if t.kind == "key" and t.colour == door.colour)
            assert key.cell in unlocked


def test_reset_is_deterministic_and_required_things_are_unique():
    a, b = HallsWorld(), HallsWorld()
    required = [{"kind": "door", "colour": "red"}, {"kind": "room", "landmark": "lamp"}, {"kind": "gem", "colour": "blue"}]
    for seed in range(10):
        a.reset(np.random.default_rng(seed), HallsLayout(), required)
        b.reset(np.random.default_rng(seed), HallsLayout(), required)
        assert np.array_equal(a.region, b.region) and (a.x, a.y, a.heading) == (b.x, b.y, b.heading)
        assert np.array_equal(a.render(64, 64), b.render(64, 64))
        for sel in required:
            assert len(a.find(sel)) == 1


def test_noop_changes_nothing():
    env, w = make()
    before = (w.x, w.y, w.heading, w.render(64, 64))
    play(env, NOOP, NOOP)
    assert (w.x, w.y, w.heading) == before[:3] and np.array_equal(before[3], w.render(64, 64))


# --- catalogue v2: facing as a state, the v2 layout options, the oracle's stops ---------------


def make_with(task_id: str, **slots):
    """A v2 env reset on the first seed whose instruction has these slot values."""
    env = DiscreteActions(simagym.make(task_id))
    for seed in range(500):
        env.reset(seed=seed)
        if all(env.unwrapped.instruction.slots[k] == v for k, v in slots.items()):
            return env, env.unwrapped.world
    raise AssertionError(f"no seed gives {slots}")


def outcome(env, *macros: int, tail: int = NOOP, limit: int = 400) -> tuple[bool, bool]:
    """Play ``macros`` then ``tail`` until the episode ends: (success, terminated)."""
    for t in range(limit):
        _, _, terminated, truncated, info = env.step(macros[t] if t < len(macros) else tail)
        if terminated or truncated:
            return info["success"], terminated
    raise AssertionError("the episode did not end")


def v1_digest(seeds=range(3), steps=40) -> tuple[int, str]:
    """Every v1 Halls task: its layouts, instructions and a fixed random rollout, hashed."""
    h = hashlib.sha256()
    ids = sorted(t.id for t in simagym.list_tasks(world="halls", superseded_too=True) if t.id.endswith("-v1"))
    for task_id in ids:
        env = DiscreteActions(simagym.make(task_id))
        for seed in seeds:
            obs, _ = env.reset(seed=seed)
            w = env.unwrapped.world
            h.update(repr((task_id, seed, obs["instruction"], w.region.tolist(), w.x, w.y, w.heading)).encode())
            things = [(t.kind, t.colour, t.pos, t.face, sorted(t.view().state.items())) for t in w.things]
            h.update(repr(things).encode())
            rng = np.random.default_rng(seed)
            for _ in range(steps):
                _, reward, terminated, truncated, _ = env.step(int(rng.integers(len(MACROS))))
                h.update(repr((round(reward, 9), terminated, truncated, w.x, w.y, w.heading, w.menu_name)).encode())
                if terminated or truncated:
                    break
        env.close()
    return len(ids), h.hexdigest()


def test_v1_tasks_play_exactly_as_published():
    """The v2 layout options, the facing check and the oracle's changes leave every v1 episode as
    it was: the same maps, instructions and outcomes (digest taken before catalogue v2)."""
    assert v1_digest() == (44, "244af8e95d7f0912e6e462d01a85cf67610fead5da1b865971b08bf3f22f7087")


def test_v2_layout_options_are_not_written_at_their_defaults():
    """So a v1 task's spec, and the hash of every published suite, reads as before."""
    assert not set(V2_OPTIONS) & set(HallsLayout().model_dump())
    dumped = HallsLayout(face_away=True, shuffle_bag=True, start="open").model_dump()
    assert dumped["face_away"] and dumped["shuffle_bag"] and dumped["start"] == "open"


def test_merged_v1_templates_leave_the_current_catalogue():
    current = {t.id for t in simagym.list_tasks(world="halls")}
    assert "halls/turn-v2" in current and "halls/turn-left-v1" not in current
    assert not any(t.endswith("-v1") for t in current)
    assert simagym.get_task("halls/turn-left-v1").id == "halls/turn-left-v1"  # published suites still run it


def test_facing_a_thing_is_a_state_that_ends_when_you_look_away():
    env, w = make_with("halls/face-pillar-v2")
    target = w.by_id[w.find(env.unwrapped.instruction.targets()[0])[0].id]
    cell = next((target.cell[0] + dx, target.cell[1] + dy) for dx, dy in FACE_DIRS
                if not w.blocked_rows[target.cell[1] + dy][target.cell[0] + dx])
    stand(w, cell, heading_to((target.cell[0] - cell[0], target.cell[1] - cell[1])))
    assert w.is_facing(target.view())
    play(env, LOOK_RIGHT)
    assert not w.is_facing(target.view())


@pytest.mark.parametrize("task_id", ["halls/face-door-v2", "halls/face-pillar-v2", "halls/face-landmark-v2"])
def test_face_tasks_start_facing_no_look_alike(task_id):
    env = DiscreteActions(simagym.make(task_id))
    for seed in range(20):
        env.reset(seed=seed)
        w = env.unwrapped.world
        kind = env.unwrapped.instruction.targets()[0]["kind"]
        kinds = {kind} if kind in ("door", "pillar") else {"lamp", "statue", "plant", "barrel"}
        assert not [t for t in w._facing() if t.kind in kinds], seed
        assert w.heading % 90 == 0


def test_facing_a_look_alike_and_stopping_fails():
    env, w = make_with("halls/face-door-v2")
    target = w.find(env.unwrapped.instruction.targets()[0])[0]
    other = next(d for d in w.by_kind["door"] if d.id != target.id)
    cell, heading = front_of_door(w, other)
    stand(w, cell, heading + 15.0)
    assert outcome(env, key_macro("LEFT")) == (False, True)  # face the wrong door, then "done"


def test_turning_past_a_look_alike_is_not_stopping_at_it():
    env, w = make_with("halls/face-door-v2")
    target = w.by_id[w.find(env.unwrapped.instruction.targets()[0])[0].id]
    other = next(d for d in w.by_kind["door"] if d.id != target.id)
    cell, heading = front_of_door(w, other)
    stand(w, cell, heading - 15.0)
    env.step(key_macro("RIGHT"))  # the wrong door for one tick ...
    assert w.is_facing(other.view())
    _, _, terminated, _, _ = env.step(LOOK_RIGHT)  # ... and on
    assert not terminated


@pytest.mark.parametrize("turn", sorted(TURNS))
def test_turn_means_ending_turned_that_way(turn):
    looks = {"left": [LOOK_LEFT] * 2, "right": [LOOK_RIGHT] * 2, "around": [LOOK_RIGHT] * 4,
             "slightly_left": [LOOK_LEFT], "slightly_right": [LOOK_RIGHT]}
    env, w = make_with("halls/turn-v2", direction=turn)
    assert turn.replace("_", " ") in env.unwrapped.instruction.text
    assert outcome(env, *looks[turn]) == (True, True)
    wrong = "right" if turn != "right" else "left"
    env, w = make_with("halls/turn-v2", direction=turn)
    assert outcome(env, *looks[wrong]) == (False, True)


def test_turning_through_left_on_the_way_around_is_fine():
    env, w = make_with("halls/turn-v2", direction="around")
    assert outcome(env, *[key_macro("LEFT")] * 12) == (True, True)  # passes 90 degrees left on the way


@pytest.mark.parametrize("task_id,slot", [("halls/hold-item-v2", 7), ("halls/drop-item-v2", 6)])
def test_the_bag_is_shuffled_so_no_slot_key_gives_the_answer_away(task_id, slot):
    env = DiscreteActions(simagym.make(task_id))
    slots = []
    for seed in range(40):
        env.reset(seed=seed)
        w = env.unwrapped.world
        assert len(w.bag.items) == slot
        assert not [t for t in w.things if t.kind in ("ball", "box", "gem", "key") and t.pos is not None]
        slots.append(w.bag.slot_of(env.unwrapped.instruction.targets()[0]))
    assert len(set(slots)) >= 4 and max(slots.count(s) for s in set(slots)) <= 15


@pytest.mark.parametrize("task_id", ["halls/go-through-door-v2", "halls/open-door-v2", "halls/open-and-enter-v2"])
def test_door_tasks_start_outside_every_room_with_a_door(task_id):
    env = DiscreteActions(simagym.make(task_id))
    for seed in range(20):
        env.reset(seed=seed)
        w = env.unwrapped.world
        door_rooms = {op.sides[0] for op in w.openings if op.door is not None}
        assert w.region_at(w.x, w.y) not in door_rooms


def test_glancing_at_a_menu_fails_when_the_other_one_opens():
    env, _ = make_with("halls/glance-at-menu-v2", menu="map")
    assert outcome(env, key_macro("M"), key_macro("ESC")) == (True, True)
    env, _ = make_with("halls/glance-at-menu-v2", menu="map")
    assert outcome(env, key_macro("I"), key_macro("TAB"), key_macro("ESC")) == (False, True)


def test_switching_menus_the_wrong_way_round_fails():
    env, _ = make_with("halls/switch-menu-v2", menu="inventory")
    assert outcome(env, key_macro("I"), key_macro("TAB")) == (True, True)
    env, _ = make_with("halls/switch-menu-v2", menu="inventory")
    assert outcome(env, key_macro("M"), key_macro("TAB"), key_macro("TAB")) == (False, True)


def test_opening_the_wrong_menu_and_stopping_fails():
    env, _ = make_with("halls/open-menu-v2", menu="map")
    assert outcome(env, key_macro("I")) == (False, True)
    env, _ = make_with("halls/open-menu-v2", menu="map")
    assert outcome(env, key_macro("I"), key_macro("TAB")) == (True, True)  # a glance at the inventory on the way


@pytest.mark.parametrize("task_id", ["halls/go-to-door-v2", "halls/go-to-pillar-v2", "halls/enter-room-v2",
                                     "halls/visit-landmark-then-room-v2", "halls/face-landmark-v2"])
def test_the_oracle_stands_still_only_at_its_goal(task_id):
    """Under settled, strict rules a stop next to a look-alike is a wrong answer: the oracle is never
    still for more than two ticks in a row, and plays the no-op only once its goal holds."""
    env = DiscreteActions(simagym.make(task_id))
    for seed in range(8):
        env.reset(seed=seed)
        u = env.unwrapped
        solver = u.world.solver(u.goal)
        still, pos = 0, (u.world.x, u.world.y)
        while True:
            macro = solver.next_macro()
            if macro == NOOP:
                assert pending_goal(u.goal, u.world) is None
            _, _, terminated, truncated, info = env.step(macro)
            now = (u.world.x, u.world.y)
            still = still + 1 if now == pos else 0
            pos = now
            if terminated or truncated:
                break
            assert still <= MAX_STILL, (seed, still)
        assert info["success"], seed


def test_door_tasks_keep_out_of_the_other_doors():
    for task_id in ("halls/open-and-enter-v2", "halls/go-through-door-v2"):
        env = DiscreteActions(simagym.make(task_id))
        for seed in range(10):
            env.reset(seed=seed)
            u = env.unwrapped
            target = u.world.find(u.instruction.targets()[0])[0].id
            solver = u.world.solver(u.goal)
            events = play(env, *[solver.next_macro() for _ in range(1)])
            while not (u._steps >= u.max_steps):
                events += play(env, solver.next_macro())
                if any(e.type in ("opened", "went_through") and e.roles["target"].id == target for e in events):
                    break
            assert not [e for e in events if e.type in ("opened", "went_through") and e.roles["target"].id != target]


V1_IDS = sorted(t.id for t in simagym.list_tasks(world="halls", superseded_too=True) if t.id.endswith("-v1"))


@pytest.mark.parametrize("task_id", V1_IDS)
def test_the_oracle_still_solves_every_v1_template(task_id):
    """The published v1 suites run these (test_oracle sweeps the current catalogue only)."""
    env = DiscreteActions(simagym.make(task_id))
    for seed in range(5):
        env.reset(seed=seed)
        u = env.unwrapped
        solver = u.world.solver(u.goal)
        while True:
            _, _, terminated, truncated, info = env.step(solver.next_macro())
            if terminated or truncated:
                break
        assert info["success"], seed
