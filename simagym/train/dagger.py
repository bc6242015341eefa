"""DAgger with the oracle as the expert (``--algo dagger``), read top to bottom (cleanrl style).

Behaviour cloning learns only the states the oracle visits; a learner that drifts
off them meets states nobody taught it, and its errors compound. Our oracle can
label *any* state (SIMA's human data could not), so:

0. behaviour cloning on oracle demonstrations (the pipeline's BC stage, as for ``--algo bc``);
1. each round, roll out the current policy in the training tasks - sampling, as it
   plays in evaluation; with probability ``beta`` (decaying every round) a step
   executes the oracle's macro instead - and label every visited frame with the
   oracle's macro for that state (:mod:`simagym.train.rollouts`);
2. aggregate: append those frames, uint8 and stored once, to the dataset;
3. continue behaviour cloning on everything aggregated so far.

The whole configuration is :class:`simagym.train.config.TrainConfig`'s ``dagger_*``
fields (plus BC's batch size, dropouts and weight decay). With a wall-clock
deadline, every round gets an equal share of the time left; its rollouts may use
at most half of that share.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from simagym.train.bc import BCData, train_bc
from simagym.train.rollouts import rollouts, worker_pool

if TYPE_CHECKING:
    from simagym.train.config import TrainConfig
    from simagym.train.text import InstructionCodec


class Aggregate:
    """DAgger's growing dataset: new frames are appended to one uint8 buffer that grows
    geometrically, so the frames gathered so far are copied now and then, not every round."""

    def __init__(self, data: BCData) -> None:
        self._frames, self._ids, self._actions = data.frames, data.instruction_ids, data.actions
        self._starts = [np.asarray(data.episode_starts, np.int64)]
        self.size = len(data)

    def add(self, frames: np.ndarray, instruction_ids: np.ndarray, actions: np.ndarray,
            episode_starts: np.ndarray) -> None:
        end = self.size + len(frames)
        if end > len(self._frames):
            capacity = max(end, int(1.5 * len(self._frames)))
            self._frames, self._ids, self._actions = (_grown(a, self.size, capacity)
                                                      for a in (self._frames, self._ids, self._actions))
        self._frames[self.size:end] = frames
        self._ids[self.size:end] = instruction_ids
        self._actions[self.size:end] = actions
        self._starts.append(np.asarray(episode_starts, np.int64) + self.size)
        self.size = end

    def data(self) -> BCData:
        """Everything so far, as views (no copy)."""
        return BCData(frames=self._frames[:self.size], instruction_ids=self._ids[:self.size],
                      actions=self._actions[:self.size], episode_starts=np.concatenate(self._starts))


def _grown(array: np.ndarray, used: int, capacity: int) -> np.ndarray:
    out = np.empty((capacity, *array.shape[1:]), array.dtype)
    out[:used] = array[:used]
    return out


def train_dagger(cfg: "TrainConfig", policy, data: BCData, *, codec: "InstructionCodec",
                 save_policy: Callable[[Path], Path], work_dir: Path, deadline: float | None = None, writer=None,
                 on_round: Callable[[int, dict[str, Any]], None] | None = None, device="cpu") -> dict[str, Any]:
    """``cfg.dagger_rounds`` rounds on ``policy`` (already behaviour-cloned on ``data``), in place.

    ``save_policy(folder)`` writes the current policy as a checkpoint the rollout
    workers load (``work_dir/round-<r>``: the policy that played round r).
    ``codec`` is the run's :class:`simagym.train.text.InstructionCodec`; BC trains on ``device``,
    rollouts play on the CPU (one torch thread per worker). Returns
    per-round statistics and ``stopped_by`` (``"clock"`` when the deadline cut a round short).
    """
    aggregate = Aggregate(data)
    word_dropout = 0.0 if cfg.no_language else cfg.word_dropout
    cfg_dropout = 0.0 if cfg.no_language else cfg.cfg_dropout
    blank_ids = codec.ids("")  # the empty instruction: what --no-language encodes
    stats: dict[str, Any] = {"rounds": [], "stopped_by": "steps"}
    pool = worker_pool(cfg.demo_workers)  # kept for every round: torch loads once per worker
    try:
        for r in range(1, cfg.dagger_rounds + 1):
            t0 = time.monotonic()
            if deadline is not None and t0 >= deadline:
                stats["stopped_by"] = "clock"
                break
            round_end = None if deadline is None else t0 + (deadline - t0) / (cfg.dagger_rounds - r + 1)
            rollouts_end = None if round_end is None else t0 + (round_end - t0) / 2
            beta = cfg.dagger_beta * cfg.dagger_beta_decay ** (r - 1)

            # 1. Roll out the current policy; the oracle labels every state it reaches.
            learner = save_policy(work_dir / f"round-{r}")
            new = rollouts(
                str(learner), cfg.tasks, cfg.dagger_episodes, seed=cfg.seed, round_index=r, beta=beta,
                resolution=cfg.resolution, pool=pool, workers=cfg.demo_workers, agent_options={"device": "cpu"},
                should_stop=(lambda: time.monotonic() > rollouts_end) if rollouts_end else None)
            rollout_s = time.monotonic() - t0
            demos = new.demos

            # 2. Aggregate.
            ids = codec.ids_many(demos.instructions)  # one row per episode
            aggregate.add(demos.frames, demos.per_frame(ids), demos.actions, demos.episode_starts)

            # 3. Continue behaviour cloning on everything so far.
            budget = None if round_end is None else max(1.0, round_end - time.monotonic())
            bc = train_bc(policy, aggregate.data(), frame_stack=cfg.frame_stack, steps=cfg.dagger_bc_steps,
                          batch_size=cfg.batch_size, lr=cfg.dagger_lr, weight_decay=cfg.weight_decay,
                          val_fraction=cfg.val_fraction, seed=cfg.seed + r, word_dropout=word_dropout,
                          cfg_dropout=cfg_dropout, blank_ids=blank_ids, hidden_id=codec.unk_id,
                          action_balance=cfg.action_balance, keyframe_weight=cfg.keyframe_weight, time_budget=budget,
                          device=device)

            row = {"round": r, "beta": beta, "episodes": demos.episodes, "frames": len(demos),
                   "success": float(demos.successes.mean()),  # of the (mixed) rollouts, before this round's BC
                   "agreement": float(np.mean(new.learner == demos.actions)),  # learner's choice == label
                   "dataset_frames": aggregate.size, "rollout_s": rollout_s,
                   "bc_samples": bc["samples"], "bc_accuracy": bc["accuracy"], "seconds": time.monotonic() - t0}
            if demos.episodes < cfg.dagger_episodes or bc["stopped_by"] == "clock":
                stats["stopped_by"] = "clock"
            stats["rounds"].append(row)
            if writer is not None:
                for key in ("success", "agreement", "dataset_frames", "bc_accuracy", "beta"):
                    writer.add_scalar(f"dagger/{key}", row[key], r)
            if on_round is not None:
                on_round(r, row)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    policy.eval()
    return stats
