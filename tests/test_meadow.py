"""Meadow: the layout options and rules of catalogue v2, and that catalogue v1 is untouched.

v1 (``tasks/meadow/v1``) is frozen: its layouts must come out exactly as published for the
same seeds, which the fingerprints below pin. v2 adds layout options (all off by default),
an exact ``moved`` check, a ``harvested`` event, and templates that merge v1's twins.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

import simagym
from simagym.agents import load_agent
from simagym.checks import parse_check
from simagym.envs.meadow import MeadowWorld
from simagym.envs.meadow.layout import V2_OPTIONS, MeadowLayout
from simagym.eval import blind
from simagym.macros import MACRO_INDEX, DiscreteActions
from simagym.registry import superseded
from simagym.world import LayoutError


# --- v1 stays as published ------------------------------------------------------------

def _fingerprint(task_id: str, seeds=range(5)) -> str:
    """The generated layouts of ``seeds``: terrain, every thing, the player, the bag, the menu."""
    h = hashlib.sha256()
    env = simagym.make(task_id)
    for seed in seeds:
        obs, _ = env.reset(seed=seed)
        w = env.unwrapped.world
        h.update(w.terrain.tobytes())
        h.update(obs["instruction"].encode())
        h.update(repr([(t.id, t.kind, t.colour, t.pos, t.locked, [c.kind for c in t.contents]) for t in w.things]).encode())
        h.update(repr((w.player, [t.kind for t in w.bag.items], w.menu_name)).encode())
    return h.hexdigest()[:16]


V1_FINGERPRINTS = {
    "meadow/chop-tree-v1": "17ddf902489f1d98", "meadow/close-inventory-v1": "e1e6711cf23dd2c0",
    "meadow/close-map-v1": "796aa3b3057bc430", "meadow/drop-by-landmark-v1": "45bf2b2a780961cd",
    "meadow/drop-item-v1": "d8e9043fd914b41f", "meadow/enter-pen-v1": "00fb040e30b406c4",
    "meadow/equip-tool-v1": "9caa649f02b5eef1", "meadow/feed-animal-v1": "ed1d416564fc45d2",
    "meadow/gather-wood-v1": "be95cf5d187485b6", "meadow/glance-at-map-v1": "06a568205970ecfe",
    "meadow/go-to-animal-v1": "80c6dd4d265ffdf5", "meadow/go-to-chest-v1": "df5172797c7c4cbc",
    "meadow/go-to-gate-v1": "52a99abf0d48d542", "meadow/go-to-house-v1": "a09bbde43b85d908",
    "meadow/go-to-landmark-v1": "0258ee374b393ddc", "meadow/go-to-object-v1": "7b0fa42f78cada3b",
    "meadow/go-to-rock-v1": "ea439dd9bc6d7e8f", "meadow/go-to-tree-v1": "915b020546da9202",
    "meadow/mark-house-v1": "f0397c5f3e4b3dac", "meadow/mark-landmark-v1": "c2d90fc64b25ce90",
    "meadow/mine-rock-v1": "791b673a8006d420", "meadow/open-chest-v1": "82b029f90e56a5a9",
    "meadow/open-gate-v1": "9a3ca4db4fe6c36f", "meadow/open-inventory-v1": "7a0c74e3ec7f551f",
    "meadow/open-map-v1": "5b45d76dd1f0ae88", "meadow/pet-animal-v1": "bb966da9d2201e6b",
    "meadow/pick-up-tool-v1": "51abc49f6eefb113", "meadow/pick-up-v1": "b2c5504f8b82df44",
    "meadow/put-in-chest-v1": "521b15e10758fa25", "meadow/switch-to-map-v1": "78605f224cfaa9dd",
    "meadow/take-from-chest-v1": "51b6cd4768a7b279", "meadow/unlock-gate-v1": "34ccde93e2863ebf",
    "meadow/visit-two-v1": "9c8630f3fb825d67", "meadow/walk-direction-v1": "ac0b69c65e7102fc",
}


def test_every_v1_template_is_pinned():
    v1 = {t.id for t in simagym.list_tasks(superseded_too=True) if t.world == "meadow" and t.id.endswith("-v1")}
    assert v1 == set(V1_FINGERPRINTS)


@pytest.mark.parametrize("task_id", sorted(V1_FINGERPRINTS))
def test_v1_layouts_are_as_published(task_id):
    assert _fingerprint(task_id) == V1_FINGERPRINTS[task_id]


def test_v2_options_are_not_written_at_their_defaults():
    """So v1 specs, and the published suites' content hashes, read as before."""
    dumped = MeadowLayout().model_dump(mode="json")
    assert not set(V2_OPTIONS) & set(dumped)
    assert MeadowLayout(gates=3, pen=True).model_dump(mode="json")["gates"] == 3


