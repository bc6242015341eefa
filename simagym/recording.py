"""Recorded episodes (human play) as a Minari dataset; arrays for behaviour cloning; scoring into results.

**Format.** A recording folder is a standard `Minari <https://minari.farama.org>`_
dataset folder (``metadata.json`` + ``main_data.hdf5``, dataset id
``simagym/human-v0``), written without JPEG compression so frames are exact;
open it with ``minari.MinariDataset(DIR)``. Per episode of T steps:

* ``observations``: ``{"pixels": uint8 (T+1, H, W, 3), "instruction": T+1 strings}``
  - what the player saw, at the agent's resolution, before each action and after the last;
* ``actions``: the raw keyboard/mouse actions agents' macros decode to -
  ``{"keys": int8 (T, K), "mouse": float32 (T, 2), "buttons": int8 (T, 2)}``;
* ``rewards``, ``terminations``, ``truncations``: (T,);
* ``infos``: ``macro_action`` int16 (T+1,) - entry t+1 is the discrete macro
  closest to action t (:func:`macro_of`; entry 0 is -1: nothing came before the
  reset) - and ``success`` (T+1,);
* episode metadata (``dataset.storage.get_episode_metadata``): ``seed`` and
  ``task``, ``world``, ``category``, ``split`` (an eval split:
  ``train``, ``heldout``, ...), ``phrasing``, ``composition``, ``instruction``,
  ``success``, ``steps``, ``resolution``, ``player``, ``gave_up``;
* the dataset's env spec: the first episode's ``simagym.make`` call, so
  ``dataset.recover_environment()`` remakes its environment.

A recording made with ``simagym.play --dataset ID`` lies in Minari's own
datasets folder (:func:`simagym.minari_datasets.minari_folder`), where
``minari.load_dataset(ID)`` finds it.

An episode is a pure function of (task, seed, split, raw actions): :func:`replay`
reproduces its frames, which is how :func:`score_recording` re-scores it
rather than trusting the recorded success.

:func:`load_demonstrations` flattens a recording into the arrays behaviour
cloning trains on (frames, instructions, macro actions, episode starts). It also
reads datasets that ``minari.DataCollector`` wrote over a simagym env (raw
keyboard/mouse actions or ``DiscreteActions`` macros; the task and split come
from the env spec), and names the field it misses in one line.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Collection, Iterator

import numpy as np

from simagym.actions import BUTTONS, KEYS
from simagym.eval.errors import EvalError
from simagym.minari_datasets import DatasetError

log = logging.getLogger("simagym.recording")

DATASET_ID = "simagym/human-v0"
DATA_FILE = "main_data.hdf5"  # Minari's HDF5 file in a recording folder
NO_MACRO = -1


class RecordingError(DatasetError):
    """A recording folder that cannot be read, extended or scored."""


# --- macro approximation ----------------------------------------------------------------

#: Which held key stands for a multi-key chord, first match wins: movement first, then use/menus.
_KEY_PRIORITY = ("W", "A", "S", "D", "UP", "DOWN", "LEFT", "RIGHT", "E", "Q", "F", "SPACE", "I", "M", "ESC",
                 "TAB", "ENTER", "SHIFT", "1", "2", "3", "4", "5", "6", "7", "8", "9")
assert sorted(_KEY_PRIORITY) == sorted(KEYS)


def macro_of(keys: np.ndarray, mouse: np.ndarray, buttons: np.ndarray, prev_mouse: np.ndarray | None = None) -> int:
    """The discrete macro (:mod:`simagym.macros`) closest to one raw keyboard/mouse action.

    Lossy by nature: a held left button is a click on the grid cell under the
    cursor; the right button is ``right_click``; else the highest-priority held
    key (movement first) - a chord keeps only that key; else a cursor move of at
    least half a grid cell is the ``look`` macro in its main direction; else ``noop``.
    """
    from simagym.macros import GRID, MACRO_INDEX, NOOP, click_macro, key_macro

    if buttons[0]:
        return click_macro(float(mouse[0]), float(mouse[1]))
    if buttons[1]:
        return MACRO_INDEX["right_click"]
    held = {KEYS[i] for i in np.flatnonzero(keys)}
    for key in _KEY_PRIORITY:
        if key in held:
            return key_macro(key)
    if prev_mouse is not None:
        dx, dy = float(mouse[0] - prev_mouse[0]), float(mouse[1] - prev_mouse[1])
        if max(abs(dx), abs(dy)) >= 0.5 / GRID:
            direction = ("right" if dx > 0 else "left") if abs(dx) >= abs(dy) else ("down" if dy > 0 else "up")
            return MACRO_INDEX[f"look:{direction}"]
    return NOOP


# --- one episode ----------------------------------------------------------------------------

@dataclass
class RecordedEpisode:
    """One played episode: everything needed to replay, score and imitate it."""

    task: str
    seed: int
    split: str                 # an eval split (simagym.eval.suite.EvalSplit value)
    instruction: str
    frames: np.ndarray         # uint8 (T+1, H, W, 3)
    keys: np.ndarray           # int8 (T, len(KEYS))
    mouse: np.ndarray          # float32 (T, 2)
    buttons: np.ndarray        # int8 (T, 2)
    macros: np.ndarray         # int16 (T,)
    rewards: np.ndarray        # float (T,)
    terminated: bool
    truncated: bool
    success: bool
    world: str = ""
    category: str = ""
    player: str = "human"
    gave_up: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def steps(self) -> int:
        return int(len(self.keys))

    def action(self, t: int) -> dict[str, np.ndarray]:
        return {"keys": self.keys[t], "mouse": self.mouse[t], "buttons": self.buttons[t]}


def make_env(task: str, split: str, resolution: int = 64, **kwargs: Any):
    """The environment an episode of ``split`` runs in."""
    import simagym
    from simagym.eval.suite import env_options

    return simagym.make(task, resolution=resolution, **env_options(split), **kwargs)


def replay(episode: RecordedEpisode) -> tuple[np.ndarray, bool, int, float]:
    """Reset with the episode's seed and apply its raw actions; return (frames, success, steps, return).

    Stops early if the environment ends before the actions do.
    """
    env = make_env(episode.task, episode.split, resolution=int(episode.frames.shape[1]))
    try:
        obs, info = env.reset(seed=episode.seed)
        frames, success, total, steps = [obs["pixels"]], False, 0.0, 0
        for t in range(episode.steps):
            obs, reward, terminated, truncated, info = env.step(episode.action(t))
            frames.append(obs["pixels"])
            total += float(reward)
            steps += 1
            success = bool(info["success"])
            if terminated or truncated:
                break
        return np.stack(frames), success, steps, total
    finally:
        env.close()


# --- writing ------------------------------------------------------------------------------

def _spaces(height: int, width: int):
    from gymnasium import spaces

    from simagym.actions import action_space
    from simagym.text import instruction_space

    obs = spaces.Dict({"pixels": spaces.Box(0, 255, shape=(height, width, 3), dtype=np.uint8),
                       "instruction": instruction_space()})
    return obs, action_space()


class DemoWriter:
    """Appends episodes to a Minari dataset folder (created on first use), one at a time.

    The dataset's env spec is the first episode's environment (``simagym.make`` with its task, split and
    resolution), so ``minari.recover_environment`` remakes it; every episode's own task is in its metadata.
    """

    def __init__(self, directory: str | os.PathLike[str], resolution: int) -> None:
        from minari.dataset.minari_storage import MinariStorage

        from simagym.minari_datasets import id_in_minari_folder

        self.directory = Path(directory).resolve()  # Minari mishandles relative paths (it joins them twice)
        dataset_id = id_in_minari_folder(self.directory) or DATASET_ID
        obs_space, act_space = _spaces(resolution, resolution)
        if (self.directory / "metadata.json").exists():
            try:
                self._storage = MinariStorage.read(self.directory)
            except Exception as err:  # noqa: BLE001 - any unreadable dataset gets the same clear message
                raise RecordingError(f"{self.directory} is not a Minari dataset simagym can extend: {err}") from None
            if self._storage.observation_space != obs_space:
                raise RecordingError(f"{self.directory} was recorded with other observations "
                                     f"({self._storage.observation_space}); use another --record folder or the same --resolution")
        else:
            from minari import __version__ as minari_version

            self.directory.mkdir(parents=True, exist_ok=True)
            self._storage = MinariStorage.new(self.directory, observation_space=obs_space, action_space=act_space,
                                              data_format="hdf5", jpeg_encoding=False)
            self._storage.update_metadata({
                "dataset_id": dataset_id, "minari_version": minari_version, "algorithm_name": "human play",
                "description": "simagym episodes played with simagym.play: frames, raw keyboard/mouse actions, "
                               "macro approximations, instruction, task, seed, split and success",
            })

    def add(self, episode: RecordedEpisode) -> int:
        """Append one episode durably; return its index in the dataset."""
        from minari.data_collector import EpisodeBuffer

        steps = episode.steps
        macros = np.concatenate([[NO_MACRO], episode.macros]).astype(np.int16)
        success = np.zeros(steps + 1, dtype=bool)
        success[-1] = episode.success
        buffer = EpisodeBuffer(
            seed=int(episode.seed),
            observations={"pixels": list(episode.frames), "instruction": [episode.instruction] * (steps + 1)},
            actions={"keys": list(episode.keys.astype(np.int8)), "mouse": list(episode.mouse.astype(np.float32)),
                     "buttons": list(episode.buttons.astype(np.int8))},
            rewards=[float(r) for r in episode.rewards],
            terminations=[False] * (steps - 1) + [bool(episode.terminated)] if steps else [],
            truncations=[False] * (steps - 1) + [bool(episode.truncated)] if steps else [],
            infos={"macro_action": list(macros), "success": list(success)},
        )
        index = self._storage.total_episodes
        self._add_env_spec(episode)
        self._storage.update_episodes([buffer])
        meta = {
            "task": episode.task, "world": episode.world, "category": episode.category, "split": episode.split,
            "instruction": episode.instruction, "success": bool(episode.success), "steps": steps,
            "resolution": int(episode.frames.shape[1]), "player": episode.player, "gave_up": bool(episode.gave_up),
            "recorded": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        try:
            from simagym.eval.suite import env_options

            meta |= env_options(episode.split)
        except EvalError:
            pass
        self._storage.update_episode_metadata([meta], [index])
        return index

    def _add_env_spec(self, episode: RecordedEpisode) -> None:
        """Give a dataset without an env spec (a new one, or one recorded before simagym wrote it) the env of
        ``episode``, and simagym as its requirement (``recover_environment`` checks it)."""
        from minari.dataset.minari_storage import MinariStorage

        if "env_spec" in MinariStorage.read_raw_metadata(self.directory):
            return
        from simagym import __version__

        env = make_env(episode.task, episode.split, resolution=int(episode.frames.shape[1]))
        env.close()
        self._storage.update_metadata({"env_spec": env.spec.to_json(), "requirements": [f"simagym=={__version__}"]})


# --- reading ------------------------------------------------------------------------------

def _dataset(source: str | os.PathLike[str]):
    """The Minari dataset of a recording folder, of a Minari dataset's folder, or of a dataset id."""
    from minari import MinariDataset

    from simagym.minari_datasets import find_dataset_folder

    folder = find_dataset_folder(source)
    if folder is None:
        raise RecordingError(f"{Path(source).resolve()} is not a recording (no Minari metadata.json); record one"
                             " with `python -m simagym.play TASK_ID --record DIR`")
    try:
        return MinariDataset(folder)
    except Exception as err:  # noqa: BLE001
        raise RecordingError(f"{folder} is not a readable Minari dataset: {err}") from None


