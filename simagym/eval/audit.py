"""The language-blindness audit: per template, how much an agent that ignores the
instruction can pass, next to the chance level.

For every template, over N seeds (the same layouts for every player):

* **chance** - 1 / the number of equally plausible goals the layout offers: the
  instruction's own goal plus its look-alikes, the template's other slot values
  whose targets exist in this layout (:func:`simagym.judge.alternatives`), averaged
  over seeds. A template without slots has chance 1: nothing in the words to choose.
* **random** - the random agent.
* **counterfactual** - the oracle following another instruction of the same world
  that fits the layout, judged by the original instruction (:mod:`simagym.eval.blind`).
* **scripts** - fixed macro sequences (menus, movement, clicks), best one reported.
* **oracle** - the oracle on its own instruction: must be 1.

Team templates are audited the same way by the whole team (:mod:`simagym.eval.team_audit`).

The **blind ceiling** is the best of random, counterfactual and every script; a
template is **flagged** when its ceiling exceeds its chance by more than
``margin`` (10 points by default). Results are written as each template finishes
(``audit.jsonl``; a re-run with the same settings resumes), then as ``audit.json``
and ``audit.md``.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from concurrent.futures import as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from simagym.workers import worker_pool

MARGIN = 0.10
ROWS_FILE = "audit.jsonl"


@dataclass
class TemplateAudit:
    task: str
    world: str
    category: str
    seeds: int
    chance: float
    random: float
    counterfactual: float | None  # None: no other instruction fits its layouts, or the world has no oracle
    oracle: float | None  # None: the world has no oracle (World.solver)
    scripts: dict[str, float] = field(default_factory=dict)
    margin: float = MARGIN

    @property
    def best_script(self) -> tuple[str, float]:
        name = max(self.scripts, key=lambda k: (self.scripts[k], k)) if self.scripts else "-"
        return name, self.scripts.get(name, 0.0)

    @property
    def ceiling(self) -> tuple[str, float]:
        """The best blind player and its success rate."""
        options = {"random": self.random, **self.scripts}
        if self.counterfactual is not None:
            options["counterfactual"] = self.counterfactual
        name = max(options, key=lambda k: (options[k], k))
        return name, options[name]

    @property
    def flagged(self) -> bool:
        return self.ceiling[1] > self.chance + self.margin + 1e-9

    def to_json(self) -> dict[str, Any]:
        best, ceiling = self.ceiling
        return {**asdict(self), "blind_ceiling": ceiling, "best_blind": best, "flagged": self.flagged}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "TemplateAudit":
        return cls(**{k: data[k] for k in cls.__dataclass_fields__})


# --- one template (runs in a worker) -------------------------------------------------

def audit_task(task_id: str, seeds: Sequence[int], world_tasks: Sequence[str], margin: float = MARGIN) -> TemplateAudit:
    """Audit one template over ``seeds``; counterfactual instructions come from ``world_tasks``."""
    import simagym
    from simagym.eval import blind
    from simagym.judge import alternatives
    from simagym.macros import DiscreteActions

    env = DiscreteActions(simagym.make(task_id))
    unwrapped = env.unwrapped
    specs = [simagym.get_task(t) for t in world_tasks]
    scripts = blind.scripts_for(type(unwrapped.world))
    chance, oracle, random, counter = [], [], [], []
    script_wins: dict[str, list[bool]] = {name: [] for name in scripts}

    def episode(seed: int, make_policy: Callable[[], blind.Policy]) -> bool:
        env.reset(seed=seed)
        return blind.play(env, make_policy())

    has_oracle = _has_oracle(unwrapped)
    for seed in seeds:
        env.reset(seed=seed)
        chance.append(1.0 / (1 + len(alternatives(unwrapped.instruction, unwrapped.world))))
        if has_oracle:
            other = blind.draw_other(unwrapped.instruction, unwrapped.world, specs, np.random.default_rng(seed))
            if other is not None:
                counter.append(blind.play(env, blind.oracle_policy(env, other.success_check())))
            oracle.append(episode(seed, lambda: _own_oracle(unwrapped)))
        random.append(episode(seed, lambda: blind.random_policy(seed)))
        for name, script in scripts.items():
            script_wins[name].append(episode(seed, script.macros))
    env.close()
    spec = unwrapped.task
    return TemplateAudit(
        task=task_id, world=spec.world, category=spec.category.value, seeds=len(seeds),
        chance=float(np.mean(chance)), random=float(np.mean(random)),
        counterfactual=float(np.mean(counter)) if counter else None,
        oracle=float(np.mean(oracle)) if oracle else None,
        scripts={name: float(np.mean(w)) for name, w in script_wins.items()}, margin=margin)


def _has_oracle(unwrapped) -> bool:
    """Whether the world has an oracle (a plugin world may have none: its columns are then '-')."""
    unwrapped.reset(seed=0)
    try:
        unwrapped.world.solver(unwrapped.goal)
    except NotImplementedError:
        return False
    return True


def _own_oracle(unwrapped) -> Callable[[int], int]:
    solver = unwrapped.world.solver(unwrapped.goal)  # the judge updates its own goal
    return lambda _t: solver.next_macro()


# --- the whole audit -----------------------------------------------------------------

@dataclass
class Audit:
    rows: list[TemplateAudit]
    seeds: Sequence[int]
    margin: float = MARGIN

    @property
    def flagged(self) -> list[TemplateAudit]:
        return [r for r in self.rows if r.flagged]

    def groups(self) -> dict[str, dict[str, float]]:
        """Mean random, ceiling and chance per world, per category and overall."""
        buckets: dict[str, list[TemplateAudit]] = defaultdict(list)
        for r in self.rows:
            for key in ("all", f"world:{r.world}", f"category:{r.category}"):
                buckets[key].append(r)
        return {key: {"templates": len(rows), "chance": float(np.mean([r.chance for r in rows])),
                      "random": float(np.mean([r.random for r in rows])),
                      "blind_ceiling": float(np.mean([r.ceiling[1] for r in rows])),
                      "oracle": _mean_known([r.oracle for r in rows]),
                      "flagged": sum(r.flagged for r in rows)}
                for key, rows in sorted(buckets.items())}

    def to_json(self) -> dict[str, Any]:
        return {"seeds": list(self.seeds), "margin": self.margin, "groups": self.groups(),
                "templates": [r.to_json() for r in self.rows]}

    def markdown(self, title: str = "Language-blindness audit") -> str:
        pct = lambda x: "-" if x is None else f"{100 * x:.0f}%"  # noqa: E731
        lines = [f"# {title}", "",
                 f"{len(self.rows)} templates, {len(self.seeds)} seeds each. A template is flagged when its blind"
                 f" ceiling (the best of the random agent, the counterfactual oracle and every blind script) exceeds"
                 f" its chance level by more than {100 * self.margin:.0f} points.", "",
                 "| group | templates | chance | random | blind ceiling | oracle | flagged |",
                 "|---|---:|---:|---:|---:|---:|---:|"]
        for key, g in self.groups().items():
            lines.append(f"| {key} | {g['templates']} | {pct(g['chance'])} | {pct(g['random'])} |"
                         f" {pct(g['blind_ceiling'])} | {pct(g['oracle'])} | {g['flagged']} |")
        lines += ["", "| template | category | chance | random | counterfactual | best script | blind ceiling | oracle | flag |",
                  "|---|---|---:|---:|---:|---|---:|---:|:---:|"]
        for r in sorted(self.rows, key=lambda r: r.task):
            name, score = r.best_script
            name = name if score > 0 else "none passes"
            best, ceiling = r.ceiling
            lines.append(f"| {r.task} | {r.category} | {pct(r.chance)} | {pct(r.random)} | {pct(r.counterfactual)} |"
                         f" {name} {pct(score)} | {pct(ceiling)} ({best}) | {pct(r.oracle)} | {'**yes**' if r.flagged else ''} |")
        return "\n".join(lines) + "\n"

    def write(self, out: Path, title: str = "Language-blindness audit") -> None:
        out.mkdir(parents=True, exist_ok=True)
        _atomic_write(out / "audit.json", json.dumps(self.to_json(), indent=2) + "\n")
        _atomic_write(out / "audit.md", self.markdown(title))


def _mean_known(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return float(np.mean(known)) if known else None


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _done_rows(out: Path | None, seeds: Sequence[int], margin: float) -> dict[str, TemplateAudit]:
    """Rows of an earlier run with the same seeds (resume); a torn last line is ignored."""
    if out is None or not (out / ROWS_FILE).is_file():
        return {}
    done = {}
    for line in (out / ROWS_FILE).read_text(encoding="utf-8").splitlines():
        try:
            data = json.loads(line)
            if data.get("seed_list") == list(seeds):
                row = TemplateAudit.from_json(data)
                row.margin = margin
                done[row.task] = row
        except (ValueError, TypeError, KeyError):
            continue
    return done


def run_audit(task_ids: Sequence[str], seeds: Sequence[int], *, workers: int = 1, out: Path | None = None,
              margin: float = MARGIN, on_row: Callable[[TemplateAudit], None] | None = None) -> Audit:
    """Audit ``task_ids`` (counterfactuals drawn among the same world's tasks in ``task_ids``)."""
    from simagym.multi.registry import is_team_task

    # Counterfactuals come from the same world and the same kind (one player, or a team).
    by_world: dict[tuple[str, bool], list[str]] = defaultdict(list)
    for t in task_ids:
        by_world[_world_of(t), is_team_task(t)].append(t)
    done = _done_rows(out, seeds, margin)
    todo = [t for t in task_ids if t not in done]
    rows = dict(done)
    log = None
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        log = (out / ROWS_FILE).open("a", encoding="utf-8")

    def finish(row: TemplateAudit) -> None:
        rows[row.task] = row
        if log is not None:
            log.write(json.dumps({**row.to_json(), "seed_list": list(seeds)}) + "\n")
            log.flush()
        if on_row is not None:
            on_row(row)

    try:
        jobs = [(_auditor(t), t, list(seeds), by_world[_world_of(t), is_team_task(t)], margin) for t in todo]
        if workers <= 1:
            for auditor, *job in jobs:
                finish(auditor(*job))
        else:
            with worker_pool(workers) as pool:
                for future in as_completed([pool.submit(*job) for job in jobs]):
                    finish(future.result())
    finally:
        if log is not None:
            log.close()
    return Audit(rows=[rows[t] for t in task_ids], seeds=list(seeds), margin=margin)


def _world_of(task_id: str) -> str:
    import simagym
    from simagym.multi.registry import get_team_task, is_team_task

    return (get_team_task(task_id) if is_team_task(task_id) else simagym.get_task(task_id)).world


def _auditor(task_id: str) -> Callable[..., TemplateAudit]:
    """:func:`audit_task`, or for a team template :func:`~simagym.eval.team_audit.audit_team_task`."""
    from simagym.multi.registry import is_team_task

    if is_team_task(task_id):
        from simagym.eval.team_audit import audit_team_task

        return audit_team_task
    return audit_task


def resolve_tasks(suite: str | None, patterns: Iterable[str] | None) -> list[str]:
    """Task ids from a suite name/path or from id patterns (default: the latest catalogue and every
    team template)."""
    import simagym
    from simagym.eval.suite import expand_tasks, load_suite
    from simagym.multi.registry import list_team_tasks

    if suite is not None:
        return list(load_suite(suite).tasks)
    known = [t.id for t in simagym.list_tasks(superseded_too=True)] + [t.id for t in list_team_tasks()]
    return list(expand_tasks(list(patterns or ["*"]), known, "--tasks"))


__all__ = ["Audit", "TemplateAudit", "audit_task", "run_audit", "resolve_tasks", "MARGIN"]
