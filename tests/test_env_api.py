"""The environment's public contract: Gymnasium's and SB3's env checkers on every
task (the plugin kit's checks, simagym.testing), the keyboard/mouse action space and
its errors, resolutions, render() and info."""

from __future__ import annotations

import gc
import warnings

import gymnasium
import numpy as np
import pytest

import simagym
from simagym.actions import BUTTONS, KEYS, action_space, make_action, validate_action
from simagym.macros import MACROS, NOOP, DiscreteActions, key_macro
from simagym.testing import check_env_api, check_render_sizes, learner_env
from simagym.testing.problems import raise_if
from simagym.text import CHARSET
from simagym.wrappers import encode_chars

from conftest import all_task_ids

TASK_IDS = all_task_ids()
TASK = "meadow/go-to-house-v1"
NO_SUCCESS_BY_NOOP = "meadow/open-map-v1"  # nothing happens unless M is pressed


def noop_action() -> dict[str, np.ndarray]:
    return make_action()


@pytest.fixture
def env():
    e = simagym.make(TASK)
    e.reset(seed=0)
    yield e
    e.close()


# --- env checkers ------------------------------------------------------------------

@pytest.mark.parametrize("task_id", TASK_IDS)
def test_env_checkers_on_the_raw_env_and_through_the_learner_wrappers(task_id):
    """Gymnasium's check_env and passive checker and SB3's check_env; their warnings are failures."""
    raise_if(check_env_api(task_id))


def test_the_learner_wrappers_give_discrete_macros_and_token_ids():
    env = learner_env(TASK)
    assert env.action_space == gymnasium.spaces.Discrete(len(MACROS))
    assert env.observation_space["instruction"].dtype == np.int64
    env.close()


def test_sb3_learns_from_the_learner_wrappers_without_error():
    """A couple of PPO updates on the wrapped env: SB3 accepts the spaces end to end."""
    import torch
    from stable_baselines3 import PPO

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # the suite runs under xdist; extra threads only contend
    try:
        env = learner_env("meadow/open-map-v1")
        model = PPO("MultiInputPolicy", env, n_steps=16, batch_size=16, n_epochs=1, seed=0, device="cpu")
        model.learn(total_timesteps=32)
        obs, _ = env.reset(seed=0)
        action, _ = model.predict(obs, deterministic=True)
        env.step(action)
        env.close()
    finally:
        torch.set_num_threads(threads)


def test_instruction_ids_encode_the_text():
    env = learner_env(TASK)
    raw = env.unwrapped
    obs, _ = env.reset(seed=0)
    ids = obs["instruction"]
    assert env.observation_space.contains(obs)
    assert ids.shape == env.observation_space["instruction"].shape and ids.dtype == np.int64
    text = raw.instruction.text
    assert ids[: len(text)].tolist() == encode_chars(text)
    assert (ids[len(text):] == 0).all()
    decoded = "".join(CHARSET[i - 1] for i in ids if i)
    assert decoded == text
    texts = set()
    for seed in range(10):
        obs, _ = env.reset(seed=seed)
        texts.add(obs["instruction"].tobytes())
    assert len(texts) > 1, "different instructions must give different ids"
    env.close()


# --- action space ------------------------------------------------------------------------

def test_action_space_is_the_documented_keyboard_mouse_dict(env):
    space = env.action_space
    assert isinstance(space, gymnasium.spaces.Dict)
    assert set(space.spaces) == {"keys", "mouse", "buttons"}
    assert space["keys"].n == len(KEYS)
    for key in ("W", "A", "S", "D", "UP", "DOWN", "LEFT", "RIGHT", "SPACE", "SHIFT", "E", "Q", "F",
                "TAB", "ESC", "ENTER", "I", "M", *map(str, range(1, 10))):
        assert key in KEYS
    assert space["mouse"].shape == (2,) and (space["mouse"].low == 0).all() and (space["mouse"].high == 1).all()
    assert space["buttons"].n == len(BUTTONS) == 2
    assert space == action_space()


def test_sampled_and_hand_built_actions_are_accepted(env):
    env.action_space.seed(0)
    for _ in range(20):
        env.step(env.action_space.sample())
    env.step(make_action(keys=["W", "E"], mouse=(0.0, 1.0), buttons=["LEFT", "RIGHT"]))
    env.step({"keys": [0] * len(KEYS), "mouse": np.array([1.0, 0.0]), "buttons": [1, 0]})  # lists and float64


def _with(**part):
    action = noop_action()
    action.update(part)
    return action


