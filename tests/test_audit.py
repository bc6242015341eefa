"""The language-blindness audit: chance, blind players, flags, files, plugin worlds, team templates."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from simagym.eval.audit import TemplateAudit, audit_task, resolve_tasks, run_audit
from simagym.eval.blind import SCRIPTS, Script
from simagym.eval.team_audit import audit_team_task

ROOT = Path(__file__).resolve().parents[1]
LAMPS = ROOT / "examples" / "lamps_plugin"


def test_a_template_a_fixed_key_passes_is_flagged():
    """v1 Halls 'hold the X' put the target in inventory slot 1: the key 1 alone passes it."""
    row = audit_task("halls/hold-item-v1", seeds=range(5), world_tasks=["halls/hold-item-v1", "halls/open-map-v1"])
    assert row.scripts["1"] == 1.0 and row.chance < 0.5
    assert row.flagged and row.ceiling[1] == 1.0  # "1", or any other script that holds slot 1
    assert row.oracle == 1.0


def test_chance_counts_the_look_alikes_in_the_layout():
    row = audit_task("meadow/go-to-house-v2", seeds=range(6), world_tasks=["meadow/go-to-house-v2"])
    assert 1 / 3 - 1e-9 <= row.chance <= 1.0  # three houses; one may start next to the player
    assert row.counterfactual is not None  # another house's instruction fits every layout


def test_flag_rule_uses_the_margin():
    row = TemplateAudit(task="w/t-v1", world="w", category="menu", seeds=10, chance=0.25, random=0.1,
                        counterfactual=0.3, oracle=1.0, scripts={"a": 0.35})
    assert not row.flagged  # 35% <= 25% + 10 points
    row.scripts["b"] = 0.36
    assert row.flagged and row.ceiling == ("b", 0.36)


def test_results_are_written_and_a_rerun_resumes(tmp_path):
    tasks = ["meadow/open-map-v1", "meadow/open-menu-v2"]
    seen = []
    audit = run_audit(tasks, range(3), out=tmp_path, on_row=seen.append)
    audit.write(tmp_path)
    assert sorted(r.task for r in seen) == tasks
    data = json.loads((tmp_path / "audit.json").read_text())
    assert [t["task"] for t in data["templates"]] == tasks
    assert data["groups"]["all"]["templates"] == 2
    md = (tmp_path / "audit.md").read_text()
    assert "meadow/open-map-v1" in md and "| group |" in md
    # v1 counts a menu passed through; v2 wants the player to stop in the named one.
    v1, v2 = audit.rows
    assert v1.scripts["I-Tab-Esc"] == 1.0 and v2.scripts["I-Tab-Esc"] == 0.0 and v2.chance == 0.5
    again = []
    assert [r.task for r in run_audit(tasks, range(3), out=tmp_path, on_row=again.append).rows] == tasks
    assert again == []  # nothing re-run


def test_scripts_name_real_macros():
    assert all(isinstance(s, Script) for s in SCRIPTS.values())
    with pytest.raises(ValueError, match="unknown macros"):
        Script(("key:W", "key:NOPE"))


def test_the_audit_runs_on_a_plugin_world(tmp_path):
    """The example plugin (examples/lamps_plugin), installed as a real distribution on the path."""
    dist = tmp_path / "simagym_lamps-0.1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: simagym-lamps\nVersion: 0.1.0\n")
    (dist / "entry_points.txt").write_text("[simagym.worlds]\nlamps = simagym_lamps:LampsWorld\n\n"
                                            "[simagym.tasks]\nlamps = simagym_lamps.tasks\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(LAMPS), os.environ.get("PYTHONPATH", "")])}
    out = tmp_path / "audit"
    done = subprocess.run([sys.executable, "-m", "simagym", "audit", "--tasks", "lamps/*", "--seeds", "30",
                           "--workers", "1", "--out", str(out), "--no-progress", "--fail-on-flag"],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    rows = {r["task"]: r for r in json.loads((out / "audit.json").read_text())["templates"]}
    assert set(rows) == {"lamps/go-to-lamp-v1", "lamps/switch-on-v1"}
    for row in rows.values():
        assert row["oracle"] == 1.0 and row["chance"] == pytest.approx(1 / 3)
        assert not row["flagged"]


# --- team templates ------------------------------------------------------------------

def test_a_team_template_is_audited_by_the_whole_team():
    from simagym.multi import list_team_tasks

    pairs = [s.id for s in list_team_tasks("meadow") if s.players == 2]
    row = audit_team_task("meadow/team-meet-landmark-v1", seeds=range(3), world_tasks=pairs)
    assert row.category == "team" and row.world == "meadow" and row.seeds == 3
    assert row.oracle == 1.0  # the joint oracle on the team's own instructions
    assert 0 < row.chance < 1  # the shared landmark slot has look-alikes in every layout
    assert row.counterfactual is not None and row.counterfactual < 1  # going to the wrong landmark
    assert set(row.scripts) >= set(SCRIPTS)


def test_team_chance_counts_only_the_slot_values_the_layout_offers():
    from simagym.eval.team_audit import alternatives
    from simagym.multi import parallel_env

    slotless = parallel_env("meadow/team-help-gate-v1")
    slotless.reset(seed=0)
    assert alternatives(slotless) == 0
    env = parallel_env("meadow/team-meet-landmark-v1")
    values = env.task.roles[0].slots["landmark"]
    for seed in range(3):
        env.reset(seed=seed)
        assert 1 <= alternatives(env) <= len(values) - 1


def test_a_blind_team_passes_only_what_it_does():
    """Every seat no-ops: a cooperative template is never passed; the joint oracle always is."""
    from simagym.eval import blind
    from simagym.eval.team_audit import _joint_oracle, play
    from simagym.multi import DiscreteActions, parallel_env

    raw = parallel_env("ledges/team-hold-lever-bridge-v1", max_steps=40)
    env = DiscreteActions(raw)
    env.reset(seed=5)
    assert not play(env, [blind.Script(("noop",)).macros()] * 2)
    raw = parallel_env("ledges/team-hold-lever-bridge-v1")
    env = DiscreteActions(raw)
    env.reset(seed=5)
    assert play(env, _joint_oracle(raw))
    assert len(raw.last_events) == 2  # each seat's events of the last tick, for oracles pursuing a check


def test_the_audit_hands_team_templates_to_the_team_auditor(tmp_path):
    tasks = resolve_tasks(None, ["meadow/team-help-gate-v1", "meadow/open-menu-v2"])
    assert tasks == ["meadow/open-menu-v2", "meadow/team-help-gate-v1"]
    assert "meadow/team-give-key-v1" in resolve_tasks(None, None)  # the default audit covers teams too
    audit = run_audit(tasks, range(2), out=tmp_path)
    solo, team = audit.rows
    assert (solo.category, team.category) == ("menu", "team")
    assert team.oracle == 1.0 and team.chance == 1.0
    assert audit.groups()["category:team"]["templates"] == 1
