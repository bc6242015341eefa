"""The pixels + instruction network, as an SB3 features extractor.

Observation (after the wrappers in :mod:`simagym.train.envs`)::

    {"pixels": uint8 (3*K, H, W)  - the last K frames, oldest first, channel-first
     "instruction": int64 (L,)    - token ids, padded}

The instruction is embedded by a transformer (:class:`TextEmbedding`) and
conditions the CNN through FiLM (a per-channel scale and shift of the feature
maps, so language can select *what to look for* before spatial pooling), and is
concatenated again at the end. The head is SB3's ``ActorCriticPolicy``
(logits over the macros and a value), so behaviour cloning and PPO train the
very same module and one checkpoint serves both.

Clicks are where the screen's content is: with ``click_map`` the extractor also
scores every cell of the click grid from the feature map under it (a small
convolution, the same for every cell), and :class:`ClickHead` adds those scores
to the click macros' logits. "Click the green key" then needs one detector that
works anywhere, not a separate mapping from the whole screen to each of 64
positions (the fully convolutional action maps of StarCraft II agents).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import gymnasium as gym
import numpy as np
import torch
import torch.nn.functional as F
from gymnasium import spaces
from stable_baselines3.common.policies import ActorCriticPolicy
from stable_baselines3.common.torch_layers import BaseFeaturesExtractor
from torch import nn

from simagym.macros import GRID, MACRO_INDEX
from simagym.train.text import load_architecture, load_pretrained

#: The click macros are contiguous, row by row: ``click:<col>,<row>`` at ``FIRST_CLICK + row * GRID + col``.
FIRST_CLICK = MACRO_INDEX["click:0,0"]
CLICK_CELLS = GRID * GRID


#: How many distinct token sequences a frozen encoder remembers (384 floats each for MiniLM).
REMEMBERED_INSTRUCTIONS = 50_000


class TextEmbedding(nn.Module):
    """A Hugging Face encoder, mean-pooled over the non-padding tokens.

    A frozen encoder (``trainable=False``) is a fixed function of the instruction: it stays in
    eval mode (no dropout) and each distinct instruction is encoded once and remembered, so a
    large pretrained encoder costs behaviour cloning almost nothing after its first pass.
    """

    def __init__(self, model: nn.Module, pad_id: int, trainable: bool = True) -> None:
        super().__init__()
        self.model = model
        self.pad_id = pad_id
        self.dim = int(model.config.hidden_size)
        self.trainable = trainable
        self._remembered: dict[bytes, torch.Tensor] = {}
        if not trainable:
            for p in self.model.parameters():
                p.requires_grad_(False)
            self.model.eval()

    def train(self, mode: bool = True) -> "TextEmbedding":
        super().train(mode)
        if not self.trainable:
            self.model.eval()
        return self

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        if self.trainable:
            return self._encode(ids)
        rows = [row.tobytes() for row in ids.long().cpu().numpy()]
        new = [i for i, key in enumerate(rows) if key not in self._remembered]
        if len(self._remembered) + len(new) > REMEMBERED_INSTRUCTIONS:  # word dropout makes many variants
            self._remembered.clear()
            new = list(range(len(rows)))
        if new:
            with torch.no_grad():
                for i, vector in zip(new, self._encode(ids[new])):
                    self._remembered[rows[i]] = vector
        return torch.stack([self._remembered[key] for key in rows]).to(ids.device)

    def _encode(self, ids: torch.Tensor) -> torch.Tensor:
        ids = ids.long()
        mask = ids != self.pad_id
        # A row of only padding (a tokenizer without special tokens, --no-language) still needs one position.
        mask[:, 0] = True
        # Trailing padding changes nothing (it is masked out); dropping it saves attention work.
        keep = int(mask.any(0).nonzero().max()) + 1
        ids, mask = ids[:, :keep], mask[:, :keep]
        hidden = self.model(input_ids=ids, attention_mask=mask.long()).last_hidden_state
        weights = mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * weights).sum(1) / weights.sum(1)


class FiLMConv(nn.Module):
    """conv -> FiLM(instruction) -> ReLU."""

    def __init__(self, c_in: int, c_out: int, kernel: int, stride: int, text_dim: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, kernel, stride, padding=kernel // 2)
        self.film = nn.Linear(text_dim, 2 * c_out)
        # Start as the identity (scale 1, shift 0): the CNN learns to see before language modulates it.
        nn.init.zeros_(self.film.weight)
        nn.init.zeros_(self.film.bias)

    def forward(self, x: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
        h = self.conv(x)
        scale, shift = self.film(text).chunk(2, dim=-1)
        return F.relu(h * (1 + scale[..., None, None]) + shift[..., None, None])


class InstructedCNN(BaseFeaturesExtractor):
    """Features of (stacked frames, instruction ids) for SB3's actor-critic heads.

    Vision: an 8x8-patch stem (stride 8, padded by 4: on a 64-pixel Meadow view
    each patch is exactly one 8-pixel tile, and in any world it is a cheap
    ViT-style patchify), then two 3x3 convs, each FiLM-conditioned on the
    instruction. Read-out: the flattened map (what is where around the player)
    plus, per channel, a spatial-softmax keypoint (x, y) and its peak - a direct
    "where is the thing the instruction asks for" signal that behaviour cloning
    learns from far fewer updates than a flattened map alone.

    ``text_dir`` is a Hugging Face folder (tokenizer + config, maybe weights);
    ``text_weights`` says whether to load its weights (training) or only its
    architecture (loading a checkpoint, whose weights replace them).

    ``click_map``: the features end with one score per click-grid cell (``GRID`` x ``GRID``, row by
    row), read from the feature map under that cell; :class:`InstructedPolicy` adds them to the click
    macros' logits (any other SB3 head reads them as features).
    """

    def __init__(self, observation_space: spaces.Dict, text_dir: str, text_weights: bool = True,
                 pad_id: int = 0, freeze_text: bool = False, channels: Sequence[int] = (16, 32, 32),
                 features_dim: int = 256, click_map: bool = False) -> None:
        super().__init__(observation_space, features_dim + (CLICK_CELLS if click_map else 0))
        self.fused_dim = features_dim
        c_in, height, width = observation_space["pixels"].shape
        _, model = load_pretrained(text_dir) if text_weights else load_architecture(text_dir)
        self.text = TextEmbedding(model, pad_id, trainable=not freeze_text)
        d = self.text.dim
        c1, c2, c3 = channels
        self.stem = nn.Conv2d(c_in, c1, kernel_size=8, stride=8, padding=4)
        self.block1 = FiLMConv(c1, c2, 3, 1, d)
        self.block2 = FiLMConv(c2, c3, 3, 1, d)
        with torch.no_grad():
            grid = self._conv(torch.zeros(1, c_in, height, width), torch.zeros(1, d))
        _, _, gh, gw = grid.shape
        ys, xs = torch.meshgrid(torch.linspace(-1, 1, gh), torch.linspace(-1, 1, gw), indexing="ij")
        self.register_buffer("coords", torch.stack([xs.flatten(), ys.flatten()], dim=1), persistent=False)
        n_in = grid[0].numel() + 3 * c3
        self.spatial = nn.Sequential(nn.Linear(n_in, features_dim), nn.ReLU())
        # The instruction joins again at the end: FiLM says what to look for, this says what to do with it.
        self.fuse = nn.Sequential(nn.Linear(features_dim + d, features_dim), nn.ReLU())
        # A 2x2 window of the stem's patches (offset by half a patch) covers one click cell exactly at 64x64;
        # at other resolutions the window's scores are averaged onto the click grid.
        self.click = nn.Sequential(nn.Conv2d(c3, 32, 2), nn.ReLU(), nn.Conv2d(32, 1, 1)) if click_map else None

    def _stem(self, pixels: torch.Tensor) -> torch.Tensor:
        """``self.stem`` on the centred image (``2x - 1``, padded with zeros), as one matrix product.

        The stem's kernel equals its stride, so the convolution is a patch embedding: each 8x8
        patch of the padded image times the kernel. Computed that way - straight from the uint8
        frames when BC passes them, the centring folded into the kernel and a per-cell offset -
        the image is read once into a float patch matrix, and the backward pass is one matrix
        product. The convolution on the scaled float image took about 60% of a BC update (its
        backward alone 23%). The result equals ``self.stem(pixels * 2 - 1)`` up to rounding.
        """
        weight, frames = self.stem.weight, pixels.dtype == torch.uint8
        c_out, c_in, k, _ = weight.shape
        if frames:  # (B, K, H, W, 3) uint8: the kernel's inputs reordered to match the frames' layout
            b, n, height, width, c = pixels.shape
            kernel = weight.view(c_out, n, c, k, k).permute(0, 1, 3, 4, 2).reshape(c_out, -1)
        else:  # (B, 3K, H, W) float in [0, 1]
            b, _, height, width = pixels.shape
            kernel = weight.reshape(c_out, -1)
        gh, gw = height // k + 1, width // k + 1  # the output grid (stride k, padding k / 2)
        pad = k // 2
        # Zero padding: left/top by half a patch, right/bottom to a whole number of patches.
        widths = [0, 0] if frames else []
        widths += [pad, gw * k - width - pad, pad, gh * k - height - pad]
        x = F.pad(pixels, widths)
        if frames:
            x = x.view(b, n, gh, k, gw, k, c).permute(0, 2, 4, 1, 3, 5, 6)
        else:
            x = x.view(b, c_in, gh, k, gw, k).permute(0, 2, 4, 1, 3, 5)
        # One pass reads the strided patches and writes them as floats (reshape then .float() would be two).
        patches = torch.empty(x.shape, dtype=weight.dtype, device=x.device).copy_(x).view(b * gh * gw, -1)
        scale = 2 / 255 if frames else 2.0
        # 2x - 1 on the image and 0 on the padding = 2x (zero-padded) - [1 on the image, 0 on the padding].
        ones = weight.new_ones(1, c_in, height, width)
        offset = self.stem.bias[:, None, None] - F.conv2d(ones, weight, stride=k, padding=pad)[0]  # (C, gh, gw)
        h = (patches @ (kernel.t() * scale)).view(b, gh, gw, c_out).permute(0, 3, 1, 2)  # channels-last memory
        return h + offset

    def _conv(self, pixels: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
        h = F.relu(self._stem(pixels))
        h = self.block1(h, text)
        return self.block2(h, text)

    def _readout(self, h: torch.Tensor) -> torch.Tensor:
        flat = h.flatten(2)  # (B, C, HW)
        keypoints = torch.softmax(flat, dim=-1) @ self.coords  # (B, C, 2): expected (x, y) per channel
        return torch.cat([h.flatten(1), keypoints.flatten(1), flat.amax(-1)], dim=1)

    def embed(self, ids: torch.Tensor) -> torch.Tensor:
        """The instruction embedding (constant within an episode, so agents compute it once).

        A batch holds few distinct instructions: each is encoded once.
        """
        unique, inverse = torch.unique(ids.long(), dim=0, return_inverse=True)
        return self.text(unique)[inverse]

    def features(self, pixels: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
        """``pixels``: float in [0, 1], (B, 3K, H, W) (what :func:`to_pixels` and the env wrappers give),
        or the uint8 frames themselves, (B, K, H, W, 3) oldest first (what behaviour cloning gathers:
        the faster path); ``text`` from :meth:`embed`."""
        grid = self._conv(pixels, text)
        h = self.fuse(torch.cat([self.spatial(self._readout(grid)), text], dim=1))
        if self.click is None:
            return h
        cells = F.adaptive_avg_pool2d(self.click(grid), GRID)  # (B, 1, GRID, GRID): identity at 64x64
        return torch.cat([h, cells.flatten(1)], dim=1)

    def forward(self, observations: dict[str, torch.Tensor]) -> torch.Tensor:
        # SB3 already scaled the uint8 pixels to [0, 1] and turned the ids into floats.
        return self.features(observations["pixels"], self.embed(observations["instruction"]))


def policy_space(resolution: tuple[int, int], frame_stack: int, max_tokens: int, vocab_size: int) -> spaces.Dict:
    """The observation space the policy sees (what the env wrappers produce)."""
    h, w = resolution
    return spaces.Dict({
        "pixels": spaces.Box(0, 255, shape=(3 * frame_stack, h, w), dtype=np.uint8),
        "instruction": spaces.Box(0, vocab_size - 1, shape=(max_tokens,), dtype=np.int64),
    })


def policy_kwargs(arch: dict[str, Any], text_dir: str | Path, text_weights: bool) -> dict[str, Any]:
    """``ActorCriticPolicy`` keyword arguments from an architecture record (see ``checkpoint.json``)."""
    return {
        "net_arch": {"pi": [], "vf": []},  # the extractor already ends in a fused hidden layer
        "activation_fn": nn.ReLU,
        # SB3's orthogonal re-initialisation would wipe a pretrained text encoder.
        "ortho_init": False,
        "features_extractor_class": InstructedCNN,
        "features_extractor_kwargs": {
            "text_dir": str(text_dir), "text_weights": text_weights, "pad_id": arch["pad_id"],
            "freeze_text": arch["freeze_text"], "channels": tuple(arch["channels"]),
            "features_dim": arch["features_dim"], "click_map": arch.get("click_map", False),
        },
        "share_features_extractor": True,
    }


class ClickHead(nn.Module):
    """Macro logits from ``[fused features, click-cell scores]``: a linear layer over the fused features
    for every macro, plus each cell's score on its click macro."""

    def __init__(self, fused_dim: int, n_macros: int) -> None:
        super().__init__()
        self.fused_dim = fused_dim
        self.linear = nn.Linear(fused_dim, n_macros)
        self.cells = slice(FIRST_CLICK, FIRST_CLICK + CLICK_CELLS)

    def forward(self, latent: torch.Tensor) -> torch.Tensor:
        out = self.linear(latent[:, :self.fused_dim])
        scores = F.pad(latent[:, self.fused_dim:], (self.cells.start, out.shape[1] - self.cells.stop))
        return out + scores


