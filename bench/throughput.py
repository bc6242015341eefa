"""Steps per second of every simagym world next to BabyAI, measured in the same run.

    python bench/throughput.py [--seconds 5] [--warmup 1] [--resolutions 64 128] [--profile [WORLD]]
                               [--vector 16] [--rounds 3] [--markdown bench/results/throughput.md]

One representative task per world (the first of its tasks, found through
``simagym.list_tasks()``) is stepped in a single process with uniformly random
macros through :class:`simagym.macros.DiscreteActions`, resetting whenever an
episode ends, for a fixed wall time after a warm-up. Minigrid's
``BabyAI-GoToLocal-v0`` with ``RGBImgPartialObsWrapper`` + ``ImgObsWrapper`` is
measured the same way at the nearest size its 7x7-tile view allows
(``tile_size = resolution // 7``), and the ratio column is world / BabyAI.
Action indices are drawn up front from a fixed-seed numpy generator so the
loop measures the environment, not the sampler.

Vector envs (``--vector N``, at the first resolution): per world, Gymnasium's
``SyncVectorEnv`` of N envs (``gymnasium.make_vec(..., vectorization_mode="sync")``
with ``DiscreteActions``, as a user gets it) and simagym's batched in-process
vector env (``simagym.make_vec(task, N, macros=True)``), next to BabyAI's
``SyncVectorEnv`` of N. Each entry's time is split into ``--rounds`` slices taken
in turn, so a change in the machine's load falls on every entry alike; rates count
env steps per second of wall time and of this process's CPU time (on a shared
machine the CPU rate is the steadier one; the batched/sync ratio uses it).
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
    cpu_seconds: float = float("nan")

    @property
    def rate(self) -> float:
        return self.steps / self.seconds

    @property
    def cpu_rate(self) -> float:
        return self.steps / self.cpu_seconds


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
        cpu_start = time.process_time()
        steps, episodes, elapsed = run_loop(env, actions, seconds)
        cpu = time.process_time() - cpu_start
    finally:
        env.close()
    pixels = obs["pixels"] if isinstance(obs, dict) else obs
    return Result(name, task, tuple(pixels.shape), steps, episodes, elapsed, cpu)


def run_vector_loop(env: gym.vector.VectorEnv, actions: np.ndarray, seconds: float) -> tuple[int, int, float, float]:
    """Step a vector env (it resets its own envs) with rows of ``actions`` for ``seconds``.

    Returns (env steps, finished episodes, wall seconds, CPU seconds of this process).
    """
    step, n = env.step, env.num_envs
    calls = episodes = 0
    start, cpu_start = time.perf_counter(), time.process_time()
    deadline = start + seconds
    while True:
        for _ in range(CHECK_EVERY // 8):
            _, _, terminated, truncated, _ = step(actions[calls % len(actions)])
            calls += 1
            episodes += int(np.count_nonzero(terminated | truncated))
        now = time.perf_counter()
        if now >= deadline:
            return calls * n, episodes, now - start, time.process_time() - cpu_start


def measure_vectors(entries: list[tuple[str, str, Callable[[], gym.vector.VectorEnv]]], seconds: float,
                    warmup: float, rounds: int) -> list[Result]:
    """Every entry measured for ``seconds`` in all, as ``rounds`` slices taken in turn (so the load
    the machine happens to carry falls on all of them alike)."""
    envs, actions, totals = [], [], []
    for _, _, make in entries:
        env = make()
        env.reset(seed=ENV_SEED)
        n_actions = env.single_action_space.n
        rows = np.random.default_rng(ACTION_SEED).integers(n_actions, size=(N_ACTIONS // env.num_envs, env.num_envs))
        run_vector_loop(env, rows, warmup)
        envs.append(env)
        actions.append(rows)
        totals.append([0, 0, 0.0, 0.0])
    try:
        for _ in range(rounds):
            for env, rows, total in zip(envs, actions, totals):
                for k, value in enumerate(run_vector_loop(env, rows, seconds / rounds)):
                    total[k] += value
    finally:
        for env in envs:
            env.close()
    return [Result(name, task, tuple(env.single_observation_space["pixels"].shape)
                   if isinstance(env.single_observation_space, gym.spaces.Dict) else env.single_observation_space.shape,
                   steps, episodes, wall, cpu)
            for (name, task, _), env, (steps, episodes, wall, cpu) in zip(entries, envs, totals)]


def make_simagym_sync(task_id: str, resolution: int, n: int) -> Callable[[], gym.vector.VectorEnv]:
    return lambda: gym.make_vec(simagym.gym_id(task_id), n, vectorization_mode="sync", wrappers=[DiscreteActions],
                                resolution=resolution)


def make_simagym_batched(task_id: str, resolution: int, n: int) -> Callable[[], gym.vector.VectorEnv]:
    return lambda: simagym.make_vec(task_id, n, macros=True, resolution=resolution)


def make_babyai_sync(tile_size: int, n: int) -> Callable[[], gym.vector.VectorEnv]:
    return lambda: gym.vector.SyncVectorEnv([make_babyai(tile_size) for _ in range(n)])


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
                   load: tuple[float, float], vector: tuple[str, list[str], list[tuple[str, ...]]] | None = None) -> None:
    """The tables as markdown, with when, where and how loaded the machine was."""
    stamp = datetime.now().strftime("%Y-%m-%d %H:%M")

    def table(head: list[str], body: list[tuple[str, ...]]) -> list[str]:
        return ["| " + " | ".join(head) + " |", "|" + "---|" * len(head), *("| " + " | ".join(r) + " |" for r in body), ""]

    lines = [
        "# Throughput: `python bench/throughput.py`", "",
        f"Measured {stamp} on {platform.machine()}; {versions}. Load average {load[0]:.1f} before, {load[1]:.1f} after"
        " (1-minute): the machine is shared, so compare ratios, not absolute rates.", "",
        "## One env", "",
        f"Single process, uniformly random macros, auto-reset, {seconds:g} s per entry; the ratio is against BabyAI"
        " measured in the same run at the nearest size its 7x7-tile view allows.", "",
        *table(header, rows),
    ]
    if vector is not None:
        intro, vheader, vrows = vector
        lines += ["## Vector envs", "", intro, "", *table(vheader, vrows)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")


def measure_vector_table(tasks: dict[str, str], resolution: int, n: int, singles: dict[str, Result], babyai_ok: bool,
                         args: argparse.Namespace) -> tuple[str, list[str], list[tuple[str, ...]]]:
    """SyncVectorEnv and the batched env of ``n`` per world (and BabyAI's SyncVectorEnv), measured in turns:
    (the table's introduction, its header, its rows)."""
    entries = []
    for world, task_id in tasks.items():
        entries.append((f"{world} SyncVectorEnv x{n}", task_id, make_simagym_sync(task_id, resolution, n)))
        entries.append((f"{world} batched x{n}", task_id, make_simagym_batched(task_id, resolution, n)))
    if babyai_ok:
        entries.append((f"BabyAI SyncVectorEnv x{n}", BABYAI_ID,
                        make_babyai_sync(max(1, resolution // BABYAI_VIEW_TILES), n)))
    with quiet_stdout():
        results = measure_vectors(entries, args.seconds, args.warmup, args.rounds)
    babyai = results[-1] if babyai_ok else None
    header = ["env", "task", "steps/s (wall)", "steps/s (CPU)", "µs/step (CPU)", "vs one env", "vs SyncVectorEnv",
              "vs BabyAI x%d" % n]
    rows = []
    for i, r in enumerate(results):
        world = r.name.split()[0]
        single = singles.get(world)
        sync = results[i - 1] if "batched" in r.name else r if "SyncVectorEnv" in r.name else None
        rows.append((r.name, r.task, f"{r.rate:,.0f}", f"{r.cpu_rate:,.0f}", f"{1e6 / r.cpu_rate:,.1f}",
                     f"{r.cpu_rate / single.cpu_rate:.2f}" if single else "-",
                     f"**{r.cpu_rate / sync.cpu_rate:.2f}**" if sync is not None and sync is not r else "1.00" if sync else "-",
                     f"{r.cpu_rate / babyai.cpu_rate:.1f}" if babyai else "-"))
    intro = (f"{n} envs of each world's task at {resolution}x{resolution}, uniformly random macros, next-step autoreset;"
             f" Gymnasium's SyncVectorEnv (`gymnasium.make_vec(id, {n}, vectorization_mode=\"sync\","
             f" wrappers=[DiscreteActions])`) next to the batched env (`simagym.make_vec(task, {n}, macros=True)`,"
             f" also `vectorization_mode=\"vector_entry_point\"`) and BabyAI's SyncVectorEnv. Each entry ran"
             f" {args.seconds:g} s in {args.rounds} turns with the others; ratios use CPU time (this process's),"
             " the steadier rate on a shared machine. \"vs one env\" compares with the single env above.")
    return intro, header, rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="measured wall time per entry (default 5)")
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured warm-up per entry (default 1)")
    parser.add_argument("--resolutions", type=int, nargs="+", default=[64, 128], metavar="N")
    parser.add_argument("--worlds", nargs="+", metavar="WORLD", help="only these worlds (default: all installed)")
    parser.add_argument("--task", action="append", metavar="TASK_ID", help="measure this task for its world (repeatable)")
    parser.add_argument("--no-babyai", action="store_true", help="skip the BabyAI reference")
    parser.add_argument("--vector", type=int, default=16, metavar="N",
                        help="also measure vector envs of N envs at the first resolution (default 16; 0: skip)")
    parser.add_argument("--rounds", type=int, default=3, help="vector entries are measured in this many turns (default 3)")
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
    singles: dict[str, Result] = {}  # world -> its single env at the first resolution

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
                if resolution == args.resolutions[0]:
                    singles[world] = result
                ratio = f"{result.rate / reference.rate:.1f}" if reference else "-"
                add_row(
                    result.name, result.task, "x".join(map(str, result.shape)), f"{result.rate:,.0f}",
                    f"{1e6 / result.rate:,.0f}", str(result.episodes), ratio,
                )
            table.add_section()

    console.print(table)
    vector = None
    if args.vector > 0:
        with console.status(f"vector envs of {args.vector}..."):
            vector = measure_vector_table(tasks, args.resolutions[0], args.vector, singles, babyai_ok, args)
        console.print(vector[0], highlight=False)
        vtable = Table(title=f"env steps/s, vector envs of {args.vector}", title_justify="left")
        for col in vector[1]:
            vtable.add_column(col, justify="left" if col in ("env", "task") else "right")
        for row in vector[2]:
            vtable.add_row(*row)
        console.print(vtable)
    versions = (f"python {platform.python_version()}, numpy {np.__version__}, gymnasium {gym.__version__}, "
                f"{os.cpu_count()} cpus; action seed {ACTION_SEED}, env seed {ENV_SEED}")
    console.print(versions, highlight=False)
    if args.markdown:
        write_markdown(Path(args.markdown), [c for c, _ in columns], rows, args.seconds, versions,
                       (load_before, os.getloadavg()[0]), vector)
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
