"""Steps per second of every simagym world next to BabyAI, measured in the same run.

    python bench/throughput.py [--seconds 5] [--warmup 1] [--resolutions 64 128] [--profile [WORLD]]
                               [--markdown bench/results/throughput.md]

One representative task per world (the first of its tasks, found through
``simagym.list_tasks()``) is stepped in a single process with uniformly random
macros through :class:`simagym.macros.DiscreteActions`, resetting whenever an
episode ends, for a fixed wall time after a warm-up. Minigrid's
``BabyAI-GoToLocal-v0`` with ``RGBImgPartialObsWrapper`` + ``ImgObsWrapper`` is
measured the same way at the nearest size its 7x7-tile view allows
(``tile_size = resolution // 7``), and the ratio column is world / BabyAI.
Action indices are drawn up front from a fixed-seed numpy generator so the
loop measures the environment, not the sampler.
"""

from __future__ import annotations

import os

# Before pygame (imported by worlds and wrappers) can initialise.
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import argparse  # noqa: E402
import contextlib  # noqa: E402
import cProfile  # noqa: E402
import io  # noqa: E402
import platform  # noqa: E402
import pstats  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import datetime  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Callable, Iterator  # noqa: E402

import gymnasium as gym  # noqa: E402
import numpy as np  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

try:
    import simagym
    from simagym.macros import DiscreteActions
except ImportError as err:  # a clean checkout must be installed (pip install -e .) first
    raise SystemExit(f"cannot import simagym ({err}); install the project first: pip install -e '.[dev]'") from None

BABYAI_ID = "BabyAI-GoToLocal-v0"
BABYAI_VIEW_TILES = 7  # BabyAI's agent sees a 7x7-cell window
ACTION_SEED = 12345
ENV_SEED = 0
N_ACTIONS = 1 << 16
CHECK_EVERY = 64  # read the clock once per this many steps, so timing costs ~nothing


@dataclass(frozen=True)
class Result:
    name: str
    task: str
    shape: tuple[int, ...]
    steps: int
    episodes: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.steps / self.seconds


def run_loop(env: gym.Env, actions: np.ndarray, seconds: float) -> tuple[int, int, float]:
    """Step ``env`` with ``actions`` (cycled) for ``seconds``; reset at every episode end.

    Returns (steps, finished episodes, elapsed seconds).
    """
    step, reset = env.step, env.reset
    n_actions = len(actions)
    steps = episodes = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(CHECK_EVERY):
            _, _, terminated, truncated, _ = step(actions[steps % n_actions])
            steps += 1
            if terminated or truncated:
                episodes += 1
                reset()
        now = time.perf_counter()
        if now >= deadline:
            return steps, episodes, now - start


def measure(name: str, task: str, make: Callable[[], gym.Env], seconds: float, warmup: float) -> Result:
    env = make()
    try:
        obs, _ = env.reset(seed=ENV_SEED)
        env.action_space.seed(ACTION_SEED)
        # Python ints: env.step on a numpy scalar takes a slower path in some wrappers.
        actions = np.random.default_rng(ACTION_SEED).integers(env.action_space.n, size=N_ACTIONS).tolist()
        run_loop(env, actions, warmup)
        steps, episodes, elapsed = run_loop(env, actions, seconds)
    finally:
        env.close()
    pixels = obs["pixels"] if isinstance(obs, dict) else obs
    return Result(name, task, tuple(pixels.shape), steps, episodes, elapsed)


def representative_tasks(only: list[str] | None, overrides: list[str] | None = None) -> dict[str, str]:
    """World name -> one task id: ``overrides`` where given, else the world's first navigation task
    (the plainest movement loop), else its first task."""
    chosen: dict[str, str] = {}
    for task_id in overrides or []:
        chosen[simagym.get_task(task_id).world] = task_id
    specs = sorted(simagym.list_tasks(), key=lambda s: (s.world, s.category.value != "navigation", s.id))
    for spec in specs:
        if spec.world not in chosen and (not only or spec.world in only):
            chosen[spec.world] = spec.id
    return chosen


def make_simagym(task_id: str, resolution: int) -> Callable[[], gym.Env]:
    return lambda: DiscreteActions(simagym.make(task_id, resolution=resolution))


def make_babyai(tile_size: int) -> Callable[[], gym.Env]:
    def make() -> gym.Env:
        import minigrid  # noqa: F401 - registers the BabyAI ids
        from minigrid.wrappers import ImgObsWrapper, RGBImgPartialObsWrapper

        return ImgObsWrapper(RGBImgPartialObsWrapper(gym.make(BABYAI_ID), tile_size=tile_size))

    return make


@contextlib.contextmanager
def quiet_stdout() -> Iterator[None]:
    # BabyAI's level generator prints "Sampling rejected ..." on every retry.
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        yield


def profile(task_id: str, resolution: int, seconds: float, console: Console) -> None:
    env = make_simagym(task_id, resolution)()
    env.reset(seed=ENV_SEED)
    actions = np.random.default_rng(ACTION_SEED).integers(env.action_space.n, size=N_ACTIONS).tolist()
    run_loop(env, actions, min(seconds, 1.0))
    profiler = cProfile.Profile()
    profiler.enable()
    steps, episodes, elapsed = run_loop(env, actions, seconds)
    profiler.disable()
    env.close()
    console.print(
        f"\n[bold]cProfile[/] {task_id} at {resolution}x{resolution}: {steps} steps, {episodes} episodes "
        f"in {elapsed:.1f} s under the profiler ({elapsed / steps * 1e6:.1f} µs/step profiled); top 15 by cumulative time:"
    )
    buffer = io.StringIO()
    pstats.Stats(profiler, stream=buffer).strip_dirs().sort_stats("cumulative").print_stats(15)
    console.print(buffer.getvalue(), markup=False, highlight=False, soft_wrap=True)


