"""Ledges' oracle: a planner over the level graph, acting only through macros.

Nodes are resting states (standing on a cell boundary, or on a ladder rung);
edges are short macro sequences - walk a cell, walk off a ledge, jump with a
delay and some steering, climb, let go of a ladder - simulated with the world's
own :class:`~.physics.Body`, so every edge is exactly what the keys will do.
Hazards move on a fixed clock, so the search is time-dependent: an edge that
would touch a spike ball is delayed (waiting on a safe node) until it doesn't.
Goals are predicates over (previous state, state, time) checked along every
edge, so "collect the coin" can end in mid-jump and "jump over the spike ball"
is a crossing, not a place.

The solver replans whenever the world departs from the plan's expected state
or the level changes (a gate opens); otherwise it plays the plan out. When a
goal is unreachable it opens the nearest closed barrier first (pull its lever,
or fetch the key and unlock the door).
"""

from __future__ import annotations

import heapq
from collections import deque
from typing import TYPE_CHECKING, Callable

from simagym.bagworld import BagSolver
from simagym.checks import AllOf, Check, DIRECTIONS, Happened, Holding, Moved, Near, Not, Then
from simagym.macros import NOOP, key_macro
from simagym.world import Selector

from .physics import DOWN, JUMPKEY, LEFT, NONE, RIGHT, SUB, UP, State, box_cells, centre_cell, hits
from .things import HAZARDS, ITEMS, Thing

if TYPE_CHECKING:
    from .world import LedgesWorld

# A tick without input inside a plan (a wait, or letting a jump rise) is a key Ledges ignores, never
# the no-op: to a settled judge the no-op means "done, judge me here" (see simagym.judge).
WAIT = key_macro("SHIFT")
MACRO = {NONE: WAIT, LEFT: key_macro("A"), RIGHT: key_macro("D"), JUMPKEY: key_macro("SPACE"),
         UP: key_macro("W"), DOWN: key_macro("S")}
HORIZON = 3000  # ticks: further than any task's step limit
MAX_WAIT = 60  # ticks to wait on a node for a hazard to pass (over two patrol periods)
HERE = -1  # _go's answer when the goal already holds

_JUMPS = [(JUMPKEY,)] + [(JUMPKEY,) + (NONE,) * j + (d,) * m for j in (0, 2) for d in (LEFT, RIGHT) for m in range(1, 11)]
GROUND_T = [(RIGHT, RIGHT), (LEFT, LEFT)] + _JUMPS
DRIFT_T = {d: [(d,) * m for m in range(3, 11)] for d in (LEFT, RIGHT)}
CLIMB_T = [(UP, UP), (DOWN, DOWN), (LEFT,), (RIGHT,), (JUMPKEY,)] + [
    (JUMPKEY,) + (d,) * m for d in (LEFT, RIGHT) for m in range(1, 9)]
AIR_T = [(NONE,)] + [(d,) * m for d in (LEFT, RIGHT) for m in range(1, 9)]

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in units (exclusive ends)


def _overlap(a: Box | None, b: Box) -> bool:
    return a is None or (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])


class Edge:
    __slots__ = ("keys", "states", "end", "box")

    def __init__(self, keys: list[int], states: list[State], box: Box | None = None) -> None:
        self.keys = keys
        self.states = states
        self.end = states[-1]
        if box is None:
            xs = [s[0] for s in states]
            ys = [s[1] for s in states]
            box = (min(xs), min(ys), max(xs) + SUB, max(ys) + SUB)
        self.box = box

    def moved(self, dx: int, dy: int) -> "Edge":
        """The same edge from a node (dx, dy) units away (physics is the same wherever the cells are)."""
        b = self.box
        return Edge(self.keys, [(x + dx, y + dy, vy, c) for x, y, vy, c in self.states],
                    (b[0] + dx, b[1] + dy, b[2] + dx, b[3] + dy))


