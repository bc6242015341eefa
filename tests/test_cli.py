"""The ``simagym`` command: listing, the first-frame PNG, and one-line errors with exit status 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import simagym
from simagym.cli import main

TASK = "meadow/go-to-house-v2"


def _exit_code(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    return int(exc.value.code)


def test_list_shows_every_task(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for spec in simagym.list_tasks():
        assert spec.id in out


def test_list_filters(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--world", "meadow", "--category", "menu"]) == 0
    out = capsys.readouterr().out
    menu = {s.id for s in simagym.list_tasks(world="meadow", category="menu")}
    assert menu and all(t in out for t in menu)
    assert not any(s.id in out for s in simagym.list_tasks() if s.id not in menu)


def test_list_stats_counts_templates_and_instances(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--stats"]) == 0
    out = capsys.readouterr().out
    specs = simagym.list_tasks()
    assert f"{sum(s.instances for s in specs):,}" in out
    assert str(len(specs)) in out


def test_list_warns_once_about_a_broken_plugin_and_lists_the_rest(tmp_path: Path) -> None:
    """A real broken plugin (an installed distribution whose entry point names a missing module)."""
    dist = tmp_path / "broken_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[simagym.worlds]\nbrokenworld = no_such_module_xyz:World\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-m", "simagym", "list", "--world", "meadow"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("skipped world plugin 'brokenworld'") == 1, done.stderr
    assert "no_such_module_xyz" in done.stderr and TASK in done.stdout


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["list", "--world", "medow"], "meadow"),  # suggests the close world
        (["list", "--category", "nav"], "navigation"),
        (["show", "meadow/go-to-hous-v1"], TASK),  # suggests the close task id
        (["show", TASK, "--resolution", "300"], "resolution"),
        (["show", TASK, "--resolution", "big"], "resolution"),
        (["show", TASK, "--phrasing", "test"], "phrasing"),
        (["show", TASK, "--seed", "x"], "seed"),
        (["frobnicate"], "frobnicate"),
        ([], "required"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit_code(argv) == 2
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert len(lines) == 1, captured.err
    assert expected in lines[0] and "Traceback" not in captured.err


def test_show_writes_the_annotated_first_frame(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sub" / "frame.png"
    assert main(["show", TASK, "--seed", "3", "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    frame = np.asarray(Image.open(out))
    env = simagym.make(TASK, render_mode="rgb_array")
    env.reset(seed=3)
    assert np.array_equal(frame, env.render())  # the render view, instruction banner included
    env.close()


def test_show_agent_resolution_and_heldout(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "agent.png"
    assert main(["show", TASK, "--resolution", "32", "--phrasing", "heldout", "--out", str(out)]) == 0
    image = Image.open(out)
    assert image.format == "PNG" and image.width % 32 == 0 and image.height > image.width


def test_python_dash_m_simagym() -> None:
    proc = subprocess.run([sys.executable, "-m", "simagym", "list", "--world", "meadow"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert TASK in proc.stdout
