"""Language-blind players: what an agent that never reads the instruction can pass.

Three kinds, each acting only through the shared macros:

* **Scripts** - fixed macro sequences, the same whatever the instruction says:
  a prefix played once, then a loop repeated until the episode ends (see
  :data:`SCRIPTS`). They probe menus (I, Tab, Esc...), movement, using things
  and the mouse. A world adds its own through ``World.blind_scripts``.
* **The random agent** (:class:`simagym.agents.random_agent.RandomAgent`).
* **The counterfactual oracle** - in the same layout, the oracle follows a
  *different* instruction of the same world (another template or other slot
  values that fit the layout) while the episode is judged by the original one:
  how often does doing the wrong thing pass?

They read nothing but ground truth they are given (the oracle) or nothing at all,
and never draw pixels (:meth:`SimaEnv.advance`), which makes an audit of the whole
catalogue cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from contextlib import nullcontext
from typing import Callable, ContextManager, Mapping, Sequence

import numpy as np

from simagym.macros import GRID, MACRO_INDEX, MACROS, NOOP


@dataclass(frozen=True)
class Script:
    """``prefix`` once, then ``loop`` forever (macro names, see :data:`simagym.macros.MACROS`)."""

    prefix: tuple[str, ...]
    loop: tuple[str, ...] = ("noop",)

    def __post_init__(self) -> None:
        unknown = [m for m in (*self.prefix, *self.loop) if m not in MACRO_INDEX]
        if unknown or not self.loop:
            raise ValueError(f"blind script: unknown macros {unknown} (or an empty loop); macros are "
                             "noop, key:<K>, click:<col>,<row>, right_click, look:<dir>")

    def macros(self) -> Callable[[int], int]:
        prefix = [MACRO_INDEX[m] for m in self.prefix]
        loop = [MACRO_INDEX[m] for m in self.loop]
        return lambda t: prefix[t] if t < len(prefix) else loop[(t - len(prefix)) % len(loop)]


def _keys(*names: str) -> tuple[str, ...]:
    return tuple(f"key:{n}" for n in names)


_SWEEP = tuple(f"click:{c},{r}" for r in range(GRID) for c in range(GRID))

#: Scripts every world is probed with: the keyboard and mouse are the same everywhere.
SCRIPTS: Mapping[str, Script] = {
    # Menus: visit several, or one, then stop (the no-op says "done").
    "I-Tab-Esc": Script(_keys("I", "TAB", "ESC")),
    "M-Esc": Script(_keys("M", "ESC")),
    "I-Esc": Script(_keys("I", "ESC")),
    "I": Script(_keys("I")),
    "M": Script(_keys("M")),
    "Tab": Script(_keys("TAB")),
    "Esc": Script(_keys("ESC")),
    "1": Script(_keys("1")),
    "E": Script(_keys("E")),
    "Q": Script(_keys("Q")),
    # Movement: a straight walk, a square, a walk that uses everything on the way.
    "walk-W": Script(_keys(*"WWWWWWWW")),
    "walk-D": Script(_keys(*"DDDDDDDD")),
    "square": Script((), _keys(*"WWWDDDSSSAAA")),
    "walk-use": Script((), _keys("W", "E", "D", "E")),
    "jump-right": Script((), _keys("D", "SPACE", "D", "D")),
    "use-drop": Script((), _keys("E", "W", "Q", "D")),
    # The mouse: a sweep of clicks over the screen's grid, the centre, turning.
    "click-sweep": Script(_SWEEP),
    "click-centre": Script(("click:4,4",) * 3),
    "look-left": Script(("look:left",) * 2),
    "look-right": Script(("look:right",) * 2),
    "look-around": Script(("look:right",) * 4),
}


def scripts_for(world_cls: type) -> dict[str, Script]:
    """The generic scripts plus the world's own (``blind_scripts``: name -> :class:`Script`)."""
    extra = getattr(world_cls, "blind_scripts", {}) or {}
    bad = [name for name, s in extra.items() if not isinstance(s, Script)]
    if bad:
        raise TypeError(f"{world_cls.__name__}.blind_scripts must map names to simagym.eval.blind.Script; bad: {bad}")
    return {**SCRIPTS, **extra}


Policy = Callable[[int], int]
"""A blind player: tick number -> macro index."""


def random_policy(seed: int) -> Policy:
    rng = np.random.default_rng(seed)
    return lambda _t: int(rng.integers(len(MACROS)))


def play(env, policy: Policy) -> bool:
    """Play one episode (already reset) of a :class:`~simagym.macros.DiscreteActions`-wrapped
    env without drawing it; whether the original instruction's judge called it a success."""
    unwrapped = env.unwrapped
    t = 0
    while True:
        _, terminated, truncated, info = unwrapped.advance(env.action(policy(t)))
        t += 1
        if terminated or truncated:
            return bool(info["success"])


def oracle_policy(env, check) -> Policy:
    """The oracle pursuing ``check`` (a freshly bound check, not the episode's own) in ``env``;
    the check follows the world's events, as the episode's own does.

    A planner that cannot pursue it here (it raises) stops playing: no-ops from then on.
    """
    unwrapped = env.unwrapped
    return pursue(unwrapped.world, check, lambda: unwrapped.last_events)


def pursue(world, check, last_events: Callable[[], list], seated: Callable[[], ContextManager] = nullcontext) -> Policy:
    """The world's oracle planner pursuing ``check``, from the player ``seated()`` makes current
    (a team seat; the only player by default), the check fed ``last_events()`` each tick."""
    with seated():
        try:
            solver = world.solver(check)
        except Exception:  # noqa: BLE001 - a planner outside its task; judged as playing on
            return lambda _t: NOOP
    gave_up = False

    def act(t: int) -> int:
        nonlocal gave_up
        if gave_up:
            return NOOP
        with seated():
            try:
                if t:
                    check.update(world, last_events())
                return solver.next_macro()
            except Exception:  # noqa: BLE001 - as above
                gave_up = True
                return NOOP

    return act


def draw_other(instruction, world, specs: Sequence, rng: np.random.Generator, tries: int = 200):
    """Another instruction of the same world that fits this layout (its targets exist, its goal is
    not reached yet, its goal differs from this one's): a template drawn uniformly from ``specs``,
    slot values uniformly; None when none is found in ``tries`` draws."""
    from simagym.judge import plausible
    from simagym.spec import Instruction

    own = instruction.success_check()
    for _ in range(tries):
        spec = specs[int(rng.integers(len(specs)))]
        slots = {name: str(values[int(rng.integers(len(values)))]) for name, values in spec.slots.items()}
        if spec.id == instruction.spec.id and slots == dict(instruction.slots):
            continue
        other = Instruction(spec=spec, slots=slots, split=instruction.split, template=spec.phrasings.train[0])
        if other.success_check() != own and plausible(other, world):
            return other
    return None


__all__ = ["Script", "SCRIPTS", "scripts_for", "random_policy", "oracle_policy", "pursue", "play", "draw_other"]
