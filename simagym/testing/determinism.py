"""Seeded determinism across processes: the same seed and macros give byte-identical frames,
instructions and rewards in this process and in a fresh interpreter with another hash seed
(a world that iterates a set of strings, or reads the global RNG, fails it)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from typing import Sequence

import numpy as np

import simagym
from simagym.macros import MACROS, DiscreteActions, key_macro

STEPS = 80
_COMMON_KEYS = ("W", "A", "S", "D", "UP", "DOWN", "LEFT", "RIGHT", "E", "E", "Q", "SPACE", "I", "M", "TAB", "ESC")


def macro_sequence(seed: int, n: int = STEPS) -> list[int]:
    """Seeded random macros, three in four a common key, so that walking, using and menus all happen."""
    rng = np.random.default_rng(seed)
    common = [key_macro(k) for k in _COMMON_KEYS]
    return [int(rng.choice(common)) if rng.random() < 0.75 else int(rng.integers(len(MACROS))) for _ in range(n)]


def digest(task_ids: Sequence[str], actions: Sequence[int], seed: int = 7,
           resolution: tuple[int, int] = (48, 80)) -> tuple[str, dict[str, set[str]]]:
    """A hash of every observation and reward of ``actions`` played from ``seed`` in each task
    (resetting when an episode ends), and the event types each world reported on the way."""
    h = hashlib.sha256()
    events: dict[str, set[str]] = {}

    def add(obs, reward: float = 0.0) -> None:
        h.update(obs["pixels"].tobytes() + obs["instruction"].encode() + repr(float(reward)).encode())

    for task_id in task_ids:
        env = DiscreteActions(simagym.make(task_id, resolution=resolution))
        obs, _ = env.reset(seed=seed)
        add(obs)
        for action in actions:
            obs, reward, terminated, truncated, _ = env.step(action)
            events.setdefault(env.unwrapped.world.name, set()).update(e.type for e in env.unwrapped.last_events)
            add(obs, reward)
            if terminated or truncated:
                obs, _ = env.reset()
                add(obs)
        env.close()
    return h.hexdigest(), events


def _child_digest(task_ids: Sequence[str], actions: Sequence[int], seed: int, hash_seed: str) -> str:
    """:func:`digest` in a fresh interpreter, with this process's import path (so a plugin found
    here is found there) and another ``PYTHONHASHSEED``."""
    code = ("import sys; from simagym.testing.determinism import digest; "
            "print(digest(sys.argv[1].split(','), [int(a) for a in sys.argv[2].split(',') if a], int(sys.argv[3]))[0])")
    env = dict(os.environ, PYTHONHASHSEED=hash_seed, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy",
               PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    done = subprocess.run([sys.executable, "-c", code, ",".join(task_ids), ",".join(map(str, actions)), str(seed)],
                          env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"the second process failed: {(done.stderr.strip().splitlines() or ['?'])[-1]}")
    return done.stdout.strip().splitlines()[-1]


def check_determinism(task_ids: Sequence[str], seed: int = 7, steps: int = STEPS, hash_seed: str = "4242") -> list[str]:
    """The digest of the same seeded episodes in this process twice and once in another process
    agree; the events the worlds reported are all declared. One child process for all ``task_ids``."""
    task_ids = list(task_ids)
    actions = macro_sequence(seed, steps)
    first, events = digest(task_ids, actions, seed)
    problems = []
    if digest(task_ids, actions, seed)[0] != first:
        problems.append(f"{', '.join(task_ids)}: the same seed and macros gave different frames in one process "
                        "(does the world keep state across resets, or read a global RNG?)")
    try:
        other = _child_digest(task_ids, actions, seed, hash_seed)
    except (RuntimeError, subprocess.TimeoutExpired) as err:
        return problems + [f"{', '.join(task_ids)}: {err}"]
    if other != first:
        problems.append(f"{', '.join(task_ids)}: the same seed and macros gave different frames in another process "
                        "(iterating a set of strings? the world must draw only from the rng reset() gets)")
    for name, seen in sorted(events.items()):
        world = simagym.get_world(name)
        if seen - world.events:
            problems.append(f"world {name!r}: step() reported events {sorted(seen - world.events)} that "
                            f"{world.__name__}.events does not declare")
    return problems
