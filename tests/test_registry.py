"""The registry: every task reachable from simagym and Gymnasium, filters, helpful
errors for unknown ids, and plugins that fail to load reported by name and skipped."""

from __future__ import annotations

import itertools
import textwrap
from importlib.metadata import EntryPoint

import gymnasium
import pytest

import simagym
from simagym.registry import TASK_GROUP, WORLD_GROUP, UnknownTaskError, discover, get_task
from simagym.spec import Category

from conftest import all_task_ids

TASK_IDS = all_task_ids()
MEADOW_IDS = {spec.id for spec in simagym.list_tasks(world="meadow", superseded_too=True)}
GOOD_WORLD = EntryPoint(name="meadow", value="simagym.envs.meadow:MeadowWorld", group=WORLD_GROUP)
GOOD_TASKS = EntryPoint(name="meadow", value="simagym.tasks.meadow", group=TASK_GROUP)

_counter = itertools.count()


def test_catalogue_loads_without_plugin_errors():
    assert simagym.plugin_errors() == {}
    assert len(TASK_IDS) >= 25


@pytest.mark.parametrize("task_id", TASK_IDS)
def test_every_task_is_registered_with_gymnasium(task_id):
    gid = simagym.gym_id(task_id)
    assert gid.startswith("simagym/") and gid.count("/") == 1
    assert gid in gymnasium.registry
    env = gymnasium.make(gid)
    try:
        obs, info = env.reset(seed=0)
        assert info["task_id"] == task_id
        assert env.observation_space.contains(obs)
    finally:
        env.close()


def test_gym_id_round_trips_through_make():
    task_id = TASK_IDS[0]
    assert simagym.task_id_of(simagym.gym_id(task_id)) == task_id
    assert simagym.task_id_of(task_id) == task_id
    env = simagym.make(simagym.gym_id(task_id))  # simagym.make accepts either form
    assert env.unwrapped.task.id == task_id
    env.close()


def test_every_spec_has_id_world_and_category():
    for spec in simagym.list_tasks():
        assert spec.id.startswith(spec.world + "/"), spec.id
        assert spec.world
        assert isinstance(spec.category, Category)
        assert spec.max_steps > 0


def test_list_tasks_is_sorted_and_unique():
    ids = [s.id for s in simagym.list_tasks()]
    assert ids == sorted(ids)
    assert len(ids) == len(set(ids))


def test_list_tasks_filters_by_world_and_category():
    everything = simagym.list_tasks()
    meadow = simagym.list_tasks(world="meadow")
    assert meadow and all(s.world == "meadow" for s in meadow)
    assert simagym.list_tasks(world="no-such-world") == []
    total = 0
    for cat in Category:
        subset = simagym.list_tasks(category=cat.value)
        assert subset, f"no {cat.value} tasks"
        assert all(s.category is cat for s in subset)
        total += len(subset)
        both = simagym.list_tasks(world="meadow", category=cat.value)
        assert {s.id for s in both} == {s.id for s in subset if s.world == "meadow"}
    assert total == len(everything)


def test_unknown_task_suggests_the_closest_id():
    with pytest.raises(UnknownTaskError) as info:
        simagym.make("meadow/go-to-hous-v1")
    assert "'meadow/go-to-house-v1'" in str(info.value)
    assert "go-to-hous-v1" in str(info.value)


def test_unknown_task_is_a_key_error_with_a_readable_message():
    with pytest.raises(KeyError) as info:
        get_task("meadow/open-inventroy-v1")
    message = str(info.value)
    assert not message.startswith('"'), "KeyError's quoting should not wrap the message"
    assert "meadow/open-inventory-v1" in message


def test_unknown_task_far_from_everything_still_explains():
    with pytest.raises(UnknownTaskError) as info:
        get_task("zzz/qqqqqqqq-v9")
    assert "zzz/qqqqqqqq-v9" in str(info.value)
    assert "simagym list" in str(info.value)


