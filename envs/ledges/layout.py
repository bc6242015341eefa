"""Ledges' layout parameters (validated from task files) and its level generator.

A level is built from pieces that are reachable by construction under the jump
physics (two cells up, three-cell gaps at most), so no search is needed at reset:

* rooms left to right, split by barriers (a gate opened by a lever, a locked door
  opened by its key, a chasm spanned by a bridge a lever extends);
* ground whose height steps by one cell at a time, with pits two or three cells
  wide between equal-height edges;
* one-way platforms exactly two cells above a flat stretch of ground, or two
  cells above another platform they overlap (jump straight up through them);
* ladders from the ground to a platform four or six cells up;
* hazards patrolling flat ground (spike balls roll, saws rise and fall).

Every entity then stands on a cell someone can stand on. The oracle's sweep in
the tests checks the claim over many seeds with the real physics.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from pydantic import Field

from simagym.world import LayoutError, LayoutParams, Selector, retry_layout

from .physics import SUB
from .things import (
    ABYSS, CLOUD, COLOURS, DIRT, FIXTURES, GRASS, ITEMS, LADDER_T, SKY, STONE, TERRAIN, Thing,
)

HEIGHT = 10  # rows; row 0 is the top
BASE = 8  # the ground's usual top row
TOP_GROUND = 6  # the highest the ground rises
MIN_PLANK_ROW = 2
START_COL = 2
MAX_ATTEMPTS = 60
BARRIER_WIDTH = {"gate": 1, "door": 1, "bridge": 5}
MIN_ROOM = 11


#: Layout options added for catalogue v2 (their defaults build every v1 level unchanged).
V2_OPTIONS = ("doors", "gates", "stacked", "clear", "sides", "shuffle_inventory", "ladder_colours", "flat",
              "hold_levers")


class LedgesLayout(LayoutParams):
    added_later = V2_OPTIONS  # not in the layout data while at their defaults (see LayoutParams)

    width: int = Field(34, ge=20, le=64, description="level width in cells")
    flags: int = Field(2, ge=0, le=6, description="coloured flags (distinct colours); touching one makes it the checkpoint")
    coins: int = Field(2, ge=0, le=8)
    keys: int = Field(0, ge=0, le=4, description="loose keys besides a door's own")
    gems: int = Field(0, ge=0, le=4)
    chests: int = Field(0, ge=0, le=3)
    levers: int = Field(0, ge=0, le=3, description="levers wired to nothing, besides gates' and bridges'")
    ladders: int = Field(1, ge=0, le=4)
    platforms: int = Field(4, ge=0, le=12, description="one-way platforms besides ladder tops")
    gaps: int = Field(1, ge=0, le=4, description="pits two or three cells wide")
    spikeballs: int = Field(0, ge=0, le=3)
    saws: int = Field(0, ge=0, le=3)
    gate: bool = False
    door: bool = False
    bridge: bool = False
    tower: bool = Field(False, description="a single highest platform, reached by a tall ladder")
    key_in_chest: bool = False
    hide_targets_in_chest: bool = False
    targets_beyond: bool = Field(False, description="put the instruction's targets past the last barrier")
    start: Literal["left", "middle", "high", "centre", "ladder"] = Field(
        "left", description="left: the level's left end; middle: the middle of the first room; high: on the tower's "
        "top; centre: the middle of the middle room (of either middle room when their number is even), with every "
        "barrier's lever or key on the start's side of it; ladder: at the foot of the tower's ladder")
    start_inventory: tuple[Literal["coin", "key", "gem"], ...] = Field((), max_length=8)
    start_menu: Literal["inventory"] | None = None
    # v2 options; their defaults build exactly the v1 levels.
    doors: int = Field(0, ge=0, le=3, description="locked doors when more than one (each with its key)")
    gates: int = Field(0, ge=0, le=3, description="gates when more than one (each with its lever)")
    stacked: bool = Field(True, description="platforms may stand on other platforms; false: all reached from "
                          "the ground")
    clear: bool = Field(False, description="nothing placed within two cells of a pit or three of the start, so "
                        "look-alikes can be jumped over rather than touched")
    sides: bool = Field(False, description="the instruction's obstacle (a gap, spike ball or saw) on one side of a "
                        "middle start, one of another kind on the other side, and no other")
    shuffle_inventory: bool = Field(False, description="the start inventory in a random slot order")
    ladder_colours: bool = Field(False, description="ladders lead to platforms of distinct colours and take "
                                 "their colour")
    flat: bool = Field(False, description="ground without steps")
    hold_levers: bool = Field(False, description="levers stay down only while a player stands at them (team tasks: "
                              "one holds the lever, the other crosses)")


@dataclass
class Generated:
    width: int
    height: int
    terrain: np.ndarray  # (height, width) uint8 terrain codes
    things: list[Thing]
    inventory: list[Thing]
    start: tuple[int, int]  # (x, y) in units
    support: list[int]  # per cell: the id of the platform/ground/bridge whose top it is, else -1
    rooms: list[tuple[int, int]] = field(default_factory=list)


def _sel_kind(sel: Selector) -> str | None:
    k = sel.get("kind")
    return str(k) if k is not None else None


class _Builder:
    def __init__(self, rng: np.random.Generator, p: LedgesLayout, required: list[Selector]) -> None:
        self.rng, self.p, self.required = rng, p, required
        self.W, self.H = p.width, HEIGHT
        W, H = self.W, self.H
        self.surface = [BASE] * W
        self.terrain = np.full((H, W), SKY, dtype=np.uint8)
        self.struct = bytearray(H * W)  # planks, ladders, walls: kept apart from new planks
        self.noplank = bytearray(W)
        self.nohazard = bytearray(W)
        self.noentity = bytearray(H * W)
        self.support = [-1] * (H * W)
        self.things: list[Thing] = []
        self.rooms: list[tuple[int, int]] = []
        self.barriers: list[tuple[str, int, Thing]] = []  # (kind, column, thing) between room i and i+1
        self.planks: list[Thing] = []
        self.ladder_cols: set[int] = set()
        self.used_colours: dict[str, set[str]] = {}
        self.min_row_others = MIN_PLANK_ROW
        self.tower: Thing | None = None
        self.room_index = [-1] * W
        self._uniform: list[float] = []
        self.start_room = 0
        self.target_barrier: dict[str, int] = {}  # kind -> which of several barriers of that kind is the target
        self.barriers_seen: dict[str, int] = {}
        self.side_of: dict[str, int] = {}  # sides: obstacle kind -> -1 (left of the start) or 1 (right)
        self.mid = -1  # sides: the start column
        self.start_col = START_COL

    # --- helpers -------------------------------------------------------------------
    def new(self, kind: str, colour: str | None = None, pos: tuple[int, int] | None = None, **kw) -> Thing:
        t = Thing(len(self.things), kind, colour, pos, **kw)
        self.things.append(t)
        return t

    def u(self) -> float:
        """A uniform draw from a batch taken from the level's rng (numpy per call is slow)."""
        if not self._uniform:
            self._uniform = self.rng.random(256).tolist()
        return self._uniform.pop()

    def ri(self, lo: int, hi: int) -> int:
        """A random int in [lo, hi]."""
        if hi < lo:
            raise LayoutError("empty range")
        return lo + int(self.u() * (hi - lo + 1))

    def pick(self, seq: list):
        if not seq:
            raise LayoutError("nothing to pick from")
        return seq[int(self.u() * len(seq))]

    def shuffled(self, seq: list, k: int | None = None) -> list:
        """A random order of ``seq`` (only the first ``k`` drawn, when given)."""
        out = list(seq)
        n = len(out)
        for i in range(min(n - 1, n if k is None else k)):
            j = i + int(self.u() * (n - i))
            out[i], out[j] = out[j], out[i]
        return out if k is None else out[:k]

    def room_of(self, col: int) -> int:
        return self.room_index[col] if 0 <= col < self.W else -1

    def wanted(self, kind: str) -> list[Selector]:
        return [s for s in self.required if _sel_kind(s) == kind]

    def colour_for(self, kind: str, sel: Selector | None = None, distinct: bool = True) -> str:
        used = self.used_colours.setdefault(kind, set())
        if sel is not None and "colour" in sel:
            colour = str(sel["colour"])
        else:
            reserved = {str(s["colour"]) for s in self.wanted(kind) if "colour" in s}
            free = [c for c in COLOURS if c not in reserved and (not distinct or c not in used)]
            if not free:
                raise LayoutError(f"no colour left for {kind}")
            colour = self.pick(free)
        used.add(colour)
        return colour

    # --- rooms, ground, pits ------------------------------------------------------------
    def rooms_and_ground(self) -> None:
        p, W = self.p, self.W
        if p.doors or p.gates:
            counts = {k: max(getattr(p, k + "s", 0), 1 if getattr(p, k) or self.wanted(k) else 0)
                      for k in ("gate", "door", "bridge")}
            kinds = self.shuffled([k for k in ("gate", "door", "bridge") for _ in range(counts[k])])
            for k, count in counts.items():
                if count > 1 and self.wanted(k):
                    self.target_barrier[k] = self.ri(0, count - 1)
        else:
            kinds = self.shuffled([k for k in ("gate", "door", "bridge") if getattr(p, k) or self.wanted(k)])
        n = len(kinds) + 1
        avail = W - 2 - sum(BARRIER_WIDTH[k] for k in kinds)
        if avail < MIN_ROOM * n:
            raise LayoutError(f"width {W} is too small for {n} rooms")
        widths = [avail // n + (1 if i < avail % n else 0) for i in range(n)]
        x = 1
        cuts: dict[int, str] = {}
        for i, w in enumerate(widths):
            self.rooms.append((x, x + w))
            for c in range(x, x + w):
                self.room_index[c] = i
            x += w
            if i < n - 1:
                cuts[x] = kinds[i]
                x += BARRIER_WIDTH[kinds[i]]
        if p.start == "centre":
            self.start_room = (n - 1) // 2 + (self.ri(0, 1) if n % 2 == 0 else 0)

        pits: list[tuple[int, int]] = []
        n_pits = p.gaps if not self.wanted("gap") else max(1, p.gaps)
        if p.sides:
            n_pits = self.plan_sides()
        for k in range(n_pits):
            for _ in range(30):
                x0, x1 = self.rooms[k % n] if k < n else self.pick(self.rooms)
                w = self.ri(2, 3)
                lo, hi = x0 + (5 if x0 == 1 else 4), x1 - 4 - w
                if p.sides:  # on its side of the start, at least three cells away
                    lo, hi = (max(lo, self.mid + 3), hi) if self.side_of["gap"] > 0 else (lo, min(hi, self.mid - 3 - w))
                if hi < lo:
                    continue
                a = self.ri(lo, hi)
                if any(a < b1 + 4 and a + w + 4 > a1 for a1, b1 in pits):
                    continue
                pits.append((a, a + w))
                break
            else:
                raise LayoutError("no room for a pit")
        pits.sort()
        pit_cols = {c for a, b in pits for c in range(a, b)}
        frozen = set()  # columns where the height may not change: both edges of a pit are level
        for a, b in pits:
            frozen.update(range(a - 2, b + 3))

        surface = self.surface
        surface[0] = surface[W - 1] = 0
        h, last_change, c = BASE, 0, 1
        while c < W - 1:
            if c in cuts:
                kind = cuts[c]
                for j in range(BARRIER_WIDTH[kind]):
                    surface[c + j] = -1 if kind == "bridge" else h
                self.barrier(kind, c, h)
                c += BARRIER_WIDTH[kind]
                continue
            if c in pit_cols:
                surface[c] = -1
                c += 1
                continue
            x0, x1 = self.rooms[self.room_index[c]]
            if not p.flat and c - max(last_change, x0) >= 3 and c not in frozen and c <= x1 - 4 and self.u() < 0.22:
                # Rows grow downwards: -1 raises the ground by a cell.
                h += -1 if h == BASE else 1 if h == TOP_GROUND else (1 if self.u() < 0.5 else -1)
                last_change = c
            surface[c] = h
            c += 1
        for a, b in pits:
            r = surface[a - 1]
            self.new("gap", None, None, lo=a, hi=b, row=r, cells=tuple((x, r) for x in range(a, b)))
            for x in range(a - 1, b + 1):
                self.noplank[x] = 1
                self.nohazard[x] = 1

        # Terrain from the surface profile.
        t, H = self.terrain, self.H
        self.ground = self.new("ground")
        prof = np.array(surface)
        rows = np.arange(H)[:, None]
        open_sky = t == SKY  # barriers are already painted
        t[(rows == prof) & open_sky] = GRASS
        t[(rows > prof) & (prof > 0)] = DIRT
        t[H - 1, prof < 0] = ABYSS
        t[:, 0] = t[:, W - 1] = STONE
        gid = self.ground.id
        for c in range(1, W - 1):
            if surface[c] > 0 and t[surface[c], c] == GRASS:
                self.support[surface[c] * W + c] = gid
        for c in (0, W - 1):
            for r in range(H):
                self.struct[r * W + c] = 1
        for c in (0, 1, W - 2, W - 1):
            self.noplank[c] = 1

    def plan_sides(self) -> int:
        """``sides``: which side of the start the instruction's obstacle and one other go; returns
        the number of pits to dig (one if a gap is among them)."""
        x0, x1 = self.rooms[0]
        self.mid = (x0 + x1) // 2
        kinds = ("gap", "spikeball", "saw")
        target = [k for k in kinds if self.wanted(k)]
        if len(target) != 1:
            raise LayoutError("sides: the instruction names one obstacle: a gap, a spike ball or a saw")
        other = self.pick([k for k in kinds if k != target[0]])
        side = 1 if self.u() < 0.5 else -1
        self.side_of = {target[0]: side, other: -side}
        return 1 if "gap" in self.side_of else 0

    def barrier(self, kind: str, col: int, h: int) -> None:
        W, t = self.W, self.terrain
        sel = next(iter(self.wanted(kind)), None)
        if kind in self.target_barrier:  # several of this kind: the instruction names one of them
            seen = self.barriers_seen[kind] = self.barriers_seen.get(kind, -1) + 1
            if seen != self.target_barrier[kind]:
                sel = None
        colour = self.colour_for("barrier", sel)
        if kind == "bridge":
            cells = tuple((c, h) for c in range(col, col + 5))
            thing = self.new("bridge", colour, None, cells=cells, lo=col, hi=col + 5, row=h)
            for c, r in cells:
                t[r, c] = TERRAIN[f"bridge-off:{colour}"]
                self.support[r * W + c] = thing.id
            zone = range(col - 3, col + 8)
        else:
            cells = tuple((col, r) for r in range(h - 3, h))
            thing = self.new(kind, colour, None, cells=cells, locked=kind == "door", lo=col, hi=col + 1, row=h - 3)
            t[: h - 3, col] = STONE
            name = "gate-closed" if kind == "gate" else "door-locked"
            for c, r in cells:
                t[r, c] = TERRAIN[f"{name}:{colour}"]
            for r in range(self.H):
                self.struct[r * W + col] = 1
            zone = range(col - 2, col + 3)
            for c in (col - 1, col + 1):
                self.noentity[(h - 1) * W + c] = 1
        for c in zone:
            if 0 <= c < W:
                self.noplank[c] = 1
                self.nohazard[c] = 1
        self.barriers.append((kind, col, thing))

    # --- platforms and ladders --------------------------------------------------------------
    def plank_ok(self, r: int, a: int, b: int) -> bool:
        """Whether a platform on row r over columns [a, b) keeps every rule of the module doc."""
        if r < MIN_PLANK_ROW or a < 2 or b > self.W - 2:
            return False
        room = self.room_index[a]
        if room < 0 or self.room_index[b - 1] != room:
            return False
        W, s, st = self.W, self.surface, self.struct
        for c in range(a - 1, b + 1):
            if self.noplank[c] or s[c] < 0 or s[c] - r < 2:
                return False
            if st[(r - 1) * W + c] or st[r * W + c] or (r + 1 < self.H and st[(r + 1) * W + c]):
                return False
        return True

    def add_plank(self, r: int, a: int, b: int, ladder_col: int = -1) -> Thing:
        thing = self.new("platform", None, None, cells=tuple((c, r) for c in range(a, b)), lo=a, hi=b, row=r,
                         ladder_col=ladder_col)
        W = self.W
        for c in range(a, b):
            self.struct[r * W + c] = 1
            self.support[r * W + c] = thing.id
        self.planks.append(thing)
        return thing

    def add_ladder(self, heights: tuple[int, ...], top_row: int | None = None, foot: int | None = None) -> Thing:
        """A ladder from the ground (on row ``foot``, if given) up to a new platform ``heights`` cells
        higher (or on ``top_row``); returns the platform."""
        W, s = self.W, self.surface
        cols = [c for c in range(3, W - 3)
                if s[c] > 0 and s[c - 1] == s[c] == s[c + 1] and not self.noplank[c] and c not in self.ladder_cols
                and not (self.room_index[c] == 0 and c <= START_COL + 1) and (foot is None or s[c] == foot)]
        tries = 0
        for c in self.shuffled(cols, 24):
            for k in self.shuffled(list(heights)) if top_row is None else [s[c] - top_row]:
                r = s[c] - k
                if r < MIN_PLANK_ROW or (top_row is None and r < self.min_row_others):
                    continue
                if any(self.struct[rr * W + c] for rr in range(r - 1, s[c])):
                    continue
                length = self.ri(3, 5)
                a = c - self.ri(0, length - 1)
                tries += 1
                if not self.plank_ok(r, a, a + length):
                    continue
                plank = self.add_plank(r, a, a + length, ladder_col=c)
                self.new("ladder", None, (c, r), cells=tuple((c, rr) for rr in range(r, s[c])), lo=c, hi=c + 1,
                         row=r, link=plank.id)
                for rr in range(r, s[c]):
                    self.struct[rr * W + c] = 1
                    self.noentity[rr * W + c] = 1
                    self.terrain[rr, c] = LADDER_T
                self.noentity[(r - 1) * W + c] = 1
                self.ladder_cols.add(c)
                for cc in (c - 1, c, c + 1):
                    self.nohazard[cc] = 1
                return plank
            if tries > 60:
                break
        raise LayoutError("no room for a ladder")

    def random_plank(self) -> None:
        """A platform two cells above flat ground or above another platform it overlaps."""
        W, s, low = self.W, self.surface, self.min_row_others + 2
        supports = [(c, s[c]) for c in range(2, W - 2) if s[c] >= low and not self.noplank[c]]
        stacked = [(c, t.row) for t in self.planks if t.row >= low for c in range(t.lo, t.hi)] if self.p.stacked else []
        pools = [stacked, supports] if stacked and self.u() < 0.4 else [supports, stacked]
        for pool in pools:
            for sc, sr in self.shuffled(pool, 16):
                r = sr - 2
                length = self.ri(3, 5)
                a = sc - self.ri(0, length - 1)
                if self.plank_ok(r, a, a + length):
                    self.add_plank(r, a, a + length)
                    return

    # --- hazards -----------------------------------------------------------------------
    def flat_run(self, c: int, n: int) -> int | None:
        """The ground row if columns c..c+n-1 are level, pit-free, hazard-free and in one room."""
        if c < 1 or c + n > self.W - 1:
            return None
        s, room = self.surface[c], self.room_index[c]
        for x in range(c, c + n):
            if self.surface[x] != s or s <= 0 or self.nohazard[x] or self.room_index[x] != room:
                return None
        return s

    def on_side(self, kind: str, a: int, b: int) -> bool:
        """``sides``: whether columns [a, b) lie on ``kind``'s side of the start, three cells or more away."""
        side = self.side_of.get(kind)
        return side is None or (a >= self.mid + 3 if side > 0 else b <= self.mid - 2)

    def hazard(self, kind: str) -> None:
        W = self.W
        if kind == "spikeball":
            cells = self.ri(3, 4)
            spots = [(a, s) for a in range(START_COL + 5, W - 3) if (s := self.flat_run(a - 1, cells + 2)) is not None]
            if self.side_of:
                spots = [(a, s) for a, s in spots if self.on_side(kind, a - 1, a + cells + 1)]
            if not spots:
                raise LayoutError("no room for a spike ball")
            a, s = self.pick(spots)
            span = (cells - 1) * SUB
            zone = range(a - 1, a + cells + 1)
            base = (a * SUB, (s - 1) * SUB)
            pos = (a, s - 1)
        else:
            spots = [(c, s) for c in range(START_COL + 5, W - 3) if (s := self.flat_run(c - 1, 3)) is not None]
            if self.side_of:
                spots = [(c, s) for c, s in spots if self.on_side(kind, c - 1, c + 2)]
            if not spots:
                raise LayoutError("no room for a saw")
            c, s = self.pick(spots)
            span = 3 * SUB
            zone = range(c - 1, c + 2)
            base = (c * SUB, (s - 1) * SUB)
            pos = (c, s - 1)
        self.new(kind, None, pos, base=base, span=span, phase=self.ri(0, 2 * span - 1))
        for x in zone:
            self.nohazard[x] = 1
            self.noplank[x] = 1
            self.noentity[(s - 1) * W + x] = 1
        for x in (zone.start - 1, zone.stop):
            if 0 <= x < W:
                self.nohazard[x] = 1


def generate(rng: np.random.Generator, p: LedgesLayout, required: list[Selector]) -> Generated:
    """A random level in which each required selector matches exactly one thing."""
    return retry_layout(lambda: _attempt(rng, p, required), MAX_ATTEMPTS,
                        lambda: f"could not build a Ledges level for {required} with {p!r}; make the layout less crowded")


def _attempt(rng: np.random.Generator, p: LedgesLayout, required: list[Selector]) -> Generated:
    b = _Builder(rng, p, required)
    b.rooms_and_ground()
    W, H = b.W, b.H
    b.nohazard[START_COL - 1: START_COL + 3] = b"\x01" * 4

    # Hazards need the longest level stretches, so they go first.
    for kind, count in (("spikeball", p.spikeballs), ("saw", p.saws)):
        if p.sides:
            count = int(kind in b.side_of)
        for _ in range(max(count, 1 if b.wanted(kind) else 0)):
            b.hazard(kind)
    # Ladders (the tower first: its top is the one highest platform).
    wants_high = p.tower or any(s.get("highest") for s in b.wanted("platform")) or p.start in ("high", "ladder")
    ladders = max(p.ladders, 1 if b.wanted("ladder") else 0)
    if wants_high:
        top = b.add_ladder((), top_row=MIN_PLANK_ROW, foot=BASE if p.start == "ladder" else None)
        b.tower = top
        b.min_row_others = top.row + 2
        ladders -= 1
    for _ in range(max(0, ladders)):
        b.add_ladder((4, 4, 6))
    for _ in range(p.platforms):
        b.random_plank()
    _colour_planks(b)

    # Clouds in empty sky, for a sense of motion.
    for _ in range(W // 5):
        r, c = b.ri(0, 3), b.ri(1, W - 2)
        if b.terrain[r, c] == SKY:
            b.terrain[r, c] = CLOUD

    taken = bytearray(H * W)
    start = _start_cell(b)
    sx, sr = start
    b.start_col = sx
    for c in range(sx - 1, sx + 2):
        taken[sr * W + c] = 1
    spots = _spots(b, taken)

    standable = {(c, r) for c, r, _ in spots}
    crowded = bytearray(H * W)  # within two cells of a fixture: no other fixture, so "next to" is unambiguous

    def claim(c: int, r: int) -> None:
        for rr in range(max(0, r - 2), min(H, r + 3)):
            for cc in range(max(0, c - 2), min(W, c + 3)):
                crowded[rr * W + cc] = 1

    def spaced(kind: str) -> bool:  # kept two cells from other spaced things (with clear: items too)
        return kind in FIXTURES or (p.clear and kind in ITEMS)

    def fits(spot: tuple[int, int, int], kind: str, room_choice: list[int]) -> bool:
        c, r, room = spot
        if room not in room_choice or taken[r * W + c] or (spaced(kind) and crowded[r * W + c]):
            return False
        # Keep a free cell beside every fixture, to stand at or drop things next to it.
        return kind not in FIXTURES or any((c + d, r) in standable and not taken[r * W + c + d] for d in (-1, 1))

    def place(kind: str, colour: str | None, room_choice: list[int]) -> Thing:
        for _ in range(12):  # rejection sampling is cheap while the level is still empty
            spot = b.pick(spots)
            if fits(spot, kind, room_choice):
                break
        else:
            pool = [s for s in spots if fits(s, kind, room_choice)]
            if not pool:
                raise LayoutError(f"no spot for a {kind}")
            spot = b.pick(pool)
        c, r, _ = spot
        taken[r * W + c] = 1
        if kind in FIXTURES:
            taken[r * W + c - 1] = taken[r * W + c + 1] = 1
        if spaced(kind):
            claim(c, r)
        return b.new(kind, colour, (c, r))

    last = len(b.rooms) - 1
    # The exit: the far right of the last room.
    ex = W - 2
    exit_row = b.surface[ex] - 1
    taken[exit_row * W + ex] = 1
    claim(ex, exit_row)
    b.new("exit", None, (ex, exit_row))

    # Mechanisms, each in the room before its barrier.
    lever_colours: set[str] = set()
    chests: list[Thing] = []
    for i, (kind, _, thing) in enumerate(b.barriers):
        room = i + 1 if i < b.start_room else i  # the room on the start's side of the barrier
        if kind in ("gate", "bridge"):
            place("lever", thing.colour, [room])
            lever_colours.add(thing.colour)
        elif p.key_in_chest:
            chest = place("chest", None, [room])
            chest.contents.append(b.new("key", thing.colour))
            chests.append(chest)
        else:
            place("key", thing.colour, [room])
    b.used_colours["lever"] = set(lever_colours)

    if p.start == "centre":
        beyond = [r for r in range(len(b.rooms)) if r != b.start_room]
        target_rooms = beyond if p.targets_beyond and beyond else [b.start_room]
    else:
        target_rooms = [last] if p.targets_beyond else [0]
    for sel in required:
        kind = _sel_kind(sel)
        if kind in ("platform", "ground", "ladder", "gap", "gate", "door", "bridge", "spikeball", "saw", "exit"):
            continue
        if kind == "lever" and sel.get("colour") in lever_colours:
            continue
        if kind == "key" and any(t.kind == "door" and t.colour == sel.get("colour") for t in b.things):
            continue
        if any(t.kind == kind and t.view().matches(sel) for t in b.things):
            continue
        if kind in ITEMS and p.start_inventory and kind in p.start_inventory:
            continue
        colour = b.colour_for(kind, sel) if kind in ("flag", "lever", "coin", "key", "gem") else None
        if kind in ITEMS and p.hide_targets_in_chest:
            chest = chests[0] if chests else place("chest", None, target_rooms)
            if not chests:
                chests.append(chest)
            chest.contents.append(b.new(kind, colour))
        elif kind is not None:
            thing = place(kind, colour, target_rooms)
            if kind == "chest":
                chests.append(thing)

    rooms_all = list(range(len(b.rooms)))
    counts = {"flag": p.flags, "coin": p.coins, "key": p.keys, "gem": p.gems, "chest": p.chests, "lever": p.levers}
    for kind in ("flag", "chest", "lever", "coin", "key", "gem"):
        # Levers and keys are counted besides the barriers' own; the rest in total.
        have = 0 if kind in ("lever", "key") else sum(t.kind == kind for t in b.things)
        for _ in range(max(0, counts[kind] - have)):
            if kind == "chest":
                chests.append(place("chest", None, rooms_all))
                continue
            distinct = kind in ("flag", "lever")
            colour = _distractor_colour(b, kind, distinct)
            if colour is None:
                continue
            # With a centre start, the look-alikes of targets beyond a barrier are beyond it too.
            beside_targets = p.start == "centre" and p.targets_beyond and b.wanted(kind)
            place(kind, colour, target_rooms if beside_targets else rooms_all)
    for chest in chests:
        if not chest.contents:
            colour = _distractor_colour(b, "gem", False)
            if colour is not None:
                chest.contents.append(b.new("gem", colour))

    inventory = []
    for kind in p.start_inventory:
        sel = next((s for s in b.wanted(kind) if not any(i.view().matches(s) for i in inventory)), None)
        colour = b.colour_for(f"inv-{kind}", sel) if sel is not None else _distractor_colour(b, f"inv-{kind}", True, kind)
        if colour is None:
            raise LayoutError("no colour for a start item")
        inventory.append(Thing(-1, kind, colour))
    if p.shuffle_inventory:
        inventory = b.shuffled(inventory)
    for i, item in enumerate(inventory):
        item.id = len(b.things) + i

    everything = b.things + inventory
    for sel in required:
        if sum(t.view().matches(sel) for t in everything) != 1:
            raise LayoutError(f"{dict(sel)} does not match exactly one thing")
    return Generated(W, H, b.terrain, b.things, inventory, (sx * SUB, sr * SUB), b.support, b.rooms)


def _distractor_colour(b: _Builder, kind: str, distinct: bool, match_kind: str | None = None) -> str | None:
    """A colour for a thing that must not match any required selector."""
    base = match_kind or kind
    banned = {str(s["colour"]) for s in b.required if _sel_kind(s) == base and "colour" in s}
    if any(_sel_kind(s) == base and "colour" not in s for s in b.required):
        return None  # a colourless target of this kind must stay unique
    used = b.used_colours.setdefault(kind, set())
    free = [c for c in COLOURS if c not in banned and (not distinct or c not in used)]
    if not free:
        return None
    colour = b.pick(free)
    used.add(colour)
    return colour


def _colour_planks(b: _Builder) -> None:
    wanted = [str(s["colour"]) for s in b.wanted("platform") if "colour" in s]
    planks = b.planks
    if wanted and not planks:
        raise LayoutError("no platform to colour")
    colours: list[str | None] = [b.pick(list(COLOURS)) for _ in planks]
    free_for = [i for i, t in enumerate(planks) if t is not b.tower] or list(range(len(planks)))
    for colour in wanted:
        colours = [c if c != colour else None for c in colours]
        colours[b.pick(free_for)] = colour
    others = [c for c in COLOURS if c not in wanted]
    colours = [c if c is not None else b.pick(others) for c in colours]
    if b.p.ladder_colours:  # "the ladder up to the red platform": every ladder's top a colour of its own
        tops = [i for i, t in enumerate(planks) if t.ladder_col >= 0]
        named = [str(s["colour"]) for s in b.wanted("ladder") if "colour" in s]
        if len(named) > len(tops):
            raise LayoutError("no ladder to colour")
        free = b.shuffled([c for c in COLOURS if c not in named])
        fill = b.shuffled(named + free[: len(tops) - len(named)])
        for i, colour in zip(tops, fill):
            colours[i] = colour
        for t in b.things:
            if t.kind == "ladder":
                t.colour = colours[planks.index(b.things[t.link])]
    top = min((t.row for t in planks), default=None)
    tops = [t for t in planks if t.row == top]
    for plank, colour in zip(planks, colours):
        plank.colour = colour
        plank.highest = len(tops) == 1 and plank is tops[0]
        r = plank.row
        for c, _ in plank.cells:
            name = "laddertop" if c == plank.ladder_col else "plank"
            b.terrain[r, c] = TERRAIN[f"{name}:{colour}"]


def _start_cell(b: _Builder) -> tuple[int, int]:
    p = b.p
    if p.start == "high":
        plank = b.tower
        cols = [c for c, _ in plank.cells if c != plank.ladder_col]
        c = b.pick(cols)
        return (c, plank.row - 1)
    if p.start == "ladder":
        c = b.tower.ladder_col
        return (c, b.surface[c] - 1)
    if p.start in ("middle", "centre"):
        x0, x1 = b.rooms[b.start_room]
        mid = (x0 + x1) // 2
        for d in range(0, x1 - x0):
            for c in (mid + d, mid - d):
                if (x0 + 2 <= c < x1 - 2 and b.surface[c] >= 0 and not b.nohazard[c] and c not in b.ladder_cols
                        and not (p.clear and any(abs(c - lc) <= 2 for lc in b.ladder_cols))):
                    return (c, b.surface[c] - 1)
        raise LayoutError("no middle start")
    return (START_COL, b.surface[START_COL] - 1)


def _spots(b: _Builder, taken: bytearray) -> list[tuple[int, int, int]]:
    """Cells where an entity can stand: above ground or a platform, nothing else there."""
    W, t = b.W, b.terrain
    out: list[tuple[int, int, int]] = []
    if b.p.clear:  # keep the cells beside pits and the start free: look-alikes never block the way
        blocked = {c for g in b.things if g.kind == "gap" for c in range(g.lo - 2, g.hi + 2)}
        blocked.update(range(b.start_col - 3, b.start_col + 4))
        out_ok = lambda c: c not in blocked  # noqa: E731
    else:
        out_ok = lambda c: True  # noqa: E731
    for room, (x0, x1) in enumerate(b.rooms):
        for c in range(x0, x1):
            s = b.surface[c]
            if s <= 0 or not out_ok(c):
                continue
            r = s - 1
            if t[r, c] in (SKY, CLOUD) and not b.noentity[r * W + c] and not taken[r * W + c]:
                out.append((c, r, room))
    for plank in b.planks:
        room = b.room_of(plank.lo)
        r = plank.row - 1
        for c, _ in plank.cells:
            if c != plank.ladder_col and t[r, c] in (SKY, CLOUD) and not b.noentity[r * W + c] and out_ok(c):
                out.append((c, r, room))
    return out


__all__ = ["LedgesLayout", "Generated", "generate", "LayoutError", "HEIGHT"]


def from_text(rows: list[str], colour: str = "red") -> Generated:
    """A hand-made level from a text map, for tests and experiments.

    ``#`` ground, ``S`` stone, ``^`` pit bottom, ``=`` platform, ``H`` ladder, ``T`` ladder top (part of
    a platform), ``G`` gate, ``D`` locked door, ``b`` bridge (retracted), ``L`` lever, ``K`` key,
    ``o`` coin, ``g`` gem, ``C`` chest holding a gem, ``F`` flag, ``E`` exit, ``*`` spike ball (rolls
    two cells right), ``x`` saw, ``@`` the start. Coloured things take ``colour``; gems and flags
    take the next colour, so they never match the coins. Columns whose bottom cell is ``^`` are pits.
    """
    H, W = len(rows), len(rows[0])
    assert all(len(r) == W for r in rows), "every row of a text level has the same width"
    terrain = np.full((H, W), SKY, dtype=np.uint8)
    support = [-1] * (H * W)
    things: list[Thing] = []
    other = COLOURS[(COLOURS.index(colour) + 1) % len(COLOURS)]

    def new(kind: str, col: str | None = None, pos: tuple[int, int] | None = None, **kw) -> Thing:
        t = Thing(len(things), kind, col, pos, **kw)
        things.append(t)
        return t

    ground = new("ground")
    start = (0, 0)
    for r, row in enumerate(rows):
        for c, ch in enumerate(row):
            if ch == "#":
                terrain[r, c] = GRASS if r == 0 or rows[r - 1][c] != "#" else DIRT
                support[r * W + c] = ground.id
            elif ch == "S":
                terrain[r, c] = STONE
            elif ch == "^":
                terrain[r, c] = ABYSS
            elif ch == "H":
                terrain[r, c] = LADDER_T
            elif ch == "@":
                start = (c * SUB, r * SUB)
    # Platforms: runs of '=' and 'T' along a row.
    for r, row in enumerate(rows):
        c = 0
        while c < W:
            if row[c] in "=T":
                a = c
                while c < W and row[c] in "=T":
                    c += 1
                lad = next((x for x in range(a, c) if row[x] == "T"), -1)
                p = new("platform", colour, None, cells=tuple((x, r) for x in range(a, c)), lo=a, hi=c, row=r,
                        ladder_col=lad)
                for x in range(a, c):
                    terrain[r, x] = TERRAIN[f"{'laddertop' if x == lad else 'plank'}:{colour}"]
                    support[r * W + x] = p.id
                if lad >= 0:
                    bottom = r + 1
                    while bottom < H and rows[bottom][lad] == "H":
                        bottom += 1
                    new("ladder", None, (lad, r), cells=tuple((lad, y) for y in range(r, bottom)), lo=lad, hi=lad + 1,
                        row=r, link=p.id)
            else:
                c += 1
    # Pits: runs of columns whose bottom cell is '^'.
    c = 0
    while c < W:
        if rows[-1][c] == "^":
            a = c
            while c < W and rows[-1][c] == "^":
                c += 1
            top = next(r for r in range(H) if rows[r][a - 1] == "#")
            new("gap", None, None, lo=a, hi=c, row=top, cells=tuple((x, top) for x in range(a, c)))
        else:
            c += 1
    # Gates and doors: vertical runs; bridges: horizontal runs.
    for kind, ch, name in (("gate", "G", "gate-closed"), ("door", "D", "door-locked")):
        for c in range(W):
            cells = tuple((c, r) for r in range(H) if rows[r][c] == ch)
            if cells:
                new(kind, colour, None, cells=cells, lo=c, hi=c + 1, row=cells[0][1], locked=kind == "door")
                for x, y in cells:
                    terrain[y, x] = TERRAIN[f"{name}:{colour}"]
    for r, row in enumerate(rows):
        cells = tuple((c, r) for c in range(W) if row[c] == "b")
        if cells:
            bridge = new("bridge", colour, None, cells=cells, lo=cells[0][0], hi=cells[-1][0] + 1, row=r)
            for x, y in cells:
                terrain[y, x] = TERRAIN[f"bridge-off:{colour}"]
                support[y * W + x] = bridge.id
    for r, row in enumerate(rows):
        for c, ch in enumerate(row):
            if ch == "L":
                new("lever", colour, (c, r))
            elif ch == "K":
                new("key", colour, (c, r))
            elif ch == "o":
                new("coin", colour, (c, r))
            elif ch == "g":
                new("gem", other, (c, r))
            elif ch == "F":
                new("flag", other, (c, r))
            elif ch == "E":
                new("exit", None, (c, r))
            elif ch == "C":
                chest = new("chest", None, (c, r))
                chest.contents.append(new("gem", other))
            elif ch == "*":
                new("spikeball", None, (c, r), base=(c * SUB, r * SUB), span=2 * SUB, phase=0)
            elif ch == "x":
                new("saw", None, (c, r), base=(c * SUB, r * SUB), span=3 * SUB, phase=0)
    return Generated(W, H, terrain, things, [], start, support, [(1, W - 1)])
