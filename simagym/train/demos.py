"""Oracle demonstrations, generated in parallel worker processes and cached across runs.

The oracle acts in the same macro space as a learned policy, so its episodes
are directly learnable. With ``noise`` > 0 the *executed* move is sometimes a
random one while the *label* stays the oracle's choice for that frame (DART-style
noise injection): the data then also shows how to recover from small mistakes,
which plain behaviour cloning never sees.

Every task has its own sequence of episode seeds for a run seed, and every
episode its own noise stream, so an episode does not depend on which other
tasks, or how many episodes, a run asks for: with a
:class:`~simagym.train.demo_cache.DemoCache` the episodes an earlier run played
are read back instead of played again, and the result is the same either way.

Tasks differ a hundredfold in length (answering a dialogue is one click; crossing
Halls to open a door is 170 moves), so equal episodes per task would give the
short tasks - whose one decisive choice is a frame or two - a sliver of the data.
With ``balance`` > 0, a task's share of the episodes goes as its mean episode
length to the power ``-balance`` (measured on its first :data:`PILOT_EPISODES`
episodes, which are part of the data): 0 is round-robin, 1 equal frames per task.

Workers are spawned (no inherited pygame/SDL state), import no torch, and send
back compact arrays. Frames are stored once, uint8, in one array that grows in
place (never a second, concatenated copy), so the whole catalogue's
demonstrations fit in memory: 16,000 episodes at 64x64 are about 10 GB.
"""

from __future__ import annotations

import queue
import threading
import zlib
from collections import Counter, deque
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from simagym.train.demo_cache import CachedEpisodes, DemoCache, Episode
from simagym.train.envs import TRAIN_SEED_BASE
from simagym.workers import worker_pool

#: Episodes per worker job: big enough to amortise pickling, small enough for a smooth progress bar.
CHUNK = 16
#: Cached episodes read ahead of the one being stored.
READ_AHEAD = 64
#: Episodes per task and run seed: the episode index has this many values in the seed.
MAX_EPISODES_PER_TASK = 1 << 20
#: Episodes per task played first to measure its length, when episodes are balanced by length.
PILOT_EPISODES = 4
#: Mixed into each episode's seed for its noise stream, so noise never repeats the env's draws.
NOISE_STREAM = 0x4E015E


@dataclass
class Demos:
    """Episodes back to back: frame ``i`` was seen when the oracle chose ``actions[i]``."""

    frames: np.ndarray  # (N, H, W, 3) uint8
    actions: np.ndarray  # (N,) int16 macro indices
    episode_starts: np.ndarray  # (E,) int64: index of each episode's first frame
    instructions: list[str]  # (E,)
    tasks: list[str]  # (E,)
    successes: np.ndarray  # (E,) bool: did the (noisy) episode succeed
    seeds: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # (E,)
    cached: int = 0  # how many of the episodes were read from the cache rather than played

    def __len__(self) -> int:
        return len(self.actions)

    @property
    def episodes(self) -> int:
        return len(self.episode_starts)

    def episode_lengths(self) -> np.ndarray:
        return np.diff(np.append(self.episode_starts, len(self.actions)))

    def per_frame(self, values: np.ndarray) -> np.ndarray:
        """Repeat a per-episode array for each frame of its episode."""
        return np.repeat(values, self.episode_lengths(), axis=0)

    @staticmethod
    def concatenate(parts: Sequence["Demos"]) -> "Demos":
        parts = [p for p in parts if len(p)]
        if not parts:
            raise ValueError("no demonstration frames")
        offsets = np.cumsum([0] + [len(p) for p in parts[:-1]])
        return Demos(
            frames=np.concatenate([p.frames for p in parts]),
            actions=np.concatenate([p.actions for p in parts]),
            episode_starts=np.concatenate([p.episode_starts + o for p, o in zip(parts, offsets)]),
            instructions=[s for p in parts for s in p.instructions],
            tasks=[t for p in parts for t in p.tasks],
            successes=np.concatenate([p.successes for p in parts]),
            seeds=np.concatenate([p.seeds for p in parts]),
            cached=sum(p.cached for p in parts),
        )


@dataclass(frozen=True)
class Job:
    """The ``index``-th episode of ``task`` in a run, played with env seed ``seed``."""

    task: str
    index: int
    seed: int


