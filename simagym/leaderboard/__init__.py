"""The leaderboard: verified results folders ranked on one suite, as a static site.

``python -m simagym.leaderboard build RESULTS_DIR... --out SITE_DIR`` writes
``index.html`` (ranking overall and per category, world and split, with 95%
stratified bootstrap intervals, and paired comparisons), a page per agent with
per-task results and rollout GIFs, ``leaderboard.md`` and ``leaderboard.json``.
``python -m simagym.leaderboard verify RESULTS_DIR --replay K`` re-runs K random
episodes of a results folder with its agent and refuses it if any outcome differs
(:mod:`simagym.leaderboard.verify`); ``build --replay K`` marks the rows it verified.
``python -m simagym.leaderboard human RECORDING_DIR --out RESULTS_DIR`` turns
recorded human play (``python -m simagym.play --record``) into a ``human`` row.
"""

from __future__ import annotations

from simagym.leaderboard.results import Result, ResultError, load_result
from simagym.leaderboard.site import compute, write_site
from simagym.leaderboard.verify import Verification, verify_replay

__all__ = ["Result", "ResultError", "load_result", "compute", "write_site", "Verification", "verify_replay"]