# Edges depend only on the cells around their start, so levels built from the same pieces share them:
# one process-wide cache keyed by the neighbourhood's cell flags (rows from just above to the bottom,
# columns as far as any template can reach), holding edges built at the origin of the key's node.
REACH = 7  # columns either side any template can touch
_SHARED: dict[tuple, tuple[State, list[Edge]]] = {}
_SHARED_MAX = 2_000  # about 30 KB each


class Graph:
    """Edges out of each resting state, built on demand and kept until the level changes."""

    def __init__(self, world: "LedgesWorld") -> None:
        self.w = world
        self.version = -1
        self.cache: dict[State, list[Edge]] = {}

    def edges(self, s: State) -> list[Edge]:
        if self.w.version != self.version:
            self.cache = {}
            self.version = self.w.version
        found = self.cache.get(s)
        if found is None:
            found = self.cache[s] = self._shared(s)
        return found

    def _neighbourhood(self, s: State) -> tuple:
        w = self.w
        W, H, flags = w.W, w.H, w.flags
        c, r = s[0] >> 2, s[1] >> 2
        c0, c1 = c - REACH, c + REACH + 2
        lo, hi = max(c0, 0), min(c1, W)
        pad_l, pad_r = bytes([1] * (lo - c0)), bytes([1] * (c1 - hi))
        rows = [bytes([1] * (c1 - c0)) for _ in range(max(0, 3 - r))]
        rows += [pad_l + bytes(flags[rr * W + lo: rr * W + hi]) + pad_r for rr in range(max(0, r - 3), H)]
        return (r, s[0] & 3, s[1] & 3, s[2], s[3], H, b"|".join(rows))

    def _shared(self, s: State) -> list[Edge]:
        key = self._neighbourhood(s)
        hit = _SHARED.get(key)
        if hit is not None:
            origin, edges = hit
            dx, dy = s[0] - origin[0], s[1] - origin[1]
            return edges if not dx and not dy else [e.moved(dx, dy) for e in edges]
        edges = self._build(s)
        if len(_SHARED) >= _SHARED_MAX:
            _SHARED.clear()
        _SHARED[key] = (s, edges)
        return edges

    def _build(self, s: State) -> list[Edge]:
        body = self.w.body
        x, y, vy, climbing = s
        if climbing:
            templates = CLIMB_T
        elif vy == 0 and body.supported(x, y):
            templates = list(GROUND_T)
            for d in (LEFT, RIGHT):
                two = body.advance(body.advance(s, d), d)
                if not body.supported(two[0], two[1]):
                    templates += DRIFT_T[d]  # walking off a ledge here: steer the fall
            col = (x + 2) >> 2
            if body.on_ladder(col, y):
                templates.append((UP,))
            if body.ladder_below(col, y):
                templates.append((DOWN,))
        else:
            templates = AIR_T + ([(UP,)] if body.on_ladder((x + 2) >> 2, y) else [])
        prefixes: dict[tuple[int, ...], list[State]] = {(): []}
        out: list[Edge] = []
        seen: set[tuple[State, ...]] = set()
        for keys in templates:
            states = self._prefix(s, keys, prefixes)
            if states is None:
                continue
            edge = self._complete(keys, states)
            if edge is None:
                continue
            sig = tuple(edge.states)
            if sig not in seen:
                seen.add(sig)
                out.append(edge)
        return out

    def _prefix(self, s: State, keys: tuple[int, ...], prefixes: dict) -> list[State] | None:
        if keys in prefixes:
            return prefixes[keys]
        head = self._prefix(s, keys[:-1], prefixes)
        if head is None:
            prefixes[keys] = None
            return None
        body = self.w.body
        nxt = body.advance(head[-1] if head else s, keys[-1])
        states = None if body.fell(nxt) else head + [nxt]
        prefixes[keys] = states
        return states

    def _complete(self, keys: tuple[int, ...], states: list[State]) -> Edge | None:
        """Finish a template: fall until landing, then step onto a cell boundary."""
        body = self.w.body
        last_h = next((k for k in reversed(keys) if k in (LEFT, RIGHT)), RIGHT)
        last_v = next((k for k in reversed(keys) if k in (UP, DOWN)), UP)
        keys_out, states_out = list(keys), list(states)
        cur = states[-1]
        for _ in range(32):
            if body.is_node(cur):
                return Edge(keys_out, states_out)
            if cur[3]:
                k = last_v
            elif cur[2] == 0 and body.supported(cur[0], cur[1]):
                k = last_h
            else:
                k = NONE
            cur = body.advance(cur, k)
            if body.fell(cur):
                return None
            keys_out.append(k)
            states_out.append(cur)
        return None


