"""``python -m simagym.eval --agent oracle --suite core --episodes N --workers K --out DIR``.

Runs (or resumes) an evaluation, shows a progress bar, prints the results
table, and writes ``DIR/episodes.jsonl``, ``DIR/run.json``, ``DIR/suite.json``
and ``DIR/summary.json``. ``--tasks PATTERN ...`` evaluates on the tasks matching the patterns instead of a suite
(see :func:`simagym.eval.suite.suite_from_tasks`). ``--backend ray [--address auto]`` plays the episodes as
Ray tasks across a cluster (:mod:`simagym.eval.ray_backend`) with the same results and files. SIGTERM, like
Ctrl-C, leaves a resumable folder with an up-to-date summary. ``--record-videos N`` then saves GIFs of the first N
episodes of every task into ``DIR/videos/`` (see :mod:`simagym.eval.videos`).
Bad arguments exit with status 2 and a one-line message, never a traceback.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import signal
import sys
import threading
from pathlib import Path
from typing import Any, Sequence

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from simagym.cli_errors import configure_logging, fail, OneLineParser, positive_int, usage_error, UsageError
from simagym.eval.errors import EvalError

PROG = "python -m simagym.eval"


def _finite_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text}")
    return value


def _positive_float(text: str) -> float:
    value = _finite_float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a number above 0, got {text}")
    return value


def _folder(text: str) -> Path:
    if not text.strip():
        raise argparse.ArgumentTypeError("expected a folder, got an empty name (it would mean the current folder)")
    return Path(text)


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C: finished episodes stay saved and summary.json is brought up to date."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_terminated(signum: int, _frame: Any) -> None:
    raise Terminated(signum)


def agent_options(args: argparse.Namespace) -> dict[str, Any]:
    """How a trained agent acts (``--deterministic``, ``--cfg``, ``--temperature``); empty when none is given."""
    options: dict[str, Any] = {}
    if args.deterministic:
        options["deterministic"] = True
    if args.cfg is not None:
        options["cfg"] = args.cfg
    if args.temperature is not None:
        options["temperature"] = args.temperature
    if args.teammates != "self":
        options["teammates"] = args.teammates
    return options


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog=PROG, description="Evaluate an agent on a suite of simagym tasks.")
    parser.add_argument("--agent", default="oracle",
                        help="random, oracle, or package.module:ClassName (default: oracle)")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--suite", default=None,
                       help="a bundled suite name (core = its highest version), name-vN, or a path to a suite .yaml (default: core)")
    which.add_argument("--tasks", nargs="+", metavar="PATTERN",
                       help="task ids or patterns (e.g. 'meadow/go-to-*') instead of a suite: the suite tasks-v1 of"
                            " those tasks, seeds 1000-1019, training and held-out phrasings (recorded in the results"
                            " like any suite)")
    parser.add_argument("--episodes", type=positive_int, default=None, metavar="N",
                        help="run only the first N seeds per task per split (default: every seed of the suite)")
    parser.add_argument("--workers", type=positive_int, default=os.cpu_count() or 1, metavar="K",
                        help="worker processes (default: the number of CPUs; --backend ray uses the cluster's)")
    parser.add_argument("--backend", choices=("local", "ray"), default="local",
                        help="local: --workers processes here; ray: Ray tasks across a cluster (see --address)")
    parser.add_argument("--address", default=None, metavar="ADDR",
                        help="with --backend ray: the cluster to join (auto: the one this machine is a node of;"
                             " ray://HOST:10001: as a Ray client); default: $RAY_ADDRESS, else a Ray started here")
    parser.add_argument("--out", type=_folder, default=None, metavar="DIR",
                        help="run folder; re-running with the same folder resumes (default: results/<agent>-<suite>)")
    parser.add_argument("--record-videos", type=positive_int, default=None, metavar="N",
                        help="after the run, save GIFs of N episodes per task into DIR/videos (for the leaderboard)")
    parser.add_argument("--deterministic", action="store_true",
                        help="a trained agent plays its most likely macro (argmax) instead of sampling one")
    parser.add_argument("--cfg", type=_finite_float, default=None, metavar="LAMBDA",
                        help="a trained agent acts on logits(instruction) + LAMBDA * (logits(instruction) -"
                             " logits(blank)): classifier-free guidance on language (default: 0, none)")
    parser.add_argument("--temperature", type=_positive_float, default=None, metavar="T",
                        help="a trained agent samples from softmax(logits / T): below 1 it keeps to its likely macros"
                             " (default: 1, the policy as trained)")
    parser.add_argument("--teammates", choices=("self", "oracle", "random"), default="self",
                        help="team suites: who plays beside the agent - itself in every seat (self-play), or the"
                             " oracle or the random agent in the other seats (default: self)")
    parser.add_argument("--name", default=None, help="the agent's name in results and on the leaderboard (default: its class's)")
    parser.add_argument("--description", default=None, help="a one-line description of the agent (default: its class's)")
    parser.add_argument("--list-suites", action="store_true", help="list the bundled suites (with content hashes) and exit")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar (for logs and CI)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details, including agent tracebacks")
    return parser


def default_out(agent: str, suite: str) -> Path:
    """``results/<agent>-<suite>`` with characters unsafe in folder names replaced."""
    def safe(name: str) -> str:
        name = Path(name).stem if name.endswith((".yaml", ".yml")) else name
        return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")

    return Path("results") / f"{safe(agent)}-{safe(suite)}"


def _list_suites(console: Console) -> None:
    from simagym.eval.suite import available_suites, load_suite

    for name, versions in sorted(available_suites().items()):
        for version in sorted(versions):
            try:
                suite = load_suite(f"{name}-v{version}")
                detail = f"{len(suite.tasks)} tasks, {len(suite.episodes())} episodes, {suite.content_hash}"
            except EvalError as err:
                detail = f"cannot load here: {err}"
            console.print(f"{name}-v{version}: {detail}", highlight=False, soft_wrap=True)


def _run(args: argparse.Namespace, console: Console, err_console: Console) -> int:
    from simagym.eval.results import episode_key
    from simagym.eval.runner import EvalRun
    from simagym.eval.suite import load_suite, suite_from_tasks
    from simagym.eval.summary import render_summary

    suite = suite_from_tasks(args.tasks) if args.tasks else load_suite(args.suite or "core")
    if args.teammates != "self" and not any(hasattr(spec, "roles") for spec in suite.specs):
        raise EvalError(f"--teammates applies to team suites (such as team-v2), not {suite.label}")
    # Each task selection gets its own default folder: tasks-v1 names many suites, told apart by their hash.
    label = f"tasks-{suite.content_hash.removeprefix('sha256:')[:12]}" if args.tasks else args.suite or "core"
    out = args.out or default_out(args.agent, label)
    with EvalRun(args.agent, suite, out, episodes_per_task=args.episodes, workers=args.workers,
                 name=args.name, description=args.description, agent_options=agent_options(args),
                 backend=_backend(args)) as run:
        if run.skipped:
            err_console.print(f"resuming {out}: {run.skipped} of {len(run.episodes)} episodes already finished")
        progress = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[successes]} successes"), TimeElapsedColumn(), TimeRemainingColumn(),
            console=err_console, disable=args.no_progress,
        )
        planned = set(run.episodes)
        successes = sum(bool(r["success"]) for r in run.finished if episode_key(r) in planned)
        with progress:
            bar = progress.add_task(f"{args.agent} on {suite.label}", total=len(run.episodes),
                                    completed=run.skipped, successes=successes)

            def advance(record: dict[str, Any]) -> None:
                nonlocal successes
                successes += bool(record["success"])
                progress.update(bar, advance=1, successes=successes)

            outcome = run.execute(advance)
        if args.record_videos:
            _record_videos(args, run, err_console)
    render_summary(outcome.summary, console)
    console.print(f"results: {out / 'summary.json'}, episodes: {out / 'episodes.jsonl'}")
    if args.record_videos:
        console.print(f"videos: {out / 'videos'}")
    return 0


def _backend(args: argparse.Namespace) -> Any:
    """The ``--backend`` that plays the episodes (None: the runner's local pool of ``--workers``)."""
    if args.backend == "ray":
        from simagym.eval.ray_backend import RayCluster

        return RayCluster(args.address)
    if args.address is not None:
        raise EvalError("--address applies to --backend ray; add --backend ray or leave out --address")
    return None


def _record_videos(args: argparse.Namespace, run: Any, err_console: Console) -> None:
    from simagym.eval.videos import pick_episodes, record_videos

    chosen = pick_episodes(run.episodes, args.record_videos)
    progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=err_console, disable=args.no_progress)
    with progress:
        bar = progress.add_task("recording videos", total=len(chosen))
        record_videos(args.agent, chosen, run.out_dir, workers=args.workers, agent_options=run.agent_options,
                      on_video=lambda _: progress.update(bar, advance=1))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status (0 ok, 2 bad arguments or run error, 130 interrupted)."""
    try:
        args = build_parser().parse_args(argv)
    except UsageError as err:
        return usage_error(PROG, err)
    configure_logging(args.verbose)
    console, err_console = Console(), Console(stderr=True)
    if args.list_suites:
        _list_suites(console)
        return 0
    in_main_thread = threading.current_thread() is threading.main_thread()  # only it may set handlers
    previous = signal.signal(signal.SIGTERM, _raise_terminated) if in_main_thread else None
    try:
        return _run(args, console, err_console)
    except EvalError as err:
        return fail(PROG, err)
    except KeyboardInterrupt as err:
        how = "terminated" if isinstance(err, Terminated) else "interrupted"
        sys.stderr.write(f"{PROG}: {how}; finished episodes and summary.json are saved, re-run the same command"
                         " to resume\n")
        return 128 + err.signum if isinstance(err, Terminated) else 130
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
