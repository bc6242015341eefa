"""The ``simagym`` command: list the task catalogue, look at a task's first frame, audit it.

    simagym list [--world W] [--category C] [--stats] [--all]
    simagym show TASK_ID [--seed S] [--out FILE.png] [--phrasing train|heldout] [--resolution N]
    simagym audit [--suite S | --tasks PATTERN ...] [--seeds N]   (see simagym.eval.audit_cli)

Bad arguments exit with status 2 and a one-line message, never a traceback.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from collections import defaultdict
from pathlib import Path
from typing import Sequence

from simagym import headless

# Before anything below can initialise pygame (rendering the banner uses its fonts).
headless.configure_sdl()

import numpy as np  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

import simagym  # noqa: E402
from simagym.cli_errors import OneLineParser, UsageError, fail, non_negative_int  # noqa: E402
from simagym.registry import UnknownTaskError, catalogue  # noqa: E402
from simagym.spec import Category, Split, TaskSpec  # noqa: E402

PROG = "simagym"


def _console() -> Console:
    # Piped output (tests, grep) gets no terminal width; a wide virtual one keeps ids whole.
    probe = Console()
    return probe if probe.is_terminal else Console(width=240)


def _err_console() -> Console:
    return Console(stderr=True, soft_wrap=True)


def _suggest(value: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(value, list(choices), n=2, cutoff=0.5)
    return f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


def _installed_worlds() -> list[str]:
    # A world with tasks but no loadable world class is still a world users can filter on.
    return sorted(set(catalogue().worlds) | {spec.world for spec in simagym.list_tasks()})


# ---------------------------------------------------------------------------- list
def _validated_filters(world: str | None, category: str | None) -> tuple[str | None, str | None]:
    if world is not None:
        worlds = _installed_worlds()
        if world not in worlds:
            raise UsageError(
                f"unknown world {world!r}; installed worlds: {', '.join(worlds) or 'none'}.{_suggest(world, worlds)}"
            )
    if category is not None:
        names = [c.value for c in Category]
        if category not in names:
            raise UsageError(f"unknown category {category!r}; categories: {', '.join(names)}.{_suggest(category, names)}")
    return world, category


def _task_table(specs: list[TaskSpec]) -> Table:
    table = Table(title=f"simagym tasks ({len(specs)})", title_justify="left")
    table.add_column("id", no_wrap=True, style="bold")
    table.add_column("world")
    table.add_column("category")
    table.add_column("tags")
    table.add_column("instances", justify="right")
    table.add_column("max_steps", justify="right")
    for spec in specs:
        table.add_row(
            spec.id, spec.world, spec.category.value, ", ".join(spec.tags), f"{spec.instances:,}", str(spec.max_steps)
        )
    return table


def _stats_table(specs: list[TaskSpec]) -> Table:
    groups: dict[tuple[str, str], list[TaskSpec]] = defaultdict(list)
    for spec in specs:
        groups[(spec.world, spec.category.value)].append(spec)
    table = Table(title="simagym catalogue by world and category", title_justify="left", show_footer=True)
    table.add_column("world", footer="all")
    table.add_column("category", footer="")
    table.add_column("templates", justify="right", footer=str(len(specs)))
    table.add_column("instances", justify="right", footer=f"{sum(s.instances for s in specs):,}")
    for (world, category), group in sorted(groups.items()):
        table.add_row(world, category, str(len(group)), f"{sum(s.instances for s in group):,}")
    return table


def _suites_table() -> Table:
    """Every bundled suite with its floor: the chance level and the random agent's success."""
    from simagym.eval import baselines
    from simagym.eval.suite import SuiteError, available_suites, load_suite

    table = Table(title="bundled suites and their floor (read every score against these)", title_justify="left")
    for col in ("suite", "tasks", "episodes", "chance", "random agent"):
        table.add_column(col, justify="left" if col == "suite" else "right")
    for name, versions in sorted(available_suites().items()):
        for version in sorted(versions):
            try:
                suite = load_suite(f"{name}-v{version}")
            except SuiteError as err:  # a bundled task missing (a broken install): say so, list the rest
                table.add_row(f"{name}-v{version}", "-", "-", "-", f"cannot load: {err}")
                continue
            floor = baselines.load(suite)
            chance, rand = ("-", "-") if floor is None else (
                f"{100 * floor['overall']['chance']:.1f}%", f"{100 * floor['overall']['random']:.1f}%")
            table.add_row(suite.label, str(len(suite.tasks)), f"{len(suite.episodes()):,}", chance, rand)
    return table


