"""Shared test setup: headless SDL (before anything imports pygame) and small helpers."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

# Tests never read or fill the user's own caches (e.g. cached oracle demonstrations).
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="simagym-test-cache-")
atexit.register(shutil.rmtree, os.environ["XDG_CACHE_HOME"], True)
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pytest  # noqa: E402

import simagym  # noqa: E402


def all_task_ids() -> list[str]:
    """Every registered task id, sorted (collected once at import for parametrisation)."""
    return [spec.id for spec in simagym.list_tasks()]


@pytest.fixture
def meadow_layout():
    """The Meadow world's layout model, as ``load_task_file`` wants it."""
    from simagym.envs.meadow import MeadowWorld

    return {"meadow": MeadowWorld.Layout}