def episode_seed(task: str, index: int, seed: int) -> int:
    """The env seed of ``task``'s ``index``-th demonstration in a run with ``seed``.

    Far above evaluation seeds, different for every task (tasks with the same layout
    parameters would otherwise share maps), and independent of the run's other tasks.
    """
    if not 0 <= index < MAX_EPISODES_PER_TASK:
        raise ValueError(f"at most {MAX_EPISODES_PER_TASK:,} demonstrations per task")
    per_task = (zlib.crc32(task.encode()) << 10) | (seed % 1024)
    return TRAIN_SEED_BASE + per_task * MAX_EPISODES_PER_TASK + index


def plan_jobs(task_ids: Sequence[str], episodes: int | Sequence[int], seed: int) -> list[Job]:
    """``episodes`` in all (round-robin), or ``episodes[i]`` of task ``i``; interleaved in proportion
    to each task's count, so a time budget that stops generation early leaves the same mix."""
    counts = _split_evenly(episodes, len(task_ids)) if isinstance(episodes, int) else list(episodes)
    # Task i's j-th episode is due at (j + 0.5) / count_i; ties go in task order (plain round-robin).
    due = sorted(((j + 0.5) / n, i, j) for i, n in enumerate(counts) for j in range(n))
    return [Job(task_ids[i], j, episode_seed(task_ids[i], j, seed)) for _, i, j in due]


