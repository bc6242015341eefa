"""PPO (Stable-Baselines3) with the same policy, over a multi-process vector env.

The env pipeline is :func:`simagym.train.envs.make_env` (tasks, macros,
instruction ids with the run's tokenizer, stacked frames); with
``init_state`` the policy starts from behaviour-cloned weights (``--algo bc+ppo``).
Reward is the task's sparse success reward.

Fine-tuning a behaviour-cloned policy must not make it worse. Two SB3 callbacks
guard it: :class:`ValueWarmup` trains only the value head for the first env
steps (the BC policy never trained one, and a random value makes PPO's first
advantages noise that the shared trunk would follow), and :class:`KLToReference`
makes each step's reward pay ``kl_coef * (log pi(a|s) - log pi_BC(a|s))``, whose
expectation is the KL divergence to the frozen starting policy (the penalty RLHF
uses), so PPO moves away from BC only where the task's reward pays for it.
"""

from __future__ import annotations

import copy
import time
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import torch
from stable_baselines3 import PPO
from stable_baselines3.common.callbacks import BaseCallback, CallbackList
from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv, VecEnv, VecMonitor

from simagym.train.divergence import check_loss, check_weights
from simagym.train.envs import env_factories
from simagym.train.policy import InstructedPolicy, policy_kwargs


class _Budget(BaseCallback):
    """Reports progress, saves snapshots, and stops at the wall-clock budget."""

    def __init__(self, total: int, time_budget: float | None, on_progress: Callable[[float, dict], None] | None,
                 on_snapshot: Callable[[float], None] | None, snapshot_seconds: float | None) -> None:
        super().__init__()
        self.total, self.time_budget = total, time_budget
        self.on_progress, self.on_snapshot, self.snapshot_seconds = on_progress, on_snapshot, snapshot_seconds
        self.t0 = self.last_snap = time.monotonic()
        self.successes: list[float] = []
        self.stopped_by = "steps"

    def _on_step(self) -> bool:
        for info in self.locals.get("infos", []):
            if "is_success" in info:
                self.successes.append(float(info["is_success"]))
        elapsed = time.monotonic() - self.t0
        progress = max(self.num_timesteps / self.total, elapsed / self.time_budget if self.time_budget else 0.0)
        if self.on_progress is not None:
            recent = self.successes[-100:]
            self.on_progress(min(1.0, progress), {
                "samples": self.num_timesteps, "seconds": elapsed,
                "samples_per_s": self.num_timesteps / max(elapsed, 1e-9),
                "success": sum(recent) / len(recent) if recent else float("nan"),
            })
        now = time.monotonic()
        if self.on_snapshot is not None and self.snapshot_seconds and now - self.last_snap >= self.snapshot_seconds:
            self.on_snapshot(elapsed)
            self.last_snap = now
        if self.time_budget and elapsed >= self.time_budget:
            self.stopped_by = "clock"
            return False
        # SB3 itself stops at the step budget, after training on the last rollout: stopping here would drop it.
        return True


class StopIfDiverged(BaseCallback):
    """Raises :class:`TrainingDiverged` when an update left NaN or infinite weights or loss.

    Checked before each rollout (after the update before it) and once more after the last update,
    so a diverged policy never plays, is never snapshotted and never returned."""

    def __init__(self, lr: float) -> None:
        super().__init__()
        self.lr = lr

    def check(self) -> None:
        where = {"stage": "PPO", "update": self.model._n_updates, "setting": "ppo_lr", "value": self.lr}
        loss = self.model.logger.name_to_value.get("train/loss")
        if loss is not None:
            check_loss(float(loss), **where)
        check_weights(self.model.policy, **where)

    def _on_rollout_start(self) -> None:
        self.check()

    def _on_training_end(self) -> None:
        self.check()

    def _on_step(self) -> bool:
        return True


class ValueWarmup(BaseCallback):
    """Until ``steps`` env steps, PPO's updates change only the value head.

    Everything else stops requiring gradients for those updates; SB3's optimiser leaves
    parameters without gradients untouched. Parameters frozen anyway (``freeze_text``) stay frozen.
    """

    def __init__(self, steps: int) -> None:
        super().__init__()
        self.steps = steps
        self._trainable: dict[str, bool] = {}

    def _on_training_start(self) -> None:
        self._trainable = {name: p.requires_grad for name, p in self.model.policy.named_parameters()}

    def _on_rollout_end(self) -> None:  # the update comes next
        warming = self.num_timesteps <= self.steps
        for name, p in self.model.policy.named_parameters():
            p.requires_grad_(self._trainable[name] and (not warming or name.startswith("value_net.")))
        self.logger.record("train/value_warmup", float(warming))

    def _on_training_end(self) -> None:  # training may end inside the warm-up
        for name, p in self.model.policy.named_parameters():
            p.requires_grad_(self._trainable[name])

    def _on_step(self) -> bool:
        return True


