"""Task files: malformed ones raise TaskFileError naming the file, the task and the
field; the shipped catalogue is well formed (phrasing splits, category coverage)."""

from __future__ import annotations

import copy

import pytest
import yaml

import simagym
from simagym.spec import Split, TaskFileError, load_task_file, template_fields
from simagym.testing import check_instructions
from simagym.testing.problems import raise_if

SOURCE = "x.yaml"
TASK = "meadow/probe-v1"
BASE = {
    "id": TASK,
    "category": "navigation",
    "max_steps": 50,
    "layout": {"houses": 2},
    "slots": {"colour": ["red", "blue"]},
    "phrasings": {
        "train": ["go to the {colour} house", "walk to the {colour} house", "head to the {colour} house"],
        "heldout": ["find the {colour} house", "reach the {colour} house"],
    },
    "success": {"near": {"kind": "house", "colour": "$colour"}},
}
_DROP = object()


def task_file(world: str = "meadow", **changes) -> str:
    task = copy.deepcopy(BASE)
    for key, value in changes.items():
        if value is _DROP:
            task.pop(key)
        else:
            task[key] = value
    return yaml.safe_dump({"world": world, "tasks": [task]}, sort_keys=False)


def load(text: str, layouts):
    return load_task_file(text, SOURCE, layouts)


def assert_names(err: TaskFileError, task: str | None, field: str | None) -> None:
    """The error, and its message, name the file, the task and the field."""
    message = str(err)
    assert err.source == SOURCE and message.startswith(SOURCE), message
    if task is not None:
        assert err.task == task and repr(task) in message, message
    if field is not None:
        assert err.field and err.field.startswith(field), (err.field, message)
        assert f"field {err.field!r}" in message, message


def test_valid_file_loads(meadow_layout):
    (spec,) = load(task_file(), meadow_layout)
    assert spec.id == TASK and spec.world == "meadow" and spec.category.value == "navigation"
    assert spec.source == SOURCE
    assert spec.layout.houses == 2  # the layout is validated into the world's model
    assert spec.instances == 2


def test_invalid_yaml_names_the_file(meadow_layout):
    with pytest.raises(TaskFileError) as info:
        load("world: meadow\ntasks: [\n  - id: {\n", meadow_layout)
    assert_names(info.value, None, None)
    assert "YAML" in str(info.value)


@pytest.mark.parametrize("text", ["world: meadow\n", "world: meadow\ntasks: {a: 1}\n", "- just\n- a list\n", ""])
def test_missing_tasks_list(meadow_layout, text):
    with pytest.raises(TaskFileError) as info:
        load(text, meadow_layout)
    assert_names(info.value, None, "tasks")


def test_task_that_is_not_a_mapping(meadow_layout):
    with pytest.raises(TaskFileError) as info:
        load("world: meadow\ntasks: [3]\n", meadow_layout)
    assert_names(info.value, "#0", None)


BAD_TASKS = {
    "unknown-check": ({"success": {"nearby": {"kind": "house"}}}, "success", ["nearby", "known checks"]),
    "bad-at-least": ({"success": {"holding": {"kind": "key", "at_least": 0}}}, "success", ["at_least"]),
    "bad-direction": ({"success": {"moved": {"direction": "up", "distance": 3}}}, "success", ["direction", "up"]),
    "empty-then": ({"success": {"then": []}}, "success", ["then"]),
    "no-success": ({"success": _DROP}, "success", []),
    "layout-size-100": ({"layout": {"size": 100}}, "layout.size", ["24"]),
    "layout-unknown-key": ({"layout": {"castles": 2}}, "layout.castles", []),
    "layout-bad-landmark": ({"layout": {"landmarks": ["volcano"]}}, "layout.landmarks", []),
    "id-format": ({"id": "meadow/Go To House"}, "id", []),
    "id-no-version": ({"id": "meadow/go-to-house"}, "id", []),
    "id-other-world": ({"id": "other/probe-v1"}, "id", ["meadow/"]),
    "unknown-category": ({"category": "cooking"}, "category", ["navigation"]),
    "unknown-tag": ({"tags": ["flying"]}, "tags", ["flying"]),
    "zero-max-steps": ({"max_steps": 0}, "max_steps", []),
    "empty-slot": ({"slots": {"colour": []}}, "slots", ["colour"]),
    "unknown-field": ({"reward": 3}, "reward", []),
    "heldout-equals-train": (
        {"phrasings": {"train": ["go to the {colour} house", "a", "b"], "heldout": ["go to the {colour} house", "d"]}},
        "phrasings",
        ["go to the {colour} house"],
    ),
    "no-heldout": ({"phrasings": {"train": ["go to the {colour} house"], "heldout": []}}, "phrasings.heldout", []),
}


