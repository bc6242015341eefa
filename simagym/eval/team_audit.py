"""The language-blindness audit of a team template (:mod:`simagym.eval.audit` does one player's;
it hands team templates here).

The same columns, played by the whole team in the same layouts:

* **chance** - 1 / the number of slot values (shared by every role) whose goals the layout offers:
  an assignment counts when it changes some seat's goal and every seat's changed goal is plausible
  from that seat. A template without slots has chance 1.
* **random** - every seat plays the random agent (its own stream).
* **counterfactual** - the joint oracle follows another team template of the same world and
  player count (or other slot values) that fits the layout, judged by the original roles.
* **scripts** - every seat plays the same blind script (:data:`simagym.eval.blind.SCRIPTS`, the
  world's own too).
* **oracle** - the joint oracle on the team's own instructions: must be 1.

Success is the team's, as in evaluation. Nothing is drawn (:meth:`TeamEnv.advance`).
"""

from __future__ import annotations

import itertools
from typing import Sequence

import numpy as np

from simagym.eval import blind
from simagym.eval.audit import MARGIN, TemplateAudit
from simagym.judge import plausible
from simagym.spec import Instruction

from simagym.multi import DiscreteActions, JointOracle, TeamEnv, TeamSpec, get_team_task, parallel_env


def play(env: DiscreteActions, policies: Sequence[blind.Policy]) -> bool:
    """Play one team episode (already reset), one blind policy per seat; the team's success."""
    agents = env.possible_agents
    t = 0
    while True:
        _, terminated, truncated, infos = env.advance({a: policy(t) for a, policy in zip(agents, policies)})
        t += 1
        if terminated[agents[0]] or truncated[agents[0]]:
            return bool(infos[agents[0]]["team_success"])


def alternatives(raw: TeamEnv) -> int:
    """How many other slot assignments give the team a plausible, different goal in this layout."""
    own = raw.instructions
    slots = own[0].spec.slots
    found = 0
    for combo in itertools.product(*slots.values()):
        values = dict(zip(slots, combo))
        if values == dict(own[0].slots):
            continue
        others = [Instruction(spec=i.spec, slots=values, split=i.split, template=i.template) for i in own]
        changed = [seat for seat, (o, i) in enumerate(zip(others, own)) if o.success_check() != i.success_check()]
        if changed and all(_plausible_from(raw, seat, others[seat]) for seat in changed):
            found += 1
    return found


def _plausible_from(raw: TeamEnv, seat: int, instruction: Instruction) -> bool:
    with raw.world.seated(seat):
        return plausible(instruction, raw.world)


def draw_other(raw: TeamEnv, specs: Sequence[TeamSpec], rng: np.random.Generator,
               tries: int = 200) -> list[Instruction] | None:
    """Every seat's instruction of another team template (same world and players) or other slot
    values, plausible from each seat with some seat's goal different; None if ``tries`` draws find none."""
    own = raw.instructions
    own_checks = [i.success_check() for i in own]
    for _ in range(tries):
        spec = specs[int(rng.integers(len(specs)))]
        slots = spec.roles[0].slots
        values = {name: str(vals[int(rng.integers(len(vals)))]) for name, vals in slots.items()}
        if spec.id == raw.task.id and values == dict(own[0].slots):
            continue
        other = [Instruction(spec=role, slots=values, split=raw.split, template=role.phrasings.train[0])
                 for role in spec.roles]
        if [o.success_check() for o in other] == own_checks:
            continue
        if all(_plausible_from(raw, seat, o) for seat, o in enumerate(other)):
            return other
    return None


def _pursuing(raw: TeamEnv, instructions: Sequence[Instruction]) -> list[blind.Policy]:
    """A seat's oracle planner per seat, each pursuing its own (counterfactual) instruction."""
    world = raw.world
    return [blind.pursue(world, i.success_check(), lambda seat=seat: raw.last_events[seat],
                         lambda seat=seat: world.seated(seat))
            for seat, i in enumerate(instructions)]


def _joint_oracle(raw: TeamEnv) -> list[blind.Policy]:
    oracle = JointOracle(raw)
    oracle.reset()
    return [lambda _t, seat=seat: oracle.macro(seat) for seat in range(raw.task.players)]


def audit_team_task(task_id: str, seeds: Sequence[int], world_tasks: Sequence[str],
                    margin: float = MARGIN) -> TemplateAudit:
    """Audit one team template over ``seeds``; counterfactuals come from ``world_tasks`` (team ids)."""
    raw = parallel_env(task_id)
    env = DiscreteActions(raw)
    players = raw.task.players
    specs = [s for s in map(get_team_task, world_tasks) if s.players == players]
    scripts = blind.scripts_for(type(raw.world))
    chance, oracle, random, counter = [], [], [], []
    script_wins: dict[str, list[bool]] = {name: [] for name in scripts}

    def episode(seed: int, policies) -> bool:
        env.reset(seed=seed)
        return play(env, policies())

    for seed in seeds:
        env.reset(seed=seed)
        chance.append(1.0 / (1 + alternatives(raw)))
        other = draw_other(raw, specs, np.random.default_rng(seed)) if specs else None
        if other is not None:
            counter.append(play(env, _pursuing(raw, other)))
        oracle.append(episode(seed, lambda: _joint_oracle(raw)))
        random.append(episode(seed, lambda: [blind.random_policy(seed * 8 + i) for i in range(players)]))
        for name, script in scripts.items():
            script_wins[name].append(episode(seed, lambda: [script.macros() for _ in range(players)]))
    env.close()
    return TemplateAudit(
        task=task_id, world=raw.task.world, category=raw.task.category.value, seeds=len(seeds),
        chance=float(np.mean(chance)), random=float(np.mean(random)),
        counterfactual=float(np.mean(counter)) if counter else None, oracle=float(np.mean(oracle)),
        scripts={name: float(np.mean(w)) for name, w in script_wins.items()}, margin=margin)


__all__ = ["audit_team_task", "alternatives", "draw_other", "play"]
