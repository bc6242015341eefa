"""Halls' layout parameters (validated from task files) and its random map generator.

A map is a row (or two) of rooms along a one-cell-wide corridor, drawn in a
canonical orientation and then turned by a random symmetry of the square.
Every room opens onto the corridor through a doorway or a door; neighbouring
rooms sometimes share a second doorway. Region ids: -1 wall, 0 corridor,
1..R rooms, R+1.. openings (doorways and door cells).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from simagym.world import LayoutError, LayoutParams, Selector, retry_layout

from .things import COLOURS, FACE_DIRS, ITEMS, LANDMARKS, PATTERNS, TURNS, Thing

WALL, CORRIDOR = -1, 0
MAX_ATTEMPTS = 100
NEIGHBOURS = ((1, 0), (-1, 0), (0, 1), (0, -1))


#: Layout options added for catalogue v2, with the defaults that leave v1 unchanged.
V2_OPTIONS = ("face_away", "shuffle_bag")


class HallsLayout(LayoutParams):
    added_later = V2_OPTIONS  # not in the layout data while at their defaults (see LayoutParams)

    columns: int = Field(3, ge=2, le=3, description="rooms along each side of the corridor")
    rows: int = Field(2, ge=1, le=2, description="1: rooms on one side of the corridor, 2: on both")
    doors: int = Field(2, ge=0, le=6, description="rooms closed off by a coloured door (the rest have open doorways)")
    locked_doors: int = Field(0, ge=0, le=3, description="of those doors, how many are locked (their keys lie about)")
    side_openings: bool = True
    landmarks: tuple[Literal["lamp", "statue", "plant", "barrel"], ...] = ()
    extra_landmarks: int = Field(1, ge=0, le=4, description="random other landmarks, one per room at most")
    pillars: int = Field(1, ge=0, le=4, description="coloured pillars")
    buttons: int = Field(0, ge=0, le=4, description="coloured wall buttons, one per room at most")
    objects: int = Field(3, ge=0, le=8, description="random coloured balls, boxes, gems and keys")
    min_count: dict[Literal["ball", "box", "gem", "key"], int] = Field(default_factory=dict,
                                                                        description="at least this many of a kind")
    carry: int = Field(0, ge=0, le=6, description="random items the player starts with")
    carry_targets: bool = False
    start: Literal["any", "corridor", "room", "open"] = Field(
        "any", description="where the player starts; open: the corridor or a room without a door")
    start_menu: Literal["inventory", "map"] | None = None
    # --- options of catalogue v2 (their defaults keep every v1 layout exactly as it was) ---
    face_away: bool = Field(False, description="the player starts facing nothing of the kinds the task names")
    shuffle_bag: bool = Field(False, description="carried items lie in random slots (else targets come first)")

    @model_validator(mode="after")
    def _fits(self) -> "HallsLayout":
        rooms = self.columns * self.rows
        if self.doors > rooms:
            raise ValueError(f"{self.doors} doors but only {rooms} rooms")
        if self.locked_doors > self.doors:
            raise ValueError("locked_doors cannot exceed doors")
        if len(self.landmarks) + self.extra_landmarks > rooms or self.buttons > rooms:
            raise ValueError(f"at most one landmark and one button per room ({rooms} rooms)")
        return self


@dataclass
class Opening:
    cell: tuple[int, int]
    sides: tuple[int, int]  # the two regions it joins
    region: int  # its own region id
    door: Thing | None = None


@dataclass
class Generated:
    region: np.ndarray  # (H, W) int16
    things: list[Thing]
    inventory: list[Thing]
    openings: list[Opening]
    start: tuple[float, float]
    heading: float  # degrees, 0 = east (+x), 90 = south (+y)
    rooms: int


class _Rand:
    """Draws from the world's generator in one batch: a map needs ~50 small draws, and each
    call into numpy's generator costs microseconds. Deterministic for a seed like the rest."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.pool: list[float] = []

    def random(self) -> float:
        if not self.pool:
            self.pool = self.rng.random(128).tolist()
        return self.pool.pop()

    def integers(self, n: int) -> int:
        return min(n - 1, int(self.random() * n))

    def shuffle(self, items: list) -> None:
        for i in range(len(items) - 1, 0, -1):
            j = self.integers(i + 1)
            items[i], items[j] = items[j], items[i]

    def permutation(self, n: int) -> list[int]:
        order = list(range(n))
        self.shuffle(order)
        return order


