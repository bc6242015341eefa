"""Random keyboard/mouse input (hypothesis) over random tasks and seeds: the env
never crashes, observations stay in the space, and episodes end properly."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import simagym
from simagym.actions import BUTTONS, KEYS
from simagym.macros import MACROS, DiscreteActions

from conftest import all_task_ids

TASK_IDS = all_task_ids()
SETTINGS = settings(
    max_examples=40, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# A world mostly sees a few keys at once, sometimes a mash of many.
sparse_keys = st.sets(st.sampled_from(KEYS), max_size=3).map(lambda held: [k in held for k in KEYS])
mashed_keys = st.lists(st.booleans(), min_size=len(KEYS), max_size=len(KEYS))
int_dtypes = st.sampled_from([np.int8, np.uint8, np.int32, np.int64, np.bool_])
unit = st.floats(0.0, 1.0, allow_nan=False, width=32)


@st.composite
def actions(draw):
    keys = draw(st.one_of(sparse_keys, mashed_keys))
    buttons = draw(st.lists(st.booleans(), min_size=len(BUTTONS), max_size=len(BUTTONS)))
    mouse = (draw(st.one_of(unit, st.sampled_from([0.0, 1.0]))), draw(unit))
    return {
        "keys": np.array(keys, dtype=draw(int_dtypes)),
        "mouse": np.array(mouse, dtype=draw(st.sampled_from([np.float32, np.float64]))),
        "buttons": np.array(buttons, dtype=draw(int_dtypes)),
    }


def check_step(env, result, steps_in_episode: int) -> None:
    obs, reward, terminated, truncated, info = result
    assert env.observation_space.contains(obs), "observation outside the space"
    assert isinstance(reward, float) and 0.0 <= reward <= 1.0
    assert isinstance(terminated, bool) and isinstance(truncated, bool)
    assert not (terminated and truncated)
    assert info["success"] == (reward > 0.0)
    if info["success"]:
        assert terminated
    max_steps = env.unwrapped.max_steps
    assert steps_in_episode <= max_steps
    if not terminated:
        assert truncated == (steps_in_episode == max_steps)


@SETTINGS
@given(
    task_id=st.sampled_from(TASK_IDS),
    seed=st.integers(0, 2**32 - 1),
    max_steps=st.sampled_from([None, 5, 17]),
    resolution=st.sampled_from([64, 32, (40, 72)]),
    acts=st.lists(actions(), min_size=5, max_size=60),
)
def test_random_keyboard_mouse_input_never_crashes(task_id, seed, max_steps, resolution, acts):
    env = simagym.make(task_id, max_steps=max_steps, resolution=resolution)
    obs, info = env.reset(seed=seed)
    assert env.observation_space.contains(obs)
    steps = 0
    for action in acts:
        result = env.step(action)
        steps += 1
        check_step(env, result, steps)
        if result[2] or result[3]:
            obs, info = env.reset()
            assert env.observation_space.contains(obs) and info["success"] is False
            steps = 0
    env.close()


@SETTINGS
@given(
    task_id=st.sampled_from(TASK_IDS),
    seed=st.integers(0, 2**32 - 1),
    macros=st.lists(st.integers(0, len(MACROS) - 1), min_size=10, max_size=120),
)
def test_random_macros_never_crash(task_id, seed, macros):
    env = DiscreteActions(simagym.make(task_id))
    env.reset(seed=seed)
    steps = 0
    for index in macros:
        result = env.step(index)
        steps += 1
        check_step(env, result, steps)
        if result[2] or result[3]:
            env.reset()
            steps = 0
    env.close()


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), task_id=st.sampled_from(TASK_IDS))
def test_sampled_actions_from_the_space_are_accepted(seed, task_id):
    env = simagym.make(task_id)
    env.reset(seed=seed)
    env.action_space.seed(seed)
    for steps in range(1, 31):
        result = env.step(env.action_space.sample())
        check_step(env, result, steps)
        if result[2] or result[3]:
            break
    env.close()


@st.composite
def maybe_bad_actions(draw):
    """Actions that may break the space in one or more parts; also says whether it is valid."""
    n_keys = draw(st.sampled_from([len(KEYS)] * 4 + [0, 1, len(KEYS) - 1, len(KEYS) + 1]))
    key_vals = draw(st.lists(st.sampled_from([0, 1, 0, 1, 2, -1]), min_size=n_keys, max_size=n_keys))
    n_buttons = draw(st.sampled_from([2, 2, 2, 1, 3]))
    button_vals = draw(st.lists(st.sampled_from([0, 1, 0, 1, 5]), min_size=n_buttons, max_size=n_buttons))
    mouse = draw(st.lists(st.one_of(st.floats(-0.5, 1.5), st.just(float("nan"))), min_size=2, max_size=2))
    valid = (
        n_keys == len(KEYS) and set(key_vals) <= {0, 1}
        and n_buttons == 2 and set(button_vals) <= {0, 1}
        and all(0.0 <= m <= 1.0 for m in mouse)
    )
    action = {
        "keys": np.array(key_vals, dtype=np.int64),
        "mouse": np.array(mouse, dtype=np.float32),
        "buttons": np.array(button_vals, dtype=np.int64),
    }
    valid = valid and all(0.0 <= m <= 1.0 for m in action["mouse"].tolist())  # after float32 rounding
    return action, valid


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(items=st.lists(maybe_bad_actions(), min_size=1, max_size=10))
def test_out_of_space_actions_always_raise_value_error(items):
    env = simagym.make("meadow/go-to-house-v1")
    env.reset(seed=0)
    for action, valid in items:
        if valid:
            result = env.step(action)
            if result[2] or result[3]:
                env.reset(seed=0)
        else:
            try:
                env.step(action)
            except ValueError:
                pass
            else:
                raise AssertionError(f"invalid action accepted: {action}")
    env.close()
