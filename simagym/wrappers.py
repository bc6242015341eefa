"""Bridges for learning libraries, each a Gymnasium wrapper with
:class:`~gymnasium.utils.RecordConstructorArgs` (so ``env.spec`` can rebuild the stack):

* :class:`DiscreteActions` - the keyboard/mouse space as ``Discrete(97)`` macros (from :mod:`simagym.macros`);
* :class:`InstructionIds` - the instruction text as a fixed-length ``int64`` array of token ids;
* :class:`StackPixels` - the last K frames, channel-first, next to the one instruction;
* :class:`VectorInstructionIds` - token ids for a vector env's batch of instructions;
* :class:`RecordGif` - episodes as GIFs with the instruction under the view (Pillow, no video codec).

``info["is_success"]`` (what SB3 logs) and ``env.spec.max_episode_steps`` come with every env.
The raw env's ``instruction`` is text, which array-based learners cannot batch: SB3 given it
stops with a message naming the wrappers to add (see :mod:`simagym.text`).
"""

from __future__ import annotations

from collections import deque
from pathlib import Path
from typing import Any, Callable, Sequence

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from gymnasium.utils import RecordConstructorArgs

from simagym.macros import DiscreteActions
from simagym.text import CHARSET, MAX_INSTRUCTION_LENGTH

Encoder = Callable[[str], list[int]]

PAD_ID = 0
CHAR_VOCAB = len(CHARSET) + 1  # 0 is padding


def encode_chars(text: str) -> list[int]:
    """A tokenizer-free default: one id per character of the instruction charset."""
    return [CHARSET.index(ch) + 1 for ch in text]


class TokenIds:
    """Text -> ``max_tokens`` ids (truncated or padded with ``pad_id``), cached per instruction."""

    def __init__(self, encode: Encoder = encode_chars, vocab_size: int = CHAR_VOCAB,
                 max_tokens: int = MAX_INSTRUCTION_LENGTH, pad_id: int = PAD_ID) -> None:
        self.encode, self.vocab_size, self.max_tokens, self.pad_id = encode, vocab_size, max_tokens, pad_id
        self._cache: dict[str, np.ndarray] = {}

    @property
    def space(self) -> spaces.Box:
        return spaces.Box(0, self.vocab_size - 1, shape=(self.max_tokens,), dtype=np.int64)

    def __call__(self, text: str) -> np.ndarray:
        found = self._cache.get(text)
        if found is None:
            ids = list(self.encode(text))[: self.max_tokens]
            if any(not 0 <= i < self.vocab_size for i in ids):
                raise ValueError(f"the encoder produced ids outside [0, {self.vocab_size}) for {text!r}")
            found = np.full(self.max_tokens, self.pad_id, dtype=np.int64)
            found[: len(ids)] = ids
            found.flags.writeable = False
            self._cache[text] = found
        return found


def _instruction_part(space: gym.Space, who: str) -> None:
    if not isinstance(space, spaces.Dict) or "instruction" not in space.spaces:
        raise ValueError(f"{who} needs an observation Dict with an 'instruction' part, got {space}")


class InstructionIds(gym.ObservationWrapper, RecordConstructorArgs):
    """Replaces ``obs["instruction"]`` with ``Box(0, vocab_size - 1, (max_tokens,), int64)``.

    ``encode`` maps text to ids (default: characters of :data:`CHARSET`); ids are
    truncated or padded with ``pad_id`` to ``max_tokens``.
    """

    def __init__(self, env: gym.Env, encode: Encoder = encode_chars, vocab_size: int = CHAR_VOCAB,
                 max_tokens: int = MAX_INSTRUCTION_LENGTH, pad_id: int = PAD_ID) -> None:
        RecordConstructorArgs.__init__(self, encode=encode, vocab_size=vocab_size, max_tokens=max_tokens, pad_id=pad_id)
        gym.ObservationWrapper.__init__(self, env)
        _instruction_part(env.observation_space, "InstructionIds")
        self.ids = TokenIds(encode, vocab_size, max_tokens, pad_id)
        self.observation_space = spaces.Dict({**env.observation_space.spaces, "instruction": self.ids.space})

    def observation(self, observation: dict[str, Any]) -> dict[str, Any]:
        return {**observation, "instruction": self.ids(observation["instruction"])}


class VectorInstructionIds(gym.vector.VectorObservationWrapper):
    """:class:`InstructionIds` for a vector env: the tuple of instructions becomes ``(num_envs, max_tokens)``."""

    def __init__(self, env: gym.vector.VectorEnv, encode: Encoder = encode_chars, vocab_size: int = CHAR_VOCAB,
                 max_tokens: int = MAX_INSTRUCTION_LENGTH, pad_id: int = PAD_ID) -> None:
        super().__init__(env)
        _instruction_part(env.single_observation_space, "VectorInstructionIds")
        self.ids = TokenIds(encode, vocab_size, max_tokens, pad_id)
        self.single_observation_space = spaces.Dict({**env.single_observation_space.spaces, "instruction": self.ids.space})
        self.observation_space = gym.vector.utils.batch_space(self.single_observation_space, env.num_envs)

    def observations(self, observations: dict[str, Any]) -> dict[str, Any]:
        return {**observations, "instruction": np.stack([self.ids(t) for t in observations["instruction"]])}


