"""Several players in one world: PettingZoo's own test kit on every team task, multi-step
determinism across processes, the joint oracle's sweep, giving, and the team task files."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from pettingzoo.test import api_test, parallel_api_test, parallel_seed_test, render_test

import simagym.multi as multi
from simagym.actions import make_action
from simagym.macros import MACROS, key_macro
from simagym.registry import get_world
from simagym.spec import TaskFileError
from simagym.multi.spec import load_team_file

# PettingZoo's kit prefers Box/Discrete spaces; ours are simagym's Dict spaces on purpose.
pytestmark = [pytest.mark.filterwarnings("ignore:Observation is not a NumPy array"),
              pytest.mark.filterwarnings("ignore:.*space for each agent probably should be")]

TEAM_IDS = [spec.id for spec in multi.list_team_tasks()]
KINDS = {spec.id: spec.kind.value for spec in multi.list_team_tasks()}


def test_catalogue_has_every_kind_in_both_worlds():
    assert len(TEAM_IDS) >= 20
    for world in ("meadow", "ledges"):
        kinds = {s.kind.value for s in multi.list_team_tasks(world)}
        assert kinds == {"cooperative", "teammate", "competitive"}, world
    assert all(s.category == "team" for s in multi.list_team_tasks())
    assert any(s.race for s in multi.list_team_tasks())
    assert {s.players for s in multi.list_team_tasks()} >= {2, 3, 4}


@pytest.mark.parametrize("task_id", TEAM_IDS)
def test_parallel_api(task_id):
    parallel_api_test(multi.parallel_env(task_id), num_cycles=40)


@pytest.mark.parametrize("task_id", TEAM_IDS)
def test_aec_api(task_id):
    api_test(multi.env(task_id), num_cycles=20)


@pytest.mark.parametrize("task_id", ["meadow/team-give-key-v1", "ledges/team-hold-lever-bridge-v1"])
def test_render_and_seed(task_id):
    render_test(lambda render_mode=None: multi.env(task_id, render_mode=render_mode))
    parallel_seed_test(lambda: multi.parallel_env(task_id))


def test_each_player_sees_its_own_camera_and_instruction():
    env = multi.parallel_env("meadow/team-give-key-v1")
    obs, infos = env.reset(seed=3)
    assert env.agents == ["player_0", "player_1"]
    a, b = obs["player_0"], obs["player_1"]
    assert a["pixels"].shape == (64, 64, 3) and a["pixels"].dtype == np.uint8
    assert env.observation_space("player_0").contains(a)
    assert a["instruction"] != b["instruction"] and "key" in a["instruction"]
    assert not np.array_equal(a["pixels"], b["pixels"])  # two cameras, each centred on its player
    assert infos["player_1"] == {"success": False, "team_success": False, "task_id": "meadow/team-give-key-v1",
                                 "seat": 1}


def _colours(frame: np.ndarray) -> set[tuple[int, int, int]]:
    return {tuple(int(c) for c in px) for px in frame.reshape(-1, 3)}


@pytest.mark.parametrize("task_id", ["meadow/team-meet-landmark-v1", "ledges/team-meet-flag-v1"])
def test_players_see_each_other_in_distinct_colours(task_id):
    from simagym.seats import SEAT_COLOURS

    raw = multi.parallel_env(task_id, resolution=96)
    env, oracle = multi.DiscreteActions(raw), multi.JointOracle(raw)
    obs, _ = env.reset(seed=1)
    oracle.reset()
    both_seen = {0: False, 1: False}
    while env.agents:  # the meeting brings both into view
        obs, *_ = env.step(oracle.act())
        for me, other in ((0, 1), (1, 0)):
            seen = _colours(obs[f"player_{me}"]["pixels"])
            assert SEAT_COLOURS[me] in seen  # each sees itself, in its own colour
            both_seen[me] |= SEAT_COLOURS[other] in seen
    assert all(both_seen.values())


def test_giving_hands_the_item_to_the_player_faced():
    env = multi.parallel_env("meadow/team-give-key-v1")
    env.reset(seed=0)
    world = env.world
    with world.seated(0):  # put player 1 right below player 0, and a key in player 0's hand
        x, y = world.player
        key = world.by_id[world.find({"kind": "key"})[0].id]
        world._place(key, None)
        world.bag.pick_up(key, [])
        world.facing = (0, 1)
    with world.seated(1):
        world.player = (x, y + 1)
        world._place(world.me, (x, y + 1))
    idle = make_action()
    *_, infos = env.step({"player_0": make_action(keys=["E"]), "player_1": idle})
    with world.seated(1):
        assert [e.kind for e in world.inventory()] == ["key"] and world.equipped().kind == "key"
    with world.seated(0):
        assert world.inventory() == []
    assert infos["player_0"]["success"] and infos["player_1"]["success"] and infos["player_0"]["team_success"]
    assert env.agents == []


def test_discrete_macros_for_every_player():
    env = multi.DiscreteActions(multi.parallel_env("meadow/team-meet-landmark-v1"))
    env.reset(seed=0)
    assert env.action_space("player_1").n == len(MACROS)
    obs, rewards, terms, truncs, infos = env.step({"player_0": key_macro("W"), "player_1": key_macro("D")})
    assert set(obs) == {"player_0", "player_1"}
    with pytest.raises(ValueError, match="player_0: a macro action must be an int"):
        env.step({"player_0": "W", "player_1": 0})


def test_bad_calls_name_the_problem():
    env = multi.parallel_env("meadow/team-give-key-v1")
    with pytest.raises(RuntimeError, match="call reset"):
        env.step({})
    env.reset(seed=0)
    with pytest.raises(ValueError, match="no action for player_1"):
        env.step({"player_0": make_action()})
    with pytest.raises(KeyError, match="player_0, player_1"):
        env.action_space("player_7")
    spec = multi.get_team_task("meadow/team-meet-well-four-v1")
    with pytest.raises(ValueError, match="seats at most 1"):
        multi.TeamEnv(spec, get_world("halls")())
    with pytest.raises(KeyError, match="Did you mean"):
        multi.parallel_env("meadow/team-give-kee-v1")


# --- determinism --------------------------------------------------------------------------

ROLLOUT = textwrap.dedent("""
    import hashlib, sys
    import numpy as np
    import simagym.multi as multi
    from simagym.macros import MACROS

    def rollout(task_id, seed, steps):
        env = multi.DiscreteActions(multi.parallel_env(task_id))
        rng = np.random.default_rng(seed)
        obs, _ = env.reset(seed=seed)
        digest = hashlib.sha256()
        for _ in range(steps):
            for agent in env.possible_agents:
                digest.update(obs[agent]["pixels"].tobytes())
                digest.update(obs[agent]["instruction"].encode())
            if not env.agents:
                obs, _ = env.reset()
            actions = {a: int(rng.integers(len(MACROS))) if rng.random() < 0.3 else int(rng.integers(1, 12))
                       for a in env.agents}
            obs, rewards, terms, truncs, infos = env.step(actions)
            digest.update(repr(sorted(rewards.items())).encode())
        return digest.hexdigest()
