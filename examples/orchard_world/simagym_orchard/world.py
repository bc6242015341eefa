"""Orchard: a fenced orchard seen from above. Fruit trees (one apple, one pear, one plum at most),
coloured baskets and a gate in the fence. W A S D walk (pushing into something turns you to face
it); E picks the fruit of the tree you face, puts the fruit you carry into the basket you face, or
opens the gate you face."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import ClassVar, Iterable

import numpy as np
from pydantic import Field

from simagym.actions import Input
from simagym.world import Entity, Event, LayoutError, LayoutParams, Selector, World, retry_layout

FRUITS = {"apple": (200, 40, 40), "pear": (190, 200, 60), "plum": (110, 50, 150)}
BASKETS = {"red": (220, 60, 60), "blue": (60, 90, 220), "yellow": (230, 200, 50)}
MOVES = {"W": (0, -1), "S": (0, 1), "A": (-1, 0), "D": (1, 0)}
TILE = 8  # pixels per cell before scaling to the asked resolution


class OrchardLayout(LayoutParams):
    """What a task file may set under ``layout:``."""

    size: int = Field(default=7, ge=5, le=10, description="cells per side, the fence included")
    trees: int = Field(default=3, ge=1, le=len(FRUITS))
    baskets: int = Field(default=2, ge=1, le=len(BASKETS))


@dataclass
class Thing:
    """The world's own mutable record of one entity; :meth:`view` is what checks read."""

    id: int
    kind: str
    cell: tuple[int, int]
    colour: str | None = None
    state: dict = field(default_factory=dict)

    def view(self) -> Entity:
        return Entity(self.id, self.kind, self.colour, dict(self.state))


