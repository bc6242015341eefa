"""Rollout animations: GIFs of sample episodes, with the instruction drawn under the game view.

``python -m simagym.eval --record-videos N`` records **N episodes per task**
into ``<run>/videos/``: for each task, the first N episodes of the run's plan
taken in seed order, one split after another within a seed (so N=2 shows the
first seed's training and held-out instruction of a task). Each episode is
replayed from its seed with a fresh agent - episodes are deterministic, so the
replay is the episode in ``episodes.jsonl`` - while frames are captured.

``videos/index.json`` lists the GIFs: ``{"videos": [{"file", "task", "seed",
"split", "instruction", "success", "steps"}, ...]}``. The leaderboard copies
the files listed there (checking that each is a GIF) and never runs anything.
Recording resumes: GIFs already listed are kept.
"""

from __future__ import annotations

import json
import logging
import os
import re
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from simagym.eval.errors import EvalError
from simagym.gif import HOLD_LAST_MS, save_gif  # noqa: F401 - save_gif is part of this module's API
from simagym.eval.suite import Episode, env_options
from simagym.eval.summary import write_json_atomic
from simagym.workers import worker_pool

log = logging.getLogger("simagym.eval")

VIDEOS_DIR = "videos"
INDEX_FILE = "index.json"
FRAME_SIZE = 256       # the game view in the GIF, pixels per side
FPS = 10               # the env's render_fps
GIF_MAGIC = (b"GIF87a", b"GIF89a")


def video_name(episode: Episode) -> str:
    """A file name that says which episode it is and is safe on every file system."""
    task = re.sub(r"[^A-Za-z0-9_.-]+", "_", episode.task.replace("/", "__"))
    split = re.sub(r"[^A-Za-z0-9_.-]+", "_", episode.split)
    return f"{task}--{split}--{episode.seed}.gif"


def pick_episodes(episodes: Sequence[Episode], per_task: int) -> list[Episode]:
    """The first ``per_task`` episodes of each task, seed by seed and split by split within a seed."""
    if per_task < 1:
        raise EvalError(f"--record-videos must be >= 1, got {per_task}")
    seed_rank: dict[int, int] = {}
    split_rank: dict[str, int] = {}
    for e in episodes:
        seed_rank.setdefault(e.seed, len(seed_rank))
        split_rank.setdefault(e.split, len(split_rank))
    by_task: dict[str, list[Episode]] = {}
    for e in episodes:
        by_task.setdefault(e.task, []).append(e)
    chosen = []
    for task in sorted(by_task):
        chosen += sorted(by_task[task], key=lambda e: (seed_rank[e.seed], split_rank[e.split]))[:per_task]
    return chosen


def rollout_frames(agent_spec: str, episode: Episode, size: int = FRAME_SIZE,
                   agent_options: Mapping[str, Any] | None = None) -> tuple[list[np.ndarray], dict[str, Any]]:
    """Replay one episode with a fresh agent (acting as ``agent_options`` say); return annotated frames and
    the episode's outcome."""
    import simagym
    from simagym import display
    from simagym.agents import load_agent
    from simagym.macros import DiscreteActions

    env = DiscreteActions(simagym.make(episode.task, **env_options(episode.split)))
    try:
        obs, info = env.reset(seed=episode.seed)
        agent = load_agent(agent_spec, seed=episode.seed, options=agent_options)
        agent.reset(obs["instruction"], env.unwrapped if agent.privileged else None)
        world, text = env.unwrapped.world, obs["instruction"]
        frames = [display.annotate(world.render(size, size), text)]
        steps = 0
        while True:
            obs, _, terminated, truncated, info = env.step(agent.act(obs))
            steps += 1
            done = terminated or truncated
            status = ("success" if info["success"] else "failure") if done else ""
            frames.append(display.annotate(world.render(size, size), text, status))
            if done:
                break
        return frames, {"instruction": text, "success": bool(info["success"]), "steps": steps}
    finally:
        env.close()


def record_one(agent_spec: str, episode: Episode, out_dir: str,
               agent_options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Record one episode's GIF into ``out_dir``; return its index entry (runs in a worker)."""
    frames, outcome = rollout_frames(agent_spec, episode, agent_options=agent_options)
    name = video_name(episode)
    save_gif(frames, Path(out_dir) / name)
    return {"file": name, "task": episode.task, "seed": episode.seed, "split": episode.split, **outcome}


def read_index(videos_dir: Path) -> list[dict[str, Any]]:
    path = videos_dir / INDEX_FILE
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        videos = data["videos"]
        if not isinstance(videos, list) or not all(isinstance(v, dict) for v in videos):
            raise ValueError("'videos' is not a list of objects")
    except (ValueError, KeyError, TypeError) as err:
        raise EvalError(f"{path} is not a valid video index ({err})") from None
    return videos


def record_videos(agent_spec: str, episodes: Iterable[Episode], run_dir: str | os.PathLike[str], *,
                  workers: int = 1, on_video: Callable[[dict[str, Any]], None] | None = None,
                  agent_options: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """Record GIFs of ``episodes`` into ``run_dir/videos`` (skipping those already there); return the index."""
    from simagym.headless import configure_sdl

    configure_sdl()
    videos_dir = Path(run_dir) / VIDEOS_DIR
    videos_dir.mkdir(parents=True, exist_ok=True)
    index = read_index(videos_dir)
    have = {(v.get("task"), v.get("seed"), v.get("split")) for v in index if (videos_dir / str(v.get("file"))).is_file()}
    index = [v for v in index if (v.get("task"), v.get("seed"), v.get("split")) in have]
    todo = [e for e in episodes if (e.task, e.seed, e.split) not in have]

    def add(entry: dict[str, Any]) -> None:
        index.append(entry)
        index.sort(key=lambda v: (v["task"], v["seed"], v["split"]))
        write_json_atomic(videos_dir / INDEX_FILE, {"fps": FPS, "frame_size": FRAME_SIZE, "videos": index})
        if on_video is not None:
            on_video(entry)

    if workers == 1 or len(todo) <= 1:
        for episode in todo:
            add(record_one(agent_spec, episode, str(videos_dir), agent_options))
    else:
        with worker_pool(min(workers, len(todo))) as pool:
            for entry in pool.map(record_one, [agent_spec] * len(todo), todo, [str(videos_dir)] * len(todo),
                                  [agent_options] * len(todo)):
                add(entry)
    if not todo:
        write_json_atomic(videos_dir / INDEX_FILE, {"fps": FPS, "frame_size": FRAME_SIZE, "videos": index})
    return index
