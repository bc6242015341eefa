"""The one generic environment: any task in any world, never subclassed per task."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from simagym.actions import Input, action_space, key_set, validate_action
from simagym.checks import Check
from simagym.judge import Judge, Outcome
from simagym.spec import Composition, Instruction, Split, TaskSpec
from simagym.text import instruction_space
from simagym.world import TargetError, World, target_problems

MAX_RESOLUTION = 256
RENDER_SIZE = 384  # the rgb_array / human view, larger than what the agent sees


def _resolution(resolution: int | tuple[int, int]) -> tuple[int, int]:
    sides = (resolution, resolution) if isinstance(resolution, (int, np.integer)) else resolution
    if not (isinstance(sides, (tuple, list)) and len(sides) == 2):
        raise ValueError(f"resolution must be an int or a (height, width) pair, got {resolution!r}")
    for side in sides:
        if isinstance(side, bool) or not isinstance(side, (int, np.integer)) or not 16 <= side <= MAX_RESOLUTION:
            raise ValueError(f"resolution must be whole pixels between 16 and {MAX_RESOLUTION} per side, got {resolution!r}")
    return int(sides[0]), int(sides[1])


class SimaEnv(gym.Env):
    """Observations: ``{"pixels": uint8 HxWx3, "instruction": str}``; actions: the
    shared keyboard/mouse space. ``info`` carries ``success`` and ``task_id``.

    Reward is sparse: ``1 - 0.9 * steps / max_steps`` on success, else 0. The
    episode's :class:`~simagym.judge.Judge` decides success and failure.
    """

    metadata = {"render_modes": ["rgb_array", "human"], "render_fps": 10}

    def __init__(
        self,
        task: TaskSpec,
        world: World,
        resolution: int | tuple[int, int] = 64,
        phrasing: Split | str = Split.TRAIN,
        render_mode: str | None = None,
        max_steps: int | None = None,
        composition: Composition | str = Composition.TRAIN,
    ) -> None:
        if render_mode not in (None, *self.metadata["render_modes"]):
            raise ValueError(f"render_mode must be one of {self.metadata['render_modes']} or None, got {render_mode!r}")
        try:
            self.split = Split(phrasing)
        except ValueError:
            raise ValueError(f"phrasing must be 'train' or 'heldout', got {phrasing!r}") from None
        try:
            self.composition = Composition(composition)
        except ValueError:
            raise ValueError(f"composition must be 'train', 'heldout' or 'any', got {composition!r}") from None
        if self.composition is Composition.HELDOUT and not task.heldout_compositions:
            raise ValueError(f"task {task.id!r} has no held-out compositions (it needs two or more slots)")
        self.task = task
        self.world = world
        self.height, self.width = _resolution(resolution)
        self.render_mode = render_mode
        if max_steps is not None and (isinstance(max_steps, bool) or not isinstance(max_steps, (int, np.integer))
                                      or max_steps < 1):
            raise ValueError(f"max_steps must be a whole number of ticks >= 1 (or None: the task's own "
                             f"{task.max_steps}), got {max_steps!r}")
        self.max_steps = int(max_steps) if max_steps is not None else task.max_steps
        self.observation_space = spaces.Dict(
            {
                "pixels": spaces.Box(0, 255, shape=(self.height, self.width, 3), dtype=np.uint8),
                "instruction": instruction_space(),
            }
        )
        self.action_space = action_space()
        self.instruction: Instruction | None = None
        self._judge: Judge | None = None
        #: What happened on the last tick (privileged, like :attr:`goal`: for planners and probes).
        self.last_events: list = []
        self._prev = Input(keys=frozenset(), cursor=(0.5, 0.5), left=False, right=False)
        self._steps = 0
        self._ended: tuple[bool, bool, bool] | None = None  # (terminated, truncated, success) once over
        self._warned_after_end = False
        self._presenter = None  # render()'s window, opened on first use

    # -------------------------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        info = self.begin(seed=seed, options=options)
        if self.render_mode == "human":
            self.render()
        return self._observation(), info

    def begin(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> dict[str, Any]:
        """:meth:`reset` without drawing the observation; returns the info. (The batched vector env
        draws all its envs' frames at once afterwards.)"""
        super().reset(seed=seed)
        # Separate streams, so the held-out split of a seed has the same layout and slots.
        slot_rng, phrase_rng, world_rng = (
            np.random.default_rng(s) for s in np.random.SeedSequence(int(self.np_random.integers(2**63))).spawn(3)
        )
        self.instruction = self.task.instruction(slot_rng, phrase_rng, self.split, self.composition)
        required = self.instruction.targets()
        self.world.reset(world_rng, self.task.layout, required)
        problems = target_problems(self.world, required)
        if problems:  # an ambiguous target would let the wrong entity pass
            when = f"seed {seed}" if seed is not None else "an unseeded reset"
            raise TargetError(f"task {self.task.id!r}, {when}: the world's reset must make each required selector "
                              f"match one entity, but {'; '.join(problems)} (fix {type(self.world).__name__}.reset)", problems)
        self._judge = Judge.for_episode(self.instruction, self.world)
        self.last_events = []
        self._prev = Input(keys=frozenset(), cursor=(0.5, 0.5), left=False, right=False)
        self._steps = 0
        self._ended = None
        self._warned_after_end = False
        return self._info(False)

    def step(self, action):
        reward, terminated, truncated, info = self.advance(action)
        if self.render_mode == "human":
            self.render()
        return self._observation(), reward, terminated, truncated, info

    def advance(self, action) -> tuple[float, bool, bool, dict[str, Any]]:
        """:meth:`step` without drawing the observation: ``(reward, terminated, truncated, info)``.

        For privileged probes that read ground truth instead of pixels (the oracle's planning,
        the language-blindness audit); an agent always gets :meth:`step`.
        """
        keys, x, y, buttons = validate_action(action)
        return self.tick(key_set(keys), (x, y), bool(buttons[0]), bool(buttons[1]))

    def tick(self, keys: frozenset[str], cursor: tuple[float, float], left: bool,
             right: bool) -> tuple[float, bool, bool, dict[str, Any]]:
        """:meth:`advance` from an input already known to be valid: the held key names, the cursor
        and the two buttons (what :meth:`simagym.macros.MacroDecoder.decode_input` gives)."""
        if self.instruction is None:
            raise RuntimeError("call reset() before step()")
        prev = self._prev
        inp = Input(
            keys=keys, cursor=cursor, left=left, right=right,
            prev_keys=prev.keys, prev_cursor=prev.cursor, prev_left=prev.left,
        )
        self._prev = inp
        events = self.last_events = self.world.step(inp)
        self._steps += 1
        if self._ended is not None:
            # Gymnasium leaves stepping past the end undefined: the world plays on, the verdict stands,
            # and the reward is never paid twice.
            if not self._warned_after_end:
                gym.logger.warn("step() after the episode ended (terminated or truncated); call reset()")
                self._warned_after_end = True
            terminated, truncated, success = self._ended
            return 0.0, terminated, truncated, self._info(success)
        idle = not inp.keys and not inp.left and not inp.right and inp.cursor == prev.cursor
        outcome = self._judge.update(self.world, events, idle)
        success = outcome is Outcome.SUCCESS
        terminated = outcome is not Outcome.RUNNING
        truncated = not terminated and self._steps >= self.max_steps
        if terminated or truncated:
            self._ended = (terminated, truncated, success)
        reward = 1.0 - 0.9 * self._steps / self.max_steps if success else 0.0
        return reward, terminated, truncated, self._info(success)

    @property
    def goal(self) -> Check:
        """The live success check (privileged: for oracles and planners, never for agents)."""
        if self._judge is None:
            raise RuntimeError("call reset() first")
        return self._judge.success

    # -------------------------------------------------------------------------
    def _observation(self) -> dict[str, Any]:
        return {"pixels": self.world.render(self.height, self.width), "instruction": self.instruction.text}

    def _info(self, success: bool) -> dict[str, Any]:
        # ``is_success``: the key SB3's Monitor and callbacks log.
        return {"success": success, "is_success": success, "task_id": self.task.id}

    def render(self):
        if self.render_mode is None:
            gym.logger.warn("render() called without a render_mode; pass render_mode='rgb_array' or 'human'")
            return None
        from simagym import display  # pygame is only needed for these views

        frame = display.annotate(self.world.render(RENDER_SIZE, RENDER_SIZE), self.instruction.text if self.instruction else "")
        if self._presenter is None:
            self._presenter = display.Presenter(f"simagym - {self.task.id}", self.metadata["render_fps"])
        return self._presenter.present(frame, self.render_mode)

    def close(self) -> None:
        if self._presenter is not None:
            self._presenter.close()
            self._presenter = None