def read_recording(directory: str | os.PathLike[str]) -> Iterator[RecordedEpisode]:
    """Every episode of a recording (a folder, or a Minari dataset id), in the order played; a dataset from
    ``minari.DataCollector`` over a simagym env reads the same (:class:`simagym.minari_datasets.CollectedEpisodes`).

    Each episode is read and checked on its own: a missing or malformed field, a macro id
    outside :data:`simagym.macros.MACROS`, arrays of different lengths, or an unreadable
    (corrupt, foreign) HDF5 file raise :class:`RecordingError` naming the file, the episode
    and the field, instead of giving misaligned arrays.
    """
    from simagym.minari_datasets import CollectedEpisodes

    dataset = _dataset(directory)
    collected = CollectedEpisodes(dataset, directory, macro_of)
    storage = dataset.storage
    data_file = Path(directory).resolve() / DATA_FILE if Path(directory).is_dir() else directory
    for index in range(storage.total_episodes):
        where = f"{data_file}: episode {index}"
        try:
            meta = next(iter(storage.get_episode_metadata([index])))
            ep = next(iter(storage.get_episodes([index])))
        except Exception as err:  # noqa: BLE001 - h5py and Minari raise many kinds on a damaged file
            text = str(err).strip().splitlines()
            detail = f"{type(err).__name__}: {text[0]}" if text else type(err).__name__
            raise RecordingError(f"{where} cannot be read ({detail}); the file is corrupt or not a simagym"
                                 " recording: record it again") from None
        meta, ep = collected.normalise(index, meta, ep)
        yield _checked_episode(where, meta, ep)


