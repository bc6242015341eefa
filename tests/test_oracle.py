"""The catalogue sweep: the privileged oracle solves every task template on 20
seeds, acting only through the discrete macros, so its episodes are demonstrations
that replay to the same success from the actions alone (the plugin kit's check,
simagym.testing.check_oracle, on every bundled task)."""

from __future__ import annotations

import pytest

import simagym
from simagym.agents import load_agent
from simagym.macros import MACROS
from simagym.testing import check_oracle, run_oracle
from simagym.testing.problems import raise_if

from conftest import all_task_ids

TASK_IDS = all_task_ids()
SEEDS = range(20)


@pytest.mark.parametrize("task_id", TASK_IDS)
def test_oracle_solves_every_seed_with_macros_that_replay(task_id):
    raise_if(check_oracle(task_id, SEEDS))


@pytest.mark.parametrize("task_id", ["meadow/go-to-house-v1", "meadow/put-in-chest-v1", "meadow/equip-tool-v1"])
def test_oracle_solves_heldout_phrasings(task_id):
    for seed in range(5):
        assert run_oracle(task_id, seed, phrasing="heldout").success, seed


def test_oracle_needs_the_unwrapped_env():
    agent = load_agent("oracle")
    with pytest.raises(RuntimeError, match="reset"):
        agent.act({})
    with pytest.raises(ValueError, match="unwrapped"):
        agent.reset("go to the red house")


def test_random_agent_is_seeded_and_plays_macros():
    a, b = load_agent("random", seed=1), load_agent("random", seed=1)
    first = [a.act({}) for _ in range(50)]
    assert first == [b.act({}) for _ in range(50)]
    assert all(isinstance(x, int) and 0 <= x < len(MACROS) for x in first)
    assert len(set(first)) > 10


def test_unknown_agent_is_a_clear_error():
    with pytest.raises(ValueError, match="oracle"):
        load_agent("oracel")


@pytest.mark.slow
@pytest.mark.parametrize("task_id", TASK_IDS)
def test_oracle_solves_many_seeds(task_id):
    """Opt in with ``-m slow``: 200 seeds per template, both phrasing splits."""
    failures = [
        (seed, split) for seed in range(20, 220) for split in ("train", "heldout")[seed % 2:][:1]
        if not run_oracle(task_id, seed, phrasing=split).success
    ]
    assert not failures, f"{task_id}: the oracle failed on {failures}"


def test_oracle_reaches_the_pen_gate_on_many_seeds():
    """Regression: the pen's gate must be reachable in every generated layout
    (a pond could wall in the one cell in front of the gate)."""
    task_id = "meadow/go-to-gate-v1"
    failures = [seed for seed in range(300) if not run_oracle(task_id, seed).success]
    assert not failures, f"{task_id}: the oracle failed on seeds {failures}"
