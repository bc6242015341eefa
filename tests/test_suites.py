"""Suites: content hashes, generalisation splits, held-out compositions, stratified bootstrap statistics."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

import simagym
from simagym.eval.bootstrap import compare, iqm, stratified_rate
from simagym.eval.suite import EvalSplit, SuiteError, available_suites, env_options, load_suite
from simagym.headless import configure_sdl
from simagym.spec import Composition

configure_sdl()

# Meadow's tasks when installed (the first world, quick to reset); any world's otherwise.
_SPECS = simagym.list_tasks(world="meadow") or simagym.list_tasks()
MULTI_SLOT = [s.id for s in _SPECS if len(s.slots) >= 2]
SINGLE_SLOT = [s.id for s in _SPECS if len(s.slots) < 2]


def write(path: Path, body: str) -> Path:
    path.write_text(body, encoding="utf-8")
    return path


def suite_text(tasks: list[str], *, seeds: str = "{start: 5, count: 3}", splits: str = "[train, heldout]",
               extra: str = "", description: str = "test") -> str:
    return (f"name: t\nversion: 1\ndescription: {description}\ntasks: {json.dumps(tasks)}\n"
            f"seeds: {seeds}\nsplits: {splits}\n{extra}")


# --- content hashes ------------------------------------------------------------------------

def test_hash_is_stable_and_covers_specs_seeds_and_phrasings(tmp_path: Path) -> None:
    core = load_suite("core")
    assert core.content_hash.startswith("sha256:") and len(core.content_hash) == 7 + 64
    assert load_suite(f"core-v{core.version}").content_hash == core.content_hash
    tasks = [MULTI_SLOT[0], SINGLE_SLOT[0]]
    base = load_suite(str(write(tmp_path / "a.yaml", suite_text(tasks))))
    # The description is not content; seeds, splits and task specs are.
    same = load_suite(str(write(tmp_path / "b.yaml", suite_text(tasks, description="reworded"))))
    assert same.content_hash == base.content_hash
    seeds = load_suite(str(write(tmp_path / "c.yaml", suite_text(tasks, seeds="{start: 5, count: 4}"))))
    splits = load_suite(str(write(tmp_path / "d.yaml", suite_text(tasks, splits="[train]"))))
    assert len({base.content_hash, seeds.content_hash, splits.content_hash}) == 3
    # A changed phrasing (same ids) changes the hash: results on the old tasks no longer match.
    specs = [simagym.get_task(t) for t in tasks]
    old = specs[0].phrasings
    reworded = specs[0].model_copy(update={"phrasings": old.model_copy(update={"heldout": old.heldout + ("go on then",)})})
    changed = load_suite(str(tmp_path / "a.yaml"), known_tasks=[reworded, specs[1]])
    assert changed.content_hash != base.content_hash
    task_data = {t["id"]: t for t in changed.manifest["tasks"]}
    assert task_data[tasks[0]]["phrasings"]["heldout"][-1] == "go on then"


def test_a_pinned_hash_is_checked(tmp_path: Path) -> None:
    tasks = [SINGLE_SLOT[0]]
    actual = load_suite(str(write(tmp_path / "s.yaml", suite_text(tasks)))).content_hash
    assert load_suite(str(write(tmp_path / "ok.yaml", suite_text(tasks, extra=f"content_hash: '{actual}'\n")))).content_hash == actual
    wrong = "sha256:" + "0" * 64
    with pytest.raises(SuiteError, match=r"field 'content_hash': the suite is pinned to sha256:0+ but the installed tasks give"):
        load_suite(str(write(tmp_path / "bad.yaml", suite_text(tasks, extra=f"content_hash: '{wrong}'\n"))))


def test_bundled_suites_are_pinned_and_load() -> None:
    """Published suites pin their content hash: a change to a bundled task must come as a new suite
    version (loading raises if the pin no longer matches), and an installed plugin does not change them."""
    import yaml
    from importlib.resources import files

    for name, versions in available_suites().items():
        for version in versions:
            suite = load_suite(f"{name}-v{version}")
            raw = yaml.safe_load((files("simagym.tasks.suites") / f"{name}-v{version}.yaml").read_text())
            assert raw.get("content_hash") == suite.content_hash, f"{name}-v{version} does not pin its hash"
            assert suite.episodes() and {t.split("/")[0] for t in suite.tasks} <= {"meadow", "halls", "gameui", "ledges"}


def test_a_plugin_adding_tasks_to_a_bundled_world_leaves_every_bundled_suite_as_published(tmp_path: Path) -> None:
    """A real distribution on the path adds ``meadow/...`` tasks: every bundled suite still loads,
    with its pinned hash, and none of them runs the plugin's task."""
    import os
    import subprocess
    import sys

    package = tmp_path / "more_meadow_tasks"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "extra.yaml").write_text(
        "world: meadow\ntasks:\n  - id: meadow/go-to-well-twice-v1\n    category: navigation\n    max_steps: 50\n"
        "    phrasings: {train: [\"go to the well\"], heldout: [\"walk to the well\"]}\n"
        "    success: {near: {kind: well}}\n")
    dist = tmp_path / "more_meadow_tasks-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: more-meadow-tasks\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[simagym.tasks]\nmoremeadow = more_meadow_tasks\n")
    script = (
        "import simagym\n"
        "from simagym.eval.suite import available_suites, load_suite\n"
        "assert 'meadow/go-to-well-twice-v1' in {t.id for t in simagym.list_tasks()}, simagym.plugin_errors()\n"
        "for name, versions in available_suites().items():\n"
        "    for v in versions:\n"
        "        suite = load_suite(f'{name}-v{v}')  # raises if the pinned hash no longer matches\n"
        "        assert 'meadow/go-to-well-twice-v1' not in suite.tasks, suite.label\n"
        "print('ok')\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stdout + done.stderr


# --- splits ----------------------------------------------------------------------------------

def test_split_env_options() -> None:
    assert env_options("train") == {"phrasing": "train", "composition": "train"}
    assert env_options("heldout") == {"phrasing": "heldout", "composition": "train"}
    assert env_options("heldout-composition") == {"phrasing": "train", "composition": "heldout"}
    assert env_options("heldout-world") == {"phrasing": "train", "composition": "any"}
    with pytest.raises(SuiteError, match="unknown split 'test'"):
        env_options("test")


def test_heldout_composition_split_only_has_multi_slot_tasks(tmp_path: Path) -> None:
    tasks = [MULTI_SLOT[0], SINGLE_SLOT[0]]
    suite = load_suite(str(write(tmp_path / "s.yaml", suite_text(tasks, splits="[train, heldout-composition]"))))
    by_split = {sp: sorted({e.task for e in suite.episodes() if e.split == sp}) for sp in ("train", "heldout-composition")}
    assert by_split == {"train": sorted(tasks), "heldout-composition": [MULTI_SLOT[0]]}
    assert suite.training_tasks == suite.tasks


def test_heldout_world_split(tmp_path: Path) -> None:
    world = simagym.get_task(SINGLE_SLOT[0]).world
    suite = load_suite(str(write(tmp_path / "s.yaml", suite_text(
        [SINGLE_SLOT[0]], splits="[train, heldout-world]", extra=f"heldout_worlds: [{world}]\n"))))
    assert {e.split for e in suite.episodes()} == {"heldout-world"}
    assert suite.training_tasks == ()
    for body, message in [
        (suite_text([SINGLE_SLOT[0]], extra=f"heldout_worlds: [{world}]\n"), "'heldout-world' is not in splits"),
        (suite_text([SINGLE_SLOT[0]], splits="[heldout-world]"), "needs heldout_worlds"),
        (suite_text([SINGLE_SLOT[0]], splits="[train, heldout-world]", extra="heldout_worlds: [nowhere]\n"),
         r"field 'heldout_worlds': no task of world 'nowhere'"),
    ]:
        with pytest.raises(SuiteError, match=message):
            load_suite(str(write(tmp_path / "bad.yaml", body)))


# --- held-out compositions ------------------------------------------------------------------

@pytest.mark.parametrize("task_id", [s.id for s in simagym.list_tasks() if len(s.slots) >= 2])
def test_heldout_compositions_are_new_pairings_of_known_values(task_id: str) -> None:
    spec = simagym.get_task(task_id)
    held = spec.heldout_compositions
    every = set(itertools.product(*spec.slots.values()))
    assert held and set(held) < every and held == tuple(sorted(held))
    training = every - set(held)
    for i, values in enumerate(spec.slots.values()):
        assert {c[i] for c in training} == set(values)  # every value is seen in training
    # Deterministic: a fresh copy of the spec picks the same ones.
    assert spec.model_copy().heldout_compositions == held


def test_composition_option_draws_from_the_right_pool() -> None:
    task = MULTI_SLOT[0]
    spec = simagym.get_task(task)
    held = set(spec.heldout_compositions)
    drawn: dict[str, set[tuple[str, ...]]] = {}
    for composition in ("train", "heldout", "any"):
        env = simagym.make(task, composition=composition)
        seen = set()
        for seed in range(150):
            env.reset(seed=seed)
            seen.add(tuple(env.unwrapped.instruction.slots[s] for s in spec.slots))
        drawn[composition] = seen
    assert drawn["train"] and not drawn["train"] & held
    assert drawn["heldout"] and drawn["heldout"] <= held
    assert drawn["any"] & held and drawn["any"] - held
    env = simagym.make(task)  # the default is what training uses
    assert env.unwrapped.composition is Composition.TRAIN


def test_composition_errors() -> None:
    with pytest.raises(ValueError, match="composition must be 'train', 'heldout' or 'any'"):
        simagym.make(MULTI_SLOT[0], composition="test")
    with pytest.raises(ValueError, match="has no held-out compositions"):
        simagym.make(SINGLE_SLOT[0], composition="heldout")


def test_eval_split_enum_matches_the_options() -> None:
    for split in EvalSplit:
        simagym.make(MULTI_SLOT[0], **split.env_options()).reset(seed=0)


# --- statistics ----------------------------------------------------------------------------

def records(rates: dict[str, float], n: int = 20, seed: int = 0) -> list[dict]:
    rng = np.random.default_rng(seed)
    return [{"task": t, "split": "train", "seed": s, "success": bool(rng.random() < p)}
            for t, p in rates.items() for s in range(n)]


def test_stratified_rate_is_the_mean_of_task_rates_with_an_interval() -> None:
    data = records({"a": 0.9, "b": 0.5, "c": 0.1})
    rate = stratified_rate(data)
    assert rate.success_rate == pytest.approx(sum(r["success"] for r in data) / len(data))
    assert 0 <= rate.ci_low < rate.success_rate < rate.ci_high <= 1
    assert stratified_rate(data) == rate  # seeded: reproducible to the bit
    # Unbalanced strata: every task weighs the same.
    lopsided = [{"task": "a", "split": "train", "seed": s, "success": True} for s in range(30)] + \
               [{"task": "b", "split": "train", "seed": 0, "success": False}]
    assert stratified_rate(lopsided).success_rate == pytest.approx(0.5)
    assert iqm(data).ci_low <= iqm(data).success_rate <= iqm(data).ci_high


def test_probability_of_improvement_is_paired_on_shared_episodes() -> None:
    good = records({"a": 1.0, "b": 1.0})
    bad = [{**r, "success": False} for r in good]
    better = compare(good, bad)
    assert better.probability_of_improvement == 1.0 and better.difference == 1.0
    assert better.shared_episodes == 40 and better.a_only_successes == 40
    same = compare(good, good)
    assert same.probability_of_improvement == 0.5 and same.difference == 0.0
    assert compare(good, [{**r, "seed": r["seed"] + 100} for r in bad]) is None  # nothing shared
