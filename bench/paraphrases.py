"""Unseen wording: `python bench/paraphrases.py RUN_DIR [--seeds 20]`.

Plays a trained agent on the templates of ``bench/paraphrases.yaml`` three ways on the same layouts
and slot values (the same seeds): with the task files' training phrasings, their held-out
phrasings, and the wordings of that file, which no task file holds and nothing was trained or tuned
on - how an agent does with a person's own words. Writes ``bench/results/paraphrases.md`` with 95%
intervals (bootstrap over episodes, stratified by template).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchrun import load  # noqa: E402

HERE = Path(__file__).resolve().parent
CONDITIONS = ("training phrasings", "held-out phrasings", "unseen wording")


def env_for(task: str, condition: str, wordings: list[str]):
    """The task's env; for unseen wording, its spec with those wordings as the held-out phrasings (the
    layout and slot values of a seed do not depend on the phrasings: separate random streams)."""
    import simagym
    from simagym.env import SimaEnv
    from simagym.macros import DiscreteActions
    from simagym.spec import Phrasings

    spec = simagym.get_task(task)
    if condition == "training phrasings":
        return DiscreteActions(simagym.make(task, phrasing="train"))
    if condition == "held-out phrasings":
        return DiscreteActions(simagym.make(task, phrasing="heldout"))
    changed = spec.model_copy(update={"phrasings": Phrasings(train=spec.phrasings.train, heldout=tuple(wordings))})
    return DiscreteActions(SimaEnv(changed, simagym.get_world(spec.world)(), phrasing="heldout"))


def play(run: Path, task: str, condition: str, wordings: list[str], seeds: list[int]) -> tuple[list[bool], list[str]]:
    from simagym.agents.learned import LearnedAgent

    env = env_for(task, condition, wordings)
    wins, texts = [], []
    for seed in seeds:
        obs, _ = env.reset(seed=seed)
        agent = LearnedAgent(run, seed=seed)  # seeded per episode, as an evaluation seeds it
        agent.reset(obs["instruction"])
        texts.append(obs["instruction"])
        done, info = False, {}
        while not done:
            obs, _, terminated, truncated, info = env.step(agent.act(obs))
            done = terminated or truncated
        wins.append(bool(info["success"]))
    env.close()
    return wins, texts


def interval(by_task: dict[str, list[bool]], rng: np.random.Generator, n: int = 2000) -> tuple[float, float, float]:
    """Mean over templates of each template's rate, with a stratified bootstrap 95% interval."""
    rows = [np.asarray(v, float) for v in by_task.values()]
    point = float(np.mean([r.mean() for r in rows]))
    draws = [np.mean([r[rng.integers(len(r), size=len(r))].mean() for r in rows]) for _ in range(n)]
    return point, float(np.percentile(draws, 2.5)), float(np.percentile(draws, 97.5))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="a trained run folder (python -m simagym.train --out)")
    parser.add_argument("--seeds", type=int, default=20, help="seeds per template (default 20, from 1000)")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "paraphrases.md")
    args = parser.parse_args()
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import json

    import torch
    import yaml

    torch.set_num_threads(1)
    wordings: dict[str, list[str]] = yaml.safe_load((HERE / "paraphrases.yaml").read_text(encoding="utf-8"))
    seeds = list(range(1000, 1000 + args.seeds))
    config = json.loads((args.run / "config.json").read_text())
    before, t0 = load(), time.monotonic()
    results: dict[str, dict[str, list[bool]]] = {c: {} for c in CONDITIONS}
    examples: dict[str, str] = {}
    for task, words in wordings.items():
        for condition in CONDITIONS:
            wins, texts = play(args.run, task, condition, words, seeds)
            results[condition][task] = wins
            if condition == "unseen wording":
                examples[task] = texts[0]
        print(task, " ".join(f"{c}: {np.mean(results[c][task]):.2f}" for c in CONDITIONS), flush=True)
    seconds, after = time.monotonic() - t0, load()
    rng = np.random.default_rng(0)
    overall = {c: interval(results[c], rng) for c in CONDITIONS}
    pct = lambda x: f"{100 * x:.1f}%"  # noqa: E731
    lines = [
        "# Unseen wording: the task files' phrasings against a person's own", "",
        f"Agent `{args.run}` (text encoder: {config.get('text_encoder')}, trained on `{config.get('suite') or 'its tasks'}`)."
        f" {len(wordings)} templates x {len(seeds)} seeds (1000-{seeds[-1]}), the same layouts and slot values in every"
        f" column, the agent sampling as it does in evaluation. The unseen wordings are in `bench/paraphrases.yaml`:"
        f" written after training, in no task file, never trained or tuned on. Measured {time.strftime('%Y-%m-%d %H:%M')}"
        f" by `python bench/paraphrases.py` in {seconds / 60:.1f} min; load {before:.1f} before, {after:.1f} after"
        " (2-core machine).", "",
        "| wording | success [95% CI] | vs training phrasings |", "|---|---|---|",
    ]
    base = overall["training phrasings"][0]
    for c in CONDITIONS:
        p, lo, hi = overall[c]
        lines.append(f"| {c} | {pct(p)} [{pct(lo)}-{pct(hi)}] | {p / base:.2f} |" if base else f"| {c} | {pct(p)} | - |")
    lines += ["", "| template | training | held-out | unseen | an unseen instruction |", "|---|---:|---:|---:|---|"]
    for task in wordings:
        cells = " | ".join(pct(np.mean(results[c][task])) for c in CONDITIONS)
        lines.append(f"| {task} | {cells} | \"{examples[task]}\" |")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_name("." + args.out.name + ".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(tmp, args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