OUT_OF_SPACE = {
    "keys-too-short": (_with(keys=np.zeros(len(KEYS) - 1, dtype=np.int8)), "keys"),
    "keys-2d": (_with(keys=np.zeros((1, len(KEYS)), dtype=np.int8)), "keys"),
    "key-value-2": (_with(keys=np.full(len(KEYS), 2, dtype=np.int8)), "keys"),
    "key-value-minus-1": (_with(keys=-np.ones(len(KEYS), dtype=np.int64)), "keys"),
    "button-value-2": (_with(buttons=np.array([0, 2], dtype=np.int8)), "buttons"),
    "three-buttons": (_with(buttons=np.zeros(3, dtype=np.int8)), "buttons"),
    "mouse-x-above-1": (_with(mouse=np.array([1.5, 0.5], dtype=np.float32)), "mouse"),
    "mouse-y-below-0": (_with(mouse=np.array([0.5, -0.01], dtype=np.float32)), "mouse"),
    "mouse-nan": (_with(mouse=np.array([np.nan, 0.5], dtype=np.float32)), "mouse"),
    "mouse-3d": (_with(mouse=np.array([0.5, 0.5, 0.5], dtype=np.float32)), "mouse"),
    "mouse-string": (_with(mouse="middle"), "mouse"),
}


@pytest.mark.parametrize(("action", "part"), list(OUT_OF_SPACE.values()), ids=list(OUT_OF_SPACE))
def test_out_of_space_action_names_the_part(env, action, part):
    with pytest.raises(ValueError, match=rf"\['{part}'\]"):
        env.step(action)


@pytest.mark.parametrize(
    ("action", "words"),
    [
        ({"keys": np.zeros(len(KEYS), dtype=np.int8), "mouse": np.array([0.5, 0.5], dtype=np.float32)}, "buttons"),
        ({**noop_action(), "scroll": 1}, "scroll"),
        (3, "dict"),
        ([0, 1, 0], "dict"),
        (None, "dict"),
    ],
    ids=["missing-buttons", "extra-part", "int", "list", "none"],
)
def test_malformed_action_says_what_is_wrong(env, action, words):
    with pytest.raises(ValueError, match=words):
        env.step(action)


def test_unknown_key_or_button_name():
    with pytest.raises(ValueError, match="JUMP"):
        make_action(keys=["JUMP"])
    with pytest.raises(ValueError, match="MIDDLE"):
        make_action(buttons=["MIDDLE"])


def test_validation_is_not_fooled_by_freed_macro_arrays():
    """Invalid arrays must be rejected even when they reuse the memory of a
    discarded DiscreteActions wrapper's (trusted) constant arrays."""
    wrappers = [DiscreteActions(simagym.make(TASK)) for _ in range(3)]
    del wrappers
    gc.collect()
    bad = [np.full(len(KEYS), 2, dtype=np.int8) for _ in range(300)]
    accepted = 0
    for keys in bad:
        try:
            validate_action({"keys": keys, "mouse": np.array([0.5, 0.5], dtype=np.float32),
                             "buttons": np.zeros(2, dtype=np.int8)})
            accepted += 1
        except ValueError:
            pass
    assert accepted == 0, f"{accepted} of {len(bad)} invalid key vectors passed validation"


@pytest.mark.parametrize("bad", [len(MACROS), len(MACROS) + 10, -1, 2**40, 1.5, True, "noop", np.array([1, 2])],
                         ids=repr)
def test_discrete_macro_out_of_range(bad):
    env = DiscreteActions(simagym.make(TASK))
    env.reset(seed=0)
    with pytest.raises(ValueError, match="macro"):
        env.step(bad)
    env.close()


def test_discrete_macro_accepts_numpy_ints(env):
    wrapped = DiscreteActions(env)
    wrapped.reset(seed=0)
    wrapped.step(np.int64(key_macro("W")))
    wrapped.step(np.array(NOOP))
    wrapped.step(np.array([NOOP]))  # what SB3's predict returns for one env
    wrapped.step(len(MACROS) - 1)


def test_step_before_reset_raises():
    env = simagym.make(TASK)
    with pytest.raises(RuntimeError, match="reset"):
        env.step(noop_action())


# --- observations and resolution -------------------------------------------------------------

def test_default_observation_is_64x64_pixels_and_an_instruction(env):
    obs, info = env.reset(seed=1)
    assert set(obs) == {"pixels", "instruction"}
    assert obs["pixels"].shape == (64, 64, 3) and obs["pixels"].dtype == np.uint8
    assert env.observation_space["pixels"].shape == (64, 64, 3)
    assert len(np.unique(obs["pixels"].reshape(-1, 3), axis=0)) > 3, "the frame should show something"
    assert env.observation_space.contains(obs)


@pytest.mark.parametrize("resolution", [16, 128, 256, (96, 160), (160, 96), (256, 32), np.int64(48), [40, 72]], ids=repr)
def test_resolution_sets_the_pixel_shape(resolution):
    h, w = (int(resolution), int(resolution)) if np.isscalar(resolution) else resolution
    env = simagym.make(TASK, resolution=resolution)
    assert env.observation_space["pixels"].shape == (h, w, 3)
    obs, _ = env.reset(seed=0)
    assert obs["pixels"].shape == (h, w, 3) and obs["pixels"].dtype == np.uint8
    obs, *_ = env.step(make_action(keys=["D"]))
    assert obs["pixels"].shape == (h, w, 3)
    assert env.observation_space.contains(obs)
    env.close()


