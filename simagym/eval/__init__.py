"""Evaluation runs: suites of (task, seed, split) episodes, a resumable parallel
runner, success rates with stratified bootstrap confidence intervals, suite
content hashes, generalisation splits, rollout GIFs, and a results table.

Run from the command line with ``python -m simagym.eval --agent oracle --suite core``,
or from Python::

    from simagym.eval import load_suite, run_eval
    outcome = run_eval("random", load_suite("core"), "results/random-core", episodes_per_task=2)
"""

from __future__ import annotations

from simagym.eval.errors import EvalError
from simagym.eval.runner import RunOutcome, run_eval
from simagym.eval.stats import Rate, success_rate
from simagym.eval.suite import Episode, EvalSplit, Suite, SuiteError, available_suites, env_options, load_suite
from simagym.eval.summary import build_summary, render_summary, write_summary

__all__ = [
    "EvalError", "Episode", "EvalSplit", "Suite", "SuiteError", "available_suites", "env_options", "load_suite",
    "RunOutcome", "run_eval", "Rate", "success_rate", "build_summary", "render_summary", "write_summary",
]
