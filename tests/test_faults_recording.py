"""Damaged recordings: load_demonstrations names the file, the episode and the field, never misaligns."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from simagym.actions import BUTTONS, KEYS
from simagym.recording import DATA_FILE, DemoWriter, RecordedEpisode, RecordingError, load_demonstrations

STEPS = 3


def episode(seed: int) -> RecordedEpisode:
    return RecordedEpisode(
        task="meadow/go-to-house-v2", seed=seed, split="train", instruction="go to the red house",
        frames=np.full((STEPS + 1, 16, 16, 3), seed, np.uint8), keys=np.zeros((STEPS, len(KEYS)), np.int8),
        mouse=np.zeros((STEPS, 2), np.float32), buttons=np.zeros((STEPS, len(BUTTONS)), np.int8),
        macros=np.arange(1, STEPS + 1), rewards=np.zeros(STEPS), terminated=True, truncated=False, success=True)


@pytest.fixture
def recording(tmp_path):
    folder = tmp_path / "rec"
    writer = DemoWriter(folder, 16)
    for seed in range(3):
        writer.add(episode(seed))
    return folder


def edit(folder, change) -> None:
    with h5py.File(folder / DATA_FILE, "r+") as data:
        change(data)


def replace(data, name, values) -> None:
    del data[name]
    data[name] = values


def test_a_good_recording_loads(recording):
    demos = load_demonstrations(recording)
    assert len(demos) == 3 * STEPS and list(demos.macros) == [1, 2, 3] * 3


@pytest.mark.parametrize("change,field,problem", [
    (lambda d: d.__delitem__("episode_1/infos/macro_action"), "infos.macro_action", "is missing"),
    (lambda d: replace(d, "episode_1/infos/macro_action", np.array([-1, 2, 500, 3])), "infos.macro_action", "holds 500"),
    (lambda d: replace(d, "episode_1/infos/macro_action", np.array([-1, -7, 2, 3])), "infos.macro_action", "holds -7"),
    (lambda d: replace(d, "episode_1/infos/macro_action", np.array([-1, 2])), "infos.macro_action", "shape"),
    (lambda d: replace(d, "episode_1/observations/pixels", np.zeros((STEPS, 16, 16, 3), np.uint8)),
     "observations.pixels", "shape"),
    (lambda d: replace(d, "episode_1/actions/mouse", np.full((STEPS, 2), np.nan, np.float32)), "actions.mouse",
     "finite"),
    (lambda d: d["episode_1"].attrs.__setitem__("seed", -4), "metadata.seed", ">= 0"),
])
def test_a_damaged_episode_is_named_with_its_field(recording, change, field, problem):
    edit(recording, change)
    with pytest.raises(RecordingError, match=f"{DATA_FILE}: episode 1: field '{field}' .*{problem}"):
        load_demonstrations(recording)


def test_a_truncated_file_is_a_clear_error(recording):
    data = recording / DATA_FILE
    data.write_bytes(data.read_bytes()[: data.stat().st_size // 3])
    with pytest.raises(RecordingError, match=f"{DATA_FILE}: episode 0 cannot be read"):
        load_demonstrations(recording)


@pytest.mark.parametrize("foreign", ["hdf5", "bytes"])
def test_a_foreign_file_is_a_clear_error(recording, foreign):
    data = recording / DATA_FILE
    data.unlink()
    if foreign == "hdf5":
        with h5py.File(data, "w") as other:
            other["weights"] = np.zeros(4)
    else:
        data.write_bytes(b"not an hdf5 file at all" * 10)
    with pytest.raises(RecordingError, match="episode 0 cannot be read .*not a simagym recording"):
        load_demonstrations(recording)