class InstructedPolicy(ActorCriticPolicy):
    """SB3's actor-critic with small initial logits (a near-uniform start, as PPO implementations use),
    and the click map's scores on the click macros when the extractor has one."""

    def _build(self, lr_schedule) -> None:
        super()._build(lr_schedule)
        extractor = self.features_extractor
        if getattr(extractor, "click", None) is not None:
            if self.action_space.n < FIRST_CLICK + CLICK_CELLS:
                raise ValueError(f"a click map needs simagym's macros ({FIRST_CLICK + CLICK_CELLS}+ actions),"
                                 f" got {self.action_space.n} actions")
            self.action_net = ClickHead(extractor.fused_dim, self.action_space.n)
            # _build made the optimiser before this head existed: make it again over every parameter.
            self.optimizer = self.optimizer_class(self.parameters(), lr=lr_schedule(1), **self.optimizer_kwargs)
        head = self.action_net.linear if isinstance(self.action_net, ClickHead) else self.action_net
        nn.init.orthogonal_(head.weight, gain=0.01)
        nn.init.zeros_(head.bias)


def build_policy(observation_space: spaces.Dict, action_space: gym.spaces.Discrete, arch: dict[str, Any],
                 text_dir: str | Path, text_weights: bool, lr: float = 3e-4) -> InstructedPolicy:
    return InstructedPolicy(observation_space, action_space, lambda _: lr, **policy_kwargs(arch, text_dir, text_weights))


def logits(policy: ActorCriticPolicy, pixels: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
    """Macro logits from pixels (either form :meth:`InstructedCNN.features` takes) and a text embedding
    (the BC and agent path)."""
    extractor: InstructedCNN = policy.features_extractor
    latent_pi, _ = policy.mlp_extractor(extractor.features(pixels, text))
    return policy.action_net(latent_pi)


def stack_indices(index: np.ndarray, episode_start: np.ndarray, k: int) -> np.ndarray:
    """Frame indices (B, K) of the K-frame stacks ending at ``index``, oldest first.

    Frames before an episode's start repeat its first frame, as the env wrapper does at reset.
    """
    offsets = np.arange(-(k - 1), 1)
    return np.maximum(index[:, None] + offsets[None, :], episode_start[:, None])


def to_pixels(stacked: np.ndarray | torch.Tensor) -> torch.Tensor:
    """uint8 (B, K, H, W, 3) frames -> float (B, 3K, H, W) in [0, 1], oldest frame first."""
    x = torch.as_tensor(stacked)
    b, k, h, w, c = x.shape
    return x.permute(0, 1, 4, 2, 3).reshape(b, k * c, h, w).float().div_(255.0)
