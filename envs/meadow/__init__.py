"""Meadow: simagym's first world, a top-down 2D open world."""

from .world import MeadowWorld

__all__ = ["MeadowWorld"]