def _checked_episode(where: str, meta: Any, ep: Any) -> RecordedEpisode:
    """One episode's arrays and metadata, each field checked for presence, type and shape."""
    from simagym.macros import MACROS

    def bad(name: str, problem: str) -> RecordingError:
        return RecordingError(f"{where}: field {name!r} {problem}; the recording is damaged or was not written by"
                              " simagym.play: record it again")

    def part(group: Any, key: str, name: str) -> Any:
        try:
            return group[key]
        except (KeyError, TypeError, IndexError):
            raise bad(name, "is missing") from None

    def array(group: Any, key: str, name: str, dtype: type, shape: tuple[int | None, ...]) -> np.ndarray:
        raw = part(group, key, name)
        try:
            value = np.asarray(raw)
            if value.dtype.kind not in "biuf" or not np.all(np.isfinite(value)):  # bool, int or float
                raise ValueError
            value = value.astype(dtype)
        except (ValueError, TypeError, OverflowError):
            raise bad(name, "must hold finite numbers") from None
        if value.ndim != len(shape) or any(n is not None and n != m for n, m in zip(shape, value.shape)):
            want = "(" + ", ".join("*" if n is None else str(n) for n in shape) + ")"
            raise bad(name, f"has shape {value.shape}, expected {want}")
        return value

    for name in ("task", "split"):
        if not isinstance(part(meta, name, f"metadata.{name}"), (str, bytes)):
            raise bad(f"metadata.{name}", "is not text")
    seed = part(meta, "seed", "metadata.seed")
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, (bool, np.bool_)) or seed < 0:
        raise bad("metadata.seed", f"must be a whole number >= 0, got {seed!r}")
    obs, act = part(ep, "observations", "observations"), part(ep, "actions", "actions")
    keys = array(act, "keys", "actions.keys", np.int8, (None, len(KEYS)))
    steps = len(keys)
    mouse = array(act, "mouse", "actions.mouse", np.float32, (steps, 2))
    buttons = array(act, "buttons", "actions.buttons", np.int8, (steps, len(BUTTONS)))
    frames = array(obs, "pixels", "observations.pixels", np.uint8, (steps + 1, None, None, 3))
    instructions = part(obs, "instruction", "observations.instruction")
    if len(instructions) != steps + 1:
        raise bad("observations.instruction", f"has {len(instructions)} entries, expected {steps + 1}")
    macros = array(part(ep, "infos", "infos"), "macro_action", "infos.macro_action", np.int64, (steps + 1,))[1:]
    outside = macros[(macros < 0) | (macros >= len(MACROS))]
    if len(outside):
        raise bad("infos.macro_action", f"holds {int(outside[0])}, not a macro index (0 to {len(MACROS) - 1})")
    rewards = array(ep, "rewards", "rewards", np.float64, (steps,))
    terminations = array(ep, "terminations", "terminations", bool, (steps,))
    truncations = array(ep, "truncations", "truncations", bool, (steps,))
    text = lambda v: v.decode() if isinstance(v, bytes) else str(v)  # noqa: E731 - HDF5 strings may be bytes
    return RecordedEpisode(
        task=text(meta["task"]), seed=int(seed), split=text(meta["split"]),
        instruction=text(instructions[0]), frames=frames, keys=keys, mouse=mouse, buttons=buttons, macros=macros,
        rewards=rewards, terminated=bool(np.any(terminations)), truncated=bool(np.any(truncations)),
        success=bool(meta.get("success", False)), world=text(meta.get("world", "")),
        category=text(meta.get("category", "")), player=text(meta.get("player", "")),
        gave_up=bool(meta.get("gave_up", False)),
    )


