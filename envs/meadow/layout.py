"""Meadow's layout parameters (validated from task files) and its random map generator."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from pydantic import Field, field_validator, model_validator
from scipy import ndimage

from simagym.world import LayoutError, LayoutParams, Selector, retry_layout

from .things import (
    ANIMALS, COLOURED, COLOURED_ITEMS, COLOURS, FENCE, FLORA, FLOWERS, GRASS, ITEMS, LANDMARKS, PATH,
    PLAIN_ITEMS, WALKABLE, WATER, Thing,
)

WALKABLE_LUT = np.zeros(256, dtype=bool)
WALKABLE_LUT[sorted(WALKABLE)] = True
LANDMARK_SPACING = 5  # Chebyshev cells; keeps map clicks unambiguous (see menus.py)
MAX_ATTEMPTS = 200
KINDS = Literal["house", "well", "tower", "windmill", "statue", "campfire", "ball", "box", "key", "gem", "apple", "axe",
                "pickaxe", "sword", "log", "stone", "cow", "sheep", "pig", "chicken", "tree", "rock", "chest", "gate"]


#: Layout options added after catalogue v1 (v2's, and the team catalogue's gems; ``chests`` only grew its range).
V2_OPTIONS = ("chest_colours", "stocked_chests", "gates", "shuffle_inventory", "clear_of", "clearance", "clear_lines",
              "gems")


class MeadowLayout(LayoutParams):
    added_later = V2_OPTIONS  # not in the layout data while at their defaults (see LayoutParams)

    size: int = Field(16, ge=12, le=24, description="map side in cells")
    houses: int = Field(2, ge=0, le=4, description="houses of distinct colours")
    landmarks: tuple[Literal["well", "tower", "windmill", "statue", "campfire"], ...] = ()
    extra_landmarks: int = Field(1, ge=0, le=3, description="random other landmarks")
    objects: int = Field(3, ge=0, le=10, description="coloured balls, boxes, keys and gems")
    gems: int = Field(0, ge=0, le=9, description="gems of random colours besides the objects (a race for gems)")
    tools: tuple[Literal["apple", "axe", "pickaxe", "sword"], ...] = ()
    animals: int = Field(1, ge=0, le=6)
    trees: int = Field(6, ge=0, le=20)
    rocks: int = Field(2, ge=0, le=10)
    chests: int = Field(0, ge=0, le=3, description="more than one needs chest_colours or stocked_chests")
    hide_targets_in_chest: bool = False
    chest_colours: bool = Field(False, description="chests of distinct colours (a coloured lid)")
    stocked_chests: bool = Field(False, description="every chest holds one coloured object (a hidden target or a "
                                 "distractor) and, once open, shows what it would give next")
    pen: bool = False
    gates: int = Field(1, ge=1, le=4, description="gates of distinct colours on the pen's sides")
    gate_locked: bool = False
    pond: bool = True
    start_inventory: tuple[Literal["ball", "box", "key", "gem", "apple", "axe", "pickaxe", "sword", "log", "stone"], ...] = ()
    start_menu: Literal["inventory", "map"] | None = None
    player_margin: int = Field(0, ge=0, le=6, description="minimum cells between the player's start and the map edge")
    shuffle_inventory: bool = Field(False, description="start_inventory in a random slot order")
    clear_of: tuple[KINDS, ...] = Field((), description="kinds the player starts at least `clearance` cells from")
    clearance: int = Field(3, ge=2, le=8, description="Chebyshev cells between the start and every clear_of thing")
    clear_lines: int = Field(0, ge=0, le=6, description="the start has this many free, walkable cells in a straight "
                             "line in each of the four directions")

    @field_validator("start_inventory")
    @classmethod
    def _fits(cls, items: tuple[str, ...]) -> tuple[str, ...]:
        if len(items) > 8:
            raise ValueError("the inventory holds at most 8 items")
        return items

    @model_validator(mode="after")
    def _chests_tell_apart(self) -> "MeadowLayout":
        if self.chests > 1 and not (self.chest_colours or self.stocked_chests):
            raise ValueError("several chests need chest_colours or stocked_chests, or nothing tells them apart")
        if self.chest_colours and self.stocked_chests:
            raise ValueError("chest_colours and stocked_chests do not go together")
        return self


@dataclass
class Generated:
    terrain: np.ndarray
    things: list[Thing]
    inventory: list[Thing]
    player: tuple[int, int]
    pen_cells: set[tuple[int, int]] = field(default_factory=set)


class _Builder:
    def __init__(self, rng: np.random.Generator, p: MeadowLayout) -> None:
        self.rng, self.p, self.n = rng, p, p.size
        self.terrain = np.full((self.n, self.n), GRASS, dtype=np.uint8)
        self.taken = np.zeros((self.n, self.n), dtype=bool)  # any thing or reserved cell
        self.things: list[Thing] = []
        self.pen_cells: set[tuple[int, int]] = set()

    def new(self, kind: str, colour: str | None = None, pos: tuple[int, int] | None = None) -> Thing:
        thing = Thing(len(self.things), kind, colour, pos)
        self.things.append(thing)
        if pos is not None:
            self.taken[pos[1], pos[0]] = True
        return thing

    def free_mask(self, margin: int = 1) -> np.ndarray:
        mask = ~self.taken & self.walkable
        if margin:
            mask[:margin] = mask[self.n - margin:] = False
            mask[:, :margin] = mask[:, self.n - margin:] = False
        return mask

    def pick(self, mask: np.ndarray) -> tuple[int, int]:
        cells = np.flatnonzero(mask)
        if cells.size == 0:
            raise LayoutError("no room left")
        y, x = divmod(int(cells[int(self.rng.integers(cells.size))]), self.n)
        return (x, y)

    @property
    def walkable(self) -> np.ndarray:
        return WALKABLE_LUT[self.terrain]

    # --- terrain -------------------------------------------------------------
    def pond(self) -> None:
        rx, ry = self.rng.integers(1, 3, size=2)
        cx, cy = (int(v) for v in self.rng.integers(2, self.n - 2, size=2))
        ys, xs = np.mgrid[0:self.n, 0:self.n]
        water = ((xs - cx) / (rx + 0.5)) ** 2 + ((ys - cy) / (ry + 0.5)) ** 2 <= 1.0
        self.terrain[water] = WATER

    def flowers(self) -> None:
        mask = (self.rng.random((self.n, self.n)) < 0.06) & (self.terrain == GRASS)
        self.terrain[mask] = FLOWERS

    def pen(self, colour: str) -> Thing:
        w, h = 5, 5
        x0 = int(self.rng.integers(1, self.n - w - 1))
        y0 = int(self.rng.integers(1, self.n - h - 1))
        self.terrain[y0:y0 + h, x0:x0 + w] = GRASS
        self.terrain[y0, x0:x0 + w] = FENCE
        self.terrain[y0 + h - 1, x0:x0 + w] = FENCE
        self.terrain[y0:y0 + h, x0] = FENCE
        self.terrain[y0:y0 + h, x0 + w - 1] = FENCE
        side = int(self.rng.integers(4))
        gate = [(x0 + 2, y0), (x0 + 2, y0 + h - 1), (x0, y0 + 2), (x0 + w - 1, y0 + 2)][side]
        self.terrain[gate[1], gate[0]] = PATH
        outside = [(gate[0], gate[1] - 1), (gate[0], gate[1] + 1), (gate[0] - 1, gate[1]), (gate[0] + 1, gate[1])][side]
        self.terrain[outside[1], outside[0]] = PATH  # keep the way in clear
        self.taken[y0 - 1:y0 + h + 1, x0 - 1:x0 + w + 1] = True  # nothing else inside or against the fence
        self.pen_cells = {(x, y) for y in range(y0 + 1, y0 + h - 1) for x in range(x0 + 1, x0 + w - 1)}
        thing = self.new("gate", colour, gate)
        thing.locked = self.p.gate_locked
        if self.p.gates > 1:  # more gates, each on another side, each its own colour
            others = [k for k in range(4) if k != side]
            used = {colour}
            for k in (others[int(i)] for i in self.rng.permutation(len(others))[: self.p.gates - 1]):
                g = [(x0 + 2, y0), (x0 + 2, y0 + h - 1), (x0, y0 + 2), (x0 + w - 1, y0 + 2)][k]
                o = [(g[0], g[1] - 1), (g[0], g[1] + 1), (g[0] - 1, g[1]), (g[0] + 1, g[1])][k]
                self.terrain[g[1], g[0]] = PATH
                self.terrain[o[1], o[0]] = PATH
                free = [c for c in COLOURS if c not in used]
                used.add(c := free[int(self.rng.integers(len(free)))])
                extra = self.new("gate", c, g)
                extra.locked = self.p.gate_locked
        return thing

    def paths(self) -> None:
        """Dirt paths from each house's door to the first other landmark: the village's roads."""
        landmarks = [t for t in self.things if t.kind in LANDMARKS]
        hub = next((t.pos for t in landmarks if t.kind != "house"), None)
        if hub is None:
            return
        for house in (t for t in landmarks if t.kind == "house"):
            x, y = house.pos[0], house.pos[1] + 1
            horizontal_first = bool(self.rng.integers(2))
            while (x, y) != (hub[0], hub[1] + 1):
                if 0 <= x < self.n and 0 <= y < self.n and self.terrain[y, x] in (GRASS, FLOWERS) and not self.taken[y, x]:
                    self.terrain[y, x] = PATH
                if horizontal_first and x != hub[0] or y == hub[1] + 1:
                    x += 1 if hub[0] > x else -1
                else:
                    y += 1 if hub[1] + 1 > y else -1

    # --- things ---------------------------------------------------------------
    def landmark(self, kind: str, colour: str | None) -> Thing:
        mask = self.free_mask()
        r = LANDMARK_SPACING - 1
        for t in self.things:
            if t.kind in LANDMARKS:
                x, y = t.pos
                mask[max(0, y - r): y + r + 1, max(0, x - r): x + r + 1] = False
        return self.new(kind, colour, self.pick(mask))

    def anywhere(self, kind: str, colour: str | None) -> Thing:
        return self.new(kind, colour, self.pick(self.free_mask()))


def _matches_any(kind: str, colour: str | None, selectors: list[Selector]) -> bool:
    return any(sel.get("kind") == kind and sel.get("colour", colour) == colour for sel in selectors)


def reachable_from(blocked: np.ndarray, start: tuple[int, int]) -> np.ndarray:
    """Cells connected to ``start`` through 4-neighbours (scipy's labelling, in C)."""
    labels, _ = ndimage.label(~blocked)
    return labels == labels[start[1], start[0]]


def generate(rng: np.random.Generator, p: MeadowLayout, required: list[Selector]) -> Generated:
    """A random map in which each required selector matches exactly one thing, all reachable."""
    return retry_layout(lambda: _attempt(rng, p, required), MAX_ATTEMPTS,
                        lambda: f"could not build a Meadow map for {required} with {p!r}; make the layout less crowded")


def _colour_for(kind: str, sel: Selector, rng: np.random.Generator, used: set[str]) -> str | None:
    if kind not in COLOURED:
        return None
    if "colour" in sel:
        return str(sel["colour"])
    free = [c for c in COLOURS if c not in used]
    return free[int(rng.integers(len(free)))]


def _attempt(rng: np.random.Generator, p: MeadowLayout, required: list[Selector]) -> Generated | None:
    b = _Builder(rng, p)
    if p.pond:
        b.pond()
    b.flowers()
    unique = [s for s in required if s.get("kind") not in FLORA]
    inventory = [Thing(-1, kind) for kind in p.start_inventory]

    required_kinds = [str(s["kind"]) for s in required if "kind" in s]
    gate_sel = next((s for s in required if s.get("kind") == "gate"), None)
    if p.pen or gate_sel:
        b.pen(_colour_for("gate", gate_sel or {}, rng, set()))

    # Landmarks first: they need the most room.
    house_colours: set[str] = {str(s["colour"]) for s in required if s.get("kind") == "house" and "colour" in s}
    for sel in required:
        if sel.get("kind") in LANDMARKS:
            b.landmark(str(sel["kind"]), _colour_for(str(sel["kind"]), sel, rng, house_colours))
    houses = sum(t.kind == "house" for t in b.things)
    for _ in range(p.houses - houses):
        colour = _colour_for("house", {}, rng, house_colours | {t.colour for t in b.things if t.kind == "house"})
        if not _matches_any("house", colour, unique):
            b.landmark("house", colour)
    wanted = list(p.landmarks)
    others = [k for k in LANDMARKS[1:] if k not in wanted and k not in required_kinds]
    rng.shuffle(others)
    wanted += others[: p.extra_landmarks]
    for kind in wanted:
        if not any(t.kind == kind for t in b.things):
            b.landmark(kind, None)

    b.paths()
    chests: list[Thing] = []
    if p.chests or "chest" in required_kinds or p.hide_targets_in_chest:
        wanted_colours = [str(s["colour"]) for s in required if s.get("kind") == "chest" and "colour" in s]
        for i in range(max(1, p.chests)):
            colour = None
            if p.chest_colours:
                if i < len(wanted_colours):
                    colour = wanted_colours[i]
                else:
                    free = [c for c in COLOURS if c not in wanted_colours and not any(t.colour == c for t in chests)]
                    colour = free[int(rng.integers(len(free)))]
            chests.append(b.anywhere("chest", colour))
            chests[-1].shows_contents = p.stocked_chests
    chest = chests[0] if chests else None

    for kind, count in (("tree", p.trees), ("rock", p.rocks)):
        for _ in range(count + (1 if kind in required_kinds and count == 0 else 0)):
            b.anywhere(kind, None)

    # Required items and animals, then distractors that never match a target.
    for sel in required:
        kind = str(sel.get("kind"))
        if kind not in ITEMS and kind not in ANIMALS:
            continue
        if any(t.matches(sel) for t in (x.view() for x in inventory)):
            continue
        colour = _colour_for(kind, sel, rng, set())
        if kind in ITEMS and p.hide_targets_in_chest and chest is not None:
            item = b.new(kind, colour)
            # Stocked chests hold one object each: the next empty one; else all in the first.
            into = next((c for c in chests if not c.contents), chest) if p.stocked_chests else chest
            into.contents.append(item)
        else:
            b.anywhere(kind, colour)
    if p.stocked_chests:
        for c in chests:
            while not c.contents:
                kind = COLOURED_ITEMS[int(rng.integers(len(COLOURED_ITEMS)))]
                colour = COLOURS[int(rng.integers(len(COLOURS)))]
                if not _matches_any(kind, colour, unique):
                    c.contents.append(b.new(kind, colour))
    for _ in range(p.objects):
        kind = COLOURED_ITEMS[int(rng.integers(len(COLOURED_ITEMS)))]
        colour = COLOURS[int(rng.integers(len(COLOURS)))]
        if not _matches_any(kind, colour, unique):
            b.anywhere(kind, colour)
    for _ in range(p.gems):
        colour = COLOURS[int(rng.integers(len(COLOURS)))]
        if not _matches_any("gem", colour, unique):
            b.anywhere("gem", colour)
    for kind in p.tools:
        if not _matches_any(kind, None, unique):
            b.anywhere(kind, None)
    animals_present = {t.kind for t in b.things if t.kind in ANIMALS}
    for _ in range(p.animals):
        choices = [a for a in ANIMALS if a not in animals_present and not _matches_any(a, None, unique)]
        if choices:
            kind = choices[int(rng.integers(len(choices)))]
            animals_present.add(kind)
            b.anywhere(kind, None)
    if p.gate_locked and (gate_sel is not None or p.pen):
        for gate in [t for t in b.things if t.kind == "gate"]:  # a key for every locked gate
            if not any(t.kind == "key" and t.colour == gate.colour for t in b.things + inventory):
                b.anywhere("key", gate.colour)

    # The player, then a check that everything can be reached.
    m = max(1, p.player_margin)
    mask = b.free_mask(m)  # the pen's inside is marked taken
    if p.clear_of:
        mask &= ~_close_to([t.pos for t in b.things if t.kind in p.clear_of and t.pos is not None], b.n, p.clearance - 1)
    if p.clear_lines:
        mask &= _straight_lines(b, p.clear_lines)
    start = b.pick(mask)
    blocked = ~b.walkable
    for t in b.things:
        if t.pos is not None and t.kind not in ITEMS and t.kind != "gate":
            blocked[t.pos[1], t.pos[0]] = True
    reach = reachable_from(blocked, start)
    for t in b.things:
        if t.pos is None:
            continue
        x, y = t.pos
        if t.kind in ITEMS:
            ok = reach[y, x]
        else:  # blocking things (and gates, from outside the pen) are used from a neighbouring cell
            ok = any(0 <= x + dx < b.n and 0 <= y + dy < b.n and reach[y + dy, x + dx] and (x + dx, y + dy) not in b.pen_cells
                     for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1)))
        if not ok:
            return None
    if p.player_margin and not _room_to_walk(reach, start, p.player_margin):
        return None
    if p.shuffle_inventory:
        inventory = [inventory[int(i)] for i in rng.permutation(len(inventory))]
    for i, item in enumerate(inventory):
        item.id = len(b.things) + i
        item.changed()
    for sel in unique:
        count = sum(t.view().matches(sel) for t in b.things + inventory)
        if count != 1:
            return None
    return Generated(b.terrain, b.things, inventory, start, b.pen_cells)


