"""Success rates with 95% stratified bootstrap confidence intervals (``scipy.stats.bootstrap``).

The unit of evaluation is an episode, and episodes are grouped into **strata**:
one per (task, split). A group's success rate (a category, a world, a split,
one task, or everything) is the **mean over its strata of each stratum's
success rate**, so every task and split weighs the same however many episodes
it has; when every stratum has the same number of episodes (a complete suite
run) it equals successes / episodes.

Its 95% interval is a *stratified* percentile bootstrap, as in rliable
(Agarwal et al., 2021): each resample draws episodes with replacement *within*
every stratum (``scipy.stats.bootstrap`` with one sample per stratum and
``paired=False``), so task difficulty does not masquerade as sampling noise.
Resampling uses a fixed seed, so a summary is reproducible to the bit.

Besides the mean, :func:`iqm` gives the interquartile mean of the strata's
success rates (the middle 50%; robust to a few trivial or impossible tasks)
with its own stratified interval. The leaderboard ranks by the mean.

:func:`compare` is the paired comparison of two results on the *same*
episodes (task, seed, split): the probability of improvement
``P(A > B)`` - the chance that A succeeds where B fails on a random shared
episode of a random stratum, counting ties as one half - and the difference
in success rate, each with a stratified (paired) bootstrap interval.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from simagym.eval.stats import Rate

CONFIDENCE = 0.95
N_RESAMPLES = 2000
SEED = 0
METHOD = "percentile"
INTERVAL = f"{CONFIDENCE:.0%} stratified percentile bootstrap over episodes within each (task, split), " \
           f"{N_RESAMPLES} resamples (scipy.stats.bootstrap)"
AGGREGATE = "mean over (task, split) strata of their success rates"

Record = Mapping[str, Any]
StratumKey = Callable[[Record], tuple]


def default_stratum(record: Record) -> tuple[str, str]:
    return (str(record["task"]), str(record["split"]))


def _strata(records: Iterable[Record], key: StratumKey) -> list[np.ndarray]:
    groups: dict[tuple, list[float]] = defaultdict(list)
    for record in records:
        groups[key(record)].append(1.0 if record["success"] else 0.0)
    return [np.asarray(groups[k]) for k in sorted(groups)]


def _bootstrap(samples: Sequence[np.ndarray], statistic: Callable[..., np.ndarray]) -> tuple[float, float]:
    """Percentile interval of ``statistic`` under resampling within each sample."""
    # scipy.stats takes ~1.5 s to import; only summaries pay it, never the episode workers.
    from scipy.stats import bootstrap

    # scipy needs two observations per sample; a one-episode stratum resamples to itself, as does [x, x].
    data = [np.repeat(s, 2) if s.size == 1 else s for s in samples]
    if all(np.all(s == s[0]) for s in data):  # nothing varies: the interval is the point
        value = float(statistic(*data, axis=-1))
        return value, value
    result = bootstrap(
        data, statistic, n_resamples=N_RESAMPLES, confidence_level=CONFIDENCE, method=METHOD,
        paired=False, vectorized=True, axis=-1, rng=np.random.default_rng(SEED),
    )
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


def _mean_of_means(*samples: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.mean([s.mean(axis=axis) for s in samples], axis=0)


def _iqm_of_means(*samples: np.ndarray, axis: int = -1) -> np.ndarray:
    from scipy.stats import trim_mean

    return trim_mean(np.stack([s.mean(axis=axis) for s in samples], axis=-1), 0.25, axis=-1)


def _rate(samples: list[np.ndarray], statistic: Callable[..., np.ndarray]) -> Rate:
    if not samples:
        raise ValueError("no episodes to compute a success rate from")
    successes = int(sum(s.sum() for s in samples))
    episodes = int(sum(s.size for s in samples))
    point = float(statistic(*samples, axis=-1))
    low, high = _bootstrap(samples, statistic)
    # A percentile interval can miss its own point estimate by rounding; never report that.
    return Rate(successes, episodes, point, min(low, point), max(high, point))


def stratified_rate(records: Iterable[Record], stratum: StratumKey = default_stratum) -> Rate:
    """The mean success rate over strata with its 95% stratified bootstrap interval."""
    return _rate(_strata(records, stratum), _mean_of_means)


def iqm(records: Iterable[Record], stratum: StratumKey = default_stratum) -> Rate:
    """Interquartile mean of the strata's success rates with its stratified bootstrap interval."""
    return _rate(_strata(records, stratum), _iqm_of_means)


def grouped_rates(records: Iterable[Record], key: str | Callable[[Record], str],
                  stratum: StratumKey = default_stratum) -> dict[str, Rate]:
    """:func:`stratified_rate` per value of ``key`` (a record field or a function), sorted by group."""
    get = (lambda r: str(r[key])) if isinstance(key, str) else key
    groups: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        groups[get(record)].append(record)
    return {name: stratified_rate(groups[name], stratum) for name in sorted(groups)}


# --- paired comparison ------------------------------------------------------------------

@dataclass(frozen=True)
class Comparison:
    """A against B on the episodes both ran."""

    shared_episodes: int
    a_only_successes: int  # A succeeded, B failed
    b_only_successes: int  # B succeeded, A failed
    probability_of_improvement: float
    poi_low: float
    poi_high: float
    difference: float  # A's mean success rate minus B's, over the shared strata
    diff_low: float
    diff_high: float

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def _episode_key(record: Record) -> tuple[str, int, str]:
    return (str(record["task"]), int(record["seed"]), str(record["split"]))


def _poi(*samples: np.ndarray, axis: int = -1) -> np.ndarray:
    # Each observation encodes a pair as 2a + b: a win (A only) is 2, a loss 1, a tie 0 or 3.
    per = [((s == 2) + 0.5 * ((s == 0) | (s == 3))).mean(axis=axis) for s in samples]
    return np.mean(per, axis=0)


def _diff(*samples: np.ndarray, axis: int = -1) -> np.ndarray:
    per = [((s >= 2).astype(float) - (s % 2)).mean(axis=axis) for s in samples]
    return np.mean(per, axis=0)


def compare(a: Iterable[Record], b: Iterable[Record], stratum: StratumKey = default_stratum) -> Comparison | None:
    """Paired comparison on the episodes (task, seed, split) that both ``a`` and ``b`` ran; ``None`` if none."""
    b_by_key = {_episode_key(r): r for r in b}
    groups: dict[tuple, list[int]] = defaultdict(list)
    wins = losses = 0
    for record in a:
        other = b_by_key.get(_episode_key(record))
        if other is None:
            continue
        sa, sb = bool(record["success"]), bool(other["success"])
        wins += sa and not sb
        losses += sb and not sa
        groups[stratum(record)].append(2 * sa + sb)
    if not groups:
        return None
    samples = [np.asarray(groups[k], dtype=float) for k in sorted(groups)]
    poi = float(_poi(*samples))
    diff = float(_diff(*samples))
    poi_low, poi_high = _bootstrap(samples, _poi)
    diff_low, diff_high = _bootstrap(samples, _diff)
    return Comparison(
        shared_episodes=sum(s.size for s in samples), a_only_successes=wins, b_only_successes=losses,
        probability_of_improvement=poi, poi_low=min(poi_low, poi), poi_high=max(poi_high, poi),
        difference=diff, diff_low=min(diff_low, diff), diff_high=max(diff_high, diff),
    )
