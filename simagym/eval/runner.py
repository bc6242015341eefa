"""Runs a suite's episodes over worker processes, appending each result as it finishes.

Every episode is independent and seeded by its own seed (the environment's
reset and a fresh agent), so results do not depend on the number of workers
or the order they finish in. Finished episodes (keyed by task, seed, split) are
skipped on re-run, which is how an interrupted run resumes.
"""

from __future__ import annotations

import logging
import os
import traceback
from contextlib import closing
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Protocol, Sequence

from simagym.eval.errors import EvalError
from simagym.eval.results import (EpisodeLog, FolderLock, episode_key, prepare_run_config, read_episodes,
                                  write_suite_manifest)
from simagym.eval.suite import Episode, Suite, env_options, suite_definition
from simagym.eval.summary import build_summary, write_summary
from simagym.workers import stop_now, worker_pool

log = logging.getLogger("simagym.eval")


# --- one episode (runs inside a worker) ---------------------------------------------

class _Playing:
    """One episode in progress: its env, its agent, what it has scored so far."""

    def __init__(self, agent_spec: str, episode: Episode, agent_options: Mapping[str, Any] | None = None) -> None:
        import simagym
        from simagym.agents import load_agent
        from simagym.macros import DiscreteActions

        self.episode = episode
        self.env = DiscreteActions(simagym.make(episode.task, **env_options(episode.split)))
        self.obs, _ = self.env.reset(seed=episode.seed)
        self.agent = load_agent(agent_spec, seed=episode.seed, options=agent_options)
        # Only privileged agents (the oracle) may read the world's ground truth.
        self.agent.reset(self.obs["instruction"], self.env.unwrapped if self.agent.privileged else None)
        self.steps, self.total, self.record = 0, 0.0, None

    def step(self, action: int) -> None:
        self.obs, reward, terminated, truncated, info = self.env.step(action)
        self.steps += 1
        self.total += float(reward)
        if terminated or truncated:
            unwrapped = self.env.unwrapped
            task = unwrapped.task
            self.record = {
                "task": self.episode.task, "world": task.world, "category": task.category.value,
                "seed": self.episode.seed, "split": self.episode.split, "instruction": unwrapped.instruction.text,
                "success": bool(info["success"]), "steps": self.steps, "return": self.total,
            }
            self.env.close()


