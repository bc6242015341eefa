"""Per-agent steps per second with several players, next to one player in the same world and to
PettingZoo's own pixel environment knights_archers_zombies, measured in the same run.

    python bench/multi_throughput.py [--seconds 5] [--resolution 64] [--markdown FILE]

Each environment is stepped in one process with uniformly random macros (drawn up front from a
fixed-seed generator), resetting when an episode ends, for a fixed wall time after a warm-up.
A team task's per-agent rate is its env steps per second times its players: every tick renders
every player's own camera. The target (issue 12): with 2 players at 64x64, at least half the
single-player rate of the same world.
"""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import argparse  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Callable  # noqa: E402

import numpy as np  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

import simagym  # noqa: E402
import simagym.multi as multi  # noqa: E402
from simagym.macros import MACROS, DiscreteActions  # noqa: E402

#: world -> (single-player task, two-player team task): the same world, similar layouts.
PAIRS = {"meadow": ("meadow/go-to-landmark-v2", "meadow/team-meet-landmark-v1"),
         "ledges": ("ledges/go-to-flag-v2", "ledges/team-meet-flag-v1")}
TARGET = 0.5


def timed(step: Callable[[], None], seconds: float, warmup: float) -> float:
    """Calls of ``step`` per second over ``seconds``, after ``warmup`` seconds of them."""
    end = time.perf_counter() + warmup
    while time.perf_counter() < end:
        step()
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        step()
        n += 1
    return n / (time.perf_counter() - start)


def single(task: str, resolution: int, seconds: float, warmup: float) -> float:
    env = DiscreteActions(simagym.make(task, resolution=resolution))
    env.reset(seed=0)
    macros = iter(np.random.default_rng(0).integers(len(MACROS), size=10_000_000).tolist())

    def step() -> None:
        _, _, terminated, truncated, _ = env.step(next(macros))
        if terminated or truncated:
            env.reset()

    return timed(step, seconds, warmup)


def team(task: str, resolution: int, seconds: float, warmup: float) -> tuple[float, int]:
    env = multi.DiscreteActions(multi.parallel_env(task, resolution=resolution))
    env.reset(seed=0)
    players = len(env.possible_agents)
    macros = iter(np.random.default_rng(0).integers(len(MACROS), size=10_000_000).tolist())

    def step() -> None:
        env.step({agent: next(macros) for agent in env.agents})
        if not env.agents:
            env.reset()

    return timed(step, seconds, warmup) * players, players


def knights_archers_zombies(seconds: float, warmup: float) -> tuple[float, int]:
    """PettingZoo's pixel env (obs_method="image": each agent observes an RGB crop around itself)."""
    from pettingzoo.butterfly import knights_archers_zombies_v11

    env = knights_archers_zombies_v11.parallel_env(obs_method="image")
    env.reset(seed=0)
    players = len(env.possible_agents)
    rng = np.random.default_rng(0)

    def step() -> None:
        env.step({agent: int(rng.integers(env.action_space(agent).n)) for agent in env.agents})
        if not env.agents:
            env.reset()

    rate = timed(step, seconds, warmup)
    return rate * players, players


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--resolution", type=int, default=64)
    parser.add_argument("--markdown", type=Path, default=None, help="also write the table as Markdown")
    args = parser.parse_args()
    rows = []
    for world, (solo, pair) in PAIRS.items():
        one = single(solo, args.resolution, args.seconds, args.warmup)
        per_agent, players = team(pair, args.resolution, args.seconds, args.warmup)
        rows.append((world, f"{solo} / {pair}", one, per_agent, players, per_agent / one))
    kaz, kaz_players = knights_archers_zombies(args.seconds, args.warmup)
    table = Table(title=f"per-agent steps/s at {args.resolution}x{args.resolution} (load: "
                        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    for column in ("world", "tasks", "1 player", "per agent", "players", "ratio", f">= {TARGET:.0%}"):
        table.add_column(column, justify="left" if column in ("world", "tasks") else "right")
    lines = [f"Per-agent steps/s at {args.resolution}x{args.resolution}, random macros, one process (load "
             f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores).", "",
             "| world | tasks | 1 player | per agent | players | ratio |", "|---|---|---|---|---|---|"]
    for world, tasks, one, per_agent, players, ratio in rows:
        table.add_row(world, tasks, f"{one:,.0f}", f"{per_agent:,.0f}", str(players), f"{ratio:.2f}",
                      "yes" if ratio >= TARGET else "no")
        lines.append(f"| {world} | {tasks} | {one:,.0f} | {per_agent:,.0f} | {players} | {ratio:.2f} |")
    table.add_row("PettingZoo", "knights_archers_zombies_v11 (pixels)", "-", f"{kaz:,.0f}", str(kaz_players), "-", "")
    lines.append(f"| PettingZoo | knights_archers_zombies_v11 (pixels) | - | {kaz:,.0f} | {kaz_players} | - |")
    Console(width=160).print(table)
    if args.markdown:
        args.markdown.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
