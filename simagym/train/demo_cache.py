"""Oracle demonstrations cached on disk across runs, per task, in segments of consecutive episodes.

An oracle episode is a pure function of the task, its episode seed, the
resolution, the noise and the code that plays it, so a run can read back the
episodes an earlier run played instead of planning them again::

    ROOT/<world>.<task>-<key>/<first>-<end>.npz     episodes first..end-1 of the task

``key`` hashes the task's content (:func:`simagym.eval.hashing.task_data`, plus
plain spec fields it leaves out), the source of the code that makes an oracle
episode (the world's package, simagym's core modules, the oracle), the run
seed, the resolution and the noise, so a changed task or world never serves
stale frames. ``ROOT`` is ``$XDG_CACHE_HOME/simagym/demos`` (by default
``~/.cache/simagym/demos``) unless a run names another folder.

A run reads a task's segments from episode 0 on and appends one segment with
the episodes it played. Segments are zip archives of ``.npy`` arrays (the
``.npz`` layout), written atomically (a temporary file, then a rename) and read
with ``allow_pickle=False``: nothing in the cache is ever unpickled. Episodes
are read as a stream, one after the other, so reading needs no more memory
than the episodes themselves; each carries a checksum of its frames. A segment that
cannot be read or does not hold what its name promises is reported with a
warning and deleted, and its episodes are played again.
"""

from __future__ import annotations

import functools
import inspect
import logging
import os
import uuid
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

log = logging.getLogger("simagym.train")

#: Bumped when the files' layout changes, so old files are never misread.
FORMAT = 2
#: zlib level 1: frames of flat colours still shrink ~20x, and it writes 2-3x faster than the default.
COMPRESSION_LEVEL = 1
#: Per episode in a segment's ``meta``: its env seed, success, frame count and frames' Adler-32 checksum.
SEED, SUCCESS, LENGTH, CHECKSUM = range(4)


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
    return content_hash({name: path.read_text(encoding="utf-8") for name, path in sorted(sources.items())})


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


class DamagedSegment(Exception):
    """A segment file that cannot be read, or does not hold what its name promises."""


class _Segment:
    """An open segment file: its small arrays read and checked, its frames read as a stream."""

    def __init__(self, path: Path, key: str, first: int, end: int, seeds: Sequence[int], resolution: int) -> None:
        self.path, self.first = path, first
        self.zip = zipfile.ZipFile(path)
        try:
            text, meta, actions = (self._small(name) for name in ("text", "meta", "actions"))
            n = end - first
            if not (text.dtype.kind == "U" and text.shape == (n + 1,) and str(text[0]) == key
                    and meta.dtype == np.int64 and meta.shape == (n, 4)
                    and list(meta[:len(seeds), SEED]) == list(seeds) and (meta[:, LENGTH] >= 1).all()
                    and actions.dtype == np.int16 and actions.shape == (int(meta[:, LENGTH].sum()),)):
                raise DamagedSegment("its contents do not match its name")
            self.stream = self.zip.open("frames.npy")
            if np.lib.format.read_magic(self.stream) != (2, 0):
                raise DamagedSegment("its frames are not in the layout this version writes")
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(self.stream)
            if dtype != np.uint8 or fortran or shape != (len(actions), resolution, resolution, 3):
                raise DamagedSegment(f"its frames are {dtype} {shape}")
        except Exception:
            self.zip.close()
            raise
        self.meta, self.text, self.actions = meta, text, actions
        self.shape = (resolution, resolution, 3)
        self.frame_bytes = resolution * resolution * 3
        self.next, self.offset = 0, 0

    def _small(self, name: str) -> np.ndarray:
        with self.zip.open(f"{name}.npy") as f:
            return np.lib.format.read_array(f, allow_pickle=False)

    def read(self) -> Episode:
        """The segment's next episode."""
        i = self.next
        seed, success, length, checksum = self.meta[i].tolist()
        size = length * self.frame_bytes
        data = self.stream.read(size)
        if len(data) != size or zlib.adler32(data) != checksum:
            raise DamagedSegment(f"episode {self.first + i} is truncated or altered")
        actions = self.actions[self.offset:self.offset + length]
        self.next, self.offset = i + 1, self.offset + length
        frames = np.frombuffer(data, np.uint8).reshape(length, *self.shape)
        return Episode(frames=frames, actions=actions, instruction=str(self.text[i + 1]), success=bool(success),
                       seed=seed)

    def close(self) -> None:
        self.zip.close()


