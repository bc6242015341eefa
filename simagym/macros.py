"""A fixed, world-independent list of discrete macros over the keyboard/mouse space.

The same list in every world, so one discrete policy (or the oracle's
demonstrations) transfers between worlds. Each macro is one tick:

* ``noop``                       - nothing held; the cursor stays where it is.
* ``key:<K>``                    - hold key K (for every key in :data:`KEYS`).
* ``click:<col>,<row>``          - move the cursor to the centre of cell
  (col, row) of a ``GRID`` x ``GRID`` screen grid and hold the left button.
  Two clicks in a row hold the button across both ticks: a drag.
* ``right_click``                - hold the right button at the cursor.
* ``look:<dir>``                 - move the cursor by one grid cell (left, right,
  up, down) without clicking; first-person worlds turn with it. Horizontally the
  cursor wraps around (a full screen width is a full turn in Halls).
"""

from __future__ import annotations

from dataclasses import dataclass

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from gymnasium.utils import RecordConstructorArgs

from simagym.actions import BUTTONS, KEYS, KEY_INDEX, trust

GRID = 8
LOOK_STEP = 1.0 / GRID
_LOOKS = {"left": (-LOOK_STEP, 0.0), "right": (LOOK_STEP, 0.0), "up": (0.0, -LOOK_STEP), "down": (0.0, LOOK_STEP)}


@dataclass(frozen=True, slots=True)
class Macro:
    name: str
    key: str | None = None
    click: tuple[int, int] | None = None
    right_click: bool = False
    look: tuple[float, float] | None = None


def _build() -> tuple[Macro, ...]:
    macros = [Macro("noop")]
    macros += [Macro(f"key:{k}", key=k) for k in KEYS]
    macros += [Macro(f"click:{c},{r}", click=(c, r)) for r in range(GRID) for c in range(GRID)]
    macros.append(Macro("right_click", right_click=True))
    macros += [Macro(f"look:{d}", look=v) for d, v in _LOOKS.items()]
    return tuple(macros)


MACROS: tuple[Macro, ...] = _build()
MACRO_INDEX: dict[str, int] = {m.name: i for i, m in enumerate(MACROS)}
NOOP = MACRO_INDEX["noop"]


def key_macro(key: str) -> int:
    """The macro index that holds ``key`` for one tick."""
    try:
        return MACRO_INDEX[f"key:{key}"]
    except KeyError:
        raise ValueError(f"no macro for key {key!r}; the key set is {', '.join(KEYS)}") from None


def click_macro(x: float, y: float) -> int:
    """The click macro whose grid cell contains the screen point (x, y) in [0, 1]."""
    col = min(GRID - 1, max(0, int(x * GRID)))
    row = min(GRID - 1, max(0, int(y * GRID)))
    return MACRO_INDEX[f"click:{col},{row}"]


def cell_centre(col: int, row: int) -> tuple[float, float]:
    return ((col + 0.5) / GRID, (row + 0.5) / GRID)


# Constant, read-only inputs shared by every decoder (validated once, see actions.trust).
_KEY_VECTORS = tuple(trust(np.eye(len(KEYS), dtype=np.int8)[i].copy()) for i in range(len(KEYS)))
_NO_KEYS = trust(np.zeros(len(KEYS), dtype=np.int8))
_NO_BUTTONS, _LEFT, _RIGHT = (trust(np.array(v, dtype=np.int8)) for v in ((0, 0), (1, 0), (0, 1)))


class MacroDecoder:
    """Turns macro indices into keyboard/mouse actions; tracks the cursor."""

    def __init__(self) -> None:
        self.cursor = (0.5, 0.5)

    def reset(self) -> None:
        self.cursor = (0.5, 0.5)

    def decode(self, index: int) -> dict[str, np.ndarray]:
        macro = self._move(index)
        keys = _NO_KEYS if macro.key is None else _KEY_VECTORS[KEY_INDEX[macro.key]]
        buttons = _LEFT if macro.click is not None else _RIGHT if macro.right_click else _NO_BUTTONS
        return {"keys": keys, "mouse": np.array(self.cursor, dtype=np.float32), "buttons": buttons}

    def decode_input(self, index: int) -> tuple[frozenset[str], tuple[float, float], bool, bool]:
        """:meth:`decode` as the held key names, cursor and buttons (``SimaEnv.tick``'s arguments): no arrays
        to build and check, as the batched vector env steps many envs."""
        macro = self._move(index)
        cursor = _AS_FLOAT32.get(self.cursor)
        if cursor is None:  # the cursor as decode's float32 mouse gives it (a handful of values: cached)
            cursor = _AS_FLOAT32[self.cursor] = tuple(np.array(self.cursor, dtype=np.float32).tolist())
        return _HELD[index], cursor, macro.click is not None, macro.right_click

    def _move(self, index: int) -> Macro:
        """The macro at ``index``, with the cursor moved where it puts it."""
        if not 0 <= index < len(MACROS):
            raise ValueError(f"macro index {index} is outside Discrete({len(MACROS)})")
        macro = MACROS[index]
        if macro.click is not None:
            self.cursor = cell_centre(*macro.click)
        elif macro.look is not None:
            # Horizontally the cursor wraps around like a pointer-locked mouse, so turning
            # never stops at the screen's edge: a world that turns a full circle per screen
            # width sees the wrapped motion as the same turn.
            self.cursor = (
                (self.cursor[0] + macro.look[0]) % 1.0,
                min(1.0, max(0.0, self.cursor[1] + macro.look[1])),
            )
        return macro


_HELD = tuple(frozenset() if m.key is None else frozenset({m.key}) for m in MACROS)  # each macro's held keys
_AS_FLOAT32: dict[tuple[float, float], tuple[float, float]] = {}


assert len(BUTTONS) == 2  # the decoder's button table assumes left and right


class DiscreteActions(gym.ActionWrapper, RecordConstructorArgs):
    """Exposes the macro list as ``Discrete(len(MACROS))`` for SB3-style algorithms. Recorded in
    the env's spec, so ``env.spec.make()`` (and Gymnasium's env checker) can rebuild it."""

    def __init__(self, env: gym.Env) -> None:
        RecordConstructorArgs.__init__(self)
        gym.ActionWrapper.__init__(self, env)
        self.action_space = spaces.Discrete(len(MACROS))
        self._decoder = MacroDecoder()

    def reset(self, **kwargs):
        self._decoder.reset()
        return self.env.reset(**kwargs)

    def action(self, action) -> dict[str, np.ndarray]:
        if isinstance(action, np.ndarray):
            if action.size != 1:
                raise ValueError(f"expected one macro index, got an array of shape {action.shape}")
            action = action.item()
        if not isinstance(action, (int, np.integer)) or isinstance(action, bool):
            raise ValueError(f"a macro action must be an int in [0, {len(MACROS)}), got {action!r}")
        return self._decoder.decode(int(action))
