"""Oracle demonstrations, generated in parallel worker processes.

The oracle acts in the same macro space as a learned policy, so its episodes
are directly learnable. With ``noise`` > 0 the *executed* move is sometimes a
random one while the *label* stays the oracle's choice for that frame (DART-style
noise injection): the data then also shows how to recover from small mistakes,
which plain behaviour cloning never sees.

Workers are spawned (no inherited pygame/SDL state), import no torch, and send
back compact arrays.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from simagym.train.envs import TRAIN_SEED_BASE

#: Episodes per worker job: big enough to amortise pickling, small enough for a smooth progress bar.
CHUNK = 16


@dataclass
class Demos:
    """Episodes back to back: frame ``i`` was seen when the oracle chose ``actions[i]``."""

    frames: np.ndarray  # (N, H, W, 3) uint8
    actions: np.ndarray  # (N,) int16 macro indices
    episode_starts: np.ndarray  # (E,) int64: index of each episode's first frame
    instructions: list[str]  # (E,)
    tasks: list[str]  # (E,)
    successes: np.ndarray  # (E,) bool: did the (noisy) episode succeed
    seeds: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # (E,)

    def __len__(self) -> int:
        return len(self.actions)

    @property
    def episodes(self) -> int:
        return len(self.episode_starts)

    def episode_lengths(self) -> np.ndarray:
        return np.diff(np.append(self.episode_starts, len(self.actions)))

    def per_frame(self, values: np.ndarray) -> np.ndarray:
        """Repeat a per-episode array for each frame of its episode."""
        return np.repeat(values, self.episode_lengths(), axis=0)

    @staticmethod
    def concatenate(parts: Sequence["Demos"]) -> "Demos":
        parts = [p for p in parts if len(p)]
        if not parts:
            raise ValueError("no demonstration frames")
        offsets = np.cumsum([0] + [len(p) for p in parts[:-1]])
        return Demos(
            frames=np.concatenate([p.frames for p in parts]),
            actions=np.concatenate([p.actions for p in parts]),
            episode_starts=np.concatenate([p.episode_starts + o for p, o in zip(parts, offsets)]),
            instructions=[s for p in parts for s in p.instructions],
            tasks=[t for p in parts for t in p.tasks],
            successes=np.concatenate([p.successes for p in parts]),
            seeds=np.concatenate([p.seeds for p in parts]),
        )


def _init_worker() -> None:
    from simagym.headless import configure_sdl

    configure_sdl()


def record_episodes(jobs: Sequence[tuple[str, int]], resolution: int, noise: float, noise_seed: int) -> Demos:
    """Play the oracle on each (task, seed); runs inside a worker."""
    import simagym
    from simagym.agents.oracle import OracleAgent
    from simagym.macros import DiscreteActions, key_macro

    moves = [key_macro(k) for k in ("W", "A", "S", "D")]
    rng = np.random.default_rng(noise_seed)
    envs: dict[str, DiscreteActions] = {}
    frames: list[np.ndarray] = []
    actions: list[int] = []
    starts, instructions, tasks, successes, seeds = [], [], [], [], []
    for task, seed in jobs:
        env = envs.get(task)
        if env is None:
            env = envs[task] = DiscreteActions(simagym.make(task, resolution=resolution))
        obs, info = env.reset(seed=seed)
        oracle = OracleAgent()
        oracle.reset(obs["instruction"], env.unwrapped)
        starts.append(len(actions))
        instructions.append(obs["instruction"])
        tasks.append(task)
        seeds.append(seed)
        while True:
            label = oracle.act(obs)
            frames.append(obs["pixels"])
            actions.append(label)
            played = int(rng.choice(moves)) if noise and rng.random() < noise else label
            obs, _, terminated, truncated, info = env.step(played)
            if terminated or truncated:
                break
        successes.append(bool(info["success"]))
    for env in envs.values():
        env.close()
    return Demos(
        frames=np.stack(frames), actions=np.asarray(actions, np.int16), episode_starts=np.asarray(starts, np.int64),
        instructions=instructions, tasks=tasks, successes=np.asarray(successes, bool), seeds=np.asarray(seeds, np.int64),
    )


def plan_jobs(task_ids: Sequence[str], episodes: int, seed: int) -> list[tuple[str, int]]:
    """Tasks round-robin (balanced data), each episode with its own seed far from evaluation seeds."""
    base = TRAIN_SEED_BASE + (seed % 1024) * (1 << 20)
    return [(task_ids[i % len(task_ids)], base + i) for i in range(episodes)]


def generate(task_ids: Sequence[str], episodes: int, *, seed: int = 0, resolution: int = 64, noise: float = 0.0,
             workers: int = 2, on_progress: Callable[[int], None] | None = None,
             should_stop: Callable[[], bool] | None = None) -> Demos:
    """``episodes`` oracle episodes over ``task_ids``; the same arguments give the same demos.

    ``on_progress(n)`` is told of every n finished episodes; ``should_stop()`` ends early
    (a time budget) with the episodes finished so far.
    """
    jobs = plan_jobs(task_ids, episodes, seed)
    chunks = [jobs[i:i + CHUNK] for i in range(0, len(jobs), CHUNK)]
    results: dict[int, Demos] = {}
    if workers <= 1:
        for i, chunk in enumerate(chunks):
            results[i] = record_episodes(chunk, resolution, noise, seed * 100_003 + i)
            if on_progress:
                on_progress(len(chunk))
            if should_stop and should_stop():
                break
    else:
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker) as pool:
            pending = iter(enumerate(chunks))
            running = {}
            for i, chunk in pending:
                running[pool.submit(record_episodes, chunk, resolution, noise, seed * 100_003 + i)] = (i, len(chunk))
                if len(running) >= 2 * workers:
                    break
            while running:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    i, n = running.pop(future)
                    results[i] = future.result()
                    if on_progress:
                        on_progress(n)
                    if should_stop and should_stop():
                        continue
                    nxt = next(pending, None)
                    if nxt is not None:
                        j, chunk = nxt
                        running[pool.submit(record_episodes, chunk, resolution, noise, seed * 100_003 + j)] = (j, len(chunk))
    # In chunk order, so the result does not depend on which worker finished first.
    return Demos.concatenate([results[i] for i in sorted(results)])
