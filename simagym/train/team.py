"""Training one shared policy for every seat of the team tasks (``python -m simagym.train --suite
team-v1``): behaviour cloning from the joint oracle, each player's view of an episode being one
demonstration (its own frames, its own instruction, the macros the oracle chose for its seat), so
the one policy learns every role; then evaluations in self-play, beside oracle teammates and
beside random teammates, next to the random agent (all through the eval runner).
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from simagym.macros import MACROS
from simagym.train.demos import NOISE_STREAM, PILOT_EPISODES, FrameStore, allocate

#: Team episodes per worker job.
TEAM_CHUNK = 8

#: condition -> (label, teammates, suite split, who plays the evaluated seats). ``train``,
#: ``heldout`` and ``random`` keep the single-player names, so the run's table and targets read alike.
TEAM_CONDITIONS: dict[str, tuple[str, str, str, str]] = {
    "train": ("self-play", "self", "train", "agent"),
    "heldout": ("self-play, held-out phrasings", "self", "heldout", "agent"),
    "oracle-teammates": ("with oracle teammates", "oracle", "train", "agent"),
    "random-teammates": ("with random teammates", "random", "train", "agent"),
    "random": ("random agent (self-play)", "self", "train", "random"),
}


@dataclass
class TeamDemos:
    """Each seat's episodes back to back: frame ``i`` was seen when the oracle chose ``actions[i]``."""

    frames: np.ndarray  # (N, H, W, 3) uint8
    actions: np.ndarray  # (N,) int16
    episode_starts: np.ndarray  # (E,) one episode per seat per team episode
    instructions: list[str]  # (E,)
    team_successes: np.ndarray  # (team episodes,) bool
    tasks: list[str]  # (team episodes,) the task each team episode played

    def per_frame(self, values: np.ndarray) -> np.ndarray:
        return np.repeat(values, np.diff(np.append(self.episode_starts, len(self.actions))), axis=0)


def spread(tasks: Sequence[str], counts: Sequence[int]) -> list[str]:
    """Each task ``counts[i]`` times, its episodes spread evenly over the whole order (so a run the clock
    ends early has played every task in its proportion)."""
    keyed = sorted(((j + 0.5) / c, i) for i, c in enumerate(counts) for j in range(c))
    return [tasks[i] for _, i in keyed]


@dataclass
class TeamEpisode:
    """One joint-oracle episode, each seat's view: its frames, the macros the oracle chose for it."""

    task: str
    frames: list[np.ndarray]  # per seat (T, H, W, 3) uint8
    actions: list[np.ndarray]  # per seat (T,) int16
    instructions: list[str]  # per seat
    success: bool


def play_team_episodes(jobs: Sequence[tuple[str, int]], resolution: int, noise: float) -> list[TeamEpisode]:
    """The joint oracle on each (task, seed); runs in a worker. Each episode draws its noise from its own
    seed, so an episode is the same whichever worker plays it, and with whichever others."""
    from simagym.multi import DiscreteActions, JointOracle, parallel_env

    envs: dict[str, Any] = {}
    out = []
    for task, seed in jobs:
        if task not in envs:
            envs[task] = parallel_env(task, resolution=resolution)
        raw = envs[task]
        env, oracle = DiscreteActions(raw), JointOracle(raw)
        rng = np.random.default_rng([seed, NOISE_STREAM])
        obs, _ = env.reset(seed=seed)
        oracle.reset()
        seats = range(raw.task.players)
        frames: list[list[np.ndarray]] = [[] for _ in seats]
        chosen_by_seat: list[list[int]] = [[] for _ in seats]
        infos: dict[str, Any] = {}
        while raw.agents:
            chosen = oracle.act()
            played = {}
            for seat in seats:
                agent = f"player_{seat}"
                frames[seat].append(obs[agent]["pixels"])
                chosen_by_seat[seat].append(chosen[agent])
                played[agent] = int(rng.integers(len(MACROS))) if rng.random() < noise else chosen[agent]
            obs, _, _, _, infos = env.step(played)
        out.append(TeamEpisode(task, [np.stack(f) for f in frames], [np.asarray(a, np.int16) for a in chosen_by_seat],
                               [i.text for i in raw.instructions], bool(infos["player_0"]["team_success"])))
    for raw in envs.values():
        raw.close()
    return out


