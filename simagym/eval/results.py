"""The files of a run folder: ``episodes.jsonl`` (append-only, one JSON line per
finished episode), ``run.json`` (what the run is) and a lock.

Episodes are appended as they finish and fsynced, so a crash or Ctrl-C loses at
most the episode being written; that torn last line is dropped on resume.
"""

from __future__ import annotations

import json
import math
import logging
import os
from pathlib import Path
from typing import Any, IO, Iterable, Mapping

from simagym.eval.errors import EvalError
from simagym.eval.suite import Episode, Suite
from simagym.eval.summary import write_json_atomic

log = logging.getLogger("simagym.eval")

EPISODES_FILE = "episodes.jsonl"
RUN_FILE = "run.json"
SUITE_FILE = "suite.json"  # the suite's manifest (what its content hash is over), for audits
LOCK_FILE = ".lock"
RECORD_FIELDS = ("task", "world", "category", "seed", "split", "instruction", "success", "steps", "return")
#: Fields that must match for a folder's episodes to belong to this run.
IDENTITY_FIELDS = ("agent", "suite_name", "suite_version")


def episode_key(record: Mapping[str, Any]) -> Episode:
    return Episode(record["task"], int(record["seed"]), record["split"])


_TYPES: dict[str, tuple[type, ...]] = {
    "task": (str,), "world": (str,), "category": (str,), "split": (str,), "instruction": (str,),
    "seed": (int,), "steps": (int,), "success": (bool,), "return": (int, float),
}


def _parse(line: bytes) -> dict[str, Any]:
    """One episode record, typed strictly: ``"success": "false"`` or a seed of 1002.7 is not a record."""
    record = json.loads(line)
    if not isinstance(record, dict) or any(f not in record for f in RECORD_FIELDS):
        raise ValueError("not an episode record")
    for name, types in _TYPES.items():
        value = record[name]
        if not isinstance(value, types) or (bool not in types and isinstance(value, bool)):
            raise ValueError(f"field {name!r} is {value!r}, not {' or '.join(t.__name__ for t in types)}")
    if record["seed"] < 0 or record["steps"] < 0 or not math.isfinite(record["return"]):
        raise ValueError("seed, steps or return out of range")
    return record


def read_episodes(out_dir: str | os.PathLike[str], repair: bool = False) -> list[dict[str, Any]]:
    """Finished episodes, first occurrence of each key kept.

    A torn last line (an interrupted write) is skipped, and with ``repair`` cut
    off the file so the next append starts on a fresh line. A bad line anywhere
    else is real corruption and an error.
    """
    path = Path(out_dir) / EPISODES_FILE
    if path.is_symlink():  # never read, cut or append through a link to a file elsewhere
        raise EvalError(f"{path} is a symbolic link; results are only read from a plain file in the results folder")
    if not path.exists():
        return []
    data = path.read_bytes()
    records: dict[Episode, dict[str, Any]] = {}
    pos = good_end = 0
    lineno = 0
    while pos < len(data):
        lineno += 1
        nl = data.find(b"\n", pos)
        end = len(data) if nl == -1 else nl
        line = data[pos:end]
        if line.strip():
            try:
                record = _parse(line)
            except ValueError as err:
                if nl == -1:  # only a last line with no newline is an interrupted write
                    log.warning("%s: dropping an incomplete last line (an interrupted write)", path)
                    break
                raise EvalError(f"{path}: line {lineno} is not an episode record ({err}); the file is corrupt:"
                                " fix or remove that line, or evaluate into a new folder") from None
            if nl == -1:  # complete JSON but no newline: keep it, but start the next append on a new line
                records.setdefault(episode_key(record), record)
                if repair:
                    with path.open("ab") as f:
                        f.write(b"\n")
                good_end = len(data)
                break
            key = episode_key(record)
            if key in records:
                log.warning("%s: line %d repeats episode %s; keeping the first", path, lineno, key)
            else:
                records[key] = record
        if nl == -1:
            break
        pos = good_end = nl + 1
    if repair and good_end < len(data):
        with path.open("r+b") as f:
            f.truncate(good_end)
            f.flush()
            os.fsync(f.fileno())
    return list(records.values())