def run_group(agent_spec: str, episodes: Sequence[Episode],
              agent_options: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """Play episodes side by side, each with a fresh agent seeded by its episode's seed (acting as
    ``agent_options`` say); return their records in order. An agent class that acts for several episodes at once
    (:meth:`~simagym.agents.base.Agent.act_together`: one forward pass for all) gets them together;
    the group is fixed by the suite's episode order, so results never depend on workers or timing."""
    from simagym.multi.registry import is_team_task

    if episodes and is_team_task(episodes[0].task):  # several players: simagym.multi plays them (a suite is all one kind)
        from simagym.multi.evaluate import run_team_group

        return run_team_group(agent_spec, episodes, agent_options)
    playing = [_Playing(agent_spec, episode, agent_options) for episode in episodes]
    try:
        while True:
            live = [p for p in playing if p.record is None]
            if not live:
                return [p.record for p in playing]
            actions = type(live[0].agent).act_together([p.agent for p in live], [p.obs for p in live])
            for p, action in zip(live, actions):
                p.step(action)
    finally:
        for p in playing:
            if p.record is None:
                p.env.close()


def run_episode(agent_spec: str, episode: Episode, agent_options: Mapping[str, Any] | None = None,
                ) -> dict[str, Any]:
    """Play one episode with a fresh agent seeded by the episode's seed; return its record."""
    return run_group(agent_spec, [episode], agent_options)[0]


def _guarded_group(agent_spec: str, episodes: Sequence[Episode],
                   agent_options: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """Like :func:`run_group`, but a crash comes back as data (tracebacks do not pickle)."""
    try:
        return run_group(agent_spec, episodes, agent_options)
    except Exception as err:
        return [{"error": f"{type(err).__name__}: {err}", "traceback": traceback.format_exc(),
                 "episode": list(episodes[0])}]


# --- the run ----------------------------------------------------------------------------

@dataclass
class RunOutcome:
    out_dir: Path
    summary: dict[str, Any]
    planned: int
    skipped: int  # already finished before this invocation
    ran: int      # finished by this invocation
    records: list[dict[str, Any]] = field(default_factory=list)


def _run_identity(agent: str, suite: Suite, per_task: int | None, planned: int,
                  agent_info: dict[str, Any]) -> dict[str, Any]:
    from simagym import __version__

    return {
        "agent": agent,
        **{f"agent_{k}": v for k, v in agent_info.items()},
        "suite_name": suite.name,
        "suite_version": suite.version,
        "suite_hash": suite.content_hash,
        "suite_source": suite.source,
        "suite_definition": suite_definition(suite),  # enough to rebuild it (leaderboard verify)
        "episodes_per_task": per_task,
        "planned": planned,
        "seeds": list(suite.seeds if per_task is None else suite.seeds[:per_task]),
        "splits": [s.value for s in suite.splits],
        "tasks": list(suite.tasks),
        "simagym_version": __version__,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def check_agent(agent: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Fail fast, in this process, on an agent that cannot be loaded; return what results record of it:
    ``name``, ``description``, ``parameters`` (its parameter count), ``group_size`` and ``options``
    (how it acts: a learned agent's sampling or argmax, and its guidance scale)."""
    from simagym.agents import load_agent
    from simagym.multi.evaluate import split_options

    try:
        own, teammates = split_options(options)  # teammates: who plays beside the agent in team tasks
        loaded = load_agent(agent, seed=0, options=own)
    except ValueError as err:
        raise EvalError(str(err)) from None
    return {"name": str(loaded.name), "description": str(loaded.description),
            "parameters": int(loaded.parameter_count()), "group_size": int(type(loaded).group_size),
            "options": {**loaded.settings(), **({"teammates": teammates} if teammates != "self" else {})}}


def _results(agent: str, groups: Sequence[Sequence[Episode]], workers: int,
             options: Mapping[str, Any] | None = None) -> Iterator[dict[str, Any]]:
    """Yield episode records (or error records) as their groups finish."""
    if workers == 1 or len(groups) <= 1:
        # In-process: no start-up cost, and simpler to debug.
        for group in groups:
            yield from _guarded_group(agent, group, options)
        return
    pool = worker_pool(min(workers, len(groups)))
    finished = False
    try:
        # Keep only a few groups queued per worker so an interrupt stops quickly.
        queue = iter(groups)
        running: set[Future[list[dict[str, Any]]]] = set()
        for group in queue:
            running.add(pool.submit(_guarded_group, agent, group, options))
            if len(running) >= 2 * workers:
                break
        while running:
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                next_group = next(queue, None)
                if next_group is not None:
                    running.add(pool.submit(_guarded_group, agent, next_group, options))
                yield from future.result()
        finished = True
    finally:
        if not finished:  # interrupted, terminated or failed: stop the workers now, not after their groups
            stop_now(pool)
        pool.shutdown(wait=True, cancel_futures=True)


class Backend(Protocol):
    """Where a run's groups of episodes are played: the local process pool, or a Ray cluster
    (:mod:`simagym.eval.ray_backend`). The run itself (what is pending, the log, the summary) stays in
    :class:`EvalRun`; a backend only plays groups and hands back their records."""

    def results(self, agent: str, groups: Sequence[Sequence[Episode]],
                options: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """Yield each group's records (from :func:`_guarded_group`: an error comes back as a record)
        as the groups finish, in any order; closing the iterator stops what is still running."""
        ...


class LocalPool:
    """Plays groups on ``workers`` processes of this machine (in this process when ``workers`` is 1)."""

    def __init__(self, workers: int = 1) -> None:
        if not isinstance(workers, int) or workers < 1:
            raise EvalError(f"workers must be >= 1, got {workers!r}")
        self.workers = workers

    def results(self, agent: str, groups: Sequence[Sequence[Episode]],
                options: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        return _results(agent, groups, self.workers, options)


def play_episodes(agent: str, episodes: Sequence[Episode], *, workers: int = 1,
                  agent_options: Mapping[str, Any] | None = None) -> Iterator[dict[str, Any]]:
    """Play ``episodes``, each alone with a fresh agent seeded by its seed, over ``workers`` processes;
    yield their records (or error records with ``error`` and ``episode``) as they finish. Nothing is
    written: this is how a results folder's episodes are replayed (``leaderboard verify``)."""
    check_agent(agent, agent_options)  # an agent that cannot load is one error here, not one per episode
    with closing(_results(agent, [(episode,) for episode in episodes], workers, agent_options)) as results:
        yield from results


class EvalRun:
    """One invocation on a run folder: validates, locks it, knows what is left to run.

    Use as a context manager; :meth:`execute` runs the pending episodes. ``agent_options``
    (``deterministic``, ``cfg``, ``temperature``) say how a learned agent acts; they are part of the run's identity.
    ``backend`` plays the episodes (default: a :class:`LocalPool` of ``workers`` processes); the
    results do not depend on it.
    """

    def __init__(self, agent: str, suite: Suite, out_dir: str | os.PathLike[str], *,
                 episodes_per_task: int | None = None, workers: int = 1,
                 name: str | None = None, description: str | None = None,
                 agent_options: Mapping[str, Any] | None = None, backend: Backend | None = None) -> None:
        self.backend = backend if backend is not None else LocalPool(workers)
        self.agent = agent
        self.suite = suite
        self.out_dir = Path(out_dir)
        self.workers = workers
        self.episodes = suite.episodes(episodes_per_task)
        self.per_task = episodes_per_task
        self.agent_options = dict(agent_options or {})
        self.agent_info = check_agent(agent, self.agent_options)
        if name is not None:
            self.agent_info["name"] = name
        if description is not None:
            self.agent_info["description"] = description
        self._lock = FolderLock(self.out_dir)
        self.finished: list[dict[str, Any]] = []
        self.pending: list[Episode] = []
        size = self.agent_info["group_size"]
        self.groups = [tuple(self.episodes[i:i + size]) for i in range(0, len(self.episodes), size)]

    def __enter__(self) -> "EvalRun":
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise EvalError(f"cannot create the output folder {self.out_dir}: {err.strerror}") from None
        self._lock.__enter__()
        try:
            prepare_run_config(self.out_dir, _run_identity(self.agent, self.suite, self.per_task, len(self.episodes),
                                                           self.agent_info))
            write_suite_manifest(self.out_dir, self.suite)
            self.finished = read_episodes(self.out_dir, repair=True)
        except BaseException:
            self._lock.__exit__(None, None, None)
            raise
        done = {episode_key(r) for r in self.finished}
        self.pending = [e for e in self.episodes if e not in done]
        return self

    def __exit__(self, *exc: object) -> None:
        self._lock.__exit__(*exc)

    @property
    def skipped(self) -> int:
        return len(self.episodes) - len(self.pending)

    def execute(self, on_result: Callable[[dict[str, Any]], None] | None = None) -> RunOutcome:
        """Run what is pending; the summary is written even if interrupted."""
        from simagym import __version__
        from simagym.headless import configure_sdl

        configure_sdl()  # for the in-process path, and inherited by spawned workers
        new: list[dict[str, Any]] = []
        try:
            # closing(): a failure below must shut the worker pool down now, not at garbage collection.
            # A group with any episode left is played whole (its episodes share their forward passes),
            # and only what is missing is recorded: a resumed run gives what an uninterrupted one would.
            pending = set(self.pending)
            groups = [g for g in self.groups if pending.intersection(g)]
            stream = closing(self.backend.results(self.agent, groups, self.agent_options))
            with EpisodeLog(self.out_dir) as episode_log, stream as results:
                for record in results:
                    if "error" in record:
                        task, seed, split = record["episode"]
                        log.debug("episode %s seed %s (%s) failed:\n%s", task, seed, split, record["traceback"])
                        raise EvalError(
                            f"episode {task} seed {seed} ({split}) with agent {self.agent!r} failed: {record['error']}"
                            f" ({len(self.finished) + len(new)} finished episodes are saved; --verbose shows the"
                            " traceback; re-run to resume)"
                        )
                    if episode_key(record) not in pending:
                        continue
                    pending.discard(episode_key(record))
                    episode_log.append(record)
                    new.append(record)
                    if on_result is not None:
                        on_result(record)
        finally:
            wanted = set(self.episodes)
            try:  # what is on disk is what a resumed run will see; an interrupt may land between write and list
                saved = read_episodes(self.out_dir)
            except EvalError:
                saved = self.finished + new
            records = [r for r in saved if episode_key(r) in wanted]
            summary = build_summary(
                records, agent=self.agent, planned=len(self.episodes), simagym_version=__version__,
                suite={"name": self.suite.name, "version": self.suite.version, "hash": self.suite.content_hash,
                       "source": self.suite.source},
                agent_info=self.agent_info,
            )
            write_summary(self.out_dir, summary)
        return RunOutcome(self.out_dir, summary, len(self.episodes), self.skipped, len(new), records)


def run_eval(agent: str, suite: Suite, out_dir: str | os.PathLike[str], *, episodes_per_task: int | None = None,
             workers: int = 1, on_result: Callable[[dict[str, Any]], None] | None = None,
             name: str | None = None, description: str | None = None,
             agent_options: Mapping[str, Any] | None = None, backend: Backend | None = None) -> RunOutcome:
    """Run (or resume) ``agent`` on ``suite`` into ``out_dir``; return the outcome and summary."""
    with EvalRun(agent, suite, out_dir, episodes_per_task=episodes_per_task, workers=workers,
                 name=name, description=description, agent_options=agent_options, backend=backend) as run:
        return run.execute(on_result)
