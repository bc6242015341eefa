"""Training speed: oracle demonstrations (frames/s) and behaviour cloning (samples/s), each as a ratio
against a reference measured in the same run, on the same data.

    python bench/train_speed.py [--suite core] [--episodes 720] [--samples 6144] [--rounds 3] [--markdown PATH]

Demonstrations for the suite's tasks, round-robin (``generate``):
  reference - 2 worker processes, no cache (how every run made them before the cache);
  cold      - the same, writing the cache (the first run);
  warm      - read back from the cache (every later run with the same tasks, seed, resolution and noise);
  and the reference once more, to show how much the machine's load moved it.

Behaviour cloning on those demonstrations with the default policy, in interleaved rounds (so a change
in the machine's load hits every variant alike), the median of each:
  reference - the former update: the stem convolution on float pixels (``to_pixels``), per-tensor
              AdamW, 1 torch thread, batch 128 (the former defaults);
  then today's update with today's defaults (1 thread, batch 128), with every core, with every core
  and batch 512 (faster per sample, but it learned less per sample: not the default), and on CUDA
  when there is a GPU.

The machine may be shared: the load average is recorded before and after, and only the ratios
(measured side by side) are comparable between machines or runs.
"""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import simagym.train  # noqa: E402,F401  (first: it sets how idle OpenMP threads wait, before torch loads)

import argparse  # noqa: E402
import contextlib  # noqa: E402
import dataclasses  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import datetime  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


# --- demonstrations ---------------------------------------------------------------------------

def measure_demos(tasks: list[str], episodes: int, workers: int, cache_root: Path):
    from simagym.train.demo_cache import DemoCache
    from simagym.train.demos import generate

    rows = []
    for name, cache in (("reference: 2 workers, no cache", None), ("cold: 2 workers, writing the cache", cache_root),
                        ("warm: read from the cache", cache_root),
                        ("reference again (how much the machine's load moved it)", None)):
        t0 = time.perf_counter()
        demos = generate(tasks, episodes, seed=0, noise=0.2, workers=workers,
                         cache=None if cache is None else DemoCache(cache))
        seconds = time.perf_counter() - t0
        rows.append((name, len(demos), seconds, load()))
        print(f"{name}: {len(demos):,} frames in {seconds:.1f} s = {len(demos) / seconds:,.0f} frames/s"
              f" (load {load()})", flush=True)
    return rows, demos


# --- behaviour cloning ------------------------------------------------------------------------

@contextlib.contextmanager
def former_update():
    """The BC update as it was: float pixels through the stem convolution, per-tensor AdamW."""
    import torch

    from simagym.train import bc, policy

    def batch(data, index, starts, frame_stack, device="cpu"):
        stacks = data.frames[policy.stack_indices(index, starts[index], frame_stack)]
        return (policy.to_pixels(stacks), torch.as_tensor(data.instruction_ids[index]).long(),
                torch.as_tensor(data.actions[index]).long())

    adamw = torch.optim.AdamW

    def per_tensor_adamw(params, **kwargs):
        return adamw(params, **(kwargs | {"fused": False, "foreach": False}))

    saved = bc.batch, policy.InstructedCNN._stem, torch.optim.AdamW
    bc.batch, torch.optim.AdamW = batch, per_tensor_adamw
    policy.InstructedCNN._stem = lambda self, pixels: self.stem(pixels * 2 - 1)
    try:
        yield
    finally:
        bc.batch, policy.InstructedCNN._stem, torch.optim.AdamW = saved


def bc_setup(demos, work: Path):
    import torch
    from gymnasium.spaces import Discrete

    from simagym.macros import MACROS
    from simagym.train.bc import BCData
    from simagym.train.config import TrainConfig
    from simagym.train.policy import build_policy, policy_space
    from simagym.train.text import InstructionCodec, TinyEncoderSpec, load_tokenizer, make_text_folder

    cfg = dataclasses.replace(TrainConfig(), text_encoder=None).with_text_defaults()  # the learned encoder
    text_dir = make_text_folder(work / "text", pretrained=None, vocab_size=cfg.tokenizer_vocab, seed=0,
                                spec=TinyEncoderSpec(cfg.text_hidden, cfg.text_layers, cfg.text_heads,
                                                     2 * cfg.text_hidden, cfg.max_tokens))
    codec = InstructionCodec(load_tokenizer(text_dir), cfg.max_tokens)
    arch = {"channels": list(cfg.channels), "features_dim": cfg.features_dim, "pad_id": codec.pad_id,
            "freeze_text": False}
    torch.manual_seed(0)
    space = policy_space((cfg.resolution, cfg.resolution), cfg.frame_stack, cfg.max_tokens, codec.vocab_size)
    policy = build_policy(space, Discrete(len(MACROS)), arch, text_dir, text_weights=True)
    data = BCData(frames=demos.frames, instruction_ids=demos.per_frame(codec.ids_many(demos.instructions)),
                  actions=demos.actions, episode_starts=demos.episode_starts)
    return cfg, policy, data


