"""Training one shared policy for every seat of the team tasks (``python -m simagym.train --suite
team-v1``): behaviour cloning from the joint oracle, each player's view of an episode being one
demonstration (its own frames, its own instruction, the macros the oracle chose for its seat), so
the one policy learns every role; then evaluations in self-play, beside oracle teammates and
beside random teammates, next to the random agent (all through the eval runner).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from simagym.macros import MACROS
from simagym.train.demos import PILOT_EPISODES, allocate

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


def team_demos(tasks: Sequence[str], episodes: int, *, seed: int, resolution: int, noise: float = 0.0,
               balance: float = 0.0, on_progress=None, should_stop=None) -> TeamDemos:
    """``episodes`` joint-oracle episodes spread over ``tasks``. With ``noise``, each seat's executed
    macro is sometimes a random one while its label stays the oracle's (as in
    :mod:`simagym.train.demos`), so the data also shows how to recover. ``balance`` shares the episodes
    out as single-player demonstrations do: each task's first :data:`PILOT_EPISODES` measure its
    length, and a task gets episodes in proportion to ``length ** -balance`` (0: round robin)."""
    from simagym.multi import DiscreteActions, JointOracle, parallel_env
    from simagym.train.envs import TRAIN_SEED_BASE

    rng = np.random.default_rng(seed)
    envs = {t: parallel_env(t, resolution=resolution) for t in tasks}
    frames: list[np.ndarray] = []
    actions: list[int] = []
    starts: list[int] = []
    instructions: list[str] = []
    successes: list[bool] = []
    played_tasks: list[str] = []

    def play(task: str) -> int:
        """One team episode of ``task``, appended to the demonstrations; its length in ticks."""
        raw = envs[task]
        env, oracle = DiscreteActions(raw), JointOracle(raw)
        obs, _ = env.reset(seed=TRAIN_SEED_BASE + int(rng.integers(1 << 30)))
        oracle.reset()
        seats = range(raw.task.players)
        trace: list[list[tuple[np.ndarray, int]]] = [[] for _ in seats]
        infos: dict[str, Any] = {}
        while raw.agents:
            chosen = oracle.act()
            played = {}
            for seat in seats:
                agent = f"player_{seat}"
                trace[seat].append((obs[agent]["pixels"], chosen[agent]))
                played[agent] = int(rng.integers(len(MACROS))) if rng.random() < noise else chosen[agent]
            obs, _, _, _, infos = env.step(played)
        for seat in seats:
            starts.append(len(actions))
            instructions.append(raw.instructions[seat].text)
            frames.extend(f for f, _ in trace[seat])
            actions.extend(a for _, a in trace[seat])
        successes.append(bool(infos["player_0"]["team_success"]))
        played_tasks.append(task)
        if on_progress is not None:
            on_progress(1)
        return len(trace[0])

    def stopped() -> bool:
        return should_stop is not None and should_stop()

    order = [tasks[k % len(tasks)] for k in range(episodes)]
    if balance and len(tasks) > 1 and episodes > PILOT_EPISODES * len(tasks):
        lengths: dict[str, list[int]] = {t: [] for t in tasks}
        for task in order[:PILOT_EPISODES * len(tasks)]:
            if stopped():
                break
            lengths[task].append(play(task))
        known = [float(np.mean(v)) for v in lengths.values() if v]
        typical = float(np.mean(known)) if known else 1.0  # the clock may stop the pilot itself
        counts = allocate([float(np.mean(lengths[t])) if lengths[t] else typical for t in tasks], episodes, balance)
        # The pilot is played already: the rest, with a long task's pilot beyond its share taken from the largest.
        rest = np.maximum(np.asarray(counts) - [len(lengths[t]) for t in tasks], 0)
        for _ in range(int(rest.sum()) - (episodes - sum(map(len, lengths.values())))):
            rest[int(np.argmax(rest))] -= 1
        order = spread(tasks, rest.tolist())
    for task in order:
        if stopped():
            break
        play(task)
    if not actions:
        raise ValueError("no team demonstrations were played (the time budget ended first)")
    return TeamDemos(np.stack(frames), np.asarray(actions, np.int16), np.asarray(starts, np.int64), instructions,
                     np.asarray(successes), played_tasks)


def team_bc_data(cfg, codec, progress, writer, deadline: float | None, result):
    """The BC data of a team run (what :func:`simagym.train.pipeline.oracle_bc_data` is for one player)."""
    from simagym.train.bc import BCData

    t0 = time.monotonic()
    bar = progress.add_task("joint-oracle demonstrations", total=cfg.demos, info="")
    demo_deadline = None if deadline is None else t0 + (deadline - t0) / 3  # a third of the budget at most
    demos = team_demos(cfg.tasks, cfg.demos, seed=cfg.seed, resolution=cfg.resolution, noise=cfg.demo_noise,
                       balance=cfg.demo_balance,
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


__all__ = ["TEAM_CONDITIONS", "TeamDemos", "spread", "team_demos", "team_bc_data", "evaluate_team_run", "is_team_suite"]
