"""Evaluation faults: signals and kill -9 leave a resumable folder and no workers; --out '' is refused;
--tasks evaluates without a suite file and records the suite it made."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


from simagym.eval.__main__ import main as eval_main
from simagym.eval.results import EPISODES_FILE, RUN_FILE, read_episodes
from simagym.eval.suite import suite_from_definition
from simagym.eval.summary import SUMMARY_FILE

TASKS = "meadow/go-to-*"


def test_an_empty_out_is_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert eval_main(["--agent", "random", "--tasks", TASKS, "--out", ""]) == 2
    assert "--out" in capsys.readouterr().err
    assert os.listdir(tmp_path) == []


def test_tasks_without_a_suite_file(tmp_path):
    out = tmp_path / "run"
    assert eval_main(["--agent", "random", "--tasks", "meadow/go-to-house-v2", "meadow/open-menu-v2",
                      "--episodes", "1", "--workers", "1", "--out", str(out), "--no-progress"]) == 0
    run = json.loads((out / RUN_FILE).read_text())
    assert (run["suite_name"], run["suite_version"], run["suite_source"]) == ("tasks", 1, "--tasks")
    assert run["suite_definition"]["tasks"] == ["meadow/go-to-house-v2", "meadow/open-menu-v2"]
    assert run["suite_definition"]["seeds"][:2] == [1000, 1001]
    # The results say exactly which suite they are on: it can be rebuilt, with the same content hash.
    assert suite_from_definition(run["suite_definition"], str(out)).content_hash == run["suite_hash"]
    summary = json.loads((out / SUMMARY_FILE).read_text())
    assert summary["complete"] and summary["episodes"] == 4 and set(summary["by_split"]) == {"train", "heldout"}


def test_each_task_selection_has_its_own_default_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for tasks in (["meadow/go-to-house-v2"], ["meadow/open-menu-v2"]):
        assert eval_main(["--agent", "random", "--tasks", *tasks, "--episodes", "1", "--workers", "1",
                          "--no-progress"]) == 0
    assert len(list((tmp_path / "results").glob("random-tasks-*"))) == 2


def _start(out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "simagym.eval", "--agent", "random", "--tasks", TASKS, "--episodes", "2",
         "--workers", "2", "--out", str(out), "--no-progress"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "PYTHONWARNINGS": "ignore"},
        start_new_session=True)  # its own process group, as a terminal's job: Ctrl-C reaches it and its workers


def _wait_for_episodes(out: Path, process: subprocess.Popen, more_than: int, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while len(_lines(out)) <= more_than:
        assert process.poll() is None, process.stderr.read().decode()
        assert time.monotonic() < deadline, "no episode finished"
        time.sleep(0.05)


def _lines(out: Path) -> list[str]:
    path = out / EPISODES_FILE
    return path.read_text().splitlines() if path.exists() else []


def _pipes_close_within(process: subprocess.Popen, seconds: float) -> bytes:
    """stderr to its end: the end comes only once every process holding the pipe (workers too) is gone."""
    start = time.monotonic()
    err = process.stderr.read()
    process.stdout.read()
    assert time.monotonic() - start < seconds, "a worker outlived the evaluation and held its pipes"
    process.wait(timeout=5)
    return err


def _stop_and_check(out: Path, stop, status: int, word: bytes, saved: int) -> int:
    """Start the run (resuming), stop it once it saved another episode; check it left a consistent,
    resumable folder and no process holding its pipes. Returns how many episodes are saved."""
    process = _start(out)
    _wait_for_episodes(out, process, saved)
    stop(process)
    err = _pipes_close_within(process, 15)
    assert process.returncode == status and word in err and b"Traceback" not in err, err
    summary = json.loads((out / SUMMARY_FILE).read_text())
    saved = len(read_episodes(out))
    assert summary["episodes"] == saved and not summary["complete"]
    return saved


def _resume_to_the_end(out: Path) -> None:
    assert eval_main(["--agent", "random", "--tasks", TASKS, "--episodes", "2", "--workers", "1",
                      "--out", str(out), "--no-progress"]) == 0
    records = read_episodes(out)
    summary = json.loads((out / SUMMARY_FILE).read_text())
    assert summary["complete"] and summary["episodes"] == summary["planned"] == len(records)
    assert len(_lines(out)) == len(records)  # none lost, none duplicated


def test_sigterm_leaves_a_resumable_folder_with_its_summary(tmp_path):
    out = tmp_path / "run"
    _stop_and_check(out, lambda p: p.send_signal(signal.SIGTERM), 128 + signal.SIGTERM, b"terminated", 0)
    _resume_to_the_end(out)


@pytest.mark.slow  # three evaluations start worker processes: about 40 s on a busy 2-core machine
def test_ctrl_c_and_kill_9_leave_a_resumable_folder_and_no_workers(tmp_path):
    out = tmp_path / "run"
    saved = _stop_and_check(out, lambda p: os.killpg(p.pid, signal.SIGINT), 130, b"interrupted", 0)
    # kill -9: the workers die with the run and release its pipes at once.
    process = _start(out)
    _wait_for_episodes(out, process, saved)
    process.kill()
    _pipes_close_within(process, 5)
    _resume_to_the_end(out)
