"""The referee's two rule sets: immediate (v1) and settled + strict (v2 catalogues)."""

from __future__ import annotations

import pytest

import simagym
from simagym.agents.oracle import OracleAgent
from simagym.env import SimaEnv
from simagym.judge import Judge, Outcome, alternatives
from simagym.macros import NOOP, DiscreteActions, key_macro
from simagym.spec import TaskFileError, load_task_file


def make(task_id: str, settle: int = 3, strict: bool = True, **kwargs) -> DiscreteActions:
    spec = simagym.get_task(task_id).model_copy(update={"settle": settle, "strict": strict})
    return DiscreteActions(SimaEnv(spec, simagym.get_world(spec.world)(), **kwargs))


def play(env, macros, seed=0, tail=NOOP):
    """Play ``macros`` then ``tail`` until the episode ends; return (success, terminated, steps)."""
    env.reset(seed=seed)
    t = 0
    while True:
        action = macros[t] if t < len(macros) else tail
        _, _, terminated, truncated, info = env.step(action)
        t += 1
        if terminated or truncated:
            return info["success"], terminated, t


KEYS = {name: key_macro(name) for name in ("I", "M", "TAB", "ESC", "W")}
LOOK = [KEYS["I"], KEYS["TAB"], KEYS["ESC"]]


def test_immediate_rules_count_a_state_passed_through():
    """v1 behaviour, kept for published suites: I, Tab, Esc passes 'open the map'."""
    success, terminated, steps = play(make("meadow/open-map-v1", settle=0, strict=False), LOOK)
    assert success and terminated and steps == 2


def test_settled_rules_ignore_a_state_passed_through():
    success, _, _ = play(make("meadow/open-map-v1"), LOOK)
    assert not success


def test_a_noop_while_the_goal_holds_ends_the_episode_at_once():
    success, terminated, steps = play(make("meadow/open-map-v1"), [KEYS["M"]])
    assert success and terminated and steps == 2  # M, then the no-op says "done"


def test_holding_still_for_settle_ticks_also_counts():
    """A person who stops pressing keys is idle; one who keeps clicking in the menu is not, and
    still succeeds once the state has held for ``settle`` ticks."""
    from simagym.macros import MACRO_INDEX

    click = MACRO_INDEX["click:0,0"]
    success, _, steps = play(make("meadow/open-map-v1", settle=4), [KEYS["M"]], tail=click)
    assert success and steps == 4  # the map is open on ticks 1 to 4


def test_a_sequence_must_still_hold_its_last_state():
    """'Open the inventory, then the map' is not done once the map has been closed again."""
    success, _, _ = play(make("meadow/switch-to-map-v1"), LOOK)
    assert not success
    success, _, _ = play(make("meadow/switch-to-map-v1"), [KEYS["I"], KEYS["TAB"]])
    assert success


def test_strict_rules_fail_on_a_look_alike():
    """Doing what another instruction of the same template asks (another house) fails."""
    env = make("meadow/go-to-house-v1")
    failures = 0
    for seed in range(5):
        obs, _ = env.reset(seed=seed)
        instruction = env.unwrapped.instruction
        others = alternatives(instruction, env.unwrapped.world)
        assert others, "three houses: two look-alikes"
        # Follow another house's instruction with the oracle; the judge is the original one's.
        oracle = OracleAgent()
        judge = env.unwrapped._judge
        oracle._solver = env.unwrapped.world.solver(others[0].success_check())
        while True:
            obs, _, terminated, truncated, info = env.step(oracle.act(obs))
            if terminated or truncated:
                break
        assert judge is env.unwrapped._judge
        assert not info["success"] and terminated
        failures += 1
    assert failures == 5


def test_the_oracle_still_solves_settled_strict_tasks():
    env = make("meadow/go-to-house-v1")
    for seed in range(5):
        obs, _ = env.reset(seed=seed)
        oracle = OracleAgent()
        oracle.reset(obs["instruction"], env.unwrapped)
        while True:
            obs, _, terminated, truncated, info = env.step(oracle.act(obs))
            if terminated or truncated:
                break
        assert info["success"]


def test_alternatives_are_plausible_look_alikes_only():
    env = make("meadow/go-to-house-v1")
    env.reset(seed=3)
    world = env.unwrapped.world
    instruction = env.unwrapped.instruction
    colours = {h.colour for h in world.find({"kind": "house"})}
    # A house the player already stands by is no goal to pursue: not a look-alike.
    reached = {h.colour for h in world.find({"kind": "house"}) if world.is_near(h)}
    others = alternatives(instruction, world)
    assert {o.slots["colour"] for o in others} == colours - {instruction.slots["colour"]} - reached


def test_judge_outcome_of_failure_check():
    """An explicit failure condition ends the episode whatever the success check says."""
    env = make("ledges/exit-without-hit-v1")
    env.reset(seed=0)
    judge: Judge = env.unwrapped._judge
    assert judge.failure is not None
    from simagym.world import Event

    assert judge.update(env.unwrapped.world, [Event("hit")], idle=False) is Outcome.FAILURE


def test_task_files_set_settle_and_strict_once_for_all_their_tasks():
    text = """
world: meadow
settle: 3
strict: true
tasks:
  - id: meadow/x-v2
    category: menu
    max_steps: 20
    phrasings: {train: ["open the map"], heldout: ["look at the map"]}
    success: {menu: map}
  - id: meadow/y-v2
    category: menu
    max_steps: 20
    settle: 0
    phrasings: {train: ["open the map"], heldout: ["look at the map"]}
    success: {menu: map}
"""
    layouts = {"meadow": simagym.get_world("meadow").Layout}
    x, y = load_task_file(text, "t.yaml", layouts)
    assert (x.settle, x.strict) == (3, True)
    assert (y.settle, y.strict) == (0, True)
    with pytest.raises(TaskFileError, match="setle"):
        load_task_file(text.replace("settle: 3", "setle: 3"), "t.yaml", layouts)
    with pytest.raises(TaskFileError, match="settle"):
        load_task_file(text.replace("settle: 3", "settle: -1"), "t.yaml", layouts)


def test_idle_means_nothing_pressed_and_the_cursor_still():
    from simagym.actions import make_action

    env = SimaEnv(simagym.get_task("meadow/open-map-v1").model_copy(update={"settle": 3, "strict": True}),
                  simagym.get_world("meadow")())
    env.reset(seed=0)
    env.step(make_action(keys=["M"]))
    # The cursor moved: not idle, and one tick of the map is not yet settled.
    _, _, terminated, _, _ = env.step(make_action(mouse=(0.1, 0.1)))
    assert not terminated
    _, _, terminated, _, info = env.step(make_action(mouse=(0.1, 0.1)))
    assert terminated and info["success"]


def test_stepping_after_the_end_never_pays_twice():
    env = make("meadow/open-map-v1")
    env.reset(seed=0)
    env.step(KEYS["M"])
    _, reward, terminated, _, info = env.step(NOOP)
    assert terminated and info["success"] and reward > 0
    with pytest.warns(UserWarning, match="after the episode ended"):
        _, again, terminated, truncated, info = env.step(NOOP)
    assert again == 0.0 and terminated and not truncated and info["success"]