def _canonical(rng: _Rand, p: HallsLayout) -> tuple[np.ndarray, list[tuple[int, int, int, int]], int]:
    """Region grid with the corridor along the middle, room rectangles (x0, y0, w, h) and the corridor row."""
    widths = [3 + rng.integers(3) for _ in range(p.columns)]
    heights = [3 + rng.integers(3) for _ in range(p.rows)]
    width = sum(widths) + p.columns + 1
    yc = int(heights[0]) + 2
    height = yc + 2 + (int(heights[1]) + 1 if p.rows == 2 else 0)
    region = np.full((height, width), WALL, dtype=np.int16)
    region[yc, 1:width - 1] = CORRIDOR
    rects = []
    for row in range(p.rows):
        h = int(heights[row])
        y0 = 1 if row == 0 else yc + 2
        x0 = 1
        for w in widths:
            rects.append((x0, y0, w, h))
            region[y0:y0 + h, x0:x0 + w] = len(rects)
            x0 += w + 1
    return region, rects, yc


def _connected(cells: np.ndarray, width: int) -> bool:
    """Whether the flat cell indices form one four-connected piece."""
    left = set(cells.tolist())
    if not left:
        return True
    stack = [left.pop()]
    while stack:
        c = stack.pop()
        for n in (c + 1, c - 1, c + width, c - width):
            if n in left:
                left.remove(n)
                stack.append(n)
    return not left


def _choose_colours(rng: _Rand, n: int, wanted: list[str]) -> list[str]:
    """``n`` distinct colours, the ``wanted`` ones first."""
    rest = [c for c in COLOURS if c not in wanted]
    rng.shuffle(rest)
    return (list(dict.fromkeys(wanted)) + rest)[:n]


def generate(rng: np.random.Generator, p: HallsLayout, required: list[Selector]) -> Generated:
    """A random map in which each required selector matches exactly one thing and everything is reachable."""
    draw = _Rand(rng)
    return retry_layout(lambda: _attempt(draw, p, required), MAX_ATTEMPTS,
                        lambda: f"could not build a Halls map for {list(map(dict, required))} with {p!r}")


def _wanted(required: list[Selector], kind: str, key: str = "colour") -> list:
    return [s[key] for s in required if s.get("kind") == kind and key in s]


