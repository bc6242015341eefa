"""Team episodes for the evaluation runner (:mod:`simagym.eval.runner`): the agent under test plays
every seat (self-play), or one seat beside teammates (``teammates``: the joint oracle or the random
agent). Records are the runner's single-player records - ``success`` is the team's - plus what a
team adds: each seat's success, which seats the agent played, and every seat's instruction.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

#: Who plays the seats the agent under test does not: itself (every seat), the oracle, the random agent.
TEAMMATES = ("self", "oracle", "random")


def split_options(options: Mapping[str, Any] | None) -> tuple[dict[str, Any], str]:
    """(the agent's own options, its teammates) from the run's agent options."""
    own = dict(options or {})
    teammates = own.pop("teammates", "self")
    if teammates not in TEAMMATES:
        raise ValueError(f"teammates must be one of {', '.join(TEAMMATES)}, got {teammates!r}")
    return own, teammates


class TeamPlaying:
    """One team episode in progress: the env, an agent per seat the agent under test plays, the rest."""

    def __init__(self, agent_spec: str, episode: Any, agent_options: Mapping[str, Any] | None = None) -> None:
        from simagym.agents import load_agent
        from simagym.eval.suite import env_options

        from . import DiscreteActions, JointOracle, parallel_env

        own, teammates = split_options(agent_options)
        self.episode, self.teammates = episode, teammates
        self.raw = parallel_env(episode.task, phrasing=env_options(episode.split)["phrasing"])
        self.env = DiscreteActions(self.raw)
        self.obs, _ = self.env.reset(seed=episode.seed)
        players = self.raw.task.players
        self.agent_seats = list(range(players)) if teammates == "self" else [episode.seed % players]
        self.oracle = JointOracle(self.raw)
        self.oracle.reset()
        #: Seat -> the agent acting there (None: the joint oracle plays that seat).
        self.seats: dict[int, Any] = {}
        for seat in range(players):
            spec, options = (agent_spec, own) if seat in self.agent_seats else (teammates, {})
            agent = load_agent(spec, seed=episode.seed * 8 + seat, options=options)
            if agent.privileged:
                self.seats[seat] = None
            else:
                agent.reset(self.raw.instructions[seat].text, None)
                self.seats[seat] = agent
        self.steps, self.total, self.record = 0, 0.0, None

    def learners(self) -> list[tuple[int, Any]]:
        """(seat, agent) for every seat an unprivileged agent plays."""
        return [(seat, agent) for seat, agent in self.seats.items() if agent is not None]

    def step(self, chosen: Mapping[int, int]) -> None:
        """One tick: ``chosen`` holds the learners' macros; the oracle plays its seats."""
        actions = {}
        for seat, agent in self.seats.items():
            actions[f"player_{seat}"] = chosen[seat] if agent is not None else self.oracle.macro(seat)
        self.obs, rewards, terms, truncs, infos = self.env.step(actions)
        self.steps += 1
        self.total += sum(float(rewards[f"player_{s}"]) for s in self.agent_seats) / len(self.agent_seats)
        if not self.raw.agents:
            task = self.raw.task
            seat_success = [bool(infos[f"player_{s}"]["success"]) for s in range(task.players)]
            self.record = {
                "task": task.id, "world": task.world, "category": task.category, "kind": task.kind.value,
                "seed": self.episode.seed, "split": self.episode.split,
                "instruction": self.raw.instructions[self.agent_seats[0]].text,
                "instructions": [i.text for i in self.raw.instructions],
                "success": bool(infos["player_0"]["team_success"]), "seat_success": seat_success,
                "agent_seats": list(self.agent_seats), "teammates": self.teammates,
                "steps": self.steps, "return": self.total,
            }
            self.env.close()


def run_team_group(agent_spec: str, episodes: Sequence[Any],
                   agent_options: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """Play team episodes side by side; every learner of every episode acts in one call of its class's
    ``act_together`` (one forward pass for a learned agent); return the records in order."""
    playing = [TeamPlaying(agent_spec, episode, agent_options) for episode in episodes]
    try:
        while True:
            live = [p for p in playing if p.record is None]
            if not live:
                return [p.record for p in playing]
            slots = [(p, seat, agent) for p in live for seat, agent in p.learners()]
            by_class: dict[type, list[tuple[Any, int, Any]]] = {}
            for slot in slots:
                by_class.setdefault(type(slot[2]), []).append(slot)
            chosen: dict[int, dict[int, int]] = {id(p): {} for p in live}
            for cls, group in by_class.items():
                macros = cls.act_together([a for _, _, a in group], [p.obs[f"player_{s}"] for p, s, _ in group])
                for (p, seat, _), macro in zip(group, macros):
                    chosen[id(p)][seat] = int(macro)
            for p in live:
                p.step(chosen[id(p)])
    finally:
        for p in playing:
            if p.record is None:
                p.env.close()


def agent_rates_records(records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One record per seat the agent played, its success that seat's: for per-player rates."""
    return [{**r, "success": r["seat_success"][seat]} for r in records if "seat_success" in r
            for seat in r["agent_seats"]]


__all__ = ["TEAMMATES", "TeamPlaying", "run_team_group", "split_options", "agent_rates_records"]
