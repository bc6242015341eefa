"""Leaderboard faults: a consistent forgery is caught by replaying it, a result is ranked once, and a
rebuild never deletes what it did not write."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from simagym.eval.__main__ import main as eval_main
from simagym.eval.results import EPISODES_FILE, read_episodes
from simagym.eval.summary import SUMMARY_FILE, build_summary, write_summary
from simagym.leaderboard.__main__ import main as lb_main
from simagym.leaderboard.results import load_result
from simagym.leaderboard.verify import suite_of

TASKS = ["meadow/open-menu-v2", "meadow/go-to-house-v2"]


@pytest.fixture(scope="module")
def genuine(tmp_path_factory) -> Path:
    """The oracle on two tasks, two seeds, both phrasings: 8 episodes, no suite file (--tasks)."""
    out = tmp_path_factory.mktemp("lb-faults") / "oracle"
    assert eval_main(["--agent", "oracle", "--tasks", *TASKS, "--episodes", "2", "--workers", "1",
                      "--out", str(out), "--no-progress"]) == 0
    return out


def forge(genuine: Path, tmp_path: Path) -> Path:
    """A copy with one episode made worse and its summary recomputed to match: consistent on paper."""
    forged = tmp_path / "forged"
    shutil.copytree(genuine, forged)
    records = sorted(read_episodes(forged), key=lambda r: (r["task"], r["split"], r["seed"]))
    records[0] = {**records[0], "success": False, "steps": records[0]["steps"] + 7, "return": 0.0}
    (forged / EPISODES_FILE).write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    old = json.loads((forged / SUMMARY_FILE).read_text())
    info = {k.removeprefix("agent_"): v for k, v in old.items() if k.startswith("agent_")}
    write_summary(forged, build_summary(records, agent=old["agent"], suite=old["suite"], planned=old["planned"],
                                        simagym_version=old["simagym_version"], agent_info=info))
    return forged


def test_verify_accepts_the_genuine_folder(genuine, capsys):
    assert lb_main(["verify", str(genuine), "--replay", "3", "--seed", "1"]) == 0
    assert "verified" in capsys.readouterr().out


def test_verify_catches_a_consistent_forgery(genuine, tmp_path, capsys):
    forged = forge(genuine, tmp_path)
    load_result(forged, suite_of(forged))  # the folder agrees with itself: only a replay can tell
    assert lb_main(["verify", str(forged), "--replay", "8"]) == 2
    err = capsys.readouterr().err
    assert "1 of 8 replayed episodes differ" in err and "success False" in err and "success True" in err
    assert lb_main(["build", str(forged), "--out", str(tmp_path / "site"), "--replay", "8"]) == 2
    assert "replay differs" in capsys.readouterr().err
    assert not (tmp_path / "site").exists()


def test_build_marks_replayed_rows_verified(genuine, tmp_path):
    site = tmp_path / "site"
    assert lb_main(["build", str(genuine), "--out", str(site), "--replay", "2"]) == 0
    entry = json.loads((site / "leaderboard.json").read_text())["results"][0]
    assert entry["verified"]["replayed"] == 2
    assert "✓ 2 replayed" in (site / "index.html").read_text() and "✓ 2 replayed" in (site / "leaderboard.md").read_text()
    assert lb_main(["build", str(genuine), "--out", str(site)]) == 0  # without --replay: not marked
    assert json.loads((site / "leaderboard.json").read_text())["results"][0]["verified"] is None


def test_a_result_is_ranked_once(genuine, tmp_path, capsys):
    link, copy = tmp_path / "link", tmp_path / "copy"
    os.symlink(genuine, link)
    shutil.copytree(genuine, copy)
    reordered = tmp_path / "reordered"
    shutil.copytree(genuine, reordered)
    lines = (reordered / EPISODES_FILE).read_text().splitlines(keepends=True)
    (reordered / EPISODES_FILE).write_text("".join(reversed(lines)))
    for twice in ([genuine, genuine], [genuine, link], [genuine, copy], [genuine, reordered]):
        assert lb_main(["build", *map(str, twice), "--out", str(tmp_path / "site")]) == 2
        assert "ranked once" in capsys.readouterr().err
    assert not (tmp_path / "site").exists()


def test_max_videos_must_not_be_negative(genuine, tmp_path, capsys):
    assert lb_main(["build", str(genuine), "--out", str(tmp_path / "site"), "--max-videos", "-1"]) == 2
    assert "--max-videos" in capsys.readouterr().err


def test_a_rebuild_deletes_only_what_a_build_wrote(genuine, tmp_path, capsys):
    site = tmp_path / "site"
    other = tmp_path / "random"
    assert eval_main(["--agent", "random", "--tasks", *TASKS, "--episodes", "2", "--workers", "1",
                      "--out", str(other), "--no-progress"]) == 0
    assert lb_main(["verify", str(other), "--replay", "8"]) == 0  # the random agent replays exactly too
    assert lb_main(["build", str(genuine), str(other), "--out", str(site)]) == 0
    written = json.loads((site / "leaderboard.json").read_text())["files"]
    assert len(written) == 2 and all((site / f).is_file() for f in written)
    mine = [site / "agents" / "notes.txt", site / "agents" / "99-mine.html", site / "mine.txt"]
    for path in mine:
        path.write_text("mine")
    assert lb_main(["build", str(genuine), "--out", str(site)]) == 0  # one row now: the second page goes
    assert not (site / written[1]).exists() and all(path.read_text() == "mine" for path in mine)
    # A file it did not write where it would write is refused before anything changes.
    (site / "agents" / "02-random.html").write_text("mine")
    before = sorted(p.name for p in (site / "agents").iterdir())
    assert lb_main(["build", str(genuine), str(other), "--out", str(site)]) == 2
    assert "no earlier build wrote" in capsys.readouterr().err
    assert sorted(p.name for p in (site / "agents").iterdir()) == before
    assert (site / "agents" / "02-random.html").read_text() == "mine"
