"""Human-facing views: a frame with the instruction drawn on it, and a pygame window."""

from __future__ import annotations

import os

import numpy as np

from simagym import headless

BANNER = 40


def _pygame():
    headless.configure_sdl(video=os.environ.get("SDL_VIDEODRIVER", "dummy"))
    import pygame

    if not pygame.font.get_init():
        pygame.font.init()
    return pygame


_FONTS: dict[int, object] = {}


def annotate(frame: np.ndarray, text: str, status: str = "") -> np.ndarray:
    """Return ``frame`` with a banner below it showing ``text`` (and ``status`` on the right)."""
    pygame = _pygame()
    h, w, _ = frame.shape
    surface = pygame.Surface((w, h + BANNER))
    surface.fill((24, 24, 32))
    surface.blit(pygame.surfarray.make_surface(frame.swapaxes(0, 1)), (0, 0))
    size = 20
    font = _FONTS.get(size) or _FONTS.setdefault(size, pygame.font.Font(None, size))
    label = font.render(text, True, (240, 240, 240))
    surface.blit(label, (8, h + (BANNER - label.get_height()) // 2))
    if status:
        tag = font.render(status, True, (120, 230, 120) if status == "success" else (230, 120, 120))
        surface.blit(tag, (w - tag.get_width() - 8, h + (BANNER - tag.get_height()) // 2))
    return pygame.surfarray.array3d(surface).swapaxes(0, 1).copy()


class Window:
    """A pygame window that shows frames at a steady rate."""

    def __init__(self, title: str, width: int, height: int) -> None:
        headless.configure_sdl(video=None)
        import pygame

        pygame.display.init()
        pygame.display.set_caption(title)
        self._pygame = pygame
        self._screen = pygame.display.set_mode((width, height))
        self._clock = pygame.time.Clock()

    def show(self, frame: np.ndarray, fps: int) -> None:
        pygame = self._pygame
        pygame.event.pump()
        pygame.surfarray.blit_array(self._screen, frame.swapaxes(0, 1))
        pygame.display.flip()
        self._clock.tick(fps)

    def close(self) -> None:
        self._pygame.display.quit()


class Presenter:
    """What an env's ``render()`` does with its frame: returns it (``rgb_array``), or shows it in a window
    opened on first use (``human``) at ``fps``. One for every env, so single- and multi-player agree."""

    def __init__(self, title: str, fps: int) -> None:
        self.title, self.fps = title, fps
        self._window: Window | None = None

    def present(self, frame: np.ndarray, mode: str) -> np.ndarray | None:
        if mode == "rgb_array":
            return frame
        if self._window is None:
            self._window = Window(self.title, frame.shape[1], frame.shape[0])
        self._window.show(frame, self.fps)
        return None

    def close(self) -> None:
        if self._window is not None:
            self._window.close()
            self._window = None