def test_unknown_gym_id_is_an_error():
    with pytest.raises(gymnasium.error.Error):
        gymnasium.make("simagym/meadow.no-such-task-v1")


# --- plugins -------------------------------------------------------------------

def _task_package(tmp_path, monkeypatch, files: dict[str, str]) -> str:
    """Create an importable package holding ``files`` and return its name."""
    name = f"simagym_test_tasks_{next(_counter)}"
    pkg = tmp_path / name
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    for fname, text in files.items():
        (pkg / fname).write_text(textwrap.dedent(text))
    monkeypatch.syspath_prepend(str(tmp_path))
    return name


GOOD_YAML = """\
    world: meadow
    tasks:
      - id: meadow/extra-go-to-well-v1
        category: navigation
        max_steps: 50
        layout: {landmarks: [well]}
        phrasings:
          train: ["go to the well", "walk to the well", "head to the well"]
          heldout: ["find the well", "make your way to the well"]
        success: {near: {kind: well}}
"""
GOOD = textwrap.dedent(GOOD_YAML)  # for building other files from it



def test_broken_world_plugin_is_reported_by_name_and_skipped():
    bad_module = EntryPoint(name="brokenworld", value="no_such_module_xyz.world:World", group=WORLD_GROUP)
    bad_attr = EntryPoint(name="missingclass", value="simagym.envs.meadow:NoSuchWorld", group=WORLD_GROUP)
    not_a_world = EntryPoint(name="notaworld", value="simagym.actions:Input", group=WORLD_GROUP)
    cat = discover([bad_module, GOOD_WORLD, bad_attr, not_a_world], [GOOD_TASKS])
    assert set(cat.worlds) == {"meadow"}
    assert len(cat.errors) == 3
    for name in ("brokenworld", "missingclass", "notaworld"):
        assert any(name in key for key in cat.errors), (name, cat.errors)
    assert any("ModuleNotFoundError" in msg for msg in cat.errors.values())
    # the good plugins still work
    assert set(cat.tasks) == MEADOW_IDS


def test_broken_task_plugin_is_reported_by_name_and_skipped(tmp_path, monkeypatch):
    bad_yaml = _task_package(tmp_path, monkeypatch, {"bad.yaml": "world: meadow\ntasks: [\n  - id: {\n"})
    good = _task_package(tmp_path, monkeypatch, {"extra.yaml": GOOD_YAML})
    missing = EntryPoint(name="ghosttasks", value="no_such_task_package_xyz", group=TASK_GROUP)
    points = [
        EntryPoint(name="badyaml", value=bad_yaml, group=TASK_GROUP),
        GOOD_TASKS,
        missing,
        EntryPoint(name="extra", value=good, group=TASK_GROUP),
    ]
    cat = discover([GOOD_WORLD], points)
    assert set(cat.errors) and len(cat.errors) == 2
    (yaml_key,) = [k for k in cat.errors if "badyaml" in k]
    assert "TaskFileError" in cat.errors[yaml_key]
    assert "bad.yaml" in cat.errors[yaml_key]  # the message names the file
    assert any("ghosttasks" in k for k in cat.errors)
    assert set(cat.tasks) == MEADOW_IDS | {"meadow/extra-go-to-well-v1"}


def test_task_plugin_for_a_missing_world_is_skipped(tmp_path, monkeypatch):
    pkg = _task_package(tmp_path, monkeypatch, {"extra.yaml": GOOD_YAML})
    cat = discover([], [EntryPoint(name="orphan", value=pkg, group=TASK_GROUP)])
    assert cat.tasks == {}
    (key,) = cat.errors
    assert "orphan" in key
    assert "world" in cat.errors[key] and "meadow" in cat.errors[key]


