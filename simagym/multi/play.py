"""Playing one seat of a team task yourself (``python -m simagym.play TASK --seat 0``) while the
oracle, the random agent or a trained agent (``--teammates``) plays the others: the agent as a
teammate. The window, the keys and the tick are :class:`simagym.play.PlaySession`'s; the other
seats act through the same macros their agents always use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simagym.play import InputState, PlaySession


@dataclass(frozen=True)
class TeamEpisodeResult:
    task: str
    seed: int
    split: str
    seat: int
    success: bool  # the person's seat
    team_success: bool
    steps: int
    gave_up: bool = False


class TeamPlaySession(PlaySession):
    """Team episodes: you play ``seat``; ``teammates`` (an agent spec) plays every other seat."""

    def __init__(self, episodes, *, seat: int = 0, teammates: str = "oracle", **kwargs: Any) -> None:
        if kwargs.get("record") is not None:
            raise ValueError("--record keeps single-player episodes; team episodes cannot be recorded yet")
        super().__init__(episodes, **kwargs)
        self.seat, self.teammates = seat, teammates

    def play_episode(self, episode: Any) -> TeamEpisodeResult | None:
        from simagym.agents import load_agent
        from simagym.eval.suite import env_options
        from simagym.macros import MacroDecoder

        from . import JointOracle, parallel_env

        env = parallel_env(episode.task, phrasing=env_options(episode.split)["phrasing"], resolution=self.resolution)
        players = env.task.players
        if not 0 <= self.seat < players:
            raise ValueError(f"--seat must be 0 to {players - 1} for {episode.task} ({players} players), got {self.seat}")
        try:
            obs, _ = env.reset(seed=episode.seed)
            oracle = JointOracle(env)
            oracle.reset()
            others: dict[int, Any] = {}  # seat -> its agent (None: the oracle plays it)
            decoders = {}
            for seat in range(players):
                if seat == self.seat:
                    continue
                agent = load_agent(self.teammates, seed=episode.seed * 8 + seat)
                if not agent.privileged:
                    agent.reset(env.instructions[seat].text, None)
                others[seat] = None if agent.privileged else agent
                decoders[seat] = MacroDecoder()
            me = f"player_{self.seat}"
            text, state, steps = env.instructions[self.seat].text, InputState(), 0
            frame, infos, gave_up = obs[me]["pixels"], {}, False
            while env.agents:
                self._draw(frame, text, f"{episode.task} · seat {self.seat} of {players} · seed {episode.seed} · "
                                        f"step {steps}/{env.max_steps}")
                asked = self._events(state)
                if asked == "quit":
                    self.quit = True
                    return None
                if asked == "give_up":
                    gave_up = True
                    break
                actions = {me: state.action()}
                for seat, agent in others.items():
                    macro = oracle.macro(seat) if agent is None else agent.act(obs[f"player_{seat}"])
                    actions[f"player_{seat}"] = decoders[seat].decode(int(macro))
                obs, _, _, _, infos = env.step(actions)
                frame, steps = obs[me]["pixels"], steps + 1
                self._wait()
        finally:
            env.close()
        success = bool(infos.get(me, {}).get("success")) and not gave_up
        team = bool(infos.get(me, {}).get("team_success")) and not gave_up
        message = "Team success!" if team else ("Gave up" if gave_up else "The team failed")
        for _ in range(self.message_ticks):
            self._draw(frame, text, f"{episode.task} · seat {self.seat}", message, team)
            if self._events(InputState()) == "quit":
                self.quit = True
                break
            self._wait()
        return TeamEpisodeResult(episode.task, episode.seed, episode.split, self.seat, success, team, steps, gave_up)


__all__ = ["TeamPlaySession", "TeamEpisodeResult"]
