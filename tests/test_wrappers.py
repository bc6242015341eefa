"""The public adapters in simagym.wrappers, as learning libraries use them."""

from __future__ import annotations

from pathlib import Path

import gymnasium
import numpy as np
import pytest
from PIL import Image

import simagym
from simagym.macros import NOOP
from simagym.wrappers import (DiscreteActions, InstructionIds, RecordGif, StackPixels, VectorInstructionIds,
                              encode_chars)

TASK = "meadow/go-to-house-v2"


def test_sb3_given_the_raw_env_names_the_wrappers_to_add():
    from stable_baselines3 import PPO

    with pytest.raises(TypeError, match=r"instruction'\] is text.*InstructionIds\(.*DiscreteActions\(env\)\)"):
        PPO("MultiInputPolicy", simagym.make(TASK))


def test_the_env_itself_reports_is_success_and_its_step_limit():
    env = simagym.make(TASK)
    _, info = env.reset(seed=0)
    assert info["is_success"] is False
    assert env.spec.max_episode_steps == simagym.get_task(TASK).max_steps
    assert gymnasium.make(simagym.gym_id(TASK)).spec.max_episode_steps == simagym.get_task(TASK).max_steps


def test_stack_pixels_is_channel_first_oldest_first_and_keeps_one_instruction():
    env = StackPixels(DiscreteActions(simagym.make(TASK)), 3)
    obs, _ = env.reset(seed=1)
    assert obs["pixels"].shape == (9, 64, 64) and isinstance(obs["instruction"], str)
    first = obs["pixels"][:3]
    assert np.array_equal(obs["pixels"][3:6], first) and np.array_equal(obs["pixels"][6:], first)  # reset fills
    frames = [first]
    for macro in ("key:D", "key:S"):
        obs, *_ = env.step(simagym.macros.MACRO_INDEX[macro])
        frames.append(obs["pixels"][6:])
    assert np.array_equal(obs["pixels"], np.concatenate(frames))  # oldest first
    assert env.observation_space.contains(obs)
    with pytest.raises(ValueError, match="k >= 1"):
        StackPixels(simagym.make(TASK), 0)


def test_a_wrapped_env_rebuilds_from_its_spec():
    env = StackPixels(InstructionIds(DiscreteActions(simagym.make(TASK))), 2)
    names = [w.name for w in env.spec.additional_wrappers]
    assert names == ["DiscreteActions", "InstructionIds", "StackPixels"]
    again = gymnasium.make(env.spec)
    assert again.observation_space == env.observation_space and again.action_space == env.action_space
    a, _ = env.reset(seed=4)
    b, _ = again.reset(seed=4)
    assert np.array_equal(a["pixels"], b["pixels"]) and np.array_equal(a["instruction"], b["instruction"])


def test_vector_instruction_ids_match_the_single_env_wrapper():
    vec = VectorInstructionIds(simagym.make_vec(TASK, 3, macros=True), max_tokens=40)
    single = InstructionIds(simagym.make(TASK), max_tokens=40)
    obs, _ = vec.reset(seed=7)
    assert obs["instruction"].shape == (3, 40) and vec.observation_space.contains(obs)
    for i in range(3):
        expected, _ = single.reset(seed=7 + i)
        assert np.array_equal(obs["instruction"][i], expected["instruction"])
    text = simagym.make(TASK).reset(seed=7)[0]["instruction"]
    assert obs["instruction"][0][: len(text)].tolist() == encode_chars(text)


def test_record_gif_writes_the_chosen_episodes(tmp_path):
    env = RecordGif(DiscreteActions(simagym.make(TASK, render_mode="rgb_array", max_steps=4)), tmp_path,
                    episode_trigger=lambda n: n % 2 == 0, name_prefix="run")
    for seed in range(3):
        env.reset(seed=seed)
        done = False
        while not done:
            _, _, terminated, truncated, _ = env.step(NOOP)
            done = terminated or truncated
    env.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run-episode-0.gif", "run-episode-2.gif"]
    gif = Image.open(tmp_path / "run-episode-0.gif")
    durations = []
    for i in range(gif.n_frames):  # Pillow merges identical frames, adding up their durations
        gif.seek(i)
        durations.append(gif.info["duration"])
    assert sum(durations) == 4 * 100 + 1500  # the reset frame and four steps at 10 fps, the last held
    assert gif.size == (384, 424)  # the render view with the instruction under it
    with pytest.raises(ValueError, match="render_mode='rgb_array'"):
        RecordGif(simagym.make(TASK), tmp_path)


def test_the_sb3_helpers_make_the_text_encoder_once_and_fit_the_policy_to_the_env():
    from simagym import sb3

    first = sb3.text_encoder()  # the session's cache (conftest), shared with the SB3 example's test
    made = (Path(first) / "config.json").stat().st_mtime_ns
    assert sb3.text_encoder() == first and (Path(first) / "config.json").stat().st_mtime_ns == made
    kwargs = sb3.policy_kwargs(first)
    assert kwargs["features_extractor_class"] is sb3.InstructedCNN
    env = sb3.wrap(simagym.make(TASK), first)
    obs, _ = env.reset(seed=0)
    assert obs["pixels"].shape == (9, 64, 64) and obs["instruction"].shape == (sb3.MAX_TOKENS,)
    assert env.observation_space.contains(obs)
