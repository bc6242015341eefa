"""Which templates a trained agent fails, and why: `python bench/weak_templates.py RUN_DIR`.

For every template the run was evaluated on, the oracle plays ``--seeds`` episodes of the suite's own
seeds (training phrasings) and, at each of its steps, the trained agent is asked how likely it would
have been to choose the oracle's macro there (teacher forcing: the agent follows the oracle's path,
so every step is one the oracle shows how to get past). Beside the agent's measured success this
tells the kinds of failure apart:

* **one hard step**: most steps near-certain, one (the click on the right thing, the key at the
  right moment) unlikely - the lowest step probability is small;
* **compounding**: every step fairly likely, but the episode is long - success falls with length
  (one wrong macro in five is survivable in a 3-step task, not in a 60-step one);
* **off the oracle's path**: the agent agrees with the oracle step by step yet fails on its own -
  it drifts into states the demonstrations never show (what DAgger's relabelling is for).

Writes ``bench/results/weak_templates.md`` (or ``--out``): success against oracle length, per
category, and every template's row, lowest success first.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchrun import load  # noqa: E402

LENGTH_BUCKETS = [(1, 5), (6, 15), (16, 40), (41, 10_000)]


def measured(run: Path, condition: str) -> dict[str, float]:
    """Success per task of one evaluation of the run (``eval-<condition>/episodes.jsonl``)."""
    path = run / f"eval-{condition}" / "episodes.jsonl"
    wins: dict[str, list[bool]] = defaultdict(list)
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue  # a torn last line
            wins[record["task"]].append(bool(record["success"]))
    return {task: float(np.mean(w)) for task, w in wins.items()}


def teacher_forced(agent, task: str, seeds: list[int]) -> dict[str, float]:
    """The oracle's episodes of ``task`` with the agent's probability of the oracle's macro at each step."""
    import simagym
    from simagym.agents.oracle import OracleAgent
    from simagym.macros import DiscreteActions

    from collections import Counter

    from simagym.macros import MACROS

    env = DiscreteActions(simagym.make(task, resolution=agent.resolution[0]))
    lengths, mean_p, min_p, agree, product = [], [], [], [], []
    hard: Counter = Counter()  # (the oracle's macro, the agent's likeliest) at each episode's hardest step
    for seed in seeds:
        obs, _ = env.reset(seed=seed)
        oracle = OracleAgent()
        oracle.reset(obs["instruction"], env.unwrapped)
        agent.reset(obs["instruction"])
        probs, hits, pairs = [], [], []
        done = False
        while not done:
            macro = oracle.act(obs)
            p = agent.distribution(obs)
            probs.append(float(p[macro]))
            hits.append(int(np.argmax(p)) == macro)
            pairs.append((MACROS[macro].name, MACROS[int(np.argmax(p))].name))
            obs, _, terminated, truncated, _ = env.step(macro)
            done = terminated or truncated
        lengths.append(len(probs))
        mean_p.append(float(np.mean(probs)))
        min_p.append(float(np.min(probs)))
        agree.append(float(np.mean(hits)))
        product.append(float(np.exp(np.sum(np.log(np.maximum(probs, 1e-12))))))
        hard[pairs[int(np.argmin(probs))]] += 1
    env.close()
    (oracle_macro, agent_macro), _ = hard.most_common(1)[0]
    return {"steps": float(np.mean(lengths)), "p_mean": float(np.mean(mean_p)), "p_min": float(np.median(min_p)),
            "argmax_agrees": float(np.mean(agree)), "p_path": float(np.mean(product)),
            "hard_step": f"{oracle_macro} (agent: {agent_macro})"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="a trained and evaluated run folder (python -m simagym.train --out)")
    parser.add_argument("--seeds", type=int, default=4, help="oracle episodes per template (default 4)")
    parser.add_argument("--tasks", nargs="+", default=None, help="only these task ids (default: every evaluated one)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results" / "weak_templates.md")
    args = parser.parse_args()
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    import torch

    import simagym
    from simagym.agents.learned import LearnedAgent
    from simagym.eval.suite import load_suite

    torch.set_num_threads(1)
    from simagym.train.pipeline import EVAL_SEEDS

    config = json.loads((args.run / "config.json").read_text())
    seeds = list(load_suite(config["suite"]).seeds if config.get("suite") else EVAL_SEEDS)[:args.seeds]
    train, heldout = measured(args.run, "train"), measured(args.run, "heldout")
    tasks = args.tasks or sorted(train)
    if not tasks:
        raise SystemExit(f"{args.run} has no eval-train/episodes.jsonl: evaluate the run first")
    agent = LearnedAgent(args.run, seed=0)
    before, t0 = load(), time.monotonic()
    rows = []
    for i, task in enumerate(tasks, 1):
        spec = simagym.get_task(task)
        row = {"task": task, "category": spec.category.value, "world": spec.world,
               "train": train.get(task), "heldout": heldout.get(task),
               **teacher_forced(agent, task, seeds)}
        rows.append(row)
        print(f"[{i}/{len(tasks)}] {task}: success {row['train']:.2f}, oracle {row['steps']:.0f} steps, "
              f"p(oracle) mean {row['p_mean']:.2f} min {row['p_min']:.2f}", flush=True)
    write(args.out, rows, args, before, load(), time.monotonic() - t0)
    print(f"wrote {args.out}")
    return 0


