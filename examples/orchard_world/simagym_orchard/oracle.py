"""The orchard's oracle: reads the world's ground truth, answers with macro indices. simagym's
OracleAgent, demonstrations for training, the audit and the plugin kit all play through it."""

from __future__ import annotations

from simagym.checks import Check, Happened, Holding, Near, pending_goal
from simagym.macros import NOOP, key_macro
from simagym.world import Selector, Solver

from simagym_orchard.world import OrchardWorld, Thing


class OrchardSolver(Solver):
    """Works on the pending sub-goal (:func:`simagym.checks.pending_goal`): walk beside a thing and
    face it, then press E to pick, put or open; stop (a no-op) where the goal is to be near."""

    def __init__(self, world: OrchardWorld, check: Check) -> None:
        self.world, self.check = world, check

    def next_macro(self) -> int:
        goal = pending_goal(self.check, self.world)
        if isinstance(goal, Near):
            return self._towards(self._one(goal.selector), stop_beside=True)
        if isinstance(goal, Holding):
            return self._towards(self._one(goal.selector))
        if isinstance(goal, Happened) and goal.type == "put_in":
            if not any(e.matches(goal.roles["item"]) for e in self.world.inventory()):
                return self._towards(self._one(goal.roles["item"]))
            return self._towards(self._one(goal.roles["container"]))
        if isinstance(goal, Happened) and goal.type in ("picked", "opened"):
            return self._towards(self._one(next(iter(goal.roles.values()))))
        return NOOP  # done (the judge ends the episode), or a goal this oracle cannot reach

    def _one(self, selector: Selector) -> Thing:
        """The thing a required selector names (the world made it exist exactly once)."""
        return self.world.things[self.world.find(selector)[0].id]

    def _towards(self, thing: Thing, stop_beside: bool = False) -> int:
        w = self.world
        if stop_beside and w.is_near(thing.view()):
            return NOOP  # a no-op where the goal holds: "done", for the settled judge
        if w.faced() == thing.cell:
            return key_macro("E")
        keys = w.path_to(thing.cell)
        return key_macro(keys[0]) if keys else NOOP


OrchardWorld.solver_class = OrchardSolver
