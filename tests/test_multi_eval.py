"""Team suites through the evaluation runner: team and per-player success with the same intervals,
resume, teammates, and the bundled team suites (team-v1, team-v2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simagym.eval.__main__ import main
from simagym.eval.errors import EvalError
from simagym.eval.runner import run_eval
from simagym.eval.suite import SuiteError, available_suites, load_suite
from simagym.multi import list_team_tasks

TASKS = ["meadow/team-give-key-v1", "ledges/team-race-coins-v1"]


def suite_file(tmp_path: Path, tasks: list[str], name: str = "teamlet") -> Path:
    path = tmp_path / f"{name}-v1.yaml"
    path.write_text(f"name: {name}\nversion: 1\ntasks: {json.dumps(tasks)}\nseeds: [1, 2]\nsplits: [train, heldout]\n")
    return path


def test_team_v1_holds_every_team_task_and_pins_its_hash():
    suite = load_suite("team-v1")
    assert set(suite.tasks) == {s.id for s in list_team_tasks()}
    assert len(suite.seeds) >= 20 and {s.value for s in suite.splits} == {"train", "heldout"}


def test_team_v2_is_team_v1_on_100_seeds_with_its_floor_shipped():
    """team-v2: team-v1's templates, 100 seeds per task and phrasing split; `--suite team` is the newest."""
    from simagym.eval import baselines

    v1, v2 = load_suite("team-v1"), load_suite("team-v2")
    assert v2.tasks == v1.tasks and len(v2.seeds) == 100 and v2.splits == v1.splits
    assert load_suite("team").version == max(available_suites()["team"]) >= 2
    floor = baselines.load(v2)
    assert floor is not None and floor["episodes"] == len(v2.episodes()) == 100 * 2 * len(v2.tasks)


def test_oracle_team_run_gives_team_and_per_player_success_and_resumes(tmp_path):
    suite = load_suite(str(suite_file(tmp_path, TASKS)))
    out = tmp_path / "run"
    outcome = run_eval("oracle", suite, out)
    summary = outcome.summary
    assert summary["success_rate"] == 1.0 and summary["complete"] and summary["episodes"] == 8
    # A race has one winner: per player, half the seats of the coin race succeed.
    assert summary["per_player"]["episodes"] == 16
    assert summary["per_player_by_task"]["meadow/team-give-key-v1"]["success_rate"] == 1.0
    assert summary["per_player_by_task"]["ledges/team-race-coins-v1"]["success_rate"] == 0.5
    record = json.loads((out / "episodes.jsonl").read_text().splitlines()[0])
    assert record["category"] == "team" and record["agent_seats"] == [0, 1] and len(record["instructions"]) == 2
    again = run_eval("oracle", suite, out)
    assert again.ran == 0 and again.skipped == 8


def test_teammates_play_the_other_seats_and_are_part_of_the_run(tmp_path, capsys):
    suite = suite_file(tmp_path, TASKS)
    out = tmp_path / "run"
    assert main(["--agent", "random", "--teammates", "oracle", "--suite", str(suite), "--out", str(out),
                 "--workers", "1", "--no-progress"]) == 0
    assert "per player" in capsys.readouterr().out
    records = [json.loads(line) for line in (out / "episodes.jsonl").read_text().splitlines()]
    assert {r["teammates"] for r in records} == {"oracle"}
    assert all(len(r["agent_seats"]) == 1 and r["agent_seats"][0] == r["seed"] % 2 for r in records)
    # Resuming the same folder with other teammates is another run: refused.
    assert main(["--agent", "random", "--suite", str(suite), "--out", str(out), "--no-progress"]) == 2


def test_team_options_are_checked(tmp_path, capsys):
    with pytest.raises(SuiteError, match="team tasks or single-player tasks, not both"):
        load_suite(str(suite_file(tmp_path, [TASKS[0], "meadow/go-to-house-v2"], name="mixed")))
    assert main(["--agent", "random", "--teammates", "oracle", "--suite", "core", "--no-progress"]) == 2
    assert "--teammates applies to team suites" in capsys.readouterr().err
    with pytest.raises(EvalError, match="teammates must be one of"):
        run_eval("random", load_suite(str(suite_file(tmp_path, TASKS))), tmp_path / "x",
                 agent_options={"teammates": "nobody"})


def test_the_leaderboard_ranks_a_team_suite(tmp_path):
    """A team suite's results go on the leaderboard like any other (team success, its interval)."""
    from simagym.leaderboard.__main__ import main as leaderboard

    run_eval("oracle", load_suite("team-v1"), tmp_path / "oracle", episodes_per_task=1)
    assert leaderboard(["build", str(tmp_path / "oracle"), "--out", str(tmp_path / "site")]) == 0
    board = json.loads((tmp_path / "site" / "leaderboard.json").read_text())
    assert "team-v1" in json.dumps(board) and "oracle" in (tmp_path / "site" / "leaderboard.md").read_text()


def test_the_leaderboard_of_a_team_suite_shows_teammates_and_per_player_success(tmp_path):
    from simagym.leaderboard.__main__ import main as lb_main

    suite = suite_file(tmp_path, TASKS)
    common = ["--suite", str(suite), "--workers", "1", "--no-progress"]
    assert main(["--agent", "oracle", "--out", str(tmp_path / "oracle"), *common]) == 0
    assert main(["--agent", "random", "--teammates", "oracle", "--out", str(tmp_path / "random"), *common]) == 0
    site = tmp_path / "site"
    assert lb_main(["build", str(tmp_path / "oracle"), str(tmp_path / "random"), "--out", str(site),
                    "--suite", str(suite)]) == 0
    data = json.loads((site / "leaderboard.json").read_text())
    rows = {r["agent"]: r for r in data["results"]}
    assert rows["oracle"]["teammates"] == "self" and rows["random"]["teammates"] == "oracle"
    # The team always succeeds with the oracle in every seat; per player, a race has one winner of two.
    assert rows["oracle"]["overall"]["success_rate"] == 1.0
    assert rows["oracle"]["per_player"]["success_rate"] == pytest.approx(0.75)
    assert rows["random"]["per_player"]["episodes"] == 8  # one seat per episode
    index = (site / "index.html").read_text()
    assert "<th>teammates</th><th>per player [95% CI]</th>" in index
    md = (site / "leaderboard.md").read_text()
    header = next(line for line in md.splitlines() if line.startswith("| # |"))
    assert "teammates | per player" in header
    ranked = [line for line in md.splitlines() if line.startswith("| 1 |") or line.startswith("| 2 |")]
    assert all(line.count("|") == header.count("|") for line in ranked)