def _attempt(rng: _Rand, p: HallsLayout, required: list[Selector]) -> Generated | None:
    region, rects, yc = _canonical(rng, p)
    n_rooms = len(rects)
    things: list[Thing] = []

    def new(kind: str, colour: str | None = None, **kw) -> Thing:
        t = Thing(len(things), kind, colour, **kw)
        things.append(t)
        return t

    # --- doors: which rooms, which colours, which locked --------------------------------------
    door_colours_wanted = [str(c) for c in _wanted(required, "door")]
    n_doors = max(p.doors, len(door_colours_wanted))
    if n_doors > n_rooms:
        raise LayoutError("more doors wanted than rooms")
    door_rooms = [r + 1 for r in rng.permutation(n_rooms)[:n_doors]]
    door_colours = _choose_colours(rng, n_doors, door_colours_wanted)
    locked_rooms = set(door_rooms[:p.locked_doors])

    # --- openings (canonical coordinates) -------------------------------------------------------
    raw_openings: list[tuple[tuple[int, int], tuple[int, int], str | None]] = []
    for rid, (x0, y0, w, h) in enumerate(rects, start=1):
        x = x0 + rng.integers(w)
        y = y0 + h if y0 < yc else y0 - 1
        colour = door_colours[door_rooms.index(rid)] if rid in door_rooms else None
        raw_openings.append(((x, y), (rid, CORRIDOR), colour))
    if p.side_openings:
        for rid, (x0, y0, w, h) in enumerate(rects, start=1):
            right = rid + 1
            if right > n_rooms or rects[right - 1][1] != y0 or rid in locked_rooms or right in locked_rooms:
                continue
            if rng.random() < 0.5:
                raw_openings.append(((x0 + w, y0 + rng.integers(min(h, rects[right - 1][3]))), (rid, right), None))

    # --- a random symmetry of the square --------------------------------------------------------
    canon_width = region.shape[1]
    transpose, flip_x, flip_y = (rng.random() < 0.5 for _ in range(3))
    if transpose:
        region = region.T
    if flip_x:
        region = region[:, ::-1]
    if flip_y:
        region = region[::-1, :]
    region = np.ascontiguousarray(region)
    height, width = region.shape

    def tf(cell: tuple[int, int]) -> tuple[int, int]:
        x, y = cell
        if transpose:
            x, y = y, x
        if flip_x:
            x = width - 1 - x
        if flip_y:
            y = height - 1 - y
        return (x, y)

    # --- rooms and the corridor as entities ------------------------------------------------------
    room_colours = _choose_colours(rng, n_rooms, [str(c) for c in _wanted(required, "room")]
                                   + [str(c) for c in _wanted(required, "button", "room")])
    perm = rng.permutation(n_rooms)  # wanted colours land in random rooms
    room_colours = [room_colours[i] for i in perm]
    patterns_wanted = list(dict.fromkeys(_wanted(required, "room", "pattern")))
    if len(patterns_wanted) > 1:
        raise LayoutError("one wanted wall pattern at a time")
    patterns = [PATTERNS[rng.integers(len(PATTERNS))] for _ in range(n_rooms)]
    if patterns_wanted:
        others = [q for q in PATTERNS if q != patterns_wanted[0]]
        patterns = [others[rng.integers(len(others))] for _ in range(n_rooms)]
        patterns[rng.integers(n_rooms)] = patterns_wanted[0]
    flat_region = region.ravel()
    room_cells: list[np.ndarray] = [np.zeros(0, dtype=np.intp)]  # flat cell indices of each room
    rooms: list[Thing] = []
    for rid, (x0, y0, w, h) in enumerate(rects, start=1):
        room_cells.append(np.flatnonzero(flat_region == rid))
        a, b = tf((x0, y0)), tf((x0 + w - 1, y0 + h - 1))
        centre = ((a[0] + b[0]) / 2 + 0.5, (a[1] + b[1]) / 2 + 0.5)
        rooms.append(new("room", room_colours[rid - 1], pos=centre, region=rid, pattern=patterns[rid - 1]))
    corridor_cells = np.flatnonzero(flat_region == CORRIDOR)
    a, b = tf((1, yc)), tf((canon_width - 2, yc))
    new("corridor", pos=((a[0] + b[0]) / 2 + 0.5, (a[1] + b[1]) / 2 + 0.5), region=CORRIDOR)
    ends = [tf((1, yc)), tf((canon_width - 2, yc))]
    end_things = [new("corridor_end", pos=(e[0] + 0.5, e[1] + 0.5), cell=e, region=CORRIDOR) for e in ends]

    # --- openings and doors ---------------------------------------------------------------------------
    openings: list[Opening] = []
    reserved = np.zeros_like(region, dtype=bool)  # cells that must stay free (in front of openings and buttons)
    for cell, sides, colour in raw_openings:
        c = tf(cell)
        rid = n_rooms + 1 + len(openings)
        region[c[1], c[0]] = rid
        op = Opening(c, sides, rid)
        if colour is not None:
            op.door = new("door", colour, pos=(c[0] + 0.5, c[1] + 0.5), cell=c, region=sides[0],
                          locked=sides[0] in locked_rooms)
        openings.append(op)
        for dx, dy in NEIGHBOURS:
            x, y = c[0] + dx, c[1] + dy
            if 0 <= x < width and 0 <= y < height and region[y, x] >= 0:
                reserved[y, x] = True

    # --- landmarks (one per room), buttons (one per room), pillars --------------------------------
    blocked = region < 0
    wanted_landmarks = [str(s["kind"]) for s in required if s.get("kind") in LANDMARKS]
    wanted_landmarks += [str(s["landmark"]) for s in required if s.get("kind") in ("room", "button") and "landmark" in s]
    landmark_kinds = list(dict.fromkeys(wanted_landmarks + list(p.landmarks)))
    others = [k for k in LANDMARKS if k not in landmark_kinds]
    rng.shuffle(others)
    landmark_kinds += others[:p.extra_landmarks]
    if len(landmark_kinds) > n_rooms:
        raise LayoutError("more landmarks than rooms")
    landmark_rooms = [r + 1 for r in rng.permutation(n_rooms)[:len(landmark_kinds)]]
    room_landmark = dict(zip(landmark_rooms, landmark_kinds))
    for room in rooms:
        room.landmark = room_landmark.get(room.region)

    button_sels = [s for s in required if s.get("kind") == "button"]
    n_buttons = max(p.buttons, len(button_sels))
    if n_buttons > n_rooms:
        raise LayoutError("more buttons than rooms")
    button_colours = _choose_colours(rng, n_buttons, [str(c) for c in _wanted(required, "button")])
    button_rooms: list[int] = []
    for sel in button_sels:
        rid = None
        if "landmark" in sel:
            rid = next((r for r, k in room_landmark.items() if k == sel["landmark"]), None)
        elif "room" in sel:
            rid = next((r for r in range(1, n_rooms + 1) if room_colours[r - 1] == sel["room"]), None)
        else:
            continue
        if rid is None or rid in button_rooms:
            raise LayoutError("no room for the wanted button")
        button_rooms.append(rid)
    free_rooms = [r + 1 for r in rng.permutation(n_rooms) if r + 1 not in button_rooms]
    # Other buttons go to rooms that no wanted button names (by its landmark or its room's colour).
    named = {str(s["landmark"]) for s in button_sels if "landmark" in s}
    named_rooms = {str(s["room"]) for s in button_sels if "room" in s}
    free_rooms = [r for r in free_rooms if room_landmark.get(r) not in named and room_colours[r - 1] not in named_rooms]
    while len(button_rooms) < n_buttons:
        if not free_rooms:
            raise LayoutError("no room for another button")
        button_rooms.append(free_rooms.pop())
    rows = region.tolist()
    for rid, colour in zip(button_rooms, button_colours):
        faces = []
        for i in room_cells[rid][~reserved.ravel()[room_cells[rid]]].tolist():
            y, x = divmod(i, width)
            for f, (dx, dy) in enumerate(FACE_DIRS):
                if rows[y + dy][x + dx] == WALL:
                    faces.append(((x, y), f))
        if not faces:
            raise LayoutError("no wall for a button")
        (x, y), f = faces[rng.integers(len(faces))]
        dx, dy = FACE_DIRS[f]
        reserved[y, x] = True
        new("button", colour, pos=(x + 0.5 + 0.5 * dx, y + 0.5 + 0.5 * dy), cell=(x + dx, y + dy), face=f,
            region=rid, landmark=room_landmark.get(rid), room=room_colours[rid - 1])

    def free_cell(cells: np.ndarray, taken: np.ndarray) -> tuple[int, int]:
        options = cells[~taken.ravel()[cells]]
        if options.size == 0:
            raise LayoutError("no room left")
        y, x = divmod(int(options[rng.integers(options.size)]), width)
        return (x, y)

    blockers_in = [0] * (n_rooms + 1)
    for rid, kind in room_landmark.items():
        c = free_cell(room_cells[rid], reserved | blocked)
        blocked[c[1], c[0]] = True
        blockers_in[rid] += 1
        new(kind, pos=(c[0] + 0.5, c[1] + 0.5), cell=c, region=rid)
    pillar_colours = [str(c) for c in _wanted(required, "pillar")]
    n_pillars = max(p.pillars, len(pillar_colours))
    all_room_cells = np.concatenate(room_cells[1:])
    for colour in _choose_colours(rng, n_pillars, pillar_colours):
        c = free_cell(all_room_cells, reserved | blocked)
        blocked[c[1], c[0]] = True
        rid = rows[c[1]][c[0]]
        blockers_in[rid] += 1
        new("pillar", colour, pos=(c[0] + 0.5, c[1] + 0.5), cell=c, region=rid)

    # Every room must stay in one piece (one blocker never splits a rectangle at least 3 wide).
    for rid in range(1, n_rooms + 1):
        if blockers_in[rid] >= 2 and not _connected(room_cells[rid][~blocked.ravel()[room_cells[rid]]], width):
            return None

    # --- where the player starts: outside locked rooms -----------------------------------------
    open_area = np.concatenate([corridor_cells] + [room_cells[r] for r in range(1, n_rooms + 1) if r not in locked_rooms])
    open_area = open_area[~blocked.ravel()[open_area]]

    # --- items -------------------------------------------------------------------------------------------
    taken = blocked | reserved
    has_item = np.zeros_like(blocked)
    inventory: list[Thing] = []
    item_sels = [s for s in required if s.get("kind") in ITEMS]
    item_specs: list[tuple[str, str | None]] = []
    for sel in item_sels:
        item_specs.append((str(sel["kind"]), str(sel["colour"]) if "colour" in sel else None))
    door_keys = [t.colour for t in things if t.kind == "door" and t.locked]

    def clashes(kind: str, colour: str) -> bool:
        return any(s.get("kind") == kind and s.get("colour", colour) == colour for s in item_sels)

    def place(kind: str, colour: str, cells: np.ndarray, carried: bool = False) -> Thing:
        if carried:
            t = Thing(-1, kind, colour)
            inventory.append(t)
            return t
        c = free_cell(cells, taken)
        taken[c[1], c[0]] = has_item[c[1], c[0]] = True
        return new(kind, colour, pos=(c[0] + 0.5, c[1] + 0.5), cell=c, region=rows[c[1]][c[0]])

    everywhere = np.concatenate([corridor_cells, all_room_cells])
    used: set[tuple[str, str]] = set()
    for kind, colour in item_specs:
        if colour is None:
            colour = COLOURS[rng.integers(len(COLOURS))]
        if (kind, colour) in used:
            continue
        used.add((kind, colour))
        in_key_area = kind == "key" and colour in door_keys
        place(kind, colour, open_area if in_key_area else everywhere, carried=p.carry_targets)
    for colour in door_keys:
        if ("key", colour) not in used:
            used.add(("key", colour))
            place("key", colour, open_area)
    extras: list[tuple[str, str]] = []
    for kind, n in p.min_count.items():
        have = sum(k == kind for k, _ in used)
        for colour in [c for c in COLOURS if (kind, c) not in used][: max(0, n - have)]:
            extras.append((kind, colour))
    for _ in range(p.objects):
        extras.append((ITEMS[rng.integers(len(ITEMS))], COLOURS[rng.integers(len(COLOURS))]))
    carried_left = p.carry
    for kind, colour in extras:
        if (kind, colour) in used or clashes(kind, colour) or (kind == "key" and colour in door_keys):
            continue
        used.add((kind, colour))
        place(kind, colour, everywhere)
    while carried_left > 0:
        kind, colour = ITEMS[rng.integers(len(ITEMS))], COLOURS[rng.integers(len(COLOURS))]
        if (kind, colour) in used or clashes(kind, colour) or (kind == "key" and colour in door_keys):
            continue
        used.add((kind, colour))
        place(kind, colour, everywhere, carried=True)
        carried_left -= 1

    # --- the player ---------------------------------------------------------------------------------------
    if p.start == "corridor":
        e = end_things[rng.integers(2)]
        cx, cy = corridor_cells % width, corridor_cells // width
        candidates = corridor_cells[np.abs(cx - e.cell[0]) + np.abs(cy - e.cell[1]) <= 2]
    elif p.start == "room":
        candidates = open_area[flat_region[open_area] > 0]
    elif p.start == "open":  # outside every room behind a door: no door stands between you and the corridor
        candidates = open_area[~np.isin(flat_region[open_area], door_rooms)]
    else:
        candidates = open_area
    candidates = candidates[~(blocked | has_item).ravel()[candidates]]
    targets = [t for t in things if any(t.view().matches(s) for s in required)]
    far_from = np.array([t.pos for t in targets if t.pos is not None
                         and t.kind not in ("room", "corridor", "corridor_end")]).reshape(-1, 2)
    target_regions = [t.region for t in targets if t.kind in ("room", "corridor")]
    cx, cy = candidates % width + 0.5, candidates // width + 0.5
    good = ~np.isin(flat_region[candidates], target_regions)
    if len(far_from):
        good &= (np.abs(cx[:, None] - far_from[None, :, 0]) + np.abs(cy[:, None] - far_from[None, :, 1])).min(axis=1) >= 3.0
    pool = candidates[good] if good.any() else candidates
    if pool.size == 0:
        return None
    y, x = divmod(int(pool[rng.integers(pool.size)]), width)
    start = (x + 0.5, y + 0.5)
    d = [np.hypot(e.pos[0] - start[0], e.pos[1] - start[1]) for e in end_things]
    end_things[int(np.argmax(d))].far = True
    for t in end_things:
        t.changed()

    # Ways to turn, relative to the start's heading (facing checks name them: "turn left").
    if any(s.get("kind") == "direction" for s in required):
        for turn in TURNS:
            new("direction", turn=turn)
    if p.shuffle_bag:
        rng.shuffle(inventory)
    for i, item in enumerate(inventory):
        item.id = len(things) + i
    for sel in required:
        if sum(t.view().matches(sel) for t in things + inventory) != 1:
            return None
    heading = float(90 * rng.integers(4))
    return Generated(region, things, inventory, openings, start, heading, n_rooms)


__all__ = ["HallsLayout", "Generated", "Opening", "generate", "LayoutError", "WALL", "CORRIDOR"]
