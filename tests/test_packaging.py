"""A built wheel works on its own: installed into a fresh venv, ``simagym list`` shows the catalogue.

Nothing is downloaded: the wheel is installed with ``--no-deps`` and the new
venv sees this interpreter's dependencies through a ``.pth`` file. Plain path
lines in a ``.pth`` do not run the ``.pth`` files of the added directories, so
this checkout's editable install stays inert there and ``simagym`` can only
come from the wheel. Runs in the normal suite (about 10 s).
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Build inputs only: copying the tree keeps the build from reading or writing the checkout's build/.
IGNORED = shutil.ignore_patterns(
    ".git", ".venv", "venv", "build", "dist", "*.egg-info", "__pycache__", "*.pyc",
    ".pytest_cache", ".hypothesis", "runs", "results",
)
BARE_NAMES = ("envs", "agents", "tasks")


def _run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{' '.join(cmd)} exited {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    return proc


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")}
    env.update(SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy", PYTHONNOUSERSITE="1", PIP_NO_INPUT="1")
    return env


def _our_site_packages() -> list[str]:
    dirs = [*site.getsitepackages(), sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
    return list(dict.fromkeys(d for d in dirs if Path(d).is_dir()))


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("packaging")
    env = _clean_env()

    src = tmp / "src"
    shutil.copytree(ROOT, src, ignore=IGNORED, symlinks=True)
    wheels = tmp / "wheels"
    _run([sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "--no-build-isolation", "--no-index",
          "-q", "-w", str(wheels)], cwd=src, env=env)
    (wheel,) = wheels.glob("simagym-*.whl")

    venv = tmp / "venv"
    # No pip inside: this interpreter's pip installs into it (pip --python), which is faster.
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp, env=env)
    python = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q", str(wheel)],
         cwd=tmp, env=env)
    purelib = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                        cwd=tmp, env=env).stdout.strip())
    (purelib / "_simagym_test_deps.pth").write_text("\n".join(_our_site_packages()) + "\n")
    return {"tmp": tmp, "venv": venv, "python": python, "purelib": purelib, "wheel": wheel}


def test_wheel_holds_only_simagym(installed: dict[str, Path]) -> None:
    with zipfile.ZipFile(installed["wheel"]) as whl:
        names = whl.namelist()
    tops = {n.split("/", 1)[0] for n in names}
    assert tops == {"simagym", "simagym-0.1.0.dist-info"}, f"unexpected top-level entries in the wheel: {sorted(tops)}"
    assert any(n.startswith("simagym/tasks/") and n.endswith(".yaml") for n in names), "task files missing from the wheel"
    for bare in BARE_NAMES:
        assert not (installed["purelib"] / bare).exists(), f"a top-level {bare!r} package landed in site-packages"


def test_cli_lists_meadow_tasks(installed: dict[str, Path]) -> None:
    cli = installed["venv"] / "bin" / "simagym"
    assert cli.exists(), "the simagym console script was not installed"
    proc = _run([str(cli), "list"], cwd=installed["tmp"], env=_clean_env())
    assert "meadow/" in proc.stdout, f"`simagym list` shows no meadow task:\n{proc.stdout}\n{proc.stderr}"
    assert "warning" not in proc.stderr.lower(), f"plugins failed to load from the wheel:\n{proc.stderr}"


def test_imports_come_from_the_new_venv(installed: dict[str, Path]) -> None:
    probe = (
        "import importlib.util, json, simagym, simagym.envs, simagym.agents, simagym.tasks\n"
        "print(json.dumps({\n"
        "    'files': {m.__name__: m.__file__ for m in (simagym, simagym.envs, simagym.agents, simagym.tasks)},\n"
        "    'tasks': [s.id for s in simagym.list_tasks()],\n"
        "    'bare': {n: getattr(importlib.util.find_spec(n), 'origin', None) for n in ('envs', 'agents', 'tasks')},\n"
        "}))\n"
    )
    # cwd is outside the checkout, so '' on sys.path cannot find the source tree.
    proc = _run([str(installed["python"]), "-c", probe], cwd=installed["tmp"], env=_clean_env())
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    venv = installed["venv"].resolve()
    for name, file in report["files"].items():
        assert file is not None and Path(file).resolve().is_relative_to(venv), f"{name} imported from {file}, not from {venv}"
    assert any(t.startswith("meadow/") for t in report["tasks"]), f"no meadow tasks from the wheel: {report['tasks']}"
    for name, origin in report["bare"].items():
        assert origin is None or not Path(origin).resolve().is_relative_to(venv), f"bare {name!r} importable from {origin}"
