"""The whole configuration of a training run, in one dataclass.

Saved resolved (every default filled in, task patterns expanded) as
``config.json`` in the run folder, so a run can be read - and repeated - from
that file alone.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

ALGOS = ("bc", "ppo", "bc+ppo", "dagger")
DEFAULT_SUITE = "train-default"
CONFIG_FILE = "config.json"


#: The default run's wall-clock cap: its step budgets (demonstrations, BC samples) fit in it on this
#: project's 2-core machine, and ``--minutes M`` alone scales them to M (see :meth:`TrainConfig.for_minutes`).
DEFAULT_MINUTES = 13.0
#: Word dropout for the encoder learned from the training phrasings (its words are all it knows).
LEARNED_WORD_DROPOUT = 0.3
#: The most demonstrations a scaled run plays: on the whole catalogue (`core`), balanced by length
#: (``demo_balance`` 0.5), 60,000 noisy oracle episodes are about 1M frames of 12 KB (64x64 RGB, stored
#: once), 12 GB of a 24 GB machine.
MAX_SCALED_DEMOS = 60_000
#: The most demonstration frames a team run keeps (its episodes are as many views as players): the same 12 GB.
MAX_DEMO_FRAMES = 1_000_000


class ConfigError(ValueError):
    """A configuration value that cannot work; the message names the field."""


@dataclass
class TrainConfig:
    # --- what to train on, and where -------------------------------------------------
    algo: Literal["bc", "ppo", "bc+ppo", "dagger"] = "bc"
    suite: str | None = DEFAULT_SUITE  # a bundled suite name or a .yaml path; evaluation uses its seeds
    tasks: list[str] = field(default_factory=list)  # task ids or patterns; resolved to ids before saving
    out: str = ""  # the run folder; resolved to runs/<name> when empty
    seed: int = 0
    minutes: float | None = DEFAULT_MINUTES  # wall-clock cap on training (demos + BC + PPO); evaluation comes after
    init: str | None = None  # a run or checkpoint folder to start from: its weights, text encoder and architecture

    # --- observations -----------------------------------------------------------------
    resolution: int = 64  # the env's default, which `python -m simagym.eval` uses too
    frame_stack: int = 3  # views are partial: a few frames show motion and what just left the view
    no_language: bool = False  # the ablation: every instruction becomes the empty string

    # --- text encoder -------------------------------------------------------------------
    # auto: all-MiniLM-L6-v2 where the optional extra simagym[minilm] is installed, else the learned one;
    # minilm; a local pretrained Hugging Face folder; or None: a tokenizer + tiny BERT made from the run's tasks.
    text_encoder: str | None = "auto"
    tokenizer_vocab: int = 512
    text_hidden: int = 64
    text_layers: int = 2
    text_heads: int = 2
    max_tokens: int = 32
    freeze_text: bool | None = None  # None: by encoder (a pretrained one is frozen, the learned one trains)

    # --- vision and fusion --------------------------------------------------------------
    # A wide stem: each 8x8 patch of the 3 stacked frames (576 values) keeps 48 features, enough for a
    # 5-pixel inventory icon or glyph (16 lost them: bench/results/sima.md, README "What the default run reaches").
    channels: tuple[int, int, int] = (48, 32, 32)
    features_dim: int = 256
    click_map: bool = True  # score each click cell from the feature map under it (see simagym.train.policy)

    # --- behaviour cloning (oracle demonstrations) --------------------------------------
    demos: int = 36000  # oracle episodes (balanced by length: about 310k frames on train-default-v2)
    demo_dir: str | None = None  # a recording folder (python -m simagym.play --record): BC imitates it, not the oracle
    demo_noise: float = 0.2  # chance the demonstrator plays a random move (labels stay the oracle's): recovery data
    # Episodes per task go as (mean episode length) ** -demo_balance: 0 is round-robin, 1 equal frames per task.
    # Between the two, a one-click task gets more episodes (its decisive frame is rare) without starving long ones.
    demo_balance: float = 0.5
    demo_workers: int = 2
    bc_steps: int = 1_100_000  # training samples (updates x batch)
    batch_size: int = 256
    lr: float = 2e-3
    weight_decay: float = 1e-4
    val_fraction: float = 0.05
    # Hide instruction tokens at random in BC (less reliance on one exact phrasing). None: by encoder,
    # LEARNED_WORD_DROPOUT for the learned one, 0 for a pretrained one (it knows words training never showed).
    word_dropout: float | None = None
    # Blank the whole instruction for this fraction of BC samples, so the policy also learns logits(blank):
    # classifier-free guidance (python -m simagym.eval --cfg LAMBDA) needs both. Off by default: guidance
    # did not pay on our measured task sets (bench/results/methods*.md), and 0.1 may cost a few points.
    cfg_dropout: float = 0.0
    # Weigh BC's loss on each frame by its macro's frequency ** -action_balance (0: every frame alike).
    # Walking fills most frames; the decisive macros - stop, use, drop, jump - are a sliver of them,
    # and they are where the trained agent fails (bench/weak_templates.py).
    action_balance: float = 0.0
    # Count each frame where the demonstrated macro changes (the oracle turns, picks up, stops) 1 + this
    # many times in BC's loss: a policy that sees its own motion in the frame stack otherwise learns to
    # keep going, right on every frame but the decisive ones (bench/weak_templates.py).
    keyframe_weight: float = 0.0

    # --- DAgger (--algo dagger: BC, then rounds of learner rollouts relabelled by the oracle) ----
    dagger_rounds: int = 4
    dagger_episodes: int = 400  # learner episodes per round, over the training tasks round-robin
    dagger_bc_steps: int = 100_000  # BC samples per round, on everything aggregated so far
    dagger_lr: float = 1e-3  # each round restarts a short warm-up + cosine schedule from here
    dagger_beta: float = 0.5  # chance a step executes the oracle's macro instead of the learner's, in round 1
    dagger_beta_decay: float = 0.5  # beta of round r = dagger_beta * decay ** (r - 1)

    # --- PPO ----------------------------------------------------------------------------
    ppo_steps: int = 50_000  # environment steps
    n_envs: int = 2
    n_steps: int = 256  # per env per rollout
    ppo_batch: int = 128
    ppo_epochs: int = 4
    ppo_lr: float = 2.5e-4
    gamma: float = 0.99
    gae_lambda: float = 0.95
    clip_range: float = 0.2
    ent_coef: float = 0.01
    # Fine-tuning a BC agent: each step's reward pays kl_coef * (log pi - log pi_BC) (a KL to the frozen
    # starting policy), and the first value_warmup env steps train only the value head, so PPO's first
    # updates follow a value that means something instead of noise.
    ppo_kl_coef: float = 0.05
    ppo_value_warmup: int = 4096

    # --- evaluation after training ------------------------------------------------------
    evaluate: bool = True
    eval_episodes: int | None = None  # seeds per task per phrasing split; None = every seed of the suite
    eval_workers: int = 2

    # --- bookkeeping ----------------------------------------------------------------------
    # Both cores of this project's 2-core machine learn once the demonstrations exist: with the wide stem and
    # batches of 256, two threads did 2,230 samples/s against 1,965 for the former single-threaded default
    # (quiet machine). Idle threads sleep instead of spinning (simagym/train/__init__.py).
    threads: int = 2
    device: str = "auto"  # auto: CUDA when torch.cuda.is_available(), else the CPU; or cpu, cuda, cuda:N
    # Oracle episodes kept on disk across runs: auto ($XDG_CACHE_HOME/simagym/demos), a folder, or None (off).
    demo_cache: str | None = "auto"
    snapshot_seconds: float | None = None  # save a checkpoint every N seconds of training (for curves)
    progress: bool = True

    def for_minutes(self, minutes: float) -> "TrainConfig":
        """This configuration capped at ``minutes``, with the default budgets scaled to fill them:
        BC samples in proportion, demonstrations too (at most :data:`MAX_SCALED_DEMOS`). So
        ``--minutes 60`` trains for about an hour rather than stopping at the 13-minute budgets."""
        factor = minutes / DEFAULT_MINUTES
        return dataclasses.replace(self, minutes=minutes, bc_steps=max(1, round(self.bc_steps * factor)),
                                   demos=max(1, min(MAX_SCALED_DEMOS, round(self.demos * factor))))

    def validate(self) -> "TrainConfig":
        from simagym.train.device import is_device_name

        def need(ok: bool, name: str, message: str) -> None:
            if not ok:
                raise ConfigError(f"{name}: {message}")

        need(type(self.seed) is int and 0 <= self.seed < 2**32, "seed",
             f"must be a whole number from 0 to 2**32 - 1, got {self.seed!r}")
        need(self.algo in ALGOS, "algo", f"must be one of {', '.join(ALGOS)}, got {self.algo!r}")
        need(self.frame_stack >= 1, "frame_stack", "must be >= 1")
        # The stacked pixels are channel-first; SB3 guesses the channel axis as the smallest one.
        need(3 * self.frame_stack < self.resolution, "frame_stack", f"3 x frame_stack must be below the resolution ({self.resolution})")
        need(16 <= self.resolution <= 256, "resolution", "must be between 16 and 256")
        need(self.minutes is None or self.minutes > 0, "minutes", "must be > 0")
        need(self.demos >= 1, "demos", "must be >= 1")
        need(0.0 <= self.demo_noise < 1.0, "demo_noise", "must be in [0, 1)")
        need(0.0 <= self.demo_balance <= 2.0, "demo_balance", "must be in [0, 2] (0: round-robin, 1: equal frames)")
        need(self.word_dropout is None or 0.0 <= self.word_dropout < 1.0, "word_dropout", "must be in [0, 1)")
        need(self.freeze_text is None or isinstance(self.freeze_text, bool), "freeze_text", "must be true or false")
        need(0.0 <= self.cfg_dropout < 1.0, "cfg_dropout", "must be in [0, 1)")
        need(0.0 <= self.action_balance <= 1.0, "action_balance", "must be in [0, 1] (0: every frame alike)")
        need(0.0 <= self.keyframe_weight <= 100.0, "keyframe_weight",
             "must be in [0, 100] (0: a frame where the macro changes counts as any other)")
        need(self.dagger_rounds >= 0, "dagger_rounds", "must be >= 0")
        need(self.dagger_episodes >= 1 and self.dagger_bc_steps >= 1, "dagger", "episodes and steps must be >= 1")
        need(self.dagger_lr > 0, "dagger_lr", "must be > 0")
        need(0.0 <= self.dagger_beta <= 1.0, "dagger_beta", "must be in [0, 1]")
        need(0.0 <= self.dagger_beta_decay <= 1.0, "dagger_beta_decay", "must be in [0, 1]")
        need(self.ppo_kl_coef >= 0, "ppo_kl_coef", "must be >= 0")
        need(self.ppo_value_warmup >= 0, "ppo_value_warmup", "must be >= 0")
        need(self.bc_steps >= 1 and self.ppo_steps >= 1, "steps", "must be >= 1")
        need(self.batch_size >= 2, "batch_size", "must be >= 2")
        need(self.n_envs >= 1, "n_envs", "must be >= 1")
        need(self.n_steps * self.n_envs >= self.ppo_batch, "ppo_batch", "must be <= n_steps x n_envs")
        need(self.max_tokens >= 2, "max_tokens", "must be >= 2")
        need(len(self.channels) == 3 and all(c >= 1 for c in self.channels), "channels", "three positive widths")
        need(self.text_hidden % self.text_heads == 0, "text_hidden", "must be divisible by text_heads")
        need(self.eval_episodes is None or self.eval_episodes >= 1, "eval_episodes", "must be >= 1")
        need(self.threads >= 1, "threads", "must be >= 1")
        need(is_device_name(self.device), "device", f"must be auto, cpu, cuda or cuda:N, got {self.device!r}")
        need(self.suite is not None or bool(self.tasks) or self.demo_dir is not None, "tasks",
             "give --tasks or --suite")
        need(self.demo_dir is None or self.uses_bc, "demo_dir",
             f"recorded demonstrations are for behaviour cloning: use --algo bc, bc+ppo or dagger, not {self.algo}")
        return self

    def with_text_defaults(self) -> "TrainConfig":
        """``freeze_text`` and ``word_dropout`` filled in for the resolved text encoder where left to it:
        a pretrained encoder is frozen and reads whole instructions (it knows words training never
        showed; measured best, README "What the default run reaches"), the learned one trains with
        word dropout. Call after ``text_encoder`` is resolved (``auto`` -> ``minilm`` or None)."""
        freeze = self.text_encoder is not None if self.freeze_text is None else self.freeze_text
        dropout = (0.0 if freeze else LEARNED_WORD_DROPOUT) if self.word_dropout is None else self.word_dropout
        return dataclasses.replace(self, freeze_text=freeze, word_dropout=dropout)

    @property
    def uses_bc(self) -> bool:
        return self.algo in ("bc", "bc+ppo", "dagger")

    @property
    def uses_ppo(self) -> bool:
        return self.algo in ("ppo", "bc+ppo")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["channels"] = list(self.channels)
        return data

    def save(self, folder: Path) -> Path:
        path = Path(folder) / CONFIG_FILE
        path.write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")
        return path

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "TrainConfig":
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"unknown configuration fields: {', '.join(unknown)}")
        from pydantic import TypeAdapter, ValidationError

        try:  # every field's type, strictly ("abc" is no seed, "yes" no boolean), as JSON reads them
            return TypeAdapter(cls).validate_json(json.dumps(data), strict=True).validate()
        except ValidationError as err:
            first = err.errors()[0]
            raise ConfigError(f"{'.'.join(map(str, first['loc']))}: {first['msg']}, got {first['input']!r}") from None

    @classmethod
    def load(cls, path: Path) -> "TrainConfig":
        try:
            return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
        except (OSError, json.JSONDecodeError, TypeError) as err:
            raise ConfigError(f"cannot read the configuration {path}: {err}") from None
