"""Reading a results folder for the leaderboard, and refusing one that cannot be trusted.

A results folder (written by ``python -m simagym.eval``, or by
``python -m simagym.leaderboard human`` from recorded human play) holds
``run.json``, ``summary.json``, ``episodes.jsonl`` and optionally
``videos/index.json`` with GIFs. Everything is read as JSON text or copied as
bytes: nothing in the folder is executed, imported or unpickled.

A folder is refused (:class:`ResultError`, listing every problem) when it is

* **from another suite**: its suite name, version or content hash differs from
  the suite the leaderboard is built for;
* **incomplete**: an episode of its plan is missing (the plan is the suite's
  episodes for its ``episodes_per_task``, or for recorded human play the
  explicit ``planned_episodes``, which must take each task's seeds in suite
  order, so no episode can be left out after the fact);
* **inconsistent**: a line is not a valid episode, repeats one, lies outside the
  plan or the suite, names the wrong world or category for its task; or
  ``summary.json`` disagrees with the episodes (counts, rates, per group); or a
  video is not a GIF or does not match its episode.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simagym.eval.errors import EvalError
from simagym.eval.results import EPISODES_FILE, RECORD_FIELDS, RUN_FILE
from simagym.eval.suite import Episode, Suite
from simagym.eval.summary import GROUPS, SUMMARY_FILE
from simagym.eval.videos import GIF_MAGIC, INDEX_FILE, VIDEOS_DIR

MAX_JSON_BYTES = 64 * 1024 * 1024
MAX_GIF_BYTES = 32 * 1024 * 1024
_SAFE_FILE = re.compile(r"^[A-Za-z0-9_.-]+\.gif$")
#: Absolute tolerance when comparing a summary's rates with those recomputed from the episodes.
RATE_TOLERANCE = 1e-9


class ResultError(EvalError):
    """A results folder the leaderboard will not rank; ``problems`` lists why."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path, self.problems = path, problems
        shown = problems[:8] + ([f"... and {len(problems) - 8} more"] if len(problems) > 8 else [])
        super().__init__(f"refusing results {path}: " + "; ".join(shown))


@dataclass
class Video:
    source: Path  # the GIF inside the results folder (checked: a regular file starting with a GIF header)
    task: str
    seed: int
    split: str
    instruction: str
    success: bool
    steps: int


@dataclass
class Result:
    """A verified results folder."""

    path: Path
    agent: str            # the agent spec the run used (e.g. "oracle", "pkg.mod:Class", "human")
    name: str             # untrusted display name
    description: str      # untrusted
    parameters: int | None
    simagym_version: str
    created: str
    episodes: list[dict[str, Any]]
    videos: list[Video] = field(default_factory=list)
    #: Set by a replay that matched (``build --replay``): how many episodes were re-run, and the draw's seed.
    verified: dict[str, Any] | None = None

    @property
    def strata(self) -> set[tuple[str, str]]:
        return {(r["task"], r["split"]) for r in self.episodes}


def _read_json(path: Path, problems: list[str]) -> Any:
    if path.is_symlink() or not path.is_file():
        problems.append(f"{path.name} is missing (or not a regular file)")
        return None
    if path.stat().st_size > MAX_JSON_BYTES:
        problems.append(f"{path.name} is larger than {MAX_JSON_BYTES // 2**20} MiB")
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as err:
        problems.append(f"{path.name} is not valid JSON ({err})")
        return None


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return (isinstance(v, (int, float)) and not isinstance(v, bool)) and math.isfinite(v)


_TYPES = {
    "task": (str, "a string"), "world": (str, "a string"), "category": (str, "a string"),
    "split": (str, "a string"), "instruction": (str, "a string"),
}


