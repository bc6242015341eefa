"""``summary.json`` (written atomically) and the results table printed with rich."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Iterable, Mapping

from rich.console import Console
from rich.table import Table

from simagym.eval.bootstrap import AGGREGATE, INTERVAL, grouped_rates, iqm, stratified_rate
from simagym.eval.stats import Rate
from simagym.multi.evaluate import agent_rates_records

SUMMARY_FILE = "summary.json"
GROUPS = {"by_category": "category", "by_world": "world", "by_task": "task", "by_split": "split"}
TABLE_GROUPS = ("by_category", "by_world", "by_split")  # by_task is in summary.json; too long for a table


def _rate_dict(rate: Rate) -> dict[str, float | int]:
    return {"success_rate": rate.success_rate, "ci_low": rate.ci_low, "ci_high": rate.ci_high,
            "ci_width": rate.ci_high - rate.ci_low, "episodes": rate.episodes, "successes": rate.successes}


def build_summary(records: Iterable[Mapping[str, Any]], *, agent: str, suite: Mapping[str, Any],
                  planned: int, simagym_version: str, agent_info: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Aggregate episode records; ``planned`` is how many the run asked for (for ``complete``).

    Every rate is the mean over (task, split) strata with a 95% stratified
    bootstrap interval (:mod:`simagym.eval.bootstrap`); ``iqm`` is the
    interquartile mean of the strata's rates.
    """
    # Sorted so the summary does not depend on the order workers finished in.
    records = sorted(records, key=lambda r: (r["task"], r["split"], r["seed"]))
    summary: dict[str, Any] = {
        "agent": agent,
        **{f"agent_{k}": v for k, v in (agent_info or {}).items()},
        "suite": dict(suite),
        "simagym_version": simagym_version,
        "planned": planned,
        "episodes": len(records),
        "complete": len(records) >= planned,
        "aggregate": AGGREGATE,
        "interval": INTERVAL,
    }
    if records:
        summary |= _rate_dict(stratified_rate(records))
        summary["iqm"] = _rate_dict(iqm(records))
        summary["mean_steps"] = sum(r["steps"] for r in records) / len(records)
        summary["mean_return"] = sum(r["return"] for r in records) / len(records)
    else:
        summary |= {"success_rate": None, "ci_low": None, "ci_high": None, "successes": 0, "iqm": None,
                    "mean_steps": None, "mean_return": None}
    for name, field in GROUPS.items():
        summary[name] = {group: _rate_dict(rate) for group, rate in grouped_rates(records, field).items()}
    players = agent_rates_records(records)
    if players:  # team tasks: ``success`` above is the team's; this is each seat the agent played
        summary["per_player"] = _rate_dict(stratified_rate(players))
        summary["per_player_by_task"] = {g: _rate_dict(r) for g, r in grouped_rates(players, "task").items()}
    return summary


def write_summary(out_dir: str | os.PathLike[str], summary: Mapping[str, Any]) -> Path:
    """Write ``summary.json`` so a reader never sees a half-written file."""
    return write_json_atomic(Path(out_dir) / SUMMARY_FILE, summary)


def write_json_atomic(path: Path, data: Mapping[str, Any]) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def render_summary(summary: Mapping[str, Any], console: Console | None = None) -> None:
    """Print the overall rate and the per-category, per-world and per-split rates."""
    console = console or Console()
    suite = summary["suite"]
    title = f"{summary['agent']} on {suite['name']}-v{suite['version']}"
    options = summary.get("agent_options")
    if options:  # how a learned agent acted: sampling or argmax, guidance scale
        title += f" ({', '.join(f'{k}={v}' for k, v in options.items())})"
    if not summary["complete"]:
        title += f" (incomplete: {summary['episodes']}/{summary['planned']} episodes)"
    table = Table(title=title, title_justify="left")
    table.add_column("by")
    table.add_column("group", style="bold")
    table.add_column("episodes", justify="right")
    table.add_column("success", justify="right")
    table.add_column("95% CI (bootstrap)", justify="right")

    def row(kind: str, name: str, r: Mapping[str, Any]) -> None:
        half = "" if r["ci_low"] is None else f" (±{50 * (r['ci_high'] - r['ci_low']):.1f})"
        table.add_row(kind, name, str(r["episodes"]), _pct(r["success_rate"]),
                      f"{_pct(r['ci_low'])} - {_pct(r['ci_high'])}{half}")

    row("overall", "all", summary)
    if summary.get("per_player"):
        row("overall", "per player", summary["per_player"])
    for group in TABLE_GROUPS:
        table.add_section()
        for name, r in summary[group].items():
            row(group.removeprefix("by_"), name, r)
    console.print(table)
