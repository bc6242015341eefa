"""Behaviour cloning: fit the policy's macro logits to demonstrated actions.

Read top to bottom (cleanrl style): the data, the split, the optimiser and its
schedule, the loop. The input is plain arrays (:class:`BCData`), so any source
of demonstrations - the oracle (:mod:`simagym.train.demos`) or recorded human
play - trains the same way.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import math
import sys
import time
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from simagym.train.divergence import check_loss, check_weights
from simagym.train.policy import logits, stack_indices


@dataclass
class BCData:
    """Demonstrations as arrays; frame ``i`` was seen when ``actions[i]`` was chosen.

    ``episode_starts`` (sorted, first is 0) marks where each episode begins, so
    frame stacks never reach back into the previous episode.
    """

    frames: np.ndarray  # (N, H, W, 3) uint8
    instruction_ids: np.ndarray  # (N, L) int token ids (padded)
    actions: np.ndarray  # (N,) int macro indices
    episode_starts: np.ndarray  # (E,) int

    def __post_init__(self) -> None:
        n = len(self.actions)
        if self.frames.ndim != 4 or self.frames.shape[-1] != 3 or self.frames.dtype != np.uint8:
            raise ValueError(f"frames must be uint8 (N, H, W, 3), got {self.frames.dtype} {self.frames.shape}")
        if len(self.frames) != n or len(self.instruction_ids) != n:
            raise ValueError(f"frames ({len(self.frames)}), instruction_ids ({len(self.instruction_ids)}) and "
                             f"actions ({n}) must have one row per frame")
        starts = np.asarray(self.episode_starts)
        if n == 0 or len(starts) == 0 or starts[0] != 0 or np.any(np.diff(starts) <= 0) or starts[-1] >= n:
            raise ValueError("episode_starts must begin at 0, increase strictly and stay below the frame count")

    def __len__(self) -> int:
        return len(self.actions)

    @classmethod
    def from_texts(cls, frames: np.ndarray, instructions: Sequence[str], actions: np.ndarray,
                   episode_starts: np.ndarray, encode_many: Callable[[Sequence[str]], np.ndarray]) -> "BCData":
        """From instruction *texts*, one per frame (e.g. ``simagym.recording.load_demonstrations``).

        ``encode_many`` is the run's tokenizer, e.g. ``InstructionCodec.ids_many``;
        each distinct text is encoded once. ``episode_starts`` are indices, or a
        boolean mask that is True on each episode's first frame.
        """
        starts = np.asarray(episode_starts)
        if starts.dtype == bool:
            starts = np.flatnonzero(starts)
        texts, inverse = np.unique(np.asarray(instructions, dtype=object).astype(str), return_inverse=True)
        ids = np.asarray(encode_many(list(texts)))[inverse]
        return cls(frames=frames, instruction_ids=ids, actions=np.asarray(actions), episode_starts=starts)

    def frame_starts(self) -> np.ndarray:
        """For each frame, the index of its episode's first frame."""
        lengths = np.diff(np.append(self.episode_starts, len(self.actions)))
        return np.repeat(self.episode_starts, lengths)

    def episode_of(self) -> np.ndarray:
        lengths = np.diff(np.append(self.episode_starts, len(self.actions)))
        return np.repeat(np.arange(len(self.episode_starts)), lengths)


def batch(data: BCData, index: np.ndarray, starts: np.ndarray, frame_stack: int,
          device: torch.device | str = "cpu") -> tuple[torch.Tensor, ...]:
    """(frames uint8 (B, K, H, W, 3), ids (B, L), actions (B,)) for frame indices ``index``.

    The stacks stay uint8 frames, gathered in one fancy index from frames stored once: the policy
    reads them as they are (see ``InstructedCNN.features``), so no permuted, scaled float stack is
    built here; the stem turns them into floats once, in its patch matrix.
    """
    stacks = torch.from_numpy(data.frames[stack_indices(index, starts[index], frame_stack)])
    ids = torch.from_numpy(np.asarray(data.instruction_ids[index], np.int64))
    actions = torch.from_numpy(np.asarray(data.actions[index], np.int64))
    return stacks.to(device), ids.to(device), actions.to(device)


@torch.no_grad()
def accuracy(policy, data: BCData, index: np.ndarray, starts: np.ndarray, frame_stack: int,
             batch_size: int = 512, device: torch.device | str = "cpu") -> float:
    policy.eval()
    correct = 0
    for i in range(0, len(index), batch_size):
        frames, ids, actions = batch(data, index[i:i + batch_size], starts, frame_stack, device)
        text = policy.features_extractor.embed(ids)
        correct += int((logits(policy, frames, text).argmax(1) == actions).sum())
    policy.train()
    return correct / max(1, len(index))


def action_weights(actions: np.ndarray, train_index: np.ndarray, power: float) -> np.ndarray:
    """A loss weight per frame: its macro's count among the training frames to the power ``-power``,
    scaled so the training frames' weights average 1 (0: all 1)."""
    counts = np.bincount(np.asarray(actions)[train_index], minlength=int(np.max(actions)) + 1).astype(np.float64)
    per_macro = np.maximum(counts, 1.0) ** -power
    weights = per_macro[actions]
    return (weights / weights[train_index].mean()).astype(np.float32)


