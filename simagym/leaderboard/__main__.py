"""``python -m simagym.leaderboard``: build the static leaderboard; score recorded human play.

    python -m simagym.leaderboard build RESULTS_DIR... --out SITE_DIR [--suite core-v1] [--skip-invalid]
    python -m simagym.leaderboard human RECORDING_DIR --suite core --out RESULTS_DIR

``build`` verifies every results folder (see :mod:`simagym.leaderboard.results`)
and refuses, with the reasons, any that is incomplete, from another suite
version or content hash, or inconsistent; ``--skip-invalid`` builds from the
others instead of failing. ``human`` replays every recorded episode from its
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

from simagym.cli_errors import configure_logging, fail, OneLineParser, usage_error, UsageError
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
    build.add_argument("--max-videos", type=int, default=None, metavar="N", help="at most N rollouts per agent page")
    human = sub.add_parser("human", help="score a folder of recorded human play into a results folder")
    human.add_argument("recording", type=Path, metavar="RECORDING_DIR")
    human.add_argument("--suite", default="core", help="the suite the episodes were played from (default: core)")
    human.add_argument("--out", type=Path, required=True, metavar="RESULTS_DIR")
    human.add_argument("--name", default="human", help="the row's name (default: human)")
    human.add_argument("--description", default="people playing through simagym.play", help="the row's description")
    human.add_argument("--videos", type=int, default=3, metavar="N",
                       help="GIFs of the first N recorded episodes per task (default: 3; 0 for none)")
    return parser


def _suite_of(results: Sequence[Path]) -> str:
    labels = set()
    for path in results:
        try:
            run = json.loads((path / "run.json").read_text(encoding="utf-8"))
            labels.add(f"{run['suite_name']}-v{run['suite_version']}")
        except (OSError, ValueError, KeyError, TypeError):
            continue  # refused later, with the reason
    if len(labels) > 1:
        raise EvalError(f"the results are on different suites ({', '.join(sorted(labels))}); choose one with --suite")
    if not labels:
        raise EvalError("no results folder names its suite (no readable run.json); pass --suite")
    return labels.pop()


def _build(args: argparse.Namespace) -> int:
    from simagym.eval.suite import SuiteError, load_suite
    from simagym.leaderboard.results import ResultError, load_result
    from simagym.leaderboard.site import SiteError, write_site

    if args.suite:
        suite = load_suite(args.suite)
    else:
        label = _suite_of(args.results)
        try:
            suite = load_suite(label)
        except SuiteError:
            raise EvalError(f"the results are on suite {label}, which is not bundled; pass its file with --suite PATH.yaml") from None
    results, refused = [], []
    for path in args.results:
        try:
            results.append(load_result(path, suite))
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
        return _build(args) if args.command == "build" else _human(args)
    except EvalError as err:
        return fail(PROG, err)


if __name__ == "__main__":
    sys.exit(main())
