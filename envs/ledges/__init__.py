"""Ledges: a side-view platformer with gravity, ladders, pits, levers and hazards."""

from .solver import LedgesSolver
from .world import LedgesWorld

# The oracle plans on the world; the world never imports its planner.
LedgesWorld.solver_class = LedgesSolver

__all__ = ["LedgesWorld", "LedgesSolver"]
