"""The example world of docs/writing-a-world.md (examples/orchard_world), pip-installed as a real
distribution into a temporary folder, passes the plugin kit (its own three-line test file), is
evaluated by ``python -m simagym.eval`` from its suite file and trained on by ``python -m simagym.train``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ORCHARD = ROOT / "examples" / "orchard_world"


def _run(argv: list[str], env: dict[str, str], timeout: int = 300) -> subprocess.CompletedProcess:
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done


@pytest.fixture(scope="module")
def orchard_env(tmp_path_factory) -> dict[str, str]:
    """An environment in which the installed orchard distribution (and nothing from examples/) is importable."""
    target, source = tmp_path_factory.mktemp("site"), tmp_path_factory.mktemp("src") / "orchard_world"
    # Built from a copy: setuptools writes build/ and *.egg-info next to the sources it builds.
    shutil.copytree(ORCHARD, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    _run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
          "--target", str(target), str(source)], dict(os.environ))
    assert (target / "simagym_orchard" / "tasks" / "orchard.yaml").is_file(), "the task file is not package data"
    assert list(target.glob("simagym_orchard-*.dist-info/entry_points.txt"))
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(target), os.environ.get("PYTHONPATH", "")]),
            "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy", "HF_HUB_OFFLINE": "1"}


def test_the_example_world_passes_the_kit(orchard_env):
    done = _run([sys.executable, "-m", "pytest", str(ORCHARD / "tests"), "-q", "-p", "no:xdist",
                 "-p", "no:cacheprovider"], orchard_env)
    assert "22 passed" in done.stdout, done.stdout  # the world, 4 tasks x 5 checks, determinism


def test_eval_runs_the_example_suite(orchard_env, tmp_path):
    out = tmp_path / "eval"
    _run([sys.executable, "-m", "simagym.eval", "--agent", "oracle", "--suite", str(ORCHARD / "orchard-v1.yaml"),
          "--episodes", "2", "--workers", "1", "--out", str(out), "--no-progress"], orchard_env)
    episodes = [json.loads(line) for line in (out / "episodes.jsonl").read_text().splitlines()]
    assert len(episodes) == 4 * 2 * 2  # tasks x seeds x splits
    assert {e["task"] for e in episodes} == {"orchard/go-to-tree-v1", "orchard/pick-fruit-v1",
                                             "orchard/fill-basket-v1", "orchard/open-gate-v1"}
    assert all(e["success"] is True for e in episodes)


def test_train_runs_on_the_example_world(orchard_env, tmp_path):
    pytest.importorskip("torch")
    out = tmp_path / "train"
    _run([sys.executable, "-m", "simagym.train", "--tasks", "orchard/*", "--demos", "6", "--steps", "32",
          "--batch-size", "16", "--eval-episodes", "1", "--workers", "1", "--threads", "1", "--demo-cache", "off",
          "--out", str(out), "--no-progress"], orchard_env)
    results = json.loads((out / "results.json").read_text())
    assert "orchard/pick-fruit-v1" in json.dumps(results)
    assert (out / "checkpoint").exists()