def stack_frames(frames: Sequence[np.ndarray]) -> np.ndarray:
    """K frames (H, W, 3), oldest first -> (3K, H, W): the layout :func:`simagym.train.policy.to_pixels` makes."""
    arr = np.stack(frames)  # (K, H, W, 3)
    k, h, w, c = arr.shape
    return np.ascontiguousarray(arr.transpose(0, 3, 1, 2).reshape(k * c, h, w))


class StackPixels(gym.ObservationWrapper, RecordConstructorArgs):
    """``pixels`` becomes the last ``k`` frames, channel-first ``(3k, H, W)``, oldest first; the
    instruction stays one (Gymnasium's ``FrameStackObservation`` would repeat it k times). The
    first frame fills the stack at reset."""

    def __init__(self, env: gym.Env, k: int) -> None:
        RecordConstructorArgs.__init__(self, k=k)
        gym.ObservationWrapper.__init__(self, env)
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"StackPixels needs k >= 1 frames, got {k!r}")
        space = env.observation_space
        if not isinstance(space, spaces.Dict) or "pixels" not in space.spaces or len(space["pixels"].shape) != 3:
            raise ValueError(f"StackPixels needs an observation Dict with (H, W, 3) 'pixels', got {space}")
        h, w, c = space["pixels"].shape
        self.k = int(k)
        self._frames: deque[np.ndarray] = deque(maxlen=self.k)
        self.observation_space = spaces.Dict({
            **space.spaces, "pixels": spaces.Box(0, 255, shape=(c * self.k, h, w), dtype=np.uint8),
        })

    def reset(self, **kwargs):
        obs, info = self.env.reset(**kwargs)
        self._frames.clear()
        self._frames.extend([obs["pixels"]] * self.k)
        return self._stacked(obs), info

    def observation(self, observation: dict[str, Any]) -> dict[str, Any]:
        self._frames.append(observation["pixels"])
        return self._stacked(observation)

    def _stacked(self, observation: dict[str, Any]) -> dict[str, Any]:
        return {**observation, "pixels": stack_frames(self._frames)}


def _capped_cubic(episode: int) -> bool:
    """Gymnasium's ``RecordVideo`` default: episodes 0, 1, 8, 27, ... 729, then every 1000th."""
    return round(episode ** (1 / 3)) ** 3 == episode if episode < 1000 else episode % 1000 == 0


class RecordGif(gym.Wrapper, RecordConstructorArgs):
    """Gymnasium's ``RecordVideo`` for simagym without a video codec: the episodes
    ``episode_trigger`` picks (by default 0, 1, 8, 27, ... then every 1000th) are written to
    ``video_folder/{name_prefix}-episode-{n}.gif`` from ``render()`` - the view with the
    instruction under it - when they end (or when the env closes). Needs ``render_mode="rgb_array"``."""

    def __init__(self, env: gym.Env, video_folder: str | Path, episode_trigger: Callable[[int], bool] | None = None,
                 name_prefix: str = "simagym", fps: int | None = None) -> None:
        RecordConstructorArgs.__init__(self, video_folder=str(video_folder), episode_trigger=episode_trigger,
                                       name_prefix=name_prefix, fps=fps)
        gym.Wrapper.__init__(self, env)
        if env.render_mode != "rgb_array":
            raise ValueError(f"RecordGif needs render_mode='rgb_array', got {env.render_mode!r}: "
                             "make the env with simagym.make(task, render_mode='rgb_array')")
        self.video_folder = Path(video_folder)
        self.episode_trigger = episode_trigger or _capped_cubic
        self.name_prefix = name_prefix
        self.fps = fps or env.metadata.get("render_fps", 10)
        self.episode_id = -1
        self._frames: list[np.ndarray] = []
        self._recording = False

    def reset(self, **kwargs):
        self._save()
        obs, info = self.env.reset(**kwargs)
        self.episode_id += 1
        self._recording = bool(self.episode_trigger(self.episode_id))
        if self._recording:
            self._frames = [self.env.render()]
        return obs, info

    def step(self, action):
        obs, reward, terminated, truncated, info = self.env.step(action)
        if self._recording:
            self._frames.append(self.env.render())
            if terminated or truncated:
                self._save()
        return obs, reward, terminated, truncated, info

    def close(self) -> None:
        self._save()
        super().close()

    def _save(self) -> None:
        if self._recording and self._frames:
            from simagym.gif import save_gif

            self.video_folder.mkdir(parents=True, exist_ok=True)
            save_gif(self._frames, self.video_folder / f"{self.name_prefix}-episode-{self.episode_id}.gif", self.fps)
        self._frames, self._recording = [], False


__all__ = ["DiscreteActions", "InstructionIds", "RecordGif", "StackPixels", "TokenIds", "VectorInstructionIds",
           "encode_chars", "stack_frames", "CHAR_VOCAB", "PAD_ID"]
