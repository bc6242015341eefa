"""Halls: simagym's first-person world, raycast rooms and corridors."""

from .solver import HallsSolver
from .world import HallsWorld

# The oracle plans on the world; the world never imports its planner.
HallsWorld.solver_class = HallsSolver

__all__ = ["HallsWorld", "HallsSolver"]