@dataclass
class Demonstrations:
    """Flat arrays over every step of the chosen episodes, for behaviour cloning.

    Row i is one decision: the frame seen, the instruction, and the macro taken.
    """

    frames: np.ndarray          # uint8 (N, H, W, 3)
    instructions: list[str]     # N
    macros: np.ndarray          # int64 (N,) indices into simagym.macros.MACROS
    episode_starts: np.ndarray  # bool (N,): True on the first step of each episode
    episode_index: np.ndarray   # int64 (N,): which episode (index into ``tasks``)
    tasks: list[str]            # per episode
    success: np.ndarray         # bool per episode
    seeds: np.ndarray           # int64 per episode

    def episode_start_indices(self) -> np.ndarray:
        """Index of each episode's first row (the layout simagym.train's ``Demos`` uses)."""
        return np.flatnonzero(self.episode_starts)

    def __len__(self) -> int:
        return int(len(self.macros))


def _keeps(successful_only: bool, tasks: Collection[str] | None, splits: Collection[str] | None):
    def keep(task: str, split: str, success: bool) -> bool:
        return ((success or not successful_only) and (tasks is None or task in tasks)
                and (splits is None or split in splits))
    return keep


def _what(successful_only: bool, tasks: Collection[str] | None, splits: Collection[str] | None) -> str:
    what = ("successful " if successful_only else "") + "episodes"
    if splits is not None:
        what += f" of the {'/'.join(sorted(splits))} split"
    if tasks is not None:
        what += f" of the tasks {', '.join(sorted(tasks)[:5])}{' ...' if len(tasks) > 5 else ''}"
    return what