def keyframes(actions: np.ndarray, episode_starts: np.ndarray) -> np.ndarray:
    """True on each frame whose demonstrated macro differs from the one before it in its episode: the
    moments of decision (turn, pick up, stop) between runs of the same macro."""
    actions = np.asarray(actions)
    changed = np.ones(len(actions), bool)
    changed[1:] = actions[1:] != actions[:-1]
    changed[np.asarray(episode_starts)] = False  # an episode's first frame follows no macro
    return changed


def frame_weights(data: "BCData", train_index: np.ndarray, action_balance: float = 0.0,
                  keyframe_weight: float = 0.0) -> np.ndarray | None:
    """BC's loss weight per frame, averaging 1 over the training frames; None when every frame counts alike.

    ``action_balance`` P: the frame's macro's frequency ** -P (:func:`action_weights`). ``keyframe_weight``
    K: a keyframe (:func:`keyframes`) counts 1 + K times. The frame stack shows the agent how it was
    moving, and a policy that has learnt "keep doing what the last frames show" is right on almost
    every frame and wrong exactly where the demonstrator changed its mind (the copycat problem of
    imitation from histories; weighting the changes is the remedy of keyframe-focused imitation,
    Wen et al., 2021).
    """
    if not action_balance and not keyframe_weight:
        return None
    weights = np.ones(len(data), np.float64)
    if action_balance:
        weights *= action_weights(data.actions, train_index, action_balance)
    if keyframe_weight:
        weights *= np.where(keyframes(data.actions, data.episode_starts), 1.0 + keyframe_weight, 1.0)
    return (weights / weights[train_index].mean()).astype(np.float32)


