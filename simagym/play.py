"""``python -m simagym.play TASK_ID`` (or ``--suite core``): play simagym tasks yourself.

A pygame window shows the game view - exactly the agent's observation, at the
agent's resolution (``--resolution``, default 64), scaled up ``--scale`` times
- with the instruction under it. Your keyboard and mouse drive the **same raw
action space agents' macros decode to**: every tick (``--fps``, default 10,
the environment's own rate) the action is the keys pressed during the tick (a key
tapped and released within one tick still counts; movement keys also repeat while
held, the rest act once per press, as in most games), the cursor position as a
fraction of the game view, and the mouse buttons held. Keys outside the action
key set do nothing, except F1 (give up: the episode counts as a failure) and
closing the window (quit; an unfinished episode is not saved).

When an episode ends a message says whether it succeeded, then the next one
starts: ``TASK_ID`` plays that task on the ``core`` suite's seeds in order
(or from ``--seed``); ``--suite`` plays the suite's episodes seed by seed
(every task and split at its first seed, then its second, ...), optionally
``--tasks`` (glob) only.

``--record DIR`` appends every finished episode to a Minari dataset in DIR (see
:mod:`simagym.recording`); episodes already recorded there are skipped, so a
long suite can be played over several sessions. ``--dataset ID`` records into
Minari's own datasets folder instead, so ``minari.load_dataset(ID)`` finds it. Score a recording into a
``human`` leaderboard row with ``python -m simagym.leaderboard human DIR``.
"""

from __future__ import annotations

import argparse
import fnmatch
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from simagym.actions import BUTTONS, KEYS
from simagym.cli_errors import configure_logging, fail, non_negative_int, OneLineParser, usage_error, UsageError

PROG = "python -m simagym.play"
BANNER = 58  # instruction and status lines; the hint's lines come below them
MARGIN = 10
HELP = "WASD move · E use · Q drop · I/M/Esc menus · mouse click · F1 give up · close window: quit"
HELP_SEPARATOR = " · "


def wrap_hint(text: str, fits: Callable[[str], bool], separator: str = HELP_SEPARATOR) -> list[str]:
    """``text``'s items (split at ``separator``) packed into as few lines as ``fits`` allows; an item
    too long for a line alone gets its own line."""
    lines: list[str] = []
    for item in text.split(separator):
        if lines and fits(lines[-1] + separator + item):
            lines[-1] += separator + item
        else:
            lines.append(item)
    return lines


def key_map(pygame: Any) -> dict[int, str]:
    """pygame key codes -> names in the shared key set."""
    table = {
        pygame.K_w: "W", pygame.K_a: "A", pygame.K_s: "S", pygame.K_d: "D",
        pygame.K_UP: "UP", pygame.K_DOWN: "DOWN", pygame.K_LEFT: "LEFT", pygame.K_RIGHT: "RIGHT",
        pygame.K_SPACE: "SPACE", pygame.K_LSHIFT: "SHIFT", pygame.K_RSHIFT: "SHIFT",
        pygame.K_e: "E", pygame.K_q: "Q", pygame.K_f: "F", pygame.K_TAB: "TAB", pygame.K_ESCAPE: "ESC",
        pygame.K_RETURN: "ENTER", pygame.K_KP_ENTER: "ENTER", pygame.K_i: "I", pygame.K_m: "M",
    }
    for n in range(1, 10):
        table[getattr(pygame, f"K_{n}")] = str(n)
    assert set(table.values()) == set(KEYS)
    return table


#: Keys that keep acting while held (walking, jumping); any other key acts once per press,
#: since at 10 ticks a second a held Esc or I would otherwise toggle several times.
REPEATING = frozenset({"W", "A", "S", "D", "UP", "DOWN", "LEFT", "RIGHT", "SPACE", "SHIFT"})