def measure_bc(demos, samples: int, rounds: int, work: Path):
    import torch

    from simagym.train.bc import train_bc

    cfg, policy, data = bc_setup(demos, work)
    cores = torch.get_num_threads()
    variants = [("reference: former update, 1 thread, batch 128 (the former defaults)", 1, 128, "cpu", True),
                (f"today's update, {cfg.threads} thread(s), batch {cfg.batch_size} (today's defaults)", cfg.threads,
                 cfg.batch_size, "cpu", False),
                (f"today's update, {cores} threads, batch 128", cores, 128, "cpu", False),
                (f"today's update, {cores} threads, batch 512", cores, 512, "cpu", False)]
    if torch.cuda.is_available():
        variants.append((f"today's update on CUDA ({torch.cuda.get_device_name()}), batch {cfg.batch_size}",
                         cfg.threads, cfg.batch_size, "cuda", False))
    rates: dict[str, list[float]] = {name: [] for name, *_ in variants}
    for r in range(rounds):
        for name, threads, batch_size, device, former in variants:
            torch.set_num_threads(threads)
            with former_update() if former else contextlib.nullcontext():
                stats = train_bc(policy, data, frame_stack=cfg.frame_stack, steps=samples, batch_size=batch_size,
                                 lr=cfg.lr, val_fraction=0.0, seed=r, word_dropout=cfg.word_dropout, device=device)
            policy.to("cpu")
            rates[name].append(stats["samples_per_s"])
            print(f"round {r + 1}: {name}: {stats['samples_per_s']:,.0f} samples/s (load {load()})", flush=True)
    torch.set_num_threads(cores)
    return [(name, rates[name]) for name, *_ in variants]


# --- the table --------------------------------------------------------------------------------

def render(args, demo_rows, bc_rows, loads: tuple[str, str], stamp: str, n_tasks: int) -> list[str]:
    import torch

    ref_fps = demo_rows[0][1] / demo_rows[0][2]
    ref_sps = float(np.median(bc_rows[0][1]))
    lines = [
        "# Training speed: demonstrations and behaviour cloning",
        "",
        f"Measured {stamp} by `python bench/train_speed.py {' '.join(sys.argv[1:])}`".rstrip() + f" on {cpu_name()}"
        f" ({os.cpu_count()} CPUs), Python {platform.python_version()}, torch {torch.__version__}. The machine is"
        f" shared with other jobs: load average (1/5/15 min) {loads[0]} before, {loads[1]} after. Each ratio is"
        " against the reference measured in the same run.",
        "",
        f"## Oracle demonstrations ({args.episodes:,} episodes over {n_tasks} tasks of `{args.suite}`, 64x64, noise 0.2)",
        "",
        "| how | frames | seconds | frames/s | vs reference | load after |",
        "|---|---|---|---|---|---|",
    ]
    for name, frames, seconds, after in demo_rows:
        lines.append(f"| {name} | {frames:,} | {seconds:.1f} | {frames / seconds:,.0f} | {frames / seconds / ref_fps:.2f}x"
                     f" | {after} |")
    lines += [
        "",
        f"## Behaviour cloning (the default policy, {args.samples:,} samples per measurement, median of"
        f" {args.rounds} interleaved rounds)",
        "",
        "| update | samples/s (median) | each round | vs reference |",
        "|---|---|---|---|",
    ]
    for name, rates in bc_rows:
        median = float(np.median(rates))
        lines.append(f"| {name} | {median:,.0f} | {' / '.join(f'{r:,.0f}' for r in rates)} | {median / ref_sps:.2f}x |")
    lines.append("")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", default="core", help="whose tasks the demonstrations cover (default: core)")
    parser.add_argument("--episodes", type=int, default=720, help="demonstration episodes (default: 720)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--samples", type=int, default=6144, help="BC samples per measurement (default: 6144)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--markdown", type=Path, default=RESULTS / "train_speed.md")
    args = parser.parse_args()

    import simagym
    from simagym.eval.suite import load_suite

    tasks = list(load_suite(args.suite, sorted(t.id for t in simagym.list_tasks())).tasks)
    stamp = datetime.now().strftime("%Y-%m-%d %H:%M")
    before = load()
    with tempfile.TemporaryDirectory(prefix="train-speed-") as tmp:
        demo_rows, demos = measure_demos(tasks, args.episodes, args.workers, Path(tmp) / "cache")
        bc_rows = measure_bc(demos, args.samples, args.rounds, Path(tmp))
    lines = render(args, demo_rows, bc_rows, (before, load()), stamp, len(tasks))
    args.markdown.parent.mkdir(parents=True, exist_ok=True)
    args.markdown.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    print(f"wrote {args.markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
