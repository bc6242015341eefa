"""A training run's evaluation: the trained agent with training phrasings, held-out phrasings and
held-out slot compositions, next to the random agent, each through the eval runner (so every
condition is exactly what ``python -m simagym.eval`` gives); then the comparison table, by world,
category and task, with the run's targets checked against it.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

#: condition -> (label, who plays, the suite split it plays). "random" plays training phrasings.
CONDITIONS: dict[str, tuple[str, str, str]] = {
    "train": ("training phrasings", "agent", "train"),
    "heldout": ("held-out phrasings", "agent", "heldout"),
    "heldout-composition": ("held-out compositions", "agent", "heldout-composition"),
    "random": ("random agent", "random", "train"),
}
#: What the default run aims at (issue 9): a success rate, every world and category this many times
#: the random agent, held-out phrasings this share of training phrasings.
TARGET_SUCCESS, TARGET_VS_RANDOM, TARGET_HELDOUT_SHARE = 0.60, 3.0, 0.90


def evaluate_agent(agent: str, suite, split: str, out: Path, *, episodes: int | None, workers: int,
                   console: Console, label: str, show_progress: bool = True,
                   agent_options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run the eval runner for one agent on one split of ``suite``; return summary.json's content.
    ``agent_options``: how it plays (team suites: its ``teammates``)."""
    from simagym.eval.runner import EvalRun
    from simagym.eval.suite import EvalSplit

    one_split = dataclasses.replace(suite, splits=(EvalSplit(split),))
    progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("{task.fields[successes]} successes"), TimeElapsedColumn(), TextColumn("ETA"),
                        TimeRemainingColumn(), console=console, disable=not show_progress)
    with EvalRun(agent, one_split, out, episodes_per_task=episodes, workers=workers,
                 agent_options=agent_options) as run, progress:
        bar = progress.add_task(label, total=len(run.episodes), completed=run.skipped, successes=0)
        successes = 0

        def advance(record: dict[str, Any]) -> None:
            nonlocal successes
            successes += bool(record["success"])
            progress.update(bar, advance=1, successes=successes)

        return run.execute(advance).summary


def evaluate_run(run_dir: Path, suite, *, episodes: int | None, workers: int, console: Console,
                 show_progress: bool) -> dict[str, dict[str, Any]]:
    """Every condition the suite has (held-out compositions need templates with two or more slots);
    results go to ``run_dir/eval-<condition>``."""
    from simagym.eval.suite import EvalSplit

    summaries = {}
    for condition, (label, who, split) in CONDITIONS.items():
        if split == EvalSplit.HELDOUT_COMPOSITION.value and not any(
                suite.spec(t) is not None and suite.spec(t).heldout_compositions for t in suite.tasks):
            continue
        summaries[condition] = evaluate_agent(
            str(run_dir) if who == "agent" else who, suite, split,
            run_dir / f"eval-{condition}", episodes=episodes, workers=workers, console=console,
            show_progress=show_progress, label=label if who == "random" else f"trained agent, {label}")
    return summaries


# --- the table --------------------------------------------------------------------------------

def comparison_rows(summaries: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows for ``all``, each world, category and task: every condition's rate, and trained / random."""
    rows = []
    names = [("all", "all", None)]
    for group in ("by_world", "by_category", "by_task"):
        keys = sorted(set().union(*(s.get(group, {}) for s in summaries.values())))
        names += [(group.removeprefix("by_"), k, group) for k in keys]
    for kind, name, group in names:
        row: dict[str, Any] = {"kind": kind, "name": name}
        for condition, summary in summaries.items():
            rate = summary if group is None else summary.get(group, {}).get(name)
            row[condition] = None if rate is None else rate["success_rate"]
            row[f"{condition}_ci"] = None if rate is None else [rate["ci_low"], rate["ci_high"]]
            row[f"{condition}_episodes"] = None if rate is None else rate["episodes"]
        trained, rand = row.get("train"), row.get("random")
        row["vs_random"] = None if trained is None or rand is None else (
            math.inf if rand == 0 and trained > 0 else (trained / rand if rand else None))
        rows.append(row)
    return rows


def targets(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The default run's targets, each with what was reached."""
    overall = next(r for r in rows if r["kind"] == "all")
    groups = [r for r in rows if r["kind"] in ("world", "category")]
    weakest = min(groups, key=lambda r: r["vs_random"] if r["vs_random"] is not None else 0.0, default=None)
    share = overall["heldout"] / overall["train"] if overall.get("heldout") is not None and overall["train"] else None
    return {
        "success": {"target": TARGET_SUCCESS, "reached": overall["train"],
                    "met": (overall["train"] or 0) >= TARGET_SUCCESS},
        "every_group_vs_random": {
            "target": TARGET_VS_RANDOM, "weakest": None if weakest is None else f"{weakest['kind']} {weakest['name']}",
            "reached": None if weakest is None else weakest["vs_random"],
            "met": weakest is not None and (weakest["vs_random"] or 0) >= TARGET_VS_RANDOM},
        "heldout_share": {"target": TARGET_HELDOUT_SHARE, "reached": share,
                          "met": share is not None and share >= TARGET_HELDOUT_SHARE},
    }


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def _ratio(x: float | None) -> str:
    if x is None:
        return "-"
    return "inf" if math.isinf(x) else f"{x:.1f}x"


def render_table(rows: list[dict[str, Any]], conditions: list[str], title: str, console: Console,
                 per_task: bool = False, labels: dict[str, str] | None = None) -> None:
    """Overall (with intervals), per world and category; per task too with ``per_task``. ``labels``
    names the conditions (default: :data:`CONDITIONS`' labels)."""
    table = Table(title=title)
    table.add_column("")
    for condition in conditions:
        table.add_column((labels or {}).get(condition) or CONDITIONS[condition][0], justify="right")
    table.add_column("vs random", justify="right")
    kind = None
    for row in rows:
        if row["kind"] == "task" and not per_task:
            continue
        if row["kind"] != kind and kind is not None:
            table.add_section()
        kind = row["kind"]
        if row["kind"] == "all":
            cells = [f"{_pct(row.get(c))} [{_pct(row[c + '_ci'][0])}-{_pct(row[c + '_ci'][1])}]"
                     if row.get(c) is not None else "-" for c in conditions]
        else:
            cells = [_pct(row.get(c)) for c in conditions]
        label = row["name"] if row["kind"] in ("all", "task") else f"{row['kind']}: {row['name']}"
        table.add_row(label, *cells, _ratio(row["vs_random"]))
    console.print(table)
