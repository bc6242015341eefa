"""``python -m simagym.testing WORLD`` (or ``--tasks PATTERN``): the plugin kit from the shell.
Prints each check as it passes or fails; exits 1 if any failed, listing every problem."""

from __future__ import annotations

import argparse
import sys

from simagym.testing.kit import cases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simagym.testing", description=__doc__.splitlines()[0])
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("world", nargs="?", help="a world: its class and every task it has")
    target.add_argument("--tasks", metavar="PATTERN", help="task ids or a glob such as 'orchard/pick-*'")
    parser.add_argument("--seeds", type=int, default=20, metavar="N", help="oracle seeds per task (default: 20)")
    args = parser.parse_args(argv)
    if args.seeds < 1:
        parser.error(f"--seeds must be at least 1, got {args.seeds}")
    problems: list[str] = []
    for case in cases(args.world, args.tasks, range(args.seeds)):
        found = case.run()
        print(f"{'FAIL' if found else 'ok  '} {case.id}", flush=True)
        problems += found
    if problems:
        print(f"\n{len(problems)} problem(s):", *problems, sep="\n", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