def test_replaced_v1_templates_are_not_current_but_load_by_id():
    current = {t.id for t in simagym.list_tasks(world="meadow")}
    assert all(t.endswith("-v2") for t in current)
    for old in ("meadow/open-inventory-v1", "meadow/open-map-v1", "meadow/go-to-tree-v1", "meadow/chop-tree-v1",
                "meadow/close-map-v1", "meadow/close-inventory-v1", "meadow/gather-wood-v1"):
        assert superseded(old) and old not in current
        assert simagym.get_task(old).id == old
    cats = {c: sum(simagym.get_task(t).category.value == c for t in current) for c in ("navigation", "object", "menu")}
    assert all(n >= 5 for n in cats.values()), cats


# --- layout options -----------------------------------------------------------------------

def _world(seed: int = 0, required=(), **layout) -> MeadowWorld:
    w = MeadowWorld()
    w.reset(np.random.default_rng(seed), MeadowLayout(**layout), list(required))
    return w


def _things(w: MeadowWorld, kind: str):
    return [t for t in w.things if t.kind == kind]


def test_several_gates_of_distinct_colours_on_distinct_sides():
    for seed in range(15):
        w = _world(seed, [{"kind": "gate", "colour": "red"}], pen=True, gates=3, gate_locked=True)
        gates = _things(w, "gate")
        assert len(gates) == 3 and len({g.colour for g in gates}) == 3 and len({g.pos for g in gates}) == 3
        assert sum(g.colour == "red" for g in gates) == 1
        assert all(g.locked for g in gates)
        for g in gates:  # a key for every locked gate
            assert any(k.colour == g.colour for k in _things(w, "key"))
        inner = [[(g.pos[0] + dx, g.pos[1] + dy) for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1))
                  if (g.pos[0] + dx, g.pos[1] + dy) in w.pen_cells] for g in gates]
        assert all(len(c) == 1 for c in inner) and len({c[0] for c in inner}) == 3, "one gate per side, into the pen"


def test_coloured_chests():
    for seed in range(10):
        w = _world(seed, [{"kind": "chest", "colour": "blue"}], chests=3, chest_colours=True)
        chests = _things(w, "chest")
        assert len({c.colour for c in chests}) == 3 and "blue" in {c.colour for c in chests}
        assert all(c.sprite_name().startswith("chest-closed:") for c in chests)
    with pytest.raises(ValueError, match="tells them apart"):
        MeadowLayout(chests=2)


