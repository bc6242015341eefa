"""GameUI: the user-interface layer of a game - menus, settings, inventory, crafting, shop, map, dialogue."""

from .world import GameUIWorld

__all__ = ["GameUIWorld"]
