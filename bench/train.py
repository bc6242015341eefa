"""Training benchmark: the default run's wall time and success, the --no-language
ablation, BC and PPO samples/s, and a success-vs-wall-clock curve.

    python bench/train.py [--work DIR] [--curve-episodes 8] [--ppo-steps 4096] [--skip-runs]

1. ``python -m simagym.train --snapshot-seconds S`` exactly as a user runs it
   (defaults otherwise), timed end to end (training + the three evaluations).
2. The same with ``--seed 1``: how much the result moves from seed to seed.
3. The same with ``--no-language``.
4. ``--algo bc+ppo``: BC, then PPO fine-tuning, within the same 10-minute cap.
5. A short ``--algo ppo`` run without evaluation, for PPO's env steps/s.
6. Every snapshot of run 1 is evaluated (training phrasings, the first
   ``--curve-episodes`` seeds per task) for the curve; the final point is the
   run's own full evaluation.

Writes ``bench/results/train.md`` (tables) and ``bench/results/train_curve.png``.
The machine is shared: the load average before and after is recorded, and
timings are only comparable between runs on an equally loaded machine.
"""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from datetime import datetime  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from rich.console import Console  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
#: (name, flags of python -m simagym.train); the default run also saves snapshots for the curve.
RUNS = (
    ("default", ()),
    ("seed-1", ("--seed", "1")),
    ("no-language", ("--no-language",)),
    ("bc+ppo", ("--algo", "bc+ppo")),
    ("ppo", ("--algo", "ppo", "--no-eval")),
)
TARGET_MINUTES = 15
TARGET_SUCCESS = 0.40
TARGET_RATIO = 4.0


def train(out: Path, *flags: str) -> tuple[float, dict[str, Any]]:
    """Run ``python -m simagym.train`` in a fresh process; return (wall seconds, results.json)."""
    cmd = [sys.executable, "-m", "simagym.train", "--out", str(out), "--no-progress", *flags]
    t0 = time.monotonic()
    subprocess.run(cmd, check=True)
    wall = time.monotonic() - t0
    return wall, json.loads((out / "results.json").read_text())


def curve(run_dir: Path, episodes: int, console: Console) -> list[tuple[float, float]]:
    """(training seconds, success with training phrasings) for every snapshot of ``run_dir``."""
    from simagym.train.config import TrainConfig
    from simagym.train.evaluation import evaluate_agent
    from simagym.train.pipeline import resolve

    cfg, suite = resolve(TrainConfig.load(run_dir / "config.json"))
    points = []
    for snap in sorted((run_dir / "snapshots").glob("*s")):
        seconds = float(snap.name.rstrip("s"))
        summary = evaluate_agent(str(snap), suite, "train", run_dir / "curve" / snap.name, episodes=episodes,
                                 workers=cfg.eval_workers, console=console, label=f"snapshot {snap.name}",
                                 show_progress=False)
        points.append((seconds, summary["success_rate"]))
        console.print(f"snapshot at {seconds:.0f} s: {summary['success_rate']:.1%}")
    return points


def plot(points: list[tuple[float, float]], final: tuple[float, float], random_rate: float,
         nolang: tuple[float, float] | None, heldout: float, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=120)
    xs = [p[0] / 60 for p in points] + [final[0] / 60]
    ys = [p[1] for p in points] + [final[1]]
    ax.plot(xs, [100 * y for y in ys], "o-", label="trained agent, training phrasings")
    ax.plot([final[0] / 60], [100 * heldout], "s", label="held-out phrasings (end)")
    if nolang is not None:
        ax.plot([nolang[0] / 60], [100 * nolang[1]], "^", label="--no-language (end)")
    ax.axhline(100 * random_rate, color="grey", ls="--", label="random agent")
    ax.axhline(100 * TARGET_SUCCESS, color="red", ls=":", lw=1, label="target 40%")
    ax.set_xlabel("training wall-clock (minutes, 2-core CPU)")
    ax.set_ylabel("success rate (%)")
    ax.set_ylim(0, 100)
    ax.set_title("python -m simagym.train (default: BC on train-default-v1)")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)


def pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("runs") / "bench-train", help="where the runs go")
    parser.add_argument("--snapshot-seconds", type=float, default=90.0)
    parser.add_argument("--curve-episodes", type=int, default=8, help="seeds per task for each snapshot")
    parser.add_argument("--ppo-steps", type=int, default=4096)
    parser.add_argument("--skip-runs", action="store_true", help="reuse the runs already in --work")
    args = parser.parse_args()
    console = Console(stderr=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    stamp = datetime.now().strftime("%Y-%m-%d %H:%M")

    dirs = {name: args.work / name for name, _ in RUNS}
    default_dir = dirs["default"]
    walls: dict[str, float] = {}
    if not args.skip_runs:
        args.work.mkdir(parents=True, exist_ok=True)
        for d in dirs.values():
            if d.exists():
                raise SystemExit(f"{d} exists; remove it or pass --skip-runs")
        for name, flags in RUNS:
            console.rule(name)
            if name == "default":
                flags = (*flags, "--snapshot-seconds", str(args.snapshot_seconds))
            if name == "ppo":
                flags = (*flags, "--ppo-steps", str(args.ppo_steps))
            walls[name], _ = train(dirs[name], *flags)
        (args.work / "bench.json").write_text(json.dumps(
            {"walls": walls, "load_before": load_before, "load_after": os.getloadavg(), "stamp": stamp}))
    else:  # keep the measurement's own time and load, not this re-rendering's
        measured = json.loads((args.work / "bench.json").read_text())
        walls, stamp = measured["walls"], measured["stamp"]
        load_before, load_after_runs = measured["load_before"], measured["load_after"]
    runs = {name: json.loads((d / "results.json").read_text()) for name, d in dirs.items()}
    res, nolang, ppo = runs["default"], runs["no-language"], runs["ppo"]
    for name, r in runs.items():
        walls.setdefault(name, r["timings"]["total_s"])

    console.rule("success vs wall-clock")
    points = curve(default_dir, args.curve_episodes, console)
    s, t = res["success"], res["timings"]
    plot(points, (t["train_s"], s["train"]), s["random"], (nolang["timings"]["train_s"], nolang["success"]["train"]),
         s["heldout"], RESULTS / "train_curve.png")
    load_after = os.getloadavg() if not args.skip_runs else load_after_runs

    ratio = s["train"] / s["random"] if s["random"] else float("inf")
    ok_time = walls["default"] <= TARGET_MINUTES * 60
    ok_success = s["train"] >= TARGET_SUCCESS and ratio >= TARGET_RATIO
    bc, demos = res["train"].get("bc", {}), res["train"]
    lines = [
        "# `python -m simagym.train` benchmark",
        "",
        f"Measured {stamp} by `python bench/train.py` on {platform.machine()} with {os.cpu_count()} CPUs,"
        f" Python {platform.python_version()}. The machine is shared with other jobs: load average"
        f" {load_before[0]:.1f} before, {load_after[0]:.1f} after (1-minute); timings move with the load.",
        "",
        "## Targets (default run: `python -m simagym.train`, no arguments)",
        "",
        "| target | measured | met |",
        "|---|---|---|",
        f"| whole run (train + 3 evaluations) <= {TARGET_MINUTES} min | {walls['default'] / 60:.1f} min"
        f" | {'yes' if ok_time else 'no'} |",
        f"| success, training tasks, training phrasings >= 40% | {pct(s['train'])} | {'yes' if s['train'] >= 0.4 else 'no'} |",
        f"| >= 4x the random agent | {ratio:.1f}x ({pct(s['train'])} vs {pct(s['random'])})"
        f" | {'yes' if ratio >= TARGET_RATIO else 'no'} |",
        "",
        "## Success rates (suite `train-default-v1`, 25 evaluation seeds per task and phrasing split)",
        "",
        "Each cell: training phrasings / held-out phrasings (random: training phrasings).",
        "",
        "| task | default run | `--seed 1` | `--no-language` | `--algo bc+ppo` | random |",
        "|---|---|---|---|---|---|",
    ]
    others = {name: {r["task"]: r for r in runs[name]["rows"]} for name in ("seed-1", "no-language", "bc+ppo")}

    def both(row: dict[str, Any] | None) -> str:
        return "-" if row is None else f"{pct(row['train'])} / {pct(row['heldout'])}"

    for row in res["rows"]:
        name = f"**{row['task']}**" if row["task"] == "all" else row["task"]
        cells = [both(row)] + [both(others[o].get(row["task"])) for o in ("seed-1", "no-language", "bc+ppo")]
        lines.append(f"| {name} | {' | '.join(cells)} | {pct(row['random'])} |")
    lines += [
        "",
        "## The runs",
        "",
        "| run | flags | end to end | training stopped by | repeats exactly for its seed |",
        "|---|---|---|---|---|",
    ]
    for name, flags in RUNS:
        train_stats = runs[name]["train"]
        stops = ", ".join(f"{stage}: {train_stats[stage]['stopped_by']}" for stage in ("bc", "ppo")
                          if "stopped_by" in train_stats.get(stage, {}))
        lines.append(f"| {name} | `{' '.join(flags) or '(none)'}` | {walls[name] / 60:.1f} min | {stops or '-'} |"
                     f" {'yes' if train_stats.get('reproducible') else 'no (the 10-minute cap ended training)'} |")
    lines += [
        "",
        "## Throughput and time",
        "",
        "| stage | amount | time | rate |",
        "|---|---|---|---|",
        f"| oracle demonstrations (2 worker processes) | {demos.get('demo_episodes', 0):,} episodes,"
        f" {demos.get('demo_frames', 0):,} frames | {t.get('demos_s', 0):.0f} s |"
        f" {demos.get('demo_frames', 0) / max(t.get('demos_s', 1), 1e-9):.0f} frames/s |",
        f"| behaviour cloning (1 torch thread) | {bc.get('samples', 0):,} samples, {bc.get('updates', 0):,} updates"
        f" | {t.get('bc_s', 0):.0f} s | **{bc.get('samples_per_s', 0):.0f} samples/s** |",
        f"| PPO (`--algo ppo`, 2 env processes)"
        f" | {ppo['train']['ppo']['samples']:,} env steps | {ppo['timings'].get('ppo_s', 0):.0f} s"
        f" | **{ppo['train']['ppo']['samples_per_s']:.0f} samples/s** |",
        f"| evaluation (3 x {res['rows'][-1].get('train_episodes') or 0} episodes, 2 worker processes)"
        f" | | {t.get('eval_s', 0):.0f} s | |",
        f"| **default run, end to end** | | **{walls['default'] / 60:.1f} min** | |",
        "",
        "## Success vs wall-clock (default run)",
        "",
        f"Snapshots every {args.snapshot_seconds:.0f} s of training, each evaluated on the first"
        f" {args.curve_episodes} seeds per task (training phrasings); the last point is the run's own"
        f" evaluation on all 25 seeds (snapshot points are noisier: {args.curve_episodes * len(res['tasks'])}"
        " episodes each).",
        "",
        "| training minutes | success |",
        "|---|---|",
        *[f"| {sec / 60:.1f} | {pct(rate)} |" for sec, rate in points],
        f"| {t['train_s'] / 60:.1f} (final) | {pct(s['train'])} |",
        "",
        "![success vs wall-clock](train_curve.png)",
        "",
    ]
    (RESULTS / "train.md").write_text("\n".join(lines), encoding="utf-8")
    console.print("\n".join(lines))
    console.print(f"wrote {RESULTS / 'train.md'} and {RESULTS / 'train_curve.png'}")
    return 0 if ok_time and ok_success else 1


if __name__ == "__main__":
    sys.exit(main())