""")


@pytest.mark.parametrize("task_id", ["meadow/team-copy-pet-v1", "ledges/team-race-coins-v1"])
def test_same_seed_and_actions_give_identical_frames_across_processes(task_id):
    namespace: dict = {}
    exec(ROLLOUT, namespace)
    here = namespace["rollout"](task_id, 7, 120)
    assert here == namespace["rollout"](task_id, 7, 120)
    assert here != namespace["rollout"](task_id, 8, 120)
    script = ROLLOUT + f"\nprint(rollout({task_id!r}, 7, 120))\n"
    there = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                           env={"PYTHONHASHSEED": "12345", "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy",
                                "PATH": ""}).stdout.strip()
    assert there == here


# --- the joint oracle ---------------------------------------------------------------------

@pytest.mark.parametrize("task_id", TEAM_IDS)
def test_joint_oracle_solves_every_template(task_id):
    raw = multi.parallel_env(task_id)
    env = multi.DiscreteActions(raw)  # acting through the macros: its episodes are demonstrations
    oracle = multi.JointOracle(raw)
    failed = []
    for seed in range(20):
        env.reset(seed=seed)
        oracle.reset()
        while env.agents:
            *_, infos = env.step(oracle.act())
        if not infos["player_0"]["team_success"]:
            failed.append(seed)
        winners = [i["success"] for i in infos.values()]
        assert any(winners) if raw.task.race else all(winners)
    assert not failed, f"{task_id}: the joint oracle failed seeds {failed}"


@pytest.mark.parametrize("task_id, seeds", [
    # Walking to its flag, one Ledges player collected the coin its partner was told to collect.
    ("ledges/team-side-by-side-v1", [50049, 50058, 50070, 50080, 50088]),
    # The partner who handed over the key stood still on the one cell the gate opens from.
    ("meadow/team-help-gate-v1", [50021]),
    ("meadow/team-key-for-gate-v1", [50054, 50117, 50179]),
])
def test_joint_oracle_keeps_off_what_a_partner_needs(task_id, seeds):
    from simagym.eval.team_audit import _joint_oracle, play

    raw = multi.parallel_env(task_id)
    env = multi.DiscreteActions(raw)
    failed = []
    for seed in seeds:
        env.reset(seed=seed)
        if not play(env, _joint_oracle(raw)):
            failed.append(seed)
    assert not failed, f"{task_id}: the joint oracle failed seeds {failed}"


@pytest.mark.parametrize("task_id, seed", [
    # The helper, done, fled ahead of its partner down the one-cell corridor into the cell in front
    # of the gate, the only one the partner could open it from: each blocked the other for good.
    ("meadow/team-help-gate-v1", 60210),
    ("meadow/team-help-gate-v1", 60313),
    # Three players near the well blocked the way to the last free cells; done with a passing goal
    # (near the well), none stepped aside - one could, to another cell by the well.
    ("meadow/team-meet-well-four-v1", 60054),
])
def test_joint_oracle_players_never_block_each_other_for_good(task_id, seed):
    raw = multi.parallel_env(task_id)
    env = multi.DiscreteActions(raw)
    oracle = multi.JointOracle(raw)
    env.reset(seed=seed)
    oracle.reset()
    while env.agents:
        *_, infos = env.step(oracle.act())
    assert infos["player_0"]["team_success"]


# --- task files ---------------------------------------------------------------------------

LAYOUTS = {"meadow": get_world("meadow").Layout}
GOOD_ROLE = """
      - phrasings: {train: ["go to the well"], heldout: ["walk to the well"]}
        success: {near: {kind: well}}
