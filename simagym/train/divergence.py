"""Training that diverged stops with an error instead of saving a broken agent.

A learning rate that is far too high (``--lr inf``, ``1e30``) makes the loss or the
weights NaN or infinite within a few updates; nothing useful can come after, so BC
and PPO check both and raise :class:`TrainingDiverged` (a :class:`ConfigError`: it
names the setting to change), and no checkpoint is written.
"""

from __future__ import annotations

import math

import torch

from simagym.train.config import ConfigError


class TrainingDiverged(ConfigError):
    """The loss or the weights became NaN or infinite."""


def finite_weights(module: torch.nn.Module) -> bool:
    return all(bool(torch.isfinite(p).all()) for p in module.parameters())


def check_loss(loss: float, *, stage: str, update: int, setting: str, value: float) -> None:
    if not math.isfinite(loss):
        raise TrainingDiverged(f"{setting}: {stage} diverged at update {update} (loss {loss}) with {setting} {value:g};"
                               f" lower it and train again (nothing was saved)")


def check_weights(module: torch.nn.Module, *, stage: str, update: int, setting: str, value: float) -> None:
    if not finite_weights(module):
        raise TrainingDiverged(f"{setting}: {stage} diverged at update {update} (NaN or infinite weights) with"
                               f" {setting} {value:g}; lower it and train again (nothing was saved)")
