"""``simagym audit``: the language-blindness audit from the command line.

    simagym audit [--suite SUITE | --tasks PATTERN ...] [--seeds N] [--workers K] [--out DIR]

Team templates (``--suite team``) are played by the whole team (:mod:`simagym.eval.team_audit`).
Prints the per-world and per-category summary and every flagged template, and
writes ``DIR/audit.md`` and ``DIR/audit.json`` (``DIR/audit.jsonl`` as it goes:
a re-run with the same settings resumes). ``--fail-on-flag`` exits 1 when any
template is flagged, for a plugin's CI.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from simagym.cli_errors import UsageError, positive_int

#: Audit seeds start here: far from evaluation seeds (1000+) and training seeds.
SEED_START = 50_000


def add_parser(sub) -> None:
    p = sub.add_parser("audit", help="measure how much a language-blind agent passes, per template")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--suite", help="audit a suite's tasks (a bundled name or a .yaml path)")
    which.add_argument("--tasks", nargs="+", metavar="PATTERN", help="task ids or patterns (default: every latest task and every team template)")
    p.add_argument("--seeds", type=positive_int, default=50, metavar="N", help="layouts per template (default 50)")
    p.add_argument("--workers", type=positive_int, default=os.cpu_count() or 1, metavar="K", help="worker processes")
    p.add_argument("--margin", type=float, default=0.10, help="flag when blind ceiling > chance + margin (default 0.10)")
    p.add_argument("--out", type=Path, default=None, metavar="DIR", help="output folder (default results/audit-<what>)")
    p.add_argument("--fail-on-flag", action="store_true", help="exit 1 when any template is flagged")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_audit)


def cmd_audit(args: argparse.Namespace) -> int:
    from simagym.eval.audit import run_audit, resolve_tasks
    from simagym.eval.errors import EvalError

    if not 0 <= args.margin < 1:
        raise UsageError(f"--margin must be in [0, 1), got {args.margin}")
    try:
        tasks = resolve_tasks(args.suite, args.tasks)
    except EvalError as err:
        raise UsageError(str(err)) from None
    what = args.suite or ("all" if not args.tasks else "-".join(args.tasks))
    out = args.out or Path("results") / ("audit-" + re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(what).stem).strip("_"))
    seeds = list(range(SEED_START, SEED_START + args.seeds))
    console = Console(stderr=True)
    progress = Progress(TextColumn("[bold]audit"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[last]}"),
                        TimeElapsedColumn(), console=console, disable=args.no_progress)
    with progress:
        bar = progress.add_task("audit", total=len(tasks), last="")
        audit = run_audit(tasks, seeds, workers=args.workers, out=out, margin=args.margin,
                          on_row=lambda row: progress.update(bar, advance=1, last=row.task))
    audit.write(out, title=f"Language-blindness audit: {what}")
    _print(audit, Console(width=None if sys.stdout.isatty() else 200))  # piped: keep ids whole
    Console(stderr=True).print(f"wrote {out / 'audit.md'} and {out / 'audit.json'}")
    return 1 if args.fail_on_flag and audit.flagged else 0


def _print(audit, console: Console) -> None:
    pct = lambda x: "-" if x is None else f"{100 * x:.0f}%"  # noqa: E731
    table = Table(title=f"language-blindness audit ({len(audit.seeds)} seeds per template)")
    for col in ("group", "templates", "chance", "random", "blind ceiling", "oracle", "flagged"):
        table.add_column(col, justify="left" if col == "group" else "right")
    for key, g in audit.groups().items():
        table.add_row(key, str(g["templates"]), pct(g["chance"]), pct(g["random"]), pct(g["blind_ceiling"]),
                      pct(g["oracle"]), str(g["flagged"]))
    console.print(table)
    for row in audit.flagged:
        best, ceiling = row.ceiling
        console.print(f"flagged: {row.task}: {best} passes {pct(ceiling)} (chance {pct(row.chance)})")
