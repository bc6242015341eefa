"""The policy's click map: each click cell is scored from the feature map under it, and the score lands
on that cell's click macro."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from gymnasium.spaces import Discrete

from simagym.macros import GRID, MACRO_INDEX, MACROS
from simagym.train.policy import CLICK_CELLS, ClickHead, build_policy, logits, policy_space
from simagym.train.text import TinyEncoderSpec, build_tiny_encoder, train_tokenizer


@pytest.fixture(scope="module")
def text_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("text")
    tokenizer = train_tokenizer(["click the green key", "click the red key"], vocab_size=128)
    tokenizer.save_pretrained(folder)
    build_tiny_encoder(len(tokenizer), tokenizer.pad_token_id, TinyEncoderSpec(16, 1, 2, 32, 8)).save_pretrained(folder)
    return folder, tokenizer.pad_token_id, len(tokenizer)


def _policy(text_dir, click_map: bool, resolution: int = 64):
    folder, pad_id, vocab = text_dir
    arch = {"channels": [8, 8, 8], "features_dim": 32, "pad_id": pad_id, "freeze_text": False, "click_map": click_map}
    torch.manual_seed(0)
    space = policy_space((resolution, resolution), 3, 8, vocab)
    return build_policy(space, Discrete(len(MACROS)), arch, folder, text_weights=True).eval()


def test_each_cells_score_lands_on_its_click_macro(text_dir):
    policy = _policy(text_dir, click_map=True)
    head = policy.action_net
    assert isinstance(head, ClickHead)
    latent = torch.randn(4, head.fused_dim + CLICK_CELLS)
    out = head(latent)
    plain = head.linear(latent[:, :head.fused_dim])
    for col, row in ((0, 0), (3, 5), (GRID - 1, GRID - 1)):
        i = MACRO_INDEX[f"click:{col},{row}"]
        assert torch.allclose(out[:, i], plain[:, i] + latent[:, head.fused_dim + row * GRID + col])
    others = [i for i, m in enumerate(MACROS) if m.click is None]
    assert torch.equal(out[:, others], plain[:, others])  # keys, looks, noop: the linear layer alone


def test_the_click_score_follows_what_is_on_screen(text_dir):
    """Shift the picture by one click cell and every inner cell's score moves with it: one detector for the
    whole screen, which is what "click the green key" needs wherever the key is."""
    policy = _policy(text_dir, click_map=True)
    extractor = policy.features_extractor
    rng = np.random.default_rng(0)
    frame = rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)
    moved = np.roll(frame, 8, axis=1)  # one cell to the right
    stacks = torch.as_tensor(np.stack([[frame] * 3, [moved] * 3]))
    with torch.no_grad():
        text = extractor.embed(torch.zeros(2, 8, dtype=torch.long))
        cells = extractor.features(stacks, text)[:, extractor.fused_dim:].view(2, GRID, GRID)
    # A cell's score sees the stem's patches two away on each side (two 3x3 convolutions, then a 2x2 window);
    # the screen's edges (zero padding) reach cells 0-2 and 5-7, so columns 3 and 4 are the ones to compare.
    assert torch.allclose(cells[1, 3:5, 4], cells[0, 3:5, 3], atol=1e-5)
    assert not torch.allclose(cells[0], cells[1])


@pytest.mark.parametrize("resolution", [48, 96])
def test_the_click_map_covers_the_grid_at_any_resolution(text_dir, resolution):
    policy = _policy(text_dir, click_map=True, resolution=resolution)
    frames = torch.zeros(2, 3, resolution, resolution, 3, dtype=torch.uint8)
    with torch.no_grad():
        out = logits(policy, frames, policy.features_extractor.embed(torch.zeros(2, 8, dtype=torch.long)))
    assert out.shape == (2, len(MACROS))


def test_without_a_click_map_the_head_is_sb3s_linear_layer(text_dir):
    """Checkpoints from before the click map (no ``click_map`` in their architecture) rebuild as they were."""
    policy = _policy(text_dir, click_map=False)
    assert isinstance(policy.action_net, torch.nn.Linear)
    assert policy.features_extractor.features_dim == policy.features_extractor.fused_dim


def test_the_optimiser_trains_the_click_head(text_dir):
    policy = _policy(text_dir, click_map=True)
    optimised = {id(p) for group in policy.optimizer.param_groups for p in group["params"]}
    assert all(id(p) in optimised for p in policy.action_net.parameters())
    assert all(id(p) in optimised for p in policy.features_extractor.click.parameters())


def test_sb3_ppo_learns_with_the_click_head(tmp_path):
    """``PPO(InstructedPolicy, ...)`` with the documented helpers: SB3's own loop trains the click head."""
    from stable_baselines3 import PPO

    import simagym
    from simagym.sb3 import InstructedPolicy, policy_kwargs, text_encoder, wrap

    text = text_encoder(tmp_path / "text", tasks=["meadow/open-map-v1"])
    env = wrap(simagym.make("meadow/open-map-v1"), text)
    model = PPO(InstructedPolicy, env, policy_kwargs=policy_kwargs(text, channels=(8, 8, 8), features_dim=32),
                n_steps=32, batch_size=16, n_epochs=1, seed=0, device="cpu")
    assert isinstance(model.policy.action_net, ClickHead)
    before = model.policy.action_net.linear.weight.detach().clone()
    model.learn(32)
    assert not torch.equal(before, model.policy.action_net.linear.weight)
