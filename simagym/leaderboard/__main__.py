"""``python -m simagym.leaderboard``: build the static leaderboard; score recorded human play.

    python -m simagym.leaderboard build RESULTS_DIR... --out SITE_DIR [--suite core-v1] [--skip-invalid]
    python -m simagym.leaderboard verify RESULTS_DIR... --replay K [--seed S] [--agent SPEC]
    python -m simagym.leaderboard human RECORDING_DIR --suite core --out RESULTS_DIR

``build`` verifies every results folder (see :mod:`simagym.leaderboard.results`)
and refuses, with the reasons, any that is incomplete, from another suite
version or content hash, or inconsistent; ``--skip-invalid`` builds from the
others instead of failing; the same folder (or the same episodes) given twice is
refused. ``verify`` re-runs K random episodes of each folder with the agent its
``run.json`` names and refuses any whose success, steps or return differ (see
:mod:`simagym.leaderboard.verify`); ``build --replay K`` does the same first and
marks the rows it verified. ``human`` replays every recorded episode from its
seed to re-score it (a recording's own success flag is not trusted) and writes
a results folder with agent name ``human``, ready for ``build``.
Bad arguments and refused results exit with status 2 and one line per problem.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

from simagym.cli_errors import (configure_logging, fail, non_negative_int, OneLineParser, positive_int,
                                usage_error, UsageError)
from simagym.eval.errors import EvalError

PROG = "python -m simagym.leaderboard"


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog=PROG, description="Build the simagym leaderboard site; score recorded human play.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    build = sub.add_parser("build", help="verify results folders and write the static site")
    build.add_argument("results", nargs="+", type=Path, metavar="RESULTS_DIR")
    build.add_argument("--out", type=Path, required=True, metavar="SITE_DIR")
    build.add_argument("--suite", default=None,
                       help="the suite to rank on (default: the one every results folder names)")
    build.add_argument("--skip-invalid", action="store_true",
                       help="leave refused results out (and say why) instead of failing")
    build.add_argument("--max-videos", type=non_negative_int, default=None, metavar="N",
                       help="at most N rollouts per agent page")
    build.add_argument("--replay", type=positive_int, default=None, metavar="K",
                       help="replay K random episodes of each folder with its agent first (see verify): a folder"
                            " whose replay differs is refused, the others are marked verified")
    build.add_argument("--workers", type=positive_int, default=1, metavar="N", help="processes for --replay")
    verify = sub.add_parser("verify", help="replay random episodes of results folders with their agent")
    verify.add_argument("results", nargs="+", type=Path, metavar="RESULTS_DIR")
    verify.add_argument("--replay", type=positive_int, required=True, metavar="K",
                        help="how many episodes of each folder to re-run (drawn at random)")
    verify.add_argument("--seed", type=non_negative_int, default=None,
                        help="draw the episodes with this seed (default: a fresh random one, printed)")
    verify.add_argument("--agent", default=None,
                        help="the agent to replay with, if not where run.json says (e.g. a run folder that moved)")
    verify.add_argument("--workers", type=positive_int, default=1, metavar="N", help="processes (default: 1)")
    human = sub.add_parser("human", help="score a folder of recorded human play into a results folder")
    human.add_argument("recording", type=Path, metavar="RECORDING_DIR")
    human.add_argument("--suite", default="core", help="the suite the episodes were played from (default: core)")
    human.add_argument("--out", type=Path, required=True, metavar="RESULTS_DIR")
    human.add_argument("--name", default="human", help="the row's name (default: human)")
    human.add_argument("--description", default="people playing through simagym.play", help="the row's description")
    human.add_argument("--videos", type=non_negative_int, default=3, metavar="N",
                       help="GIFs of the first N recorded episodes per task (default: 3; 0 for none)")
    return parser


def _suite_of(results: Sequence[Path]):
    """The one suite the results name: bundled, or rebuilt from the definition their run.json records."""
    from simagym.eval.suite import SuiteError, load_suite
    from simagym.leaderboard.verify import VerifyError, suite_of

    labels: dict[str, Path] = {}
    for path in results:
        try:
            run = json.loads((path / "run.json").read_text(encoding="utf-8"))
            labels.setdefault(f"{run['suite_name']}-v{run['suite_version']}", path)
        except (OSError, ValueError, KeyError, TypeError):
            continue  # refused later, with the reason
    if len(labels) > 1:
        raise EvalError(f"the results are on different suites ({', '.join(sorted(labels))}); choose one with --suite")
    if not labels:
        raise EvalError("no results folder names its suite (no readable run.json); pass --suite")
    label, path = labels.popitem()
    try:
        return load_suite(label)
    except SuiteError:
        try:
            return suite_of(path)
        except VerifyError:
            raise EvalError(f"the results are on suite {label}, which is not bundled; pass its file with"
                            " --suite PATH.yaml") from None


def _same_results(results: Sequence[Path]) -> list[str]:
    """Problems: a folder given twice (by any path), or two folders holding the same episodes."""
    import hashlib

    from simagym.eval.results import read_episodes

    seen: dict[object, Path] = {}
    problems = []
    for path in results:
        try:
            records = sorted(json.dumps(r, sort_keys=True) for r in read_episodes(path))
            keys: list[object] = [path.resolve(), hashlib.sha256("\n".join(records).encode()).hexdigest()]
        except (OSError, EvalError):
            continue  # refused later, with the reason
        for key in keys:
            if key in seen:
                what = "the same folder as" if isinstance(key, Path) else "the same episodes as"
                problems.append(f"{path} is {what} {seen[key]}: each result is ranked once")
                break
            seen[key] = path
    return problems


def _build(args: argparse.Namespace) -> int:
    from simagym.eval.suite import load_suite
    from simagym.leaderboard.results import ResultError, load_result
    from simagym.leaderboard.site import SiteError, write_site

    duplicates = _same_results(args.results)
    if duplicates:
        raise EvalError("; ".join(duplicates))
    suite = load_suite(args.suite) if args.suite else _suite_of(args.results)
    results, refused = [], []
    for path in args.results:
        try:
            result = load_result(path, suite)
            if args.replay:
                _replay(result, args)
            results.append(result)
        except ResultError as err:
            refused.append(err)
    for err in refused:
        sys.stderr.write(f"{PROG}: refused {err.path}:\n" + "".join(f"  - {p}\n" for p in err.problems))
    if refused and not args.skip_invalid:
        return fail(PROG, f"{len(refused)} results folder(s) refused; nothing written "
                          "(--skip-invalid builds from the others)")
    if not results:
        return fail(PROG, "no valid results to rank")
    try:
        data = write_site(results, suite, args.out, max_videos_per_agent=args.max_videos)
    except SiteError as err:
        raise EvalError(str(err)) from None
    for entry in data["results"]:
        where = f"rank {entry['rank']}" if "rank" in entry else "partial"
        overall = entry["overall"]
        rate = "-" if overall is None else f"{100 * overall['success_rate']:.1f}% [{100 * overall['ci_low']:.1f}, {100 * overall['ci_high']:.1f}]"
        # The name is untrusted: repr() keeps control characters out of the terminal.
        print(f"{where:>8}  {entry['name']!r:<30} {rate}")
    print(f"site: {args.out / 'index.html'} (also leaderboard.md, leaderboard.json)")
    return 0


def _replay(result, args: argparse.Namespace) -> None:
    """``build --replay K``: verify ``result`` by replaying; mark it, or refuse it (people are not replayed)."""
    from simagym.leaderboard.results import ResultError
    from simagym.leaderboard.verify import HUMAN_AGENTS, verify_replay

    if result.agent in HUMAN_AGENTS:
        sys.stderr.write(f"{PROG}: {result.path} is human play: not replayed (its recording was re-scored)\n")
        return
    try:
        check = verify_replay(result.path, args.replay, workers=args.workers, result=result)
    except EvalError as err:  # its agent cannot be loaded or played here
        raise ResultError(result.path, [f"cannot replay: {err}"]) from None
    if not check.ok:
        raise ResultError(result.path, [f"replay differs: {m}" for m in check.mismatches])
    result.verified = check.mark()


def _verify(args: argparse.Namespace) -> int:
    from simagym.leaderboard.results import ResultError
    from simagym.leaderboard.verify import verify_replay

    failed = 0
    for path in args.results:
        try:
            check = verify_replay(path, args.replay, seed=args.seed, agent=args.agent, workers=args.workers)
        except EvalError as err:  # inconsistent (ResultError), or not replayable here
            failed += 1
            problems = err.problems if isinstance(err, ResultError) else [str(err)]
            sys.stderr.write(f"{PROG}: refused {path}:\n" + "".join(f"  - {p}\n" for p in problems))
            continue
        if check.ok:
            print(f"verified {path}: {len(check.replayed)} episodes replayed with {check.agent!r} (seed"
                  f" {check.seed}) give the recorded success, steps and return")
        else:
            failed += 1
            sys.stderr.write(f"{PROG}: refused {path}: {len(check.mismatches)} of {len(check.replayed)} replayed"
                             f" episodes differ (seed {check.seed}):\n" + "".join(f"  - {m}\n" for m in check.mismatches))
    if failed:
        return fail(PROG, f"{failed} of {len(args.results)} results folder(s) refused")
    return 0


def _human(args: argparse.Namespace) -> int:
    from simagym.eval.suite import load_suite
    from simagym.recording import score_recording

    suite = load_suite(args.suite)
    summary = score_recording(args.recording, suite, args.out, name=args.name, description=args.description,
                              videos_per_task=args.videos)
    print(f"{summary['episodes']} episodes, {summary['successes']} successes; results: {args.out}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except UsageError as err:
        return usage_error(PROG, err)
    configure_logging()
    from simagym.headless import configure_sdl

    configure_sdl()
    try:
        return {"build": _build, "verify": _verify, "human": _human}[args.command](args)
    except EvalError as err:
        return fail(PROG, err)


if __name__ == "__main__":
    sys.exit(main())
