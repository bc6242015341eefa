"""Replaying a results folder: a forgery that is consistent on paper is caught by playing it again.

:func:`load_result` checks that a folder agrees with itself, but an edited episode with its summary
recomputed agrees with itself too. Every episode is a pure function of the agent, the task, the
seed and the split (the runner seeds the env and a fresh agent with the episode's seed), so
:func:`verify_replay` re-runs K episodes drawn at random with the agent the folder names and
refuses the folder if any outcome - success, steps, return - differs. Which agent and which suite
come from ``run.json`` (``agent``, ``agent_options``, ``suite_definition``); ``agent`` overrides
the agent's location, e.g. a run folder that has moved since.

    python -m simagym.leaderboard verify RESULTS_DIR --replay K [--seed S] [--agent SPEC]
    python -m simagym.leaderboard build RESULTS_DIR... --out SITE --replay K   (marks verified rows)
"""

from __future__ import annotations

import json
import math
import random
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simagym.eval.errors import EvalError
from simagym.eval.results import RUN_FILE
from simagym.eval.suite import Episode, Suite, SuiteError, load_suite, suite_from_definition
from simagym.leaderboard.results import Result, load_result

#: Agents that are people, not code: their results come from recordings that ``leaderboard human``
#: re-scores when it writes them, and there is nothing to replay here.
HUMAN_AGENTS = ("human",)
OUTCOME = ("success", "steps", "return")


class VerifyError(EvalError):
    """A results folder that cannot be replayed (its agent or suite is not available here)."""


@dataclass
class Verification:
    """What a replay found: ``mismatches`` (one line per differing episode) is empty when it holds."""

    path: Path
    agent: str
    seed: int
    replayed: list[Episode]
    mismatches: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches

    def mark(self) -> dict[str, Any]:
        """What the leaderboard shows for a verified row."""
        return {"replayed": len(self.replayed), "seed": self.seed}


def run_description(path: Path) -> dict[str, Any]:
    try:
        run = json.loads((Path(path) / RUN_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise VerifyError(f"{path}: cannot read {RUN_FILE} ({err}); is it a results folder of python -m simagym.eval?"
                          ) from None
    if not isinstance(run, dict):
        raise VerifyError(f"{path}: {RUN_FILE} is not a JSON object")
    return run


def suite_of(path: Path, run: dict[str, Any] | None = None) -> Suite:
    """The suite a results folder was computed on: rebuilt from the definition its ``run.json``
    records (or, for folders written before it did, the bundled suite of that name and version)."""
    run = run_description(path) if run is None else run
    try:
        if "suite_definition" in run:
            suite = suite_from_definition(run["suite_definition"], f"{path}/{RUN_FILE}")
        else:
            suite = load_suite(f"{run.get('suite_name')}-v{run.get('suite_version')}")
    except SuiteError as err:
        raise VerifyError(f"{path}: its suite cannot be rebuilt here: {err}") from None
    if suite.content_hash != run.get("suite_hash"):
        raise VerifyError(f"{path}: computed on suite {suite.label} with content hash {run.get('suite_hash')}, but"
                          f" the installed tasks give {suite.content_hash}; replay it where those tasks are installed")
    return suite


def _same(recorded: dict[str, Any], replayed: dict[str, Any]) -> bool:
    return (recorded["success"] == replayed["success"] and recorded["steps"] == replayed["steps"]
            and math.isclose(recorded["return"], replayed["return"], rel_tol=1e-9, abs_tol=1e-9))


def _outcome(record: dict[str, Any]) -> str:
    return ", ".join(f"{name} {record[name]!r}" for name in OUTCOME)


def verify_replay(path: str | Path, replay: int, *, seed: int | None = None, agent: str | None = None,
                  workers: int = 1, result: Result | None = None) -> Verification:
    """Re-run ``replay`` random episodes of the results folder at ``path`` (all of them if it has fewer).

    The folder is first read and checked like the leaderboard does (``result``, when given, is that
    already). ``seed`` draws the episodes (default: a fresh random one; the verification records it).
    """
    from simagym.eval.runner import play_episodes

    if replay < 1:
        raise VerifyError(f"--replay must be >= 1, got {replay}")
    path = Path(path)
    run = run_description(path)
    spec = agent or run.get("agent")
    if not isinstance(spec, str) or not spec:
        raise VerifyError(f"{path}: {RUN_FILE} names no agent; pass --agent")
    if spec in HUMAN_AGENTS:
        raise VerifyError(f"{path}: episodes played by people cannot be replayed by an agent (python -m"
                          " simagym.leaderboard human re-scored them from their recording)")
    options = run.get("agent_options") or {}
    if not isinstance(options, dict):
        raise VerifyError(f"{path}: {RUN_FILE} agent_options is not a mapping")
    result = result or load_result(path, suite_of(path, run))
    seed = secrets.randbits(32) if seed is None else seed
    records = {Episode(r["task"], r["seed"], r["split"]): r for r in result.episodes}
    chosen = random.Random(seed).sample(sorted(records), min(replay, len(records)))
    check = Verification(path, spec, seed, chosen)
    try:
        for replayed in play_episodes(spec, chosen, workers=workers, agent_options=options):
            if "error" in replayed:
                task, ep_seed, split = replayed["episode"]
                raise VerifyError(f"{path}: replaying {task} seed {ep_seed} ({split}) with agent {spec!r} failed:"
                                  f" {replayed['error']}")
            key = Episode(replayed["task"], replayed["seed"], replayed["split"])
            if not _same(records[key], replayed):
                check.mismatches.append(f"{key.task} seed {key.seed} ({key.split}): the folder says"
                                        f" {_outcome(records[key])}, the replay gives {_outcome(replayed)}")
    except ValueError as err:  # the agent cannot be loaded here (EvalError is one too)
        if isinstance(err, VerifyError):
            raise
        hint = "" if agent else " (if it has moved, pass --agent with where it is now)"
        raise VerifyError(f"{path}: cannot replay agent {spec!r}: {err}{hint}") from None
    check.mismatches.sort()
    return check