def reuse_freed_memory() -> None:
    """Ask glibc to keep freed memory instead of returning it to the OS after every batch.

    Each update allocates and frees tens of MB (the stem's float patch matrix,
    the convolutions' buffers); by default glibc maps and unmaps these,
    and the page faults cost about a third of BC's time on this machine
    (measured: ~850 -> ~1,250 samples/s). No-op outside glibc.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        m_trim_threshold, m_mmap_threshold = -1, -3
        libc.mallopt(m_mmap_threshold, 256 << 20)
        libc.mallopt(m_trim_threshold, 1 << 30)
    except (OSError, AttributeError):
        pass


def train_bc(policy, data: BCData, *, frame_stack: int, steps: int, batch_size: int = 128, lr: float = 1e-3,
             weight_decay: float = 1e-4, val_fraction: float = 0.05, seed: int = 0, word_dropout: float = 0.0,
             cfg_dropout: float = 0.0, blank_ids: np.ndarray | None = None, hidden_id: int | None = None,
             action_balance: float = 0.0, keyframe_weight: float = 0.0, time_budget: float | None = None, writer=None,
             on_progress: Callable[[float, dict[str, float]], None] | None = None,
             on_snapshot: Callable[[float], None] | None = None, snapshot_seconds: float | None = None,
             device: torch.device | str = "cpu") -> dict[str, float]:
    """Train ``policy`` (an SB3 ``ActorCriticPolicy``) in place on ``data``.

    ``steps`` counts training samples (updates x batch size). ``action_balance`` P weighs each frame's
    loss by its macro's frequency among the training frames to the power -P (:func:`action_weights`);
    ``keyframe_weight`` K counts each frame where the demonstrated macro changes 1 + K times
    (:func:`frame_weights`). Training ends at
    ``steps`` or after ``time_budget`` seconds, whichever comes first. The
    learning-rate schedule follows the samples alone, never the clock, so the
    result is the same for the same data and seed on any machine, unless the
    clock ends training first (``stopped_by`` in the returned metrics is then
    ``"clock"``). ``word_dropout``
    hides each instruction token with this probability (as ``hidden_id``, the
    tokenizer's ``[UNK]``, which is what a word never seen in training becomes;
    as padding when None), so the
    policy cannot lean on one exact phrasing. ``cfg_dropout`` replaces the whole
    instruction by ``blank_ids`` (what ``--no-language`` encodes) for this fraction of
    samples, so the same policy also learns to act without language: classifier-free
    guidance contrasts the two at play time. ``policy`` is moved to ``device``;
    batches are gathered on the CPU and sent there. A loss or weights that become NaN or
    infinite raise :class:`~simagym.train.divergence.TrainingDiverged`.
    """
    if cfg_dropout and blank_ids is None:
        raise ValueError("cfg_dropout needs blank_ids: the token ids of the empty instruction")
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    reuse_freed_memory()
    device = torch.device(device)
    policy.to(device)

    # 1. Hold out whole episodes for validation (frames of one episode are near duplicates).
    episode = data.episode_of()
    n_episodes = len(data.episode_starts)
    n_val = int(round(val_fraction * n_episodes)) if n_episodes >= 20 else 0
    val_episodes = rng.permutation(n_episodes)[:n_val]
    is_val = np.isin(episode, val_episodes)
    train_index, val_index = np.flatnonzero(~is_val), np.flatnonzero(is_val)
    starts = data.frame_starts()
    weighted = frame_weights(data, train_index, action_balance, keyframe_weight)
    weights = None if weighted is None else torch.from_numpy(weighted)

    # 2. Optimiser: AdamW over the whole policy (CNN, FiLM, text encoder, heads); warm-up then cosine decay.
    params = [p for p in policy.parameters() if p.requires_grad]
    # The fused kernel updates every tensor in one pass (the per-tensor loop cost ~5% of an update).
    optimizer = torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay, fused=True)
    warmup = 0.03

    def lr_at(progress: float) -> float:
        if progress < warmup:
            return lr * (0.1 + 0.9 * progress / warmup)
        t = (progress - warmup) / (1 - warmup)
        return lr * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * min(1.0, t))))

    # 3. The loop: shuffled passes over the training frames.
    policy.train()
    t0 = last_log = last_snap = time.monotonic()
    samples, updates, progress, out_of_time = 0, 0, 0.0, False
    order, cursor = rng.permutation(train_index), 0
    running_loss, running_acc = 0.0, 0.0
    metrics: dict[str, float] = {}
    while progress < 1.0 and not out_of_time:
        if cursor + batch_size > len(order):
            order, cursor = rng.permutation(train_index), 0
        index = np.sort(order[cursor:cursor + batch_size])  # sorted: friendlier memory access
        cursor += batch_size

        frames, ids, actions = batch(data, index, starts, frame_stack, device)
        if word_dropout:
            pad = policy.features_extractor.text.pad_id
            # Drawn on the CPU whatever the device, so the same seed hides the same tokens everywhere.
            hide = (torch.rand(ids.shape) < word_dropout).to(device) & (ids != pad)
            hide[:, 0] = False  # the first token ([CLS]) stays, so no instruction vanishes entirely
            ids = ids.masked_fill(hide, pad if hidden_id is None else hidden_id)
        if cfg_dropout:  # after word dropout, so a blanked instruction is exactly the blank one
            # Drawn on the CPU whatever the device, as word dropout is.
            blank = (torch.rand(len(ids)) < cfg_dropout).to(device)
            ids[blank] = torch.as_tensor(blank_ids, dtype=ids.dtype, device=device)
        out = logits(policy, frames, policy.features_extractor.embed(ids))
        if weights is None:
            loss = F.cross_entropy(out, actions)
        else:  # a weighted mean: the loss keeps its scale, rare macros count more within it
            w = weights[torch.from_numpy(index)].to(device)
            loss = (F.cross_entropy(out, actions, reduction="none") * w).sum() / w.sum()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()

        samples += len(index)
        updates += 1
        elapsed = time.monotonic() - t0
        progress = samples / steps
        out_of_time = time_budget is not None and elapsed >= time_budget
        for group in optimizer.param_groups:
            group["lr"] = lr_at(min(progress, 1.0))
        loss_value = loss.item()
        check_loss(loss_value, stage="behaviour cloning", update=updates, setting="lr", value=lr)
        running_loss = 0.95 * running_loss + 0.05 * loss_value if updates > 1 else loss_value
        acc = float((out.argmax(1) == actions).float().mean())
        running_acc = 0.95 * running_acc + 0.05 * acc if updates > 1 else acc

        now = time.monotonic()
        if writer is not None and (now - last_log > 5 or progress >= 1.0 or out_of_time):
            writer.add_scalar("bc/loss", running_loss, samples)
            writer.add_scalar("bc/accuracy", running_acc, samples)
            writer.add_scalar("bc/lr", optimizer.param_groups[0]["lr"], samples)
            writer.add_scalar("bc/samples_per_s", samples / max(elapsed, 1e-9), samples)
            last_log = now
        metrics = {"loss": running_loss, "accuracy": running_acc, "samples": samples, "updates": updates,
                   "seconds": elapsed, "samples_per_s": samples / max(elapsed, 1e-9)}
        if on_progress is not None:
            shown = max(progress, elapsed / time_budget if time_budget else 0.0)  # the bar: whichever ends first
            on_progress(min(shown, 1.0), metrics)
        if on_snapshot is not None and snapshot_seconds and now - last_snap >= snapshot_seconds:
            check_weights(policy, stage="behaviour cloning", update=updates, setting="lr", value=lr)
            on_snapshot(elapsed)
            last_snap = now

    check_weights(policy, stage="behaviour cloning", update=updates, setting="lr", value=lr)  # the last update's
    metrics["stopped_by"] = "clock" if progress < 1.0 else "steps"
    # 4. Validation accuracy on held-out episodes (a sanity check, not the success rate).
    if len(val_index):
        metrics["val_accuracy"] = accuracy(policy, data, val_index[:4096], starts, frame_stack, device=device)
        if writer is not None:
            writer.add_scalar("bc/val_accuracy", metrics["val_accuracy"], samples)
    policy.eval()
    return metrics
