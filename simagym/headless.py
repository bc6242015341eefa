"""SDL must be told to run without a screen or sound card *before* pygame initialises.

Called by every code path that imports pygame, and by evaluation workers at start.
"""

from __future__ import annotations

import os


def configure_sdl(video: str | None = "dummy") -> None:
    """Default SDL to the dummy drivers unless the user chose others.

    ``video=None`` leaves the video driver to SDL (a real window for human play).
    """
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    if video is not None:
        os.environ.setdefault("SDL_VIDEODRIVER", video)
