"""The agent protocol: reset with the instruction, then act on each observation.

Agents act in the world-independent macro space (:mod:`simagym.macros`), so
one agent runs in every world.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar


class Agent(ABC):
    name: ClassVar[str] = "agent"
    description: ClassVar[str] = ""
    #: Only the oracle reads ground truth; the runner hands it the unwrapped env.
    privileged: ClassVar[bool] = False

    def reset(self, instruction: str, env: Any | None = None) -> None:  # noqa: B027 - stateless agents ignore it
        """Start an episode. ``env`` (the unwrapped env) is given only to privileged agents."""

    @abstractmethod
    def act(self, observation: dict[str, Any]) -> int:
        """Return a macro index for this observation."""

    def parameter_count(self) -> int:
        return 0
