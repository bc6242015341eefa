"""Ledges' physics: integer sub-cell positions on the tile grid, shared exactly by
the world and its oracle (which simulates macros with the very same function).

Units: a cell is ``SUB`` units wide and tall. The player is a ``SUB`` x ``SUB``
box whose top-left corner is ``(x, y)`` in units (y grows downwards). Each tick:

* walking moves ``WALK`` units (no momentum, so input is easy to reason about);
* a jump sets ``vy = -JUMP``; gravity adds one unit per tick up to ``MAX_FALL``,
  giving a fixed arc: heights 4, 7, 9, 10, 10, 9, 7, 4, 0 units over 9 ticks,
  i.e. up to two cells higher and about four cells across;
* W/S climb a ladder ``CLIMB`` units per tick (the player snaps to its column).

Cells carry flag bits: SOLID (ground, walls, closed gates and doors), ONEWAY
(platforms, bridges and ladder tops: stood on from above, passed from below)
and LADDER. Outside the level: the sides and the sky above are solid, below is
empty (falling out of the bottom is the world's business).
"""

from __future__ import annotations

SUB = 4
WALK = 2
JUMP = 4
MAX_FALL = 4
CLIMB = 2

SOLID, ONEWAY, LADDER = 1, 2, 4

# Inputs the physics reads (the world derives them from the held keys).
NONE, LEFT, RIGHT, JUMPKEY, UP, DOWN = range(6)

State = tuple[int, int, int, bool]
"""(x, y, vy, climbing)."""


