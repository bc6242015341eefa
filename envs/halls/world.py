"""Halls: a first-person, raycast world of rooms and corridors.

Controls: W/S (or UP/DOWN) walk forward/back a quarter cell per tick, A/D
strafe, LEFT/RIGHT turn 15 degrees, and horizontal mouse motion turns 360
degrees per screen width (a ``look`` macro, 1/8 of the screen, is 45 degrees).
E uses what is straight ahead within reach (opens a door - a locked one needs
the key of its colour in the bag - or presses a wall button), else picks up the
nearest object in front of you or underfoot. Q drops the held item. 1-8 hold an
inventory slot. I opens the inventory, M the map, Tab switches between them,
Esc closes; in menus, click with the mouse (a slot to hold it, a room on the map
to mark it).
"""

from __future__ import annotations

import math
from typing import Iterable

import numpy as np

from simagym.actions import Input
from simagym.art import PALETTE, draw_cursor
from simagym.bagworld import BagWorld
from simagym.eval.blind import Script
from simagym.inventory import Bag, draw_held, draw_inventory
from simagym.menus import MenuKeys, map_cell, map_frame
from simagym.world import Entity, Event, Selector, World, find_in, group_by_kind

from . import menus
from .art import MATERIAL, SPRITE_ID, icon
from .layout import CORRIDOR, WALL, HallsLayout, Opening, generate
from .render import Grid, camera, direction, draw_crosshair
from .things import (BLOCKERS, COLOURS, FACE_DIRS, ITEMS, LANDMARKS, PATTERNS, PLACES, SPRITE_SIZE, TURN_WINDOW,
                     TURNS, Thing)

STEP = 0.25  # cells per tick; four steps cross a cell exactly
RADIUS = 0.22  # the player's half-width for collisions
TURN_STEP = 15.0  # degrees per tick with LEFT/RIGHT
MOUSE_TURN = 360.0  # degrees per screen width of horizontal cursor motion
REACH = 1.0  # doors and buttons: how far ahead E reaches
PICK_REACH = 1.25  # objects in front within this distance can be picked up ...
PICK_CONE = 30.0  # ... within this many degrees of straight ahead
UNDERFOOT = 0.55  # ... or at any angle this close
DROP_AHEAD = 0.6
BESIDE = 1.6  # a dropped item is "next to" the nearest landmark or pillar within this distance
FACE_RANGE = 8.0
FACE_TOLERANCE = math.tan(math.radians(8.0))  # always reachable with 15-degree turns
FACE_AWAY_TRIES = 50
NEAR_DISTANCE = {"door": 1.5, "button": 1.2, "corridor_end": 0.75, **{k: 1.5 for k in BLOCKERS},
                 **{k: 1.0 for k in ITEMS}}
FACE_HALF_WIDTH = {"door": 0.5, "button": 0.4, "pillar": 0.25, "lamp": 0.25, "statue": 0.3, "plant": 0.3,
                   "barrel": 0.3, **{k: 0.18 for k in ITEMS}}
MAP_LANDMARK_RGB = {"lamp": (250, 220, 90), "statue": (235, 235, 240), "plant": (60, 170, 70), "barrel": (150, 96, 48)}
MARKER_RGB = (0, 255, 255)
HUD_RGB = (30, 30, 36)
FRAME_CACHE_BYTES = 8 << 20  # cached views per world state
SUB = 6  # map pixels per cell before scaling to the screen


def wrap(angle: float) -> float:
    """An angle in degrees folded into (-180, 180]."""
    a = math.fmod(angle, 360.0)
    if a > 180.0:
        a -= 360.0
    elif a <= -180.0:
        a += 360.0
    return a


_SWEEP = tuple(f"click:{c},{r}" for r in range(8) for c in range(8))


