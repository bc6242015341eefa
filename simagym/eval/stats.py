"""The :class:`Rate` record, and the Wilson score interval for one binomial proportion.

Summaries and the leaderboard use stratified bootstrap intervals
(:mod:`simagym.eval.bootstrap`) for every group, so that aggregates over
tasks of different difficulty are honest. :func:`success_rate` (Wilson) stays
as a closed-form check for a single task: at 20/20 a bootstrap interval is
[1, 1], while Wilson says the rate could still be as low as 84%.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any, Callable, Iterable, Mapping

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Rate:
    """A success rate over ``episodes`` with its confidence interval."""

    successes: int
    episodes: int
    success_rate: float
    ci_low: float
    ci_high: float

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def success_rate(successes: int, episodes: int, confidence: float = CONFIDENCE) -> Rate:
    """Wilson score interval for ``successes`` out of ``episodes`` (at least one)."""
    if episodes < 1 or not 0 <= successes <= episodes:
        raise ValueError(f"need 0 <= successes <= episodes and episodes >= 1, got {successes}/{episodes}")
    # Imported here: scipy.stats takes ~1.5 s to import, which every worker process would pay.
    from scipy.stats import binomtest

    ci = binomtest(successes, episodes).proportion_ci(confidence_level=confidence, method="wilson")
    return Rate(successes, episodes, successes / episodes, float(ci.low), float(ci.high))


def rate_of(records: Iterable[Mapping[str, Any]]) -> Rate:
    records = list(records)
    return success_rate(sum(bool(r["success"]) for r in records), len(records))


def grouped_rates(records: Iterable[Mapping[str, Any]], key: str | Callable[[Mapping[str, Any]], str]) -> dict[str, Rate]:
    """Rate per value of ``key`` (a record field or a function), sorted by group name."""
    get = (lambda r: str(r[key])) if isinstance(key, str) else key
    groups: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for record in records:
        groups[get(record)].append(record)
    return {name: rate_of(groups[name]) for name in sorted(groups)}
