"""Faults at the command line get one-line errors: bad seeds, broken agents, a narrow play window."""

from __future__ import annotations

import sys
import textwrap

import pytest

from simagym.agents import load_agent
from simagym.cli import main as cli_main
from simagym.eval.__main__ import main as eval_main

BROKEN_AGENTS = '''
from simagym.agents.base import Agent


class Abstract(Agent):
    """Forgot act()."""


class RaisesInInit(Agent):
    def __init__(self, seed=None):
        raise RuntimeError("no GPU here")

    def act(self, observation):
        return 0


class NoSeed(Agent):
    def act(self, observation):
        return 0
'''


@pytest.fixture
def agents_module(tmp_path, monkeypatch):
    (tmp_path / "broken_agents.py").write_text(textwrap.dedent(BROKEN_AGENTS), encoding="utf-8")
    (tmp_path / "fails_on_import.py").write_text("raise RuntimeError('half-written module')\n", encoding="utf-8")
    (tmp_path / "missing_dependency.py").write_text("import no_such_module_xyz\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield
    for name in ("broken_agents", "fails_on_import", "missing_dependency"):
        sys.modules.pop(name, None)


@pytest.mark.parametrize("spec,message", [
    ("broken_agents:Abstract", "is abstract: implement act"),
    ("broken_agents:RaisesInInit", r"failed to start: RaisesInInit\(seed=0\) raised RuntimeError: no GPU here"),
    ("fails_on_import:Agent", "importing fails_on_import raised RuntimeError: half-written module"),
    ("missing_dependency:Agent", "No module named 'no_such_module_xyz'"),
])
def test_an_agent_that_cannot_start_is_a_one_line_error(agents_module, spec, message, capsys):
    with pytest.raises(ValueError, match=message):
        load_agent(spec, seed=0)
    assert eval_main(["--agent", spec, "--suite", "core", "--episodes", "1", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_an_agent_without_a_seed_parameter_still_loads(agents_module):
    assert type(load_agent("broken_agents:NoSeed", seed=3)).__name__ == "NoSeed"


def test_show_and_play_refuse_a_negative_seed(capsys):
    from simagym.play import main as play_main

    with pytest.raises(SystemExit) as exit_:
        cli_main(["show", "meadow/go-to-house-v2", "--seed", "-1"])
    assert exit_.value.code == 2
    assert play_main(["meadow/go-to-house-v2", "--seed", "-1"]) == 2
    for err in capsys.readouterr().err.splitlines():
        assert "--seed" in err and ">= 0" in err


@pytest.mark.parametrize("scale", [8, 4, 2])
def test_the_play_hint_wraps_inside_the_window(scale):
    from simagym.eval.suite import Episode
    from simagym.play import HELP, HELP_SEPARATOR, MARGIN, PlaySession

    session = PlaySession([Episode("meadow/go-to-house-v2", 0, "train")], scale=scale, fps=0)
    session._open()
    try:
        width = session.view - 2 * MARGIN
        assert all(session.small.size(line)[0] <= width for line in session.hint)
        assert HELP_SEPARATOR.join(session.hint) == HELP  # nothing dropped, only wrapped
        assert session.screen.get_height() >= session.view + len(session.hint) * session.small.get_linesize()
    finally:
        session.pygame.display.quit()