class HallsWorld(BagWorld, World):
    name = "halls"
    Layout = HallsLayout
    #: What step() reports, with the roles each event carries (a role may be absent: a drop far from
    #: anything has no landmark); task files may name only these.
    event_roles = {
        "dropped": frozenset({"item", "landmark", "place", "room"}),
        "entered": frozenset({"room"}),
        "equipped": frozenset({"item"}),
        "faced": frozenset({"target"}),
        "marker_placed": frozenset({"target"}),
        "opened": frozenset({"target"}),
        "picked_up": frozenset({"item"}),
        "pressed": frozenset({"target"}),
        "turned_around": frozenset(),
        "turned_left": frozenset(),
        "turned_right": frozenset(),
        "unlocked": frozenset({"target"}),
        "went_through": frozenset({"target"}),
    }
    events = frozenset(event_roles)
    menus = MenuKeys(("inventory", "map"))
    #: Language-blind probes of Halls' own shortcuts, next to the generic ones: marking rooms
    #: on the map in a fixed order, holding or dropping a fixed inventory slot, turning and
    #: walking a fixed way, opening the first door ahead and going through.
    blind_scripts = {
        "I-Tab": Script(("key:I", "key:TAB")),
        "M-Tab": Script(("key:M", "key:TAB")),
        "M-sweep": Script(("key:M",), _SWEEP),
        "M-click-centre": Script(("key:M", "click:4,4")),
        "I-click-slot": Script(("key:I", "click:2,3")),
        "1-Q": Script(("key:1", "key:Q")),
        "2-Q": Script(("key:2", "key:Q")),
        "look-left-once": Script(("look:left",)),
        "look-right-once": Script(("look:right",)),
        "turn-right-walk": Script(("look:right", "look:right") + ("key:W",) * 12),
        "walk-far": Script(("key:W",) * 40),
        "walk-open-through": Script((), ("key:W", "key:W", "key:W", "key:E")),
    }
    vocabulary = {
        "kind": frozenset((*ITEMS, *BLOCKERS, *PLACES, "door", "button", "direction")),
        "colour": frozenset(COLOURS),
        "pattern": frozenset(PATTERNS),
        "landmark": frozenset(LANDMARKS),
        "turn": frozenset(TURNS),
    }

    # --- lifecycle -----------------------------------------------------------
    def reset(self, rng: np.random.Generator, layout: HallsLayout, required: list[Selector]) -> None:
        g = generate(rng, layout, required)
        self._load(g, layout)
        if layout.face_away:
            # The player starts facing nothing of the kinds the task names (a target never starts
            # reached, and no look-alike is in front either): another compass heading, else another map.
            kinds = {s["kind"] for s in required if s.get("kind") in FACE_HALF_WIDTH}
            if kinds & set(LANDMARKS):  # the landmarks are one another's look-alikes
                kinds |= set(LANDMARKS)
            for _ in range(FACE_AWAY_TRIES):
                headings = [h for h in (0.0, 90.0, 180.0, -90.0) if not self._faces_kinds(h, kinds)]
                if headings:
                    self.heading = self.start_heading = headings[int(rng.integers(len(headings)))]
                    break
                g = generate(rng, layout, required)
                self._load(g, layout)
            else:
                self.heading = self.start_heading = g.heading
            self._faced = {t.id for t in self._facing()}

    def _faces_kinds(self, heading: float, kinds: set[str]) -> bool:
        """Whether, facing ``heading``, the player would face anything of ``kinds``."""
        dx, dy = direction(heading)
        return any(t.kind in kinds and self._ahead(t, dx, dy) for t in self._face_targets)

    def _load(self, g, layout: HallsLayout) -> None:
        self.region = g.region
        self.h, self.w = g.region.shape
        self.region_rows = g.region.tolist()
        self.things: list[Thing] = g.things + g.inventory
        self.by_id = {t.id: t for t in self.things}
        self.by_kind = group_by_kind(self.things)
        self.bag: Bag[Thing] = Bag(g.inventory)
        self.menu_name: str | None = layout.start_menu
        self._cursor = (0.5, 0.5)
        self.markers: list[tuple[int, int]] = []
        self.x, self.y = g.start
        self.start = g.start
        self.heading = self.start_heading = g.heading
        self.openings: list[Opening] = g.openings
        self.opening_at = {op.cell: op for op in g.openings}
        self.door_at = {op.cell: op.door for op in g.openings if op.door is not None}
        self.button_at = {(b.cell[0], b.cell[1], b.face): b for b in self.by_kind.get("button", [])}
        self.room_of_region = {t.region: t for t in self.things if t.kind in ("room", "corridor")}

        solid = g.region == WALL
        for (x, y) in self.door_at:
            solid[y, x] = True
        self.solid_rows = solid.tolist()
        blocked = solid.copy()
        for t in self.things:
            if t.kind in BLOCKERS:
                blocked[t.cell[1], t.cell[0]] = True
        self.blocked_rows = blocked.tolist()
        if getattr(self, "grid", None) is None:
            self.grid = Grid()
        self.grid.load(solid, self._face_materials())
        self.version = 0
        self._frames: dict[tuple, np.ndarray] = {}
        self._frames_version = -1
        self._map_frame: tuple[tuple, np.ndarray] | None = None
        self._map_base: tuple[int, np.ndarray] | None = None
        self._found: dict[tuple, list[Entity]] = {}
        self._found_version = -1
        self._refresh_sprites()
        self._cell = (int(self.x), int(self.y))
        self._region_now = self._last_region = self.region_rows[self._cell[1]][self._cell[0]]
        self._through: Opening | None = None
        self._faced: set[int] = {t.id for t in self._facing()}

    def _face_materials(self) -> np.ndarray:
        """(4, H, W) material of every face of every cell, seen from the neighbouring cell."""
        region = self.region
        lut = np.zeros(int(region.max()) + 2, dtype=np.intp)
        lut[CORRIDOR + 1] = MATERIAL["corridor"]
        for t in self.things:
            if t.kind == "room":
                lut[t.region + 1] = MATERIAL[f"room:{t.colour}:{t.pattern}"]
        for op in self.openings:
            lut[op.region + 1] = MATERIAL[f"jamb:{op.door.colour}"] if op.door else MATERIAL["jamb"]
        padded = np.full((self.h + 2, self.w + 2), WALL, dtype=region.dtype)
        padded[1:-1, 1:-1] = region
        mats = np.empty((4, self.h, self.w), dtype=np.intp)
        for f, (dx, dy) in enumerate(FACE_DIRS):
            mats[f] = lut[padded[1 - dy: 1 - dy + self.h, 1 - dx: 1 - dx + self.w] + 1]
        for (x, y), door in self.door_at.items():
            mats[:, y, x] = self._door_material(door)
        for (x, y, f), b in self.button_at.items():
            mats[f, y, x] = self._button_material(b)
        return mats

    @staticmethod
    def _door_material(door: Thing) -> int:
        return MATERIAL[f"door:{door.colour}:{'locked' if door.locked else 'shut'}"]

    @staticmethod
    def _button_material(b: Thing) -> int:
        return MATERIAL[f"button:{b.colour}:{'on' if b.pressed else 'off'}"]

    def _refresh_sprites(self) -> None:
        shown = [t for t in self.things if t.pos is not None and (t.kind in BLOCKERS or t.kind in ITEMS)]
        self._sprites = [(t.pos[0], t.pos[1], SPRITE_ID[t.sprite_name()], SPRITE_SIZE[t.kind]) for t in shown]
        self._ground = [t for t in shown if t.kind in ITEMS]
        self._face_targets = [t for t in self.things if t.pos is not None and t.kind in FACE_HALF_WIDTH]
        self.version += 1

    # --- geometry -------------------------------------------------------------
    def _free(self, x: float, y: float) -> bool:
        rows = self.blocked_rows
        x0, x1, y0, y1 = int(x - RADIUS), int(x + RADIUS), int(y - RADIUS), int(y + RADIUS)
        return not (rows[y0][x0] or rows[y0][x1] or rows[y1][x0] or rows[y1][x1])

    def first_solid(self, px: float, py: float, rx: float, ry: float, max_t: float) -> tuple[float, int, int, int] | None:
        """The first solid cell along ``p + t r`` for ``t <= max_t``: (t, x, y, face), or None."""
        mx, my = int(px), int(py)
        inf = math.inf
        if rx > 0:
            sx, tmx, dtx = 1, (mx + 1 - px) / rx, 1 / rx
        elif rx < 0:
            sx, tmx, dtx = -1, (px - mx) / -rx, -1 / rx
        else:
            sx, tmx, dtx = 0, inf, inf
        if ry > 0:
            sy, tmy, dty = 1, (my + 1 - py) / ry, 1 / ry
        elif ry < 0:
            sy, tmy, dty = -1, (py - my) / -ry, -1 / ry
        else:
            sy, tmy, dty = 0, inf, inf
        rows = self.solid_rows
        while True:
            if tmx < tmy:
                t, mx, tmx, face = tmx, mx + sx, tmx + dtx, (0 if sx > 0 else 1)
            else:
                t, my, tmy, face = tmy, my + sy, tmy + dty, (2 if sy > 0 else 3)
            if t > max_t:
                return None
            if rows[my][mx]:
                return (t, mx, my, face)

    def _sees(self, t: Thing) -> bool:
        """Whether nothing solid stands between the eye and ``t`` (its own cell aside)."""
        return self.sees_from(self.x, self.y, t)

    def sees_from(self, x: float, y: float, t: Thing) -> bool:
        hit = self.first_solid(x, y, t.pos[0] - x, t.pos[1] - y, 1.0)
        return hit is None or (t.cell is not None and (hit[1], hit[2]) == t.cell)

    def _facing(self) -> list[Thing]:
        """Everything roughly straight ahead and in sight (for ``faced`` events)."""
        dx, dy = direction(self.heading)
        return [t for t in self._face_targets if self._ahead(t, dx, dy)]

    def _ahead(self, t: Thing, dx: float, dy: float) -> bool:
        """Whether ``t`` is in the middle of the view along (dx, dy), within range and in sight."""
        rx, ry = t.pos[0] - self.x, t.pos[1] - self.y
        depth = rx * dx + ry * dy
        if depth <= 0.2 or depth > FACE_RANGE:
            return False
        if abs(ry * dx - rx * dy) > max(FACE_HALF_WIDTH[t.kind], depth * FACE_TOLERANCE):
            return False
        return self._sees(t)

    def region_at(self, x: float, y: float) -> int:
        return self.region_rows[int(y)][int(x)]

    def place_of(self, x: float, y: float) -> Thing | None:
        """The room (or the corridor) containing the point, None in a doorway or a wall."""
        return self.room_of_region.get(self.region_at(x, y))

    # --- dynamics -------------------------------------------------------------
    def _play(self, inp: Input, events: list[Event]) -> None:
        keys = inp.keys
        turn = inp.cursor_motion[0] * MOUSE_TURN
        if "LEFT" in keys:
            turn -= TURN_STEP
        if "RIGHT" in keys:
            turn += TURN_STEP
        moved = self._walk(keys) if keys else False
        if turn:
            self.heading = wrap(self.heading + turn)
            self._turned(events)
        if moved:
            self._entered(events)
        if turn or moved:
            faced = self._facing()
            for t in faced:
                if t.id not in self._faced:
                    events.append(Event("faced", {"target": t.view()}))
            self._faced = {t.id for t in faced}

    def _walk(self, keys: frozenset[str]) -> bool:
        target = self.step_target(keys)
        if target is None:
            return False
        self.x, self.y = target
        return True

    def step_target(self, keys: frozenset[str]) -> tuple[float, float] | None:
        """Where walking with ``keys`` held would take the player this tick (sliding along a wall
        it meets at an angle), or None when it would not move."""
        fwd = (("W" in keys) or ("UP" in keys)) - (("S" in keys) or ("DOWN" in keys))
        side = ("D" in keys) - ("A" in keys)
        if not fwd and not side:
            return None
        dx, dy = direction(self.heading)
        mx, my = fwd * dx - side * dy, fwd * dy + side * dx
        norm = math.hypot(mx, my)
        mx, my = mx * STEP / norm, my * STEP / norm
        x, y = self.x, self.y
        for nx, ny in ((x + mx, y + my), (x + mx, y), (x, y + my)):
            if (nx, ny) != (x, y) and self._free(nx, ny):
                return (nx, ny)
        return None

    def _turned(self, events: list[Event]) -> None:
        diff = wrap(self.heading - self.start_heading)
        if abs(diff) >= 150.0:
            events.append(Event("turned_around"))
        elif -120.0 <= diff <= -60.0:
            events.append(Event("turned_left"))
        elif 60.0 <= diff <= 120.0:
            events.append(Event("turned_right"))

    def _entered(self, events: list[Event]) -> None:
        cell = (int(self.x), int(self.y))
        if cell == self._cell:
            return
        self._cell = cell
        r = self.region_rows[cell[1]][cell[0]]
        self._region_now = r
        op = self.opening_at.get(cell)
        if op is not None:
            if self._through is None:
                self._through = op
            return
        through, self._through = self._through, None
        if through is not None and through.door is not None and r != self._last_region and r in through.sides:
            events.append(Event("went_through", {"target": through.door.view()}))
        if r != self._last_region:
            place = self.room_of_region.get(r)
            if place is not None and place.kind == "room":
                events.append(Event("entered", {"room": place.view()}))
        self._last_region = r

    def _click_map(self, x: float, y: float, events: list[Event]) -> None:
        """A click on the map at the normalised point (x, y): a marker on the cell (and the room) there."""
        cell = map_cell(x, y, (self.h, self.w))
        self.markers = self.markers[-7:] + [cell]
        place = self.place_of(cell[0] + 0.5, cell[1] + 0.5)
        events.append(Event("marker_placed", {"target": place.view()} if place is not None else {}))

    def _use(self, events: list[Event]) -> None:
        dx, dy = direction(self.heading)
        hit = self.first_solid(self.x, self.y, dx, dy, REACH)
        if hit is not None:
            _, cx, cy, face = hit
            door = self.door_at.get((cx, cy))
            if door is not None and not door.open:
                self._open(door, events)
                return
            button = self.button_at.get((cx, cy, face))
            if button is not None:
                if not button.pressed:
                    button.pressed = True
                    button.changed()
                    self.grid.set_material(face, cx, cy, self._button_material(button))
                    self.version += 1
                    events.append(Event("pressed", {"target": button.view()}))
                return
        item = self.reachable_item()
        if item is not None:
            self._take(item, events)

    def _open(self, door: Thing, events: list[Event]) -> None:
        if door.locked:
            if not self.bag.has("key", door.colour):
                return
            door.locked = False
            door.changed()
            events.append(Event("unlocked", {"target": door.view()}))
        door.open = True
        door.changed()
        x, y = door.cell
        self.solid_rows[y][x] = False
        self.blocked_rows[y][x] = False
        self.grid.set_solid(x, y, False)
        self.version += 1
        events.append(Event("opened", {"target": door.view()}))

    def reachable_item(self) -> Thing | None:
        """What E would pick up now: the nearest object underfoot or in front within reach."""
        dx, dy = direction(self.heading)
        best, best_d = None, math.inf
        cone = math.cos(math.radians(PICK_CONE))
        for t in self._ground:
            rx, ry = t.pos[0] - self.x, t.pos[1] - self.y
            d = math.hypot(rx, ry)
            if d >= best_d or d > PICK_REACH:
                continue
            if d > UNDERFOOT and ((rx * dx + ry * dy) < cone * d or not self._sees(t)):
                continue
            best, best_d = t, d
        return best

    def _take(self, item: Thing, events: list[Event]) -> None:
        if self.bag.full:
            return
        item.pos = item.cell = None
        item.region = -1
        self._refresh_sprites()
        self.bag.pick_up(item, events)

    def drop_point(self) -> tuple[float, float]:
        """Where Q would put the held item: a little ahead when there is floor there, else underfoot."""
        dx, dy = direction(self.heading)
        fx, fy = self.x + DROP_AHEAD * dx, self.y + DROP_AHEAD * dy
        if not self.blocked_rows[int(fy)][int(fx)] and self.first_solid(self.x, self.y, fx - self.x, fy - self.y, 1.0) is None:
            return (fx, fy)
        return (self.x, self.y)

    def drop_roles(self, item: Thing, pos: tuple[float, float]) -> dict[str, Entity]:
        roles = {"item": item.view()}
        best, best_d = None, BESIDE
        for kind in BLOCKERS:
            for t in self.by_kind.get(kind, ()):
                d = math.hypot(t.pos[0] - pos[0], t.pos[1] - pos[1])
                if d <= best_d:
                    best, best_d = t, d
        if best is not None:
            roles["landmark"] = best.view()
        place = self.place_of(*pos)
        if place is not None:
            roles["room" if place.kind == "room" else "place"] = place.view()
        return roles

    def _drop(self, events: list[Event]) -> None:
        item = self.bag.hand
        if item is None:
            return
        pos = self.drop_point()
        self.bag.lose(item)
        item.pos = pos
        item.cell = (int(pos[0]), int(pos[1]))
        item.region = self.region_at(*pos)
        self._refresh_sprites()
        events.append(Event("dropped", self.drop_roles(item, pos)))

    # --- pixels ---------------------------------------------------------------
    def render(self, height: int, width: int) -> np.ndarray:
        if self.menu_name == "map":
            # The world is paused while the map is open: its picture changes only with markers.
            key = (height, width, self.x, self.y, self.heading, self.version, tuple(self.markers))
            if self._map_frame is None or self._map_frame[0] != key:
                self._map_frame = (key, self._draw_map(height, width))
            frame = self._map_frame[1].copy()
            draw_cursor(frame, *self._cursor)
            return frame
        # Views are cached by pose until anything in the world changes: standing still and
        # looking back and forth (most random input) costs a dictionary lookup.
        if self._frames_version != self.version or len(self._frames) * height * width * 3 > FRAME_CACHE_BYTES:
            self._frames.clear()
            self._frames_version = self.version
        key = (height, width, self.x, self.y, self.heading, self.bag.hand)  # the view shows the held item
        cached = self._frames.get(key)
        if cached is None:
            cached = self._frames[key] = self._draw_view(height, width)
        frame = cached.copy()
        if self.menu_name == "inventory":
            draw_inventory(frame, self.bag, menus.INVENTORY_LOOK)
            draw_cursor(frame, *self._cursor)
        return frame

    def _draw_view(self, height: int, width: int) -> np.ndarray:
        cam = camera(height, width)
        frame, zbuf = cam.draw(self.grid, self.x, self.y, self.heading)
        cam.sprites(frame, zbuf, self.x, self.y, self.heading, self._sprites)
        draw_crosshair(frame)
        hand = self.bag.hand
        if hand is not None:
            # What the player holds, bottom-left: it is not visible in the view itself.
            size = max(6, min(height, width) // 6)
            badge = np.full((size + 2, size + 2, 3), 200, dtype=np.uint8)  # a light frame around the icon
            badge[1:-1, 1:-1] = icon(SPRITE_ID[hand.sprite_name()], size, HUD_RGB)
            draw_held(frame, badge)
        return frame

    def _map_cells(self) -> np.ndarray:
        """The plan at SUB pixels per cell: walls, rooms in their colours, the corridor, doors
        (paler once open), and landmarks and pillars as dots. Cached per world version."""
        if self._map_base is not None and self._map_base[0] == self.version:
            return self._map_base[1]
        lut = np.empty((int(self.region.max()) + 2, 3), dtype=np.uint8)
        lut[:] = menus.CORRIDOR_RGB
        lut[WALL + 1] = menus.WALL_RGB
        for t in self.by_kind.get("room", ()):
            lut[t.region + 1] = menus.room_rgb(t.colour)
        cells = lut[self.region + 1]
        for op in self.openings:
            if op.door is not None:
                rgb = PALETTE[op.door.colour]
                cells[op.cell[1], op.cell[0]] = rgb if not op.door.open else tuple(int(c * 0.5 + 100) for c in rgb)
        sub = np.repeat(np.repeat(cells, SUB, axis=0), SUB, axis=1)
        for kind in BLOCKERS:
            for t in self.by_kind.get(kind, ()):
                x, y = t.cell[0] * SUB, t.cell[1] * SUB
                sub[y:y + SUB, x:x + SUB][1:-1, 1:-1] = (20, 20, 24)
                sub[y:y + SUB, x:x + SUB][2:-2, 2:-2] = PALETTE[t.colour] if t.colour else MAP_LANDMARK_RGB[kind]
        self._map_base = (self.version, sub)
        return sub

    def _draw_map(self, height: int, width: int) -> np.ndarray:
        sub = self._map_cells().copy()
        for (x, y) in self.markers:
            sub[y * SUB:(y + 1) * SUB, x * SUB:(x + 1) * SUB] = MARKER_RGB
        # The player: a pink dot with a white tick towards where they face.
        x, y = int(self.x * SUB), int(self.y * SUB)
        sub[y - 1:y + 2, x - 1:x + 2] = menus.PLAYER_RGB
        dx, dy = direction(self.heading)
        for s in (1.5, 2.5):
            sub[int(self.y * SUB + dy * s), int(self.x * SUB + dx * s)] = (255, 255, 255)
        return map_frame(sub, height, width)

    # --- queries --------------------------------------------------------------
    def entities(self) -> Iterable[Entity]:
        return [t.view() for t in self.things]

    def find(self, selector: Selector) -> list[Entity]:
        # Checks call this every tick; answers only change when the world's version does.
        if self._found_version != self.version:
            self._found.clear()
            self._found_version = self.version
        key = tuple(selector.items())
        found = self._found.get(key)
        if found is None:
            found = self._found[key] = find_in(self.things, self.by_kind, selector)
        return found

    def is_near(self, entity: Entity) -> bool:
        t = self.by_id.get(entity.id)
        if t is None:
            return False
        if t.kind in ("room", "corridor"):
            return self._region_now == t.region
        if t.pos is None:
            return False
        limit = NEAR_DISTANCE.get(t.kind)
        return limit is not None and math.hypot(t.pos[0] - self.x, t.pos[1] - self.y) <= limit

    def is_facing(self, entity: Entity) -> bool:
        """Facing a thing: it is in sight, within 8 cells, and no more than 10 degrees off straight
        ahead. Facing a direction (``turn``: left, right, around, slightly left or right): the
        heading is that turn from the start's (a quarter, half or eighth of a turn), within 10
        degrees. Ten degrees is less than one 15-degree arrow step each way, so turning past a
        thing or a direction with the arrows is never three still ticks facing it."""
        t = self.by_id.get(entity.id)
        if t is None:
            return False
        if t.kind == "direction":
            return abs(wrap(self.heading - self.start_heading - TURNS[t.turn])) <= TURN_WINDOW
        if t.pos is None or t.kind not in FACE_HALF_WIDTH:
            return False
        rx, ry = t.pos[0] - self.x, t.pos[1] - self.y
        off = abs(wrap(math.degrees(math.atan2(ry, rx)) - self.heading))
        return off <= TURN_WINDOW and 0.2 < math.hypot(rx, ry) <= FACE_RANGE and self._sees(t)

    def displacement(self) -> tuple[float, float]:
        return (self.x - self.start[0], self.y - self.start[1])



__all__ = ["HallsWorld", "LANDMARKS"]
