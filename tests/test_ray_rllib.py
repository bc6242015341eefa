"""examples/rllib_ppo.py: RLlib's PPO (new API stack) trains on a simagym task through the example's bridges.

Tiny on purpose (32x32 frames, two iterations of 64 steps, sampled in the driver); most of its ~20 s is
starting Ray and building the algorithm.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

ray = pytest.importorskip("ray")
pytest.importorskip("ray.rllib")

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "rllib_ppo.py"


@pytest.fixture(scope="module")
def example():
    spec = importlib.util.spec_from_file_location("rllib_ppo_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_observation_is_one_rllib_accepts_and_keeps_the_instruction(example) -> None:
    env = example.make_env({"task": "meadow/go-to-house-v2", "resolution": 32})
    obs, _ = env.reset(seed=0)
    assert env.observation_space.contains(obs)
    assert obs["pixels"].dtype == np.float32 and obs["pixels"].max() <= 1.0
    text = env.unwrapped.instruction.text
    assert np.count_nonzero(obs["instruction"]) == len(text)  # every character, none lost
    env.close()


def test_ppo_runs_a_few_iterations(example) -> None:
    ray.init(num_cpus=2, include_dashboard=False, logging_level="WARNING", log_to_driver=False)
    try:
        results = example.train("meadow/go-to-house-v2", 2, resolution=32, batch=64, minibatch=32, epochs=1)
    finally:
        ray.shutdown()
    assert len(results) == 2
    assert results[-1]["env_runners"]["num_env_steps_sampled_lifetime"] == 128
    learner = results[-1]["learners"]["default_policy"]
    assert math.isfinite(learner["policy_loss"]) and math.isfinite(learner["vf_loss"])
