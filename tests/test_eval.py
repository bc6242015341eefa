"""Evaluation runs: suites, the resumable runner, results files, statistics and the CLI.

Fast: the random agent, one or two seeds, on a small suite of installed
(preferably Meadow) tasks written to ``tmp_path``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import simagym
from simagym.eval import EvalError, SuiteError, load_suite, run_eval, success_rate
from simagym.eval.__main__ import default_out, main
from simagym.eval.results import EPISODES_FILE, RECORD_FIELDS, RUN_FILE, read_episodes
from simagym.eval.suite import available_suites, expand_tasks
from simagym.eval.summary import SUMMARY_FILE
from simagym.headless import configure_sdl

configure_sdl()


@pytest.fixture(scope="module")
def task_ids() -> list[str]:
    """Up to three installed tasks, one per category where possible, preferring Meadow.

    The shortest task of each category, so the random agent's episodes stay quick.
    """
    specs = sorted(simagym.list_tasks(world="meadow") or simagym.list_tasks(), key=lambda s: (s.max_steps, s.id))
    if not specs:
        pytest.skip("no tasks are installed yet")
    chosen: dict[str, str] = {}
    for spec in specs:
        chosen.setdefault(spec.category.value, spec.id)
    ids = sorted(chosen.values())
    for spec in specs:  # top up to three when there are fewer categories
        if len(ids) >= 3:
            break
        if spec.id not in ids:
            ids.append(spec.id)
    return sorted(ids)


def write_suite(path: Path, tasks: list[str], *, name: str = "mini", version: int = 1,
                seeds: str = "{start: 7, count: 3}", splits: str = "[train, heldout]") -> Path:
    path.write_text(
        f"name: {name}\nversion: {version}\ndescription: test suite\n"
        f"tasks: {json.dumps(tasks)}\nseeds: {seeds}\nsplits: {splits}\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def suite_file(tmp_path: Path, task_ids: list[str]) -> Path:
    return write_suite(tmp_path / "mini.yaml", task_ids)


def lines(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / EPISODES_FILE).read_text(encoding="utf-8").splitlines()]


def by_key(records: list[dict]) -> dict[tuple, dict]:
    return {(r["task"], r["seed"], r["split"]): r for r in records}


def cli(*args: str | Path) -> int:
    return main([str(a) for a in args])


# --- the results files --------------------------------------------------------------------

def test_results_file_has_one_line_per_episode(tmp_path: Path, suite_file: Path, task_ids: list[str]) -> None:
    out = tmp_path / "run"
    assert cli("--agent", "random", "--suite", suite_file, "--episodes", 2, "--workers", 1, "--out", out,
               "--no-progress") == 0
    records = lines(out)
    assert len(records) == len(task_ids) * 2 * 2  # tasks x splits x seeds
    assert set(by_key(records)) == {(t, s, sp) for t in task_ids for s in (7, 8) for sp in ("train", "heldout")}
    specs = {t: simagym.get_task(t) for t in task_ids}
    for r in records:
        assert tuple(r) == RECORD_FIELDS
        assert r["world"] == specs[r["task"]].world and r["category"] == specs[r["task"]].category.value
        assert isinstance(r["success"], bool) and isinstance(r["steps"], int) and 1 <= r["steps"]
        assert r["steps"] <= specs[r["task"]].max_steps
        assert isinstance(r["instruction"], str) and r["instruction"]
        assert isinstance(r["return"], float) and (r["return"] > 0) == r["success"]

    summary = json.loads((out / SUMMARY_FILE).read_text())
    assert summary["episodes"] == len(records) and summary["complete"]
    assert summary["agent"] == "random" and summary["suite"]["name"] == "mini" and summary["suite"]["version"] == 1
    assert summary["ci_low"] <= summary["success_rate"] <= summary["ci_high"]
    for group, field in (("by_category", "category"), ("by_world", "world"), ("by_task", "task"), ("by_split", "split")):
        assert set(summary[group]) == {r[field] for r in records}
        assert sum(g["episodes"] for g in summary[group].values()) == len(records)
        for g in summary[group].values():
            assert set(g) >= {"success_rate", "ci_low", "ci_high", "episodes"}
            assert 0 <= g["ci_low"] <= g["success_rate"] <= g["ci_high"] <= 1

    run = json.loads((out / RUN_FILE).read_text())
    assert (run["agent"], run["suite_name"], run["suite_version"], run["episodes_per_task"]) == ("random", "mini", 1, 2)
    assert run["simagym_version"] == simagym.__version__


def test_resume_after_a_torn_write_loses_and_duplicates_nothing(tmp_path: Path, suite_file: Path) -> None:
    suite, out = load_suite(str(suite_file)), tmp_path / "run"
    first = run_eval("random", suite, out, episodes_per_task=2)
    original = (out / EPISODES_FILE).read_bytes()
    # Simulate a crash: summary gone, the file cut in the middle of the fourth line.
    (out / SUMMARY_FILE).unlink()
    cut = [i for i, b in enumerate(original) if b == ord("\n")][2] + 20
    (out / EPISODES_FILE).write_bytes(original[:cut])

    second = run_eval("random", suite, out, episodes_per_task=2)
    assert second.skipped == 3 and second.ran == first.planned - 3
    records = lines(out)  # every line parses: the torn tail was cut off, not appended to
    assert len(records) == len(by_key(records)) == first.planned
    assert by_key(records) == by_key(first.records)  # deterministic: the re-run episodes match
    assert json.loads((out / SUMMARY_FILE).read_text()) == first.summary


def test_rerunning_a_finished_run_runs_nothing(tmp_path: Path, suite_file: Path) -> None:
    suite, out = load_suite(str(suite_file)), tmp_path / "run"
    run_eval("random", suite, out, episodes_per_task=1)
    before = (out / EPISODES_FILE).read_bytes()
    again = run_eval("random", suite, out, episodes_per_task=1, workers=2)
    assert (again.ran, again.skipped) == (0, again.planned)
    assert (out / EPISODES_FILE).read_bytes() == before


def test_asking_for_more_seeds_extends_a_run(tmp_path: Path, suite_file: Path, task_ids: list[str]) -> None:
    suite, out = load_suite(str(suite_file)), tmp_path / "run"
    run_eval("random", suite, out, episodes_per_task=1)
    more = run_eval("random", suite, out, episodes_per_task=2)
    assert (more.skipped, more.ran) == (len(task_ids) * 2, len(task_ids) * 2)
    assert len(lines(out)) == len(task_ids) * 4
    fewer = run_eval("random", suite, out, episodes_per_task=1)  # the summary covers what was asked for
    assert fewer.ran == 0 and fewer.summary["episodes"] == len(task_ids) * 2


def test_same_seeds_give_identical_results(tmp_path: Path, suite_file: Path) -> None:
    suite = load_suite(str(suite_file))
    a = run_eval("random", suite, tmp_path / "a", episodes_per_task=2)
    b = run_eval("random", suite, tmp_path / "b", episodes_per_task=2)
    assert (tmp_path / "a" / EPISODES_FILE).read_bytes() == (tmp_path / "b" / EPISODES_FILE).read_bytes()
    assert a.summary == b.summary


def test_two_workers_give_the_same_results_as_one(tmp_path: Path, suite_file: Path) -> None:
    suite = load_suite(str(suite_file))
    one = run_eval("random", suite, tmp_path / "one", episodes_per_task=2, workers=1)
    two = run_eval("random", suite, tmp_path / "two", episodes_per_task=2, workers=2)
    assert by_key(lines(tmp_path / "two")) == by_key(lines(tmp_path / "one"))
    assert len(lines(tmp_path / "two")) == one.planned
    assert one.summary == two.summary


def test_a_crashing_agent_is_reported_and_finished_episodes_are_kept(
    tmp_path: Path, suite_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "crashy_agent.py").write_text(
        "from simagym.agents.base import Agent\n"
        "class Crashy(Agent):\n"
        "    def __init__(self, seed=None):\n"
        "        self.seed = seed\n"
        "    def act(self, obs):\n"
        "        if self.seed == 8:\n"
        "            raise RuntimeError('boom')\n"
        "        return 0\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    out = tmp_path / "run"
    with pytest.raises(EvalError, match=r"seed 8 .*RuntimeError: boom.*1 finished episodes are saved"):
        run_eval("crashy_agent:Crashy", load_suite(str(suite_file)), out, episodes_per_task=2)
    assert len(lines(out)) == 1  # the seed-7 episode before the crash
    assert json.loads((out / SUMMARY_FILE).read_text())["complete"] is False


# --- reading a damaged episodes file ----------------------------------------------------------

def _record(seed: int) -> str:
    return json.dumps({"task": "w/t-v1", "world": "w", "category": "object", "seed": seed, "split": "train",
                       "instruction": "x", "success": True, "steps": 3, "return": 0.5})


def test_read_episodes_drops_only_a_torn_last_line(tmp_path: Path) -> None:
    path = tmp_path / EPISODES_FILE
    path.write_text(_record(1) + "\n" + _record(2) + "\n" + _record(3)[:25], encoding="utf-8")
    assert [r["seed"] for r in read_episodes(tmp_path)] == [1, 2]
    assert path.read_text().endswith(_record(3)[:25])  # reading alone never modifies the file
    assert [r["seed"] for r in read_episodes(tmp_path, repair=True)] == [1, 2]
    assert path.read_text() == _record(1) + "\n" + _record(2) + "\n"

    path.write_text(_record(1) + "\n" + _record(1) + "\n" + _record(2), encoding="utf-8")  # no final newline
    assert [r["seed"] for r in read_episodes(tmp_path, repair=True)] == [1, 2]  # duplicates dropped
    assert path.read_text().endswith(_record(2) + "\n")

    path.write_text(_record(1) + "\n{garbage\n" + _record(2) + "\n", encoding="utf-8")
    with pytest.raises(EvalError, match="line 2 is not an episode record"):
        read_episodes(tmp_path)


# --- suites -------------------------------------------------------------------------------

def test_bundled_core_suite_resolves_to_its_highest_version() -> None:
    assert 1 in available_suites()["core"]
    bundled = sorted(s.id for s in simagym.list_tasks(superseded_too=True)
                     if s.world in {"meadow", "halls", "gameui", "ledges"} and s.id.endswith("-v1"))
    core = load_suite("core")
    assert core.version == max(available_suites()["core"])
    v1 = load_suite("core-v1")
    assert v1.tasks == tuple(bundled)
    assert (v1.seeds[0], len(v1.seeds), [s.value for s in v1.splits]) == (1000, 20, ["train", "heldout"])
    assert len(v1.episodes()) == len(bundled) * 20 * 2 and len(v1.episodes(3)) == len(bundled) * 3 * 2


def test_task_patterns_expand_sorted_and_unique() -> None:
    known = ["meadow/b-v1", "meadow/a-v1", "other/c-v1"]
    assert expand_tasks(["meadow/*", "meadow/a-v1"], known, "s.yaml") == ("meadow/a-v1", "meadow/b-v1")
    with pytest.raises(SuiteError, match=r"s.yaml: field 'tasks.1': unknown task 'meadow/a-v2'.*'meadow/a-v1'"):
        expand_tasks(["*", "meadow/a-v2"], known, "s.yaml")
    with pytest.raises(SuiteError, match=r"field 'tasks.0': pattern 'nowhere/\*' matches no task"):
        expand_tasks(["nowhere/*"], known, "s.yaml")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("name: x\nversion: 1\ntasks: ['*']\nseeds: {start: 1, count: 0}\n", r"field 'seeds': seeds.count must be"),
        ("name: x\nversion: 1\ntasks: ['*']\nseeds: [1, 1]\n", r"field 'seeds': the seed list has duplicates"),
        ("name: x\nversion: 1\ntasks: ['*']\nseeds: [1]\nsplits: [test]\n", r"field 'splits.0'"),
        ("name: x\nversion: 0\ntasks: ['*']\nseeds: [1]\n", r"field 'version'"),
        ("name: x\nversion: 1\ntasks: []\nseeds: [1]\n", r"field 'tasks'"),
        ("name: x\nversion: 1\ntasks: ['*']\nseeds: [1]\nextra: 1\n", r"field 'extra'"),
        ("name: x\nversion: 1\ntasks: ['*'\n", r"not valid YAML"),
        ("- just a list\n", r"a suite file is a mapping"),
    ],
)
def test_bad_suite_files_name_the_file_and_field(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(SuiteError, match=rf"bad.yaml: .*{message}|bad.yaml: {message}"):
        load_suite(str(path), known_tasks=["w/t-v1"])


def test_unknown_suite_names_the_available_ones() -> None:
    with pytest.raises(SuiteError, match=r"unknown suite 'cor'. Did you mean 'core'\?.*available suites: .*core \(v1"):
        load_suite("cor")
    with pytest.raises(SuiteError, match=r"suite file '.*missing.yaml' does not exist"):
        load_suite("missing.yaml")


# --- statistics ---------------------------------------------------------------------------

def test_wilson_interval() -> None:
    none, half, every = success_rate(0, 20), success_rate(10, 20), success_rate(20, 20)
    assert none.ci_low == 0 and none.ci_high == pytest.approx(0.1611, abs=1e-4)
    assert half.success_rate == 0.5 and half.ci_low == pytest.approx(1 - half.ci_high)
    assert every.ci_high == pytest.approx(1.0) and every.ci_low == pytest.approx(1 - none.ci_high)
    with pytest.raises(ValueError):
        success_rate(1, 0)


# --- the command line ---------------------------------------------------------------------

@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--agent", "nope"], "unknown agent 'nope'"),
        (["--suite", "nosuchsuite"], "unknown suite 'nosuchsuite'"),
        (["--episodes", "0"], "argument --episodes: expected a positive integer, got 0"),
        (["--episodes", "many"], "argument --episodes: expected a positive integer, got 'many'"),
        (["--workers", "-2"], "argument --workers: expected a positive integer"),
        (["--frobnicate"], "unrecognized arguments: --frobnicate"),
    ],
)
def test_bad_arguments_exit_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    # Each fails before anything runs, whatever the default agent and suite are.
    assert main([*args, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and err.count("\n") == 1
    assert not (tmp_path / "out" / EPISODES_FILE).exists()


def test_unknown_task_in_a_suite_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str], task_ids: list[str]) -> None:
    suite = write_suite(tmp_path / "typo.yaml", [task_ids[0], task_ids[0] + "x"])
    assert cli("--agent", "random", "--suite", suite, "--out", tmp_path / "out") == 2
    err = capsys.readouterr().err
    assert f"typo.yaml: field 'tasks.1': unknown task '{task_ids[0]}x'" in err and "Traceback" not in err


def test_refuses_to_resume_into_another_agents_folder(
    tmp_path: Path, suite_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    assert cli("--agent", "random", "--suite", suite_file, "--episodes", 1, "--workers", 1, "--out", out, "--no-progress") == 0
    before = (out / EPISODES_FILE).read_bytes()
    other = write_suite(tmp_path / "other.yaml", json.loads(json.dumps(load_suite(str(suite_file)).patterns)), name="other")
    assert cli("--agent", "random", "--suite", other, "--episodes", 1, "--out", out) == 2
    assert "holds a run of agent 'random' on suite mini-v1, not agent 'random' on suite other-v1" in capsys.readouterr().err
    assert (out / EPISODES_FILE).read_bytes() == before


def test_default_output_folder() -> None:
    assert default_out("random", "core") == Path("results/random-core")
    assert default_out("my.pkg:Agent", "suites/mine.yaml") == Path("results/my.pkg_Agent-mine")
