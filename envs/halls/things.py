"""Halls' vocabulary: the kinds of thing in the world, their sizes, and the mutable
world-side state behind each read-only :class:`~simagym.world.Entity` view."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simagym.world import Entity

COLOURS = ("red", "green", "blue", "yellow", "purple", "orange")
PATTERNS = ("plain", "striped", "brick", "checked")

ITEMS = ("ball", "box", "gem", "key")
LANDMARKS = ("lamp", "statue", "plant", "barrel")
BLOCKERS = LANDMARKS + ("pillar",)  # things that stand on a whole cell and block it
PLACES = ("room", "corridor", "corridor_end")
#: Ways to turn, by their angle clockwise from the heading the player started with.
TURNS = {"left": -90.0, "right": 90.0, "around": 180.0, "slightly_left": -45.0, "slightly_right": 45.0}
#: Degrees off a way to turn that still count as turned that way: less than one 15-degree arrow
#: step, so turning through a way with the arrows is never three ticks still in it.
TURN_WINDOW = 10.0

# Billboard size in cells (square sprites standing on the floor).
SPRITE_SIZE: dict[str, float] = {
    "pillar": 1.0, "lamp": 0.95, "statue": 0.9, "plant": 0.75, "barrel": 0.6,
    "ball": 0.36, "box": 0.36, "gem": 0.36, "key": 0.36,
}

# Faces of a wall cell, by the direction a viewer looks to see them (the face points back at the viewer).
# 0: seen looking east (+x), 1: looking west, 2: looking south (+y), 3: looking north.
FACE_DIRS: tuple[tuple[int, int], ...] = ((1, 0), (-1, 0), (0, 1), (0, -1))


@dataclass(eq=False)
class Thing:
    """One entity. ``pos`` is a point in cell units (a cell's centre is ``(x + 0.5, y + 0.5)``);
    ``None`` while carried. Buttons also have ``face`` (the direction one looks to see them)."""

    id: int
    kind: str
    colour: str | None = None
    pos: tuple[float, float] | None = None
    cell: tuple[int, int] | None = None
    face: int = -1
    open: bool = False
    locked: bool = False
    pressed: bool = False
    region: int = -1  # the room (or corridor) it is in; buttons: the room they face
    pattern: str | None = None
    landmark: str | None = None  # rooms and buttons: the landmark standing in the room
    far: bool = False
    room: str | None = None  # buttons: the colour of their room
    turn: str | None = None  # directions: a way to turn (see TURNS)
    _view: Entity | None = None

    def state(self) -> dict[str, Any]:
        k = self.kind
        if k == "door":
            return {"open": self.open, "locked": self.locked}
        if k == "button":
            return {"pressed": self.pressed, "landmark": self.landmark, "room": self.room}
        if k == "room":
            return {"pattern": self.pattern, "landmark": self.landmark}
        if k == "corridor_end":
            return {"far": self.far}
        if k == "direction":
            return {"turn": self.turn}
        return {}

    def view(self) -> Entity:
        if self._view is None:
            self._view = Entity(self.id, self.kind, self.colour, self.state())
        return self._view

    def changed(self) -> None:
        self._view = None

    def sprite_name(self) -> str:
        return f"{self.kind}:{self.colour}" if self.colour else self.kind
