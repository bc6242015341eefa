"""GameUI: the user-interface layer of a game - menus, settings, inventory, crafting, shop, map, dialogue."""

from .solver import GameUISolver
from .world import GameUIWorld

# The oracle plans on the world; the world never imports its planner.
GameUIWorld.solver_class = GameUISolver

__all__ = ["GameUIWorld", "GameUISolver"]