def _check_record(record: Any, lineno: int, suite: Suite, valid: set[Episode]) -> str | None:
    """A problem with one episode line, or None."""
    if not isinstance(record, dict):
        return f"{EPISODES_FILE} line {lineno} is not a JSON object"
    missing = [f for f in RECORD_FIELDS if f not in record]
    if missing:
        return f"{EPISODES_FILE} line {lineno} lacks {', '.join(missing)}"
    for name, (kind, words) in _TYPES.items():
        if not isinstance(record[name], kind):
            return f"{EPISODES_FILE} line {lineno}: {name} is not {words}"
    if not _is_int(record["seed"]) or not isinstance(record["success"], bool):
        return f"{EPISODES_FILE} line {lineno}: seed must be an integer and success true or false"
    if not _is_int(record["steps"]) or record["steps"] < 0 or not _is_number(record["return"]):
        return f"{EPISODES_FILE} line {lineno}: steps must be an integer >= 0 and return a finite number"
    key = Episode(record["task"], record["seed"], record["split"])
    if key not in valid:
        return f"{EPISODES_FILE} line {lineno}: episode {tuple(key)} is not an episode of suite {suite.label}"
    spec = suite.spec(key.task)
    if spec is not None and (record["world"], record["category"]) != (spec.world, spec.category.value):
        return (f"{EPISODES_FILE} line {lineno}: {key.task} is world {spec.world!r}, category "
                f"{spec.category.value!r}, not {record['world']!r}, {record['category']!r}")
    return None


def _read_episodes(path: Path, suite: Suite, problems: list[str]) -> list[dict[str, Any]]:
    file = path / EPISODES_FILE
    if file.is_symlink() or not file.is_file():
        problems.append(f"{EPISODES_FILE} is missing (or not a regular file)")
        return []
    if file.stat().st_size > MAX_JSON_BYTES:
        problems.append(f"{EPISODES_FILE} is larger than {MAX_JSON_BYTES // 2**20} MiB")
        return []
    valid = set(suite.episodes())
    records: dict[Episode, dict[str, Any]] = {}
    text = file.read_text(encoding="utf-8", errors="replace")
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            problems.append(f"{EPISODES_FILE} line {lineno} is not valid JSON (a torn write? re-run the evaluation "
                            "with the same --out to repair and finish it)")
            continue
        problem = _check_record(record, lineno, suite, valid)
        if problem:
            problems.append(problem)
            continue
        key = Episode(record["task"], record["seed"], record["split"])
        if key in records:
            problems.append(f"{EPISODES_FILE} line {lineno} repeats episode {tuple(key)}")
            continue
        records[key] = record
    return list(records.values())


def _plan(run: dict[str, Any], suite: Suite, problems: list[str]) -> set[Episode] | None:
    """The episodes the run promised, checked against the suite."""
    planned = run.get("planned_episodes")
    if planned is None:
        per_task = run.get("episodes_per_task")
        if per_task is not None and (not _is_int(per_task) or per_task < 1):
            problems.append(f"{RUN_FILE}: episodes_per_task must be null or an integer >= 1, got {per_task!r}")
            return None
        plan = set(suite.episodes(per_task))
    else:
        if not isinstance(planned, list) or not all(
            isinstance(e, list) and len(e) == 3 and isinstance(e[0], str) and _is_int(e[1]) and isinstance(e[2], str)
            for e in planned
        ):
            problems.append(f"{RUN_FILE}: planned_episodes must be a list of [task, seed, split]")
            return None
        plan = {Episode(*e) for e in planned}
        outside = plan - set(suite.episodes())
        if outside:
            problems.append(f"{RUN_FILE}: {len(outside)} planned episodes are not in suite {suite.label}, "
                            f"e.g. {tuple(sorted(outside)[0])}")
            return None
        # Each (task, split) must take the suite's seeds in order: nothing can be dropped after the fact.
        seeds_of: dict[tuple[str, str], set[int]] = {}
        for e in plan:
            seeds_of.setdefault((e.task, e.split), set()).add(e.seed)
        for (task, split), seeds in sorted(seeds_of.items()):
            if seeds != set(suite.seeds[:len(seeds)]):
                problems.append(f"{RUN_FILE}: the planned seeds of {task} ({split}) are not the first "
                                f"{len(seeds)} seeds of suite {suite.label}")
                return None
    if run.get("planned") != len(plan):
        problems.append(f"{RUN_FILE}: planned says {run.get('planned')!r} episodes but the plan has {len(plan)}")
    return plan


