"""Human play driven headlessly by posted pygame events; Minari recordings that replay to the same frames;
demonstration arrays; recorded play scored into a leaderboard row."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import simagym
from simagym.actions import KEY_INDEX, make_action
from simagym.headless import configure_sdl

configure_sdl()

import pygame  # noqa: E402

from simagym.eval.suite import Episode, load_suite  # noqa: E402
from simagym.macros import MACRO_INDEX, NOOP, click_macro, key_macro  # noqa: E402
from simagym.play import PlaySession, main as play_main  # noqa: E402
from simagym.recording import (DATASET_ID, RecordingError, load_demonstrations, macro_of, read_recording,  # noqa: E402
                               replay, score_recording)

MENU_TASK = "meadow/open-inventory-v1"   # I opens the inventory: success in one tick
MOVE_TASK = "meadow/go-to-house-v1"

pytestmark = pytest.mark.skipif(MENU_TASK not in {s.id for s in simagym.list_tasks(superseded_too=True)},
                                reason="Meadow is not installed")


def key(kind: int, code: int) -> pygame.event.Event:
    return pygame.event.Event(kind, key=code, mod=0, unicode="", scancode=0)


class Script:
    """Posts scripted pygame events at given ticks, as a player would cause them."""

    def __init__(self, events: dict[int, list[pygame.event.Event]]) -> None:
        self.events = events

    def __call__(self, tick: int) -> None:
        for event in self.events.get(tick, []):
            pygame.event.post(event)


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    """Three episodes played by posted events and recorded: a key tap (success), then mouse and keys, then
    a give-up with F1."""
    folder = tmp_path_factory.mktemp("play") / "rec"
    view = 64 * 8
    events = {
        1: [key(pygame.KEYDOWN, pygame.K_i)], 2: [key(pygame.KEYUP, pygame.K_i)],  # episode 1: tap I
        # episode 2 starts at tick 3 (one message tick after episode 1's two)
        5: [pygame.event.Event(pygame.MOUSEMOTION, pos=(view // 4, view // 2), rel=(0, 0), buttons=(0, 0, 0))],
        6: [pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(view // 4, view // 2), button=1)],
        7: [pygame.event.Event(pygame.MOUSEBUTTONUP, pos=(view // 4, view // 2), button=1),
            key(pygame.KEYDOWN, pygame.K_d)],
        # D held for ticks 7-9; a key tapped and released within one tick still counts for that tick.
        10: [key(pygame.KEYUP, pygame.K_d), key(pygame.KEYDOWN, pygame.K_w), key(pygame.KEYUP, pygame.K_w)],
        11: [key(pygame.KEYDOWN, pygame.K_F1)],  # give up
    }
    episodes = [Episode(MENU_TASK, 1000, "train"), Episode(MOVE_TASK, 1000, "heldout"), Episode(MOVE_TASK, 1001, "train")]
    # Ticks: episode 1 runs 0-1 (message at 2), episode 2 runs 3-10 and gives up at 11 (message at 12),
    # episode 3 starts at 13 and is cut off when the player quits at tick 30: it is not saved.
    session = PlaySession(episodes, fps=0, message_seconds=0, record=folder, on_tick=Script(events), max_ticks=30)
    finished = session.run()
    return folder, finished


def test_play_loop_maps_keys_and_mouse_onto_the_agents_action_space(recording: tuple[Path, list]) -> None:
    _, finished = recording
    assert [(e.task, e.success) for e in finished] == [(MENU_TASK, True), (MOVE_TASK, False)]
    tap = finished[0]  # tick 0: nothing held; tick 1: I pressed (and released before tick 2)
    assert tap.steps == 2 and tap.keys[1, KEY_INDEX["I"]] == 1 and tap.keys.sum() == 1
    assert tap.macros.tolist() == [NOOP, key_macro("I")]
    move = finished[1]
    assert move.gave_up and move.truncated and not move.success and move.steps == 8  # ticks 3..10
    held = [sorted(k for k, i in KEY_INDEX.items() if row[i]) for row in move.keys]
    assert held == [[], [], [], [], ["D"], ["D"], ["D"], ["W"]]
    assert move.buttons[:, 0].tolist() == [0, 0, 0, 1, 0, 0, 0, 0]  # down at tick 6, up before tick 7
    np.testing.assert_allclose(move.mouse[3], [0.25, 0.5])
    assert move.macros[3] == click_macro(0.25, 0.5) and move.macros[5] == key_macro("D")
    assert move.macros[2] == MACRO_INDEX["look:left"] and move.macros[0] == NOOP


def test_recorded_episodes_replay_to_the_same_frames(recording: tuple[Path, list]) -> None:
    folder, finished = recording
    episodes = list(read_recording(folder))
    assert len(episodes) == 2  # the third was not finished: the player quit
    for played, stored in zip(finished, episodes):
        assert (stored.task, stored.seed, stored.split, stored.instruction, stored.success) == \
            (played.task, played.seed, played.split, played.instruction, played.success)
        np.testing.assert_array_equal(stored.frames, played.frames)
        np.testing.assert_array_equal(stored.keys, played.keys)
        np.testing.assert_array_equal(stored.macros, played.macros)
        frames, success, steps, _ = replay(stored)
        np.testing.assert_array_equal(frames, stored.frames)  # reset with the seed + the raw actions = same frames
        assert (success, steps) == (stored.success, stored.steps)


def test_recording_is_a_minari_dataset(recording: tuple[Path, list]) -> None:
    import minari

    folder, finished = recording
    dataset = minari.MinariDataset(folder)
    assert dataset.id == DATASET_ID and dataset.total_episodes == 2
    first = dataset[0]
    assert first.observations["pixels"].shape == (3, 64, 64, 3) and first.observations["pixels"].dtype == np.uint8
    assert first.actions["keys"].shape == (2, len(KEY_INDEX))
    assert first.infos["macro_action"].tolist() == [-1, NOOP, key_macro("I")]
    meta = list(dataset.storage.get_episode_metadata([0, 1]))
    assert [(m["task"], m["seed"], m["split"], bool(m["success"])) for m in meta] == \
        [(MENU_TASK, 1000, "train", True), (MOVE_TASK, 1000, "heldout", False)]


def test_load_demonstrations_gives_bc_arrays(recording: tuple[Path, list]) -> None:
    folder, _ = recording
    demos = load_demonstrations(folder)  # successful episodes only
    assert len(demos) == 2 and demos.frames.shape == (2, 64, 64, 3) and demos.frames.dtype == np.uint8
    assert demos.macros.tolist() == [NOOP, key_macro("I")] and demos.episode_starts.tolist() == [True, False]
    every = load_demonstrations(folder, successful_only=False)
    assert len(every) == 10 and every.episode_starts.sum() == 2 and len(every.instructions) == 10
    assert every.tasks == [MENU_TASK, MOVE_TASK] and every.success.tolist() == [True, False]


def test_macro_approximation() -> None:
    assert macro_of(**make_action(keys=["W", "E"])) == key_macro("W")  # a chord keeps the movement key
    assert macro_of(**make_action(mouse=(0.9, 0.1), buttons=["LEFT"])) == click_macro(0.9, 0.1)
    assert macro_of(**make_action(buttons=["RIGHT"])) == MACRO_INDEX["right_click"]
    assert macro_of(**make_action(mouse=(0.5, 0.8)), prev_mouse=np.array([0.5, 0.5])) == MACRO_INDEX["look:down"]
    assert macro_of(**make_action()) == NOOP


def test_recorded_play_scores_into_a_human_row(recording: tuple[Path, list], tmp_path: Path) -> None:
    from simagym.leaderboard import load_result, write_site

    folder, _ = recording
    suite_file = tmp_path / "s.yaml"
    suite_file.write_text(f"name: s\nversion: 1\ntasks: [{MENU_TASK}, {MOVE_TASK}]\nseeds: {{start: 1000, count: 2}}\n"
                          "splits: [train, heldout]\n", encoding="utf-8")
    suite = load_suite(str(suite_file))
    summary = score_recording(folder, suite, tmp_path / "human", videos_per_task=1)
    assert (summary["agent"], summary["agent_name"], summary["episodes"], summary["successes"]) == ("human", "human", 2, 1)
    result = load_result(tmp_path / "human", suite)  # passes every leaderboard check
    assert len(result.videos) == 2
    data = write_site([result], suite, tmp_path / "site")
    row = data["results"][0]
    assert row["name"] == "human" and "rank" not in row and row["coverage"] == {"strata": 2, "of": 4}
    assert row["by_category"] == {"menu": None, "navigation": None}  # neither group was fully played
    assert "Partial results" in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    with pytest.raises(RecordingError, match="not empty"):
        score_recording(folder, suite, tmp_path / "human")


def test_tampered_recording_is_refused(recording: tuple[Path, list], tmp_path: Path) -> None:
    import shutil

    import h5py

    folder, _ = recording
    copy = tmp_path / "rec"
    shutil.copytree(folder, copy)
    with h5py.File(copy / "main_data.hdf5", "a") as f:
        f["episode_1/actions/keys"][:] = 0  # claims other inputs than were played
    suite_file = tmp_path / "s.yaml"
    suite_file.write_text(f"name: s\nversion: 1\ntasks: [{MOVE_TASK}]\nseeds: [1000]\nsplits: [heldout]\n", encoding="utf-8")
    with pytest.raises(RecordingError, match="does not replay to its recorded frames"):
        score_recording(copy, load_suite(str(suite_file)), tmp_path / "out")


def test_play_cli_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert play_main([]) == 2 and "give a TASK_ID or --suite" in capsys.readouterr().err
    assert play_main(["meadow/no-such-task-v1"]) == 2 and "unknown task" in capsys.readouterr().err
    assert play_main([MENU_TASK, "--fps", "0"]) == 2 and "--fps must be >= 1" in capsys.readouterr().err


def test_plan_skips_recorded_episodes(recording: tuple[Path, list]) -> None:
    from simagym.play import build_parser, plan_episodes

    folder, _ = recording
    args = build_parser().parse_args([MENU_TASK, "--record", str(folder), "--episodes", "2"])
    assert plan_episodes(args) == [Episode(MENU_TASK, 1001, "train"), Episode(MENU_TASK, 1002, "train")]
    args = build_parser().parse_args(["--suite", "core", "--tasks", "meadow/open-*", "--episodes", "3"])
    planned = plan_episodes(args)
    assert len(planned) == 3 and all(e.task.startswith("meadow/open-") and e.seed == 1000 for e in planned)
    assert json.dumps([list(e) for e in planned])  # plain data
