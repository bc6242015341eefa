"""``--device auto|cpu|cuda``: the CPU works, a missing GPU is a one-line error, and behaviour cloning
repeats exactly for a seed with several torch threads too."""

from __future__ import annotations

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from simagym.train.device import DeviceError, resolve_device  # noqa: E402

TASK = "meadow/open-map-v1"
no_gpu = pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")


def _cli(tmp_path, *flags: str) -> list[str]:
    return ["--tasks", TASK, "--demos", "3", "--steps", "32", "--batch-size", "16", "--workers", "1",
            "--no-eval", "--no-progress", "--demo-cache", "off", "--out", str(tmp_path / "run"), *flags]


def test_auto_is_the_cpu_without_a_gpu():
    assert resolve_device("cpu") == torch.device("cpu")
    assert resolve_device("auto") == torch.device("cuda" if torch.cuda.is_available() else "cpu")


def test_device_cpu_trains(tmp_path):
    from simagym.train.__main__ import main

    assert main(_cli(tmp_path, "--device", "cpu")) == 0
    assert json.loads((tmp_path / "run" / "config.json").read_text())["device"] == "cpu"


@no_gpu
def test_cuda_without_a_gpu_is_a_one_line_error(tmp_path, capsys):
    from simagym.train.__main__ import main

    assert main(_cli(tmp_path, "--device", "cuda")) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "device: cuda was asked for" in err[0] and "--device cpu" in err[0], err
    assert not (tmp_path / "run").exists()  # refused before anything was written
    with pytest.raises(DeviceError, match="no CUDA GPU"):
        resolve_device("cuda:0")


def test_unknown_device_is_a_one_line_error(tmp_path, capsys):
    from simagym.train.__main__ import main

    assert main(_cli(tmp_path, "--device", "gpu")) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "device: must be auto, cpu, cuda or cuda:N" in err[0], err


@no_gpu
def test_learned_agent_refuses_cuda_without_a_gpu(tmp_path):
    from simagym.agents.learned import LearnedAgent
    from simagym.train.__main__ import main

    assert main(_cli(tmp_path)) == 0
    assert LearnedAgent(tmp_path / "run", device="cpu").device == torch.device("cpu")
    with pytest.raises(DeviceError):
        LearnedAgent(tmp_path / "run", device="cuda")


def test_bc_repeats_exactly_with_two_threads(tmp_path):
    """--threads 2 must still give the same weights for the same seed."""
    from gymnasium.spaces import Discrete

    from simagym.macros import MACROS
    from simagym.train.bc import BCData, train_bc
    from simagym.train.policy import build_policy, policy_space
    from simagym.train.text import TinyEncoderSpec, build_tiny_encoder, train_tokenizer

    def trained(tmp) -> dict:
        tmp.mkdir()
        tokenizer = train_tokenizer(["open the map", "close the map"], vocab_size=128)
        tokenizer.save_pretrained(tmp)
        build_tiny_encoder(len(tokenizer), tokenizer.pad_token_id, TinyEncoderSpec(16, 1, 2, 32, 8)).save_pretrained(tmp)
        arch = {"channels": [8, 8, 8], "features_dim": 32, "pad_id": tokenizer.pad_token_id, "freeze_text": False}
        torch.manual_seed(0)
        policy = build_policy(policy_space((32, 32), 3, 8, len(tokenizer)), Discrete(len(MACROS)), arch, tmp, True)
        rng = np.random.default_rng(0)
        data = BCData(frames=rng.integers(0, 255, (400, 32, 32, 3), dtype=np.uint8),
                      instruction_ids=rng.integers(0, len(tokenizer), (400, 8)), actions=rng.integers(0, 97, 400),
                      episode_starts=np.arange(0, 400, 20))
        train_bc(policy, data, frame_stack=3, steps=1024, batch_size=128, seed=0, word_dropout=0.1)
        return {k: v.clone() for k, v in policy.state_dict().items()}

    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        one, two = trained(tmp_path / "a"), trained(tmp_path / "b")
    finally:
        torch.set_num_threads(threads)
    assert all(torch.equal(one[k], two[k]) for k in one)
