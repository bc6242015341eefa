"""The instruction's alphabet: what the ``instruction`` part of an observation may contain,
and its space, :class:`InstructionText`."""

from __future__ import annotations

import string
from collections.abc import Sequence
from typing import Any

import numpy as np
from gymnasium import spaces
from gymnasium.vector.utils import read_from_shared_memory

#: Letters, digits, the space and common punctuation. Task files are checked against it.
CHARSET: str = string.ascii_letters + string.digits + " .,;:!?'\"-()/&"
MAX_INSTRUCTION_LENGTH = 128


class InstructionText(spaces.Text):
    """Gymnasium's ``Text``, also carried through ``AsyncVectorEnv``'s shared memory.

    Gymnasium reads an async vector env's shared observation buffer once, at
    construction, and relies on getting *views* that later steps fill in: right for
    arrays, wrong for its ``Text``, which it decodes into fixed strings - every
    instruction then reads ``'aaa...a'``. This space's read returns
    :class:`SharedTexts`, a live view decoded on access, like an array view.

    Its ``shape`` is :data:`NO_SHAPE`: like ``None`` (text has no array shape), except that
    a library that sizes an array from it - Stable-Baselines3 does, given the raw env - stops
    with a message naming the wrappers that turn the instruction into token ids.
    """

    @property
    def shape(self) -> "_TextShape":
        return NO_SHAPE


ARRAY_HINT = ("simagym's observation['instruction'] is text, which has no array shape; wrap the env first: "
              "simagym.wrappers.InstructionIds(simagym.wrappers.DiscreteActions(env)) gives token ids and macro "
              "actions (StackPixels(..., k) adds channel-first frame stacking)")


class _TextShape:
    """The shape of a text space: falsy like ``None``, and iterating or sizing it raises
    :data:`ARRAY_HINT` (the one line a learner that wants arrays should see)."""

    def __iter__(self):
        raise TypeError(ARRAY_HINT)

    def __len__(self) -> int:
        raise TypeError(ARRAY_HINT)

    def __bool__(self) -> bool:
        return False

    def __eq__(self, other: object) -> bool:
        return other is None or isinstance(other, _TextShape)

    def __hash__(self) -> int:
        return hash(None)

    def __repr__(self) -> str:
        return "None"

    def __reduce__(self) -> str:
        return "NO_SHAPE"


NO_SHAPE = _TextShape()


class SharedTexts(Sequence):
    """The n instructions in a shared int32 buffer (gymnasium's Text layout), decoded on access.
    Copying it (``AsyncVectorEnv(copy=True)``, the default, deep-copies) gives a plain tuple."""

    def __init__(self, space: spaces.Text, shared_memory: Any, n: int) -> None:
        self._space, self._memory, self._n = space, shared_memory, n

    def _codes(self) -> np.ndarray:
        return np.frombuffer(self._memory.get_obj(), dtype=np.int32).reshape(self._n, self._space.max_length)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return tuple(self)[index]
        chars, size = self._space.character_list, len(self._space.character_set)
        return "".join(chars[c] for c in self._codes()[index] if c < size)

    def __len__(self) -> int:
        return self._n

    def __eq__(self, other: object) -> bool:
        return tuple(self) == (tuple(other) if isinstance(other, Sequence) else other)

    def __deepcopy__(self, memo: dict) -> tuple[str, ...]:
        return tuple(self)

    def __repr__(self) -> str:
        return repr(tuple(self))


@read_from_shared_memory.register(InstructionText)
def _read_instructions(space: InstructionText, shared_memory: Any, n: int = 1) -> SharedTexts:
    return SharedTexts(space, shared_memory, n)


def instruction_space() -> InstructionText:
    return InstructionText(max_length=MAX_INSTRUCTION_LENGTH, min_length=1, charset=CHARSET)
