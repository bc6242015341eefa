"""The discrete macros of :mod:`simagym.macros` for every player of a PettingZoo environment:
the same list, decoded by the same :class:`~simagym.macros.MacroDecoder`, one per player."""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import spaces
from pettingzoo.utils.wrappers import BaseParallelWrapper

from simagym.macros import MACROS, MacroDecoder


class DiscreteActions(BaseParallelWrapper):
    """Every agent acts with ``Discrete(len(MACROS))``, as :class:`simagym.macros.DiscreteActions` does alone."""

    def __init__(self, env) -> None:
        super().__init__(env)
        self._spaces = {agent: spaces.Discrete(len(MACROS)) for agent in env.possible_agents}
        self._decoders = {agent: MacroDecoder() for agent in env.possible_agents}

    def action_space(self, agent: str) -> spaces.Discrete:
        return self._spaces[agent]

    def reset(self, seed: int | None = None, options: dict | None = None):
        for decoder in self._decoders.values():
            decoder.reset()
        return self.env.reset(seed=seed, options=options)

    def step(self, actions: dict[str, Any]):
        return self.env.step({agent: self._decode(agent, a) for agent, a in actions.items()})

    def advance(self, actions: dict[str, Any]):
        """Macros for :meth:`TeamEnv.advance <simagym.multi.env.TeamEnv.advance>`: a step that draws nothing."""
        return self.env.advance({agent: self._decode(agent, a) for agent, a in actions.items()})

    def _decode(self, agent: str, action: Any):
        if action is None:
            return None
        if isinstance(action, np.ndarray):
            if action.size != 1:
                raise ValueError(f"{agent}: expected one macro index, got an array of shape {action.shape}")
            action = action.item()
        if not isinstance(action, (int, np.integer)) or isinstance(action, bool):
            raise ValueError(f"{agent}: a macro action must be an int in [0, {len(MACROS)}), got {action!r}")
        return self._decoders[agent].decode(int(action))


__all__ = ["DiscreteActions"]
