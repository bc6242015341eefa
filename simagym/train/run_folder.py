"""The run folder of one training run: claimed at the start, cleaned up if the run fails early.

A run that fails before it saved its checkpoint (a bad text encoder, a seed the
libraries refuse, a diverged loss, Ctrl-C during training) leaves nothing behind
that it wrote - its snapshots and curves included - so the same command can simply
run again. Once the checkpoint exists the folder is kept (an evaluation that fails
afterwards does not take the trained agent with it).
"""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from simagym.train.config import CONFIG_FILE, ConfigError

#: What makes a folder worth keeping after a failure: the run's trained agent in it.
KEEPER = "checkpoint/checkpoint.json"


def _created_by_mkdir(folder: Path) -> list[Path]:
    """The folders ``folder.mkdir(parents=True)`` would create, outermost first."""
    missing = []
    for path in (folder, *folder.parents):
        if path.exists() or path.is_symlink():
            break
        missing.append(path)
    return missing[::-1]


def _check_writable_target(folder: Path) -> None:
    if folder.is_symlink() and not folder.exists():
        raise ConfigError(f"out: {folder} is a broken symbolic link; choose another --out")
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"out: {folder} is a file, not a folder; choose another --out")
    if (folder / CONFIG_FILE).exists():
        raise ConfigError(f"out: {folder} already holds a run; choose another --out (or delete it)")


@contextmanager
def new_run_folder(folder: Path) -> Iterator[Path]:
    """Create (or adopt an empty or unrelated) ``folder`` for a new run and yield it.

    If the body raises before a checkpoint exists in it, everything this run created is removed
    again - the folder itself and any parents it had to create, or, in a folder that existed
    before, only the entries that were not there - and the error goes on.
    """
    folder = Path(folder)
    _check_writable_target(folder)
    created = _created_by_mkdir(folder)
    before = set(os.listdir(folder)) if not created else set()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".write-test-{os.getpid()}"
        probe.touch()
        probe.unlink()
    except OSError as err:
        _remove_created(folder, created, before)
        raise ConfigError(f"out: cannot write the run folder {folder}: {err.strerror or err}; choose another"
                          " --out") from None
    try:
        yield folder
    except BaseException:
        if not (folder / KEEPER).exists():
            _remove_created(folder, created, before)
        raise


def _remove_created(folder: Path, created: list[Path], before: set[str]) -> None:
    if created:
        shutil.rmtree(created[0], ignore_errors=True)  # the outermost folder this run made holds the rest
        return
    if not folder.is_dir():
        return
    for name in set(os.listdir(folder)) - before:
        path = folder / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
