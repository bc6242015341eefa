"""Meadow: a top-down 2D open world with a camera that follows the player.

Controls: W/A/S/D or arrows move one cell per tick (pushing into something
turns to face it; pushing an animal you already face shoos it aside), E uses
what is underfoot or faced, Q drops the held item (or puts it into a faced,
open chest), 1-8 hold an inventory slot, I opens the inventory, M the map,
Tab switches between them, Esc closes. In menus, click with the mouse.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np

from simagym.actions import Input
from simagym.art import PALETTE, draw_cursor
from simagym.bagworld import BagWorld
from simagym.eval.blind import Script
from simagym.inventory import Bag, draw_inventory
from simagym.macros import GRID
from simagym.menus import MenuKeys, map_cell
from simagym.seats import SEAT_COLOURS, Seat, SeatField, Seats
from simagym.world import Entity, Event, Selector, World, find_in, group_by_kind

from . import menus
from .layout import WALKABLE_LUT, MeadowLayout, generate, reachable_from
from .render import RADIUS, camera_view
from .things import (
    ANIMALS, COLOURS, FLORA, ITEMS, LANDMARKS, SPRITE_ID, STUMP, VOID, WALKABLE, Thing,
)

MOVES = (("W", (0, -1)), ("UP", (0, -1)), ("S", (0, 1)), ("DOWN", (0, 1)),
         ("A", (-1, 0)), ("LEFT", (-1, 0)), ("D", (1, 0)), ("RIGHT", (1, 0)))
WANDER_P = 0.15
PAD = RADIUS + 1
MAX_MARKERS = 8  # older markers disappear, as in most games
MARKER_COLOUR = (255, 0, 255)

_MAP_COLOURS = {"well": (40, 70, 160), "tower": (150, 150, 160), "windmill": (235, 225, 190), "statue": (250, 250, 250),
                "campfire": (250, 120, 20), "chest": (150, 95, 40), "tree": (30, 100, 40), "rock": (120, 120, 125)}


def _chebyshev(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(abs(a[0] - b[0]), abs(a[1] - b[1]))


class MeadowWorld(BagWorld, Seats, World):
    name = "meadow"
    Layout = MeadowLayout
    #: What step() reports, with the roles each event carries (a role may be absent: a drop far from
    #: anything has no landmark); task files may name only these.
    event_roles = {
        "chopped": frozenset({"target"}),
        "dropped": frozenset({"item", "landmark"}),
        "equipped": frozenset({"item"}),
        "fed": frozenset({"animal", "item"}),
        "gathered": frozenset({"item"}),
        "gave": frozenset({"item", "receiver"}),
        "harvested": frozenset({"item", "target"}),
        "marker_placed": frozenset({"target"}),
        "mined": frozenset({"target"}),
        "opened": frozenset({"target"}),
        "petted": frozenset({"animal"}),
        "picked_up": frozenset({"item"}),
        "put_in": frozenset({"container", "item"}),
        "received": frozenset({"giver", "item"}),
        "took_out": frozenset({"container", "item"}),
        "unlocked": frozenset({"target"}),
        "went_through": frozenset({"target"}),
    }
    events = frozenset(event_roles)
    scattered = frozenset(FLORA)  # "go to a tree": any of them
    max_players = 4
    menus = MenuKeys(("inventory", "map"))
    vocabulary = {
        "kind": frozenset((*LANDMARKS, *ITEMS, *ANIMALS, *FLORA, "chest", "gate", "player")),
        "colour": frozenset(COLOURS),
    }
    #: Language-blind strategies particular to Meadow, for the audit (simagym.eval.blind): hold
    #: the first slot, then drop it or close the open inventory; open the map or the inventory and
    #: click every cell in turn (marks the first landmark the sweep reaches, holds the first item);
    #: end in the map by way of the inventory.
    blind_scripts = {
        "1-Q": Script(("key:1", "key:Q")),
        "1-Esc": Script(("key:1", "key:ESC")),
        "M-sweep": Script(("key:M", *(f"click:{c},{r}" for r in range(GRID) for c in range(GRID)))),
        "I-sweep": Script(("key:I", *(f"click:{c},{r}" for r in range(GRID) for c in range(GRID)))),
        "I-Tab": Script(("key:I", "key:TAB")),
    }

    # Each player's own state (see simagym.seats); ``me`` is the player as a thing in the world,
    # which others can bump into and face, once there is more than one.
    player, start, facing, bag, menu_name, _cursor, markers, me = (SeatField() for _ in range(8))

    # --- lifecycle -----------------------------------------------------------
    def reset(self, rng: np.random.Generator, layout: MeadowLayout, required: list[Selector]) -> None:
        self._first_seat()
        self.me = None
        g = generate(rng, layout, required)
        self.rng = rng
        self.n = layout.size
        self.terrain = g.terrain
        self.pen_cells = g.pen_cells
        self.things: list[Thing] = g.things + g.inventory
        self.by_id = {t.id: t for t in self.things}
        self.by_kind = group_by_kind(self.things)
        self.animals = [t for t in self.things if t.kind in ANIMALS]
        self.bag: Bag[Thing] = Bag(g.inventory)
        self.menu_name: str | None = layout.start_menu
        self.player = self.start = g.player
        self.facing = (0, 1)
        self._cursor = (0.5, 0.5)
        self.markers: list[tuple[int, int]] = []
        self.occupant = np.full((self.n, self.n), -1, dtype=np.int32)  # blocking thing per cell
        self.item_at = np.full((self.n, self.n), -1, dtype=np.int32)  # ground item per cell
        self.tiles = np.full((self.n + 2 * PAD, self.n + 2 * PAD), VOID * len(SPRITE_ID), dtype=np.int32)
        self.tiles[PAD:PAD + self.n, PAD:PAD + self.n] = self.terrain.astype(np.int32) * len(SPRITE_ID)
        self._map_cache: dict[tuple[int, int], np.ndarray] = {}
        for t in self.things:
            if t.pos is not None:
                self._grid(t)[t.pos[1], t.pos[0]] = t.id
                self._refresh(*t.pos)

    def _join(self, rng: np.random.Generator, index: int) -> Seat:
        """Another player, on a free cell the first can walk to; every player becomes a thing."""
        if self.me is None:
            self.me = self._player_thing(self.player)
        blocked = ~WALKABLE_LUT[self.terrain] | (self.occupant >= 0)
        blocked[self.player[1], self.player[0]] = False
        free = ~blocked & (self.item_at < 0) & reachable_from(blocked, self.player)
        free[self.player[1], self.player[0]] = False
        for x, y in self.pen_cells:
            free[y, x] = False
        cells = np.flatnonzero(free)
        y, x = divmod(int(cells[int(rng.integers(cells.size))]), self.n)
        return Seat(index, player=(x, y), start=(x, y), facing=(0, 1), bag=Bag([]), menu_name=None,
                    _cursor=(0.5, 0.5), markers=[], me=self._player_thing((x, y)))

    def _player_thing(self, pos: tuple[int, int]) -> Thing:
        t = Thing(max(self.by_id) + 1, "player")
        self.by_id[t.id] = t
        self.things.append(t)
        self.by_kind[t.kind].append(t)
        self._place(t, pos)
        return t

    def _grid(self, t: Thing) -> np.ndarray:
        return self.item_at if t.kind in ITEMS else self.occupant

    def _refresh(self, x: int, y: int) -> None:
        """Recompute the atlas id of one cell after anything on it changed."""
        tid = self.occupant[y, x]
        if tid < 0:
            tid = self.item_at[y, x]
        sprite = SPRITE_ID[self.by_id[tid].sprite_name()] if tid >= 0 else 0
        self.tiles[y + PAD, x + PAD] = int(self.terrain[y, x]) * len(SPRITE_ID) + sprite
        self._map_cache.clear()

    def _place(self, t: Thing, pos: tuple[int, int] | None) -> None:
        if t.pos is not None:
            self._grid(t)[t.pos[1], t.pos[0]] = -1
            self._refresh(*t.pos)
        t.pos = pos
        if pos is not None:
            self._grid(t)[pos[1], pos[0]] = t.id
            self._refresh(*pos)

    def _remove(self, t: Thing) -> None:
        self._place(t, None)
        self.things.remove(t)
        self.by_kind[t.kind].remove(t)

    # --- dynamics ------------------------------------------------------------
    def _play(self, inp: Input, events: list[Event]) -> None:
        move = next((d for k, d in MOVES if k in inp.keys), None)
        if move is not None:
            self._move(move, events)

    def _advance(self, events: list[list[Event]]) -> None:
        self._wander()

    def _click_map(self, x: float, y: float, events: list[Event]) -> None:
        """A click on the map at the normalised point (x, y): a marker there."""
        cell = map_cell(x, y, (self.n, self.n))
        self.markers = self.markers[-(MAX_MARKERS - 1):] + [cell]
        landmarks = [t for t in self.things if t.kind in LANDMARKS and t.pos is not None]
        dist = [np.hypot(t.pos[0] - cell[0], t.pos[1] - cell[1]) for t in landmarks]
        roles = {}
        if dist and min(dist) <= menus.MARKER_RADIUS:
            roles["target"] = landmarks[int(np.argmin(dist))].view()
        events.append(Event("marker_placed", roles))

    def _faced(self) -> Thing | None:
        x, y = self.player[0] + self.facing[0], self.player[1] + self.facing[1]
        if 0 <= x < self.n and 0 <= y < self.n and self.occupant[y, x] >= 0:
            return self.by_id[int(self.occupant[y, x])]
        return None

    def _take(self, item: Thing, events: list[Event]) -> bool:
        if self.bag.full:
            return False
        self._place(item, None)
        self.bag.pick_up(item, events)
        return True

    def _use(self, events: list[Event]) -> None:
        x, y = self.player
        if self.item_at[y, x] >= 0:
            self._take(self.by_id[int(self.item_at[y, x])], events)
            return
        target = self._faced()
        if target is None:
            return
        kind, hand = target.kind, (self.bag.hand.kind if self.bag.hand else None)
        if kind in ("chest", "gate") and not target.open:
            if target.locked:
                if not self.bag.has("key", target.colour):
                    return
                target.locked = False
                events.append(Event("unlocked", {"target": target.view()}))
            target.open = True
            target.changed()
            self._refresh(*target.pos)
            events.append(Event("opened", {"target": target.view()}))
        elif kind == "chest" and target.contents:
            item = target.contents[0]
            if self._take(item, events):
                target.contents.pop(0)
                if target.shows_contents:
                    self._refresh(*target.pos)
                events.append(Event("took_out", {"item": item.view(), "container": target.view()}))
        elif kind == "player" and hand is not None:
            self._give(target, events)
        elif kind in ANIMALS:
            if hand == "apple":
                apple = self.bag.hand
                self.bag.lose(apple)
                self.things.remove(apple)
                self.by_kind["apple"].remove(apple)
                events.append(Event("fed", {"animal": target.view(), "item": apple.view()}))
            else:
                events.append(Event("petted", {"animal": target.view()}))
        elif (kind, hand) in (("tree", "axe"), ("rock", "pickaxe")):
            if self.bag.full:
                return
            pos = target.pos
            self._remove(target)
            if kind == "tree":
                self.terrain[pos[1], pos[0]] = STUMP
                self._refresh(*pos)
            product = Thing(max(self.by_id) + 1, "log" if kind == "tree" else "stone")
            self.by_id[product.id] = product
            self.things.append(product)
            self.by_kind[product.kind].append(product)
            self.bag.items.append(product)  # in the bag, not in hand
            events.append(Event("chopped" if kind == "tree" else "mined", {"target": target.view()}))
            events.append(Event("gathered", {"item": product.view()}))
            # Either of the two, for instructions that name the source and leave the tool to the player.
            events.append(Event("harvested", {"target": target.view(), "item": product.view()}))

    def _give(self, partner: Thing, events: list[Event]) -> None:
        """E facing another player: the held item goes into their hand."""
        seat = next(s for s in self.seats if s.me is partner)
        item = self.bag.hand
        if seat.bag.full:
            return
        self.bag.lose(item)
        seat.bag.pick_up(item, [])  # a gift is received, not picked up
        events.append(Event("gave", {"item": item.view(), "receiver": partner.view()}))
        self.tell(seat.index, Event("received", {"item": item.view(), "giver": self.me.view()}))

    def _drop(self, events: list[Event]) -> None:
        item = self.bag.hand
        if item is None:
            return
        target = self._faced()
        if target is not None and target.kind == "chest" and target.open:
            self.bag.lose(item)
            target.contents.append(item)
            if target.shows_contents:
                self._refresh(*target.pos)
            events.append(Event("put_in", {"item": item.view(), "container": target.view()}))
            return
        x, y = self.player
        if self.item_at[y, x] >= 0:
            return  # one item per cell
        self.bag.lose(item)
        self._place(item, (x, y))
        roles = {"item": item.view()}
        near = [t for t in self.things if t.kind in LANDMARKS and t.pos is not None and _chebyshev(t.pos, self.player) <= 1]
        if near:
            roles["landmark"] = near[0].view()
        events.append(Event("dropped", roles))

    def _free_for(self, x: int, y: int, walker: str) -> bool:
        if not (0 <= x < self.n and 0 <= y < self.n) or self.terrain[y, x] not in WALKABLE:
            return False
        tid = self.occupant[y, x]
        if tid >= 0 and self.by_id[int(tid)].blocks and (self.me is None or tid != self.me.id):
            return False
        if walker == "animal":
            return tid < 0 and self.item_at[y, x] < 0 and (x, y) != self.player and (x, y) not in self.pen_cells
        return True

    def _move(self, d: tuple[int, int], events: list[Event]) -> None:
        already_facing = self.facing == d
        self.facing = d
        x, y = self.player[0] + d[0], self.player[1] + d[1]
        if self._free_for(x, y, "player"):
            self.player = (x, y)
            if self.me is not None:
                self._place(self.me, (x, y))
            tid = self.occupant[y, x]
            if tid >= 0 and self.by_id[int(tid)].kind == "gate":
                events.append(Event("went_through", {"target": self.by_id[int(tid)].view()}))
            return
        blocker = self._faced()
        if already_facing and blocker is not None and blocker.kind in ANIMALS:
            self._shoo(blocker)

    def _shoo(self, animal: Thing) -> None:
        ax, ay = animal.pos
        options = [(ax + dx, ay + dy) for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1))
                   if self._free_for(ax + dx, ay + dy, "animal")]
        if options:
            self._place(animal, options[int(self.rng.integers(len(options)))])

    def _wander(self) -> None:
        draws = self.rng.random(2 * len(self.animals)) if self.animals else ()
        for i, animal in enumerate(self.animals):
            # Animals wait for a player standing next to them, so they can be petted or fed.
            if draws[2 * i] >= WANDER_P or any(_chebyshev(animal.pos, s.player) <= 1 for s in self.seats):
                continue
            dx, dy = ((1, 0), (-1, 0), (0, 1), (0, -1))[int(draws[2 * i + 1] * 4)]
            x, y = animal.pos[0] + dx, animal.pos[1] + dy
            if self._free_for(x, y, "animal"):
                self._place(animal, (x, y))

    # --- pixels ---------------------------------------------------------------
    def render(self, height: int, width: int) -> np.ndarray:
        if self.menu_name == "map":
            # The world is paused while the map is open, so its picture is cached until something changes.
            cached = self._map_cache.get((height, width))
            if cached is None:
                cached = self._map_cache[(height, width)] = menus.draw_map(self.terrain, self._map_marks(), height, width)
            frame = cached.copy()
            for cell in self.markers:
                menus.paint_cell(frame, cell, self.n, MARKER_COLOUR)
            for seat in self.others():
                menus.paint_cell(frame, seat.player, self.n, SEAT_COLOURS[seat.index])
            menus.paint_cell(frame, self.player, self.n, SEAT_COLOURS[self.seat.index])
        else:
            hand = SPRITE_ID[self.bag.hand.sprite_name()] if self.bag.hand is not None else 0
            others = [(s.player, s.facing, SEAT_COLOURS[s.index]) for s in self.others()]
            frame = camera_view(self.tiles, PAD, self.player, self.facing, hand, height, width,
                                SEAT_COLOURS[self.seat.index], others)
            if self.menu_name is None:
                return frame
            draw_inventory(frame, self.bag, menus.INVENTORY_LOOK)
        draw_cursor(frame, *self._cursor)
        return frame

    def _map_marks(self) -> list[tuple[tuple[int, int], tuple[int, int, int]]]:
        marks = []
        for t in self.things:
            if t.pos is None or t.kind in ITEMS or t.kind in ANIMALS or t.kind == "player":
                continue
            rgb = PALETTE[t.colour] if t.colour else _MAP_COLOURS.get(t.kind, (200, 200, 200))
            marks.append((t.pos, rgb))
        return marks

    # --- queries --------------------------------------------------------------
    def entities(self) -> Iterable[Entity]:
        return [t.view() for t in self.things if t is not self.me]

    def find(self, selector: Selector) -> list[Entity]:
        found = find_in(self.things, self.by_kind, selector)
        # Other players are things to this one; it is not one to itself.
        return found if self.me is None else [e for e in found if e.id != self.me.id]

    def is_near(self, entity: Entity) -> bool:
        t = self.by_id.get(entity.id)
        return t is not None and t is not self.me and t.pos is not None and _chebyshev(t.pos, self.player) <= 1

    def displacement(self) -> tuple[float, float]:
        return (float(self.player[0] - self.start[0]), float(self.player[1] - self.start[1]))



__all__ = ["MeadowWorld", "FLORA"]
