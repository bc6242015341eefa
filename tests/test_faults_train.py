"""Training faults: checkpoints are validated and confined, diverged training saves nothing, bad seeds
and output folders are one-line errors, and a failed start leaves nothing that blocks the retry."""

from __future__ import annotations

import json
import math
import os
import shutil
from pathlib import Path

import pytest

pytest.importorskip("torch")

from test_train import TASKS, tiny_config  # noqa: E402

from simagym.train.__main__ import main as train_main  # noqa: E402
from simagym.train.checkpoint import META_FILE, CheckpointError, load_policy, read_meta  # noqa: E402
from simagym.train.config import ConfigError  # noqa: E402
from simagym.train.divergence import TrainingDiverged  # noqa: E402

# The smallest CLI run: a few demonstrations, a few BC updates, no evaluation.
TINY_FLAGS = ["--tasks", *TASKS, "--demos", "4", "--bc-steps", "64", "--batch-size", "16", "--workers", "1",
              "--no-eval", "--no-progress", "--demo-cache", "off"]


def one_line_error(capsys) -> str:
    """The run's one error line (progress lines may come before it)."""
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if "error:" in line]
    assert len(errors) == 1 and "Traceback" not in err and err.endswith(errors[0] + "\n"), err
    return errors[0]


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory) -> Path:
    from simagym.train.pipeline import run

    return run(tiny_config(tmp_path_factory.mktemp("faults") / "run", evaluate=False)).run_dir / "checkpoint"


def edited_copy(checkpoint: Path, tmp_path: Path, edit) -> Path:
    copy = tmp_path / "checkpoint"
    shutil.copytree(checkpoint, copy)
    meta = json.loads((copy / META_FILE).read_text())
    edit(meta)
    (copy / META_FILE).write_text(json.dumps(meta))
    return copy


@pytest.mark.parametrize("edit,field", [
    (lambda m: m["observation"].update(no_language="yes"), "observation.no_language"),
    (lambda m: m["observation"].update(frame_stack=2.5), "observation.frame_stack"),
    (lambda m: m["observation"].update(resolution=[64]), "observation.resolution"),
    (lambda m: m["architecture"].update(channels=[8, -8, 8]), "architecture.channels"),
    (lambda m: m["architecture"].update(text_dir="../../etc"), "architecture.text_dir"),
    (lambda m: m.update(weights="/etc/passwd"), "weights"),
    (lambda m: m["trained"].update(seed="0"), "trained.seed"),
    (lambda m: m.update(surprise=1), "surprise"),
])
def test_every_checkpoint_field_is_validated(checkpoint, tmp_path, edit, field):
    bad = edited_copy(checkpoint, tmp_path, edit)
    with pytest.raises(CheckpointError, match=f"field '{field}"):
        read_meta(bad)


def test_checkpoint_files_cannot_lead_outside_the_folder(checkpoint, tmp_path):
    bad = edited_copy(checkpoint, tmp_path, lambda m: m.update(weights="elsewhere.safetensors"))
    outside = tmp_path / "outside.safetensors"
    shutil.copyfile(bad / "policy.safetensors", outside)
    os.symlink(outside, bad / "elsewhere.safetensors")
    with pytest.raises(CheckpointError, match="outside the checkpoint folder"):
        load_policy(bad)
    assert read_meta(checkpoint)[1]["observation"]["no_language"] is False  # the untouched one still loads


def test_non_finite_weights_are_refused(checkpoint, tmp_path):
    import torch
    from safetensors.torch import load_file, save_file

    bad = edited_copy(checkpoint, tmp_path, lambda m: None)
    weights = load_file(bad / "policy.safetensors")
    name = next(iter(weights))
    weights[name] = torch.full_like(weights[name], math.nan)
    save_file(weights, bad / "policy.safetensors", metadata={"format": "pt"})
    with pytest.raises(CheckpointError, match="NaN or infinite weights"):
        load_policy(bad)


