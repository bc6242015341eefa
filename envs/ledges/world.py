"""Ledges: a side-view platformer with gravity and a camera that follows the player.

Controls: A/D or Left/Right walk, Space jumps (a fixed arc: two cells up, about
four across; steer in the air with A/D), W/S or Up/Down climb ladders, E pulls
the lever or opens the chest you stand at, or unlocks the door you stand next to
(with its key), Q drops the held item (into an open chest you stand at), 1-8
hold an inventory slot, I opens the inventory, Esc closes it; in the inventory,
click a slot to hold that item. Coins, keys and gems are picked up by touching
them. Falling into a pit or touching a spike ball or saw sends the player back
to the start, or to the last flag touched.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np

from simagym.actions import Input
from simagym.art import draw_cursor
from simagym.bagworld import BagWorld
from simagym.eval.blind import Script
from simagym.inventory import Bag, draw_inventory
from simagym.macros import GRID
from simagym.menus import MenuKeys
from simagym.seats import SEAT_COLOURS, Seat, SeatField, Seats
from simagym.world import Entity, Event, Selector, World, find_in, group_by_kind

from .layout import Generated, LedgesLayout, generate
from .physics import LEFT, ONEWAY, RIGHT, SOLID, SUB, WALK, Body, State, box_cells, centre_cell, hits, patrol_offset
from .render import INVENTORY_LOOK, camera_view, patch
from .things import (
    CLOUD, COLOURS, HAZARDS, ITEMS, KINDS, LANDMARKS, SKY, SKY_SPRITES, SPRITE_ID, TERRAIN, TERRAIN_FLAGS, Thing,
)

BAND = 3 * SUB + 4  # how far above a hazard's base the player still counts as passing it
FREE_CELLS = (SKY, CLOUD)


def hazard_xy(h: Thing, t: int) -> tuple[int, int]:
    """A hazard's cell box (units) at world time ``t``: spike balls roll, saws rise and fall."""
    off = patrol_offset(t, h.span, h.phase)
    return (h.base[0] + off, h.base[1]) if h.kind == "spikeball" else (h.base[0], h.base[1] - off)


def _sign(v: int) -> int:
    return (v > 0) - (v < 0)


