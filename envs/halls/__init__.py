"""Halls: simagym's first-person world, raycast rooms and corridors."""

from .world import HallsWorld

__all__ = ["HallsWorld"]
