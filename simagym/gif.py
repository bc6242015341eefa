"""Animated GIFs of frames (Pillow): what evaluation videos and :class:`simagym.wrappers.RecordGif` write."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import numpy as np

HOLD_LAST_MS = 1500  # the final frame (with success or failure) stays up this long


def save_gif(frames: Sequence[np.ndarray], path: Path, fps: int = 10) -> None:
    """Write frames as a looping GIF (one shared palette per frame, the last frame held), atomically."""
    from PIL import Image

    images = [Image.fromarray(f).convert("P", palette=Image.Palette.ADAPTIVE, colors=255) for f in frames]
    durations = [1000 // fps] * (len(images) - 1) + [HOLD_LAST_MS]
    tmp = path.with_name(f".{path.name}.tmp")
    images[0].save(tmp, format="GIF", save_all=True, append_images=images[1:], duration=durations, loop=0,
                   optimize=False, disposal=1)
    os.replace(tmp, path)
