"""The SB3 and CleanRL examples run as a user would run them (with tiny budgets)."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture
def one_torch_thread():
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # the machine is shared: tiny models gain nothing from more
    yield
    torch.set_num_threads(threads)


def test_sb3_ppo_example_trains_and_plays_an_episode(monkeypatch, capsys, one_torch_thread):
    monkeypatch.setattr(sys, "argv", ["sb3_ppo.py", "64"])
    example = runpy.run_path(str(EXAMPLES / "sb3_ppo.py"), run_name="__main__")
    from simagym.sb3 import InstructedCNN

    assert isinstance(example["model"].policy.features_extractor, InstructedCNN)
    out = capsys.readouterr().out
    assert "total_timesteps | 64" in out
    assert out.strip().splitlines()[-1].endswith("on meadow/go-to-house-v2")


def test_cleanrl_ppo_example_trains_over_the_batched_vector_env(capsys, one_torch_thread):
    example = runpy.run_path(str(EXAMPLES / "cleanrl_ppo.py"), run_name="example")
    args = example["parse"](["--num-envs", "4", "--num-steps", "24", "--total-timesteps", "192",
                             "--tasks", "meadow/go-to-house-v2"])
    result = example["main"](args)
    assert result["steps"] == 192
    assert "iteration 2: 192 steps" in capsys.readouterr().out
