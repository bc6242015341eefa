"""Oracle demonstrations: the same episodes whether played, cached or read back; damaged cache files
are played again; a task's key follows everything an episode depends on."""

from __future__ import annotations

import logging

import numpy as np
import pytest

import simagym
from simagym.train.demo_cache import DemoCache, task_key
from simagym.train.demos import Demos, generate, plan_jobs

TASKS = ["meadow/open-map-v1", "meadow/go-to-house-v1"]  # short episodes


def _same(a: Demos, b: Demos) -> None:
    assert a.frames.shape == b.frames.shape and np.array_equal(a.frames, b.frames)
    assert np.array_equal(a.actions, b.actions) and np.array_equal(a.episode_starts, b.episode_starts)
    assert a.instructions == b.instructions and a.tasks == b.tasks
    assert np.array_equal(a.successes, b.successes) and np.array_equal(a.seeds, b.seeds)


@pytest.fixture(scope="module")
def played() -> Demos:
    """Six episodes played without a cache, in this process."""
    return generate(TASKS, 6, seed=3, noise=0.2, workers=1)


def test_cache_hit_returns_identical_arrays(played, tmp_path):
    cache = DemoCache(tmp_path)
    cold = generate(TASKS, 6, seed=3, noise=0.2, workers=2, cache=cache)  # played by workers, which write
    warm = generate(TASKS, 6, seed=3, noise=0.2, workers=2, cache=cache)
    assert (cold.cached, warm.cached) == (0, 6)
    _same(cold, played)
    _same(warm, played)
    assert warm.frames.dtype == np.uint8 and warm.frames.flags.c_contiguous and warm.frames.flags.owndata


def test_episodes_do_not_depend_on_the_other_tasks_or_the_count(played, tmp_path):
    """A task's episodes are its own: a run with fewer tasks or episodes reuses them, a longer run extends them."""
    cache = DemoCache(tmp_path)
    generate(TASKS, 6, seed=3, noise=0.2, workers=1, cache=cache)
    alone = generate(TASKS[:1], 3, seed=3, noise=0.2, workers=1, cache=cache)
    assert alone.cached == 3 and alone.tasks == [TASKS[0]] * 3
    assert list(alone.seeds) == list(played.seeds[0::2])
    more = generate(TASKS, 8, seed=3, noise=0.2, workers=1, cache=cache)  # one more episode of each task
    assert more.cached == 6
    _same(more, generate(TASKS, 8, seed=3, noise=0.2, workers=1))
    again = generate(TASKS, 8, seed=3, noise=0.2, workers=1, cache=cache)
    assert again.cached == 8
    _same(again, more)


def _flip_a_byte(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # inside the frames, the largest member
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [
    lambda path, other: path.write_bytes(path.read_bytes()[:200]),  # truncated
    lambda path, other: path.write_bytes(b"\x80\x04not a zip at all"),  # garbage (and never unpickled)
    lambda path, other: path.write_bytes(other.read_bytes()),  # a sound file holding another task's episodes
    lambda path, other: _flip_a_byte(path),  # altered frames (each episode carries a checksum)
], ids=["truncated", "garbage", "another-task", "flipped-byte"])
def test_a_damaged_cache_file_is_played_again(played, tmp_path, caplog, damage):
    cache = DemoCache(tmp_path)
    generate(TASKS, 6, seed=3, noise=0.2, workers=1, cache=cache)
    segments = sorted(tmp_path.rglob("*.npz"))
    assert len(segments) == 2  # one per task: episodes 0-2
    damage(segments[0], segments[1])
    with caplog.at_level(logging.WARNING, logger="simagym.train"):
        again = generate(TASKS, 6, seed=3, noise=0.2, workers=1, cache=cache)
    assert sum("is damaged" in r.getMessage() for r in caplog.records) == 1
    assert again.cached < 6
    _same(again, played)
    rebuilt = generate(TASKS, 6, seed=3, noise=0.2, workers=1, cache=cache)  # written again
    assert rebuilt.cached == 6
    _same(rebuilt, played)