"""


def seated_role(seats: object) -> str:
    return GOOD_ROLE.replace("- phrasings", f"- seats: {seats}\n        phrasings")


@pytest.mark.parametrize("body, field", [
    ("roles: []", "roles"),
    ("roles:" + GOOD_ROLE, "roles"),  # one player is not a team
    ("roles:" + GOOD_ROLE + "      - {phrasings: {train: [a], heldout: [b]}}", "roles[1]"),
    ("roles:" + seated_role(0), "roles[0].seats"),
    ("layout: {houses: 9}\n    roles:" + GOOD_ROLE * 2, "layout.houses"),
    ("roles:" + GOOD_ROLE + GOOD_ROLE.replace("{near: {kind: well}}", "{near: {kind: wel}}"), "success"),
])
def test_bad_team_files_name_the_field(body, field):
    text = f"world: meadow\ntasks:\n  - id: meadow/team-x-v1\n    kind: cooperative\n    max_steps: 50\n    {body}\n"
    with pytest.raises(TaskFileError) as err:
        load_team_file(text, "bad.yaml", LAYOUTS, {"meadow": get_world("meadow").vocabulary})
    assert err.value.field.startswith(field) or err.value.field == field, str(err.value)
    assert "bad.yaml" in str(err.value)


def test_a_role_for_several_seats():
    text = ("world: meadow\ntasks:\n  - id: meadow/team-x-v1\n    kind: cooperative\n    max_steps: 50\n"
            "    roles:" + seated_role(3))
    spec, = load_team_file(text, "ok.yaml", LAYOUTS)
    assert spec.players == 3 and [r.id for r in spec.roles] == ["meadow/team-x-v1#0", "meadow/team-x-v1#1",
                                                                 "meadow/team-x-v1#2"]


def test_a_held_lever_springs_back_when_its_holder_walks_off():
    from simagym.envs.ledges.physics import SUB

    env = multi.parallel_env("ledges/team-hold-lever-bridge-v1")
    env.reset(seed=0)
    world = env.world
    lever = world.by_id[world.find({"kind": "lever"})[0].id]
    bridge = world.by_id[world.find({"kind": "bridge"})[0].id]
    with world.seated(0):
        world.state = (lever.pos[0] * SUB, lever.pos[1] * SUB, 0, False)
    idle, pull, walk = make_action(), make_action(keys=["E"]), make_action(keys=["A"])
    env.step({"player_0": pull, "player_1": idle})
    assert lever.on and bridge.on
    env.step({"player_0": idle, "player_1": pull})  # standing still holds it
    assert bridge.on
    for _ in range(3):
        env.step({"player_0": walk, "player_1": idle})
    assert not lever.on and not bridge.on


def test_team_demonstrations_are_balanced_by_length_like_single_player_ones():
    from simagym.train.demos import PILOT_EPISODES
    from simagym.train.team import spread, team_demos

    assert spread(["a", "b"], [1, 3]) == ["b", "a", "b", "b"]
    tasks = ["meadow/team-race-landmark-v1", "ledges/team-hold-lever-bridge-v1"]  # a few ticks against ~40
    episodes = 2 * PILOT_EPISODES + 12
    plain = team_demos(tasks, episodes, seed=0, resolution=32)
    assert plain.tasks.count(tasks[0]) == plain.tasks.count(tasks[1]) == episodes // 2
    balanced = team_demos(tasks, episodes, seed=0, resolution=32, balance=1.0)
    assert len(balanced.tasks) == episodes and set(balanced.tasks) == set(tasks)
    assert balanced.tasks[:2 * PILOT_EPISODES] == plain.tasks[:2 * PILOT_EPISODES]  # the pilot is round robin
    length = {t: np.mean([n for n, k in zip(np.diff(np.append(plain.episode_starts, len(plain.actions)))[::2],
                                             plain.tasks) if k == t]) for t in tasks}
    short, long = sorted(tasks, key=length.get)
    assert balanced.tasks.count(short) > balanced.tasks.count(long)
    # Played by worker processes: the same demonstrations.
    parallel = team_demos(tasks, episodes, seed=0, resolution=32, balance=1.0, workers=2)
    assert parallel.tasks == balanced.tasks and parallel.instructions == balanced.instructions
    assert np.array_equal(parallel.actions, balanced.actions) and np.array_equal(parallel.frames, balanced.frames)
    assert np.array_equal(parallel.episode_starts, balanced.episode_starts)
    # A memory bound: play stops once that many frames are held.
    capped = team_demos(tasks, 400, seed=0, resolution=32, max_frames=300)
    assert 300 <= len(capped.frames) < 300 + 8 * 2 * 200  # at most a chunk of episodes past the bound
    assert len(capped.tasks) < 400 and capped.frames.base is None  # the store's own array, not a view