@pytest.mark.parametrize("algo,changes,setting", [
    ("bc", {"lr": math.inf}, "lr: behaviour cloning diverged"),
    ("ppo", {"ppo_lr": math.inf, "n_envs": 1}, "ppo_lr: PPO diverged"),
])
def test_diverged_training_stops_and_saves_nothing(tmp_path, algo, changes, setting):
    from simagym.train.pipeline import run

    out = tmp_path / "run"
    with pytest.raises(TrainingDiverged, match=setting):
        run(tiny_config(out, algo=algo, evaluate=False, snapshot_seconds=1e-6, **changes))
    assert not out.exists()


def test_lr_inf_on_the_command_line(tmp_path, capsys):
    """Refused before anything starts (a learning rate that diverges later stops training: above)."""
    assert train_main([*TINY_FLAGS, "--lr", "inf", "--out", str(tmp_path / "run")]) == 2
    assert "--lr: expected a finite positive number" in one_line_error(capsys)
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("flags,message", [
    (["--seed", "-1"], "seed"),
    (["--seed", str(2**32)], "seed"),
])
def test_bad_seeds_are_one_line_errors(tmp_path, capsys, flags, message):
    assert train_main([*TINY_FLAGS, *flags, "--out", str(tmp_path / "run")]) == 2
    assert message in one_line_error(capsys)
    assert not (tmp_path / "run").exists()


def test_a_config_file_with_a_mistyped_seed(tmp_path, capsys):
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"seed": "abc"}))
    assert train_main([*TINY_FLAGS, "--config", str(config), "--out", str(tmp_path / "run")]) == 2
    assert "seed" in one_line_error(capsys)
    with pytest.raises(ConfigError, match="no_language"):
        from simagym.train.config import TrainConfig

        TrainConfig.from_dict({"no_language": "yes"})


def test_out_must_be_a_writable_folder(tmp_path, capsys):
    a_file = tmp_path / "a-file"
    a_file.write_text("mine")
    for out, message in ((a_file, "is a file"), (a_file / "run", "cannot write"), ("/proc/no-such/run", "cannot write")):
        assert train_main([*TINY_FLAGS, "--out", str(out)]) == 2
        assert message in one_line_error(capsys)
    assert a_file.read_text() == "mine"


def test_a_failed_start_leaves_nothing_that_blocks_the_retry(tmp_path, capsys):
    # A Hugging Face folder whose weights are a pickle: refused, never unpickled.
    encoder = tmp_path / "encoder"
    encoder.mkdir()
    (encoder / "config.json").write_text(json.dumps({"model_type": "bert"}))
    (encoder / "pytorch_model.bin").write_bytes(b"\x80\x04\x95pickle")
    out = tmp_path / "existing"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert train_main([*TINY_FLAGS, "--text-encoder", str(encoder), "--out", str(out)]) == 2
    err = one_line_error(capsys)
    assert "pickle" in err and "weights_only" not in err
    assert sorted(os.listdir(out)) == ["notes.txt"]  # what the run wrote is gone, the user's file is not
    pickle_file = encoder / "pytorch_model.bin"
    assert train_main([*TINY_FLAGS, "--text-encoder", str(pickle_file), "--out", str(out)]) == 2
    assert "is a file, not a folder" in one_line_error(capsys)
    assert train_main([*TINY_FLAGS, "--out", str(out)]) == 0  # the retry runs
    assert (out / "checkpoint" / META_FILE).is_file() and (out / "notes.txt").read_text() == "mine"


def test_a_trained_agents_results_replay_exactly(checkpoint, tmp_path, capsys):
    from simagym.eval.__main__ import main as eval_main
    from simagym.leaderboard.__main__ import main as lb_main

    out = tmp_path / "eval"
    assert eval_main(["--agent", str(checkpoint.parent), "--tasks", *TASKS, "--episodes", "2", "--workers", "1",
                      "--out", str(out), "--no-progress"]) == 0
    assert lb_main(["verify", str(out), "--replay", "8"]) == 0  # episodes played in groups replay alone the same
    assert "8 episodes replayed" in capsys.readouterr().out
