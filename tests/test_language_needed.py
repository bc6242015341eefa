"""The v2 catalogue needs language: a fixed key sequence and the random agent stay near chance.

The full measurement is ``simagym audit`` (docs/audit/); these are its cheapest, fixed-seed
guards, so a change to a task or a world that lets a blind player through fails here.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest

import simagym
from simagym.eval import blind
from simagym.eval.baselines import play_random
from simagym.eval.suite import Episode, load_suite
from simagym.judge import alternatives
from simagym.macros import DiscreteActions

SEEDS = range(70_000, 70_010)
CORE = load_suite("core-v2")


@pytest.mark.parametrize("world", ["meadow", "halls", "gameui", "ledges"])
def test_i_tab_esc_passes_no_template_above_chance(world):
    script = blind.SCRIPTS["I-Tab-Esc"]
    over = []
    for task in (t for t in CORE.tasks if t.startswith(world + "/")):
        env = DiscreteActions(simagym.make(task))
        wins, chance = [], []
        for seed in SEEDS:
            env.reset(seed=seed)
            chance.append(1 / (1 + len(alternatives(env.unwrapped.instruction, env.unwrapped.world))))
            wins.append(blind.play(env, script.macros()))
        if np.mean(wins) > np.mean(chance) + 0.10:
            over.append(f"{task}: {np.mean(wins):.0%} vs chance {np.mean(chance):.0%}")
    assert not over, over


def test_the_random_agent_stays_under_five_percent_and_ten_per_category():
    episodes = [Episode(t, s, "train") for t in CORE.tasks for s in SEEDS]
    results = play_random(episodes)
    by_category: dict[str, list[bool]] = defaultdict(list)
    for ep, (_, success) in zip(episodes, results):
        by_category[CORE.spec(ep.task).category.value].append(success)
    overall = np.mean([s for _, s in results])
    assert overall <= 0.05, overall
    assert all(np.mean(v) <= 0.10 for v in by_category.values()), {k: np.mean(v) for k, v in by_category.items()}
