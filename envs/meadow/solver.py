"""Meadow's oracle planner: reads ground truth, replans every tick, and answers
with the same macros a learned agent uses - so its episodes are demonstrations.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from simagym.bagworld import BagSolver
from simagym.checks import DIRECTIONS, Happened, MenuOpen, Moved, Near, Not, pending_goal
from simagym.macros import NOOP, click_macro, key_macro
from simagym.world import Selector

from .things import ANIMALS, ITEMS, Thing

if TYPE_CHECKING:
    from .world import MeadowWorld

STEP_KEYS = {(0, -1): "W", (0, 1): "S", (-1, 0): "A", (1, 0): "D"}
TOOL_FOR = {"log": ("axe", "tree"), "stone": ("pickaxe", "rock")}


class MeadowSolver(BagSolver):
    w: "MeadowWorld"

    def next_macro(self) -> int:
        goal = pending_goal(self.check, self.w)
        if isinstance(goal, Not) and isinstance(goal.part, MenuOpen):  # "not this menu": another one
            if goal.part.name is None:
                return key_macro("I")
            return key_macro("TAB" if self.w.menu_name is not None else "ESC")
        return super().next_macro()

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
        steps = [(1, 0), (-1, 0), (0, 1), (0, -1)]
        if diagonal:
            steps += [(0, 0), (1, 1), (1, -1), (-1, 1), (-1, -1)]
        return [(pos[0] + dx, pos[1] + dy) for dx, dy in steps if self._passable(pos[0] + dx, pos[1] + dy, True)]

    def _passable(self, x: int, y: int, animals_block: bool) -> bool:
        w = self.w
        if not w._free_for(x, y, "player"):
            if not animals_block and 0 <= x < w.n and 0 <= y < w.n and w.occupant[y, x] >= 0:
                return w.by_id[int(w.occupant[y, x])].kind in (*ANIMALS, "player")  # they move on
            return False
        return True

    def _go(self, goal: set[tuple[int, int]]) -> int:
        """First step of a shortest path to any goal cell (NOOP when there)."""
        w = self.w
        if w.player in goal or not goal:
            return NOOP
        for animals_block in (True, False):
            step = self._bfs(goal, animals_block)
            if step is not None:
                return key_macro(STEP_KEYS[step])
        return NOOP

    def _bfs(self, goal: set[tuple[int, int]], animals_block: bool) -> tuple[int, int] | None:
        start = self.w.player
        first: dict[tuple[int, int], tuple[int, int] | None] = {start: None}
        queue = deque([start])
        while queue:
            cell = queue.popleft()
            for d in STEP_KEYS:
                nxt = (cell[0] + d[0], cell[1] + d[1])
                if nxt in first or not self._passable(nxt[0], nxt[1], animals_block):
                    continue
                first[nxt] = first[cell] or d
                if nxt in goal:
                    return first[nxt]
                queue.append(nxt)
        return None
