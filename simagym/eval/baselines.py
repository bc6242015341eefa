"""A suite's floor: its chance level and the random agent's success, computed once and
shipped beside the suite so every score can be read against them.

``python -m simagym.eval.baselines SUITE [--workers K] [--out DIR]`` plays every
episode of the suite (the same tasks, seeds and splits an evaluation plays) with
the random agent - exactly as ``python -m simagym.eval --agent random`` would,
but without drawing pixels, which it never looks at - and counts each episode's
plausible goals (see :mod:`simagym.eval.audit` for chance; a team suite's, the whole team's). It writes
``<suite label>.baselines.json``, pinned to the suite's content hash; bundled
suites ship theirs in ``simagym.tasks.suites``. The leaderboard and
``simagym list --stats`` show them beside the scores.
"""

from __future__ import annotations

import importlib.resources
import json
import os
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from simagym.eval.suite import SUITES_PACKAGE, Episode, Suite, env_options, load_suite
from simagym.workers import worker_pool

SUFFIX = ".baselines.json"


def play_random(episodes: Sequence[Episode]) -> list[tuple[float, bool]]:
    """(chance, random agent's success) per episode; runs in a worker."""
    import simagym
    from simagym.eval import blind
    from simagym.judge import alternatives
    from simagym.macros import DiscreteActions

    from simagym.multi.registry import is_team_task

    envs: dict[tuple[str, str], Any] = {}
    out = []
    for ep in episodes:
        if is_team_task(ep.task):
            out.append(_play_random_team(ep, envs))
            continue
        env = envs.get((ep.task, ep.split))
        if env is None:
            env = envs[(ep.task, ep.split)] = DiscreteActions(simagym.make(ep.task, **env_options(ep.split)))
        env.reset(seed=ep.seed)
        unwrapped = env.unwrapped
        chance = 1.0 / (1 + len(alternatives(unwrapped.instruction, unwrapped.world)))
        # The random agent of an evaluation is seeded with the episode's seed: the same macros here.
        out.append((chance, blind.play(env, blind.random_policy(ep.seed))))
    for env in envs.values():
        env.close()
    return out


def _play_random_team(ep: Episode, envs: dict[tuple[str, str], Any]) -> tuple[float, bool]:
    """A team episode: the team's chance (:func:`simagym.eval.team_audit.alternatives`), and the random agent in
    every seat, seeded as an evaluation seeds it (``seed * 8 + seat``)."""
    from simagym.eval import blind
    from simagym.eval.team_audit import alternatives, play
    from simagym.multi import DiscreteActions, parallel_env

    env = envs.get((ep.task, ep.split))
    if env is None:
        env = envs[(ep.task, ep.split)] = DiscreteActions(parallel_env(ep.task, phrasing=env_options(ep.split)["phrasing"]))
    env.reset(seed=ep.seed)
    raw = env.unwrapped
    chance = 1.0 / (1 + alternatives(raw))
    return chance, play(env, [blind.random_policy(ep.seed * 8 + seat) for seat in range(raw.task.players)])


def compute(suite: Suite, workers: int = 1) -> dict[str, Any]:
    """The baselines of ``suite``: chance and random, overall, per world, category, split and task."""
    episodes = suite.episodes()
    chunks = [episodes[i:i + 64] for i in range(0, len(episodes), 64)]
    if workers <= 1:
        results = [r for chunk in chunks for r in play_random(chunk)]
    else:
        with worker_pool(workers) as pool:
            results = [r for part in pool.map(play_random, chunks) for r in part]
    strata: dict[tuple[str, str], list[tuple[float, bool]]] = defaultdict(list)
    for ep, r in zip(episodes, results):
        strata[(ep.task, ep.split)].append(r)

    def group(key) -> dict[str, dict[str, float]]:
        """Means over (task, split) strata, as the leaderboard's scores are."""
        buckets: dict[str, list[tuple[float, float]]] = defaultdict(list)
        for (task, split), rows in strata.items():
            name = key(task, split)
            buckets[name].append((float(np.mean([c for c, _ in rows])), float(np.mean([s for _, s in rows]))))
        return {name: {"chance": float(np.mean([c for c, _ in v])), "random": float(np.mean([s for _, s in v]))}
                for name, v in sorted(buckets.items())}

    return {
        "suite": suite.label, "content_hash": suite.content_hash, "episodes": len(episodes),
        "overall": group(lambda t, s: "all")["all"],
        "by_world": group(lambda t, s: suite.world_of(t)),
        "by_category": group(lambda t, s: suite.spec(t).category.value if suite.spec(t) else "?"),
        "by_split": group(lambda t, s: s),
        "by_task": group(lambda t, s: t),
    }


def load(suite: Suite) -> dict[str, Any] | None:
    """The suite's shipped baselines, or None when there are none for exactly this content."""
    name = suite.label + SUFFIX
    try:
        if suite.source.startswith(SUITES_PACKAGE):
            text = importlib.resources.files(SUITES_PACKAGE).joinpath(name).read_text(encoding="utf-8")
        else:
            text = (Path(suite.source).parent / name).read_text(encoding="utf-8")
        data = json.loads(text)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("content_hash") == suite.content_hash else None


def main(argv: Sequence[str] | None = None) -> int:
    from simagym.cli_errors import OneLineParser, UsageError, fail, positive_int
    from simagym.eval.errors import EvalError

    prog = "python -m simagym.eval.baselines"
    parser = OneLineParser(prog=prog, description="Compute a suite's chance level and random-agent success.")
    parser.add_argument("suite", help="a bundled suite name or a path to a suite .yaml")
    parser.add_argument("--workers", type=positive_int, default=os.cpu_count() or 1, metavar="K")
    parser.add_argument("--out", type=Path, default=None, metavar="DIR",
                        help="where to write <label>.baselines.json (default: beside a suite file, else here)")
    try:
        args = parser.parse_args(argv)
        suite = load_suite(args.suite)
    except UsageError as err:
        return fail(prog, err)
    except EvalError as err:
        return fail(prog, err)
    data = compute(suite, args.workers)
    folder = args.out or (Path(suite.source).parent if not suite.source.startswith(SUITES_PACKAGE) else Path("."))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (suite.label + SUFFIX)
    tmp = path.with_name("." + path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    o = data["overall"]
    sys.stdout.write(f"{suite.label}: chance {100 * o['chance']:.1f}%, random {100 * o['random']:.1f}% over"
                     f" {data['episodes']} episodes -> {path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