@pytest.mark.parametrize("resolution", [300, 8, 0, -64, 257, (64, 300), (8, 64), (64,), 64.0, "64"], ids=repr)
def test_bad_resolution_raises_value_error(resolution):
    with pytest.raises(ValueError, match="resolution"):
        simagym.make(TASK, resolution=resolution)


def test_gymnasium_make_passes_kwargs():
    env = gymnasium.make(simagym.gym_id(TASK), resolution=(48, 80), phrasing="heldout")
    obs, _ = env.reset(seed=0)
    assert obs["pixels"].shape == (48, 80, 3)
    assert env.unwrapped.split.value == "heldout"
    env.close()


@pytest.mark.parametrize("world", ["meadow", "halls", "gameui", "ledges"])
def test_frames_have_the_asked_size_in_every_world(world):
    raise_if(check_render_sizes(simagym.list_tasks(world=world)[0].id))


def test_observation_is_not_overwritten_by_later_steps(env):
    """Agents and replay buffers keep observations; the env must not reuse their buffers."""
    obs0, _ = env.reset(seed=3)
    kept = obs0["pixels"].copy()
    for key in ("D", "D", "S", "S", "A", "W", "I", "ESC"):
        obs, *_ = env.step(make_action(keys=[key]))
        assert obs["pixels"] is not obs0["pixels"]
    np.testing.assert_array_equal(obs0["pixels"], kept)


def test_info_carries_success_and_task_id(env):
    obs, info = env.reset(seed=0)
    assert info["success"] is False and info["task_id"] == TASK
    obs, reward, terminated, truncated, info = env.step(noop_action())
    assert info["task_id"] == TASK and isinstance(info["success"], bool)
    assert isinstance(reward, float) and isinstance(terminated, bool) and isinstance(truncated, bool)


def test_max_steps_truncates():
    env = simagym.make(NO_SUCCESS_BY_NOOP, max_steps=3)
    env.reset(seed=0)
    flags = [env.step(noop_action())[2:4] for _ in range(3)]
    assert flags == [(False, False), (False, False), (False, True)]
    env.close()


def test_task_step_limit_is_the_default():
    env = simagym.make(NO_SUCCESS_BY_NOOP)
    env.reset(seed=0)
    limit = simagym.get_task(NO_SUCCESS_BY_NOOP).max_steps
    for i in range(1, limit + 1):
        _, reward, terminated, truncated, info = env.step(noop_action())
        assert not terminated and reward == 0.0 and not info["success"]
        assert truncated == (i == limit)
    env.close()


def test_success_terminates_with_positive_reward():
    env = simagym.make(NO_SUCCESS_BY_NOOP)
    env.reset(seed=0)
    _, reward, terminated, truncated, info = env.step(make_action(keys=["M"]))
    assert terminated and not truncated and info["success"]
    assert 0.0 < reward <= 1.0


@pytest.mark.parametrize("phrasing", ["test", "valid", ""])
def test_bad_phrasing_split_raises(phrasing):
    with pytest.raises(ValueError, match="phrasing"):
        simagym.make(TASK, phrasing=phrasing)


# --- render ------------------------------------------------------------------------------

def test_render_rgb_array_is_a_larger_uint8_view():
    env = simagym.make(TASK, render_mode="rgb_array")
    obs, _ = env.reset(seed=0)
    frame = env.render()
    assert isinstance(frame, np.ndarray) and frame.dtype == np.uint8 and frame.ndim == 3 and frame.shape[2] == 3
    assert frame.shape[0] > obs["pixels"].shape[0] and frame.shape[1] > obs["pixels"].shape[1]
    env.step(make_action(keys=["D"]))
    assert env.render().shape == frame.shape
    env.close()


def test_render_view_shows_the_instruction():
    """The rgb_array view has the instruction drawn on it: different text, different banner."""
    frames = {}
    for phrasing in ("train", "heldout"):
        env = simagym.make(TASK, render_mode="rgb_array", phrasing=phrasing)
        obs, _ = env.reset(seed=0)
        frames[obs["instruction"]] = env.render()
        env.close()
    assert len(frames) == 2
    a, b = frames.values()
    assert not np.array_equal(a, b)


def test_render_without_mode_warns_and_returns_none(env):
    with pytest.warns(UserWarning, match="render_mode"):
        assert env.render() is None


def test_bad_render_mode_raises():
    with pytest.raises(ValueError, match="render_mode"):
        simagym.make(TASK, render_mode="ansi")


def test_human_render_mode_runs_headless():
    env = simagym.make(TASK, render_mode="human")
    env.reset(seed=0)
    env.step(make_action(keys=["W"]))
    assert env.render() is None
    env.close()