class Goal:
    """What the planner searches for: ``test(prev, state, time)``; ``box`` bounds where it can hold.

    A ``settle`` goal is a place to stop at (being near something, having moved): it counts only
    where it still holds, out of harm's way, after one more tick without input - the tick of the
    no-op that tells a settled judge "done" (see :mod:`simagym.judge`)."""

    __slots__ = ("key", "test", "box", "settle")

    def __init__(self, key: object, test: Callable[[State | None, State, int], bool], box: Box | None = None,
                 settle: bool = False) -> None:
        self.key, self.test, self.box, self.settle = key, test, box, settle


class Avoid:
    """Look-alikes of the instruction's targets to keep away from on the way (BabyAI's strict mode):
    cells not to touch (items, flags), platforms not to land on, and places not to wait at (near a
    look-alike landmark; anywhere off the start when the goal is a distance)."""

    __slots__ = ("touch", "supports", "rest_cells", "rest_moved", "boxes")

    def __init__(self, touch: set[tuple[int, int]], supports: set[int], rest_cells: set[tuple[int, int]],
                 rest_moved: bool, boxes: list[Box]) -> None:
        self.touch, self.supports, self.rest_cells, self.rest_moved = touch, supports, rest_cells, rest_moved
        self.boxes = boxes

    def __bool__(self) -> bool:
        return bool(self.touch or self.supports or self.rest_cells or self.rest_moved)


def _cells_box(cells) -> Box:
    cs = [c for c, _ in cells]
    rs = [r for _, r in cells]
    return (min(cs) * SUB - SUB, min(rs) * SUB - SUB, (max(cs) + 2) * SUB, (max(rs) + 2) * SUB)


def _leaves(check: Check):
    """Every leaf check of a condition (the parts of all / any / then), negations left out."""
    if isinstance(check, AllOf):  # AnyOf and Then too
        for part in check.parts:
            yield from _leaves(part)
    elif not isinstance(check, Not):
        yield check


def _selectors(leaf: Check) -> list[Selector]:
    """What a leaf names: the thing to hold, or an event's roles."""
    if isinstance(leaf, Holding):
        return [leaf.selector]
    if isinstance(leaf, Happened):
        return list(leaf.roles.values())
    return []


def _final_leaf(check: Check) -> Check:
    """The check a condition ends on: the last step of a sequence, else the condition itself."""
    while isinstance(check, Then):
        check = check.parts[-1]
    return check