class OrchardWorld(World):
    name = "orchard"
    Layout = OrchardLayout
    vocabulary: ClassVar = {"kind": frozenset({"tree", "basket", "gate", *FRUITS}),
                            "colour": frozenset(BASKETS), "fruit": frozenset(FRUITS)}
    event_roles: ClassVar = {"picked": frozenset({"item"}), "put_in": frozenset({"item", "container"}),
                             "opened": frozenset({"target"})}
    events: ClassVar = frozenset(event_roles)

    def reset(self, rng: np.random.Generator, layout: OrchardLayout, required: list[Selector]) -> None:
        # One tree per fruit and one basket per colour, the required ones always among them:
        # every required selector then matches exactly one entity.
        fruits = _wanted_first([s.get("fruit", s.get("kind")) for s in required], FRUITS, layout.trees, rng)
        colours = _wanted_first([s.get("colour") for s in required if s.get("kind") == "basket"],
                                BASKETS, layout.baskets, rng)
        self.size = layout.size
        retry_layout(lambda: self._place(rng, fruits, colours), 50,
                     lambda: f"could not lay out {fruits} and {colours} in a {layout.size}-cell orchard")

    def _place(self, rng: np.random.Generator, fruits: list[str], colours: list[str]) -> bool:
        inside = [(x, y) for y in range(1, self.size - 1) for x in range(1, self.size - 1)]
        cells = [inside[i] for i in rng.permutation(len(inside))[:len(fruits) + len(colours) + 1]]
        # A tree and its fruit share a cell; an entity's id is its index in self.things.
        kinds = [("tree", None, {"fruit": f}) for f in fruits] + [(f, None, {"on_tree": True}) for f in fruits]
        kinds += [("basket", colour, {}) for colour in colours]
        where = cells[:len(fruits)] * 2 + cells[len(fruits):]
        self.things = [Thing(i, kind, cell, colour, state)
                       for i, ((kind, colour, state), cell) in enumerate(zip(kinds, where))]
        self.gate = Thing(len(self.things), "gate", (int(rng.integers(1, self.size - 1)), 0), state={"open": False})
        self.things.append(self.gate)
        self.player = self.start = cells[-1]
        self.facing = (0, 1)
        self.held: Thing | None = None
        if any(self.path_to(t.cell) is None for t in self.things if t.kind in ("tree", "basket", "gate")):
            raise LayoutError("something is walled in")  # retry_layout draws again
        return True

    def blocked(self, cell: tuple[int, int]) -> bool:
        x, y = cell
        border = x in (0, self.size - 1) or y in (0, self.size - 1)
        return border or any(t.cell == cell for t in self.things if t.kind in ("tree", "basket"))

    def path_to(self, target: tuple[int, int]) -> list[str] | None:
        """The keys that walk the player beside ``target`` and turn it to face it (breadth first), or None."""
        queue, came = deque([self.player]), {self.player: None}
        while queue:
            cell = queue.popleft()
            for key, (dx, dy) in MOVES.items():
                nxt = (cell[0] + dx, cell[1] + dy)
                if nxt == target:  # beside it: the walk there, then a push that faces it
                    keys = [key]
                    while came[cell] is not None:
                        cell, step = came[cell]
                        keys.append(step)
                    return keys[::-1]
                if nxt not in came and not self.blocked(nxt):
                    came[nxt] = (cell, key)
                    queue.append(nxt)
        return None

    def step(self, inp: Input) -> list[Event]:
        events: list[Event] = []
        for key, (dx, dy) in MOVES.items():
            if key in inp.keys:
                self.facing = (dx, dy)
                nxt = (self.player[0] + dx, self.player[1] + dy)
                if not self.blocked(nxt):
                    self.player = nxt
        if "E" in inp.keys:
            self._use(events)
        return events

    def faced(self) -> tuple[int, int]:
        return (self.player[0] + self.facing[0], self.player[1] + self.facing[1])

    def _use(self, events: list[Event]) -> None:
        here = [t for t in self.things if t.cell == self.faced() and t is not self.held]
        fruit = next((t for t in here if t.state.get("on_tree")), None)
        basket = next((t for t in here if t.kind == "basket"), None)
        if fruit is not None and self.held is None:
            fruit.state["on_tree"], self.held = False, fruit
            events.append(Event("picked", {"item": fruit.view()}))
        elif basket is not None and self.held is not None:
            self.held.cell, self.held.state["in"] = basket.cell, basket.colour
            events.append(Event("put_in", {"item": self.held.view(), "container": basket.view()}))
            self.held = None
        elif self.gate in here and not self.gate.state["open"]:
            self.gate.state["open"] = True
            events.append(Event("opened", {"target": self.gate.view()}))

    def render(self, height: int, width: int) -> np.ndarray:
        n = self.size
        image = np.zeros((n * TILE, n * TILE, 3), np.uint8)
        image[:] = (70, 140, 60)  # grass
        fence = np.zeros((n, n), bool)
        fence[[0, -1], :] = fence[:, [0, -1]] = True
        for y, x in zip(*np.nonzero(fence)):
            image[y * TILE:(y + 1) * TILE, x * TILE:(x + 1) * TILE] = (120, 90, 50)
        gx, gy = self.gate.cell
        gate = (70, 140, 60) if self.gate.state["open"] else (200, 170, 110)  # open: a gap in the fence
        image[gy * TILE:(gy + 1) * TILE, gx * TILE:(gx + 1) * TILE] = gate
        for t in self.things:
            x, y = t.cell
            cell = image[y * TILE:(y + 1) * TILE, x * TILE:(x + 1) * TILE]
            if t.kind == "tree":
                cell[1:7, 1:7] = (30, 90, 30)
            elif t.kind == "basket":
                cell[3:7, 1:7] = BASKETS[t.colour]
            elif t.kind in FRUITS and t is not self.held:
                cell[2:5, 2:5] = FRUITS[t.kind]
        px, py = self.player
        image[py * TILE + 2:py * TILE + 6, px * TILE + 2:px * TILE + 6] = 255
        nx, ny = px * TILE + 3 + 3 * self.facing[0], py * TILE + 3 + 3 * self.facing[1]
        image[ny:ny + 2, nx:nx + 2] = (40, 40, 40)  # a nose: the way you face
        if self.held is not None:
            image[-TILE + 2:-2, 2:TILE - 2] = FRUITS[self.held.kind]  # what you carry, bottom-left
        rows = np.arange(height) * image.shape[0] // height
        cols = np.arange(width) * image.shape[1] // width
        return image[rows][:, cols]

    # --- queries: ground truth for checks and the oracle, never for the agent ------------
    def entities(self) -> Iterable[Entity]:
        return [t.view() for t in self.things]

    def is_near(self, entity: Entity) -> bool:
        cell = self.player if self.held is not None and entity.id == self.held.id else self.things[entity.id].cell
        return max(abs(cell[0] - self.player[0]), abs(cell[1] - self.player[1])) <= 1

    def inventory(self) -> list[Entity]:
        return [self.held.view()] if self.held is not None else []

    def displacement(self) -> tuple[float, float]:
        return (float(self.player[0] - self.start[0]), float(self.player[1] - self.start[1]))


def _wanted_first(wanted: list, known: dict, count: int, rng: np.random.Generator) -> list[str]:
    """``count`` names of ``known`` (more if more are wanted), the wanted ones first, the rest drawn."""
    chosen = list(dict.fromkeys(w for w in wanted if w in known))
    rest = [name for name in rng.permutation(list(known)) if name not in chosen]
    return chosen + [str(r) for r in rest[:max(0, count - len(chosen))]]
