"""The environment's contract as Gymnasium and SB3 check it, on the raw env and through the wrappers
a learner uses (discrete macros, the instruction as token ids), and its pixels at several sizes."""

from __future__ import annotations

import warnings
from typing import Any, Callable

import gymnasium as gym
import numpy as np
from gymnasium.utils.env_checker import check_env
from gymnasium.wrappers import PassiveEnvChecker

import simagym
from simagym.env import RENDER_SIZE
from simagym.macros import DiscreteActions
from simagym.testing.problems import crashed
from simagym.world import TargetError
from simagym.wrappers import InstructionIds

#: Observation sizes checked: the smallest, a wide one, the largest.
RESOLUTIONS = ((16, 16), (48, 80), (256, 256))

# Gymnasium warns on any wrapped env that it checks the wrapper, not the env: we mean to.
_WRAPPED = r".*is different from the unwrapped version.*"
# InstructionIds hands out one cached, read-only id array per instruction: shared, yet no one can
# modify it, which is what the passive checker's warning is about.
_SHARED_IDS = r".*share an object.*"


def learner_env(task_id: str, **kwargs: Any) -> gym.Env:
    """What an SB3-style learner uses: discrete macros and the instruction as token ids."""
    return InstructionIds(DiscreteActions(simagym.make(task_id, **kwargs)))


def _run(what: str, task_id: str, check: Callable[[], None], ignore: tuple[str, ...] = ()) -> list[str]:
    """``check()``, with every warning but the ``ignore``d messages a failure; its complaint as one line."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for message in ignore:
            warnings.filterwarnings("ignore", message=message)
        try:
            check()
        except TargetError as err:
            return [crashed(task_id, err)]
        except Exception as err:  # noqa: BLE001 - each checker's complaint becomes one line
            return [crashed(f"{task_id}: {what}", err)]
    return []


def _passive(task_id: str) -> None:
    env = PassiveEnvChecker(learner_env(task_id, render_mode="rgb_array"))
    env.reset(seed=0)
    env.action_space.seed(0)
    for _ in range(5):
        if any(env.step(env.action_space.sample())[2:4]):
            env.reset()
    env.render()
    env.close()


def _sb3(task_id: str) -> None:
    from stable_baselines3.common.env_checker import check_env as sb3_check_env

    env = learner_env(task_id)
    sb3_check_env(env, warn=True)
    env.close()


def check_env_api(task_id: str) -> list[str]:
    """Gymnasium's env checker on the raw env and on the macro wrapper, its passive checker (render
    included) and SB3's checker through the learner's wrappers; every warning is a failure."""
    found = (_run("gymnasium check_env", task_id, lambda: check_env(simagym.make(task_id), skip_render_check=True))
             + _run("gymnasium check_env through the DiscreteActions wrapper", task_id,
                    lambda: check_env(DiscreteActions(simagym.make(task_id)), skip_render_check=True), (_WRAPPED,))
             + _run("gymnasium passive checker through the learner wrappers", task_id, lambda: _passive(task_id),
                    (_WRAPPED, _SHARED_IDS))
             + _run("SB3 check_env through the learner wrappers", task_id, lambda: _sb3(task_id), (_WRAPPED,)))
    return list(dict.fromkeys(found))  # a reset that fails, fails every checker alike: say it once


def check_render_sizes(task_id: str, resolutions: tuple[tuple[int, int], ...] = RESOLUTIONS) -> list[str]:
    """Observations have the asked size at every resolution (after reset and after a step), are
    uint8 and not blank; ``render()`` gives the larger annotated view."""
    problems = []
    for height, width in resolutions:
        env = DiscreteActions(simagym.make(task_id, resolution=(height, width)))
        frames = [env.reset(seed=0)[0]["pixels"], env.step(0)[0]["pixels"]]
        env.close()
        wrong = [f for f in frames if not (isinstance(f, np.ndarray) and f.dtype == np.uint8
                                           and f.shape == (height, width, 3))]
        if wrong:
            problems.append(f"{task_id}: at resolution {(height, width)} a frame is {getattr(wrong[0], 'shape', '')} "
                            f"{getattr(wrong[0], 'dtype', type(wrong[0]))}; World.render must return a "
                            f"({height}, {width}, 3) uint8 array")
        elif frames[0].min() == frames[0].max():
            problems.append(f"{task_id}: at resolution {(height, width)} the first frame is one flat colour")
    env = simagym.make(task_id, render_mode="rgb_array")
    env.reset(seed=0)
    view = env.render()
    env.close()
    if not (isinstance(view, np.ndarray) and view.dtype == np.uint8 and view.ndim == 3
            and view.shape[1] == RENDER_SIZE):
        problems.append(f"{task_id}: render() gave {getattr(view, 'shape', type(view))}, not a uint8 view "
                        f"{RENDER_SIZE} pixels wide")
    return problems
