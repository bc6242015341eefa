"""Bridges for learning libraries: the instruction as token ids, so SB3 and torch
can batch observations. (Keyboard/mouse -> discrete macros lives in macros.py.)
"""

from __future__ import annotations

from typing import Any, Callable

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from simagym.text import CHARSET, MAX_INSTRUCTION_LENGTH

Encoder = Callable[[str], list[int]]

PAD_ID = 0
CHAR_VOCAB = len(CHARSET) + 1  # 0 is padding


def encode_chars(text: str) -> list[int]:
    """A tokenizer-free default: one id per character of the instruction charset."""
    return [CHARSET.index(ch) + 1 for ch in text]


class InstructionIds(gym.ObservationWrapper):
    """Replaces ``obs["instruction"]`` with ``Box(0, vocab_size - 1, (max_tokens,), int64)``.

    ``encode`` maps text to ids (default: characters of :data:`CHARSET`); ids are
    truncated or padded with ``pad_id`` to ``max_tokens``.
    """

    def __init__(self, env: gym.Env, encode: Encoder = encode_chars, vocab_size: int = CHAR_VOCAB,
                 max_tokens: int = MAX_INSTRUCTION_LENGTH, pad_id: int = PAD_ID) -> None:
        super().__init__(env)
        if not isinstance(env.observation_space, spaces.Dict) or "instruction" not in env.observation_space.spaces:
            raise ValueError("InstructionIds needs an observation Dict with an 'instruction' part")
        self._encode, self._max, self._pad, self._vocab = encode, max_tokens, pad_id, vocab_size
        self._cache: dict[str, np.ndarray] = {}
        parts = dict(env.observation_space.spaces)
        parts["instruction"] = spaces.Box(0, vocab_size - 1, shape=(max_tokens,), dtype=np.int64)
        self.observation_space = spaces.Dict(parts)

    def ids(self, text: str) -> np.ndarray:
        found = self._cache.get(text)
        if found is None:
            ids = list(self._encode(text))[: self._max]
            if any(not 0 <= i < self._vocab for i in ids):
                raise ValueError(f"the encoder produced ids outside [0, {self._vocab}) for {text!r}")
            found = np.full(self._max, self._pad, dtype=np.int64)
            found[: len(ids)] = ids
            found.flags.writeable = False
            self._cache[text] = found
        return found

    def observation(self, observation: dict[str, Any]) -> dict[str, Any]:
        return {**observation, "instruction": self.ids(observation["instruction"])}
