"""What the training benchmarks share: a training run in a fresh process, an evaluation, the machine's
load beside every figure, and the way rates are printed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console


def load() -> float:
    return os.getloadavg()[0]


def train(out: Path, flags: list[str], console: Console) -> dict[str, Any]:
    """``python -m simagym.train`` in a fresh process; returns results.json plus wall time and load."""
    cmd = [sys.executable, "-m", "simagym.train", "--out", str(out), "--no-progress", "--no-eval",
           "--no-time-limit", *flags]
    console.print(" ".join(cmd[1:]))
    before, t0 = load(), time.monotonic()
    subprocess.run(cmd, check=True)
    record = json.loads((out / "results.json").read_text())
    record["bench"] = {"wall_s": time.monotonic() - t0, "load_before": before, "load_after": load(),
                       "flags": flags}
    (out / "bench.json").write_text(json.dumps(record["bench"], indent=2))
    return record


def trained(out: Path, flags: list[str], console: Console, retrain: bool = False) -> dict[str, Any]:
    """:func:`train`, or the finished run already in ``out`` (an interrupted one is trained again)."""
    import shutil

    if (out / "bench.json").exists() and not retrain:
        record = json.loads((out / "results.json").read_text())
        record["bench"] = json.loads((out / "bench.json").read_text())
        return record
    if out.exists():
        shutil.rmtree(out)
    console.rule(out.name)
    return train(out, flags, console)


def evaluate(agent: str, suite, out: Path, options: dict[str, Any], workers: int) -> dict[str, Any]:
    """The eval runner's summary, cached in ``out`` (a finished evaluation is not run again)."""
    from simagym.eval.runner import run_eval

    cached = out / "bench-summary.json"
    if cached.exists():
        return json.loads(cached.read_text())
    before, t0 = load(), time.monotonic()
    summary = run_eval(agent, suite, out, workers=workers, agent_options=options).summary
    summary["bench"] = {"wall_s": time.monotonic() - t0, "load_before": before, "load_after": load()}
    cached.write_text(json.dumps(summary, indent=2))
    return summary


def pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def rate(summary: dict[str, Any]) -> str:
    return f"{pct(summary['success_rate'])} [{pct(summary['ci_low'])}-{pct(summary['ci_high'])}]"