class CachedEpisodes:
    """A task's cached episodes 0..count-1, read one after the other (see :meth:`TaskCache.open`)."""

    def __init__(self, cache: "TaskCache", chain: list[tuple[int, int, Path]], seeds: Sequence[int]) -> None:
        self.cache, self.chain, self.seeds = cache, chain, list(seeds)
        self.count = min(chain[-1][1], len(self.seeds)) if chain else 0
        self.segment: _Segment | None = None
        self.damaged_from: int | None = None  # where a damaged segment began: episodes from there are played again
        self.read = 0

    def next(self) -> Episode | None:
        """The next episode, or None if its segment is damaged: reported, deleted, and the task's
        episodes from that segment's first on are then to be played again."""
        if self.damaged_from is not None:
            return None
        first, end, path = next(s for s in self.chain if s[0] <= self.read < s[1])
        try:
            if self.segment is None or self.segment.path != path:
                self.close()
                self.segment = _Segment(path, self.cache.key, first, end, self.seeds[first:end], self.cache.resolution)
            episode = self.segment.read()
        except Exception as err:  # a damaged or foreign file of any kind
            log.warning("demonstration cache: %s is damaged (%s: %s); deleted, its episodes are played again",
                        path, type(err).__name__, err)
            self.close()
            path.unlink(missing_ok=True)
            self.damaged_from = first
            return None
        self.read += 1
        return episode

    def close(self) -> None:
        if self.segment is not None:
            self.segment.close()
            self.segment = None


@dataclass(frozen=True)
class TaskCache:
    """The cached episodes of one task for one run seed, resolution and noise."""

    folder: Path
    key: str
    resolution: int

    def _segments(self) -> list[tuple[int, int, Path]]:
        found = []
        try:
            names = os.listdir(self.folder)
        except OSError:
            return []
        for name in names:
            first, _, end = name.removesuffix(".npz").partition("-")
            if name.endswith(".npz") and first.isdigit() and end.isdigit() and int(first) < int(end):
                found.append((int(first), int(end), self.folder / name))
        return found

    def open(self, needed: int, seeds: Sequence[int]) -> CachedEpisodes:
        """The cached episodes among the first ``needed``: the longest chain of segments from episode 0.

        ``seeds`` are the env seeds of episodes 0..needed-1 (each segment must hold exactly those).
        """
        segments = self._segments()
        chain, position = [], 0
        while position < needed:
            starting = [s for s in segments if s[0] == position]
            if not starting:
                break
            best = max(starting, key=lambda s: s[1])
            chain.append(best)
            position = best[1]
        return CachedEpisodes(self, chain, seeds)

    def write(self, first: int, episodes: Sequence[Episode]) -> None:
        """Append episodes ``first``.. as one segment, atomically: readers see all of it or nothing."""
        if not episodes:
            return
        final = self.folder / f"{first:06d}-{first + len(episodes):06d}.npz"
        tmp = final.with_name(f".{final.name}.{uuid.uuid4().hex}.tmp")
        frames = [np.ascontiguousarray(e.frames) for e in episodes]
        meta = np.array([[e.seed, int(e.success), len(f), zlib.adler32(f)] for e, f in zip(episodes, frames)], np.int64)
        small = {"text": np.array([self.key, *(e.instruction for e in episodes)]), "meta": meta,
                 "actions": np.concatenate([np.asarray(e.actions, np.int16) for e in episodes])}
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            # numpy's own .npz layout (np.savez_compressed takes no compression level), the frames
            # written episode by episode rather than copied into one array first.
            with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESSION_LEVEL) as zf:
                for name, array in small.items():
                    with zf.open(f"{name}.npy", "w", force_zip64=True) as f:
                        np.lib.format.write_array(f, array, allow_pickle=False)
                with zf.open("frames.npy", "w", force_zip64=True) as f:
                    header = {"descr": "|u1", "fortran_order": False,
                              "shape": (int(meta[:, LENGTH].sum()), *frames[0].shape[1:])}
                    np.lib.format.write_array_header_2_0(f, header)
                    for array in frames:
                        f.write(array.data)
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
