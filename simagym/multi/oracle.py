"""The joint oracle: each seat's own oracle planner (the world's :class:`~simagym.world.Solver`),
working on that player's part of the team task from its seat, answering with macros - so the
team's episodes are demonstrations for every seat."""

from __future__ import annotations

from simagym.world import Solver

from .env import TeamEnv


class JointOracle:
    name = "oracle"
    privileged = True

    def __init__(self, env: TeamEnv) -> None:
        self.env = env
        self._solvers: list[Solver] = []

    def reset(self) -> None:
        """Plan afresh for the episode the env has just reset to."""
        world = self.env.world
        self._solvers = []
        players = range(self.env.task.players)
        for seat in players:
            with world.seated(seat):
                self._solvers.append(world.solver(self.env.goal(seat)))
        for seat, solver in enumerate(self._solvers):
            solver.partners = tuple(self.env.goal(other) for other in players if other != seat)

    def macro(self, seat: int) -> int:
        """Player ``seat``'s macro this tick."""
        if not self._solvers:
            raise RuntimeError("call reset() after the env's reset()")
        with self.env.world.seated(seat):
            return self._solvers[seat].next_macro()

    def act(self) -> dict[str, int]:
        """A macro for every live agent."""
        return {agent: self.macro(self.env.possible_agents.index(agent)) for agent in self.env.agents}


__all__ = ["JointOracle"]
