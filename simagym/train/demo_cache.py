"""Oracle demonstrations cached on disk across runs: one small file per episode.

An oracle episode is a pure function of the task, its episode seed, the
resolution, the noise and the code that plays it, so a run can reuse the
episodes an earlier run played instead of planning them again::

    ROOT/<world>.<task>-<key>/<index>.npz      the task's index-th episode of a run seed

``key`` hashes the task's content (:func:`simagym.eval.hashing.task_data`:
its layout, slots, phrasings and checks), the source of the code that makes an
oracle episode (the world's package, simagym's core modules, the oracle), the
run seed, the resolution and the noise, so a changed task or world never
serves stale frames. ``ROOT`` is ``$XDG_CACHE_HOME/simagym/demos`` (by default
``~/.cache/simagym/demos``) unless a run names another folder.

Files are written atomically (a temporary file, then a rename), so concurrent
runs can share the folder. They are zip archives of ``.npy`` arrays, read with
``allow_pickle=False``: nothing in the cache is ever unpickled. A file that
cannot be read or does not hold what its name promises is reported with a
warning, ignored, and played and written again.
"""

from __future__ import annotations

import functools
import inspect
import logging
import os
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger("simagym.train")

#: Bumped when the files' layout changes, so old files are never misread.
FORMAT = 1
#: zlib level 1: frames of flat colours shrink ~20x, and writing costs ~10% of playing them.
COMPRESSION_LEVEL = 1


@dataclass
class Episode:
    """One oracle episode as arrays: ``frames[t]`` was seen when the oracle chose ``actions[t]``."""

    frames: np.ndarray  # (T, H, W, 3) uint8
    actions: np.ndarray  # (T,) int16 macro indices (the oracle's labels)
    instruction: str
    success: bool  # did the (noisy) episode succeed
    seed: int  # the env seed it was played with

    def __len__(self) -> int:
        return len(self.actions)


def default_root() -> Path:
    """``$XDG_CACHE_HOME/simagym/demos``, or ``~/.cache/simagym/demos``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "simagym" / "demos"


@functools.lru_cache(maxsize=None)
def code_fingerprint(world: str) -> str:
    """A hash of the source that decides an oracle episode in ``world``: the world plugin's
    package (world, renderer, solver), simagym's core modules (env, checks, macros, art...) and
    the oracle agent. Editing any of them invalidates the world's cached episodes."""
    import simagym
    from simagym.agents import oracle
    from simagym.eval.hashing import content_hash

    world_package = Path(inspect.getfile(simagym.get_world(world))).parent
    core = Path(simagym.__file__).parent
    sources = {f"world/{p.relative_to(world_package)}": p for p in world_package.rglob("*.py")}
    sources |= {f"core/{p.name}": p for p in core.glob("*.py")}
    sources["oracle"] = Path(oracle.__file__)
    return content_hash({name: path.read_text(encoding="utf-8") for name, path in sources.items()})


def task_key(task_id: str, *, seed: int, resolution: int, noise: float) -> str:
    """What a task's cached episodes depend on, hashed (``sha256:...``)."""
    import simagym
    from simagym.eval.hashing import content_hash, task_data

    spec = simagym.get_task(task_id)
    data = task_data(spec)
    # Plain fields the suite hash leaves out (e.g. the judge's settle and strict rules) change episodes too.
    data |= {name: value for name, value in dict(spec).items() if name not in data and name != "source"
             and isinstance(value, (bool, int, float, str, type(None)))}
    return content_hash({"format": FORMAT, "task": content_hash(data),
                         "code": code_fingerprint(spec.world), "version": simagym.__version__,
                         "seed": seed, "resolution": resolution, "noise": noise})


@dataclass(frozen=True)
class TaskCache:
    """The cached episodes of one task for one run seed, resolution and noise (picklable: workers write)."""

    folder: Path
    key: str
    resolution: int

    def path(self, index: int) -> Path:
        return self.folder / f"{index:06d}.npz"

    def indices(self) -> set[int]:
        """The episode indices that have a file (not yet checked)."""
        try:
            names = os.listdir(self.folder)
        except OSError:
            return set()
        return {int(name[:-4]) for name in names if name.endswith(".npz") and name[:-4].isdigit()}

    def load(self, index: int, seed: int) -> Episode | None:
        """The cached episode, or None (with a warning) if its file is unreadable or not what it should be."""
        path = self.path(index)
        try:
            with np.load(path, allow_pickle=False) as data:
                text, meta = data["text"], data["meta"]
                frames, actions = data["frames"], data["actions"]
            key, instruction = (str(s) for s in text)
            ok = (key == self.key and meta.dtype == np.int64 and meta.shape == (2,) and int(meta[0]) == seed
                  and frames.dtype == np.uint8 and frames.shape[1:] == (self.resolution, self.resolution, 3)
                  and len(frames) >= 1 and actions.dtype == np.int16 and actions.shape == (len(frames),))
            if not ok:
                raise ValueError("its contents do not match its name")
        except Exception as err:  # a damaged or foreign file of any kind: play the episode again
            log.warning("demonstration cache: ignoring %s (%s: %s); playing the episode again",
                        path, type(err).__name__, err)
            return None
        return Episode(frames=frames, actions=actions, instruction=instruction, success=bool(meta[1]), seed=seed)

    def save(self, index: int, episode: Episode) -> None:
        """Write atomically: readers see the old file, or none, or the whole new one."""
        self.folder.mkdir(parents=True, exist_ok=True)
        final = self.path(index)
        tmp = final.with_name(f".{final.name}.{uuid.uuid4().hex}.tmp")
        arrays = {"frames": episode.frames, "actions": np.asarray(episode.actions, np.int16),
                  "meta": np.array([episode.seed, int(episode.success)], np.int64),
                  "text": np.array([self.key, episode.instruction])}
        try:
            # numpy's own .npz layout (np.savez_compressed takes no compression level).
            with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESSION_LEVEL) as zf:
                for name, array in arrays.items():
                    with zf.open(f"{name}.npy", "w", force_zip64=True) as f:
                        np.lib.format.write_array(f, np.asarray(array), allow_pickle=False)
            os.replace(tmp, final)
        except OSError as err:  # a full or read-only disk costs the next run time, never this one
            log.warning("demonstration cache: cannot write %s (%s)", final, err)
            tmp.unlink(missing_ok=True)


class DemoCache:
    """The cache folder (``root``: default :func:`default_root`)."""

    def __init__(self, root: str | os.PathLike[str] | None = None) -> None:
        self.root = Path(root) if root is not None else default_root()

    def task(self, task_id: str, *, seed: int, resolution: int, noise: float) -> TaskCache:
        key = task_key(task_id, seed=seed, resolution=resolution, noise=noise)
        name = f"{task_id.replace('/', '.')}-{key.split(':')[-1][:16]}"
        return TaskCache(self.root / name, key, resolution)