def test_stocked_chests_hold_one_object_each_and_show_it_when_open():
    from simagym.actions import Input

    target = {"kind": "gem", "colour": "green"}
    for seed in range(10):
        w = _world(seed, [target], chests=3, stocked_chests=True, hide_targets_in_chest=True, objects=0)
        chests = _things(w, "chest")
        assert [len(c.contents) for c in chests] == [1, 1, 1]
        held = [c.contents[0] for c in chests]
        assert sum(i.view().matches(target) for i in held) == 1
        assert not any(t.kind in ("ball", "box", "key", "gem") and t.pos is not None for t in w.things)
    # Open one and look: the tile shows the object; take it and the chest looks empty again.
    chest = chests[0]
    before = w.tiles.copy()
    chest.open = True
    chest.changed()
    w._refresh(*chest.pos)
    assert chest.sprite_name() == f"chest-open/{chest.contents[0].sprite_name()}"
    assert not np.array_equal(before, w.tiles)
    x, y = chest.pos
    spot = next((x + dx, y + dy) for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1))
                if w._free_for(x + dx, y + dy, "player") and w.item_at[y + dy, x + dx] < 0)
    w.player, w.facing = spot, (x - spot[0], y - spot[1])
    events = w.step(Input(keys=frozenset({"E"}), cursor=(0.5, 0.5), left=False, right=False))
    assert [e.type for e in events] == ["picked_up", "took_out"]
    assert chest.sprite_name() == "chest-open"


@pytest.mark.parametrize("clearance", [2, 3, 4])
def test_the_player_starts_clear_of_the_kinds_named(clearance):
    kinds = ("house", "tree", "rock")
    for seed in range(10):
        w = _world(seed, houses=3, trees=3, rocks=3, clear_of=kinds, clearance=clearance)
        for t in w.things:
            if t.kind in kinds:
                assert max(abs(t.pos[0] - w.player[0]), abs(t.pos[1] - w.player[1])) >= clearance


def test_clear_lines_leave_straight_walks_free():
    for seed in range(10):
        w = _world(seed, clear_lines=5, player_margin=5, animals=0)
        for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            for k in range(1, 6):
                x, y = w.player[0] + k * dx, w.player[1] + k * dy
                assert w._free_for(x, y, "player"), (seed, (dx, dy), k)


def test_shuffle_inventory_keeps_the_items_in_another_order():
    kinds = ("axe", "pickaxe", "sword", "apple", "log", "log", "stone", "stone")
    orders = set()
    for seed in range(10):
        w = _world(seed, start_inventory=kinds, shuffle_inventory=True)
        got = tuple(t.kind for t in w.bag.items)
        assert sorted(got) == sorted(kinds)
        assert sorted(t.id for t in w.bag.items) == list(range(len(w.things) - len(kinds), len(w.things)))
        orders.add(got)
    assert len(orders) > 5
    assert tuple(t.kind for t in _world(0, start_inventory=kinds).bag.items) == kinds


def test_a_layout_that_cannot_be_built_says_so():
    with pytest.raises(LayoutError):
        _world(0, size=12, trees=20, rocks=10, houses=4, clear_of=("tree", "rock", "house"), clearance=8)


# --- checks and events --------------------------------------------------------------------

class _At:
    """A stand-in world that only knows where the player is."""

    def __init__(self, dx: float, dy: float) -> None:
        self.d = (dx, dy)

    def displacement(self):
        return self.d


@pytest.mark.parametrize("where,exact,expected", [
    ((0, -3), True, True), ((0, -4), True, False), ((0, -2), True, False), ((1, -3), True, False),
    ((0, -4), False, True), ((1, -3), False, True), ((0, -2), False, False),
])
def test_moved_exactly(where, exact, expected):
    raw = {"moved": {"direction": "north", "distance": 3, **({"exact": True} if exact else {})}}
    assert parse_check(raw).bind({}).update(_At(*where), []) is expected


def test_moved_rejects_a_bad_exact():
    with pytest.raises(ValueError, match="exact"):
        parse_check({"moved": {"direction": "north", "distance": 3, "exact": "yes"}})


def test_chopping_and_mining_say_harvested():
    from simagym.actions import Input

    w = _world(0, trees=4, rocks=4, start_inventory=("axe", "pickaxe"))
    for tool, source in ((0, "tree"), (1, "rock")):
        w.bag.hand = w.bag.items[tool]
        target = _things(w, source)[0]
        x, y = target.pos
        spot = next((x + dx, y + dy) for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1)) if w._free_for(x + dx, y + dy, "player")
                    and w.item_at[y + dy, x + dx] < 0)
        w.player, w.facing = spot, (x - spot[0], y - spot[1])
        events = w.step(Input(keys=frozenset({"E"}), cursor=(0.5, 0.5), left=False, right=False))
        harvested = [e for e in events if e.type == "harvested"]
        assert len(harvested) == 1 and harvested[0].roles["target"].kind == source
        assert harvested[0].roles["item"].kind == ("log" if source == "tree" else "stone")


