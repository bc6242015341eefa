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
