"""The world's oracle solves its tasks through the discrete macros alone: on every seed, within the
step limit, reporting only events the world declares, in episodes that replay from the macros."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

import simagym
from simagym.macros import MACROS, DiscreteActions
from simagym.testing.events import Seen, event_problems, seen
from simagym.testing.problems import crashed
from simagym.world import TargetError


@dataclass
class OracleEpisode:
    """One oracle episode: what it played and how it ended."""

    success: bool
    terminated: bool
    truncated: bool
    reward: float
    macros: list[int]
    events: set[Seen] = field(default_factory=set)  # (type, role names) of every event reported


def run_oracle(task_id: str, seed: int, phrasing: str = "train") -> OracleEpisode:
    """Play one episode with the world's solver (:attr:`World.solver_class`) choosing macros."""
    env = DiscreteActions(simagym.make(task_id, phrasing=phrasing))
    env.reset(seed=seed)
    raw = env.unwrapped
    solver = raw.world.solver(raw.goal)
    episode = OracleEpisode(False, False, False, 0.0, [])
    while not (episode.terminated or episode.truncated):
        macro = solver.next_macro()
        episode.macros.append(macro)
        _, episode.reward, episode.terminated, episode.truncated, info = env.step(macro)
        episode.events.update(seen(raw.last_events))
    episode.success = info["success"]
    env.close()
    return episode


def _replays(task_id: str, seed: int, episode: OracleEpisode) -> bool:
    """The macros alone, in a fresh env, end the same way at the same step: the oracle changed the
    world only through its actions."""
    env = DiscreteActions(simagym.make(task_id))
    env.reset(seed=seed)
    for i, macro in enumerate(episode.macros, 1):
        _, reward, terminated, truncated, info = env.step(macro)
        if (terminated or truncated) != (i == len(episode.macros)):
            return False
    env.close()
    return (info["success"], terminated, reward) == (episode.success, episode.terminated, episode.reward)


def check_oracle(task_id: str, seeds: range | list[int] = range(20), phrasing: str = "train") -> list[str]:
    """The oracle succeeds on every seed (terminated, within the step limit, the documented reward),
    plays only macro indices, reports only declared events, and its first episode replays."""
    spec = simagym.get_task(task_id)
    world = simagym.get_world(spec.world)
    failed: list[int] = []
    problems: list[str] = []
    reported: set[Seen] = set()
    for seed in seeds:
        try:
            episode = run_oracle(task_id, seed, phrasing)
        except Exception as err:  # noqa: BLE001 - a crash in a plugin's world or solver is a finding
            where = task_id if isinstance(err, TargetError) else f"{task_id}: seed {seed}: the oracle's episode"
            return problems + [crashed(where, err)]
        reported |= episode.events
        if not episode.success:
            failed.append(seed)
            continue
        bad = [m for m in episode.macros if isinstance(m, bool) or not isinstance(m, (int, np.integer))
               or not 0 <= m < len(MACROS)]
        if bad:
            problems.append(f"{task_id}: seed {seed}: the solver played {bad[:3]}, not macro indices in "
                            f"[0, {len(MACROS)})")
        steps = len(episode.macros)
        if not (episode.terminated and not episode.truncated and steps <= spec.max_steps
                and np.isclose(episode.reward, 1.0 - 0.9 * steps / spec.max_steps)):
            problems.append(f"{task_id}: seed {seed}: success after {steps} steps ended with terminated="
                            f"{episode.terminated}, truncated={episode.truncated}, reward={episode.reward}")
        if seed == seeds[0] and not _replays(task_id, seed, episode):
            problems.append(f"{task_id}: seed {seed}: the oracle's macros, replayed in a fresh env, end differently"
                            " (does the solver change the world itself?)")
    problems[:0] = event_problems(task_id, world, reported)
    if failed:
        problems.insert(0, f"{task_id}: the oracle failed on seeds {failed} of {list(seeds)} ({phrasing} phrasings)")
    return problems


def check_targets(task_id: str, seeds: range | list[int] = range(20)) -> list[str]:
    """No required selector matches several entities after reset (the env's own check, on every
    seed); one line per distinct problem, with the seeds it happens on."""
    env = simagym.make(task_id)
    seeds_of: dict[str, list[int]] = {}
    for seed in seeds:
        try:
            env.reset(seed=seed)
        except TargetError as err:
            for problem in err.problems:
                seeds_of.setdefault(problem, []).append(seed)
    env.close()
    world = type(env.world).__name__
    return [f"{task_id}: on seeds {found}: {problem}; {world}.reset must make each required selector match "
            "one entity (or declare the kind in World.scattered)" for problem, found in seeds_of.items()]