class LedgesWorld(BagWorld, Seats, World):
    name = "ledges"
    Layout = LedgesLayout
    #: What step() reports, with the roles each event carries (a role may be absent: a drop far from
    #: anything has no landmark); task files may name only these.
    event_roles = {
        "checkpoint": frozenset({"flag"}),
        "climbed": frozenset({"ladder"}),
        "crossed": frozenset({"gap"}),
        "dropped": frozenset({"item", "landmark"}),
        "equipped": frozenset({"item"}),
        "extended": frozenset({"target"}),
        "fell": frozenset({"gap"}),
        "hit": frozenset({"hazard"}),
        "jumped_over": frozenset({"hazard"}),
        "landed_on": frozenset({"platform"}),
        "opened": frozenset({"target"}),
        "passed": frozenset({"hazard"}),
        "picked_up": frozenset({"item"}),
        "pulled": frozenset({"lever"}),
        "put_in": frozenset({"container", "item"}),
        "took_out": frozenset({"container", "item"}),
        "unlocked": frozenset({"target"}),
        "went_through": frozenset({"target"}),
    }
    events = frozenset(event_roles)
    max_players = 4
    menus = MenuKeys(("inventory",))  # no map: M and Tab do nothing
    vocabulary = {"kind": frozenset((*KINDS, "player")), "colour": frozenset(COLOURS)}
    #: Language-blind strategies particular to Ledges, for the audit (simagym.eval.blind): run and
    #: jump either way (forever, or then stop at the far wall); walk either way using everything
    #: met and stopping at every cell; climb every ladder met; hold the first slot, then drop it or
    #: close the bag; open the bag and click every cell.
    blind_scripts = {
        "jump-left": Script((), ("key:A", "key:SPACE", "key:A", "key:A")),
        "run-right-stop": Script(("key:D", "key:SPACE", "key:D", "key:D") * 20),
        "run-left-stop": Script(("key:A", "key:SPACE", "key:A", "key:A") * 20),
        "walk-use-left": Script((), ("key:W", "key:E", "key:A", "key:E")),
        "climb-right": Script((), ("key:W", "key:W", "key:D", "key:W", "key:SPACE", "key:D")),
        "climb-left": Script((), ("key:W", "key:W", "key:A", "key:W", "key:SPACE", "key:A")),
        "1-Q": Script(("key:1", "key:Q")),
        "1-Esc": Script(("key:1", "key:ESC")),
        "I-sweep": Script(("key:I", *(f"click:{c},{r}" for r in range(GRID) for c in range(GRID)))),
    }

    # Each player's own state (see simagym.seats): ``sides`` is which side of every gap, wall and
    # hazard it was last on; ``moved_from`` where its tick began; ``me`` the player as a thing
    # others can be near, once there is more than one.
    (state, start, spawn, facing, bag, menu_name, support_now, fresh_drops, _cursor, sides, moved_from,
     me) = (SeatField() for _ in range(12))

    # --- lifecycle -----------------------------------------------------------
    def reset(self, rng: np.random.Generator, layout: LedgesLayout, required: list[Selector]) -> None:
        self.load(generate(rng, layout, required), layout.start_menu)
        self.hold_levers = layout.hold_levers

    def load(self, g: Generated, menu: str | None = None) -> None:
        """Start playing a generated (or hand-made, see :func:`.layout.from_text`) level."""
        self._first_seat()
        self.me = None
        self.moved_from = None
        self.sides = {}
        self.hold_levers = False  # levers that spring back once nobody stands at them
        self.W, self.H = W, H = g.width, g.height
        self.terrain = g.terrain
        self.flags = [TERRAIN_FLAGS[v] for v in g.terrain.ravel().tolist()]
        self.body = Body(self.flags, W, H)
        self.support_id = g.support
        self.things: list[Thing] = g.things + g.inventory
        self.by_id = {t.id: t for t in self.things}
        self.by_kind = group_by_kind(self.things)
        self.hazards = [t for t in self.things if t.kind in HAZARDS]
        self.gaps = self.by_kind.get("gap", []) + self.by_kind.get("bridge", [])
        self.walls = self.by_kind.get("gate", []) + self.by_kind.get("door", [])
        self.bag: Bag[Thing] = Bag(g.inventory)
        self.menu_name: str | None = menu
        self.start = self.spawn = g.start
        self.state: State = (g.start[0], g.start[1], 0, False)
        self.facing = 1
        self.t = 0
        self.version = 0  # bumps whenever cell flags change (gates, doors, bridges)
        self.fresh_drops: list[Thing] = []  # dropped items not picked up again until the player steps off
        self._cursor = (0.5, 0.5)
        self.item_at = [-1] * (H * W)
        self.fixture_at = [-1] * (H * W)
        self.door_at: dict[tuple[int, int], Thing] = {}
        self.ladder_top: dict[tuple[int, int], Thing] = {}
        self.tiles = g.terrain.astype(np.int32)
        self.images: dict[int, np.ndarray] = {}  # the level's picture per tile size, patched as cells change
        for t in self.things:
            if t.pos is not None and (t.kind in ITEMS or t.kind in LANDMARKS):
                grid = self.item_at if t.kind in ITEMS else self.fixture_at
                grid[t.pos[1] * W + t.pos[0]] = t.id
                self._refresh(*t.pos)
            elif t.kind == "door":
                for cell in t.cells:
                    self.door_at[cell] = t
            elif t.kind == "ladder":
                self.ladder_top[(t.lo, t.row)] = t
        self.support_now = self.support_of(self.state)
        self._sync_sides()

    def _join(self, rng: np.random.Generator, index: int) -> Seat:
        """Another player, standing a cell or more beside the first one's start (players pass
        through each other); every player becomes a thing."""
        if self.me is None:
            self.me = self._player_thing(self.state)
        spots = self._beside(self.start)
        x, y = spots[(index - 1) % len(spots)] if spots else self.start
        state = (x, y, 0, False)
        seat = Seat(index, state=state, start=(x, y), spawn=(x, y), facing=1, bag=Bag([]), menu_name=None,
                    support_now=self.support_of(state), fresh_drops=[], _cursor=(0.5, 0.5), sides={},
                    moved_from=None, me=self._player_thing(state))
        self.seat, first = seat, self.seat
        try:
            self._sync_sides()
        finally:
            self.seat = first
        return seat

    def _beside(self, start: tuple[int, int]) -> list[tuple[int, int]]:
        """Where a player can stand one to three cells' walk either side of ``start``, nearest first."""
        found: dict[int, list[tuple[int, int]]] = {1: [], 2: [], 3: []}
        for key, d in ((RIGHT, 1), (LEFT, -1)):
            s = (start[0], start[1], 0, False)
            for cells in (1, 2, 3):
                for _ in range(SUB // WALK):
                    s = self.body.advance(s, key)
                if s[:2] != (start[0] + d * cells * SUB, start[1]) or not self.body.supported(s[0], s[1]):
                    break
                found[cells].append(s[:2])
        return found[1] + found[2] + found[3]

    def _player_thing(self, state: State) -> Thing:
        t = Thing(max(self.by_id) + 1, "player", pos=centre_cell(state[0], state[1]))
        self.by_id[t.id] = t
        self.things.append(t)
        self.by_kind[t.kind].append(t)
        return t

    def _refresh(self, c: int, r: int) -> None:
        """Recompute the atlas id of one cell after anything on it changed."""
        i = r * self.W + c
        tid = self.fixture_at[i]
        if tid < 0:
            tid = self.item_at[i]
        tile = SKY_SPRITES + SPRITE_ID[self.by_id[tid].sprite_name()] if tid >= 0 else int(self.terrain[r, c])
        self.tiles[r, c] = tile
        if self.images:
            patch(self.images, c, r, tile)

    def _set_terrain(self, cells: Iterable[tuple[int, int]], name: str) -> None:
        code = TERRAIN[name]
        for c, r in cells:
            self.terrain[r, c] = code
            self.flags[r * self.W + c] = TERRAIN_FLAGS[code]
            self._refresh(c, r)
        self.version += 1

    def _sync_sides(self) -> None:
        """Which side of every gap, wall and hazard the player is on, without events (start, respawn)."""
        x, y, _, _ = self.state
        mid = x + 2
        sides = self.sides
        for g in self.gaps:
            sides[g.id] = -1 if mid < g.lo * SUB else 1 if mid >= g.hi * SUB else sides.get(g.id, 0)
        for w in self.walls:
            sides[w.id] = _sign(mid - (w.lo * SUB + 2)) or sides.get(w.id, 0)
        for h in self.hazards:
            sides[h.id] = 1 if x >= hazard_xy(h, self.t)[0] else -1

    # --- dynamics ------------------------------------------------------------
    def _play(self, inp: Input, events: list[Event]) -> None:
        keys = inp.keys
        move = ("D" in keys or "RIGHT" in keys) - ("A" in keys or "LEFT" in keys)
        jump = "SPACE" in keys
        up = "W" in keys or "UP" in keys
        down = "S" in keys or "DOWN" in keys
        self.moved_from = self.state
        self.state = self.body.advance_input(self.state, move, jump, up, down)
        if move:
            self.facing = move

    def _advance(self, events: list[list[Event]]) -> None:
        """The clock ticks (hazards move), then every player meets what it moved into."""
        self.t += 1
        for i, own in enumerate(events):
            with self.seated(i):
                self._after_move(self.moved_from or self.state, own)
                self.moved_from = None
                if self.me is not None:
                    self.me.pos = centre_cell(*self.state[:2])
        if self.hold_levers:
            self._release_levers(events)

    def _after_move(self, prev: State, events: list[Event]) -> None:
        x, y, _, climbing = self.state
        W, sides = self.W, self.sides
        if self.body.fell(self.state):
            gap = next((g for g in self.gaps if g.lo * SUB <= x + 2 < g.hi * SUB), None)
            events.append(Event("fell", {"gap": gap.view()} if gap is not None else {}))
            self._respawn()
            return
        for h in self.hazards:
            hx, hy = hazard_xy(h, self.t)
            if hits(x, y, hx, hy):
                events.append(Event("hit", {"hazard": h.view()}))
                self._respawn()
                return
            side = 1 if x >= hx else -1
            if side != sides[h.id]:
                if sides[h.id] and h.base[1] - BAND <= y <= h.base[1] + 2 and _sign(x - prev[0]) == side:
                    roles = {"hazard": h.view()}
                    events.append(Event("passed", roles))
                    if not self.body.supported(x, y) and not climbing:
                        events.append(Event("jumped_over", roles))
                sides[h.id] = side
        # Touch: items are picked up, flags become the checkpoint.
        cells = box_cells(x, y)
        if self.fresh_drops:
            self.fresh_drops = [t for t in self.fresh_drops if t.pos is not None and t.pos in cells]
        for c, r in cells:
            if not (0 <= c < W and 0 <= r < self.H):
                continue
            i = r * W + c
            if self.item_at[i] >= 0:
                item = self.by_id[self.item_at[i]]
                if item not in self.fresh_drops:
                    self._take(item, events)
            if self.fixture_at[i] >= 0:
                flag = self.by_id[self.fixture_at[i]]
                if flag.kind == "flag" and not flag.on:
                    for other in self.by_kind["flag"]:
                        if other.on:
                            other.on = False
                            other.changed()
                            self._refresh(*other.pos)
                    flag.on = True
                    flag.changed()
                    self._refresh(*flag.pos)
                    self.spawn = (flag.pos[0] * SUB, flag.pos[1] * SUB)
                    events.append(Event("checkpoint", {"flag": flag.view()}))
        # What the player stands on.
        support = self.support_of(self.state)
        if support != self.support_now:
            if support >= 0:
                events.append(Event("landed_on", {"platform": self.by_id[support].view()}))
            self.support_now = support
        if prev[3] and not climbing:
            ladder = self.climbed_ladder(prev, self.state)
            if ladder is not None:
                events.append(Event("climbed", {"ladder": ladder.view()}))
        mid = x + 2
        if support >= 0:
            for g in self.gaps:
                side = -1 if mid < g.lo * SUB else 1 if mid >= g.hi * SUB else 0
                if side and side != sides[g.id]:
                    if sides[g.id]:
                        events.append(Event("crossed", {"gap": g.view()}))
                    sides[g.id] = side
        for w in self.walls:
            side = _sign(mid - (w.lo * SUB + 2))
            if side and side != sides[w.id]:
                if sides[w.id]:
                    events.append(Event("went_through", {"target": w.view()}))
                sides[w.id] = side

    def support_of(self, s: State) -> int:
        """The id of the platform, ground or bridge the player stands on, else -1."""
        x, y, _, climbing = s
        if climbing or y & 3:
            return -1
        r = (y >> 2) + 1
        if not 0 <= r < self.H:
            return -1
        base = r * self.W
        for c in ((x + 2) >> 2, x >> 2, (x + 3) >> 2):
            if self.flags[base + c] & (SOLID | ONEWAY) and self.support_id[base + c] >= 0:
                return self.support_id[base + c]
        return -1

    def climbed_ladder(self, prev: State, s: State) -> Thing | None:
        """The ladder whose top the player just climbed onto (prev climbing, now standing on its top)."""
        if not prev[3] or s[3] or not self.body.supported(s[0], s[1]):
            return None
        return self.ladder_top.get((s[0] >> 2, (s[1] >> 2) + 1)) if (s[0] & 3) == 0 else None

    def _respawn(self) -> None:
        self.state = (self.spawn[0], self.spawn[1], 0, False)
        self.support_now = self.support_of(self.state)
        self._sync_sides()

    def _take(self, item: Thing, events: list[Event]) -> bool:
        if self.bag.full:
            return False
        if item.pos is not None:
            c, r = item.pos
            self.item_at[r * self.W + c] = -1
            item.pos = None
            self._refresh(c, r)
        self.bag.pick_up(item, events)
        return True

    def _use(self, events: list[Event]) -> None:
        x, y, _, _ = self.state
        cx, cy = centre_cell(x, y)
        W = self.W
        fid = self.fixture_at[cy * W + cx] if 0 <= cx < W and 0 <= cy < self.H else -1
        if fid >= 0:
            target = self.by_id[fid]
            if target.kind == "lever":
                self._pull(target, events)
            elif target.kind == "chest":
                if not target.open:
                    target.open = True
                    target.changed()
                    self._refresh(*target.pos)
                    events.append(Event("opened", {"target": target.view()}))
                while target.contents and not self.bag.full:
                    item = target.contents.pop(0)
                    self._take(item, events)
                    events.append(Event("took_out", {"item": item.view(), "container": target.view()}))
            return
        for dc in (self.facing, -self.facing):
            door = self.door_at.get((cx + dc, cy))
            if door is not None and door.locked:
                if not self.bag.has("key", door.colour):
                    continue
                door.locked, door.open = False, True
                door.changed()
                self._set_terrain(door.cells, f"door-open:{door.colour}")
                events.append(Event("unlocked", {"target": door.view()}))
                events.append(Event("opened", {"target": door.view()}))
                return

    def _pull(self, lever: Thing, events: list[Event]) -> None:
        # A lever held down (hold_levers) stays down while pulled again; others toggle.
        self._set_lever(lever, True if self.hold_levers else not lever.on)
        events.append(Event("pulled", {"lever": lever.view()}))
        self._wire(lever, events)

    def _release_levers(self, events: list[list[Event]]) -> None:
        """Held levers spring back once nobody stands at them."""
        standing = {centre_cell(*s.state[:2]) for s in self.seats}
        for lever in self.by_kind.get("lever", []):
            if lever.on and lever.pos not in standing:
                self._set_lever(lever, False)
                self._wire(lever, [])  # closing and retracting are nobody's event

    def _set_lever(self, lever: Thing, on: bool) -> None:
        lever.on = on
        lever.changed()
        self._refresh(*lever.pos)

    def _wire(self, lever: Thing, events: list[Event]) -> None:
        """Gates and bridges of the lever's colour follow it."""
        for gate in self.by_kind.get("gate", []):
            if gate.colour == lever.colour and gate.open != lever.on:
                if not lever.on and any(cell in gate.cells for seat in self.seats for cell in box_cells(*seat.state[:2])):
                    continue  # never close a gate on a player
                gate.open = lever.on
                gate.changed()
                self._set_terrain(gate.cells, f"gate-{'open' if gate.open else 'closed'}:{gate.colour}")
                if gate.open:
                    events.append(Event("opened", {"target": gate.view()}))
        for bridge in self.by_kind.get("bridge", []):
            if bridge.colour == lever.colour and bridge.on != lever.on:
                bridge.on = lever.on
                bridge.changed()
                self._set_terrain(bridge.cells, f"bridge-{'on' if bridge.on else 'off'}:{bridge.colour}")
                if bridge.on:
                    events.append(Event("extended", {"target": bridge.view()}))

    def _drop(self, events: list[Event]) -> None:
        item = self.bag.hand
        if item is None:
            return
        x, y, _, climbing = self.state
        cx, cy = centre_cell(x, y)
        W = self.W
        if not (0 <= cx < W and 0 <= cy < self.H):
            return
        i = cy * W + cx
        fid = self.fixture_at[i]
        if fid >= 0 and self.by_id[fid].kind == "chest" and self.by_id[fid].open:
            chest = self.by_id[fid]
            self.bag.lose(item)
            chest.contents.append(item)
            events.append(Event("put_in", {"item": item.view(), "container": chest.view()}))
            return
        if (climbing or not self.body.supported(x, y) or fid >= 0 or self.item_at[i] >= 0
                or self.terrain[cy, cx] not in FREE_CELLS):
            return
        self.bag.lose(item)
        item.pos = (cx, cy)
        self.item_at[i] = item.id
        self._refresh(cx, cy)
        self.fresh_drops.append(item)
        roles = {"item": item.view()}
        near = self.landmark_near(cx, cy)
        if near is not None:
            roles["landmark"] = near.view()
        events.append(Event("dropped", roles))

    def landmark_near(self, cx: int, cy: int) -> Thing | None:
        """The first flag, chest, lever or exit within one cell of (cx, cy)."""
        W = self.W
        for dy in (0, -1, 1):
            for dx in (0, -1, 1):
                c, r = cx + dx, cy + dy
                if 0 <= c < W and 0 <= r < self.H and self.fixture_at[r * W + c] >= 0:
                    return self.by_id[self.fixture_at[r * W + c]]
        return None

    # --- pixels ---------------------------------------------------------------
    def render(self, height: int, width: int) -> np.ndarray:
        x, y, _, climbing = self.state
        hazards = [(h.kind, *hazard_xy(h, self.t)) for h in self.hazards]
        hand = SPRITE_ID[self.bag.hand.sprite_name()] if self.bag.hand is not None else 0
        others = [(s.state[0], s.state[1], s.facing, s.state[3], SEAT_COLOURS[s.index]) for s in self.others()]
        frame = camera_view(self.tiles, self.images, (x, y), self.facing, climbing, hazards, hand, height, width,
                            SEAT_COLOURS[self.seat.index], others)
        if self.menu_name is None:
            return frame
        draw_inventory(frame, self.bag, INVENTORY_LOOK)
        draw_cursor(frame, *self._cursor)
        return frame

    # --- queries --------------------------------------------------------------
    def entities(self) -> Iterable[Entity]:
        return [t.view() for t in self.things if t is not self.me]

    def find(self, selector: Selector) -> list[Entity]:
        found = find_in(self.things, self.by_kind, selector)
        # Other players are things to this one; it is not one to itself.
        return found if self.me is None else [e for e in found if e.id != self.me.id]

    def cells_of(self, t: Thing) -> tuple[tuple[int, int], ...]:
        """Where a thing is, in cells (nothing while carried or in a chest)."""
        if t.kind in HAZARDS:
            hx, hy = hazard_xy(t, self.t)
            return (((hx + 2) >> 2, (hy + 2) >> 2),)
        if t.cells:
            return t.cells
        return (t.pos,) if t.pos is not None else ()

    def is_near(self, entity: Entity) -> bool:
        t = self.by_id.get(entity.id)
        if t is None or t is self.me:
            return False
        if t.kind == "ground":
            return self.support_now == t.id
        cx, cy = centre_cell(*self.state[:2])
        return any(abs(c - cx) <= 1 and abs(r - cy) <= 1 for c, r in self.cells_of(t))

    def displacement(self) -> tuple[float, float]:
        return ((self.state[0] - self.start[0]) / SUB, (self.state[1] - self.start[1]) / SUB)



__all__ = ["LedgesWorld", "hazard_xy", "BAND"]
