"""Learning-methods benchmark: DAgger vs BC at equal wall-clock, classifier-free guidance
(a lambda sweep), argmax vs sampling, and PPO fine-tuning of a BC agent with and without its guards.

    python bench/methods.py [--work DIR] [--demos 1600] [--bc-steps 150000] [--rounds 3]
                            [--dagger-episodes 160] [--dagger-steps 40000] [--ppo-steps 8192]
                            [--seeds 16] [--catalogue v1|v2] [--retrain]

One small multi-world task set (``TASK_SETS``: four templates per world, every category), trained
and evaluated on the same suite (``--seeds`` evaluation seeds per task, training phrasings).
Every training run is ``python -m simagym.train`` in a fresh process, one at a time, on step
budgets (``--no-time-limit``), so each one repeats exactly; wall-clock is measured, not capped:

1. ``bc``: BC on ``--demos`` oracle episodes for ``--bc-steps`` samples, with ``--cfg-dropout 0.1``
   (as every BC run here but ``bc-nocfg``, so the ``bc`` agent can be guided);
2. ``dagger``: the same BC (bit for bit: it is DAgger's round 0), then ``--rounds`` rounds;
3. ``bc-long``: BC alone given DAgger's wall-clock: its step budget is ``bc``'s plus the seconds
   DAgger spent in its rounds times the samples/s of DAgger's own BC stage (measured under the same
   load as its rounds: the machine is shared, and its load moves run times by tens of percent);
4. ``bc-more``: BC alone given DAgger's wall-clock spent like ``bc`` spends its own: ``f`` times the
   demonstrations and ``f`` times the samples, ``f`` = DAgger's training time / ``bc``'s (``bc-long``
   spends it all on more passes over the same data; this one on more data);
5. ``bc-nocfg``: ``bc`` with ``--cfg-dropout 0``, to see what the dropout costs at lambda 0;
6. ``ppo-guarded`` / ``ppo-plain``: ``--algo ppo --init bc`` for ``--ppo-steps`` env steps with
   the KL-to-BC penalty and the value warm-up (the defaults), and without either
   (``--kl-coef 0 --value-warmup 0``: what ``bc+ppo`` did before).

Then every agent is evaluated with the eval runner (the ``bc`` agent at several guidance scales
and with argmax). Writes ``bench/results/methods.md`` (``methods-v2.md`` with ``--catalogue v2``).
The machine is shared: the load average is recorded beside every run, and wall-clock comparisons
hold only under equal load.
"""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
from datetime import datetime  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from rich.console import Console  # noqa: E402

from benchrun import evaluate, pct, rate, train  # noqa: E402  (bench/ is on the path)