def _close_to(cells: list[tuple[int, int]], n: int, radius: int) -> np.ndarray:
    """Cells within Chebyshev ``radius`` of any of ``cells``."""
    near = np.zeros((n, n), dtype=bool)
    for x, y in cells:
        near[max(0, y - radius): y + radius + 1, max(0, x - radius): x + radius + 1] = True
    return near


def _straight_lines(b: _Builder, length: int) -> np.ndarray:
    """Cells with ``length`` free, walkable cells in a straight line in each direction."""
    free = b.walkable.copy()
    for t in b.things:
        if t.pos is not None and t.kind not in ITEMS:
            free[t.pos[1], t.pos[0]] = False
    ok = np.ones_like(free)
    padded = np.zeros((b.n + 2 * length, b.n + 2 * length), dtype=bool)
    padded[length:length + b.n, length:length + b.n] = free
    for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1)):
        for k in range(1, length + 1):
            ok &= padded[length + k * dy: length + k * dy + b.n, length + k * dx: length + k * dx + b.n]
    return ok


def _room_to_walk(reach: np.ndarray, start: tuple[int, int], distance: int) -> bool:
    """Movement tasks need a reachable cell ``distance`` away in each direction."""
    ys, xs = np.nonzero(reach)
    sx, sy = start
    return bool((xs - sx >= distance).any() and (sx - xs >= distance).any()
                and (ys - sy >= distance).any() and (sy - ys >= distance).any())


__all__ = ["MeadowLayout", "Generated", "generate", "LayoutError", "PLAIN_ITEMS"]
