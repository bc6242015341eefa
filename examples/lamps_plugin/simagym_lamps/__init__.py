"""Lamps: an example simagym world. A row of coloured lamps; A/D walk one cell, E switches
the lamp you stand at on or off. Everything a world needs, in one file: its layout
parameters, its entities and events, its pixels, and an oracle."""

from __future__ import annotations

from typing import ClassVar, Iterable

import numpy as np
from pydantic import Field

from simagym.actions import Input
from simagym.macros import NOOP, key_macro
from simagym.world import Entity, Event, LayoutParams, Selector, Solver, World

COLOURS = {"red": (220, 50, 50), "green": (50, 190, 70), "blue": (60, 90, 230), "yellow": (235, 210, 40)}


class LampsLayout(LayoutParams):
    """What a task file may set under ``layout:``."""

    lamps: int = Field(default=3, ge=1, le=len(COLOURS))
    width: int = Field(default=9, ge=4, le=16)


class LampsWorld(World):
    name = "lamps"
    Layout = LampsLayout
    vocabulary: ClassVar = {"kind": frozenset({"lamp"}), "colour": frozenset(COLOURS)}
    events: ClassVar = frozenset({"switched_on", "switched_off"})

    def reset(self, rng: np.random.Generator, layout: LampsLayout, required: list[Selector]) -> None:
        # Every required lamp exists exactly once: colours are drawn without repeats, required first.
        wanted = [s["colour"] for s in required if s.get("kind") == "lamp" and "colour" in s]
        others = [c for c in rng.permutation(list(COLOURS)) if c not in wanted]
        colours = (wanted + others)[:max(layout.lamps, len(wanted))]
        # The player starts at the left end, the lamps in random cells to its right: no goal starts
        # reached, and walking right meets the named lamp first no more often than chance.
        cells = 1 + rng.choice(layout.width - 1, size=len(colours), replace=False)
        self.width = layout.width
        self.player = self.start = 0
        self.lamps = {i: {"colour": str(c), "cell": int(cell), "on": False}
                      for i, (c, cell) in enumerate(zip(colours, cells))}

    def step(self, inp: Input) -> list[Event]:
        events: list[Event] = []
        if "A" in inp.keys:
            self.player = max(0, self.player - 1)
        if "D" in inp.keys:
            self.player = min(self.width - 1, self.player + 1)
        if "E" in inp.keys:
            for i, lamp in self.lamps.items():
                if lamp["cell"] == self.player:
                    lamp["on"] = not lamp["on"]
                    events.append(Event("switched_on" if lamp["on"] else "switched_off", {"target": self._view(i)}))
        return events

    def render(self, height: int, width: int) -> np.ndarray:
        frame = np.full((height, width, 3), 30, np.uint8)
        cell = width / self.width
        gap = 1 if cell >= 3 else 0  # a pixel between neighbours, when cells are wide enough to spare it

        def span(i: int) -> slice:
            return slice(int(i * cell) + gap, max(int((i + 1) * cell) - gap, int(i * cell) + gap + 1))

        for lamp in self.lamps.values():
            shade = 1.0 if lamp["on"] else 0.45
            frame[height // 4: height // 2, span(lamp["cell"])] = (np.array(COLOURS[lamp["colour"]]) * shade).astype(np.uint8)
        frame[3 * height // 4:, span(self.player)] = 255
        return frame

    # --- queries: ground truth for checks and the oracle --------------------------------
    def _view(self, i: int) -> Entity:
        lamp = self.lamps[i]
        return Entity(i, "lamp", lamp["colour"], {"on": lamp["on"]})

    def entities(self) -> Iterable[Entity]:
        return [self._view(i) for i in self.lamps]

    def is_near(self, entity: Entity) -> bool:
        return self.lamps[entity.id]["cell"] == self.player

    def inventory(self) -> list[Entity]:
        return []

    def displacement(self) -> tuple[float, float]:
        return (float(self.player - self.start), 0.0)

    def solver(self, check) -> Solver:
        return LampsSolver(self, check)


class LampsSolver(Solver):
    """Walk to the lamp the pending goal names; switch it on if the goal is an event; then stop."""

    def __init__(self, world: LampsWorld, check) -> None:
        self.world, self.check = world, check

    def next_macro(self) -> int:
        from simagym.checks import Happened, Near, pending_goal

        goal = pending_goal(self.check, self.world)
        if goal is None:
            return NOOP  # done: the judge ends the episode
        selector = goal.selector if isinstance(goal, Near) else goal.roles["target"] if isinstance(goal, Happened) else None
        if selector is None:
            return NOOP
        lamp = self.world.lamps[self.world.find(selector)[0].id]
        if lamp["cell"] != self.world.player:
            return key_macro("D" if lamp["cell"] > self.world.player else "A")
        return key_macro("E") if isinstance(goal, Happened) else NOOP


__all__ = ["LampsWorld", "LampsLayout", "LampsSolver"]