def test_key_follows_task_content_seed_resolution_and_noise(monkeypatch):
    base = dict(seed=0, resolution=64, noise=0.2)
    key = task_key(TASKS[0], **base)
    assert key == task_key(TASKS[0], **base)
    assert key != task_key(TASKS[1], **base)
    for change in ({"seed": 1}, {"resolution": 48}, {"noise": 0.1}):
        assert task_key(TASKS[0], **(base | change)) != key, change
    spec = simagym.get_task(TASKS[0])
    for edit in ({"max_steps": spec.max_steps + 1},
                 {"phrasings": spec.phrasings.model_copy(update={"train": (*spec.phrasings.train, "open it")})},
                 {"settle": spec.settle + 1}):
        changed = spec.model_copy(update=edit)
        monkeypatch.setattr(simagym, "get_task", lambda task_id, changed=changed: changed)
        assert task_key(TASKS[0], **base) != key, edit
        monkeypatch.undo()


def test_plan_gives_every_task_its_own_seeds():
    jobs = plan_jobs(TASKS, 4, seed=0)
    assert [(j.task, j.index) for j in jobs] == [(TASKS[0], 0), (TASKS[1], 0), (TASKS[0], 1), (TASKS[1], 1)]
    assert len({j.seed for j in jobs}) == 4 and min(j.seed for j in jobs) >= 1 << 24
    assert plan_jobs(TASKS[::-1], 4, seed=0)[0].seed == jobs[1].seed  # independent of the other tasks
    assert plan_jobs(TASKS, 4, seed=1)[0].seed != jobs[0].seed


def test_allocation_gives_shorter_tasks_more_episodes():
    from simagym.train.demos import allocate

    assert allocate([2.0, 2.0, 2.0], 9, balance=0.5) == [3, 3, 3]
    assert allocate([1.0, 100.0], 110, balance=0.0) == [55, 55]  # 0: round-robin
    assert allocate([1.0, 100.0], 110, balance=1.0) == [109, 1]  # 1: equal frames, and every task keeps one
    counts = allocate([1.0, 4.0, 16.0], 700, balance=0.5)
    assert sum(counts) == 700 and counts == [400, 200, 100]


def test_a_plan_interleaves_tasks_in_proportion_to_their_counts():
    counts = [40, 10, 5]
    jobs = plan_jobs(["a", "b", "c"], counts, seed=0)
    assert sorted((j.task, j.index) for j in jobs) == sorted(
        (t, i) for t, n in zip("abc", counts) for i in range(n))
    for stop in range(1, len(jobs) + 1):  # a time budget that stops anywhere leaves the planned mix
        done = [sum(j.task == t for j in jobs[:stop]) for t in "abc"]
        assert all(abs(d - n * stop / len(jobs)) <= 1.5 for d, n in zip(done, counts)), (stop, done)
    assert [(j.task, j.index) for j in plan_jobs(TASKS, 4, seed=0)] == [
        (t, j.index) for t, j in zip([TASKS[0], TASKS[1]] * 2, plan_jobs(TASKS, [2, 2], seed=0))]


def test_balanced_demonstrations_favour_short_tasks_and_repeat_through_the_cache(tmp_path):
    """The pilot episodes that measure each task's length are the first of its own episodes: with a cache
    they are played once, and the data is the same as without one."""
    kwargs = dict(seed=3, noise=0.2, workers=1, balance=1.0)
    plain = generate(TASKS, 24, **kwargs)
    per_task = {t: plain.tasks.count(t) for t in TASKS}
    lengths = {t: plain.episode_lengths()[[x == t for x in plain.tasks]].mean() for t in TASKS}
    short, long = sorted(TASKS, key=lengths.get)
    assert per_task[short] > per_task[long] and sum(per_task.values()) == 24
    for t in TASKS:  # each task's episodes are its first ones, pilots included
        assert sorted(s for s, x in zip(plain.seeds, plain.tasks) if x == t) == sorted(
            j.seed for j in plan_jobs([t], per_task[t], seed=3))
    cache = DemoCache(tmp_path)
    cold = generate(TASKS, 24, cache=cache, **kwargs)
    from simagym.train.demos import PILOT_EPISODES

    # The pilots, read back after measuring (a task given fewer episodes than its pilot uses its first ones).
    assert cold.cached == sum(min(PILOT_EPISODES, n) for n in per_task.values())
    _same(cold, plain)
    warm = generate(TASKS, 24, cache=cache, **kwargs)
    assert warm.cached == 24
    _same(warm, plain)
