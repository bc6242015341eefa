"""Halls' oracle: plans on the grid (BFS over cells) from ground truth every tick and
acts only through macros - turning with arrow keys or look macros, walking with W,
using with E - so its episodes are demonstrations a policy can imitate.

It walks from cell centre to cell centre along four-neighbour paths; starting on
a centre and facing a compass point, a quarter-cell step and 15/45-degree turns
keep it exactly on centres and compass points.

It stops only at its goal: a task judged by settled rules (``settle: K``) counts a
passing state - being near a thing, facing it, standing in a room - once the
player stays still in it for K ticks, and under strict rules a look-alike's state
counts as a wrong answer. So it never stays still for more than two ticks in a
row before its goal holds (turning and pressing E do not move you: after two such
ticks it steps back a quarter cell and forward again), plays the no-op only once
its goal holds, and keeps out of the doors a door task does not name (it neither
opens nor crosses them while another way exists).
"""

from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING

from simagym.bagworld import BagSolver
from simagym.checks import AnyOf, Check, Facing, Happened, MenuOpen, Near, Not, pending_goal
from simagym.macros import GRID, MACRO_INDEX, NOOP, cell_centre, click_macro, key_macro
from simagym.menus import map_cell
from simagym.world import Event, Selector

from .things import BLOCKERS, FACE_DIRS, TURNS, Thing
from .world import NEAR_DISTANCE, wrap

if TYPE_CHECKING:
    from .world import HallsWorld

LOOK_RIGHT, LOOK_LEFT = MACRO_INDEX["look:right"], MACRO_INDEX["look:left"]
ALIGNED = 8.0  # degrees: close enough to walk or to use
ARRIVED = 0.13  # cells: at a waypoint
STEPS = ((1, 0), (-1, 0), (0, 1), (0, -1))
MAX_STILL = 2  # ticks in a row the oracle stays still (turning, using) before its goal holds
MOVES = {key_macro(k): k for k in ("W", "S", "A", "D", "UP", "DOWN")}
JIGGLE = (("S", "W"), ("W", "S"), ("A", "D"), ("D", "A"))  # a step and the step that undoes it
DOOR_EVENTS = ("opened", "unlocked", "went_through")


def _angle(dx: float, dy: float) -> float:
    return math.degrees(math.atan2(dy, dx))


