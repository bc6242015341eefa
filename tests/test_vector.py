"""Gymnasium's vector envs carry the true instruction in every mode, and envs pickle."""

from __future__ import annotations

import copy
import pickle

import gymnasium
import numpy as np
import pytest

import simagym

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
