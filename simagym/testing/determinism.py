"""Seeded determinism across processes: the same seed and macros give byte-identical frames,
instructions and rewards in this process and in a fresh interpreter with another hash seed
(a world that iterates a set of strings, or reads the global RNG, fails it)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from typing import Sequence

import numpy as np

import simagym
from simagym.macros import MACROS, DiscreteActions, key_macro
from simagym.testing.events import Seen, event_problems, seen
from simagym.testing.problems import crashed

STEPS = 80
_COMMON_KEYS = ("W", "A", "S", "D", "UP", "DOWN", "LEFT", "RIGHT", "E", "E", "Q", "SPACE", "I", "M", "TAB", "ESC")


def macro_sequence(seed: int, n: int = STEPS) -> list[int]:
    """Seeded random macros, three in four a common key, so that walking, using and menus all happen."""
    rng = np.random.default_rng(seed)
    common = [key_macro(k) for k in _COMMON_KEYS]
    return [int(rng.choice(common)) if rng.random() < 0.75 else int(rng.integers(len(MACROS))) for _ in range(n)]


def digest(task_id: str, actions: Sequence[int], seed: int = 7,
           resolution: tuple[int, int] = (48, 80)) -> tuple[str, set[Seen]]:
    """A hash of every observation and reward of ``actions`` played from ``seed`` (resetting when
    an episode ends), and the events (type, role names) the world reported on the way."""
    h = hashlib.sha256()
    events: set[Seen] = set()

    def add(obs, reward: float = 0.0) -> None:
        h.update(obs["pixels"].tobytes() + obs["instruction"].encode() + repr(float(reward)).encode())

    env = DiscreteActions(simagym.make(task_id, resolution=resolution))
    obs, _ = env.reset(seed=seed)
    add(obs)
    for action in actions:
        obs, reward, terminated, truncated, _ = env.step(action)
        events.update(seen(env.unwrapped.last_events))
        add(obs, reward)
        if terminated or truncated:
            obs, _ = env.reset()
            add(obs)
    env.close()
    return h.hexdigest(), events


def digests(task_ids: Sequence[str], actions: Sequence[int], seed: int) -> dict[str, str]:
    """:func:`digest` of each task, or the error it raised (as ``"error: ..."``)."""
    found = {}
    for task_id in task_ids:
        try:
            found[task_id] = digest(task_id, actions, seed)[0]
        except Exception as err:  # noqa: BLE001 - reported per task by the caller
            found[task_id] = f"error: {type(err).__name__}: {err}"
    return found


def _child_digests(task_ids: Sequence[str], actions: Sequence[int], seed: int, hash_seed: str) -> dict[str, str]:
    """:func:`digests` in a fresh interpreter, with this process's import path (so a plugin found
    here is found there) and another ``PYTHONHASHSEED``."""
    code = ("import json, sys; from simagym.testing.determinism import digests; "
            "print(json.dumps(digests(*json.loads(sys.argv[1]))))")
    env = dict(os.environ, PYTHONHASHSEED=hash_seed, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy",
               PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    done = subprocess.run([sys.executable, "-c", code, json.dumps([list(task_ids), list(actions), seed])],
                          env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"the second process failed: {(done.stderr.strip().splitlines() or ['?'])[-1]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def check_determinism(task_ids: Sequence[str], seed: int = 7, steps: int = STEPS, hash_seed: str = "4242") -> list[str]:
    """For each task, the same seeded episodes give the same digest twice in this process and once
    in another process (one child for all ``task_ids``); the events the world reported are declared."""
    actions = macro_sequence(seed, steps)
    problems: list[str] = []
    here: dict[str, str] = {}
    for task_id in task_ids:
        try:
            here[task_id], events = digest(task_id, actions, seed)
        except Exception as err:  # noqa: BLE001 - a crash is this task's finding; the others go on
            problems.append(crashed(task_id, err))
            continue
        world = simagym.get_world(simagym.get_task(task_id).world)
        problems += event_problems(task_id, world, events)
        if digest(task_id, actions, seed)[0] != here[task_id]:
            problems.append(f"{task_id}: the same seed and macros gave different frames in one process "
                            "(does the world keep state across resets, or read a global RNG?)")
    if not here:
        return problems
    try:
        there = _child_digests(list(here), actions, seed, hash_seed)
    except (RuntimeError, subprocess.TimeoutExpired) as err:
        return problems + [f"{', '.join(here)}: {err}"]
    for task_id, value in here.items():
        if there.get(task_id) != value:
            problems.append(f"{task_id}: the same seed and macros gave different frames in another process "
                            "(iterating a set of strings? a world draws only from the rng its reset() gets)")
    return problems