@dataclass
class InputState:
    """What the player holds, from pygame events; one action per tick."""

    held_keys: set[str] = field(default_factory=set)
    tapped_keys: set[str] = field(default_factory=set)   # pressed during this tick (even if released since)
    held_buttons: set[str] = field(default_factory=set)
    tapped_buttons: set[str] = field(default_factory=set)
    cursor: tuple[float, float] = (0.5, 0.5)

    def action(self) -> dict[str, np.ndarray]:
        keys = (self.held_keys & REPEATING) | self.tapped_keys
        buttons = self.held_buttons | self.tapped_buttons
        self.tapped_keys.clear()
        self.tapped_buttons.clear()
        return {
            "keys": np.array([1 if k in keys else 0 for k in KEYS], dtype=np.int8),
            "mouse": np.array(self.cursor, dtype=np.float32),
            "buttons": np.array([1 if b in buttons else 0 for b in BUTTONS], dtype=np.int8),
        }


class PlaySession:
    """The play loop. ``on_tick(tick)`` runs before each tick's events are read (tests post events there)."""

    def __init__(self, episodes: Sequence[Any], *, resolution: int = 64, scale: int = 8, fps: int = 10,
                 message_seconds: float = 2.0, record: str | Path | None = None, player: str = "human",
                 on_tick: Callable[[int], None] | None = None, max_ticks: int | None = None) -> None:
        from simagym import headless

        headless.configure_sdl(video=None)  # a real window when there is a display; tests set "dummy"
        import pygame

        self.pygame = pygame
        self.episodes = list(episodes)
        self.resolution, self.scale, self.fps = resolution, scale, fps
        self.message_ticks = max(1, round(message_seconds * fps)) if fps > 0 else 1
        self.player = player
        self.on_tick = on_tick
        self.max_ticks = max_ticks
        self.tick = 0
        self.keys = key_map(pygame)
        self.writer = None
        if record is not None:
            from simagym.recording import DemoWriter

            self.writer = DemoWriter(record, resolution)
        self.finished: list[Any] = []  # RecordedEpisode, in order
        self.quit = False

    # --- window -----------------------------------------------------------------------------
    def _open(self) -> None:
        pygame = self.pygame
        pygame.display.init()
        pygame.font.init()
        self.view = self.resolution * self.scale
        self.small = pygame.font.Font(None, 18)
        # The hint wraps to the window's width: a narrow window gets more lines, never a cut one.
        self.hint = wrap_hint(HELP, lambda line: self.small.size(line)[0] <= self.view - 2 * MARGIN)
        self.screen = pygame.display.set_mode((self.view, self.view + BANNER + len(self.hint) * self.small.get_linesize()))
        pygame.display.set_caption("simagym play")
        self.big = pygame.font.Font(None, 30)
        self.clock = pygame.time.Clock()

    def _draw(self, frame: np.ndarray, instruction: str, status: str, message: str = "", good: bool = True) -> None:
        pygame = self.pygame
        surface = pygame.surfarray.make_surface(frame.swapaxes(0, 1))
        self.screen.fill((24, 24, 32))
        self.screen.blit(pygame.transform.scale(surface, (self.view, self.view)), (0, 0))
        self.screen.blit(self.big.render(instruction, True, (240, 240, 240)), (10, self.view + 10))
        self.screen.blit(self.small.render(status, True, (170, 170, 190)), (10, self.view + 42))
        for i, line in enumerate(self.hint):
            self.screen.blit(self.small.render(line, True, (120, 120, 140)),
                             (MARGIN, self.view + BANNER + i * self.small.get_linesize()))
        if message:
            text = self.big.render(message, True, (255, 255, 255))
            box = text.get_rect(center=(self.view // 2, self.view // 2)).inflate(32, 20)
            pygame.draw.rect(self.screen, (30, 140, 60) if good else (170, 40, 40), box, border_radius=8)
            self.screen.blit(text, text.get_rect(center=box.center))
        pygame.display.flip()

    def _events(self, state: InputState) -> str | None:
        """Apply this tick's events; return "quit" or "give_up" when asked."""
        pygame = self.pygame
        if self.on_tick is not None:
            self.on_tick(self.tick)
        self.tick += 1
        if self.max_ticks is not None and self.tick > self.max_ticks:
            return "quit"
        asked = None
        for event in pygame.event.get():
            if event.type == pygame.QUIT:
                return "quit"
            if event.type == pygame.KEYDOWN:
                if event.key == pygame.K_F1:
                    asked = "give_up"
                elif event.key in self.keys:
                    state.held_keys.add(self.keys[event.key])
                    state.tapped_keys.add(self.keys[event.key])
            elif event.type == pygame.KEYUP and event.key in self.keys:
                state.held_keys.discard(self.keys[event.key])
            elif event.type in (pygame.MOUSEMOTION, pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP):
                x, y = event.pos
                state.cursor = (min(1.0, max(0.0, x / self.view)), min(1.0, max(0.0, y / self.view)))
                button = {1: "LEFT", 3: "RIGHT"}.get(getattr(event, "button", 0))
                if button and event.type == pygame.MOUSEBUTTONDOWN:
                    state.held_buttons.add(button)
                    state.tapped_buttons.add(button)
                elif button and event.type == pygame.MOUSEBUTTONUP:
                    state.held_buttons.discard(button)
        return asked

    def _wait(self) -> None:
        if self.fps > 0:
            self.clock.tick(self.fps)

    # --- episodes ---------------------------------------------------------------------------
    def play_episode(self, episode: Any) -> Any | None:
        """Play one (task, seed, split); return the RecordedEpisode, or None if the player quit."""
        from simagym.recording import RecordedEpisode, macro_of, make_env

        env = make_env(episode.task, episode.split, resolution=self.resolution)
        try:
            obs, info = env.reset(seed=episode.seed)
            text = obs["instruction"]
            frames, actions, macros, rewards = [obs["pixels"]], [], [], []
            state = InputState()
            prev_mouse = np.array(state.cursor, dtype=np.float32)
            terminated = truncated = gave_up = False
            success = False
            limit = env.max_steps
            while not (terminated or truncated):
                self._draw(frames[-1], text, f"{episode.task} · seed {episode.seed} · {episode.split} · "
                                             f"step {len(actions)}/{limit}")
                asked = self._events(state)
                if asked == "quit":
                    self.quit = True
                    return None
                if asked == "give_up":
                    gave_up = truncated = True
                    break
                action = state.action()
                macros.append(macro_of(action["keys"], action["mouse"], action["buttons"], prev_mouse))
                prev_mouse = action["mouse"]
                obs, reward, terminated, truncated, info = env.step(action)
                frames.append(obs["pixels"])
                actions.append(action)
                rewards.append(float(reward))
                success = bool(info["success"])
                self._wait()
            task = env.unwrapped.task
        finally:
            env.close()
        message = "Success!" if success else ("Gave up" if gave_up else "Failed: out of time" if truncated else "Failed")
        for _ in range(self.message_ticks):
            self._draw(frames[-1], text, f"{episode.task} · seed {episode.seed} · {episode.split}", message, success)
            if self._events(InputState()) == "quit":
                self.quit = True
                break
            self._wait()
        n = len(actions)
        recorded = RecordedEpisode(
            task=episode.task, seed=episode.seed, split=episode.split, instruction=text,
            frames=np.stack(frames),
            keys=np.stack([a["keys"] for a in actions]) if n else np.zeros((0, len(KEYS)), np.int8),
            mouse=np.stack([a["mouse"] for a in actions]) if n else np.zeros((0, 2), np.float32),
            buttons=np.stack([a["buttons"] for a in actions]) if n else np.zeros((0, len(BUTTONS)), np.int8),
            macros=np.asarray(macros, dtype=np.int16), rewards=np.asarray(rewards), terminated=bool(terminated),
            truncated=bool(truncated), success=success, world=task.world, category=task.category.value,
            player=self.player, gave_up=gave_up,
        )
        if self.writer is not None and n:
            self.writer.add(recorded)
        return recorded

    def run(self) -> list[Any]:
        """Play every episode in turn until the list ends or the player quits; return those finished."""
        self._open()
        try:
            for episode in self.episodes:
                done = self.play_episode(episode)
                if done is not None:
                    self.finished.append(done)
                if self.quit:
                    break
        finally:
            self.pygame.display.quit()
        return self.finished


# --- command line ---------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog=PROG, description="Play simagym tasks with your keyboard and mouse.")
    parser.add_argument("task", nargs="?", help="a task id (see `simagym list`)")
    parser.add_argument("--suite", default=None, help="play a suite's episodes instead of one task")
    parser.add_argument("--tasks", default=None, metavar="GLOB", help="with --suite: only tasks matching GLOB")
    parser.add_argument("--split", default="train", help="with TASK_ID: the split (train, heldout, heldout-composition, ...)")
    parser.add_argument("--seed", type=non_negative_int, default=None, help="with TASK_ID: the first seed (default: the core suite's seeds)")
    parser.add_argument("--episodes", type=int, default=None, metavar="N", help="stop after N episodes")
    parser.add_argument("--record", type=Path, default=None, metavar="DIR", help="append every episode to a Minari dataset in DIR")
    parser.add_argument("--dataset", default=None, metavar="ID",
                        help="instead of --record DIR: record into Minari's datasets folder as ID (e.g. simagym/alice-v0),"
                             " where minari.load_dataset(ID) finds it")
    parser.add_argument("--resolution", type=int, default=64, help="the game view's resolution, as agents see it (default 64)")
    parser.add_argument("--scale", type=int, default=8, help="window pixels per game pixel (default 8)")
    parser.add_argument("--fps", type=int, default=10, help="ticks per second (default 10, the environment's rate)")
    parser.add_argument("--player", default="human", help="who is playing (stored with each episode)")
    parser.add_argument("--seat", type=int, default=0, help="team tasks: the player seat you play (default 0)")
    parser.add_argument("--teammates", default="oracle", metavar="AGENT",
                        help="team tasks: who plays the other seats: oracle (default), random, or a trained run folder")
    return parser


def plan_episodes(args: argparse.Namespace) -> list[Any]:
    from simagym.eval.suite import Episode, EvalSplit, load_suite

    if args.suite:
        suite = load_suite(args.suite)
        chosen = [t for t in suite.tasks if args.tasks is None or fnmatch.fnmatch(t, args.tasks)]
        if not chosen:
            raise ValueError(f"--tasks {args.tasks!r} matches no task of suite {suite.label}")
        episodes = [Episode(t, seed, sp.value) for seed in suite.seeds for t in chosen for sp in suite.task_splits(t)]
    else:
        import simagym
        from simagym.multi.registry import get_team_task, is_team_task

        task_id = simagym.task_id_of(args.task)
        spec = get_team_task(task_id) if is_team_task(task_id) else simagym.get_task(task_id)
        split = EvalSplit(args.split).value
        seeds = list(load_suite("core").seeds) if args.seed is None else list(range(args.seed, args.seed + 10_000))
        episodes = [Episode(spec.id, s, split) for s in seeds]
    if args.record is not None and (args.record / "metadata.json").exists():
        from simagym.recording import read_recording

        done = {(e.task, e.seed, e.split) for e in read_recording(args.record)}
        episodes = [e for e in episodes if tuple(e) not in done]
    return episodes[:args.episodes] if args.episodes else episodes


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        if (args.task is None) == (args.suite is None):
            raise UsageError("give a TASK_ID or --suite SUITE (one of them)")
        if args.dataset is not None and args.record is not None:
            raise UsageError("give --record DIR or --dataset ID, not both")
        for name in ("resolution", "scale", "fps", "episodes"):
            value = getattr(args, name)
            if value is not None and value < 1:
                raise UsageError(f"--{name} must be >= 1, got {value}")
    except UsageError as err:
        return usage_error(PROG, err)
    configure_logging()
    from simagym.eval.errors import EvalError
    from simagym.registry import UnknownTaskError

    try:
        if args.dataset is not None:
            from simagym.minari_datasets import minari_folder

            args.record = minari_folder(args.dataset)
        episodes = plan_episodes(args)
        if not episodes:
            print("nothing left to play: every planned episode is already recorded")
            return 0
        from simagym.multi.registry import is_team_task

        options = dict(resolution=args.resolution, scale=args.scale, fps=args.fps, record=args.record, player=args.player)
        if is_team_task(episodes[0].task):  # several players: you play one seat (simagym.multi.play)
            from simagym.multi.play import TeamPlaySession

            session = TeamPlaySession(episodes, seat=args.seat, teammates=args.teammates, **options)
        else:
            session = PlaySession(episodes, **options)
        finished = session.run()
    except (EvalError, UnknownTaskError, ValueError) as err:
        return fail(PROG, err)
    wins = sum(e.success for e in finished)
    print(f"played {len(finished)} episodes, {wins} successes" + (f"; recorded in {args.record}" if args.record else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