class Body:
    """Collision queries and the tick update over one level's cell flags."""

    __slots__ = ("w", "h", "flags", "fall_limit")

    def __init__(self, flags: list[int], width: int, height: int) -> None:
        self.flags = flags  # row-major, index r * width + c; mutated in place by the world
        self.w, self.h = width, height
        self.fall_limit = (height - 1) * SUB  # y beyond this: fell out of the level

    # --- queries ---------------------------------------------------------------
    def solid(self, x: int, y: int) -> bool:
        """Whether a player box at (x, y) overlaps anything solid."""
        c0, c1 = x >> 2, (x + 3) >> 2
        r0, r1 = y >> 2, (y + 3) >> 2
        if c0 < 0 or c1 >= self.w or r0 < 0:
            return True
        f, w = self.flags, self.w
        if r0 < self.h and (f[r0 * w + c0] | f[r0 * w + c1]) & SOLID:
            return True
        return r1 != r0 and r1 < self.h and bool((f[r1 * w + c0] | f[r1 * w + c1]) & SOLID)

    def supported(self, x: int, y: int, climbing: bool = False) -> bool:
        """Whether the box stands on something (a one-way top counts unless climbing)."""
        if y & 3:
            return False
        r = (y >> 2) + 1
        if r >= self.h or r < 0:
            return False
        f, base = self.flags, r * self.w
        mask = SOLID if climbing else SOLID | ONEWAY
        return bool((f[base + (x >> 2)] | f[base + ((x + 3) >> 2)]) & mask)

    def _oneway_below(self, x: int, y: int) -> bool:
        r = (y >> 2) + 1
        if r >= self.h or r < 0:
            return False
        f, base = self.flags, r * self.w
        return bool((f[base + (x >> 2)] | f[base + ((x + 3) >> 2)]) & ONEWAY)

    def on_ladder(self, col: int, y: int) -> bool:
        """Whether a box at height y in column ``col`` touches a ladder cell."""
        if not 0 <= col < self.w:
            return False
        f, w = self.flags, self.w
        for r in {y >> 2, (y + 3) >> 2}:
            if 0 <= r < self.h and f[r * w + col] & LADDER:
                return True
        return False

    def ladder_below(self, col: int, y: int) -> bool:
        if y & 3 or not 0 <= col < self.w:
            return False
        r = (y >> 2) + 1
        return 0 <= r < self.h and bool(self.flags[r * self.w + col] & LADDER)

    # --- the tick -----------------------------------------------------------------
    def advance(self, s: State, key: int) -> State:
        """One tick of physics under one input (the oracle's macros hold one key)."""
        move = -1 if key == LEFT else 1 if key == RIGHT else 0
        return self.advance_input(s, move, key == JUMPKEY, key == UP, key == DOWN)

    def advance_input(self, s: State, move: int, jump: bool, up: bool, down: bool) -> State:
        x, y, vy, climbing = s
        if climbing:
            if jump:
                climbing, vy = False, -JUMP
            elif move:
                climbing, vy = False, 0
            elif up:
                for _ in range(CLIMB):
                    if not self.on_ladder(x >> 2, y) or self.solid(x, y - 1):
                        break
                    y -= 1
                return (x, y, 0, self.on_ladder(x >> 2, y))
            elif down:
                for _ in range(CLIMB):
                    if self.solid(x, y + 1):
                        break
                    y += 1
                return (x, y, 0, self.on_ladder(x >> 2, y))
            else:
                return s
            return self._free(x, y, vy, move, jump=False)
        if up or down:
            col = (x + 2) >> 2
            if self.on_ladder(col, y) or (down and self.ladder_below(col, y)):
                return self.advance_input((col * SUB, y, 0, True), 0, False, up, down)
        if jump and self.supported(x, y):
            vy = -JUMP
        return self._free(x, y, vy, move, jump)

    def _free(self, x: int, y: int, vy: int, move: int, jump: bool) -> State:
        if move:
            for _ in range(WALK):
                if self.solid(x + move, y):
                    break
                x += move
        if vy >= 0 and self.supported(x, y):
            return (x, y, 0, False)
        if vy < 0:
            for _ in range(-vy):
                if self.solid(x, y - 1):
                    vy = 0
                    break
                y -= 1
        else:
            for _ in range(vy):
                if self.solid(x, y + 1) or ((y & 3) == 0 and self._oneway_below(x, y)):
                    break
                y += 1
        vy = 0 if self.supported(x, y) else min(vy + 1, MAX_FALL)
        return (x, y, vy, False)

    def fell(self, s: State) -> bool:
        return s[1] > self.fall_limit

    def is_node(self, s: State) -> bool:
        """A resting state the planner branches from: aligned and standing, or aligned on a ladder."""
        x, y, vy, climbing = s
        if climbing:
            return (y & 3) == 0
        return vy == 0 and (x & 3) == 0 and self.supported(x, y)


def centre_cell(x: int, y: int) -> tuple[int, int]:
    """(col, row) of the cell under the middle of the player box."""
    return ((x + 2) >> 2, (y + 2) >> 2)


def box_cells(x: int, y: int) -> tuple[tuple[int, int], ...]:
    """Every (col, row) the player box overlaps (one to four cells)."""
    c0, c1, r0, r1 = x >> 2, (x + 3) >> 2, y >> 2, (y + 3) >> 2
    if c0 == c1:
        return ((c0, r0),) if r0 == r1 else ((c0, r0), (c0, r1))
    if r0 == r1:
        return ((c0, r0), (c1, r0))
    return ((c0, r0), (c1, r0), (c0, r1), (c1, r1))


# --- hazards ---------------------------------------------------------------------------

def patrol_offset(t: int, span: int, phase: int) -> int:
    """A back-and-forth offset in [0, span] at one unit per tick (a triangle wave)."""
    if span <= 0:
        return 0
    k = (t + phase) % (2 * span)
    return k if k <= span else 2 * span - k


def hits(px: int, py: int, hx: int, hy: int) -> bool:
    """Whether the player box at (px, py) touches a hazard whose cell box is at (hx, hy).

    A hazard's hitbox is the middle half of its cell, so grazing a corner is safe."""
    return px < hx + 3 and px + 4 > hx + 1 and py < hy + 3 and py + 4 > hy + 1