@pytest.mark.parametrize(("changes", "field", "words"), list(BAD_TASKS.values()), ids=list(BAD_TASKS))
def test_bad_task_names_file_task_and_field(meadow_layout, changes, field, words):
    with pytest.raises(TaskFileError) as info:
        load(task_file(**changes), meadow_layout)
    task = changes.get("id", TASK)
    assert_names(info.value, task, field)
    for word in words:
        assert word in str(info.value)


def test_unknown_world_names_the_world_and_the_installed_ones(meadow_layout):
    text = yaml.safe_dump({"world": "mars", "tasks": [dict(BASE, id="mars/probe-v1")]})
    with pytest.raises(TaskFileError) as info:
        load(text, meadow_layout)
    assert_names(info.value, "mars/probe-v1", "world")
    assert "mars" in str(info.value) and "meadow" in str(info.value)


def test_error_names_the_failing_task_not_the_first(meadow_layout):
    good = copy.deepcopy(BASE)
    bad = dict(copy.deepcopy(BASE), id="meadow/second-v1", category="cooking")
    text = yaml.safe_dump({"world": "meadow", "tasks": [good, bad]})
    with pytest.raises(TaskFileError) as info:
        load(text, meadow_layout)
    assert_names(info.value, "meadow/second-v1", "category")


# Cross-field checks: the slot/phrasing consistency of a template.

def test_undeclared_slot_in_a_phrasing(meadow_layout):
    phrasings = {"train": ["go to the {shape} house", "a", "b"], "heldout": ["c", "d"]}
    with pytest.raises(TaskFileError) as info:
        load(task_file(phrasings=phrasings), meadow_layout)
    assert "shape" in str(info.value)
    assert_names(info.value, TASK, "phrasings")


def test_undeclared_slot_in_success(meadow_layout):
    with pytest.raises(TaskFileError) as info:
        load(task_file(success={"near": {"kind": "house", "colour": "$hue"}}), meadow_layout)
    assert "hue" in str(info.value)
    assert_names(info.value, TASK, "success")


def test_phrasing_outside_the_charset(meadow_layout):
    phrasings = {"train": ["go to the {colour} house #1", "a", "b"], "heldout": ["c", "d"]}
    with pytest.raises(TaskFileError) as info:
        load(task_file(phrasings=phrasings), meadow_layout)
    assert "#" in str(info.value)
    assert_names(info.value, TASK, "phrasings")


def test_slot_value_unknown_to_the_world_is_rejected_at_load(meadow_layout):
    """A typo in a slot value ('gren') must fail when the file loads, not at reset."""
    from simagym.envs.meadow import MeadowWorld

    with pytest.raises(TaskFileError) as info:
        load_task_file(task_file(slots={"colour": ["red", "gren"]}), SOURCE, meadow_layout,
                       {"meadow": MeadowWorld.vocabulary})
    assert "gren" in str(info.value)
    assert_names(info.value, TASK, "slots.colour")


def _meadow_world():
    from simagym.envs.meadow import MeadowWorld

    return {"meadow": MeadowWorld}


@pytest.mark.parametrize(("success", "field"), [
    ({"event": {"type": "opend", "target": {"kind": "chest"}}}, "success.event.type"),
    ({"then": [{"near": {"kind": "chest"}}, {"not": {"event": {"type": "chest_opened"}}}]},
     "success.then[1].not.event.type"),
])
def test_an_event_the_world_does_not_declare_is_a_load_error(meadow_layout, success, field):
    """An event typo would make the task silently unsolvable: it fails at load, naming the field."""
    with pytest.raises(TaskFileError) as info:
        load_task_file(task_file(success=success), SOURCE, meadow_layout, worlds=_meadow_world())
    assert_names(info.value, TASK, field)
    assert "MeadowWorld.events" in str(info.value) and "opened" in str(info.value)


def test_an_event_slot_value_is_checked_too(meadow_layout):
    text = task_file(slots={"colour": ["red"], "what": ["opened", "unlokced"]},
                     success={"event": {"type": "$what", "target": {"kind": "gate", "colour": "$colour"}}},
                     phrasings={"train": ["{what} the {colour} gate"], "heldout": ["the {colour} gate: {what}"]})
    with pytest.raises(TaskFileError, match="unlokced") as info:
        load_task_file(text, SOURCE, meadow_layout, worlds=_meadow_world())
    assert_names(info.value, TASK, "slots.what")


