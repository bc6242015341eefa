"""Recordings and Minari: record, load, recover (round trip); datasets that minari.DataCollector wrote over
simagym envs; recording into Minari's own datasets folder, where minari.load_dataset finds it by id."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import minari
import simagym
from simagym.agents.oracle import OracleAgent
from simagym.macros import DiscreteActions, MacroDecoder
from simagym.minari_datasets import DatasetError, minari_folder
from simagym.recording import (DemoWriter, RecordedEpisode, load_demonstrations, make_env, read_recording,
                               recorded_tasks, replay)

# Minari asks every new dataset for an author, a permalink, an eval env...: not what these tests are about.
pytestmark = pytest.mark.filterwarnings("ignore:`.*` is set to None:UserWarning")

TASK = "meadow/go-to-house-v2"
OTHER = "meadow/open-menu-v2"


@pytest.fixture(autouse=True)
def datasets_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Minari's datasets folder, here instead of the user's ~/.minari."""
    folder = tmp_path / "minari-datasets"
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(folder))
    return folder


def play_oracle(task: str, seed: int, split: str = "train") -> RecordedEpisode:
    """One oracle episode as simagym.play would record a player's."""
    env, decoder, oracle = make_env(task, split), MacroDecoder(), OracleAgent()
    obs, info = env.reset(seed=seed)
    oracle.reset(obs["instruction"], env.unwrapped)
    frames, actions, macros, rewards = [obs["pixels"]], [], [], []
    terminated = truncated = False
    while not (terminated or truncated):
        macro = oracle.act(obs)
        actions.append(decoder.decode(macro))
        obs, reward, terminated, truncated, info = env.step(actions[-1])
        frames.append(obs["pixels"])
        macros.append(macro)
        rewards.append(reward)
    env.close()
    return RecordedEpisode(
        task=task, seed=seed, split=split, instruction=env.unwrapped.instruction.text, frames=np.stack(frames),
        keys=np.stack([a["keys"] for a in actions]), mouse=np.stack([a["mouse"] for a in actions]),
        buttons=np.stack([a["buttons"] for a in actions]), macros=np.asarray(macros, np.int16),
        rewards=np.asarray(rewards), terminated=terminated, truncated=truncated, success=bool(info["success"]),
        player="oracle")


def test_record_load_recover_round_trip(tmp_path: Path) -> None:
    played = [play_oracle(TASK, 3, "heldout"), play_oracle(OTHER, 4)]
    writer = DemoWriter(tmp_path / "rec", 64)
    for episode in played:
        writer.add(episode)

    demos = load_demonstrations(tmp_path / "rec")
    assert demos.tasks == [TASK, OTHER] and list(demos.seeds) == [3, 4] and demos.success.all()
    assert np.array_equal(demos.frames, np.concatenate([e.frames[:-1] for e in played]))
    assert np.array_equal(demos.macros, np.concatenate([e.macros for e in played]))

    dataset = minari.MinariDataset(tmp_path / "rec")
    env = dataset.recover_environment()  # the first episode's env: its task, split and resolution
    obs, _ = env.reset(seed=3)
    assert env.unwrapped.task.id == TASK and obs["instruction"] == played[0].instruction
    assert np.array_equal(obs["pixels"], played[0].frames[0])
    env.close()


def test_record_into_minaris_folder_and_load_it_by_id(datasets_folder: Path) -> None:
    writer = DemoWriter(minari_folder("simagym/alice-v0"), 64)
    writer.add(play_oracle(TASK, 5))
    dataset = minari.load_dataset("simagym/alice-v0")
    assert dataset.id == "simagym/alice-v0" and dataset.total_episodes == 1
    assert "simagym/alice-v0" in minari.list_local_datasets()
    assert load_demonstrations("simagym/alice-v0").tasks == [TASK]
    with pytest.raises(DatasetError, match="not a Minari dataset id"):
        minari_folder("no version")


@pytest.mark.parametrize("discrete", [False, True], ids=["keyboard-mouse", "macros"])
def test_reads_datasets_written_by_minaris_data_collector(discrete: bool) -> None:
    env = simagym.make(TASK, phrasing="heldout")
    # Lossless frames (Minari's default is JPEG), so the replay below can match them exactly.
    collector = minari.DataCollector(DiscreteActions(env) if discrete else env, jpeg_encoding=False)
    decoder, taken = MacroDecoder(), []
    for seed in (1, 2):
        obs, _ = collector.reset(seed=seed)
        oracle = OracleAgent()
        oracle.reset(obs["instruction"], collector.unwrapped)
        decoder.reset()
        done = False
        while not done:
            macro = oracle.act(obs)
            taken.append(macro)
            obs, _, terminated, truncated, _ = collector.step(macro if discrete else decoder.decode(macro))
            done = terminated or truncated
    collector.create_dataset("simagym/collected-v0", algorithm_name="oracle", description="test", author="simagym",
                             author_email="simagym@example.org", code_permalink="https://example.org/simagym")
    collector.close()

    episodes = list(read_recording("simagym/collected-v0"))
    assert [(e.task, e.seed, e.split, e.success) for e in episodes] == [(TASK, 1, "heldout", True),
                                                                         (TASK, 2, "heldout", True)]
    assert recorded_tasks("simagym/collected-v0", splits={"heldout"}) == [TASK]
    demos = load_demonstrations("simagym/collected-v0")
    assert list(demos.macros) == taken  # the oracle's macros, read back or approximated from its keys and clicks
    frames, success, steps, _ = replay(episodes[0])  # raw actions (decoded from macros too) replay exactly
    assert success and np.array_equal(frames, episodes[0].frames)


def test_a_collected_dataset_without_seeds_names_the_missing_field() -> None:
    collector = minari.DataCollector(DiscreteActions(simagym.make(TASK)))
    collector.reset(options={"minari_autoseed": False})
    collector.step(0)
    collector.create_dataset("simagym/unseeded-v0", algorithm_name="noop", description="test", author="simagym",
                             author_email="simagym@example.org", code_permalink="https://example.org/simagym")
    collector.close()
    with pytest.raises(DatasetError, match=r"episode 0 has no seed \(reset the env with a seed"):
        load_demonstrations("simagym/unseeded-v0", successful_only=False)


def test_play_dataset_flag_errors_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    from simagym.play import main

    assert main([TASK, "--dataset", "simagym/alice-v0", "--record", "somewhere"]) == 2
    assert main([TASK, "--dataset", "no version"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and "--record DIR or --dataset ID, not both" in err[0] and "NAMESPACE/NAME-vN" in err[1]