def team_demos(tasks: Sequence[str], episodes: int, *, seed: int, resolution: int, noise: float = 0.0,
               balance: float = 0.0, workers: int = 1, max_frames: int | None = None, on_progress=None,
               should_stop=None) -> TeamDemos:
    """``episodes`` joint-oracle episodes spread over ``tasks``, played by ``workers`` processes (1: here).
    With ``noise``, each seat's executed macro is sometimes a random one while its label stays the
    oracle's (as in :mod:`simagym.train.demos`), so the data also shows how to recover. ``balance``
    shares the episodes out as single-player demonstrations do: each task's first
    :data:`PILOT_EPISODES` measure its length, and a task gets episodes in proportion to
    ``length ** -balance`` (0: round robin). Frames are stored once, as they arrive; play stops once
    ``max_frames`` are held (a memory bound). The same arguments give the same demonstrations."""
    from contextlib import nullcontext

    from simagym.train.envs import TRAIN_SEED_BASE
    from simagym.workers import worker_pool

    rng = np.random.default_rng(seed)
    store = FrameStore((resolution, resolution, 3))
    kept = _Kept()

    def stopped() -> bool:
        return (should_stop is not None and should_stop()) or (max_frames is not None and store.size >= max_frames)

    def keep(episodes: list[TeamEpisode]) -> None:
        for episode in episodes:
            kept.add(episode, [store.append(f) for f in episode.frames])
        if on_progress is not None:
            on_progress(len(episodes))

    def play(order: Sequence[str], pool) -> None:
        """The episodes of ``order`` in order (fewer if the clock stops them): a few chunks in flight."""
        jobs = [(task, TRAIN_SEED_BASE + int(rng.integers(1 << 30))) for task in order]
        chunks = [jobs[i:i + TEAM_CHUNK] for i in range(0, len(jobs), TEAM_CHUNK)]
        if pool is None:
            for chunk in chunks:
                if stopped():
                    break
                keep(play_team_episodes(chunk, resolution, noise))
            return
        pending = deque(pool.submit(play_team_episodes, c, resolution, noise) for c in chunks[:2 * workers])
        later = deque(chunks[2 * workers:])
        while pending:
            keep(pending.popleft().result())
            if stopped():
                for future in pending:
                    future.cancel()
                break
            if later:
                pending.append(pool.submit(play_team_episodes, later.popleft(), resolution, noise))

    order = [tasks[k % len(tasks)] for k in range(episodes)]
    with (worker_pool(workers) if workers > 1 else nullcontext()) as pool:
        if balance and len(tasks) > 1 and episodes > PILOT_EPISODES * len(tasks):
            play(order[:PILOT_EPISODES * len(tasks)], pool)
            lengths: dict[str, list[int]] = {t: [] for t in tasks}
            for task, length in zip(kept.tasks, kept.lengths):
                lengths[task].append(length)
            known = [float(np.mean(v)) for v in lengths.values() if v]
            typical = float(np.mean(known)) if known else 1.0  # the clock may stop the pilot itself
            counts = allocate([float(np.mean(lengths[t])) if lengths[t] else typical for t in tasks], episodes,
                              balance)
            # The pilot is played already: the rest, a long task's pilot beyond its share taken from the largest.
            rest = np.maximum(np.asarray(counts) - [len(lengths[t]) for t in tasks], 0)
            for _ in range(int(rest.sum()) - (episodes - len(kept.tasks))):
                rest[int(np.argmax(rest))] -= 1
            order = spread(tasks, rest.tolist())
        if not stopped():
            play(order, pool)
    if not kept.tasks:
        raise ValueError("no team demonstrations were played (the time budget ended first)")
    return TeamDemos(frames=store.array(), actions=np.concatenate(kept.actions),
                     episode_starts=np.asarray(kept.starts, np.int64), instructions=kept.instructions,
                     team_successes=np.asarray(kept.successes), tasks=kept.tasks)