def cmd_list(args: argparse.Namespace) -> int:
    world, category = _validated_filters(args.world, args.category)
    specs = simagym.list_tasks(world=world, category=category, superseded_too=args.all)
    console = _console()
    if not specs:
        console.print("no tasks match" if (world or category) else "no tasks installed")
        return 0
    console.print(_stats_table(specs) if args.stats else _task_table(specs))
    if args.stats and not (world or category):
        console.print(_suites_table())
    return 0


# ---------------------------------------------------------------------------- show
def _agent_view(pixels: np.ndarray, text: str) -> np.ndarray:
    """The agent's observation scaled up (nearest neighbour, so its pixels stay visible), with the banner."""
    from simagym import display
    from simagym.env import RENDER_SIZE

    scale = max(1, RENDER_SIZE // max(pixels.shape[:2]))
    big = np.repeat(np.repeat(pixels, scale, axis=0), scale, axis=1)
    return display.annotate(np.ascontiguousarray(big), text)


def cmd_show(args: argparse.Namespace) -> int:
    from PIL import Image

    task_id = simagym.task_id_of(args.task_id)
    kwargs: dict[str, object] = {"phrasing": args.phrasing, "render_mode": "rgb_array"}
    if args.resolution is not None:
        kwargs["resolution"] = args.resolution
    try:
        env = simagym.make(task_id, **kwargs)
    except UnknownTaskError as err:
        raise UsageError(str(err)) from None
    except ValueError as err:  # resolution or phrasing out of range: the env says which
        raise UsageError(str(err)) from None
    try:
        obs, _ = env.reset(seed=args.seed)
        if args.resolution is None:
            frame = env.render()
        else:
            frame = _agent_view(obs["pixels"], obs["instruction"])
    finally:
        env.close()
    seed_part = f"-seed{args.seed}" if args.seed is not None else ""
    out = Path(args.out) if args.out else Path(f"{task_id.replace('/', '_')}{seed_part}.png")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.asarray(frame, dtype=np.uint8)).save(out, format="PNG")
    except OSError as err:
        raise UsageError(f"cannot write {str(out)!r}: {err.strerror or err}") from None
    # Plain print: the path is the command's output, meant to be captured by scripts.
    sys.stdout.write(f"{out}\n")
    return 0


# ---------------------------------------------------------------------------- main
def _resolution(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"resolution must be a whole number of pixels, got {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog=PROG, description="A gym for instructable game agents: pixels and language in, keyboard and mouse out.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {simagym.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    sub.required = True

    p_list = sub.add_parser("list", help="list the installed tasks")
    p_list.add_argument("--world", help="only tasks of this world")
    p_list.add_argument("--category", help=f"only tasks of this category ({', '.join(c.value for c in Category)})")
    p_list.add_argument("--stats", action="store_true", help="count templates and slot instances per world and category")
    p_list.add_argument("--all", action="store_true", help="include superseded task versions (published suites still run them)")
    p_list.set_defaults(func=cmd_list)

    p_show = sub.add_parser("show", help="write a PNG of a task's first frame with its instruction")
    p_show.add_argument("task_id", metavar="TASK_ID", help="e.g. meadow/go-to-house-v1")
    p_show.add_argument("--seed", type=non_negative_int, default=0, help="reset seed (default 0)")
    p_show.add_argument("--out", metavar="FILE.png", help="where to write (default <world>_<task>-seed<S>.png here)")
    p_show.add_argument(
        "--phrasing", choices=[s.value for s in Split], default=Split.TRAIN.value, help="instruction phrasing split"
    )
    p_show.add_argument(
        "--resolution", type=_resolution, metavar="N",
        help="show the agent's own NxN observation (scaled up) instead of the larger render view",
    )
    p_show.set_defaults(func=cmd_show)

    from simagym.eval.audit_cli import add_parser as add_audit

    add_audit(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs a command; returns its exit status. A bad argument raises ``SystemExit(2)`` after
    one line on stderr."""
    try:
        args = build_parser().parse_args(argv)
    except UsageError as err:
        raise SystemExit(fail(err.prog, f"{err} (see `{err.prog} --help`)")) from None
    try:
        return int(args.func(args))
    except UsageError as err:
        raise SystemExit(fail(f"{PROG} {args.command}", err)) from None
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