def test_a_world_declaring_no_events_allows_no_event_checks(meadow_layout):
    from simagym.world import World

    quiet = type("QuietWorld", (), {"events": World.events})
    with pytest.raises(TaskFileError, match="declared: none"):
        load_task_file(task_file(success={"event": {"type": "opened"}}), SOURCE, meadow_layout,
                       worlds={"meadow": quiet})


def test_a_role_the_world_never_reports_is_a_load_error(meadow_layout):
    """``{type: put_in, itme: ...}`` could never match: it fails at load, naming the role's field."""
    success = {"then": [{"near": {"kind": "chest"}},
                        {"event": {"type": "put_in", "itme": {"kind": "key"}, "container": {"kind": "chest"}}}]}
    with pytest.raises(TaskFileError) as info:
        load_task_file(task_file(success=success), SOURCE, meadow_layout, worlds=_meadow_world())
    assert_names(info.value, TASK, "success.then[1].event.itme")
    assert "MeadowWorld.event_roles['put_in']" in str(info.value) and "container, item" in str(info.value)


def test_roles_are_unchecked_for_an_event_type_a_world_lists_no_roles_for(meadow_layout):
    """``event_roles`` is optional: a plugin world that declares only ``events`` keeps working."""
    from simagym.world import World

    loose = type("LooseWorld", (), {"events": frozenset({"opened"}), "event_roles": World.event_roles})
    success = {"event": {"type": "opened", "anything": {"kind": "chest"}}}
    load_task_file(task_file(success=success), SOURCE, meadow_layout, worlds={"meadow": loose})


def test_every_event_a_bundled_task_names_is_declared():
    """The catalogue loads with the check on (no plugin errors), and each check names a declared event
    and only roles the world's events of that type carry; team tasks too."""
    from simagym.multi.registry import team_tasks

    assert simagym.plugin_errors() == {}
    specs = [*simagym.list_tasks(superseded_too=True), *(r for t in team_tasks().values() for r in t.roles)]
    for spec in specs:
        world = simagym.get_world(spec.world)
        assert world.event_roles and set(world.event_roles) == world.events
        spec.check_events(world.events, spec.world, world.event_roles)


# --- the shipped catalogue ------------------------------------------------------------

SPECS = simagym.list_tasks()


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.id)
def test_catalogue_template_has_disjoint_phrasing_splits(spec):
    train, heldout = spec.phrasings.train, spec.phrasings.heldout
    assert len(train) >= 3 and len(heldout) >= 2
    assert len(set(train)) == len(train) and len(set(heldout)) == len(heldout)
    assert not set(train) & set(heldout)
    # also disjoint once the slots are filled in (case and spacing aside)
    norm = lambda p: " ".join(p.lower().split())  # noqa: E731
    assert not {norm(p) for p in train} & {norm(p) for p in heldout}


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.id)
def test_catalogue_phrasings_name_every_slot_the_check_needs(spec):
    """An instruction that leaves out a slot the success check uses is ambiguous."""
    needed = spec.success.slots | (spec.failure.slots if spec.failure is not None else set())
    for split in Split:
        for phrasing in spec.phrasings.of(split):
            assert needed <= template_fields(phrasing), (phrasing, needed)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.id)
def test_catalogue_instances_fit_the_instruction_space(spec):
    """Every phrasing with every slot combination (the plugin kit's check)."""
    raise_if(check_instructions(spec.id))


def test_meadow_catalogue_covers_every_category():
    meadow = simagym.list_tasks(world="meadow")
    by_category = {c: sum(s.category.value == c for s in meadow) for c in ("navigation", "object", "menu")}
    assert by_category["navigation"] >= 10, by_category
    assert by_category["object"] >= 10, by_category
    assert by_category["menu"] >= 5, by_category


def test_catalogue_files_round_trip_through_the_loader(meadow_layout):
    """Every shipped file loads directly with load_task_file and gives the catalogue's specs."""
    import importlib.resources

    root = importlib.resources.files("simagym.tasks.meadow")
    loaded = {}
    for entry in root.iterdir():
        if entry.name.endswith(".yaml"):
            for spec in load_task_file(entry.read_text(encoding="utf-8"), entry.name, meadow_layout):
                loaded[spec.id] = spec
    assert set(loaded) == {s.id for s in simagym.list_tasks(world="meadow")}