class KLToReference(BaseCallback):
    """Each step's reward pays ``coef * (log pi(a|s) - log pi_ref(a|s))`` for the action taken.

    Applied to the whole rollout at once (one batched pass of the reference policy), then
    SB3's returns and advantages are computed again from the penalised rewards.
    """

    def __init__(self, reference: InstructedPolicy, coef: float, chunk: int = 256) -> None:
        super().__init__()
        self.reference, self.coef, self.chunk = reference, coef, chunk

    def _on_rollout_end(self) -> None:
        buffer = self.model.rollout_buffer
        n = buffer.buffer_size * buffer.n_envs
        device = self.reference.device

        def flat(x: np.ndarray) -> np.ndarray:  # (steps, envs, ...) -> (steps * envs, ...)
            return x.reshape(n, *x.shape[2:])

        obs = buffer.observations  # a dict of arrays for dict spaces (ours), else one array
        obs = {k: flat(v) for k, v in obs.items()} if isinstance(obs, dict) else flat(obs)
        actions = buffer.actions.reshape(n)
        ref_log_prob = np.empty(n, np.float32)
        with torch.no_grad():
            for i in range(0, n, self.chunk):
                part = slice(i, i + self.chunk)
                rows = ({k: torch.as_tensor(v[part], device=device) for k, v in obs.items()}
                        if isinstance(obs, dict) else torch.as_tensor(obs[part], device=device))
                dist = self.reference.get_distribution(rows)
                ref_log_prob[part] = dist.log_prob(torch.as_tensor(actions[part], device=device)).cpu().numpy()
        log_ratio = buffer.log_probs - ref_log_prob.reshape(buffer.log_probs.shape)
        buffer.rewards -= self.coef * log_ratio
        buffer.compute_returns_and_advantage(last_values=self.locals["values"], dones=self.locals["dones"])
        self.logger.record("train/kl_to_reference", float(log_ratio.mean()))

    def _on_step(self) -> bool:
        return True


def make_vec_env(task_ids: Sequence[str], text_dir: Path, *, max_tokens: int, no_language: bool, frame_stack: int,
                 n_envs: int, resolution: int = 64) -> VecEnv:
    """``n_envs`` training envs; one process each when there are several (spawned: no inherited SDL state)."""
    fns = env_factories(task_ids, str(text_dir), max_tokens, no_language, frame_stack, n_envs, resolution)
    vec = SubprocVecEnv(fns, start_method="spawn") if n_envs > 1 else DummyVecEnv(fns)
    return VecMonitor(vec, info_keywords=("is_success",))


def train_ppo(task_ids: Sequence[str], text_dir: Path, arch: dict[str, Any], *, max_tokens: int,
              no_language: bool, frame_stack: int, steps: int, n_envs: int = 2, n_steps: int = 256,
              batch_size: int = 128, epochs: int = 4, lr: float = 2.5e-4, gamma: float = 0.99,
              gae_lambda: float = 0.95, clip_range: float = 0.2, ent_coef: float = 0.01, seed: int = 0,
              init_state: dict[str, torch.Tensor] | None = None, kl_coef: float = 0.0, value_warmup: int = 0,
              tensorboard: Path | None = None,
              time_budget: float | None = None, resolution: int = 64,
              on_progress: Callable[[float, dict], None] | None = None,
              on_snapshot: Callable[[Any, float], None] | None = None, snapshot_seconds: float | None = None,
              device: torch.device | str = "cpu") -> tuple[InstructedPolicy, dict[str, float]]:
    """Run PPO for ``steps`` env steps (or ``time_budget`` seconds) on ``device``; return the trained policy
    and stats.

    With ``init_state`` (a behaviour-cloned policy), ``kl_coef`` and ``value_warmup`` keep
    fine-tuning close to it (see the module's docstring); without, there is nothing to stay close to.
    """
    from simagym.train.bc import reuse_freed_memory

    reuse_freed_memory()
    vec = make_vec_env(task_ids, text_dir, max_tokens=max_tokens, no_language=no_language,
                       frame_stack=frame_stack, n_envs=n_envs, resolution=resolution)
    try:
        model = PPO(
            InstructedPolicy, vec, learning_rate=lr, n_steps=n_steps, batch_size=batch_size, n_epochs=epochs,
            gamma=gamma, gae_lambda=gae_lambda, clip_range=clip_range, ent_coef=ent_coef, seed=seed,
            policy_kwargs=policy_kwargs(arch, text_dir, text_weights=True), device=device, verbose=0,
            tensorboard_log=str(tensorboard) if tensorboard else None,
        )
        callbacks: list[BaseCallback] = []
        if init_state is not None:
            model.policy.load_state_dict(init_state)
            if kl_coef > 0:
                reference = copy.deepcopy(model.policy).eval()
                reference.requires_grad_(False)
                callbacks.append(KLToReference(reference, kl_coef))
            if value_warmup > 0:
                callbacks.append(ValueWarmup(value_warmup))
        snap = (lambda elapsed: on_snapshot(model.policy, elapsed)) if on_snapshot else None
        budget = _Budget(steps, time_budget, on_progress, snap, snapshot_seconds)
        model.learn(total_timesteps=steps, callback=CallbackList([StopIfDiverged(lr), *callbacks, budget]),
                    tb_log_name="ppo",
                    progress_bar=False)
    finally:
        vec.close()
    elapsed = time.monotonic() - budget.t0
    recent = budget.successes[-200:]
    stats = {"samples": model.num_timesteps, "seconds": elapsed,
             "samples_per_s": model.num_timesteps / max(elapsed, 1e-9),
             "train_success": sum(recent) / len(recent) if recent else float("nan"), "stopped_by": budget.stopped_by}
    model.policy.eval()
    return model.policy, stats