class LedgesSolver(BagSolver):
    def __init__(self, world: "LedgesWorld", check: Check) -> None:
        super().__init__(world, check)
        self.graph = Graph(world)
        self.plan: deque[tuple[int, State, int]] = deque()
        self.plan_key: object = None
        self.expect: tuple[State, int] | None = None
        self.unreachable: set[tuple[object, int]] = set()
        self.leaves = list(_leaves(check))

    def next_macro(self) -> int:
        # A place reached in passing (mid-jump, with a hazard coming) is not yet a place to stop:
        # keep moving until the no-op would find the goal still holding.
        leaf = _final_leaf(self.check)
        if isinstance(leaf, (Near, Moved)) and self.w.menu_name is None and self.check.satisfied(self.w):
            return self._solve(leaf)
        return super().next_macro()

    # --- leaves -----------------------------------------------------------------
    def _near(self, leaf: Near) -> int:
        w = self.w
        cells = {(c + dc, r + dr) for t in self._things(leaf.selector) for c, r in w.cells_of(t)
                 for dc in (-1, 0, 1) for dr in (-1, 0, 1)}
        if any(t.kind == "ground" for t in self._things(leaf.selector)):
            ground = self._support_goal(w.by_kind["ground"][0], transition=False, settle=True)
            return self._travel(ground, "near-ground")
        return self._travel(self._centre_goal(cells, ("near", tuple(sorted(cells))), settle=True), "near")

    def _moved(self, leaf: Moved) -> int:
        return self._travel(self._moved_goal(leaf), "moved")

    def _event(self, leaf: Happened) -> int:
        roles, w, t = leaf.roles, self.w, leaf.type
        if t == "equipped":
            return self._equip(roles.get("item", {}))
        if t in ("picked_up",):
            return self._acquire(roles.get("item", {}))
        if t == "took_out":
            item = roles.get("item", {})
            chest = next((c for c in self._things(roles.get("container", {"kind": "chest"}))
                          if any(i.view().matches(item) for i in c.contents)), None)
            return self._interact(chest, "E") if chest is not None else self._acquire(item)
        if t == "pulled":
            return self._interact(self._one(roles["lever"]), "E")
        if t in ("opened", "unlocked", "extended"):
            target = self._one(roles["target"])
            if target.kind == "chest":
                return self._interact(target, "E")
            return self._open(target)
        if t == "went_through":
            target = self._one(roles["target"])
            if not target.open:
                return self._open(target)
            side = -w.sides[target.id]
            mid = target.lo * SUB + 2
            goal = Goal(("through", target.id, side), lambda p, s, tt: (s[0] + 2 - mid) * side > 0)
            return self._travel(goal, "through")
        if t in ("crossed", "jumped_over", "passed"):  # getting past a gap or a hazard, whichever it names
            target = self._one(roles["gap" if t == "crossed" else "hazard"])
            if target.kind in HAZARDS:
                return self._travel(self._hazard_goal(target, airborne=t == "jumped_over"), "hazard")
            return self._travel(self._crossed_goal(target), "cross")
        if t == "landed_on":
            return self._travel(self._support_goal(self._one(roles["platform"]), transition=True), "land")
        if t == "climbed":
            ladder = self._one(roles["ladder"])
            goal = Goal(("climbed", ladder.id), lambda p, s, tt: p is not None and w.climbed_ladder(p, s) is ladder,
                        _cells_box([(ladder.lo, ladder.row - 1)]))
            return self._travel(goal, "climb")
        if t == "checkpoint":
            flag = self._one(roles["flag"])
            return self._travel(self._touch_goal({flag.pos}, ("touch", flag.id)), "flag")
        if t == "dropped":
            return self._drop(roles)
        if t == "put_in":
            chest = self._one(roles.get("container", {"kind": "chest"}))
            if not chest.open:
                return self._interact(chest, "E")
            held = self._hold(roles["item"])
            if held is not None:
                return held
            return self._interact(chest, "Q")
        return NOOP

    # --- building blocks ----------------------------------------------------------
    def _acquire(self, selector: Selector) -> int:
        """Touch a matching item on the ground, or open the chest holding one."""
        w = self.w
        matching = self._things(selector)
        ground = [t for t in matching if t.pos is not None and t.kind in ITEMS and t not in w.fresh_drops]
        if ground:
            cells = {t.pos for t in ground}
            return self._travel(self._touch_goal(cells, ("touch", tuple(sorted(cells)))), "acquire")
        chest = next((c for c in w.by_kind.get("chest", []) if any(i.view().matches(selector) for i in c.contents)), None)
        if chest is not None:
            return self._interact(chest, "E")
        return NOOP

    def _interact(self, target: Thing, key: str) -> int:
        """Stand at ``target`` (a fixture), then press ``key``."""
        goal = self._centre_goal({target.pos}, ("at", target.id))
        return self._travel(goal, "interact", on_arrival=key_macro(key))

    def _open(self, barrier: Thing) -> int:
        """Open a gate or extend a bridge with its lever, or unlock a door with its key."""
        w = self.w
        if barrier.kind in ("gate", "bridge"):
            lever = next((l for l in w.by_kind.get("lever", []) if l.colour == barrier.colour), None)
            return self._interact(lever, "E") if lever is not None else NOOP
        if not w.bag.has("key", barrier.colour):
            return self._acquire({"kind": "key", "colour": barrier.colour})
        cells = {(c + d, r) for c, r in barrier.cells for d in (-1, 1)}
        goal = Goal(("door", barrier.id), lambda p, s, tt: centre_cell(s[0], s[1]) in cells, _cells_box(cells))
        return self._travel(goal, "door", on_arrival=key_macro("E"))

    def _drop(self, roles) -> int:
        w = self.w
        held = self._hold(roles["item"])
        if held is not None:
            return held
        landmark = roles.get("landmark")
        fine = (lambda c, r: True) if landmark is None else (
            lambda c, r: (lm := w.landmark_near(c, r)) is not None and lm.view().matches(landmark))

        def test(p: State | None, s: State, tt: int) -> bool:
            x, y, vy, climbing = s
            if climbing or vy or not w.body.supported(x, y):
                return False
            c, r = centre_cell(x, y)
            i = r * w.W + c
            return (0 <= c < w.W and 0 <= r < w.H and w.item_at[i] < 0 and w.fixture_at[i] < 0
                    and w.terrain[r, c] in (0, 1) and fine(c, r))

        box = None
        if landmark is not None:
            cells = [cell for t in self._things(landmark) for cell in w.cells_of(t)]
            box = _cells_box([(c + dc, r + dr) for c, r in cells for dc in (-1, 1) for dr in (-1, 1)])
        key = ("drop", tuple(sorted(landmark.items())) if landmark else None, len(w.fresh_drops))
        return self._travel(Goal(key, test, box), "drop", on_arrival=key_macro("Q"))

    # --- goals --------------------------------------------------------------------
    def _centre_goal(self, cells: set[tuple[int, int]], key: object, settle: bool = False) -> Goal:
        return Goal(key, lambda p, s, t: centre_cell(s[0], s[1]) in cells, _cells_box(cells), settle)

    def _touch_goal(self, cells: set[tuple[int, int]], key: object) -> Goal:
        return Goal(key, lambda p, s, t: any(c in cells for c in box_cells(s[0], s[1])), _cells_box(cells))

    def _support_goal(self, platform: Thing, transition: bool, settle: bool = False) -> Goal:
        w = self.w
        pid = platform.id
        if transition:
            test = lambda p, s, t: p is not None and w.support_of(s) == pid and w.support_of(p) != pid  # noqa: E731
        else:
            test = lambda p, s, t: w.support_of(s) == pid  # noqa: E731
        box = None
        if platform.kind == "platform":
            box = (platform.lo * SUB - SUB, (platform.row - 1) * SUB, platform.hi * SUB + SUB, platform.row * SUB)
        return Goal(("support", pid, transition), test, box, settle)

    def _moved_goal(self, leaf: Moved) -> Goal:
        ux, uy = DIRECTIONS[leaf.direction]
        sx, sy = self.w.start
        d = leaf.distance * SUB
        if leaf.exact:  # d away in the direction, on the line through the start (half a cell either way)
            test = lambda p, s, t: (abs((s[0] - sx) * ux + (s[1] - sy) * uy - d) < SUB // 2  # noqa: E731
                                    and abs((s[0] - sx) * uy - (s[1] - sy) * ux) < SUB // 2)
        else:
            test = lambda p, s, t: (s[0] - sx) * ux + (s[1] - sy) * uy >= d  # noqa: E731
        return Goal(("moved", leaf.direction, leaf.distance, leaf.exact), test, settle=True)

    def _crossed_goal(self, gap: Thing) -> Goal:
        w = self.w
        side = -w.sides[gap.id] or 1
        lo, hi = gap.lo * SUB, gap.hi * SUB

        def test(p: State | None, s: State, t: int) -> bool:
            mid = s[0] + 2
            here = -1 if mid < lo else 1 if mid >= hi else 0
            return here == side and w.support_of(s) >= 0

        return Goal(("crossed", gap.id, side), test)

    def _hazard_goal(self, h: Thing, airborne: bool) -> Goal:
        from .world import BAND, hazard_xy

        w = self.w
        base_y = h.base[1]

        def test(p: State | None, s: State, t: int) -> bool:
            if p is None or not base_y - BAND <= s[1] <= base_y + 2:
                return False
            before = 1 if p[0] >= hazard_xy(h, t - 1)[0] else -1
            after = 1 if s[0] >= hazard_xy(h, t)[0] else -1
            if before == after or (s[0] - p[0]) * after <= 0:
                return False
            return not airborne or not (s[3] or w.body.supported(s[0], s[1]))

        x0 = h.base[0] - 2 * SUB
        x1 = h.base[0] + (h.span if h.kind == "spikeball" else 0) + 3 * SUB
        return Goal(("hazard", h.id, airborne), test, (x0, base_y - BAND - SUB, x1, base_y + 2 * SUB))

    # --- look-alikes ------------------------------------------------------------------
    def _avoid(self) -> Avoid:
        """What to keep away from: every thing of the kind a coloured target of the instruction has,
        in another colour (the look-alikes a strict judge fails the episode for)."""
        w = self.w
        touch: set[tuple[int, int]] = set()
        supports: set[int] = set()
        rest: set[tuple[int, int]] = set()
        moved = False

        def others(sel: Selector) -> list[Thing]:
            kind = sel.get("kind")
            if kind is None or "colour" not in sel:
                return []
            return [t for t in w.by_kind.get(str(kind), []) if not t.view().matches(sel)]

        for leaf in self.leaves:
            if isinstance(leaf, Moved):
                moved = True
            elif isinstance(leaf, Near):
                for t in others(leaf.selector):
                    rest.update((c + dc, r + dr) for c, r in w.cells_of(t) for dc in (-1, 0, 1) for dr in (-1, 0, 1))
            elif isinstance(leaf, Holding):
                touch.update(t.pos for t in others(leaf.selector) if t.kind in ITEMS and t.pos is not None)
            elif isinstance(leaf, Happened):
                for sel in leaf.roles.values():
                    for t in others(sel):
                        if t.kind in ITEMS or (t.kind == "flag" and leaf.type == "checkpoint"):
                            if t.pos is not None:
                                touch.add(t.pos)
                        elif t.kind == "platform" and leaf.type == "landed_on":
                            supports.add(t.id)
        touch |= self._partners_items()
        boxes = [(c * SUB - SUB, r * SUB - SUB, c * SUB + SUB, r * SUB + SUB) for c, r in touch]
        for pid in supports:
            t = w.by_id[pid]
            boxes.append((t.lo * SUB - SUB, (t.row - 1) * SUB, t.hi * SUB, t.row * SUB))
        return Avoid(touch, supports, rest, moved, boxes)

    def _partners_items(self) -> set[tuple[int, int]]:
        """Where the items lie that a partner must hold and this player's own instruction does not name
        (touching an item collects it in Ledges: walking over a partner's coin takes it from them)."""
        w = self.w
        own = [sel for leaf in self.leaves for sel in _selectors(leaf)]
        cells = set()
        for check in self.partners:
            for leaf in _leaves(check):
                for sel in _selectors(leaf):
                    for t in w.by_kind.get(str(sel.get("kind")), []):
                        view = t.view()
                        if t.kind in ITEMS and t.pos is not None and view.matches(sel) and not any(
                                view.matches(mine) for mine in own):
                            cells.add(t.pos)
        return cells

    def _hits_avoid(self, s: State, avoid: Avoid | None) -> bool:
        if not avoid:
            return False
        if avoid.touch and any(c in avoid.touch for c in box_cells(s[0], s[1])):
            return True
        return bool(avoid.supports) and self.w.support_of(s) in avoid.supports

    def _rest_bad(self, s: State, avoid: Avoid | None) -> bool:
        """Whether waiting at ``s`` could look like stopping at a look-alike."""
        if not avoid:
            return False
        if avoid.rest_cells and centre_cell(s[0], s[1]) in avoid.rest_cells:
            return True
        if avoid.rest_moved:
            sx, sy = self.w.start
            return abs(s[0] - sx) >= SUB or abs(s[1] - sy) >= SUB
        return False

    def _settles(self, goal: Goal, s: State, t: int, avoid: Avoid | None) -> bool:
        """Whether a settle goal holding at ``s`` (time ``t``) still holds after a tick without input,
        with no hazard or look-alike touched on that tick."""
        from .world import hazard_xy

        body = self.w.body
        nxt = body.advance(s, NONE)
        if body.fell(nxt) or not goal.test(s, nxt, t + 1) or self._hits_avoid(nxt, avoid):
            return False
        return not any(hits(nxt[0], nxt[1], *hazard_xy(h, t + 1)) for h in self.w.hazards)

    # --- search ---------------------------------------------------------------------
    def _travel(self, goal: Goal, tag: str, on_arrival: int | None = None) -> int:
        """A macro towards ``goal``; ``on_arrival`` (if given) once it holds; opens barriers when needed."""
        step = self._go(goal)
        if step == HERE:
            return on_arrival if on_arrival is not None else NOOP
        if step is not None:
            return step
        return self._unblock(goal)

    def _go(self, goal: Goal) -> int | None:
        """The next macro of a plan reaching ``goal``; HERE if it holds now; None if unreachable."""
        w = self.w
        if goal.test(None, w.state, w.t) and (not goal.settle or self._settles(goal, w.state, w.t, self._avoid())):
            return HERE
        if (self.plan and self.plan_key == (goal.key, w.version) and self.expect == (w.state, w.t)):
            macro, state, t = self.plan.popleft()
            self.expect = (state, t)
            return macro
        if (goal.key, w.version) in self.unreachable:
            return None
        avoid = self._avoid()
        plan = self._search(goal, avoid)
        if plan is None and avoid:
            plan = self._search(goal, None)  # no way round the look-alikes: still reach the goal
        if plan is None:
            self.unreachable.add((goal.key, w.version))
            self.plan.clear()
            return None
        self.plan = deque(plan)
        self.plan_key = (goal.key, w.version)
        macro, state, t = self.plan.popleft()
        self.expect = (state, t)
        return macro

    def _unblock(self, goal: Goal) -> int:
        """The goal is out of reach: work on the nearest closed barrier that can be opened."""
        w = self.w
        x = w.state[0]
        closed = [b for kind in ("gate", "door", "bridge") for b in w.by_kind.get(kind, [])
                  if not (b.open or b.on)]
        for barrier in sorted(closed, key=lambda b: (abs(b.lo * SUB - x), b.id)):
            if barrier.kind == "door" and not w.bag.has("key", barrier.colour):
                key = next((k for k in w.by_kind.get("key", []) if k.colour == barrier.colour), None)
                if key is None:
                    continue
                if key.pos is not None:
                    g = self._touch_goal({key.pos}, ("touch", key.pos))
                    step = self._go(g)
                    if step is not None and step != HERE:
                        return step
                    continue
                chest = next((c for c in w.by_kind.get("chest", []) if key in c.contents), None)
                if chest is None:
                    continue
                step = self._go(self._centre_goal({chest.pos}, ("at", chest.id)))
            elif barrier.kind == "door":
                cells = {(c + d, r) for c, r in barrier.cells for d in (-1, 1)}
                step = self._go(self._centre_goal(cells, ("door", barrier.id)))
            else:
                lever = next((l for l in w.by_kind.get("lever", []) if l.colour == barrier.colour), None)
                if lever is None:
                    continue
                step = self._go(self._centre_goal({lever.pos}, ("at", lever.id)))
            if step == HERE:
                return key_macro("E")
            if step is not None:
                return step
        return NOOP

    def _hazard_boxes(self) -> list[tuple[Thing, Box]]:
        out = []
        for h in self.w.hazards:
            x0, y0 = h.base
            if h.kind == "spikeball":
                out.append((h, (x0, y0, x0 + h.span + SUB, y0 + SUB)))
            else:
                out.append((h, (x0, y0 - h.span, x0 + SUB, y0 + SUB)))
        return out

    def _search(self, goal: Goal, avoid: Avoid | None = None) -> list[tuple[int, State, int]] | None:
        """Time-dependent Dijkstra over resting states; returns [(macro, expected state, expected time)].
        With ``avoid``, no state on the way touches a look-alike and no wait is spent near one."""
        from .world import hazard_xy

        w = self.w
        src, t0 = w.state, w.t
        hazards = self._hazard_boxes()
        best: dict[State, int] = {src: 0}
        parent: dict[State, tuple[State, Edge, int] | None] = {src: None}
        heap: list = [(0, 0, src, None)]
        counter = 1
        graph = self.graph

        def collide(s: State, tt: int, near: list[Thing]) -> bool:
            for h in near:
                hx, hy = hazard_xy(h, tt)
                if hits(s[0], s[1], hx, hy):
                    return True
            return False

        while heap:
            T, _, s, hit = heapq.heappop(heap)
            if hit is not None:
                return self._unwind(parent, s, hit, t0)
            if T > best.get(s, HORIZON) or T > HORIZON:
                continue
            here = (s[0], s[1], s[0] + SUB, s[1] + SUB)
            risky_node = [h for h, box in hazards if _overlap(box, here)]
            may_wait = not self._rest_bad(s, avoid)
            for e in graph.edges(s):
                near = [h for h, box in hazards if _overlap(box, e.box)]
                may_goal = _overlap(goal.box, e.box)
                touchy = bool(avoid) and any(_overlap(b, e.box) for b in avoid.boxes)
                if not near and not may_goal and not touchy:
                    cost = T + len(e.states)
                    if cost < best.get(e.end, HORIZON + 1):
                        best[e.end] = cost
                        parent[e.end] = (s, e, 0)
                        heapq.heappush(heap, (cost, counter, e.end, None))
                        counter += 1
                    continue
                for wait in range(MAX_WAIT + 1 if near and may_wait else 1):
                    if wait and risky_node and collide(s, t0 + T + wait, risky_node):
                        break
                    start = t0 + T + wait + 1
                    prev, ok, dead, reached = s, True, False, None
                    for i, st in enumerate(e.states):
                        if touchy and self._hits_avoid(st, avoid):
                            ok, dead = False, True
                            break
                        if near and collide(st, start + i, near):
                            ok = False
                            break
                        if may_goal and goal.test(prev, st, start + i) and (
                                not goal.settle or self._settles(goal, st, start + i, avoid)):
                            reached = i
                            break
                        prev = st
                    if not ok:
                        if dead:
                            break  # waiting does not move a look-alike out of the way
                        continue
                    if reached is not None:
                        heapq.heappush(heap, (T + wait + reached + 1, counter, s, (e, wait, reached)))
                    else:
                        cost = T + wait + len(e.states)
                        if cost < best.get(e.end, HORIZON + 1):
                            best[e.end] = cost
                            parent[e.end] = (s, e, wait)
                            heapq.heappush(heap, (cost, counter, e.end, None))
                    counter += 1
                    break
        return None

    def _unwind(self, parent, last: State, hit: tuple[Edge, int, int], t0: int) -> list[tuple[int, State, int]]:
        e, wait, reached = hit
        legs = [(last, e, wait, reached + 1)]
        node = last
        while parent[node] is not None:
            prev, pe, pw = parent[node]
            legs.append((prev, pe, pw, len(pe.states)))
            node = prev
        plan: list[tuple[int, State, int]] = []
        t = t0
        for start, edge, w, n in reversed(legs):
            for _ in range(w):
                t += 1
                plan.append((WAIT, start, t))
            for k, st in zip(edge.keys[:n], edge.states[:n]):
                t += 1
                plan.append((MACRO[k], st, t))
        return plan


__all__ = ["LedgesSolver", "Graph", "Goal"]