class EpisodeLog:
    """Appends episode records durably, one line each."""

    def __init__(self, out_dir: str | os.PathLike[str]) -> None:
        self.path = Path(out_dir) / EPISODES_FILE
        self._file: IO[str] | None = None

    def __enter__(self) -> "EpisodeLog":
        # O_NOFOLLOW: a link planted in place of the file is refused, never appended through.
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
        self._file = os.fdopen(fd, "a", encoding="utf-8")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def append(self, record: Mapping[str, Any]) -> None:
        assert self._file is not None, "use EpisodeLog as a context manager"
        # One write per line, then fsync: a crash leaves whole lines plus at most one torn tail.
        self._file.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())


# --- run.json ----------------------------------------------------------------------

def read_run_config(out_dir: str | os.PathLike[str]) -> dict[str, Any] | None:
    path = Path(out_dir) / RUN_FILE
    if not path.exists():
        return None
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(config, dict) or any(f not in config for f in IDENTITY_FIELDS):
            raise ValueError(f"missing one of {IDENTITY_FIELDS}")
    except ValueError as err:
        raise EvalError(f"{path} is not a valid run description ({err}); use another --out folder") from None
    return config


def prepare_run_config(out_dir: str | os.PathLike[str], config: Mapping[str, Any]) -> dict[str, Any]:
    """Write ``run.json``, or check that the folder's existing run is the same one.

    Refuses to mix episodes of different agents or suites in one folder.
    """
    out = Path(out_dir)
    old = read_run_config(out)
    if old is None:
        if (out / EPISODES_FILE).exists() and (out / EPISODES_FILE).stat().st_size > 0:
            raise EvalError(f"{out} has {EPISODES_FILE} but no {RUN_FILE}, so it cannot be resumed safely; use another --out folder")
        merged = dict(config)
    else:
        mismatched = [f for f in IDENTITY_FIELDS if old[f] != config[f]]
        if mismatched:
            was = f"agent {old['agent']!r} on suite {old['suite_name']}-v{old['suite_version']}"
            now = f"agent {config['agent']!r} on suite {config['suite_name']}-v{config['suite_version']}"
            raise EvalError(f"{out} holds a run of {was}, not {now}; choose another --out folder or delete it")
        # How the agent acts (a learned agent's sampling or argmax, its guidance scale) is part of what it is.
        if "agent_options" in old and old["agent_options"] != config.get("agent_options"):
            raise EvalError(f"{out} holds a run of agent {old['agent']!r} acting with {old['agent_options']}, not"
                            f" {config.get('agent_options')}; choose another --out folder or delete it")
        if old.get("suite_hash") not in (None, config.get("suite_hash")):
            raise EvalError(
                f"{out} holds a run on suite {old['suite_name']}-v{old['suite_version']} with content hash "
                f"{old['suite_hash']}, but the installed tasks give {config.get('suite_hash')} (a task changed); "
                "its episodes cannot be mixed with new ones: choose another --out folder"
            )
        if old.get("simagym_version") != config.get("simagym_version"):
            log.warning("%s was started with simagym %s; resuming with %s",
                        out, old.get("simagym_version"), config.get("simagym_version"))
        merged = {**old, **{k: v for k, v in config.items() if k != "created"}}
    write_json_atomic(out / RUN_FILE, merged)
    return merged


def write_suite_manifest(out_dir: str | os.PathLike[str], suite: "Suite") -> Path:
    """Write the suite's manifest, with its hash, next to the results."""
    return write_json_atomic(Path(out_dir) / SUITE_FILE, {"content_hash": suite.content_hash, **suite.manifest})


class FolderLock:
    """An exclusive lock on a run folder, so two runs never append to the same file."""

    def __init__(self, out_dir: str | os.PathLike[str]) -> None:
        self.path = Path(out_dir) / LOCK_FILE
        self._fd: int | None = None

    def __enter__(self) -> "FolderLock":
        try:
            import fcntl
        except ImportError:  # no fcntl (Windows): run unlocked
            return self
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self._fd)
            self._fd = None
            raise EvalError(f"another evaluation is writing to {self.path.parent}; wait for it or use another --out") from None
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing releases the flock
            self._fd = None


def keys_of(records: Iterable[Mapping[str, Any]]) -> set[Episode]:
    return {episode_key(r) for r in records}
