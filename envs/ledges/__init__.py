"""Ledges: a side-view platformer with gravity, ladders, pits, levers and hazards."""

from .world import LedgesWorld

__all__ = ["LedgesWorld"]
