"""The kit's checks of a team task: PettingZoo's own API test, and the joint oracle on every seed
(its episodes are the team's demonstrations, so it must solve them all)."""

from __future__ import annotations

from typing import Sequence

from simagym.testing.problems import crashed


def check_team_api(task_id: str) -> list[str]:
    """PettingZoo's ``parallel_api_test`` on the task's Parallel environment."""
    from pettingzoo.test import parallel_api_test

    import simagym.multi

    try:
        parallel_api_test(simagym.multi.parallel_env(task_id), num_cycles=50)
    except AssertionError as err:
        return [f"{task_id}: PettingZoo's parallel_api_test: {err or 'an assertion failed'}"]
    return []


def check_joint_oracle(task_id: str, seeds: Sequence[int]) -> list[str]:
    """The joint oracle, acting through the macros, wins every seed (a race: some player wins)."""
    import simagym.multi as multi

    raw = multi.parallel_env(task_id)
    env = multi.DiscreteActions(raw)
    oracle = multi.JointOracle(raw)
    failed = []
    for seed in seeds:
        try:
            env.reset(seed=seed)
            oracle.reset()
            infos: dict = {}
            while env.agents:
                *_, infos = env.step(oracle.act())
        except Exception as err:  # noqa: BLE001 - a crash in a plugin's world or solver is a finding
            return [crashed(f"{task_id}: seed {seed}: the joint oracle's episode", err)]
        if not infos["player_0"]["team_success"]:
            failed.append(seed)
    if failed:
        return [f"{task_id}: the joint oracle failed seeds {failed} of {len(seeds)}: each seat's solver plays "
                "its own role (world.seated(i)); it should also keep off what partners need (Solver.partners)"]
    return []


__all__ = ["check_team_api", "check_joint_oracle"]
