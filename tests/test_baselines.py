"""A suite's shipped floor: chance and the random agent, as an evaluation would measure them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simagym.eval import baselines
from simagym.eval.runner import run_episode
from simagym.eval.suite import load_suite

SUITE = """name: floor
version: 1
tasks: [meadow/go-to-house-v2, meadow/open-menu-v2, halls/open-map-v1]
seeds: {start: 7, count: 4}
splits: [train, heldout]
"""


@pytest.fixture
def suite(tmp_path: Path):
    path = tmp_path / "floor-v1.yaml"
    path.write_text(SUITE)
    return load_suite(str(path))


def test_random_baseline_is_what_an_evaluation_of_the_random_agent_gets(suite):
    fast = baselines.play_random(suite.episodes())
    slow = [run_episode("random", ep)["success"] for ep in suite.episodes()]
    assert [s for _, s in fast] == slow


def test_baselines_file_is_pinned_to_the_suite_content(suite, tmp_path):
    assert baselines.main([str(Path(suite.source)), "--workers", "1"]) == 0
    data = json.loads((tmp_path / "floor-v1.baselines.json").read_text())
    assert data["content_hash"] == suite.content_hash and data["episodes"] == len(suite.episodes())
    assert set(data["by_world"]) == {"meadow", "halls"} and set(data["by_split"]) == {"train", "heldout"}
    assert 0 < data["overall"]["chance"] <= 1 and 0 <= data["overall"]["random"] <= 1
    assert baselines.load(suite) == data
    # Another seed range is other content: its baselines are not these.
    other = Path(suite.source).with_name("floor2-v1.yaml")
    other.write_text(SUITE.replace("start: 7", "start: 8").replace("name: floor", "name: floor2"))
    (tmp_path / "floor2-v1.baselines.json").write_text(json.dumps(data))
    assert baselines.load(load_suite(str(other))) is None


def test_a_team_suites_floor_is_what_an_evaluation_of_random_teams_gets(tmp_path):
    from simagym.eval.runner import run_eval

    path = tmp_path / "teamfloor-v1.yaml"
    path.write_text("name: teamfloor\nversion: 1\ntasks: [meadow/team-race-landmark-v1, meadow/team-meet-landmark-v1]\n"
                    "seeds: {start: 0, count: 6}\nsplits: [train]\n")
    suite = load_suite(str(path))
    fast = dict(zip(suite.episodes(), baselines.play_random(suite.episodes())))
    run_eval("random", suite, tmp_path / "run", workers=1)
    records = [json.loads(line) for line in (tmp_path / "run" / "episodes.jsonl").read_text().splitlines()]
    slow = {(r["task"], r["seed"]): r["success"] for r in records}
    assert {(ep.task, ep.seed): s for ep, (_, s) in fast.items()} == slow
    assert any(slow.values())  # racing to a landmark, random teams sometimes get there
    chances = {ep.task: c for ep, (c, _) in fast.items()}
    assert 0 < chances["meadow/team-meet-landmark-v1"] < 1  # which landmark: the words say
