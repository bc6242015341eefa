"""Bad input gets a clear error and loses nothing: result files, task files, suites, env arguments."""

from __future__ import annotations

import json
import os

import pytest

import simagym
from simagym.eval.errors import EvalError
from simagym.eval.results import EPISODES_FILE, EpisodeLog, read_episodes
from simagym.eval.suite import SuiteError, parse_suite
from simagym.spec import TaskFileError, load_task_file

RECORD = {"task": "meadow/go-to-house-v2", "world": "meadow", "category": "navigation", "seed": 1002,
          "split": "train", "instruction": "go to the red house", "success": False, "steps": 9, "return": 0.0}


def write_lines(folder, *lines: str, newline_at_end: bool = True) -> None:
    (folder / EPISODES_FILE).write_text("\n".join(lines) + ("\n" if newline_at_end else ""), encoding="utf-8")


@pytest.mark.parametrize("field,value", [("success", "false"), ("seed", 1002.7), ("steps", True), ("return", "1")])
def test_a_mistyped_episode_record_is_corruption_not_data(tmp_path, field, value):
    write_lines(tmp_path, json.dumps(RECORD), json.dumps({**RECORD, "seed": 1003, field: value}),
                json.dumps({**RECORD, "seed": 1004}))
    with pytest.raises(EvalError, match=f"line 2 .*{field}"):
        read_episodes(tmp_path)


def test_only_a_torn_last_line_without_newline_is_dropped(tmp_path):
    good = json.dumps(RECORD)
    write_lines(tmp_path, good, '{"task": "meadow/go-to-h', newline_at_end=False)
    assert len(read_episodes(tmp_path, repair=True)) == 1
    assert (tmp_path / EPISODES_FILE).read_text() == good + "\n"
    # A complete last line that is not a record is not an interrupted write: nothing is cut.
    write_lines(tmp_path, good, json.dumps({**RECORD, "success": "no"}))
    before = (tmp_path / EPISODES_FILE).read_bytes()
    with pytest.raises(EvalError, match="corrupt"):
        read_episodes(tmp_path, repair=True)
    assert (tmp_path / EPISODES_FILE).read_bytes() == before


def test_results_never_follow_a_link_out_of_the_folder(tmp_path):
    outside = tmp_path / "elsewhere.jsonl"
    outside.write_text(json.dumps(RECORD) + '\n{"torn', encoding="utf-8")
    folder = tmp_path / "run"
    folder.mkdir()
    os.symlink(outside, folder / EPISODES_FILE)
    with pytest.raises(EvalError, match="symbolic link"):
        read_episodes(folder, repair=True)
    with pytest.raises(OSError):
        with EpisodeLog(folder) as log:
            log.append(RECORD)
    assert outside.read_text(encoding="utf-8").endswith('{"torn')


@pytest.mark.parametrize("value", [0, -5, 2.5, True, "10"])
def test_max_steps_must_be_a_positive_whole_number(value):
    with pytest.raises(ValueError, match="max_steps"):
        simagym.make("meadow/go-to-house-v2", max_steps=value)


def test_make_needs_a_task_id():
    with pytest.raises(TypeError, match="task id"):
        simagym.make(None)


LAYOUTS = {"meadow": simagym.get_world("meadow").Layout}
TASK = """world: meadow
tasks:
  - id: meadow/x-v1
    category: navigation
    max_steps: 50
    slots: {colour: %s}
    phrasings: {train: ["go to the {colour} house"], heldout: ["walk to the {colour} house"]}
    success: {near: {kind: house, colour: $colour}}
"""


def test_slot_values_must_fit_the_instruction_charset():
    with pytest.raises(TaskFileError, match="charset"):
        load_task_file(TASK % "[red, café]", "t.yaml", LAYOUTS)


def test_slot_combinations_are_bounded():
    text = TASK.replace("slots: {colour: %s}", "slots: {colour: %s, a: %s, b: %s}") % (
        [f"c{i}" for i in range(20)], [f"a{i}" for i in range(20)], [f"b{i}" for i in range(20)])
    with pytest.raises(TaskFileError, match="combinations"):
        load_task_file(text, "t.yaml", LAYOUTS)


def test_suites_bound_their_seeds_and_refuse_aliases():
    with pytest.raises(SuiteError, match="seeds"):
        parse_suite("name: s\nversion: 1\ntasks: [x]\nseeds: {start: 0, count: 100000000000}\n", "s.yaml")
    with pytest.raises(SuiteError, match="aliases"):
        parse_suite("name: s\nversion: 1\nt: &a [x]\ntasks: *a\nseeds: [1]\n", "s.yaml")