RESULTS = Path(__file__).resolve().parent / "results"
#: The same sixteen jobs in each catalogue (v2's stricter checks end an episode on a look-alike
#: instruction and count a goal only once the agent stays there; some templates were renamed).
TASK_SETS = {
    "v1": ("meadow/go-to-tree-v1", "meadow/pick-up-v1", "meadow/open-chest-v1", "meadow/open-map-v1",
           "halls/go-to-door-v1", "halls/press-button-v1", "halls/open-inventory-v1", "halls/pick-up-v1",
           "gameui/open-inventory-v1", "gameui/buy-item-v1", "gameui/equip-weapon-v1", "gameui/toggle-on-v1",
           "ledges/collect-coin-v1", "ledges/pull-lever-v1", "ledges/go-to-flag-v1", "ledges/open-inventory-v1"),
    "v2": ("meadow/go-to-flora-v2", "meadow/pick-up-v2", "meadow/open-chest-v2", "meadow/open-menu-v2",
           "halls/go-to-door-v2", "halls/press-button-v2", "halls/open-menu-v2", "halls/pick-up-v2",
           "gameui/open-screen-v2", "gameui/buy-item-v2", "gameui/equip-weapon-v2", "gameui/toggle-on-v2",
           "ledges/collect-coin-v2", "ledges/pull-lever-v2", "ledges/go-to-flag-v2", "ledges/open-inventory-v2"),
}
CFG_SCALES = (0.0, 0.5, 1.0, 2.0, 4.0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalogue", choices=sorted(TASK_SETS), default="v1",
                        help="which catalogue's templates (v1 writes methods.md, v2 methods-v2.md)")
    parser.add_argument("--work", type=Path, default=None, help="where the runs go (default: runs/bench-methods[-v2])")
    parser.add_argument("--demos", type=int, default=1600)
    parser.add_argument("--bc-steps", type=int, default=150_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dagger-episodes", type=int, default=160)
    parser.add_argument("--dagger-steps", type=int, default=40_000)
    parser.add_argument("--ppo-steps", type=int, default=8192)
    parser.add_argument("--seeds", type=int, default=16, help="evaluation seeds per task")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--retrain", action="store_true",
                        help="train every run again (default: a finished run already in --work is reused)")
    args = parser.parse_args()
    console = Console(stderr=True)
    suffix = "" if args.catalogue == "v1" else f"-{args.catalogue}"
    work = (args.work or Path("runs") / f"bench-methods{suffix}").resolve()
    tasks = TASK_SETS[args.catalogue]
    work.mkdir(parents=True, exist_ok=True)

    from simagym.eval.suite import load_suite

    suite_file = work / "methods-suite.yaml"
    suite_file.write_text(
        "name: methods\nversion: 1\ndescription: four templates per world, every category (bench/methods.py)\n"
        f"tasks: {json.dumps(list(tasks))}\nseeds: {{start: 1000, count: {args.seeds}}}\nsplits: [train]\n")
    suite = load_suite(str(suite_file))

    # Every BC run blanks 10% of instructions (--cfg-dropout 0.1), so the bc agent can be guided; bc-nocfg does not.
    base = ["--suite", str(suite_file), "--demos", str(args.demos), "--workers", str(args.workers),
            "--cfg-dropout", "0.1"]
    dagger_flags = ["--dagger-rounds", str(args.rounds), "--dagger-episodes", str(args.dagger_episodes),
                    "--dagger-steps", str(args.dagger_steps)]
    runs: dict[str, dict[str, Any]] = {}

    def run(name: str, flags: list[str]) -> dict[str, Any]:
        out = work / name
        if (out / "bench.json").exists() and not args.retrain:
            record = json.loads((out / "results.json").read_text())
            record["bench"] = json.loads((out / "bench.json").read_text())
        else:
            if out.exists():  # an interrupted run, or --retrain
                shutil.rmtree(out)
            console.rule(name)
            record = train(out, flags, console)
        runs[name] = record
        return record

    bc = run("bc", [*base, "--bc-steps", str(args.bc_steps)])
    dagger = run("dagger", [*base, "--algo", "dagger", "--bc-steps", str(args.bc_steps), *dagger_flags])
    long_steps = args.bc_steps + int(dagger["timings"]["dagger_s"] * dagger["train"]["bc"]["samples_per_s"])
    run("bc-long", [*base, "--bc-steps", str(long_steps)])
    scale = dagger["timings"]["train_s"] / bc["timings"]["train_s"]
    more = ["--suite", str(suite_file), "--workers", str(args.workers), "--cfg-dropout", "0.1",
            "--demos", str(round(scale * args.demos)), "--bc-steps", str(round(scale * args.bc_steps))]
    run("bc-more", more)
    run("bc-nocfg", [*base, "--bc-steps", str(args.bc_steps), "--cfg-dropout", "0"])
    ppo = ["--algo", "ppo", "--init", str(work / "bc"), "--tasks", *tasks, "--ppo-steps", str(args.ppo_steps)]
    run("ppo-guarded", ppo)
    run("ppo-plain", [*ppo, "--kl-coef", "0", "--value-warmup", "0"])

    from safetensors.torch import load_file

    first = load_file(work / "dagger" / "dagger" / "round-1" / "policy.safetensors")
    same = load_file(work / "bc" / "checkpoint" / "policy.safetensors")
    round0_repeats = first.keys() == same.keys() and all(bool((first[k] == same[k]).all()) for k in first)

    # --- evaluations -----------------------------------------------------------------------
    conditions: list[tuple[str, str, str, dict[str, Any]]] = [("random", "random", "random agent", {})]
    conditions += [(f"bc-cfg{scale:g}", str(work / "bc"), f"bc, cfg {scale:g}", {"cfg": scale}) for scale in CFG_SCALES]
    conditions += [
        ("bc-argmax", str(work / "bc"), "bc, argmax", {"deterministic": True}),
        ("bc-nocfg", str(work / "bc-nocfg"), "bc trained without cfg_dropout", {}),
        ("dagger", str(work / "dagger"), "dagger", {}),
        ("bc-long", str(work / "bc-long"), "bc-long (DAgger's wall-clock)", {}),
        ("bc-more", str(work / "bc-more"), "bc-more (DAgger's wall-clock)", {}),
        ("ppo-guarded", str(work / "ppo-guarded"), "bc + PPO, KL-to-BC + value warm-up", {}),
        ("ppo-plain", str(work / "ppo-plain"), "bc + PPO, unguarded", {}),
    ]
    summaries: dict[str, dict[str, Any]] = {}
    for key, agent, label, options in conditions:
        out = work / "eval" / key
        cached = out / "bench-summary.json"
        if cached.exists():
            summaries[key] = json.loads(cached.read_text())
            continue
        console.rule(f"evaluating {label}")
        summaries[key] = evaluate(agent, suite, out, options, args.workers)
        cached.write_text(json.dumps(summaries[key], indent=2))
        console.print(f"{label}: {rate(summaries[key])}")

    # --- the report --------------------------------------------------------------------------
    worlds = sorted({t.split("/")[0] for t in tasks})
    categories = sorted(summaries["random"]["by_category"])

    def breakdown(s: dict[str, Any]) -> list[str]:
        return ([pct(s["by_world"].get(w, {}).get("success_rate")) for w in worlds]
                + [pct(s["by_category"].get(c, {}).get("success_rate")) for c in categories])

    def row(label: str, s: dict[str, Any]) -> str:
        return f"| {label} | {rate(s)} | {' | '.join(breakdown(s))} |"

    header = (f"| agent | success [95% CI] | {' | '.join(worlds)} | {' | '.join(categories)} |\n"
              f"|---|---|{'---|' * (len(worlds) + len(categories))}")
    r = summaries

    def train_line(name: str, what: str) -> str:
        rec = runs[name]
        t, b = rec["timings"], rec["bench"]
        parts = [f"demos {t.get('demos_s', 0):.0f} s"] if "demos_s" in t else []
        if "bc_s" in t:
            parts.append(f"BC {rec['train']['bc']['samples']:,} samples in {t['bc_s']:.0f} s"
                         f" ({rec['train']['bc']['samples_per_s']:.0f}/s)")
        if "dagger_s" in t:
            parts.append(f"DAgger rounds {t['dagger_s']:.0f} s")
        if "ppo_s" in t:
            parts.append(f"PPO {rec['train']['ppo']['samples']:,} env steps in {t['ppo_s']:.0f} s")
        return (f"| {name} | {what} | {t['train_s'] / 60:.1f} min | {'; '.join(parts)} |"
                f" {b['load_before']:.1f} / {b['load_after']:.1f} |")

    from simagym.train.config import TrainConfig

    defaults = TrainConfig()
    rounds = dagger["train"]["dagger"]["rounds"]
    def overlap(a: dict[str, Any], b: dict[str, Any]) -> str:
        apart = a["ci_low"] > b["ci_high"] or b["ci_low"] > a["ci_high"]
        return "the 95% intervals do not overlap" if apart else "the 95% intervals overlap: not told apart here"

    best_scale = max(CFG_SCALES[1:], key=lambda x: r[f"bc-cfg{x:g}"]["success_rate"])  # the best lambda > 0
    finished = [f.stat().st_mtime for f in (*work.glob("*/bench.json"), *work.glob("eval/*/bench-summary.json"))]
    stamp = datetime.now().strftime("%Y-%m-%d %H:%M")
    span = " to ".join(datetime.fromtimestamp(t).strftime("%Y-%m-%d %H:%M") for t in (min(finished), max(finished)))
    lines = [
        "# Learning methods: DAgger, classifier-free guidance, argmax, PPO from BC",
        "",
        "In short. One training seed per run, and the intervals are over evaluation episodes only: training"
        " seeds move results too (the default run's seeds 0 and 1 differ by 5.7 points in"
        " [train.md](train.md)), so differences of that size here may be seed noise.",
        "",
        f"- **DAgger vs BC at equal wall-clock**: {pct(r['dagger']['success_rate'])} against"
        f" {pct(r['bc-long']['success_rate'])} for BC with more passes over the same data and"
        f" {pct(r['bc-more']['success_rate'])} for BC with more data ({overlap(r['dagger'], r['bc-long'])} /"
        f" {overlap(r['dagger'], r['bc-more'])}); the BC it started from: {pct(r['bc-cfg0']['success_rate'])}.",
        f"- **Classifier-free guidance**: the best lambda > 0 ({best_scale:g}) gives"
        f" {pct(r[f'bc-cfg{best_scale:g}']['success_rate'])}, against {pct(r['bc-cfg0']['success_rate'])} at"
        f" lambda 0 (no guidance); training with `cfg_dropout` 0.1 vs 0 at lambda 0: {pct(r['bc-cfg0']['success_rate'])} vs"
        f" {pct(r['bc-nocfg']['success_rate'])}.",
        f"- **Argmax vs sampling**: {pct(r['bc-argmax']['success_rate'])} vs {pct(r['bc-cfg0']['success_rate'])}.",
        f"- **PPO from the BC agent**: {pct(r['ppo-guarded']['success_rate'])} with the KL-to-BC penalty and value"
        f" warm-up, {pct(r['ppo-plain']['success_rate'])} without, from {pct(r['bc-cfg0']['success_rate'])}.",
        "",
        f"Measured by `python bench/methods.py` (runs and evaluations finished {span}; this page written {stamp})"
        f" on {platform.machine()} with {os.cpu_count()} CPUs,"
        f" Python {platform.python_version()}; the machine is shared with other jobs, so the 1-minute load"
        " average is given beside every run (before / after) and wall-clock comparisons hold only as far"
        " as the load was equal.",
        "",
        f"Task set ({args.catalogue} catalogue): {len(tasks)} templates, four per world"
        f" ({', '.join(f'`{t}`' for t in tasks)}), trained and"
        f" evaluated on the same suite: {args.seeds} seeds per task, training phrasings,"
        f" {r['random']['episodes']} episodes per row. Every run but `bc-more` trains on {args.demos:,} oracle"
        " episodes (20% random moves) with one torch thread and two worker processes, on step budgets"
        " (`--no-time-limit`), so each repeats exactly for its seed.",
        "",
        "## Training runs",
        "",
        "| run | what | training wall-clock | where the time went | load |",
        "|---|---|---|---|---|",
        train_line("bc", f"BC, {args.bc_steps:,} samples"),
        train_line("dagger", f"the same BC, then {args.rounds} DAgger rounds of {args.dagger_episodes} learner"
                             f" episodes and {args.dagger_steps:,} BC samples"),
        train_line("bc-long", f"BC given DAgger's wall-clock: {long_steps:,} samples"),
        train_line("bc-more", f"BC given DAgger's wall-clock on more data: {scale:.2f} x the demonstrations and"
                              " the samples"),
        train_line("bc-nocfg", "`bc` with `--cfg-dropout 0`"),
        train_line("ppo-guarded", f"`--algo ppo --init bc`, {args.ppo_steps:,} env steps, KL-to-BC coefficient"
                                  f" {defaults.ppo_kl_coef:g} and {defaults.ppo_value_warmup:,} value warm-up steps"
                                  " (the defaults)"),
        train_line("ppo-plain", "the same with `--kl-coef 0 --value-warmup 0`"),
        "",
        f"DAgger's BC stage reproduced the `bc` run's weights bit for bit: {'yes' if round0_repeats else 'NO'}"
        " (so `bc` is DAgger's round 0).",
        "",
        "## DAgger vs BC at equal wall-clock",
        "",
        header,
        row("random", r["random"]),
        row(f"bc ({bc['timings']['train_s'] / 60:.1f} min)", r["bc-cfg0"]),
        row(f"**dagger** ({dagger['timings']['train_s'] / 60:.1f} min)", r["dagger"]),
        row(f"**bc-long** ({runs['bc-long']['timings']['train_s'] / 60:.1f} min)", r["bc-long"]),
        row(f"**bc-more** ({runs['bc-more']['timings']['train_s'] / 60:.1f} min)", r["bc-more"]),
        "",
        "DAgger's rounds (success and agreement are of the rollouts, which mix in the oracle's macro"
        " with probability beta; agreement: the learner's sampled macro equals the oracle's label):",
        "",
        "| round | beta | learner episodes | success | agreement | frames added | dataset | rollouts | round |",
        "|---|---|---|---|---|---|---|---|---|",
        *[f"| {x['round']} | {x['beta']:.2f} | {x['episodes']} | {pct(x['success'])} | {pct(x['agreement'])} |"
          f" {x['frames']:,} | {x['dataset_frames']:,} | {x['rollout_s']:.0f} s | {x['seconds']:.0f} s |"
          for x in rounds],
        "",
        "## Classifier-free guidance (the `bc` agent, `--cfg LAMBDA`) and argmax",
        "",
        header,
        *[row(f"bc, cfg {scale:g}", r[f"bc-cfg{scale:g}"]) for scale in CFG_SCALES],
        row("bc, `--deterministic` (argmax), cfg 0", r["bc-argmax"]),
        row("bc trained with `--cfg-dropout 0`, cfg 0", r["bc-nocfg"]),
        "",
        "## PPO fine-tuning from the `bc` agent",
        "",
        header,
        row("bc (the starting agent)", r["bc-cfg0"]),
        row("bc + PPO, KL-to-BC + value warm-up", r["ppo-guarded"]),
        row("bc + PPO, unguarded (before)", r["ppo-plain"]),
        "",
        "## Evaluation wall-clock and load",
        "",
        "| condition | time | load before / after |",
        "|---|---|---|",
        *[f"| {label} | {r[key]['bench']['wall_s']:.0f} s | {r[key]['bench']['load_before']:.1f} /"
          f" {r[key]['bench']['load_after']:.1f} |" for key, _, label, _ in conditions],
        "",
    ]
    (RESULTS / f"methods{suffix}.md").write_text("\n".join(lines), encoding="utf-8")
    (work / "bench-methods.json").write_text(json.dumps({"runs": {k: v["bench"] for k, v in runs.items()},
                                                         "summaries": summaries}, indent=2))
    console.print("\n".join(lines))
    console.print(f"wrote {RESULTS / f'methods{suffix}.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
