"""PPO from RLlib (its new API stack) on a simagym task, in one file.

    pip install "simagym[ray]"
    python examples/rllib_ppo.py --task meadow/go-to-house-v2 --iterations 50

Three bridges make simagym's interface something RLlib's default model accepts:

* ``DiscreteActions``: the keyboard/mouse ``Dict`` action becomes the fixed list of macros, ``Discrete(97)``;
* ``InstructionIds`` then :class:`RLlibObservations`: the ``Text`` instruction becomes character ids
  (``MultiDiscrete``) and the uint8 pixels become float32 in [0, 1];
* RLlib's ``FlattenObservations`` connector turns that ``Dict`` into one vector (the ids one-hot),
  which its default MLP encoder takes.

The env is registered with ``ray.tune.register_env``, so it can be named in a config
and made on every env runner of a cluster.
"""

from __future__ import annotations

import argparse
from typing import Any, Sequence

import gymnasium as gym
import numpy as np
from gymnasium import spaces

ENV_NAME = "simagym"


class RLlibObservations(gym.ObservationWrapper):
    """Pixels as float32 in [0, 1]; instruction ids (from ``InstructionIds``) as ``MultiDiscrete``,
    which RLlib's ``FlattenObservations`` one-hots instead of reading ids as magnitudes."""

    def __init__(self, env: gym.Env) -> None:
        super().__init__(env)
        pixels, ids = env.observation_space["pixels"], env.observation_space["instruction"]
        if not isinstance(ids, spaces.Box) or ids.dtype.kind not in "iu":
            raise ValueError("RLlibObservations needs instruction ids: wrap the env in"
                             " simagym.wrappers.InstructionIds first")
        self.observation_space = spaces.Dict({
            "pixels": spaces.Box(0.0, 1.0, shape=pixels.shape, dtype=np.float32),
            "instruction": spaces.MultiDiscrete(np.asarray(ids.high, dtype=np.int64) + 1),
        })

    def observation(self, observation: dict[str, Any]) -> dict[str, Any]:
        return {"pixels": observation["pixels"].astype(np.float32) / 255.0,
                "instruction": np.asarray(observation["instruction"], dtype=np.int64)}


def make_env(config: dict[str, Any]) -> gym.Env:
    """The env creator RLlib calls on each env runner, with the ``env_config`` of the algorithm's config."""
    import simagym
    from simagym.headless import configure_sdl
    from simagym.macros import DiscreteActions
    from simagym.wrappers import InstructionIds

    configure_sdl()  # env runners may be fresh processes on other nodes: no display there
    env = simagym.make(config["task"], resolution=int(config.get("resolution", 64)))
    return RLlibObservations(InstructionIds(DiscreteActions(env), max_tokens=int(config.get("max_tokens", 64))))


def build_config(task: str, *, resolution: int = 64, batch: int = 2000, minibatch: int = 250, epochs: int = 4,
                 env_runners: int = 0, seed: int = 0):
    """A PPOConfig for ``task``; ``env_runners=0`` samples in the driver (no extra processes)."""
    from ray.rllib.algorithms.ppo import PPOConfig
    from ray.rllib.connectors.env_to_module import FlattenObservations
    from ray.rllib.core.rl_module.default_model_config import DefaultModelConfig
    from ray.tune import register_env

    register_env(ENV_NAME, make_env)
    return (
        PPOConfig()
        .environment(ENV_NAME, env_config={"task": task, "resolution": resolution})
        .env_runners(num_env_runners=env_runners, env_to_module_connector=lambda env, spaces=None, device=None:
                     FlattenObservations())
        .training(train_batch_size_per_learner=batch, minibatch_size=minibatch, num_epochs=epochs, lr=3e-4,
                  gamma=0.99, entropy_coeff=0.01)
        .rl_module(model_config=DefaultModelConfig(fcnet_hiddens=[256, 256]))
        .debugging(seed=seed)
    )


def train(task: str, iterations: int, **options: Any) -> list[dict[str, Any]]:
    """Run ``iterations`` PPO iterations; return RLlib's result dict of each."""
    algo = build_config(task, **options).build_algo()
    try:
        return [algo.train() for _ in range(iterations)]
    finally:
        algo.stop()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", default="meadow/go-to-house-v2")
    parser.add_argument("--iterations", type=int, default=50)
    parser.add_argument("--resolution", type=int, default=64)
    parser.add_argument("--batch", type=int, default=2000, help="env steps per iteration")
    parser.add_argument("--minibatch", type=int, default=250)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--env-runners", type=int, default=0, help="sampling processes (0: in this one)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    import ray

    ray.init(ignore_reinit_error=True, logging_level="WARNING")
    results = train(args.task, args.iterations, resolution=args.resolution, batch=args.batch,
                    minibatch=args.minibatch, epochs=args.epochs, env_runners=args.env_runners, seed=args.seed)
    for i, result in enumerate(results, 1):
        runners = result.get("env_runners", {})
        print(f"iteration {i}: {runners.get('num_env_steps_sampled_lifetime', 0)} env steps,"
              f" mean return {runners.get('episode_return_mean', float('nan')):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
