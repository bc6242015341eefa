"""Several players in one world as a PettingZoo Parallel environment.

Each player (``player_0`` ... ``player_{n-1}``) observes what single-player simagym gives one:
``Dict(pixels=its own camera, instruction=its own instruction)``, and acts through the same
keyboard/mouse ``Dict`` space. ``infos[agent]`` carries ``success`` (this player's part is done,
or for a race: this player won), ``team_success`` (the team's: the same in every agent's info),
``task_id`` and ``seat``. Rewards are sparse, as in single-player simagym: ``1 - 0.9 * steps /
max_steps`` to each player the tick the team succeeds (in a race, to the winner only).
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from pettingzoo import ParallelEnv

from simagym.actions import Input, action_space, key_set, make_action, validate_action
from simagym.checks import Check
from simagym.env import RENDER_SIZE, _resolution
from simagym.judge import Judge, Outcome
from simagym.seats import Seats
from simagym.spec import Instruction, Split
from simagym.text import instruction_space
from simagym.world import World

from .spec import TeamSpec, world_targets

_RESTING = Input(keys=frozenset(), cursor=(0.5, 0.5), left=False, right=False)


class TeamEnv(ParallelEnv):
    """A team task (:class:`~simagym.multi.spec.TeamSpec`) in one world with a seat per role."""

    metadata = {"render_modes": ["rgb_array", "human"], "name": "simagym_team_v1", "is_parallelizable": True,
                "render_fps": 10}

    def __init__(self, task: TeamSpec, world: World, resolution: int | tuple[int, int] = 64,
                 phrasing: Split | str = Split.TRAIN, render_mode: str | None = None,
                 max_steps: int | None = None) -> None:
        if render_mode not in (None, *self.metadata["render_modes"]):
            raise ValueError(f"render_mode must be one of {self.metadata['render_modes']} or None, got {render_mode!r}")
        try:
            self.split = Split(phrasing)
        except ValueError:
            raise ValueError(f"phrasing must be 'train' or 'heldout', got {phrasing!r}") from None
        if not isinstance(world, Seats) or type(world).max_players < task.players:
            raise ValueError(f"task {task.id!r} needs {task.players} players; world {world.name!r} seats at most "
                             f"{type(world).max_players} (a world opts in with max_players and simagym.seats.Seats)")
        if max_steps is not None and (isinstance(max_steps, bool) or not isinstance(max_steps, (int, np.integer))
                                      or max_steps < 1):
            raise ValueError(f"max_steps must be a whole number of ticks >= 1, got {max_steps!r}")
        self.task = task
        self.world = world
        self.height, self.width = _resolution(resolution)
        self.render_mode = render_mode
        self.max_steps = int(max_steps) if max_steps is not None else task.max_steps
        self.possible_agents = [f"player_{i}" for i in range(task.players)]
        self.agents: list[str] = []
        self._observation_space = spaces.Dict({
            "pixels": spaces.Box(0, 255, shape=(self.height, self.width, 3), dtype=np.uint8),
            "instruction": instruction_space(),
        })
        self._action_spaces = {agent: action_space() for agent in self.possible_agents}
        self._rng: np.random.Generator | None = None
        self.instructions: list[Instruction] = []
        self._judges: list[Judge] = []
        self.last_events: list[list] = []
        self._presenter = None  # render()'s window, opened on first use

    def observation_space(self, agent: str) -> spaces.Dict:
        self._seat(agent)
        return self._observation_space

    def action_space(self, agent: str) -> spaces.Dict:
        self._seat(agent)
        return self._action_spaces[agent]

    def _seat(self, agent: str) -> int:
        if agent not in self.possible_agents:
            raise KeyError(f"no agent {agent!r} in {self.task.id!r}; its agents are {', '.join(self.possible_agents)}")
        return self.possible_agents.index(agent)

    # -------------------------------------------------------------------------
    def reset(self, seed: int | None = None, options: dict[str, Any] | None = None):
        if seed is not None or self._rng is None:
            self._rng = np.random.default_rng(seed)
        # Separate streams, as in single-player simagym: the held-out split of a seed has the same layout.
        slot_rng, phrase_rng, world_rng = (
            np.random.default_rng(s) for s in np.random.SeedSequence(int(self._rng.integers(2**63))).spawn(3))
        self.instructions = self.task.instructions(slot_rng, phrase_rng, self.split)
        self.world.reset(world_rng, self.task.layout, world_targets(self.instructions))
        self.world.add_players(world_rng, self.task.players)
        self._judges = []
        for i, instruction in enumerate(self.instructions):
            with self.world.seated(i):
                self._judges.append(Judge.for_episode(instruction, self.world))
        self._prev = [_RESTING] * self.task.players
        self.last_events = [[] for _ in range(self.task.players)]
        self._done_once = [False] * self.task.players  # each part, once reached
        self._winners: list[int] = []
        self._steps = 0
        self.agents = list(self.possible_agents)
        self._team_success = False
        if self.render_mode == "human":
            self.render()
        return self._observations(), self._infos()

    def step(self, actions: dict[str, Any]):
        rewards, terms, truncs, infos = self.advance(actions)
        observations = self._observations()
        if self.render_mode == "human":
            self.render()
        return observations, rewards, terms, truncs, infos

    def advance(self, actions: dict[str, Any]):
        """:meth:`step` without drawing anyone's view: ``(rewards, terminations, truncations, infos)``.
        For players that read no pixels (the oracle, the blind players of the audit)."""
        if not self.agents:
            raise RuntimeError("the episode is over (or never began): call reset()")
        missing = [a for a in self.agents if a not in actions]
        if missing:
            raise ValueError(f"no action for {', '.join(missing)}; step() needs one for every agent in env.agents")
        inputs = [self._input(i, actions[agent]) for i, agent in enumerate(self.possible_agents)]
        events = self.world.step_players(inputs)
        self.last_events = events  # what happened to each seat this tick (oracles pursuing a check read it)
        self._steps += 1
        now, failed = [], False
        for i, judge in enumerate(self._judges):
            inp, prev = inputs[i], self._prev[i]
            idle = not inp.keys and not inp.left and not inp.right and inp.cursor == prev.cursor
            with self.world.seated(i):
                outcome = judge.update(self.world, events[i], idle)
            now.append(outcome is Outcome.SUCCESS)
            failed |= outcome is Outcome.FAILURE
        self._prev = inputs
        for i, ok in enumerate(now):
            self._done_once[i] |= ok
        if self.task.race:
            self._winners = [i for i, ok in enumerate(now) if ok]
            success = bool(self._winners)
        else:
            # A place to be must hold now (meeting at the well); something done stays done.
            success = all(ok or (done and not judge.success.transient)
                          for ok, done, judge in zip(now, self._done_once, self._judges))
        terminated = success or failed
        truncated = not terminated and self._steps >= self.max_steps
        self._team_success = success
        reward = 1.0 - 0.9 * self._steps / self.max_steps if success else 0.0
        rewards = {a: (reward if not self.task.race or i in self._winners else 0.0)
                   for i, a in enumerate(self.possible_agents)}
        terms = dict.fromkeys(self.possible_agents, terminated)
        truncs = dict.fromkeys(self.possible_agents, truncated)
        if terminated or truncated:
            self.agents = []
        return rewards, terms, truncs, self._infos()

    def _input(self, seat: int, action: Any) -> Input:
        if action is None:  # an agent that is done (PettingZoo's AEC conversion passes None)
            action = make_action(mouse=self._prev[seat].cursor)
        keys, x, y, buttons = validate_action(action)
        prev = self._prev[seat]
        return Input(keys=key_set(keys), cursor=(x, y), left=bool(buttons[0]), right=bool(buttons[1]),
                     prev_keys=prev.keys, prev_cursor=prev.cursor, prev_left=prev.left)

    def success_of(self, seat: int) -> bool:
        """Whether player ``seat`` succeeded: its part done, or in a race, it won."""
        return seat in self._winners if self.task.race else self._done_once[seat]

    def goal(self, seat: int) -> Check:
        """Player ``seat``'s live success check (privileged: for oracles, never for agents)."""
        if not self._judges:
            raise RuntimeError("call reset() first")
        return self._judges[seat].success

    # -------------------------------------------------------------------------
    def _observations(self) -> dict[str, dict[str, Any]]:
        return {agent: {"pixels": self.world.render_seat(i, self.height, self.width),
                        "instruction": self.instructions[i].text}
                for i, agent in enumerate(self.possible_agents)}

    def _infos(self) -> dict[str, dict[str, Any]]:
        return {agent: {"success": self.success_of(i), "team_success": self._team_success, "task_id": self.task.id,
                        "seat": i}
                for i, agent in enumerate(self.possible_agents)}

    def render(self):
        if self.render_mode is None:
            gym.logger.warn("render() called without a render_mode; pass render_mode='rgb_array' or 'human'")
            return None
        from simagym import display  # pygame is only needed for these views

        views = [display.annotate(self.world.render_seat(i, RENDER_SIZE, RENDER_SIZE), instruction.text)
                 for i, instruction in enumerate(self.instructions)] or [
            np.zeros((RENDER_SIZE + display.BANNER, RENDER_SIZE, 3), dtype=np.uint8)]
        gap = np.full((views[0].shape[0], 8, 3), 255, dtype=np.uint8)
        frame = np.concatenate([part for v in views for part in (v, gap)][:-1], axis=1)
        if self._presenter is None:
            self._presenter = display.Presenter(f"simagym - {self.task.id}", self.metadata["render_fps"])
        return self._presenter.present(frame, self.render_mode)

    def close(self) -> None:
        if self._presenter is not None:
            self._presenter.close()
            self._presenter = None


__all__ = ["TeamEnv"]