class HallsSolver(BagSolver):
    def __init__(self, world: "HallsWorld", check: Check) -> None:
        super().__init__(world, check)
        self._chosen: dict[str, int] = {}
        self._avoid: set[tuple[int, int]] = set()  # cells to keep out of while another way exists
        self._last_pos: tuple[float, float] | None = None
        self._still = 0  # ticks in a row the player has not moved
        self._undo: int | None = None  # the step back after a step aside
        self._tried: set[tuple[int, int]] = set()  # cells where no drop point suited (see _drop)
        self._turns_here = 0

    def next_macro(self) -> int:
        w = self.w
        pos = (w.x, w.y)
        self._still = self._still + 1 if pos == self._last_pos else 0
        self._last_pos = pos
        if self._undo is not None:
            undo, self._undo = self._undo, None
            return undo
        goal = pending_goal(self.check, w)
        if goal is None:
            return NOOP  # done: the no-op tells a settled judge so
        other = self._other_menu(goal)
        if other is not None:
            return self.menus.open_macro(w.menu_name, other)
        self._avoid = self._doors_to_avoid(goal)
        if w.menu_name is not None:
            return self._solve_in_menu(goal)
        macro = self._solve(goal)
        if w.menu_name is None and (macro == NOOP or (self._still >= MAX_STILL and not self._moves(macro))):
            return self._step_aside(macro)
        return macro

    def _other_menu(self, goal: Check) -> str | None:
        """For a goal "not this menu (nor that, nor none)": a menu that is none of them."""
        if not isinstance(goal, Not):
            return None
        inner = goal.part.parts if isinstance(goal.part, AnyOf) else [goal.part]
        if not all(isinstance(p, MenuOpen) for p in inner):
            return None
        ruled_out = {p.name for p in inner}
        return next((name for name in self.menus.names if name not in ruled_out), None)

    def _doors_to_avoid(self, goal: Check) -> set[tuple[int, int]]:
        """A door task keeps out of the other doors (opening or crossing one would be a wrong answer)."""
        if not (isinstance(goal, Happened) and goal.type in DOOR_EVENTS and "target" in goal.roles):
            return set()
        sel = goal.roles["target"]
        return {d.cell for d in self.w.by_kind.get("door", ()) if not d.view().matches(sel)}

    def _moves(self, macro: int) -> bool:
        key = MOVES.get(macro)
        return key is not None and self.w.step_target(frozenset((key,))) is not None

    def _step_aside(self, macro: int) -> int:
        """Instead of a third still tick (or a no-op before the goal holds): a quarter step that
        stays in this cell, undone next tick."""
        w = self.w
        for out, back in JIGGLE:
            target = w.step_target(frozenset((out,)))
            if target is not None and (int(target[0]), int(target[1])) == w._cell:
                self._undo = key_macro(back)
                return key_macro(out)
        return macro

    def _stick(self, purpose: str, options: list[Thing]) -> Thing:
        """The nearest option, kept while it stays an option (so two equal choices never alternate)."""
        w = self.w
        kept = self._chosen.get(purpose)
        for t in options:
            if t.id == kept:
                return t
        t = min(options, key=lambda t: math.hypot(t.pos[0] - w.x, t.pos[1] - w.y))
        self._chosen[purpose] = t.id
        return t

    def _near(self, leaf: Near) -> int:
        return self._approach(self._one(leaf.selector))

    def _facing(self, leaf: Facing) -> int:
        t = self._one(leaf.selector)
        w = self.w
        if t.kind == "direction":
            return self._turn(wrap(w.start_heading + TURNS[t.turn] - w.heading))
        d = math.hypot(t.pos[0] - w.x, t.pos[1] - w.y)
        if 0.6 <= d <= 7.0 and w._sees(t):
            diff = wrap(_angle(t.pos[0] - w.x, t.pos[1] - w.y) - w.heading)
            return self._turn(diff if abs(diff) > ALIGNED else math.copysign(15.0, diff))
        return self._go(self._view_spots(t))

    def _view_spots(self, t: Thing) -> set[tuple[int, int]]:
        """Cells one or two steps from ``t`` along a compass line, from which it is in sight."""
        w = self.w
        x0, y0 = int(t.pos[0]), int(t.pos[1])
        goal = {(x0 + dx * k, y0 + dy * k) for dx, dy in STEPS for k in (1, 2)}
        return {c for c in goal if self._passable(c) and c != (x0, y0) and w.sees_from(c[0] + 0.5, c[1] + 0.5, t)}

    # --- events ---------------------------------------------------------------------
    def _event(self, leaf: Happened) -> int:
        w, roles, kind = self.w, leaf.roles, leaf.type
        if kind in ("turned_around", "turned_left", "turned_right"):
            offset = {"turned_around": 180.0, "turned_left": -90.0, "turned_right": 90.0}[kind]
            diff = wrap(w.start_heading + offset - w.heading)
            return self._turn(diff if abs(diff) > ALIGNED else 15.0)
        if kind == "faced":
            return self._face_thing(self._one(roles["target"]))
        if kind in ("opened", "unlocked"):
            return self._open_door(self._one(roles["target"]))
        if kind == "went_through":
            return self._go_through(self._one(roles["target"]))
        if kind == "pressed":
            if "target" in roles and leaf.at_least == 1:
                return self._press(self._one(roles["target"]))
            left = [b for b in w.by_kind.get("button", []) if not b.pressed]
            return self._press(self._stick("button", left))
        if kind == "picked_up":
            return self._acquire(roles.get("item", {}))
        if kind == "dropped":
            return self._drop(leaf)
        if kind == "entered":
            room = self._one(roles["room"])
            if w._region_now == room.region:
                return self._go(self._cells_of(0))  # inside already without the event: step out first
            return self._approach(room)
        if kind == "equipped":
            return self._equip(roles.get("item", {}))
        if kind == "marker_placed":
            if w.menu_name != "map":
                return self.menus.open_macro(w.menu_name, "map")
            target = self._one(roles["target"])
            for row in range(GRID):
                for col in range(GRID):
                    x, y = cell_centre(col, row)
                    cx, cy = map_cell(x, y, (w.h, w.w))
                    place = w.place_of(cx + 0.5, cy + 0.5)
                    if place is target:
                        return click_macro(x, y)
            return NOOP
        return NOOP

    # --- building blocks ------------------------------------------------------------
    def _acquire(self, selector: Selector) -> int:
        """Walk to a matching object on the floor and pick it up."""
        w = self.w
        held = {t.id for t in w.bag.items}
        items = [w.by_id[e.id] for e in w.find(selector)]
        items = [t for t in items if t.pos is not None and t.id not in held]
        if not items:
            return NOOP
        item = self._stick("item", items)
        if w.reachable_item() is item:
            return key_macro("E")
        if (int(w.x), int(w.y)) == item.cell and self._at(item.cell):
            return self._turn(wrap(_angle(item.pos[0] - w.x, item.pos[1] - w.y) - w.heading))
        return self._go({item.cell})

    def _drop(self, leaf: Happened) -> int:
        w, roles = self.w, leaf.roles
        held = self._hold(roles.get("item", {}))
        if held is not None:
            return held
        if leaf._matches(Event("dropped", w.drop_roles(w.bag.hand, w.drop_point()))):
            return key_macro("Q")
        if "landmark" in roles:
            mark = self._one(roles["landmark"])
            others = [t for k in BLOCKERS for t in w.by_kind.get(k, ()) if t is not mark]
            goal = {}
            for dx, dy in STEPS:
                c = (mark.cell[0] + dx, mark.cell[1] + dy)
                if self._passable(c) and all(math.hypot(o.pos[0] - c[0] - 0.5, o.pos[1] - c[1] - 0.5) > 1.01
                                             for o in others):
                    goal[c] = (-dx, -dy)
            if goal:
                if w._cell in goal and self._at(w._cell):
                    return self._face(goal[w._cell])
                return self._go(set(goal))
            # Every cell beside it is as near another landmark or pillar (a corner): from a cell
            # beside it, turn until the drop point ahead lies nearer to it than to the others.
            beside = {(mark.cell[0] + dx, mark.cell[1] + dy) for dx, dy in STEPS} - self._tried
            beside = {c for c in beside if self._passable(c)}
            if w._cell in beside and self._at(w._cell):
                self._turns_here += 1
                if self._turns_here > 24:  # a full turn found nothing here: another cell
                    self._tried.add(w._cell)
                    self._turns_here = 0
                return key_macro("RIGHT")
            self._turns_here = 0
            return self._go(beside)
        place = roles.get("room") or roles.get("place")
        if place is not None:
            target = self._one(place)
            if w._region_now == target.region and self._at(w._cell):
                return key_macro("RIGHT")  # look for a direction whose drop point stays inside
            return self._go(self._cells_of(target.region))
        return key_macro("Q")

    def _approach(self, t: Thing) -> int:
        if t.kind in ("room", "corridor"):
            return self._go(self._cells_of(t.region))
        if t.kind == "corridor_end":
            return self._go({t.cell})
        limit = NEAR_DISTANCE[t.kind] - 0.01
        x0, y0 = int(t.pos[0]), int(t.pos[1])
        goal = {(x, y) for x in range(x0 - 2, x0 + 3) for y in range(y0 - 2, y0 + 3)
                if self._passable((x, y)) and math.hypot(x + 0.5 - t.pos[0], y + 0.5 - t.pos[1]) <= limit}
        return self._go(goal)

    def _cells_of(self, region: int) -> set[tuple[int, int]]:
        rows = self.w.region_rows
        return {(x, y) for y in range(self.w.h) for x in range(self.w.w)
                if rows[y][x] == region and not self.w.blocked_rows[y][x]}

    def _open_door(self, door: Thing) -> int:
        w = self.w
        if door.open:
            return NOOP
        if door.locked and not w.bag.has("key", door.colour):
            return self._acquire({"kind": "key", "colour": door.colour})
        fronts = {}
        for dx, dy in STEPS:
            c = (door.cell[0] + dx, door.cell[1] + dy)
            if self._passable(c):
                fronts[c] = (-dx, -dy)
        return self._use_from(fronts)

    def _press(self, button: Thing) -> int:
        dx, dy = FACE_DIRS[button.face]
        return self._use_from({(button.cell[0] - dx, button.cell[1] - dy): (dx, dy)})

    def _use_from(self, spots: dict[tuple[int, int], tuple[int, int]]) -> int:
        """Stand on one of ``spots`` (cell -> direction to face), face that way, press E."""
        w = self.w
        here = spots.get(w._cell)
        if here is not None and self._at(w._cell):
            turn = self._face(here)
            return turn if turn != NOOP else key_macro("E")
        return self._go(set(spots))

    def _go_through(self, door: Thing) -> int:
        w = self.w
        if not door.open:
            return self._open_door(door)
        op = w.opening_at[door.cell]
        side = {}
        for dx, dy in STEPS:
            c = (door.cell[0] + dx, door.cell[1] + dy)
            r = w.region_rows[c[1]][c[0]]
            if r in op.sides:
                side[r] = c
        last = w._last_region
        if last == op.sides[0]:
            goal = side[op.sides[1]]
        elif last == op.sides[1]:
            goal = side[op.sides[0]]
        else:
            goal = side[op.sides[1]]
        return self._go({goal})

    def _face_thing(self, t: Thing) -> int:
        w = self.w
        if t.id in w._faced:
            return key_macro("RIGHT")  # already in view without the event: look away, then back
        d = math.hypot(t.pos[0] - w.x, t.pos[1] - w.y)
        if 0.6 <= d <= 7.0 and w._sees(t):
            return self._turn(wrap(_angle(t.pos[0] - w.x, t.pos[1] - w.y) - w.heading))
        return self._go(self._view_spots(t))

    # --- motion -----------------------------------------------------------------------
    def _at(self, cell: tuple[int, int]) -> bool:
        return math.hypot(cell[0] + 0.5 - self.w.x, cell[1] + 0.5 - self.w.y) <= ARRIVED

    def _turn(self, diff: float) -> int:
        """Turn towards a heading ``diff`` degrees clockwise: a 45-degree look when it fits, else 15
        degrees (the macros' cursor wraps around the screen's edge, so a look always turns)."""
        if diff > 0:
            return LOOK_RIGHT if diff >= 37.5 else key_macro("RIGHT")
        return LOOK_LEFT if diff <= -37.5 else key_macro("LEFT")

    def _face(self, d: tuple[int, int]) -> int:
        diff = wrap(_angle(*d) - self.w.heading)
        return NOOP if abs(diff) <= ALIGNED else self._turn(diff)

    def _walk_to(self, x: float, y: float) -> int:
        w = self.w
        diff = wrap(_angle(x - w.x, y - w.y) - w.heading)
        return key_macro("W") if abs(diff) <= ALIGNED else self._turn(diff)

    def _passable(self, c: tuple[int, int], keys: bool = True) -> bool:
        w = self.w
        x, y = c
        if not (0 <= x < w.w and 0 <= y < w.h):
            return False
        if not w.blocked_rows[y][x]:
            return True
        door = w.door_at.get(c)
        return door is not None and (not door.locked or (keys and w.bag.has("key", door.colour)))

    def _path(self, goal: set[tuple[int, int]]) -> list[tuple[int, int]] | None:
        """A shortest path to a goal cell, through none of the cells to avoid if there is one."""
        path = self._bfs(goal, self._avoid - goal) if self._avoid else None
        return path if path is not None else self._bfs(goal, set())

    def _bfs(self, goal: set[tuple[int, int]], avoid: set[tuple[int, int]]) -> list[tuple[int, int]] | None:
        start = self.w._cell
        if start in goal:
            return [start]
        prev: dict[tuple[int, int], tuple[int, int] | None] = {start: None}
        queue = deque([start])
        while queue:
            cell = queue.popleft()
            for dx, dy in STEPS:
                nxt = (cell[0] + dx, cell[1] + dy)
                if nxt in prev or nxt in avoid or not self._passable(nxt):
                    continue
                prev[nxt] = cell
                if nxt in goal:
                    path = [nxt]
                    while prev[path[-1]] is not None:
                        path.append(prev[path[-1]])
                    return path[::-1]
                queue.append(nxt)
        return None

    def _go(self, goal: set[tuple[int, int]]) -> int:
        """One macro along a shortest path to a goal cell's centre (NOOP once there)."""
        w = self.w
        if not goal:
            return NOOP
        path = self._path(goal)
        if path is None:
            return self._unblock()
        cur = path[0]
        if len(path) == 1:
            return NOOP if self._at(cur) else self._walk_to(cur[0] + 0.5, cur[1] + 0.5)
        nxt = path[1]
        d = (nxt[0] - cur[0], nxt[1] - cur[1])
        door = w.door_at.get(nxt)
        if door is not None and not door.open:
            if not self._at(cur):
                return self._walk_to(cur[0] + 0.5, cur[1] + 0.5)
            turn = self._face(d)
            return turn if turn != NOOP else key_macro("E")
        ox, oy = w.x - (cur[0] + 0.5), w.y - (cur[1] + 0.5)
        along, across = ox * d[0] + oy * d[1], abs(ox * d[1] - oy * d[0])
        if self._at(cur) or (across <= 0.05 and along >= 0.0):
            return self._walk_to(nxt[0] + 0.5, nxt[1] + 0.5)
        return self._walk_to(cur[0] + 0.5, cur[1] + 0.5)

    def _unblock(self) -> int:
        """No way through: fetch the key of a locked door that lies within reach."""
        w = self.w
        for door in w.by_kind.get("door", []):
            if door.locked and not w.bag.has("key", door.colour):
                keys = [t for t in w.by_kind.get("key", []) if t.colour == door.colour and t.pos is not None]
                for key in keys:
                    if self._path({key.cell}) is not None:
                        return self._acquire({"kind": "key", "colour": door.colour})
        return NOOP
