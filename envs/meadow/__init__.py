"""Meadow: simagym's first world, a top-down 2D open world."""

from .solver import MeadowSolver
from .world import MeadowWorld

# The oracle plans on the world; the world never imports its planner.
MeadowWorld.solver_class = MeadowSolver

__all__ = ["MeadowWorld", "MeadowSolver"]