def write(out: Path, rows: list[dict], args, load_before: float, load_after: float, seconds: float) -> None:
    from scipy.stats import spearmanr

    pct = lambda x: "-" if x is None else f"{100 * x:.0f}%"  # noqa: E731
    ok = [r for r in rows if r["train"] is not None]
    rho_len = spearmanr([r["steps"] for r in ok], [r["train"] for r in ok]).statistic if len(ok) > 2 else float("nan")
    rho_min = spearmanr([r["p_min"] for r in ok], [r["train"] for r in ok]).statistic if len(ok) > 2 else float("nan")
    rho_path = spearmanr([r["p_path"] for r in ok], [r["train"] for r in ok]).statistic if len(ok) > 2 else float("nan")
    lines = [
        "# Which templates the trained agent fails, and why", "",
        f"Run `{args.run}`; {len(rows)} templates, {args.seeds} oracle episodes each (the suite's first seeds, training"
        f" phrasings), teacher-forced: the agent's probability of the oracle's macro at every step of the oracle's own"
        f" path. Measured {time.strftime('%Y-%m-%d %H:%M')} by `python bench/weak_templates.py` in {seconds / 60:.1f} min;"
        f" load {load_before:.1f} before, {load_after:.1f} after (2-core machine).", "",
        "Rank correlation (Spearman) of a template's success (training phrasings) with:", "",
        f"- the oracle's episode length: {rho_len:+.2f}",
        f"- the agent's lowest step probability on the oracle's path (its hardest step): {rho_min:+.2f}",
        f"- the probability of the oracle's whole path (the product over steps): {rho_path:+.2f}", "",
        "## Success by the oracle's episode length", "",
        "| oracle steps | templates | success (training phrasings) | p(oracle's macro), mean | hardest step, median |",
        "|---|---:|---:|---:|---:|",
    ]
    for lo, hi in LENGTH_BUCKETS:
        part = [r for r in ok if lo <= round(r["steps"]) <= hi]
        if part:
            lines.append(f"| {lo}-{hi if hi < 10_000 else '...'} | {len(part)} | {pct(np.mean([r['train'] for r in part]))} |"
                         f" {np.mean([r['p_mean'] for r in part]):.2f} | {np.median([r['p_min'] for r in part]):.2f} |")
    lines += ["", "## By category", "", "| category | templates | success | oracle steps, median | p(oracle's macro) | hardest step |",
              "|---|---:|---:|---:|---:|---:|"]
    for cat in sorted({r["category"] for r in ok}):
        part = [r for r in ok if r["category"] == cat]
        lines.append(f"| {cat} | {len(part)} | {pct(np.mean([r['train'] for r in part]))} | {np.median([r['steps'] for r in part]):.0f} |"
                     f" {np.mean([r['p_mean'] for r in part]):.2f} | {np.median([r['p_min'] for r in part]):.2f} |")
    from collections import Counter

    weak = [r for r in ok if r["train"] < 0.5]
    kinds = Counter(r["hard_step"].split(" ")[0].split(":")[0] for r in weak)
    lines += ["", f"## The hardest step of the {len(weak)} templates under 50%", "",
              "What the oracle plays at the step the agent finds least likely (most often over the episodes):", "",
              "| the oracle's macro | templates |", "|---|---:|"]
    lines += [f"| {kind} | {n} |" for kind, n in kinds.most_common()]
    lines += ["", "## Every template, lowest success first", "",
              "| template | category | success | held-out | oracle steps | p(oracle's macro) | hardest step | argmax = oracle | p(whole path) | the hardest step, most often |",
              "|---|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in sorted(rows, key=lambda r: (r["train"] if r["train"] is not None else -1, r["task"])):
        lines.append(f"| {r['task']} | {r['category']} | {pct(r['train'])} | {pct(r['heldout'])} | {r['steps']:.0f} |"
                     f" {r['p_mean']:.2f} | {r['p_min']:.2f} | {pct(r['argmax_agrees'])} | {r['p_path']:.2g} |"
                     f" {r['hard_step']} |")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name("." + out.name + ".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(tmp, out)


if __name__ == "__main__":
    raise SystemExit(main())
