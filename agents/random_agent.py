"""Uniformly random macros: the floor every agent must beat."""

from __future__ import annotations

from typing import Any

import numpy as np

from simagym.agents.base import Agent
from simagym.macros import MACROS


class RandomAgent(Agent):
    name = "random"
    description = "uniformly random macros"

    def __init__(self, seed: int | None = None) -> None:
        self._rng = np.random.default_rng(seed)

    def act(self, observation: dict[str, Any]) -> int:
        return int(self._rng.integers(len(MACROS)))