def recorded_tasks(directory: str | os.PathLike[str], successful_only: bool = True,
                   splits: Collection[str] | None = None) -> list[str]:
    """The task ids a recording folder has episodes of (from its metadata where simagym wrote it: no frames
    are loaded; a ``minari.DataCollector`` dataset is read whole)."""
    storage = _dataset(directory).storage
    keep = _keeps(successful_only, None, splits)
    metas = list(storage.get_episode_metadata(list(range(storage.total_episodes))))
    if not all({"task", "split", "success"} <= set(m) for m in metas):
        return sorted({e.task for e in read_recording(directory) if keep(e.task, e.split, e.success)})
    return sorted({str(m["task"]) for m in metas if keep(str(m["task"]), str(m["split"]), bool(m["success"]))})


def load_demonstrations(directory: str | os.PathLike[str], successful_only: bool = True, *,
                        tasks: Collection[str] | None = None,
                        splits: Collection[str] | None = None) -> Demonstrations:
    """Arrays BC can train on from a recording folder: by default its successful episodes; ``tasks``
    and ``splits`` (eval split names such as ``"train"``) keep only the episodes of those."""
    keep = _keeps(successful_only, tasks, splits)
    frames, instructions, macros, starts, owner, kept, success, seeds = [], [], [], [], [], [], [], []
    for episode in read_recording(directory):
        if not keep(episode.task, episode.split, episode.success) or episode.steps == 0:
            continue
        n = episode.steps
        frames.append(episode.frames[:n])
        instructions += [episode.instruction] * n
        macros.append(episode.macros.astype(np.int64))
        start = np.zeros(n, dtype=bool)
        start[0] = True
        starts.append(start)
        owner.append(np.full(n, len(kept), dtype=np.int64))
        kept.append(episode.task)
        success.append(episode.success)
        seeds.append(episode.seed)
    if not frames:
        raise RecordingError(f"{directory} has no {_what(successful_only, tasks, splits)} to learn from")
    return Demonstrations(np.concatenate(frames), instructions, np.concatenate(macros), np.concatenate(starts),
                          np.concatenate(owner), kept, np.asarray(success, dtype=bool), np.asarray(seeds, dtype=np.int64))


# --- scoring into a results folder ------------------------------------------------------------

