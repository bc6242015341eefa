"""The one keyboard/mouse action space shared by every world.

An action is a dict with three parts:

* ``keys``    - ``MultiBinary(len(KEYS))``: 1 for every key held this tick.
* ``mouse``   - ``Box(0, 1, (2,), float32)``: the cursor position (x, y) as a
  fraction of the screen, so it means the same at every resolution.
* ``buttons`` - ``MultiBinary(2)``: left and right mouse buttons held this tick.

Semantics are level-triggered: every tick an input is held counts as one
press (or one click at the cursor). Worlds that need drags compare the tick
with the previous one through :class:`Input`.
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Mapping
from typing import Any

import numpy as np
from gymnasium import spaces

KEYS: tuple[str, ...] = (
    "W", "A", "S", "D",
    "UP", "DOWN", "LEFT", "RIGHT",
    "SPACE", "SHIFT", "E", "Q", "F",
    "TAB", "ESC", "ENTER", "I", "M",
    "1", "2", "3", "4", "5", "6", "7", "8", "9",
)
KEY_INDEX: dict[str, int] = {name: i for i, name in enumerate(KEYS)}
BUTTONS: tuple[str, ...] = ("LEFT", "RIGHT")


def action_space() -> spaces.Dict:
    """A fresh copy of the shared keyboard/mouse action space."""
    return spaces.Dict(
        {
            "keys": spaces.MultiBinary(len(KEYS)),
            "mouse": spaces.Box(0.0, 1.0, shape=(2,), dtype=np.float32),
            "buttons": spaces.MultiBinary(len(BUTTONS)),
        }
    )


def make_action(
    keys: tuple[str, ...] | list[str] = (),
    mouse: tuple[float, float] = (0.5, 0.5),
    buttons: tuple[str, ...] | list[str] = (),
) -> dict[str, np.ndarray]:
    """Build an action from names: ``make_action(keys=["W"])``."""
    key_vec = np.zeros(len(KEYS), dtype=np.int8)
    for name in keys:
        if name not in KEY_INDEX:
            raise ValueError(f"unknown key {name!r}; the key set is {', '.join(KEYS)}")
        key_vec[KEY_INDEX[name]] = 1
    button_vec = np.zeros(len(BUTTONS), dtype=np.int8)
    for name in buttons:
        if name not in BUTTONS:
            raise ValueError(f"unknown mouse button {name!r}; use one of {BUTTONS}")
        button_vec[BUTTONS.index(name)] = 1
    return {"keys": key_vec, "mouse": np.asarray(mouse, dtype=np.float32), "buttons": button_vec}


_TRUSTED: dict[int, np.ndarray] = {}


def trust(arr: np.ndarray) -> np.ndarray:
    """Mark a read-only 0/1 module-level constant (a macro's key vector) as valid, so it skips checking.

    The registry holds a reference, so the id can never be reused by another array.
    """
    arr.flags.writeable = False
    _TRUSTED[id(arr)] = arr
    return arr


def _binary(value: Any, part: str, size: int) -> np.ndarray:
    if _TRUSTED.get(id(value)) is value:
        return value
    arr = np.asarray(value)
    if arr.shape != (size,):
        raise ValueError(f"action[{part!r}] must have shape ({size},), got {arr.shape}")
    if arr.dtype.kind not in "biu" or not ((arr == 0) | (arr == 1)).all():
        raise ValueError(f"action[{part!r}] must hold only 0 and 1, got {arr.tolist()}")
    return arr


def validate_action(action: Any) -> tuple[np.ndarray, float, float, np.ndarray]:
    """Check an action against the space; return (keys, x, y, buttons).

    Hand-written rather than ``space.contains`` because it runs every step
    and must say *which* part is wrong.
    """
    if type(action) is not dict and not isinstance(action, Mapping):  # the exact-type test is the fast path
        raise ValueError(
            f"an action must be a dict with keys 'keys', 'mouse', 'buttons', got {type(action).__name__}"
        )
    if action.keys() != {"keys", "mouse", "buttons"}:
        raise ValueError(
            f"an action must have exactly the parts 'keys', 'mouse', 'buttons', got {sorted(action.keys())}"
        )
    keys = _binary(action["keys"], "keys", len(KEYS))
    buttons = _binary(action["buttons"], "buttons", len(BUTTONS))
    mouse = action["mouse"]
    if not (isinstance(mouse, np.ndarray) and mouse.shape == (2,) and mouse.dtype.kind == "f"):
        mouse = np.asarray(mouse)
        if mouse.shape != (2,) or mouse.dtype.kind != "f":
            raise ValueError(f"action['mouse'] must be 2 floats (x, y), got {mouse!r}")
    x, y = mouse.tolist()
    if not (0.0 <= x <= 1.0 and 0.0 <= y <= 1.0):
        raise ValueError(f"action['mouse'] must lie in [0, 1] x [0, 1] (a fraction of the screen), got ({x}, {y})")
    return keys, x, y, buttons


@dataclass(frozen=True, slots=True)
class Input:
    """What a world reads each tick: this tick's held inputs and the previous tick's."""

    keys: frozenset[str]
    cursor: tuple[float, float]
    left: bool
    right: bool
    prev_keys: frozenset[str] = frozenset()
    prev_cursor: tuple[float, float] = (0.5, 0.5)
    prev_left: bool = False

    def held(self, key: str) -> bool:
        return key in self.keys

    @property
    def cursor_motion(self) -> tuple[float, float]:
        return (self.cursor[0] - self.prev_cursor[0], self.cursor[1] - self.prev_cursor[1])

    @property
    def dragging(self) -> bool:
        """Left button held on this tick and the previous one."""
        return self.left and self.prev_left


_KEY_SETS: dict[bytes, frozenset[str]] = {}


def key_set(keys: np.ndarray) -> frozenset[str]:
    """The names of held keys, cached by bit pattern (it runs every step)."""
    packed = keys.astype(np.int8, copy=False).tobytes()
    found = _KEY_SETS.get(packed)
    if found is None:
        found = frozenset(KEYS[i] for i in np.flatnonzero(keys))
        if len(_KEY_SETS) < 4096:
            _KEY_SETS[packed] = found
    return found


NO_INPUT = Input(keys=frozenset(), cursor=(0.5, 0.5), left=False, right=False)
