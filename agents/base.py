"""The agent protocol: reset with the instruction, then act on each observation.

Agents act in the world-independent macro space (:mod:`simagym.macros`), so
one agent runs in every world.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar, Sequence


class Agent(ABC):
    name: ClassVar[str] = "agent"
    description: ClassVar[str] = ""
    #: Only the oracle reads ground truth; the runner hands it the unwrapped env.
    privileged: ClassVar[bool] = False
    #: Episodes the evaluation runner plays side by side for this agent class (see :meth:`act_together`).
    group_size: ClassVar[int] = 1

    def reset(self, instruction: str, env: Any | None = None) -> None:  # noqa: B027 - stateless agents ignore it
        """Start an episode. ``env`` (the unwrapped env) is given only to privileged agents."""

    @abstractmethod
    def act(self, observation: dict[str, Any]) -> int:
        """Return a macro index for this observation."""

    @classmethod
    def act_together(cls, agents: Sequence["Agent"], observations: Sequence[dict[str, Any]]) -> list[int]:
        """Each agent's macro for its own episode's observation. A learned agent overrides this to
        act for all of them in one forward pass; the answer must be what each would say alone."""
        return [agent.act(obs) for agent, obs in zip(agents, observations)]

    def parameter_count(self) -> int:
        return 0

    def settings(self) -> dict[str, Any]:
        """The options that change how this agent acts (results record them beside its name)."""
        return {}