def _split_evenly(episodes: int, n: int) -> list[int]:
    return [episodes // n + (i < episodes % n) for i in range(n)]


def allocate(lengths: Sequence[float], episodes: int, balance: float) -> list[int]:
    """Episodes per task, ``episodes`` in all, in proportion to ``length ** -balance`` (largest
    remainders round; every task keeps at least one)."""
    weights = np.asarray(lengths, float) ** -balance
    exact = episodes * weights / weights.sum()
    counts = np.maximum(np.floor(exact).astype(int), 1)
    for i in np.argsort(-(exact - np.floor(exact)), kind="stable")[:max(0, episodes - int(counts.sum()))]:
        counts[i] += 1
    return counts.tolist()


def play_episodes(jobs: Sequence[Job], resolution: int, noise: float) -> list[Episode]:
    """Play the oracle on each job; runs inside a worker."""
    import simagym
    from simagym.agents.oracle import OracleAgent
    from simagym.macros import DiscreteActions, key_macro

    moves = np.array([key_macro(k) for k in ("W", "A", "S", "D")])
    envs: dict[str, DiscreteActions] = {}
    played = []
    for job in jobs:
        env = envs.get(job.task)
        if env is None:
            env = envs[job.task] = DiscreteActions(simagym.make(job.task, resolution=resolution))
        rng = np.random.default_rng([job.seed, NOISE_STREAM])
        obs, info = env.reset(seed=job.seed)
        oracle = OracleAgent()
        oracle.reset(obs["instruction"], env.unwrapped)
        frames, actions = [], []
        while True:
            label = oracle.act(obs)
            frames.append(obs["pixels"])
            actions.append(label)
            move = int(moves[rng.integers(len(moves))]) if noise and rng.random() < noise else label
            obs, _, terminated, truncated, info = env.step(move)
            if terminated or truncated:
                break
        played.append(Episode(frames=np.stack(frames), actions=np.asarray(actions, np.int16),
                              instruction=obs["instruction"], success=bool(info["success"]), seed=job.seed))
    for env in envs.values():
        env.close()
    return played


class FrameStore:
    """Frames appended in order into one uint8 array that grows in place.

    ``ndarray.resize`` reallocates, which for a large array remaps its pages instead of copying
    them, in steps of an eighth: frames are never held twice, and at most an eighth more memory
    is touched than kept.
    """

    def __init__(self, frame_shape: tuple[int, ...]) -> None:
        self.frames = np.empty((1024, *frame_shape), np.uint8)
        self.size = 0

    def append(self, frames: np.ndarray) -> int:
        """Add ``frames`` (T, *frame_shape); the index of the first."""
        start, end = self.size, self.size + len(frames)
        if end > len(self.frames):
            grown = max(end, len(self.frames) + len(self.frames) // 8)
            self.frames.resize((grown, *self.frames.shape[1:]), refcheck=False)  # no views of it are kept
        self.frames[start:end] = frames
        self.size = end
        return start

    def array(self) -> np.ndarray:
        """Every frame appended, as one array (the store's own memory, trimmed: no copy)."""
        self.frames.resize((self.size, *self.frames.shape[1:]), refcheck=False)
        return self.frames


class _Episodes:
    """Episodes appended in order, their frames in a :class:`FrameStore`."""

    def __init__(self, frame_shape: tuple[int, ...]) -> None:
        self.store = FrameStore(frame_shape)
        self.actions: list[np.ndarray] = []
        self.starts: list[int] = []
        self.instructions: list[str] = []
        self.tasks: list[str] = []
        self.successes: list[bool] = []
        self.seeds: list[int] = []
        self.indices: list[int] = []  # each episode's index among its task's
        self.cached = 0

    def add(self, task: str, index: int, episode: Episode) -> None:
        self.starts.append(self.store.append(episode.frames))
        self.actions.append(episode.actions)
        self.instructions.append(episode.instruction)
        self.tasks.append(task)
        self.successes.append(episode.success)
        self.seeds.append(episode.seed)
        self.indices.append(index)

    def demos(self) -> Demos:
        if not self.store.size:
            raise ValueError("no demonstration frames")
        return Demos(frames=self.store.array(), actions=np.concatenate(self.actions),
                     episode_starts=np.asarray(self.starts, np.int64), instructions=self.instructions,
                     tasks=self.tasks, successes=np.asarray(self.successes, bool),
                     seeds=np.asarray(self.seeds, np.int64), cached=self.cached)


class _Players:
    """Plays chunks of jobs, in order, in worker processes (a few chunks ahead) or here (one worker)."""

    def __init__(self, chunks: Sequence[Sequence[Job]], resolution: int, noise: float, workers: int,
                 should_stop: Callable[[], bool] | None) -> None:
        self.args = (resolution, noise)
        self.todo = deque(enumerate(chunks))
        self.should_stop = should_stop
        self.running: dict[Future, int] = {}
        self.done: dict[int, list[Episode]] = {}
        self.ahead = 2 * workers  # chunks under way or finished but not yet taken: bounds memory
        self.pool = None
        if workers > 1 and chunks:
            self.pool = worker_pool(workers)
        self.poll()

    def _stopped(self) -> bool:
        if self.todo and self.should_stop is not None and self.should_stop():
            self.todo.clear()  # a time budget: keep what is finished or under way
        return not self.todo

    def poll(self) -> None:
        """Collect finished chunks and start the next ones, without waiting."""
        if self.pool is None:
            return
        for future in [f for f in self.running if f.done()]:
            self.done[self.running.pop(future)] = future.result()
        while len(self.running) + len(self.done) < self.ahead and not self._stopped():
            i, chunk = self.todo.popleft()
            self.running[self.pool.submit(play_episodes, chunk, *self.args)] = i

    def take(self, i: int) -> list[Episode]:
        """Chunk ``i``'s episodes, once played; none if a time budget stopped it before it started.

        Chunks are taken in order, so every chunk before ``i`` is already taken.
        """
        while i not in self.done:
            if i not in self.running.values():
                if self._stopped() or self.pool is not None:
                    return []
                j, chunk = self.todo.popleft()  # no workers: play it here
                self.done[j] = play_episodes(chunk, *self.args)
                continue
            wait(self.running, return_when=FIRST_COMPLETED)
            self.poll()
        episodes = self.done.pop(i)
        self.poll()
        return episodes

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)


class _Reader:
    """Cached episodes in plan order, read by a thread a bounded number ahead of the consumer.

    Decompressing and checking frames (zlib releases the GIL) then overlaps with storing them.
    """

    def __init__(self, tasks: Sequence[str], cached: dict[str, CachedEpisodes]) -> None:
        self.queue: queue.Queue = queue.Queue(maxsize=READ_AHEAD)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(tasks, cached), daemon=True)
        self.thread.start()

    def _run(self, tasks: Sequence[str], cached: dict[str, CachedEpisodes]) -> None:
        for task in tasks:
            try:
                item = cached[task].next()
            except BaseException as err:  # handed to the consumer, raised there
                item = err
            while not self.stop.is_set():
                try:
                    self.queue.put(item, timeout=0.1)
                    break
                except queue.Full:
                    continue
            if self.stop.is_set() or isinstance(item, BaseException):
                return

    def next(self) -> Episode | None:
        item = self.queue.get()
        if isinstance(item, BaseException):
            raise item
        return item

    def close(self) -> None:
        self.stop.set()
        self.thread.join()


