"""The plugin kit (simagym.testing) and the world contract it checks: the env refuses an ambiguous
required target at reset, and the kit finds each defect of a deliberately broken plugin world."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from typing import ClassVar

import numpy as np
import pytest

import simagym
from simagym.env import SimaEnv
from simagym.spec import load_task_file
from simagym.testing import KitError, cases, check_tasks, world_problems
from simagym.testing.__main__ import main as kit_main
from simagym.world import Entity, LayoutParams, TargetError, World

TASKS = textwrap.dedent("""
    world: twins
    tasks:
      - id: twins/go-to-lamp-v1
        category: navigation
        max_steps: 10
        slots: {colour: [red, blue]}
        phrasings: {train: ["go to the {colour} lamp"], heldout: ["find the {colour} lamp"]}
        success: {near: {kind: lamp, colour: $colour}}
      - id: twins/go-to-tree-v1
        category: navigation
        max_steps: 10
        phrasings: {train: ["go to a tree"], heldout: ["find a tree"]}
        success: {near: {kind: tree}}
""")


class TwinsWorld(World):
    """Two lamps of every colour, and two trees (a scattered kind)."""

    name = "twins"
    scattered: ClassVar = frozenset({"tree"})

    def reset(self, rng, layout, required) -> None:
        self.things = [Entity(i, kind, colour) for i, (kind, colour) in
                       enumerate([("lamp", "red"), ("lamp", "red"), ("lamp", "blue"), ("lamp", "blue"),
                                  ("tree", None), ("tree", None)])]

    def step(self, inp):
        return []

    def render(self, height, width):
        return np.zeros((height, width, 3), np.uint8)

    def entities(self):
        return self.things

    def is_near(self, entity):
        return False

    def inventory(self):
        return []


def _twins_env(task_id: str) -> SimaEnv:
    specs = {s.id: s for s in load_task_file(TASKS, "twins.yaml", {"twins": LayoutParams})}
    return SimaEnv(specs[task_id], TwinsWorld())


def test_reset_refuses_a_required_selector_that_matches_several_entities():
    env = _twins_env("twins/go-to-lamp-v1")
    with pytest.raises(TargetError) as info:
        env.reset(seed=5)
    message = str(info.value)
    assert "'twins/go-to-lamp-v1'" in message and "seed 5" in message and "matches 2 entities" in message
    assert "{'kind': 'lamp', 'colour':" in message and "TwinsWorld.reset" in message


def test_a_scattered_kind_may_match_several():
    env = _twins_env("twins/go-to-tree-v1")
    obs, _ = env.reset(seed=0)
    assert obs["instruction"] == "go to a tree"


@pytest.mark.parametrize("world", ["meadow", "halls", "gameui", "ledges"])
def test_bundled_worlds_declare_what_the_kit_asks(world):
    assert world_problems(world) == []
    assert simagym.get_world(world).events


def test_the_kit_names_what_is_missing():
    assert "not installed" in world_problems("nowhere")[0]
    with pytest.raises(KitError, match="no installed task matches 'nowhere/\\*'"):
        check_tasks("nowhere/*")
    with pytest.raises(ValueError, match="name a world"):
        cases()


def test_the_kit_has_one_case_per_check_and_task():
    from simagym.multi import list_team_tasks

    found = [case.id for case in cases(world="ledges")]
    ledges = [s.id for s in simagym.list_tasks(world="ledges")]
    team = [s.id for s in list_team_tasks("ledges")]
    assert found[0] == "ledges:world" and "ledges/*:determinism" in found
    assert len(found) == 2 + 5 * len(ledges) + 2 * len(team)
    assert f"{ledges[0]}:oracle" in found and f"{ledges[0]}:env-checkers" in found
    assert f"{team[0]}:pettingzoo-api" in found and f"{team[0]}:joint-oracle" in found


def test_the_kit_checks_team_tasks_and_names_a_failing_joint_oracle(monkeypatch):
    import simagym.multi
    from simagym.macros import NOOP
    from simagym.testing import check_joint_oracle

    assert check_tasks("ledges/team-race-flag-v1", seeds=range(3)) == [
        "ledges/team-race-flag-v1:pettingzoo-api", "ledges/team-race-flag-v1:joint-oracle"]
    monkeypatch.setattr(simagym.multi.JointOracle, "macro", lambda self, seat: NOOP)
    problems = check_joint_oracle("ledges/team-race-flag-v1", range(2))
    assert problems and "failed seeds [0, 1] of 2" in problems[0]


def test_the_kit_command_line_reports_and_fails(capsys):
    assert kit_main(["nowhere"]) == 1
    captured = capsys.readouterr()
    assert "FAIL nowhere:world" in captured.out and "is not installed" in captured.err


# A plugin world with one defect per task, installed as a real distribution (a dist-info folder
# on the path): the kit must report every one, each naming its task.
BROKEN_WORLD = '''
import numpy as np
from simagym.macros import NOOP, key_macro
from simagym.world import Entity, Event, LayoutParams, Solver, World


class Layout(LayoutParams):
    twins: bool = False


class ShoddyWorld(World):
    name = "shoddy"
    Layout = Layout
    events = frozenset({"switched_on"})
    event_roles = {"switched_on": frozenset({"lamp"})}

    def reset(self, rng, layout, required):
        colours = list({"red", "green", "blue", "yellow"})  # set order: differs between processes
        self.lamps = colours + (["red"] if layout.twins else [])
        self.player = 0

    def step(self, inp):
        if "D" in inp.keys:
            self.player = min(self.player + 1, len(self.lamps) - 1)
        if "E" in inp.keys:
            return [Event("blinked", {"target": self.entities()[self.player]})]  # never declared
        if "Q" in inp.keys:
            return [Event("switched_on", {"target": self.entities()[self.player]})]  # declared as "lamp"
        return []

    def render(self, height, width):
        frame = np.zeros((height, height, 3), np.uint8)  # square, whatever width was asked
        frame[:, : 1 + self.player] = 200
        frame[0, 0] = [hash(c) % 256 for c in self.lamps[:3]]
        return frame

    def entities(self):
        return [Entity(i, "lamp", c) for i, c in enumerate(self.lamps)]

    def is_near(self, entity):
        return entity.id == self.player

    def inventory(self):
        return []


class ShoddySolver(Solver):
    def __init__(self, world, check):
        self.world, self.check = world, check

    def next_macro(self):
        target = self.world.find(self.check.selector)[0].id if hasattr(self.check, "selector") else None
        if target is None:
            return key_macro("E")  # presses E forever: never the declared event the task wants
        return NOOP if target == self.world.player else key_macro("D")


ShoddyWorld.solver_class = ShoddySolver
'''

BROKEN_TASKS = '''
world: shoddy
tasks:
  - id: shoddy/go-to-lamp-v1
    category: navigation
    max_steps: 12
    slots: {colour: [red, green]}
    phrasings: {train: ["go to the {colour} lamp"], heldout: ["find the {colour} lamp"]}
    success: {near: {kind: lamp, colour: $colour}}
  - id: shoddy/twin-lamps-v1
    category: navigation
    max_steps: 12
    layout: {twins: true}
    phrasings: {train: ["go to the red lamp"], heldout: ["find the red lamp"]}
    success: {near: {kind: lamp, colour: red}}
  - id: shoddy/switch-on-v1
    category: object
    max_steps: 12
    phrasings: {train: ["switch a lamp on"], heldout: ["light a lamp"]}
    success: {event: {type: switched_on}}
  - id: shoddy/blink-v1
    category: object
    max_steps: 12
    phrasings: {train: ["blink a lamp"], heldout: ["make a lamp blink"]}
    success: {event: {type: blinked}}
  - id: shoddy/switch-on-red-v1
    category: object
    max_steps: 12
    phrasings: {train: ["switch the red lamp on"], heldout: ["light the red lamp"]}
    success: {event: {type: switched_on, lmap: {colour: red}}}
'''


def test_the_kit_finds_every_defect_of_a_broken_world(tmp_path):
    package = tmp_path / "shoddy"
    (package / "tasks").mkdir(parents=True)
    (package / "__init__.py").write_text(BROKEN_WORLD)
    (package / "tasks" / "__init__.py").write_text("")
    (package / "tasks" / "shoddy.yaml").write_text(BROKEN_TASKS)
    dist = tmp_path / "shoddy-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: shoddy\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[simagym.worlds]\nshoddy = shoddy:ShoddyWorld\n\n"
                                           "[simagym.tasks]\nshoddy = shoddy.tasks\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-m", "simagym.testing", "shoddy", "--seeds", "3"], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stdout + done.stderr
    report = done.stderr
    assert "FAIL shoddy:world" in done.stdout  # the template naming an undeclared event was skipped
    assert "shoddy/blink-v1" in report and "field 'success.event.type'" in report and "ShoddyWorld.events" in report
    assert "shoddy/go-to-lamp-v1: at resolution (48, 80) a frame is (48, 48, 3)" in report
    assert "shoddy/twin-lamps-v1" in report and "matches 2 entities" in report
    assert "shoddy/switch-on-v1: the oracle failed on seeds [0, 1, 2]" in report
    assert "'blinked'" in report and "ShoddyWorld.events does not declare" in report
    # A role the world never reports is a load error; a role it reports but never declared, a finding.
    assert "shoddy/switch-on-red-v1" in report and "field 'success.event.lmap'" in report
    assert "ShoddyWorld.event_roles['switched_on']" in report
    assert "switched_on events with the roles ['target']" in report
    assert "different frames in another process" in report
    assert "ok   shoddy/go-to-lamp-v1:instructions" in done.stdout
