"""A person plays one seat of a team task while the oracle (or another agent) plays the others,
driven headlessly by posted pygame events."""

from __future__ import annotations

from simagym.headless import configure_sdl

configure_sdl()

import pygame  # noqa: E402

from simagym.eval.suite import Episode  # noqa: E402
from simagym.multi.play import TeamPlaySession  # noqa: E402
from simagym.play import main as play_main  # noqa: E402


def key(kind: int, code: int) -> pygame.event.Event:
    return pygame.event.Event(kind, key=code, mod=0, unicode="", scancode=0)


def test_the_oracle_brings_the_key_to_the_person_who_waits():
    session = TeamPlaySession([Episode("meadow/team-give-key-v1", 5, "train")], seat=1, teammates="oracle",
                              fps=0, message_seconds=0, max_ticks=400)
    result, = session.run()
    assert result.seat == 1 and result.success and result.team_success and 0 < result.steps < 250


def test_the_persons_keys_move_its_seat_and_giving_up_fails_the_team(monkeypatch):
    import simagym.multi as multi

    made = []
    real = multi.parallel_env
    monkeypatch.setattr(multi, "parallel_env", lambda *a, **k: made.append(real(*a, **k)) or made[-1])

    def script(tick: int) -> None:
        if tick == 1:
            pygame.event.post(key(pygame.KEYDOWN, pygame.K_s))
        if tick == 4:
            pygame.event.post(key(pygame.KEYUP, pygame.K_s))
            pygame.event.post(key(pygame.KEYDOWN, pygame.K_F1))

    session = TeamPlaySession([Episode("meadow/team-meet-landmark-v1", 3, "heldout")], seat=0, teammates="random",
                              fps=0, message_seconds=0, on_tick=script, max_ticks=50)
    result, = session.run()
    assert result.gave_up and not result.team_success and result.steps == 4
    world = made[0].world
    with world.seated(0):  # S held for three ticks: the person's player faces and walks south
        assert world.facing == (0, 1) and world.displacement()[1] > 0


def test_play_cli_plays_a_seat_and_checks_it(capsys):
    assert play_main(["meadow/team-give-key-v1", "--seat", "1", "--episodes", "1", "--fps", "100"]) == 0
    assert "played 1 episodes, 1 successes" in capsys.readouterr().out
    assert play_main(["meadow/team-give-key-v1", "--seat", "2", "--episodes", "1"]) == 2
    assert "--seat must be 0 to 1" in capsys.readouterr().err