def generate(task_ids: Sequence[str], episodes: int, *, seed: int = 0, resolution: int = 64, noise: float = 0.0,
             workers: int = 2, on_progress: Callable[[int], None] | None = None,
             should_stop: Callable[[], bool] | None = None, cache: DemoCache | None = None,
             balance: float = 0.0) -> Demos:
    """``episodes`` oracle episodes over ``task_ids``; the same arguments give the same demos.

    ``on_progress(n)`` is told of every n finished episodes; ``should_stop()`` ends early
    (a time budget) with the episodes finished so far. With ``cache``, episodes found there
    are read instead of played, and played ones are added to it; the result is identical.
    ``balance`` > 0 gives shorter tasks more episodes (see the module's docstring).
    """
    counts: int | list[int] = episodes
    if balance and len(task_ids) > 1 and episodes > PILOT_EPISODES * len(task_ids):
        # The pilot episodes are the first of each task's own: with a cache they are played once.
        pilot = _play(plan_jobs(task_ids, PILOT_EPISODES * len(task_ids), seed), seed=seed, resolution=resolution,
                      noise=noise, workers=workers, on_progress=None, should_stop=should_stop, cache=cache)
        measured = {task: [] for task in task_ids}
        for task, length in zip(pilot.tasks, pilot.episode_lengths()):
            measured[task].append(length)
        known = [np.mean(v) for v in measured.values() if v]
        typical = float(np.mean(known)) if known else 1.0  # a time budget may stop the pilot itself
        lengths = [float(np.mean(measured[task])) if measured[task] else typical for task in task_ids]
        counts = allocate(lengths, episodes, balance)
    return _play(plan_jobs(task_ids, counts, seed), seed=seed, resolution=resolution, noise=noise, workers=workers,
                 on_progress=on_progress, should_stop=should_stop, cache=cache)


def _play(jobs: Sequence[Job], *, seed: int, resolution: int, noise: float, workers: int,
          on_progress: Callable[[int], None] | None, should_stop: Callable[[], bool] | None,
          cache: DemoCache | None) -> Demos:
    """The episodes of ``jobs``, read from ``cache`` where it has them, else played in workers."""
    needed = Counter(job.task for job in jobs)
    cached: dict[str, CachedEpisodes] = {}
    if cache is not None:
        for task, n in needed.items():
            seeds = [episode_seed(task, j, seed) for j in range(n)]
            cached[task] = cache.task(task, seed=seed, resolution=resolution, noise=noise).open(n, seeds)
    hit = [job.task in cached and job.index < cached[job.task].count for job in jobs]
    misses = [job for job, h in zip(jobs, hit) if not h]
    players = _Players([misses[c:c + CHUNK] for c in range(0, len(misses), CHUNK)], resolution, noise, workers,
                       should_stop)
    reader = _Reader([job.task for job, h in zip(jobs, hit) if h], cached)
    out = _Episodes((resolution, resolution, 3))
    try:
        played: deque[Episode] = deque()
        n_played = 0
        for job, from_cache in zip(jobs, hit):
            if from_cache:
                episode = reader.next()
                players.poll()  # keep the workers busy meanwhile
                if episode is None:  # a damaged segment (reported): play it again
                    episode = play_episodes([job], resolution, noise)[0]
                else:
                    out.cached += 1
            else:
                if n_played % CHUNK == 0:  # the first episode of the next chunk
                    played = deque(players.take(n_played // CHUNK))
                n_played += 1
                if not played:
                    continue  # a time budget stopped this episode's chunk before it started
                episode = played.popleft()
            out.add(job.task, job.index, episode)
            if on_progress:
                on_progress(1)
    finally:
        reader.close()
        players.close()
        for episodes_of_task in cached.values():
            episodes_of_task.close()
    demos = out.demos()
    if cache is not None:
        _add_to_cache(cache, demos, out.indices, cached, seed=seed, resolution=resolution, noise=noise)
    return demos


def _add_to_cache(cache: DemoCache, demos: Demos, indices: list[int], cached: dict[str, CachedEpisodes], *,
                  seed: int, resolution: int, noise: float) -> None:
    """Write, per task, the episodes this run played after the cached ones (while they run on, with
    no gap: a time budget may have left some out), as one new segment; in threads (zlib releases the GIL)."""
    lengths = demos.episode_lengths()
    by_task: dict[str, dict[int, int]] = {}
    for e, (task, index) in enumerate(zip(demos.tasks, indices)):
        by_task.setdefault(task, {})[index] = e
    segments = []
    for task, episodes in by_task.items():
        first = cached[task].count if cached[task].damaged_from is None else cached[task].damaged_from
        new = []
        while first + len(new) in episodes:
            e = episodes[first + len(new)]
            a, b = demos.episode_starts[e], demos.episode_starts[e] + lengths[e]
            new.append(Episode(frames=demos.frames[a:b], actions=demos.actions[a:b], instruction=demos.instructions[e],
                               success=bool(demos.successes[e]), seed=int(demos.seeds[e])))
        if new:
            segments.append((cache.task(task, seed=seed, resolution=resolution, noise=noise), first, new))
    with ThreadPoolExecutor(max_workers=2) as writers:
        list(writers.map(lambda args: args[0].write(args[1], args[2]), segments))