# --- v2 episodes: the judge, blind players and the oracle ---------------------------------

def _play(task_id: str, seed: int, macros: list[str], **kwargs):
    env = DiscreteActions(simagym.make(task_id, **kwargs))
    env.reset(seed=seed)
    info, terminated = {}, False
    for name in macros:
        _, _, terminated, truncated, info = env.step(MACRO_INDEX[name])
        if terminated or truncated:
            break
    return env, terminated, info.get("success", False)


def _seed_with(task_id: str, **slots) -> int:
    env = simagym.make(task_id)
    for seed in range(200):
        env.reset(seed=seed)
        if all(env.unwrapped.instruction.slots[k] == v for k, v in slots.items()):
            return seed
    raise AssertionError(f"no seed draws {slots}")


def test_glancing_at_the_other_menu_on_the_way_fails():
    seed = _seed_with("meadow/glance-at-menu-v2", menu="map")
    _, terminated, success = _play("meadow/glance-at-menu-v2", seed, ["key:I", "key:TAB", "key:ESC", "noop"])
    assert terminated and not success
    _, terminated, success = _play("meadow/glance-at-menu-v2", seed, ["key:M", "key:ESC", "noop"])
    assert terminated and success


def test_opening_the_other_menu_and_stopping_there_fails():
    seed = _seed_with("meadow/open-menu-v2", menu="map")
    _, terminated, success = _play("meadow/open-menu-v2", seed, ["key:I", "noop"])
    assert terminated and not success
    _, terminated, success = _play("meadow/open-menu-v2", seed, ["key:I", "key:TAB", "noop"])
    assert terminated and success, "passing through the inventory on the way to the map is fine"


def test_switching_tabs_starts_in_the_menu_named_and_never_closes():
    task = "meadow/switch-menu-v2"
    seed = _seed_with(task, menu="inventory")
    for macros, expected in ((["key:I", "key:TAB", "noop"], True), (["key:I", "key:ESC", "key:M", "noop"], False),
                             (["key:M", "key:TAB", "noop"], False), (["key:M", "key:TAB", "key:TAB", "noop"], False)):
        _, terminated, success = _play(task, seed, macros)
        assert terminated and success is expected, macros
    seed = _seed_with(task, menu="map")
    _, terminated, success = _play(task, seed, ["key:M", "key:TAB", "noop"])
    assert terminated and success


def test_dropping_something_the_words_never_name_fails():
    env = simagym.make("meadow/drop-item-v2")
    env.reset(seed=0)
    bag = [t.kind for t in env.unwrapped.world.bag.items]
    log_slot, tool_slot = bag.index("log"), bag.index(env.unwrapped.instruction.slots["tool"])
    _, terminated, success = _play("meadow/drop-item-v2", 0, [f"key:{log_slot + 1}", "key:Q"])
    assert terminated and not success
    _, terminated, success = _play("meadow/drop-item-v2", 0, [f"key:{tool_slot + 1}", "key:Q"])
    assert terminated and success


def test_walking_too_far_fails_and_walking_exactly_succeeds():
    seed = _seed_with("meadow/walk-direction-v2", direction="north", distance="3")
    _, terminated, success = _play("meadow/walk-direction-v2", seed, ["key:W"] * 5 + ["noop"])
    assert terminated and not success
    _, terminated, success = _play("meadow/walk-direction-v2", seed, ["key:W"] * 3 + ["noop"])
    assert terminated and success
    _, terminated, success = _play("meadow/walk-direction-v2", seed, ["key:W"] * 3 + ["key:D", "noop"])
    assert not success