def _close(a: Any, b: float) -> bool:
    return _is_number(a) and abs(a - b) <= RATE_TOLERANCE


def _point(records: list[dict[str, Any]]) -> tuple[int, int, float]:
    """(episodes, successes, mean over (task, split) strata of their success rates): what a summary reports."""
    strata: dict[tuple[str, str], list[bool]] = {}
    for r in records:
        strata.setdefault((r["task"], r["split"]), []).append(bool(r["success"]))
    rate = sum(sum(v) / len(v) for v in strata.values()) / len(strata)
    return len(records), sum(bool(r["success"]) for r in records), rate


def _check_summary(summary: Any, run: dict[str, Any], episodes: list[dict[str, Any]], problems: list[str]) -> None:
    if not isinstance(summary, dict):
        problems.append(f"{SUMMARY_FILE} is not a JSON object")
        return
    suite = summary.get("suite") if isinstance(summary.get("suite"), dict) else {}
    if summary.get("agent") != run.get("agent") or suite.get("hash") != run.get("suite_hash"):
        problems.append(f"{SUMMARY_FILE} names another agent or suite than {RUN_FILE}")
    if summary.get("episodes") != len(episodes):
        problems.append(f"inconsistent: {SUMMARY_FILE} counts {summary.get('episodes')!r} episodes but "
                        f"{EPISODES_FILE} has {len(episodes)}")
        return
    if summary.get("complete") is not True:
        problems.append(f"{SUMMARY_FILE} says the run is not complete")
    if not episodes:
        return
    _, successes, rate = _point(episodes)
    if summary.get("successes") != successes or not _close(summary.get("success_rate"), rate):
        problems.append(
            f"inconsistent: {SUMMARY_FILE} reports {summary.get('successes')!r} successes, success rate "
            f"{summary.get('success_rate')!r}, but the episodes give {successes} and {rate:.6f}"
        )
    for group, fieldname in GROUPS.items():
        reported = summary.get(group)
        members: dict[str, list[dict[str, Any]]] = {}
        for r in episodes:
            members.setdefault(str(r[fieldname]), []).append(r)
        actual = {k: _point(v) for k, v in members.items()}
        if not isinstance(reported, dict) or set(reported) != set(actual):
            problems.append(f"inconsistent: {SUMMARY_FILE} {group} does not list the episodes' groups")
            continue
        for name, (n, k, rate) in actual.items():
            row = reported[name]
            if not isinstance(row, dict) or row.get("episodes") != n or row.get("successes") != k \
                    or not _close(row.get("success_rate"), rate):
                problems.append(f"inconsistent: {SUMMARY_FILE} {group}[{name!r}] does not match the episodes")
                break


def _read_videos(path: Path, by_key: dict[Episode, dict[str, Any]], problems: list[str]) -> list[Video]:
    videos_dir = path / VIDEOS_DIR
    index_file = videos_dir / INDEX_FILE
    if not index_file.exists():
        return []
    if videos_dir.is_symlink():
        problems.append(f"{VIDEOS_DIR}/ is a symbolic link")
        return []
    data = _read_json(index_file, problems)
    if data is None:
        return []
    entries = data.get("videos") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        problems.append(f"{VIDEOS_DIR}/{INDEX_FILE} has no 'videos' list")
        return []
    videos = []
    for i, entry in enumerate(entries):
        where = f"{VIDEOS_DIR}/{INDEX_FILE} entry {i}"
        if not isinstance(entry, dict) or not isinstance(entry.get("file"), str) or not _SAFE_FILE.match(entry["file"]):
            problems.append(f"{where}: 'file' must be a plain .gif file name")
            continue
        gif = videos_dir / entry["file"]
        if gif.is_symlink() or not gif.is_file():
            problems.append(f"{where}: {entry['file']} is missing (or not a regular file)")
            continue
        if gif.stat().st_size > MAX_GIF_BYTES:
            problems.append(f"{where}: {entry['file']} is larger than {MAX_GIF_BYTES // 2**20} MiB")
            continue
        with gif.open("rb") as f:
            if f.read(6) not in GIF_MAGIC:
                problems.append(f"{where}: {entry['file']} is not a GIF")
                continue
        try:
            key = Episode(entry["task"], entry["seed"], entry["split"])
            record = by_key.get(key) if isinstance(key.task, str) and _is_int(key.seed) else None
        except (KeyError, TypeError):
            record = None
        if record is None:
            problems.append(f"{where}: not an episode of these results")
            continue
        if entry.get("success") != record["success"] or entry.get("steps") != record["steps"]:
            problems.append(f"inconsistent: {where} shows {tuple(key)} ending in "
                            f"{'success' if entry.get('success') else 'failure'} after {entry.get('steps')!r} steps, "
                            f"but {EPISODES_FILE} says {'success' if record['success'] else 'failure'} after "
                            f"{record['steps']}")
            continue
        videos.append(Video(gif, key.task, key.seed, key.split, record["instruction"], record["success"],
                            record["steps"]))
    return videos