def score_recording(directory: str | os.PathLike[str], suite: Any, out: str | os.PathLike[str], *,
                    name: str = "human", description: str = "people playing through simagym.play",
                    videos_per_task: int = 3) -> dict[str, Any]:
    """Replay every recorded episode, keep those of ``suite`` and write a results folder the leaderboard ranks.

    Each (task, split) keeps the episodes whose seeds are the first seeds of the
    suite in order (so none can be left out after the fact); a repeat of an
    episode keeps the first play. Success, steps and return come from the
    replay, never from the recording.
    """
    from simagym import __version__
    from simagym.eval.results import EPISODES_FILE, RUN_FILE, write_suite_manifest
    from simagym.eval.summary import build_summary, write_json_atomic, write_summary
    from simagym.eval.suite import Episode
    from simagym.eval.videos import VIDEOS_DIR

    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise RecordingError(f"{out} is not empty; score into a new folder")
    valid = set(suite.episodes())
    played: dict[Episode, tuple[dict[str, Any], RecordedEpisode]] = {}
    for episode in read_recording(directory):
        key = Episode(episode.task, episode.seed, episode.split)
        if key not in valid:
            log.warning("skipping %s seed %s (%s): not an episode of suite %s", *key, suite.label)
            continue
        if key in played:
            continue
        frames, success, steps, total = replay(episode)
        if not np.array_equal(frames, episode.frames[:len(frames)]) or len(frames) != len(episode.frames):
            raise RecordingError(f"{directory}: {episode.task} seed {episode.seed} ({episode.split}) does not replay "
                                 "to its recorded frames; the recording is corrupt or from another simagym version")
        spec = suite.spec(episode.task)
        played[key] = ({
            "task": episode.task, "world": spec.world if spec else episode.world,
            "category": spec.category.value if spec else episode.category, "seed": episode.seed,
            "split": episode.split, "instruction": episode.instruction, "success": success, "steps": steps,
            "return": total,
        }, episode)
    # Keep, per (task, split), the longest run of the suite's seeds in order.
    kept: list[Episode] = []
    for task in suite.tasks:
        for split in suite.task_splits(task):
            for seed in suite.seeds:
                key = Episode(task, seed, split.value)
                if key not in played:
                    break
                kept.append(key)
    dropped = len(played) - len(kept)
    if dropped:
        log.warning("left out %d episodes whose task was not played from the suite's first seed on", dropped)
    if not kept:
        raise RecordingError(f"{directory} has no episode of suite {suite.label} played from its first seed "
                             f"({suite.seeds[0]}); play with `python -m simagym.play --suite {suite.name}`")
    out.mkdir(parents=True, exist_ok=True)
    records = [played[k][0] for k in kept]
    agent_info = {"name": name, "description": description, "parameters": None}
    run = {
        "agent": "human", **{f"agent_{k}": v for k, v in agent_info.items()},
        "suite_name": suite.name, "suite_version": suite.version, "suite_hash": suite.content_hash,
        "suite_source": suite.source, "episodes_per_task": None, "planned": len(kept),
        "planned_episodes": [list(k) for k in kept], "simagym_version": __version__,
        "recording": str(Path(directory).resolve()),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    write_json_atomic(out / RUN_FILE, run)
    write_suite_manifest(out, suite)
    with (out / EPISODES_FILE).open("w", encoding="utf-8") as f:
        for record in records:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    summary = build_summary(records, agent="human", planned=len(kept), simagym_version=__version__,
                            suite={"name": suite.name, "version": suite.version, "hash": suite.content_hash,
                                   "source": suite.source}, agent_info=agent_info)
    write_summary(out, summary)
    if videos_per_task > 0:
        _write_videos(out / VIDEOS_DIR, [played[k] for k in kept], videos_per_task)
    return summary


def _write_videos(videos_dir: Path, played: list[tuple[dict[str, Any], RecordedEpisode]], per_task: int) -> None:
    """GIFs of the first ``per_task`` kept episodes of each task, from the recorded frames themselves."""
    from simagym import display
    from simagym.eval.suite import Episode
    from simagym.eval.summary import write_json_atomic
    from simagym.eval.videos import FPS, FRAME_SIZE, INDEX_FILE, save_gif, video_name

    videos_dir.mkdir(parents=True, exist_ok=True)
    count: dict[str, int] = {}
    index = []
    for record, episode in played:
        if count.get(record["task"], 0) >= per_task:
            continue
        count[record["task"]] = count.get(record["task"], 0) + 1
        scale = max(1, FRAME_SIZE // episode.frames.shape[1])
        frames = []
        for t, frame in enumerate(episode.frames):
            big = frame.repeat(scale, axis=0).repeat(scale, axis=1)
            status = ("success" if record["success"] else "failure") if t == len(episode.frames) - 1 else ""
            frames.append(display.annotate(big, record["instruction"], status))
        name = video_name(Episode(record["task"], record["seed"], record["split"]))
        save_gif(frames, videos_dir / name, FPS)
        index.append({"file": name, **{k: record[k] for k in ("task", "seed", "split", "instruction", "success", "steps")}})
    write_json_atomic(videos_dir / INDEX_FILE, {"fps": FPS, "frame_size": FRAME_SIZE, "videos": index})