def write_markdown(path: Path, header: list[str], rows: list[tuple[str, ...]], seconds: float, versions: str,
                   load: tuple[float, float]) -> None:
    """The table as markdown, with when, where and how loaded the machine was."""
    stamp = datetime.now().strftime("%Y-%m-%d %H:%M")
    lines = [
        "# Throughput: `python bench/throughput.py`", "",
        f"Measured {stamp} on {platform.machine()}; {versions}. Single process, uniformly random macros,"
        f" auto-reset, {seconds:g} s per entry; the ratio is against BabyAI measured in the same run at the nearest"
        f" size its 7x7-tile view allows. Load average {load[0]:.1f} before, {load[1]:.1f} after (1-minute): the machine is shared,"
        " so compare ratios, not absolute rates.", "",
        "| " + " | ".join(header) + " |", "|" + "---|" * len(header),
        *("| " + " | ".join(row) + " |" for row in rows), "",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="measured wall time per entry (default 5)")
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured warm-up per entry (default 1)")
    parser.add_argument("--resolutions", type=int, nargs="+", default=[64, 128], metavar="N")
    parser.add_argument("--worlds", nargs="+", metavar="WORLD", help="only these worlds (default: all installed)")
    parser.add_argument("--task", action="append", metavar="TASK_ID", help="measure this task for its world (repeatable)")
    parser.add_argument("--no-babyai", action="store_true", help="skip the BabyAI reference")
    parser.add_argument("--markdown", metavar="PATH", help="also write the table as markdown (e.g. bench/results/throughput.md)")
    parser.add_argument(
        "--profile", nargs="?", const="", metavar="WORLD",
        help="also cProfile one world (default the first) at the first resolution",
    )
    args = parser.parse_args(argv)
    console = Console()
    if not console.is_terminal:  # piped into a file or a log: keep rows whole instead of 80 columns
        console = Console(width=200)

    try:
        tasks = representative_tasks(args.worlds, args.task)
    except KeyError as err:  # simagym's UnknownTaskError, with its suggestion
        parser.error(str(err))
    if not tasks:
        console.print("[red]no simagym tasks installed[/]; nothing to measure")
        return 1

    babyai_ok = not args.no_babyai
    if babyai_ok:
        try:
            import minigrid  # noqa: F401
        except ImportError:
            console.print("[yellow]warning:[/] minigrid is not installed (pip install -e '.[dev]'); no BabyAI reference")
            babyai_ok = False

    table = Table(
        title=f"steps/s, single process, random macros, auto-reset, {args.seconds:g} s each",
        title_justify="left",
    )
    columns = (("env", "left"), ("task", "left"), ("obs", "left"), ("steps/s", "right"),
               ("µs/step", "right"), ("episodes", "right"), ("ratio vs BabyAI", "right"))
    for col, justify in columns:
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    rows: list[tuple[str, ...]] = []

    def add_row(*cells: str) -> None:
        table.add_row(*cells)
        rows.append(cells)

    load_before = os.getloadavg()[0]

    with console.status("measuring...") as status:
        for resolution in args.resolutions:
            reference: Result | None = None
            if babyai_ok:
                tile = max(1, resolution // BABYAI_VIEW_TILES)
                status.update(f"BabyAI at tile size {tile}...")
                with quiet_stdout():
                    reference = measure("BabyAI", BABYAI_ID, make_babyai(tile), args.seconds, args.warmup)
                add_row(
                    reference.name, reference.task, "x".join(map(str, reference.shape)), f"{reference.rate:,.0f}",
                    f"{1e6 / reference.rate:,.0f}", str(reference.episodes), "1.0",
                )
            for world, task_id in tasks.items():
                status.update(f"{task_id} at {resolution}x{resolution}...")
                result = measure(world, task_id, make_simagym(task_id, resolution), args.seconds, args.warmup)
                ratio = f"{result.rate / reference.rate:.1f}" if reference else "-"
                add_row(
                    result.name, result.task, "x".join(map(str, result.shape)), f"{result.rate:,.0f}",
                    f"{1e6 / result.rate:,.0f}", str(result.episodes), ratio,
                )
            table.add_section()

    console.print(table)
    versions = (f"python {platform.python_version()}, numpy {np.__version__}, gymnasium {gym.__version__}, "
                f"{os.cpu_count()} cpus; action seed {ACTION_SEED}, env seed {ENV_SEED}")
    console.print(versions, highlight=False)
    if args.markdown:
        write_markdown(Path(args.markdown), [c for c, _ in columns], rows, args.seconds, versions,
                       (load_before, os.getloadavg()[0]))
        console.print(f"wrote {args.markdown}")

    if args.profile is not None:
        world = args.profile or next(iter(tasks))
        if world not in tasks:
            console.print(f"[red]cannot profile[/] unknown world {world!r}; measured worlds: {', '.join(tasks)}")
            return 2
        profile(tasks[world], args.resolutions[0], args.seconds, console)
    return 0


if __name__ == "__main__":
    sys.exit(main())