def load_result(path: str | Path, suite: Suite) -> Result:
    """Read and verify a results folder against ``suite``; raise :class:`ResultError` listing every problem."""
    path = Path(path)
    problems: list[str] = []
    if not path.is_dir():
        raise ResultError(path, ["not a folder"])
    run = _read_json(path / RUN_FILE, problems)
    summary = _read_json(path / SUMMARY_FILE, problems)
    if not isinstance(run, dict):
        if run is not None:
            problems.append(f"{RUN_FILE} is not a JSON object")
        raise ResultError(path, problems)
    # Which suite: name, version and content hash must all match.
    label = f"{run.get('suite_name')}-v{run.get('suite_version')}"
    if (run.get("suite_name"), run.get("suite_version")) != (suite.name, suite.version):
        problems.append(f"computed on suite {label}, not {suite.label}")
        raise ResultError(path, problems)
    if run.get("suite_hash") is None:
        problems.append(f"{RUN_FILE} has no suite_hash (written by a simagym without content hashes); "
                        "re-run the evaluation")
        raise ResultError(path, problems)
    if run.get("suite_hash") != suite.content_hash:
        problems.append(
            f"computed on another version of suite {suite.label}: its content hash is {run.get('suite_hash')} but the "
            f"installed suite's is {suite.content_hash} (a task, phrasing or seed changed); re-run the evaluation"
        )
        raise ResultError(path, problems)
    for key, check, words in (("agent", lambda v: isinstance(v, str) and v, "a non-empty string"),
                              ("simagym_version", lambda v: isinstance(v, str), "a string"),
                              ("agent_parameters", lambda v: v is None or (_is_int(v) and v >= 0), "null or an integer >= 0")):
        if not check(run.get(key)):
            problems.append(f"{RUN_FILE}: {key} must be {words}")
    plan = _plan(run, suite, problems)
    episodes = _read_episodes(path, suite, problems)
    have = {Episode(r["task"], r["seed"], r["split"]) for r in episodes}
    if plan is not None:
        missing, extra = plan - have, have - plan
        if missing:
            problems.append(f"incomplete: {len(missing)} of {len(plan)} planned episodes are missing, e.g. "
                            f"{tuple(sorted(missing)[0])}; finish the run (re-run the same command) first")
        if extra:
            problems.append(f"inconsistent: {len(extra)} episodes are outside the run's plan, e.g. {tuple(sorted(extra)[0])}")
    _check_summary(summary, run, episodes, problems)
    by_key = {Episode(r["task"], r["seed"], r["split"]): r for r in episodes}
    videos = _read_videos(path, by_key, problems)
    if problems:
        raise ResultError(path, problems)
    return Result(
        path=path,
        agent=run["agent"],
        name=str(run.get("agent_name") or run["agent"]),
        description=str(run.get("agent_description") or ""),
        parameters=run.get("agent_parameters"),
        simagym_version=run["simagym_version"],
        created=str(run.get("created", "")),
        episodes=sorted(episodes, key=lambda r: (r["task"], r["split"], r["seed"])),
        videos=videos,
    )
