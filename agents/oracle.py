"""The oracle: a privileged planner that reads the world's ground truth but acts
only through the discrete macros learned agents use, so its episodes are
demonstrations a policy can imitate."""

from __future__ import annotations

from typing import Any

from simagym.agents.base import Agent
from simagym.world import Solver


class OracleAgent(Agent):
    name = "oracle"
    description = "scripted planner with access to the world's ground truth"
    privileged = True

    def __init__(self, seed: int | None = None) -> None:
        self._solver: Solver | None = None

    def reset(self, instruction: str, env: Any | None = None) -> None:
        if env is None:
            raise ValueError("the oracle needs the unwrapped env (it reads ground truth); pass env=env.unwrapped")
        self._solver = env.world.solver(env.goal)

    def act(self, observation: dict[str, Any]) -> int:
        if self._solver is None:
            raise RuntimeError("call reset() before act()")
        return self._solver.next_macro()
