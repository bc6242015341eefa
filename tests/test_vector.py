"""Gymnasium's vector envs carry the true instruction in every mode, and envs pickle."""

from __future__ import annotations

import copy
import fnmatch
import pickle

import gymnasium
import numpy as np
import pytest

import simagym
from simagym.macros import MACROS, DiscreteActions
from simagym.vector import SimaVectorEnv

TASK = "meadow/go-to-house-v2"


def single_instructions(seed: int, n: int) -> list[str]:
    """What n separate envs say, seeded as a vector env seeds its copies (seed, seed + 1, ...)."""
    out = []
    for i in range(n):
        env = simagym.make(TASK)
        out.append(env.reset(seed=seed + i)[0]["instruction"])
    return out


@pytest.mark.parametrize("mode,kwargs", [
    ("sync", {}),
    ("async", {}),  # shared memory, gymnasium's default
    ("async", {"vector_kwargs": {"shared_memory": False}}),
    ("async", {"vector_kwargs": {"copy": False}}),
])
def test_make_vec_delivers_the_instruction_in_every_mode(mode, kwargs):
    expected = single_instructions(seed=5, n=3)
    vec = gymnasium.make_vec(simagym.gym_id(TASK), 3, vectorization_mode=mode, **kwargs)
    try:
        obs, _ = vec.reset(seed=5)
        assert list(obs["instruction"]) == expected
        for _ in range(4):
            obs, *_ = vec.step(vec.action_space.sample())
            assert list(obs["instruction"]) == expected  # the same episodes: the same instructions
        assert obs["pixels"].shape == (3, 64, 64, 3)
    finally:
        vec.close()


@pytest.mark.parametrize("world", ["meadow", "halls", "gameui", "ledges"])
def test_an_env_pickles_mid_episode_and_plays_on_identically(world):
    task = next(t.id for t in simagym.list_tasks(world=world))
    env = simagym.make(task)
    env.reset(seed=3)
    rng = np.random.default_rng(0)
    actions = [env.action_space.sample() for _ in range(12)]
    for a in actions[:4]:
        env.step(a)
    twin = pickle.loads(pickle.dumps(env))
    deep = copy.deepcopy(env)
    for a in actions[4:]:
        out = [e.step(a) for e in (env, twin, deep)]
        frames = [o[0]["pixels"] for o in out]
        assert all(np.array_equal(frames[0], f) for f in frames[1:])
        assert len({(o[1], o[2], o[3]) for o in out}) == 1
    del rng


# --- the batched in-process vector env ---------------------------------------------------------

MIXED = ["meadow/go-to-house-v2", "halls/corridor-end-v2", "gameui/back-to-main-menu-v2", "ledges/climb-higher-v2"]


def assert_same_step(a, b):
    """Two vector-env results (obs, rewards, terminations, truncations, infos) are identical."""
    (obs_a, *arrays_a, info_a), (obs_b, *arrays_b, info_b) = a, b
    assert np.array_equal(obs_a["pixels"], obs_b["pixels"])
    assert tuple(obs_a["instruction"]) == tuple(obs_b["instruction"])
    for x, y in zip(arrays_a, arrays_b):
        assert x.dtype == y.dtype and np.array_equal(x, y)
    assert info_a.keys() == info_b.keys()
    for key in info_a:
        if key == "final_obs":
            for fa, fb in zip(info_a[key], info_b[key]):
                assert (fa is None) == (fb is None)
                if fa is not None:
                    assert np.array_equal(fa["pixels"], fb["pixels"]) and fa["instruction"] == fb["instruction"]
        elif key == "final_info":
            assert_same_step(({"pixels": np.zeros(1), "instruction": ()}, info_a[key]),
                             ({"pixels": np.zeros(1), "instruction": ()}, info_b[key]))
        else:
            assert np.array_equal(info_a[key], info_b[key]), key


@pytest.mark.parametrize("autoreset_mode", ["NextStep", "SameStep"])
def test_the_batched_env_matches_sync_vector_env_on_the_same_seeds_and_actions(autoreset_mode):
    # Short episodes, so every env ends and autoresets several times within the run.
    tasks = MIXED * 2
    mode = gymnasium.vector.AutoresetMode(autoreset_mode)
    sync = gymnasium.vector.SyncVectorEnv(
        [lambda t=t: DiscreteActions(simagym.make(t, max_steps=7)) for t in tasks], autoreset_mode=mode)
    batched = simagym.make_vec(tasks, macros=True, max_steps=7, autoreset_mode=autoreset_mode)
    assert batched.metadata["autoreset_mode"] is mode
    assert batched.action_space == sync.action_space
    try:
        assert_same_step((*sync.reset(seed=11)[:1], *([np.zeros(0)] * 3), sync.reset(seed=11)[1]),
                         (*batched.reset(seed=11)[:1], *([np.zeros(0)] * 3), batched.reset(seed=11)[1]))
        actions = np.random.default_rng(0).integers(len(MACROS), size=(30, len(tasks)))
        ended = 0
        for a in actions:
            expected, got = sync.step(a), batched.step(a)
            assert_same_step(expected, got)
            ended += int((got[2] | got[3]).sum())
        assert ended >= 2 * len(tasks)
    finally:
        sync.close()
        batched.close()


