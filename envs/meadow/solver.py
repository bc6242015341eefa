"""Meadow's oracle planner: reads ground truth, replans every tick, and answers
with the same macros a learned agent uses - so its episodes are demonstrations.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from simagym.bagworld import BagSolver
from simagym.checks import DIRECTIONS, Check, Happened, MenuOpen, Moved, Near, Not, pending_goal
from simagym.macros import NOOP, click_macro, key_macro
from simagym.world import Selector

from .things import ANIMALS, ITEMS, Thing

if TYPE_CHECKING:
    from .world import MeadowWorld

STEP_KEYS = {(0, -1): "W", (0, 1): "S", (-1, 0): "A", (1, 0): "D"}
# What a path may go through: nothing that blocks; other players of higher seats, who make way
# (one rule of way between players, so two of them never dodge each other back and forth); also
# animals and every player (they move on, or step aside) but a done one with no step aside. Where
# to stand (STAND): anywhere but a fixed thing, so a passing player never changes a goal.
STRICT, RANKED, MOVERS, STAND = range(4)
TOOL_FOR = {"log": ("axe", "tree"), "stone": ("pickaxe", "rock")}


def _step(cell: tuple[int, int], d: tuple[int, int]) -> tuple[int, int]:
    return cell[0] + d[0], cell[1] + d[1]


class MeadowSolver(BagSolver):
    w: "MeadowWorld"
    _parked: set[tuple[int, int]] = set()
    _last_seen: dict[int, tuple[int, int]] = {}
    _settled: set[tuple[int, int]] = set()  # where done partners stand
    _stuck: set[tuple[int, int]] = set()  # ... those with no step aside (:meth:`_asides`)
    _bumped: tuple[int, int] | None = None  # where a done partner stands that this player walked into

    def next_macro(self) -> int:
        w = self.w
        # Other players who stood still since the last tick (done, or waiting) are in the way like
        # any fixed thing; moving ones make way by seat. A done partner this one walked into steps
        # aside (_make_way): keep heading through it - heading round it may pick the very cell it
        # steps into, and the two dance.
        now = {s.index: s.player for s in w.others()}
        self._parked = {cell for i, cell in now.items() if self._last_seen.get(i) == cell}
        self._last_seen = now
        done = [(s, goal) for s, goal in zip(w.others(), self.partners) if self._is_done(s.index, goal)]
        movable = {s.player for s, goal in done if self._asides(s.index, goal)}
        self._settled = {s.player for s, _ in done}
        self._stuck = self._settled - movable
        faced = _step(w.player, w.facing)
        self._bumped = faced if faced in movable else None
        goal = pending_goal(self.check, w)
        if goal is None and now:
            return self._make_way()
        if isinstance(goal, Not) and isinstance(goal.part, MenuOpen):  # "not this menu": another one
            if goal.part.name is None:
                return key_macro("I")
            return key_macro("TAB" if w.menu_name is not None else "ESC")
        return super().next_macro()

    def _make_way(self) -> int:
        """Done: stay, unless a partner bumps into this player (stands next to it, facing it): it needs
        the cell, to stand on or to pass. Then step aside (:meth:`_asides`), off the partner's line if
        it can rather than straight ahead: fleeing ahead of a partner down a one-cell corridor ends in
        the dead end it is heading for (the cell in front of a gate), the two blocking each other for
        good."""
        w = self.w
        pushers = [s.player for s in w.others() if _step(s.player, s.facing) == w.player]
        steps = self._asides(w.seat.index, self.check) if pushers else []
        if not steps:
            return NOOP
        ahead = {_step(w.player, (w.player[0] - x, w.player[1] - y)) for x, y in pushers}
        d, _ = max(steps, key=lambda step: step[1] not in ahead)
        return key_macro(STEP_KEYS[d])

    def _is_done(self, seat: int, goal: Check) -> bool:
        with self.w.seated(seat):
            return pending_goal(goal, self.w) is None

    def _asides(self, seat: int, goal: Check) -> list[tuple[tuple[int, int], tuple[int, int]]]:
        """(direction, cell) of each step player ``seat``, done, can take aside with its ``goal`` still
        holding there (a passing state such as near the well may not); none while a menu is open."""
        w = self.w
        with w.seated(seat):
            if w.menu_name is not None:
                return []
            here, facing = w.player, w.facing
            steps = []
            for d in STEP_KEYS:
                cell = _step(here, d)
                if self._passable(cell[0], cell[1], STRICT):
                    w.player, w.facing = cell, d  # stand there for a moment: does the goal hold?
                    try:
                        if goal.satisfied(w):
                            steps.append((d, cell))
                    finally:
                        w.player, w.facing = here, facing
            return steps

    # --- leaves -----------------------------------------------------------------
    def _near(self, leaf: Near) -> int:
        targets = self._things(leaf.selector)
        return self._go({c for t in targets if t.pos for c in self._around(t.pos, diagonal=True)})

    def _moved(self, leaf: Moved) -> int:
        w = self.w
        ux, uy = DIRECTIONS[leaf.direction]
        sx, sy = w.start
        if leaf.exact:
            goal = {(sx + ux * int(leaf.distance), sy + uy * int(leaf.distance))}
        else:
            goal = {(x, y) for x in range(w.n) for y in range(w.n) if (x - sx) * ux + (y - sy) * uy >= leaf.distance}
        return self._go(goal)

    def _event(self, leaf: Happened) -> int:
        roles, w = leaf.roles, self.w
        t = leaf.type
        if t == "equipped":
            return self._equip(roles.get("item", {}))
        if t == "marker_placed":
            if w.menu_name != "map":
                return self.menus.open_macro(w.menu_name, "map")
            target = next(w.by_id[e.id] for e in w.find(roles["target"]))
            return click_macro((target.pos[0] + 0.5) / w.n, (target.pos[1] + 0.5) / w.n)
        if t in ("picked_up", "gathered", "took_out"):
            return self._acquire(roles.get("item", {}))
        if t == "put_in":
            held = self._hold(roles["item"])
            if held is not None:
                return held
            chest = self._one(roles.get("container", {"kind": "chest"}))
            return self._interact(chest, "E" if not chest.open else "Q")
        if t == "dropped":
            held = self._hold(roles["item"])
            if held is not None:
                return held
            if "landmark" in roles:
                lm = self._one(roles["landmark"])
                goal = {c for c in self._around(lm.pos, diagonal=True) if w.item_at[c[1], c[0]] < 0}
            else:
                goal = {(x, y) for x in range(w.n) for y in range(w.n) if w.item_at[y, x] < 0}
            step = self._go(goal)
            return key_macro("Q") if step == NOOP and w.player in goal else step
        if t in ("opened", "unlocked", "went_through"):
            target = self._one(roles["target"])
            if target.locked and not w.bag.has("key", target.colour):
                return self._acquire({"kind": "key", "colour": target.colour})
            if t == "went_through" and target.open:
                return self._go({target.pos})
            return self._interact(target, "E")
        if t == "gave":  # hold the item, face another player, E
            held = self._hold(roles["item"])
            if held is not None:
                return held
            return self._interact_any(self._things(roles.get("receiver", {"kind": "player"})), "E")
        if t == "received":  # the partner brings it: stay where it can find you
            return NOOP
        if t == "petted":
            return self._interact(self._one(roles["animal"]), "E")
        if t == "fed":
            held = self._hold(roles.get("item", {"kind": "apple"}))
            if held is not None:
                return held
            return self._interact(self._one(roles["animal"]), "E")
        if t in ("chopped", "mined"):
            return self._gather("log" if t == "chopped" else "stone")
        if t == "harvested":
            source = roles.get("target", {}).get("kind") or roles.get("item", {}).get("kind")
            return self._gather("log" if source in ("tree", "log") else "stone")
        return NOOP

    # --- building blocks ----------------------------------------------------------
    def _acquire(self, selector: Selector) -> int:
        """Walk to a matching item (on the ground or in a chest) and take it."""
        w = self.w
        ground = [t for t in (w.by_id[e.id] for e in w.find(selector)) if t.pos is not None and t.kind in ITEMS]
        if ground:
            cells = {t.pos for t in ground}
            if w.player in cells:
                return key_macro("E")
            return self._go(cells)
        chest = next((c for c in w.by_kind.get("chest", []) if any(i.view().matches(selector) for i in c.contents)), None)
        if chest is not None:
            return self._interact(chest, "E")
        kind = selector.get("kind")
        if kind in TOOL_FOR:
            return self._gather(kind)
        return NOOP

    def _gather(self, product: str) -> int:
        tool, source = TOOL_FOR[product]
        held = self._hold({"kind": tool})
        if held is not None:
            return held
        sources = self.w.by_kind.get(source, [])
        return self._interact_any([t for t in sources if t.pos is not None], "E")

    def _interact(self, target: Thing, key: str) -> int:
        return self._interact_any([target], key)

    def _interact_any(self, targets: list[Thing], key: str) -> int:
        """Stand next to one of ``targets``, face it, then press ``key``."""
        w = self.w
        goal: dict[tuple[int, int], tuple[int, int]] = {}
        for t in targets:
            for c in self._around(t.pos, diagonal=False):
                if w.item_at[c[1], c[0]] < 0:  # E would pick up an item underfoot instead
                    goal.setdefault(c, t.pos)
        here = goal.get(w.player)
        if here is not None:
            d = (here[0] - w.player[0], here[1] - w.player[1])
            return key_macro(key) if w.facing == d else key_macro(STEP_KEYS[d])
        return self._go(set(goal))

    def _around(self, pos: tuple[int, int], diagonal: bool) -> list[tuple[int, int]]:
        """The cells next to ``pos`` to stand at, a player's too: :meth:`_go` heads for a free one it can
        reach first, and else walks up to a player standing still there, who then steps aside
        (:meth:`_make_way`; the one cell in front of a gate may be taken by the partner who brought
        its key)."""
        steps = [(1, 0), (-1, 0), (0, 1), (0, -1)]
        if diagonal:
            steps += [(0, 0), (1, 1), (1, -1), (-1, 1), (-1, -1)]
        return [(pos[0] + dx, pos[1] + dy) for dx, dy in steps if self._passable(pos[0] + dx, pos[1] + dy, STAND)]

    def _passable(self, x: int, y: int, through: int) -> bool:
        w = self.w
        if w._free_for(x, y, "player"):
            return True
        if through == STRICT or not (0 <= x < w.n and 0 <= y < w.n) or w.occupant[y, x] < 0:
            return False
        t = w.by_id[int(w.occupant[y, x])]
        if t.kind == "player" and through == STAND:
            return True
        if t.kind == "player" and through == RANKED:
            return t.pos == self._bumped or (t.pos not in self._parked
                                             and next(s.index for s in w.seats if s.me is t) > w.seat.index)
        if t.kind == "player" and through == MOVERS:  # but a done one with no step aside stays put
            return t.pos not in self._stuck
        return through == MOVERS and t.kind in ANIMALS

    def _go(self, goal: set[tuple[int, int]]) -> int:
        """First step of a shortest path to any goal cell (NOOP when there): one no done partner stands
        on if one can be reached, else up to such a partner (who then makes way)."""
        w = self.w
        if w.player in goal or not goal:
            return NOOP
        free = goal - self._settled
        for cells in (free, goal) if free != goal else (goal,):
            for through in (RANKED, MOVERS):
                step = self._bfs(cells, through)
                if step is not None:
                    return key_macro(STEP_KEYS[step])
        return NOOP

    def _bfs(self, goal: set[tuple[int, int]], through: int) -> tuple[int, int] | None:
        start = self.w.player
        first: dict[tuple[int, int], tuple[int, int] | None] = {start: None}
        queue = deque([start])
        while queue:
            cell = queue.popleft()
            for d in STEP_KEYS:
                nxt = (cell[0] + d[0], cell[1] + d[1])
                if nxt in first or not self._passable(nxt[0], nxt[1], through):
                    continue
                first[nxt] = first[cell] or d
                if nxt in goal:
                    return first[nxt]
                queue.append(nxt)
        return None
