"""Learner rollouts labelled by the oracle (DAgger's data), generated in worker processes.

The learner (a saved checkpoint, loaded as :class:`simagym.agents.learned.LearnedAgent`,
sampling as it does in evaluation) plays; with probability ``beta`` a step
executes the oracle's macro instead (DAgger's mixture, so early rounds still
reach the later parts of long tasks). Every visited frame is labelled with the
oracle's macro *for that state*: :func:`oracle_label` asks a fresh solver each
time, because solvers keep plan state between calls (Ledges keeps a planned
path, Halls the target it chose first), so a long-lived solver labels a state
the learner reached by where the oracle itself had been heading.

Workers are spawned like :mod:`simagym.train.demos`' (no inherited SDL state), run
one torch thread each, and send back the same compact :class:`Demos` arrays.
"""

from __future__ import annotations

import itertools
from concurrent.futures import FIRST_COMPLETED, Executor, wait
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from simagym.train.demos import CHUNK, Demos
from simagym.train.envs import TRAIN_SEED_BASE

#: Rollout episode seeds start here: apart from the demonstrations' and far from evaluation seeds.
ROLLOUT_SEED_BASE = 2 * TRAIN_SEED_BASE


@dataclass
class Rollouts:
    """Learner episodes: ``demos.actions`` holds the oracle's labels; per frame, what the learner
    chose and what was played (the learner's choice, or the label with probability beta)."""

    demos: Demos
    learner: np.ndarray  # (N,) int16
    played: np.ndarray  # (N,) int16

    @staticmethod
    def concatenate(parts: Sequence["Rollouts"]) -> "Rollouts":
        return Rollouts(Demos.concatenate([p.demos for p in parts]), np.concatenate([p.learner for p in parts]),
                        np.concatenate([p.played for p in parts]))


def oracle_label(env: Any) -> int:
    """The oracle's macro for ``env``'s current state (``env`` unwrapped), from a fresh solver."""
    return env.world.solver(env.goal).next_macro()


def record_rollouts(agent: str, jobs: Sequence[tuple[str, int]], resolution: int, beta: float,
                    mix_seed: int, agent_options: dict[str, Any] | None = None) -> Rollouts:
    """Play ``agent`` (a run or checkpoint folder, or any ``load_agent`` spec, with ``agent_options``)
    on each (task, seed), labelling every frame with the oracle's macro for it. Runs inside a worker.

    ``demos.successes`` says whether each (mixed) episode succeeded.
    """
    import simagym
    from simagym.agents import load_agent
    from simagym.macros import DiscreteActions

    rng = np.random.default_rng(mix_seed)
    envs: dict[str, DiscreteActions] = {}
    frames: list[np.ndarray] = []
    labels: list[int] = []
    own: list[int] = []
    moves: list[int] = []
    starts, instructions, tasks, successes, seeds = [], [], [], [], []
    for task, seed in jobs:
        env = envs.get(task)
        if env is None:
            env = envs[task] = DiscreteActions(simagym.make(task, resolution=resolution))
        obs, info = env.reset(seed=seed)
        learner = load_agent(agent, seed=seed, options=agent_options)  # seeded by the episode, as evaluation does
        learner.reset(obs["instruction"], env.unwrapped if learner.privileged else None)
        starts.append(len(labels))
        instructions.append(obs["instruction"])
        tasks.append(task)
        seeds.append(seed)
        while True:
            label = oracle_label(env.unwrapped)
            chosen = learner.act(obs)  # every frame, so the learner's own frame stack stays whole
            frames.append(obs["pixels"])
            labels.append(label)
            own.append(chosen)
            played = label if beta and rng.random() < beta else chosen
            moves.append(played)
            obs, _, terminated, truncated, info = env.step(played)
            if terminated or truncated:
                break
        successes.append(bool(info["success"]))
    for env in envs.values():
        env.close()
    demos = Demos(
        frames=np.stack(frames), actions=np.asarray(labels, np.int16), episode_starts=np.asarray(starts, np.int64),
        instructions=instructions, tasks=tasks, successes=np.asarray(successes, bool), seeds=np.asarray(seeds, np.int64),
    )
    return Rollouts(demos, np.asarray(own, np.int16), np.asarray(moves, np.int16))


def plan_rollouts(task_ids: Sequence[str], episodes: int, seed: int, round_index: int) -> list[tuple[str, int]]:
    """Tasks round-robin, each episode with its own seed, different in every round."""
    base = ROLLOUT_SEED_BASE + (seed % 1024) * (1 << 20) + round_index * episodes
    return [(task_ids[i % len(task_ids)], base + i) for i in range(episodes)]


def worker_pool(workers: int) -> Executor | None:
    """A pool of rollout workers to keep across rounds (torch loads once per worker); None for in-process."""
    if workers <= 1:
        return None
    from simagym.workers import worker_pool as spawned_pool

    # One torch thread each: workers share the machine's cores with each other and with training.
    return spawned_pool(workers, torch_threads=1)


def rollouts(agent: str, task_ids: Sequence[str], episodes: int, *, seed: int, round_index: int, beta: float,
             resolution: int = 64, pool: Executor | None = None, workers: int = 2,
             agent_options: dict[str, Any] | None = None, should_stop: Callable[[], bool] | None = None) -> Rollouts:
    """``episodes`` learner episodes labelled by the oracle; the same arguments give the same result,
    however many workers play them. ``should_stop()`` ends early with the chunks finished so far."""
    jobs = plan_rollouts(task_ids, episodes, seed, round_index)
    chunks = [jobs[i:i + CHUNK] for i in range(0, len(jobs), CHUNK)]

    def args(i: int) -> tuple[Any, ...]:
        return agent, chunks[i], resolution, beta, (seed * 1_000_003 + round_index) * 100_003 + i, agent_options

    results: dict[int, Rollouts] = {}
    if pool is None:
        for i in range(len(chunks)):
            results[i] = record_rollouts(*args(i))
            if should_stop and should_stop():
                break
    else:
        pending = iter(range(len(chunks)))
        running = {pool.submit(record_rollouts, *args(i)): i for i in itertools.islice(pending, 2 * workers)}
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                results[running.pop(future)] = future.result()
                if should_stop and should_stop():
                    continue
                nxt = next(pending, None)
                if nxt is not None:
                    running[pool.submit(record_rollouts, *args(nxt))] = nxt
    # In chunk order, so the result does not depend on which worker finished first.
    return Rollouts.concatenate([results[i] for i in sorted(results)])