def test_one_bad_template_is_skipped_alone(tmp_path, monkeypatch):
    """A plugin with a good file and a file holding one bad template: the bad template is reported by
    file and id and skipped; the good ones (in either file) load."""
    good_too = GOOD.replace("extra-go-to-well", "another-go-to-well")
    bad = "world: meadow\ntasks:\n  - id: meadow/x-v1\n    category: nonsense\n" + good_too.split("tasks:\n", 1)[1]
    mixed = _task_package(tmp_path, monkeypatch, {"a_good.yaml": GOOD, "b_bad.yaml": bad})
    cat = discover([GOOD_WORLD], [GOOD_TASKS, EntryPoint(name="mixed", value=mixed, group=TASK_GROUP)])
    (key,) = cat.errors
    assert "mixed" in key and "b_bad.yaml" in key and "meadow/x-v1" in key and "category" in cat.errors[key]
    assert set(cat.tasks) == MEADOW_IDS | {"meadow/extra-go-to-well-v1", "meadow/another-go-to-well-v1"}


def test_a_task_package_without_task_files_is_reported(tmp_path, monkeypatch):
    empty = _task_package(tmp_path, monkeypatch, {})
    cat = discover([GOOD_WORLD], [EntryPoint(name="empty", value=empty, group=TASK_GROUP)])
    (message,) = cat.errors.values()
    assert "no *.yaml task files" in message and "package-data" in message


def test_duplicate_ids_and_keys_within_a_file_are_errors(tmp_path, monkeypatch):
    twice = GOOD + GOOD.split("tasks:\n", 1)[1]
    pkg = _task_package(tmp_path, monkeypatch, {"twice.yaml": twice})
    cat = discover([GOOD_WORLD], [EntryPoint(name="twice", value=pkg, group=TASK_GROUP)])
    assert any("duplicate task id" in m for m in cat.errors.values())
    keys = GOOD.replace("    category: navigation\n", "    category: navigation\n    category: object\n")
    pkg = _task_package(tmp_path, monkeypatch, {"keys.yaml": keys})
    cat = discover([GOOD_WORLD], [EntryPoint(name="keys", value=pkg, group=TASK_GROUP)])
    assert any("duplicate key 'category'" in m for m in cat.errors.values())
    bomb = "world: meadow\nx: &a [1, 1]\ny: [*a, *a]\ntasks: []\n"
    pkg = _task_package(tmp_path, monkeypatch, {"bomb.yaml": bomb})
    cat = discover([GOOD_WORLD], [EntryPoint(name="bomb", value=pkg, group=TASK_GROUP)])
    assert any("aliases" in m for m in cat.errors.values())


def test_a_world_that_cannot_be_built_is_reported_at_discovery():
    broken = EntryPoint(name="abstract", value="simagym.world:World", group=WORLD_GROUP)
    cat = discover([broken], [])
    assert not cat.worlds and "does not implement" in next(iter(cat.errors.values()))


def test_a_plugin_cannot_shadow_a_bundled_task(tmp_path, monkeypatch):
    """A plugin declaring a bundled id is refused by name, whatever the entry points' order; the
    bundled task stays and the plugin's other tasks load."""
    dup = _task_package(tmp_path, monkeypatch, {"dup.yaml": GOOD.replace("extra-go-to-well", "go-to-house")
                                                + GOOD.split("tasks:\n", 1)[1]})
    cat = discover([GOOD_WORLD], [EntryPoint(name="dupes", value=dup, group=TASK_GROUP), GOOD_TASKS])
    (key,) = cat.errors
    assert "dupes" in key and "meadow/go-to-house-v1" in key and "already taken" in cat.errors[key]
    assert cat.tasks["meadow/go-to-house-v1"].source.startswith("simagym.tasks.meadow/")
    assert "meadow/extra-go-to-well-v1" in cat.tasks


def test_plugin_errors_are_logged(caplog):
    bad = EntryPoint(name="loggedworld", value="no_such_module_abc:World", group=WORLD_GROUP)
    with caplog.at_level("WARNING", logger="simagym"):
        discover([bad], [])
    assert any("loggedworld" in r.getMessage() for r in caplog.records)