class _Kept:
    """What team demonstrations keep of each episode besides its frames (those are in the store)."""

    def __init__(self) -> None:
        self.actions: list[np.ndarray] = []
        self.starts: list[int] = []
        self.instructions: list[str] = []
        self.successes: list[bool] = []
        self.tasks: list[str] = []
        self.lengths: list[int] = []

    def add(self, episode: TeamEpisode, starts: list[int]) -> None:
        self.actions += episode.actions
        self.starts += starts
        self.instructions += episode.instructions
        self.successes.append(episode.success)
        self.tasks.append(episode.task)
        self.lengths.append(len(episode.actions[0]))


def team_bc_data(cfg, codec, progress, writer, deadline: float | None, result):
    """The BC data of a team run (what :func:`simagym.train.pipeline.oracle_bc_data` is for one player)."""
    from simagym.train.bc import BCData
    from simagym.train.config import MAX_DEMO_FRAMES

    t0 = time.monotonic()
    bar = progress.add_task("joint-oracle demonstrations", total=cfg.demos, info="")
    demo_deadline = None if deadline is None else t0 + (deadline - t0) / 3  # a third of the budget at most
    demos = team_demos(cfg.tasks, cfg.demos, seed=cfg.seed, resolution=cfg.resolution, noise=cfg.demo_noise,
                       balance=cfg.demo_balance, workers=cfg.demo_workers, max_frames=MAX_DEMO_FRAMES,
                       on_progress=lambda n: progress.update(bar, advance=n),
                       should_stop=(lambda: time.monotonic() > demo_deadline) if demo_deadline else None)
    result.timings["demos_s"] = time.monotonic() - t0
    result.train_stats |= {"demo_episodes": len(demos.team_successes), "demo_seat_episodes": len(demos.instructions),
                           "demo_frames": len(demos.actions), "demo_success": float(demos.team_successes.mean())}
    writer.add_scalar("demos/frames_per_s", len(demos.actions) / max(result.timings["demos_s"], 1e-9), 0)
    progress.console.print(f"demonstrations: {len(demos.team_successes)} joint-oracle team episodes"
                           f" ({len(demos.instructions)} seats' views), {len(demos.actions)} frames in"
                           f" {result.timings['demos_s']:.0f} s ({demos.team_successes.mean():.0%} succeeded despite"
                           f" {cfg.demo_noise:.0%} random moves)")
    ids = codec.ids_many(demos.instructions)
    return BCData(frames=demos.frames, instruction_ids=demos.per_frame(ids), actions=demos.actions,
                  episode_starts=demos.episode_starts)


def evaluate_team_run(run_dir, suite, *, episodes: int | None, workers: int, console,
                      show_progress: bool) -> dict[str, dict[str, Any]]:
    """Every team condition; results go to ``run_dir/eval-<condition>``."""
    from simagym.train.evaluation import evaluate_agent

    summaries = {}
    for condition, (label, teammates, split, who) in TEAM_CONDITIONS.items():
        options = {"teammates": teammates} if teammates != "self" else None
        summaries[condition] = evaluate_agent(
            str(run_dir) if who == "agent" else who, suite, split, run_dir / f"eval-{condition}",
            episodes=episodes, workers=workers, console=console, show_progress=show_progress,
            label=label if who == "random" else f"trained agent, {label}", agent_options=options)
    return summaries


def is_team_suite(suite) -> bool:
    return any(hasattr(suite.spec(t), "roles") for t in suite.tasks)


__all__ = ["TEAM_CONDITIONS", "TeamDemos", "TeamEpisode", "play_team_episodes", "spread", "team_demos", "team_bc_data", "evaluate_team_run", "is_team_suite"]
