"""The env pipeline a policy trains in: several tasks behind one env, macros,
instruction ids and stacked frames.

``MultiTask`` -> ``DiscreteActions`` (per task) -> ``InstructionIds`` (the run's
tokenizer) -> ``StackPixels``. Every task of every world shares the
observation and action spaces, so any mix of tasks fits one env and one policy.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import gymnasium as gym
import numpy as np

from simagym.macros import DiscreteActions
from simagym.wrappers import InstructionIds, StackPixels, stack_frames  # noqa: F401 - stack_frames re-exported for older imports

#: Training episode seeds start here, far above the small seeds that suites evaluate on.
TRAIN_SEED_BASE = 1 << 24


class MultiTask(gym.Env):
    """One env over several tasks: each reset draws a task and an episode seed from its own RNG.

    Macros are decoded per task (``DiscreteActions``), so ``action_space`` is ``Discrete``.
    ``info["is_success"]`` mirrors ``success`` for SB3's success-rate logging.
    """

    def __init__(self, task_ids: Sequence[str], resolution: int = 64, phrasing: str = "train") -> None:
        import simagym

        if not task_ids:
            raise ValueError("MultiTask needs at least one task")
        self.envs = [DiscreteActions(simagym.make(t, resolution=resolution, phrasing=phrasing)) for t in task_ids]
        self.observation_space = self.envs[0].observation_space
        self.action_space = self.envs[0].action_space
        self.current = self.envs[0]
        self._rng = np.random.default_rng()

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        if seed is not None:
            self._rng = np.random.default_rng(seed)
        self.current = self.envs[int(self._rng.integers(len(self.envs)))]
        episode_seed = TRAIN_SEED_BASE + int(self._rng.integers(1 << 30))
        return self.current.reset(seed=episode_seed)

    def step(self, action):
        obs, reward, terminated, truncated, info = self.current.step(action)
        if terminated or truncated:
            info = {**info, "is_success": bool(info["success"])}
        return obs, reward, terminated, truncated, info

    def close(self) -> None:
        for env in self.envs:
            env.close()


def make_env(task_ids: Sequence[str], text_dir: str, max_tokens: int, no_language: bool, frame_stack: int,
             resolution: int = 64) -> gym.Env:
    """The full training env; importable by name so spawned vector-env workers can build it.

    Seeding is the vector env's job (SB3 seeds each env's first reset).
    """
    from simagym.headless import configure_sdl
    from simagym.train.text import InstructionCodec, load_tokenizer

    configure_sdl()
    codec = InstructionCodec(load_tokenizer(text_dir), max_tokens, blank=no_language)
    env: gym.Env = MultiTask(task_ids, resolution)
    env = InstructionIds(env, encode=codec.encode, vocab_size=codec.vocab_size, max_tokens=max_tokens,
                         pad_id=codec.pad_id)
    return StackPixels(env, frame_stack)


def env_factories(task_ids: Sequence[str], text_dir: str, max_tokens: int, no_language: bool, frame_stack: int,
                  n_envs: int, resolution: int = 64) -> list[Callable[[], gym.Env]]:
    """Picklable constructors, one per vector-env worker."""
    import functools

    return [functools.partial(make_env, list(task_ids), text_dir, max_tokens, no_language, frame_stack, resolution)
            for _ in range(n_envs)]