def test_equipping_from_a_shuffled_bag_first_slot_is_not_the_answer():
    """A fixed slot is right about as often as one of the eight items, below the chance of 1 in 4."""
    wins = 0
    for seed in range(40):
        _, _, success = _play("meadow/equip-tool-v2", seed, ["key:1", "noop"])
        wins += success
    assert wins <= 10


def _rival_events(task_id: str, seed: int) -> tuple[bool, list]:
    """One oracle episode; whether it succeeded and every event it caused."""
    env = DiscreteActions(simagym.make(task_id))
    obs, _ = env.reset(seed=seed)
    agent = load_agent("oracle")
    agent.reset(obs["instruction"], env.unwrapped)
    seen, done, info = [], False, {}
    while not done:
        obs, _, terminated, truncated, info = env.step(agent.act(obs))
        seen += env.unwrapped.last_events
        done = terminated or truncated
    return info["success"], seen


@pytest.mark.parametrize("task_id,event,role", [
    ("meadow/open-gate-v2", "opened", "target"), ("meadow/unlock-gate-v2", "unlocked", "target"),
    ("meadow/open-chest-v2", "opened", "target"), ("meadow/take-from-chest-v2", "took_out", "item"),
    ("meadow/enter-pen-v2", "went_through", "target"), ("meadow/pick-up-tool-v2", "picked_up", "item"),
    ("meadow/harvest-v2", "harvested", "target"), ("meadow/mark-landmark-v2", "marker_placed", "target"),
])
def test_the_oracle_touches_no_look_alike(task_id, event, role):
    """The oracle opens, takes, uses or marks only what its instruction names."""
    for seed in range(8):
        success, events = _rival_events(task_id, seed)
        assert success
        kinds = {(e.roles[role].kind, e.roles[role].colour) for e in events if e.type == event and role in e.roles}
        assert len(kinds) == 1, (seed, kinds)


def test_the_oracle_opens_only_the_chest_it_needs():
    for seed in range(8):
        success, events = _rival_events("meadow/take-from-chest-v2", seed)
        assert success and sum(e.type == "opened" for e in events) == 1


def test_meadow_blind_scripts_are_registered():
    scripts = blind.scripts_for(MeadowWorld)
    assert {"1-Q", "1-Esc", "M-sweep", "I-sweep", "I-Tab"} <= set(scripts)
    assert set(blind.SCRIPTS) <= set(scripts), "the generic scripts stay"


def test_v2_targets_never_start_reached():
    for spec in simagym.list_tasks(world="meadow"):
        env = simagym.make(spec.id)
        for seed in range(5):
            env.reset(seed=seed)
            assert not env.unwrapped.goal.satisfied(env.unwrapped.world), (spec.id, seed)


@pytest.mark.parametrize("task_id", ["meadow/go-to-house-v2", "meadow/go-to-flora-v2", "meadow/go-to-gate-v2",
                                     "meadow/go-to-chest-v2", "meadow/go-to-animal-v2", "meadow/go-to-object-v2"])
def test_navigation_targets_have_look_alikes(task_id):
    from simagym.judge import alternatives

    env = simagym.make(task_id)
    for seed in range(5):
        env.reset(seed=seed)
        assert alternatives(env.unwrapped.instruction, env.unwrapped.world), (task_id, seed)



@pytest.mark.parametrize("task_id", sorted(V1_FINGERPRINTS))
def test_the_oracle_still_solves_v1(task_id):
    """Solver changes for v2 keep every frozen v1 template solved (tests/test_oracle.py sweeps the current ones)."""
    env = DiscreteActions(simagym.make(task_id))
    agent = load_agent("oracle")
    failures = []
    for seed in range(20):
        obs, _ = env.reset(seed=seed)
        agent.reset(obs["instruction"], env.unwrapped)
        done, info = False, {}
        while not done:
            obs, _, terminated, truncated, info = env.step(agent.act(obs))
            done = terminated or truncated
        if not info["success"]:
            failures.append(seed)
    assert not failures, f"{task_id}: the oracle failed on seeds {failures}"