def test_make_vec_with_the_vector_entry_point_plays_the_keyboard_like_sync():
    gid = simagym.gym_id(TASK)
    sync = gymnasium.make_vec(gid, 3, vectorization_mode="sync", max_steps=5)
    batched = gymnasium.make_vec(gid, 3, vectorization_mode="vector_entry_point", max_steps=5)
    assert isinstance(batched, SimaVectorEnv) and batched.spec.id == gid
    assert batched.action_space == sync.action_space
    try:
        sync.reset(seed=2), batched.reset(seed=2)
        sync.action_space.seed(4)
        for _ in range(12):
            action = sync.action_space.sample()
            assert_same_step(sync.step(action), batched.step(action))
    finally:
        sync.close()
        batched.close()


def test_make_vec_takes_a_suite_a_pattern_or_a_list_and_says_what_is_wrong():
    from simagym.eval.suite import load_suite

    suite = load_suite("train-default")
    env = simagym.make_vec("train-default")
    assert env.task_ids == list(suite.training_tasks) and env.num_envs == len(suite.training_tasks)
    env = simagym.make_vec("meadow/go-to-*")
    assert env.task_ids and all(fnmatch.fnmatch(t, "meadow/go-to-*-v2") for t in env.task_ids)
    env = simagym.make_vec([simagym.gym_id(TASK), "ledges/climb-higher-v2"], num_envs=4)
    assert env.task_ids == [TASK, "ledges/climb-higher-v2"] * 2
    with pytest.raises(KeyError, match="Did you mean"):
        simagym.make_vec("meadow/go-to-hose-v2")
    env = simagym.make_vec(TASK, num_envs=2, macros=True)
    env.reset(seed=0)
    with pytest.raises(ValueError, match="expected 2 macro indices"):
        env.step(np.zeros(3, dtype=np.int64))


def test_reset_mask_resets_only_the_chosen_envs():
    env = simagym.make_vec(TASK, num_envs=3, macros=True)
    obs, _ = env.reset(seed=0)
    mask = np.array([False, True, False])
    again, info = env.reset(seed=[None, 99, None], options={"reset_mask": mask})
    assert info["_task_id"].tolist() == [False, True, False]
    assert again["instruction"][1] == single_instructions(99, 1)[0]
    assert again["instruction"][0] == obs["instruction"][0]


def test_gymnasium_make_vec_defaults_to_the_batched_env_and_disabled_autoreset_waits_for_reset_mask():
    env = gymnasium.make_vec(simagym.gym_id(TASK), 2, macros=True, max_steps=2, autoreset_mode="Disabled")
    assert isinstance(env, SimaVectorEnv)
    env.reset(seed=0)
    env.step(np.zeros(2, dtype=np.int64))
    _, _, _, truncated, _ = env.step(np.zeros(2, dtype=np.int64))
    assert truncated.all()
    with pytest.raises(RuntimeError, match="reset_mask"):
        env.step(np.zeros(2, dtype=np.int64))
    env.reset(options={"reset_mask": np.array([True, True])})
    _, _, _, truncated, _ = env.step(np.zeros(2, dtype=np.int64))
    assert not truncated.any()
    with pytest.raises(ValueError, match="render_mode='rgb_array'"):
        simagym.make_vec(TASK, 2, render_mode="human")


def test_fewer_envs_than_tasks_take_the_tasks_in_turn_and_a_seeded_reset_repeats_them():
    tasks = MIXED[:3]

    def play(env, steps=40):
        """(the tasks each env begins, in order; every frame)."""
        obs, info = env.reset(seed=3)
        begun = [[t] for t in info["task_id"]]
        frames = [obs["pixels"]]
        ended = np.zeros(2, dtype=bool)
        for a in np.random.default_rng(1).integers(len(MACROS), size=(steps, 2)):
            obs, _, terminated, truncated, info = env.step(a)
            for i in np.flatnonzero(ended):  # next-step autoreset: this step began a new episode
                begun[i].append(info["task_id"][i])
            ended = terminated | truncated
            frames.append(obs["pixels"])
        return begun, frames

    env = simagym.make_vec(tasks, num_envs=2, macros=True, max_steps=3)
    seen, frames = play(env)
    # env 0 plays tasks 0, 2, 1, 0, ... and env 1 plays 1, 0, 2, ...: every task is played
    assert seen[0][:4] == [tasks[0], tasks[2], tasks[1], tasks[0]]
    assert seen[1][:4] == [tasks[1], tasks[0], tasks[2], tasks[1]]
    again, frames_again = play(env)  # the same env, reset with the same seed
    fresh, frames_fresh = play(simagym.make_vec(tasks, num_envs=2, macros=True, max_steps=3))
    assert again == seen == fresh
    assert all(np.array_equal(a, b) and np.array_equal(a, c) for a, b, c in zip(frames, frames_again, frames_fresh))
